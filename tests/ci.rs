//! End-to-end tests of `kpi check` in CI: several outputs in one run, GitHub's job summary and step
//! outputs, exit codes, and the recipes in `examples/ci` and the README. Each test runs the real
//! binary in its own directory with every `GITHUB_*` variable removed, so results don't depend on
//! where the tests run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use tempfile::TempDir;

/// One pass (`response_time`), one warn (`error_rate`), one fail (`api_response_time`); the other
/// twelve catalog metrics have no data.
const MIXED: &str = "metric,value\nresponse_time,180ms\nerror_rate,1.4%\napi_response_time,0.35s\n";
/// One pass and one warn: the gate passes with a warning.
const WARNED: &str = "metric,value\nresponse_time,180ms\nerror_rate,1.4%\n";

/// A scratch directory holding `m.csv`.
fn workspace(csv: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("m.csv"), csv).unwrap();
    dir
}

/// `kpi` run inside `dir`, without colour and without any `GITHUB_*` variable of the parent.
fn kpi(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(get_cargo_bin("kpi"));
    cmd.current_dir(dir).args(args).env_remove("NO_COLOR");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("cannot read `{name}`: {e}"))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn github_format_annotates_and_fills_the_job_summary_and_step_outputs() {
    let dir = workspace(MIXED);
    let mut cmd = kpi(dir.path(), &["check", "m.csv", "--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", "summary.md").env("GITHUB_OUTPUT", "outputs.txt");
    assert_cmd_snapshot!(cmd);
    assert_eq!(read(dir.path(), "outputs.txt"), "gate=fail\npass=1\nwarn=1\nfail=1\nmissing=12\n");
    let summary = read(dir.path(), "summary.md");
    assert!(summary.starts_with("## Backend Team metrics\n\n**Gate ❌ failed**"), "{summary}");
    assert!(summary.contains("| API Response Time | 350 ms | Less than 200ms | ❌ Fail |"));
}

#[test]
fn the_step_summary_is_appended_to_never_overwritten() {
    let dir = workspace(MIXED);
    fs::write(dir.path().join("summary.md"), "# Build\n\nan earlier step wrote this\n").unwrap();
    fs::write(dir.path().join("outputs.txt"), "earlier=1").unwrap();
    for _ in 0..2 {
        let status = kpi(dir.path(), &["check", "m.csv"])
            .env("GITHUB_STEP_SUMMARY", "summary.md")
            .env("GITHUB_OUTPUT", "outputs.txt")
            .output()
            .unwrap()
            .status;
        assert_eq!(status.code(), Some(1));
    }
    let summary = read(dir.path(), "summary.md");
    assert!(
        summary.starts_with("# Build\n\nan earlier step wrote this\n## Backend Team metrics\n")
    );
    assert_eq!(summary.matches("## Backend Team metrics\n").count(), 2, "{summary}");
    assert_eq!(summary.matches("**Gate ❌ failed**").count(), 2, "{summary}");
    assert_eq!(read(dir.path(), "outputs.txt").matches("gate=fail\n").count(), 2);
    assert!(read(dir.path(), "outputs.txt").starts_with("earlier=1\ngate=fail\n"));
}

#[test]
fn no_step_summary_leaves_the_summary_alone_but_still_sets_outputs() {
    let dir = workspace(WARNED);
    fs::write(dir.path().join("summary.md"), "kept\n").unwrap();
    let output = kpi(dir.path(), &["check", "m.csv", "--format", "json", "--no-step-summary"])
        .env("GITHUB_STEP_SUMMARY", "summary.md")
        .env("GITHUB_OUTPUT", "outputs.txt")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(read(dir.path(), "summary.md"), "kept\n");
    assert_eq!(read(dir.path(), "outputs.txt"), "gate=pass\npass=1\nwarn=1\nfail=0\nmissing=13\n");
}

#[test]
fn without_github_variables_nothing_but_the_named_outputs_is_written() {
    let dir = workspace(MIXED);
    let output = kpi(dir.path(), &["check", "m.csv", "--format", "github"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(names_in(dir.path()), ["m.csv"]);
}

#[test]
fn one_run_writes_the_main_format_and_every_export() {
    let dir = workspace(MIXED);
    let mut cmd = kpi(
        dir.path(),
        &[
            "check",
            "m.csv",
            "--format",
            "github",
            "--export",
            "junit=reports/kpi.xml",
            "--export",
            "json=kpi.json",
            "--export",
            "table=kpi.txt",
        ],
    );
    fs::create_dir(dir.path().join("reports")).unwrap();
    assert_cmd_snapshot!(cmd);
    assert_eq!(names_in(dir.path()), ["kpi.json", "kpi.txt", "m.csv", "reports"]);
    assert_eq!(names_in(&dir.path().join("reports")), ["kpi.xml"]);

    let xml = read(dir.path(), "reports/kpi.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    let counts = ["tests", "failures"].map(|a| root.attribute(a).unwrap());
    assert_eq!(counts, ["15", "1"]);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("skipped")).count(), 12);

    let json: serde_json::Value = serde_json::from_str(&read(dir.path(), "kpi.json")).unwrap();
    assert_eq!(json["summary"]["fail"], 1);
    let table = read(dir.path(), "kpi.txt");
    assert!(table.starts_with("Backend Team metrics\n"), "{table}");
    assert!(!table.contains('\u{1b}'), "files get no colour");
}

#[test]
fn output_sends_the_main_format_to_a_file_instead_of_standard_output() {
    let dir = workspace(WARNED);
    fs::write(dir.path().join("kpi.xml"), "an earlier, longer report that must go").unwrap();
    let output = kpi(dir.path(), &["check", "m.csv", "--format", "junit", "--output", "kpi.xml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
    let xml = read(dir.path(), "kpi.xml");
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), "{xml}");
    assert!(xml.ends_with("</testsuites>\n"), "{xml}");
}

#[test]
fn an_unwritable_export_exits_2_and_leaves_earlier_files_intact() {
    let dir = workspace(MIXED);
    fs::write(dir.path().join("kpi.json"), "earlier").unwrap();
    fs::write(dir.path().join("not-a-dir"), "").unwrap();
    let mut cmd = kpi(
        dir.path(),
        &["check", "m.csv", "--export", "json=kpi.json", "--export", "junit=not-a-dir/kpi.xml"],
    );
    cmd.env("GITHUB_STEP_SUMMARY", "summary.md").env("GITHUB_OUTPUT", "outputs.txt");
    assert_cmd_snapshot!(cmd);
    assert_eq!(read(dir.path(), "kpi.json"), "earlier");
    assert_eq!(names_in(dir.path()), ["kpi.json", "m.csv", "not-a-dir"], "no partial file");
}

#[test]
fn an_export_into_a_missing_directory_exits_2() {
    let dir = workspace(MIXED);
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "m.csv", "--export", "junit=out/kpi.xml"]));
    assert_eq!(names_in(dir.path()), ["m.csv"]);
}

