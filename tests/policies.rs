//! End-to-end runs of the gate policies: stale data (`max_age`, `on_stale`), regressions against a
//! baseline, levels and a score. Each test works in its own temporary directory with colour off and
//! "today" pinned, so the snapshots do not depend on where or when they run.

use std::fs;
use std::path::Path;
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// `kpi ARGS` in `dir`, with colour off and today pinned.
fn kpi(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(get_cargo_bin("kpi"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("KPI_TODAY", "2026-11-30")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT");
    command
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let out = kpi(dir, &all).output().unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn result<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

/// Coverage measured weekly, error rate last measured three weeks before the latest check-in.
const HISTORY: &str = "\
date,metric,value
2026-11-02,error_rate,0.4%
2026-11-02,code_coverage,84%
2026-11-09,code_coverage,84.5%
2026-11-16,code_coverage,85%
2026-11-23,code_coverage,85.5%
";

#[test]
fn a_value_older_than_max_age_warns_with_the_reason_in_every_format() {
    let config = "metrics:\n  error_rate:\n    max_age: 14d\n";
    let dir = dir_with(&[("h.csv", HISTORY), ("kpi.yaml", config)]);
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "h.csv"]));
    let doc = json(dir.path(), &["h.csv"]);
    let error_rate = result(&doc, "error_rate");
    assert_eq!(error_rate["status"], "warn");
    assert_eq!(
        error_rate["overdue"],
        serde_json::json!({ "age_days": 21, "max_age_days": 14, "on_stale": "warn" })
    );
    assert!(result(&doc, "code_coverage").get("overdue").is_none());
    let github = kpi(dir.path(), &["check", "--format", "github", "h.csv"]).output().unwrap();
    let github = String::from_utf8(github.stdout).unwrap();
    assert!(github.contains("older than its `max_age` of 14 days"), "{github}");
}

