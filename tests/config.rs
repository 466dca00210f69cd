//! End-to-end runs of the real binary with a team config: exit code, standard output and standard
//! error together. Each test works in its own temporary directory; colour is off and "today" is
//! pinned with `KPI_TODAY`, so the snapshots do not depend on where or when they run.

use std::fs;
use std::path::Path;
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// `kpi` in `dir`, with colour off and today pinned to 2025-06-30.
fn kpi(dir: &Path) -> Command {
    let mut command = Command::new(get_cargo_bin("kpi"));
    command.current_dir(dir).env("NO_COLOR", "1").env("KPI_TODAY", "2025-06-30");
    command
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const MEASURED: &str = "metric,value\nresponse_time,800ms\nerror_rate,1.5%\n";

const CONFIG: &str = "\
metrics:
  response_time:
    pass: \"<= 1s\"
    warn: \"<= 2s\"
waivers:
  - metric: error_rate
    reason: retry storm fix lands in July
    until: 2025-06-30
";

#[test]
fn without_a_config_the_catalog_thresholds_fail_the_gate() {
    let dir = dir_with(&[("m.csv", MEASURED)]);
    let out = kpi(dir.path()).args(["check", "--format", "json", "m.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][0]["status"], "fail");
    assert_eq!(doc["results"][1]["status"], "warn");
}

#[test]
fn an_override_and_a_waiver_in_force_pass_the_gate() {
    let dir = dir_with(&[("m.csv", MEASURED), ("kpi.yaml", CONFIG)]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "--format", "markdown", "m.csv"]));
}

#[test]
fn the_day_after_its_date_a_waiver_has_expired_and_the_metric_counts_again() {
    let dir = dir_with(&[("m.csv", MEASURED), ("kpi.yaml", CONFIG)]);
    assert_cmd_snapshot!(kpi(dir.path()).env("KPI_TODAY", "2025-07-01").args([
        "check",
        "--fail-on",
        "warn",
        "m.csv"
    ]));
}

#[test]
fn json_shows_waived_results_and_their_waiver() {
    let dir = dir_with(&[("m.csv", MEASURED), ("kpi.yaml", CONFIG)]);
    let json = |today: &str| {
        let out = kpi(dir.path())
            .env("KPI_TODAY", today)
            .args(["check", "--format", "json", "--fail-on", "warn", "m.csv"])
            .output()
            .unwrap();
        (out.status.code(), serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap())
    };
    let (code, before) = json("2025-06-30");
    assert_eq!(code, Some(0));
    assert_eq!(before["results"][1]["status"], "waived");
    assert_eq!(before["results"][1]["waiver"]["expired"], false);
    assert_eq!(before["results"][1]["waiver"]["graded"], "warn");
    assert_eq!(before["summary"]["waived"], 1);
    let (code, after) = json("2025-07-01");
    assert_eq!(code, Some(1));
    assert_eq!(after["results"][1]["status"], "warn");
    assert_eq!(after["results"][1]["waiver"]["expired"], true);
    assert_eq!(after["summary"]["waived"], 0);
    assert!(after["results"][0].get("waiver").is_none());
}

#[test]
fn a_config_named_with_dash_dash_config_is_used_and_a_missing_one_is_an_error() {
    let dir = dir_with(&[("m.csv", MEASURED), ("team.yaml", CONFIG)]);
    let out = kpi(dir.path()).args(["--config", "team.yaml", "check", "m.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "--config", "nope.yaml", "m.csv"]));
}

#[test]
fn a_catalog_file_replaces_the_built_in_one() {
    let catalog = "name: queues\ntitle: Queue metrics\nmetrics:\n  - id: queue_depth\n    \
        name: Queue Depth\n    category: Queues\n    description: Messages waiting\n    \
        target: Under 100\n    unit: \"\"\n    pass: \"< 100\"\n    warn: \"< 500\"\n    ideas: [Add consumers]\n";
    let dir = dir_with(&[("q.csv", "metric,value\nqueue_depth,250\n"), ("queues.yaml", catalog)]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "--catalog", "queues.yaml", "q.csv"]));
}

#[test]
fn an_invalid_config_stops_every_command_with_all_its_problems() {
    let broken = "metrics:\n  respons_time:\n    pass: \"<= 1s\"\n  mttr:\n    pas: \"< 2h\"\n\
                  waivers:\n  - metric: mttr\n    until: 2025-13-01\n";
    let dir = dir_with(&[("m.csv", MEASURED), ("kpi.yaml", broken)]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "validate"]));
    let out = kpi(dir.path()).args(["check", "m.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn validate_tells_a_catalog_from_a_config() {
    let dir = dir_with(&[("kpi.yaml", CONFIG)]);
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog/backend-team.yaml");
    fs::copy(catalog, dir.path().join("team.yaml")).unwrap();
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "validate", "team.yaml"]));
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "validate", "kpi.yaml"]));
}

#[test]
fn show_names_the_file_that_set_the_thresholds() {
    let dir = dir_with(&[("kpi.yaml", CONFIG)]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "show", "latency"]));
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "show", "respons_time"]));
}

