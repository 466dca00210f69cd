//! The application: turns a validated command into reads, an evaluation and output. The only place
//! that wires the edges to the core; errors gain their context here.

mod collecting;

use std::fs::File;
use std::io;
use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use clap::CommandFactory;

use crate::cli::{
    self, CatalogCommand, CheckConfig, Cli, Command, Environment, FileArgs, Grading, ReportConfig,
    ReportFormat, SchemaArg,
};
use crate::collect::plan::{CollectArgs, CollectConfig};
use crate::core::evaluate::{Policies, evaluate_owned, evaluate_scoped};
use crate::core::history::When;
use crate::core::levels::Ladder;
use crate::core::policy::{Baseline, BaselinePoint, BaselineValues};
use crate::core::scorecard::Scorecard;
use crate::core::scorecard::{FailOn, GatePolicy};
use crate::core::tailoring::CatalogInEffect;
use crate::core::waiver::Waivers;
use crate::input::measurements::{self, MeasurementError, Source, Store};
use crate::input::schema::{self, SchemaKind};
use crate::input::{baseline, config, template};
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
            let collect = collect_config(&config.grading.collect, &cli.files)?;
            check(&config, &in_effect(&cli.files)?, &collect)
        }
        Command::Report(args) => {
            let config = ReportConfig::from_args(&args, &Environment::detect())?;
            let collect = collect_config(&config.grading.collect, &cli.files)?;
            report(&config, &in_effect(&cli.files)?, &collect)
        }
        Command::Collect(args) => collecting::run(&args, &in_effect(&cli.files)?, &cli.files),
        Command::Catalog(command) => catalog(command, &cli.files),
        Command::Init(args) => init(&cli.files, args.force),
        Command::Completions { shell } => {
            // The metrics in effect; a broken config still gets the built-in catalog's.
            let catalog = match in_effect(&cli.files) {
                Ok(in_effect) => in_effect.catalog,
                Err(_) => crate::input::catalog::load_builtin()?,
            };
            let ids = catalog.metrics().iter().map(|m| m.id.clone()).collect();
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut cli::command_completing_charts(ids),
                "kpi",
                &mut out,
            );
            print(String::from_utf8_lossy(&out).into_owned())
        }
        Command::Man { dir } => {
            let pages = render::man::pages(Cli::command());
            let Some(dir) = dir else {
                return print(pages.into_iter().next().map(|(_, page)| page).unwrap_or_default());
            };
            let mut outputs = Outputs::new();
            let count = pages.len();
            for (name, page) in pages {
                outputs.add(Destination::File(dir.join(name)), page);
            }
            outputs.write()?;
            print(format!("wrote {count} manual pages into `{}`\n", dir.display()))
        }
    }
}

/// The catalog in effect: `--catalog` or the built-in one, with `--config` or `./kpi.yaml` applied.
fn in_effect(files: &FileArgs) -> anyhow::Result<CatalogInEffect> {
    let config = config::discover(files.config.as_deref());
    Ok(config::load_in_effect(config.as_deref(), files.catalog.as_deref())?)
}

/// `collect:` of the config in effect, read only when the run collects.
fn collect_config(args: &CollectArgs, files: &FileArgs) -> anyhow::Result<CollectConfig> {
    if args.sources.is_empty() {
        return Ok(CollectConfig::default());
    }
    Ok(config::load_collect(config::discover(files.config.as_deref()).as_deref())?)
}

