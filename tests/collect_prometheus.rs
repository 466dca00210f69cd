//! The Prometheus source against a real server: Debian's `prometheus` and `promtool`. Each test
//! backfills the same `OpenMetrics` samples into blocks (made once per run), starts its own server
//! on a free port of 127.0.0.1 with a copy of them, queries at a time inside the data, and stops
//! the server when it ends, whatever happens.

mod common;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{kpi, require_tool};
use insta_cmd::assert_cmd_snapshot;
use kpi::collect::{Collected, Request, Settings, prometheus};

/// The last sample, and the instant `--as-of 2026-11-23` queries at: the end of that day.
const END: i64 = 1_795_478_400; // 2026-11-24T00:00:00Z
/// An hour of samples, every 15 s.
const STEP: i64 = 15;
const SAMPLES: i64 = 241;

/// A counter growing at `per_second`, from a start high enough that `rate()` never extrapolates
/// below zero.
fn counter(out: &mut String, series: &str, per_second: f64) {
    for i in 0..SAMPLES {
        let t = END - (SAMPLES - 1 - i) * STEP;
        let value = 1_000_000.0 + per_second * (i * STEP) as f64;
        let _ = writeln!(out, "{series} {value} {t}");
    }
}

fn gauge(out: &mut String, series: &str, value: f64) {
    for i in 0..SAMPLES {
        let t = END - (SAMPLES - 1 - i) * STEP;
        let _ = writeln!(out, "{series} {value} {t}");
    }
}

