//! Thresholds: the bands a value must lie in to pass or to warn, written as comparisons like
//! `< 1%`, `>= 1000` or `>= 50% and <= 70%`. Pure: parsing text to bands, classifying values.

use std::fmt;

use serde::Serialize;

use super::text::printable;
use super::unit::{QuantityError, Unit, difference};

/// One end of a band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub value: f64,
    /// `<=` / `>=` when true, `<` / `>` when false.
    pub inclusive: bool,
}

/// The values between an optional lower and an optional upper bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
}

/// Which way a metric improves, as follows from the bounds of its pass band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only an upper bound: smaller values are better (response time, error rate).
    LowerIsBetter,
    /// Only a lower bound: larger values are better (coverage, deploys per day).
    HigherIsBetter,
    /// Both bounds: the value should stay inside (CPU utilisation, review rounds).
    Band,
}

/// Which side of its pass band a value fell on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    TooLow,
    TooHigh,
}

/// Why a threshold could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error(
        "`{}` is not a threshold; write comparisons such as `< 1`, `>= 1000` or `>= 50 and <= 70`",
        printable(.text)
    )]
    Syntax { text: String },
    #[error(
        "`{}` has two {which} bounds; join one lower and one upper bound with `and`",
        printable(.text)
    )]
    TwoBounds { text: String, which: &'static str },
    #[error("`{}`: {source}", printable(.text))]
    Quantity { text: String, source: QuantityError },
    #[error("`{}` is empty: no value can satisfy it", printable(.text))]
    Empty { text: String },
}

impl Band {
    /// Reads a threshold such as `<= 200ms` or `>= 50% and <= 70%`; values convert to `unit`.
    pub fn parse(text: &str, unit: &Unit) -> Result<Band, ThresholdError> {
        let syntax = || ThresholdError::Syntax { text: text.to_string() };
        let mut band = Band { lower: None, upper: None };
        let words: Vec<&str> = text.split_whitespace().collect();
        let parts: Vec<String> = words.split(|w| *w == "and").map(|p| p.join(" ")).collect();
        if parts.len() > 2 || parts.iter().any(String::is_empty) {
            return Err(syntax());
        }
        for part in &parts {
            let (op, rest) = ["<=", ">=", "≤", "≥", "<", ">"]
                .iter()
                .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest)))
                .ok_or_else(syntax)?;
            let value = unit
                .parse(rest, None)
                .map_err(|source| ThresholdError::Quantity { text: text.to_string(), source })?
                .ok_or_else(syntax)?;
            let inclusive = matches!(op, "<=" | ">=" | "≤" | "≥");
            let (slot, which) = if matches!(op, "<" | "<=" | "≤") {
                (&mut band.upper, "upper")
            } else {
                (&mut band.lower, "lower")
            };
            if slot.is_some() {
                return Err(ThresholdError::TwoBounds { text: text.to_string(), which });
            }
            *slot = Some(Bound { value, inclusive });
        }
        if band.is_empty() {
            return Err(ThresholdError::Empty { text: text.to_string() });
        }
        Ok(band)
    }

    /// Whether `value` lies inside the band.
    pub fn contains(&self, value: f64) -> bool {
        let above_lower =
            self.lower.is_none_or(|b| if b.inclusive { value >= b.value } else { value > b.value });
        let below_upper =
            self.upper.is_none_or(|b| if b.inclusive { value <= b.value } else { value < b.value });
        above_lower && below_upper
    }

    /// Whether every value of `inner` also lies in this band.
    pub fn contains_band(&self, inner: &Band) -> bool {
        let lower_ok = match (self.lower, inner.lower) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => {
                outer.value < inner.value
                    || (outer.value == inner.value && (outer.inclusive || !inner.inclusive))
            }
        };
        let upper_ok = match (self.upper, inner.upper) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => {
                outer.value > inner.value
                    || (outer.value == inner.value && (outer.inclusive || !inner.inclusive))
            }
        };
        lower_ok && upper_ok
    }

    /// Whether no value can lie in the band.
    pub fn is_empty(&self) -> bool {
        match (self.lower, self.upper) {
            (Some(lo), Some(hi)) => {
                lo.value > hi.value || (lo.value == hi.value && !(lo.inclusive && hi.inclusive))
            }
            _ => false,
        }
    }

    /// Which way a metric with this pass band improves.
    pub fn direction(&self) -> Direction {
        match (self.lower, self.upper) {
            (Some(_), Some(_)) => Direction::Band,
            (Some(_), None) => Direction::HigherIsBetter,
            _ => Direction::LowerIsBetter,
        }
    }

    /// For a value outside the band: the side it missed on and how far it is from the nearest bound.
    pub fn miss(&self, value: f64) -> Option<Miss> {
        if self.contains(value) {
            return None;
        }
        match (self.lower, self.upper) {
            (Some(lo), _) if value <= lo.value => {
                Some(Miss { side: Side::TooLow, by: difference(lo.value, value) })
            }
            (_, Some(hi)) => Some(Miss { side: Side::TooHigh, by: difference(value, hi.value) }),
            _ => None,
        }
    }

    /// The band in notation with its unit, e.g. `< 1%` or `>= 50% and <= 70%`.
    pub fn display<'a>(&'a self, unit: &'a Unit) -> impl fmt::Display + 'a {
        BandDisplay { band: self, unit, words: false }
    }

    /// The band in words, e.g. `under 1%`, `at least 1000 req/s`, `at least 50% and at most 70%`.
    pub fn in_words<'a>(&'a self, unit: &'a Unit) -> impl fmt::Display + 'a {
        BandDisplay { band: self, unit, words: true }
    }
}

