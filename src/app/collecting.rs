//! `kpi collect` and `--from`: plans the sources, gathers their readings, and turns them into
//! measurement rows, pushed into the one store as CSV rows are, or written out as CSV (to standard
//! output, a file, or appended to a history file).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jiff::civil::Date;

use super::{local_today, print_notes};
use crate::cli::{CollectCommandArgs, FileArgs};
use crate::collect::plan::{self, CollectArgs, CollectConfig, Gathered};
use crate::collect::written;
use crate::core::catalog::Catalog;
use crate::core::history::When;
use crate::core::number::Numbers;
use crate::core::tailoring::CatalogInEffect;
use crate::input::config;
use crate::input::measurements::{MeasurementError, Row, RowDate, Store};
use crate::output::{Destination, Outputs};

/// The window when neither `--window` nor `collect.window` gives one.
const DEFAULT_WINDOW_DAYS: u32 = 7;

/// Reads every source the run asks for, as of `day`.
pub(super) fn gather(
    args: &CollectArgs,
    config: &CollectConfig,
    day: Date,
) -> anyhow::Result<Gathered> {
    let planned = plan::plan(args, config)?;
    let window = args.window_days.or(config.window_days).unwrap_or(DEFAULT_WINDOW_DAYS);
    Ok(plan::gather(&planned, day, window, &args.counts)?)
}

