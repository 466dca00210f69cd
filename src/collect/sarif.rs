//! `sarif=PATH`: the bugs a static analyser found, from its SARIF 2.1.0 report, as a count for
//! `code_quality` (bugs per KLOC, with the lines of code from `loc`). It reads the report; it
//! does not run the analyser.
//!
//! A bug is a result, in any run of the report, whose level is one of the `levels` setting
//! (default `error` and `warning`). A result without a `level` takes, as SARIF 2.1.0 says
//! (§3.27.10), `none` when its `kind` is other than `fail`, else its rule's
//! `defaultConfiguration.level`, else `warning`. Results that are suppressed (a suppression whose
//! `status` is absent or `accepted`) or whose `baselineState` is `absent` (fixed since the
//! baseline) are not bugs. A run without a `results` list did not complete its analysis: that is
//! "not collected", never zero bugs.

use serde_json::Value;

use super::report::{self, ReportError};
use super::{CollectError, Collected, Fact, Kind, NotCollected, Request};

pub const KIND: Kind = Kind {
    name: "sarif",
    summary: "the bugs in a static analyser's SARIF 2.1.0 report (levels error and warning by default)",
    formats: &[],
    default_path: None,
    settings: &["levels"],
    collect,
    merge: None,
};

/// The levels SARIF 2.1.0 defines.
pub const LEVELS: &[&str] = &["error", "warning", "note", "none"];

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let levels = levels(request.settings.texts("levels"))?;
    let text = report::read(request.path, "SARIF report")?;
    let counted = count(&text, &levels).map_err(|e| e.in_file(request.path))?;
    let mut collected = Collected::default();
    match counted {
        Ok(bugs) => collected.facts.push((Fact::Bugs, bugs as f64)),
        Err(reason) => collected.missing.push(NotCollected { metric: "code_quality", reason }),
    }
    Ok(collected)
}

/// The `levels` setting, checked; `error` and `warning` when it is not set.
pub fn levels(setting: Option<&[String]>) -> Result<Vec<&'static str>, CollectError> {
    let Some(setting) = setting else { return Ok(vec!["error", "warning"]) };
    setting
        .iter()
        .map(|level| {
            let level = level.trim().to_ascii_lowercase();
            LEVELS.iter().copied().find(|known| *known == level).ok_or_else(|| {
                CollectError::new(format!(
                    "unknown SARIF level `{}` in `levels`; use error, warning, note or none",
                    crate::core::text::printable(&level)
                ))
            })
        })
        .collect()
}

/// The results of the counted levels in a SARIF report, or why they cannot be counted.
pub fn count(text: &str, levels: &[&str]) -> Result<Result<u64, String>, ReportError> {
    let root = report::json(text, "SARIF report")?;
    let not_sarif = || {
        ReportError::new(
            "not a SARIF report: it has no `runs` list; pass the analyser's SARIF 2.1.0 output",
        )
    };
    if let Some(version) = root.get("version").and_then(Value::as_str)
        && version != "2.1.0"
    {
        return Err(ReportError::new(format!(
            "SARIF version `{}`; kpi reads SARIF 2.1.0, so have the analyser write that",
            crate::core::text::printable(version)
        )));
    }
    let runs = root.get("runs").and_then(Value::as_array).ok_or_else(not_sarif)?;
    let mut bugs = 0;
    for (index, run) in runs.iter().enumerate() {
        let Some(results) = run.get("results").and_then(Value::as_array) else {
            let tool =
                run.pointer("/tool/driver/name").and_then(Value::as_str).unwrap_or("the analyser");
            return Ok(Err(format!(
                "run {} of the SARIF report (`{}`) has no `results` list, so its analysis did not complete; fix the analyser's run",
                index + 1,
                crate::core::text::printable(tool)
            )));
        };
        for result in results {
            if counts(result) && levels.contains(&level(result, run)) {
                bugs += 1;
            }
        }
    }
    Ok(Ok(bugs))
}

/// Whether a result stands: not suppressed, and not fixed since the baseline.
fn counts(result: &Value) -> bool {
    let suppressed = result.get("suppressions").and_then(Value::as_array).is_some_and(|list| {
        list.iter()
            .any(|s| matches!(s.get("status").and_then(Value::as_str), None | Some("accepted")))
    });
    let fixed = result.get("baselineState").and_then(Value::as_str) == Some("absent");
    !suppressed && !fixed
}

/// A result's level, with SARIF 2.1.0's defaults when it gives none.
fn level<'a>(result: &'a Value, run: &'a Value) -> &'a str {
    if let Some(level) = result.get("level").and_then(Value::as_str) {
        return level;
    }
    if result.get("kind").and_then(Value::as_str).is_some_and(|kind| kind != "fail") {
        return "none";
    }
    rule(result, run)
        .and_then(|rule| rule.pointer("/defaultConfiguration/level"))
        .and_then(Value::as_str)
        .unwrap_or("warning")
}

