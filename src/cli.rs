//! The command line: clap definitions, and their conversion into a validated configuration once, so
//! that no code after this point re-checks flags.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

use crate::collect::plan::CollectArgs;
use crate::collect::{Fact, SourceArg};
use crate::core::history::When;
use crate::core::scorecard::{FailOn, GatePolicy};
use crate::input::measurements::Source;
use crate::output::Destination;
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
    /// Exit codes: 0 when the gate passes, 1 when it fails, 2 on a usage or input error, and the
    /// `--warn-exit-code` when one is given and the gate passes with warnings.
    ///
    /// In GitHub Actions (`GITHUB_STEP_SUMMARY` and `GITHUB_OUTPUT` set), the markdown scorecard is
    /// also appended to the job summary, and `gate`, `pass`, `warn`, `fail` and `missing` to the
    /// step's outputs.
    Check(CheckArgs),

    /// Write the weekly check-in report in markdown: the scorecard with trends and sparklines, what
    /// needs attention, and what changed since the last check-in.
    ///
    /// Exits 0 when the report is written (the gate's verdict is in the report; `kpi check` gates),
    /// 2 on a usage or input error.
    Report(ReportArgs),

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

    /// Print the manual page, in roff: `kpi man > kpi.1 && man ./kpi.1`; or, with `--dir`, write
    /// `kpi.1` and a page per subcommand (`kpi-check.1`, ...) into a directory.
    Man {
        /// Write every page into this directory instead of printing `kpi.1`.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },

    /// Collect metrics from the reports and tools a pipeline already has, as measurement rows.
    ///
    /// Prints long-format CSV (`date,scope,metric,value,unit,source`), the rows `kpi check` reads;
    /// `--append FILE` adds them to a history file instead. A metric a source could not produce is
    /// named on standard error with the reason, never written as 0.
    ///
    /// Exits 0 when the rows are written, 2 on a usage, source or output error.
    Collect(CollectCommandArgs),
}

/// `kpi collect`'s arguments.
#[derive(Debug, Args)]
pub struct CollectCommandArgs {
    /// Sources: `KIND=PATH` (`coverage=lcov.info`, `k6=summary.json`, `git=.`) or a bare `KIND`
    /// whose path comes from `kpi.yaml`; with none, every source under `collect.sources` in
    /// `kpi.yaml`.
    #[arg(value_name = "SOURCE", value_parser = crate::collect::parse_source)]
    pub sources: Vec<SourceArg>,

    /// The date of the collected rows, and the last day of the window (default: today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,

    #[command(flatten)]
    pub collection: CollectionArgs,

    /// Write the rows to this file (replaced atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE", conflicts_with = "append")]
    pub output: Option<String>,

    /// Add the rows to this history file (created with a header if missing), atomically; a row
    /// whose metric, scope and date the file already has is refused unless `--replace`.
    #[arg(long, value_name = "FILE")]
    pub append: Option<String>,

    /// With `--append`: replace the file's rows for the same metric, scope and date.
    #[arg(long, requires = "append")]
    pub replace: bool,

    /// Print no notes on standard error (such as the metrics not collected).
    #[arg(long, short)]
    pub quiet: bool,
}

/// How collected rows are made, shared by `collect`, `check --from` and `report --from`.
#[derive(Debug, Args)]
pub struct CollectionArgs {
    /// How far back sources that count events (git) look, ending with the `--as-of` day: `7d`,
    /// `2w` (default: `collect.window` in `kpi.yaml`, else 7 days).
    #[arg(long, value_name = "DURATION", value_parser = crate::collect::parse_window)]
    pub window: Option<u32>,

    /// The scope of the collected rows (a service or team), unless a source gives its own.
    #[arg(long, value_name = "NAME")]
    pub scope: Option<String>,

    /// A count kpi cannot collect itself, for the per-KLOC metrics: `defects=N` or `bugs=N`.
    #[arg(long, value_name = "NAME=N", value_parser = parse_count)]
    pub count: Vec<(Fact, f64)>,
}

