//! The report's content, format-neutral: a scorecard turned once into its parts (the verdict, the
//! roll-up, each scope's categories, what needs attention, what is waived, expired or stale, what
//! changed since the last check-in) and the plain sentences that say them. Every human format reads
//! this and only decorates it: markup, colour, symbols and layout, never its own words. Nothing
//! here escapes or styles text; each renderer does that for its format.

use crate::core::format_number;
use crate::core::history::{Trend, When};
use crate::core::policy::RegressionVerdict;
use crate::core::scorecard::{
    FailOn, HistoryPoint, MetricResult, ScopeSummary, ScopeView, Scorecard, Status, Summary,
};

/// A piece of a sentence: kpi's own words and values, or the name of a metric, which a format with
/// markup emphasises. Either may hold text from an input, so a renderer escapes both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Plain words.
    Text(String),
    /// A metric's name.
    Name(String),
}

/// A sentence as pieces, lowercase and without a closing period: a renderer capitalises and
/// punctuates it as its format reads best.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence(pub Vec<Piece>);

impl Sentence {
    fn text(mut self, text: impl Into<String>) -> Self {
        self.0.push(Piece::Text(text.into()));
        self
    }

    fn name(mut self, name: &str) -> Self {
        self.0.push(Piece::Name(name.to_string()));
        self
    }

    /// The sentence as plain text, the metric names unmarked.
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Piece::Text(t) | Piece::Name(t) => t.as_str(),
            })
            .collect()
    }
}

/// The whole report: the verdict and counts, the roll-up for scoped input, and each scope's part.
#[derive(Debug)]
pub struct Report<'c> {
    /// The catalog's title.
    pub title: &'c str,
    /// The latest check-in over all scopes; `None` for undated input.
    pub date: Option<When>,
    /// Whether the input has scopes (services, teams).
    pub scoped: bool,
    /// The one scope's name when the scoped input has only one.
    pub only_scope: Option<&'c str>,
    /// Counts over all scopes.
    pub summary: Summary,
    /// The gate's verdict.
    pub gate: Verdict,
    /// Scopes × metrics, worst scopes first; for scoped input only.
    pub rollup: Option<Rollup<'c>>,
    /// Each scope's part, in order of first appearance.
    pub scopes: Vec<ScopePart<'c>>,
}

/// Whether the gate passed, under which rule, with the counts in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub passed: bool,
    /// e.g. `--fail-on fail --require-all`.
    pub rule: String,
    /// e.g. `9 pass, 2 warn, 3 fail, 1 no data`.
    pub counts: String,
}

impl Verdict {
    /// `gate passed` or `gate failed`.
    pub fn words(&self) -> &'static str {
        if self.passed { "gate passed" } else { "gate failed" }
    }
}

/// The roll-up: the metrics as columns (in catalog order), the scopes as rows, worst first.
#[derive(Debug)]
pub struct Rollup<'c> {
    /// The metrics of the first scope, which every scope shares.
    pub metrics: &'c [MetricResult],
    pub rows: Vec<ScopeView<'c>>,
    /// Whether the catalog has levels, so that the roll-up shows each scope's level and score.
    pub levels: bool,
}

/// One scope's part of the report.
#[derive(Debug)]
pub struct ScopePart<'c> {
    pub view: ScopeView<'c>,
    /// Its name, or `(no scope)`.
    pub name: &'c str,
    pub categories: Vec<Category<'c>>,
    /// Warn and fail results, failures first.
    pub attention: Vec<Attention<'c>>,
    /// Results without data.
    pub missing: Vec<&'c MetricResult>,
    /// Results whose latest value predates the scope's latest check-in.
    pub stale: Vec<&'c MetricResult>,
    /// Results excused by a waiver in force, each with its sentence.
    pub waived: Vec<(&'c MetricResult, Sentence)>,
    /// A sentence per waiver that has run out.
    pub expired: Vec<Sentence>,
    /// With a catalog that has levels: the level held, the score and what blocks the next level,
    /// e.g. `level Silver, score 87.5; Gold needs: Response Time`.
    pub standing: Option<Sentence>,
    pub since: Since<'c>,
}

