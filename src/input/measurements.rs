//! Reading measured values from CSV. The only module that knows CSV: it finds the `metric`, `value`
//! and optional `unit` columns, resolves each metric name and converts each value to its metric's
//! unit, and reports bad input with the file and line.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::core::catalog::{Catalog, UnknownMetric};
use crate::core::evaluate::Window;
use crate::core::history::{Dataset, DateError, Observation, ScopeData, When};
use crate::core::text::printable;
use crate::core::trim;
use crate::core::unit::{QuantityError, Remembered};
use crate::input::lines::Lines;
use crate::input::seen::{Location, Order, OutOfOrder, SeenDates};
use crate::progress::Progress;

/// Where measurements come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input, written `-` on the command line.
    Stdin,
    File(PathBuf),
}

impl Source {
    /// `-` is standard input; anything else is a path.
    pub fn from_arg(arg: &str) -> Source {
        if arg == "-" { Source::Stdin } else { Source::File(PathBuf::from(arg)) }
    }

    /// How the source is named in messages: printable, since a file name may hold anything.
    pub fn display_name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(path) => printable(&path.display().to_string()).into_owned(),
        }
    }
}

/// Why measurements could not be read. Every message names the file, and the line where there is one;
/// text from the input is shown printable (see [`printable`]), never raw.
#[derive(Debug, thiserror::Error)]
pub enum MeasurementError {
    #[error("`{file}` does not exist; check the path")]
    NotFound { file: String },
    #[error("cannot read `{file}`: {cause}")]
    Open { file: String, cause: io::Error },
    #[error(
        "{file}: the file is empty; it needs a header row naming the `metric` and `value` columns"
    )]
    Empty { file: String },
    #[error(
        "{file}:{line}: the header has no `{column}` column (it has {found}); name the columns `metric` and `value`"
    )]
    MissingColumn { file: String, line: u64, column: &'static str, found: String },
    #[error("{file}:{line}: column `{}` is not a metric{hint}", printable(.column))]
    UnknownColumn { file: String, line: u64, column: String, hint: String },
    #[error(
        "{file}:{line}: columns `{}` and `{}` are the same metric `{metric}`; keep one",
        printable(.first),
        printable(.second)
    )]
    RepeatedColumn { file: String, line: u64, first: String, second: String, metric: String },
    #[error("{file}:{line}: the metric name is blank; name the metric this value is for")]
    BlankMetric { file: String, line: u64 },
    #[error(
        "{file}:{line}: the scope is blank; name the service or team, or drop the scope column"
    )]
    BlankScope { file: String, line: u64 },
    #[error("{file}:{line}: {cause}")]
    UnknownMetric { file: String, line: u64, cause: UnknownMetric },
    #[error("{file}:{line}: `{metric}`: {cause}")]
    BadValue { file: String, line: u64, metric: String, cause: QuantityError },
    #[error("{file}:{line}: {cause}")]
    BadDate { file: String, line: u64, cause: DateError },
    #[error("{file}:{line}: `{metric}` is measured twice{context} (first at {first}); {fix}")]
    Duplicate {
        file: String,
        line: u64,
        metric: String,
        context: String,
        first: String,
        fix: &'static str,
    },
    #[error("{file}:{line}: the text is not valid UTF-8; save the file as UTF-8")]
    NotUtf8 { file: String, line: u64 },
    #[error(
        "{file}:{line}: the row has {found} fields but the header has {expected}; quote values that contain commas"
    )]
    Ragged { file: String, line: u64, found: u64, expected: u64 },
    #[error("{file}: {cause}")]
    Csv { file: String, cause: csv::Error },
    #[error("{file}: more {what} than one run can tell apart; split the input into several runs")]
    TooMany { what: &'static str, file: String },
    #[error(
        "no measurements in {files}: every value is blank or there are no rows; fill in at least one value"
    )]
    NoMeasurements { files: String },
}

/// Column names accepted for the scope.
const SCOPE_COLUMNS: &[&str] = &["scope", "service", "team"];

/// How many distinct metric names, as written, the reader remembers the resolution of. Real inputs
/// use one spelling per metric; the limit only keeps a hostile input from growing the memo.
const NAME_MEMO_LIMIT: usize = 1024;

/// Where the values are in a row.
enum Layout {
    /// One row per measurement: `metric`, `value`, optional `unit`.
    Long { metric: usize, value: usize, unit: Option<usize> },
    /// One row per check-in, one column per metric: `(column, metric index)`.
    Wide { columns: Vec<(usize, usize)> },
}

/// The columns of one input.
struct Header {
    layout: Layout,
    date: Option<usize>,
    scope: Option<usize>,
}

impl Header {
    /// In which order a row's values are added: a wide row adds its metrics in column order, so
    /// that of two errors on one line the leftmost is reported, as a reader would find it.
    fn column_of(&self, metric: usize) -> usize {
        match &self.layout {
            Layout::Long { .. } => 0,
            Layout::Wide { columns } => {
                columns.iter().position(|&(_, m)| m == metric).unwrap_or(usize::MAX)
            }
        }
    }
}

/// A date read, and its index in the collector's table of distinct dates.
#[derive(Clone, Copy)]
struct Dated {
    at: When,
    id: u32,
}

/// One (scope, metric) series being read.
#[derive(Default)]
struct Series {
    /// The observations evaluation can use: a bounded window, not every row.
    window: Window,
    /// The dates of the series' rows in date order and where each was, including rows outside
    /// the window.
    seen: SeenDates,
    /// The first row of the series and whether it was undated: an undated row conflicts with any
    /// other row of its series.
    first: Option<Location>,
    undated: bool,
}