/// `defects=3` or `bugs=12`.
fn parse_count(arg: &str) -> Result<(Fact, f64), String> {
    let (name, n) = arg.split_once('=').ok_or("write it as `defects=N` or `bugs=N`")?;
    let fact = match name.trim() {
        "defects" => Fact::Defects,
        "bugs" => Fact::Bugs,
        other => {
            return Err(format!(
                "`{}` is not a count kpi uses; count `defects` or `bugs`",
                crate::core::text::printable(other)
            ));
        }
    };
    let n: f64 =
        n.trim().parse().ok().filter(|n: &f64| n.is_finite() && *n >= 0.0).ok_or_else(|| {
            format!(
                "`{}` is not a count; write a number of {name}",
                crate::core::text::printable(n)
            )
        })?;
    Ok((fact, n))
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

    /// Suggest tighter pass thresholds: for each metric that passed with a margin at each of the
    /// last check-ins, a `kpi.yaml` snippet at what the team has shown it can hold, with the
    /// evidence.
    ///
    /// Nothing is written unless `--write` is given; then the config in effect (`kpi.yaml`, or
    /// `--config`) gets the thresholds, checked and replaced atomically.
    Suggest {
        /// Measurement files with a `date` column (`-` reads standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,

        /// How many of the latest check-ins the metric must have passed at.
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
        checkins: u16,

        /// Write the thresholds into the config instead of printing them.
        #[arg(long)]
        write: bool,
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

/// The measurements to read, shared by `check` and `report`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// CSV files: long form (`metric`, `value`, optional `unit`) or wide form (one column per metric),
    /// with optional `date` and `scope` (or `service`, `team`) columns; `-` reads standard input.
    #[arg(required_unless_present = "from", value_name = "FILE")]
    pub files: Vec<String>,

    /// Also grade rows collected from a source (`coverage=lcov.info`, `git`, ...; see `kpi collect`);
    /// repeat for more. With `--from`, files are optional.
    #[arg(long, value_name = "SOURCE", value_parser = crate::collect::parse_source)]
    pub from: Vec<SourceArg>,

    #[command(flatten)]
    pub collection: CollectionArgs,

    /// Evaluate the check-in as it stood on this date: the latest value at or before it.
    #[arg(long, value_name = "DATE", value_parser = When::parse)]
    pub as_of: Option<When>,

    /// Print no notes on standard error (such as a value that looks like a fraction); errors
    /// still print.
    #[arg(long, short)]
    pub quiet: bool,

    /// Read with up to N threads (default: the cores available); `--threads 1` reads on one.
    /// The result is the same either way.
    #[arg(long, value_name = "N", env = "KPI_THREADS", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Judge regressions against this: the JSON of an earlier `kpi check --format json` (the main
    /// branch's), a measurements CSV, or `previous` for each series' previous check-in. Metrics
    /// with a `regression:` policy warn or fail when they got worse than it allows.
    #[arg(long, value_name = "FILE|previous", value_parser = parse_baseline)]
    pub baseline: Option<Baseline>,
}

/// What `--baseline` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// Each series' previous check-in.
    Previous,
    /// An earlier JSON scorecard or a measurements CSV.
    File(PathBuf),
}

fn parse_baseline(arg: &str) -> Result<Baseline, String> {
    match arg {
        "" => Err("name a file, or `previous` for each metric's previous check-in".to_string()),
        "previous" => Ok(Baseline::Previous),
        path => Ok(Baseline::File(PathBuf::from(path))),
    }
}

/// The gate's rules, shared by `check` and `report`.
#[derive(Debug, Args)]
pub struct GateArgs {
    /// Which status fails the gate (exit code 1).
    #[arg(long, value_enum, default_value_t = FailOnArg::Fail, value_name = "STATUS")]
    pub fail_on: FailOnArg,

    /// Fail the gate when a catalog metric has no data.
    #[arg(long)]
    pub require_all: bool,

    /// Fail the gate when a scope holds a lower level than this one of the catalog's `levels`.
    #[arg(long, value_name = "LEVEL")]
    pub require_level: Option<String>,

    /// The day waivers are judged on, instead of today: for reproducible runs and tests.
    #[arg(long, hide = true, env = "KPI_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub gate: GateArgs,

