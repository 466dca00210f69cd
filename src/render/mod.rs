//! Renderers: one file per output format, each a function from a `&Scorecard` to text. Nothing here
//! reads input or writes files; the caller decides where the text goes.

pub mod catalog;
pub mod github;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod report;
pub mod table;

use std::borrow::Cow;

use crate::core::history::Trend;
use crate::core::scorecard::{
    HistoryPoint, MetricResult, ScopeSummary, ScopeView, Scorecard, Shared, Summary,
};
use crate::core::text;

/// An output format of `kpi check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal table with a summary and suggestions.
    Table,
    /// A GitHub-flavoured markdown scorecard.
    Markdown,
    /// The scorecard as JSON.
    Json,
    /// JUnit XML for CI test reports: a test suite per category, a test case per metric.
    Junit,
    /// GitHub Actions workflow commands: an annotation per metric that needs attention.
    Github,
}

/// Options that change how text looks but not what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
}

/// Renders a scorecard in one format.
pub fn render(format: Format, card: &Scorecard, style: Style) -> String {
    match format {
        Format::Table => table::render(card, style),
        Format::Markdown => markdown::render(card),
        Format::Json => json::render(card),
        Format::Junit => junit::render(card),
        Format::Github => github::render(card),
    }
}

/// Writes a scorecard in one format to `out`: what [`render`] returns, with JSON streamed as it is
/// serialized rather than held whole.
pub fn write(
    format: Format,
    card: &Scorecard,
    style: Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(card, out),
        _ => out.write_all(render(format, card, style).as_bytes()),
    }
}

/// Line breaks, which a format with its own way of escaping them (markdown, GitHub's workflow
/// commands, XML) may leave to [`printable`].
pub(crate) const LINE_BREAKS: &[char] = &['\n', '\r'];

/// The scorecard with every text that came from an input (scope names) or a catalog (names,
/// categories, targets, ideas) made printable: control characters and bidirectional overrides
/// become visible escapes, except those in `keep`. Every text renderer starts here, so none can
/// echo them raw; a card with nothing to escape is not copied.
pub(crate) fn printable<'c>(card: &'c Scorecard, keep: &[char]) -> Cow<'c, Scorecard> {
    let clean = |t: &str| matches!(text::printable_keeping(t, keep), Cow::Borrowed(_));
    let clean_result = |r: &MetricResult| {
        [&r.id, &r.name, &r.category, &r.target, &r.pass, &r.warn].into_iter().all(|t| clean(t))
            && r.scope.as_deref().is_none_or(clean)
            && r.suggestions.iter().all(|t| clean(t))
            && r.waiver.as_ref().is_none_or(|w| clean(&w.reason))
    };
    if clean(&card.title)
        && card.scopes.iter().all(|s| s.name.as_deref().is_none_or(clean))
        && card.results.iter().all(clean_result)
    {
        return Cow::Borrowed(card);
    }
    let fix = |t: &mut String| {
        if let Cow::Owned(shown) = text::printable_keeping(t, keep) {
            *t = shown;
        }
    };
    let fix_shared = |t: &mut Shared| {
        if let Cow::Owned(shown) = text::printable_keeping(t, keep) {
            *t = shown.into();
        }
    };
    let mut card = card.clone();
    fix(&mut card.title);
    card.scopes.iter_mut().filter_map(|s| s.name.as_mut()).for_each(fix_shared);
    for r in &mut card.results {
        [&mut r.id, &mut r.name, &mut r.category, &mut r.target, &mut r.pass, &mut r.warn]
            .into_iter()
            .for_each(fix_shared);
        r.scope.iter_mut().for_each(fix_shared);
        r.suggestions =
            r.suggestions.iter().map(|t| text::printable_keeping(t, keep).into_owned()).collect();
        r.waiver.iter_mut().for_each(|w| fix(&mut w.reason));
    }
    Cow::Owned(card)
}

/// The summary counts in words, e.g. `11 pass, 2 warn, 1 fail, 1 no data` (`, 1 waived` when any).
pub(crate) fn counts_in_words(card: &Scorecard) -> String {
    summary_in_words(card.summary)
}

