//! The coverage source on reports made by the real tools (tests/fixtures/collect/coverage/, made
//! by scripts/make-collect-fixtures-coverage.sh): for each, the value kpi collects equals the
//! tool's own summary of the same data, both the summary saved beside the report and, when the
//! tool is installed, the one it prints now.

#[allow(dead_code)] // the helpers for the binary are not used here
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use kpi::collect::coverage::{self, Format, Totals};
use kpi::collect::{Collected, Request, Settings};

use common::require_tool;

const FIXTURES: &str = "tests/fixtures/collect/coverage";

fn fixture(name: &str) -> PathBuf {
    Path::new(FIXTURES).join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// What the collector gives for `path`, with the format forced by `format` (`lcov`) or not.
fn collect(
    path: &Path,
    format: Option<&'static str>,
    settings: &[(&str, &str)],
) -> Result<Collected, String> {
    let settings = Settings(
        settings.iter().map(|(k, v)| ((*k).to_string(), vec![(*v).to_string()])).collect(),
    );
    let request = Request {
        path,
        format,
        settings: &settings,
        as_of: "2026-11-23".parse().unwrap(),
        window_days: 7,
    };
    (coverage::KIND.collect)(&request).map_err(|e| e.to_string())
}

/// A fixture's totals, read through the collector's own file reader with the format sniffed.
fn totals_of(name: &str) -> (Format, Totals) {
    coverage::read(&fixture(name), None).unwrap()
}

fn value(collected: &Collected, metric: &str) -> f64 {
    collected
        .readings
        .iter()
        .find(|r| r.metric == metric)
        .unwrap_or_else(|| panic!("no {metric}"))
        .value
}

fn lines(t: Totals) -> (u64, u64) {
    (t.lines_covered, t.lines_total)
}

fn branches(t: Totals) -> (u64, u64) {
    (t.branches_covered, t.branches_total)
}

/// The `(covered, total)` in a summary line such as `lines......: 76.5% (13 of 17 lines)` or
/// gcovr's `lines: 76.5% (13 out of 17)`.
fn counts_after(summary: &str, label: &str) -> (u64, u64) {
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{summary}"));
    let inner = line.split_once('(').unwrap().1.split_once(')').unwrap().0;
    let words: Vec<&str> = inner.split_whitespace().collect();
    let last =
        if words.last() == Some(&"lines") || words.last() == Some(&"branches") { 2 } else { 1 };
    (words[0].parse().unwrap(), words[words.len() - last].parse().unwrap())
}

/// Runs a tool and gives its standard output and error together.
fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{command:?} failed:\n{text}");
    text
}

// lcov ---------------------------------------------------------------------------------------

/// The tracefiles and the `lcov --summary` saved beside each when it was made.
const LCOV: [(&str, &str); 4] = [
    ("lcov.info", "lcov.summary.txt"),
    ("lcov-merged.info", "lcov-merged.summary.txt"),
    ("lcov-concatenated.info", "lcov-concatenated.summary.txt"),
    // lcov drops a record that is not ended; the same data with the end is lcov.info.
    ("lcov-no-end.info", "lcov.summary.txt"),
];

#[test]
fn lcov_tracefiles_count_what_lcov_summary_counts() {
    for (report, summary) in LCOV {
        let summary = read(summary);
        let (format, totals) = totals_of(report);
        assert_eq!(format, Format::Lcov);
        assert_eq!(lines(totals), counts_after(&summary, "lines"), "{report}");
        assert_eq!(branches(totals), counts_after(&summary, "branches"), "{report}");
    }
    let collected = collect(&fixture("lcov.info"), None, &[]).unwrap();
    // lcov prints one decimal: 13 of 17 lines.
    assert_eq!(format!("{:.1}", value(&collected, "code_coverage")), "76.5");
    assert_eq!(value(&collected, "code_coverage"), 13.0 * 100.0 / 17.0);
}

#[test]
fn lcov_tracefiles_match_lcov_run_now() {
    let Some(lcov) = require_tool("lcov") else { return };
    let dir = tempfile::tempdir().unwrap();
    for (report, _) in LCOV {
        let mut path = fixture(report);
        if report == "lcov-no-end.info" {
            // lcov refuses the unended record that kpi counts: give it the end it lacks.
            path = dir.path().join(report);
            std::fs::write(&path, read(report) + "end_of_record\n").unwrap();
        }
        let summary = run(Command::new(&lcov)
            .args(["--rc", "lcov_branch_coverage=1", "--summary"])
            .arg(&path)
            .env("LC_ALL", "C"));
        let (_, totals) = totals_of(report);
        assert_eq!(lines(totals), counts_after(&summary, "lines"), "{report}");
        assert_eq!(branches(totals), counts_after(&summary, "branches"), "{report}");
    }
}

