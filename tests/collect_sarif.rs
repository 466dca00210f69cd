//! The SARIF collector on reports written by the real bandit and ruff
//! (tests/fixtures/collect/sarif/), against the tools' own counts of the same findings.

#[allow(dead_code)] // the binary's helpers: these tests call the library
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::collect::{Collected, Fact, Request, Settings, sarif};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/sarif").join(name)
}

fn collect(path: &Path, levels: Option<&[&str]>) -> Result<Collected, String> {
    let settings = Settings(
        levels
            .map(|l| ("levels".to_string(), l.iter().map(|s| (*s).to_string()).collect()))
            .into_iter()
            .collect(),
    );
    let request = Request {
        path,
        format: None,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (sarif::KIND.collect)(&request).map_err(|e| e.message)
}

fn bugs(collected: &Collected) -> f64 {
    assert!(collected.missing.is_empty(), "{:?}", collected.missing);
    match collected.facts.as_slice() {
        [(Fact::Bugs, bugs)] => *bugs,
        other => panic!("expected one Bugs fact, got {other:?}"),
    }
}

/// bandit's own totals by severity (`bandit -f json`'s `metrics._totals`). Its SARIF formatter
/// writes HIGH as `error`, MEDIUM as no level at all (SARIF's default, `warning`) and LOW as `note`.
fn bandit_severity(totals: &str, severity: &str) -> f64 {
    let totals: serde_json::Value = serde_json::from_str(totals).unwrap();
    totals[format!("SEVERITY.{severity}")].as_f64().unwrap()
}

fn assert_matches_bandit(report: &Path, totals: &str) {
    let severity = |s| bandit_severity(totals, s);
    assert_eq!(bugs(&collect(report, None).unwrap()), severity("HIGH") + severity("MEDIUM"));
    assert_eq!(bugs(&collect(report, Some(&["error"])).unwrap()), severity("HIGH"));
    assert_eq!(bugs(&collect(report, Some(&["note"])).unwrap()), severity("LOW"));
    let all = collect(report, Some(&["error", "warning", "note"])).unwrap();
    assert_eq!(bugs(&all), severity("HIGH") + severity("MEDIUM") + severity("LOW"));
}

#[test]
fn bandit_sarif_counts_as_bandit_totals_its_severities() {
    let totals = std::fs::read_to_string(fixture("bandit-totals.json")).unwrap();
    // The fixture holds the trap: medium findings have no `level`, and count as warnings.
    assert_eq!(bandit_severity(&totals, "MEDIUM"), 2.0);
    assert_matches_bandit(&fixture("bandit.sarif"), &totals);
}

/// ruff's own count: `Found N errors.` closing `ruff check --statistics`.
fn ruff_found(statistics: &str) -> f64 {
    let line = statistics.lines().find_map(|l| l.strip_prefix("Found ")).unwrap();
    line.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn ruff_sarif_counts_what_ruff_found() {
    let statistics = std::fs::read_to_string(fixture("ruff-statistics.txt")).unwrap();
    assert_eq!(ruff_found(&statistics), 9.0);
    assert_eq!(bugs(&collect(&fixture("ruff.sarif"), None).unwrap()), ruff_found(&statistics));
    assert_eq!(
        bugs(&collect(&fixture("ruff.sarif"), Some(&["warning"])).unwrap()),
        0.0,
        "ruff writes every result as an error"
    );
}

#[test]
fn each_report_counts_as_jq_counts_its_levels() {
    if common::require_tool("jq").is_none() {
        return;
    }
    for file in ["bandit.sarif", "ruff.sarif"] {
        // Neither tool's rules give a default level that a result leaves to them, so a missing
        // level is SARIF's default, `warning`.
        let filter = r#"[.runs[].results[] | .level // "warning" | select(. == "error" or . == "warning")] | length"#;
        let out = Command::new("jq").arg(filter).arg(fixture(file)).output().unwrap();
        assert!(out.status.success());
        let counted: f64 = String::from_utf8(out.stdout).unwrap().trim().parse().unwrap();
        assert_eq!(bugs(&collect(&fixture(file), None).unwrap()), counted, "{file}");
    }
}

fn run(tool: &Path, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).current_dir(fixture("")).output().unwrap();
    // Both tools exit 1 when they find something.
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_fresh_bandit_report_counts_as_bandit_totals_it() {
    let Some(bandit) = common::require_tool("bandit") else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("bandit.sarif");
    run(&bandit, &["-q", "-f", "sarif", "-o", report.to_str().unwrap(), "-r", "src"]);
    let json: serde_json::Value =
        serde_json::from_str(&run(&bandit, &["-q", "-f", "json", "-r", "src"])).unwrap();
    let totals = json["metrics"]["_totals"].to_string();
    assert_matches_bandit(&report, &totals);
    assert_matches_bandit(&fixture("bandit.sarif"), &totals);
}

#[test]
fn a_fresh_ruff_report_counts_what_ruff_found() {
    let Some(ruff) = common::require_tool("ruff") else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("ruff.sarif");
    let args = ["check", "--no-cache", "--isolated", "--select", "E,F,B,S,UP,PTH"];
    std::fs::write(
        &report,
        run(&ruff, &[&args[..], &["--output-format", "sarif", "src"]].concat()),
    )
    .unwrap();
    let found = ruff_found(&run(&ruff, &[&args[..], &["--statistics", "src"]].concat()));
    assert_eq!(bugs(&collect(&report, None).unwrap()), found);
    assert_eq!(
        bugs(&collect(&fixture("ruff.sarif"), None).unwrap()),
        found,
        "the fixture is stale"
    );
}

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let shown = |message: String| message.replace(&dir.path().display().to_string(), "DIR");
    let path = dir.path().join("report.sarif");
    std::fs::write(
        &path,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}}]}"#,
    )
    .unwrap();
    let missing = collect(&path, None).unwrap().missing;
    insta::assert_snapshot!(format!("{}: {}", missing[0].metric, missing[0].reason), @"code_quality: run 1 of the SARIF report (`lint`) has no `results` list, so its analysis did not complete; fix the analyser's run");
    std::fs::write(&path, r#"{"version": "2.1.0"}"#).unwrap();
    insta::assert_snapshot!(shown(collect(&path, None).unwrap_err()), @"DIR/report.sarif: not a SARIF report: it has no `runs` list; pass the analyser's SARIF 2.1.0 output");
    insta::assert_snapshot!(collect(&fixture("ruff.sarif"), Some(&["errors"])).unwrap_err(), @"unknown SARIF level `errors` in `levels`; use error, warning, note or none");
}

#[test]
fn the_example_is_the_real_fixture_with_the_bugs_the_readme_says() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect/bandit.sarif");
    assert_eq!(std::fs::read(&example).unwrap(), std::fs::read(fixture("bandit.sarif")).unwrap());
    assert_eq!(bugs(&collect(&example, None).unwrap()), 4.0);
}
