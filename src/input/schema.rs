//! The JSON Schema of the catalog and config formats, for editors (`kpi catalog schema`). The types
//! here only describe the formats, with the documentation editors show; the readers in `catalog`
//! and `config` check files themselves, and tests keep the two in step.
#![allow(dead_code)] // described for the schema, never built

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};

use crate::core::policy::OnStale;
use crate::core::unit::UNITS;

/// A catalog of metrics: what each measures, what good looks like, and the pass and warn
/// thresholds a measured value is graded against.
#[derive(JsonSchema)]
#[schemars(title = "kpi catalog", deny_unknown_fields)]
pub struct CatalogFile {
    /// Short name, e.g. `backend-team`.
    name: String,
    /// Title for reports, e.g. `Backend Team metrics`.
    title: String,
    /// The metrics, in the order reports show them.
    metrics: Vec<CatalogMetric>,
    /// An ordered ladder of levels, lowest first: a scope holds a level when every metric of
    /// that level and of every level below it passes (or is waived).
    levels: Option<Vec<LevelEntry>>,
    /// Whether a metric that warns holds its level; `false` by default.
    warn_holds_level: Option<bool>,
}

/// One level of a ladder.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LevelEntry {
    /// e.g. `Silver`.
    name: String,
    /// The metrics this level requires besides those of the levels below it, by id.
    metrics: Texts,
}

/// One metric of a catalog.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CatalogMetric {
    /// Stable identifier, e.g. `response_time`.
    id: String,
    /// Display name, e.g. `Response Time`.
    name: String,
    /// The group reports show it under, e.g. `Backend Development`.
    category: String,
    /// What the metric measures.
    description: String,
    /// What good looks like, in words, e.g. `100-200 ms`.
    target: String,
    unit: UnitSymbol,
    /// The band a value must be in to pass.
    pass: Threshold,
    /// The wider band a value must be in to warn rather than fail; it must contain `pass`.
    warn: Threshold,
    /// The values the metric can take at all, in threshold notation (`<= 100%` for a share of a
    /// whole); a measurement outside it is refused. Without it, any value that is not negative.
    range: Option<Threshold>,
    /// The most days the latest value may be older than its scope's latest check-in, e.g. `14d`
    /// or `2w`; an older value becomes what `on_stale` says.
    max_age: Option<Age>,
    /// What a value older than `max_age` becomes: `warn` (the default; a failure stays a
    /// failure), `fail` or `missing`.
    on_stale: Option<OnStaleChoice>,
    /// How much worse than the baseline (`--baseline`) the value may get before it warns or
    /// fails, whatever its thresholds say.
    regression: Option<RegressionSettings>,
    /// How much the metric counts in its scope's score; above 0, 1 by default.
    weight: Option<f64>,
    /// Other names measurements may use for the metric.
    aliases: Option<Texts>,
    /// What a team can do to improve the metric, shown when it does not pass.
    ideas: Ideas,
}

/// A team's `kpi.yaml`: which catalog to start from, changed and new metrics, per-scope
/// thresholds and waivers.
#[derive(JsonSchema)]
#[schemars(title = "kpi config", deny_unknown_fields)]
pub struct ConfigFile {
    /// The catalog to start from: `backend-team` or `dora` (built in) or a path to a catalog
    /// file, relative to this file. Defaults to `backend-team`.
    extends: Option<String>,
    /// Title for reports, replacing the catalog's.
    title: Option<String>,
    /// Changes to metrics by id, and new metrics with every field a catalog metric has.
    metrics: Option<BTreeMap<String, MetricSettings>>,
    /// Replaces the catalog's levels.
    /// An ordered ladder of levels, lowest first: a scope holds a level when every metric of
    /// that level and of every level below it passes (or is waived).
    levels: Option<Vec<LevelEntry>>,
    /// Whether a metric that warns holds its level; `false` by default.
    warn_holds_level: Option<bool>,
    /// Per-scope changes, by scope name, e.g. `batch-jobs`.
    scopes: Option<BTreeMap<String, ScopeSettings>>,
    /// Agreed, dated excuses for metrics that warn or fail.
    waivers: Option<Vec<WaiverEntry>>,
    /// What `kpi collect` and `--from` read: the sources and their settings.
    collect: Option<CollectSettings>,
}