/// Collects measurements from one or more CSV inputs into a dataset of series per scope and metric.
///
/// Memory grows with the number of series and the distinct dates, not with the rows: each series
/// keeps a bounded window of observations, and the duplicate check keeps runs of evenly spaced
/// rows (see [`SeenDates`]); only rows out of their series' date order take room of their own.
pub struct Collector<'c> {
    catalog: &'c Catalog,
    /// Rows after this date are checked but not kept: no evaluation at this date shows them.
    as_of: Option<When>,
    scopes: Vec<Option<String>>,
    /// Where each named scope is in `scopes`, and the unnamed one.
    scope_indexes: HashMap<String, usize>,
    unscoped: Option<usize>,
    /// Per scope, per metric (`scope * metrics + metric`).
    series: Vec<Series>,
    /// Rows dated before their series' latest, for the duplicate check.
    out_of_order: OutOfOrder,
    /// Distinct dates in order of first appearance, and the index of each.
    dates: Vec<When>,
    date_indexes: HashMap<When, u32>,
    /// Metric names as written and the metric each resolves to: normalising a name costs more than
    /// looking it up, and a file spells each metric one way a million times.
    names: HashMap<String, usize>,
    /// For each metric, and a last slot for the start, the name written on the row after it last
    /// time with the metric that name resolves to. A long file lists each check-in's metrics in the
    /// same order, so this guess spares hashing the name on nearly every row.
    next_name: Vec<Option<(String, usize)>>,
    /// The slot of `next_name` for the row being read.
    after: usize,
    /// Per metric, how the suffix of its last value scaled the number: a file writes each
    /// metric's unit one way.
    suffixes: Vec<Option<Remembered>>,
    any_value: bool,
    files: Vec<String>,
}

/// Reads every source and merges their rows; rows dated after `as_of` are checked but not kept.
/// `progress` shows how far reading has got, when the run allows it.
pub fn read(
    catalog: &Catalog,
    sources: &[Source],
    as_of: Option<When>,
    progress: &Progress,
) -> Result<Dataset, MeasurementError> {
    let mut collector = Collector::new(catalog).as_of(as_of);
    for source in sources {
        let file = source.display_name();
        match source {
            Source::Stdin => {
                collector.read_csv(progress.wrap(io::stdin().lock(), &file, None), &file)?;
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
                collector.read_csv(progress.wrap(reader, &file, len), &file)?;
            }
        }
    }
    collector.finish()
}

