//! `k6=PATH`: response time, error rate and throughput from a k6 load test's end-of-test summary,
//! as `k6 run --summary-export=FILE` writes it or as a `handleSummary` callback writes its `data`
//! object with `JSON.stringify`. It reads numbers; it does not run k6 or grade thresholds.
//!
//! - `response_time` and `api_response_time`: the `statistic` setting (default `p(95)`; also
//!   `avg`, `min`, `med`, `max` or any `p(N)` the test's `summaryTrendStats` lists) of
//!   `http_req_duration`, in milliseconds: all HTTP requests of the test, failed ones included.
//! - `error_rate`: the rate of `http_req_failed`, as a percentage: requests that k6 counted as
//!   failed (by default, a status outside 200-399, or no response) out of all HTTP requests.
//! - `requests_per_second`: the rate of `http_reqs`: HTTP requests divided by the test's duration.
//!
//! Traps: in `--summary-export` a threshold's boolean is `true` when the threshold *failed*, and
//! in both shapes the `passes` of `http_req_failed` counts failed requests; neither is read for a
//! value. The export writes a rate metric's rate as `value`, `handleSummary` as `values.rate`.

use serde_json::{Map, Value};

use super::report::{self, ReportError};
use super::{CollectError, Collected, Kind, NotCollected, Reading, Request};

pub const KIND: Kind = Kind {
    name: "k6",
    summary: "response time, error rate and requests per second from a k6 summary (`--summary-export` or `handleSummary` JSON)",
    formats: &[],
    default_path: None,
    settings: &["statistic"],
    collect,
    merge: None,
};

/// Which statistic of `http_req_duration` gives the response times.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Avg,
    Min,
    Med,
    Max,
    /// `p(N)`, N from 0 to 100.
    Percentile(f64),
}

impl Statistic {
    /// The statistic a k6 summary key or a setting names: `avg`, `min`, `med`, `max`, `p(95)` or
    /// `p95`.
    pub fn parse(text: &str) -> Option<Statistic> {
        let text = text.trim().to_ascii_lowercase();
        match text.as_str() {
            "avg" => Some(Statistic::Avg),
            "min" => Some(Statistic::Min),
            "med" => Some(Statistic::Med),
            "max" => Some(Statistic::Max),
            _ => {
                let number = text.strip_prefix('p')?;
                let number =
                    number.strip_prefix('(').and_then(|n| n.strip_suffix(')')).unwrap_or(number);
                let n: f64 = number.trim().parse().ok()?;
                (0.0..=100.0).contains(&n).then_some(Statistic::Percentile(n))
            }
        }
    }

    /// The statistic of the `statistic` setting, `p(95)` when it is not set.
    pub fn from_setting(setting: Option<&str>) -> Result<Statistic, CollectError> {
        let Some(text) = setting else { return Ok(Statistic::Percentile(95.0)) };
        Statistic::parse(text).ok_or_else(|| {
            CollectError::new(format!(
                "unknown k6 `statistic` `{}`; use avg, min, med, max or a percentile such as p(95)",
                crate::core::text::printable(text)
            ))
        })
    }

    /// As k6 writes it: `p(95)`, `med`.
    pub fn name(self) -> String {
        match self {
            Statistic::Avg => "avg".into(),
            Statistic::Min => "min".into(),
            Statistic::Med => "med".into(),
            Statistic::Max => "max".into(),
            Statistic::Percentile(n) => format!("p({})", super::written(n)),
        }
    }
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let statistic = Statistic::from_setting(request.settings.text("statistic"))?;
    let text = report::read(request.path, "k6 summary")?;
    parse(&text, statistic).map_err(|e| e.in_file(request.path))
}

