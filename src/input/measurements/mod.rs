//! Measurements in: every source of measured values turns its input into plain rows (scope, metric
//! name, date, value text, unit text and the row's origin) and pushes them into one [`Store`],
//! which owns what is the same for every source: names, scopes, dates, units, the duplicate check,
//! `--as-of` and the bounded windows evaluation reads. A source knows its format, never the store's
//! insides; the store knows rows, never a format.
//!
//! - [`csv`]: CSV files, long and wide, as people and spreadsheets write them.

pub mod csv;
mod lines;
mod seen;
mod store;

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::core::catalog::UnknownMetric;
use crate::core::history::DateError;
use crate::core::number::NumberError;
use crate::core::text::printable;
use crate::core::unit::QuantityError;

pub use store::Store;
pub(crate) use store::{Row, RowDate, SourceId};

/// Where measurements come from on the command line.
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

/// Where a row came from, as messages show it: `metrics.csv:14` for a line of a file, or the
/// source alone (`lcov:coverage/lcov.info`) for a source without lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The source's name, printable.
    pub source: String,
    /// The line the row starts on, for sources with lines.
    pub line: Option<u64>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.source),
            None => f.write_str(&self.source),
        }
    }
}

/// Why measurements could not be read. Every message names the source, and the line where there is
/// one; text from the input is shown printable (see [`printable`]), never raw.
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
        "{at}: the header has no `{column}` column (it has {found}); name the columns `metric` and `value`"
    )]
    MissingColumn { at: Origin, column: &'static str, found: String },
    #[error("{at}: column `{}` is not a metric{hint}", printable(.column))]
    UnknownColumn { at: Origin, column: String, hint: String },
    #[error(
        "{at}: columns `{}` and `{}` are the same metric `{metric}`; keep one",
        printable(.first),
        printable(.second)
    )]
    RepeatedColumn { at: Origin, first: String, second: String, metric: String },
    #[error("{at}: columns `{}` and `{}` both hold {role}; keep one", printable(.first), printable(.second))]
    DuplicateColumn { at: Origin, first: String, second: String, role: &'static str },
    #[error("{at}: column `{}`: {cause}", printable(.column))]
    ColumnUnit { at: Origin, column: String, cause: QuantityError },
    #[error("{at}: the header has {} problems; fix them all:\n  {}", .problems.len(), .problems.join("\n  "))]
    HeaderProblems { at: Origin, problems: Vec<String> },
    #[error(
        "{at}: column {column} has a value but no name in the header; name the column or clear it"
    )]
    UnnamedColumn { at: Origin, column: usize },
    #[error("{at}: a quote opens here and never closes; close it, or quote the whole field")]
    UnterminatedQuote { at: Origin },
    #[error(
        "{at}: a quoted field opens here and runs on over line {row}, which looks like a row; close the quote on this line"
    )]
    SwallowedRows { at: Origin, row: u64 },
    #[error("{at}: a row longer than {limit} MiB starts here; is this a CSV file of measurements?")]
    RowTooLong { at: Origin, limit: u64 },
    #[error("{at}: the metric name is blank; name the metric this value is for")]
    BlankMetric { at: Origin },
    #[error("{at}: the scope is blank; name the service or team, or drop the scope column")]
    BlankScope { at: Origin },
    #[error("{at}: {cause}")]
    UnknownMetric { at: Origin, cause: UnknownMetric },
    #[error("{at}: `{metric}`: {cause}")]
    BadValue { at: Origin, metric: String, cause: QuantityError },
    #[error(
        "{at}: `{metric}`: {value} is not a value it can take: it is {range}; check the value and its unit"
    )]
    OutOfRange { at: Origin, metric: String, value: String, range: String },
    #[error("{at}: `{metric}`: {cause}")]
    BadNumber { at: Origin, metric: String, cause: NumberError },
    #[error(
        "{at}: the metric name `{}` gives the unit `{}` but the unit column says `{}`; give the unit once",
        printable(.name),
        printable(.in_name),
        printable(.in_column)
    )]
    UnitTwice { at: Origin, name: String, in_name: String, in_column: String },
    #[error("{at}: {cause}")]
    BadDate { at: Origin, cause: DateError },
    #[error("{at}: `{metric}` is measured twice{context} (first at {first}); {fix}")]
    Duplicate { at: Origin, metric: String, context: String, first: Origin, fix: &'static str },
    #[error("{at}: the text is not valid UTF-8; save the file as UTF-8")]
    NotUtf8 { at: Origin },
    #[error(
        "{at}: the row has {found} fields but the header has {expected}; quote values that contain commas"
    )]
    Ragged { at: Origin, found: u64, expected: u64 },
    #[error("{file}: {cause}")]
    Csv { file: String, cause: ::csv::Error },
    #[error("{file}: more {what} than one run can tell apart; split the input into several runs")]
    TooMany { what: &'static str, file: String },
    #[error(
        "no measurements in {files}: every value is blank or there are no rows; fill in at least one value"
    )]
    NoMeasurements { files: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_shows_its_line_when_it_has_one() {
        let line = Origin { source: "m.csv".into(), line: Some(14) };
        let whole = Origin { source: "lcov:coverage/lcov.info".into(), line: None };
        assert_eq!(line.to_string(), "m.csv:14");
        assert_eq!(whole.to_string(), "lcov:coverage/lcov.info");
    }

    #[test]
    fn a_source_name_is_printable() {
        let file = Source::from_arg("in\u{1b}[2J\n.csv").display_name();
        assert_eq!(file, "in\\u{1b}[2J\\n.csv");
        assert_eq!(Source::from_arg("-"), Source::Stdin);
    }
}
