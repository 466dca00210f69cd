//! The application: turns a validated command into reads, an evaluation and output. The only place
//! that wires the edges to the core; errors gain their context here.

use std::process::ExitCode;

use crate::cli::{CheckConfig, Cli, Command, Environment};
use crate::core::evaluate::evaluate;
use crate::core::scorecard::Scorecard;
use crate::input::{catalog, measurements};
use crate::output::{Destination, Outputs};
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
    }
}

fn check(config: &CheckConfig) -> anyhow::Result<ExitCode> {
    let catalog = catalog::load_builtin()?;
    let values = measurements::read(&catalog, &config.sources)?;
    let card = evaluate(&catalog, &values, config.policy);
    let mut outputs = Outputs::new();
    outputs.add(config.output.clone(), render::render(config.format, &card, config.style));
    for (format, destination) in &config.exports {
        // Exports go to files and logs, where colour codes would be noise.
        outputs.add(destination.clone(), render::render(*format, &card, Style { color: false }));
    }
    if let Some(path) = &config.step_summary {
        outputs.add(Destination::StepSummary(path.clone()), markdown::render(&card));
    }
    if let Some(path) = &config.step_outputs {
        outputs.add(Destination::StepOutputs(path.clone()), github::step_outputs(&card));
    }
    outputs.write()?;
    Ok(ExitCode::from(exit_code(&card, config.warn_exit_code)))
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