    /// The report's format: markdown for notes and issues, or a self-contained HTML page.
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    pub format: ReportFormat,

    /// Add a chart of this metric's history (a mermaid diagram in markdown, an SVG chart in HTML,
    /// where every metric that needs attention has one too); repeat for more. Shell completions
    /// offer the ids of the metrics in effect.
    #[arg(long, value_name = "METRIC")]
    pub chart: Vec<String>,

    /// Write the report to FILE, replaced atomically, instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub gate: GateArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// When to colour the table: `auto` colours a terminal unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,

    /// Write the `--format` output to FILE instead of standard output; `-` is standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<String>,

    /// Write JSON (`--format json` and JSON exports) on one line, without indentation.
    #[arg(long)]
    pub compact: bool,

    /// Also write FORMAT to PATH, e.g. `--export junit=kpi.xml`; repeat for more files.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = parse_export)]
    pub export: Vec<Export>,

    /// Don't append the markdown scorecard to the file `GITHUB_STEP_SUMMARY` names.
    #[arg(long)]
    pub no_step_summary: bool,

    /// Exit with N (3 to 255) when the gate passes but a metric warns, or fails under
    /// `--fail-on never`, so CI can show "passed with warnings".
    #[arg(long, value_name = "N", value_parser = parse_warn_exit_code)]
    pub warn_exit_code: Option<u8>,
}

/// One `--export FORMAT=PATH`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub format: Format,
    pub path: String,
}

fn parse_export(arg: &str) -> Result<Export, String> {
    let formats = || Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
    let Some((name, path)) = arg.split_once('=') else {
        return Err(format!(
            "write it as FORMAT=PATH, e.g. `junit=kpi.xml`; formats are {}",
            formats()
        ));
    };
    let format = Format::from_str(name.trim(), false)
        .map_err(|_| format!("unknown format `{name}`; use one of {}", formats()))?;
    if path.is_empty() {
        return Err(format!("the path is empty; name the file to write, e.g. `{name}=kpi.out`"));
    }
    Ok(Export { format, path: path.to_string() })
}

fn parse_warn_exit_code(arg: &str) -> Result<u8, String> {
    match arg.parse::<u8>() {
        Ok(code @ 3..) => Ok(code),
        Ok(code) => Err(format!(
            "exit code {code} already means {}; use a code from 3 to 255",
            ["the gate passed", "the gate failed", "an error"][usize::from(code)]
        )),
        Err(_) => Err("use a number from 3 to 255".to_string()),
    }
}

/// The command line for completion scripts: `kpi report --chart` completes the given metric ids,
/// while the real parser takes any id, name or alias and leaves checking them to the catalog.
pub fn command_completing_charts(ids: Vec<String>) -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_subcommand("report", |report| {
        report.mut_arg("chart", |chart| {
            chart.value_parser(clap::builder::PossibleValuesParser::new(ids))
        })
    })
}

/// `--format` and `--export` take any of [`Format::ALL`], by the name [`Format::name`] gives.
impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

/// The formats of `kpi report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// GitHub-flavoured markdown, with mermaid charts.
    Markdown,
    /// One self-contained HTML page with SVG charts.
    Html,
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
    pub grading: Grading,
    pub format: Format,
    pub style: Style,
    /// Where the `--format` output goes.
    pub output: Destination,
    /// Further formats and the files they go to, in command-line order.
    pub exports: Vec<(Format, Destination)>,
    /// The job summary file to append the markdown scorecard to.
    pub step_summary: Option<PathBuf>,
    /// The step outputs file to append the verdict and counts to.
    pub step_outputs: Option<PathBuf>,
    /// The exit code for a gate that passes with warnings; without one, such a run exits 0.
    pub warn_exit_code: Option<u8>,
}

