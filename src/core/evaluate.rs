//! Evaluation: grading each metric's value against its thresholds and deciding the gate. Pure.

use std::borrow::Cow;
use std::sync::Arc;

use super::catalog::{Catalog, Definition, Metric};
use super::history::{Dataset, Observation, ScopeData, When, trend};
use super::levels;
use super::policy::{self, Baseline, BaselinePoint, OnStale, Regression, RegressionVerdict};
use super::scorecard::{
    FailOn, Gate, GatePolicy, HistoryPoint, MetricResult, Overdue, RegressionNote, ScopeSummary,
    Scorecard, Shared, Status, Summary, WaiverNote,
};
use super::threshold::{Band, Grade, Thresholds};
use super::unit::difference;
use super::waiver::Waivers;

/// How many check-ins a result's history (and its sparkline) keeps.
pub const HISTORY_LEN: usize = 12;

/// How many of a series' latest values grading reads: the value and the one before it.
pub(crate) const GRADED: usize = 2;

/// What evaluation takes besides the catalog and the data: the gate's rules and every policy that
/// decides a status together with the thresholds. A status is decided once, here; nothing reopens
/// a scorecard afterwards.
#[derive(Debug, Clone, Copy)]
pub struct Policies<'a> {
    /// Evaluate the data as it stood at this time; `None`: everything.
    pub as_of: Option<When>,
    pub gate: GatePolicy,
    /// The config's waivers and the day they are judged on; `None`: no waivers.
    pub waivers: Option<Waivers<'a>>,
    /// What regressions are judged against; `None`: no regression policy applies.
    pub baseline: Option<&'a Baseline>,
    /// The index, in the catalog's ladder, of the level every scope must hold
    /// (`--require-level`); `None`: levels do not gate.
    pub require_level: Option<usize>,
    /// How many threads may grade; the scorecard is the same whatever the number.
    pub threads: usize,
}

impl Policies<'_> {
    /// The gate's rules alone: no waivers.
    pub fn gate(as_of: Option<When>, gate: GatePolicy) -> Policies<'static> {
        Policies { as_of, gate, waivers: None, baseline: None, require_level: None, threads: 1 }
    }
}

/// Grades every (scope, metric) of `data` against one catalog under the gate's rules alone; see
/// [`evaluate_scoped`].
pub fn evaluate(
    catalog: &Catalog,
    data: &Dataset,
    as_of: Option<When>,
    policy: GatePolicy,
) -> Scorecard {
    evaluate_scoped(catalog, &|_| Cow::Borrowed(catalog), data, &Policies::gate(as_of, policy))
}

/// Grades every (scope, metric) of `data` as it stood at `policies.as_of` under `policies`, and
/// decides the gate. Each scope is graded against `catalog_for(scope)`, which must hold the same
/// metrics in the same order as `catalog` (a scope may only change thresholds, targets and ideas).
/// A scope with no check-in at or before `as_of` is left out.
pub fn evaluate_scoped<'c>(
    catalog: &'c Catalog,
    catalog_for: &(dyn Fn(Option<&str>) -> Cow<'c, Catalog> + Sync),
    data: &Dataset,
    policies: &Policies<'_>,
) -> Scorecard {
    let chunks: Vec<&[ScopeData]> = data.scopes.chunks(CHUNK_SCOPES).collect();
    grade_chunks(catalog, catalog_for, chunks, data.scopes.len(), policies)
}

/// [`evaluate_scoped`], taking the data and letting each scope's observations go once it is
/// graded: the scorecard and the data it comes from are never held whole at once.
pub fn evaluate_owned<'c>(
    catalog: &'c Catalog,
    catalog_for: &(dyn Fn(Option<&str>) -> Cow<'c, Catalog> + Sync),
    data: Dataset,
    policies: &Policies<'_>,
) -> Scorecard {
    let count = data.scopes.len();
    let mut scopes = data.scopes.into_iter();
    let chunks: Vec<Vec<ScopeData>> = std::iter::from_fn(|| {
        let chunk: Vec<ScopeData> = scopes.by_ref().take(CHUNK_SCOPES).collect();
        (!chunk.is_empty()).then_some(chunk)
    })
    .collect();
    grade_chunks(catalog, catalog_for, chunks, count, policies)
}

/// Grades chunks of scopes in order, on up to `policies.threads` threads, dropping each chunk
/// it owns once graded, and decides the gate.
fn grade_chunks<'c, C: AsRef<[ScopeData]> + Send>(
    catalog: &'c Catalog,
    catalog_for: &(dyn Fn(Option<&str>) -> Cow<'c, Catalog> + Sync),
    chunks: Vec<C>,
    count: usize,
    policies: &Policies<'_>,
) -> Scorecard {
    let (as_of, policy) = (policies.as_of, policies.gate);
    // Texts made once per metric rather than once per scope and metric.
    let texts = texts_of(catalog);
    let no_ideas: Arc<[String]> = Arc::from([]);
    let graded = Graded { catalog, catalog_for, texts: &texts, no_ideas: &no_ideas, policies };
    let mut results = Vec::with_capacity(count * catalog.metrics().len());
    let mut scopes = Vec::with_capacity(count);
    let mut summary = Summary::default();
    let add = |part: Part| {
        summary.add(part.summary);
        results.extend(part.results);
        scopes.extend(part.scopes);
    };
    let threads = policies.threads.min(chunks.len());
    if threads < 2 {
        chunks.into_iter().map(|chunk| graded.scopes(chunk.as_ref())).for_each(add);
    } else {
        graded.in_parallel(chunks, threads, add);
    }
    let below_level = policies.require_level.is_some_and(|required| {
        scopes.iter().any(|s| s.standing.as_ref().is_some_and(|st| st.held <= required))
    });
    let passed = gate_passes(summary, policy) && !below_level;
    let require_level =
        policies.require_level.and_then(|i| catalog.ladder.levels.get(i)).map(|l| l.name.clone());
    Scorecard {
        title: catalog.title.clone(),
        as_of,
        gate: Gate {
            fail_on: policy.fail_on,
            require_all: policy.require_all,
            require_level,
            passed,
        },
        summary,
        scopes,
        results,
    }
}