/// A category's rows, in catalog order.
#[derive(Debug)]
pub struct Category<'c> {
    pub name: &'c str,
    pub rows: Vec<Row<'c>>,
}

/// One metric's row: what every table shows.
#[derive(Debug)]
pub struct Row<'c> {
    pub result: &'c MetricResult,
    /// The value with its unit, or `-`.
    pub value: String,
    /// The status before, when it differs from the status now.
    pub was: Option<Status>,
    /// The move since the previous value, e.g. `↓ 12 ms (better)`; empty without history.
    pub trend: String,
    /// The last twelve check-ins as a unicode sparkline.
    pub sparkline: String,
}

/// A warn or fail metric, with how far it is from passing and its ideas.
#[derive(Debug)]
pub struct Attention<'c> {
    pub result: &'c MetricResult,
    pub value: String,
    /// How far from passing, e.g. `6 points too high: pass is at most 70%`.
    pub distance: Option<String>,
    /// Why the status is what it is besides the thresholds: a value too old, a regression.
    pub reasons: Vec<String>,
}

/// What moved since the previous check-in.
#[derive(Debug, Default)]
pub struct Since<'c> {
    /// Each result that improved, with its trend text.
    pub improved: Vec<(&'c MetricResult, String)>,
    pub worsened: Vec<(&'c MetricResult, String)>,
    /// Each result whose status changed: before and after.
    pub status_changes: Vec<(&'c MetricResult, Status, Status)>,
    /// Each stale result: its last value and when it was measured.
    pub no_new_data: Vec<&'c MetricResult>,
    /// Whether the scope had a check-in before its latest: without one there is no "since".
    pub earlier: bool,
}

impl Since<'_> {
    /// Whether nothing at all moved.
    pub fn is_empty(&self) -> bool {
        self.improved.is_empty()
            && self.worsened.is_empty()
            && self.status_changes.is_empty()
            && self.no_new_data.is_empty()
    }
}

/// Turns a scorecard into the report's parts. The card should already be made printable for the
/// format at hand.
pub fn report(card: &Scorecard) -> Report<'_> {
    let views = card.scope_views();
    let scoped = card.is_scoped();
    let only_scope = match views.as_slice() {
        [one] if scoped => Some(scope_name(one.scope)),
        _ => None,
    };
    let rollup = match views.first() {
        Some(first) if scoped => Some(Rollup {
            metrics: first.results,
            rows: worst_first(&views),
            levels: card.scopes.iter().any(|s| s.standing.is_some()),
        }),
        _ => None,
    };
    Report {
        title: &card.title,
        date: card.scopes.iter().filter_map(|s| s.checked_at).max(),
        scoped,
        only_scope,
        summary: card.summary,
        gate: verdict(card),
        rollup,
        scopes: views.iter().map(|v| scope_part(*v)).collect(),
    }
}

/// The gate's verdict of a card.
pub fn verdict(card: &Scorecard) -> Verdict {
    Verdict { passed: card.gate.passed, rule: gate_rule(card), counts: counts_in_words(card) }
}