#[test]
fn an_unwritable_job_summary_exits_2_and_says_how_to_skip_it() {
    let dir = workspace(WARNED);
    let mut cmd = kpi(dir.path(), &["check", "m.csv", "--format", "github"]);
    cmd.env("GITHUB_STEP_SUMMARY", "missing/summary.md");
    assert_cmd_snapshot!(cmd);
}

#[test]
fn warn_exit_code_marks_a_gate_passed_with_warnings() {
    let warned = workspace(WARNED);
    assert_cmd_snapshot!(kpi(
        warned.path(),
        &["check", "m.csv", "--format", "github", "--warn-exit-code", "3"]
    ));
    let failed = workspace(MIXED);
    let code = |dir: &Path, args: &[&str]| kpi(dir, args).output().unwrap().status.code();
    assert_eq!(code(failed.path(), &["check", "m.csv", "--warn-exit-code", "3"]), Some(1));
    assert_eq!(code(warned.path(), &["check", "m.csv"]), Some(0));
    let fail_on_warn = ["check", "m.csv", "--warn-exit-code", "3", "--fail-on", "warn"];
    assert_eq!(code(warned.path(), &fail_on_warn), Some(1));
}

/// Every `kpi check` command line in a recipe, with `\` continuations joined.
fn kpi_commands(text: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let found =
            ["kpi check ", "kpi collect ", "kpi report "].iter().filter_map(|c| line.find(c)).min();
        let Some(start) = found else { continue };
        // A command quoted inside another (`sh 'kpi check …'`) ends at the quote.
        let rest = &line[start..];
        // A shell comment after it is not part of it.
        let rest = rest.split(" #").next().unwrap_or(rest);
        let mut command = rest[..rest.find(['\'', '"']).unwrap_or(rest.len())].to_string();
        while command.ends_with('\\') {
            command.pop();
            command.push(' ');
            command.push_str(lines.next().unwrap_or_default().trim());
        }
        commands.push(command.split_whitespace().map(str::to_string).collect());
    }
    commands
}

#[test]
fn the_recipes_use_flags_kpi_accepts() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let recipes = [
        "examples/ci/github-actions.yml",
        "examples/ci/.gitlab-ci.yml",
        "examples/ci/collect-github-actions.yml",
        "examples/ci/collect-gitlab-ci.yml",
        "README.md",
    ];
    for recipe in recipes {
        let text = fs::read_to_string(root.join(recipe)).unwrap();
        let commands = kpi_commands(&text);
        assert!(!commands.is_empty(), "no `kpi` command in {recipe}");
        for argv in commands {
            if let Err(e) = kpi::cli::Cli::try_parse_from(&argv) {
                panic!("{recipe}: `{}` does not parse:\n{e}", argv.join(" "));
            }
        }
    }
    for recipe in &recipes[..4] {
        let text = fs::read_to_string(root.join(recipe)).unwrap();
        if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(&text) {
            panic!("{recipe} is not valid YAML: {e}");
        }
    }
}

#[test]
fn compact_json_is_one_line_on_stdout_and_in_every_json_export() {
    let dir = workspace(MIXED);
    let output = kpi(
        dir.path(),
        &["check", "m.csv", "--format", "json", "--compact", "--export", "json=k.json"],
    )
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with(r#"{"version":1,"title":"Backend Team metrics","#), "{stdout}");
    assert_eq!(read(dir.path(), "k.json"), stdout);
    let pretty = kpi(dir.path(), &["check", "m.csv", "--format", "json"]).output().unwrap();
    let read_json = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    assert_eq!(read_json(stdout.as_bytes()), read_json(&pretty.stdout));
}
