//! The built-in thresholds of all fifteen metrics, at both sides of every edge.

use kpi::core::evaluate::evaluate;
use kpi::core::history::Dataset;
use kpi::core::scorecard::{FailOn, GatePolicy, Status};
use kpi::core::threshold::Side;
use kpi::input::catalog::load_builtin;

use Status::{Fail, Pass, Warn};

/// Grades `value` (in the metric's canonical unit) for the metric `id`.
fn grade(id: &str, value: f64) -> (Status, Option<Side>) {
    let catalog = load_builtin().unwrap();
    let index = catalog.resolve(id).unwrap();
    let mut values = vec![None; catalog.metrics().len()];
    values[index] = Some(value);
    let policy = GatePolicy { fail_on: FailOn::Fail, require_all: false };
    let result = &evaluate(&catalog, &Dataset::single(&values), None, policy).results[index];
    (result.status, result.miss.map(|m| m.side))
}

fn check(id: &str, cases: &[(f64, Status)]) {
    for &(value, expected) in cases {
        assert_eq!(grade(id, value).0, expected, "{id} at {value}");
    }
}

#[test]
fn response_time_passes_up_to_200_ms_inclusive() {
    check("response_time", &[(0.0, Pass), (100.0, Pass), (200.0, Pass), (200.001, Warn)]);
    check("response_time", &[(300.0, Warn), (300.001, Fail)]);
}

#[test]
fn error_rate_passes_strictly_below_1_percent() {
    check("error_rate", &[(0.0, Pass), (0.999, Pass), (1.0, Warn), (1.999, Warn), (2.0, Fail)]);
}

#[test]
fn requests_per_second_passes_from_1000_with_no_ceiling() {
    check("requests_per_second", &[(1000.0, Pass), (999.99, Warn), (800.0, Warn)]);
    check("requests_per_second", &[(799.99, Fail), (5000.0, Pass), (50_000.0, Pass)]);
}

#[test]
fn cpu_utilisation_is_a_two_sided_band() {
    check("cpu_utilisation", &[(50.0, Pass), (70.0, Pass), (49.99, Warn), (70.01, Warn)]);
    check("cpu_utilisation", &[(40.0, Warn), (80.0, Warn), (39.99, Fail), (80.01, Fail)]);
    assert_eq!(grade("cpu_utilisation", 30.0), (Fail, Some(Side::TooLow)));
    assert_eq!(grade("cpu_utilisation", 75.0), (Warn, Some(Side::TooHigh)));
}

#[test]
fn memory_usage_passes_strictly_below_85_percent() {
    check("memory_usage", &[(84.99, Pass), (85.0, Warn), (89.99, Warn), (90.0, Fail)]);
}

#[test]
fn code_review_rounds_is_a_band_with_no_slack_below_one() {
    check("code_review_rounds", &[(1.0, Pass), (2.0, Pass), (0.99, Fail), (0.0, Fail)]);
    check("code_review_rounds", &[(2.01, Warn), (3.0, Warn), (3.01, Fail)]);
    assert_eq!(grade("code_review_rounds", 0.0).1, Some(Side::TooLow));
}

#[test]
fn code_coverage_passes_strictly_above_80_percent() {
    check("code_coverage", &[(80.01, Pass), (80.0, Warn), (70.01, Warn), (70.0, Fail)]);
}

#[test]
fn defect_density_passes_strictly_below_one_per_kloc() {
    check("defect_density", &[(0.99, Pass), (1.0, Warn), (1.99, Warn), (2.0, Fail)]);
}

#[test]
fn code_commits_pass_from_two_a_day() {
    check("code_commits", &[(2.0, Pass), (1.99, Warn), (1.0, Warn), (0.99, Fail)]);
}

#[test]
fn code_complexity_passes_strictly_below_10() {
    check("code_complexity", &[(9.99, Pass), (10.0, Warn), (20.0, Warn), (20.01, Fail)]);
}

#[test]
fn code_quality_passes_strictly_below_10_bugs_per_kloc() {
    check("code_quality", &[(9.99, Pass), (10.0, Warn), (14.99, Warn), (15.0, Fail)]);
}

#[test]
fn deployment_frequency_passes_from_daily_and_warns_down_to_weekly() {
    let weekly = 1.0 / 7.0;
    check("deployment_frequency", &[(1.0, Pass), (0.99, Warn), (weekly, Warn), (0.14, Fail)]);
}

#[test]
fn mttr_passes_strictly_below_an_hour_and_warns_below_a_day() {
    check("mttr", &[(59.99, Pass), (60.0, Warn), (1439.99, Warn), (1440.0, Fail)]);
}

#[test]
fn test_coverage_passes_from_70_percent_with_no_ceiling() {
    check("test_coverage", &[(70.0, Pass), (95.0, Pass), (69.99, Warn), (60.0, Warn)]);
    check("test_coverage", &[(59.99, Fail)]);
}

#[test]
fn api_response_time_passes_strictly_below_200_ms() {
    check("api_response_time", &[(199.99, Pass), (200.0, Warn), (299.99, Warn), (300.0, Fail)]);
}
