//! The one store every source of measurements feeds, through [`Store::push`]: it resolves metric
//! names, scopes and dates, converts values to their metric's unit, refuses a second row for the
//! same scope, metric and date wherever the two came from, and keeps per series only what an
//! evaluation at `--as-of` can show. It knows rows and origins, never a file format.

use foldhash::HashMap;

use super::seen::{Location, Order, OutOfOrder, SeenDates};
use super::{MeasurementError, Origin};
use crate::core::catalog::{Catalog, UnknownMetric};
use crate::core::history::{Dataset, Observation, ScopeData, When};
use crate::core::number::{self, Numbers};
use crate::core::text::printable;
use crate::core::unit::Remembered;
use crate::core::window::Window;

/// How many distinct metric names, as written, the store remembers the resolution of. Real inputs
/// use one spelling per metric; the limit only keeps a hostile input from growing the memo.
const NAME_MEMO_LIMIT: usize = 1024;

/// A source the store has been told of with [`Store::begin`]: rows carry it in their origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceId(u32);

/// The date of a row: as written, for the store to read, or already known (a collector's
/// `--as-of`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowDate<'a> {
    Text(&'a str),
    At(When),
}

/// One measured value, as a source read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    /// The scope (service or team) as written; `None` when the source has no scopes.
    pub scope: Option<&'a str>,
    /// The metric's id, name or alias, as written.
    pub metric: &'a str,
    /// `None` when the source has no dates: then a metric may be measured once.
    pub date: Option<RowDate<'a>>,
    /// The value as written, with or without a unit; blank is no data.
    pub value: &'a str,
    /// The unit written beside the value (a `unit` column), if any.
    pub unit: Option<&'a str>,
    pub source: SourceId,
    /// The line the row starts on, for sources with lines; 0 for none.
    pub line: u64,
}

/// A date read, and its index in the store's table of distinct dates.
#[derive(Clone, Copy)]
struct Dated {
    at: When,
    id: u32,
}

/// Keeps `text` and what it read as in `slot`, reusing the slot's string: the last row's scope
/// and date, which the next row usually repeats.
fn remember<T>(slot: &mut Option<(String, T)>, text: &str, value: T) {
    match slot {
        Some((last, last_value)) => {
            last.clear();
            last.push_str(text);
            *last_value = value;
        }
        None => *slot = Some((text.to_string(), value)),
    }
}

/// A row checked on its own but not yet against the other rows of its series: 32 bytes.
#[derive(Clone, Copy)]
struct Pending {
    series: u32,
    /// Its date's index, or [`UNDATED`].
    date: u32,
    /// The value; NaN for no data (values are finite).
    value: f64,
    line: u64,
    /// Its place among the pending rows: the order the rows came in.
    order: u32,
    /// Whether an evaluation at `--as-of` shows it.
    visible: bool,
}

/// The date index of an undated row.
const UNDATED: u32 = u32::MAX;

/// How many rows are gathered before they are added to their series: their series are then
/// visited in order, a few rows each, instead of one row at a time anywhere in memory, which is
/// what a file in no order costs. About a megabyte, to stay in the cache.
const PENDING_ROWS: usize = 1 << 15;

