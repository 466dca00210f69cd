//! Measurements from CSV, as people, spreadsheets and `kpi collect` write them: finds the
//! delimiter (or honours Excel's `sep=` line), the `metric`, `value` and optional `unit`, `date`
//! and `scope` columns of a long file, or the metric columns of a wide one, and pushes each cell
//! as a row into the [`Store`], with its file and line. The only module that knows CSV.

use std::io::{self, Cursor, Read};

use super::lines::{Lines, MAX_ROW_BYTES, TextProblem};
use super::{MeasurementError, Origin, Row, RowDate, SourceId, Store};
use crate::core::catalog::Catalog;
use crate::core::history::When;
use crate::core::number::Numbers;
use crate::core::text::printable;
use crate::core::trim;

/// Delimiters a header may split on, in the order a tie is settled.
const DELIMITERS: &[u8] = b",;\t|";

/// What a column holds, for the columns kpi reads in a long file (and date and scope in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Metric,
    Value,
    Unit,
    Date,
    Scope,
}

impl Role {
    const ALL: [Role; 5] = [Role::Metric, Role::Value, Role::Unit, Role::Date, Role::Scope];

    /// The names of the column, any case; the second list counts only when no column has a name
    /// from the first.
    fn names(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Role::Metric => (&["metric"], &["metric name", "kpi", "measure", "name"]),
            Role::Value => (&["value"], &["measured", "actual", "result"]),
            Role::Unit => (&["unit"], &[]),
            Role::Date => {
                (&["date"], &["week", "week of", "check-in", "check in", "day", "period"])
            }
            Role::Scope => (&["scope", "service", "team"], &[]),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Role::Metric => "the metric",
            Role::Value => "the value",
            Role::Unit => "the unit",
            Role::Date => "the date",
            Role::Scope => "the scope",
        }
    }
}

/// Columns of notes that a wide file may carry beside its metrics.
const NOTE_COLUMNS: &[&str] = &["notes", "note", "comment", "comments", "owner", "link", "source"];

/// Where the values are in a row.
enum Layout {
    /// One row per measurement: `metric`, `value`, optional `unit`.
    Long { metric: usize, value: usize, unit: Option<usize> },
    /// One row per check-in, one column per metric; columns without a name must stay empty.
    Wide { columns: Vec<usize>, unnamed: Vec<usize> },
}

/// The columns of one input.
struct Header {
    layout: Layout,
    date: Option<usize>,
    scope: Option<usize>,
    fields: usize,
}

/// How a file is laid out before its header: an Excel `sep=` line, and the delimiter.
struct Dialect {
    delimiter: u8,
    /// Lines before the header that the csv reader does not see (the `sep=` line).
    skipped_lines: u64,
}

/// Reads one CSV input into `store`; `file` names it in messages.
pub fn read(
    store: &mut Store<'_>,
    reader: impl Read + Send,
    file: &str,
) -> Result<(), MeasurementError> {
    let mut reader = reader;
    let open = |cause| MeasurementError::Open { file: file.to_string(), cause };
    let prefix = first_lines(&mut reader).map_err(open)?;
    let (dialect, skip) = dialect(&prefix);
    let numbers = Numbers { decimal_comma: dialect.delimiter != b',' };
    let source = store.begin(file, numbers)?;
    let text = Cursor::new(prefix).chain(reader);
    let mut text = text;
    text.get_mut().0.set_position(skip as u64);
    let read = read_rows(store, text, &dialect, source);
    store.end(read)
}

/// The start of the input, up to and including its second line break (or the end, or the longest
/// row kpi reads): enough to see a `sep=` line and the header.
fn first_lines(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::new();
    let mut chunk = [0; 8192];
    while memchr::memchr2_iter(b'\n', b'\r', &prefix).count() < 2
        && (prefix.len() as u64) <= MAX_ROW_BYTES
    {
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        prefix.extend_from_slice(&chunk[..n]);
    }
    Ok(prefix)
}

