//! The command line: clap definitions, and their conversion into a validated configuration once, so
//! that no code after this point re-checks flags.

use std::io::IsTerminal;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::core::history::When;
use crate::core::scorecard::{FailOn, GatePolicy};
use crate::input::measurements::Source;
use crate::render::{Format, Style};

/// Check measured KPIs against the team's agreed targets.
#[derive(Debug, Parser)]
#[command(name = "kpi", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade measured values against the catalog and print a pass / warn / fail scorecard.
    ///
    /// Exit codes: 0 when the gate passes, 1 when it fails, 2 on a usage or input error.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// CSV files with `metric` and `value` columns (and optionally `unit`); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,

    /// When to colour the table: `auto` colours a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Which status fails the gate (exit code 1).
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail, value_name = "STATUS")]
    pub fail_on: FailOnArg,

    /// Fail the gate when a catalog metric has no data.
    #[arg(long)]
    pub require_all: bool,

    /// Evaluate the check-in as it stood on this date: the latest value at or before it.
    #[arg(long, value_name = "DATE", value_parser = When::parse)]
    pub as_of: Option<When>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Fail on any failing metric.
    Fail,
    /// Fail on any warning or failing metric.
    Warn,
    /// Never fail on thresholds.
    Never,
}

/// `kpi check`'s arguments, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckConfig {
    pub sources: Vec<Source>,
    pub format: Format,
    pub style: Style,
    pub policy: GatePolicy,
    pub as_of: Option<When>,
}

/// The facts about the environment that flags depend on, gathered in one place so tests can set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

impl Environment {
    /// Reads the real environment.
    pub fn detect() -> Self {
        Environment {
            stdout_is_terminal: std::io::stdout().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// A flag combination that parses but makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("standard input (`-`) is named {0} times; name it once")]
    StdinTwice(usize),
}

impl CheckConfig {
    /// Validates `kpi check`'s arguments.
    pub fn from_args(args: &CheckArgs, env: Environment) -> Result<CheckConfig, UsageError> {
        let stdin_count = args.files.iter().filter(|f| *f == "-").count();
        if stdin_count > 1 {
            return Err(UsageError::StdinTwice(stdin_count));
        }
        let format = match args.format {
            FormatArg::Table => Format::Table,
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
        };
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => env.stdout_is_terminal && !env.no_color,
        };
        let fail_on = match args.fail_on {
            FailOnArg::Fail => FailOn::Fail,
            FailOnArg::Warn => FailOn::Warn,
            FailOnArg::Never => FailOn::Never,
        };
        Ok(CheckConfig {
            sources: args.files.iter().map(|f| Source::from_arg(f)).collect(),
            format,
            style: Style { color },
            policy: GatePolicy { fail_on, require_all: args.require_all },
            as_of: args.as_of,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(words: &[&str], env: Environment) -> Result<CheckConfig, UsageError> {
        let parsed = Cli::try_parse_from(words).unwrap();
        let Command::Check(args) = parsed.command;
        CheckConfig::from_args(&args, env)
    }

    const TTY: Environment = Environment { stdout_is_terminal: true, no_color: false };
    const PIPE: Environment = Environment { stdout_is_terminal: false, no_color: false };

    #[test]
    fn colour_is_automatic_on_a_terminal_only() {
        assert!(config(&["kpi", "check", "a.csv"], TTY).unwrap().style.color);
        assert!(!config(&["kpi", "check", "a.csv"], PIPE).unwrap().style.color);
    }

    #[test]
    fn no_color_and_never_turn_colour_off_and_always_forces_it() {
        let no_color = Environment { no_color: true, ..TTY };
        assert!(!config(&["kpi", "check", "a.csv"], no_color).unwrap().style.color);
        assert!(!config(&["kpi", "check", "--color", "never", "a.csv"], TTY).unwrap().style.color);
        assert!(config(&["kpi", "check", "--color", "always", "a.csv"], PIPE).unwrap().style.color);
    }

    #[test]
    fn dash_is_stdin_and_only_once() {
        let c = config(&["kpi", "check", "-", "a.csv"], PIPE).unwrap();
        assert_eq!(c.sources[0], Source::Stdin);
        assert_eq!(config(&["kpi", "check", "-", "-"], PIPE), Err(UsageError::StdinTwice(2)));
    }

    #[test]
    fn gate_flags_become_the_policy() {
        let c = config(&["kpi", "check", "--fail-on", "warn", "--require-all", "a.csv"], PIPE);
        assert_eq!(c.unwrap().policy, GatePolicy { fail_on: FailOn::Warn, require_all: true });
    }
}
