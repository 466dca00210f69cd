//! The application: turns a validated command into reads, an evaluation and output. The only place
//! that wires the edges to the core; errors gain their context here.

use std::process::ExitCode;

use crate::cli::{CheckConfig, Cli, Command, Environment, ReportConfig};
use crate::core::catalog::Catalog;
use crate::core::evaluate::evaluate;
use crate::core::history::When;
use crate::core::scorecard::{GatePolicy, Scorecard};
use crate::input::measurements::Source;
use crate::input::{catalog, measurements};
use crate::output::{Destination, Outputs};
use crate::progress::Progress;
use crate::render::{self, Style, github, markdown};

/// Exit code when the gate fails.
pub const EXIT_GATE_FAILED: u8 = 1;
/// Exit code for a usage, input or output error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a parsed command line; `Ok` carries the exit code of a completed run.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => {
            let config = CheckConfig::from_args(&args, Environment::detect())?;
            check(&config)
        }
        Command::Report(args) => report(&ReportConfig::from_args(&args, &Environment::detect())?),
    }
}

/// Reads the measurements and grades them: the shared first half of `check` and `report`.
fn scorecard(
    catalog: &Catalog,
    sources: &[Source],
    as_of: Option<When>,
    policy: GatePolicy,
    progress: bool,
) -> anyhow::Result<Scorecard> {
    let data = measurements::read(catalog, sources, as_of, &Progress::new(progress))?;
    let card = evaluate(catalog, &data, as_of, policy);
    if card.results.is_empty() {
        let as_of = as_of.map(|d| d.to_string()).unwrap_or_default();
        anyhow::bail!("no check-in on or before --as-of {as_of}; pick a later date");
    }
    Ok(card)
}

fn report(config: &ReportConfig) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load_builtin()?;
    let charts = config
        .charts
        .iter()
        .map(|name| catalog.resolve(name).map(|i| catalog.metrics()[i].id.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("`--chart`: {e}"))?;
    let card = scorecard(&catalog, &config.sources, config.as_of, config.policy, config.progress)?;
    let mut outputs = Outputs::new();
    outputs.add(config.output.clone(), render::report::render(&card, &charts));
    outputs.write()?;
    Ok(ExitCode::SUCCESS)
}

fn check(config: &CheckConfig) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load_builtin()?;
    let card = scorecard(&catalog, &config.sources, config.as_of, config.policy, config.progress)?;
    let mut outputs = Outputs::new();
    let card = &card;
    outputs.add_writer(config.output.clone(), |out| {
        render::write(config.format, card, config.style, out)
    });
    for (format, destination) in &config.exports {
        // Exports go to files and logs, where colour codes would be noise.
        let format = *format;
        outputs.add_writer(destination.clone(), move |out| {
            render::write(format, card, Style { color: false }, out)
        });
    }
    if let Some(path) = &config.step_summary {
        outputs.add(Destination::StepSummary(path.clone()), markdown::render(card));
    }
    if let Some(path) = &config.step_outputs {
        outputs.add(Destination::StepOutputs(path.clone()), github::step_outputs(card));
    }
    outputs.write()?;
    Ok(ExitCode::from(exit_code(card, config.warn_exit_code)))
}

/// 0 when the gate passes, 1 when it fails; `warn_exit_code` when it passes despite metrics that
/// are not passing (warnings, or failures under `--fail-on never`).
fn exit_code(card: &Scorecard, warn_exit_code: Option<u8>) -> u8 {
    let not_passing = card.summary.warn + card.summary.fail > 0;
    match warn_exit_code {
        _ if !card.gate.passed => EXIT_GATE_FAILED,
        Some(code) if not_passing => code,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::scorecard::Summary;
    use crate::render::sample;

    fn card(passed: bool, summary: Summary) -> Scorecard {
        let mut card = sample::scorecard();
        card.gate.passed = passed;
        card.summary = summary;
        card
    }

    #[test]
    fn warn_exit_code_applies_only_to_a_passing_gate_with_metrics_not_passing() {
        let clean = Summary { pass: 14, missing: 1, ..Summary::default() };
        let warned = Summary { warn: 1, ..clean };
        let failed = Summary { fail: 1, ..clean };
        assert_eq!(exit_code(&card(true, clean), Some(3)), 0);
        assert_eq!(exit_code(&card(true, warned), Some(3)), 3);
        assert_eq!(exit_code(&card(true, warned), None), 0);
        assert_eq!(exit_code(&card(true, failed), Some(3)), 3, "--fail-on never");
        assert_eq!(exit_code(&card(false, warned), Some(3)), EXIT_GATE_FAILED);
        assert_eq!(exit_code(&card(false, clean), None), EXIT_GATE_FAILED, "--require-all");
    }
}