/// Reads the measurements and grades each scope against its catalog under the config's policies:
/// the shared first half of `check` and `report`.
///
/// `threads` is what [`Grading::threads`] gives: the caller asks once and may use the same number
/// to write.
fn scorecard(
    in_effect: &CatalogInEffect,
    grading: &Grading,
    collect: &CollectConfig,
    threads: usize,
) -> anyhow::Result<Scorecard> {
    let Grading { sources, as_of, policy, today, progress, .. } = grading;
    let (as_of, policy, today, progress) = (*as_of, *policy, *today, *progress);
    let mut store = Store::new(&in_effect.catalog).as_of(as_of).threads(threads);
    read_files(&mut store, sources, &Progress::new(progress))?;
    let mut not_collected = Vec::new();
    if !grading.collect.sources.is_empty() {
        let day = as_of.map_or_else(|| local_today(grading.notes), When::date);
        let gathered = collecting::gather(&grading.collect, collect, day)?;
        collecting::push(&mut store, &gathered, day)?;
        if grading.notes {
            print_notes(&collecting::not_collected(&gathered));
        }
        not_collected = gathered.missing;
    }
    let notes = store.take_notes();
    if grading.notes {
        print_notes(&notes);
    }
    let data = store.finish()?;
    // The local date needs the time zone database: read it only when a waiver asks.
    let waivers = (!in_effect.waivers.is_empty()).then(|| Waivers {
        waivers: &in_effect.waivers,
        today: today.unwrap_or_else(|| local_today(grading.notes)),
    });
    let baseline = match &grading.baseline {
        None => None,
        Some(cli::Baseline::Previous) => Some(Baseline::Previous),
        Some(cli::Baseline::File(path)) => Some(Baseline::Values(read_baseline(path, in_effect)?)),
    };
    let require_level = match grading.require_level.as_deref() {
        None => None,
        Some(name) => Some(required_level(&in_effect.catalog.ladder, name)?),
    };
    let policies = Policies {
        as_of,
        gate: policy,
        waivers,
        baseline: baseline.as_ref(),
        require_level,
        threads,
    };
    let catalog_for = |scope: Option<&str>| in_effect.catalog_for_scope(scope);
    let mut card = evaluate_owned(&in_effect.catalog, &catalog_for, data, &policies);
    // A metric left without data by a source that tried says why, in every format that shows it.
    for (source, missing) in &not_collected {
        let without_data = card.results.iter_mut().filter(|r| {
            &*r.id == missing.metric && r.status == crate::core::scorecard::Status::Missing
        });
        for result in without_data {
            result.not_collected = Some(format!("{source}: {}", missing.reason));
        }
    }
    if card.results.is_empty() {
        let as_of = as_of.map(|d| d.to_string()).unwrap_or_default();
        anyhow::bail!("no check-in on or before --as-of {as_of}; pick a later date");
    }
    Ok(card)
}

/// The values of a `--baseline` file: an earlier JSON scorecard, or measurements graded with the
/// catalog in effect.
fn read_baseline(path: &Path, in_effect: &CatalogInEffect) -> anyhow::Result<BaselineValues> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|cause| {
        anyhow::anyhow!(
            "cannot read `--baseline` `{}`: {cause}; name an earlier `kpi check --format json` or a measurements CSV",
            crate::core::text::printable(&file)
        )
    })?;
    if baseline::is_json(&text) {
        return Ok(baseline::read_json(&text, &file)?);
    }
    let mut store = Store::new(&in_effect.catalog);
    measurements::csv::read(&mut store, text.as_bytes(), &file)?;
    let data = store.finish()?;
    let gate = GatePolicy { fail_on: FailOn::Never, require_all: false };
    let catalog_for = |scope: Option<&str>| in_effect.catalog_for_scope(scope);
    let card =
        evaluate_scoped(&in_effect.catalog, &catalog_for, &data, &Policies::gate(None, gate));
    let mut values = BaselineValues::default();
    for r in &card.results {
        if let Some(value) = r.value {
            values.insert(r.scope.as_deref(), &r.id, BaselinePoint { value, date: r.date });
        }
    }
    Ok(values)
}

/// The index of the level `--require-level` names in the catalog's ladder.
fn required_level(ladder: &Ladder, name: &str) -> anyhow::Result<usize> {
    if ladder.levels.is_empty() {
        bail!(
            "`--require-level {}`: the catalog in effect has no levels; define them under `levels:` in the config",
            crate::core::text::printable(name)
        );
    }
    ladder.find(name).ok_or_else(|| {
        anyhow::anyhow!(
            "`--require-level`: there is no level `{}`; the levels are {}",
            crate::core::text::printable(name),
            ladder.names().iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        )
    })
}

/// Reads every measurement file into the store. `progress` shows how far reading has got, when
/// the run allows it.
fn read_files(
    store: &mut Store<'_>,
    sources: &[Source],
    progress: &Progress,
) -> Result<(), MeasurementError> {
    for source in sources {
        let file = source.display_name();
        match source {
            Source::Stdin => {
                measurements::csv::read(store, progress.wrap(io::stdin(), &file, None), &file)?;
            }
            Source::File(path) => {
                let reader = File::open(path).map_err(|cause| {
                    if cause.kind() == io::ErrorKind::NotFound {
                        MeasurementError::NotFound { file: file.clone() }
                    } else {
                        MeasurementError::Open { file: file.clone(), cause }
                    }
                })?;
                let len = reader.metadata().ok().map(|m| m.len());
                measurements::csv::read(store, progress.wrap(reader, &file, len), &file)?;
            }
        }
    }
    Ok(())
}

