//! End-to-end tests of `kpi check` through the real binary: exit code, stdout and stderr together.

use std::io::Write;
use std::process::{Command, Stdio};

use insta_cmd::assert_cmd_snapshot;

mod common;
use common::kpi;

/// Runs the binary with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = kpi(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn exit_code(args: &[&str]) -> i32 {
    kpi(args).output().unwrap().status.code().unwrap()
}

#[test]
fn shipped_example_passes_the_gate_with_warnings() {
    assert_cmd_snapshot!(kpi(&["check", "examples/backend-team.csv"]));
}

#[test]
fn healthy_team_passes() {
    assert_cmd_snapshot!(kpi(&["check", "examples/healthy-team.csv"]));
}

#[test]
fn struggling_team_fails_the_gate_with_exit_1() {
    assert_cmd_snapshot!(kpi(&["check", "examples/struggling-team.csv"]));
}

#[test]
fn markdown_format_through_the_binary() {
    assert_cmd_snapshot!(kpi(&["check", "--format", "markdown", "examples/backend-team.csv"]));
}

#[test]
fn json_format_through_the_binary_is_valid_json() {
    let out = kpi(&["check", "--format", "json", "examples/struggling-team.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["gate"]["passed"], false);
    assert_eq!(doc["summary"]["fail"], 14);
    assert_eq!(doc["results"].as_array().unwrap().len(), 15);
}

#[test]
fn fail_on_chooses_what_fails_the_gate() {
    assert_eq!(exit_code(&["check", "examples/backend-team.csv"]), 0);
    assert_eq!(exit_code(&["check", "--fail-on", "warn", "examples/backend-team.csv"]), 1);
    assert_eq!(exit_code(&["check", "--fail-on", "never", "examples/struggling-team.csv"]), 0);
}

#[test]
fn require_all_fails_the_gate_on_missing_metrics() {
    assert_eq!(exit_code(&["check", "tests/inputs/one.csv"]), 0);
    assert_eq!(exit_code(&["check", "--require-all", "tests/inputs/one.csv"]), 1);
    assert_eq!(exit_code(&["check", "--require-all", "examples/healthy-team.csv"]), 0);
}

#[test]
fn colour_only_when_forced_or_on_a_terminal() {
    let plain = kpi(&["check", "examples/backend-team.csv"]).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b));
    let forced =
        kpi(&["check", "--color", "always", "examples/backend-team.csv"]).output().unwrap();
    assert!(forced.stdout.contains(&0x1b));
}

#[test]
fn dash_reads_standard_input() {
    let out = run_with_stdin(&["check", "--format", "json", "-"], "metric,value\nerror_rate,3%\n");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][1]["status"], "fail");
}

#[test]
fn several_files_are_merged() {
    let args = ["check", "--format", "json", "tests/inputs/one.csv", "-"];
    let out = run_with_stdin(&args, "metric,value\nmttr,26h\n");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["results"][1]["value"], 0.5, "error_rate from the file");
    assert_eq!(doc["results"][12]["value"], 1560.0, "mttr from standard input");
    assert_eq!(doc["summary"]["pass"], 1);
    assert_eq!(doc["summary"]["fail"], 1);
    assert_eq!(doc["summary"]["missing"], 13);
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = kpi(&["check", "examples/struggling-team.csv"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(out.status.code(), Some(1), "the gate's verdict still decides the exit code");
}

mod errors {
    //! Every input error: one line on stderr naming the file and line, nothing on stdout, exit 2.

    use super::*;

    fn check(files: &[&str]) -> Command {
        let mut args = vec!["check"];
        args.extend(files);
        kpi(&args)
    }

    #[test]
    fn missing_file() {
        assert_cmd_snapshot!(check(&["tests/inputs/nope.csv"]));
    }

    #[test]
    fn empty_file() {
        assert_cmd_snapshot!(check(&["tests/inputs/empty.csv"]));
    }

    #[test]
    fn header_without_value_column() {
        assert_cmd_snapshot!(check(&["tests/inputs/no-value-column.csv"]));
    }

    #[test]
    fn unknown_metric_with_suggestion() {
        assert_cmd_snapshot!(check(&["tests/inputs/typo.csv"]));
    }

    #[test]
    fn unknown_metric_without_suggestion() {
        assert_cmd_snapshot!(check(&["tests/inputs/unknown.csv"]));
    }

    #[test]
    fn value_that_is_not_a_number() {
        assert_cmd_snapshot!(check(&["tests/inputs/not-a-number.csv"]));
    }

    #[test]
    fn decimal_comma() {
        assert_cmd_snapshot!(check(&["tests/inputs/decimal-comma.csv"]));
    }

    #[test]
    fn unit_that_does_not_fit() {
        assert_cmd_snapshot!(check(&["tests/inputs/wrong-unit.csv"]));
    }

    #[test]
    fn units_in_value_and_column_disagree() {
        assert_cmd_snapshot!(check(&["tests/inputs/conflicting-units.csv"]));
    }

    #[test]
    fn not_a_finite_number() {
        assert_cmd_snapshot!(check(&["tests/inputs/nan.csv"]));
    }

    #[test]
    fn negative_value() {
        assert_cmd_snapshot!(check(&["tests/inputs/negative.csv"]));
    }

    #[test]
    fn same_metric_twice_in_one_file() {
        assert_cmd_snapshot!(check(&["tests/inputs/twice.csv"]));
    }

    #[test]
    fn same_metric_in_two_files() {
        assert_cmd_snapshot!(check(&["tests/inputs/one.csv", "tests/inputs/dup.csv"]));
    }

    #[test]
    fn bytes_that_are_not_utf8() {
        assert_cmd_snapshot!(check(&["tests/inputs/latin1.csv"]));
    }

    #[test]
    fn row_with_extra_fields() {
        assert_cmd_snapshot!(check(&["tests/inputs/ragged.csv"]));
    }

    #[test]
    fn line_numbers_count_crlf_endings_and_blank_lines() {
        assert_cmd_snapshot!(check(&["tests/inputs/crlf.csv"]));
    }

    #[test]
    fn no_measurements_at_all() {
        assert_cmd_snapshot!(check(&["tests/inputs/all-blank.csv"]));
    }

    #[test]
    fn error_on_standard_input_is_named_stdin() {
        let out = run_with_stdin(&["check", "-"], "metric,value\nmttr,soon\n");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "error: <stdin>:2: `Mean Time to Recovery (MTTR)`: `soon` is not a number (write it like `180`, `0.5%` or `1h30m`)\n"
        );
        assert!(out.stdout.is_empty());
    }

    #[test]
    fn stdin_named_twice() {
        assert_cmd_snapshot!(check(&["-", "-"]));
    }

    #[test]
    fn no_file_given() {
        assert_cmd_snapshot!(check(&[]));
    }

    #[test]
    fn unknown_format() {
        assert_cmd_snapshot!(check(&["--format", "xml", "examples/backend-team.csv"]));
    }
}