#[test]
fn on_stale_fail_fails_the_gate_and_missing_counts_as_no_data() {
    let config =
        |on_stale| format!("metrics:\n  error_rate:\n    max_age: 2w\n    on_stale: {on_stale}\n");
    let dir = dir_with(&[("h.csv", HISTORY), ("kpi.yaml", &config("fail"))]);
    let out = kpi(dir.path(), &["check", "h.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    fs::write(dir.path().join("kpi.yaml"), config("missing")).unwrap();
    let doc = json(dir.path(), &["h.csv"]);
    assert_eq!(result(&doc, "error_rate")["status"], "missing");
    let out = kpi(dir.path(), &["check", "--require-all", "h.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_larger_max_age_or_an_earlier_as_of_keeps_the_value_graded() {
    let dir = dir_with(&[
        ("h.csv", HISTORY),
        ("kpi.yaml", "metrics:\n  error_rate:\n    max_age: 21d\n"),
    ]);
    assert_eq!(result(&json(dir.path(), &["h.csv"]), "error_rate")["status"], "pass");
    fs::write(dir.path().join("kpi.yaml"), "metrics:\n  error_rate:\n    max_age: 14d\n").unwrap();
    let doc = json(dir.path(), &["--as-of", "2026-11-16", "h.csv"]);
    assert_eq!(result(&doc, "error_rate")["status"], "pass", "14 days old on 2026-11-16");
}

#[test]
fn bad_policy_values_are_reported_with_their_lines() {
    let config = "\
metrics:
  error_rate:
    max_age: a month
    on_stale: panic
  mttr:
    on_stale: fail
  code_coverage:
    weight: 0
    regression: { warn: \"2 points\", fail: \"1 point\" }
  response_time:
    regression: { warn: lots }
";
    let dir = dir_with(&[("h.csv", HISTORY), ("kpi.yaml", config)]);
    assert_cmd_snapshot!(kpi(dir.path(), &["catalog", "validate"]));
}

/// What main measured, and a branch where coverage dropped 2.1 points and response time rose 6%.
const MAIN: &str = "metric,value\ncode_coverage,84.2%\nresponse_time,150ms\nerror_rate,0.5%\n";
const BRANCH: &str =
    "metric,value\ncode_coverage,82.1%\nresponse_time,159ms\nerror_rate,0.5%\nmttr,40m\n";
const REGRESSIONS: &str = "\
metrics:
  code_coverage:
    regression: { warn: \"1 point\", fail: \"2 points\" }
  response_time:
    regression: { warn: \"5%\", fail: \"10%\" }
  mttr:
    regression: { fail: \"10%\" }
";

/// `main.json`, as CI would save it from the main branch's run.
fn with_main_json(dir: &Path) {
    let out = kpi(dir, &["check", "--format", "json", "main.csv"]).output().unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    fs::write(dir.join("main.json"), out.stdout).unwrap();
}

#[test]
fn coverage_dropping_past_its_allowance_against_main_fails_the_gate_with_the_reason() {
    let dir = dir_with(&[("main.csv", MAIN), ("pr.csv", BRANCH), ("kpi.yaml", REGRESSIONS)]);
    with_main_json(dir.path());
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "--baseline", "main.json", "pr.csv"]));
    let doc = json(dir.path(), &["--baseline", "main.json", "pr.csv"]);
    let coverage = result(&doc, "code_coverage");
    assert_eq!(coverage["status"], "fail", "82.1% passes its threshold but dropped 2.1 points");
    assert_eq!(
        coverage["regression"],
        serde_json::json!({
            "verdict": "fail", "baseline": 84.2, "baseline_date": null, "change": -2.1,
            "worse_by": 2.1, "allowed": "2 points", "allowed_amount": 2.0
        })
    );
    let response = &result(&doc, "response_time")["regression"];
    assert_eq!((&response["verdict"], &response["allowed"]), (&"warn".into(), &"5%".into()));
    assert_eq!(result(&doc, "mttr")["regression"]["verdict"], "new", "main had no mttr");
    assert_eq!(result(&doc, "mttr")["status"], "pass");
    assert!(result(&doc, "error_rate").get("regression").is_none(), "no policy");
}

#[test]
fn without_a_baseline_the_same_run_passes_and_a_csv_baseline_gives_the_same_verdicts() {
    let dir = dir_with(&[("main.csv", MAIN), ("pr.csv", BRANCH), ("kpi.yaml", REGRESSIONS)]);
    with_main_json(dir.path());
    assert_eq!(kpi(dir.path(), &["check", "pr.csv"]).output().unwrap().status.code(), Some(0));
    let from_json = json(dir.path(), &["--baseline", "main.json", "pr.csv"]);
    let from_csv = json(dir.path(), &["--baseline", "main.csv", "pr.csv"]);
    assert_eq!(from_json, from_csv);
}

#[test]
fn baseline_previous_judges_each_series_against_its_previous_check_in() {
    let history =
        "date,metric,value\n2026-11-16,code_coverage,86%\n2026-11-23,code_coverage,84.5%\n";
    let dir = dir_with(&[("h.csv", history), ("kpi.yaml", REGRESSIONS)]);
    let doc = json(dir.path(), &["--baseline", "previous", "h.csv"]);
    let coverage = result(&doc, "code_coverage");
    assert_eq!(coverage["status"], "warn");
    assert_eq!(coverage["regression"]["baseline_date"], "2026-11-16");
    let out =
        kpi(dir.path(), &["check", "--format", "markdown", "--baseline", "previous", "h.csv"])
            .output()
            .unwrap();
    let markdown = String::from_utf8(out.stdout).unwrap();
    assert!(
        markdown.contains(
            "Regressed 1.5 points against the baseline of 2026-11-16 (86%), allowed 1 point."
        ),
        "{markdown}"
    );
}

#[test]
fn a_baseline_that_is_not_a_scorecard_or_cannot_be_read_is_an_error() {
    let dir = dir_with(&[("pr.csv", BRANCH), ("bad.json", "{\"results\": 3}")]);
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "--baseline", "bad.json", "pr.csv"]));
    let out = kpi(dir.path(), &["check", "--baseline", "gone.json", "pr.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let refused = kpi(dir.path(), &["check", "--baseline", "pr.csv", "-o", "pr.csv", "pr.csv"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "an output may not overwrite the baseline");
}

const LEVELS: &str = "\
levels:
  - name: Bronze
    metrics: [requests_per_second]
  - name: Silver
    metrics: [error_rate]
  - name: Gold
    metrics: [response_time, mttr]
metrics:
  requests_per_second:
    weight: 2
";

#[test]
fn each_scope_shows_its_level_score_and_what_blocks_the_next_level() {
    let services =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/services.csv")).unwrap();
    let dir = dir_with(&[("services.csv", &services), ("kpi.yaml", LEVELS)]);
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "services.csv"]));
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "--format", "markdown", "services.csv"]));
    let doc = json(dir.path(), &["services.csv"]);
    let scopes: Vec<_> = doc["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].clone(),
                s["level"].clone(),
                s["next_level"].clone(),
                s["blocking"].clone(),
                s["score"].clone(),
            )
        })
        .collect();
    insta::assert_debug_snapshot!(scopes);
}