/// Today's date where the run is. `TZ` may name a file that is not a time zone at all (`TZ=:/dev/zero`):
/// the time zone is read only from a regular file of a sane size, and otherwise the date is taken
/// in UTC, with a note.
pub(crate) fn local_today(notes: bool) -> jiff::civil::Date {
    let tz = std::env::var_os("TZ").map(|tz| tz.to_string_lossy().into_owned());
    if let Some(tz) = tz.as_deref() {
        let path = tz.strip_prefix(':').unwrap_or(tz);
        let path = if path.starts_with('/') {
            Some(std::path::PathBuf::from(path))
        } else {
            // A zone name is looked up under the system's zone directory.
            (!path.is_empty() && !path.contains(".."))
                .then(|| Path::new("/usr/share/zoneinfo").join(path))
        };
        let sane = path.as_deref().is_none_or(|path| match std::fs::metadata(path) {
            Ok(meta) => meta.is_file() && meta.len() <= MAX_ZONE_FILE_BYTES,
            // A zone jiff knows without the file, or none: jiff decides, and reads nothing odd.
            Err(_) => true,
        });
        if !sane {
            if notes {
                print_notes(&[format!(
                    "`TZ` names `{}`, which is not a time zone file; today's date is taken in UTC",
                    crate::core::text::printable(tz)
                )]);
            }
            return jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now()).date();
        }
    }
    jiff::ZonedDateTime::now().date()
}

/// No time zone file comes near this size; a larger "zone" is a device or a mistake.
const MAX_ZONE_FILE_BYTES: u64 = 1024 * 1024;

/// Notes go to standard error, never to standard output, and never change the exit code: one
/// that cannot be written is dropped.
pub(crate) fn print_notes(notes: &[String]) {
    use std::io::Write;
    let mut err = io::stderr().lock();
    for note in notes {
        let note = crate::core::text::printable_whole(note);
        if writeln!(err, "note: {note}").is_err() {
            return;
        }
    }
}

fn report(
    config: &ReportConfig,
    in_effect: &CatalogInEffect,
    collect: &CollectConfig,
) -> anyhow::Result<ExitCode> {
    let catalog = &in_effect.catalog;
    let charts = config
        .charts
        .iter()
        .map(|name| catalog.resolve(name).map(|i| catalog.metrics()[i].id.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("`--chart`: {e}"))?;
    let card = scorecard(in_effect, &config.grading, collect, config.grading.threads())?;
    let mut outputs = Outputs::new();
    outputs.refuse_inputs(&input_files(&config.grading));
    let text = match config.format {
        ReportFormat::Markdown => render::report::render(&card, &charts),
        ReportFormat::Html => render::html::render(&card, &charts),
    };
    outputs.add(config.output.clone(), text);
    outputs.write()?;
    Ok(ExitCode::SUCCESS)
}

fn check(
    config: &CheckConfig,
    in_effect: &CatalogInEffect,
    collect: &CollectConfig,
) -> anyhow::Result<ExitCode> {
    let threads = config.grading.threads();
    let card = scorecard(in_effect, &config.grading, collect, threads)?;
    let mut outputs = Outputs::new();
    outputs.refuse_inputs(&input_files(&config.grading));
    let card = &card;
    let style = Style { threads, ..config.style };
    outputs.add_writer(config.output.clone(), move |out| {
        render::write(config.format, card, style, out)
    });
    for (format, destination) in &config.exports {
        // Exports go to files and logs, where colour codes would be noise.
        let format = *format;
        let style = Style {
            compact: config.style.compact,
            threads: config.style.threads,
            ..Style::default()
        };
        outputs.add_writer(destination.clone(), move |out| render::write(format, card, style, out));
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

/// The measurement files named on the command line, which no output may overwrite.
fn input_files(grading: &Grading) -> Vec<std::path::PathBuf> {
    let file = |source: &measurements::Source| match source {
        measurements::Source::File(path) => Some(path.clone()),
        measurements::Source::Stdin => None,
    };
    let mut files: Vec<_> = grading.sources.iter().filter_map(file).collect();
    if let Some(cli::Baseline::File(path)) = &grading.baseline {
        files.push(path.clone());
    }
    files
}

fn catalog(command: CatalogCommand, files: &FileArgs) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::List => print(render::catalog::list(&in_effect(files)?)),
        CatalogCommand::Show { metric } => {
            let in_effect = in_effect(files)?;
            let index = in_effect.catalog.resolve(&metric)?;
            print(render::catalog::show(&in_effect, &in_effect.catalog.metrics()[index]))
        }
        CatalogCommand::Validate { path } => print(validate(path.as_deref(), files)?),
        CatalogCommand::Suggest { files: inputs, checkins, write } => {
            suggest(&inputs, usize::from(checkins), write, files)
        }
        CatalogCommand::Schema { format } => {
            let kind = match format {
                SchemaArg::Config => SchemaKind::Config,
                SchemaArg::Catalog => SchemaKind::Catalog,
            };
            let mut text = serde_json::to_string_pretty(&schema::schema(kind))?;
            text.push('\n');
            print(text)
        }
    }
}

/// `kpi catalog suggest`: tighter pass thresholds from the latest check-ins, printed, or written
/// into the config through the same checks and the same atomic replacement as every output.
fn suggest(
    inputs: &[String],
    checkins: usize,
    write: bool,
    files: &FileArgs,
) -> anyhow::Result<ExitCode> {
    let in_effect = in_effect(files)?;
    let mut store = Store::new(&in_effect.catalog);
    let sources: Vec<Source> = inputs.iter().map(|f| Source::from_arg(f)).collect();
    read_files(&mut store, &sources, &Progress::new(false))?;
    print_notes(&store.take_notes());
    let data = store.finish()?;
    let catalog_for = |scope: Option<&str>| in_effect.catalog_for_scope(scope);
    let found = crate::core::suggest::suggest(&catalog_for, &data, checkins);
    if !write || found.is_empty() {
        return print(render::catalog::suggestions(&in_effect, &found, checkins));
    }
    let path = files.config.clone().unwrap_or_else(|| config::DEFAULT_FILE.into());
    let file = path.display().to_string();
    let mut text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(cause) => bail!("cannot read `{}`: {cause}", crate::core::text::printable(&file)),
    };
    for s in &found {
        let mut at: Vec<&str> = Vec::new();
        if let Some(scope) = &s.scope {
            at.extend(["scopes", scope.as_str()]);
        }
        at.extend(["metrics", s.id.as_str()]);
        let threshold = render::catalog::notation(&in_effect, s);
        let comment = render::catalog::evidence(&in_effect, s);
        text =
            crate::input::config_edit::set_pass(&text, &at, &threshold, &comment).map_err(|e| {
                anyhow::anyhow!(
                    "cannot add the suggestions to `{}`: {e}",
                    crate::core::text::printable(&file)
                )
            })?;
    }
    // The edited config goes through the same reader as any config before it replaces the file.
    let dir = path.parent().unwrap_or(Path::new(""));
    let base = match files.catalog.as_deref() {
        Some(catalog) => Some(config::load_base_catalog(catalog)?),
        None => None,
    };
    config::load(&text, &file, dir, base)?;
    let mut outputs = Outputs::new();
    outputs.refuse_inputs(
        &sources
            .iter()
            .filter_map(|s| match s {
                Source::File(p) => Some(p.clone()),
                Source::Stdin => None,
            })
            .collect::<Vec<_>>(),
    );
    outputs.add(Destination::File(path.clone()), text);
    outputs.write()?;
    print(format!(
        "wrote {} tighter pass threshold{} into `{}`\n",
        found.len(),
        if found.len() == 1 { "" } else { "s" },
        crate::core::text::printable(&file)
    ))
}

