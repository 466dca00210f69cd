//! The GitHub source against a loopback HTTP server that serves recorded answers in the shapes
//! GitHub's REST API documents (`tests/fixtures/collect/github/`), under an Enterprise Server base
//! URL (`/api/v3`): pagination through `Link`, a list that stops once it is past the window, a
//! rate limit, and a next page on another host.

mod common;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::kpi;
use insta_cmd::assert_cmd_snapshot;
use kpi::collect::{Collected, Fact, Request, Settings, github};

const REPO: &str = "/api/v3/repos/acme/api";

/// One recorded answer: the request target it answers, status, headers and body (`{base}` is the
/// server's address).
struct Route {
    target: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/github").join(name),
    )
    .unwrap()
}

fn ok(target: &str, body: &str, next: Option<&str>) -> Route {
    let mut headers = vec![
        ("content-type".to_string(), "application/json; charset=utf-8".to_string()),
        ("x-ratelimit-limit".to_string(), "5000".to_string()),
        ("x-ratelimit-remaining".to_string(), "4990".to_string()),
        ("x-github-api-version-selected".to_string(), "2022-11-28".to_string()),
    ];
    if let Some(next) = next {
        headers.push((
            "link".to_string(),
            format!(r#"<{{base}}{next}>; rel="next", <{{base}}{next}>; rel="last""#),
        ));
    }
    Route { target: target.to_string(), status: 200, headers, body: fixture(body) }
}

/// A request's target and its headers, lowercased.
type Seen = (String, Vec<String>);

/// A server on a free port of 127.0.0.1, answering from `routes` (404 otherwise) and keeping each
/// request's target and headers.
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn serve(routes: Vec<Route>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (log, at) = (Arc::clone(&seen), base.clone());
    // The thread ends with the test binary; it holds no files and no other process.
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &routes, &at, &log);
        }
    });
    Server { base, seen }
}

fn answer(mut stream: TcpStream, routes: &[Route], base: &str, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        // Not HTTP (a TLS hello): answer as a plain HTTP server does.
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        return;
    }
    let target = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap() == 0 || header.trim().is_empty() {
            break;
        }
        headers.push(header.trim().to_lowercase());
    }
    log.lock().unwrap().push((target.clone(), headers));
    let (status, extra, body) = match routes.iter().find(|r| r.target == target) {
        Some(r) => (r.status, r.headers.clone(), r.body.replace("{base}", base)),
        None => (404, Vec::new(), r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#.to_string()),
    };
    let mut head =
        format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (k, v) in extra {
        let _ = write!(head, "{k}: {}\r\n", v.replace("{base}", base));
    }
    let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
}

/// The answers of a week of `acme/api`, 2026-11-17 to 2026-11-23.
fn week() -> Vec<Route> {
    let since = "since=2026-11-17T00:00:00Z&per_page=100";
    vec![
        ok(
            &format!("{REPO}/pulls?state=closed&sort=updated&direction=desc&per_page=100"),
            "pulls-1.json",
            Some(&format!(
                "{REPO}/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=2"
            )),
        ),
        // Page 2 ends before the window, so page 3, which is not served, is never asked for.
        ok(
            &format!("{REPO}/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=2"),
            "pulls-2.json",
            Some(&format!(
                "{REPO}/pulls?state=closed&sort=updated&direction=desc&per_page=100&page=3"
            )),
        ),
        ok(
            &format!("{REPO}/pulls/41/reviews?per_page=100"),
            "reviews-41-1.json",
            Some(&format!("{REPO}/pulls/41/reviews?per_page=100&page=2")),
        ),
        ok(&format!("{REPO}/pulls/41/reviews?per_page=100&page=2"), "reviews-41-2.json", None),
        ok(&format!("{REPO}/pulls/39/reviews?per_page=100"), "reviews-39.json", None),
        ok(&format!("{REPO}/pulls/38/reviews?per_page=100"), "reviews-38.json", None),
        ok(
            &format!("{REPO}/issues?state=closed&labels=incident&{since}"),
            "incidents-1.json",
            Some(&format!("{REPO}/issues?state=closed&labels=incident&{since}&page=2")),
        ),
        ok(
            &format!("{REPO}/issues?state=closed&labels=incident&{since}&page=2"),
            "incidents-2.json",
            None,
        ),
        ok(&format!("{REPO}/issues?state=all&labels=bug&{since}"), "bugs.json", None),
    ]
}

