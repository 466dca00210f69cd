//! `--format gitlab`: a GitLab Code Quality report, the JSON array the `codequality` report artifact
//! reads, so that a merge request shows each metric that needs attention beside the line of the
//! catalog or config that sets its threshold. GitLab's documented subset of the Code Climate spec:
//! `description`, `check_name`, `fingerprint`, `severity` and `location` (`path` and `lines.begin`)
//! on every entry, all required.

use serde::Serialize;

use super::printable;
use super::sections::{required_but_missing, value_against_target};
use crate::core::scorecard::{FailOn, MetricResult, Scorecard, Status};

/// One Code Quality entry.
#[derive(Debug, Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Debug, Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Debug, Serialize)]
struct Lines {
    begin: usize,
}

/// Where a metric without a known definition is reported: GitLab requires a path and a line.
const UNKNOWN_PATH: &str = "kpi.yaml";

/// Renders the report: an entry for each failing and warning metric (and, under `--require-all`,
/// each metric without data), failures first; `[]` when nothing needs attention.
pub fn render(card: &Scorecard) -> String {
    let card = &*printable(card, &[]);
    let mut issues: Vec<Issue> = card
        .needing_attention()
        .into_iter()
        .map(|r| issue(r, &value_against_target(r), severity(r.status, card.gate.fail_on)))
        .collect();
    if card.gate.require_all {
        issues.extend(
            card.missing().into_iter().map(|r| issue(r, &required_but_missing(r), "major")),
        );
    }
    // Every text was made printable above, so nothing in it can act on a terminal.
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}

/// GitLab's scale is `info`, `minor`, `major`, `critical` and `blocker`: a failure is critical, and
/// a warning major when it fails the gate (`--fail-on warn`), minor otherwise.
fn severity(status: Status, fail_on: FailOn) -> &'static str {
    match (status, fail_on) {
        (Status::Fail, _) => "critical",
        (Status::Warn, FailOn::Warn) => "major",
        (Status::Warn, _) => "minor",
        _ => "info",
    }
}

fn issue(result: &MetricResult, message: &str, severity: &'static str) -> Issue {
    let scope = result.scope.as_deref();
    let head = match scope {
        Some(scope) => format!("{scope}: {}: {}", result.name, result.status.word()),
        None => format!("{}: {}", result.name, result.status.word()),
    };
    let (path, line) = result
        .defined_at
        .as_deref()
        .map_or((UNKNOWN_PATH.to_string(), 1), |d| (d.path.clone(), d.line.max(1)));
    Issue {
        description: format!("{head}: {message}"),
        check_name: format!("kpi/{}", result.id),
        fingerprint: fingerprint(scope, &result.id),
        severity,
        location: Location { path, lines: Lines { begin: line } },
    }
}

/// 32 hex digits that stay the same from run to run for one scope and metric, whatever its value,
/// status or the line of its rule, so GitLab tells a new problem from one that persists: FNV-1a
/// (64 bits, from two offsets) of `kpi`, the scope and the metric id. Not a cryptographic hash;
/// it only has to tell the entries of one report apart.
pub fn fingerprint(scope: Option<&str>, id: &str) -> String {
    let key = format!("kpi\0{}\0{id}", scope.unwrap_or(""));
    let fnv = |offset: u64| {
        key.bytes().fold(offset, |hash, b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    };
    format!("{:016x}{:016x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn gitlab_code_quality() {
        insta::assert_snapshot!(render(&sample::scorecard()));
    }

    #[test]
    fn each_entry_has_every_field_gitlab_requires_with_its_type() {
        let mut card = sample::policies_scorecard();
        card.gate.require_all = true;
        let doc: serde_json::Value = serde_json::from_str(&render(&card)).unwrap();
        let entries = doc.as_array().unwrap();
        assert!(!entries.is_empty());
        for entry in entries {
            for key in ["description", "check_name", "fingerprint", "severity"] {
                assert!(entry[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {entry}");
            }
            let severity = entry["severity"].as_str().unwrap();
            assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
            let path = entry["location"]["path"].as_str().unwrap();
            assert!(!path.starts_with("./") && !path.is_empty(), "{path}");
            assert!(entry["location"]["lines"]["begin"].as_u64().is_some_and(|l| l >= 1));
        }
        let prints: std::collections::HashSet<&str> =
            entries.iter().map(|e| e["fingerprint"].as_str().unwrap()).collect();
        assert_eq!(prints.len(), entries.len(), "one fingerprint per scope and metric");
    }

    #[test]
    fn fingerprints_stay_the_same_across_runs_and_values_and_differ_per_scope() {
        let first = render(&sample::scorecard());
        assert_eq!(first, render(&sample::scorecard()));
        assert_eq!(fingerprint(Some("api"), "mttr"), fingerprint(Some("api"), "mttr"));
        assert_ne!(fingerprint(Some("api"), "mttr"), fingerprint(Some("web"), "mttr"));
        assert_ne!(fingerprint(None, "mttr"), fingerprint(Some(""), "mttr_"));
        // Pinned: a change of algorithm would make GitLab see every problem as new.
        insta::assert_snapshot!(fingerprint(Some("api"), "mttr"), @"d80b50b6860df91cd5b07870e4923437");
    }

    #[test]
    fn the_location_is_the_line_that_sets_the_threshold() {
        let doc: serde_json::Value = serde_json::from_str(&render(&sample::scorecard())).unwrap();
        let catalog = crate::input::catalog::BUILTIN;
        for entry in doc.as_array().unwrap() {
            assert_eq!(entry["location"]["path"], "catalog/backend-team.yaml");
            let line = entry["location"]["lines"]["begin"].as_u64().unwrap();
            let text = catalog.lines().nth(usize::try_from(line).unwrap() - 1).unwrap();
            assert!(text.trim_start().starts_with("pass:"), "line {line}: {text}");
        }
    }
}