/// Counts in words, e.g. `11 pass, 2 warn, 1 fail, 1 no data`.
pub(crate) fn summary_in_words(s: Summary) -> String {
    let counts =
        format!("{} pass, {} warn, {} fail, {} no data", s.pass, s.warn, s.fail, s.missing);
    // Most teams have no waivers; mention them only when there are some.
    if s.waived > 0 { format!("{counts}, {} waived", s.waived) } else { counts }
}

/// What decided the gate, e.g. `--fail-on fail` or `--fail-on warn --require-all`.
pub(crate) fn gate_rule(card: &Scorecard) -> String {
    let fail_on = match card.gate.fail_on {
        crate::core::scorecard::FailOn::Fail => "fail",
        crate::core::scorecard::FailOn::Warn => "warn",
        crate::core::scorecard::FailOn::Never => "never",
    };
    let require_all = if card.gate.require_all { " --require-all" } else { "" };
    format!("--fail-on {fail_on}{require_all}")
}

/// A unicode sparkline of a history, oldest first: eight levels between the lowest and highest value,
/// `·` for a check-in without a value.
pub(crate) fn sparkline(history: &[HistoryPoint]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let values = history.iter().filter_map(|p| p.value);
    let (low, high) =
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    history
        .iter()
        .map(|p| match p.value {
            None => '·',
            Some(_) if high <= low => LEVELS[3],
            Some(v) => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let level = ((v - low) / (high - low) * 7.0).round() as usize;
                LEVELS[level.min(7)]
            }
        })
        .collect()
}

/// The move since the previous value: an arrow for the direction of the value, the change, and
/// whether that is better or worse for this metric, e.g. `↓ 15 ms (better)`; empty without history.
pub(crate) fn trend_text(result: &MetricResult) -> String {
    let Some(trend) = result.trend else { return String::new() };
    let change = result.change.unwrap_or(0.0);
    let arrow = if change > 0.0 {
        "↑"
    } else if change < 0.0 {
        "↓"
    } else {
        "→"
    };
    let amount = result.unit.format_delta(change.abs());
    match trend {
        Trend::New => "new".to_string(),
        Trend::Steady if change == 0.0 => "→ steady".to_string(),
        Trend::Steady => format!("{arrow} {amount} (steady)"),
        Trend::Improving => format!("{arrow} {amount} (better)"),
        Trend::Worsening => format!("{arrow} {amount} (worse)"),
    }
}

/// Scopes ordered worst first: most failures, then most warnings, then most missing, then by name.
pub(crate) fn worst_first<'a>(views: &[ScopeView<'a>]) -> Vec<ScopeView<'a>> {
    let mut sorted = views.to_vec();
    sorted.sort_by(|a, b| {
        let (x, y) = (a.scope.summary, b.scope.summary);
        y.fail
            .cmp(&x.fail)
            .then(y.warn.cmp(&x.warn))
            .then(y.missing.cmp(&x.missing))
            .then(a.scope.name.cmp(&b.scope.name))
    });
    sorted
}

/// A scope's name for headings: its name, or `(no scope)` for rows without one.
pub(crate) fn scope_name(scope: &ScopeSummary) -> &str {
    scope.name.as_deref().unwrap_or("(no scope)")
}