/// The delimiter, and how many bytes of `prefix` to skip (an Excel `sep=X` line, with the byte
/// order mark before it).
fn dialect(prefix: &[u8]) -> (Dialect, usize) {
    let bom = if prefix.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let first_end =
        memchr::memchr2(b'\n', b'\r', &prefix[bom..]).map_or(prefix.len(), |at| bom + at);
    let first = &prefix[bom..first_end];
    let sep = first.strip_prefix(b"sep=").or_else(|| first.strip_prefix(b"SEP="));
    if let Some(&[delimiter]) = sep.map(<[u8]>::trim_ascii_end) {
        let mut skip = first_end;
        if prefix[skip..].starts_with(b"\r\n") {
            skip += 2;
        } else if skip < prefix.len() {
            skip += 1;
        }
        return (Dialect { delimiter, skipped_lines: 1 }, skip);
    }
    (Dialect { delimiter: header_delimiter(first), skipped_lines: 0 }, 0)
}

/// The delimiter a header line splits on: the one candidate that splits it, or of several, the
/// comma (as a comma file with a `;` in a column name was always read).
fn header_delimiter(line: &[u8]) -> u8 {
    let splits = |d: u8| {
        let mut quoted = false;
        line.iter().any(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == d && !quoted
        })
    };
    DELIMITERS.iter().copied().find(|&d| splits(d)).unwrap_or(b',')
}

fn read_rows(
    store: &mut Store<'_>,
    text: impl Read + Send,
    dialect: &Dialect,
    source: SourceId,
) -> Result<(), MeasurementError> {
    // Fields are trimmed where they are read: the csv crate's field trimming allocates a new
    // record for every row.
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .trim(::csv::Trim::Headers)
        .from_reader(Lines::new(text, dialect.delimiter));
    let skipped = dialect.skipped_lines;
    let header_record = match csv.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            return Err(csv_error(e, &|line| store.origin(source, line), csv.get_mut(), skipped));
        }
    };
    let header_line = line_of(header_record.position(), csv.get_mut()).max(1) + skipped;
    if csv.get_ref().problem() == Some(TextProblem::UnterminatedQuote) {
        return Err(MeasurementError::UnterminatedQuote { at: store.origin(source, header_line) });
    }
    let at = store.origin(source, header_line);
    let file = at.source.clone();
    let header = header(store.catalog(), &header_record, at, &file)?;

    let origin = |line: u64| Origin { source: file.clone(), line: (line > 0).then_some(line) };
    // The first batches' worth of records are read here: a small input is read before a second
    // thread could have started.
    let serial = if store.reading_threads() < 2 { usize::MAX } else { 8 * store.reading_batch() };
    let mut record = ::csv::StringRecord::new();
    for _ in 0..serial {
        let Some(found) = next_record(&mut csv, &mut record, skipped, &origin)? else {
            return Ok(());
        };
        push_record(store, &header, &header_record, &record, found, dialect.delimiter, source)?;
    }
    // One thread reads records while this one adds their rows to the store. Records go across
    // in order, in batches whose buffers come back to be filled again, and an error goes across
    // after the records before it: the rows are pushed, and errors found, in the order a single
    // thread finds them.
    let batch_records = store.reading_batch();
    std::thread::scope(|scope| {
        let (full, filled) = std::sync::mpsc::sync_channel::<Result<Batch, MeasurementError>>(4);
        let (empty, emptied) = std::sync::mpsc::channel::<Batch>();
        scope.spawn(move || {
            loop {
                let mut batch = emptied.try_recv().unwrap_or_default();
                batch.len = 0;
                let mut end = None;
                while batch.len < batch_records {
                    if batch.len == batch.records.len() {
                        batch.records.push((::csv::StringRecord::new(), Found::default()));
                    }
                    let (record, found) = &mut batch.records[batch.len];
                    match next_record(&mut csv, record, skipped, &origin) {
                        Ok(Some(next)) => {
                            *found = next;
                            batch.len += 1;
                        }
                        Ok(None) => {
                            end = Some(Ok(()));
                            break;
                        }
                        Err(err) => {
                            end = Some(Err(err));
                            break;
                        }
                    }
                }
                // A closed channel: the reader stopped at an error of its own.
                if full.send(Ok(batch)).is_err() {
                    return;
                }
                match end {
                    None => {}
                    Some(Ok(())) => return,
                    Some(Err(err)) => {
                        let _ = full.send(Err(err));
                        return;
                    }
                }
            }
        });
        for batch in filled {
            let batch = batch?;
            for (record, found) in &batch.records[..batch.len] {
                push_record(
                    store,
                    &header,
                    &header_record,
                    record,
                    *found,
                    dialect.delimiter,
                    source,
                )?;
            }
            // The reading thread may have ended: then the buffers are simply dropped.
            let _ = empty.send(batch);
        }
        Ok(())
    })
}

