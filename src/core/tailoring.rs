//! Tailoring a catalog to a team: changed and new metrics, per-scope thresholds, and turning metrics
//! off. Pure: takes a base catalog and the changes as values and returns the catalog in effect, or
//! every problem, each naming the change and the key it is about so the reader can give its line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use super::catalog::{Catalog, Definition, Metric, NameClash, Origin, UnknownMetric, normalize};
use super::levels::{Ladder, Level};
use super::policy::{self, OnStale, PolicyError, Regression};
use super::text::printable;
use super::threshold::{Band, ThresholdError, Thresholds, WarnWithoutPass};
use super::unit::Unit;
use super::waiver::Waiver;

/// The catalog in effect and what else a config says about it: per-scope changes and waivers.
#[derive(Debug, Clone)]
pub struct CatalogInEffect {
    /// The base catalog with the config's changes applied.
    pub catalog: Catalog,
    /// Per-scope changes; see [`CatalogInEffect::catalog_for`].
    pub scopes: Vec<ScopeOverride>,
    pub waivers: Vec<Waiver>,
    /// How the config names its base catalog for `extends:`, e.g. `backend-team` or a path.
    pub base: String,
    /// The config file, when there is one.
    pub config: Option<String>,
}

impl CatalogInEffect {
    /// The catalog for `scope`; see [`for_scope`].
    pub fn catalog_for(&self, scope: &str) -> Catalog {
        for_scope(&self.catalog, &self.scopes, scope)
    }

    /// The catalog for an optional scope, borrowed unless the config changes that scope, so that
    /// many scopes without overrides cost no copies.
    pub fn catalog_for_scope(&self, scope: Option<&str>) -> Cow<'_, Catalog> {
        match scope {
            Some(name) if self.scopes.iter().any(|o| o.scope == name) => {
                Cow::Owned(self.catalog_for(name))
            }
            _ => Cow::Borrowed(&self.catalog),
        }
    }

    /// The names of the scopes the config changes, in the order first written.
    pub fn scope_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for o in &self.scopes {
            if !names.contains(&o.scope.as_str()) {
                names.push(&o.scope);
            }
        }
        names
    }
}

/// What a catalog entry, or an entry under `metrics:` in a config, says about one metric. `None`
/// keeps the base catalog's value; a new metric needs every field a catalog metric has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricChange {
    /// The metric to change (any name the base catalog knows it by), or the id of a new metric.
    pub id: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub target: Option<String>,
    /// A unit symbol, e.g. `ms`.
    pub unit: Option<String>,
    /// A threshold in notation, e.g. `<= 200ms`.
    pub pass: Option<String>,
    pub warn: Option<String>,
    /// The values the metric can take at all, in threshold notation, e.g. `<= 100%`.
    pub range: Option<String>,
    /// How old the latest value may be, e.g. `14d`.
    pub max_age: Option<String>,
    /// `warn`, `fail` or `missing`: what a value older than `max_age` becomes.
    pub on_stale: Option<String>,
    /// `regression.warn` and `regression.fail`: how much worse than a baseline, e.g. `5%` or
    /// `2 points`. Either replaces the base's whole `regression`.
    pub regression_warn: Option<String>,
    pub regression_fail: Option<String>,
    /// How much the metric counts in a scope's score, e.g. `2`.
    pub weight: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub ideas: Option<Vec<String>>,
    /// `false` takes the metric out of the catalog in effect.
    pub enabled: Option<bool>,
    /// Where the change writes its `pass` (or else `warn`), when it writes either.
    pub threshold_at: Option<Definition>,
}

/// The keys a new metric must have, in the order they are reported.
pub(crate) const REQUIRED: [&str; 8] =
    ["name", "category", "description", "target", "unit", "pass", "warn", "ideas"];

/// What a scope changes about one metric: only what may differ between scopes, so that names,
/// units and the order of metrics are the same in every scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScopeChange {
    /// The scope, e.g. `batch-jobs`.
    pub scope: String,
    /// Any name the catalog knows the metric by.
    pub metric: String,
    pub target: Option<String>,
    pub pass: Option<String>,
    pub warn: Option<String>,
    pub regression_warn: Option<String>,
    pub regression_fail: Option<String>,
    pub ideas: Option<Vec<String>>,
    /// Where the change writes its `pass` (or else `warn`), when it writes either.
    pub threshold_at: Option<Definition>,
}