/// What `check` and `report` share, validated: what to read and how to grade it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grading {
    pub sources: Vec<Source>,
    pub as_of: Option<When>,
    pub policy: GatePolicy,
    /// The day waivers are judged on; `None`: today, read from the clock when a waiver needs it.
    pub today: Option<Date>,
    /// Whether reading may show a progress indicator (see [`Environment::shows_progress`]).
    pub progress: bool,
    /// Whether notes about the input go to standard error.
    pub notes: bool,
    /// Sources to collect rows from besides the files (`--from`); none: no collection.
    pub collect: CollectArgs,
    /// What regressions are judged against; `None`: no regression policy applies.
    pub baseline: Option<Baseline>,
    /// The level every scope must hold, as written; the catalog's ladder resolves it.
    pub require_level: Option<String>,
    /// How many threads reading, grading and writing may use; `None`: see [`Grading::threads`].
    pub threads: Option<usize>,
}

impl Grading {
    fn from_args(
        input: &InputArgs,
        gate: &GateArgs,
        env: &Environment,
    ) -> Result<Grading, UsageError> {
        Ok(Grading {
            sources: input.sources()?,
            as_of: input.as_of,
            policy: gate.policy(),
            today: gate.today(env)?,
            progress: env.shows_progress(),
            notes: !input.quiet,
            collect: input.collection.validated(input.from.clone()),
            baseline: input.baseline.clone(),
            require_level: gate.require_level.clone(),
            threads: input.threads.map(usize::from),
        })
    }

    /// How many threads to use: as many as `--threads` says, or else one for inputs small
    /// enough to be read before a second thread would start (files under a megabyte in all), and
    /// the cores available for the rest (standard input, pipes and devices count as large).
    pub fn threads(&self) -> usize {
        /// Inputs up to this size are read, graded and written on one thread.
        const SMALL: u64 = 1 << 20;
        if let Some(threads) = self.threads {
            return threads;
        }
        let mut total = 0u64;
        for source in &self.sources {
            match source {
                // A pipe or a device may hold anything.
                Source::File(path) => match std::fs::metadata(path) {
                    Ok(m) if m.is_file() => total = total.saturating_add(m.len()),
                    Ok(_) => total = u64::MAX,
                    Err(_) => {}
                },
                Source::Stdin => total = u64::MAX,
            }
        }
        if total < SMALL && self.collect.sources.is_empty() {
            1
        } else {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }
    }
}

/// The facts about the environment that flags depend on, gathered in one place so tests can set them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // independent facts, not states of one thing
pub struct Environment {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// `CI` is set, as every CI service sets it (to anything but `false` or `0`).
    pub ci: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
    /// The job summary file GitHub Actions names in `GITHUB_STEP_SUMMARY`.
    pub github_step_summary: Option<PathBuf>,
    /// The step outputs file GitHub Actions names in `GITHUB_OUTPUT`.
    pub github_output: Option<PathBuf>,
    /// Today's date, when it is known up front (tests); `None` reads the local clock only when a
    /// waiver needs it, since that means loading the time zone database.
    pub today: Option<Date>,
    /// The terminal's width: `COLUMNS` when set, else the width of the terminal standard output
    /// is; `None` for a pipe or a file.
    pub columns: Option<usize>,
}

impl Environment {
    /// Reads the real environment.
    pub fn detect() -> Self {
        let path = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Environment {
            stdout_is_terminal: std::io::stdout().is_terminal(),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            ci: std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0"),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            github_step_summary: path("GITHUB_STEP_SUMMARY"),
            github_output: path("GITHUB_OUTPUT"),
            today: None,
            columns: std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse().ok())
                .filter(|&c: &usize| c > 0)
                .or_else(|| {
                    let (width, _) = terminal_size::terminal_size_of(std::io::stdout())?;
                    Some(usize::from(width.0))
                }),
        }
    }
}

impl Environment {
    /// A progress indicator goes to standard error when it is a terminal, and never in CI, whose
    /// logs would keep every redraw.
    pub fn shows_progress(&self) -> bool {
        self.stderr_is_terminal && !self.ci
    }
}

/// A flag combination that parses but makes no sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    #[error("standard input (`-`) is named {0} times; name it once")]
    StdinTwice(usize),
    #[error("`--today` (or `KPI_TODAY`) is `{0}`, not a date; write it as YYYY-MM-DD")]
    BadToday(String),
    #[error("{destination} would get both `{first}` and `{second}`; give each output its own file")]
    SameDestination { destination: String, first: String, second: String },
}

