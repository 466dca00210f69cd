use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kpi::cli::Cli::parse();
    match kpi::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(kpi::app::EXIT_ERROR)
        }
    }
}
