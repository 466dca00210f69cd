//! The application: turns a validated command into reads, an evaluation and output. The only place
//! that wires the edges to the core; errors gain their context here.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::CommandFactory;

use crate::cli::{CatalogCommand, CheckConfig, Cli, Command, Environment, FileArgs, SchemaArg};
use crate::core::config::Setup;
use crate::core::evaluate::evaluate;
use crate::core::waiver;
use crate::input::schema::{self, SchemaKind};
use crate::input::{config, measurements, template};
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
            check(&config, &setup(&cli.files)?)
        }
        Command::Catalog(command) => catalog(command, &cli.files),
        Command::Init(args) => init(&cli.files, args.force),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kpi", &mut out);
            print(&String::from_utf8_lossy(&out))
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            print(&String::from_utf8_lossy(&out))
        }
    }
}

/// The catalog in effect: `--catalog` or the built-in one, with `--config` or `./kpi.yaml` applied.
fn setup(files: &FileArgs) -> anyhow::Result<Setup> {
    let config = config::discover(files.config.as_deref());
    Ok(config::load_setup(config.as_deref(), files.catalog.as_deref())?)
}

fn check(config: &CheckConfig, setup: &Setup) -> anyhow::Result<ExitCode> {
    let values = measurements::read(&setup.catalog, &config.sources)?;
    let mut card = evaluate(&setup.catalog, &values, config.policy);
    waiver::apply(&mut card, &setup.waivers, None, config.today);
    let text = render::render(config.format, &card, config.style);
    write_stdout(&text).context("cannot write to standard output")?;
    Ok(if card.gate.passed { ExitCode::SUCCESS } else { ExitCode::from(EXIT_GATE_FAILED) })
}

fn catalog(command: CatalogCommand, files: &FileArgs) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::List => print(&render::catalog::list(&setup(files)?)),
        CatalogCommand::Show { metric } => {
            let setup = setup(files)?;
            let index = setup.catalog.resolve(&metric)?;
            print(&render::catalog::show(&setup, &setup.catalog.metrics()[index]))
        }
        CatalogCommand::Validate { path } => print(&validate(path.as_deref(), files)?),
        CatalogCommand::Schema { format } => {
            let kind = match format {
                SchemaArg::Config => SchemaKind::Config,
                SchemaArg::Catalog => SchemaKind::Catalog,
            };
            let mut text = serde_json::to_string_pretty(&schema::schema(kind))?;
            text.push('\n');
            print(&text)
        }
    }
}

/// Checks a catalog or config file (or the config in effect) and says what it holds.
fn validate(path: Option<&Path>, files: &FileArgs) -> anyhow::Result<String> {
    let described = |setup: &Setup| {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        format!(
            "{} metrics in effect (extends `{}`), {}, {}",
            setup.catalog.metrics().len(),
            setup.base,
            count(setup.scope_names().len(), "scope"),
            count(setup.waivers.len(), "waiver"),
        )
    };
    if let Some(path) = path {
        let name = path.display();
        if config::is_catalog(path)? {
            let (catalog, _) = config::load_catalog_file(path)?;
            return Ok(format!(
                "`{name}` is a valid catalog: {} metrics\n",
                catalog.metrics().len()
            ));
        }
        let setup = config::load_setup(Some(path), files.catalog.as_deref())?;
        return Ok(format!("`{name}` is a valid config: {}\n", described(&setup)));
    }
    let setup = setup(files)?;
    Ok(match &setup.config {
        Some(file) => format!("`{file}` is a valid config: {}\n", described(&setup)),
        None => format!(
            "no config (`{}`) here; the catalog `{}` is valid: {} metrics\n",
            config::DEFAULT_FILE,
            setup.base,
            setup.catalog.metrics().len()
        ),
    })
}

/// Writes the `metrics.csv` and `kpi.yaml` templates, each whole or not at all.
fn init(files: &FileArgs, force: bool) -> anyhow::Result<ExitCode> {
    // A `kpi.yaml` here is about to be replaced, so it is read only when named with `--config`.
    let setup = config::load_setup(files.config.as_deref(), files.catalog.as_deref())?;
    let outputs =
        [("metrics.csv", template::measurements(&setup)), ("kpi.yaml", template::config(&setup))];
    let existing: Vec<String> = outputs
        .iter()
        .filter(|(name, _)| Path::new(name).exists())
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if !existing.is_empty() && !force {
        bail!(
            "{} already exist{}; pass --force to overwrite, or run `kpi init` in another directory",
            existing.join(" and "),
            if existing.len() == 1 { "s" } else { "" }
        );
    }
    for (name, text) in &outputs {
        write_whole(Path::new(name), text).with_context(|| format!("cannot write `{name}`"))?;
    }
    print(&format!(
        "wrote `metrics.csv` ({} metrics) and `kpi.yaml`; fill in the values, then run `kpi check metrics.csv`\n",
        setup.catalog.metrics().len()
    ))
}

/// Writes `text` to a temporary file beside `path` and renames it into place, so a failure never
/// leaves a half-written file.
fn write_whole(path: &Path, text: &str) -> io::Result<()> {
    let temporary = path.with_file_name(format!(
        ".{}.{}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    let result = fs::write(&temporary, text).and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        fs::remove_file(&temporary).ok();
    }
    result
}

fn print(text: &str) -> anyhow::Result<ExitCode> {
    write_stdout(text).context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
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