#[test]
fn the_lcov_trap_fixtures_hold_the_traps() {
    // lcov --capture itself writes no LF/LH lines; `lcov -a` does.
    assert!(!read("lcov.info").contains("\nLF:"));
    assert!(read("lcov-merged.info").contains("\nLF:17\nLH:13\n"));
    // Two runs' tracefiles concatenated: calc.c is listed twice, its lines with different counts.
    // Each run alone covers 13 and 15 of 17 lines, together all 17; counting every DA record
    // would make 34 lines.
    let concatenated = read("lcov-concatenated.info");
    assert_eq!(concatenated.matches("SF:").count(), 2);
    assert!(concatenated.contains("DA:7,1\n") && concatenated.contains("DA:7,0\n"));
    assert_eq!(concatenated.lines().filter(|l| l.starts_with("DA:")).count(), 34);
    let second = concatenated.split("end_of_record\n").nth(1).unwrap();
    assert_eq!(lines(coverage::totals(second, Format::Lcov).unwrap()), (15, 17));
    assert_eq!(lines(totals_of("lcov-concatenated.info").1), (17, 17));
    // The last record not ended still counts.
    assert!(!read("lcov-no-end.info").trim_end().ends_with("end_of_record"));
    assert_eq!(lines(totals_of("lcov-no-end.info").1), (13, 17));
}

// gcovr: Cobertura and JaCoCo ------------------------------------------------------------------

#[test]
fn gcovr_cobertura_and_jacoco_reports_count_what_gcovr_summary_counts() {
    let summary = read("gcovr.summary.txt");
    for report in ["cobertura.xml", "jacoco.xml"] {
        let (_, totals) = totals_of(report);
        assert_eq!(lines(totals), counts_after(&summary, "lines:"), "{report}");
        assert_eq!(branches(totals), counts_after(&summary, "branches:"), "{report}");
    }
    assert_eq!(totals_of("cobertura.xml").0, Format::Cobertura);
    assert_eq!(totals_of("jacoco.xml").0, Format::Jacoco);
}

#[test]
fn gcovr_reports_match_gcovr_run_now() {
    let Some(gcovr) = require_tool("gcovr") else { return };
    let dir = tempfile::tempdir().unwrap();
    // gcovr reads back its own Cobertura report, and the JSON of the run the JaCoCo report is of.
    let cobertura = run(Command::new(&gcovr)
        .arg("--cobertura-add-tracefile")
        .arg(std::fs::canonicalize(fixture("cobertura.xml")).unwrap())
        .args(["--filter", ".*", "--print-summary", "--txt", "-"])
        .current_dir(dir.path()));
    let json = run(Command::new(&gcovr)
        .arg("--add-tracefile")
        .arg(std::fs::canonicalize(fixture("gcovr.json")).unwrap())
        .args(["--filter", ".*", "--print-summary", "--txt", "-"])
        .current_dir(dir.path()));
    for (report, summary) in [("cobertura.xml", cobertura), ("jacoco.xml", json)] {
        let (_, totals) = totals_of(report);
        assert_eq!(lines(totals), counts_after(&summary, "lines:"), "{report}:\n{summary}");
        assert_eq!(branches(totals), counts_after(&summary, "branches:"), "{report}:\n{summary}");
    }
}

#[test]
fn a_cobertura_report_without_root_totals_counts_its_lines_once() {
    // gcovr lists each line under its class and again under its method.
    let text = read("cobertura.xml");
    let root = text.lines().position(|l| l.starts_with("<coverage ")).unwrap();
    let bare: Vec<String> = text
        .lines()
        .enumerate()
        .map(
            |(i, l)| {
                if i == root { "<coverage version=\"gcovr\">".to_string() } else { l.to_string() }
            },
        )
        .collect();
    let bare = bare.join("\n");
    assert!(!bare.contains("lines-valid"));
    let with_methods = text.matches("<line number=\"5\"").count();
    assert_eq!(with_methods, 2);
    let counted = coverage::totals(&bare, Format::Cobertura).unwrap();
    assert_eq!(counted, totals_of("cobertura.xml").1);
}