fn scope_part(view: ScopeView<'_>) -> ScopePart<'_> {
    let categories = view
        .by_category()
        .into_iter()
        .map(|(name, results)| Category { name, rows: results.into_iter().map(row).collect() })
        .collect();
    let attention = view
        .needing_attention()
        .into_iter()
        .map(|result| Attention {
            result,
            value: result.display_value(),
            distance: result.distance(),
            reasons: reasons(result),
        })
        .collect();
    let stale: Vec<&MetricResult> = view.results.iter().filter(|r| r.stale).collect();
    let waived = view
        .waived()
        .into_iter()
        .filter_map(|r| {
            let note = r.waiver.as_ref()?;
            let sentence = Sentence::default().name(&r.name).text(format!(
                ": {}, would {}; waived through {}: {}",
                r.display_value(),
                note.graded.word(),
                note.until,
                note.reason
            ));
            Some((r, sentence))
        })
        .collect();
    let expired = view
        .expired_waivers()
        .into_iter()
        .map(|(r, waiver)| {
            Sentence::default().text("the waiver for ").name(&r.name).text(format!(
                " ran until {} and has expired ({}); it counts again: renew or remove it in the config",
                waiver.until, waiver.reason
            ))
        })
        .collect();
    let moved = |trend| -> Vec<(&MetricResult, String)> {
        view.results.iter().filter(|r| r.trend == Some(trend)).map(|r| (r, trend_text(r))).collect()
    };
    let since = Since {
        improved: moved(Trend::Improving),
        worsened: moved(Trend::Worsening),
        status_changes: view
            .results
            .iter()
            .filter_map(|r| {
                let before =
                    r.previous_status.filter(|&b| b != r.status && r.status != Status::Missing)?;
                Some((r, before, r.status))
            })
            .collect(),
        no_new_data: stale.clone(),
        earlier: view.results.iter().any(|r| r.previous.is_some() || r.history.len() > 1),
    };
    ScopePart {
        view,
        standing: standing(view),
        name: scope_name(view.scope),
        categories,
        attention,
        missing: view.missing(),
        stale,
        waived,
        expired,
        since,
    }
}

/// A scope's level, score and what blocks its next level, as a sentence; `None` without levels.
fn standing(view: ScopeView<'_>) -> Option<Sentence> {
    let standing = view.scope.standing.as_ref()?;
    let mut sentence = Sentence::default().text(format!(
        "{}, score {}",
        level_words(view.scope),
        score_words(view.scope.score)
    ));
    if let Some(next) = &standing.next_level {
        sentence = sentence.text(format!("; {next} needs: "));
        for (i, id) in standing.blocking.iter().enumerate() {
            let name = view.results.iter().find(|r| r.id == *id).map_or(&**id, |r| &*r.name);
            if i > 0 {
                sentence = sentence.text(", ");
            }
            sentence = sentence.name(name);
        }
    }
    Some(sentence)
}

/// A scope's level in words: `level Silver`, or `below Bronze` under the first; empty without
/// levels.
pub fn level_words(scope: &ScopeSummary) -> String {
    match &scope.standing {
        Some(s) => match (&s.level, &s.next_level) {
            (Some(level), _) => format!("level {level}"),
            (None, Some(first)) => format!("below {first}"),
            (None, None) => String::new(),
        },
        None => String::new(),
    }
}

/// A scope's level for a roll-up cell under a `Level` heading: `Silver`, or `below Bronze`.
pub fn level_cell(scope: &ScopeSummary) -> String {
    match scope.standing.as_ref().and_then(|s| s.level.as_ref()) {
        Some(level) => level.to_string(),
        None => level_words(scope),
    }
}

/// A score out of 100, e.g. `87.5`, or `-` without one.
pub fn score_words(score: Option<f64>) -> String {
    score.map_or_else(|| "-".to_string(), format_number)
}

fn row(result: &MetricResult) -> Row<'_> {
    Row {
        result,
        value: result.display_value(),
        was: result.previous_status.filter(|&before| before != result.status),
        trend: trend_text(result),
        sparkline: sparkline(&result.history),
    }
}

/// The summary counts in words, e.g. `11 pass, 2 warn, 1 fail, 1 no data` (`, 1 waived` when any).
pub fn counts_in_words(card: &Scorecard) -> String {
    summary_in_words(card.summary)
}

/// Counts in words, e.g. `11 pass, 2 warn, 1 fail, 1 no data`.
pub fn summary_in_words(s: Summary) -> String {
    let counts =
        format!("{} pass, {} warn, {} fail, {} no data", s.pass, s.warn, s.fail, s.missing);
    // Most teams have no waivers; mention them only when there are some.
    if s.waived > 0 { format!("{counts}, {} waived", s.waived) } else { counts }
}

/// What decided the gate, e.g. `--fail-on fail` or `--fail-on warn --require-all`.
pub fn gate_rule(card: &Scorecard) -> String {
    let fail_on = match card.gate.fail_on {
        FailOn::Fail => "fail",
        FailOn::Warn => "warn",
        FailOn::Never => "never",
    };
    let require_all = if card.gate.require_all { " --require-all" } else { "" };
    let level = card.gate.require_level.as_ref().map(|l| format!(" --require-level {l}"));
    format!("--fail-on {fail_on}{require_all}{}", level.unwrap_or_default())
}

