//! coverage.py's JSON report (`coverage json`): `meta`, `files`, and `totals` with
//! `covered_lines` and `num_statements` (statements run, and statements), and, when branches were
//! measured, `covered_branches` and `num_branches`.
//!
//! `totals.percent_covered` is not line coverage: with branch measurement on it is
//! (covered statements + covered branches) ÷ (statements + branches), so it is never used.

use serde_json::Value;

use super::{CoverageError, Totals};

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let json: Value = serde_json::from_str(text).map_err(|e| {
        CoverageError::at(
            e.line(),
            format!("not valid JSON ({e}); regenerate the report with `coverage json`"),
        )
    })?;
    let Some(totals) = json.get("totals").filter(|t| t.is_object()) else {
        return Err(CoverageError::new(
            "no `totals` object, so this is not the output of `coverage json`; name the right format",
        ));
    };
    let field = |name: &str, required: bool| -> Result<u64, CoverageError> {
        match totals.get(name) {
            Some(value) => value.as_u64().ok_or_else(|| {
                CoverageError::new(format!(
                    "`totals.{name}` is `{}`, not a count; regenerate the report",
                    crate::core::text::printable(&value.to_string())
                ))
            }),
            None if required => Err(CoverageError::new(format!(
                "`totals` has no `{name}`; regenerate the report with `coverage json` (coverage.py 5 or later)"
            ))),
            None => Ok(0),
        }
    };
    Ok(Totals {
        lines_covered: field("covered_lines", true)?,
        lines_total: field("num_statements", true)?,
        branches_covered: field("covered_branches", false)?,
        branches_total: field("num_branches", false)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_not_percent_covered_make_line_coverage() {
        // With branches measured, percent_covered is (8 + 1) / (10 + 4) = 64.3%, not 80%.
        let text = r#"{"meta": {"format": 3, "branch_coverage": true}, "files": {},
            "totals": {"covered_lines": 8, "num_statements": 10, "percent_covered": 64.28,
                       "num_branches": 4, "covered_branches": 1}}"#;
        let t = totals(text).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 8, lines_total: 10, branches_covered: 1, branches_total: 4 }
        );
    }

    #[test]
    fn a_report_without_branch_measurement_has_no_branches() {
        let text = r#"{"meta": {}, "files": {}, "totals": {"covered_lines": 1, "num_statements": 2, "percent_covered": 50.0}}"#;
        assert_eq!(totals(text).unwrap().branches_total, 0);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let errors: Vec<String> = [
            "{\n\"totals\": ",
            r#"{"meta": {}}"#,
            r#"{"totals": {"num_statements": 3}}"#,
            r#"{"totals": {"num_statements": 3, "covered_lines": -1}}"#,
        ]
        .iter()
        .map(|text| {
            let e = totals(text).unwrap_err();
            format!("{:?}: {e}", e.line)
        })
        .collect();
        insta::assert_snapshot!(errors.join("\n"));
    }
}
