//! The terminal table fits the terminal: at 60, 80, 120 and 200 columns (`COLUMNS`), for three,
//! ten and fifty services, no line is wider than the terminal in display cells, and no sparkline
//! is broken across lines.

use std::fmt::Write;

use insta_cmd::assert_cmd_snapshot;
use unicode_width::UnicodeWidthStr;

mod common;
use common::kpi;

const WIDTHS: [usize; 4] = [60, 80, 120, 200];

/// A history of `services` services: each the twelve weekly check-ins of the shipped example.
fn services(dir: &std::path::Path, services: usize) -> std::path::PathBuf {
    let history = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/weekly-history.csv"),
    )
    .unwrap();
    let mut csv = String::from("scope,date,metric,value\n");
    for n in 1..=services {
        for row in history.lines().skip(1) {
            writeln!(csv, "service-{n:02},{row}").unwrap();
        }
    }
    let path = dir.join(format!("services-{services}.csv"));
    std::fs::write(&path, csv).unwrap();
    path
}

fn table_at(columns: usize, file: &str) -> String {
    let out = kpi(&["check", "--color", "never", file])
        .env("COLUMNS", columns.to_string())
        .output()
        .unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn assert_fits(text: &str, columns: usize, what: &str, check_ins: usize) {
    for line in text.lines() {
        assert!(
            line.width() <= columns,
            "{what}: {} cells at {columns}:\n{line}\n\n{text}",
            line.width()
        );
    }
    // A sparkline is a mark per check-in in one run, whatever the width.
    let spark = |c: char| ('▁'..='█').contains(&c);
    for line in text.lines().filter(|l| l.chars().any(spark)) {
        let runs = line.split(|c: char| !spark(c) && c != '·').filter(|run| run.chars().any(spark));
        for run in runs {
            assert_eq!(
                run.chars().count(),
                check_ins,
                "{what}: a broken sparkline at {columns}: {line}"
            );
        }
    }
}

#[test]
fn the_table_is_never_wider_than_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    for count in [3, 10, 50] {
        let file = services(dir.path(), count);
        for columns in WIDTHS {
            let text = table_at(columns, file.to_str().unwrap());
            assert_fits(&text, columns, &format!("{count} services"), 12);
            assert!(text.contains("service-01"), "{text}");
        }
    }
    for (file, check_ins) in [
        ("examples/weekly-history.csv", 12),
        ("examples/backend-team.csv", 0),
        ("examples/services.csv", 2),
    ] {
        for columns in WIDTHS {
            assert_fits(&table_at(columns, file), columns, file, check_ins);
        }
    }
}

#[test]
fn without_a_terminal_width_lines_are_as_long_as_they_need() {
    let wide = kpi(&["check", "examples/weekly-history.csv"]).output().unwrap();
    let text = String::from_utf8(wide.stdout).unwrap();
    assert!(text.lines().any(|l| l.width() > 120), "{text}");
}

#[test]
fn three_services_at_80_columns() {
    let dir = tempfile::tempdir().unwrap();
    let file = services(dir.path(), 3);
    let text = table_at(80, file.to_str().unwrap());
    let roll_up: Vec<&str> = text.lines().take_while(|l| !l.starts_with("service-")).collect();
    // The roll-up keeps one row per service and one column per metric, as marks.
    assert!(roll_up.iter().any(|l| l.contains("│ service-01")), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn the_weekly_history_at_60_columns() {
    let mut cmd = kpi(&["check", "--color", "never", "examples/weekly-history.csv"]);
    cmd.env("COLUMNS", "60");
    assert_cmd_snapshot!(cmd);
}

#[test]
fn the_weekly_history_at_80_columns() {
    let mut cmd = kpi(&["check", "--color", "never", "examples/weekly-history.csv"]);
    cmd.env("COLUMNS", "80");
    assert_cmd_snapshot!(cmd);
}
