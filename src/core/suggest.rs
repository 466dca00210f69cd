//! Suggesting tighter targets: for a metric that has passed with a margin at each of a scope's
//! last check-ins, a pass threshold at what the team has shown it can hold, rounded to a number
//! a person would write. Pure: takes the catalog and the data, returns the suggestions.

use std::borrow::Cow;

use super::catalog::{Catalog, Metric};
use super::history::{Dataset, When};
use super::threshold::{Band, Bound, Direction};
use super::unit::format_number;

/// How far inside the pass band the worst recent value must be, as a share of the bound, for a
/// tighter threshold to be worth suggesting: a margin, not noise.
pub const MARGIN: f64 = 0.05;

/// One suggestion: the metric, its scope, the threshold now and the tighter one, and the evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub scope: Option<String>,
    /// The metric's id.
    pub id: String,
    /// The pass threshold in effect, in notation.
    pub pass: Band,
    /// The tighter pass threshold.
    pub tighter: Band,
    /// The check-ins it passed at, oldest first.
    pub dates: Vec<When>,
    /// The worst value among them, in the canonical unit.
    pub worst: f64,
}

/// Suggestions for every (scope, metric) of `data` that passed at each of its scope's last
/// `checkins` check-ins with a value each time, its worst value inside the pass band by more than
/// [`MARGIN`]; for a metric with one bound only (a band has two sides to hold, and is left out).
/// Each scope is judged against `catalog_for(scope)`.
pub fn suggest<'c>(
    catalog_for: &dyn Fn(Option<&str>) -> Cow<'c, Catalog>,
    data: &Dataset,
    checkins: usize,
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    if checkins == 0 {
        return out;
    }
    for scope in &data.scopes {
        let mut dates: Vec<When> = scope.series.iter().flatten().filter_map(|o| o.at).collect();
        dates.sort_unstable();
        dates.dedup();
        if dates.len() < checkins {
            continue;
        }
        let recent = &dates[dates.len() - checkins..];
        let scoped = catalog_for(scope.name.as_deref());
        for (metric, series) in scoped.metrics().iter().zip(&scope.series) {
            let values: Option<Vec<f64>> = recent
                .iter()
                .map(|d| series.iter().find(|o| o.at == Some(*d)).and_then(|o| o.value))
                .collect();
            let Some(values) = values else { continue };
            if let Some((tighter, worst)) = tighten(metric, &values) {
                out.push(Suggestion {
                    scope: scope.name.clone(),
                    id: metric.id.clone(),
                    pass: metric.thresholds.pass,
                    tighter,
                    dates: recent.to_vec(),
                    worst,
                });
            }
        }
    }
    out
}

/// The tighter pass band for `metric` that every one of `values` still passes, and the worst of
/// them; `None` when one fails, when the metric is a band, or when the margin is too small.
fn tighten(metric: &Metric, values: &[f64]) -> Option<(Band, f64)> {
    let pass = metric.thresholds.pass;
    if values.iter().any(|v| !pass.contains(*v)) {
        return None;
    }
    match pass.direction() {
        Direction::LowerIsBetter => {
            let bound = pass.upper?;
            let worst = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let limit = bound.value * (1.0 - MARGIN);
            let value = nice(worst, true, bound.inclusive).find(|n| *n <= limit)?;
            Some((Band { lower: None, upper: Some(Bound { value, ..bound }) }, worst))
        }
        Direction::HigherIsBetter => {
            let bound = pass.lower?;
            let worst = values.iter().copied().fold(f64::INFINITY, f64::min);
            let limit = bound.value * (1.0 + MARGIN);
            let value = nice(worst, false, bound.inclusive).find(|n| *n >= limit)?;
            Some((Band { lower: Some(Bound { value, ..bound }), upper: None }, worst))
        }
        Direction::Band => None,
    }
}

/// Round numbers that `worst` still passes against, coarsest first: `worst` rounded up (for an
/// upper bound) or down by 5, 2 and 1 units of its second significant digit, and one step further
/// when the bound is strict and the round number is `worst` itself. 182 gives 200, 200, 190; 0.9
/// under a strict bound gives 0.95, 0.92, 0.91.
fn nice(worst: f64, up: bool, inclusive: bool) -> impl Iterator<Item = f64> {
    let unit = if worst > 0.0 { 10f64.powf(worst.log10().floor() - 1.0) } else { 1.0 };
    [5.0, 2.0, 1.0].into_iter().map(move |m| {
        let step = m * unit;
        let mut n = if up {
            (worst / step - 1e-9).ceil() * step
        } else {
            (worst / step + 1e-9).floor() * step
        };
        if !inclusive && (n - worst).abs() < step * 1e-9 {
            n += if up { step } else { -step };
        }
        clean(n)
    })
}