#[test]
fn require_level_fails_the_gate_for_a_scope_below_it_and_an_unknown_level_is_an_error() {
    let services =
        fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/services.csv")).unwrap();
    // api holds Gold and payments Bronze; batch-jobs, below Bronze, is left out.
    let two: String =
        services.lines().filter(|l| !l.contains("batch-jobs")).flat_map(|l| [l, "\n"]).collect();
    let dir = dir_with(&[("services.csv", &two), ("kpi.yaml", LEVELS)]);
    let code = |level: &str| {
        kpi(dir.path(), &["check", "--fail-on", "never", "--require-level", level, "services.csv"])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code("bronze"), Some(0), "every scope holds Bronze");
    assert_eq!(code("Silver"), Some(1), "payments is below Silver");
    let doc =
        json(dir.path(), &["--fail-on", "never", "--require-level", "Silver", "services.csv"]);
    assert_eq!(doc["gate"]["require_level"], "Silver");
    assert_cmd_snapshot!(kpi(
        dir.path(),
        &["check", "--require-level", "Platinum", "services.csv"]
    ));
    fs::write(dir.path().join("kpi.yaml"), "").unwrap();
    let out =
        kpi(dir.path(), &["check", "--require-level", "Gold", "services.csv"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: `--require-level Gold`: the catalog in effect has no levels; define them under `levels:` in the config\n"
    );
}

#[test]
fn levels_naming_unknown_repeated_or_no_metrics_are_reported_with_their_lines() {
    let config = "\
levels:
  - name: Bronze
    metrics: [requests_per_second, respons_time]
  - name: bronze
    metrics: [requests_per_second]
  - name: Gold
    metrics: []
  - metrics: [mttr]
";
    let dir = dir_with(&[("kpi.yaml", config)]);
    assert_cmd_snapshot!(kpi(dir.path(), &["catalog", "validate"]));
}

#[test]
fn extends_dora_and_catalog_dora_grade_the_four_keys() {
    let keys = "metric,value\ndeployment_frequency,3/week\nchange_lead_time,2d\nchange_failure_rate,15%\nfailed_deployment_recovery_time,3h\n";
    let dir = dir_with(&[("keys.csv", keys), ("kpi.yaml", "extends: dora\n")]);
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "keys.csv"]));
    fs::remove_file(dir.path().join("kpi.yaml")).unwrap();
    let listed = kpi(dir.path(), &["catalog", "list", "--catalog", "dora"]).output().unwrap();
    assert_eq!(listed.status.code(), Some(0));
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(listed.contains("failed_deployment_recovery_time"), "{listed}");
    let doc = json(dir.path(), &["--catalog", "dora", "keys.csv"]);
    assert_eq!(result(&doc, "change_failure_rate")["status"], "warn");
    assert_eq!(result(&doc, "change_lead_time")["status"], "pass");
}