/// Records read, and the buffers of records to read into.
#[derive(Default)]
struct Batch {
    records: Vec<(::csv::StringRecord, Found)>,
    /// How many of `records` hold a record read.
    len: usize,
}

/// Where a record read starts, and whether a quoted field in it spans lines.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    line: u64,
    breaks: bool,
}

/// Reads the next record with text into `record`: `None` at the end of the input.
fn next_record<R: Read>(
    csv: &mut ::csv::Reader<Lines<R>>,
    record: &mut ::csv::StringRecord,
    skipped: u64,
    origin: &dyn Fn(u64) -> Origin,
) -> Result<Option<Found>, MeasurementError> {
    loop {
        match csv.read_record(record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(csv_error(e, origin, csv.get_mut(), skipped)),
        }
        if trim(record.as_slice()).is_empty() {
            continue;
        }
        let line = line_of(record.position(), csv.get_mut()) + skipped;
        let breaks = memchr::memchr2(b'\n', b'\r', record.as_slice().as_bytes()).is_some()
            || csv.get_ref().problem().is_some();
        if breaks && csv.get_ref().problem() == Some(TextProblem::UnterminatedQuote) {
            let fields = record.len().saturating_sub(1);
            let opened = line + (0..fields).map(|i| breaks_in(&record[i])).sum::<u64>();
            return Err(MeasurementError::UnterminatedQuote { at: origin(opened) });
        }
        return Ok(Some(Found { line, breaks }));
    }
}

/// Adds the rows of one record read.
fn push_record(
    store: &mut Store<'_>,
    header: &Header,
    header_record: &::csv::StringRecord,
    record: &::csv::StringRecord,
    found: Found,
    delimiter: u8,
    source: SourceId,
) -> Result<(), MeasurementError> {
    let line = found.line;
    if found.breaks {
        check_quoted_breaks(store, header, record, delimiter, source, line)?;
    }
    let field = |column: usize| record.get(column).map_or("", trim);
    let cell = Row {
        scope: header.scope.map(field),
        metric: "",
        date: header.date.map(|column| RowDate::Text(field(column))),
        value: "",
        unit: None,
        source,
        line,
    };
    match &header.layout {
        Layout::Long { metric, value, unit } => store.push(Row {
            metric: field(*metric),
            value: field(*value),
            unit: unit.map(field),
            ..cell
        }),
        Layout::Wide { columns, unnamed } => {
            if let Some(&column) = unnamed.iter().find(|&&c| !field(c).is_empty()) {
                return Err(MeasurementError::UnnamedColumn {
                    at: store.origin(source, line),
                    column: column + 1,
                });
            }
            for &column in columns {
                let metric = &header_record[column];
                store.push(Row { metric, value: field(column), ..cell })?;
            }
            Ok(())
        }
    }
}

/// Line breaks in a field: LF, CRLF or a lone CR each count once.
fn breaks_in(field: &str) -> u64 {
    let bytes = field.as_bytes();
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&at| !(bytes[at] == b'\n' && at > 0 && bytes[at - 1] == b'\r'))
        .count() as u64
}

/// A quoted field over several lines is a notes cell, unless a line inside it looks like a row of
/// the file: then a quote was left open and swallowed rows, which would silently drop them.
fn check_quoted_breaks(
    store: &Store<'_>,
    header: &Header,
    record: &::csv::StringRecord,
    delimiter: u8,
    source: SourceId,
    line: u64,
) -> Result<(), MeasurementError> {
    let mut opened = line;
    for field in record {
        for (row, text) in (opened + 1..).zip(line_starts(field).skip(1)) {
            if looks_like_row(store.catalog(), header, text, delimiter) {
                return Err(MeasurementError::SwallowedRows {
                    at: store.origin(source, opened),
                    row,
                });
            }
        }
        opened += breaks_in(field);
    }
    Ok(())
}