/// Floating-point noise such as `0.44000000000000006` removed.
fn clean(value: f64) -> f64 {
    format_number(value).parse().unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::history::{Observation, ScopeData};
    use crate::core::threshold::Thresholds;
    use crate::core::unit::Unit;

    fn day(n: u8) -> When {
        When::parse(&format!("2026-11-{n:02}")).unwrap()
    }

    /// `lower` (pass under 200 ms, warn under 300) and `higher` (pass above 80%, warn above 70).
    fn catalog() -> Catalog {
        let mut lower = metric("lower", "Lower", &[]);
        lower.unit = Unit::lookup("ms").unwrap();
        lower.thresholds = Thresholds::new(
            Band::parse("< 200", lower.unit).unwrap(),
            Band::parse("< 300", lower.unit).unwrap(),
            lower.unit,
        )
        .unwrap();
        let mut higher = metric("higher", "Higher", &[]);
        higher.thresholds = Thresholds::new(
            Band::parse("> 80", higher.unit).unwrap(),
            Band::parse("> 70", higher.unit).unwrap(),
            higher.unit,
        )
        .unwrap();
        let mut band = metric("band", "Band", &[]);
        band.thresholds = Thresholds::new(
            Band::parse(">= 0.2 and <= 0.8", band.unit).unwrap(),
            Band::parse(">= 0.1 and <= 0.9", band.unit).unwrap(),
            band.unit,
        )
        .unwrap();
        Catalog::new("t".into(), "T".into(), vec![lower, higher, band]).unwrap()
    }

    fn run(series: [&[f64]; 3], checkins: usize) -> Vec<Suggestion> {
        let observations = |values: &[f64]| -> Vec<Observation> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Observation {
                    at: Some(day(u8::try_from(i + 1).unwrap())),
                    value: Some(*v),
                })
                .collect()
        };
        let data = Dataset {
            scopes: vec![ScopeData { name: None, series: series.map(observations).to_vec() }],
        };
        let catalog = catalog();
        suggest(&|_| Cow::Borrowed(&catalog), &data, checkins)
    }

    #[test]
    fn a_metric_that_held_a_margin_for_the_last_check_ins_gets_a_tighter_rounded_threshold() {
        let found = run(
            [&[250.0, 150.0, 170.0, 182.0, 160.0], &[85.0, 86.2, 84.6, 88.0, 87.0], &[0.5; 5]],
            4,
        );
        let lower = &found[0];
        assert_eq!((lower.id.as_str(), lower.worst), ("lower", 182.0));
        assert_eq!(lower.tighter.upper, Some(Bound { value: 190.0, inclusive: false }));
        assert_eq!(lower.dates.len(), 4, "the failure before the last four does not count");
        let higher = &found[1];
        assert_eq!(higher.tighter.lower, Some(Bound { value: 84.0, inclusive: false }));
        assert_eq!(found.len(), 2, "a band metric is left out");
    }

    #[test]
    fn no_suggestion_without_a_margin_a_pass_every_time_or_enough_check_ins() {
        assert!(run([&[150.0, 195.0, 170.0, 160.0], &[], &[]], 4).is_empty(), "195 is too close");
        assert!(run([&[150.0, 210.0, 170.0, 160.0], &[], &[]], 4).is_empty(), "one failure");
        assert!(run([&[150.0, 160.0, 170.0], &[], &[]], 4).is_empty(), "three check-ins");
        assert_eq!(run([&[150.0, 160.0, 170.0], &[], &[]], 3).len(), 1);
    }

    #[test]
    fn rounding_picks_the_roundest_number_that_still_holds_every_value() {
        let all = |w, up, inclusive| nice(w, up, inclusive).collect::<Vec<_>>();
        assert_eq!(all(182.0, true, true), [200.0, 200.0, 190.0]);
        assert_eq!(all(0.9, true, false), [0.95, 0.92, 0.91]);
        assert_eq!(all(84.6, false, true), [80.0, 84.0, 84.0]);
        assert_eq!(all(0.437, false, true), [0.4, 0.42, 0.43]);
        // A strict bound moves one step further so the worst value still passes.
        let strict = run([&[150.0, 180.0, 170.0, 160.0], &[], &[]], 4);
        assert_eq!(strict[0].tighter.upper, Some(Bound { value: 190.0, inclusive: false }));
        assert!(run([&[150.0, 190.0, 170.0, 160.0], &[], &[]], 4).is_empty(), "< 200 is as tight");
    }
}