#[test]
fn gitlab_and_github_point_at_the_line_of_the_config_that_sets_the_threshold() {
    let config = "\
metrics:
  response_time:
    target: Under 150 ms
    pass: \"<= 150ms\"
    warn: \"<= 300ms\"
scopes:
  web:
    metrics:
      error_rate:
        pass: \"< 0.5%\"
";
    let csv = "scope,metric,value\napi,response_time,180ms\napi,mttr,2d\nweb,error_rate,0.7%\n";
    let dir = dir_with(&[("m.csv", csv), ("kpi.yaml", config)]);
    let out = kpi(dir.path(), &["check", "--format", "gitlab", "m.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "mttr fails");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let at = |check: &str| {
        let entry = doc.as_array().unwrap().iter().find(|e| e["check_name"] == check).unwrap();
        (
            entry["location"]["path"].as_str().unwrap().to_string(),
            entry["location"]["lines"]["begin"].as_u64().unwrap(),
        )
    };
    assert_eq!(at("kpi/response_time"), ("kpi.yaml".to_string(), 4), "the config's `pass:` line");
    assert_eq!(at("kpi/error_rate"), ("kpi.yaml".to_string(), 10), "the scope's `pass:` line");
    assert_eq!(at("kpi/mttr").0, "catalog/backend-team.yaml", "the built-in catalog's rule");
    let again = kpi(dir.path(), &["check", "--format", "gitlab", "m.csv"]).output().unwrap();
    assert_eq!(out.stdout, again.stdout, "the same report, fingerprints and all, run after run");
    let github = kpi(dir.path(), &["check", "--format", "github", "m.csv"]).output().unwrap();
    let github = String::from_utf8(github.stdout).unwrap();
    assert!(
        github.contains("::warning file=kpi.yaml,line=4,title=api%3A Response Time%3A warn::"),
        "{github}"
    );
}

/// Six weeks of a team that held its response time under 185 ms and its coverage above 84%.
const HELD: &str = "\
date,metric,value
2026-10-12,response_time,240ms
2026-10-19,response_time,180ms
2026-10-26,response_time,175ms
2026-11-02,response_time,182ms
2026-11-09,response_time,171ms
2026-10-19,code_coverage,84.6%
2026-10-26,code_coverage,85.1%
2026-11-02,code_coverage,86%
2026-11-09,code_coverage,85.5%
2026-10-19,error_rate,0.9%
2026-10-26,error_rate,0.4%
2026-11-02,error_rate,0.3%
2026-11-09,error_rate,0.5%
";

#[test]
fn catalog_suggest_prints_a_tighter_threshold_with_its_evidence_and_writes_nothing() {
    let config = "# the payments team\nextends: backend-team\nmetrics:\n  response_time:\n    target: Under 200 ms\n";
    let dir = dir_with(&[("h.csv", HELD), ("kpi.yaml", config)]);
    assert_cmd_snapshot!(kpi(dir.path(), &["catalog", "suggest", "h.csv"]));
    assert_eq!(fs::read_to_string(dir.path().join("kpi.yaml")).unwrap(), config, "nothing written");
    let strict =
        kpi(dir.path(), &["catalog", "suggest", "--checkins", "5", "h.csv"]).output().unwrap();
    let strict = String::from_utf8(strict.stdout).unwrap();
    assert!(!strict.contains("response_time"), "five check-ins include the 240 ms week: {strict}");
}

#[test]
fn catalog_suggest_write_tightens_the_config_in_place_and_the_result_checks() {
    let config = "# the payments team\nextends: backend-team\nmetrics:\n  response_time:\n    target: Under 200 ms\n";
    let dir = dir_with(&[("h.csv", HELD), ("kpi.yaml", config)]);
    let out = kpi(dir.path(), &["catalog", "suggest", "--write", "h.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    insta::assert_snapshot!(fs::read_to_string(dir.path().join("kpi.yaml")).unwrap());
    let valid = kpi(dir.path(), &["catalog", "validate"]).output().unwrap();
    assert_eq!(valid.status.code(), Some(0), "{}", String::from_utf8_lossy(&valid.stderr));
    let again = kpi(dir.path(), &["catalog", "suggest", "h.csv"]).output().unwrap();
    assert!(String::from_utf8(again.stdout).unwrap().starts_with("no metric passed with a margin"));
    let flow =
        dir_with(&[("h.csv", HELD), ("kpi.yaml", "metrics:\n  response_time: { target: x }\n")]);
    let refused = kpi(flow.path(), &["catalog", "suggest", "--write", "h.csv"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(flow.path().join("kpi.yaml")).unwrap(),
        "metrics:\n  response_time: { target: x }\n",
        "a config it cannot edit is left as it was"
    );
}