#[test]
fn init_writes_templates_that_check_once_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    assert_cmd_snapshot!(kpi(dir.path()).arg("init"));
    let template = fs::read_to_string(dir.path().join("metrics.csv")).unwrap();
    let filled = template.replace(",,", ",1,");
    assert_eq!(filled.matches(",1,").count(), 15);
    fs::write(dir.path().join("metrics.csv"), filled).unwrap();
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "--format", "markdown", "metrics.csv"]));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = dir_with(&[("kpi.yaml", "# ours\n")]);
    assert_cmd_snapshot!(kpi(dir.path()).arg("init"));
    assert_eq!(fs::read_to_string(dir.path().join("kpi.yaml")).unwrap(), "# ours\n");
    assert!(!dir.path().join("metrics.csv").exists());
    let forced = kpi(dir.path()).args(["init", "--force"]).output().unwrap();
    assert_eq!(forced.status.code(), Some(0));
    assert!(fs::read_to_string(dir.path().join("kpi.yaml")).unwrap().contains("extends:"));
}

#[test]
fn completions_and_man_page_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    let bash = kpi(dir.path()).args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let bash = String::from_utf8(bash.stdout).unwrap();
    assert!(bash.contains("complete -F _kpi"), "{bash}");
    assert!(bash.contains("--catalog"), "{bash}");
    let man = kpi(dir.path()).arg("man").output().unwrap();
    assert!(man.status.success());
    let man = String::from_utf8(man.stdout).unwrap();
    assert!(man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH kpi"), "{man}");
    assert!(man.contains("completions"), "{man}");
}

/// The shipped multi-service example with its config, on `today`.
fn services(today: &str) -> serde_json::Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = kpi(Path::new(root))
        .env("KPI_TODAY", today)
        .args(["check", "--format", "json", "--config", "examples/services.kpi.yaml"])
        .arg("examples/services.csv")
        .output()
        .unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn status(doc: &serde_json::Value, scope: &str, id: &str) -> String {
    let results = doc["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["scope"] == scope && r["id"] == id).unwrap();
    result["status"].as_str().unwrap().to_string()
}

#[test]
fn a_scope_override_changes_only_that_scope() {
    let doc = services("2026-11-28");
    assert_eq!(status(&doc, "batch-jobs", "response_time"), "pass", "850 ms against <= 2 s");
    assert_eq!(status(&doc, "payments", "response_time"), "fail", "320 ms against <= 200 ms");
    assert_eq!(status(&doc, "api", "response_time"), "pass");
    let results = doc["results"].as_array().unwrap();
    let batch =
        results.iter().find(|r| r["scope"] == "batch-jobs" && r["id"] == "response_time").unwrap();
    assert_eq!(
        (batch["pass"].as_str(), batch["target"].as_str()),
        (Some("<= 2000 ms"), Some("Under 2 s"))
    );
}

#[test]
fn a_scoped_waiver_holds_until_its_date_then_the_metric_counts_again() {
    let before = services("2026-12-31");
    assert_eq!(status(&before, "payments", "cpu_utilisation"), "waived");
    assert_eq!(before["scopes"][1]["summary"]["waived"], 1);
    let after = services("2027-01-01");
    assert_eq!(status(&after, "payments", "cpu_utilisation"), "fail");
    let results = after["results"].as_array().unwrap();
    let cpu =
        results.iter().find(|r| r["scope"] == "payments" && r["id"] == "cpu_utilisation").unwrap();
    assert_eq!(cpu["waiver"]["expired"], true);
}

/// Lines of a password file: what a config's `extends:` or `--catalog` may point at on a CI runner.
const SHADOW: &str =
    "root:$6$Zm9vYmFy$c2VjcmV0aGFzaA:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";

#[test]
fn extends_or_catalog_naming_some_other_file_quotes_nothing_from_it() {
    let dir =
        dir_with(&[("m.csv", MEASURED), ("shadow", SHADOW), ("kpi.yaml", "extends: shadow\n")]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "m.csv"]));
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "--catalog", "shadow", "m.csv"]));
    fs::remove_file(dir.path().join("kpi.yaml")).unwrap();
    for args in [&["check", "--config", "shadow", "m.csv"][..], &["catalog", "validate", "shadow"]]
    {
        let out = kpi(dir.path()).args(args).output().unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("root") && !stderr.contains('$'), "{stderr}");
    }
}

#[test]
fn extends_naming_a_config_says_a_catalog_is_needed() {
    let team = "extends: backend-team\nmetrics:\n  mttr:\n    pass: \"< 2h\"\n    warn: \"< 1d\"\n";
    let dir =
        dir_with(&[("m.csv", MEASURED), ("base.yaml", team), ("kpi.yaml", "extends: base.yaml\n")]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["check", "m.csv"]));
    assert_cmd_snapshot!(kpi(dir.path()).args([
        "check",
        "--config",
        "base.yaml",
        "--catalog",
        "base.yaml",
        "m.csv"
    ]));
}

#[test]
fn every_repeated_key_and_a_second_document_are_reported() {
    let config = "metrics:\n  mttr:\n    pass: \"< 2h\"\n    pass: \"< 3h\"\n  mttr: {}\n\
                  waivers: []\nwaivers: []\n";
    let dir = dir_with(&[("kpi.yaml", config)]);
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "validate"]));
    fs::write(dir.path().join("kpi.yaml"), format!("{CONFIG}---\nmetrics: {{}}\n")).unwrap();
    assert_cmd_snapshot!(kpi(dir.path()).args(["catalog", "validate"]));
}
