use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A signal while files are being written puts them back before the process exits.
    kpi::output::interrupt::enable();
    let cli = kpi::cli::Cli::parse();
    match kpi::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // Messages show input text printable already; this also covers any text that did not
            // pass through one of them, keeping only the message's own line breaks.
            let message = format!("{err:#}");
            let line = kpi::core::text::printable_keeping(&message, &['\n']);
            // Standard error may be closed or full (`2>/dev/full`): the exit code still says it.
            let _ = writeln!(std::io::stderr(), "error: {line}");
            ExitCode::from(kpi::app::EXIT_ERROR)
        }
    }
}