struct BandDisplay<'a> {
    band: &'a Band,
    unit: &'a Unit,
    words: bool,
}

impl fmt::Display for BandDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lower = self.band.lower.map(|b| {
            let op = match (self.words, b.inclusive) {
                (false, true) => ">=",
                (false, false) => ">",
                (true, true) => "at least",
                (true, false) => "over",
            };
            format!("{op} {}", self.unit.format(b.value))
        });
        let upper = self.band.upper.map(|b| {
            let op = match (self.words, b.inclusive) {
                (false, true) => "<=",
                (false, false) => "<",
                (true, true) => "at most",
                (true, false) => "under",
            };
            format!("{op} {}", self.unit.format(b.value))
        });
        match (lower, upper) {
            (Some(lo), Some(hi)) => write!(f, "{lo} and {hi}"),
            (Some(one), None) | (None, Some(one)) => f.write_str(&one),
            (None, None) => f.write_str("any value"),
        }
    }
}

/// How a value outside the pass band misses it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Miss {
    /// `too_low` or `too_high`.
    pub side: Side,
    /// Distance to the nearest pass bound, in the metric's unit.
    pub by: f64,
}

/// A grade for a value against pass and warn bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grade {
    Pass,
    Warn,
    Fail,
}

/// A metric's pass band and the wider warn band around it; beyond warn is fail.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub pass: Band,
    pub warn: Band,
}

/// Why a pass and warn band do not make a pair.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the warn band `{warn}` does not contain the pass band `{pass}`; widen warn or narrow pass"
)]
pub struct WarnWithoutPass {
    pub pass: String,
    pub warn: String,
}

impl Thresholds {
    /// Pairs two bands, checking that warn contains pass.
    pub fn new(pass: Band, warn: Band, unit: &Unit) -> Result<Thresholds, WarnWithoutPass> {
        if warn.contains_band(&pass) {
            Ok(Thresholds { pass, warn })
        } else {
            Err(WarnWithoutPass {
                pass: pass.display(unit).to_string(),
                warn: warn.display(unit).to_string(),
            })
        }
    }

    /// Both bands in words, e.g. `pass: under 1%; warn: under 2%; otherwise fail`.
    pub fn in_words(&self, unit: &Unit) -> String {
        format!(
            "pass: {}; warn: {}; otherwise fail",
            self.pass.in_words(unit),
            self.warn.in_words(unit)
        )
    }