#[test]
fn xml_reports_read_offline_whatever_their_doctype_points_at() {
    // gcovr's DOCTYPEs point at web addresses; Cobertura's own tools write an http one.
    for (report, format) in [("cobertura.xml", Format::Cobertura), ("jacoco.xml", Format::Jacoco)] {
        let text = read(report);
        assert!(text.contains("<!DOCTYPE") && text.contains("https://"), "{report}");
        let start = text.find("<!DOCTYPE").unwrap();
        let end = start + text[start..].find('>').unwrap();
        let root = if format == Format::Cobertura { "coverage" } else { "report" };
        let http = format!(
            "{}<!DOCTYPE {root} SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">{}",
            &text[..start],
            &text[end + 1..]
        );
        assert_eq!(coverage::totals(&http, format).unwrap(), totals_of(report).1);
    }
}

#[test]
fn jacoco_totals_are_the_report_counters_not_every_level_summed() {
    let text = read("jacoco.xml");
    // The LINE counter is there three times: under the source file, the package and the report.
    let every: u64 = text
        .lines()
        .filter(|l| l.contains("<counter type=\"LINE\""))
        .map(|l| {
            let covered = l.split("covered=\"").nth(1).unwrap().split('"').next().unwrap();
            covered.parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(every, 3 * 13);
    assert_eq!(lines(totals_of("jacoco.xml").1), (13, 17));
}

// coverage.py --------------------------------------------------------------------------------

/// `(covered, total)` statements from the TOTAL line of `coverage report`.
fn coverage_report_statements(report: &str) -> (u64, u64) {
    let total: Vec<&str> =
        report.lines().find(|l| l.starts_with("TOTAL")).unwrap().split_whitespace().collect();
    let (statements, missed): (u64, u64) = (total[1].parse().unwrap(), total[2].parse().unwrap());
    (statements - missed, statements)
}

#[test]
fn coverage_py_json_counts_the_statements_coverage_report_counts() {
    let (format, totals) = totals_of("coverage.json");
    assert_eq!(format, Format::Coveragepy);
    assert_eq!(lines(totals), coverage_report_statements(&read("coverage.report.txt")));
    let json: serde_json::Value = serde_json::from_str(&read("coverage.json")).unwrap();
    let t = &json["totals"];
    assert_eq!(
        branches(totals),
        (t["covered_branches"].as_u64().unwrap(), t["num_branches"].as_u64().unwrap())
    );
    // percent_covered mixes the branches in: 77.8% here, against 80.8% of statements.
    let mixed = t["percent_covered"].as_f64().unwrap();
    let collected = collect(&fixture("coverage.json"), None, &[]).unwrap();
    let code = value(&collected, "code_coverage");
    assert_eq!(code, t["percent_statements_covered"].as_f64().unwrap());
    assert!((code - mixed).abs() > 1.0, "{code} against {mixed}");
    // The same data in coverage.py's Cobertura and lcov reports counts the same.
    for (report, format) in
        [("coverage-py.xml", Format::Cobertura), ("coverage-py.info", Format::Lcov)]
    {
        assert_eq!(totals_of(report), (format, totals), "{report}");
    }
}

#[test]
fn coverage_py_json_matches_coverage_run_now() {
    let Some(coverage) = require_tool("coverage") else { return };
    let dir = tempfile::tempdir().unwrap();
    for file in ["calc.py", "test_calc.py"] {
        std::fs::copy(fixture("src/py").join(file), dir.path().join(file)).unwrap();
    }
    let tool = |args: &[&str]| run(Command::new(&coverage).args(args).current_dir(dir.path()));
    tool(&["run", "--branch", "-m", "unittest", "-q", "test_calc"]);
    tool(&["json", "-o", "coverage.json"]);
    let report = tool(&["report"]);
    let (format, totals) = coverage::read(&dir.path().join("coverage.json"), None).unwrap();
    assert_eq!(format, Format::Coveragepy);
    assert_eq!(lines(totals), coverage_report_statements(&report), "{report}");
    assert_eq!(totals, totals_of("coverage.json").1, "the fixture is stale: rerun the script");
}

// Go -----------------------------------------------------------------------------------------

/// The percentage on the `total:` line of `go tool cover -func`.
fn cover_func_total(text: &str) -> String {
    let line = text.lines().find(|l| l.starts_with("total:")).unwrap();
    line.split_whitespace().last().unwrap().trim_end_matches('%').to_string()
}

#[test]
fn go_profiles_count_the_statements_go_tool_cover_counts() {
    let (format, totals) = totals_of("cover.out");
    assert_eq!(format, Format::Gocover);
    assert_eq!((lines(totals), totals.branches_total), ((7, 10), 0));
    let collected = collect(&fixture("cover.out"), None, &[]).unwrap();
    let code = value(&collected, "code_coverage");
    assert_eq!(format!("{code:.1}"), cover_func_total(&read("cover.func.txt")));
}

#[test]
fn go_profiles_list_blocks_once_per_package_run_and_count_them_once() {
    let profile = read("cover.out");
    let block = "example.com/shop/calc/calc.go:12.2,12.14 1 ";
    assert_eq!(profile.matches(block).count(), 2);
    let statements: u64 =
        profile.lines().skip(1).map(|l| l.split(' ').nth(1).unwrap().parse::<u64>().unwrap()).sum();
    assert_eq!(statements, 20);
    assert_eq!(totals_of("cover.out").1.lines_total, 10);
}

#[test]
fn go_profiles_match_go_tool_cover_run_now() {
    let Some(go) = require_tool("go") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let profile = std::fs::canonicalize(fixture("cover.out")).unwrap();
    let func = run(Command::new(&go)
        .args(["tool", "cover"])
        .arg(format!("-func={}", profile.display()))
        .current_dir(fixture("src/go"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOPATH", scratch.path().join("gopath"))
        .env("GOCACHE", scratch.path().join("gocache")));
    let collected = collect(&fixture("cover.out"), None, &[]).unwrap();
    assert_eq!(
        format!("{:.1}", value(&collected, "code_coverage")),
        cover_func_total(&func),
        "{func}"
    );
    // Go's mod cache is read-only; let the directory be removed.
    let _ = Command::new("chmod").arg("-R").arg("u+w").arg(scratch.path()).status();
}

// llvm-cov -----------------------------------------------------------------------------------

/// `(covered, total)` lines and branches from the TOTAL line of `llvm-cov report`.
fn llvm_report_totals(report: &str) -> ((u64, u64), (u64, u64)) {
    let total: Vec<u64> = report
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .filter(|w| !w.ends_with('%'))
        .map(|w| w.parse().unwrap())
        .collect();
    // Regions, missed; functions, missed; lines, missed; branches, missed.
    let pair = |i: usize| (total[i] - total[i + 1], total[i]);
    (pair(4), pair(6))
}

#[test]
fn llvm_cov_exports_count_what_llvm_cov_report_counts() {
    let (format, totals) = totals_of("llvm-cov.json");
    assert_eq!(format, Format::Llvmcov);
    assert_eq!((lines(totals), branches(totals)), llvm_report_totals(&read("llvm-cov.report.txt")));
}

#[test]
fn llvm_cov_exports_match_llvm_cov_run_now() {
    let (Some(clang), Some(profdata), Some(llvm_cov)) =
        (require_tool("clang-14"), require_tool("llvm-profdata-14"), require_tool("llvm-cov-14"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    std::fs::copy(fixture("src/c/calc.c"), at("calc.c")).unwrap();
    run(Command::new(clang)
        .args(["-fprofile-instr-generate", "-fcoverage-mapping", "-O0", "-o", "calc", "calc.c"])
        .current_dir(dir.path()));
    run(Command::new(at("calc"))
        .args(["5", "-3", "250"])
        .env("LLVM_PROFILE_FILE", at("calc.profraw")));
    run(Command::new(profdata)
        .args(["merge", "-sparse", "calc.profraw", "-o", "calc.profdata"])
        .current_dir(dir.path()));
    let export = run(Command::new(&llvm_cov)
        .args(["export", "-format=text", "-instr-profile=calc.profdata", "./calc"])
        .current_dir(dir.path()));
    let report = run(Command::new(&llvm_cov)
        .args(["report", "-instr-profile=calc.profdata", "./calc"])
        .current_dir(dir.path()));
    let totals = coverage::totals(&export, Format::Llvmcov).unwrap();
    assert_eq!((lines(totals), branches(totals)), llvm_report_totals(&report), "{report}");
    assert_eq!(totals, totals_of("llvm-cov.json").1, "the fixture is stale: rerun the script");
}

// The collector --------------------------------------------------------------------------------

#[test]
fn a_forced_format_reads_the_same_as_a_sniffed_one() {
    for (report, name) in [
        ("lcov.info", "lcov"),
        ("cobertura.xml", "cobertura"),
        ("jacoco.xml", "jacoco"),
        ("coverage.json", "coveragepy"),
        ("cover.out", "gocover"),
        ("llvm-cov.json", "llvmcov"),
    ] {
        let (format, _) = kpi::collect::find(name).map(|(kind, f)| (f, kind.name)).unwrap();
        assert_eq!(format, Some(name));
        let forced = collect(&fixture(report), format, &[]).unwrap();
        let sniffed = collect(&fixture(report), None, &[]).unwrap();
        assert_eq!(forced, sniffed, "{report}");
        assert_eq!(forced.readings.len(), 2, "{report}");
    }
}

#[test]
fn every_reading_says_how_it_was_made() {
    let mut shown = Vec::new();
    for report in
        ["lcov.info", "cobertura.xml", "jacoco.xml", "coverage.json", "cover.out", "llvm-cov.json"]
    {
        for setting in ["lines", "branches"] {
            let collected = collect(&fixture(report), None, &[("test_coverage", setting)]).unwrap();
            for r in &collected.readings {
                shown.push(format!(
                    "{report} test_coverage={setting}: {} = {:.2}{} ({})",
                    r.metric, r.value, r.unit, r.detail
                ));
            }
            for m in &collected.missing {
                shown.push(format!(
                    "{report} test_coverage={setting}: {} not collected: {}",
                    m.metric, m.reason
                ));
            }
        }
    }
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn test_coverage_follows_the_setting() {
    let lines = collect(&fixture("lcov.info"), None, &[]).unwrap();
    assert_eq!(value(&lines, "test_coverage"), value(&lines, "code_coverage"));
    let branches = collect(&fixture("lcov.info"), None, &[("test_coverage", "branches")]).unwrap();
    assert_eq!(value(&branches, "test_coverage"), 87.5);
    assert_eq!(value(&branches, "code_coverage"), value(&lines, "code_coverage"));
    // A Go profile has no branches: not collected, never 0.
    let go = collect(&fixture("cover.out"), None, &[("test_coverage", "branches")]).unwrap();
    assert!(go.readings.iter().all(|r| r.metric != "test_coverage"));
    assert_eq!(go.missing.len(), 1);
    assert_eq!(go.missing[0].metric, "test_coverage");
}

#[test]
fn several_reports_merge_by_summing_their_counts() {
    let parts: Vec<Totals> =
        ["lcov.info", "cover.out", "coverage.json"].iter().map(|r| totals_of(r).1).collect();
    let merged = coverage::merge(&parts);
    assert_eq!(lines(merged), (13 + 7 + 21, 17 + 10 + 26));
    let collected = coverage::collected(&merged, coverage::Measure::Lines, None);
    assert_eq!(value(&collected, "code_coverage"), 41.0 * 100.0 / 53.0);
    let average =
        parts.iter().map(|t| t.lines_covered as f64 * 100.0 / t.lines_total as f64).sum::<f64>()
            / 3.0;
    assert!((value(&collected, "code_coverage") - average).abs() > 0.1);
}

#[test]
fn unreadable_and_unknown_reports_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let cases: Vec<(String, Result<Collected, String>)> = vec![
        (
            "missing file".into(),
            collect(Path::new("tests/fixtures/collect/coverage/none.info"), None, &[]),
        ),
        ("not a coverage report".into(), collect(Path::new("Cargo.toml"), None, &[])),
        (
            "bad DA line".into(),
            collect(&write("bad.info", "TN:\nSF:a.c\nDA:1,1\nDA:2\n"), None, &[]),
        ),
        (
            "cobertura forced on jacoco".into(),
            collect(&fixture("jacoco.xml"), Some("cobertura"), &[]),
        ),
        ("lcov forced on a go profile".into(), collect(&fixture("cover.out"), Some("lcov"), &[])),
        ("gocover forced on lcov".into(), collect(&fixture("lcov.info"), Some("gocover"), &[])),
        (
            "bad setting".into(),
            collect(&fixture("lcov.info"), None, &[("test_coverage", "statements")]),
        ),
    ];
    let shown: Vec<String> = cases
        .into_iter()
        .map(|(what, result)| {
            let text = match result {
                Ok(collected) => format!("ok: {collected:?}"),
                Err(e) => e.replace(&dir.path().display().to_string(), "TMP"),
            };
            assert!(!text.contains('\n'), "{text}");
            format!("{what}: {text}")
        })
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn the_sample_reports_are_the_fixtures_and_their_table_is_what_kpi_reads() {
    let examples = Path::new("examples/collect/coverage");
    let table = std::fs::read_to_string(examples.join("README.md")).unwrap();
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 6);
    for row in rows {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let name = cells[1].trim_matches('`');
        assert_eq!(
            std::fs::read(examples.join(name)).unwrap(),
            std::fs::read(fixture(name)).unwrap(),
            "{name}"
        );
        let collected = collect(&examples.join(name), None, &[]).unwrap();
        let code = collected.readings.iter().find(|r| r.metric == "code_coverage").unwrap();
        let percent = format!("{:.2}", code.value);
        let percent = percent.trim_end_matches('0').trim_end_matches('.');
        assert_eq!(cells[4], format!("{percent}% ({})", code.detail), "{name}");
    }
}
