//! The command line: clap definitions, and their conversion into a validated configuration once, so
//! that no code after this point re-checks flags.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::core::scorecard::{FailOn, GatePolicy};
use crate::input::measurements::Source;
use crate::render::{Format, Style};

/// Check measured KPIs against the team's agreed targets.
#[derive(Debug, Parser)]
#[command(name = "kpi", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub files: FileArgs,
}

/// Where the catalog and config come from; every command takes these.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The config with this team's thresholds [default: `kpi.yaml` in the current directory, when
    /// there is one]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Use this catalog file instead of the built-in one (or the one the config extends).
    #[arg(long, global = true, value_name = "PATH")]
    pub catalog: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade measured values against the catalog and print a pass / warn / fail scorecard.
    ///
    /// Exit codes: 0 when the gate passes, 1 when it fails, 2 on a usage or input error.
    Check(CheckArgs),

    /// List, describe and validate the metrics in effect, or print the formats' JSON Schema.
    #[command(subcommand)]
    Catalog(CatalogCommand),

    /// Write a `metrics.csv` template and a commented `kpi.yaml` in the current directory.
    ///
    /// The template lists every enabled metric with its unit and a blank value to fill in. Existing
    /// files are left alone unless `--force` is given. A `kpi.yaml` already in the directory is not
    /// read; name it with `--config` to list its metrics.
    Init(InitArgs),

    /// Print a completion script for a shell.
    ///
    /// For example: `kpi completions bash > ~/.local/share/bash-completion/completions/kpi`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the manual page, in roff: `kpi man > kpi.1 && man ./kpi.1`.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List every metric in effect: id, name, category, target and unit.
    List,

    /// Describe a metric: what it measures, its target, its thresholds in words, its ideas, and
    /// which file set them.
    Show {
        /// The metric's id, name or alias.
        #[arg(value_name = "METRIC")]
        metric: String,
    },

    /// Check a catalog or config file and report every problem.
    ///
    /// Exit codes: 0 when the file is valid, 2 with every problem otherwise.
    Validate {
        /// The catalog or config file [default: the config in effect, else the catalog]
        path: Option<PathBuf>,
    },

    /// Print the JSON Schema of the config (or catalog) format, for editors to complete and check
    /// files.
    Schema {
        #[arg(value_enum, default_value_t = SchemaArg::Config)]
        format: SchemaArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    /// `kpi.yaml`.
    Config,
    /// A catalog file.
    Catalog,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite `metrics.csv` and `kpi.yaml` if they exist.
    #[arg(long)]
    pub force: bool,
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

    /// The day waivers are judged on, instead of today: for reproducible runs and tests.
    #[arg(long, hide = true, env = "KPI_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
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
    /// The day waivers are judged on.
    pub today: Date,
}

/// The facts about the environment that flags depend on, gathered in one place so tests can set them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// Today's date in the local time zone.
    pub today: Date,
}

impl Environment {
    /// Reads the real environment.
    pub fn detect() -> Self {
        Environment {
            stdout_is_terminal: std::io::stdout().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            today: jiff::ZonedDateTime::now().date(),
        }
    }
}

/// A flag combination that parses but makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("standard input (`-`) is named {0} times; name it once")]
    StdinTwice(usize),
    #[error("`--today` (or `KPI_TODAY`) is `{0}`, not a date; write it as YYYY-MM-DD")]
    BadToday(String),
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
        let today = match &args.today {
            Some(text) => crate::input::config::parse_date(text)
                .ok_or_else(|| UsageError::BadToday(text.clone()))?,
            None => env.today,
        };
        Ok(CheckConfig {
            sources: args.files.iter().map(|f| Source::from_arg(f)).collect(),
            format,
            style: Style { color },
            policy: GatePolicy { fail_on, require_all: args.require_all },
            today,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(argv: &[&str], env: Environment) -> Result<CheckConfig, UsageError> {
        let parsed = Cli::try_parse_from(argv).unwrap();
        let Command::Check(check) = parsed.command else { panic!("not a check: {argv:?}") };
        CheckConfig::from_args(&check, env)
    }

    const DAY: Date = jiff::civil::date(2025, 6, 1);
    const TTY: Environment = Environment { stdout_is_terminal: true, no_color: false, today: DAY };
    const PIPE: Environment =
        Environment { stdout_is_terminal: false, no_color: false, today: DAY };

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

    #[test]
    fn today_comes_from_the_environment_unless_given() {
        assert_eq!(config(&["kpi", "check", "a.csv"], PIPE).unwrap().today, DAY);
        let given = config(&["kpi", "check", "--today", "2030-01-31", "a.csv"], PIPE).unwrap();
        assert_eq!(given.today, jiff::civil::date(2030, 1, 31));
        assert_eq!(
            config(&["kpi", "check", "--today", "31/01/2030", "a.csv"], PIPE),
            Err(UsageError::BadToday("31/01/2030".into()))
        );
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
