//! The result model: one graded result per metric, the counts, and the gate. Serialized as is for
//! `--format json`, so every field documented here is part of that contract.

use serde::{Serialize, Serializer};

use super::catalog::Definition;
use super::history::{Trend, When};
use super::levels::Standing;
use super::policy::{OnStale, RegressionVerdict};
use super::threshold::{Direction, Miss, Side, Thresholds};
use super::unit::Unit;

/// How a metric did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Inside the pass band.
    Pass,
    /// Outside the pass band but inside the warn band.
    Warn,
    /// Beyond the warn band.
    Fail,
    /// No measurement for the metric.
    Missing,
    /// Would warn or fail, but a waiver in force excuses it: it does not fail the gate.
    Waived,
}

/// What fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Any failing metric fails the gate.
    Fail,
    /// Any warning or failing metric fails the gate.
    Warn,
    /// Thresholds never fail the gate.
    Never,
}

/// The rules of the gate, as chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatePolicy {
    pub fail_on: FailOn,
    /// A metric without data fails the gate.
    pub require_all: bool,
}

/// The gate's rules and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// `fail`, `warn` or `never`: which status fails the gate.
    pub fail_on: FailOn,
    /// Whether a metric without data fails the gate.
    pub require_all: bool,
    /// The level every scope must hold (`--require-level`); absent when not asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_level: Option<String>,
    /// Whether the gate passed; the exit code is 0 when it did and 1 when it did not.
    pub passed: bool,
}

/// How many metrics have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub missing: usize,
    /// Warn or fail results excused by a waiver in force; counted here instead of as warn or fail.
    pub waived: usize,
}

impl Summary {
    /// Counts one more result.
    pub fn count(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Warn => self.warn += 1,
            Status::Fail => self.fail += 1,
            Status::Missing => self.missing += 1,
            Status::Waived => self.waived += 1,
        }
    }

    /// Adds another summary's counts.
    pub fn add(&mut self, other: Summary) {
        self.pass += other.pass;
        self.warn += other.warn;
        self.fail += other.fail;
        self.missing += other.missing;
        self.waived += other.waived;
    }
}

/// One scope's latest check-in and counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeSummary {
    /// The service or team; null when the input has no scope column.
    pub name: Option<Shared>,
    /// The scope's latest check-in date at or before `as_of`; null for undated input.
    pub checked_at: Option<When>,
    /// Counts per status in this scope.
    pub summary: Summary,
    /// 0 to 100: each metric's credit (pass 1, warn 0.5, fail and no data 0; a waived metric by
    /// the grade it would have) weighted by its `weight`; null without metrics.
    pub score: Option<f64>,
    /// With a catalog that has `levels`: `level`, `next_level` and `blocking`; absent otherwise.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub standing: Option<Standing>,
}

/// A metric's value at one of its scope's recent check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// The check-in date.
    pub date: When,
    /// The value in the canonical unit; null when the check-in had no value for this metric.
    pub value: Option<f64>,
}

/// A text many results share, such as a metric's name or its scope's: a result holds it without
/// copying it, and a scorecard of twenty thousand results makes one of each.
pub type Shared = std::sync::Arc<str>;

