//! `prometheus` (or `prometheus=URL`): the six service metrics from a Prometheus server, or
//! anything that speaks its HTTP API (Thanos, Mimir, `VictoriaMetrics`), through instant queries
//! (`/api/v1/query`, a POST form) at the end of the `--as-of` day in UTC, or now when that is
//! still to come. It never grades and never invents a value: an empty result, NaN or infinity is
//! [`NotCollected`] with the reason.
//!
//! Built-in queries, `S` being `selector` (say `job="api"`), `W` the `rate_window` (default `5m`)
//! and `by (L)` added when `scope_label` is `L` (one reading per series, its scope the label's
//! value):
//! - `response_time`: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{S}[W])))`, seconds into ms;
//! - `api_response_time`: the same, with `api_selector` (default `handler=~"/api/.*"`) added to `S`;
//! - `error_rate`: 5xx responses over all, from `http_requests_total`'s `code` label, as a ratio
//!   into %, and 0 (not an empty result) for a service with traffic but no 5xx series;
//! - `requests_per_second`: `sum(rate(http_requests_total{S}[W]))`;
//! - `cpu_utilisation`: `1 - avg(rate(node_cpu_seconds_total{S,mode="idle"}[W]))`, a ratio into %;
//! - `memory_usage`: `1 - sum(node_memory_MemAvailable_bytes{S}) / sum(node_memory_MemTotal_bytes{S})`.
//!
//! `queries.<metric>` (a text, or `expr` and `unit`) replaces a built-in query or adds one for
//! another catalog metric; `unit: s` turns seconds into ms (or min), `unit: ratio` 0.005 into 0.5 %.

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;

use super::http::{self, Body, Client, Timeouts};
use super::{CollectError, Collected, Kind, NotCollected, Reading, Request, Settings};

pub const KIND: Kind = Kind {
    name: "prometheus",
    summary: "response times, error rate, requests per second, CPU and memory from Prometheus's HTTP API",
    formats: &[],
    default_path: Some(""),
    settings: &[
        "url",
        "selector",
        "api_selector",
        "rate_window",
        "scope_label",
        "queries.*",
        "token_env",
        "username_env",
        "password_env",
        "timeout",
        "connect_timeout",
    ],
    collect,
    merge: None,
};

/// The environment variable that gives the server's URL when neither the command line nor
/// `kpi.yaml` does.
pub const URL_VARIABLE: &str = "KPI_PROMETHEUS_URL";

/// The metrics with a built-in query, in the order they are collected.
pub const BUILT_IN: [&str; 6] = [
    "response_time",
    "api_response_time",
    "error_rate",
    "requests_per_second",
    "cpu_utilisation",
    "memory_usage",
];

/// What the built-in queries are made of: `selector`, `api_selector`, `rate_window`, `scope_label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub selector: String,
    pub api_selector: String,
    pub window: String,
    pub scope_label: Option<String>,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            selector: String::new(),
            api_selector: r#"handler=~"/api/.*""#.to_string(),
            window: "5m".to_string(),
            scope_label: None,
        }
    }
}

/// One query to run: the metric it gives, the expression, and how its value becomes the
/// metric's unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub metric: &'static str,
    pub expr: String,
    /// What a value of the query is multiplied by to be in `unit`.
    pub scale: f64,
    pub unit: &'static str,
}