/// Checks a catalog or config file (or the config in effect) and says what it holds.
fn validate(path: Option<&Path>, files: &FileArgs) -> anyhow::Result<String> {
    let described = |in_effect: &CatalogInEffect| {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let levels = in_effect.catalog.ladder.levels.len();
        format!(
            "{} metrics in effect (extends `{}`), {}, {}{}",
            in_effect.catalog.metrics().len(),
            in_effect.base,
            count(in_effect.scope_names().len(), "scope"),
            count(in_effect.waivers.len(), "waiver"),
            if levels > 0 { format!(", {}", count(levels, "level")) } else { String::new() },
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
        let in_effect = config::load_in_effect(Some(path), files.catalog.as_deref())?;
        return Ok(format!("`{name}` is a valid config: {}\n", described(&in_effect)));
    }
    let in_effect = in_effect(files)?;
    Ok(match &in_effect.config {
        Some(file) => format!("`{file}` is a valid config: {}\n", described(&in_effect)),
        None => format!(
            "no config (`{}`) here; the catalog `{}` is valid: {} metrics\n",
            config::DEFAULT_FILE,
            in_effect.base,
            in_effect.catalog.metrics().len()
        ),
    })
}

/// Writes the `metrics.csv` and `kpi.yaml` templates, each whole or not at all.
fn init(files: &FileArgs, force: bool) -> anyhow::Result<ExitCode> {
    // A `kpi.yaml` here is about to be replaced, so it is read only when named with `--config`.
    let in_effect = config::load_in_effect(files.config.as_deref(), files.catalog.as_deref())?;
    let outputs = [
        ("metrics.csv", template::measurements(&in_effect)),
        ("kpi.yaml", template::config(&in_effect)),
    ];
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
    let mut files = Outputs::new();
    for (name, text) in outputs {
        files.add(Destination::File(name.into()), text);
    }
    files.write()?;
    print(format!(
        "wrote `metrics.csv` ({} metrics) and `kpi.yaml`; fill in the values, then run `kpi check metrics.csv`\n",
        in_effect.catalog.metrics().len()
    ))
}

/// Prints a command's text to standard output.
fn print(text: String) -> anyhow::Result<ExitCode> {
    let mut outputs = Outputs::new();
    outputs.add(Destination::Stdout, text);
    outputs.write()?;
    Ok(ExitCode::SUCCESS)
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