/// One metric's measurement graded against its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    /// The metric's stable id, e.g. `response_time`.
    pub id: Shared,
    /// Its display name, e.g. `Response Time`.
    pub name: Shared,
    /// The category it is grouped under.
    pub category: Shared,
    /// The service or team this result is for; null when the input has no scope column.
    pub scope: Option<Shared>,
    /// `pass`, `warn`, `fail`, `missing` or `waived`.
    pub status: Status,
    /// The latest measured value in the canonical `unit`; null when missing.
    pub value: Option<f64>,
    /// The canonical unit symbol, e.g. `ms`, `%`; empty for a plain number.
    #[serde(serialize_with = "unit_symbol")]
    pub unit: &'static Unit,
    /// When `value` was measured; null for undated input.
    pub date: Option<When>,
    /// True when `value` predates the scope's latest check-in: the metric has gone without data since.
    pub stale: bool,
    /// For a metric without data that a source (`--from`) tried to collect: which source and why it
    /// could not, e.g. "git:.: no tag matches 'deploy/*' ...". Left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_collected: Option<String>,
    /// What good looks like, as the catalog's source states it.
    pub target: Shared,
    /// The pass threshold in notation, e.g. `< 1 %`.
    pub pass: Shared,
    /// The warn threshold in notation; beyond it is fail.
    pub warn: Shared,
    /// `lower_is_better`, `higher_is_better` or `band`.
    pub direction: Direction,
    /// For warn and fail: which side of the pass band the value is on and how far from it.
    pub miss: Option<Miss>,
    /// The value before `value` in the history; null when there is none.
    pub previous: Option<f64>,
    /// The status `previous` had; null when there is no previous value.
    pub previous_status: Option<Status>,
    /// `value - previous`; null unless both exist.
    pub change: Option<f64>,
    /// `improving`, `worsening` or `steady` since the previous value, judged by the metric's
    /// direction with a small dead zone; `new` when there is no previous value; null for undated input.
    pub trend: Option<Trend>,
    /// The scope's last check-ins (up to twelve, oldest first) with this metric's value at each.
    pub history: Box<[HistoryPoint]>,
    /// Improvement ideas for warn and fail metrics; empty otherwise.
    pub suggestions: std::sync::Arc<[String]>,
    /// When `value` is older than the metric's `max_age` allows at the scope's latest check-in:
    /// how old, the limit, and what that made the status; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<Box<Overdue>>,
    /// With `--baseline` and a `regression:` policy: how the value did against the baseline;
    /// absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regression: Option<Box<RegressionNote>>,
    /// The waiver for this metric, when the config has one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<WaiverNote>>,
    /// The bands the value was graded against, for renderers.
    #[serde(skip)]
    pub thresholds: std::sync::Arc<Thresholds>,
    /// Where those bands are written (a catalog's or config's file and line), for reports that
    /// point at the rule: GitLab Code Quality, GitHub annotations.
    #[serde(skip)]
    pub defined_at: Option<std::sync::Arc<Definition>>,
}

/// A result judged against its baseline under its metric's `regression:` policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionNote {
    /// `pass`, `warn` or `fail` (past the allowance of that name), or `new` when the baseline has
    /// no value for the metric, which is never a regression.
    pub verdict: RegressionVerdict,
    /// The baseline value in the canonical unit; null when `new`.
    pub baseline: Option<f64>,
    /// When the baseline value was measured; null when `new` or undated.
    pub baseline_date: Option<When>,
    /// `value - baseline`; null when `new`.
    pub change: Option<f64>,
    /// How much worse than the baseline, by the metric's direction (negative: better); null
    /// when `new`.
    pub worse_by: Option<f64>,
    /// The allowance the verdict was judged by, as written in words (`5%`, `2 points`); null
    /// when `new`.
    pub allowed: Option<String>,
    /// That allowance as an amount in the canonical unit, against this baseline.
    pub allowed_amount: Option<f64>,
    /// Whether the allowance is a share of the baseline, so that the change reads as one too.
    #[serde(skip)]
    pub relative: bool,
}

/// A latest value older than its metric's `max_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// Days from the value's date to the scope's latest check-in.
    pub age_days: i64,
    /// The metric's `max_age`, in days.
    pub max_age_days: u32,
    /// `warn`, `fail` or `missing`: what an overdue value becomes (`warn` at least; a failing
    /// value stays `fail`).
    pub on_stale: OnStale,
}

/// A waiver that matched a result: in force, or expired and so no longer excusing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNote {
    /// Why the metric is waived, as the config states it.
    pub reason: String,
    /// The last day the waiver is in force, `YYYY-MM-DD`.
    pub until: String,
    /// Whether the waiver has run out: then `status` is the metric's own grade again.
    pub expired: bool,
    /// The grade the value got from its thresholds, before any waiver.
    pub graded: Status,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde hands `serialize_with` a reference
fn unit_symbol<S: Serializer>(unit: &&'static Unit, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(unit.symbol)
}

/// The graded results of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    /// The catalog's title, e.g. `Backend Team metrics`.
    pub title: String,
    /// The `--as-of` limit: later measurements were ignored; null when not given.
    pub as_of: Option<When>,
    /// The gate's rules and verdict.
    pub gate: Gate,
    /// Counts per status, over all scopes.
    pub summary: Summary,
    /// Each scope's latest check-in and counts, in order of first appearance.
    pub scopes: Vec<ScopeSummary>,
    /// One result per scope and catalog metric, scope by scope, in catalog order.
    pub results: Vec<MetricResult>,
}