/// The rule a result names: by index or id, in the driver or in the extension it points to.
fn rule<'a>(result: &'a Value, run: &'a Value) -> Option<&'a Value> {
    let reference = result.get("rule");
    let component =
        match reference.and_then(|r| r.pointer("/toolComponent/index")).and_then(Value::as_u64) {
            Some(index) => run.pointer("/tool/extensions")?.get(usize::try_from(index).ok()?)?,
            None => run.pointer("/tool/driver")?,
        };
    let rules = component.get("rules")?.as_array()?;
    let index = reference
        .and_then(|r| r.get("index"))
        .or_else(|| result.get("ruleIndex"))
        .and_then(Value::as_u64);
    if let Some(rule) = index.and_then(|i| rules.get(usize::try_from(i).ok()?)) {
        return Some(rule);
    }
    let id = reference
        .and_then(|r| r.get("id"))
        .or_else(|| result.get("ruleId"))
        .and_then(Value::as_str)?;
    // A hierarchical id (`C2001/1`) names a sub-rule of the rule `C2001`.
    rules.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(id)).or_else(|| {
        let parent = id.split('/').next()?;
        rules.iter().find(|r| r.get("id").and_then(Value::as_str) == Some(parent))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &[&str] = &["error", "warning"];

    fn sarif(results: &str, rules: &str) -> String {
        format!(
            r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "t", "rules": [{rules}]}}}}, "results": [{results}]}}]}}"#
        )
    }

    #[test]
    fn errors_and_warnings_count_notes_do_not() {
        let text = sarif(
            r#"{"level": "error"}, {"level": "warning"}, {"level": "note"}, {"level": "none"}"#,
            "",
        );
        assert_eq!(count(&text, DEFAULT).unwrap(), Ok(2));
        assert_eq!(count(&text, &["error"]).unwrap(), Ok(1));
        assert_eq!(count(&text, &["error", "warning", "note"]).unwrap(), Ok(3));
    }

    #[test]
    fn a_result_without_a_level_takes_its_rules_default_else_warning() {
        let rules = r#"{"id": "R1", "defaultConfiguration": {"level": "note"}}, {"id": "R2", "defaultConfiguration": {"level": "error"}}, {"id": "R3"}"#;
        // R1 by index: note. R2 by id: error. R2/sub by its parent: error. R3: warning. No rule: warning.
        let results = r#"{"ruleIndex": 0}, {"ruleId": "R2"}, {"ruleId": "R2/sub"}, {"ruleId": "R3"}, {"ruleId": "X"}"#;
        assert_eq!(count(&sarif(results, rules), &["error"]).unwrap(), Ok(2));
        assert_eq!(count(&sarif(results, rules), &["warning"]).unwrap(), Ok(2));
        assert_eq!(count(&sarif(results, rules), &["note"]).unwrap(), Ok(1));
    }

    #[test]
    fn a_rule_in_an_extension_gives_its_default() {
        let text = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "codeql"},
            "extensions": [{"name": "pack", "rules": [{"id": "js/x", "defaultConfiguration": {"level": "note"}}]}]},
            "results": [{"rule": {"id": "js/x", "index": 0, "toolComponent": {"index": 0}}}]}]}"#;
        assert_eq!(count(text, &["note"]).unwrap(), Ok(1));
    }

    #[test]
    fn passes_suppressed_and_fixed_results_are_not_bugs() {
        let results = r#"{"kind": "pass"}, {"kind": "fail"}, {"level": "error", "suppressions": [{"kind": "inSource"}]},
            {"level": "error", "suppressions": [{"kind": "external", "status": "rejected"}]},
            {"level": "error", "baselineState": "absent"}, {"level": "error", "baselineState": "new"}"#;
        // The failing result without a level (warning), the rejected suppression and the new one.
        assert_eq!(count(&sarif(results, ""), DEFAULT).unwrap(), Ok(3));
    }

    #[test]
    fn runs_add_up_and_a_run_without_results_is_not_counted_as_zero() {
        let text = r#"{"version": "2.1.0", "runs": [{"results": [{"level": "error"}]}, {"results": [{}]}]}"#;
        assert_eq!(count(text, DEFAULT).unwrap(), Ok(2));
        let text = r#"{"version": "2.1.0", "runs": [{"results": []}, {"tool": {"driver": {"name": "lint"}}}]}"#;
        assert_eq!(
            count(text, DEFAULT).unwrap(),
            Err("run 2 of the SARIF report (`lint`) has no `results` list, so its analysis did not complete; fix the analyser's run".into())
        );
    }

    proptest::proptest! {
        #[test]
        fn any_json_reads_or_fails_in_one_line(text in crate::collect::report::json_documents()) {
            match count(&text, DEFAULT) {
                Ok(Err(reason)) => proptest::prop_assert!(!reason.contains('\n'), "{}", reason),
                Err(e) => proptest::prop_assert!(!e.message.contains('\n'), "{}", e.message),
                Ok(Ok(_)) => {}
            }
        }
    }

    #[test]
    fn other_files_and_versions_are_refused() {
        assert!(count("{}", DEFAULT).unwrap_err().message.starts_with("not a SARIF report"));
        assert_eq!(
            count(r#"{"version": "2.0.0", "runs": []}"#, DEFAULT).unwrap_err().message,
            "SARIF version `2.0.0`; kpi reads SARIF 2.1.0, so have the analyser write that"
        );
        let error = levels(Some(&["Error".to_string(), "fatal".to_string()])).unwrap_err();
        assert_eq!(
            error.message,
            "unknown SARIF level `fatal` in `levels`; use error, warning, note or none"
        );
        assert_eq!(levels(Some(&["Error".to_string()])).unwrap(), ["error"]);
    }
}