impl CollectionArgs {
    /// The collection these flags ask for, from `sources`.
    pub fn validated(&self, sources: Vec<SourceArg>) -> CollectArgs {
        CollectArgs {
            sources,
            scope: self.scope.clone(),
            window_days: self.window,
            counts: self.count.clone(),
        }
    }
}

impl InputArgs {
    /// The sources to read, with `-` (standard input) at most once.
    fn sources(&self) -> Result<Vec<Source>, UsageError> {
        let stdin_count = self.files.iter().filter(|f| *f == "-").count();
        if stdin_count > 1 {
            return Err(UsageError::StdinTwice(stdin_count));
        }
        Ok(self.files.iter().map(|f| Source::from_arg(f)).collect())
    }
}

impl GateArgs {
    fn policy(&self) -> GatePolicy {
        let fail_on = match self.fail_on {
            FailOnArg::Fail => FailOn::Fail,
            FailOnArg::Warn => FailOn::Warn,
            FailOnArg::Never => FailOn::Never,
        };
        GatePolicy { fail_on, require_all: self.require_all }
    }

    /// The day waivers are judged on: `--today` (or `KPI_TODAY`), else the environment's today.
    fn today(&self, env: &Environment) -> Result<Option<Date>, UsageError> {
        match &self.today {
            Some(text) => crate::input::config::parse_date(text)
                .map(Some)
                .ok_or_else(|| UsageError::BadToday(text.clone())),
            None => Ok(env.today),
        }
    }
}

/// `kpi report`'s arguments, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportConfig {
    pub grading: Grading,
    pub format: ReportFormat,
    /// Metric names to chart, as written; the catalog resolves them.
    pub charts: Vec<String>,
    pub output: Destination,
}

impl ReportConfig {
    /// Validates `kpi report`'s arguments.
    pub fn from_args(args: &ReportArgs, env: &Environment) -> Result<ReportConfig, UsageError> {
        Ok(ReportConfig {
            grading: Grading::from_args(&args.input, &args.gate, env)?,
            format: args.format,
            charts: args.chart.clone(),
            output: args.output.as_deref().map_or(Destination::Stdout, Destination::from_arg),
        })
    }
}

