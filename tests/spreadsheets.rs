//! End-to-end tests of reading what spreadsheets export, and of input that must never change the
//! verdict silently: exit code, stdout and stderr through the real binary.

use std::process::Stdio;

use insta_cmd::assert_cmd_snapshot;

#[allow(dead_code)]
mod common;
use common::kpi;

/// Writes `text` to a file named `name` in a fresh directory and gives the directory.
fn file(name: &str, text: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    dir
}

/// `kpi ARGS` run in `dir`.
fn kpi_in(dir: &tempfile::TempDir, args: &[&str]) -> std::process::Command {
    let mut cmd = kpi(args);
    cmd.current_dir(dir.path());
    cmd
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = kpi(args).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn exports_of_excel_libreoffice_and_a_plain_file_grade_the_same() {
    let plain = json(&["check", "--format", "json", "tests/inputs/spreadsheets/plain.csv"]);
    for export in ["excel-europe.csv", "excel-us.csv", "google-sheets.csv", "libreoffice-tab.csv"] {
        let path = format!("tests/inputs/spreadsheets/{export}");
        assert_eq!(json(&["check", "--format", "json", &path]), plain, "{export}");
    }
}

#[test]
fn a_long_and_a_wide_history_exported_with_semicolons_and_decimal_commas_give_the_same_json() {
    for example in ["weekly-history.csv", "weekly-history-wide.csv"] {
        let text = std::fs::read_to_string(format!("examples/{example}")).unwrap();
        // Decimal points become commas, then field commas become semicolons.
        let converted: String = text
            .lines()
            .map(|line| {
                let fields: Vec<String> = line.split(',').map(|f| f.replace('.', ",")).collect();
                fields.join(";") + "\r\n"
            })
            .collect();
        let dir = file(example, format!("sep=;\r\n{converted}").as_bytes());
        let out = kpi_in(&dir, &["check", "--format", "json", example]).output().unwrap();
        let plain = json(&["check", "--format", "json", &format!("examples/{example}")]);
        let read: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{example}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(read, plain, "{example}");
    }
}

#[test]
fn an_unterminated_quote_is_an_error_not_a_pass() {
    let dir = file(
        "m.csv",
        b"metric,value,notes\nresponse_time,185ms,\"oops\nerror_rate,5%,\nmttr,5h,\n",
    );
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn a_quoted_field_that_swallows_rows_is_an_error() {
    let dir = file(
        "m.csv",
        b"metric,value,notes\nresponse_time,185ms,\"oops\nerror_rate,5%,\nmttr,5h,\"\n",
    );
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn a_column_given_twice_is_an_error_naming_both() {
    let dir = file("m.csv", b"metric,value,Value\nmttr,5,50\n");
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn an_endless_input_stops_with_an_error_naming_its_line() {
    assert_cmd_snapshot!(kpi(&["check", "/dev/zero"]));
}

#[test]
fn every_problem_of_a_wide_header_is_named_in_one_run() {
    let dir = file(
        "wide.csv",
        b"date,respons_time,Error Rate (ms),cpu,cpu_usage,deploy_frequency,notes\n2026-11-23,1,2,3,4,5,x\n",
    );
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "wide.csv"]));
}

#[test]
fn a_value_a_metric_cannot_take_is_refused_naming_the_range() {
    let dir = file("m.csv", b"metric,value\ncode_coverage,850%\n");
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn thousands_in_a_quoted_field_read_at_their_size_and_ambiguity_is_refused() {
    let dir = file("us.csv", b"metric,value\nrps,\"1,200\"\n");
    let out = kpi_in(&dir, &["check", "--format", "json", "us.csv"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rps = doc["results"].as_array().unwrap().iter().find(|r| r["id"] == "requests_per_second");
    assert_eq!(rps.unwrap()["value"], 1200.0);
    let dir = file("eu.csv", b"metric;value\nrps;1.200\n");
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "eu.csv"]));
}

#[test]
fn a_likely_fraction_is_graded_as_written_with_one_note_that_quiet_silences() {
    let text = b"date,metric,value\n2026-11-16,error_rate,0.012\n2026-11-23,error_rate,0.011\n";
    let dir = file("m.csv", text);
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
    let quiet =
        kpi_in(&dir, &["check", "--quiet", "m.csv"]).stderr(Stdio::piped()).output().unwrap();
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    assert_eq!(quiet.status.code(), Some(0));
}

#[test]
fn a_blank_date_says_the_date_is_blank() {
    let dir = file("m.csv", b"date,metric,value\n2026-11-16,mttr,5\n,mttr,6\n");
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn a_date_time_beyond_the_supported_range_says_so() {
    let dir = file("m.csv", b"date,metric,value\n9999-12-30T22:00:01Z,mttr,5\n");
    assert_cmd_snapshot!(kpi_in(&dir, &["check", "m.csv"]));
}

#[test]
fn a_date_and_a_date_time_on_the_same_day_are_two_check_ins_and_the_zone_is_shown() {
    let text = b"date,metric,value\n2026-11-23,mttr,50\n2026-11-23T09:00:00Z,mttr,40\n";
    let dir = file("m.csv", text);
    let out = kpi_in(&dir, &["check", "--format", "json", "m.csv"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mttr = doc["results"].as_array().unwrap().iter().find(|r| r["id"] == "mttr").unwrap();
    assert_eq!(mttr["value"], 40.0);
    assert_eq!(mttr["date"], "2026-11-23T09:00:00Z");
    assert_eq!(mttr["previous"], 50.0);
}

#[test]
fn a_time_zone_that_names_a_device_does_not_hang_and_says_so() {
    let dir = file("m.csv", b"metric,value\nmttr,5\n");
    let waiver = "waivers:\n  - metric: mttr\n    reason: a test\n    until: 2999-01-01\n";
    std::fs::write(dir.path().join("kpi.yaml"), waiver).unwrap();
    let mut child = kpi_in(&dir, &["check", "m.csv"])
        .env("TZ", ":/dev/zero")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("kpi hung reading TZ=:/dev/zero");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: `TZ` names `:/dev/zero`, which is not a time zone file; today's date is taken in UTC\n"
    );
}

#[test]
fn a_config_may_give_a_metric_the_range_its_values_can_take() {
    let dir = file("m.csv", b"metric,value\ncpu,350%\n");
    assert_eq!(kpi_in(&dir, &["check", "m.csv"]).output().unwrap().status.code(), Some(1));
    let config = "extends: backend-team\nmetrics:\n  cpu_utilisation:\n    range: \"<= 200%\"\n";
    std::fs::write(dir.path().join("kpi.yaml"), config).unwrap();
    let out = kpi_in(&dir, &["check", "m.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: m.csv:2: `CPU Utilisation`: 350% is not a value it can take: it is at most 200%; check the value and its unit\n"
    );
}

#[test]
fn a_report_without_a_history_is_titled_without_a_check_in_and_says_nothing_of_a_last_one() {
    let out = kpi(&["report", "examples/backend-team.csv"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# Backend Team metrics\n"), "{text}");
    assert!(!text.to_lowercase().contains("check-in"), "{text}");
    let html = kpi(&["report", "--format", "html", "examples/backend-team.csv"]).output().unwrap();
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("<title>Backend Team metrics: Scorecard</title>"));
    assert!(!html.contains("Since last check-in"));
    // One dated check-in: a date in the title, but no "since" yet.
    let dir = file("one.csv", b"date,metric,value\n2026-11-23,mttr,45\n");
    let out = kpi_in(&dir, &["report", "one.csv"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# Backend Team metrics: check-in 2026-11-23\n"), "{text}");
    assert!(!text.contains("Since last check-in"), "{text}");
    // With an earlier check-in, the section is there.
    let out = kpi(&["report", "examples/weekly-history.csv"]).output().unwrap();
    assert!(String::from_utf8(out.stdout).unwrap().contains("## Since last check-in"));
}
