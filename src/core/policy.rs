//! The policies a metric may carry besides its thresholds: how old its latest value may be
//! (`max_age`, `on_stale`), how much worse than a baseline it may get (`regression`), and how much
//! it counts in a scope's score (`weight`). Pure: parses their notation and decides their verdicts
//! from values; evaluation applies them while it grades.

use std::fmt;

use super::history::When;
use super::threshold::{Band, Direction};
use super::unit::{Unit, format_number};

/// What a value older than its metric's `max_age` becomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnStale {
    /// At least a warning.
    #[default]
    Warn,
    /// A failure.
    Fail,
    /// No data: the old value is not graded at all.
    Missing,
}

impl OnStale {
    /// Every choice, as written in a config.
    pub const ALL: [OnStale; 3] = [OnStale::Warn, OnStale::Fail, OnStale::Missing];

    /// The choice as written in a config.
    pub fn name(self) -> &'static str {
        match self {
            OnStale::Warn => "warn",
            OnStale::Fail => "fail",
            OnStale::Missing => "missing",
        }
    }
}

/// How much worse than the baseline a value may get.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowance {
    /// A share of the baseline value: `0.05` for `5%`.
    Relative(f64),
    /// An amount in the metric's canonical unit: `2` for `2 points` of a percentage.
    Absolute(f64),
}

/// A metric's `regression:` policy: past `warn` it warns, past `fail` it fails.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Regression {
    pub warn: Option<Allowance>,
    pub fail: Option<Allowance>,
}

/// Why a policy's notation could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("`{text}` is not an age; write a whole number of days or weeks, e.g. `14d` or `2w`")]
    Age { text: String },
    #[error("`{text}` is not one of {}", OnStale::ALL.map(|o| format!("`{}`", o.name())).join(", "))]
    OnStale { text: String },
    #[error("`{text}` is not a weight; write a number above 0, e.g. `2`")]
    Weight { text: String },
    #[error(
        "`{text}` is not an allowance; write a share of the baseline (`5%`) or an amount in the metric's unit ({example})"
    )]
    Allowance { text: String, example: String },
    #[error(
        "`warn` allows more than `fail`; a regression warns before it fails, so give `warn` the smaller allowance"
    )]
    WarnBeyondFail,
    #[error("there is no `max_age` for it to apply to; add one, e.g. `max_age: 14d`")]
    OnStaleWithoutMaxAge,
}

impl PolicyError {
    /// The stable code of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Age { .. } => "invalid-age",
            PolicyError::OnStale { .. } => "invalid-on-stale",
            PolicyError::Weight { .. } => "invalid-weight",
            PolicyError::Allowance { .. } => "invalid-allowance",
            PolicyError::WarnBeyondFail => "warn-beyond-fail",
            PolicyError::OnStaleWithoutMaxAge => "on-stale-without-max-age",
        }
    }
}

/// Reads an age: `14d`, `14 days`, `2w`, `2 weeks`; a bare number is days. Returns days.
pub fn parse_age(text: &str) -> Result<u32, PolicyError> {
    let err = || PolicyError::Age { text: super::text::printable(text).into_owned() };
    let t = text.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u32 = number.parse().map_err(|_| err())?;
    let per = match unit.trim() {
        "" | "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        _ => return Err(err()),
    };
    n.checked_mul(per).ok_or_else(err)
}

/// Reads `warn`, `fail` or `missing`.
pub fn parse_on_stale(text: &str) -> Result<OnStale, PolicyError> {
    OnStale::ALL
        .into_iter()
        .find(|o| o.name() == text.trim())
        .ok_or_else(|| PolicyError::OnStale { text: super::text::printable(text).into_owned() })
}

/// Reads a weight: a finite number above 0.
pub fn parse_weight(text: &str) -> Result<f64, PolicyError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|w| w.is_finite() && *w > 0.0)
        .ok_or_else(|| PolicyError::Weight { text: super::text::printable(text).into_owned() })
}