/// A validated scope change, ready to apply with [`for_scope`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeOverride {
    pub scope: String,
    /// The metric's id.
    pub metric: String,
    pub target: Option<String>,
    pub thresholds: Option<Thresholds>,
    /// The scope's `regression:`, replacing the metric's.
    pub regression: Option<Regression>,
    /// Where the scope's thresholds are written.
    pub threshold_at: Option<Definition>,
    pub ideas: Option<Vec<String>>,
    /// The file that set it and the keys it set, for `kpi catalog show`.
    pub origin: (String, Vec<&'static str>),
}

/// A problem with one change: which change (its index), which key of it, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeError {
    pub index: usize,
    /// The key the problem is about, e.g. `pass`; `id` means the entry as a whole.
    pub key: &'static str,
    /// The metric the change is about, as written.
    pub metric: String,
    pub problem: ChangeProblem,
}

/// What is wrong with a change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChangeProblem {
    /// A change for a metric the base catalog lacks, without what a new metric needs.
    #[error(
        "{0}; to add a new metric instead, give it {required}",
        required = REQUIRED.map(|k| format!("`{k}`")).join(", ")
    )]
    UnknownToChange(UnknownMetric),
    #[error("{0}")]
    UnknownMetric(UnknownMetric),
    #[error("metric `{}` appears twice; keep one entry per metric", printable(.id))]
    DuplicateId { id: String },
    #[error("the new metric has no `{key}`; a new metric needs every field a catalog metric has")]
    MissingField { key: &'static str },
    #[error("`{key}` is empty; give it a value")]
    EmptyField { key: &'static str },
    #[error("`ideas` is empty; list what a team can do to improve it")]
    NoIdeas,
    #[error("unknown unit `{}`; use one of {known}", printable(.unit), known = Unit::known_symbols())]
    UnknownUnit { unit: String },
    #[error("`{key}`: {source}")]
    Threshold { key: &'static str, source: ThresholdError },
    #[error("{0}")]
    WarnWithoutPass(WarnWithoutPass),
    #[error("the unit changes to `{}`, so give `pass` and `warn` in it too", printable(.unit))]
    UnitWithoutThresholds { unit: String },
    #[error("{0}")]
    NameClash(NameClash),
    #[error("`{key}`: {source}")]
    Policy { key: &'static str, source: PolicyError },
    #[error("level `{}` appears twice; give each level its own name", printable(.name))]
    DuplicateLevel { name: String },
    #[error("level `{}` requires no metrics; list the metrics it requires under `metrics`", printable(.name))]
    EmptyLevel { name: String },
    #[error("level `{}`: metric `{id}` is already required by level `{}`; a metric belongs to one level", printable(.name), printable(.first))]
    LevelMetricTwice { name: String, id: String, first: String },
    #[error("level `{}`: {unknown}", printable(.name))]
    LevelMetricUnknown { name: String, unknown: UnknownMetric },
}

impl ChangeProblem {
    /// The stable code of the problem, e.g. `unknown-unit`.
    pub fn code(&self) -> &'static str {
        match self {
            ChangeProblem::UnknownToChange(_)
            | ChangeProblem::UnknownMetric(_)
            | ChangeProblem::LevelMetricUnknown { .. } => "unknown-metric",
            ChangeProblem::DuplicateId { .. } | ChangeProblem::LevelMetricTwice { .. } => {
                "duplicate-id"
            }
            ChangeProblem::MissingField { .. } => "missing-field",
            ChangeProblem::EmptyField { .. } => "empty-field",
            ChangeProblem::NoIdeas => "no-ideas",
            ChangeProblem::UnknownUnit { .. } => "unknown-unit",
            ChangeProblem::Threshold { source: ThresholdError::Empty { .. }, .. } => "empty-band",
            ChangeProblem::Threshold { .. } => "invalid-threshold",
            ChangeProblem::WarnWithoutPass(_) => "warn-without-pass",
            ChangeProblem::UnitWithoutThresholds { .. } => "unit-without-thresholds",
            ChangeProblem::NameClash(_) => "name-clash",
            ChangeProblem::Policy { source, .. } => source.code(),
            ChangeProblem::DuplicateLevel { .. } => "duplicate-level",
            ChangeProblem::EmptyLevel { .. } => "empty-level",
        }
    }
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            // These name their metrics themselves.
            p @ (ChangeProblem::UnknownToChange(_)
            | ChangeProblem::UnknownMetric(_)
            | ChangeProblem::DuplicateId { .. }
            | ChangeProblem::NameClash(_)
            | ChangeProblem::DuplicateLevel { .. }
            | ChangeProblem::EmptyLevel { .. }
            | ChangeProblem::LevelMetricTwice { .. }
            | ChangeProblem::LevelMetricUnknown { .. }) => write!(f, "{p}"),
            p => write!(f, "metric `{}`: {p}", printable(&self.metric)),
        }
    }
}