/// The samples, per second over the hour (every counter grows at a constant rate, so `rate()` is
/// that rate):
/// - `checkout`: `/api/orders` 90 req/s answered 200 and 1 answered 500, `/health` 9 answered 200;
///   its durations per second: `/api/orders` 20 at most 50 ms, 50 at most 100 ms, 80 at most
///   200 ms, 90 at most 500 ms, 90 in all; `/health` 10 at most 50 ms, 10 in all. Two CPUs idle
///   0.3 s and 0.5 s a second; 3 GiB of 8 GiB available.
/// - `search`: `/api/search` 40 answered 200 and 10 answered 404, no 5xx series at all; durations
///   10, 30, 37, 40 and 40. CPUs idle 0.8 s and 0.9 s a second; 6 GiB of 8 GiB available.
/// - `idle`: a counter that never grows (no traffic), and a histogram that never grows.
fn openmetrics() -> String {
    let mut out = String::new();
    out.push_str("# TYPE http_requests counter\n# HELP http_requests Requests served.\n");
    for (service, handler, code, rate) in [
        ("checkout", "/api/orders", "200", 90.0),
        ("checkout", "/api/orders", "500", 1.0),
        ("checkout", "/health", "200", 9.0),
        ("search", "/api/search", "200", 40.0),
        ("search", "/api/search", "404", 10.0),
        ("idle", "/api/ping", "200", 0.0),
    ] {
        let labels = format!(r#"code="{code}",handler="{handler}",job="api",service="{service}""#);
        counter(&mut out, &format!("http_requests_total{{{labels}}}"), rate);
    }
    out.push_str("# TYPE http_request_duration_seconds histogram\n# HELP http_request_duration_seconds Request durations.\n");
    for (service, handler, buckets) in [
        ("checkout", "/api/orders", [20.0, 50.0, 80.0, 90.0, 90.0]),
        ("checkout", "/health", [10.0, 10.0, 10.0, 10.0, 10.0]),
        ("search", "/api/search", [10.0, 30.0, 37.0, 40.0, 40.0]),
        ("idle", "/api/ping", [0.0; 5]),
    ] {
        let labels = format!(r#"handler="{handler}",job="api",service="{service}""#);
        for (le, rate) in ["0.05", "0.1", "0.2", "0.5", "+Inf"].iter().zip(buckets) {
            counter(
                &mut out,
                &format!(r#"http_request_duration_seconds_bucket{{{labels},le="{le}"}}"#),
                rate,
            );
        }
        counter(&mut out, &format!("http_request_duration_seconds_count{{{labels}}}"), buckets[4]);
        counter(
            &mut out,
            &format!("http_request_duration_seconds_sum{{{labels}}}"),
            buckets[4] * 0.1,
        );
    }
    out.push_str("# TYPE node_cpu_seconds counter\n# HELP node_cpu_seconds CPU time by mode.\n");
    for (service, cpu, idle) in
        [("checkout", "0", 0.3), ("checkout", "1", 0.5), ("search", "0", 0.8), ("search", "1", 0.9)]
    {
        for (mode, rate) in [("idle", idle), ("user", 1.0 - idle)] {
            counter(
                &mut out,
                &format!(
                    r#"node_cpu_seconds_total{{cpu="{cpu}",instance="{service}-1:9100",job="api",mode="{mode}",service="{service}"}}"#
                ),
                rate,
            );
        }
    }
    let gib = 1024.0 * 1024.0 * 1024.0;
    for (name, checkout, search) in [
        ("node_memory_MemAvailable_bytes", 3.0 * gib, 6.0 * gib),
        ("node_memory_MemTotal_bytes", 8.0 * gib, 8.0 * gib),
    ] {
        let _ = write!(out, "# TYPE {name} gauge\n# HELP {name} Memory.\n");
        for (service, value) in [("checkout", checkout), ("search", search)] {
            gauge(
                &mut out,
                &format!(r#"{name}{{instance="{service}-1:9100",job="api",service="{service}"}}"#),
                value,
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

/// The blocks `promtool` makes of the samples, once per run.
fn blocks(promtool: &Path) -> &'static Path {
    static BLOCKS: OnceLock<PathBuf> = OnceLock::new();
    BLOCKS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("prometheus-blocks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("samples.om");
        std::fs::write(&file, openmetrics()).unwrap();
        let out = Command::new(promtool)
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&file)
            .arg(dir.join("data"))
            .output()
            .unwrap();
        assert!(out.status.success(), "promtool: {}", String::from_utf8_lossy(&out.stderr));
        dir.join("data")
    })
}

/// A running server; dropping it stops the server and removes its storage.
struct Server {
    child: Child,
    url: String,
    storage: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Starts `prometheus` on the samples, or `None` (having said so) when it is not installed.
fn server() -> Option<Server> {
    let prometheus = require_tool("prometheus")?;
    let promtool = require_tool("promtool")?;
    let storage = tempfile::tempdir().unwrap();
    copy_dir(blocks(&promtool), &storage.path().join("data"));
    let config = storage.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").unwrap();
    let port = free_port();
    let log = std::fs::File::create(storage.path().join("prometheus.log")).unwrap();
    let child = Command::new(prometheus)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", storage.path().join("data").display()))
        .arg("--storage.tsdb.retention.time=100y")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let server = Server { child, url: format!("http://127.0.0.1:{port}"), storage };
    let ready = format!("{}/-/ready", server.url);
    let started = Instant::now();
    loop {
        if ureq::get(&ready).call().is_ok_and(|r| r.status() == 200) {
            return Some(server);
        }
        let log = std::fs::read_to_string(server.storage.path().join("prometheus.log"));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prometheus did not get ready: {}",
            log.unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn settings(pairs: &[(&str, &str)]) -> Settings {
    Settings(pairs.iter().map(|(k, v)| ((*k).to_string(), vec![(*v).to_string()])).collect())
}

fn collect(url: &str, settings: &Settings) -> Result<Collected, String> {
    let request = Request {
        path: Path::new(url),
        format: None,
        settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (prometheus::KIND.collect)(&request).map_err(|e| e.message)
}

/// The value of `metric` for `scope`, in its unit.
fn value(collected: &Collected, metric: &str, scope: Option<&str>) -> (f64, &'static str) {
    let found = collected
        .readings
        .iter()
        .find(|r| r.metric == metric && r.scope.as_deref() == scope)
        .unwrap_or_else(|| panic!("no {metric} for {scope:?} in {collected:#?}"));
    (found.value, found.unit)
}

fn close(got: (f64, &str), want: (f64, &str)) {
    assert_eq!(got.1, want.1);
    assert!(
        (got.0 - want.0).abs() <= 1e-6 * want.0.abs().max(1.0),
        "got {}, want {}",
        got.0,
        want.0
    );
}

#[test]
fn built_in_queries_give_each_service_the_values_computed_by_hand() {
    let Some(server) = server() else { return };
    let got = collect(&server.url, &settings(&[("scope_label", "service")])).unwrap();
    // p95 over all handlers: checkout's buckets per second are 30, 60, 90, 100, 100, so the 95th
    // of 100 lies in (0.2, 0.5] at 0.2 + 0.3 × (95 - 90) / (100 - 90) = 0.35 s.
    close(value(&got, "response_time", Some("checkout")), (350.0, "ms"));
    // search: 10, 30, 37, 40, 40; the 38th of 40 at 0.2 + 0.3 × (38 - 37) / (40 - 37) = 0.3 s.
    close(value(&got, "response_time", Some("search")), (300.0, "ms"));
    // `/api/` handlers only: checkout's `/api/orders` 20, 50, 80, 90, 90; 85.5 of 90 at
    // 0.2 + 0.3 × 5.5 / 10 = 0.365 s.
    close(value(&got, "api_response_time", Some("checkout")), (365.0, "ms"));
    close(value(&got, "api_response_time", Some("search")), (300.0, "ms"));
    // 1 of 100 req/s answered 5xx; search has no 5xx series at all, which is 0 %, not no data.
    close(value(&got, "error_rate", Some("checkout")), (1.0, "%"));
    close(value(&got, "error_rate", Some("search")), (0.0, "%"));
    close(value(&got, "requests_per_second", Some("checkout")), (100.0, "req/s"));
    close(value(&got, "requests_per_second", Some("search")), (50.0, "req/s"));
    // No traffic at all: 0 req/s is a true count.
    close(value(&got, "requests_per_second", Some("idle")), (0.0, "req/s"));
    // Idle 0.3 and 0.5 of a second: 1 - 0.4 = 60 %; 0.8 and 0.9: 1 - 0.85 = 15 %.
    close(value(&got, "cpu_utilisation", Some("checkout")), (60.0, "%"));
    close(value(&got, "cpu_utilisation", Some("search")), (15.0, "%"));
    // 3 of 8 GiB available: 62.5 % used; 6 of 8: 25 %.
    close(value(&got, "memory_usage", Some("checkout")), (62.5, "%"));
    close(value(&got, "memory_usage", Some("search")), (25.0, "%"));
    // `idle` has no traffic: its error rate and quantiles divide 0 by 0, which is NaN.
    let missing: Vec<(&str, &str)> =
        got.missing.iter().map(|m| (m.metric, m.reason.as_str())).collect();
    insta::assert_debug_snapshot!(missing);
    assert_eq!(got.readings.len(), 13, "{got:#?}");
}

#[test]
fn without_a_scope_label_the_whole_system_is_one_reading() {
    let Some(server) = server() else { return };
    let got = collect(&server.url, &settings(&[("selector", r#"job="api""#)])).unwrap();
    // Buckets of both services summed: 40, 90, 127, 140, 140; the 133rd of 140 at
    // 0.2 + 0.3 × 6 / 13 s.
    close(value(&got, "response_time", None), ((0.2 + 0.3 * 6.0 / 13.0) * 1000.0, "ms"));
    close(value(&got, "error_rate", None), (100.0 / 150.0, "%"));
    close(value(&got, "requests_per_second", None), (150.0, "req/s"));
    close(value(&got, "cpu_utilisation", None), (37.5, "%"));
    close(value(&got, "memory_usage", None), (100.0 * (1.0 - 9.0 / 16.0), "%"));
    assert!(got.missing.is_empty(), "{got:#?}");
    // A selector that matches nothing is no series, never 0.
    let none = collect(&server.url, &settings(&[("selector", r#"job="nope""#)])).unwrap();
    assert!(none.readings.is_empty());
    assert_eq!(none.missing.len(), 6);
    assert_eq!(
        none.missing[0].reason,
        "the query returned no series at 2026-11-24T00:00:00Z; check the metric names and `selector`, or set `queries.response_time`"
    );
}

#[test]
fn overrides_replace_or_add_queries_in_their_units() {
    let Some(server) = server() else { return };
    let set = Settings(vec![
        (
            "queries.response_time.expr".into(),
            vec!["histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))".into()],
        ),
        ("queries.response_time.unit".into(), vec!["s".into()]),
        (
            "queries.error_rate.expr".into(),
            vec![r#"sum(rate(http_requests_total{code="404"}[5m])) / sum(rate(http_requests_total[5m]))"#.into()],
        ),
        ("queries.error_rate.unit".into(), vec!["ratio".into()]),
        // Already in the metric's unit.
        ("queries.requests_per_second".into(), vec![r#"sum(rate(http_requests_total{service="search"}[5m]))"#.into()]),
        // A metric without a built-in query, and a query for it that finds nothing.
        ("queries.mttr.expr".into(), vec!["incident_recovery_minutes".into()]),
    ]);
    let got = collect(&server.url, &set).unwrap();
    // The 70th of 140 lies in (0.05, 0.1], 40 to 90: 0.05 + 0.05 × 30 / 50 = 0.08 s.
    close(value(&got, "response_time", None), (80.0, "ms"));
    close(value(&got, "error_rate", None), (100.0 * 10.0 / 150.0, "%"));
    close(value(&got, "requests_per_second", None), (50.0, "req/s"));
    let mttr = got.missing.iter().find(|m| m.metric == "mttr").unwrap();
    assert_eq!(
        mttr.reason,
        "the query returned no series at 2026-11-24T00:00:00Z; check `queries.mttr`"
    );
}

#[test]
fn a_bad_expression_and_an_unaggregated_result_are_errors() {
    let Some(server) = server() else { return };
    let bad = collect(&server.url, &settings(&[("queries.response_time", "sum(rate(x[5m])")]));
    insta::assert_snapshot!(bad.unwrap_err());
    let many =
        collect(&server.url, &settings(&[("queries.requests_per_second", "http_requests_total")]));
    insta::assert_snapshot!(many.unwrap_err());
}

#[test]
fn a_refused_connection_is_one_line() {
    // A port nobody listens on: bound, then let go.
    let port = free_port();
    let err = collect(&format!("http://127.0.0.1:{port}"), &Settings::default()).unwrap_err();
    assert_eq!(
        err.replace(&port.to_string(), "PORT"),
        "cannot connect to `127.0.0.1:PORT`: connection refused; check the URL `http://127.0.0.1:PORT/api/v1/query` and that the server is running"
    );
}

#[test]
fn kpi_collect_prometheus_prints_the_rows_and_kpi_check_grades_them() {
    let Some(server) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kpi.yaml");
    let mut file = std::fs::File::create(&config).unwrap();
    write!(
        file,
        "collect:\n  sources:\n    prometheus:\n      url: {}\n      scope_label: service\n      selector: '{{job=\"api\"}}'\n",
        server.url
    )
    .unwrap();
    let mut collect = kpi(&["collect", "prometheus", "--as-of", "2026-11-23"]);
    collect.current_dir(dir.path());
    assert_cmd_snapshot!(collect);
    let mut check =
        kpi(&["check", "--from", "prometheus", "--as-of", "2026-11-23", "--format", "json"]);
    check.current_dir(dir.path());
    let out = check.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |scope: &str, metric: &str| {
        json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == scope && r["id"] == metric)
            .map(|r| (r["status"].as_str().unwrap().to_string(), r["value"].as_f64()))
    };
    // 350 ms is past the warn band (<= 300 ms); 60 % CPU passes; 15 % fails as too low.
    assert_eq!(status("checkout", "response_time"), Some(("fail".into(), Some(350.0))));
    assert_eq!(status("checkout", "cpu_utilisation"), Some(("pass".into(), Some(60.0))));
    assert_eq!(status("search", "cpu_utilisation"), Some(("fail".into(), Some(15.0))));
    assert_eq!(status("search", "error_rate"), Some(("pass".into(), Some(0.0))));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "not collected: `error_rate` (prometheus:): scope `idle`: the query returned NaN"
        ),
        "{stderr}"
    );
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/prometheus")
}

fn scoped() -> prometheus::Shape {
    prometheus::Shape { scope_label: Some("service".into()), ..prometheus::Shape::default() }
}

/// `scripts/make-collect-fixtures-prometheus.sh` writes the fixtures' samples and queries through
/// this test (`KPI_WRITE_FIXTURES=1`); otherwise it holds the committed ones equal to the tests'.
#[test]
fn the_committed_samples_are_the_tests_samples() {
    let mut queries = String::new();
    for m in prometheus::BUILT_IN {
        let _ = writeln!(queries, "{m}\t{}", prometheus::built_in(m, &scoped()).unwrap().0);
    }
    let (samples, tsv) = (fixtures().join("samples.om"), fixtures().join("queries.tsv"));
    if std::env::var_os("KPI_WRITE_FIXTURES").is_some_and(|v| v == "1") {
        std::fs::write(&samples, openmetrics()).unwrap();
        std::fs::write(&tsv, &queries).unwrap();
    }
    let stale = "stale fixture: run scripts/make-collect-fixtures-prometheus.sh";
    assert!(std::fs::read_to_string(samples).unwrap() == openmetrics(), "{stale}");
    assert!(std::fs::read_to_string(tsv).unwrap() == queries, "{stale}");
}

/// The answers a real server gave (recorded by the script) read as the hand-computed values.
#[test]
fn recorded_answers_read_as_the_values_computed_by_hand() {
    let at: jiff::Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
    let mut got = Collected::default();
    for query in prometheus::queries(&Settings::default(), &scoped()).unwrap() {
        let body =
            std::fs::read_to_string(fixtures().join(format!("{}.json", query.metric))).unwrap();
        let series = prometheus::parse_answer(200, &body).unwrap();
        let one = prometheus::readings(&query, &series, Some("service"), at).unwrap();
        got.readings.extend(one.readings);
        got.missing.extend(one.missing);
    }
    for (metric, scope, want) in [
        ("response_time", "checkout", (350.0, "ms")),
        ("response_time", "search", (300.0, "ms")),
        ("api_response_time", "checkout", (365.0, "ms")),
        ("error_rate", "checkout", (1.0, "%")),
        ("error_rate", "search", (0.0, "%")),
        ("requests_per_second", "checkout", (100.0, "req/s")),
        ("cpu_utilisation", "search", (15.0, "%")),
        ("memory_usage", "checkout", (62.5, "%")),
    ] {
        close(value(&got, metric, Some(scope)), want);
    }
    assert_eq!(got.readings.len(), 13);
    assert_eq!(got.missing.len(), 3);
}

#[test]
fn the_example_config_gives_queries_as_dotted_settings() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect/prometheus/kpi.yaml");
    let config = kpi::input::config::load_collect(Some(&path)).unwrap();
    let settings = &config.sources[0].settings;
    assert_eq!(settings.text("scope_label"), Some("service"));
    assert_eq!(settings.text("queries.response_time.unit"), Some("ms"));
    assert_eq!(settings.text("queries.error_rate.unit"), Some("ratio"));
    let queries = prometheus::queries(settings, &prometheus::Shape::default()).unwrap();
    let error_rate = queries.iter().find(|q| q.metric == "error_rate").unwrap();
    assert!(error_rate.expr.starts_with("sum by (service) (rate(gateway_errors_total"));
    assert_eq!((error_rate.scale, error_rate.unit), (100.0, "%"));
}

#[test]
fn queries_in_kpi_yaml_must_be_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpi.yaml");
    std::fs::write(&path, "collect:\n  sources:\n    prometheus:\n      queries: up\n").unwrap();
    let err = kpi::input::config::load_collect(Some(&path)).unwrap_err();
    insta::assert_snapshot!(format!("{err:#}").replace(&path.display().to_string(), "kpi.yaml"));
}

#[test]
fn a_host_that_does_not_resolve_is_one_line_and_exit_2() {
    // `.invalid` never resolves (RFC 2606).
    let out =
        kpi(&["collect", "prometheus=http://prometheus.invalid:9090", "--as-of", "2026-11-23"])
            .output()
            .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: prometheus:http://prometheus.invalid:9090: cannot find the host `prometheus.invalid:9090` (DNS); check the URL `http://prometheus.invalid:9090/api/v1/query`\n"
    );
}