impl<'c> Collector<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Collector {
            catalog,
            as_of: None,
            scopes: Vec::new(),
            scope_indexes: HashMap::new(),
            unscoped: None,
            series: Vec::new(),
            out_of_order: OutOfOrder::default(),
            dates: Vec::new(),
            date_indexes: HashMap::new(),
            names: HashMap::new(),
            next_name: vec![None; catalog.metrics().len() + 1],
            after: catalog.metrics().len(),
            suffixes: vec![None; catalog.metrics().len()],
            any_value: false,
            files: Vec::new(),
        }
    }

    /// Keeps only what an evaluation at `as_of` can show; every row is still checked.
    #[must_use]
    pub fn as_of(mut self, as_of: Option<When>) -> Self {
        self.as_of = as_of;
        self
    }

    /// Reads one CSV input; `file` names it in errors.
    ///
    /// A row repeating the scope, metric and date of an earlier row is reported even when another
    /// error comes later in the input, as it would be by a reader that checks each row against every
    /// row before it.
    pub fn read_csv(&mut self, reader: impl Read, file: &str) -> Result<(), MeasurementError> {
        self.files.push(file.to_string());
        let mut header = None;
        let read = self.read_rows(reader, file, &mut header);
        let metrics = self.catalog.metrics().len();
        let column_of =
            |series| header.as_ref().map_or(0, |h: &Header| h.column_of(series % metrics));
        match self.out_of_order.first_repeat(column_of) {
            Some(repeat) => Err(self.duplicate(
                repeat.series / metrics,
                repeat.series % metrics,
                Some(self.dates[repeat.date as usize]),
                repeat.second,
                repeat.first,
            )),
            None => read,
        }
    }

    fn read_rows(
        &mut self,
        reader: impl Read,
        file: &str,
        header_out: &mut Option<Header>,
    ) -> Result<(), MeasurementError> {
        let file_index = u32::try_from(self.files.len() - 1).map_err(|_| {
            MeasurementError::TooMany { what: "input files", file: file.to_string() }
        })?;
        // Fields are trimmed where they are read: the csv crate's field trimming allocates a new
        // record for every row.
        let mut csv =
            csv::ReaderBuilder::new().trim(csv::Trim::Headers).from_reader(Lines::new(reader));
        let header_record = match csv.headers() {
            Ok(header) => header.clone(),
            Err(e) => return Err(csv_error(e, file, csv.get_mut())),
        };
        let header_line = line_of(header_record.position(), csv.get_mut()).max(1);
        let header = header_out.insert(self.header(&header_record, header_line, file)?);

        let mut record = csv::StringRecord::new();
        // The previous row's date and scope as written: consecutive rows usually share them.
        let mut last_date: Option<(String, Dated)> = None;
        let mut last_scope: Option<(String, usize)> = None;
        loop {
            match csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(e, file, csv.get_mut())),
            }
            if trim(record.as_slice()).is_empty() {
                continue;
            }
            let field = |column: usize| record.get(column).map_or("", trim);
            let here =
                Location { file: file_index, line: line_of(record.position(), csv.get_mut()) };
            let at = match header.date.map(field) {
                None => None,
                Some(text) => Some(match &last_date {
                    Some((last, dated)) if last == text => *dated,
                    _ => {
                        let dated = self.date(text, file, here.line)?;
                        last_date = Some((text.to_string(), dated));
                        dated
                    }
                }),
            };
            let scope = match header.scope.map(field) {
                Some("") => {
                    return Err(MeasurementError::BlankScope {
                        file: file.to_string(),
                        line: here.line,
                    });
                }
                Some(name) => match &last_scope {
                    Some((last, index)) if last == name => *index,
                    _ => {
                        let index = self.scope_index(Some(name));
                        last_scope = Some((name.to_string(), index));
                        index
                    }
                },
                None => self.scope_index(None),
            };
            match &header.layout {
                Layout::Long { metric, value, unit } => {
                    let name = field(*metric);
                    if name.is_empty() {
                        return Err(MeasurementError::BlankMetric {
                            file: file.to_string(),
                            line: here.line,
                        });
                    }
                    let index =
                        self.resolve(name).map_err(|cause| MeasurementError::UnknownMetric {
                            file: file.to_string(),
                            line: here.line,
                            cause,
                        })?;
                    self.add(scope, index, at, field(*value), unit.map(field), here)?;
                }
                Layout::Wide { columns } => {
                    for &(column, index) in columns {
                        self.add(scope, index, at, field(column), None, here)?;
                    }
                }
            }
        }
        Ok(())
    }
    /// Works out the layout from the header row.
    fn header(
        &self,
        header: &csv::StringRecord,
        line: u64,
        file: &str,
    ) -> Result<Header, MeasurementError> {
        if header.iter().all(str::is_empty) {
            return Err(MeasurementError::Empty { file: file.to_string() });
        }
        let find = |names: &[&str]| {
            header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let date = find(&["date"]);
        let scope = find(SCOPE_COLUMNS);
        let missing = |name| MeasurementError::MissingColumn {
            file: file.to_string(),
            line,
            column: name,
            found: header
                .iter()
                .map(|h| format!("`{}`", printable(h)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let layout = match (find(&["metric"]), find(&["value"])) {
            (Some(metric), Some(value)) => Layout::Long { metric, value, unit: find(&["unit"]) },
            (Some(_), None) => return Err(missing("value")),
            (None, Some(_)) => return Err(missing("metric")),
            (None, None) => {
                let mut columns: Vec<(usize, usize)> = Vec::new();
                for (column, name) in header.iter().enumerate() {
                    if Some(column) == date || Some(column) == scope {
                        continue;
                    }
                    let index = self.catalog.resolve(name).map_err(|e| {
                        let hint = match e.suggestion {
                            Some(id) => format!(" (did you mean `{id}`?)"),
                            None => "; a wide file has `date`, optional `scope`, and one column per metric; a long file has `metric` and `value` columns".to_string(),
                        };
                        MeasurementError::UnknownColumn { file: file.to_string(), line, column: name.to_string(), hint }
                    })?;
                    if let Some(&(other, _)) = columns.iter().find(|(_, i)| *i == index) {
                        return Err(MeasurementError::RepeatedColumn {
                            file: file.to_string(),
                            line,
                            first: header[other].to_string(),
                            second: name.to_string(),
                            metric: self.catalog.metrics()[index].id.clone(),
                        });
                    }
                    columns.push((column, index));
                }
                Layout::Wide { columns }
            }
        };
        Ok(Header { layout, date, scope })
    }

    /// Reads a date and gives it its index among the distinct dates.
    fn date(&mut self, text: &str, file: &str, line: u64) -> Result<Dated, MeasurementError> {
        let at = When::parse(text).map_err(|cause| MeasurementError::BadDate {
            file: file.to_string(),
            line,
            cause,
        })?;
        if let Some(&id) = self.date_indexes.get(&at) {
            return Ok(Dated { at, id });
        }
        let id = u32::try_from(self.dates.len())
            .map_err(|_| MeasurementError::TooMany { what: "distinct dates", file: file.into() })?;
        self.dates.push(at);
        self.date_indexes.insert(at, id);
        Ok(Dated { at, id })
    }

    fn scope_index(&mut self, name: Option<&str>) -> usize {
        let known = match name {
            Some(name) => self.scope_indexes.get(name).copied(),
            None => self.unscoped,
        };
        if let Some(index) = known {
            return index;
        }
        let index = self.scopes.len();
        match name {
            Some(name) => self.scope_indexes.insert(name.to_string(), index),
            None => self.unscoped.replace(index),
        };
        self.scopes.push(name.map(str::to_string));
        self.series.extend((0..self.catalog.metrics().len()).map(|_| Series::default()));
        index
    }

    /// The catalog metric a written name refers to, remembered for the next row.
    fn resolve(&mut self, name: &str) -> Result<usize, UnknownMetric> {
        let slot = &mut self.next_name[self.after];
        if let Some((guess, index)) = slot.as_ref()
            && guess == name
        {
            self.after = *index;
            return Ok(*index);
        }
        let index = if let Some(&index) = self.names.get(name) {
            index
        } else {
            let index = self.catalog.resolve(name)?;
            if self.names.len() < NAME_MEMO_LIMIT {
                self.names.insert(name.to_string(), index);
            }
            index
        };
        match slot {
            Some((guess, guessed)) => {
                guess.clear();
                guess.push_str(name);
                *guessed = index;
            }
            None => *slot = Some((name.to_string(), index)),
        }
        self.after = index;
        Ok(index)
    }

    /// Adds one value to its series, refusing a second value for the same scope, metric and date.
    /// An undated row conflicts with any other row of its series at once, and so does a row on the
    /// date of one that came in date order; two rows out of order with the same date are found by
    /// [`OutOfOrder::first_repeat`].
    fn add(
        &mut self,
        scope: usize,
        metric: usize,
        at: Option<Dated>,
        text: &str,
        unit: Option<&str>,
        here: Location,
    ) -> Result<(), MeasurementError> {
        let m = &self.catalog.metrics()[metric];
        let index = scope * self.catalog.metrics().len() + metric;
        let series = &mut self.series[index];
        if let Some(first) = series.first.filter(|_| series.undated || at.is_none()) {
            return Err(self.duplicate(scope, metric, at.map(|d| d.at), here, first));
        }
        series.first.get_or_insert(here);
        match at {
            Some(dated) => match series.seen.note(dated.id, here) {
                Order::Next => {}
                Order::Repeat(first) => {
                    return Err(self.duplicate(scope, metric, Some(dated.at), here, first));
                }
                Order::Before => self.out_of_order.push(index, dated.id, here).map_err(|what| {
                    MeasurementError::TooMany { what, file: self.files[here.file as usize].clone() }
                })?,
            },
            None => series.undated = true,
        }
        let suffix = &mut self.suffixes[metric];
        let value = m.unit.parse_remembering(text, unit, suffix).map_err(|cause| {
            MeasurementError::BadValue {
                file: self.files[here.file as usize].clone(),
                line: here.line,
                metric: m.name.clone(),
                cause,
            }
        })?;
        self.any_value |= value.is_some();
        let at = at.map(|d| d.at);
        let visible = match (at, self.as_of) {
            (Some(at), Some(limit)) => at.not_after(limit),
            _ => true,
        };
        if visible {
            self.series[index].window.add(Observation { at, value });
        }
        Ok(())
    }

    /// The error for a row at `here` that repeats the row at `first`.
    fn duplicate(
        &self,
        scope: usize,
        metric: usize,
        at: Option<When>,
        here: Location,
        first: Location,
    ) -> MeasurementError {
        let scope_part = self.scopes[scope]
            .as_ref()
            .map(|n| format!(" for scope `{}`", printable(n)))
            .unwrap_or_default();
        let (context, fix) = match at {
            Some(at) => (format!("{scope_part} on {at}"), "keep one row per metric and date"),
            None => {
                (scope_part, "keep one row per metric, or add a `date` column to keep a history")
            }
        };
        MeasurementError::Duplicate {
            file: self.files[here.file as usize].clone(),
            line: here.line,
            metric: self.catalog.metrics()[metric].id.clone(),
            context,
            first: format!("{}:{}", self.files[first.file as usize], first.line),
            fix,
        }
    }

    /// The dataset read; an error when no input held any value.
    pub fn finish(self) -> Result<Dataset, MeasurementError> {
        if !self.any_value {
            let files = self.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
            return Err(MeasurementError::NoMeasurements { files: files.join(", ") });
        }
        let metrics = self.catalog.metrics().len();
        let mut series = self.series.into_iter().map(|s| s.window.observations().to_vec());
        let scopes = self
            .scopes
            .into_iter()
            .map(|name| ScopeData { name, series: series.by_ref().take(metrics).collect() })
            .collect();
        Ok(Dataset { scopes })
    }
}

/// The line a record starts on, from its position as the csv crate reports it.
fn line_of(position: Option<&csv::Position>, lines: &mut Lines<impl Read>) -> u64 {
    position.map_or(0, |p| lines.line_of(p.byte(), p.line()))
}

fn csv_error(err: csv::Error, file: &str, lines: &mut Lines<impl Read>) -> MeasurementError {
    let file = file.to_string();
    match err.kind() {
        csv::ErrorKind::Utf8 { pos, .. } => {
            MeasurementError::NotUtf8 { file, line: line_of(pos.as_ref(), lines).max(1) }
        }
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => MeasurementError::Ragged {
            file,
            line: line_of(pos.as_ref(), lines),
            found: *len,
            expected: *expected_len,
        },
        _ => MeasurementError::Csv { file, cause: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::load_builtin;

    fn read_data(text: &str) -> Result<Dataset, MeasurementError> {
        let catalog = load_builtin().unwrap();
        let mut c = Collector::new(&catalog);
        c.read_csv(text.as_bytes(), "m.csv")?;
        c.finish()
    }

    /// The single value per metric of an unscoped, undated input.
    fn read_str(text: &str) -> Result<Vec<Option<f64>>, MeasurementError> {
        let data = read_data(text)?;
        assert_eq!(data.scopes.len(), 1);
        Ok(data.scopes[0].series.iter().map(|s| s.last().and_then(|o| o.value)).collect())
    }

    fn err(text: &str) -> String {
        read_str(text).unwrap_err().to_string()
    }

    #[test]
    fn values_land_in_their_metric_slot_in_canonical_units() {
        let values = read_str("metric,value\nmttr,1h30m\nResponse Time,0.18s\n").unwrap();
        assert_eq!(values[0], Some(180.0));
        assert_eq!(values[12], Some(90.0));
        assert_eq!(values.iter().filter(|v| v.is_some()).count(), 2);
    }

    #[test]
    fn header_is_case_insensitive_and_extra_columns_are_ignored() {
        let values = read_str("Note,VALUE,Metric,Unit\nhi,0.2,response_time,s\n").unwrap();
        assert_eq!(values[0], Some(200.0));
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_the_first_column() {
        let values = read_str("\u{feff}metric,value\nerror_rate,0.5%\n").unwrap();
        assert_eq!(values[1], Some(0.5));
    }

    #[test]
    fn blank_rows_are_skipped_and_blank_values_are_no_data() {
        let values = read_str("metric,value\n,\nerror_rate,\nmttr,30\n").unwrap();
        assert_eq!(values[1], None);
        assert_eq!(values[12], Some(30.0));
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            err("metric,value\nrespons_time,180\n"),
            "m.csv:2: unknown metric `respons_time` (did you mean `response_time`?)"
        );
        assert!(
            err("metric,value\nerror_rate,1\nerrors,2\n")
                .starts_with("m.csv:3: `error_rate` is measured twice (first at m.csv:2)")
        );
        assert!(
            err("metric,value\nerror_rate,5ms\n").starts_with("m.csv:2: `Error Rate`: unit `ms`")
        );
        assert!(err("metric,val\n").starts_with("m.csv:1: the header has no `value` column"));
        assert!(err("").starts_with("m.csv: the file is empty"));
        assert!(err("metric,value\n").starts_with("no measurements in `m.csv`"));
        assert!(err("metric,value\n,5\n").starts_with("m.csv:2: the metric name is blank"));
        assert!(err("metric,value\nmttr,5,6\n").starts_with("m.csv:2: the row has 3 fields"));
    }

    #[test]
    fn dated_rows_become_a_history() {
        let data =
            read_data("date,metric,value\n2026-11-02,mttr,30\n2026-11-09,mttr,40\n").unwrap();
        let mttr = &data.scopes[0].series[12];
        assert_eq!(mttr.len(), 2);
        assert_eq!(mttr[1].at, Some(When::parse("2026-11-09").unwrap()));
        assert_eq!(mttr[1].value, Some(40.0));
    }

    #[test]
    fn scope_column_splits_series_by_scope_and_accepts_service_or_team() {
        for column in ["scope", "Service", "team"] {
            let text = format!("{column},metric,value\napi,mttr,30\nbatch,mttr,40\n");
            let data = read_data(&text).unwrap();
            let names: Vec<_> = data.scopes.iter().map(|s| s.name.clone().unwrap()).collect();
            assert_eq!(names, ["api", "batch"]);
        }
    }

    #[test]
    fn wide_rows_hold_one_check_in_each() {
        let wide = "date,scope,Response Time,error rate,MTTR\n\
            2026-11-02,api,180ms,0.5%,\n2026-11-09,api,190,0.4,45m\n";
        let long = "date,scope,metric,value\n2026-11-02,api,response_time,180\n\
            2026-11-02,api,error_rate,0.5\n2026-11-02,api,mttr,\n2026-11-09,api,response_time,190\n\
            2026-11-09,api,error_rate,0.4\n2026-11-09,api,mttr,45\n";
        assert_eq!(read_data(wide).unwrap(), read_data(long).unwrap());
    }

    #[test]
    fn wide_headers_must_all_be_metrics() {
        assert_eq!(
            err("date,respons_time\n2026-11-02,180\n"),
            "m.csv:1: column `respons_time` is not a metric (did you mean `response_time`?)"
        );
        assert!(
            err("date,cpu,cpu_utilization\n2026-11-02,50,60\n")
                .starts_with("m.csv:1: columns `cpu` and `cpu_utilization` are the same metric")
        );
        assert!(err("metric\nmttr\n").starts_with("m.csv:1: the header has no `value` column"));
    }

    #[test]
    fn a_second_row_for_the_same_scope_metric_and_date_is_an_error() {
        let text = "date,scope,metric,value\n2026-11-02,api,mttr,30\n2026-11-02,api,mttr,40\n";
        assert_eq!(
            err(text),
            "m.csv:3: `mttr` is measured twice for scope `api` on 2026-11-02 (first at m.csv:2); keep one row per metric and date"
        );
        let other_scope =
            "date,scope,metric,value\n2026-11-02,api,mttr,30\n2026-11-02,web,mttr,40\n";
        assert!(read_data(other_scope).is_ok());
    }

    #[test]
    fn several_rows_without_dates_are_an_error_not_a_history() {
        assert_eq!(
            err("metric,value\nmttr,30\nmttr,40\n"),
            "m.csv:3: `mttr` is measured twice (first at m.csv:2); keep one row per metric, or add a `date` column to keep a history"
        );
    }

    #[test]
    fn bad_dates_and_blank_scopes_name_their_line() {
        assert_eq!(
            err("date,metric,value\n23/11/2026,mttr,30\n"),
            "m.csv:2: `23/11/2026` is not an ISO 8601 date; write it like `2026-11-23` or `2026-11-23T09:30:00Z`"
        );
        assert!(err("scope,metric,value\n,mttr,30\n").starts_with("m.csv:2: the scope is blank"));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let catalog = load_builtin().unwrap();
        let mut c = Collector::new(&catalog);
        let e = c.read_csv(&b"metric,value\nmttr,5\nmttr\xff,6\n"[..], "m.csv").unwrap_err();
        assert_eq!(e.to_string(), "m.csv:3: the text is not valid UTF-8; save the file as UTF-8");
    }

    #[test]
    fn an_undated_row_conflicts_with_a_dated_one_of_its_metric_either_way() {
        let catalog = load_builtin().unwrap();
        let undated = &b"metric,value\nmttr,5\n"[..];
        let dated = &b"date,metric,value\n2026-01-05,MTTR,6\n"[..];
        let mut c = Collector::new(&catalog);
        c.read_csv(undated, "u.csv").unwrap();
        assert_eq!(
            c.read_csv(dated, "d.csv").unwrap_err().to_string(),
            "d.csv:2: `mttr` is measured twice on 2026-01-05 (first at u.csv:2); keep one row per metric and date"
        );
        let mut c = Collector::new(&catalog);
        c.read_csv(dated, "d.csv").unwrap();
        assert_eq!(
            c.read_csv(undated, "u.csv").unwrap_err().to_string(),
            "u.csv:2: `mttr` is measured twice (first at d.csv:2); keep one row per metric, or add a `date` column to keep a history"
        );
    }

    #[test]
    fn input_text_in_messages_is_printable() {
        let esc = "\u{1b}[31m";
        let cases = [
            (
                format!("metric,value\nresp{esc}onse_time,1\n"),
                "unknown metric `resp\\u{1b}[31monse_time`",
            ),
            (format!("date,cpu{esc}\n2026-11-02,1\n"), "column `cpu\\u{1b}[31m` is not a metric"),
            (format!("metric,val{esc}\n"), "(it has `metric`, `val\\u{1b}[31m`)"),
            (format!("metric,value\nmttr,5{esc}\n"), "unit `\\u{1b}[31m` does not fit"),
            (
                "metric,value\nmttr,\"fast\nenough\"\n".to_string(),
                "`fast\\nenough` is not a number",
            ),
            (
                format!("date,metric,value\n{esc}2026,mttr,5\n"),
                "`\\u{1b}[31m2026` is not an ISO 8601 date",
            ),
            (
                format!(
                    "date,scope,metric,value\n2026-11-02,a\u{202e}{esc},mttr,1\n2026-11-02,a\u{202e}{esc},mttr,2\n"
                ),
                "for scope `a\\u{202e}\\u{1b}[31m` on 2026-11-02",
            ),
        ];
        for (text, shown) in cases {
            let message = err(&text);
            assert!(message.contains(shown), "{message}");
            assert!(!message.contains(['\u{1b}', '\u{202e}', '\n']), "{message:?}");
        }
        let file = Source::from_arg("in\u{1b}[2J\n.csv").display_name();
        assert_eq!(file, "in\\u{1b}[2J\\n.csv");
    }

    /// How rows are ordered: the key of (week, scope, metric) they are sorted by.
    type RowOrder = fn(i32, i32, i32) -> (i32, i32, i32);

    fn week(w: i32) -> jiff::civil::Date {
        jiff::civil::date(2026, 1, 5) + jiff::Span::new().weeks(w)
    }

    /// A history of `weeks` check-ins for three scopes and every metric, in `order`, without the
    /// rows of the (week, scope) `skip`.
    fn history(weeks: i32, order: RowOrder, skip: (i32, i32)) -> String {
        use std::fmt::Write;
        let catalog = load_builtin().unwrap();
        let mut rows: Vec<(i32, i32, i32)> = (0..weeks)
            .flat_map(|w| (0..3).flat_map(move |s| (0..15).map(move |m| (w, s, m))))
            .filter(|&(w, s, _)| (w, s) != skip)
            .collect();
        rows.sort_by_key(|&(w, s, m)| order(w, s, m));
        let mut text = String::from("date,scope,metric,value\n");
        for (w, s, m) in rows {
            let id = &catalog.metrics()[usize::try_from(m).unwrap()].id;
            writeln!(text, "{},s{s},{id},1", week(w)).unwrap();
        }
        text
    }

    #[test]
    fn a_file_in_date_order_costs_a_run_per_series_whatever_else_its_order() {
        let catalog = load_builtin().unwrap();
        let orders: [RowOrder; 4] =
            [|w, s, m| (w, s, m), |w, s, m| (-w, s, m), |w, s, m| (s, w, m), |w, s, m| (m, s, w)];
        for (n, order) in orders.into_iter().enumerate() {
            let mut c = Collector::new(&catalog);
            c.read_csv(history(60, order, (-1, 0)).as_bytes(), "h.csv").unwrap();
            assert_eq!(c.series.len(), 3 * 15);
            assert!(c.series.iter().all(|s| s.seen.runs() == 1), "order {n}");
            assert_eq!(c.out_of_order.len(), 0, "order {n}");
        }
        // A week one scope skipped changes the spacing of every series once: two runs each, not one
        // a row. The row filled in at the end of the file is out of order.
        let mut c = Collector::new(&catalog);
        let text = history(60, orders[0], (30, 1)) + &format!("{},s1,mttr,1\n", week(30));
        c.read_csv(text.as_bytes(), "h.csv").unwrap();
        let runs: Vec<usize> = c.series.iter().map(|s| s.seen.runs()).collect();
        assert!(runs.iter().all(|&r| r == 2), "{runs:?}");
        assert_eq!(c.out_of_order.len(), 1);
    }

    #[test]
    fn duplicates_across_files_name_both() {
        let catalog = load_builtin().unwrap();
        let mut c = Collector::new(&catalog);
        c.read_csv(&b"metric,value\nmttr,5\n"[..], "a.csv").unwrap();
        let e = c.read_csv(&b"metric,value\nMTTR,6\n"[..], "b.csv").unwrap_err();
        assert!(e.to_string().starts_with("b.csv:2: `mttr` is measured twice (first at a.csv:2)"));
    }
}

#[cfg(test)]
mod model_tests {
    //! The reader against a model that keeps every row and checks each row against all rows before
    //! it: the same first error, and the same scorecard from what it keeps.

    use std::collections::HashMap;
    use std::fmt::Write;

    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;

    use super::*;
    use crate::core::evaluate::evaluate;
    use crate::core::scorecard::{FailOn, GatePolicy};
    use crate::input::catalog::load_builtin;

    /// Two spellings each of four metrics, so rows resolve through ids, names and aliases; `errors`
    /// and `memory` are as long as each other, for the guess of the next row's metric.
    const NAMES: &[&str] = &[
        "mttr",
        "MTTR",
        "error_rate",
        "errors",
        "latency",
        "Response Time",
        "memory",
        "Memory Usage",
    ];
    const SCOPES: &[&str] = &["api", "web"];
    const DAYS: u8 = 24;

    #[derive(Debug, Clone)]
    struct Row {
        day: u8,
        scope: usize,
        name: usize,
        value: Option<u16>,
        /// The value is `fast`, which is not a number.
        bad: bool,
    }

    /// Rows with distinct (scope, metric, date), many per series so that windows fill, in date
    /// order with gaps or in a random order; in some cases a row or two are repeated further down
    /// with another value.
    fn rows() -> impl Strategy<Value = Vec<Row>> {
        let keys: Vec<(u8, usize, usize)> = (0..DAYS)
            .flat_map(|d| (0..SCOPES.len()).flat_map(move |s| (0..4).map(move |m| (d, s, m))))
            .collect();
        let count = keys.len();
        let some = prop::sample::subsequence(keys, 0..=count);
        (
            prop_oneof![some.clone(), some.prop_shuffle()],
            vec(
                (prop::bool::ANY, option::weighted(0.8, 0..500u16), prop::bool::weighted(0.005)),
                count,
            ),
            vec((0..count, 0..count), 0..3),
        )
            .prop_map(|(keys, details, repeats)| {
                let mut rows: Vec<Row> = keys
                    .into_iter()
                    .zip(details)
                    .map(|((day, scope, metric), (second, value, bad))| Row {
                        day,
                        scope,
                        name: 2 * metric + usize::from(second),
                        value,
                        bad,
                    })
                    .collect();
                for (from, to) in repeats {
                    if rows.is_empty() {
                        break;
                    }
                    let from = from % rows.len();
                    let copy =
                        Row { name: rows[from].name ^ 1, value: Some(7), ..rows[from].clone() };
                    rows.insert(from + 1 + to % (rows.len() - from), copy);
                }
                rows
            })
    }

    fn day(n: u8) -> When {
        When::parse(&format!("2026-01-{:02}", n + 1)).unwrap()
    }

    fn csv(rows: &[Row]) -> String {
        let mut text = String::from("date,scope,metric,value\n");
        for r in rows {
            let value = if r.bad {
                "fast".to_string()
            } else {
                r.value.map(|v| v.to_string()).unwrap_or_default()
            };
            writeln!(text, "{},{},{},{value}", day(r.day), SCOPES[r.scope], NAMES[r.name]).unwrap();
        }
        text
    }

    /// What the model expects: the first error as (kind, file, line, first), or the dataset.
    fn model(
        catalog: &Catalog,
        files: &[(&str, &[Row])],
    ) -> Result<Dataset, (&'static str, String)> {
        let mut seen: HashMap<(usize, usize, u8), String> = HashMap::new();
        let mut scopes: Vec<usize> = Vec::new();
        let mut series: HashMap<(usize, usize), Vec<Observation>> = HashMap::new();
        for (file, rows) in files {
            for (i, r) in rows.iter().enumerate() {
                let here = format!("{file}:{}", i + 2);
                let metric = catalog.resolve(NAMES[r.name]).unwrap();
                assert_eq!(
                    catalog.resolve(NAMES[r.name ^ 1]),
                    Ok(metric),
                    "spellings come in pairs"
                );
                if let Some(first) = seen.get(&(r.scope, metric, r.day)) {
                    return Err(("duplicate", format!("{here} first at {first}")));
                }
                seen.insert((r.scope, metric, r.day), here.clone());
                if r.bad {
                    return Err(("bad value", here));
                }
                if !scopes.contains(&r.scope) {
                    scopes.push(r.scope);
                }
                let value = r.value.map(f64::from);
                series
                    .entry((r.scope, metric))
                    .or_default()
                    .push(Observation { at: Some(day(r.day)), value });
            }
        }
        if series.values().flatten().all(|o| o.value.is_none()) {
            return Err(("no measurements", String::new()));
        }
        let scopes = scopes
            .into_iter()
            .map(|s| ScopeData {
                name: Some(SCOPES[s].to_string()),
                series: (0..catalog.metrics().len())
                    .map(|m| series.remove(&(s, m)).unwrap_or_default())
                    .collect(),
            })
            .collect();
        Ok(Dataset { scopes })
    }

    fn shown(err: &MeasurementError) -> (&'static str, String) {
        match err {
            MeasurementError::Duplicate { file, line, first, .. } => {
                ("duplicate", format!("{file}:{line} first at {first}"))
            }
            MeasurementError::BadValue { file, line, .. } => {
                ("bad value", format!("{file}:{line}"))
            }
            MeasurementError::NoMeasurements { .. } => ("no measurements", String::new()),
            other => ("unexpected", other.to_string()),
        }
    }

    proptest! {
        #[test]
        fn the_reader_finds_what_checking_every_row_finds(
            rows in rows(),
            split in 0..200usize,
            as_of in option::of(0..DAYS),
        ) {
            let catalog = load_builtin().unwrap();
            let split = split.min(rows.len());
            let files: [(&str, &[Row]); 2] = [("a.csv", &rows[..split]), ("b.csv", &rows[split..])];
            let as_of = as_of.map(day);
            let mut collector = Collector::new(&catalog).as_of(as_of);
            let read = files
                .iter()
                .try_for_each(|(name, rows)| collector.read_csv(csv(rows).as_bytes(), name))
                .and_then(|()| collector.finish());
            let policy = GatePolicy { fail_on: FailOn::Fail, require_all: false };
            match (read, model(&catalog, &files)) {
                (Ok(data), Ok(every)) => prop_assert_eq!(
                    evaluate(&catalog, &data, as_of, policy),
                    evaluate(&catalog, &every, as_of, policy)
                ),
                (Err(err), Err(expected)) => prop_assert_eq!(shown(&err), expected),
                (read, expected) => prop_assert!(false, "read {read:?}, model {expected:?}"),
            }
        }
    }
}

#[cfg(test)]
mod robustness_tests {
    //! No input makes the reader panic: arbitrary bytes and arbitrary CSV-shaped text each end in
    //! measurements or a one-line error, and what reads goes through evaluation and every renderer.
    //! Errors name the line a row starts on, whatever the line endings.

    use std::fmt::Write;

    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;
    use crate::core::evaluate::evaluate;
    use crate::core::scorecard::{FailOn, GatePolicy};
    use crate::input::catalog::load_builtin;
    use crate::render::{self, Format, Style};

    /// Cells of each kind of column: those that read, then odd ones, which mostly do not.
    type Pool = (&'static [&'static str], &'static [&'static str]);
    const DATES: Pool = (
        &["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-23T09:30:00Z"],
        &[
            "2026-11-23 09:30",
            "2026-11-23T10:30:00+01:00",
            "-9999-01-01",
            "2026-02-30",
            "9999-12-31T23:59:59.999999999",
            "23/11/2026",
            "",
            "2026-11-23T25:00",
        ],
    );
    const SCOPES: Pool = (
        &["api", "web", "batch"],
        &["API", " api", "api\u{1b}[31m", "\u{202e}x", "a|b <b>[l](h)", "\n", ""],
    );
    const METRICS: Pool = (
        &["mttr", "MTTR", "errors", "rps", "latency", "Response Time", "cpu", "test_coverage"],
        &["respons_time", "", "metric", "\u{1b}", "Deployment Frequency", "code_coverage"],
    );
    const VALUES: Pool = (
        &["", "180", "0.5", "5", "0", "1.2k", "80%", "2", "12.5"],
        &[
            "180ms",
            "0.18 s",
            "1h30m",
            "1h 30min 5s",
            "2/day",
            "14/week",
            "1 per hour",
            "600 req/s",
            "12 percent",
            "3 rounds",
            "-5",
            "+5",
            "1,5",
            "1e999",
            "1e-999",
            "NaN",
            "-inf",
            "5e",
            ".",
            "1..2",
            "k",
            "5kk",
            "5µs",
            "µs",
            "١٢",
            "99999999999999999999999999999",
            "0x10",
            "1_000",
            "5\u{0}",
            "a,b",
            "\"",
            "\r\n",
        ],
    );
    /// Columns of a wide file: one spelling each of distinct metrics.
    const WIDE: &[&str] = &["mttr", "errors", "Response Time", "cpu", "test_coverage", "rps"];
    const UNITS: Pool = (&["", "ms", "%"], &["s", "rps", "/day", "per week", "rounds", "parsecs"]);
    /// Anything at all, for a column kpi ignores.
    const FIELDS: Pool = (&["x", ""], &["\"", "\n", "a\"b", "\u{feff}"]);

    /// One column of a generated file: its header and the values its cells are drawn from.
    fn column(name: &'static str, pool: Pool) -> (&'static str, Pool) {
        (name, pool)
    }

    /// A header of a layout kpi reads (long or wide, with or without date, scope and unit columns,
    /// in any order), now and then with a column it does not know.
    fn header() -> impl Strategy<Value = Vec<(&'static str, Pool)>> {
        let optional = (
            prop::bool::ANY,
            select(&["scope", "service", "team", ""][..]),
            prop::bool::ANY,
            prop::bool::weighted(0.1),
        );
        let long = optional.clone().prop_map(|(date, scope, unit, note)| {
            let mut columns = vec![column("metric", METRICS), column("value", VALUES)];
            if date {
                columns.push(column("date", DATES));
            }
            if !scope.is_empty() {
                columns.push(column(scope, SCOPES));
            }
            if unit {
                columns.push(column("unit", UNITS));
            }
            if note {
                columns.push(column("note", FIELDS));
            }
            columns
        });
        let wide = (optional, prop::sample::subsequence(WIDE, 1..5).prop_shuffle()).prop_map(
            |((date, scope, _, _), metrics)| {
                let mut columns: Vec<_> = metrics.into_iter().map(|m| column(m, VALUES)).collect();
                if date {
                    columns.push(column("date", DATES));
                }
                if !scope.is_empty() {
                    columns.push(column(scope, SCOPES));
                }
                columns
            },
        );
        prop_oneof![long, wide].prop_shuffle()
    }

    /// A cell from its column's pool, one in thirty odd, sometimes quoted or padded with spaces.
    fn cell((usual, odd): Pool) -> impl Strategy<Value = String> {
        let text = prop_oneof![29 => select(usual), 1 => select(odd)];
        (text, 0..6u8).prop_map(|(text, how)| match how {
            0 => format!("\"{}\"", text.replace('"', "\"\"")),
            1 => format!(" {text} "),
            _ => text.to_string(),
        })
    }

    /// A file of a generated header and rows of cells from each column's pool; now and then a row is
    /// short or long, or blank, and lines end either way.
    fn csv_text() -> impl Strategy<Value = String> {
        (header(), prop::bool::ANY)
            .prop_flat_map(|(columns, crlf)| {
                let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
                let row = columns.iter().map(|&(_, pool)| cell(pool)).collect::<Vec<_>>();
                // One row in a hundred is short, long or blank.
                let shape = prop_oneof![97 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3)];
                let rows = vec((row, shape), 0..10);
                (Just(names.join(",")), rows, Just(if crlf { "\r\n" } else { "\n" }))
            })
            .prop_map(|(header, rows, end)| {
                let mut text = header;
                for (mut cells, shape) in rows {
                    match shape {
                        1 => cells.truncate(cells.len() - 1),
                        2 => cells.push("extra".to_string()),
                        3 => cells.clear(),
                        _ => {}
                    }
                    text.push_str(end);
                    text.push_str(&cells.join(","));
                }
                text
            })
    }

    /// Reads `inputs` as files in turn; on success evaluates and renders in every format.
    fn read_and_render(inputs: &[&[u8]]) {
        let catalog = load_builtin().unwrap();
        let mut collector = Collector::new(&catalog);
        let read = inputs
            .iter()
            .enumerate()
            .try_for_each(|(i, bytes)| collector.read_csv(*bytes, &format!("in{i}.csv")))
            .and_then(|()| collector.finish());
        match read {
            Ok(data) => {
                let policy = GatePolicy { fail_on: FailOn::Warn, require_all: true };
                let card = evaluate(&catalog, &data, None, policy);
                for format in Format::ALL {
                    render::render(format, &card, Style { color: true, width: Some(60) });
                }
                render::report::render(&card, &["mttr".to_string()]);
            }
            Err(err) => {
                let message = err.to_string();
                assert!(!message.contains('\n') && !message.is_empty(), "{message:?}");
            }
        }
    }

    /// A file of dated rows with any line endings, blank lines and notes over several lines, one
    /// row holding a value that is not a number; and the line that row starts on.
    fn file_with_a_bad_row() -> impl Strategy<Value = (String, u64)> {
        // Either classic Mac line endings throughout, or LF and CRLF mixed: a lone CR followed by
        // a blank LF line would be a CRLF.
        let endings: &[&[&str]] = &[&["\r"], &["\n", "\r\n"]];
        select(endings)
            .prop_flat_map(|endings| {
                let ending = select(endings);
                let row =
                    (ending.clone(), vec(ending.clone(), 0..3), prop::option::of(ending.clone()));
                (
                    prop::bool::ANY,
                    vec(ending.clone(), 0..3),
                    ending,
                    vec(row, 1..25),
                    any::<prop::sample::Index>(),
                )
            })
            .prop_map(|(bom, leading, header_end, rows, bad)| {
                let bad = bad.index(rows.len());
                let mut text = String::from(if bom { "\u{feff}" } else { "" });
                let mut line = 1;
                for end in leading {
                    text.push_str(end);
                    line += 1;
                }
                text.push_str("date,metric,value,note");
                text.push_str(header_end);
                line += 1;
                let mut bad_line = 0;
                for (i, (end, blanks, note_break)) in rows.into_iter().enumerate() {
                    for blank in blanks {
                        text.push_str(blank);
                        line += 1;
                    }
                    if i == bad {
                        bad_line = line;
                    }
                    let value = if i == bad { "soon" } else { "5" };
                    let note = match note_break {
                        Some(inner) => {
                            line += 1;
                            format!("\"two{inner}lines\"")
                        }
                        None => "one line".to_string(),
                    };
                    write!(text, "2026-01-{:02},mttr,{value},{note}{end}", i + 1).unwrap();
                    line += 1;
                }
                (text, bad_line)
            })
    }

    proptest! {
        #[test]
        fn errors_name_the_line_a_row_starts_on_whatever_the_line_endings(
            (text, line) in file_with_a_bad_row()
        ) {
            let catalog = load_builtin().unwrap();
            let mut collector = Collector::new(&catalog);
            let err = collector.read_csv(text.as_bytes(), "m.csv").unwrap_err();
            prop_assert!(
                matches!(err, MeasurementError::BadValue { line: l, .. } if l == line),
                "{err} (expected line {line}) in {text:?}"
            );
        }

        #[test]
        fn arbitrary_bytes_read_or_fail_with_one_line(bytes in vec(any::<u8>(), 0..600)) {
            read_and_render(&[&bytes]);
        }

        #[test]
        fn arbitrary_csv_shaped_text_reads_or_fails_with_one_line(
            first in csv_text(),
            second in proptest::option::of(csv_text()),
        ) {
            match &second {
                Some(second) => read_and_render(&[first.as_bytes(), second.as_bytes()]),
                None => read_and_render(&[first.as_bytes()]),
            }
        }
    }
}
