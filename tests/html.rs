//! The HTML check-in page, as a person sees it: opened in headless Chromium (Debian's `chromium`)
//! at 1280 and 390 pixels wide, with its DOM, its console, its network log and screenshots, which
//! are kept under `target/html-screenshots/` to be looked at.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};

mod common;
use common::{kpi, require_tool};

/// The page `kpi report ARGS --format html` writes.
fn page(args: &[&str]) -> String {
    let mut all = vec!["report", "--format", "html"];
    all.extend(args);
    let out = kpi(&all).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The names of the metrics of a scorecard, and those that need attention, from its JSON.
fn metrics(file: &str) -> (Vec<String>, Vec<String>) {
    let out = kpi(&["check", "--format", "json", file]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = doc["results"].as_array().unwrap();
    let names = results.iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    let attention = results
        .iter()
        .filter(|r| r["status"] == "warn" || r["status"] == "fail")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    (names, attention)
}

/// A Chromium run that is killed if the test ends first or it takes too long.
struct Browser(Child);

impl Drop for Browser {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// What one headless run left: its standard output, its console messages and the URLs the page
/// itself requested (requests keyed to the page's `file://` origin in Chromium's net log; the
/// browser's own housekeeping requests are keyed otherwise, and none reach a network anyway).
struct Run {
    stdout: String,
    console: Vec<String>,
    requests: Vec<String>,
}

fn chromium(chromium: &Path, page: &Path, width: u32, action: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let netlog = dir.path().join("net.json");
    let (stdout, stderr) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg(format!("--window-size={width},4200"))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap());
    let mut browser = Browser(command.spawn().unwrap());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if browser.0.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "chromium took over two minutes on {}", page.display());
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(&stderr).unwrap();
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(|l| l.split("] ").nth(1).unwrap_or(l).to_string())
        .collect();
    let net: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&netlog).unwrap()).unwrap();
    let requests = net["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let params = &e["params"];
            let key = params["network_isolation_key"].as_str()?;
            key.starts_with("file://").then(|| params["url"].as_str().unwrap_or("?").to_string())
        })
        .collect();
    Run { stdout: std::fs::read_to_string(&stdout).unwrap(), console, requests }
}

/// A test-only copy of the page that logs its scroll width each time its viewport changes size,
/// and every element whose content is wider than its box (outside the roll-up, which may scroll
/// sideways on its own): the page itself runs no script. The copy's policy allows that one script by its hash and
/// nothing more.
fn measuring_copy(html: &str) -> String {
    let script = "function kpiMeasure(){var clipped=[];document.querySelectorAll('body *').forEach(function(e){if(e.scrollWidth>e.clientWidth+1&&!e.closest('.wide')&&getComputedStyle(e).display!=='inline'){clipped.push(e.tagName+'.'+e.className)}});console.log('kpi-measure '+document.documentElement.scrollWidth+' '+window.innerWidth+' '+clipped.join(','))}addEventListener('resize',kpiMeasure);kpiMeasure();";
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    let html = html.replace("script-src 'none'", &format!("script-src 'sha256-{hash}'"));
    assert!(html.contains(&hash), "the page's policy has no `script-src 'none'` to replace");
    html.replace("</body>", &format!("<script>{script}</script></body>"))
}

/// The width of a PNG, from its header.
fn png_width(path: &Path) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG", "{} is not a PNG", path.display());
    u32::from_be_bytes(bytes[16..20].try_into().unwrap())
}

fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/html-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens a page in Chromium and checks what a person would see; returns the DOM at 1280 px.
fn check_in_browser(name: &str, html: &str, charted: usize, names: &[String]) {
    let Some(chromium_path) = require_tool("chromium") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("{name}.html"));
    std::fs::write(&file, html).unwrap();
    let shots = screenshot_dir();
    for width in [1280, 390] {
        let png = shots.join(format!("{name}-{width}.png"));
        std::fs::remove_file(&png).ok();
        let run =
            chromium(&chromium_path, &file, width, &format!("--screenshot={}", png.display()));
        assert_eq!(run.console, Vec::<String>::new(), "console messages at {width} px");
        assert_eq!(run.requests, Vec::<String>::new(), "the page made requests at {width} px");
        assert_eq!(png_width(&png), width, "the screenshot is not {width} px wide");
    }
    let dom = chromium(&chromium_path, &file, 1280, "--dump-dom");
    assert!(dom.console.is_empty(), "console messages: {:?}", dom.console);
    assert!(dom.requests.is_empty(), "the page made requests: {:?}", dom.requests);
    let text = dom.stdout;
    assert!(text.contains("</html>"), "no DOM was dumped: {text}");
    for name in names {
        assert!(text.contains(&format!(">{name}<")), "`{name}` is not on the page");
    }
    let figures: Vec<&str> = text.split("<figure class=\"chart\"").skip(1).collect();
    assert_eq!(figures.len(), charted, "one chart per charted metric");
    for figure in figures {
        let svg = &figure[figure.find("<svg").expect("a chart holds an SVG")..];
        assert!(svg.contains("role=\"img\""), "{svg}");
        assert!(svg.contains("<title id=") && svg.contains("<desc id="), "{svg}");
    }
    // No horizontal scroll on a phone: the copy logs its scroll width as the viewport takes the
    // screenshot's width.
    let copy = dir.path().join(format!("{name}-measure.html"));
    std::fs::write(&copy, measuring_copy(html)).unwrap();
    let png = dir.path().join("measure.png");
    let run = chromium(&chromium_path, &copy, 390, &format!("--screenshot={}", png.display()));
    let last = run.console.iter().rev().find(|l| l.contains("kpi-measure")).expect("a measurement");
    let measured = &last[last.find("kpi-measure ").unwrap() + 12..];
    let fields: Vec<&str> = measured.split('"').next().unwrap().split(' ').collect();
    let numbers: Vec<u32> = fields.iter().take(2).filter_map(|n| n.parse().ok()).collect();
    assert_eq!(numbers.len(), 2, "{last}");
    assert_eq!(numbers[1], 390, "measured at another width: {last}");
    assert!(numbers[0] <= 390, "the page scrolls sideways at 390 px: {last}");
    assert_eq!(fields.get(2).copied().unwrap_or(""), "", "content cut off at 390 px: {last}");
}

#[test]
fn the_twelve_week_report_opens_in_a_browser_as_it_should() {
    let html = page(&["examples/weekly-history.csv", "--chart", "mttr"]);
    let (names, mut charted) = metrics("examples/weekly-history.csv");
    if !charted.contains(&"mttr".to_string()) {
        charted.push("mttr".to_string());
    }
    check_in_browser("weekly-history", &html, charted.len(), &names);
}

#[test]
fn the_services_report_opens_in_a_browser_as_it_should() {
    let html = page(&["examples/services.csv"]);
    let (names, charted) = metrics("examples/services.csv");
    let mut unique = names.clone();
    unique.dedup();
    check_in_browser("services", &html, charted.len(), &unique);
}

#[test]
fn the_network_check_sees_a_request_when_a_page_makes_one() {
    let Some(chromium_path) = require_tool("chromium") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leaky.html");
    std::fs::write(
        &file,
        "<!doctype html><title>x</title><img src=\"http://kpi.invalid/pixel.png\" alt=\"\"><script>console.error('boom')</script>",
    )
    .unwrap();
    let run = chromium(&chromium_path, &file, 800, "--dump-dom");
    assert_eq!(run.requests, ["http://kpi.invalid/pixel.png"]);
    assert!(run.console.iter().any(|l| l.contains("boom")), "{:?}", run.console);
}

#[test]
fn the_twelve_week_page_is_self_contained_and_small() {
    let html = page(&["examples/weekly-history.csv", "--chart", "mttr"]);
    assert!(html.len() < 200 * 1024, "{} bytes", html.len());
    for forbidden in ["<script", "<link", " src=", "url(", "@import", "href=\"http"] {
        assert!(!html.contains(forbidden), "`{forbidden}` in the page");
    }
    assert!(html.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(html.contains("prefers-color-scheme: dark") && html.contains("@media print"));
    insta::assert_snapshot!(html);
}

#[test]
fn check_exports_the_page_next_to_its_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kpi.html");
    let export = format!("html={}", path.display());
    let out = kpi(&["check", "examples/weekly-history.csv", "--export", &export]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Without `--chart`, the metrics that need attention are charted.
    assert_eq!(html.matches("<figure class=\"chart\"").count(), 1);
    assert!(html.contains("data-metric=\"cpu_utilisation\""));
}