/// A warn or fail result's value against its target, e.g. `350 ms is 150 ms too high: pass is
/// under 200 ms (target: Less than 200ms)`: the one sentence CI reports lead with.
pub(crate) fn value_against_target(result: &MetricResult) -> String {
    let value = result.display_value();
    match result.distance() {
        Some(distance) => format!("{value} is {distance} (target: {})", result.target),
        None => format!("{value} (target: {})", result.target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_card_is_not_copied_and_a_hostile_one_keeps_only_the_line_breaks_asked_for() {
        let card = sample::scorecard();
        assert!(matches!(printable(&card, &[]), Cow::Borrowed(_)));
        let hostile = sample::hostile();
        for keep in [&[][..], LINE_BREAKS] {
            let shown = printable(&hostile, keep);
            let texts = std::iter::once(shown.title.as_str())
                .chain(shown.scopes.iter().filter_map(|s| s.name.as_deref()))
                .chain(shown.results.iter().flat_map(|r| {
                    [&*r.name, &r.category, &r.target]
                        .into_iter()
                        .chain(r.suggestions.iter().map(String::as_str))
                }));
            for text in texts {
                assert!(!text.contains(['\u{1b}', '\u{202e}']), "{text:?}");
                assert_eq!(text.contains("\r\n"), !keep.is_empty(), "{text:?}");
                assert!(text.contains("\\u{1b}[31m"), "{text:?}");
            }
        }
    }

    #[test]
    fn writing_gives_what_rendering_returns_in_every_format() {
        let card = sample::scorecard();
        for format in [Format::Table, Format::Markdown, Format::Json, Format::Junit, Format::Github]
        {
            let mut written = Vec::new();
            write(format, &card, Style::default(), &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                render(format, &card, Style::default())
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! One shared sample scorecard for every renderer's snapshots: pass, warn, fail and missing
    //! metrics, a two-sided metric missed on each side, and values with units.

    use crate::core::evaluate::evaluate;
    use crate::core::scorecard::{FailOn, GatePolicy, Scorecard};
    use crate::core::waiver::{Waiver, apply};
    use crate::input::catalog::load_builtin;
    use crate::input::measurements::{Store, csv};

    pub(crate) const CSV: &str = "metric,value\n\
        response_time,180ms\n\
        error_rate,1.4%\n\
        rps,1.2k\n\
        cpu_utilisation,85%\n\
        memory_usage,62%\n\
        code_review_rounds,0\n\
        code_coverage,83.5%\n\
        defect_density,0.4\n\
        code_commits,3/day\n\
        code_complexity,\n\
        code_quality,6\n\
        deployment_frequency,3/week\n\
        mttr,45m\n\
        test_coverage,78%\n\
        api_response_time,0.35s\n";

    /// Text meant to take over a terminal or a report: an ANSI colour and screen clear, a
    /// right-to-left override, a forged line, a table cell break, HTML and a link.
    pub(crate) const HOSTILE: &str =
        "x\u{1b}[31m\u{1b}[2J\u{202e}kcab\r\nerror: forged | <img src=x> [link](http://e)";

    /// The sample scorecard with [`HOSTILE`] in every text a renderer echoes: the title, a scope,
    /// categories, names, targets and ideas.
    pub(crate) fn hostile() -> Scorecard {
        let mut card = scorecard();
        card.title = HOSTILE.to_string();
        card.scopes[0].name = Some(HOSTILE.into());
        for r in &mut card.results {
            r.scope = Some(HOSTILE.into());
            r.category = format!("{} {HOSTILE}", r.category).into();
            r.name = format!("{} {HOSTILE}", r.name).into();
            r.target = HOSTILE.into();
            r.suggestions = [HOSTILE.to_string()].into();
        }
        card
    }

    pub(crate) fn scorecard() -> Scorecard {
        let catalog = load_builtin().unwrap();
        let mut collector = Store::new(&catalog);
        csv::read(&mut collector, CSV.as_bytes(), "sample.csv").unwrap();
        let data = collector.finish().unwrap();
        evaluate(&catalog, &data, None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
    }

    /// The sample with a waiver in force for a failing metric (CPU utilisation) and an expired one
    /// for another (API response time), on 2025-06-01.
    pub(crate) fn waived_scorecard() -> Scorecard {
        let waiver = |metric: &str, until: &str, reason: &str| Waiver {
            metric: metric.into(),
            scope: None,
            reason: reason.into(),
            until: until.parse().unwrap(),
        };
        let waivers = [
            waiver("cpu_utilisation", "2025-09-30", "load test in progress, agreed with SRE"),
            waiver("api_response_time", "2025-03-31", "cache rollout"),
        ];
        let mut card = scorecard();
        apply(&mut card, &waivers, "2025-06-01".parse().unwrap());
        card
    }
}