/// What went wrong adding a pending row to its series.
enum SeriesError {
    Duplicate { scope: usize, metric: usize, at: Option<When>, here: Location, first: Location },
    TooMany(&'static str),
}

/// One (scope, metric) series being read: a hundred bytes and its window, since a large input
/// has millions.
#[derive(Default)]
pub(super) struct Series {
    /// The observations evaluation can use: a bounded window, not every row.
    window: Window,
    /// The dates of the series' rows in date order and where each was, including rows outside
    /// the window. Its first run starts at the series' first dated row.
    pub(super) seen: SeenDates,
    /// Where the series' row was when it is undated: an undated row conflicts with any other row
    /// of its series.
    undated: Option<Location>,
}

impl Series {
    /// Where the series' first row was, if it has one.
    fn first(&self) -> Option<Location> {
        self.undated.or_else(|| self.seen.first())
    }
}

/// How many dates as written the store remembers the reading of: a check-in log has a date a
/// week; the limit only keeps an input of endless distinct dates from growing the memo.
const DATE_MEMO_LIMIT: usize = 4096;

/// Collects measurements from any number of sources into a dataset of series per scope and metric.
///
/// Memory grows with the number of series and the distinct dates, not with the rows: each series
/// keeps a bounded window of observations, and the duplicate check keeps runs of evenly spaced
/// rows (see [`SeenDates`]); only rows out of their series' date order take room of their own.
pub struct Store<'c> {
    catalog: &'c Catalog,
    /// Rows after this date are checked but not kept: no evaluation at this date shows them.
    as_of: Option<When>,
    scopes: Vec<Option<String>>,
    /// Where each named scope is in `scopes`, and the unnamed one.
    scope_indexes: HashMap<String, usize>,
    unscoped: Option<usize>,
    /// Per scope, per metric (`scope * metrics + metric`).
    pub(super) series: Vec<Series>,
    /// Rows dated before their series' latest, for the duplicate check.
    pub(super) out_of_order: OutOfOrder,
    /// Rows read but not yet added to their series, in the order they came: see [`Store::flush`].
    pending: Vec<Pending>,
    /// How many rows are gathered before a flush: [`PENDING_ROWS`], but for tests.
    pending_limit: usize,
    /// How many threads a source may read with, and how many records go from one to the other
    /// at a time.
    threads: usize,
    batch: usize,
    /// Distinct dates in order of first appearance, and the index of each.
    dates: Vec<When>,
    date_indexes: HashMap<When, u32>,
    /// The last row's date and scope as written: consecutive rows usually share them.
    last_date: Option<(String, Dated)>,
    last_scope: Option<(String, usize)>,
    /// Dates as written and their reading, for rows in no order, whose date is seldom the last
    /// row's.
    date_memo: HashMap<Box<str>, Dated>,
    /// Metric names as written and the metric each resolves to, with the unit written into the
    /// name (`Response Time (ms)`): normalising a name costs more than looking it up, and a file
    /// spells each metric one way a million times.
    names: HashMap<String, Resolved>,
    /// For each metric, and a last slot for the start, the name written on the row after it last
    /// time with the metric that name resolves to. A long file lists each check-in's metrics in the
    /// same order, so this guess spares hashing the name on nearly every row.
    next_name: Vec<Option<(String, Resolved)>>,
    /// The slot of `next_name` for the row being read.
    after: usize,
    /// Per metric, how the suffix of its last value scaled the number: a source writes each
    /// metric's unit one way.
    suffixes: Vec<Option<Remembered>>,
    /// Per metric, the order in which the current source first gave it: of two repeats found on
    /// one line, the one of the metric given first there (a wide row's leftmost column) is
    /// reported, as a reader would find it.
    ranks: Vec<u32>,
    next_rank: u32,
    any_value: bool,
    sources: Vec<String>,
    /// How the current source writes its numbers.
    numbers: Numbers,
    /// Notes for the reader about values read as written that may not mean what was meant, at
    /// most one per metric and source.
    notes: Vec<String>,
    /// Per metric, the source it last got a note in.
    noted: Vec<Option<u32>>,
}

/// A metric name resolved: the metric, and the unit its name carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    metric: usize,
    unit: Option<Box<str>>,
}