fn collect(base: &str, pairs: &[(&str, &str)]) -> Result<Collected, String> {
    let mut settings = Settings(vec![("api_url".into(), vec![format!("{base}/api/v3")])]);
    settings.0.extend(pairs.iter().map(|(k, v)| ((*k).to_string(), vec![(*v).to_string()])));
    let request = Request {
        path: Path::new("acme/api"),
        format: None,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (github::KIND.collect)(&request).map_err(|e| e.message)
}

fn value(collected: &Collected, metric: &str) -> f64 {
    collected.readings.iter().find(|r| r.metric == metric).map(|r| r.value).unwrap()
}

#[test]
fn review_rounds_recovery_and_bugs_follow_their_definitions_across_pages() {
    let server = serve(week());
    let got = collect(&server.base, &[]).unwrap();
    // Merged in the window: #41, #39, #38 (#40 was closed unmerged, #37 merged before). Rounds:
    // #41 commits a1 and b2 reviewed by bo (ada's own review and the bot's are left out): 2;
    // #39 three commits reviewed by cy: 3; #38 no review: 0. The median of 0, 2, 3 is 2.
    assert_eq!(value(&got, "code_review_rounds"), 2.0);
    // Closed in the window: #50 after 40 min, #51 after 90, #53 after 120 (opened the day
    // before); #52 is a pull request, #55 was not planned, #54 closed before. Median: 90.
    assert_eq!(value(&got, "mttr"), 90.0);
    // Opened in the window: #60 and #61 (#63 is a pull request, #62 older).
    assert_eq!(got.facts, vec![(Fact::Bugs, 2.0), (Fact::Defects, 2.0)]);
    assert!(got.missing.is_empty());
    let seen = server.seen.lock().unwrap();
    assert!(seen.iter().all(|(target, _)| target.starts_with("/api/v3/")), "{seen:?}");
    assert!(!seen.iter().any(|(target, _)| target.contains("page=3")), "{seen:?}");
    let headers = &seen[0].1;
    assert!(headers.contains(&"accept: application/vnd.github+json".to_string()), "{headers:?}");
    assert!(headers.contains(&"x-github-api-version: 2022-11-28".to_string()), "{headers:?}");
}

#[test]
fn rounds_may_be_one_plus_the_changes_requested() {
    let server = serve(week());
    let got = collect(&server.base, &[("review_rounds", "changes_requested")]).unwrap();
    // #41: 1 + bo's one request for changes = 2; #39 and #38: 1. Median: 1.
    assert_eq!(value(&got, "code_review_rounds"), 1.0);
}

#[test]
fn nothing_in_the_window_is_not_collected() {
    let server = serve(vec![
        ok(
            &format!("{REPO}/pulls?state=closed&sort=updated&direction=desc&per_page=100"),
            "reviews-38.json",
            None,
        ),
        ok(
            &format!(
                "{REPO}/issues?state=closed&labels=sev1&since=2026-11-17T00:00:00Z&per_page=100"
            ),
            "reviews-38.json",
            None,
        ),
        ok(
            &format!("{REPO}/issues?state=all&labels=bug&since=2026-11-17T00:00:00Z&per_page=100"),
            "reviews-38.json",
            None,
        ),
    ]);
    let got = collect(&server.base, &[("incident_label", "sev1")]).unwrap();
    assert!(got.readings.is_empty());
    let reasons: Vec<&str> = got.missing.iter().map(|m| m.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "no pull request of `acme/api` was merged between 2026-11-17 and 2026-11-23",
            "no issue labelled `sev1` was closed between 2026-11-17 and 2026-11-23"
        ]
    );
    // No bug opened is a count of 0, which is true.
    assert_eq!(got.facts, vec![(Fact::Bugs, 0.0), (Fact::Defects, 0.0)]);
}