/// How many scopes a thread grades at a time.
const CHUNK_SCOPES: usize = 256;

/// What grading a run of scopes needs, shared by every thread that grades.
struct Graded<'g, 'c> {
    catalog: &'c Catalog,
    catalog_for: &'g (dyn Fn(Option<&str>) -> Cow<'c, Catalog> + Sync),
    texts: &'g [Texts],
    no_ideas: &'g Arc<[String]>,
    policies: &'g Policies<'g>,
}

/// The results of a run of scopes, their summaries and what they add to the scorecard's.
struct Part {
    results: Vec<MetricResult>,
    scopes: Vec<ScopeSummary>,
    summary: Summary,
}

impl Graded<'_, '_> {
    /// Grades `data` in chunks of scopes, `threads` threads each grading every `threads`th chunk,
    /// and hands each chunk's part to `add` in order: the scorecard is the one a single thread
    /// makes, and only a few chunks are ever held besides it.
    fn in_parallel<C: AsRef<[ScopeData]> + Send>(
        &self,
        chunks: Vec<C>,
        threads: usize,
        mut add: impl FnMut(Part),
    ) {
        let count = chunks.len();
        let mut lanes: Vec<Vec<C>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, chunk) in chunks.into_iter().enumerate() {
            lanes[k % threads].push(chunk);
        }
        std::thread::scope(|scope| {
            let lanes: Vec<_> = lanes
                .into_iter()
                .map(|chunks| {
                    let (done, parts) = std::sync::mpsc::sync_channel::<Part>(2);
                    scope.spawn(move || {
                        for chunk in chunks {
                            let part = self.scopes(chunk.as_ref());
                            drop(chunk);
                            if done.send(part).is_err() {
                                return;
                            }
                        }
                    });
                    parts
                })
                .collect();
            for k in 0..count {
                // A lane that ended early panicked; the scope passes its panic on.
                let Ok(part) = lanes[k % threads].recv() else { break };
                add(part);
            }
        });
    }

    /// Grades a run of scopes.
    fn scopes(&self, data: &[ScopeData]) -> Part {
        let Graded { catalog, catalog_for, texts, no_ideas, policies } = *self;
        let as_of = policies.as_of;
        let mut part = Part {
            results: Vec::with_capacity(data.len() * catalog.metrics().len()),
            scopes: Vec::with_capacity(data.len()),
            summary: Summary::default(),
        };
        for scope in data {
            let visible = |o: &&Observation| match (as_of, o.at) {
                (Some(limit), Some(at)) => at.not_after(limit),
                _ => true,
            };
            let mut dates: Vec<When> =
                scope.series.iter().flatten().filter(visible).filter_map(|o| o.at).collect();
            dates.sort_unstable();
            dates.dedup();
            let undated = scope.series.iter().flatten().any(|o| o.at.is_none());
            if dates.is_empty() && !undated {
                continue;
            }
            let recent = &dates[dates.len().saturating_sub(HISTORY_LEN)..];
            let mut scope_summary = Summary::default();
            let scope_catalog = catalog_for(scope.name.as_deref());
            // A scope whose thresholds, target or ideas a config changes needs its own texts.
            let scope_texts;
            let texts = match &scope_catalog {
                Cow::Borrowed(_) => texts,
                Cow::Owned(changed) => {
                    scope_texts = texts_of(changed);
                    &scope_texts
                }
            };
            let scope_name: Option<Shared> = scope.name.as_deref().map(Shared::from);
            let mut points: Vec<&Observation> = Vec::with_capacity(HISTORY_LEN + GRADED);
            let first = part.results.len();
            let mut weighted = Vec::with_capacity(scope_catalog.metrics().len());
            for ((metric, series), texts) in
                scope_catalog.metrics().iter().zip(&scope.series).zip(texts)
            {
                points.clear();
                points.extend(series.iter().filter(visible));
                points.sort_by_key(|o| o.at);
                let series = Series {
                    metric,
                    texts,
                    scope: scope_name.as_ref(),
                    points: &points,
                    recent,
                    latest_checkin: dates.last().copied(),
                };
                let result = grade(&series, no_ideas, policies);
                scope_summary.count(result.status);
                weighted.push((metric.weight, levels::credit(&result)));
                part.results.push(result);
            }
            part.summary.add(scope_summary);
            part.scopes.push(ScopeSummary {
                name: scope_name,
                checked_at: dates.last().copied(),
                summary: scope_summary,
                score: levels::score(weighted),
                standing: catalog.ladder.standing(&part.results[first..]),
            });
        }
        part
    }
}

