//! The loc collector on line counts written by the real cloc and tokei
//! (tests/fixtures/collect/loc/), against the tools' own tables of the same tree.

#[allow(dead_code)] // the binary's helpers: these tests call the library
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::collect::{Collected, Fact, Request, Settings, loc};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/collect/loc").join(name)
}

fn collect(path: &Path, format: Option<&'static str>) -> Result<Collected, String> {
    let settings = Settings::default();
    let request = Request {
        path,
        format,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (loc::KIND.collect)(&request).map_err(|e| e.message)
}

fn kloc(collected: &Collected) -> f64 {
    assert!(collected.missing.is_empty(), "{:?}", collected.missing);
    match collected.facts.as_slice() {
        [(Fact::Kloc, kloc)] => *kloc,
        other => panic!("expected one Kloc fact, got {other:?}"),
    }
}

/// The code column of the row of the tool's own table that starts with `label`: cloc's `SUM:`
/// (`SUM: files blank comment code`) or tokei's `Total` (`Total files lines code comments blanks`).
fn table_code(table: &str, label: &str, column: usize) -> f64 {
    let row = table.lines().map(str::trim).find(|l| l.starts_with(label));
    let row = row.unwrap_or_else(|| panic!("no `{label}` row in\n{table}"));
    row.split_whitespace().nth(column).unwrap().parse().unwrap()
}

fn cloc_sum_code(table: &str) -> f64 {
    table_code(table, "SUM:", 4)
}

fn tokei_total_code(table: &str) -> f64 {
    table_code(table, "Total", 3)
}

#[test]
fn cloc_json_gives_the_code_of_clocs_own_sum_row() {
    let table = std::fs::read_to_string(fixture("cloc.txt")).unwrap();
    let sum = cloc_sum_code(&table);
    assert_eq!(sum, 89.0);
    for (file, format) in
        [("cloc.json", None), ("cloc.json", Some("cloc")), ("cloc-by-file.json", None)]
    {
        assert_eq!(kloc(&collect(&fixture(file), format).unwrap()), sum / 1000.0, "{file}");
    }
}

#[test]
fn tokei_json_gives_the_code_of_tokeis_own_total_row() {
    let table = std::fs::read_to_string(fixture("tokei.txt")).unwrap();
    let total = tokei_total_code(&table);
    assert_eq!(total, 86.0, "the Rust inside Markdown included");
    for format in [None, Some("tokei")] {
        assert_eq!(kloc(&collect(&fixture("tokei.json"), format).unwrap()), total / 1000.0);
    }
}

fn run(tool: &Path, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).current_dir(fixture("")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_fresh_cloc_count_is_read_as_cloc_sums_it() {
    let Some(cloc) = common::require_tool("cloc") else { return };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cloc.json");
    std::fs::write(&json, run(&cloc, &["--json", "src"])).unwrap();
    let sum = cloc_sum_code(&run(&cloc, &["src"]));
    assert_eq!(kloc(&collect(&json, None).unwrap()), sum / 1000.0);
    assert_eq!(
        kloc(&collect(&fixture("cloc.json"), None).unwrap()),
        sum / 1000.0,
        "the fixture is stale"
    );
}

#[test]
fn a_fresh_tokei_count_is_read_as_tokei_totals_it() {
    let Some(tokei) = common::require_tool("tokei") else { return };
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("tokei.json");
    std::fs::write(&json, run(&tokei, &["--output", "json", "src"])).unwrap();
    let total = tokei_total_code(&run(&tokei, &["src"]));
    assert_eq!(kloc(&collect(&json, None).unwrap()), total / 1000.0);
    assert_eq!(
        kloc(&collect(&fixture("tokei.json"), None).unwrap()),
        total / 1000.0,
        "the fixture is stale"
    );
}

#[test]
fn an_empty_count_is_not_collected_and_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let shown = |message: String| message.replace(&dir.path().display().to_string(), "DIR");
    let path = dir.path().join("count.json");
    // What `cloc --json` writes for a directory without source files.
    std::fs::write(&path, "{}\n").unwrap();
    let missing: Vec<String> = collect(&path, None)
        .unwrap()
        .missing
        .into_iter()
        .map(|m| format!("{}: {}", m.metric, m.reason))
        .collect();
    insta::assert_snapshot!(missing.join("\n"), @r"
    defect_density: cloc found no source file; check the directory it was run on
    code_quality: cloc found no source file; check the directory it was run on
    ");
    // The cloc report read as tokei's.
    insta::assert_snapshot!(shown(collect(&fixture("cloc.json"), Some("tokei")).unwrap_err()).replace(&fixture("").display().to_string(), "FIXTURES/"), @"FIXTURES/cloc.json: no `Total` entry (tokei 13 and newer write it); write the line count with `tokei --output json`");
    std::fs::write(&path, "cloc: no files\n").unwrap();
    insta::assert_snapshot!(shown(collect(&path, None).unwrap_err()), @"DIR/count.json:1: not valid JSON at column 1: expected value; pass the line count as the tool wrote it");
}

#[test]
fn the_examples_are_the_real_fixtures() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/collect");
    for name in ["cloc.json", "tokei.json"] {
        assert_eq!(
            std::fs::read(examples.join(name)).unwrap(),
            std::fs::read(fixture(name)).unwrap(),
            "{name}"
        );
    }
}
