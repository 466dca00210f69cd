//! End-to-end tests of weekly check-ins: history, wide files, scopes, `--as-of` and `kpi report`,
//! through the real binary on the shipped examples.

use insta_cmd::assert_cmd_snapshot;

mod common;
use common::kpi;

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let out = kpi(&all).output().unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A result by metric id (and scope), from a JSON scorecard.
fn result<'a>(doc: &'a serde_json::Value, id: &str, scope: Option<&str>) -> &'a serde_json::Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id && r["scope"].as_str() == scope)
        .unwrap()
}

#[test]
fn table_with_history_shows_trends_and_sparklines() {
    assert_cmd_snapshot!(kpi(&["check", "examples/weekly-history.csv"]));
}

#[test]
fn table_for_several_services_starts_with_the_rollup() {
    assert_cmd_snapshot!(kpi(&["check", "examples/services.csv"]));
}

#[test]
fn report_for_a_twelve_week_history_with_a_chart() {
    assert_cmd_snapshot!(kpi(&["report", "examples/weekly-history.csv", "--chart", "MTTR"]));
}

#[test]
fn report_for_several_services() {
    assert_cmd_snapshot!(kpi(&["report", "examples/services.csv"]));
}

#[test]
fn long_and_wide_files_give_the_same_results() {
    let long = json(&["examples/weekly-history.csv"]);
    let wide = json(&["examples/weekly-history-wide.csv"]);
    assert_eq!(long, wide);
    assert_eq!(long["results"][0]["history"].as_array().unwrap().len(), 12);
}

#[test]
fn json_carries_trend_previous_change_history_and_scope() {
    let doc = json(&["examples/weekly-history.csv"]);
    let mttr = result(&doc, "mttr", None);
    assert_eq!(mttr["value"], 52.0);
    assert_eq!(mttr["previous"], 62.0);
    assert_eq!(mttr["change"], -10.0);
    assert_eq!(mttr["trend"], "improving");
    assert_eq!(mttr["previous_status"], "warn");
    assert_eq!(mttr["status"], "pass");
    assert_eq!(mttr["history"][11]["date"], "2026-11-23");
    let cpu = result(&doc, "cpu_utilisation", None);
    assert_eq!((cpu["trend"].as_str(), cpu["status"].as_str()), (Some("worsening"), Some("warn")));
    let rounds = result(&doc, "code_review_rounds", None);
    assert_eq!(rounds["stale"], true);
    assert_eq!(rounds["date"], "2026-11-16");

    let services = json(&["examples/services.csv"]);
    assert_eq!(result(&services, "response_time", Some("payments"))["status"], "fail");
    assert_eq!(result(&services, "response_time", Some("api"))["status"], "pass");
    assert_eq!(services["scopes"].as_array().unwrap().len(), 3);
}

#[test]
fn as_of_before_between_and_after_check_ins() {
    let mut before = kpi(&["check", "--as-of", "2026-09-01", "examples/weekly-history.csv"]);
    assert_cmd_snapshot!("as_of_before_the_first_check_in", before);

    let between = json(&["--as-of", "2026-11-18", "examples/weekly-history.csv"]);
    let mttr = result(&between, "mttr", None);
    assert_eq!((mttr["value"].as_f64(), mttr["previous"].as_f64()), (Some(62.0), Some(65.0)));
    assert_eq!(between["scopes"][0]["checked_at"], "2026-11-16");
    assert_eq!(between["as_of"], "2026-11-18");

    let mut after = json(&["--as-of", "2027-01-01", "examples/weekly-history.csv"]);
    let latest = json(&["examples/weekly-history.csv"]);
    after["as_of"] = serde_json::Value::Null;
    assert_eq!(after, latest);
}

#[test]
fn report_output_file_holds_what_stdout_would() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check-in.md");
    let written = kpi(&["report", "examples/services.csv", "--output", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(written.status.code(), Some(0));
    assert!(written.stdout.is_empty());
    let printed = kpi(&["report", "examples/services.csv"]).output().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), printed.stdout);
}

#[test]
fn report_chart_of_an_unknown_metric_is_an_error() {
    assert_cmd_snapshot!(kpi(&["report", "examples/weekly-history.csv", "--chart", "mtr"]));
}

#[test]
fn bad_as_of_date_is_a_usage_error() {
    assert_cmd_snapshot!(kpi(&["check", "--as-of", "last week", "examples/weekly-history.csv"]));
}

#[test]
fn readme_sample_report_is_the_real_output() {
    common::assert_readme_shows_output_of(&[
        "report",
        "examples/weekly-history.csv",
        "--chart",
        "mttr",
    ]);
}