/// One scope's part of a scorecard: its summary and its results.
#[derive(Debug, Clone, Copy)]
pub struct ScopeView<'a> {
    pub scope: &'a ScopeSummary,
    pub results: &'a [MetricResult],
}

impl Scorecard {
    /// Each scope with its results, in order of first appearance.
    pub fn scope_views(&self) -> Vec<ScopeView<'_>> {
        let mut views = Vec::with_capacity(self.scopes.len());
        let mut rest = self.results.as_slice();
        for scope in &self.scopes {
            let len = rest.iter().take_while(|r| r.scope == scope.name).count();
            let (results, tail) = rest.split_at(len);
            views.push(ScopeView { scope, results });
            rest = tail;
        }
        views
    }

    /// Whether the results come from more than one scope, or from a named one.
    pub fn is_scoped(&self) -> bool {
        self.scopes.iter().any(|s| s.name.is_some())
    }

    /// Whether any result has dated history to show.
    pub fn has_history(&self) -> bool {
        self.results.iter().any(|r| r.trend.is_some())
    }

    /// Warn and fail results over all scopes, failures first, each group in scorecard order.
    pub fn needing_attention(&self) -> Vec<&MetricResult> {
        needing_attention(&self.results)
    }

    /// Results without data, over all scopes.
    pub fn missing(&self) -> Vec<&MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Missing).collect()
    }

    /// Results excused by a waiver in force, over all scopes.
    pub fn waived(&self) -> Vec<&MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Waived).collect()
    }

    /// Results whose waiver has expired, with the waiver, over all scopes.
    pub fn expired_waivers(&self) -> Vec<(&MetricResult, &WaiverNote)> {
        self.results
            .iter()
            .filter_map(|r| r.waiver.as_deref().filter(|w| w.expired).map(|w| (r, w)))
            .collect()
    }
}

impl<'a> ScopeView<'a> {
    /// Categories in catalog order, each with its results.
    pub fn by_category(&self) -> Vec<(&'a str, Vec<&'a MetricResult>)> {
        let mut groups: Vec<(&str, Vec<&MetricResult>)> = Vec::new();
        for result in self.results {
            match groups.iter_mut().find(|(name, _)| *name == &*result.category) {
                Some((_, members)) => members.push(result),
                None => groups.push((&result.category, vec![result])),
            }
        }
        groups
    }

    /// Warn and fail results, failures first, each group in catalog order.
    pub fn needing_attention(&self) -> Vec<&'a MetricResult> {
        needing_attention(self.results)
    }

    /// Results without data.
    pub fn missing(&self) -> Vec<&'a MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Missing).collect()
    }

    /// Results excused by a waiver in force.
    pub fn waived(&self) -> Vec<&'a MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Waived).collect()
    }

    /// Results whose waiver has expired, with the waiver.
    pub fn expired_waivers(&self) -> Vec<(&'a MetricResult, &'a WaiverNote)> {
        self.results
            .iter()
            .filter_map(|r| r.waiver.as_deref().filter(|w| w.expired).map(|w| (r, w)))
            .collect()
    }
}

fn needing_attention(results: &[MetricResult]) -> Vec<&MetricResult> {
    let of = |status| results.iter().filter(move |r| r.status == status);
    of(Status::Fail).chain(of(Status::Warn)).collect()
}

impl MetricResult {
    /// The value with its unit, or `-` when missing.
    pub fn display_value(&self) -> String {
        self.value.map_or_else(|| "-".to_string(), |v| self.unit.format(v))
    }

    /// How far from passing, e.g. `150 ms too high: pass is under 200 ms`; `None` when passing.
    pub fn distance(&self) -> Option<String> {
        let miss = self.miss?;
        let pass = self.thresholds.pass.in_words(self.unit);
        let side = match miss.side {
            Side::TooLow => "too low",
            Side::TooHigh => "too high",
        };
        Some(if miss.by == 0.0 {
            format!("{side}, at the limit: pass is {pass}")
        } else {
            format!("{} {side}: pass is {pass}", self.unit.format_delta(miss.by))
        })
    }
}

impl Status {
    /// The word used in text output: `pass`, `warn`, `fail`, `no data`, `waived`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Missing => "no data",
            Status::Waived => "waived",
        }
    }
}