impl<'c> Store<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        let metrics = catalog.metrics().len();
        Store {
            catalog,
            as_of: None,
            scopes: Vec::new(),
            scope_indexes: HashMap::default(),
            unscoped: None,
            series: Vec::new(),
            out_of_order: OutOfOrder::default(),
            pending: Vec::new(),
            pending_limit: PENDING_ROWS,
            threads: 1,
            batch: 512,
            dates: Vec::new(),
            date_indexes: HashMap::default(),
            last_date: None,
            last_scope: None,
            date_memo: HashMap::default(),
            names: HashMap::default(),
            next_name: vec![None; metrics + 1],
            after: metrics,
            suffixes: vec![None; metrics],
            ranks: vec![u32::MAX; metrics],
            next_rank: 0,
            any_value: false,
            sources: Vec::new(),
            numbers: Numbers::default(),
            notes: Vec::new(),
            noted: vec![None; metrics],
        }
    }

    /// Keeps only what an evaluation at `as_of` can show; every row is still checked.
    #[must_use]
    pub fn as_of(mut self, as_of: Option<When>) -> Self {
        self.as_of = as_of;
        self
    }

    /// Gathers at most `rows` rows before adding them to their series, so that tests cross the
    /// boundary of a flush often.
    #[cfg(test)]
    #[must_use]
    pub(super) fn pending_limit(mut self, rows: usize) -> Self {
        self.pending_limit = rows.max(1);
        self
    }

    /// Lets a source read with up to `threads` threads (at least one): one reads the input while
    /// another adds its rows. The rows, and any error, are the same however many there are.
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// How many threads a source may read with.
    pub(crate) fn reading_threads(&self) -> usize {
        self.threads
    }

    /// How many records a reading thread hands over at a time.
    pub(crate) fn reading_batch(&self) -> usize {
        self.batch
    }

    /// Reads with two threads handing over `records` records at a time, so that tests cross
    /// the boundary of a batch often.
    #[cfg(test)]
    #[must_use]
    pub(super) fn threaded_batches(mut self, records: usize) -> Self {
        self.threads = 2;
        self.batch = records.max(1);
        self
    }

    /// The catalog rows are resolved against.
    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// Starts a source named `name` (printable: a file name, or `lcov:coverage/lcov.info`) whose
    /// values write numbers as `numbers` says; its rows carry the id returned.
    pub(crate) fn begin(
        &mut self,
        name: &str,
        numbers: Numbers,
    ) -> Result<SourceId, MeasurementError> {
        self.numbers = numbers;
        let id = u32::try_from(self.sources.len())
            .map_err(|_| MeasurementError::TooMany { what: "input files", file: name.into() })?;
        self.sources.push(name.to_string());
        self.ranks.fill(u32::MAX);
        self.next_rank = 0;
        Ok(SourceId(id))
    }

    /// Ends the current source, whose reading ended in `read`. A row repeating the scope, metric
    /// and date of an earlier row is reported even when another error came later in the source, as
    /// it would be by a reader that checks each row against every row before it.
    pub(crate) fn end(
        &mut self,
        read: Result<(), MeasurementError>,
    ) -> Result<(), MeasurementError> {
        let read = self.flush().and(read);
        let metrics = self.catalog.metrics().len();
        let ranks = &self.ranks;
        match self.out_of_order.first_repeat(|series| ranks[series % metrics] as usize) {
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

    /// Where a row of a source is, as messages show it.
    pub(crate) fn origin(&self, source: SourceId, line: u64) -> Origin {
        self.shown(Location { file: source.0, line })
    }

    fn shown(&self, at: Location) -> Origin {
        Origin {
            source: self.sources[at.file as usize].clone(),
            line: (at.line > 0).then_some(at.line),
        }
    }

    /// Adds one row: the one entry point of every source.
    ///
    /// A row is checked on its own at once; it is checked against the other rows of its series
    /// (the duplicate check) when the pending rows are flushed. An error in this row is reported
    /// only after the rows before it are flushed: one of them may hold an error that comes first.
    pub(crate) fn push(&mut self, row: Row<'_>) -> Result<(), MeasurementError> {
        match self.check(row) {
            Ok(()) if self.pending.len() < self.pending_limit => Ok(()),
            Ok(()) => self.flush(),
            Err(err) => Err(self.flush().err().unwrap_or(err)),
        }
    }

    /// Checks one row on its own and leaves it pending.
    fn check(&mut self, row: Row<'_>) -> Result<(), MeasurementError> {
        let here = Location { file: row.source.0, line: row.line };
        let at = match row.date {
            None => None,
            Some(date) => Some(self.date(date, here)?),
        };
        let scope = match row.scope {
            Some("") => return Err(MeasurementError::BlankScope { at: self.shown(here) }),
            Some(name) => match &self.last_scope {
                Some((last, index)) if last == name => *index,
                _ => {
                    let index = self.scope_index(Some(name));
                    remember(&mut self.last_scope, name, index);
                    index
                }
            },
            None => self.scope_index(None),
        };
        if row.metric.is_empty() {
            return Err(MeasurementError::BlankMetric { at: self.shown(here) });
        }
        let Resolved { metric, unit: named } = self
            .resolve(row.metric)
            .map_err(|cause| MeasurementError::UnknownMetric { at: self.shown(here), cause })?;
        if self.ranks[metric] == u32::MAX {
            self.ranks[metric] = self.next_rank;
            self.next_rank += 1;
        }
        let column = row.unit.filter(|u| !u.trim().is_empty());
        let unit = match (column, named.as_deref()) {
            (Some(column), Some(named)) if !column.trim().eq_ignore_ascii_case(named) => {
                return Err(MeasurementError::UnitTwice {
                    at: self.shown(here),
                    name: row.metric.to_string(),
                    in_name: named.to_string(),
                    in_column: column.to_string(),
                });
            }
            (Some(unit), _) | (None, Some(unit)) => Some(unit),
            (None, None) => None,
        };
        let value = number::normalize(row.value, self.numbers).map_err(|cause| {
            MeasurementError::BadNumber {
                at: self.shown(here),
                metric: self.catalog.metrics()[metric].name.clone(),
                cause,
            }
        })?;
        let (text, unit) = match &value {
            Some(written) if written.self_describing && named.is_some() && column.is_none() => {
                (written.text.as_ref(), None)
            }
            Some(written) => (written.text.as_ref(), unit),
            None => ("", unit),
        };
        self.add(scope, metric, at, text, unit, here)
    }

    /// Reads a date and gives it its index among the distinct dates.
    fn date(&mut self, date: RowDate<'_>, here: Location) -> Result<Dated, MeasurementError> {
        let at = match date {
            RowDate::Text(text) => {
                if let Some((last, dated)) = &self.last_date
                    && last == text
                {
                    return Ok(*dated);
                }
                if let Some(&dated) = self.date_memo.get(text) {
                    remember(&mut self.last_date, text, dated);
                    return Ok(dated);
                }
                When::parse(text)
                    .map_err(|cause| MeasurementError::BadDate { at: self.shown(here), cause })?
            }
            RowDate::At(at) => at,
        };
        let dated = if let Some(&id) = self.date_indexes.get(&at) {
            Dated { at, id }
        } else {
            let id = u32::try_from(self.dates.len()).map_err(|_| MeasurementError::TooMany {
                what: "distinct dates",
                file: self.sources[here.file as usize].clone(),
            })?;
            self.dates.push(at);
            self.date_indexes.insert(at, id);
            Dated { at, id }
        };
        if let RowDate::Text(text) = date {
            if self.date_memo.len() < DATE_MEMO_LIMIT {
                self.date_memo.insert(text.into(), dated);
            }
            remember(&mut self.last_date, text, dated);
        }
        Ok(dated)
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
    fn resolve(&mut self, name: &str) -> Result<Resolved, UnknownMetric> {
        let slot = &mut self.next_name[self.after];
        if let Some((guess, resolved)) = slot.as_ref()
            && guess == name
        {
            self.after = resolved.metric;
            return Ok(resolved.clone());
        }
        let resolved = if let Some(resolved) = self.names.get(name) {
            resolved.clone()
        } else {
            let (metric, unit) = self.catalog.resolve_with_unit(name)?;
            let resolved = Resolved { metric, unit: unit.map(Box::from) };
            if self.names.len() < NAME_MEMO_LIMIT {
                self.names.insert(name.to_string(), resolved.clone());
            }
            resolved
        };
        match slot {
            Some((guess, guessed)) => {
                guess.clear();
                guess.push_str(name);
                guessed.clone_from(&resolved);
            }
            None => *slot = Some((name.to_string(), resolved.clone())),
        }
        self.after = resolved.metric;
        Ok(resolved)
    }

    /// Reads one row's value and leaves it pending for its series.
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
        let suffix = &mut self.suffixes[metric];
        let value = m.unit.parse_remembering(text, unit, suffix).map_err(|cause| {
            MeasurementError::BadValue { at: self.shown(here), metric: m.name.clone(), cause }
        })?;
        if let (Some(v), Some(range)) = (value, &m.range) {
            if !range.contains(v) {
                return Err(MeasurementError::OutOfRange {
                    at: self.shown(here),
                    metric: m.name.clone(),
                    value: m.unit.format(v),
                    range: range.in_words(m.unit).to_string(),
                });
            }
            // A bare number up to 1 for a share of a whole is most likely a fraction.
            let bare = unit.is_none()
                && m.unit.to_string() == "%"
                && text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            if bare && v <= 1.0 && v > 0.0 && self.noted[metric] != Some(here.file) {
                self.noted[metric] = Some(here.file);
                self.notes.push(format!(
                    "{}: `{}`: read as {text}%; write {} if you meant a fraction",
                    self.shown(here),
                    m.id,
                    m.unit.format(v * 100.0),
                ));
            }
        }
        self.any_value |= value.is_some();
        let visible = match (at, self.as_of) {
            (Some(at), Some(limit)) => at.at.not_after(limit),
            _ => true,
        };
        let too_many = |what| MeasurementError::TooMany {
            what,
            file: self.sources[here.file as usize].clone(),
        };
        let series = u32::try_from(index).map_err(|_| too_many("scopes"))?;
        self.pending.push(Pending {
            series,
            date: at.map_or(UNDATED, |d| d.id),
            value: value.unwrap_or(f64::NAN),
            line: here.line,
            order: u32::try_from(self.pending.len()).unwrap_or(u32::MAX),
            visible,
        });
        Ok(())
    }

    /// Adds the pending rows to their series, series by series and each series' rows in the order
    /// they came, refusing a second value for the same scope, metric and date. An undated row
    /// conflicts with any other row of its series at once, and so does a row on the date of one
    /// that came in date order; two rows out of order with the same date are found by
    /// [`OutOfOrder::first_repeat`] when the source ends.
    ///
    /// Of several errors, the one of the row that came first is reported, as it would be adding the
    /// rows one by one; rows after it leave no trace that could be reported instead.
    fn flush(&mut self) -> Result<(), MeasurementError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut self.pending);
        // A stable sort keeps each series' rows in the order they came, and merges the runs of
        // series in order that a file in date order is made of.
        pending.sort_by_key(|p| p.series);
        let metrics = self.catalog.metrics().len();
        let file = u32::try_from(self.sources.len() - 1).unwrap_or(u32::MAX);
        let mut first_error: Option<(u32, SeriesError)> = None;
        let mut loose = Vec::new();
        for p in &pending {
            if first_error.as_ref().is_some_and(|(order, _)| *order < p.order) {
                // Rows of this series after the error were never added.
                continue;
            }
            let here = Location { file, line: p.line };
            let index = p.series as usize;
            let (scope, metric) = (index / metrics, index % metrics);
            let dated = (p.date != UNDATED).then(|| self.dates[p.date as usize]);
            let series = &mut self.series[index];
            // Only an undated row, or a series with one, needs the first row: finding it reaches
            // for memory outside the series.
            let undated = series.undated.is_some() || dated.is_none();
            let error = if let Some(first) = undated.then(|| series.first()).flatten() {
                Some(SeriesError::Duplicate { scope, metric, at: dated, here, first })
            } else if let Some(at) = dated {
                match series.seen.note(p.date, here) {
                    Order::Next => None,
                    Order::Repeat(first) => {
                        Some(SeriesError::Duplicate { scope, metric, at: Some(at), here, first })
                    }
                    Order::Before => {
                        loose.push((p.order, index, p.date, here));
                        None
                    }
                }
            } else {
                series.undated = Some(here);
                None
            };
            match error {
                Some(error) if first_error.as_ref().is_none_or(|(order, _)| p.order < *order) => {
                    first_error = Some((p.order, error));
                }
                None if p.visible => {
                    let value = (!p.value.is_nan()).then_some(p.value);
                    series.window.add(Observation { at: dated, value });
                }
                // A later error, or a row no evaluation at `--as-of` shows.
                Some(_) | None => {}
            }
        }
        // A row that does not fit the list of rows out of order ends the reading there: rows
        // after it are left out of the list, as if never read.
        let mut limit = first_error.as_ref().map_or(u32::MAX, |(order, _)| *order);
        if let Some((order, what)) = loose
            .iter()
            .filter_map(|&(order, index, _, here)| {
                OutOfOrder::refuses(index, here).map(|what| (order, what))
            })
            .min_by_key(|&(order, _)| order)
            .filter(|&(order, _)| order < limit)
        {
            limit = order;
            first_error = Some((order, SeriesError::TooMany(what)));
        }
        for (order, index, date, here) in loose {
            if order < limit {
                self.out_of_order.push(index, date, here).expect("the row fits: checked above");
            }
        }
        pending.clear();
        self.pending = pending;
        match first_error {
            None => Ok(()),
            Some((_, SeriesError::TooMany(what))) => {
                Err(MeasurementError::TooMany { what, file: self.sources[file as usize].clone() })
            }
            Some((_, SeriesError::Duplicate { scope, metric, at, here, first })) => {
                Err(self.duplicate(scope, metric, at, here, first))
            }
        }
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
            at: self.shown(here),
            metric: self.catalog.metrics()[metric].id.clone(),
            context,
            first: self.shown(first),
            fix,
        }
    }

    /// Notes about values read as written that may not mean what was meant (a likely fraction
    /// for a percentage), taken out of the store: the caller decides whether to show them.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// The dataset read; an error when no source held any value.
    pub fn finish(mut self) -> Result<Dataset, MeasurementError> {
        self.flush()?;
        if !self.any_value {
            let files = self.sources.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
            return Err(MeasurementError::NoMeasurements { files: files.join(", ") });
        }
        let metrics = self.catalog.metrics().len();
        // Each window is dropped as soon as it is copied out.
        let mut series = self.series.into_iter().map(|s| s.window.observations());
        let scopes = self
            .scopes
            .into_iter()
            .map(|name| ScopeData { name, series: series.by_ref().take(metrics).collect() })
            .collect();
        Ok(Dataset { scopes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::load_builtin;

    fn row<'a>(source: SourceId, metric: &'a str, value: &'a str) -> Row<'a> {
        Row { scope: None, metric, date: None, value, unit: None, source, line: 0 }
    }

    #[test]
    fn rows_from_a_source_without_lines_name_the_source_alone() {
        let catalog = load_builtin().unwrap();
        let mut store = Store::new(&catalog);
        let lcov = store.begin("lcov:coverage/lcov.info", Numbers::default()).unwrap();
        store.push(row(lcov, "code_coverage", "81.5")).unwrap();
        // A row is checked against its series when the source ends, or before an error.
        let again = store
            .push(row(lcov, "Code Coverage", "80"))
            .and_then(|()| store.end(Ok(())))
            .unwrap_err();
        assert_eq!(
            again.to_string(),
            "lcov:coverage/lcov.info: `code_coverage` is measured twice (first at lcov:coverage/lcov.info); keep one row per metric, or add a `date` column to keep a history"
        );
        let bad = store.push(row(lcov, "mttr", "soon")).unwrap_err();
        assert!(bad.to_string().starts_with("lcov:coverage/lcov.info: `Mean Time"), "{bad}");
    }

    #[test]
    fn a_date_given_as_a_value_is_the_same_check_in_as_the_same_date_written() {
        let catalog = load_builtin().unwrap();
        let mut store = Store::new(&catalog);
        let csv = store.begin("h.csv", Numbers::default()).unwrap();
        let written =
            Row { date: Some(RowDate::Text("2026-11-23")), line: 2, ..row(csv, "mttr", "5") };
        store.push(written).unwrap();
        store.end(Ok(())).unwrap();
        let git = store.begin("git:.", Numbers::default()).unwrap();
        let at = When::parse("2026-11-23").unwrap();
        let collected = Row { date: Some(RowDate::At(at)), ..row(git, "mttr", "6") };
        let err = store.push(collected).and_then(|()| store.end(Ok(()))).unwrap_err().to_string();
        assert!(
            err.starts_with("git:.: `mttr` is measured twice on 2026-11-23 (first at h.csv:2)"),
            "{err}"
        );
    }
}
