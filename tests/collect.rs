//! `kpi collect`, `kpi check --from` and `--append` through the real binary, on git repositories
//! the tests make with fixed author dates and tags.

use std::path::Path;
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

#[allow(dead_code)]
mod common;
use common::{kpi, require_tool};

/// Runs `git ARGS` in `dir` with a fixed author and committer date, as `name <email>`.
fn git(dir: &Path, args: &[&str], name: &str, date: &str) {
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", name)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

fn commit(dir: &Path, name: &str, date: &str) {
    git(dir, &["commit", "--allow-empty", "-q", "-m", &format!("work on {date}")], name, date);
}

/// A repository whose week ending Monday 2026-11-23 (Tuesday 17th to Monday 23rd: 5 weekdays)
/// has 6 commits by 2 people, 3 by a bot, 1 merge, and 2 deploy tags (one annotated, one
/// lightweight); and one commit and tag before the window.
fn repository() -> Option<tempfile::TempDir> {
    require_tool("git")?;
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"], "Ada", "2026-11-01T10:00:00Z");
    commit(repo, "Ada", "2026-11-10T10:00:00Z");
    git(repo, &["tag", "deploy/old"], "Ada", "2026-11-10T10:00:00Z");
    for (who, when) in [
        ("Ada", "2026-11-17T09:00:00Z"),
        ("Ada", "2026-11-18T09:00:00Z"),
        ("Grace", "2026-11-18T15:00:00+01:00"),
        ("Grace", "2026-11-20T09:00:00Z"),
        ("Ada", "2026-11-23T17:00:00Z"),
    ] {
        commit(repo, who, when);
    }
    for when in ["2026-11-19T01:00:00Z", "2026-11-20T01:00:00Z", "2026-11-21T01:00:00Z"] {
        commit(repo, "renovate[bot]", when);
    }
    git(repo, &["checkout", "-q", "-b", "feature"], "Grace", "2026-11-21T10:00:00Z");
    commit(repo, "Grace", "2026-11-21T10:00:00Z");
    git(repo, &["checkout", "-q", "main"], "Grace", "2026-11-22T10:00:00Z");
    git(
        repo,
        &["merge", "-q", "--no-ff", "-m", "merge", "feature"],
        "Grace",
        "2026-11-22T10:00:00Z",
    );
    git(repo, &["tag", "-a", "-m", "deploy", "deploy/2026-11-19"], "Ada", "2026-11-19T12:00:00Z");
    git(repo, &["tag", "deploy/2026-11-22"], "Ada", "2026-11-22T12:00:00Z");
    // A commit after the window counts for no one.
    commit(repo, "Ada", "2026-11-24T09:00:00Z");
    Some(dir)
}

#[test]
fn git_gives_commits_per_developer_per_weekday_and_deploys_per_day() {
    let Some(repo) = repository() else { return };
    let repo = repo.path().to_str().unwrap();
    // 6 commits by people (the merge and the bot's left out) / (2 people * 5 weekdays) = 0.6;
    // 2 deploy tags / 7 days.
    let out = kpi(&["collect", &format!("git={repo}"), "--as-of", "2026-11-23"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap().replace(repo, "REPO");
    assert_eq!(
        text,
        format!(
            "date,metric,value,unit,source\n\
             2026-11-23,code_commits,0.6,commits/day,git:REPO\n\
             2026-11-23,deployment_frequency,{},deploys/day,git:REPO\n",
            2.0 / 7.0
        )
    );
}

#[test]
fn check_from_git_grades_the_collected_rows_with_the_files_given() {
    let Some(repo) = repository() else { return };
    let repo = repo.path().to_str().unwrap();
    let out = kpi(&[
        "check",
        "--format",
        "json",
        "--as-of",
        "2026-11-23",
        "--from",
        &format!("git={repo}"),
        "tests/inputs/one.csv",
    ])
    .output()
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = |id: &str| {
        doc["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone()
    };
    assert_eq!(result("code_commits")["value"], 0.6);
    assert_eq!(result("code_commits")["status"], "fail");
    assert_eq!(result("deployment_frequency")["status"], "warn");
    assert!(doc["summary"]["pass"].as_u64().unwrap() >= 1, "the file's metric is graded too");
}

#[test]
fn append_adds_rows_once_and_replace_replaces_them() {
    let Some(repo) = repository() else { return };
    let source = format!("git={}", repo.path().to_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(
        &history,
        "date,metric,value\r\n2026-11-16,code_commits,2\r\n2026-11-23,code_commits,9\r\n",
    )
    .unwrap();
    let history = history.to_str().unwrap();
    let append = |extra: &[&str]| {
        let mut args =
            vec!["collect", source.as_str(), "--as-of", "2026-11-23", "--append", history];
        args.extend(extra);
        kpi(&args).output().unwrap()
    };
    let refused = append(&[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains(":3: already has `code_commits` on 2026-11-23; pass --replace"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let replaced = append(&["--replace"]);
    assert_eq!(replaced.status.code(), Some(0), "{}", String::from_utf8_lossy(&replaced.stderr));
    let text = std::fs::read_to_string(history).unwrap();
    assert_eq!(
        text,
        format!(
            "date,metric,value\r\n2026-11-16,code_commits,2\r\n2026-11-23,code_commits,0.6\n2026-11-23,deployment_frequency,{}\n",
            2.0 / 7.0
        )
    );
    // The history reads back with the rows appended.
    assert_eq!(kpi(&["check", history]).output().unwrap().status.code(), Some(1));
}

#[test]
fn a_shallow_clone_is_an_error_that_says_to_fetch_the_history() {
    let Some(repo) = repository() else { return };
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    let url = format!("file://{}", repo.path().display());
    git(
        dir.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
        "Ada",
        "2026-11-23T00:00:00Z",
    );
    let mut cmd = kpi(&["collect", "git=clone", "--as-of", "2026-11-23"]);
    cmd.current_dir(dir.path());
    assert_cmd_snapshot!(cmd);
}

#[test]
fn a_metric_a_source_cannot_give_is_named_with_the_reason_and_not_written() {
    let Some(_) = require_tool("git") else { return };
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"], "Ada", "2026-11-01T10:00:00Z");
    commit(dir.path(), "Ada", "2026-11-20T10:00:00Z");
    let mut cmd = kpi(&["collect", "git", "--as-of", "2026-11-23"]);
    cmd.current_dir(dir.path());
    assert_cmd_snapshot!(cmd);
}

#[test]
fn sources_and_their_settings_come_from_kpi_yaml() {
    let Some(repo) = repository() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "collect:\n  scope: payments\n  window: 2w\n  sources:\n    git:\n      path: {}\n      bots: [\"[bot]\", Grace]\n      deploy_tags: \"deploy/2026-*\"\n",
        repo.path().display()
    );
    std::fs::write(dir.path().join("kpi.yaml"), config).unwrap();
    let out = kpi(&["collect", "--as-of", "2026-11-23"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "date,scope,metric,value,unit,source");
    // Two weeks: 2026-11-10 to 2026-11-23, 10 weekdays; Ada alone (Grace counts as a bot here):
    // 3 commits in the week and 1 on the 10th.
    assert!(rows[1].starts_with("2026-11-23,payments,code_commits,0.4,commits/day,git:"), "{text}");
    assert!(
        rows[2].starts_with(&format!("2026-11-23,payments,deployment_frequency,{},", 2.0 / 14.0)),
        "{text}"
    );
}

#[test]
fn a_bad_collect_section_is_reported_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = "collect:\n  window: 1 month\n  sources:\n    gti: {}\n    git:\n      path: .\n      bot: x\n";
    std::fs::write(dir.path().join("kpi.yaml"), config).unwrap();
    let mut cmd = kpi(&["collect"]);
    cmd.current_dir(dir.path());
    assert_cmd_snapshot!(cmd);
}

#[test]
fn several_coverage_reports_merge_by_summing_their_lines_never_averaging() {
    let dir = "tests/fixtures/collect/coverage";
    // lcov: 13 of 17 lines (76.5%); Go: 7 of 10 statements (70%). Together 20 of 27, where the
    // mean of the two percentages would be 73.2.
    let out = kpi(&[
        "collect",
        &format!("lcov={dir}/lcov.info"),
        &format!("coverage={dir}/cover.out"),
        "--as-of",
        "2026-11-23",
    ])
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = format!(
        "2026-11-23,code_coverage,{},%,lcov:{dir}/lcov.info+coverage:{dir}/cover.out\n",
        20.0 / 27.0 * 100.0
    );
    assert!(text.contains(&expected), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    // Graded as one measurement, not as two rows for the same metric and day.
    let out = kpi(&[
        "check",
        "--from",
        &format!("lcov={dir}/lcov.info"),
        "--from",
        &format!("gocover={dir}/cover.out"),
        "--format",
        "json",
    ])
    .output()
    .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coverage =
        doc["results"].as_array().unwrap().iter().find(|r| r["id"] == "code_coverage").unwrap();
    assert_eq!(coverage["value"], 20.0 / 27.0 * 100.0);
    assert_eq!(coverage["status"], "warn", "above the 70% warn line, under the 80% pass line");
}

#[test]
fn check_json_says_why_a_metric_a_source_tried_has_no_data() {
    let Some(_) = require_tool("git") else { return };
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"], "Ada", "2026-11-01T10:00:00Z");
    commit(dir.path(), "Ada", "2026-11-20T10:00:00Z");
    let out = kpi(&["check", "--from", "git", "--as-of", "2026-11-23", "--format", "json", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = |id: &str| {
        doc["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone()
    };
    assert_eq!(result("deployment_frequency")["status"], "missing");
    assert_eq!(
        result("deployment_frequency")["not_collected"],
        "git:.: no tag matches `deploy/*`; set `deploy_tags` or `deploy_log` for the git source"
    );
    assert!(result("code_commits").get("not_collected").is_none());
    assert!(result("mttr").get("not_collected").is_none(), "no source tried it");
}