/// `collect:`: the scope and window of collected rows, and the sources.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CollectSettings {
    /// The scope (service or team) of every collected row, unless a source gives its own.
    scope: Option<String>,
    /// How far back sources that count events look, ending with the `--as-of` day: `7d`, `2w`.
    window: Option<String>,
    /// Each source by its kind (`coverage`, `git`, ...), or a format of one (`lcov`).
    sources: Option<BTreeMap<String, SourceSettings>>,
}

/// One source: where it reads, its scope, and the settings of its kind (`bots`, `deploy_tags`,
/// ... as the README's "Collecting metrics" lists them), each a text or a list of texts.
#[derive(JsonSchema)]
pub struct SourceSettings {
    /// The file or directory it reads, relative to this file.
    path: Option<String>,
    /// The scope of its rows.
    scope: Option<String>,
}

/// Changes to one metric; a key left out keeps the catalog's value. A new metric needs `name`,
/// `category`, `description`, `target`, `unit`, `pass`, `warn` and `ideas`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MetricSettings {
    /// Display name.
    name: Option<String>,
    /// The group reports show it under.
    category: Option<String>,
    /// What the metric measures.
    description: Option<String>,
    /// What good looks like, in words.
    target: Option<String>,
    /// Changing the unit needs `pass` and `warn` in the new unit.
    unit: Option<UnitSymbol>,
    /// The band a value must be in to pass.
    pass: Option<Threshold>,
    /// The wider band a value must be in to warn rather than fail; it must contain `pass`.
    warn: Option<Threshold>,
    /// The values the metric can take at all, in threshold notation (`<= 800%` for CPU on eight
    /// cores); a measurement outside it is refused.
    range: Option<Threshold>,
    /// The most days the latest value may be older than its scope's latest check-in, e.g. `14d`
    /// or `2w`; an older value becomes what `on_stale` says.
    max_age: Option<Age>,
    /// What a value older than `max_age` becomes: `warn` (the default; a failure stays a
    /// failure), `fail` or `missing`.
    on_stale: Option<OnStaleChoice>,
    /// How much worse than the baseline (`--baseline`) the value may get before it warns or
    /// fails, whatever its thresholds say.
    regression: Option<RegressionSettings>,
    /// How much the metric counts in its scope's score; above 0, 1 by default.
    weight: Option<f64>,
    /// Other names measurements may use for the metric; replaces the catalog's list.
    aliases: Option<Texts>,
    /// What a team can do to improve the metric; replaces the catalog's list.
    ideas: Option<Ideas>,
    /// `false` takes the metric out of checks, lists and templates.
    enabled: Option<bool>,
}

/// Changes for one scope.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScopeSettings {
    /// Changes to metrics by id, in this scope only.
    metrics: Option<BTreeMap<String, ScopeMetricSettings>>,
}

/// What a scope may change about a metric.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ScopeMetricSettings {
    /// What good looks like in this scope, in words.
    target: Option<String>,
    /// The band a value must be in to pass in this scope.
    pass: Option<Threshold>,
    /// The band a value must be in to warn rather than fail in this scope.
    warn: Option<Threshold>,
    /// How much worse than the baseline the value may get in this scope.
    regression: Option<RegressionSettings>,
    /// What a team can do to improve the metric in this scope.
    ideas: Option<Ideas>,
}

/// An agreed, dated excuse for a metric that warns or fails: it shows as `waived` and does not
/// fail the gate through `until`; after that it is reported as expired and the metric counts again.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WaiverEntry {
    /// The metric's id.
    metric: String,
    /// Limit the waiver to one scope; without it, it applies everywhere.
    scope: Option<String>,
    /// Why, as agreed with whoever owns the target.
    reason: String,
    until: Day,
}

/// How much worse than its baseline a metric may get: past `warn` it warns, past `fail` it fails.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RegressionSettings {
    warn: Option<Allowance>,
    fail: Option<Allowance>,
}

/// How much worse than the baseline a value may get.
struct Allowance;

