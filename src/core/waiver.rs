//! Waivers: an agreed, dated excuse for a metric that warns or fails. Until its date a waived
//! result is `waived` and does not fail the gate; after it the waiver is expired, the metric counts
//! again and the expiry is reported. Pure: "today" is given, never read from a clock.

use jiff::civil::Date;

use super::catalog::Catalog;
use super::config::{ChangeError, ChangeProblem};
use super::evaluate::gate_passes;
use super::scorecard::{GatePolicy, Scorecard, Status, Summary, WaiverNote};

/// One waiver from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The metric's id (or, before [`resolve`], any name the catalog knows it by).
    pub metric: String,
    /// The scope it is limited to; `None` waives the metric in every scope.
    pub scope: Option<String>,
    /// Why, as agreed; never empty.
    pub reason: String,
    /// The last day it is in force.
    pub until: Date,
}

impl Waiver {
    /// Whether the waiver excuses results on `today`: through its `until` date, inclusive.
    pub fn in_force(&self, today: Date) -> bool {
        today <= self.until
    }
}

/// Resolves each waiver's metric name to its id in `catalog`; an unknown metric, or a second
/// waiver for the same metric and scope, is a problem naming the waiver's index.
pub fn resolve(catalog: &Catalog, waivers: Vec<Waiver>) -> Result<Vec<Waiver>, Vec<ChangeError>> {
    let mut resolved: Vec<Waiver> = Vec::with_capacity(waivers.len());
    let mut errors = Vec::new();
    for (index, mut waiver) in waivers.into_iter().enumerate() {
        let error =
            |problem| ChangeError { index, key: "metric", metric: waiver.metric.clone(), problem };
        match catalog.resolve(&waiver.metric) {
            Ok(slot) => {
                let id = catalog.metrics()[slot].id.clone();
                if resolved.iter().any(|w| w.metric == id && w.scope == waiver.scope) {
                    errors.push(error(ChangeProblem::DuplicateId { id }));
                    continue;
                }
                waiver.metric = id;
                resolved.push(waiver);
            }
            Err(unknown) => errors.push(error(ChangeProblem::UnknownMetric(unknown))),
        }
    }
    if errors.is_empty() { Ok(resolved) } else { Err(errors) }
}