/// The texts of a metric that each of its results shows.
struct Texts {
    id: Shared,
    name: Shared,
    category: Shared,
    target: Shared,
    /// The pass and warn thresholds in notation, e.g. `< 1%`.
    pass: Shared,
    warn: Shared,
    ideas: Arc<[String]>,
    /// Where the thresholds are written.
    defined_at: Option<Arc<Definition>>,
    thresholds: Arc<Thresholds>,
}

fn texts_of(catalog: &Catalog) -> Vec<Texts> {
    catalog
        .metrics()
        .iter()
        .map(|m| Texts {
            id: m.id.as_str().into(),
            name: m.name.as_str().into(),
            category: m.category.as_str().into(),
            target: m.target.as_str().into(),
            pass: m.thresholds.pass.display(m.unit).to_string().into(),
            warn: m.thresholds.warn.display(m.unit).to_string().into(),
            ideas: m.ideas.as_slice().into(),
            defined_at: m.origin.threshold_at.clone().map(Arc::new),
            thresholds: Arc::new(m.thresholds),
        })
        .collect()
}

/// One series to grade: the metric, its texts, its scope, its observations in time order, the
/// scope's last check-in dates and its latest one.
struct Series<'s> {
    metric: &'s Metric,
    texts: &'s Texts,
    scope: Option<&'s Shared>,
    points: &'s [&'s Observation],
    recent: &'s [When],
    latest_checkin: Option<When>,
}

/// Grades one series under `policies`: the thresholds and the metric's `max_age`, then a waiver,
/// together deciding the status once. `no_ideas` are the suggestions of a metric that needs no attention.
fn grade(series: &Series<'_>, no_ideas: &Arc<[String]>, policies: &Policies<'_>) -> MetricResult {
    let Series { metric, texts, scope, points, recent, latest_checkin } = *series;
    let thresholds = &metric.thresholds;
    let mut with_values = points.iter().rev().filter(|o| o.value.is_some());
    let latest = with_values.next().copied();
    let previous = with_values.next().copied();
    let value = latest.and_then(|o| o.value);
    let overdue = match (latest.and_then(|o| o.at), latest_checkin, metric.max_age) {
        (Some(at), Some(checkin), Some(max_age)) => {
            let age_days = policy::age_days(at, checkin);
            (age_days > i64::from(max_age)).then_some(Overdue {
                age_days,
                max_age_days: max_age,
                on_stale: metric.on_stale,
            })
        }
        _ => None,
    };
    let regression = match (metric.regression, policies.baseline, value) {
        (Some(rule), Some(baseline), Some(now)) => {
            let point = match baseline {
                Baseline::Previous => {
                    previous.and_then(|o| Some(BaselinePoint { value: o.value?, date: o.at }))
                }
                Baseline::Values(values) => values.get(scope.map(|s| &**s), &metric.id),
            };
            Some(against_baseline(rule, &thresholds.pass, metric, point, now))
        }
        _ => None,
    };
    let by_regression = match regression.as_ref().map(|r| r.verdict) {
        Some(RegressionVerdict::Fail) => Status::Fail,
        Some(RegressionVerdict::Warn) => Status::Warn,
        _ => Status::Pass,
    };
    let graded = match overdue.map(|o| o.on_stale) {
        None => worst(status_of(thresholds, value), by_regression),
        Some(OnStale::Missing) => Status::Missing,
        Some(OnStale::Warn) => {
            worst(worst(status_of(thresholds, value), Status::Warn), by_regression)
        }
        Some(OnStale::Fail) => Status::Fail,
    };
    let waiver = policies.waivers.and_then(|w| {
        let waiver = w.find(&metric.id, scope.map(|s| &**s))?;
        Some(WaiverNote {
            reason: waiver.reason.clone(),
            until: waiver.until.to_string(),
            expired: !waiver.in_force(w.today),
            graded,
        })
    });
    let status = match &waiver {
        Some(note) if !note.expired && matches!(graded, Status::Warn | Status::Fail) => {
            Status::Waived
        }
        _ => graded,
    };
    let previous_value = previous.and_then(|o| o.value);
    let dated = latest.is_some_and(|o| o.at.is_some());
    let not_passing = matches!(status, Status::Warn | Status::Fail);
    MetricResult {
        id: texts.id.clone(),
        name: texts.name.clone(),
        category: texts.category.clone(),
        scope: scope.cloned(),
        status,
        value,
        unit: metric.unit,
        date: latest.and_then(|o| o.at),
        stale: latest.and_then(|o| o.at).zip(latest_checkin).is_some_and(|(at, last)| at < last),
        not_collected: None,
        target: texts.target.clone(),
        pass: texts.pass.clone(),
        warn: texts.warn.clone(),
        direction: thresholds.pass.direction(),
        miss: value.and_then(|v| thresholds.pass.miss(v)),
        previous: previous_value,
        previous_status: previous_value.map(|v| status_of(thresholds, Some(v))),
        change: value.zip(previous_value).map(|(now, before)| difference(now, before)),
        trend: match (value, previous_value) {
            (Some(now), Some(before)) if dated => Some(trend(&thresholds.pass, before, now)),
            (Some(_), None) if dated => Some(super::history::Trend::New),
            _ => None,
        },
        history: recent
            .iter()
            .map(|&date| HistoryPoint {
                date,
                value: points.iter().find(|o| o.at == Some(date)).and_then(|o| o.value),
            })
            .collect(),
        suggestions: if not_passing { texts.ideas.clone() } else { no_ideas.clone() },
        // Boxed: most results have none of them, and a large scorecard has millions of results.
        overdue: overdue.map(Box::new),
        regression: regression.map(Box::new),
        waiver: waiver.map(Box::new),
        thresholds: texts.thresholds.clone(),
        defined_at: texts.defined_at.clone(),
    }
}