impl JsonSchema for Allowance {
    fn schema_name() -> Cow<'static, str> {
        "Allowance".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A share of the baseline value (`5%`), or an amount in the metric's unit: `2 points` for a percentage, `20ms`, `1h`, or a bare number.",
            "type": "string",
            "examples": ["5%", "2 points", "20ms"],
        })
    }
}

/// An age in days or weeks.
struct Age;

impl JsonSchema for Age {
    fn schema_name() -> Cow<'static, str> {
        "Age".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A whole number of days or weeks: `14d`, `2w`, `30 days`.",
            "type": "string",
            "pattern": "^\\s*\\d+\\s*(d|days?|w|weeks?)?\\s*$",
            "examples": ["14d", "2w"],
        })
    }
}

/// What an overdue value becomes.
struct OnStaleChoice;

impl JsonSchema for OnStaleChoice {
    fn schema_name() -> Cow<'static, str> {
        "OnStale".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = OnStale::ALL.iter().map(|o| o.name()).collect();
        json_schema!({
            "description": "What a value older than `max_age` becomes.",
            "type": "string",
            "enum": names,
        })
    }
}

/// The metric's canonical unit; measured values are converted to it.
struct UnitSymbol;

impl JsonSchema for UnitSymbol {
    fn schema_name() -> Cow<'static, str> {
        "Unit".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let symbols: Vec<&str> = UNITS.iter().map(|u| u.symbol).collect();
        json_schema!({
            "description": "The metric's canonical unit; measured values are converted to it. An empty string is a plain number.",
            "type": "string",
            "enum": symbols,
        })
    }
}

/// A list of texts, or one text for a list of one: the readers take both (`aliases: errs`).
struct Texts;

impl JsonSchema for Texts {
    fn schema_name() -> Cow<'static, str> {
        "Texts".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A list of texts, or one text for a list of one.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    }
}

/// Improvement ideas: at least one, as a list or a single text.
struct Ideas;

impl JsonSchema for Ideas {
    fn schema_name() -> Cow<'static, str> {
        "Ideas".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "At least one idea: a list of texts, or one text.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" }, "minItems": 1 },
            ],
        })
    }
}

/// A threshold in notation.
struct Threshold;

impl JsonSchema for Threshold {
    fn schema_name() -> Cow<'static, str> {
        "Threshold".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "One or two comparisons joined by `and`: `<` and `>` are strict, `<=` and `>=` inclusive. A value may carry a unit (`200ms`, `1h`, `1/week`); a bare number is in the metric's unit.",
            "type": "string",
            "pattern": "^\\s*(<=|>=|<|>|≤|≥)",
            "examples": ["< 1%", "<= 200ms", ">= 1000", ">= 50% and <= 70%"],
        })
    }
}

/// A calendar day.
struct Day;

impl JsonSchema for Day {
    fn schema_name() -> Cow<'static, str> {
        "Day".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The last day the waiver is in force, as YYYY-MM-DD.",
            "type": "string",
            "format": "date",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}$",
        })
    }
}

/// Which format a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Config,
    Catalog,
}

/// The JSON Schema (draft 7, which editors support best) of a format.
pub fn schema(kind: SchemaKind) -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = match kind {
        SchemaKind::Config => generator.into_root_schema_for::<ConfigFile>(),
        SchemaKind::Catalog => generator.into_root_schema_for::<CatalogFile>(),
    };
    schema.to_value()
}

/// Key names sorted, to compare with [`properties`].
#[cfg(test)]
pub(crate) fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
    keys.sort();
    keys
}

/// The property names of each object in a format's schema, by definition name (the root is
/// `root`), for tests that keep the readers and the schema in step.
#[cfg(test)]
pub(crate) fn properties(kind: SchemaKind) -> BTreeMap<String, Vec<String>> {
    let schema = schema(kind);
    let keys = |object: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = object["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    };
    let mut out = BTreeMap::from([("root".to_string(), keys(&schema))]);
    if let Some(defs) = schema["definitions"].as_object() {
        for (name, def) in defs {
            if def.get("properties").is_some() {
                out.insert(name.clone(), keys(def));
            }
        }
    }
    out
}
