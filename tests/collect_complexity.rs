//! The complexity collector on reports written by the real lizard and radon
//! (tests/fixtures/collect/complexity/), against the tools' own summaries of the same tree.

#[allow(dead_code)] // the binary's helpers: these tests call the library
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::collect::{Collected, Request, Settings, complexity};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/complexity").join(name)
}

fn collect(
    path: &Path,
    format: Option<&'static str>,
    statistic: Option<&str>,
) -> Result<Collected, String> {
    let settings = Settings(
        statistic.map(|s| ("statistic".to_string(), vec![s.to_string()])).into_iter().collect(),
    );
    let request = Request {
        path,
        format,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (complexity::KIND.collect)(&request).map_err(|e| e.message)
}

fn value(collected: &Collected) -> f64 {
    assert_eq!(collected.readings.len(), 1, "{collected:?}");
    collected.readings[0].value
}

/// The CCN column of lizard's own table: `NLOC CCN token PARAM length location`.
fn lizard_ccns(text: &str) -> Vec<u64> {
    text.lines()
        .filter(|l| l.split_whitespace().last().is_some_and(|loc| loc.contains('@')))
        .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect()
}

/// lizard's own average CCN, from its closing `Total nloc ... AvgCCN ...` table.
fn lizard_average(text: &str) -> f64 {
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("Total nloc")).unwrap();
    let columns: Vec<&str> = lines[header + 2].split_whitespace().collect();
    columns[2].parse().unwrap()
}

/// The complexities of functions (F) and methods (M) in radon's own `cc -s` listing; classes (C)
/// are not functions.
fn radon_complexities(text: &str) -> Vec<u64> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("F ") || l.starts_with("M "))
        .map(|l| l.rsplit_once('(').unwrap().1.trim_end_matches(')').parse().unwrap())
        .collect()
}

fn assert_matches_lizard(csv: &Path, summary: &str) {
    let ccns = lizard_ccns(summary);
    assert_eq!(ccns.len(), 10);
    for format in [None, Some("lizard")] {
        let max = collect(csv, format, None).unwrap();
        assert_eq!(value(&max), *ccns.iter().max().unwrap() as f64);
        let mean = value(&collect(csv, format, Some("mean")).unwrap());
        assert_eq!((mean * 10.0).round() / 10.0, lizard_average(summary));
    }
}

#[test]
fn lizard_csv_gives_lizards_own_maximum_and_average() {
    let summary = std::fs::read_to_string(fixture("lizard.txt")).unwrap();
    assert_matches_lizard(&fixture("lizard.csv"), &summary);
    let collected = collect(&fixture("lizard.csv"), None, None).unwrap();
    insta::assert_snapshot!(collected.readings[0].detail, @"`split_quoted.tokens` in src/reader.py:32, 14: the most complex of 10 functions");
    // Nearest rank over 10 functions: the 9th smallest of 1 1 1 2 3 3 3 4 8 14.
    assert_eq!(value(&collect(&fixture("lizard.csv"), None, Some("p90")).unwrap()), 8.0);
}

#[test]
fn a_fresh_lizard_run_is_read_as_lizard_summarises_it() {
    let Some(lizard) = common::require_tool("lizard") else { return };
    let run = |args: &[&str]| {
        let out = Command::new(&lizard).args(args).current_dir(fixture("")).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("lizard.csv");
    std::fs::write(&csv, run(&["--csv", "src"])).unwrap();
    assert_matches_lizard(&csv, &run(&["src"]));
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        std::fs::read_to_string(fixture("lizard.csv")).unwrap()
    );
}

fn assert_matches_radon(json: &Path, summary: &str) {
    let own = radon_complexities(summary);
    for format in [None, Some("radon")] {
        assert_eq!(value(&collect(json, format, None).unwrap()), *own.iter().max().unwrap() as f64);
    }
}