/// Reads an allowance for a metric of `unit`: `5%` is a share of the baseline; `2 points` (for a
/// percentage) or a quantity of the unit (`20ms`, `1h`, a bare number) is an amount.
pub fn parse_allowance(text: &str, unit: &Unit) -> Result<Allowance, PolicyError> {
    let err = || PolicyError::Allowance {
        text: super::text::printable(text).into_owned(),
        example: if unit.symbol == "%" {
            "`2 points`".to_string()
        } else if unit.symbol.is_empty() {
            "`2`".to_string()
        } else {
            format!("`2{}`", unit.symbol)
        },
    };
    let t = text.trim();
    let number = |n: &str| n.trim().parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0);
    if let Some(share) = t.strip_suffix('%') {
        return number(share).map(|n| Allowance::Relative(n / 100.0)).ok_or_else(err);
    }
    if unit.symbol == "%" {
        let amount = ["points", "point", "pts", "pt"].iter().find_map(|s| t.strip_suffix(s));
        return amount.or(Some(t)).and_then(number).map(Allowance::Absolute).ok_or_else(err);
    }
    match unit.parse(t, None) {
        Ok(Some(amount)) => Ok(Allowance::Absolute(amount)),
        _ => Err(err()),
    }
}

impl Allowance {
    /// The amount allowed against a baseline value.
    pub fn against(self, baseline: f64) -> f64 {
        match self {
            Allowance::Relative(share) => share * baseline.abs(),
            Allowance::Absolute(amount) => amount,
        }
    }

    /// The allowance as a person reads it: `5%` or `2 points`.
    pub fn display(self, unit: &Unit) -> String {
        match self {
            Allowance::Relative(share) => format!("{}%", format_number(share * 100.0)),
            Allowance::Absolute(amount) => unit.format_delta(amount),
        }
    }
}

impl Regression {
    /// Checks that `warn` allows no more than `fail` when both are of one kind.
    pub fn check(self) -> Result<Regression, PolicyError> {
        match (self.warn, self.fail) {
            (Some(Allowance::Relative(w)), Some(Allowance::Relative(f)))
            | (Some(Allowance::Absolute(w)), Some(Allowance::Absolute(f)))
                if w > f =>
            {
                Err(PolicyError::WarnBeyondFail)
            }
            _ => Ok(self),
        }
    }
}

/// How a value did against its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegressionVerdict {
    /// Within what is allowed (or better than the baseline).
    Pass,
    /// Worse than `warn` allows.
    Warn,
    /// Worse than `fail` allows.
    Fail,
    /// The baseline has no value for the metric: never a regression.
    New,
}

/// How much worse `now` is than `baseline` for a metric whose pass band is `pass`: positive is
/// worse. Lower is better, higher is better, or for a band, further from it is worse.
pub fn worse_by(pass: &Band, baseline: f64, now: f64) -> f64 {
    match pass.direction() {
        Direction::LowerIsBetter => now - baseline,
        Direction::HigherIsBetter => baseline - now,
        Direction::Band => {
            let distance = |v| pass.miss(v).map_or(0.0, |m| m.by);
            distance(now) - distance(baseline)
        }
    }
}

/// The verdict and what was allowed, for a value `worse` than its baseline `baseline`: past an
/// allowance is strictly more than it, so a change of exactly the allowance passes.
pub fn judge(
    policy: Regression,
    baseline: f64,
    worse: f64,
) -> (RegressionVerdict, Option<Allowance>) {
    // Rounding noise (`84.2 - 82.2`) must not tip a change of exactly the allowance over it.
    let past = |a: Allowance| worse > a.against(baseline) * (1.0 + 1e-9) + 1e-12;
    match (policy.fail, policy.warn) {
        (Some(fail), _) if past(fail) => (RegressionVerdict::Fail, Some(fail)),
        (_, Some(warn)) if past(warn) => (RegressionVerdict::Warn, Some(warn)),
        (fail, warn) => (RegressionVerdict::Pass, warn.or(fail)),
    }
}

/// What regressions are judged against.
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// Each series' previous value in the history.
    Previous,
    /// Values from an earlier run, by scope and metric id.
    Values(BaselineValues),
}

/// A baseline value and the day it was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselinePoint {
    pub value: f64,
    pub date: Option<When>,
}

/// Values from an earlier run (its JSON scorecard or its measurements), by scope and metric id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BaselineValues(std::collections::HashMap<(Option<String>, String), BaselinePoint>);

impl BaselineValues {
    /// Adds the value of metric `id` in `scope`.
    pub fn insert(&mut self, scope: Option<&str>, id: &str, point: BaselinePoint) {
        self.0.insert((scope.map(ToString::to_string), id.to_string()), point);
    }

    /// The value of metric `id` in `scope`, when the baseline has one.
    pub fn get(&self, scope: Option<&str>, id: &str) -> Option<BaselinePoint> {
        self.0.get(&(scope.map(ToString::to_string), id.to_string())).copied()
    }

