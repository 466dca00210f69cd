//! Evaluation: grading each metric's value against its thresholds and deciding the gate. Pure.

use super::catalog::Catalog;
use super::scorecard::{FailOn, Gate, GatePolicy, MetricResult, Scorecard, Status, Summary};
use super::threshold::Grade;

/// Grades `values` (one per catalog metric, in catalog order; `None` is no data) and decides the gate.
///
/// # Panics
/// If `values` does not hold exactly one entry per catalog metric: callers build it from the catalog.
pub fn evaluate(catalog: &Catalog, values: &[Option<f64>], policy: GatePolicy) -> Scorecard {
    assert_eq!(values.len(), catalog.metrics().len(), "one value slot per metric");
    let mut summary = Summary::default();
    let results: Vec<MetricResult> = catalog
        .metrics()
        .iter()
        .zip(values)
        .map(|(metric, &value)| {
            let thresholds = &metric.thresholds;
            let status = value.map_or(Status::Missing, |v| match thresholds.grade(v) {
                Grade::Pass => Status::Pass,
                Grade::Warn => Status::Warn,
                Grade::Fail => Status::Fail,
            });
            match status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Missing => summary.missing += 1,
                Status::Waived => summary.waived += 1,
            }
            let not_passing = matches!(status, Status::Warn | Status::Fail);
            MetricResult {
                id: metric.id.clone(),
                name: metric.name.clone(),
                category: metric.category.clone(),
                status,
                value,
                unit: metric.unit,
                target: metric.target.clone(),
                pass: thresholds.pass.display(metric.unit).to_string(),
                warn: thresholds.warn.display(metric.unit).to_string(),
                direction: thresholds.pass.direction(),
                miss: value.and_then(|v| thresholds.pass.miss(v)),
                suggestions: if not_passing { metric.ideas.clone() } else { Vec::new() },
                waiver: None,
                thresholds: *thresholds,
            }
        })
        .collect();
    let passed = gate_passes(summary, policy);
    Scorecard {
        title: catalog.title.clone(),
        gate: Gate { fail_on: policy.fail_on, require_all: policy.require_all, passed },
        summary,
        results,
    }
}

/// Whether the gate passes with these counts; waived results count neither as warn nor as fail.
pub(crate) fn gate_passes(summary: Summary, policy: GatePolicy) -> bool {
    let thresholds_ok = match policy.fail_on {
        FailOn::Fail => summary.fail == 0,
        FailOn::Warn => summary.fail == 0 && summary.warn == 0,
        FailOn::Never => true,
    };
    thresholds_ok && !(policy.require_all && summary.missing > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::threshold::{Miss, Side};

    fn catalog() -> Catalog {
        Catalog::new(
            "t".into(),
            "T".into(),
            vec![metric("a", "A", &[]), metric("b", "B", &[]), metric("c", "C", &[])],
        )
        .unwrap()
    }

    fn policy(fail_on: FailOn, require_all: bool) -> GatePolicy {
        GatePolicy { fail_on, require_all }
    }

    #[test]
    fn each_metric_gets_a_status_and_counts_add_up() {
        let card = evaluate(&catalog(), &[Some(0.5), Some(1.5), None], policy(FailOn::Fail, false));
        let statuses: Vec<Status> = card.results.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Status::Pass, Status::Warn, Status::Missing]);
        assert_eq!(card.summary, Summary { pass: 1, warn: 1, fail: 0, missing: 1, waived: 0 });
    }

    #[test]
    fn only_warn_and_fail_carry_suggestions_and_a_miss() {
        let mut cat = catalog().metrics().to_vec();
        cat[0].ideas = vec!["idea".into()];
        cat[1].ideas = vec!["idea".into()];
        let cat = Catalog::new("t".into(), "T".into(), cat).unwrap();
        let card = evaluate(&cat, &[Some(0.5), Some(3.0), None], policy(FailOn::Fail, false));
        assert!(card.results[0].suggestions.is_empty());
        assert_eq!(card.results[0].miss, None);
        assert_eq!(card.results[1].suggestions, ["idea"]);
        assert_eq!(card.results[1].miss, Some(Miss { side: Side::TooHigh, by: 2.0 }));
        assert_eq!(card.results[1].distance().unwrap(), "2 points too high: pass is under 1%");
    }

    #[test]
    fn gate_follows_fail_on() {
        let cat = catalog();
        let warn = [Some(0.5), Some(1.5), Some(0.1)];
        let fail = [Some(0.5), Some(5.0), Some(0.1)];
        assert!(evaluate(&cat, &warn, policy(FailOn::Fail, false)).gate.passed);
        assert!(!evaluate(&cat, &fail, policy(FailOn::Fail, false)).gate.passed);
        assert!(!evaluate(&cat, &warn, policy(FailOn::Warn, false)).gate.passed);
        assert!(evaluate(&cat, &fail, policy(FailOn::Never, false)).gate.passed);
    }

    #[test]
    fn require_all_fails_the_gate_on_missing_metrics() {
        let cat = catalog();
        let values = [Some(0.5), None, Some(0.1)];
        assert!(evaluate(&cat, &values, policy(FailOn::Fail, false)).gate.passed);
        assert!(!evaluate(&cat, &values, policy(FailOn::Fail, true)).gate.passed);
        assert!(!evaluate(&cat, &values, policy(FailOn::Never, true)).gate.passed);
    }
}