    /// Grades a value: pass inside the pass band, warn inside the warn band, fail beyond it.
    pub fn grade(&self, value: f64) -> Grade {
        if self.pass.contains(value) {
            Grade::Pass
        } else if self.warn.contains(value) {
            Grade::Warn
        } else {
            Grade::Fail
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(symbol: &str) -> &'static Unit {
        Unit::lookup(symbol).unwrap()
    }

    fn band(text: &str) -> Band {
        Band::parse(text, unit("%")).unwrap()
    }

    #[test]
    fn strict_and_inclusive_bounds_differ_at_the_edge() {
        assert!(!band("< 1").contains(1.0));
        assert!(band("<= 1").contains(1.0));
        assert!(!band("> 80").contains(80.0));
        assert!(band(">= 80").contains(80.0));
        assert!(band("< 1").contains(0.999));
    }

    #[test]
    fn two_comparisons_make_a_band() {
        let b = band(">= 50 and <= 70");
        assert!(!b.contains(49.99));
        assert!(b.contains(50.0));
        assert!(b.contains(70.0));
        assert!(!b.contains(70.01));
        assert_eq!(b.direction(), Direction::Band);
    }

    #[test]
    fn direction_follows_from_the_bounds() {
        assert_eq!(band("< 1").direction(), Direction::LowerIsBetter);
        assert_eq!(band(">= 1").direction(), Direction::HigherIsBetter);
    }

    #[test]
    fn threshold_values_convert_to_the_metric_unit() {
        let b = Band::parse("< 1h", unit("min")).unwrap();
        assert_eq!(b.upper, Some(Bound { value: 60.0, inclusive: false }));
        let b = Band::parse(">= 1/week", unit("deploys/day")).unwrap();
        assert!((b.lower.unwrap().value - 1.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn malformed_thresholds_are_rejected() {
        let pct = unit("%");
        assert!(matches!(Band::parse("", pct), Err(ThresholdError::Syntax { .. })));
        assert!(matches!(Band::parse("1", pct), Err(ThresholdError::Syntax { .. })));
        assert!(matches!(Band::parse("<", pct), Err(ThresholdError::Syntax { .. })));
        assert!(matches!(Band::parse("< 1 and", pct), Err(ThresholdError::Syntax { .. })));
        assert!(matches!(Band::parse("< 1 and < 2", pct), Err(ThresholdError::TwoBounds { .. })));
        assert!(matches!(Band::parse("< 1ms", pct), Err(ThresholdError::Quantity { .. })));
        assert!(matches!(Band::parse("> 5 and < 5", pct), Err(ThresholdError::Empty { .. })));
        assert!(Band::parse(">= 5 and <= 5", pct).is_ok());
    }

    #[test]
    fn warn_must_contain_pass() {
        let pct = unit("%");
        assert!(Thresholds::new(band("< 1"), band("< 2"), pct).is_ok());
        assert!(Thresholds::new(band("< 1"), band("<= 1"), pct).is_ok());
        assert!(Thresholds::new(band("<= 1"), band("< 1"), pct).is_err());
        assert!(Thresholds::new(band("< 2"), band("< 1"), pct).is_err());
        assert!(Thresholds::new(band("< 1"), band(">= 0 and < 2"), pct).is_err());
        assert!(Thresholds::new(band(">= 50 and <= 70"), band(">= 40 and <= 80"), pct).is_ok());
        assert!(Thresholds::new(band(">= 50 and <= 70"), band(">= 40"), pct).is_ok());
    }

    #[test]
    fn grade_uses_pass_then_warn() {
        let t = Thresholds::new(band("< 1"), band("< 2"), unit("%")).unwrap();
        assert_eq!(t.grade(0.5), Grade::Pass);
        assert_eq!(t.grade(1.0), Grade::Warn);
        assert_eq!(t.grade(1.99), Grade::Warn);
        assert_eq!(t.grade(2.0), Grade::Fail);
    }

    #[test]
    fn miss_reports_side_and_distance() {
        let b = band(">= 50 and <= 70");
        assert_eq!(b.miss(60.0), None);
        assert_eq!(b.miss(45.0), Some(Miss { side: Side::TooLow, by: 5.0 }));
        assert_eq!(b.miss(75.0), Some(Miss { side: Side::TooHigh, by: 5.0 }));
        assert_eq!(band("< 1").miss(1.0), Some(Miss { side: Side::TooHigh, by: 0.0 }));
        assert_eq!(band("> 80").miss(80.0), Some(Miss { side: Side::TooLow, by: 0.0 }));
        assert_eq!(band("< 1").miss(1.4), Some(Miss { side: Side::TooHigh, by: 0.4 }));
    }

    #[test]
    fn a_miss_far_beyond_the_bound_is_a_finite_distance() {
        let ms = unit("ms");
        let b = Band::parse("<= 200ms", ms).unwrap();
        let miss = b.miss(1e300).unwrap();
        assert_eq!(miss, Miss { side: Side::TooHigh, by: 1e300 });
        let b = Band::parse(">= 1e300", ms).unwrap();
        assert_eq!(b.miss(0.0), Some(Miss { side: Side::TooLow, by: 1e300 }));
        let b = Band { lower: Some(Bound { value: f64::MAX, inclusive: true }), upper: None };
        assert_eq!(b.miss(-f64::MAX).unwrap().by, f64::MAX);
        assert_eq!(Band::parse("< 1e300", ms).unwrap().display(ms).to_string(), "< 1e300 ms");
    }

    #[test]
    fn bands_render_as_notation_and_words() {
        let pct = unit("%");
        let b = band(">= 50 and <= 70");
        assert_eq!(b.display(pct).to_string(), ">= 50% and <= 70%");
        assert_eq!(b.in_words(pct).to_string(), "at least 50% and at most 70%");
        assert_eq!(band("< 1").in_words(pct).to_string(), "under 1%");
        assert_eq!(band("> 80").in_words(pct).to_string(), "over 80%");
        let t = Thresholds::new(band("< 1"), band("< 2"), pct).unwrap();
        assert_eq!(t.in_words(pct), "pass: under 1%; warn: under 2%; otherwise fail");
    }
}
