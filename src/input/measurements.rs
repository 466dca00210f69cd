//! Reading measured values from CSV. The only module that knows CSV: it finds the `metric`, `value`
//! and optional `unit` columns, resolves each metric name and converts each value to its metric's
//! unit, and reports bad input with the file and line.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::core::catalog::{Catalog, UnknownMetric};
use crate::core::history::{Dataset, DateError, Observation, ScopeData, When};
use crate::core::unit::QuantityError;

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

    /// How the source is named in messages.
    pub fn display_name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(path) => path.display().to_string(),
        }
    }
}

/// Why measurements could not be read. Every message names the file, and the line where there is one.
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
    #[error("{file}:{line}: column `{column}` is not a metric{hint}")]
    UnknownColumn { file: String, line: u64, column: String, hint: String },
    #[error(
        "{file}:{line}: columns `{first}` and `{second}` are the same metric `{metric}`; keep one"
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
    #[error(
        "no measurements in {files}: every value is blank or there are no rows; fill in at least one value"
    )]
    NoMeasurements { files: String },
}

/// Column names accepted for the scope.
const SCOPE_COLUMNS: &[&str] = &["scope", "service", "team"];

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

/// Where a row came from: index into the collector's file names, and the line.
#[derive(Clone, Copy)]
struct Location {
    file: usize,
    line: u64,
}

/// Collects measurements from one or more CSV inputs into a dataset of series per scope and metric.
pub struct Collector<'c> {
    catalog: &'c Catalog,
    scopes: Vec<Option<String>>,
    /// Per scope, per metric: the observations and where each was read.
    series: Vec<Vec<Vec<(Observation, Location)>>>,
    files: Vec<String>,
}

/// Reads every source and merges their rows.
pub fn read(catalog: &Catalog, sources: &[Source]) -> Result<Dataset, MeasurementError> {
    let mut collector = Collector::new(catalog);
    for source in sources {
        let file = source.display_name();
        match source {
            Source::Stdin => collector.read_csv(io::stdin().lock(), &file)?,
            Source::File(path) => {
                let reader = File::open(path).map_err(|cause| {
                    if cause.kind() == io::ErrorKind::NotFound {
                        MeasurementError::NotFound { file: file.clone() }
                    } else {
                        MeasurementError::Open { file: file.clone(), cause }
                    }
                })?;
                collector.read_csv(reader, &file)?;
            }
        }
    }
    collector.finish()
}

