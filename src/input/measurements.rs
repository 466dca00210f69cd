//! Reading measured values from CSV. The only module that knows CSV: it finds the `metric`, `value`
//! and optional `unit` columns, resolves each metric name and converts each value to its metric's
//! unit, and reports bad input with the file and line.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;

use crate::core::catalog::{Catalog, UnknownMetric};
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
    #[error("{file}:{line}: the metric name is blank; name the metric this value is for")]
    BlankMetric { file: String, line: u64 },
    #[error("{file}:{line}: {cause}")]
    UnknownMetric { file: String, line: u64, cause: UnknownMetric },
    #[error("{file}:{line}: `{metric}`: {cause}")]
    BadValue { file: String, line: u64, metric: String, cause: QuantityError },
    #[error(
        "{file}:{line}: `{metric}` is measured twice (first at {first}); keep one row per metric"
    )]
    Duplicate { file: String, line: u64, metric: String, first: String },
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

/// Collects measurements from one or more CSV inputs into one value slot per catalog metric.
pub struct Collector<'c> {
    catalog: &'c Catalog,
    values: Vec<Option<f64>>,
    /// Where each metric was first seen, as `file:line`, to name both lines of a duplicate.
    seen: Vec<Option<String>>,
    files: Vec<String>,
}

/// Reads every source and merges their rows.
pub fn read(catalog: &Catalog, sources: &[Source]) -> Result<Vec<Option<f64>>, MeasurementError> {
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
        let n = catalog.metrics().len();
        Collector { catalog, values: vec![None; n], seen: vec![None; n], files: Vec::new() }
    }

    /// Reads one CSV input; `file` names it in errors.
    pub fn read_csv(&mut self, reader: impl Read, file: &str) -> Result<(), MeasurementError> {
        self.files.push(file.to_string());
        let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(reader);
        let header = csv.headers().map_err(|e| csv_error(e, file))?.clone();
        if header.iter().all(str::is_empty) {
            return Err(MeasurementError::Empty { file: file.to_string() });
        }
        let header_line = header.position().map_or(1, csv::Position::line);
        let column = |name: &'static str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let missing = |name| MeasurementError::MissingColumn {
            file: file.to_string(),
            line: header_line,
            column: name,
            found: header.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "),
        };
        let metric_col = column("metric").ok_or_else(|| missing("metric"))?;
        let value_col = column("value").ok_or_else(|| missing("value"))?;
        let unit_col = column("unit");

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
            let line = record.position().map_or(0, csv::Position::line);
            let name = &record[metric_col];
            if name.is_empty() {
                return Err(MeasurementError::BlankMetric { file: file.to_string(), line });
            }
            let index = self.catalog.resolve(name).map_err(|cause| {
                MeasurementError::UnknownMetric { file: file.to_string(), line, cause }
            })?;
            let metric = &self.catalog.metrics()[index];
            if let Some(first) = &self.seen[index] {
                return Err(MeasurementError::Duplicate {
                    file: file.to_string(),
                    line,
                    metric: metric.id.clone(),
                    first: first.clone(),
                });
            }
            self.seen[index] = Some(format!("{file}:{line}"));
            let unit = unit_col.map(|c| &record[c]);
            self.values[index] = metric.unit.parse(&record[value_col], unit).map_err(|cause| {
                MeasurementError::BadValue {
                    file: file.to_string(),
                    line,
                    metric: metric.name.clone(),
                    cause,
                }
            })?;
        }
        Ok(())
    }

    /// The values read, one per catalog metric; an error when no input held any value.
    pub fn finish(self) -> Result<Vec<Option<f64>>, MeasurementError> {
        if self.values.iter().all(Option::is_none) {
            let files = self.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
            return Err(MeasurementError::NoMeasurements { files: files.join(", ") });
        }
        Ok(self.values)
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

    fn read_str(text: &str) -> Result<Vec<Option<f64>>, MeasurementError> {
        let catalog = load_builtin().unwrap();
        let mut c = Collector::new(&catalog);
        c.read_csv(text.as_bytes(), "m.csv")?;
        c.finish()
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