/// A value `now` judged against its baseline `point` (none: the metric is new to it).
fn against_baseline(
    rule: Regression,
    pass: &Band,
    metric: &Metric,
    point: Option<BaselinePoint>,
    now: f64,
) -> RegressionNote {
    let Some(point) = point else {
        return RegressionNote {
            verdict: RegressionVerdict::New,
            baseline: None,
            baseline_date: None,
            change: None,
            worse_by: None,
            allowed: None,
            allowed_amount: None,
            relative: false,
        };
    };
    let worse = policy::worse_by(pass, point.value, now);
    let (verdict, allowance) = policy::judge(rule, point.value, worse);
    RegressionNote {
        verdict,
        baseline: Some(point.value),
        baseline_date: point.date,
        change: Some(difference(now, point.value)),
        worse_by: Some(difference(worse, 0.0)),
        allowed: allowance.map(|a| a.display(metric.unit)),
        allowed_amount: allowance.map(|a| a.against(point.value)),
        relative: matches!(allowance, Some(policy::Allowance::Relative(_))),
    }
}

/// The worse of two graded statuses (pass, warn or fail).
fn worst(a: Status, b: Status) -> Status {
    let rank = |s| match s {
        Status::Fail => 2,
        Status::Warn => 1,
        _ => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn status_of(thresholds: &Thresholds, value: Option<f64>) -> Status {
    value.map_or(Status::Missing, |v| match thresholds.grade(v) {
        Grade::Pass => Status::Pass,
        Grade::Warn => Status::Warn,
        Grade::Fail => Status::Fail,
    })
}

/// Whether a scorecard with these counts passes the gate.
fn gate_passes(summary: Summary, policy: GatePolicy) -> bool {
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
    use crate::core::history::ScopeData;
    use crate::core::history::Trend;
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
        let card = evaluate(
            &catalog(),
            &Dataset::single(&[Some(0.5), Some(1.5), None]),
            None,
            policy(FailOn::Fail, false),
        );
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
        let card = evaluate(
            &cat,
            &Dataset::single(&[Some(0.5), Some(3.0), None]),
            None,
            policy(FailOn::Fail, false),
        );
        assert!(card.results[0].suggestions.is_empty());
        assert_eq!(card.results[0].miss, None);
        assert_eq!(*card.results[1].suggestions, ["idea"]);
        assert_eq!(card.results[1].miss, Some(Miss { side: Side::TooHigh, by: 2.0 }));
        assert_eq!(card.results[1].distance().unwrap(), "2 points too high: pass is under 1%");
    }

    #[test]
    fn gate_follows_fail_on() {
        let cat = catalog();
        let warn = [Some(0.5), Some(1.5), Some(0.1)];
        let fail = [Some(0.5), Some(5.0), Some(0.1)];
        assert!(
            evaluate(&cat, &Dataset::single(&warn), None, policy(FailOn::Fail, false)).gate.passed
        );
        assert!(
            !evaluate(&cat, &Dataset::single(&fail), None, policy(FailOn::Fail, false)).gate.passed
        );
        assert!(
            !evaluate(&cat, &Dataset::single(&warn), None, policy(FailOn::Warn, false)).gate.passed
        );
        assert!(
            evaluate(&cat, &Dataset::single(&fail), None, policy(FailOn::Never, false)).gate.passed
        );
    }

    #[test]
    fn require_all_fails_the_gate_on_missing_metrics() {
        let cat = catalog();
        let values = [Some(0.5), None, Some(0.1)];
        assert!(
            evaluate(&cat, &Dataset::single(&values), None, policy(FailOn::Fail, false))
                .gate
                .passed
        );
        assert!(
            !evaluate(&cat, &Dataset::single(&values), None, policy(FailOn::Fail, true))
                .gate
                .passed
        );
        assert!(
            !evaluate(&cat, &Dataset::single(&values), None, policy(FailOn::Never, true))
                .gate
                .passed
        );
    }

    fn day(d: &str) -> When {
        When::parse(d).unwrap()
    }

    fn obs(at: &str, value: Option<f64>) -> Observation {
        Observation { at: Some(day(at)), value }
    }

    /// Scope `api` with a history for metric `a` and one value for `b` at the first check-in.
    fn history() -> Dataset {
        let a = vec![
            obs("2026-11-16", Some(1.5)),
            obs("2026-11-02", Some(3.0)),
            obs("2026-11-09", None),
            obs("2026-11-23", Some(0.5)),
        ];
        let b = vec![obs("2026-11-02", Some(0.2))];
        Dataset { scopes: vec![ScopeData { name: Some("api".into()), series: vec![a, b, vec![]] }] }
    }

    #[test]
    fn the_latest_value_is_graded_and_the_one_before_is_its_previous() {
        let card = evaluate(&catalog(), &history(), None, policy(FailOn::Fail, false));
        let a = &card.results[0];
        assert_eq!((a.value, a.previous, a.change), (Some(0.5), Some(1.5), Some(-1.0)));
        assert_eq!((a.status, a.previous_status), (Status::Pass, Some(Status::Warn)));
        assert_eq!(a.trend, Some(Trend::Improving));
        assert_eq!(a.scope.as_deref(), Some("api"));
        assert_eq!(card.scopes[0].checked_at, Some(day("2026-11-23")));
    }

    #[test]
    fn history_lists_every_check_in_of_the_scope_with_gaps() {
        let card = evaluate(&catalog(), &history(), None, policy(FailOn::Fail, false));
        let values: Vec<_> = card.results[0].history.iter().map(|p| p.value).collect();
        assert_eq!(values, [Some(3.0), None, Some(1.5), Some(0.5)]);
        let b: Vec<_> = card.results[1].history.iter().map(|p| p.value).collect();
        assert_eq!(b, [Some(0.2), None, None, None]);
    }

    #[test]
    fn a_value_older_than_the_latest_check_in_is_stale_and_new_without_previous() {
        let card = evaluate(&catalog(), &history(), None, policy(FailOn::Fail, false));
        let b = &card.results[1];
        assert!(b.stale);
        assert_eq!(b.trend, Some(Trend::New));
        assert!(!card.results[0].stale);
        assert_eq!(card.results[2].status, Status::Missing);
    }

    #[test]
    fn as_of_evaluates_the_check_in_as_it_stood() {
        let p = policy(FailOn::Fail, false);
        let before = evaluate(&catalog(), &history(), Some(day("2026-11-01")), p);
        assert!(before.results.is_empty(), "no check-in yet");
        let between = evaluate(&catalog(), &history(), Some(day("2026-11-20")), p);
        assert_eq!(between.results[0].value, Some(1.5));
        assert_eq!(between.results[0].previous, Some(3.0));
        assert_eq!(between.results[0].trend, Some(Trend::Improving));
        assert_eq!(between.scopes[0].checked_at, Some(day("2026-11-16")));
        let after = evaluate(&catalog(), &history(), Some(day("2027-01-01")), p);
        assert_eq!(after.results, evaluate(&catalog(), &history(), None, p).results);
    }

    #[test]
    fn history_keeps_the_last_twelve_check_ins() {
        let series: Vec<Observation> =
            (1..=20).map(|d| obs(&format!("2026-10-{d:02}"), Some(f64::from(d)))).collect();
        let data = Dataset {
            scopes: vec![ScopeData { name: None, series: vec![series, vec![], vec![]] }],
        };
        let card = evaluate(&catalog(), &data, None, policy(FailOn::Fail, false));
        let history = &card.results[0].history;
        assert_eq!(history.len(), HISTORY_LEN);
        assert_eq!(history[0].date, day("2026-10-09"));
        assert_eq!(history[11].value, Some(20.0));
    }

    #[test]
    fn each_scope_gets_its_own_results_and_counts() {
        let mut data = history();
        let mut other = data.scopes[0].clone();
        other.name = Some("batch".into());
        other.series[0] = vec![obs("2026-11-23", Some(5.0))];
        data.scopes.push(other);
        let card = evaluate(&catalog(), &data, None, policy(FailOn::Fail, false));
        assert_eq!(card.results.len(), 6);
        assert_eq!(card.scopes.len(), 2);
        assert_eq!(card.scopes[1].summary.fail, 1);
        assert_eq!(card.summary.fail, 1);
        assert!(!card.gate.passed);
        let views = card.scope_views();
        assert_eq!(views[1].results[0].scope.as_deref(), Some("batch"));
    }

    #[test]
    fn undated_input_has_no_trend() {
        let card = evaluate(
            &catalog(),
            &Dataset::single(&[Some(1.0), None, None]),
            None,
            policy(FailOn::Fail, false),
        );
        assert_eq!(card.results[0].trend, None);
        assert!(card.results[0].history.is_empty());
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::history::ScopeData;

    fn day(d: &str) -> When {
        When::parse(d).unwrap()
    }

    /// Metric `a` (pass under 1, warn under 2) with `max_age` and `on_stale`; `b` checked in on
    /// 2026-11-23, so that is the scope's latest check-in.
    fn graded(a_value: f64, a_date: &str, max_age: u32, on_stale: OnStale) -> MetricResult {
        let mut a = metric("a", "A", &[]);
        a.max_age = Some(max_age);
        a.on_stale = on_stale;
        let catalog = Catalog::new("t".into(), "T".into(), vec![a, metric("b", "B", &[])]).unwrap();
        let series = vec![
            vec![Observation { at: Some(day(a_date)), value: Some(a_value) }],
            vec![Observation { at: Some(day("2026-11-23")), value: Some(0.5) }],
        ];
        let data = Dataset { scopes: vec![ScopeData { name: None, series }] };
        let policy = GatePolicy { fail_on: FailOn::Fail, require_all: false };
        evaluate(&catalog, &data, None, policy).results.remove(0)
    }

    #[test]
    fn a_value_exactly_max_age_old_is_graded_as_usual_and_a_day_older_is_overdue() {
        let at_limit = graded(0.5, "2026-11-09", 14, OnStale::Warn);
        assert_eq!((at_limit.status, at_limit.overdue), (Status::Pass, None));
        assert!(at_limit.stale, "older than the latest check-in is still stale");
        let past = graded(0.5, "2026-11-08", 14, OnStale::Warn);
        assert_eq!(past.status, Status::Warn);
        assert_eq!(
            past.overdue,
            Some(Box::new(Overdue { age_days: 15, max_age_days: 14, on_stale: OnStale::Warn }))
        );
    }

    #[test]
    fn on_stale_decides_what_an_overdue_value_becomes_and_warn_never_hides_a_failure() {
        assert_eq!(graded(0.5, "2026-11-01", 14, OnStale::Fail).status, Status::Fail);
        assert_eq!(graded(0.5, "2026-11-01", 14, OnStale::Missing).status, Status::Missing);
        assert_eq!(graded(5.0, "2026-11-01", 14, OnStale::Warn).status, Status::Fail);
        assert_eq!(graded(1.5, "2026-11-01", 14, OnStale::Warn).status, Status::Warn);
    }
}

#[cfg(test)]
mod regression_and_level_tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::history::ScopeData;
    use crate::core::levels::{Ladder, Level};
    use crate::core::policy::{Allowance, BaselineValues};
    use crate::core::unit::Unit;
    use crate::core::waiver::Waiver;

    fn day(d: &str) -> When {
        When::parse(d).unwrap()
    }

    fn policy() -> GatePolicy {
        GatePolicy { fail_on: FailOn::Fail, require_all: false }
    }

    /// One metric `m` graded by `pass`/`warn` in `unit`, with `rule`, measured `before` on
    /// 2026-11-16 and `now` on 2026-11-23, judged against the previous check-in.
    fn judged(
        unit: &str,
        bands: (&str, &str),
        rule: Regression,
        before: f64,
        now: f64,
    ) -> MetricResult {
        let mut m = metric("m", "M", &[]);
        m.unit = Unit::lookup(unit).unwrap();
        m.thresholds = Thresholds::new(
            Band::parse(bands.0, m.unit).unwrap(),
            Band::parse(bands.1, m.unit).unwrap(),
            m.unit,
        )
        .unwrap();
        m.regression = Some(rule);
        let catalog = Catalog::new("t".into(), "T".into(), vec![m]).unwrap();
        let series = vec![vec![
            Observation { at: Some(day("2026-11-16")), value: Some(before) },
            Observation { at: Some(day("2026-11-23")), value: Some(now) },
        ]];
        let data = Dataset { scopes: vec![ScopeData { name: None, series }] };
        let policies =
            Policies { baseline: Some(&Baseline::Previous), ..Policies::gate(None, policy()) };
        evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies).results.remove(0)
    }

    fn relative(warn: f64, fail: f64) -> Regression {
        Regression { warn: Some(Allowance::Relative(warn)), fail: Some(Allowance::Relative(fail)) }
    }

    #[test]
    fn a_relative_regression_warns_and_fails_past_its_allowances_even_when_the_threshold_passes() {
        let bands = ("<= 1000ms", "<= 2000ms");
        let rule = relative(0.05, 0.10);
        assert_eq!(judged("ms", bands, rule, 200.0, 210.0).status, Status::Pass, "exactly 5%");
        let warned = judged("ms", bands, rule, 200.0, 212.0);
        assert_eq!(warned.status, Status::Warn);
        let note = warned.regression.unwrap();
        assert_eq!(
            (note.verdict, note.baseline, note.change, note.allowed.as_deref()),
            (RegressionVerdict::Warn, Some(200.0), Some(12.0), Some("5%"))
        );
        assert_eq!(note.baseline_date, Some(day("2026-11-16")));
        assert_eq!(judged("ms", bands, rule, 200.0, 220.0).status, Status::Warn, "exactly 10%");
        assert_eq!(judged("ms", bands, rule, 200.0, 221.0).status, Status::Fail);
        assert_eq!(judged("ms", bands, rule, 200.0, 150.0).status, Status::Pass, "faster");
    }

    #[test]
    fn an_absolute_regression_is_in_the_metric_unit_and_follows_its_direction() {
        let coverage = (">= 80%", ">= 70%");
        let rule = Regression {
            warn: Some(Allowance::Absolute(1.0)),
            fail: Some(Allowance::Absolute(2.0)),
        };
        assert_eq!(judged("%", coverage, rule, 86.0, 85.0).status, Status::Pass, "1 point");
        assert_eq!(judged("%", coverage, rule, 86.0, 84.5).status, Status::Warn);
        assert_eq!(judged("%", coverage, rule, 86.0, 84.0).status, Status::Warn, "2 points");
        assert_eq!(judged("%", coverage, rule, 86.0, 83.9).status, Status::Fail);
        assert_eq!(
            judged("%", coverage, rule, 84.0, 90.0).status,
            Status::Pass,
            "higher is better"
        );
    }

    #[test]
    fn for_a_band_only_moving_away_from_it_is_a_regression() {
        let cpu = (">= 50% and <= 70%", ">= 40% and <= 80%");
        let rule = Regression { warn: None, fail: Some(Allowance::Absolute(2.0)) };
        assert_eq!(judged("%", cpu, rule, 52.0, 68.0).status, Status::Pass, "inside the band");
        assert_eq!(
            judged("%", cpu, rule, 71.0, 73.0).status,
            Status::Warn,
            "thresholds warn; 2 points"
        );
        assert_eq!(
            judged("%", cpu, rule, 55.0, 72.1).regression.unwrap().verdict,
            RegressionVerdict::Fail
        );
        assert_eq!(
            judged("%", cpu, rule, 75.0, 45.0).regression.unwrap().verdict,
            RegressionVerdict::Pass
        );
    }

    #[test]
    fn a_metric_missing_from_the_baseline_is_new_and_never_a_regression() {
        let mut m = metric("m", "M", &[]);
        m.regression = Some(relative(0.0, 0.0));
        let catalog = Catalog::new("t".into(), "T".into(), vec![m, metric("n", "N", &[])]).unwrap();
        let data = Dataset::single(&[Some(0.5), Some(0.5)]);
        let mut values = BaselineValues::default();
        values.insert(None, "n", BaselinePoint { value: 0.1, date: None });
        let baseline = Baseline::Values(values);
        let policies = Policies { baseline: Some(&baseline), ..Policies::gate(None, policy()) };
        let card = evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies);
        let note = card.results[0].regression.as_ref().unwrap();
        assert_eq!((note.verdict, note.baseline), (RegressionVerdict::New, None));
        assert_eq!(card.results[0].status, Status::Pass);
        assert!(card.results[1].regression.is_none(), "no policy, no verdict");
    }

    /// Metrics a, b, c in one scope, graded with a ladder Bronze [a], Silver [b], Gold [c].
    fn laddered(
        values: &[Option<f64>],
        weights: [f64; 3],
        waivers: &[Waiver],
        require: Option<usize>,
    ) -> Scorecard {
        let metrics = ["a", "b", "c"]
            .iter()
            .zip(weights)
            .map(|(id, weight)| {
                let mut m = metric(id, &id.to_uppercase(), &[]);
                m.weight = weight;
                m
            })
            .collect();
        let mut catalog = Catalog::new("t".into(), "T".into(), metrics).unwrap();
        let level = |name: &str, id: &str| Level { name: name.into(), metrics: vec![id.into()] };
        catalog.ladder = Ladder {
            levels: vec![level("Bronze", "a"), level("Silver", "b"), level("Gold", "c")],
            warn_holds: false,
        };
        let data = Dataset::single(values);
        let policies = Policies {
            waivers: Some(Waivers { waivers, today: "2026-11-23".parse().unwrap() }),
            require_level: require,
            ..Policies::gate(None, policy())
        };
        evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies)
    }

    #[test]
    fn a_waived_metric_holds_its_level_until_the_waiver_expires() {
        let waiver = |until: &str| Waiver {
            metric: "b".into(),
            scope: None,
            reason: "agreed".into(),
            until: until.parse().unwrap(),
        };
        let values = [Some(0.5), Some(5.0), Some(0.5)];
        let without = laddered(&values, [1.0; 3], &[], None);
        let standing = without.scopes[0].standing.as_ref().unwrap();
        assert_eq!(standing.level.as_deref(), Some("Bronze"));
        assert_eq!(standing.next_level.as_deref(), Some("Silver"));
        assert_eq!(standing.blocking, [Shared::from("b")]);
        let in_force = laddered(&values, [1.0; 3], &[waiver("2026-11-23")], None);
        assert_eq!(in_force.scopes[0].standing.as_ref().unwrap().level.as_deref(), Some("Gold"));
        let expired = laddered(&values, [1.0; 3], &[waiver("2026-11-22")], None);
        assert_eq!(expired.scopes[0].standing.as_ref().unwrap().level.as_deref(), Some("Bronze"));
    }

    #[test]
    fn the_score_weighs_each_metric_and_a_waiver_does_not_raise_it() {
        let values = [Some(0.5), Some(1.5), Some(5.0)];
        assert_eq!(laddered(&values, [1.0; 3], &[], None).scopes[0].score, Some(50.0));
        assert_eq!(laddered(&values, [2.0, 1.0, 1.0], &[], None).scopes[0].score, Some(62.5));
        assert_eq!(
            laddered(&[Some(0.5), None, None], [1.0; 3], &[], None).scopes[0].score,
            Some(33.3)
        );
    }

    #[test]
    fn require_level_fails_the_gate_below_the_level_and_passes_at_it() {
        let values = [Some(0.5), Some(0.5), Some(1.5)];
        let silver = laddered(&values, [1.0; 3], &[], Some(1));
        assert!(silver.gate.passed);
        assert_eq!(silver.gate.require_level.as_deref(), Some("Silver"));
        assert!(!laddered(&values, [1.0; 3], &[], Some(2)).gate.passed, "Gold needs c");
        assert!(laddered(&values, [1.0; 3], &[], None).gate.passed);
    }
}

