//! Input at the edges, through the real binary: a name or value far longer than any real one is
//! quoted only in part, characters that hide text are shown escaped in every output, and numbers
//! near the top of the float range print as numbers in every format.

#[allow(dead_code)]
mod common;

use std::io::Write;
use std::process::{Output, Stdio};

use common::kpi;
use insta_cmd::assert_cmd_snapshot;

/// `kpi args` with `stdin` as standard input, colour off.
fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = kpi(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    // The binary may stop reading at the first error; a broken pipe then is expected.
    let _ = writer.join().unwrap();
    out
}

/// The error line of a run that failed with exit code 2, after checking it is the only line.
fn one_error_line(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_huge_metric_name_is_quoted_by_its_first_eighty_characters() {
    let name = "x".repeat(200_000);
    let out = run_with_stdin(&["check", "-"], &format!("metric,value\n{name},1\n"));
    let error = one_error_line(&out);
    assert!(error.contains(&format!("unknown metric `{}…`;", "x".repeat(80))), "{error}");
    assert!(error.len() < 1000, "{} bytes", error.len());
}

#[test]
fn a_huge_value_and_a_huge_scope_are_quoted_in_part() {
    let value = format!("n{}", "9".repeat(100_000));
    let out = run_with_stdin(&["check", "-"], &format!("metric,value\nmttr,{value}\n"));
    let error = one_error_line(&out);
    assert!(error.contains(&format!("`n{}…` is not a number", "9".repeat(79))), "{error}");
    assert!(error.len() < 1000, "{} bytes", error.len());

    let scope = "s".repeat(100_000);
    let row = format!("2026-11-16,{scope},mttr,1h\n");
    let out = run_with_stdin(&["check", "-"], &format!("date,scope,metric,value\n{row}{row}"));
    let error = one_error_line(&out);
    assert!(error.contains(&format!("`{}…`", "s".repeat(80))), "{error}");
    assert!(error.len() < 1000, "{} bytes", error.len());
}

/// Characters that show as nothing, or as a line break in some viewers: line and paragraph
/// separators, zero-width space, byte order mark, soft hyphen, zero-width joiner and non-joiner,
/// word joiner and a tag character.
const HIDDEN: [char; 9] = [
    '\u{2028}',
    '\u{2029}',
    '\u{200b}',
    '\u{feff}',
    '\u{ad}',
    '\u{200c}',
    '\u{200d}',
    '\u{2060}',
    '\u{e0041}',
];

#[test]
fn characters_that_hide_text_are_escaped_in_every_output() {
    let scope: String = HIDDEN.iter().flat_map(|&c| ['a', c]).collect();
    let csv = format!(
        "date,scope,metric,value\n2026-11-16,{scope},mttr,90m\n2026-11-23,{scope},mttr,3d\n"
    );
    for args in [
        &["check", "-", "--format", "table"][..],
        &["check", "-", "--format", "markdown"],
        &["check", "-", "--format", "junit"],
        &["check", "-", "--format", "github"],
        &["check", "-", "--format", "json"],
        &["report", "-"],
    ] {
        let out = run_with_stdin(args, &csv);
        assert_eq!(
            out.status.code(),
            // `check` fails the gate on the three-day recovery; `report` only reports.
            Some(i32::from(args[0] == "check")),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains(HIDDEN), "{args:?}: {text:?}");
        let escaped = if args.contains(&"json") {
            "a\\u2028a\\u2029a\\u200b"
        } else if args.contains(&"markdown") || args[0] == "report" {
            // Markdown (and the report, in markdown) escapes the backslash, so that it shows.
            "a\\\\u{2028}a\\\\u{2029}a\\\\u{200b}"
        } else {
            "a\\u{2028}a\\u{2029}a\\u{200b}"
        };
        assert!(text.contains(escaped), "{args:?}: {text}");
    }
    let row = format!("2026-11-16,{scope},mttr,1h\n");
    let out = run_with_stdin(&["check", "-"], &format!("date,scope,metric,value\n{row}{row}"));
    let error = one_error_line(&out);
    assert!(!error.contains(HIDDEN), "{error:?}");
    assert!(error.contains("a\\u{2028}a\\u{2029}a\\u{200b}a\\u{feff}a\\u{ad}"), "{error}");
}

/// Values and thresholds near the top of the float range, on two plain-number metrics of a config
/// (a catalog metric's unit may bound its values): one passes up to 1e300, the other from 1e300.
const HUGE_CONFIG: &str = "metrics:
  queue_depth:
    name: Queue Depth
    category: Queues
    description: Messages waiting
    target: Up to 1e300
    unit: \"\"
    pass: \"<= 1e300\"
    warn: \"<= 1.5e300\"
    ideas: [Add consumers]
  drained:
    name: Drained
    category: Queues
    description: Messages handled
    target: At least 1e300
    unit: \"\"
    pass: \">= 1e300\"
    warn: \">= 1e299\"
    ideas: [Add consumers]
";
const HUGE_VALUES: &str = "date,metric,value\n2026-11-16,queue_depth,1\n2026-11-23,queue_depth,1.7e308\n\
    2026-11-23,drained,0\n";

/// `kpi args` in a directory holding the config as `kpi.yaml` and the measurements as `m.csv`.
fn with_huge_config(args: &[&str]) -> (tempfile::TempDir, std::process::Command) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kpi.yaml"), HUGE_CONFIG).unwrap();
    std::fs::write(dir.path().join("m.csv"), HUGE_VALUES).unwrap();
    let mut command = kpi(args);
    command.current_dir(dir.path()).env("NO_COLOR", "1");
    (dir, command)
}

#[test]
fn huge_values_thresholds_and_distances_print_as_short_finite_numbers_in_every_format() {
    for format in ["table", "markdown", "junit", "github", "json"] {
        let (_dir, mut command) = with_huge_config(&["check", "--format", format, "m.csv"]);
        let out = command.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains("inf"), "{format}: {text}");
        assert!(!text.contains("0000000000"), "{format}: {text}");
        assert!(text.contains("1e300"), "{format}: {text}");
        if format == "json" {
            let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
            let results = doc["results"].as_array().unwrap();
            let of = |id: &str| results.iter().find(|r| r["id"] == id).unwrap();
            assert_eq!(of("queue_depth")["miss"]["by"].as_f64(), Some(1.7e308 - 1e300));
            assert_eq!(of("queue_depth")["change"].as_f64(), Some(1.7e308 - 1.0));
            assert_eq!(of("queue_depth")["pass"], "<= 1e300");
            assert_eq!(of("drained")["miss"]["by"].as_f64(), Some(1e300));
            assert_eq!(of("drained")["warn"], ">= 1e299");
        } else {
            assert!(!text.contains("null"), "{format}: {text}");
        }
    }
    let (_dir, mut command) = with_huge_config(&["report", "m.csv"]);
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("inf") && !text.contains("0000000000"), "{text}");
}

#[test]
fn the_table_of_huge_values_reads_as_numbers() {
    let (_dir, mut command) = with_huge_config(&["check", "m.csv"]);
    assert_cmd_snapshot!(command);
}