impl CheckConfig {
    /// Validates `kpi check`'s arguments.
    pub fn from_args(args: &CheckArgs, env: Environment) -> Result<CheckConfig, UsageError> {
        let grading = Grading::from_args(&args.input, &args.gate, &env)?;
        let output = args.output.as_deref().map_or(Destination::Stdout, Destination::from_arg);
        let mut named = vec![(
            output.clone(),
            match &args.output {
                Some(path) => format!("--output {path}"),
                None => format!("--format {}", args.format.name()),
            },
        )];
        let mut exports = Vec::with_capacity(args.export.len());
        for export in &args.export {
            let destination = Destination::from_arg(&export.path);
            let label = format!("--export {}={}", export.format.name(), export.path);
            if let Some((_, first)) = named.iter().find(|(d, _)| *d == destination) {
                return Err(UsageError::SameDestination {
                    destination: match &destination {
                        Destination::File(path) => format!("`{}`", path.display()),
                        _ => "standard output".to_string(),
                    },
                    first: first.clone(),
                    second: label,
                });
            }
            named.push((destination.clone(), label));
            exports.push((export.format, destination));
        }
        // Files and exports are read in editors and logs, not in this terminal.
        let width = env.columns.filter(|_| output == Destination::Stdout);
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                output == Destination::Stdout && env.stdout_is_terminal && !env.no_color
            }
        };
        // The threads are counted when the input is read: see `Grading::threads`.
        let style = Style { color, width, compact: args.compact, threads: 1 };
        Ok(CheckConfig {
            grading,
            format: args.format,
            style,
            output,
            exports,
            step_summary: env.github_step_summary.filter(|_| !args.no_step_summary),
            step_outputs: env.github_output,
            warn_exit_code: args.warn_exit_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(argv: &[&str], env: Environment) -> Result<CheckConfig, UsageError> {
        let parsed = Cli::try_parse_from(argv).unwrap();
        let Command::Check(check) = parsed.command else { panic!("not `kpi check`") };
        CheckConfig::from_args(&check, env)
    }

    fn parse_error(argv: &[&str]) -> String {
        Cli::try_parse_from(argv).unwrap_err().to_string()
    }

    const DAY: Date = jiff::civil::date(2025, 6, 1);
    const TTY: Environment = Environment {
        stdout_is_terminal: true,
        stderr_is_terminal: true,
        ci: false,
        no_color: false,
        github_step_summary: None,
        github_output: None,
        today: Some(DAY),
        columns: None,
    };
    const PIPE: Environment =
        Environment { stdout_is_terminal: false, stderr_is_terminal: false, ..TTY };

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
        assert_eq!(c.grading.sources[0], Source::Stdin);
        assert_eq!(config(&["kpi", "check", "-", "-"], PIPE), Err(UsageError::StdinTwice(2)));
    }

    #[test]
    fn gate_flags_become_the_policy() {
        let c = config(&["kpi", "check", "--fail-on", "warn", "--require-all", "a.csv"], PIPE);
        assert_eq!(
            c.unwrap().grading.policy,
            GatePolicy { fail_on: FailOn::Warn, require_all: true }
        );
    }

    #[test]
    fn output_and_exports_name_their_destinations() {
        let c = config(
            &["kpi", "check", "-o", "t.txt", "--export", "junit=k.xml", "--export", "json=-", "a"],
            PIPE,
        )
        .unwrap();
        assert_eq!(c.output, Destination::File("t.txt".into()));
        assert_eq!(
            c.exports,
            [
                (Format::Junit, Destination::File("k.xml".into())),
                (Format::Json, Destination::Stdout)
            ]
        );
        assert_eq!(config(&["kpi", "check", "a.csv"], PIPE).unwrap().output, Destination::Stdout);
    }

    #[test]
    fn a_file_named_twice_is_refused() {
        let err = config(&["kpi", "check", "-o", "k.xml", "--export", "junit=k.xml", "a"], PIPE);
        insta::assert_snapshot!(err.unwrap_err(), @"`k.xml` would get both `--output k.xml` and `--export junit=k.xml`; give each output its own file");
        let err = config(&["kpi", "check", "--export", "json=-", "a.csv"], PIPE);
        insta::assert_snapshot!(err.unwrap_err(), @"standard output would get both `--format table` and `--export json=-`; give each output its own file");
    }

    #[test]
    fn export_must_name_a_known_format_and_a_path() {
        insta::assert_snapshot!(parse_error(&["kpi", "check", "--export", "xml=k.xml", "a"]), @r"
        error: invalid value 'xml=k.xml' for '--export <FORMAT=PATH>': unknown format `xml`; use one of table, markdown, json, junit, github, gitlab, html

        For more information, try '--help'.
        ");
        insta::assert_snapshot!(parse_error(&["kpi", "check", "--export", "k.xml", "a"]), @r"
        error: invalid value 'k.xml' for '--export <FORMAT=PATH>': write it as FORMAT=PATH, e.g. `junit=kpi.xml`; formats are table, markdown, json, junit, github, gitlab, html

        For more information, try '--help'.
        ");
        insta::assert_snapshot!(parse_error(&["kpi", "check", "--export", "junit=", "a"]), @r"
        error: invalid value 'junit=' for '--export <FORMAT=PATH>': the path is empty; name the file to write, e.g. `junit=kpi.out`

        For more information, try '--help'.
        ");
    }

    #[test]
    fn warn_exit_code_must_not_mean_something_else() {
        let c = config(&["kpi", "check", "--warn-exit-code", "3", "a.csv"], PIPE).unwrap();
        assert_eq!(c.warn_exit_code, Some(3));
        insta::assert_snapshot!(parse_error(&["kpi", "check", "--warn-exit-code", "1", "a"]), @r"
        error: invalid value '1' for '--warn-exit-code <N>': exit code 1 already means the gate failed; use a code from 3 to 255

        For more information, try '--help'.
        ");
        insta::assert_snapshot!(parse_error(&["kpi", "check", "--warn-exit-code", "x", "a"]), @r"
        error: invalid value 'x' for '--warn-exit-code <N>': use a number from 3 to 255

        For more information, try '--help'.
        ");
    }

    #[test]
    fn the_table_fits_the_terminal_only_when_it_goes_to_the_terminal() {
        let wide = Environment { columns: Some(80), ..TTY };
        assert_eq!(config(&["kpi", "check", "a.csv"], wide.clone()).unwrap().style.width, Some(80));
        assert_eq!(
            config(&["kpi", "check", "-o", "t.txt", "a.csv"], wide).unwrap().style.width,
            None
        );
        assert_eq!(config(&["kpi", "check", "a.csv"], PIPE).unwrap().style.width, None);
    }

    #[test]
    fn colour_is_automatic_only_when_the_main_output_is_the_terminal() {
        assert!(!config(&["kpi", "check", "-o", "t.txt", "a.csv"], TTY).unwrap().style.color);
        assert!(config(&["kpi", "check", "-o", "-", "a.csv"], TTY).unwrap().style.color);
    }

    #[test]
    fn github_files_come_from_the_environment_and_the_summary_can_be_turned_off() {
        let github = Environment {
            github_step_summary: Some("summary.md".into()),
            github_output: Some("out".into()),
            ..PIPE
        };
        let c = config(&["kpi", "check", "a.csv"], github.clone()).unwrap();
        assert_eq!(c.step_summary, Some("summary.md".into()));
        assert_eq!(c.step_outputs, Some("out".into()));
        let c = config(&["kpi", "check", "--no-step-summary", "a.csv"], github).unwrap();
        assert_eq!(c.step_summary, None);
        assert_eq!(c.step_outputs, Some("out".into()));
        assert_eq!(config(&["kpi", "check", "a.csv"], PIPE).unwrap().step_summary, None);
    }

    #[test]
    fn today_comes_from_the_environment_unless_given() {
        assert_eq!(config(&["kpi", "check", "a.csv"], PIPE).unwrap().grading.today, Some(DAY));
        let given = config(&["kpi", "check", "--today", "2030-01-31", "a.csv"], PIPE).unwrap();
        assert_eq!(given.grading.today, Some(jiff::civil::date(2030, 1, 31)));
        assert_eq!(
            config(&["kpi", "check", "--today", "31/01/2030", "a.csv"], PIPE),
            Err(UsageError::BadToday("31/01/2030".into()))
        );
    }

    #[test]
    fn format_and_export_accept_every_format_and_only_those() {
        for format in Format::ALL {
            let c = config(&["kpi", "check", "--format", format.name(), "a.csv"], PIPE).unwrap();
            assert_eq!(c.format, format);
            let export = format!("{}=out", format.name());
            let c = config(&["kpi", "check", "--export", &export, "a.csv"], PIPE).unwrap();
            assert_eq!(c.exports[0].0, format);
        }
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        assert_eq!(names, Format::ALL.map(|f| f.name().to_string()));
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn progress_shows_on_a_terminal_and_never_in_ci() {
        assert!(config(&["kpi", "check", "a.csv"], TTY).unwrap().grading.progress);
        let only_stdout = Environment { stderr_is_terminal: false, ..TTY };
        assert!(!config(&["kpi", "check", "a.csv"], only_stdout).unwrap().grading.progress);
        let ci = Environment { ci: true, ..TTY };
        assert!(!config(&["kpi", "check", "a.csv"], ci.clone()).unwrap().grading.progress);
        let Command::Report(report) =
            Cli::try_parse_from(["kpi", "report", "a.csv"]).unwrap().command
        else {
            panic!("not `kpi report`")
        };
        assert!(ReportConfig::from_args(&report, &TTY).unwrap().grading.progress);
        assert!(!ReportConfig::from_args(&report, &ci).unwrap().grading.progress);
        assert!(!ReportConfig::from_args(&report, &PIPE).unwrap().grading.progress);
    }
}
