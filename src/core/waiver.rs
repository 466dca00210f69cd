//! Waivers: an agreed, dated excuse for a metric that warns or fails. Until its date a waived
//! result is `waived` and does not fail the gate; after it the waiver is expired, the metric counts
//! again and the expiry is reported. Evaluation applies them as it grades (see
//! `core::evaluate::Policies`); this module only says which waiver a result has and whether it is in
//! force. Pure: "today" is given, never read from a clock.

use jiff::civil::Date;

/// One waiver from the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The metric's id (or, before `core::tailoring::resolve_waivers`, any name the catalog knows
    /// it by).
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

/// The waivers of a run and the day they are judged on.
#[derive(Debug, Clone, Copy)]
pub struct Waivers<'a> {
    pub waivers: &'a [Waiver],
    pub today: Date,
}

impl<'a> Waivers<'a> {
    /// The waiver for a result of metric `id` in `scope` (`None` for measurements without a
    /// scope): one for the scope wins over one for every scope.
    pub fn find(&self, id: &str, scope: Option<&str>) -> Option<&'a Waiver> {
        let for_metric = |w: &&Waiver| w.metric == id;
        let waivers = self.waivers;
        waivers
            .iter()
            .filter(for_metric)
            .find(|w| scope.is_some() && w.scope.as_deref() == scope)
            .or_else(|| waivers.iter().filter(for_metric).find(|w| w.scope.is_none()))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::core::catalog::Catalog;
    use crate::core::catalog::tests::metric;
    use crate::core::evaluate::{Policies, evaluate_scoped};
    use crate::core::history::Dataset;
    use crate::core::scorecard::{FailOn, GatePolicy, Scorecard, Status};
    use crate::core::tailoring::resolve_waivers;

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

    /// The values, measured by `scope`, graded with `waivers` on `today`.
    fn graded(
        scope: Option<&str>,
        values: &[Option<f64>],
        waivers: &[Waiver],
        today: &str,
    ) -> Scorecard {
        let mut data = Dataset::single(values);
        data.scopes[0].name = scope.map(ToString::to_string);
        let catalog = catalog();
        let policies = Policies {
            waivers: Some(Waivers { waivers, today: today.parse().unwrap() }),
            ..Policies::gate(None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
        };
        evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies)
    }

    #[test]
    fn a_waiver_in_force_excuses_a_failure_through_its_last_day() {
        let waivers = [waiver("a", None, "2025-06-30")];
        let c = graded(None, &[Some(5.0), Some(0.5)], &waivers, "2025-06-30");
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
        let c = graded(None, &[Some(5.0), Some(0.5)], &waivers, "2025-07-01");
        assert_eq!(c.results[0].status, Status::Fail);
        assert_eq!(c.summary.fail, 1);
        assert!(!c.gate.passed);
        assert_eq!(c.expired_waivers().len(), 1);
        assert_eq!(*c.results[0].suggestions, ["idea"]);
    }

    #[test]
    fn a_passing_metric_stays_pass_under_a_waiver() {
        let c = graded(None, &[Some(0.5), None], &[waiver("a", None, "2025-06-30")], "2025-01-01");
        assert_eq!(c.results[0].status, Status::Pass);
        assert_eq!(c.summary.pass, 1);
    }

    #[test]
    fn a_scoped_waiver_applies_to_its_scope_only() {
        let waivers = [waiver("a", Some("batch"), "2025-06-30")];
        let unscoped = graded(None, &[Some(5.0), None], &waivers, "2025-01-01");
        assert_eq!(unscoped.results[0].status, Status::Fail);
        let web = graded(Some("web"), &[Some(5.0), None], &waivers, "2025-01-01");
        assert_eq!(web.results[0].status, Status::Fail);
        let batch = graded(Some("batch"), &[Some(5.0), None], &waivers, "2025-01-01");
        assert_eq!(batch.results[0].status, Status::Waived);
        assert_eq!(batch.scopes[0].summary.waived, 1, "the scope's counts follow");
    }

    #[test]
    fn a_waiver_for_the_scope_wins_over_one_for_every_scope() {
        let waivers = [waiver("a", None, "2025-01-31"), waiver("a", Some("batch"), "2025-12-31")];
        let set = Waivers { waivers: &waivers, today: "2025-06-01".parse().unwrap() };
        assert_eq!(set.find("a", Some("batch")).unwrap().until.to_string(), "2025-12-31");
        assert_eq!(set.find("a", Some("web")).unwrap().until.to_string(), "2025-01-31");
        assert_eq!(set.find("a", None).unwrap().until.to_string(), "2025-01-31");
        assert!(set.find("b", Some("batch")).is_none());
    }

    #[test]
    fn waivers_resolve_names_and_refuse_unknown_and_repeated_metrics() {
        let waivers = vec![
            waiver("alpha", None, "2025-01-01"),
            waiver("nope", None, "2025-01-01"),
            waiver("a", None, "2025-01-01"),
            waiver("a", Some("batch"), "2025-01-01"),
        ];
        let errors = resolve_waivers(&catalog(), waivers.clone()).unwrap_err();
        let codes: Vec<_> = errors.iter().map(|e| (e.index, e.problem.code())).collect();
        assert_eq!(codes, [(1, "unknown-metric"), (2, "duplicate-id")]);
        let ok = resolve_waivers(&catalog(), vec![waivers[0].clone()]).unwrap();
        assert_eq!(ok[0].metric, "a");
    }
}
