//! llvm-cov's JSON export (`llvm-cov export -format=text`, with or without `-summary-only`):
//! `{"type": "llvm.coverage.json.export", "version": "2.0.1", "data": [{"files": [...],
//! "functions": [...], "totals": {"lines": {"count", "covered", "percent"}, "branches": {"count",
//! "covered", "notcovered", "percent"}, "functions", "instantiations", "regions"}}]}`.
//!
//! The totals are each export object's `totals.lines` and `totals.branches` (exports before
//! version 2.0.1, LLVM 12, have no branches), summed over the objects of `data` (one per
//! `llvm-cov export` run; there is one unless exports were joined).

use serde_json::Value;

use super::{CoverageError, Totals};

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let json: Value = serde_json::from_str(text).map_err(|e| {
        CoverageError::at(
            e.line(),
            format!(
                "not valid JSON ({e}); regenerate the export with `llvm-cov export -format=text`"
            ),
        )
    })?;
    let Some(data) = json.get("data").and_then(Value::as_array) else {
        return Err(CoverageError::new(
            "no `data` list, so this is not the output of `llvm-cov export -format=text`; name the right format",
        ));
    };
    let mut sum = Totals::default();
    for (i, export) in data.iter().enumerate() {
        let count = |kind: &str, field: &str, required: bool| -> Result<u64, CoverageError> {
            match export.get("totals").and_then(|t| t.get(kind)) {
                Some(counts) => counts.get(field).and_then(Value::as_u64).ok_or_else(|| {
                    CoverageError::new(format!(
                        "`data[{i}].totals.{kind}` has no count `{field}`; regenerate the export"
                    ))
                }),
                None if required => Err(CoverageError::new(format!(
                    "`data[{i}]` has no `totals.{kind}`; regenerate the export with `llvm-cov export -format=text`"
                ))),
                None => Ok(0),
            }
        };
        sum = sum
            + Totals {
                lines_covered: count("lines", "covered", true)?,
                lines_total: count("lines", "count", true)?,
                branches_covered: count("branches", "covered", false)?,
                branches_total: count("branches", "count", false)?,
            };
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_summed_over_the_exports() {
        let text = r#"{"type": "llvm.coverage.json.export", "version": "2.0.1", "data": [
            {"files": [], "totals": {"lines": {"count": 24, "covered": 18, "percent": 75},
                                     "branches": {"count": 8, "covered": 7, "notcovered": 1, "percent": 87.5}}},
            {"files": [], "totals": {"lines": {"count": 6, "covered": 0, "percent": 0}}}]}"#;
        let t = totals(text).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 18, lines_total: 30, branches_covered: 7, branches_total: 8 }
        );
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let errors: Vec<String> = [
            "{\n\"data\": [",
            r#"{"type": "llvm.coverage.json.export"}"#,
            r#"{"data": [{"totals": {}}]}"#,
            r#"{"data": [{"totals": {"lines": {"count": 3, "covered": 2.5}}}]}"#,
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