/// Pushes the readings into the store, each source its own, dated `day`.
pub(super) fn push(
    store: &mut Store<'_>,
    gathered: &Gathered,
    day: Date,
) -> Result<(), MeasurementError> {
    let at = When::from_date(day);
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in &gathered.readings {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    for name in names {
        let source = store.begin(name, Numbers::default())?;
        let mut read = Ok(());
        for (_, reading) in gathered.readings.iter().filter(|(n, _)| n == name) {
            let value = written(reading.value);
            read = store.push(Row {
                scope: reading.scope.as_deref(),
                metric: reading.metric,
                date: Some(RowDate::At(at)),
                value: &value,
                unit: Some(reading.unit),
                source,
                line: 0,
            });
            if read.is_err() {
                break;
            }
        }
        store.end(read)?;
    }
    Ok(())
}

/// One line for each metric a source could not produce.
pub(super) fn not_collected(gathered: &Gathered) -> Vec<String> {
    gathered
        .missing
        .iter()
        .map(|(source, m)| format!("not collected: `{}` ({source}): {}", m.metric, m.reason))
        .collect()
}

/// The columns `kpi collect` writes, in order; `scope` only when a row has one.
const COLUMNS: [&str; 6] = ["date", "scope", "metric", "value", "unit", "source"];

/// One collected row, as text, in [`COLUMNS`] order.
type Cells = [String; 6];

fn rows(gathered: &Gathered, day: Date) -> Vec<Cells> {
    gathered
        .readings
        .iter()
        .map(|(source, r)| {
            [
                day.to_string(),
                r.scope.clone().unwrap_or_default(),
                r.metric.to_string(),
                written(r.value),
                r.unit.to_string(),
                source.clone(),
            ]
        })
        .collect()
}

/// `kpi collect`.
pub(super) fn run(
    args: &CollectCommandArgs,
    in_effect: &CatalogInEffect,
    files: &FileArgs,
) -> anyhow::Result<ExitCode> {
    let config = config::load_collect(config::discover(files.config.as_deref()).as_deref())?;
    let notes = !args.quiet;
    let day = args.as_of.unwrap_or_else(|| local_today(notes));
    let gathered = gather(&args.collection.validated(args.sources.clone()), &config, day)?;
    // Rows are checked as `kpi check` would read them before any is written.
    let mut store = Store::new(&in_effect.catalog);
    push(&mut store, &gathered, day)?;
    if notes {
        print_notes(&not_collected(&gathered));
    }
    let rows = rows(&gathered, day);
    let mut outputs = Outputs::new();
    match (&args.append, &args.output) {
        (Some(path), _) => {
            let text = appended(Path::new(path), &rows, args.replace, &in_effect.catalog)?;
            outputs.add(Destination::File(path.into()), text);
        }
        (None, output) => {
            let destination = output.as_deref().map_or(Destination::Stdout, Destination::from_arg);
            outputs.add(destination, new_file(&rows));
        }
    }
    outputs.write()?;
    Ok(ExitCode::SUCCESS)
}

/// A file of `rows` with a header of [`COLUMNS`], `scope` only when a row has one.
fn new_file(rows: &[Cells]) -> String {
    let scoped = rows.iter().any(|r| !r[1].is_empty());
    let columns: Vec<usize> = (0..COLUMNS.len()).filter(|&c| c != 1 || scoped).collect();
    let header: Vec<&str> = columns.iter().map(|&c| COLUMNS[c]).collect();
    csv_text(&header, rows, &columns)
}

/// CSV of `header`, then each row's cells at `columns` (an index past the row is a blank cell).
fn csv_text(header: &[&str], rows: &[Cells], columns: &[usize]) -> String {
    let mut out =
        csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut write = |cells: &[&str]| out.write_record(cells).expect("writing to memory");
    if !header.is_empty() {
        write(header);
    }
    for row in rows {
        let cells: Vec<&str> =
            columns.iter().map(|&c| row.get(c).map_or("", String::as_str)).collect();
        write(&cells);
    }
    String::from_utf8(out.into_inner().expect("writing to memory")).expect("cells are text")
}

/// The history file at `path` with `rows` added: in the file's own column order, refusing (or,
/// with `replace`, replacing) a row whose metric, scope and date the file already has.
fn appended(
    path: &Path,
    rows: &[Cells],
    replace: bool,
    catalog: &Catalog,
) -> anyhow::Result<String> {
    let shown = crate::core::text::printable(&path.display().to_string()).into_owned();
    let scoped = rows.iter().any(|r| !r[1].is_empty());
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(new_file(rows));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read `{shown}`")),
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(existing.as_bytes());
    let header = reader.headers().with_context(|| format!("cannot read `{shown}`"))?.clone();
    let find = |names: &[&str]| {
        header.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(date), Some(metric), Some(_)) =
        (find(&["date"]), find(&["metric"]), find(&["value"]))
    else {
        bail!(
            "`{shown}` is not a long history file: --append needs its `date`, `metric` and `value` columns"
        );
    };
    let scope = find(&["scope", "service", "team"]);
    if scoped && scope.is_none() {
        bail!(
            "`{shown}` has no `scope` column, and the collected rows have a scope; add the column, or collect without `--scope`"
        );
    }
    // Where each new row's cell goes in the file's columns.
    let order: Vec<usize> = header
        .iter()
        .map(|h| {
            COLUMNS
                .iter()
                .position(|c| h.trim().eq_ignore_ascii_case(c))
                .or_else(|| {
                    ["service", "team"]
                        .iter()
                        .any(|n| h.trim().eq_ignore_ascii_case(n))
                        .then_some(1)
                })
                .unwrap_or(usize::MAX)
        })
        .collect();
    let key = |metric: &str, scope: &str, date: &str| {
        let metric = catalog.resolve_with_unit(metric).map_or_else(
            |_| metric.trim().to_lowercase(),
            |(i, _)| catalog.metrics()[i].id.clone(),
        );
        (metric, scope.trim().to_string(), When::parse(date).ok())
    };
    let new_keys: Vec<_> = rows.iter().map(|r| key(&r[2], &r[1], &r[0])).collect();
    let mut dropped: Vec<(usize, usize)> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut starts = Vec::new();
    while reader.read_record(&mut record).with_context(|| format!("cannot read `{shown}`"))? {
        let start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        // The csv crate's line count falls short after CRLF endings: count the breaks instead.
        let before = existing.as_bytes().get(..start).unwrap_or_default();
        let lone_crs = memchr::memchr_iter(b'\r', before)
            .filter(|&at| before.get(at + 1) != Some(&b'\n'))
            .count();
        let line = memchr::memchr_iter(b'\n', before).count() + lone_crs + 1;
        starts.push(start);
        let cell = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        let here = key(cell(Some(metric)), cell(scope), cell(Some(date)));
        if here.2.is_some() && new_keys.contains(&here) {
            if !replace {
                let scope_part = if here.1.is_empty() {
                    String::new()
                } else {
                    format!(" for scope `{}`", crate::core::text::printable(&here.1))
                };
                bail!(
                    "{shown}:{line}: already has `{}`{scope_part} on {}; pass --replace to replace it, or collect for another --as-of",
                    here.0,
                    cell(Some(date)).trim()
                );
            }
            dropped.push((start, usize::MAX));
        }
    }
    // A dropped record ends where the next one starts.
    for span in &mut dropped {
        span.1 = starts.iter().copied().find(|&s| s > span.0).unwrap_or(existing.len());
    }
    let mut text = String::with_capacity(existing.len());
    let mut at = 0;
    for (start, end) in dropped {
        text.push_str(&existing[at..start]);
        at = end;
    }
    text.push_str(&existing[at..]);
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&csv_text(&[], rows, &order));
    Ok(text)
}
