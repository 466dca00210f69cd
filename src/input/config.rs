//! Reading a team's `kpi.yaml`: the catalog it extends, changed and new metrics, per-scope changes
//! and waivers. Reports every problem at once with its line, column and code; what the changes mean
//! is decided in `core::tailoring` and `core::waiver`.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::collect::Settings;
use crate::collect::plan::{CollectConfig, SourceConfig};
use crate::core::catalog::Catalog;
use crate::core::levels::Ladder;
use crate::core::tailoring::{self, CatalogInEffect, LevelChange, ScopeChange};
use crate::core::text::printable;
use crate::core::waiver::Waiver;

use super::catalog::{
    self as catalog_file, BUILTIN_ID, BUILTINS, Builtin, NotACatalog, Spots, read_levels,
    read_metric, report,
};
use super::problem::{Problem, Problems, ValidationError, closest};
use super::yaml::{self, Fields, Located, Node};
use super::{LoadError, read_text};

/// The config file looked for in the current directory.
pub const DEFAULT_FILE: &str = "kpi.yaml";

pub(crate) const CONFIG_KEYS: &[&str] =
    &["extends", "title", "metrics", "levels", "warn_holds_level", "scopes", "waivers", "collect"];
/// The keys of `collect:`.
pub(crate) const COLLECT_KEYS: &[&str] = &["scope", "window", "sources"];
/// The keys every entry of `collect.sources` may have, besides its kind's own settings.
pub(crate) const SOURCE_KEYS: &[&str] = &["path", "scope"];
pub(crate) const SETTINGS_KEYS: &[&str] = &[
    "name",
    "category",
    "description",
    "target",
    "unit",
    "pass",
    "warn",
    "range",
    "max_age",
    "on_stale",
    "regression",
    "weight",
    "aliases",
    "ideas",
    "enabled",
];
pub(crate) const SCOPE_KEYS: &[&str] = &["metrics"];
pub(crate) const SCOPE_METRIC_KEYS: &[&str] = &["target", "pass", "warn", "regression", "ideas"];
pub(crate) const WAIVER_KEYS: &[&str] = &["metric", "scope", "reason", "until"];

/// The config to use: `explicit` (from `--config`), else `kpi.yaml` in the current directory if
/// there is one.
pub fn discover(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()),
    }
}