/// Applies `changes`, written in `file`, to `base`: overrides of its metrics and new metrics, in
/// order. Metrics turned off leave the catalog in effect. `title` replaces the base title.
pub(crate) fn apply(
    base: &Catalog,
    changes: &[MetricChange],
    file: &str,
    title: Option<String>,
) -> Result<Catalog, Vec<ChangeError>> {
    let mut metrics: Vec<Metric> = base.metrics().to_vec();
    let mut enabled = vec![true; metrics.len()];
    // The change that set each metric, by its place in `metrics`.
    let mut set_by: HashMap<usize, usize> = HashMap::new();
    let mut new_ids: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        let mut fail = |key, problem| {
            errors.push(ChangeError { index, key, metric: change.id.clone(), problem });
        };
        let slot = match base.resolve(&change.id) {
            Ok(slot) => Some(slot),
            Err(unknown) => {
                let is_new = change.name.is_some()
                    && (unknown.suggestion.is_none() || is_complete(change))
                    && unknown.disabled.is_none();
                if !is_new {
                    fail("id", ChangeProblem::UnknownToChange(unknown));
                    continue;
                }
                new_ids.get(&normalize(&change.id)).copied()
            }
        };
        if let Some(slot) = slot.filter(|s| set_by.contains_key(s)) {
            fail("id", ChangeProblem::DuplicateId { id: metrics[slot].id.clone() });
            continue;
        }
        let base_metric = slot.map(|s| &metrics[s]);
        match build(base_metric, change, file) {
            Ok(metric) => {
                let slot = slot.unwrap_or_else(|| {
                    new_ids.insert(normalize(&change.id), metrics.len());
                    metrics.push(metric.clone());
                    enabled.push(true);
                    metrics.len() - 1
                });
                enabled[slot] = change.enabled.unwrap_or(enabled[slot]);
                metrics[slot] = metric;
                set_by.insert(slot, index);
            }
            Err(problems) => {
                for (key, problem) in problems {
                    fail(key, problem);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (on, off): (Vec<_>, Vec<_>) = metrics.into_iter().zip(enabled).partition(|(_, e)| *e);
    let on: Vec<Metric> = on.into_iter().map(|(m, _)| m).collect();
    let off: Vec<Metric> = off.into_iter().map(|(m, _)| m).collect();
    let title = title.unwrap_or_else(|| base.title.clone());
    match Catalog::new(base.name.clone(), title, on) {
        Ok(mut catalog) => {
            // A metric turned off is no longer required by the level it was on.
            catalog.ladder = base.ladder.clone();
            for level in &mut catalog.ladder.levels {
                level.metrics.retain(|id| off.iter().all(|m| &m.id != id));
            }
            catalog.ladder.levels.retain(|l| !l.metrics.is_empty());
            Ok(catalog.with_disabled(&off))
        }
        Err(clashes) => Err(clashes
            .into_iter()
            .map(|clash| {
                let index = changes
                    .iter()
                    .rposition(|c| [&clash.second, &clash.first].contains(&&normalize(&c.id)))
                    .unwrap_or(0);
                ChangeError {
                    index,
                    key: "aliases",
                    metric: changes.get(index).map(|c| c.id.clone()).unwrap_or_default(),
                    problem: ChangeProblem::NameClash(clash),
                }
            })
            .collect()),
    }
}

fn is_complete(change: &MetricChange) -> bool {
    missing_keys(change).is_empty()
}

fn missing_keys(change: &MetricChange) -> Vec<&'static str> {
    let present = [
        change.name.is_some(),
        change.category.is_some(),
        change.description.is_some(),
        change.target.is_some(),
        change.unit.is_some(),
        change.pass.is_some(),
        change.warn.is_some(),
        change.ideas.is_some(),
    ];
    REQUIRED.iter().zip(present).filter(|(_, p)| !p).map(|(k, _)| *k).collect()
}

/// The metric `change` makes of `base` (or a new metric when there is no base), or its problems.
fn build(
    base: Option<&Metric>,
    change: &MetricChange,
    file: &str,
) -> Result<Metric, Vec<(&'static str, ChangeProblem)>> {
    let mut problems = Vec::new();
    if base.is_none() {
        for key in missing_keys(change) {
            problems.push(("id", ChangeProblem::MissingField { key }));
        }
    }
    let texts = [
        ("id", Some(&change.id)),
        ("name", change.name.as_ref()),
        ("category", change.category.as_ref()),
        ("target", change.target.as_ref()),
    ];
    for (key, value) in texts {
        if value.is_some_and(|v| v.trim().is_empty()) {
            problems.push((key, ChangeProblem::EmptyField { key }));
        }
    }
    if change.ideas.as_ref().is_some_and(Vec::is_empty) {
        problems.push(("ideas", ChangeProblem::NoIdeas));
    }
    let unit = match (&change.unit, base) {
        (Some(symbol), _) => Unit::lookup(symbol).or_else(|| {
            problems.push(("unit", ChangeProblem::UnknownUnit { unit: symbol.clone() }));
            None
        }),
        (None, Some(base)) => Some(base.unit),
        (None, None) => None,
    };
    let thresholds = unit.and_then(|unit| {
        if let Some(base) = base
            && !std::ptr::eq(unit, base.unit)
            && (change.pass.is_none() || change.warn.is_none())
        {
            problems.push((
                "unit",
                ChangeProblem::UnitWithoutThresholds { unit: unit.symbol.to_string() },
            ));
            return None;
        }
        let mut band = |key, text: &Option<String>, old: Option<Band>| match text {
            Some(text) => Band::parse(text, unit)
                .map_err(|source| problems.push((key, ChangeProblem::Threshold { key, source })))
                .ok(),
            None => old,
        };
        let pass = band("pass", &change.pass, base.map(|b| b.thresholds.pass));
        let warn = band("warn", &change.warn, base.map(|b| b.thresholds.warn));
        let range = match &change.range {
            Some(text) => Some(band("range", &Some(text.clone()), None)?),
            None => base.and_then(|b| b.range),
        };
        let key = if change.warn.is_some() { "warn" } else { "pass" };
        let thresholds = Thresholds::new(pass?, warn?, unit)
            .map_err(|e| problems.push((key, ChangeProblem::WarnWithoutPass(e))))
            .ok()?;
        Some((thresholds, range))
    });
    let policies = policies_of(base, change, unit).map_err(|found| problems.extend(found)).ok();
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(unit), Some((thresholds, range)), Some(policies)) = (unit, thresholds, policies)
    else {
        unreachable!("a missing unit, threshold or policy is a problem reported above")
    };
    let (max_age, on_stale, regression, weight) = policies;
    let or = |new: &Option<String>, old: Option<&String>| {
        new.clone().or_else(|| old.cloned()).unwrap_or_default()
    };
    let origin = origin_of(base, change, file);
    Ok(Metric {
        id: base.map_or_else(|| change.id.clone(), |b| b.id.clone()),
        name: or(&change.name, base.map(|b| &b.name)),
        category: or(&change.category, base.map(|b| &b.category)),
        description: or(&change.description, base.map(|b| &b.description)),
        target: or(&change.target, base.map(|b| &b.target)),
        unit,
        thresholds,
        range,
        max_age,
        on_stale,
        regression,
        weight,
        aliases: change
            .aliases
            .clone()
            .or_else(|| base.map(|b| b.aliases.clone()))
            .unwrap_or_default(),
        ideas: change.ideas.clone().or_else(|| base.map(|b| b.ideas.clone())).unwrap_or_default(),
        origin,
    })
}

/// A metric's staleness, regression and weight policies: the change's where it gives them, else
/// the base's, else the defaults.
type Policies = (Option<u32>, OnStale, Option<Regression>, f64);

fn policies_of(
    base: Option<&Metric>,
    change: &MetricChange,
    unit: Option<&'static Unit>,
) -> Result<Policies, Vec<(&'static str, ChangeProblem)>> {
    let mut problems = Vec::new();
    let mut fail = |key, source| problems.push((key, ChangeProblem::Policy { key, source }));
    // Each given text parsed, or its problem noted: `Some(None)` is a text that did not parse.
    let max_age = change
        .max_age
        .as_deref()
        .map(|t| policy::parse_age(t).map_err(|e| fail("max_age", e)).ok());
    let on_stale = change
        .on_stale
        .as_deref()
        .map(|t| policy::parse_on_stale(t).map_err(|e| fail("on_stale", e)).ok());
    let weight = change
        .weight
        .as_deref()
        .map(|t| policy::parse_weight(t).map_err(|e| fail("weight", e)).ok());
    let given = change.regression_warn.is_some() || change.regression_fail.is_some();
    let regression = unit.filter(|_| given).map(|unit| {
        let mut allowance = |text: &Option<String>| match text.as_deref() {
            None => Ok(None),
            Some(t) => {
                policy::parse_allowance(t, unit).map(Some).map_err(|e| fail("regression", e))
            }
        };
        let (warn, fail_at) =
            (allowance(&change.regression_warn), allowance(&change.regression_fail));
        match (warn, fail_at) {
            (Ok(warn), Ok(fail_at)) => {
                Regression { warn, fail: fail_at }.check().map_err(|e| fail("regression", e)).ok()
            }
            _ => None,
        }
    });
    let max_age = match max_age {
        Some(parsed) => parsed,
        None => base.and_then(|b| b.max_age),
    };
    if change.on_stale.is_some() && max_age.is_none() && change.max_age.is_none() {
        fail("on_stale", PolicyError::OnStaleWithoutMaxAge);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((
        max_age,
        on_stale.flatten().unwrap_or_else(|| base.map_or(OnStale::Warn, |b| b.on_stale)),
        match regression {
            Some(parsed) => parsed,
            None => base.and_then(|b| b.regression),
        },
        weight.flatten().unwrap_or_else(|| base.map_or(1.0, |b| b.weight)),
    ))
}

/// Which files defined and changed the metric `change` makes of `base`, and where its thresholds
/// are written now.
fn origin_of(base: Option<&Metric>, change: &MetricChange, file: &str) -> Origin {
    let mut origin = match base {
        Some(base) => {
            let mut origin = base.origin.clone();
            origin.changed_in.push((file.to_string(), changed_keys(change)));
            origin
        }
        None => Origin { defined_in: file.to_string(), ..Origin::default() },
    };
    if (change.pass.is_some() || change.warn.is_some()) && change.threshold_at.is_some() {
        origin.threshold_at.clone_from(&change.threshold_at);
    }
    origin
}

fn changed_keys(change: &MetricChange) -> Vec<&'static str> {
    let set = [
        ("name", change.name.is_some()),
        ("category", change.category.is_some()),
        ("description", change.description.is_some()),
        ("target", change.target.is_some()),
        ("unit", change.unit.is_some()),
        ("pass", change.pass.is_some()),
        ("warn", change.warn.is_some()),
        ("range", change.range.is_some()),
        ("max_age", change.max_age.is_some()),
        ("on_stale", change.on_stale.is_some()),
        ("regression", change.regression_warn.is_some() || change.regression_fail.is_some()),
        ("weight", change.weight.is_some()),
        ("aliases", change.aliases.is_some()),
        ("ideas", change.ideas.is_some()),
        ("enabled", change.enabled.is_some()),
    ];
    set.into_iter().filter(|(_, s)| *s).map(|(k, _)| k).collect()
}

/// Checks scope changes, written in `file`, against the catalog in effect.
pub(crate) fn scope_overrides(
    catalog: &Catalog,
    changes: &[ScopeChange],
    file: &str,
) -> Result<Vec<ScopeOverride>, Vec<ChangeError>> {
    let mut overrides: Vec<ScopeOverride> = Vec::new();
    let mut errors = Vec::new();
    for (index, change) in changes.iter().enumerate() {
        let mut fail = |key, problem| {
            errors.push(ChangeError { index, key, metric: change.metric.clone(), problem });
        };
        let metric = match catalog.resolve(&change.metric) {
            Ok(slot) => &catalog.metrics()[slot],
            Err(unknown) => {
                fail("id", ChangeProblem::UnknownMetric(unknown));
                continue;
            }
        };
        if overrides.iter().any(|o| o.scope == change.scope && o.metric == metric.id) {
            fail("id", ChangeProblem::DuplicateId { id: metric.id.clone() });
            continue;
        }
        let as_change = MetricChange {
            id: metric.id.clone(),
            target: change.target.clone(),
            pass: change.pass.clone(),
            warn: change.warn.clone(),
            regression_warn: change.regression_warn.clone(),
            regression_fail: change.regression_fail.clone(),
            ideas: change.ideas.clone(),
            ..MetricChange::default()
        };
        match build(Some(metric), &as_change, file) {
            Ok(scoped) => overrides.push(ScopeOverride {
                scope: change.scope.clone(),
                metric: metric.id.clone(),
                target: change.target.clone(),
                thresholds: (change.pass.is_some() || change.warn.is_some())
                    .then_some(scoped.thresholds),
                threshold_at: change.threshold_at.clone(),
                regression: (change.regression_warn.is_some() || change.regression_fail.is_some())
                    .then_some(scoped.regression)
                    .flatten(),
                ideas: change.ideas.clone(),
                origin: (format!("{file} (scope `{}`)", change.scope), changed_keys(&as_change)),
            }),
            Err(problems) => {
                for (key, problem) in problems {
                    fail(key, problem);
                }
            }
        }
    }
    if errors.is_empty() { Ok(overrides) } else { Err(errors) }
}

/// The catalog for one scope: `catalog` with the thresholds, targets and ideas that `overrides`
/// set for `scope`. The metrics, their names and their order are the same as in `catalog`, so one
/// slot per metric lines up with either. A scope without overrides gets `catalog` as it is.
pub(crate) fn for_scope(catalog: &Catalog, overrides: &[ScopeOverride], scope: &str) -> Catalog {
    let mut scoped = catalog.clone();
    for o in overrides.iter().filter(|o| o.scope == scope) {
        let Some(metric) = scoped.metrics_mut().iter_mut().find(|m| m.id == o.metric) else {
            continue;
        };
        if let Some(thresholds) = o.thresholds {
            metric.thresholds = thresholds;
            if o.threshold_at.is_some() {
                metric.origin.threshold_at.clone_from(&o.threshold_at);
            }
        }
        if let Some(regression) = o.regression {
            metric.regression = Some(regression);
        }
        if let Some(target) = &o.target {
            metric.target.clone_from(target);
        }
        if let Some(ideas) = &o.ideas {
            metric.ideas.clone_from(ideas);
        }
        metric.origin.changed_in.push(o.origin.clone());
    }
    scoped
}

/// A level as written: its name and the metrics it requires, by any name the catalog knows them by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelChange {
    pub name: String,
    pub metrics: Vec<String>,
}