/// Reads a k6 summary of either shape.
pub fn parse(text: &str, statistic: Statistic) -> Result<Collected, ReportError> {
    let root = report::json(text, "k6 summary")?;
    if root.pointer("/results/metrics").is_some_and(Value::is_array)
        && root.get("metrics").is_none()
    {
        return Err(ReportError::new(
            "this is the machine-readable summary of `--new-machine-readable-summary`, which kpi does not read yet; write the summary without that option",
        ));
    }
    // `handleSummary(data)` users write `data` itself, or an object holding it as `data`.
    let metrics = root
        .get("metrics")
        .or_else(|| root.get("data").and_then(|d| d.get("metrics")))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ReportError::new(
                "not a k6 summary: it has no `metrics` object; pass the file written by `k6 run --summary-export=FILE` or by `handleSummary`",
            )
        })?;
    let mut collected = Collected::default();
    let requests = number(metrics, "http_reqs", "count")?;
    let of_requests =
        requests.map_or_else(String::new, |n| format!(" over {} requests", super::written(n)));

    match duration(metrics, statistic)? {
        Ok(ms) => {
            let detail = format!("{} of `http_req_duration`{of_requests}", statistic.name());
            for metric in ["response_time", "api_response_time"] {
                collected.readings.push(reading(metric, ms, "ms", detail.clone()));
            }
        }
        Err(reason) => {
            for metric in ["response_time", "api_response_time"] {
                collected.missing.push(NotCollected { metric, reason: reason.clone() });
            }
        }
    }

    match failed_rate(metrics)? {
        Some(rate) => {
            // `passes` of a rate metric counts its true samples: here, the failed requests.
            let failed = number(metrics, "http_req_failed", "passes")?;
            let succeeded = number(metrics, "http_req_failed", "fails")?;
            let detail = match (failed, succeeded) {
                (Some(f), Some(s)) => format!(
                    "{} of {} requests failed (`http_req_failed`)",
                    super::written(f),
                    super::written(f + s)
                ),
                _ => format!("rate {} of `http_req_failed`", super::written(rate)),
            };
            collected.readings.push(reading("error_rate", rate * 100.0, "%", detail));
        }
        None => collected.missing.push(NotCollected {
            metric: "error_rate",
            reason: "the k6 summary has no `http_req_failed` metric: the test made no HTTP requests, or k6 is older than v0.31".into(),
        }),
    }

    match number(metrics, "http_reqs", "rate")? {
        Some(rate) => {
            let detail = match requests {
                Some(count) if rate > 0.0 => format!(
                    "{} requests in {:.3} s (`http_reqs`)",
                    super::written(count),
                    count / rate
                ),
                _ => "rate of `http_reqs`".to_string(),
            };
            collected.readings.push(reading("requests_per_second", rate, "req/s", detail));
        }
        None => collected.missing.push(NotCollected {
            metric: "requests_per_second",
            reason: "the k6 summary has no `http_reqs` metric: the test made no HTTP requests"
                .into(),
        }),
    }
    Ok(collected)
}

fn reading(metric: &'static str, value: f64, unit: &'static str, detail: String) -> Reading {
    Reading { metric, value, unit, scope: None, detail }
}

/// A metric's statistics: under `values` in `handleSummary`'s data, beside the metric's other
/// fields in `--summary-export`.
fn values<'a>(metrics: &'a Map<String, Value>, metric: &str) -> Option<&'a Map<String, Value>> {
    let metric = metrics.get(metric)?.as_object()?;
    match metric.get("values") {
        Some(Value::Object(values)) => Some(values),
        _ => Some(metric),
    }
}

/// A statistic of a metric, if the summary has it; present but not a number is an error.
fn number(
    metrics: &Map<String, Value>,
    metric: &str,
    key: &str,
) -> Result<Option<f64>, ReportError> {
    let Some(value) = values(metrics, metric).and_then(|v| v.get(key)) else { return Ok(None) };
    finite(value, metric, key).map(Some)
}

fn finite(value: &Value, metric: &str, key: &str) -> Result<f64, ReportError> {
    match value.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(ReportError::new(format!(
            "`{key}` of `{metric}` is `{}`, not a number of zero or more; pass the summary as k6 wrote it",
            crate::core::text::printable_within(&value.to_string(), 40)
        ))),
    }
}