/// Loads the catalog in effect: `catalog` (from `--catalog`: a file, or the name of a built-in
/// catalog when no such file exists) or the one the config extends (the built-in Backend Team
/// catalog by default), with the config's changes applied.
pub fn load_in_effect(
    config: Option<&Path>,
    catalog: Option<&Path>,
) -> Result<CatalogInEffect, LoadError> {
    let base = catalog.map(load_base_catalog).transpose()?;
    let Some(path) = config else {
        let (catalog, base) = match base {
            Some(pair) => pair,
            None => (catalog_file::load_builtin()?, BUILTIN_ID.to_string()),
        };
        return Ok(CatalogInEffect {
            catalog,
            scopes: Vec::new(),
            waivers: Vec::new(),
            base,
            config: None,
        });
    };
    let text = read_text(path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    load(&text, &path.display().to_string(), dir, base)
}

/// Whether the file at `path` is a catalog rather than a config: it has a `name`, or lists its
/// `metrics` rather than mapping ids to changes. A file that is not even YAML counts as a config, whose reader reports it.
pub fn is_catalog(path: &Path) -> Result<bool, LoadError> {
    let text = read_text(path)?;
    let mut ignored = Problems::default();
    // Repeated keys and a second document do not make a catalog a config: the catalog reader
    // reports them.
    let Some(parsed) = yaml::read(&text, &mut ignored) else { return Ok(false) };
    let Some(top) = Fields::any(&parsed.root, "the file", &mut ignored) else { return Ok(false) };
    let metrics_listed = top.get("metrics").is_some_and(yaml::is_sequence);
    Ok(top.get("name").is_some() || metrics_listed)
}

/// The catalog `--catalog` names: a file, or a built-in catalog by name when no file has it.
pub fn load_base_catalog(path: &Path) -> Result<(Catalog, String), LoadError> {
    match path.to_str().and_then(Builtin::find).filter(|_| !path.exists()) {
        Some(builtin) => Ok((builtin.load()?, builtin.id.to_string())),
        None => load_catalog_file(path),
    }
}

/// Loads a catalog file, returning it with its path as given.
pub fn load_catalog_file(path: &Path) -> Result<(Catalog, String), LoadError> {
    let name = path.display().to_string();
    let catalog = catalog_file::load(&read_text(path)?, &name)?;
    Ok((catalog, name))
}

/// Reads config `text` from `file`; `extends:` paths are relative to `dir`. `base`, when given,
/// replaces the catalog the config extends.
pub fn load(
    text: &str,
    file: &str,
    dir: &Path,
    base: Option<(Catalog, String)>,
) -> Result<CatalogInEffect, LoadError> {
    let mut problems = Problems::default();
    let root = yaml::read(text, &mut problems).and_then(|parsed| {
        // Some other file is refused before its repeated keys are listed.
        if is_foreign(&parsed.root) {
            let keys: Vec<String> = CONFIG_KEYS.iter().map(|k| format!("`{k}`")).collect();
            let message = format!(
                "this is not a kpi config: none of its keys is one of {}; check the path",
                keys.join(", ")
            );
            problems.0.push(Problem::new("not-a-config", None, message));
            return None;
        }
        parsed.sound(&mut problems)
    });
    let raw = root.as_ref().and_then(|root| read(root, file, &mut problems));
    let Some(raw) = raw else {
        return Err(ValidationError::new(file, problems.0).into());
    };
    let (base, base_name) = match base {
        Some(pair) => pair,
        None => match &raw.extends {
            None => (catalog_file::load_builtin()?, BUILTIN_ID.to_string()),
            Some(extends) if Builtin::find(&extends.value).is_some() => {
                let builtin = Builtin::find(&extends.value).unwrap_or(&BUILTINS[0]);
                (builtin.load()?, builtin.id.to_string())
            }
            Some(extends) if dir.join(&extends.value).is_file() => {
                match load_catalog_file(&dir.join(&extends.value)) {
                    Ok((catalog, _)) => (catalog, extends.value.clone()),
                    Err(LoadError::Invalid(err)) => match NotACatalog::found_in(&err) {
                        // Said at the `extends:` that named the file; the config is checked
                        // against the built-in catalog meanwhile, so its own problems show too.
                        Some(refused) => {
                            let message = refused.extended(&extends.value);
                            problems.add(refused.code(), extends.at, message);
                            (catalog_file::load_builtin()?, BUILTIN_ID.to_string())
                        }
                        None => return Err(LoadError::Invalid(err)),
                    },
                    Err(err) => return Err(err),
                }
            }
            Some(extends) => {
                problems.add(
                    "unknown-catalog",
                    extends.at,
                    format!(
                        "`extends`: there is no built-in catalog `{0}` and no file `{0}` next to the config; use {1} or a path to a catalog file",
                        printable(&extends.value),
                        BUILTINS.map(|b| format!("`{}`", b.id)).join(", ")
                    ),
                );
                (catalog_file::load_builtin()?, BUILTIN_ID.to_string())
            }
        },
    };
    let catalog = match tailoring::apply(&base, &raw.changes, file, raw.title) {
        Ok(catalog) => Some(catalog),
        Err(errors) => {
            report(errors, &raw.change_spots, &mut problems);
            None
        }
    };
    // Scopes and waivers are checked against the base when the changes have problems, so that
    // their own problems are found in the same pass.
    let effective = catalog.as_ref().unwrap_or(&base);
    let scopes = tailoring::scope_overrides(effective, &raw.scopes, file)
        .map_err(|errors| report(errors, &raw.scope_spots, &mut problems));
    let waivers = tailoring::resolve_waivers(effective, raw.waivers)
        .map_err(|errors| report(errors, &raw.waiver_spots, &mut problems));
    let warn_holds = raw.warn_holds.unwrap_or(effective.ladder.warn_holds);
    let ladder = if raw.levels.is_empty() {
        Some(Ladder { levels: effective.ladder.levels.clone(), warn_holds })
    } else {
        tailoring::ladder(effective, &raw.levels, warn_holds)
            .map_err(|errors| report(errors, &raw.level_spots, &mut problems))
            .ok()
    };
    let catalog = catalog.zip(ladder).map(|(mut catalog, ladder)| {
        catalog.ladder = ladder;
        catalog
    });
    match (catalog, scopes, waivers) {
        (Some(catalog), Ok(scopes), Ok(waivers)) if problems.is_empty() => Ok(CatalogInEffect {
            catalog,
            scopes,
            waivers,
            base: base_name,
            config: Some(file.to_string()),
        }),
        _ => Err(ValidationError::new(file, problems.0).into()),
    }
}

/// A config as written, before it meets its catalog.
struct RawConfig {
    extends: Option<Located<String>>,
    title: Option<String>,
    changes: Vec<tailoring::MetricChange>,
    change_spots: Vec<Spots>,
    scopes: Vec<ScopeChange>,
    scope_spots: Vec<Spots>,
    waivers: Vec<Waiver>,
    waiver_spots: Vec<Spots>,
    levels: Vec<LevelChange>,
    level_spots: Vec<Spots>,
    warn_holds: Option<bool>,
}

fn read(root: &Node<'_>, file: &str, problems: &mut Problems) -> Option<RawConfig> {
    let mut raw = RawConfig {
        extends: None,
        title: None,
        changes: Vec::new(),
        change_spots: Vec::new(),
        scopes: Vec::new(),
        scope_spots: Vec::new(),
        waivers: Vec::new(),
        waiver_spots: Vec::new(),
        levels: Vec::new(),
        level_spots: Vec::new(),
        warn_holds: None,
    };
    if yaml::is_null(root) {
        // A config of comments only changes nothing.
        return Some(raw);
    }
    let top = Fields::known(root, &format!("`{}`", printable(file)), CONFIG_KEYS, problems)?;
    raw.extends = top.text("extends", problems);
    raw.title = top.text("title", problems).map(|t| t.value);
    (raw.levels, raw.level_spots, raw.warn_holds) = read_levels(&top, problems);
    if let Some(node) = top.get("collect") {
        read_collect(node, problems);
    }
    if let Some(metrics) = top.get("metrics").and_then(|n| Fields::any(n, "`metrics`", problems)) {
        for (id, node) in metrics.entries() {
            let what = format!("`{}`", printable(&id.value));
            let Some(fields) = Fields::known(node, &what, SETTINGS_KEYS, problems) else {
                continue;
            };
            let (mut change, mut spots) = read_metric(&fields, id.clone(), file, problems);
            if let Some(enabled) = fields.boolean("enabled", problems) {
                spots.insert("enabled", enabled.at);
                change.enabled = Some(enabled.value);
            }
            raw.changes.push(change);
            raw.change_spots.push(spots);
        }
    }
    if let Some(scopes) = top.get("scopes").and_then(|n| Fields::any(n, "`scopes`", problems)) {
        for (scope, node) in scopes.entries() {
            read_scope(&scope.value, node, file, &mut raw, problems);
        }
    }
    if let Some(list) = top.get("waivers").and_then(|n| yaml::list(n, "waivers", problems)) {
        for item in list {
            if let Some((waiver, spots)) = read_waiver(item, problems) {
                raw.waivers.push(waiver);
                raw.waiver_spots.push(spots);
            }
        }
    }
    Some(raw)
}

/// `collect:`: the scope and window of collected rows, and the sources with their settings.
fn read_collect(node: &Node<'_>, problems: &mut Problems) -> Option<CollectConfig> {
    let fields = Fields::known(node, "`collect`", COLLECT_KEYS, problems)?;
    let mut config = CollectConfig {
        scope: fields.text("scope", problems).map(|s| s.value),
        ..CollectConfig::default()
    };
    if let Some(window) = fields.text("window", problems) {
        match crate::collect::parse_window(&window.value) {
            Ok(days) => config.window_days = Some(days),
            Err(message) => {
                problems.add("invalid-window", window.at, format!("`collect.window`: {message}"));
            }
        }
    }
    let sources = fields.get("sources").and_then(|n| Fields::any(n, "`collect.sources`", problems));
    for (name, node) in sources.iter().flat_map(Fields::entries) {
        let Some((kind, format)) = crate::collect::find(&name.value) else {
            let message = crate::collect::unknown_source(&name.value);
            problems.add("unknown-source", name.at, format!("`collect.sources`: {message}"));
            continue;
        };
        // A setting declared as `queries.*` is a mapping, kept as `queries.KEY` (and
        // `queries.KEY.FIELD`) texts.
        let keys: Vec<&str> = SOURCE_KEYS
            .iter()
            .chain(kind.settings)
            .map(|k| k.strip_suffix(".*").unwrap_or(k))
            .collect();
        let what = format!("`collect.sources.{}`", printable(&name.value));
        let Some(entry) = Fields::known(node, &what, &keys, problems) else { continue };
        let mut settings = Settings::default();
        for (key, value) in entry.entries() {
            if SOURCE_KEYS.contains(&key.value.as_str()) || yaml::is_null(value) {
                continue;
            }
            let nested = kind.settings.iter().any(|k| k.strip_suffix(".*") == Some(&key.value));
            if nested {
                nested_setting(&key.value, value, 0, &mut settings, problems);
            } else if let Some(values) = entry.texts(&key.value, problems) {
                settings.0.push((key.value.clone(), values.value));
            }
        }
        config.sources.push(SourceConfig {
            kind,
            format,
            path: entry.text("path", problems).map(|p| p.value),
            scope: entry.text("scope", problems).map(|s| s.value),
            settings,
        });
    }
    Some(config)
}

/// A mapping setting (`queries: {error_rate: {expr: ..., unit: ratio}}`) as dotted texts: each
/// leaf `queries.error_rate.expr`, two levels deep at most.
fn nested_setting(
    key: &str,
    node: &Node<'_>,
    depth: usize,
    settings: &mut Settings,
    problems: &mut Problems,
) {
    if depth < 2 && !yaml::is_sequence(node) && yaml::scalar(node).is_none() {
        let Some(fields) = Fields::any(node, &format!("`{}`", printable(key)), problems) else {
            return;
        };
        for (sub, value) in fields.entries() {
            nested_setting(&format!("{key}.{}", sub.value), value, depth + 1, settings, problems);
        }
    } else if depth == 0 {
        // The top of a mapping setting must be a mapping.
        let _ = Fields::any(node, &format!("`{}`", printable(key)), problems);
    } else if let Some(text) = yaml::text(node, key, problems) {
        settings.0.push((key.to_string(), vec![text.value]));
    }
}

/// `collect:` of the config at `path` (none: nothing configured), with paths relative to it.
pub fn load_collect(path: Option<&Path>) -> Result<CollectConfig, LoadError> {
    let Some(path) = path else { return Ok(CollectConfig::default()) };
    let text = read_text(path)?;
    let file = path.display().to_string();
    let mut problems = Problems::default();
    let root = yaml::read(&text, &mut problems).and_then(|parsed| parsed.sound(&mut problems));
    let collect = root.as_ref().and_then(|root| {
        let top = Fields::any(root, "the config", &mut problems)?;
        top.get("collect").and_then(|node| read_collect(node, &mut problems))
    });
    if !problems.is_empty() {
        return Err(ValidationError::new(&file, problems.0).into());
    }
    let mut collect = collect.unwrap_or_default();
    collect.dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    Ok(collect)
}

/// Whether `root` is a mapping none of whose keys is a config's, or near enough to be a typo of
/// one: some other file (`kpi.yaml` may be a link to anything), whose keys are not shown back.
fn is_foreign(root: &Node<'_>) -> bool {
    let Some(top) = Fields::any(root, "the file", &mut Problems::default()) else { return false };
    let entries = top.entries();
    !entries.is_empty()
        && entries.iter().all(|(key, _)| {
            !CONFIG_KEYS.contains(&key.value.as_str()) && closest(&key.value, CONFIG_KEYS).is_none()
        })
}

fn read_scope(
    scope: &str,
    node: &Node<'_>,
    file: &str,
    raw: &mut RawConfig,
    problems: &mut Problems,
) {
    let what = format!("scope `{}`", printable(scope));
    let Some(fields) = Fields::known(node, &what, SCOPE_KEYS, problems) else { return };
    let Some(metrics) = fields.get("metrics") else { return };
    let Some(metrics) = Fields::any(metrics, &format!("`metrics` of {what}"), problems) else {
        return;
    };
    for (id, node) in metrics.entries() {
        let what = format!("`{}` in {what}", printable(&id.value));
        let Some(fields) = Fields::known(node, &what, SCOPE_METRIC_KEYS, problems) else {
            continue;
        };
        let (change, spots) = read_metric(&fields, id.clone(), file, problems);
        raw.scopes.push(ScopeChange {
            scope: scope.to_string(),
            metric: change.id,
            target: change.target,
            pass: change.pass,
            warn: change.warn,
            regression_warn: change.regression_warn,
            regression_fail: change.regression_fail,
            ideas: change.ideas,
            threshold_at: change.threshold_at,
        });
        raw.scope_spots.push(spots);
    }
}

fn read_waiver(node: &Node<'_>, problems: &mut Problems) -> Option<(Waiver, Spots)> {
    let fields = Fields::known(node, "each entry of `waivers`", WAIVER_KEYS, problems)?;
    let metric = fields.required_text("metric", "a waiver", problems);
    let scope = fields.text("scope", problems);
    let reason = fields.text("reason", problems);
    let what = metric
        .as_ref()
        .map_or("a waiver".to_string(), |m| format!("the waiver of `{}`", printable(&m.value)));
    let reason = match reason {
        Some(r) if !r.value.trim().is_empty() => Some(r.value),
        other => {
            let at = other.map_or(fields.at, |r| r.at);
            problems.add(
                "waiver-without-reason",
                at,
                format!("{what} has no reason; say why it was agreed, e.g. `reason: migrating the test suite`"),
            );
            None
        }
    };
    let until = fields.required_text("until", &what, problems).and_then(|until| {
        let date = parse_date(&until.value);
        if date.is_none() {
            problems.add(
                "invalid-date",
                until.at,
                format!("`until`: `{}` is not a date; write the last day of the waiver as YYYY-MM-DD, e.g. 2025-09-30", printable(&until.value)),
            );
        }
        date
    });
    let metric = metric?;
    let mut spots = Spots::from([("id", fields.at), ("metric", metric.at)]);
    if let Some(scope) = &scope {
        spots.insert("scope", scope.at);
    }
    let waiver = Waiver {
        metric: metric.value,
        scope: scope.map(|s| s.value),
        reason: reason?,
        until: until?,
    };
    Some((waiver, spots))
}

/// A calendar day written `YYYY-MM-DD`, and nothing else.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if shaped { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::threshold::Grade;
    use crate::input::catalog;
    use crate::input::schema::{SchemaKind, properties, sorted};

    fn in_effect(text: &str) -> Result<CatalogInEffect, LoadError> {
        load(text, "kpi.yaml", Path::new(""), None)
    }

    /// The one problem in `text`, as the user sees it, after checking its code.
    fn problem(code: &str, text: &str) -> String {
        let Err(LoadError::Invalid(err)) = in_effect(text) else {
            panic!("expected problems in {text}")
        };
        let codes: Vec<&str> = err.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, [code], "{err}");
        err.to_string()
    }

    /// The one problem in catalog `text`, after checking its code.
    fn catalog_problem(code: &str, text: &str) -> String {
        let err = catalog::load(text, "team.yaml").unwrap_err();
        let codes: Vec<&str> = err.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, [code], "{err}");
        err.to_string()
    }

    const METRIC: &str = "  - id: queue_depth\n    name: Queue Depth\n    category: Queues\n    \
        description: Messages waiting\n    target: Under 100\n    unit: \"\"\n    pass: \"< 100\"\n    \
        warn: \"< 500\"\n    ideas: [Add consumers]\n";

    fn catalog_with(metric: &str) -> String {
        format!("name: team\ntitle: Team\nmetrics:\n{metric}")
    }

    #[test]
    fn an_empty_config_changes_nothing() {
        let in_effect = in_effect("# nothing yet\n").unwrap();
        assert_eq!(in_effect.catalog.metrics().len(), 15);
        assert_eq!(in_effect.base, BUILTIN_ID);
        assert_eq!(in_effect.config.as_deref(), Some("kpi.yaml"));
    }

    #[test]
    fn overrides_new_metrics_scopes_and_waivers_take_effect() {
        let in_effect = in_effect(
            "extends: backend-team\nmetrics:\n  response_time:\n    pass: \"<= 1s\"\n    warn: \"<= 2s\"\n  \
             queue_depth:\n    name: Queue Depth\n    category: Queues\n    description: Messages waiting\n    \
             target: Under 100\n    unit: \"\"\n    pass: \"< 100\"\n    warn: \"< 500\"\n    ideas: [Add consumers]\n\
             scopes:\n  batch-jobs:\n    metrics:\n      latency:\n        pass: \"<= 2s\"\n        warn: \"<= 3s\"\n\
             waivers:\n  - metric: errors\n    reason: agreed\n    until: 2025-06-30\n",
        )
        .unwrap();
        let latency = &in_effect.catalog.metrics()[0];
        assert_eq!(latency.thresholds.grade(900.0), Grade::Pass);
        assert_eq!(
            in_effect.catalog_for("batch-jobs").metrics()[0].thresholds.grade(1900.0),
            Grade::Pass
        );
        assert_eq!(in_effect.catalog.metrics().last().unwrap().id, "queue_depth");
        assert_eq!(in_effect.waivers[0].metric, "error_rate");
        assert_eq!(in_effect.waivers[0].until, jiff::civil::date(2025, 6, 30));
    }

    #[test]
    fn extends_a_catalog_file_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("team.yaml"), catalog_with(METRIC)).unwrap();
        let in_effect = load("extends: team.yaml\n", "kpi.yaml", dir.path(), None).unwrap();
        assert_eq!(in_effect.catalog.metrics()[0].id, "queue_depth");
        assert_eq!(in_effect.base, "team.yaml");
    }

    #[test]
    fn several_problems_are_reported_together_in_file_order() {
        let Err(LoadError::Invalid(err)) = in_effect(
            "metrics:\n  respons_time:\n    pass: \"<= 1s\"\n  error_rate:\n    unit: parsecs\n\
             waivers:\n  - metric: mttr\n    until: soon\n",
        ) else {
            panic!()
        };
        insta::assert_snapshot!(err.to_string(), @r#"
        4 problems in `kpi.yaml`:
          kpi.yaml:2:3: unknown metric `respons_time` (did you mean `response_time`?); to add a new metric instead, give it `name`, `category`, `description`, `target`, `unit`, `pass`, `warn`, `ideas` [unknown-metric]
          kpi.yaml:5:11: metric `error_rate`: unknown unit `parsecs`; use one of `ms`, `s`, `min`, `h`, `%`, `req/s`, `commits/day`, `deploys/day`, `rounds`, `defects/KLOC`, `bugs/KLOC`, "" [unknown-unit]
          kpi.yaml:7:5: the waiver of `mttr` has no reason; say why it was agreed, e.g. `reason: migrating the test suite` [waiver-without-reason]
          kpi.yaml:8:12: `until`: `soon` is not a date; write the last day of the waiver as YYYY-MM-DD, e.g. 2025-09-30 [invalid-date]
        "#);
    }

    #[test]
    fn each_problem_has_its_code_place_and_message() {
        let cases = [
            ("invalid-yaml", problem("invalid-yaml", "metrics: [\n")),
            ("duplicate-key", problem("duplicate-key", "metrics:\n  mttr: {}\n  mttr: {}\n")),
            ("wrong-type", problem("wrong-type", "waivers:\n  metric: mttr\n")),
            ("unknown-key", problem("unknown-key", "metrics:\n  mttr:\n    pas: \"< 1h\"\n")),
            ("unknown-key-top", problem("unknown-key", "wavers: []\n")),
            (
                "unknown-metric",
                problem("unknown-metric", "metrics:\n  respons_time:\n    pass: \"< 1s\"\n"),
            ),
            (
                "unknown-metric-waiver",
                problem(
                    "unknown-metric",
                    "waivers:\n  - metric: nope\n    reason: r\n    until: 2025-01-01\n",
                ),
            ),
            ("duplicate-id", problem("duplicate-id", "metrics:\n  mttr: {}\n  MTTR: {}\n")),
            ("unknown-unit", problem("unknown-unit", "metrics:\n  mttr:\n    unit: fortnights\n")),
            (
                "invalid-threshold",
                problem("invalid-threshold", "metrics:\n  mttr:\n    pass: \"under 1h\"\n"),
            ),
            (
                "empty-band",
                problem("empty-band", "metrics:\n  mttr:\n    pass: \"> 2h and < 1h\"\n"),
            ),
            (
                "warn-without-pass",
                problem("warn-without-pass", "metrics:\n  mttr:\n    pass: \"< 2d\"\n"),
            ),
            (
                "unit-without-thresholds",
                problem(
                    "unit-without-thresholds",
                    "metrics:\n  mttr:\n    unit: h\n    pass: \"< 1\"\n",
                ),
            ),
            ("empty-field", problem("empty-field", "metrics:\n  mttr:\n    name: \"\"\n")),
            ("no-ideas", problem("no-ideas", "metrics:\n  mttr:\n    ideas: []\n")),
            ("name-clash", problem("name-clash", "metrics:\n  mttr:\n    aliases: [latency]\n")),
            (
                "missing-field",
                problem(
                    "missing-field",
                    "metrics:\n  queue_depth:\n    name: Queue Depth\n    category: Queues\n    \
                     description: d\n    target: t\n    unit: \"\"\n    pass: \"< 100\"\n    warn: \"< 500\"\n",
                ),
            ),
            ("unknown-catalog", problem("unknown-catalog", "extends: frontend-team\n")),
            (
                "second-document",
                problem("second-document", "metrics:\n  mttr: {}\n---\nwaivers: []\n"),
            ),
            ("not-a-config", problem("not-a-config", "thresholds:\n  mttr: 1h\n")),
            ("not-a-config-repeating-keys", problem("not-a-config", "a: 1\na: 2\n")),
            (
                "waiver-without-reason",
                problem(
                    "waiver-without-reason",
                    "waivers:\n  - metric: mttr\n    reason: \" \"\n    until: 2025-01-01\n",
                ),
            ),
            (
                "invalid-date",
                problem(
                    "invalid-date",
                    "waivers:\n  - metric: mttr\n    reason: r\n    until: 2025-02-30\n",
                ),
            ),
            (
                "catalog-no-metrics",
                catalog_problem("no-metrics", "name: t\ntitle: T\nmetrics: []\n"),
            ),
            (
                "catalog-duplicate-id",
                catalog_problem("duplicate-id", &catalog_with(&format!("{METRIC}{METRIC}"))),
            ),
            (
                "catalog-missing-field",
                catalog_problem(
                    "missing-field",
                    &catalog_with(&METRIC.replace("    target: Under 100\n", "")),
                ),
            ),
        ];
        for (name, message) in cases {
            insta::assert_snapshot!(name, message);
        }
    }

    #[test]
    fn every_repeated_key_is_reported_not_only_the_first() {
        let Err(LoadError::Invalid(err)) = in_effect(
            "metrics:\n  mttr: {}\n  mttr: {}\n  mttr: {}\nwaivers: []\nscopes:\n  api: {metrics: {}, metrics: {}}\nwaivers: []\n",
        ) else {
            panic!()
        };
        insta::assert_snapshot!(err.to_string(), @r"
        4 problems in `kpi.yaml`:
          kpi.yaml:3:3: this key is already given on line 2 of the same mapping; keep one [duplicate-key]
          kpi.yaml:4:3: this key is already given on line 2 of the same mapping; keep one [duplicate-key]
          kpi.yaml:7:22: this key is already given on line 7 of the same mapping; keep one [duplicate-key]
          kpi.yaml:8:1: this key is already given on line 5 of the same mapping; keep one [duplicate-key]
        ");
        // The same key in different mappings, and the same text as another kind of value, is no repeat.
        assert!(in_effect("metrics:\n  mttr: {pass: \"< 2h\", warn: \"< 1d\"}\n  error_rate: {pass: \"< 1%\"}\n").is_ok());
        let aliased = "metrics:\n  &id mttr: {}\n  *id : {}\n";
        assert_eq!(
            problem("duplicate-key", aliased),
            "kpi.yaml:3:3: this key is already given on line 2 of the same mapping; keep one [duplicate-key]"
        );
    }

    #[test]
    fn extends_naming_a_config_says_a_catalog_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.yaml"),
            "extends: backend-team\nmetrics:\n  mttr: {}\n",
        )
        .unwrap();
        let err =
            load("extends: base.yaml\nwavers: []\n", "kpi.yaml", dir.path(), None).unwrap_err();
        insta::assert_snapshot!(err.to_string(), @r"
        2 problems in `kpi.yaml`:
          kpi.yaml:1:10: `extends`: `base.yaml` is a config (it has `extends:` itself), not a catalog; extend `backend-team` or a catalog file, a YAML mapping with `name`, `title` and a `metrics:` list [config-not-catalog]
          kpi.yaml:2:1: unknown key `wavers` (did you mean `waivers`?) [unknown-key]
        ");
    }

    #[test]
    fn extends_naming_some_other_file_quotes_nothing_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = "root:$6$salt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n";
        for (name, text) in
            [("shadow", secrets), ("list", "- root:$6$x\n"), ("text", "root:$6$x y\n")]
        {
            std::fs::write(dir.path().join(name), text).unwrap();
            let err = load(&format!("extends: {name}\n"), "kpi.yaml", dir.path(), None)
                .unwrap_err()
                .to_string();
            assert!(!err.contains("root") && !err.contains('$'), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("[not-a-catalog]"), "{err}");
        }
        let err = load("extends: shadow\n", "kpi.yaml", dir.path(), None).unwrap_err();
        insta::assert_snapshot!(err.to_string(), @"kpi.yaml:1:10: `extends`: `shadow` is not a kpi catalog, which is a YAML mapping with `name`, `title` and a `metrics:` list; use `backend-team` or a path to a catalog file [not-a-catalog]");
        // Named with `--catalog` instead, or as the config itself.
        let path = dir.path().join("shadow");
        let err = load_in_effect(None, Some(&path)).unwrap_err().to_string();
        assert!(!err.contains("root") && err.ends_with("check the path [not-a-catalog]"), "{err}");
        let err = load_in_effect(Some(&path), None).unwrap_err().to_string();
        assert!(!err.contains("root") && err.ends_with("check the path [not-a-config]"), "{err}");
    }

    #[test]
    fn messages_quote_a_long_value_only_in_part() {
        let id = "m".repeat(500);
        let err =
            in_effect(&format!("metrics:\n  {id}:\n    pass: \"< 1\"\n")).unwrap_err().to_string();
        assert!(err.contains(&format!("unknown metric `{}…`", "m".repeat(80))), "{err}");
        let long_key = format!("metrics:\n  mttr:\n    {}: 1\n", "p".repeat(900));
        let err = in_effect(&long_key).unwrap_err().to_string();
        assert!(err.contains(&format!("unknown key `{}…`", "p".repeat(40))), "{err}");
        let date = format!(
            "waivers:\n  - metric: mttr\n    reason: r\n    until: \"{}\"\n",
            "9".repeat(300)
        );
        let err = in_effect(&date).unwrap_err().to_string();
        assert!(err.contains(&format!("`until`: `{}…` is not a date", "9".repeat(80))), "{err}");
        let threshold = format!("metrics:\n  mttr:\n    pass: \"about {}\"\n", "9".repeat(300));
        let err = in_effect(&threshold).unwrap_err().to_string();
        assert!(err.contains(&format!("`about {}…` is not a threshold", "9".repeat(74))), "{err}");
        for line in err.lines() {
            assert!(line.chars().count() < 300, "{line}");
        }
    }

    #[test]
    fn a_long_file_name_is_named_by_its_start() {
        let path = format!("{}kpi\u{200b}.yaml", "nowhere/".repeat(40));
        let err = load_in_effect(Some(Path::new(&path)), None).unwrap_err().to_string();
        assert!(err.starts_with(&format!("cannot read `{}…`: ", "nowhere/".repeat(10))), "{err}");
        let err = load_in_effect(Some(Path::new("kpi\u{200b}\u{1b}.yaml")), None).unwrap_err();
        assert!(err.to_string().starts_with("cannot read `kpi\\u{200b}\\u{1b}.yaml`: "), "{err}");
    }

    #[test]
    fn files_too_large_are_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kpi.yaml");
        let line = "# padding padding padding padding padding padding padding padding\n";
        let big =
            line.repeat(usize::try_from(crate::input::MAX_FILE_BYTES).unwrap() / line.len() + 1);
        std::fs::write(&path, big).unwrap();
        let err = load_in_effect(Some(&path), None).unwrap_err().to_string();
        let err = err.replace(&dir.path().display().to_string(), "<dir>");
        insta::assert_snapshot!(err, @"<dir>/kpi.yaml: the file is larger than 4 MiB; a catalog or config is a few KiB, so check the path [file-too-large]");
    }

    #[test]
    fn dates_are_written_year_month_day_only() {
        assert_eq!(parse_date("2025-09-30"), Some(jiff::civil::date(2025, 9, 30)));
        assert_eq!(parse_date("2025-9-30"), None);
        assert_eq!(parse_date("2025-09-30T12:00"), None);
        assert_eq!(parse_date("2025-02-29"), None);
    }

    #[test]
    fn the_reader_knows_the_keys_the_schema_describes() {
        let schema = properties(SchemaKind::Config);
        assert_eq!(schema["root"], sorted(CONFIG_KEYS));
        assert_eq!(schema["MetricSettings"], sorted(SETTINGS_KEYS));
        assert_eq!(schema["ScopeSettings"], sorted(SCOPE_KEYS));
        assert_eq!(schema["ScopeMetricSettings"], sorted(SCOPE_METRIC_KEYS));
        assert_eq!(schema["WaiverEntry"], sorted(WAIVER_KEYS));
        assert_eq!(schema["CollectSettings"], sorted(COLLECT_KEYS));
        assert_eq!(schema["SourceSettings"], sorted(SOURCE_KEYS));
    }
}