/// Checks `levels` (lowest first) against `catalog` and makes them its ladder: each level needs a
/// name of its own and at least one metric the catalog has, and a metric belongs to one level.
/// Problems name the level's index, with the key `name` or `metrics`.
pub(crate) fn ladder(
    catalog: &Catalog,
    levels: &[LevelChange],
    warn_holds: bool,
) -> Result<Ladder, Vec<ChangeError>> {
    let mut ladder = Ladder { levels: Vec::with_capacity(levels.len()), warn_holds };
    let mut errors = Vec::new();
    for (index, change) in levels.iter().enumerate() {
        let mut fail = |key, problem| {
            errors.push(ChangeError { index, key, metric: change.name.clone(), problem });
        };
        let name = change.name.clone();
        if change.name.trim().is_empty() {
            fail("name", ChangeProblem::EmptyField { key: "name" });
        } else if ladder.find(&change.name).is_some() {
            fail("name", ChangeProblem::DuplicateLevel { name: name.clone() });
        }
        if change.metrics.is_empty() {
            fail("metrics", ChangeProblem::EmptyLevel { name: name.clone() });
        }
        let mut ids = Vec::with_capacity(change.metrics.len());
        for written in &change.metrics {
            match catalog.resolve(written) {
                Ok(slot) => {
                    let id = catalog.metrics()[slot].id.clone();
                    let first = ladder
                        .levels
                        .iter()
                        .find(|l| l.metrics.contains(&id))
                        .map(|l| l.name.clone());
                    match first.or_else(|| ids.contains(&id).then(|| name.clone())) {
                        Some(first) => fail(
                            "metrics",
                            ChangeProblem::LevelMetricTwice { name: name.clone(), id, first },
                        ),
                        None => ids.push(id),
                    }
                }
                Err(unknown) => fail(
                    "metrics",
                    ChangeProblem::LevelMetricUnknown { name: name.clone(), unknown },
                ),
            }
        }
        ladder.levels.push(Level { name, metrics: ids });
    }
    if errors.is_empty() { Ok(ladder) } else { Err(errors) }
}