/// Applies `waivers` to a scorecard of `scope` (`None` for measurements without a scope) on `today`.
///
/// A waiver for the scope wins over one for every scope. A warn or fail result with a waiver in force
/// becomes `waived`; any matched result carries its waiver, marked expired after its date. The
/// counts and the gate are decided again.
pub fn apply(card: &mut Scorecard, waivers: &[Waiver], today: Date) {
    if waivers.is_empty() {
        return;
    }
    for result in &mut card.results {
        let scope = result.scope.as_deref();
        let for_metric = |w: &&Waiver| *w.metric == *result.id;
        let waiver = waivers
            .iter()
            .filter(for_metric)
            .find(|w| scope.is_some() && w.scope.as_deref() == scope)
            .or_else(|| waivers.iter().filter(for_metric).find(|w| w.scope.is_none()));
        let Some(waiver) = waiver else { continue };
        let expired = !waiver.in_force(today);
        let graded = result.status;
        if !expired && matches!(graded, Status::Warn | Status::Fail) {
            result.status = Status::Waived;
            result.suggestions = std::rc::Rc::from([]);
        }
        result.waiver = Some(WaiverNote {
            reason: waiver.reason.clone(),
            until: waiver.until.to_string(),
            expired,
            graded,
        });
    }
    // Each scope's results counted in one pass over them.
    let summaries: Vec<Summary> = card
        .scope_views()
        .iter()
        .map(|view| {
            let mut summary = Summary::default();
            view.results.iter().for_each(|r| summary.count(r.status));
            summary
        })
        .collect();
    let mut total = Summary::default();
    for (scope, summary) in card.scopes.iter_mut().zip(summaries) {
        scope.summary = summary;
        total.add(summary);
    }
    card.summary = total;
    let policy = GatePolicy { fail_on: card.gate.fail_on, require_all: card.gate.require_all };
    card.gate.passed = gate_passes(total, policy);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::evaluate::evaluate;
    use crate::core::history::Dataset;
    use crate::core::scorecard::FailOn;

    fn catalog() -> Catalog {
        let mut a = metric("a", "A", &["alpha"]);
        a.ideas = vec!["idea".into()];
        Catalog::new("t".into(), "T".into(), vec![a, metric("b", "B", &[])]).unwrap()
    }

    fn waiver(metric: &str, scope: Option<&str>, until: &str) -> Waiver {
        Waiver {
            metric: metric.into(),
            scope: scope.map(Into::into),
            reason: "agreed in review".into(),
            until: until.parse().unwrap(),
        }
    }

    fn card(values: &[Option<f64>]) -> Scorecard {
        let data = Dataset::single(values);
        evaluate(&catalog(), &data, None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
    }

    /// The same values measured by one named scope.
    fn scoped_card(scope: &str, values: &[Option<f64>]) -> Scorecard {
        let mut data = Dataset::single(values);
        data.scopes[0].name = Some(scope.to_string());
        evaluate(&catalog(), &data, None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
    }

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn a_waiver_in_force_excuses_a_failure_through_its_last_day() {
        let waivers = [waiver("a", None, "2025-06-30")];
        let mut c = card(&[Some(5.0), Some(0.5)]);
        assert!(!c.gate.passed);
        apply(&mut c, &waivers, date("2025-06-30"));
        assert_eq!(c.results[0].status, Status::Waived);
        assert!(c.results[0].suggestions.is_empty());
        assert_eq!(c.summary.waived, 1);
        assert_eq!(c.summary.fail, 0);
        assert!(c.gate.passed);
        let note = c.results[0].waiver.as_ref().unwrap();
        assert_eq!(
            (note.until.as_str(), note.expired, note.graded),
            ("2025-06-30", false, Status::Fail)
        );
    }

    #[test]
    fn an_expired_waiver_counts_the_metric_again_and_says_so() {
        let waivers = [waiver("a", None, "2025-06-30")];
        let mut c = card(&[Some(5.0), Some(0.5)]);
        apply(&mut c, &waivers, date("2025-07-01"));
        assert_eq!(c.results[0].status, Status::Fail);
        assert_eq!(c.summary.fail, 1);
        assert!(!c.gate.passed);
        assert_eq!(c.expired_waivers().len(), 1);
        assert_eq!(*c.results[0].suggestions, ["idea"]);
    }

    #[test]
    fn a_passing_metric_stays_pass_under_a_waiver() {
        let mut c = card(&[Some(0.5), None]);
        apply(&mut c, &[waiver("a", None, "2025-06-30")], date("2025-01-01"));
        assert_eq!(c.results[0].status, Status::Pass);
        assert_eq!(c.summary.pass, 1);
    }

    #[test]
    fn a_scoped_waiver_applies_to_its_scope_only() {
        let waivers = [waiver("a", Some("batch"), "2025-06-30")];
        let mut unscoped = card(&[Some(5.0), None]);
        apply(&mut unscoped, &waivers, date("2025-01-01"));
        assert_eq!(unscoped.results[0].status, Status::Fail);
        let mut web = scoped_card("web", &[Some(5.0), None]);
        apply(&mut web, &waivers, date("2025-01-01"));
        assert_eq!(web.results[0].status, Status::Fail);
        let mut batch = scoped_card("batch", &[Some(5.0), None]);
        apply(&mut batch, &waivers, date("2025-01-01"));
        assert_eq!(batch.results[0].status, Status::Waived);
        assert_eq!(batch.scopes[0].summary.waived, 1, "the scope's counts follow");
    }

    #[test]
    fn waivers_resolve_names_and_refuse_unknown_and_repeated_metrics() {
        let waivers = vec![
            waiver("alpha", None, "2025-01-01"),
            waiver("nope", None, "2025-01-01"),
            waiver("a", None, "2025-01-01"),
            waiver("a", Some("batch"), "2025-01-01"),
        ];
        let errors = resolve(&catalog(), waivers.clone()).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.index, e.problem.code())).collect();
        assert_eq!(codes, [(1, "unknown-metric"), (2, "duplicate-id")]);
        let ok = resolve(&catalog(), vec![waivers[0].clone()]).unwrap();
        assert_eq!(ok[0].metric, "a");
    }
}