/// The chosen statistic of `http_req_duration` in ms, or why there is none.
fn duration(
    metrics: &Map<String, Value>,
    statistic: Statistic,
) -> Result<Result<f64, String>, ReportError> {
    let Some(trend) = values(metrics, "http_req_duration") else {
        return Ok(Err(
            "the k6 summary has no `http_req_duration` metric: the test made no HTTP requests"
                .into(),
        ));
    };
    // k6 keeps a statistic's key as the test wrote it (`p(99.9)`, `p(95.0)`): match by meaning.
    let found = trend.iter().find(|(key, _)| Statistic::parse(key) == Some(statistic));
    if let Some((key, value)) = found {
        return finite(value, "http_req_duration", key).map(Ok);
    }
    let has: Vec<&str> =
        trend.keys().filter(|k| Statistic::parse(k).is_some()).map(String::as_str).collect();
    let name = statistic.name();
    Ok(Err(format!(
        "the k6 summary has no `{name}` of `http_req_duration`; add `{name}` to `summaryTrendStats` in the test's options, or set `statistic` to one it has ({})",
        has.join(", ")
    )))
}

/// The rate of `http_req_failed`, from 0 to 1.
fn failed_rate(metrics: &Map<String, Value>) -> Result<Option<f64>, ReportError> {
    let metric = "http_req_failed";
    let Some(object) = metrics.get(metric).and_then(Value::as_object) else { return Ok(None) };
    // The export renames a rate metric's `rate` to `value`; `handleSummary` keeps `values.rate`.
    let (key, value) = match object.get("values") {
        Some(Value::Object(values)) => ("rate", values.get("rate")),
        _ => match object.get("value") {
            Some(value) => ("value", Some(value)),
            None => ("rate", object.get("rate")),
        },
    };
    let Some(value) = value else { return Ok(None) };
    let rate = finite(value, metric, key)?;
    if rate > 1.0 {
        return Err(ReportError::new(format!(
            "`{key}` of `{metric}` is {}, more than 1; a k6 rate is a fraction from 0 to 1",
            super::written(rate)
        )));
    }
    Ok(Some(rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(collected: &Collected, metric: &str) -> f64 {
        collected.readings.iter().find(|r| r.metric == metric).unwrap().value
    }

    const EXPORT: &str = r#"{"metrics": {
        "http_req_duration": {"avg": 12.5, "med": 10, "p(90)": 20, "p(95)": 31.25, "max": 80, "min": 1,
                              "thresholds": {"p(95)<500": false}},
        "http_req_failed": {"passes": 3, "fails": 97, "value": 0.03, "thresholds": {"rate<0.01": true}},
        "http_reqs": {"count": 100, "rate": 20}
    }}"#;

    const HANDLE_SUMMARY: &str = r#"{"metrics": {
        "http_req_duration": {"type": "trend", "contains": "time",
                              "values": {"avg": 12.5, "med": 10, "p(95)": 31.25, "p(99.9)": 79},
                              "thresholds": {"p(95)<500": {"ok": true}}},
        "http_req_failed": {"type": "rate", "values": {"rate": 0.03, "passes": 3, "fails": 97}},
        "http_reqs": {"type": "counter", "values": {"count": 100, "rate": 20}}
    }}"#;

    #[test]
    fn both_shapes_give_the_same_readings() {
        let p95 = Statistic::Percentile(95.0);
        assert_eq!(parse(EXPORT, p95).unwrap(), parse(HANDLE_SUMMARY, p95).unwrap());
        let export = parse(EXPORT, p95).unwrap();
        assert_eq!(value(&export, "response_time"), 31.25);
        assert_eq!(value(&export, "api_response_time"), 31.25);
        assert_eq!(value(&export, "error_rate"), 3.0);
        assert_eq!(value(&export, "requests_per_second"), 20.0);
        assert!(export.missing.is_empty());
    }

    #[test]
    fn the_error_rate_is_the_rate_not_the_passes_nor_the_threshold_boolean() {
        // 3 passes of `http_req_failed` are 3 failed requests, and `true` is a failed threshold.
        let error = parse(EXPORT, Statistic::Med).unwrap();
        let reading = error.readings.iter().find(|r| r.metric == "error_rate").unwrap();
        assert_eq!(reading.value, 3.0);
        assert_eq!(reading.detail, "3 of 100 requests failed (`http_req_failed`)");
    }

    #[test]
    fn the_statistic_is_matched_by_meaning() {
        assert_eq!(value(&parse(EXPORT, Statistic::Med).unwrap(), "response_time"), 10.0);
        assert_eq!(
            value(&parse(EXPORT, Statistic::parse("p90").unwrap()).unwrap(), "response_time"),
            20.0
        );
        let p999 = Statistic::parse("p(99.90)").unwrap();
        assert_eq!(value(&parse(HANDLE_SUMMARY, p999).unwrap(), "response_time"), 79.0);
    }

    #[test]
    fn a_statistic_the_summary_lacks_is_not_collected_with_what_to_do() {
        let collected = parse(HANDLE_SUMMARY, Statistic::Percentile(99.0)).unwrap();
        assert_eq!(collected.missing.len(), 2);
        assert_eq!(
            collected.missing[0].reason,
            "the k6 summary has no `p(99)` of `http_req_duration`; add `p(99)` to `summaryTrendStats` in the test's options, or set `statistic` to one it has (avg, med, p(95), p(99.9))"
        );
        assert!(collected.readings.iter().all(|r| !r.metric.contains("response_time")));
    }

    #[test]
    fn a_summary_without_http_metrics_collects_nothing_and_says_why() {
        let collected =
            parse(r#"{"metrics": {"iterations": {"count": 10, "rate": 1}}}"#, Statistic::Max)
                .unwrap();
        assert!(collected.readings.is_empty());
        let missing: Vec<&str> = collected.missing.iter().map(|m| m.metric).collect();
        assert_eq!(
            missing,
            ["response_time", "api_response_time", "error_rate", "requests_per_second"]
        );
    }

    #[test]
    fn statistics_are_read_as_k6_writes_them() {
        assert_eq!(Statistic::parse("p(95)"), Some(Statistic::Percentile(95.0)));
        assert_eq!(Statistic::parse(" P95 "), Some(Statistic::Percentile(95.0)));
        assert_eq!(Statistic::parse("med"), Some(Statistic::Med));
        assert_eq!(Statistic::parse("p(101)"), None);
        assert_eq!(Statistic::parse("mean"), None);
        assert_eq!(Statistic::Percentile(99.9).name(), "p(99.9)");
        assert_eq!(
            Statistic::from_setting(Some("mean")).unwrap_err().message,
            "unknown k6 `statistic` `mean`; use avg, min, med, max or a percentile such as p(95)"
        );
    }

    #[test]
    fn a_value_that_is_not_a_number_is_an_error() {
        let text = r#"{"metrics": {"http_reqs": {"count": 1, "rate": "fast"}}}"#;
        assert_eq!(
            parse(text, Statistic::Max).unwrap_err().message,
            "`rate` of `http_reqs` is `\"fast\"`, not a number of zero or more; pass the summary as k6 wrote it"
        );
        let text = r#"{"metrics": {"http_req_failed": {"value": 3}}}"#;
        assert!(parse(text, Statistic::Max).unwrap_err().message.contains("more than 1"));
    }

    proptest::proptest! {
        #[test]
        fn any_json_reads_or_fails_in_one_line(text in crate::collect::report::json_documents()) {
            if let Err(e) = parse(&text, Statistic::Percentile(95.0)) {
                proptest::prop_assert!(!e.message.contains('\n'), "{}", e.message);
            }
        }
    }

    #[test]
    fn the_machine_readable_summary_is_refused_with_what_to_do() {
        // The shape of k6's development branch (internal/lib/summary/machinereadable).
        let text = r#"{"version": "1.0.0", "config": {"duration": 1}, "results": {"metrics": [
            {"name": "http_reqs", "type": "counter", "contains": "default", "values": {"count": 1, "rate": 1}}]}}"#;
        assert!(
            parse(text, Statistic::Max)
                .unwrap_err()
                .message
                .contains("`--new-machine-readable-summary`")
        );
    }

    #[test]
    fn other_json_is_not_a_k6_summary() {
        assert!(
            parse("[1, 2]", Statistic::Max).unwrap_err().message.starts_with("not a k6 summary")
        );
        assert_eq!(parse("{\n,", Statistic::Max).unwrap_err().line, Some(2));
    }
}