#[test]
fn readme_sample_is_the_real_output_of_the_quick_start() {
    common::assert_readme_shows_output_of(&["check", "examples/backend-team.csv"]);
}

mod hostile {
    //! Text from an input that tries to take over the terminal, a CI log or a report is echoed
    //! escaped, in every output and in error messages.

    use super::*;

    /// A scope that colours and clears the screen, reverses the text after it, and starts a new line
    /// that looks like an error of its own; and a blank value so the scorecard has a gap too.
    const HOSTILE_SCOPE: &str = "date,scope,metric,value\n\
        2026-11-16,\"api\x1b[31m\x1b[2J\u{202e}\nerror: forged | <b>x</b>\",mttr,90m\n\
        2026-11-23,\"api\x1b[31m\x1b[2J\u{202e}\nerror: forged | <b>x</b>\",mttr,45m\n";

    #[test]
    fn an_unknown_metric_with_an_ansi_sequence_is_shown_escaped() {
        assert_cmd_snapshot!(kpi(&["check", "-"]).pass_stdin("metric,value\nresp\x1b[31monse,5\n"));
    }

    #[test]
    fn a_scope_repeated_with_control_characters_is_named_escaped() {
        let row = "2026-11-16,\"api\x1b[31m\nerror: forged\",mttr,90m\n";
        assert_cmd_snapshot!(
            kpi(&["check", "-"]).pass_stdin(format!("date,scope,metric,value\n{row}{row}"))
        );
    }

    #[test]
    fn a_file_name_with_control_characters_is_named_escaped() {
        assert_cmd_snapshot!(kpi(&["check", "no\x1b[2Jsuch\n.csv"]));
    }

    #[test]
    fn no_output_format_echoes_control_characters() {
        for format in ["table", "markdown", "junit", "github", "json", "html"] {
            let out = run_with_stdin(&["check", "-", "--format", format], HOSTILE_SCOPE);
            assert_eq!(out.status.code(), Some(0), "{format}");
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(!text.contains(['\x1b', '\u{202e}']), "{format}: {text:?}");
            assert!(!text.lines().any(|l| l.starts_with("error: forged")), "{format}: {text}");
            assert!(out.stderr.is_empty(), "{format}");
        }
        let out = run_with_stdin(&["report", "-"], HOSTILE_SCOPE);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains(['\x1b', '\u{202e}']), "report: {text:?}");
        assert!(
            text.starts_with("# Backend Team metrics: check-in 2026-11-23 for api\\\\u{1b}\\[31m")
        );
    }

    #[test]
    fn json_keeps_the_text_as_written_in_json_escapes() {
        let out = run_with_stdin(&["check", "-", "--format", "json"], HOSTILE_SCOPE);
        let text = String::from_utf8(out.stdout).unwrap();
        let escaped = r#""name": "api\u001b[31m\u001b[2J\u202e\nerror: forged | <b>x</b>""#;
        assert!(text.contains(escaped), "{text}");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            doc["scopes"][0]["name"],
            "api\x1b[31m\x1b[2J\u{202e}\nerror: forged | <b>x</b>"
        );
    }

    #[test]
    fn the_table_shows_the_scope_escaped_on_one_line() {
        let out = run_with_stdin(&["check", "-", "--color", "always"], HOSTILE_SCOPE);
        let text = String::from_utf8(out.stdout).unwrap();
        let heading = text.lines().find(|l| l.contains("check-in 2026-11-23:")).unwrap();
        assert!(
            heading.contains("api\\u{1b}[31m\\u{1b}[2J\\u{202e}\\nerror: forged | <b>x</b>"),
            "{heading}"
        );
        // kpi's own colours are still there; the input's are not.
        assert!(text.contains("\x1b[1m"));
        assert!(!text.contains("\x1b[2J") && !text.contains("\x1b[31m"), "{text:?}");
    }
}
