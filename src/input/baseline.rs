//! Reading a baseline for regressions from the JSON of an earlier `kpi check --format json`. (A
//! measurements CSV as a baseline goes through the measurements reader instead.) Only the fields
//! a regression needs are read: each result's `id`, `scope`, `value` and `date`.

use serde::Deserialize;

use crate::core::history::When;
use crate::core::policy::{BaselinePoint, BaselineValues};
use crate::core::text::printable;

/// Why a baseline could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    #[error(
        "`--baseline` `{}`: line {line}, column {column}: {message}; give it the output of `kpi check --format json`, or a measurements CSV",
        printable(.file)
    )]
    NotAScorecard { file: String, line: usize, column: usize, message: String },
    #[error(
        "`--baseline` `{}` is a kpi JSON scorecard of version {found}, and this kpi reads version {expected}; make the baseline with this version of kpi",
        printable(.file)
    )]
    Version { file: String, found: u64, expected: u32 },
}

#[derive(Deserialize)]
struct Document {
    version: u64,
    results: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    id: String,
    scope: Option<String>,
    value: Option<f64>,
    date: Option<String>,
}

/// Whether `text` looks like JSON rather than CSV: it starts with `{`.
pub fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
}

/// Reads a JSON scorecard's values, by scope and metric id; results without a value are left out,
/// so a metric missing then is new now.
pub fn read_json(text: &str, file: &str) -> Result<BaselineValues, BaselineError> {
    let document: Document =
        serde_json::from_str(text).map_err(|e| BaselineError::NotAScorecard {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: printable(e.to_string().split(" at line ").next().unwrap_or_default())
                .into_owned(),
        })?;
    let expected = crate::render::json::VERSION;
    if document.version != u64::from(expected) {
        return Err(BaselineError::Version {
            file: file.to_string(),
            found: document.version,
            expected,
        });
    }
    let mut values = BaselineValues::default();
    for row in document.results {
        let Some(value) = row.value.filter(|v| v.is_finite()) else { continue };
        let date = row.date.as_deref().and_then(|d| When::parse(d).ok());
        values.insert(row.scope.as_deref(), &row.id, BaselinePoint { value, date });
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{json, sample};

    #[test]
    fn a_json_scorecard_gives_each_result_with_a_value() {
        let text = json::render(&sample::scorecard());
        assert!(is_json(&text));
        let values = read_json(&text, "main.json").unwrap();
        assert_eq!(values.len(), 14, "code complexity has no value");
        assert_eq!(values.get(None, "response_time").unwrap().value, 180.0);
        assert!(values.get(Some("api"), "response_time").is_none());
    }

    #[test]
    fn something_else_is_refused_with_its_place_and_what_to_give() {
        let err =
            read_json("{\"version\": 1, \"results\": [{\"id\": 3}]}", "main.json").unwrap_err();
        insta::assert_snapshot!(err.to_string(), @"`--baseline` `main.json`: line 1, column 35: invalid type: integer `3`, expected a string; give it the output of `kpi check --format json`, or a measurements CSV");
        let err = read_json("{\"version\": 9, \"results\": []}", "main.json").unwrap_err();
        insta::assert_snapshot!(err.to_string(), @"`--baseline` `main.json` is a kpi JSON scorecard of version 9, and this kpi reads version 1; make the baseline with this version of kpi");
        assert!(!is_json("metric,value\n"));
    }
}