#[test]
fn a_rate_limit_part_way_is_an_error_with_the_reset_time_not_a_partial_count() {
    let mut routes = week();
    let limited = routes
        .iter_mut()
        .find(|r| r.target.ends_with("/pulls/41/reviews?per_page=100&page=2"))
        .unwrap();
    limited.status = 403;
    limited.body = fixture("rate-limit.json");
    limited.headers = vec![
        ("x-ratelimit-limit".into(), "5000".into()),
        ("x-ratelimit-remaining".into(), "0".into()),
        ("x-ratelimit-reset".into(), "1795431600".into()),
        ("x-ratelimit-resource".into(), "core".into()),
    ];
    let server = serve(routes);
    insta::assert_snapshot!(collect(&server.base, &[]).unwrap_err());
}

#[test]
fn a_next_page_on_another_host_is_refused() {
    let mut routes = week();
    routes[0].headers.retain(|(k, _)| k != "link");
    routes[0].headers.push((
        "link".into(),
        r#"<https://elsewhere.example/api/v3/repos/acme/api/pulls?page=2>; rel="next""#.into(),
    ));
    let server = serve(routes);
    let err = collect(&server.base, &[]).unwrap_err();
    assert_eq!(
        err.replace(&server.base, "BASE"),
        "GitHub's next page `https://elsewhere.example/api/v3/repos/acme/api/pulls?page=2` is not under `BASE/api/v3`; check `api_url`"
    );
}

#[test]
fn a_repository_must_be_owner_and_name() {
    let settings = Settings::default();
    let request = Request {
        path: Path::new("acme"),
        format: None,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    assert_eq!(
        (github::KIND.collect)(&request).unwrap_err().message,
        "`acme` is not a repository; write it as `OWNER/NAME`"
    );
}

#[test]
fn kpi_collect_github_sends_the_token_and_prints_the_rows() {
    let server = serve(week());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kpi.yaml"),
        format!(
            "collect:\n  sources:\n    github:\n      repo: acme/api\n      api_url: {}/api/v3\n",
            server.base
        ),
    )
    .unwrap();
    let mut cmd = kpi(&["collect", "github", "--as-of", "2026-11-23"]);
    cmd.current_dir(dir.path()).env("GITHUB_TOKEN", "ghp_test0123").env_remove("GITHUB_REPOSITORY");
    assert_cmd_snapshot!(cmd);
    let seen = server.seen.lock().unwrap();
    assert!(
        seen.iter().all(|(_, h)| h.contains(&"authorization: bearer ghp_test0123".to_string())),
        "{seen:?}"
    );
}

#[test]
fn the_example_config_reads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect/github/kpi.yaml");
    let config = kpi::input::config::load_collect(Some(&path)).unwrap();
    let settings = &config.sources[0].settings;
    assert_eq!(settings.texts("incident_label").unwrap(), ["incident", "sev1"]);
    assert_eq!(settings.text("repo"), Some("acme/api"));
}

#[test]
fn tls_to_a_server_that_speaks_plain_http_is_one_line() {
    let server = serve(week());
    let https = server.base.replace("http://", "https://");
    let err = collect(&https, &[]).unwrap_err();
    let host = https.trim_start_matches("https://");
    assert!(err.starts_with(&format!("TLS with `{host}` failed: ")), "{err}");
    assert!(err.ends_with("signed by an authority this system trusts"), "{err}");
    assert_eq!(err.lines().count(), 1);
}
