//! `--format github`: GitHub Actions workflow commands, so that metrics needing attention show up
//! as annotations on the run and the pull request; and the `key=value` lines for `$GITHUB_OUTPUT`.
//! Text only: appending to GitHub's files is the output module's job.

use std::fmt::Write;

use super::sections::{self, required_but_missing, value_against_target};
use super::{LINE_BREAKS, printable};
use crate::core::scorecard::{MetricResult, Scorecard, Status};

/// How many improvement ideas an annotation carries; the rest are in the job summary and the table.
pub const FIRST_IDEAS: usize = 3;

/// Renders annotations: `::error` for each failing metric, then `::warning` for each warning, then,
/// under `--require-all`, `::notice` for each metric without data. Failures come first because
/// GitHub shows only the first ten annotations of each kind per step. A last plain line gives the
/// verdict for the log.
pub fn render(card: &Scorecard) -> String {
    let card = &*printable(card, LINE_BREAKS);
    let mut out = String::new();
    for result in card.needing_attention() {
        let command = if result.status == Status::Fail { "error" } else { "warning" };
        let mut message = value_against_target(result);
        for idea in result.suggestions.iter().take(FIRST_IDEAS) {
            write!(message, "\n- {idea}").ok();
        }
        annotation(&mut out, command, result, &message);
    }
    if card.gate.require_all {
        for result in card.missing() {
            annotation(&mut out, "notice", result, &required_but_missing(result));
        }
    }
    let gate = sections::verdict(card);
    // The title is left out: a catalog's text at the start of a line could pass for a command.
    writeln!(out, "{}: {} ({})", gate.counts, gate.words(), gate.rule).ok();
    for part in sections::report(card).scopes {
        if let Some(standing) = &part.standing {
            let scope =
                part.view.scope.name.as_deref().map(|s| format!("{s}: ")).unwrap_or_default();
            writeln!(out, "{scope}{}", standing.plain()).ok();
        }
    }
    out
}

/// The lines for `$GITHUB_OUTPUT`, so later steps can read the verdict and the counts as
/// `steps.<id>.outputs.gate`, `.pass`, `.warn`, `.fail` and `.missing`.
pub fn step_outputs(card: &Scorecard) -> String {
    let gate = if card.gate.passed { "pass" } else { "fail" };
    let s = card.summary;
    format!(
        "gate={gate}\npass={}\nwarn={}\nfail={}\nmissing={}\n",
        s.pass, s.warn, s.fail, s.missing
    )
}

fn annotation(out: &mut String, command: &str, result: &MetricResult, message: &str) {
    let title = match &result.scope {
        Some(scope) => format!("{scope}: {}: {}", result.name, result.status.word()),
        None => format!("{}: {}", result.name, result.status.word()),
    };
    // `file` and `line` put the annotation beside the rule that set the threshold.
    let place = result
        .defined_at
        .as_deref()
        .map(|d| format!("file={},line={},", escape_property(&d.path), d.line))
        .unwrap_or_default();
    writeln!(out, "::{command} {place}title={}::{}", escape_property(&title), escape_data(message))
        .ok();
}

/// Escapes a workflow command's message as GitHub's runner expects: `%`, CR and LF, so that a value
/// cannot end the command early or start a new one.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as a message, and also `:` and `,`, which would
/// otherwise end the property list or the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn github_annotations() {
        insta::assert_snapshot!(render(&sample::scorecard()));
    }

    #[test]
    fn github_annotations_under_require_all() {
        let mut card = sample::scorecard();
        card.gate.require_all = true;
        insta::assert_snapshot!(render(&card));
    }

    #[test]
    fn failures_come_before_warnings_and_missing_metrics_are_silent_by_default() {
        let text = render(&sample::scorecard());
        let kinds: Vec<&str> =
            text.lines().filter_map(|l| l.strip_prefix("::")?.split(' ').next()).collect();
        assert_eq!(kinds, ["error", "error", "error", "warning", "warning"]);
    }

    #[test]
    fn annotations_carry_only_the_first_ideas() {
        let card = sample::scorecard();
        let text = render(&card);
        let cpu = text.lines().find(|l| l.contains("title=CPU Utilisation")).unwrap();
        let ideas = &card.results[3].suggestions;
        assert!(ideas.len() > FIRST_IDEAS);
        for idea in &ideas[..FIRST_IDEAS] {
            assert!(cpu.contains(&format!("%0A- {idea}")), "{cpu}");
        }
        assert!(!cpu.contains(&ideas[FIRST_IDEAS]), "{cpu}");
    }

    #[test]
    fn data_escapes_percent_and_line_breaks_and_properties_also_colon_and_comma() {
        assert_eq!(escape_data("50%: a,b\r\nc"), "50%25: a,b%0D%0Ac");
        assert_eq!(escape_property("50%: a,b\r\nc"), "50%25%3A a%2Cb%0D%0Ac");
        // `%` is escaped first, so an escape sequence in the input stays literal.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn hostile_names_and_text_stay_one_command_per_line() {
        let mut card = sample::scorecard();
        let hostile = "p99 50%, <b>\"x\" & 'y'</b>:: a\r\n::error::injected %0A";
        for result in &mut card.results {
            result.name = hostile.into();
            result.target = hostile.into();
            result.suggestions = [hostile.to_string()].into();
        }
        let text = render(&card);
        assert!(!text.contains('\r'), "{text:?}");
        let lines: Vec<&str> = text.lines().collect();
        // five annotations and the verdict, and no injected command
        assert_eq!(lines.len(), 6, "{text}");
        assert!(lines.iter().all(|l| !l.starts_with("::error::injected")));
        let title =
            "p99 50%25%2C <b>\"x\" & 'y'</b>%3A%3A a%0D%0A%3A%3Aerror%3A%3Ainjected %250A%3A fail";
        assert!(
            lines[0].starts_with("::error file=catalog/backend-team.yaml,line="),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(&format!(",title={title}::")), "{}", lines[0]);
        let idea = "- p99 50%25, <b>\"x\" & 'y'</b>:: a%0D%0A::error::injected %250A";
        assert!(lines[0].ends_with(idea), "{}", lines[0]);
    }

    #[test]
    fn control_characters_never_reach_the_log_raw() {
        let text = render(&sample::hostile());
        assert!(!text.contains(['\u{1b}', '\u{202e}', '\r']), "{text:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(
            lines[..5].iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning "))
        );
        assert!(lines[0].contains("x\\u{1b}[31m\\u{1b}[2J\\u{202e}kcab%0D%0Aerror%3A forged"));
    }

    #[test]
    fn step_outputs_give_the_verdict_and_every_count() {
        assert_eq!(
            step_outputs(&sample::scorecard()),
            "gate=fail\npass=9\nwarn=2\nfail=3\nmissing=1\n"
        );
    }
}