/// A unicode sparkline of a history, oldest first: eight levels between the lowest and highest value,
/// `·` for a check-in without a value.
pub fn sparkline(history: &[HistoryPoint]) -> String {
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
pub fn trend_text(result: &MetricResult) -> String {
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
pub fn worst_first<'a>(views: &[ScopeView<'a>]) -> Vec<ScopeView<'a>> {
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
pub fn scope_name(scope: &ScopeSummary) -> &str {
    scope.name.as_deref().unwrap_or("(no scope)")
}

/// A warn or fail result's value against its target, e.g. `350 ms is 150 ms too high: pass is
/// under 200 ms (target: Less than 200ms)`: the one sentence CI reports lead with.
pub fn value_against_target(result: &MetricResult) -> String {
    let value = result.display_value();
    let mut text = match result.distance() {
        Some(distance) => format!("{value} is {distance} (target: {})", result.target),
        None => format!("{value} (target: {})", result.target),
    };
    for reason in reasons(result) {
        text.push_str("; ");
        text.push_str(&reason);
    }
    text
}

/// A waived result's note for CI reports, e.g. `waived through 2025-09-30: load test (would fail:
/// 85% is …)`; `None` unless the result is waived.
pub fn waived_note(result: &MetricResult) -> Option<String> {
    let note = result.waiver.as_ref().filter(|_| result.status == Status::Waived)?;
    Some(format!(
        "waived through {}: {} (would {}: {})",
        note.until,
        note.reason,
        note.graded.word(),
        value_against_target(result)
    ))
}

/// Why a result's status is what it is besides its thresholds, one plain sentence each: its value
/// is older than `max_age` allows, or it regressed against the baseline.
pub fn reasons(result: &MetricResult) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(overdue) = result.overdue.as_deref() {
        let date = result.date.map(|d| format!(" on {d}")).unwrap_or_default();
        let days = |n: i64| format!("{n} day{}", if n == 1 { "" } else { "s" });
        reasons.push(format!(
            "last measured{date}, {} before the check-in, older than its `max_age` of {} (`on_stale: {}`)",
            days(overdue.age_days),
            days(i64::from(overdue.max_age_days)),
            overdue.on_stale
        ));
    }
    if let Some(note) = &result.regression
        && matches!(note.verdict, RegressionVerdict::Warn | RegressionVerdict::Fail)
        && let (Some(base), Some(worse)) = (note.baseline, note.worse_by)
    {
        let amount = if note.relative && base != 0.0 {
            format!("{}%", format_number(round_to(worse / base.abs() * 100.0, 1)))
        } else {
            result.unit.format_delta(worse)
        };
        let date = note.baseline_date.map(|d| format!(" of {d}")).unwrap_or_default();
        reasons.push(format!(
            "regressed {amount} against the baseline{date} ({}), allowed {}",
            result.unit.format(base),
            note.allowed.as_deref().unwrap_or("nothing")
        ));
    }
    reasons
}

/// `value` rounded to `decimals` places.
fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// What a metric without data says in a CI report.
pub const NO_DATA: &str = "no data: no measurement for this metric";

/// What a metric without data says under `--require-all`, for an annotation.
pub fn required_but_missing(result: &MetricResult) -> String {
    format!(
        "`--require-all` fails the gate without it; add a `{}` row to the measurements",
        result.id
    )
}

/// The calendar date of a check-in.
fn civil(when: When) -> Option<jiff::civil::Date> {
    when.to_string().get(..10)?.parse().ok()
}

/// A check-in's date short enough for an axis: `Nov 23`.
pub fn short_date(when: When) -> String {
    civil(when).map_or_else(|| when.to_string(), |d| d.strftime("%b %-d").to_string())
}

/// A check-in's date in full: `23 November 2026`.
pub fn long_date(when: When) -> String {
    civil(when).map_or_else(|| when.to_string(), |d| d.strftime("%-d %B %Y").to_string())
}