/// Resolves each waiver's metric name to its id in `catalog`; an unknown metric, or a second
/// waiver for the same metric and scope, is a problem naming the waiver's index.
pub(crate) fn resolve_waivers(
    catalog: &Catalog,
    waivers: Vec<Waiver>,
) -> Result<Vec<Waiver>, Vec<ChangeError>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::catalog::tests::metric;
    use crate::core::threshold::Grade;

    fn base() -> Catalog {
        let mut latency = metric("response_time", "Response Time", &["latency"]);
        latency.unit = Unit::lookup("ms").unwrap();
        latency.thresholds = Thresholds::new(
            Band::parse("<= 200", latency.unit).unwrap(),
            Band::parse("<= 300", latency.unit).unwrap(),
            latency.unit,
        )
        .unwrap();
        Catalog::new(
            "base".into(),
            "Base".into(),
            vec![latency, metric("error_rate", "Error Rate", &["errors"])],
        )
        .unwrap()
    }

    fn change(id: &str) -> MetricChange {
        MetricChange { id: id.to_string(), ..MetricChange::default() }
    }

    fn new_metric(id: &str) -> MetricChange {
        MetricChange {
            name: Some("Queue Depth".into()),
            category: Some("Queues".into()),
            description: Some("Messages waiting".into()),
            target: Some("Under 100".into()),
            unit: Some(String::new()),
            pass: Some("< 100".into()),
            warn: Some("< 500".into()),
            ideas: Some(vec!["Add consumers".into()]),
            ..change(id)
        }
    }

    fn codes(errors: &[ChangeError]) -> Vec<(usize, &str, &str)> {
        errors.iter().map(|e| (e.index, e.key, e.problem.code())).collect()
    }

    #[test]
    fn an_override_changes_the_grade_of_a_value() {
        let before = base();
        let latency = &before.metrics()[0];
        assert_eq!(latency.thresholds.grade(250.0), Grade::Warn);
        let after = apply(
            &before,
            &[MetricChange {
                pass: Some("<= 300ms".into()),
                warn: Some("<= 1s".into()),
                ..change("latency")
            }],
            "kpi.yaml",
            None,
        )
        .unwrap();
        let latency = &after.metrics()[0];
        assert_eq!(latency.id, "response_time");
        assert_eq!(latency.thresholds.grade(250.0), Grade::Pass);
        assert_eq!(latency.thresholds.grade(900.0), Grade::Warn);
        assert_eq!(latency.origin.changed_in, [("kpi.yaml".to_string(), vec!["pass", "warn"])]);
    }

    #[test]
    fn a_new_metric_joins_the_catalog_and_a_disabled_one_leaves_it() {
        let changes = [
            new_metric("queue_depth"),
            MetricChange { enabled: Some(false), ..change("error_rate") },
        ];
        let after = apply(&base(), &changes, "kpi.yaml", Some("Mine".into())).unwrap();
        let ids: Vec<&str> = after.metrics().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["response_time", "queue_depth"]);
        assert_eq!(after.title, "Mine");
        assert_eq!(after.metrics()[1].origin.defined_in, "kpi.yaml");
        let refused = after.resolve("errors").unwrap_err();
        assert_eq!(refused.disabled.as_deref(), Some("error_rate"));
        assert!(refused.to_string().contains("turned off"), "{refused}");
    }

    #[test]
    fn every_problem_names_its_change_and_key() {
        let changes = [
            MetricChange { pass: Some("<= 1s".into()), ..change("respons_time") },
            MetricChange { pass: Some("< 1".into()), ..change("latency") },
            MetricChange { warn: Some("< 2".into()), ..change("response_time") },
            MetricChange { unit: Some("parsecs".into()), ..change("error_rate") },
            MetricChange { name: Some("Queue".into()), ..change("queue_depth") },
            MetricChange { pass: Some("> 5 and < 5".into()), ..new_metric("q2") },
        ];
        let errors = apply(&base(), &changes, "kpi.yaml", None).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                (0, "id", "unknown-metric"),
                (2, "id", "duplicate-id"),
                (3, "unit", "unknown-unit"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (4, "id", "missing-field"),
                (5, "pass", "empty-band"),
            ]
        );
        assert_eq!(
            errors[0].to_string(),
            "unknown metric `respons_time` (did you mean `response_time`?); to add a new metric \
             instead, give it `name`, `category`, `description`, `target`, `unit`, `pass`, `warn`, `ideas`"
        );
    }

    #[test]
    fn a_metric_turned_off_leaves_its_level_and_an_emptied_level_goes() {
        let mut with_ladder = base();
        with_ladder.ladder = Ladder {
            levels: vec![
                Level { name: "Bronze".into(), metrics: vec!["error_rate".into()] },
                Level {
                    name: "Silver".into(),
                    metrics: vec!["response_time".into(), "error_rate".into()],
                },
            ],
            warn_holds: false,
        };
        let off = [MetricChange { enabled: Some(false), ..change("error_rate") }];
        let after = apply(&with_ladder, &off, "kpi.yaml", None).unwrap();
        assert_eq!(after.ladder.names(), ["Silver"]);
        assert_eq!(after.ladder.levels[0].metrics, ["response_time"]);
    }

    #[test]
    fn a_pass_band_outside_the_kept_warn_band_is_refused() {
        let errors = apply(
            &base(),
            &[MetricChange { pass: Some("<= 2s".into()), ..change("response_time") }],
            "kpi.yaml",
            None,
        )
        .unwrap_err();
        assert_eq!(codes(&errors), [(0, "pass", "warn-without-pass")]);
        assert_eq!(
            errors[0].to_string(),
            "metric `response_time`: the warn band `<= 300 ms` does not contain the pass band \
             `<= 2000 ms`; widen warn or narrow pass"
        );
    }

    #[test]
    fn changing_the_unit_needs_both_thresholds_in_it() {
        let errors = apply(
            &base(),
            &[MetricChange {
                unit: Some("s".into()),
                pass: Some("< 1".into()),
                ..change("response_time")
            }],
            "kpi.yaml",
            None,
        )
        .unwrap_err();
        assert_eq!(codes(&errors), [(0, "unit", "unit-without-thresholds")]);
    }

    #[test]
    fn a_new_alias_taken_by_another_metric_is_a_clash() {
        let errors = apply(
            &base(),
            &[MetricChange { aliases: Some(vec!["latency".into()]), ..change("error_rate") }],
            "kpi.yaml",
            None,
        )
        .unwrap_err();
        assert_eq!(codes(&errors), [(0, "aliases", "name-clash")]);
    }

    #[test]
    fn a_scope_override_changes_grades_in_that_scope_only() {
        let catalog = base();
        let overrides = scope_overrides(
            &catalog,
            &[ScopeChange {
                scope: "batch-jobs".into(),
                metric: "latency".into(),
                pass: Some("<= 2s".into()),
                warn: Some("<= 3s".into()),
                ..ScopeChange::default()
            }],
            "kpi.yaml",
        )
        .unwrap();
        let batch = for_scope(&catalog, &overrides, "batch-jobs");
        let web = for_scope(&catalog, &overrides, "web");
        assert_eq!(batch.metrics()[0].thresholds.grade(1500.0), Grade::Pass);
        assert_eq!(web.metrics()[0].thresholds.grade(1500.0), Grade::Fail);
        assert_eq!(web.metrics(), catalog.metrics());
        assert_eq!(batch.metrics()[1], catalog.metrics()[1]);
        assert_eq!(batch.resolve("latency"), Ok(0));
        assert_eq!(
            batch.metrics()[0].origin.changed_in,
            [("kpi.yaml (scope `batch-jobs`)".to_string(), vec!["pass", "warn"])]
        );
    }

    #[test]
    fn scope_changes_are_checked_like_overrides() {
        let changes = [
            ScopeChange { scope: "a".into(), metric: "nope".into(), ..ScopeChange::default() },
            ScopeChange {
                scope: "a".into(),
                metric: "response_time".into(),
                pass: Some("<= 2s".into()),
                ..ScopeChange::default()
            },
        ];
        let errors = scope_overrides(&base(), &changes, "kpi.yaml").unwrap_err();
        assert_eq!(codes(&errors), [(0, "id", "unknown-metric"), (1, "pass", "warn-without-pass")]);
    }
}