    /// How many values it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it holds no value at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The whole days from `at` to `checkin`, by their calendar dates.
pub fn age_days(at: When, checkin: When) -> i64 {
    let (from, to) = (at.date(), checkin.date());
    // Between civil dates the span's largest unit is days.
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

impl fmt::Display for OnStale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(symbol: &str) -> &'static Unit {
        Unit::lookup(symbol).unwrap()
    }

    #[test]
    fn ages_are_days_or_weeks() {
        assert_eq!(parse_age("14d"), Ok(14));
        assert_eq!(parse_age("2w"), Ok(14));
        assert_eq!(parse_age("30 days"), Ok(30));
        assert_eq!(parse_age("7"), Ok(7));
        for bad in ["", "d", "1.5d", "2 months", "-3d"] {
            assert_eq!(parse_age(bad).unwrap_err().code(), "invalid-age", "{bad}");
        }
    }

    #[test]
    fn allowances_are_shares_or_amounts_in_the_unit() {
        assert_eq!(parse_allowance("5%", unit("ms")), Ok(Allowance::Relative(0.05)));
        assert_eq!(parse_allowance("20ms", unit("ms")), Ok(Allowance::Absolute(20.0)));
        assert_eq!(parse_allowance("0.1s", unit("ms")), Ok(Allowance::Absolute(100.0)));
        assert_eq!(parse_allowance("1 point", unit("%")), Ok(Allowance::Absolute(1.0)));
        assert_eq!(parse_allowance("2 points", unit("%")), Ok(Allowance::Absolute(2.0)));
        assert_eq!(parse_allowance("2", unit("")), Ok(Allowance::Absolute(2.0)));
        let err = parse_allowance("lots", unit("%")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`lots` is not an allowance; write a share of the baseline (`5%`) or an amount in the metric's unit (`2 points`)"
        );
        assert!(parse_allowance("2 parsecs", unit("ms")).is_err());
    }

    #[test]
    fn worse_follows_the_direction_and_for_a_band_the_distance_from_it() {
        let lower = Band::parse("< 200", unit("ms")).unwrap();
        let higher = Band::parse("> 80", unit("%")).unwrap();
        let band = Band::parse(">= 50 and <= 70", unit("%")).unwrap();
        assert_eq!(worse_by(&lower, 180.0, 190.0), 10.0);
        assert_eq!(worse_by(&higher, 84.0, 82.0), 2.0);
        assert_eq!(worse_by(&higher, 84.0, 86.0), -2.0);
        assert_eq!(worse_by(&band, 60.0, 65.0), 0.0, "inside the band is never worse");
        assert_eq!(worse_by(&band, 72.0, 75.0), 3.0);
        assert_eq!(worse_by(&band, 75.0, 45.0), 0.0, "as far below as it was above");
    }

    #[test]
    fn a_change_of_exactly_the_allowance_passes_and_a_hair_more_does_not() {
        let policy = Regression {
            warn: Some(Allowance::Relative(0.05)),
            fail: Some(Allowance::Relative(0.10)),
        };
        assert_eq!(judge(policy, 200.0, 10.0).0, RegressionVerdict::Pass);
        assert_eq!(judge(policy, 200.0, 10.001).0, RegressionVerdict::Warn);
        assert_eq!(judge(policy, 200.0, 20.0).0, RegressionVerdict::Warn);
        assert_eq!(judge(policy, 200.0, 20.001).0, RegressionVerdict::Fail);
        let points = Regression { warn: None, fail: Some(Allowance::Absolute(2.0)) };
        assert_eq!(judge(points, 84.2, 84.2 - 82.2).0, RegressionVerdict::Pass);
        assert_eq!(judge(points, 84.2, 84.2 - 82.1).0, RegressionVerdict::Fail);
        assert_eq!(
            judge(points, 84.2, -5.0).0,
            RegressionVerdict::Pass,
            "better is never a regression"
        );
    }

    #[test]
    fn warn_may_not_allow_more_than_fail() {
        let policy = Regression {
            warn: Some(Allowance::Relative(0.2)),
            fail: Some(Allowance::Relative(0.1)),
        };
        assert_eq!(policy.check(), Err(PolicyError::WarnBeyondFail));
    }

    #[test]
    fn ages_count_calendar_days() {
        let when = |t: &str| When::parse(t).unwrap();
        assert_eq!(age_days(when("2026-11-09"), when("2026-11-23")), 14);
        assert_eq!(age_days(when("2026-11-09T23:00"), when("2026-11-23")), 14);
        assert_eq!(age_days(when("2026-11-23"), when("2026-11-23")), 0);
    }
}