/// The built-in query of `metric` (one of [`BUILT_IN`]), in the unit its expression gives.
pub fn built_in(metric: &str, shape: &Shape) -> Option<(String, &'static str)> {
    let matchers = |extra: &[&str]| {
        let parts: Vec<&str> = std::iter::once(shape.selector.trim())
            .chain(extra.iter().map(|e| e.trim()))
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() { String::new() } else { format!("{{{}}}", parts.join(",")) }
    };
    let by = shape.scope_label.as_ref().map_or(String::new(), |l| format!(" by ({l})"));
    let le = shape.scope_label.as_ref().map_or("le".to_string(), |l| format!("le, {l}"));
    let w = &shape.window;
    let p95 = |m: String| {
        format!(
            "histogram_quantile(0.95, sum by ({le}) (rate(http_request_duration_seconds_bucket{m}[{w}])))"
        )
    };
    let all = format!("sum{by} (rate(http_requests_total{}[{w}]))", matchers(&[]));
    Some(match metric {
        "response_time" => (p95(matchers(&[])), "s"),
        "api_response_time" => (p95(matchers(&[&shape.api_selector])), "s"),
        "error_rate" => (
            format!(
                "(sum{by} (rate(http_requests_total{}[{w}])) or 0 * {all}) / {all}",
                matchers(&[r#"code=~"5..""#])
            ),
            "ratio",
        ),
        "requests_per_second" => (all, "req/s"),
        "cpu_utilisation" => (
            format!(
                "1 - avg{by} (rate(node_cpu_seconds_total{}[{w}]))",
                matchers(&[r#"mode="idle""#])
            ),
            "ratio",
        ),
        "memory_usage" => (
            format!(
                "1 - sum{by} (node_memory_MemAvailable_bytes{m}) / sum{by} (node_memory_MemTotal_bytes{m})",
                m = matchers(&[])
            ),
            "ratio",
        ),
        _ => return None,
    })
}

/// How a value in `unit` becomes one in `canonical`, the metric's unit: the factor and the unit.
fn conversion(unit: &str, canonical: &'static str) -> Option<(f64, &'static str)> {
    let factor = match (canonical, unit) {
        (c, u) if c == u => 1.0,
        ("ms", "s") => 1000.0,
        ("ms", "us" | "µs") => 0.001,
        ("min", "s") => 1.0 / 60.0,
        ("min", "ms") => 1.0 / 60_000.0,
        ("min", "h") => 60.0,
        ("%", "ratio") => 100.0,
        _ => return None,
    };
    Some((factor, canonical))
}

/// The queries to run: the built-in ones, each replaced by `queries.<metric>` when set, then the
/// queries the settings add for other metrics.
///
/// # Panics
///
/// Never: every built-in query is for a catalog metric, in a unit that fits it.
pub fn queries(settings: &Settings, shape: &Shape) -> Result<Vec<Query>, CollectError> {
    let mut overrides: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for (key, values) in &settings.0 {
        let Some(rest) = key.strip_prefix("queries") else { continue };
        let (metric, field) = match rest.strip_prefix('.').map(|r| r.split_once('.')) {
            Some(Some((metric, field))) => (metric, Some(field)),
            Some(None) => (&rest[1..], None),
            None => {
                return Err(CollectError::new(
                    "`queries` maps metric ids to queries: write `queries: {error_rate: {expr: ..., unit: ratio}}`",
                ));
            }
        };
        let value = values.first().cloned().unwrap_or_default();
        let index = overrides.iter().position(|(m, _, _)| m == metric).unwrap_or_else(|| {
            overrides.push((metric.to_string(), None, None));
            overrides.len() - 1
        });
        match field {
            None | Some("expr") => overrides[index].1 = Some(value),
            Some("unit") => overrides[index].2 = Some(value),
            Some(other) => {
                return Err(CollectError::new(format!(
                    "`queries.{metric}.{}` is not a setting; a query has `expr` and `unit`",
                    crate::core::text::printable(other)
                )));
            }
        }
    }
    let mut out = Vec::new();
    for metric in BUILT_IN {
        if overrides.iter().any(|(m, _, _)| m == metric) {
            continue;
        }
        let (expr, unit) = built_in(metric, shape).expect("every built-in metric has a query");
        out.push(query(metric, expr, unit));
    }
    for (metric, expr, unit) in overrides {
        let shown = crate::core::text::printable(&metric).into_owned();
        let Some((id, canonical)) = crate::input::catalog::builtin_metric(&metric) else {
            return Err(CollectError::new(format!(
                "`queries.{shown}`: `{shown}` is not a metric of the built-in catalog; use its id, like `response_time`"
            )));
        };
        let Some(expr) = expr.filter(|e| !e.trim().is_empty()) else {
            return Err(CollectError::new(format!(
                "`queries.{shown}` has no `expr`; give the PromQL expression"
            )));
        };
        let unit = unit.unwrap_or_else(|| canonical.to_string());
        let Some((scale, unit)) = conversion(unit.trim(), canonical) else {
            let canonical_shown = if canonical.is_empty() { "a plain number" } else { canonical };
            return Err(CollectError::new(format!(
                "`queries.{shown}.unit`: `{}` does not fit `{id}` ({canonical_shown}); write `{canonical}`{}",
                crate::core::text::printable(&unit),
                match canonical {
                    "ms" => ", `s` or `us`",
                    "min" => ", `s`, `ms` or `h`",
                    "%" => " or `ratio`",
                    _ => "",
                }
            )));
        };
        out.push(Query { metric: id, expr, scale, unit });
    }
    Ok(out)
}

fn query(metric: &'static str, expr: String, unit: &str) -> Query {
    let (id, canonical) = crate::input::catalog::builtin_metric(metric)
        .expect("built-in queries are for catalog metrics");
    let (scale, unit) = conversion(unit, canonical).expect("built-in units fit their metrics");
    Query { metric: id, expr, scale, unit }
}

/// The time of the queries: the end of the `as_of` day in UTC, or `now` when that is later.
pub fn query_time(as_of: Date, now: Timestamp) -> Timestamp {
    let end = as_of
        .tomorrow()
        .ok()
        .and_then(|day| day.to_zoned_datetime(jiff::tz::TimeZone::UTC).ok())
        .map_or(now, |z| z.timestamp());
    end.min(now)
}

/// One series of an instant query's answer: its labels and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: serde_json::Map<String, serde_json::Value>,
    pub value: f64,
}

/// Reads an answer of `/api/v1/query`: the series of a vector (a scalar is one series without
/// labels), or the one-line reason it is no answer.
pub fn parse_answer(status: u16, body: &str) -> Result<Vec<Series>, String> {
    let json: Result<serde_json::Value, _> = serde_json::from_str(body);
    let Ok(json) = json else {
        return Err(if (200..300).contains(&status) {
            format!(
                "the answer is not JSON (`{}`); check that the URL is Prometheus's",
                http::one_line(body)
            )
        } else {
            format!("HTTP {status}: `{}`; check the URL and the credentials", http::one_line(body))
        });
    };
    if json["status"] == "error" {
        let text = |key: &str| json[key].as_str().unwrap_or("").to_string();
        return Err(format!(
            "Prometheus answered {{\"status\":\"error\",\"errorType\":{},\"error\":{}}}",
            serde_json::Value::String(http::one_line(&text("errorType"))),
            serde_json::Value::String(http::one_line(&text("error"))),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(format!(
            "HTTP {status}: `{}`; check the URL and the credentials",
            http::one_line(body)
        ));
    }
    if json["status"] != "success" {
        return Err(
            "the answer has no `\"status\":\"success\"`; check that the URL is Prometheus's"
                .to_string(),
        );
    }
    let data = &json["data"];
    let number = |pair: &serde_json::Value| -> Result<f64, String> {
        let text =
            pair.get(1).and_then(serde_json::Value::as_str).ok_or("a sample has no value")?;
        text.parse::<f64>()
            .map_err(|_| format!("a sample's value `{}` is not a number", http::one_line(text)))
    };
    match data["resultType"].as_str() {
        Some("vector") => data["result"]
            .as_array()
            .ok_or_else(|| "the answer's `data.result` is not a list".to_string())?
            .iter()
            .map(|series| {
                Ok(Series {
                    labels: series["metric"].as_object().cloned().unwrap_or_default(),
                    value: number(&series["value"])?,
                })
            })
            .collect(),
        Some("scalar") => {
            Ok(vec![Series { labels: serde_json::Map::new(), value: number(&data["result"])? }])
        }
        Some(other) => Err(format!(
            "the query gives a {}, not a vector; make it an instant vector (no `[5m]` range at the end)",
            http::one_line(other)
        )),
        None => {
            Err("the answer has no `data.resultType`; check that the URL is Prometheus's"
                .to_string())
        }
    }
}

/// What one query's series give: readings (scoped by `scope_label` when set), the metrics not
/// collected, or an error for an answer kpi cannot use.
pub fn readings(
    query: &Query,
    series: &[Series],
    scope_label: Option<&str>,
    at: Timestamp,
) -> Result<Collected, CollectError> {
    let mut collected = Collected::default();
    let fail = |message: String| CollectError::new(format!("`{}`: {message}", query.metric));
    if series.is_empty() {
        let set = if BUILT_IN.contains(&query.metric) {
            "check the metric names and `selector`, or set"
        } else {
            "check"
        };
        collected.missing.push(NotCollected {
            metric: query.metric,
            reason: format!(
                "the query returned no series at {at}; {set} `queries.{}`",
                query.metric
            ),
        });
        return Ok(collected);
    }
    if scope_label.is_none() && series.len() > 1 {
        return Err(fail(format!(
            "the query returned {} series; aggregate them (`sum(...)`, `avg(...)`), or set `scope_label` to the label that tells them apart",
            series.len()
        )));
    }
    let mut scopes: Vec<String> = Vec::new();
    // Series come in no set order; rows come out in the order of their scopes.
    let mut series: Vec<&Series> = series.iter().collect();
    if let Some(label) = scope_label {
        series.sort_by(|a, b| {
            let key = |s: &Series| {
                s.labels.get(label).and_then(serde_json::Value::as_str).map(str::to_string)
            };
            key(a).cmp(&key(b))
        });
    }
    for one in series {
        let scope = match scope_label {
            None => None,
            Some(label) => match one.labels.get(label).and_then(serde_json::Value::as_str) {
                Some(value) if !value.is_empty() => Some(value.to_string()),
                _ => {
                    collected.missing.push(NotCollected {
                        metric: query.metric,
                        reason: format!(
                            "a series has no `{label}` label, so it belongs to no scope; add the label to the metric, or aggregate `by ({label})`"
                        ),
                    });
                    continue;
                }
            },
        };
        let named = scope
            .as_ref()
            .map_or(String::new(), |s| format!("scope `{}`: ", crate::core::text::printable(s)));
        if let Some(s) = &scope {
            if scopes.contains(s) {
                return Err(fail(format!(
                    "two series have `{}=\"{}\"`; aggregate them `by ({})`",
                    scope_label.unwrap_or_default(),
                    crate::core::text::printable(s),
                    scope_label.unwrap_or_default()
                )));
            }
            scopes.push(s.clone());
        }
        if one.value.is_nan() {
            collected.missing.push(NotCollected {
                metric: query.metric,
                reason: format!(
                    "{named}the query returned NaN at {at}: no samples to divide, such as no requests in the rate window"
                ),
            });
            continue;
        }
        if one.value.is_infinite() || one.value < 0.0 {
            collected.missing.push(NotCollected {
                metric: query.metric,
                reason: format!(
                    "{named}the query returned {} at {at}, which is no value of `{}`; check the query{}",
                    one.value,
                    query.metric,
                    if one.value.is_infinite() && query.expr.contains("histogram_quantile") {
                        " (the quantile falls in the `+Inf` bucket: add buckets above the slowest requests)"
                    } else {
                        ""
                    }
                ),
            });
            continue;
        }
        collected.readings.push(Reading {
            metric: query.metric,
            value: tidy(one.value * query.scale),
            unit: query.unit,
            scope,
            detail: format!("{} at {at}", query.expr),
        });
    }
    Ok(collected)
}

/// `value` to 12 significant digits: a ratio times 100 or an average of rates carries float noise
/// (`14.999999999999991`) far below anything measured.
fn tidy(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    format!("{value:.11e}").parse().unwrap_or(value)
}

/// Where the server is: `prometheus=URL` on the command line, else `url`, else the environment.
fn server(request: &Request<'_>, from_env: Option<String>) -> Result<String, CollectError> {
    let path = request.path.to_string_lossy();
    let url = if path.is_empty() {
        match request.settings.text("url").map(str::to_string).or(from_env) {
            Some(url) => url,
            None => {
                return Err(CollectError::new(format!(
                    "no Prometheus server: set `url` under `collect.sources.prometheus` in `kpi.yaml`, export `{URL_VARIABLE}`, or write `prometheus=URL`"
                )));
            }
        }
    } else {
        path.into_owned()
    };
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CollectError::new(format!(
            "`{}` is not a Prometheus URL; write it as `http://host:9090` (in `kpi.yaml`, as `url`, not `path`)",
            http::shown_url(url)
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// The `Authorization` header the settings ask for, if any.
fn authorization(settings: &Settings) -> Result<Option<String>, CollectError> {
    use base64::Engine;
    if let Some(name) = settings.text("token_env") {
        return Ok(Some(format!("Bearer {}", http::secret(name, "token_env")?)));
    }
    match (settings.text("username_env"), settings.text("password_env")) {
        (None, None) => Ok(None),
        (Some(user), Some(password)) => {
            let pair = format!(
                "{}:{}",
                http::secret(user, "username_env")?,
                http::secret(password, "password_env")?
            );
            Ok(Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))))
        }
        _ => Err(CollectError::new(
            "basic auth needs both `username_env` and `password_env`; set the other, or use `token_env`",
        )),
    }
}

fn shape(settings: &Settings) -> Result<Shape, CollectError> {
    let mut shape = Shape::default();
    if let Some(s) = settings.text("selector") {
        shape.selector = strip_braces(s);
    }
    if let Some(s) = settings.text("api_selector") {
        shape.api_selector = strip_braces(s);
    }
    if let Some(w) = settings.text("rate_window") {
        let w = w.trim();
        let ok = !w.is_empty()
            && w.chars().all(|c| c.is_ascii_alphanumeric())
            && w.starts_with(|c: char| c.is_ascii_digit());
        if !ok {
            return Err(CollectError::new(format!(
                "`rate_window`: `{}` is not a PromQL duration; write one like `5m` or `1h`",
                crate::core::text::printable(w)
            )));
        }
        shape.window = w.to_string();
    }
    if let Some(label) = settings.text("scope_label") {
        let label = label.trim();
        let ok = label.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(CollectError::new(format!(
                "`scope_label`: `{}` is not a label name; write one like `service`",
                crate::core::text::printable(label)
            )));
        }
        shape.scope_label = Some(label.to_string());
    }
    Ok(shape)
}

/// `{job="api"}` and `job="api"` are the same selector.
fn strip_braces(selector: &str) -> String {
    let s = selector.trim();
    s.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(s).trim().to_string()
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let url = server(request, std::env::var(URL_VARIABLE).ok().filter(|u| !u.trim().is_empty()))?;
    let settings = request.settings;
    let shape = shape(settings)?;
    let queries = queries(settings, &shape)?;
    let timeouts =
        Timeouts::from_settings(settings, Duration::from_secs(5), Duration::from_secs(30))?;
    let mut headers = vec![("Accept", "application/json".to_string())];
    if let Some(auth) = authorization(settings)? {
        headers.push(("Authorization", auth));
    }
    let at = query_time(request.as_of, Timestamp::now());
    let time = at.as_second().to_string();
    let client = Client::new(timeouts);
    let endpoint = format!("{url}/api/v1/query");
    let mut collected = Collected::default();
    for query in &queries {
        let reply = client.send(
            &endpoint,
            &headers,
            &Body::Form(&[("query", query.expr.as_str()), ("time", time.as_str())]),
        )?;
        let series = parse_answer(reply.status, &reply.body)
            .map_err(|m| CollectError::new(format!("`{}`: {m}", query.metric)))?;
        let one = readings(query, &series, shape.scope_label.as_deref(), at)?;
        collected.readings.extend(one.readings);
        collected.missing.extend(one.missing);
    }
    Ok(collected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        Settings(pairs.iter().map(|(k, v)| ((*k).to_string(), vec![(*v).to_string()])).collect())
    }

    #[test]
    fn built_in_queries_take_the_selector_window_and_scope_label() {
        let shape = Shape {
            selector: r#"job="api""#.into(),
            window: "2m".into(),
            scope_label: Some("service".into()),
            ..Shape::default()
        };
        assert_eq!(
            built_in("response_time", &shape).unwrap().0,
            r#"histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket{job="api"}[2m])))"#
        );
        assert_eq!(
            built_in("api_response_time", &Shape::default()).unwrap().0,
            r#"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{handler=~"/api/.*"}[5m])))"#
        );
        assert_eq!(
            built_in("error_rate", &Shape::default()).unwrap().0,
            r#"(sum (rate(http_requests_total{code=~"5.."}[5m])) or 0 * sum (rate(http_requests_total[5m]))) / sum (rate(http_requests_total[5m]))"#
        );
        assert_eq!(
            built_in("memory_usage", &shape).unwrap().0,
            r#"1 - sum by (service) (node_memory_MemAvailable_bytes{job="api"}) / sum by (service) (node_memory_MemTotal_bytes{job="api"})"#
        );
    }

    #[test]
    fn an_override_replaces_a_built_in_query_and_converts_its_unit() {
        let set = settings(&[
            ("queries.response_time.expr", "my_p95_seconds"),
            ("queries.response_time.unit", "s"),
            ("queries.mttr", "my_mttr_minutes"),
        ]);
        let all = queries(&set, &Shape::default()).unwrap();
        let rt = all.iter().find(|q| q.metric == "response_time").unwrap();
        assert_eq!((rt.expr.as_str(), rt.scale, rt.unit), ("my_p95_seconds", 1000.0, "ms"));
        let mttr = all.iter().find(|q| q.metric == "mttr").unwrap();
        assert_eq!((mttr.scale, mttr.unit), (1.0, "min"));
        assert_eq!(all.len(), 7);
    }

    #[test]
    fn an_override_names_a_catalog_metric_with_a_unit_that_fits_it() {
        let bad = |pairs: &[(&str, &str)]| {
            queries(&settings(pairs), &Shape::default()).unwrap_err().message
        };
        insta::assert_snapshot!(
            [
                bad(&[("queries.latency_p99", "x")]),
                bad(&[("queries.error_rate.unit", "ratio")]),
                bad(&[("queries.error_rate.expr", "x"), ("queries.error_rate.unit", "ms")]),
                bad(&[("queries.error_rate.exp", "x")]),
            ]
            .join("\n"),
            @r"
        `queries.latency_p99`: `latency_p99` is not a metric of the built-in catalog; use its id, like `response_time`
        `queries.error_rate` has no `expr`; give the PromQL expression
        `queries.error_rate.unit`: `ms` does not fit `error_rate` (%); write `%` or `ratio`
        `queries.error_rate.exp` is not a setting; a query has `expr` and `unit`
        "
        );
    }

    #[test]
    fn queries_run_at_the_end_of_the_day_or_now_if_sooner() {
        let day: Date = "2026-11-23".parse().unwrap();
        let later: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(query_time(day, later).to_string(), "2026-11-24T00:00:00Z");
        let sooner: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        assert_eq!(query_time(day, sooner), sooner);
    }

    #[test]
    fn answers_are_vectors_scalars_or_prometheus_errors_quoted() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"service":"a"},"value":[1,"0.25"]},{"metric":{},"value":[1,"NaN"]}]}}"#;
        let series = parse_answer(200, vector).unwrap();
        assert_eq!(series[0].value, 0.25);
        assert!(series[1].value.is_nan());
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}"#;
        assert!(parse_answer(200, scalar).unwrap()[0].value.is_infinite());
        let error = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""}"#;
        assert_eq!(
            parse_answer(400, error).unwrap_err(),
            r#"Prometheus answered {"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \"}\""}"#
        );
        assert_eq!(
            parse_answer(502, "<html>Bad gateway</html>\nmore").unwrap_err(),
            "HTTP 502: `<html>Bad gateway</html>`; check the URL and the credentials"
        );
    }

    #[test]
    fn several_series_need_a_scope_label_and_each_series_is_its_scope() {
        let query =
            Query { metric: "requests_per_second", expr: "x".into(), scale: 1.0, unit: "req/s" };
        let at: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        let series = |label: &str, value: f64| Series {
            labels: serde_json::json!({ "service": label }).as_object().unwrap().clone(),
            value,
        };
        let two = [series("a", 10.0), series("b", f64::NAN)];
        let err = readings(&query, &two, None, at).unwrap_err().message;
        assert!(
            err.starts_with("`requests_per_second`: the query returned 2 series; aggregate them"),
            "{err}"
        );
        let got = readings(&query, &two, Some("service"), at).unwrap();
        assert_eq!(got.readings.len(), 1);
        assert_eq!(got.readings[0].scope.as_deref(), Some("a"));
        assert_eq!(
            got.missing[0].reason,
            "scope `b`: the query returned NaN at 2026-11-24T00:00:00Z: no samples to divide, such as no requests in the rate window"
        );
        let same = [series("a", 1.0), series("a", 2.0)];
        assert!(
            readings(&query, &same, Some("service"), at)
                .unwrap_err()
                .message
                .contains("aggregate them `by (service)`")
        );
    }
}