#[cfg(test)]
mod window_tests {
    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;

    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::history::ScopeData;
    use crate::core::window::Window;

    fn catalog() -> Catalog {
        let metrics = vec![metric("a", "A", &[]), metric("b", "B", &[]), metric("c", "C", &[])];
        Catalog::new("t".into(), "T".into(), metrics).unwrap()
    }

    fn day(n: u8) -> When {
        let date = jiff::civil::date(2026, 1, 1) + jiff::Span::new().days(i64::from(n));
        When::parse(&date.to_string()).unwrap()
    }

    /// Rows of one scope: (metric, day, value), in the order a file would give them; a metric has
    /// at most one row per day, as the reader guarantees.
    fn rows() -> impl Strategy<Value = Vec<(usize, u8, Option<f64>)>> {
        // Sparse and dense series: how often a check-in has a value varies from case to case.
        (0.05..0.95f64)
            .prop_flat_map(|filled| {
                vec((0..3usize, 0..30u8, option::weighted(filled, 0.0..3.0f64)), 0..150)
            })
            .prop_map(|mut rows| {
                let mut seen = std::collections::HashSet::new();
                rows.retain(|&(metric, day, _)| seen.insert((metric, day)));
                rows
            })
    }

    proptest! {
        #[test]
        fn a_window_evaluates_as_every_row_does(rows in rows(), as_of in option::of(0..30u8)) {
            let as_of = as_of.map(day);
            let mut every: Vec<Vec<Observation>> = vec![Vec::new(); 3];
            let mut windows: [Window; 3] = Default::default();
            for &(metric, n, value) in &rows {
                let observation = Observation { at: Some(day(n)), value };
                every[metric].push(observation);
                if as_of.is_none_or(|limit| day(n).not_after(limit)) {
                    windows[metric].add(observation);
                }
            }
            let kept: Vec<Vec<Observation>> =
                windows.iter().map(Window::observations).collect();
            prop_assert!(kept.iter().all(|s| s.len() <= HISTORY_LEN + GRADED));
            prop_assert!(kept.iter().all(|s| s.is_sorted_by_key(|o| o.at)));
            let scope = |series| Dataset { scopes: vec![ScopeData { name: Some("api".into()), series }] };
            let policy = GatePolicy { fail_on: FailOn::Fail, require_all: false };
            prop_assert_eq!(
                evaluate(&catalog(), &scope(kept), as_of, policy),
                evaluate(&catalog(), &scope(every), as_of, policy)
            );
        }
    }

