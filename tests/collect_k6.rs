//! The k6 collector on summaries written by the real k6 (tests/fixtures/collect/k6/), against
//! k6's own text summary of the same run and against the file's fields as jq reads them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::collect::{Collected, Request, Settings, k6};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/k6").join(name)
}

fn collect(path: &Path, settings: &[(&str, &str)]) -> Result<Collected, String> {
    let settings = Settings(
        settings.iter().map(|(k, v)| ((*k).to_string(), vec![(*v).to_string()])).collect(),
    );
    let request = Request {
        path,
        format: None,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (k6::KIND.collect)(&request).map_err(|e| e.message)
}

fn value(collected: &Collected, metric: &str) -> f64 {
    let found = collected.readings.iter().find(|r| r.metric == metric);
    found.unwrap_or_else(|| panic!("no {metric} in {collected:?}")).value
}

/// One statistic of a metric line of k6's text summary: `http_req_duration...: avg=2.47ms ...`.
fn text_summary_line<'a>(summary: &'a str, metric: &str) -> &'a str {
    let line = summary.lines().find(|l| l.trim_start().starts_with(&format!("{metric}.")));
    let line = line.unwrap_or_else(|| panic!("no `{metric}` line in the text summary"));
    line.split_once(": ").unwrap().1.trim()
}

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Asserts that the export's readings are what k6 printed for the same run.
fn assert_matches_text_summary(export: &Path, summary: &str) {
    let duration = text_summary_line(summary, "http_req_duration");
    for statistic in ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"] {
        let printed = duration
            .split_whitespace()
            .find_map(|s| s.strip_prefix(&format!("{statistic}=")))
            .and_then(|s| s.strip_suffix("ms"))
            .unwrap_or_else(|| panic!("no {statistic} in `{duration}`"));
        let printed: f64 = printed.parse().unwrap();
        let collected = collect(export, &[("statistic", statistic)]).unwrap();
        assert_eq!(rounded(value(&collected, "response_time"), 2), printed, "{statistic}");
        assert_eq!(rounded(value(&collected, "api_response_time"), 2), printed, "{statistic}");
    }
    let collected = collect(export, &[]).unwrap();
    // `http_req_failed...: 9.50% 19 out of 200`
    let failed = text_summary_line(summary, "http_req_failed");
    let percent: f64 = failed.split('%').next().unwrap().parse().unwrap();
    assert_eq!(rounded(value(&collected, "error_rate"), 2), percent);
    let counts: Vec<&str> = failed.split_whitespace().collect();
    let error = collected.readings.iter().find(|r| r.metric == "error_rate").unwrap();
    assert_eq!(
        error.detail,
        format!("{} of {} requests failed (`http_req_failed`)", counts[1], counts[4])
    );
    // `http_reqs...: 200   692.265261/s`
    let reqs = text_summary_line(summary, "http_reqs");
    let rate: f64 =
        reqs.split_whitespace().nth(1).unwrap().strip_suffix("/s").unwrap().parse().unwrap();
    assert_eq!(rounded(value(&collected, "requests_per_second"), 6), rate);
}

#[test]
fn the_export_gives_what_k6_printed_for_the_same_run() {
    let summary = std::fs::read_to_string(fixture("text-run-summary.txt")).unwrap();
    assert_matches_text_summary(&fixture("text-run-export.json"), &summary);
}

#[test]
fn both_shapes_of_one_run_give_the_same_readings() {
    let export = collect(&fixture("summary-export.json"), &[]).unwrap();
    let handled = collect(&fixture("handle-summary.json"), &[]).unwrap();
    assert_eq!(export, handled);
    assert!(export.missing.is_empty(), "{:?}", export.missing);
    let metrics: Vec<&str> = export.readings.iter().map(|r| r.metric).collect();
    assert_eq!(
        metrics,
        ["response_time", "api_response_time", "error_rate", "requests_per_second"]
    );
    insta::assert_debug_snapshot!(export.readings);
}