impl<'c> Collector<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Collector { catalog, scopes: Vec::new(), series: Vec::new(), files: Vec::new() }
    }

    /// Reads one CSV input; `file` names it in errors.
    pub fn read_csv(&mut self, reader: impl Read, file: &str) -> Result<(), MeasurementError> {
        self.files.push(file.to_string());
        let file_index = self.files.len() - 1;
        let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
        let header_record = csv.headers().map_err(|e| csv_error(e, file))?.clone();
        let header = self.header(&header_record, file)?;

        let mut record = csv::StringRecord::new();
        loop {
            match csv.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(e, file)),
            }
            if record.iter().all(str::is_empty) {
                continue;
            }
            let here = Location {
                file: file_index,
                line: record.position().map_or(0, csv::Position::line),
            };
            let at_error = |cause| MeasurementError::BadDate {
                file: file.to_string(),
                line: here.line,
                cause,
            };
            let at = header.date.map(|c| When::parse(&record[c]).map_err(at_error)).transpose()?;
            let scope = match header.scope {
                Some(c) if record[c].is_empty() => {
                    return Err(MeasurementError::BlankScope {
                        file: file.to_string(),
                        line: here.line,
                    });
                }
                Some(c) => self.scope_index(Some(&record[c])),
                None => self.scope_index(None),
            };
            match &header.layout {
                Layout::Long { metric, value, unit } => {
                    let name = &record[*metric];
                    if name.is_empty() {
                        return Err(MeasurementError::BlankMetric {
                            file: file.to_string(),
                            line: here.line,
                        });
                    }
                    let index = self.catalog.resolve(name).map_err(|cause| {
                        MeasurementError::UnknownMetric {
                            file: file.to_string(),
                            line: here.line,
                            cause,
                        }
                    })?;
                    let unit = unit.map(|c| &record[c]);
                    self.add(scope, index, at, &record[*value], unit, here)?;
                }
                Layout::Wide { columns } => {
                    for &(column, index) in columns {
                        self.add(scope, index, at, &record[column], None, here)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Works out the layout from the header row.
    fn header(&self, header: &csv::StringRecord, file: &str) -> Result<Header, MeasurementError> {
        if header.iter().all(str::is_empty) {
            return Err(MeasurementError::Empty { file: file.to_string() });
        }
        let line = header.position().map_or(1, csv::Position::line);
        let find = |names: &[&str]| {
            header.iter().position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let date = find(&["date"]);
        let scope = find(SCOPE_COLUMNS);
        let missing = |name| MeasurementError::MissingColumn {
            file: file.to_string(),
            line,
            column: name,
            found: header.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "),
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

    fn scope_index(&mut self, name: Option<&str>) -> usize {
        if let Some(i) = self.scopes.iter().position(|s| s.as_deref() == name) {
            return i;
        }
        self.scopes.push(name.map(str::to_string));
        self.series.push(vec![Vec::new(); self.catalog.metrics().len()]);
        self.scopes.len() - 1
    }

    /// Adds one value to its series, refusing a second value for the same scope, metric and date.
    fn add(
        &mut self,
        scope: usize,
        metric: usize,
        at: Option<When>,
        text: &str,
        unit: Option<&str>,
        here: Location,
    ) -> Result<(), MeasurementError> {
        let m = &self.catalog.metrics()[metric];
        let series = &mut self.series[scope][metric];
        if let Some((_, place)) =
            series.iter().find(|(o, _)| o.at.is_none() || at.is_none() || o.at == at)
        {
            let scope_part = self.scopes[scope]
                .as_ref()
                .map(|n| format!(" for scope `{n}`"))
                .unwrap_or_default();
            let (context, fix) = match at {
                Some(at) => (format!("{scope_part} on {at}"), "keep one row per metric and date"),
                None => (
                    scope_part,
                    "keep one row per metric, or add a `date` column to keep a history",
                ),
            };
            return Err(MeasurementError::Duplicate {
                file: self.files[here.file].clone(),
                line: here.line,
                metric: m.id.clone(),
                context,
                first: format!("{}:{}", self.files[place.file], place.line),
                fix,
            });
        }
        let value = m.unit.parse(text, unit).map_err(|cause| MeasurementError::BadValue {
            file: self.files[here.file].clone(),
            line: here.line,
            metric: m.name.clone(),
            cause,
        })?;
        series.push((Observation { at, value }, here));
        Ok(())
    }

    /// The dataset read; an error when no input held any value.
    pub fn finish(self) -> Result<Dataset, MeasurementError> {
        let any_value = self.series.iter().flatten().flatten().any(|(o, _)| o.value.is_some());
        if !any_value {
            let files = self.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
            return Err(MeasurementError::NoMeasurements { files: files.join(", ") });
        }
        let scopes = self
            .scopes
            .into_iter()
            .zip(self.series)
            .map(|(name, series)| ScopeData {
                name,
                series: series
                    .into_iter()
                    .map(|s| s.into_iter().map(|(o, _)| o).collect())
                    .collect(),
            })
            .collect();
        Ok(Dataset { scopes })
    }
}

fn csv_error(err: csv::Error, file: &str) -> MeasurementError {
    let file = file.to_string();
    match err.kind() {
        csv::ErrorKind::Utf8 { pos, .. } => {
            MeasurementError::NotUtf8 { file, line: pos.as_ref().map_or(1, csv::Position::line) }
        }
        csv::ErrorKind::UnequalLengths { pos, expected_len, len } => MeasurementError::Ragged {
            file,
            line: pos.as_ref().map_or(0, csv::Position::line),
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
    fn duplicates_across_files_name_both() {
        let catalog = load_builtin().unwrap();
        let mut c = Collector::new(&catalog);
        c.read_csv(&b"metric,value\nmttr,5\n"[..], "a.csv").unwrap();
        let e = c.read_csv(&b"metric,value\nMTTR,6\n"[..], "b.csv").unwrap_err();
        assert!(e.to_string().starts_with("b.csv:2: `mttr` is measured twice (first at a.csv:2)"));
    }
}