    #[test]
    fn a_window_keeps_an_old_value_when_the_recent_check_ins_have_none() {
        let mut window = Window::default();
        window.add(Observation { at: Some(day(0)), value: Some(1.0) });
        window.add(Observation { at: Some(day(1)), value: Some(2.0) });
        for n in 2..30 {
            window.add(Observation { at: Some(day(n)), value: None });
        }
        let kept = window.observations();
        assert_eq!(kept.len(), HISTORY_LEN + GRADED);
        assert_eq!((kept[0].value, kept[1].value), (Some(1.0), Some(2.0)));
        assert_eq!(kept[2].at, Some(day(18)), "the last twelve are days 18 to 29");
    }
}

#[cfg(test)]
mod parallel_tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::scorecard::{FailOn, GatePolicy};

    /// Scopes enough for several chunks and a last short one, each with a few check-ins, some
    /// with no data at all and one with no check-in visible at `as_of` (left out).
    fn data() -> Dataset {
        let day = |n: u64| {
            let date =
                jiff::civil::date(2026, 1, 1) + jiff::Span::new().days(i64::try_from(n).unwrap());
            When::parse(&date.to_string()).unwrap()
        };
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let scopes = (0..CHUNK_SCOPES * 3 + 17)
            .map(|s| ScopeData {
                name: Some(format!("service-{s}")),
                series: (0..3)
                    .map(|_| {
                        let first = if s == 5 { 40 } else { next() % 4 };
                        (first..first + next() % 5)
                            .map(|d| {
                                let value = (next() % 7 > 0).then(|| (next() % 300) as f64 / 10.0);
                                Observation { at: Some(day(d)), value }
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        Dataset { scopes }
    }

    #[test]
    fn threads_grade_to_the_scorecard_one_thread_makes() {
        let metrics = vec![metric("a", "A", &[]), metric("b", "B", &[]), metric("c", "C", &[])];
        let catalog = Catalog::new("t".into(), "T".into(), metrics).unwrap();
        let data = data();
        let gate = GatePolicy { fail_on: FailOn::Warn, require_all: true };
        let limit = When::parse("2026-01-30").unwrap();
        let as_of = Some(limit);
        let card = |threads| {
            let policies = Policies { threads, ..Policies::gate(as_of, gate) };
            evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies)
        };
        let owned = |threads| {
            let policies = Policies { threads, ..Policies::gate(as_of, gate) };
            evaluate_owned(&catalog, &|_| Cow::Borrowed(&catalog), data.clone(), &policies)
        };
        let one = card(1);
        let graded = |s: &ScopeData| s.series.iter().flatten().any(|o| o.at.unwrap() <= limit);
        assert_eq!(one.scopes.len(), data.scopes.iter().filter(|s| graded(s)).count());
        assert!(one.scopes.len() > 2 * CHUNK_SCOPES && !graded(&data.scopes[5]));
        for threads in [2, 3, 8] {
            assert_eq!(card(threads), one, "{threads} threads");
        }
        for threads in [1, 2, 3] {
            assert_eq!(owned(threads), one, "{threads} threads, the data given away");
        }
    }
}
