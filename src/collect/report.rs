//! Reading a tool's report file for a collector: the text, JSON with the line and column of a
//! syntax error, and errors that name the file. It knows no report format; each collector's
//! module does.

use std::path::Path;

use super::CollectError;

/// Reports larger than this are refused before reading: a SARIF file of a large monorepo is tens
/// of MiB, and a path to a disk image or `/dev/zero` should not be read to the end.
pub const MAX_REPORT_BYTES: u64 = 512 * 1024 * 1024;

/// A problem in a report's text, at a line when one is known; [`ReportError::in_file`] names the
/// file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReportError {
    /// The 1-based line of the report the problem is on.
    pub line: Option<usize>,
    /// What is wrong and what to do, without the file.
    pub message: String,
}

impl ReportError {
    pub fn new(message: impl Into<String>) -> Self {
        ReportError { line: None, message: message.into() }
    }

    pub fn at(line: usize, message: impl Into<String>) -> Self {
        ReportError { line: Some(line), message: message.into() }
    }

    /// The one-line error of a collector: `FILE:LINE: message`.
    pub fn in_file(self, path: &Path) -> CollectError {
        let shown = shown(path);
        match self.line {
            Some(line) => CollectError::new(format!("{shown}:{line}: {}", self.message)),
            None => CollectError::new(format!("{shown}: {}", self.message)),
        }
    }
}

/// A path as messages show it, its control characters escaped.
pub fn shown(path: &Path) -> String {
    crate::core::text::printable(&path.display().to_string()).into_owned()
}

/// The text of a report, which must be UTF-8 and at most [`MAX_REPORT_BYTES`].
pub fn read(path: &Path, what: &str) -> Result<String, CollectError> {
    use std::io::Read;
    let shown = shown(path);
    let cannot = |e: std::io::Error| {
        CollectError::new(format!("cannot read `{shown}`: {e}; check the path of the {what}"))
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_REPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_REPORT_BYTES {
        return Err(CollectError::new(format!(
            "`{shown}` is larger than {} MiB; check that it is the {what}",
            MAX_REPORT_BYTES / (1024 * 1024)
        )));
    }
    // A byte order mark, as some Windows tools write, is not part of the report.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map_or(bytes.as_slice(), |b| b);
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        CollectError::new(format!("`{shown}` is not UTF-8 text; check that it is the {what}"))
    })
}

/// Parses JSON text, or says at which line and column it is broken.
pub fn json(text: &str, what: &str) -> Result<serde_json::Value, ReportError> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with " at line L column C", which the prefix already says.
        let full = e.to_string();
        let cause = full.split(" at line ").next().unwrap_or(&full);
        let message = format!(
            "not valid JSON at column {}: {cause}; pass the {what} as the tool wrote it",
            e.column()
        );
        if e.line() == 0 { ReportError::new(message) } else { ReportError::at(e.line(), message) }
    })
}

/// JSON documents made of the keys the collectors read, nested any which way, for properties
/// that every parser ends in readings or a one-line error, never a panic.
#[cfg(test)]
pub(crate) fn json_documents() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    const KEYS: &[&str] = &[
        "metrics",
        "data",
        "values",
        "http_req_duration",
        "http_req_failed",
        "http_reqs",
        "p(95)",
        "avg",
        "rate",
        "value",
        "count",
        "passes",
        "fails",
        "SUM",
        "Total",
        "code",
        "header",
        "error",
        "runs",
        "results",
        "level",
        "kind",
        "ruleIndex",
        "ruleId",
        "rule",
        "index",
        "toolComponent",
        "tool",
        "driver",
        "extensions",
        "rules",
        "defaultConfiguration",
        "suppressions",
        "status",
        "baselineState",
        "version",
        "type",
        "name",
        "lineno",
        "col_offset",
        "complexity",
        "classname",
        "methods",
        "closures",
        "src/a.py",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop::sample::select(KEYS).prop_map(serde_json::Value::from),
        prop::sample::select(
            &["error", "warning", "note", "none", "fail", "pass", "2.1.0", "function", "method"][..]
        )
        .prop_map(serde_json::Value::from),
        "[\\PC\\n]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                serde_json::Value::Object(
                    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                )
            }),
        ]
    })
    .prop_map(|value| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_error_names_the_line_and_column_once() {
        let error = json("{\n  \"a\": 1,\n  oops\n}", "k6 summary").unwrap_err();
        assert_eq!(error.line, Some(3));
        assert_eq!(
            error.in_file(Path::new("summary.json")).message,
            "summary.json:3: not valid JSON at column 3: key must be a string; pass the k6 summary as the tool wrote it"
        );
    }

    #[test]
    fn a_missing_report_says_to_check_the_path() {
        let error = read(Path::new("no/such/report.json"), "cloc report").unwrap_err();
        assert!(
            error.message.starts_with("cannot read `no/such/report.json`: ")
                && error.message.ends_with("; check the path of the cloc report"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.json");
        std::fs::write(&path, b"\xEF\xBB\xBF{}").unwrap();
        assert_eq!(read(&path, "report").unwrap(), "{}");
    }
}