/// Axis labels for check-ins: `Nov 23`, with the year when they span more than one
/// (`Dec 28 2026`), and in full when two fall on one day.
pub fn date_labels(dates: &[When]) -> Vec<String> {
    let years: Vec<i16> =
        dates.iter().filter_map(|d| civil(*d)).map(jiff::civil::Date::year).collect();
    let one_year = years.windows(2).all(|w| w[0] == w[1]);
    let labels: Vec<String> = dates
        .iter()
        .map(|d| match civil(*d) {
            Some(date) if one_year => date.strftime("%b %-d").to_string(),
            Some(date) => date.strftime("%b %-d %Y").to_string(),
            None => d.to_string(),
        })
        .collect();
    let mut sorted = labels.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() == labels.len() {
        labels
    } else {
        dates.iter().map(ToString::to_string).collect()
    }
}

/// Capitalises a sentence's first letter, for formats that print it as prose.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn the_parts_hold_every_result_once_in_catalog_order() {
        let card = sample::scorecard();
        let report = report(&card);
        assert!(!report.scoped);
        assert!(report.rollup.is_none());
        let [part] = report.scopes.as_slice() else { panic!("one scope") };
        let ids: Vec<&str> =
            part.categories.iter().flat_map(|c| c.rows.iter().map(|r| &*r.result.id)).collect();
        let expected: Vec<&str> = card.results.iter().map(|r| &*r.id).collect();
        assert_eq!(ids, expected);
        let attention: Vec<Status> = part.attention.iter().map(|a| a.result.status).collect();
        assert_eq!(
            attention,
            [Status::Fail, Status::Fail, Status::Fail, Status::Warn, Status::Warn]
        );
        assert_eq!(part.missing.len(), 1);
        assert_eq!(report.gate.words(), "gate failed");
        assert_eq!(report.gate.counts, "9 pass, 2 warn, 3 fail, 1 no data");
    }

    #[test]
    fn waived_and_expired_sentences_name_the_metric_as_a_piece_of_its_own() {
        let card = sample::waived_scorecard();
        let report = report(&card);
        let part = &report.scopes[0];
        let (_, waived) = &part.waived[0];
        assert_eq!(waived.0[0], Piece::Name("CPU Utilisation".into()));
        assert_eq!(
            waived.plain(),
            "CPU Utilisation: 85%, would fail; waived through 2025-09-30: load test in progress, agreed with SRE"
        );
        assert_eq!(
            part.expired[0].plain(),
            "the waiver for API Response Time ran until 2025-03-31 and has expired (cache rollout); it counts again: renew or remove it in the config"
        );
        assert_eq!(capitalised(&part.expired[0].plain())[..4], *"The ");
    }

    #[test]
    fn date_labels_are_short_with_the_year_when_it_changes_and_full_when_a_day_repeats() {
        let when = |t: &str| When::parse(t).unwrap();
        assert_eq!(date_labels(&[when("2026-11-16"), when("2026-11-23")]), ["Nov 16", "Nov 23"]);
        assert_eq!(
            date_labels(&[when("2026-12-28"), when("2027-01-04")]),
            ["Dec 28 2026", "Jan 4 2027"]
        );
        let same_day = date_labels(&[when("2026-11-23T09:00:00"), when("2026-11-23T17:00:00")]);
        assert_ne!(same_day[0], same_day[1]);
    }

    #[test]
    fn scoped_input_gets_a_rollup_worst_scope_first() {
        let mut card = sample::scorecard();
        let mut other = card.results.clone();
        for r in &mut card.results {
            r.scope = Some("api".into());
        }
        for r in &mut other {
            r.scope = Some("batch".into());
            r.status = Status::Fail;
        }
        card.results.extend(other);
        let mut worse = card.scopes[0].clone();
        card.scopes[0].name = Some("api".into());
        worse.name = Some("batch".into());
        worse.summary.fail = 15;
        card.scopes.push(worse);
        let report = report(&card);
        let rollup = report.rollup.expect("a roll-up");
        let names: Vec<&str> = rollup.rows.iter().map(|v| scope_name(v.scope)).collect();
        assert_eq!(names, ["batch", "api"]);
        assert_eq!(rollup.metrics.len(), 15);
        assert_eq!(report.only_scope, None);
    }
}
