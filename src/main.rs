use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kpi::cli::Cli::parse();
    match kpi::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // Messages show input text printable already; this also covers any text that did not
            // pass through one of them, keeping only the message's own line breaks.
            let message = format!("{err:#}");
            eprintln!("error: {}", kpi::core::text::printable_keeping(&message, &['\n']));
            ExitCode::from(kpi::app::EXIT_ERROR)
        }
    }
}
