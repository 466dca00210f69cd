//! The application: turns a validated command into reads, an evaluation and output. The only place
//! that wires the edges to the core; errors gain their context here.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{CheckConfig, Cli, Command, Environment};
use crate::core::evaluate::evaluate;
use crate::input::{catalog, measurements};
use crate::render;

/// Exit code when the gate fails.
pub const EXIT_GATE_FAILED: u8 = 1;
/// Exit code for a usage or input error.
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
    let data = measurements::read(&catalog, &config.sources)?;
    let card = evaluate(&catalog, &data, config.as_of, config.policy);
    if card.results.is_empty() {
        let as_of = config.as_of.map(|d| d.to_string()).unwrap_or_default();
        anyhow::bail!("no check-in on or before --as-of {as_of}; pick a later date");
    }
    let text = render::render(config.format, &card, config.style);
    write_stdout(&text).context("cannot write to standard output")?;
    Ok(if card.gate.passed { ExitCode::SUCCESS } else { ExitCode::from(EXIT_GATE_FAILED) })
}

/// Writes to standard output; a reader that closed the pipe early (`kpi check x.csv | head`) is not
/// an error, since the verdict is already decided.
fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