/// The lines of a field, split at LF, CRLF or a lone CR.
fn line_starts(field: &str) -> impl Iterator<Item = &str> {
    field.split('\n').flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// Whether `text` would read as a row of the file: as many fields as the header, and a metric
/// name (long files) or a date (wide files) where the header has them.
fn looks_like_row(catalog: &Catalog, header: &Header, text: &str, delimiter: u8) -> bool {
    let fields: Vec<&str> = text.split(char::from(delimiter)).map(trim).collect();
    if fields.len() != header.fields {
        return false;
    }
    match (&header.layout, header.date) {
        (Layout::Long { metric, .. }, _) => catalog.resolve_with_unit(fields[*metric]).is_ok(),
        (Layout::Wide { .. }, Some(date)) => When::parse(fields[date]).is_ok(),
        (Layout::Wide { .. }, None) => true,
    }
}

/// Works out the layout from the header row at `at`, reporting every problem of the header at
/// once.
fn header(
    catalog: &Catalog,
    header: &::csv::StringRecord,
    at: Origin,
    file: &str,
) -> Result<Header, MeasurementError> {
    if header.iter().all(str::is_empty) {
        return Err(MeasurementError::Empty { file: file.to_string() });
    }
    let mut problems = Vec::new();
    let mut found = [None; Role::ALL.len()];
    for (slot, role) in found.iter_mut().zip(Role::ALL) {
        let (names, fallbacks) = role.names();
        let is = |names: &[&str], h: &str| names.iter().any(|n| h.eq_ignore_ascii_case(n));
        let primary: Vec<usize> = (0..header.len()).filter(|&c| is(names, &header[c])).collect();
        let columns = if primary.is_empty() {
            (0..header.len()).filter(|&c| is(fallbacks, &header[c])).collect()
        } else {
            primary
        };
        if let [first, second, ..] = columns[..] {
            problems.push(MeasurementError::DuplicateColumn {
                at: at.clone(),
                first: header[first].to_string(),
                second: header[second].to_string(),
                role: role.describe(),
            });
        }
        *slot = columns.first().copied();
    }
    let [metric, value, unit, date, scope] = found;
    // Date aliases beside a `date` column (a week number) are not read, nor metrics.
    let date_aliases =
        |c: usize| Role::Date.names().1.iter().any(|n| header[c].eq_ignore_ascii_case(n));
    let missing = |name| MeasurementError::MissingColumn {
        at: at.clone(),
        column: name,
        found: header.iter().map(|h| format!("`{}`", printable(h))).collect::<Vec<_>>().join(", "),
    };
    let layout = match (metric, value) {
        (Some(metric), Some(value)) => Layout::Long { metric, value, unit },
        (Some(_), None) => return Err(first_of(problems, missing("value"))),
        (None, Some(_)) => return Err(first_of(problems, missing("metric"))),
        (None, None) => {
            let mut columns: Vec<(usize, usize)> = Vec::new();
            let mut unnamed = Vec::new();
            for (column, name) in header.iter().enumerate() {
                if Some(column) == date || Some(column) == scope || date_aliases(column) {
                    continue;
                }
                if name.is_empty() {
                    unnamed.push(column);
                    continue;
                }
                if NOTE_COLUMNS.iter().any(|n| name.eq_ignore_ascii_case(n)) {
                    continue;
                }
                match wide_column(catalog, name, &at) {
                    Err(problem) => problems.push(problem),
                    Ok(index) => match columns.iter().find(|(_, i)| *i == index) {
                        Some(&(other, _)) => problems.push(MeasurementError::RepeatedColumn {
                            at: at.clone(),
                            first: header[other].to_string(),
                            second: name.to_string(),
                            metric: catalog.metrics()[index].id.clone(),
                        }),
                        None => columns.push((column, index)),
                    },
                }
            }
            Layout::Wide {
                columns: columns.into_iter().map(|(column, _)| column).collect(),
                unnamed,
            }
        }
    };
    match problems.len() {
        0 => Ok(Header { layout, date, scope, fields: header.len() }),
        1 => Err(problems.remove(0)),
        _ => {
            let prefix = format!("{at}: ");
            let problems = problems
                .iter()
                .map(|p| {
                    p.to_string().strip_prefix(&prefix).map(str::to_string).unwrap_or_default()
                })
                .collect();
            Err(MeasurementError::HeaderProblems { at, problems })
        }
    }
}

/// The problems found so far, or `last` when there were none.
fn first_of(mut problems: Vec<MeasurementError>, last: MeasurementError) -> MeasurementError {
    if problems.is_empty() { last } else { problems.remove(0) }
}

/// The metric a wide file's column holds, with any unit in its name checked against the metric.
fn wide_column(catalog: &Catalog, name: &str, at: &Origin) -> Result<usize, MeasurementError> {
    let (index, unit) = catalog.resolve_with_unit(name).map_err(|e| {
        let hint = match e.suggestion {
            Some(id) => format!(" (did you mean `{id}`?)"),
            None => "; a wide file has `date`, optional `scope`, and one column per metric; a long file has `metric` and `value` columns".to_string(),
        };
        MeasurementError::UnknownColumn { at: at.clone(), column: name.to_string(), hint }
    })?;
    if let Some(unit) = unit {
        catalog.metrics()[index].unit.parse("1", Some(unit)).map_err(|cause| {
            MeasurementError::ColumnUnit { at: at.clone(), column: name.to_string(), cause }
        })?;
    }
    Ok(index)
}

/// The line a record starts on, from its position as the csv crate reports it.
fn line_of(position: Option<&::csv::Position>, lines: &mut Lines<impl Read>) -> u64 {
    position.map_or(0, |p| lines.line_of(p.byte(), p.line()))
}

fn csv_error(
    err: ::csv::Error,
    origin: &dyn Fn(u64) -> Origin,
    lines: &mut Lines<impl Read>,
    skipped: u64,
) -> MeasurementError {
    match (lines.problem(), err.kind()) {
        (Some(TextProblem::RowTooLong { line }), _) => MeasurementError::RowTooLong {
            at: origin(line + skipped),
            limit: MAX_ROW_BYTES / (1024 * 1024),
        },
        (Some(TextProblem::UnterminatedQuote), ::csv::ErrorKind::UnequalLengths { pos, .. }) => {
            MeasurementError::UnterminatedQuote {
                at: origin(line_of(pos.as_ref(), lines) + skipped),
            }
        }
        (_, ::csv::ErrorKind::Utf8 { pos, .. }) => {
            MeasurementError::NotUtf8 { at: origin(line_of(pos.as_ref(), lines).max(1) + skipped) }
        }
        (_, ::csv::ErrorKind::UnequalLengths { pos, expected_len, len }) => {
            MeasurementError::Ragged {
                at: origin(line_of(pos.as_ref(), lines) + skipped),
                found: *len,
                expected: *expected_len,
            }
        }
        _ => MeasurementError::Csv { file: origin(0).source, cause: err },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::history::{Dataset, When};
    use crate::input::catalog::load_builtin;

    fn read_data(text: &str) -> Result<Dataset, MeasurementError> {
        let catalog = load_builtin().unwrap();
        let mut c = Store::new(&catalog);
        read(&mut c, text.as_bytes(), "m.csv")?;
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
        let mut c = Store::new(&catalog);
        let e = read(&mut c, &b"metric,value\nmttr,5\nmttr\xff,6\n"[..], "m.csv").unwrap_err();
        assert_eq!(e.to_string(), "m.csv:3: the text is not valid UTF-8; save the file as UTF-8");
    }

    #[test]
    fn an_undated_row_conflicts_with_a_dated_one_of_its_metric_either_way() {
        let catalog = load_builtin().unwrap();
        let undated = &b"metric,value\nmttr,5\n"[..];
        let dated = &b"date,metric,value\n2026-01-05,MTTR,6\n"[..];
        let mut c = Store::new(&catalog);
        read(&mut c, undated, "u.csv").unwrap();
        assert_eq!(
            read(&mut c, dated, "d.csv").unwrap_err().to_string(),
            "d.csv:2: `mttr` is measured twice on 2026-01-05 (first at u.csv:2); keep one row per metric and date"
        );
        let mut c = Store::new(&catalog);
        read(&mut c, dated, "d.csv").unwrap();
        assert_eq!(
            read(&mut c, undated, "u.csv").unwrap_err().to_string(),
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
            let mut c = Store::new(&catalog);
            read(&mut c, history(60, order, (-1, 0)).as_bytes(), "h.csv").unwrap();
            assert_eq!(c.series.len(), 3 * 15);
            assert!(c.series.iter().all(|s| s.seen.runs() == 1), "order {n}");
            assert_eq!(c.out_of_order.len(), 0, "order {n}");
        }
        // A week one scope skipped changes the spacing of every series once: two runs each, not one
        // a row. The row filled in at the end of the file is out of order.
        let mut c = Store::new(&catalog);
        let text = history(60, orders[0], (30, 1)) + &format!("{},s1,mttr,1\n", week(30));
        read(&mut c, text.as_bytes(), "h.csv").unwrap();
        let runs: Vec<usize> = c.series.iter().map(|s| s.seen.runs()).collect();
        assert!(runs.iter().all(|&r| r == 2), "{runs:?}");
        assert_eq!(c.out_of_order.len(), 1);
    }

    #[test]
    fn a_quote_that_never_closes_is_an_error_at_the_line_it_opens() {
        let text = "metric,value,notes\nresponse_time,185ms,\"oops\nerror_rate,5%,\nmttr,5h,\n";
        assert_eq!(
            err(text),
            "m.csv:2: a quote opens here and never closes; close it, or quote the whole field"
        );
        // In the value column the row is short of fields too: the quote is still what is wrong.
        let short = "metric,value,notes\nmttr,5,x\nerror_rate,\"5%\n";
        assert!(
            err(short).starts_with("m.csv:3: a quote opens here and never closes"),
            "{}",
            err(short)
        );
        let header = "metric,value,\"notes\n";
        assert!(err(header).starts_with("m.csv:1: a quote opens here"), "{}", err(header));
    }

    #[test]
    fn a_quoted_field_that_swallows_rows_is_an_error_but_a_notes_cell_over_lines_reads() {
        let text = "metric,value,notes\nresponse_time,185ms,\"oops\nerror_rate,5%,\nmttr,5h,\"\n";
        assert_eq!(
            err(text),
            "m.csv:2: a quoted field opens here and runs on over line 3, which looks like a row; close the quote on this line"
        );
        let wide = "date,mttr,notes\n2026-11-02,5,\"two\r\n2026-11-09,6,\"\n";
        assert!(read_data(wide).unwrap_err().to_string().starts_with("m.csv:2: a quoted field"));
        let notes = "metric,value,notes\nmttr,5,\"two\nlines, and a comma\"\nerror_rate,1,\n";
        assert_eq!(read_str(notes).unwrap()[12], Some(5.0));
        // The line after a notes cell over three lines is counted right.
        let after = "metric,value,notes\nmttr,5,\"a\nb\nc\"\nerror_rate,fast,\n";
        assert!(err(after).starts_with("m.csv:5: `Error Rate`"), "{}", err(after));
    }

    #[test]
    fn a_column_kpi_reads_given_twice_by_any_of_its_names_is_an_error_naming_both() {
        assert_eq!(
            err("metric,value,value\nmttr,5,6\n"),
            "m.csv:1: columns `value` and `value` both hold the value; keep one"
        );
        assert!(
            err("metric,value,Value\nmttr,5,6\n")
                .contains("`value` and `Value` both hold the value")
        );
        assert!(
            err("scope,metric,value,service\napi,mttr,5,web\n")
                .contains("`scope` and `service` both hold the scope")
        );
        assert!(
            err("KPI,Name,value\nmttr,x,5\n").contains("`KPI` and `Name` both hold the metric")
        );
        assert!(err("date,DATE,mttr\n2026-11-02,2026-11-02,5\n").contains("both hold the date"));
    }

    #[test]
    fn a_row_longer_than_the_limit_stops_in_constant_memory_naming_its_line() {
        let zeros = io::repeat(0).take(3 * MAX_ROW_BYTES);
        let catalog = load_builtin().unwrap();
        let mut store = Store::new(&catalog);
        assert_eq!(
            read(&mut store, zeros, "/dev/zero").unwrap_err().to_string(),
            "/dev/zero:1: a row longer than 1 MiB starts here; is this a CSV file of measurements?"
        );
        let field = "x".repeat(usize::try_from(MAX_ROW_BYTES).unwrap() + 10);
        let text = format!("metric,value,notes\nmttr,5,\n\nerror_rate,1,\"{field}\"\n");
        assert!(
            err(&text).starts_with("m.csv:4: a row longer than 1 MiB"),
            "{}",
            &err(&text)[..80]
        );
    }

    #[test]
    fn the_delimiter_comes_from_the_header_or_an_excel_sep_line() {
        let plain =
            read_data("date,metric,value\n2026-11-02,mttr,5.5\n2026-11-02,error_rate,0.4%\n")
                .unwrap();
        for text in [
            "date;metric;value\n2026-11-02;mttr;5,5\n2026-11-02;error_rate;0,4%\n",
            "sep=;\r\ndate;metric;value\r\n2026-11-02;mttr;5,5\r\n2026-11-02;error_rate;0,4%\r\n",
            "\u{feff}sep=;\ndate;metric;value\n2026-11-02;mttr;5,5\n2026-11-02;error_rate;0,4%\n",
            "date\tmetric\tvalue\n2026-11-02\tmttr\t5,5\n2026-11-02\terror_rate\t0,4 %\n",
            "date|metric|value\n2026-11-02|mttr|5.5\n2026-11-02|error_rate|0.4\n",
            "sep=,\ndate,metric,value\n2026-11-02,mttr,5.5\n2026-11-02,error_rate,0.4%\n",
        ] {
            assert_eq!(read_data(text).unwrap(), plain, "{text:?}");
        }
        // Lines after a `sep=` line keep their numbers.
        assert!(err("sep=;\nmetric;value\nmttr;soon\n").starts_with("m.csv:3: `Mean Time"));
        // A comma in a column name of a `;` file is not a delimiter when `,` splits too... the
        // comma wins, as such files were always read.
        assert!(read_data("metric,value,notes; more\nmttr,5,x\n").is_ok());
    }

    #[test]
    fn numbers_as_spreadsheets_write_them_read_at_their_size() {
        let values =
            read_str("metric,value\nrps,\"1,200\"\nmttr,1:30:00\nresponse_time,\"1,200.5ms\"\n")
                .unwrap();
        assert_eq!(values[2], Some(1200.0));
        assert_eq!(values[12], Some(90.0));
        assert_eq!(values[0], Some(1200.5));
        assert_eq!(read_str("metric;value\nrps;1.200,5\nmttr;PT1H30M\n").unwrap()[2], Some(1200.5));
        assert!(err("metric;value\nrps;1.200\n").contains("could be 1.2"));
        assert!(err("metric,value\nrps,\"1,20\"\n").contains("as in `1.20`"));
    }

    #[test]
    fn words_for_no_data_are_blank_cells() {
        let values = read_str("metric,value\nmttr,N/A\nerror_rate,-\nrps,none\ncpu,12\n").unwrap();
        assert_eq!(values[12], None);
        assert_eq!(values[1], None);
        assert_eq!(values[2], None);
        assert_eq!(values[3], Some(12.0));
    }

    #[test]
    fn headers_as_people_write_them() {
        let plain = read_data(
            "date,metric,value\n2026-11-02,response_time,185\n2026-11-02,mttr,90\n2026-11-02,code_coverage,81\n2026-11-02,deployment_frequency,2\n",
        )
        .unwrap();
        let wide = "Week of,Response Time (ms),MTTR (h),Code Coverage %,Deploys/week,Notes,,\n\
            2026-11-02,185,1.5,81,14,quiet week,,\n";
        assert_eq!(read_data(wide).unwrap(), plain);
        let long = "Check-in,KPI,Result\n2026-11-02,Response Time (ms),185\n2026-11-02,MTTR (h),1.5\n\
            2026-11-02,Code Coverage %,81\n2026-11-02,Deploys/week,14\n";
        assert_eq!(read_data(long).unwrap(), plain);
        // Beside a `date` column, a week number is not read.
        let with_week = "date,Week,Response Time (ms),mttr,code_coverage,deployment_frequency\n2026-11-02,45,185,90,81,2\n";
        assert_eq!(read_data(with_week).unwrap(), plain);
        assert_eq!(read_str("date,Response Time (s)\n2026-11-02,0.2\n").unwrap()[0], Some(200.0));
        assert_eq!(read_str("metric,value\nResponse Time [s],0.2\n").unwrap()[0], Some(200.0));
        assert_eq!(
            err("date,Error Rate (ms)\n2026-11-02,1\n"),
            "m.csv:1: column `Error Rate (ms)`: unit `ms` does not fit a metric measured in `%`; write a percentage such as `0.5%` or `0.5`"
        );
        assert!(
            err("date,,mttr\n2026-11-02,7,5\n")
                .starts_with("m.csv:2: column 2 has a value but no name")
        );
        assert!(
            err("metric,value,unit\nResponse Time (ms),0.2,s\n")
                .contains("gives the unit `ms` but the unit column says `s`")
        );
    }

    #[test]
    fn every_header_problem_is_reported_at_once() {
        let message = err(
            "date,respons_time,cpu,cpu_utilization,Error Rate (ms),bogus\n2026-11-02,1,2,3,4,5\n",
        );
        assert_eq!(
            message,
            "m.csv:1: the header has 4 problems; fix them all:\n  \
             column `respons_time` is not a metric (did you mean `response_time`?)\n  \
             columns `cpu` and `cpu_utilization` are the same metric `cpu_utilisation`; keep one\n  \
             column `Error Rate (ms)`: unit `ms` does not fit a metric measured in `%`; write a percentage such as `0.5%` or `0.5`\n  \
             column `bogus` is not a metric; a wide file has `date`, optional `scope`, and one column per metric; a long file has `metric` and `value` columns"
        );
    }

    #[test]
    fn duplicates_across_files_name_both() {
        let catalog = load_builtin().unwrap();
        let mut c = Store::new(&catalog);
        read(&mut c, &b"metric,value\nmttr,5\n"[..], "a.csv").unwrap();
        let e = read(&mut c, &b"metric,value\nMTTR,6\n"[..], "b.csv").unwrap_err();
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
    use crate::core::history::{Dataset, Observation, ScopeData, When};
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
                (prop::bool::ANY, option::weighted(0.8, 0..=100u16), prop::bool::weighted(0.005)),
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
            MeasurementError::Duplicate { at, first, .. } => {
                ("duplicate", format!("{at} first at {first}"))
            }
            MeasurementError::BadValue { at, .. } => ("bad value", at.to_string()),
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
            pending in prop_oneof![Just(usize::MAX), 1..40usize],
            batch in option::of(1..20usize),
        ) {
            let catalog = load_builtin().unwrap();
            let split = split.min(rows.len());
            let files: [(&str, &[Row]); 2] = [("a.csv", &rows[..split]), ("b.csv", &rows[split..])];
            let as_of = as_of.map(day);
            let collector = Store::new(&catalog).as_of(as_of).pending_limit(pending);
            let mut collector = match batch {
                Some(records) => collector.threaded_batches(records),
                None => collector,
            };
            let read = files
                .iter()
                .try_for_each(|(name, rows)| read(&mut collector, csv(rows).as_bytes(), name))
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
        let read_with = |mut collector: Store<'_>| {
            inputs
                .iter()
                .enumerate()
                .try_for_each(|(i, bytes)| read(&mut collector, *bytes, &format!("in{i}.csv")))
                .and_then(|()| collector.finish())
        };
        let read = read_with(Store::new(&catalog));
        // Two threads handing over a record or two at a time, and a flush every few rows, read
        // the same, errors and all.
        for (batch, pending) in [(1, 1), (2, 3)] {
            let threaded =
                read_with(Store::new(&catalog).threaded_batches(batch).pending_limit(pending));
            match (&read, &threaded) {
                (Ok(one), Ok(two)) => assert_eq!(one, two),
                (Err(one), Err(two)) => assert_eq!(one.to_string(), two.to_string()),
                (one, two) => panic!("one thread: {one:?}; two: {two:?}"),
            }
        }
        match read {
            Ok(data) => {
                let policy = GatePolicy { fail_on: FailOn::Warn, require_all: true };
                let card = evaluate(&catalog, &data, None, policy);
                for format in Format::ALL {
                    render::render(
                        format,
                        &card,
                        Style { color: true, width: Some(60), compact: false, threads: 1 },
                    );
                }
                render::report::render(&card, &["mttr".to_string()]);
            }
            Err(err) => {
                // One line, or a first line and indented lines under it (every header problem).
                let message = err.to_string();
                let mut lines = message.split('\n');
                assert!(lines.next().is_some_and(|l| !l.is_empty()), "{message:?}");
                assert!(lines.all(|l| l.starts_with("  ") && l.len() > 2), "{message:?}");
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
            let mut collector = Store::new(&catalog);
            let err = read(&mut collector, text.as_bytes(), "m.csv").unwrap_err();
            prop_assert!(
                matches!(&err, MeasurementError::BadValue { at, .. } if at.line == Some(line)),
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
