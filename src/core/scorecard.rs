//! The result model: one graded result per metric, the counts, and the gate. Serialized as is for
//! `--format json`, so every field documented here is part of that contract.

use serde::{Serialize, Serializer};

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

/// One metric's measurement graded against its thresholds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricResult {
    /// The metric's stable id, e.g. `response_time`.
    pub id: String,
    /// Its display name, e.g. `Response Time`.
    pub name: String,
    /// The category it is grouped under.
    pub category: String,
    /// `pass`, `warn`, `fail`, `missing` or `waived`.
    pub status: Status,
    /// The measured value in the canonical `unit`; null when missing.
    pub value: Option<f64>,
    /// The canonical unit symbol, e.g. `ms`, `%`; empty for a plain number.
    #[serde(serialize_with = "unit_symbol")]
    pub unit: &'static Unit,
    /// What good looks like, as the catalog's source states it.
    pub target: String,
    /// The pass threshold in notation, e.g. `< 1 %`.
    pub pass: String,
    /// The warn threshold in notation; beyond it is fail.
    pub warn: String,
    /// `lower_is_better`, `higher_is_better` or `band`.
    pub direction: Direction,
    /// For warn and fail: which side of the pass band the value is on and how far from it.
    pub miss: Option<Miss>,
    /// Improvement ideas for warn and fail metrics; empty otherwise.
    pub suggestions: Vec<String>,
    /// The waiver for this metric, when the config has one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
    /// The bands the value was graded against, for renderers.
    #[serde(skip)]
    pub thresholds: Thresholds,
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
    /// The gate's rules and verdict.
    pub gate: Gate,
    /// Counts per status.
    pub summary: Summary,
    /// One result per catalog metric, in catalog order.
    pub results: Vec<MetricResult>,
}

impl Scorecard {
    /// Categories in catalog order, each with its results.
    pub fn by_category(&self) -> Vec<(&str, Vec<&MetricResult>)> {
        let mut groups: Vec<(&str, Vec<&MetricResult>)> = Vec::new();
        for result in &self.results {
            match groups.iter_mut().find(|(name, _)| *name == result.category) {
                Some((_, members)) => members.push(result),
                None => groups.push((&result.category, vec![result])),
            }
        }
        groups
    }

    /// Warn and fail results, failures first, each group in catalog order.
    pub fn needing_attention(&self) -> Vec<&MetricResult> {
        let of = |status| self.results.iter().filter(move |r| r.status == status);
        of(Status::Fail).chain(of(Status::Warn)).collect()
    }

    /// Results without data.
    pub fn missing(&self) -> Vec<&MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Missing).collect()
    }

    /// Results excused by a waiver in force.
    pub fn waived(&self) -> Vec<&MetricResult> {
        self.results.iter().filter(|r| r.status == Status::Waived).collect()
    }

    /// Results whose waiver has expired, with the waiver.
    pub fn expired_waivers(&self) -> Vec<(&MetricResult, &WaiverNote)> {
        self.results
            .iter()
            .filter_map(|r| r.waiver.as_ref().filter(|w| w.expired).map(|w| (r, w)))
            .collect()
    }
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