/// The fields as jq reads them from the file, against what kpi reads.
fn jq(filter: &str, file: &Path) -> f64 {
    let out = Command::new("jq").arg("-r").arg(filter).arg(file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
}

#[test]
fn each_shape_reads_the_value_and_rate_fields_as_jq_does() {
    if common::require_tool("jq").is_none() {
        return;
    }
    for (file, values) in [("summary-export.json", ""), ("handle-summary.json", ".values")] {
        let path = fixture(file);
        let collected = collect(&path, &[]).unwrap();
        let p95 = jq(&format!(".metrics.http_req_duration{values}[\"p(95)\"]"), &path);
        assert_eq!(value(&collected, "response_time"), p95, "{file}");
        // The export writes a rate metric's rate as `value`; `passes` (the failed requests) and
        // the inverted threshold booleans are not it.
        let rate = if values.is_empty() { ".value" } else { ".values.rate" };
        let failed = jq(&format!(".metrics.http_req_failed{rate} * 100"), &path);
        assert_eq!(value(&collected, "error_rate"), failed, "{file}");
        let rps = jq(&format!(".metrics.http_reqs{values}.rate"), &path);
        assert_eq!(value(&collected, "requests_per_second"), rps, "{file}");
    }
    // The trap the fixture holds: the failing threshold is `true` in the export, `ok: false` in
    // handleSummary's data, and k6 counted the failed requests as passes.
    assert_eq!(
        jq(
            r#".metrics.http_req_failed.thresholds["rate<0.01"] | if . then 1 else 0 end"#,
            &fixture("summary-export.json")
        ),
        1.0
    );
    assert_eq!(jq(".metrics.http_req_failed.passes", &fixture("summary-export.json")), 19.0);
}

/// A server on 127.0.0.1 that the test stops however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn a_fresh_k6_run_is_read_as_k6_summarises_it() {
    let (Some(k6), Some(python)) = (common::require_tool("k6"), common::require_tool("python3"))
    else {
        return;
    };
    let port = free_port();
    let _server = Server(
        Command::new(python).arg(fixture("server.py")).arg(port.to_string()).spawn().unwrap(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "the test server did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.json");
    let out = Command::new(k6)
        .args(["run", "--quiet", "--no-color", "--summary-time-unit=ms"])
        .arg(format!("--summary-export={}", export.display()))
        .arg(fixture("script.js"))
        .env("K6_NO_USAGE_REPORT", "true")
        .env("BASE_URL", format!("http://127.0.0.1:{port}"))
        .env_remove("HANDLE_SUMMARY_OUT")
        .output()
        .unwrap();
    // 99: the fixture's failing threshold.
    assert_eq!(out.status.code(), Some(99), "{}", String::from_utf8_lossy(&out.stderr));
    assert_matches_text_summary(&export, &String::from_utf8(out.stdout).unwrap());
}

#[test]
fn errors_name_the_file_and_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("summary.json");
    std::fs::write(&broken, "{\n  \"metrics\": {\n    \"http_reqs\": {\"count\": 1,}\n  }\n}\n")
        .unwrap();
    let message = collect(&broken, &[]).unwrap_err();
    let message = message.replace(&dir.path().display().to_string(), "DIR");
    insta::assert_snapshot!(message, @"DIR/summary.json:3: not valid JSON at column 30: trailing comma; pass the k6 summary as the tool wrote it");

    std::fs::write(&broken, r#"{"root_group": {}}"#).unwrap();
    let message =
        collect(&broken, &[]).unwrap_err().replace(&dir.path().display().to_string(), "DIR");
    insta::assert_snapshot!(message, @"DIR/summary.json: not a k6 summary: it has no `metrics` object; pass the file written by `k6 run --summary-export=FILE` or by `handleSummary`");

    let message = collect(&fixture("summary-export.json"), &[("statistic", "median")]).unwrap_err();
    insta::assert_snapshot!(message, @"unknown k6 `statistic` `median`; use avg, min, med, max or a percentile such as p(95)");
    let message = collect(&dir.path().join("none.json"), &[]).unwrap_err();
    assert!(message.ends_with("; check the path of the k6 summary"), "{message}");
}

#[test]
fn a_statistic_the_test_did_not_ask_k6_for_is_not_collected() {
    let collected = collect(&fixture("summary-export.json"), &[("statistic", "p(99.9)")]).unwrap();
    let reasons: Vec<String> =
        collected.missing.iter().map(|m| format!("{}: {}", m.metric, m.reason)).collect();
    insta::assert_snapshot!(reasons.join("\n"));
    assert_eq!(collected.readings.len(), 2, "error rate and requests per second are still read");
}

#[test]
fn the_examples_are_the_real_fixtures() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect");
    for (example, fixture_name) in [
        ("k6-summary-export.json", "summary-export.json"),
        ("k6-handle-summary.json", "handle-summary.json"),
    ] {
        let read =
            |p: PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(read(examples.join(example)), read(fixture(fixture_name)), "{example}");
    }
}