#[test]
fn radon_json_gives_radons_own_maximum_closures_included() {
    let summary = std::fs::read_to_string(fixture("radon.txt")).unwrap();
    assert_matches_radon(&fixture("radon.json"), &summary);
    assert_matches_radon(&fixture("radon-closures.json"), &summary);
    let plain = collect(&fixture("radon.json"), None, None).unwrap();
    // The most complex function is a closure, which plain `radon cc -j` lists only inside its
    // parent: the maximum of its top-level blocks would be parse_row's 8.
    insta::assert_snapshot!(plain.readings[0].detail, @"`split_quoted.tokens` in src/reader.py:32, 14: the most complex of 6 functions");
    let closures = collect(&fixture("radon-closures.json"), None, Some("mean")).unwrap();
    // Seven functions and methods, each once, classes left out: radon's own F and M lines.
    let own = radon_complexities(&summary);
    assert_eq!(own.len(), 7);
    assert_eq!(value(&closures), own.iter().sum::<u64>() as f64 / 7.0);
    insta::assert_snapshot!(closures.readings[0].detail, @"mean of 7 functions; the most complex is `split_quoted.tokens` in src/reader.py:32, 14");
}

#[test]
fn a_fresh_radon_run_is_read_as_radon_summarises_it() {
    let Some(radon) = common::require_tool("radon") else { return };
    let run = |args: &[&str]| {
        let out = Command::new(&radon).args(args).current_dir(fixture("")).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let summary = run(&["cc", "-s", "--show-closures", "src"]);
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("plain.json", &["cc", "-j", "src"][..]),
        ("closures.json", &["cc", "-j", "--show-closures", "src"]),
    ] {
        let json = dir.path().join(name);
        std::fs::write(&json, run(args)).unwrap();
        assert_matches_radon(&json, &summary);
    }
    assert_eq!(summary, std::fs::read_to_string(fixture("radon.txt")).unwrap());
}

#[test]
fn errors_name_the_file_the_line_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let shown = |message: String| message.replace(&dir.path().display().to_string(), "DIR");
    let path = dir.path().join("lizard.csv");
    let good = std::fs::read_to_string(fixture("lizard.csv")).unwrap();
    std::fs::write(&path, format!("{good}{}\n", "12,high,1,1,1,f@1-2@a.c,a.c,f,f(),1,2")).unwrap();
    insta::assert_snapshot!(shown(collect(&path, None, None).unwrap_err()), @"DIR/lizard.csv:11: the CCN column is `high`, not a whole number; write the report with `lizard --csv`");
    std::fs::write(&path, "NLOC    CCN   token  PARAM  length  location\n").unwrap();
    insta::assert_snapshot!(shown(collect(&path, None, None).unwrap_err()), @"DIR/lizard.csv:1: 1 column where lizard writes 11 (NLOC, CCN, token, PARAM, length, location, file, function, long name, start, end); write the report with `lizard --csv`");
    let path = dir.path().join("radon.json");
    std::fs::write(&path, r#"{"src/bad.py": {"error": "invalid syntax (<unknown>, line 1)"}}"#)
        .unwrap();
    insta::assert_snapshot!(shown(collect(&path, None, None).unwrap_err()), @"DIR/radon.json: radon could not analyse `src/bad.py`: invalid syntax (<unknown>, line 1); fix the file, or leave it out of the radon run");
    // A radon report forced to be read as lizard's is refused, not misread.
    assert!(collect(&fixture("radon.json"), Some("lizard"), None).is_err());
    insta::assert_snapshot!(collect(&fixture("lizard.csv"), None, Some("p95")).unwrap_err(), @"unknown complexity `statistic` `p95`; use max, p90 or mean");
    std::fs::write(&path, "{}").unwrap();
    let missing = collect(&path, None, None).unwrap().missing;
    insta::assert_snapshot!(missing[0].reason, @"the complexity report lists no function; check that the tool was run on the source tree");
}

#[test]
fn the_examples_are_the_real_fixtures() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect");
    for name in ["lizard.csv", "radon.json"] {
        assert_eq!(
            std::fs::read(examples.join(name)).unwrap(),
            std::fs::read(fixture(name)).unwrap(),
            "{name}"
        );
    }
}
