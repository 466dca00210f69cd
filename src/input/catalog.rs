//! Reading a catalog from YAML into the core model. Reports every problem at once, each with its
//! line, column and a stable code; the checks that do not depend on YAML live in
//! `core::config`, shared with new metrics in a config.

use std::collections::HashMap;

use crate::core::catalog::Catalog;
use crate::core::config::{self, ChangeError, MetricChange};

use super::problem::{Position, Problems, ValidationError};
use super::yaml::{self, Fields, Located};

/// The built-in Backend Team catalog, embedded in the binary.
pub const BUILTIN: &str = include_str!("../../catalog/backend-team.yaml");

/// The name `extends:` uses for the built-in catalog.
pub const BUILTIN_ID: &str = "backend-team";

/// The name the built-in catalog goes by in messages.
pub const BUILTIN_NAME: &str = "<built-in catalog backend-team>";

/// The keys of a catalog file.
pub(crate) const CATALOG_KEYS: &[&str] = &["name", "title", "metrics"];

/// The keys of a catalog metric.
pub(crate) const METRIC_KEYS: &[&str] = &[
    "id",
    "name",
    "category",
    "description",
    "target",
    "unit",
    "pass",
    "warn",
    "range",
    "aliases",
    "ideas",
];

/// Everything wrong with a catalog file: the same report as for a config.
pub type CatalogError = ValidationError;

/// Where each key of one entry was written; `id` is where the entry itself is.
pub(crate) type Spots = HashMap<&'static str, Position>;

/// The built-in catalog as Rust data, compiled from [`BUILTIN`] by `build.rs`.
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

/// Loads the built-in catalog. It is compiled from its YAML at build time, since a run that parses
/// it spends most of its start-up doing so; it goes through the same checks as any catalog, and a
/// test holds it equal to what [`load`] reads from [`BUILTIN`].
pub fn load_builtin() -> Result<Catalog, CatalogError> {
    let owned = |texts: &[&str]| texts.iter().map(ToString::to_string).collect::<Vec<_>>();
    let changes: Vec<MetricChange> = compiled::METRICS
        .iter()
        .map(
            |(
                [id, name, category, description, target, unit, pass, warn],
                [aliases, ideas],
                range,
            )| {
                MetricChange {
                    id: (*id).to_string(),
                    name: Some((*name).to_string()),
                    category: Some((*category).to_string()),
                    description: Some((*description).to_string()),
                    target: Some((*target).to_string()),
                    unit: Some((*unit).to_string()),
                    pass: Some((*pass).to_string()),
                    warn: Some((*warn).to_string()),
                    range: range.map(ToString::to_string),
                    aliases: Some(owned(aliases)),
                    ideas: Some(owned(ideas)),
                    enabled: None,
                }
            },
        )
        .collect();
    let (name, title) = compiled::HEAD;
    let fail = |problems| ValidationError::new(BUILTIN_NAME, problems);
    let empty = Catalog::new(name.to_string(), title.to_string(), Vec::new())
        .map_err(|_| fail(Vec::new()))?;
    config::apply(&empty, &changes, BUILTIN_NAME, None).map_err(|errors| {
        let mut problems = Problems::default();
        report(errors, &[], &mut problems);
        fail(problems.0)
    })
}

/// Parses catalog YAML `text`; `file` names it in errors and in each metric's origin.
pub fn load(text: &str, file: &str) -> Result<Catalog, CatalogError> {
    let mut problems = Problems::default();
    let catalog = read(text, file, &mut problems);
    match catalog {
        Some(catalog) if problems.is_empty() => Ok(catalog),
        _ => Err(ValidationError::new(file, problems.0)),
    }
}

fn read(text: &str, file: &str, problems: &mut Problems) -> Option<Catalog> {
    let root = yaml::parse(text, problems)?;
    let top = Fields::known(&root, &format!("`{file}`"), CATALOG_KEYS, problems)?;
    let name = top.required_text("name", "the catalog", problems);
    let title = top.required_text("title", "the catalog", problems);
    let Some(list) = top.get("metrics") else {
        top.missing("metrics", "the catalog", problems);
        return None;
    };
    let items = yaml::list(list, "metrics", problems)?;
    if items.is_empty() {
        problems.add(
            "no-metrics",
            yaml::position(list),
            "the catalog has no metrics; list them under `metrics:`",
        );
    }
    let mut changes = Vec::new();
    let mut spots = Vec::new();
    for item in items {
        let Some(fields) = Fields::known(item, "each entry of `metrics`", METRIC_KEYS, problems)
        else {
            continue;
        };
        let Some(id) = fields.required_text("id", "a metric", problems) else { continue };
        let what = format!("metric `{}`", id.value);
        let complete = config::REQUIRED
            .iter()
            .filter(|key| fields.get(key).is_none())
            .map(|key| fields.missing(key, &what, problems))
            .count()
            == 0;
        let (change, at) = read_metric(&fields, id, problems);
        if complete {
            changes.push(change);
            spots.push(at);
        }
    }
    let empty = Catalog::new(name?.value, title?.value, Vec::new()).ok()?;
    match config::apply(&empty, &changes, file, None) {
        Ok(catalog) => Some(catalog),
        Err(errors) => {
            report(errors, &spots, problems);
            None
        }
    }
}

/// Reads the metric keys of an entry (all but `id` and `enabled`) into a change of metric `id`.
pub(crate) fn read_metric(
    fields: &Fields<'_, '_>,
    id: Located<String>,
    problems: &mut Problems,
) -> (MetricChange, Spots) {
    let mut spots = Spots::from([("id", id.at)]);
    let mut text = |key: &'static str, problems: &mut Problems| {
        let found = fields.text(key, problems)?;
        spots.insert(key, found.at);
        Some(found.value)
    };
    let name = text("name", problems);
    let category = text("category", problems);
    let description = text("description", problems);
    let target = text("target", problems);
    let unit = text("unit", problems);
    let pass = text("pass", problems);
    let warn = text("warn", problems);
    let range = text("range", problems);
    let mut texts = |key: &'static str, problems: &mut Problems| {
        let found = fields.texts(key, problems)?;
        spots.insert(key, found.at);
        Some(found.value)
    };
    let aliases = texts("aliases", problems);
    let ideas = texts("ideas", problems);
    let change = MetricChange {
        id: id.value,
        name,
        category,
        description,
        target,
        unit,
        pass,
        warn,
        range,
        aliases,
        ideas,
        enabled: None,
    };
    (change, spots)
}

/// Turns the core's problems with changes into problems at the place of the key they are about.
pub(crate) fn report(errors: Vec<ChangeError>, spots: &[Spots], problems: &mut Problems) {
    for error in errors {
        let at = spots.get(error.index).and_then(|s| s.get(error.key).or_else(|| s.get("id")));
        let at = at.copied().unwrap_or_default();
        problems.add(error.problem.code(), at, error.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::schema::{SchemaKind, properties, sorted};

    const ONE: &str = "name: t\ntitle: T\nmetrics:\n  - id: a\n    name: A\n    category: C\n    \
        description: d\n    target: t\n    unit: \"%\"\n    pass: \"< 1\"\n    warn: \"< 2\"\n    ideas: [x]\n";

    fn problems(text: &str) -> Vec<(&'static str, usize, usize)> {
        let err = load(text, "c.yaml").unwrap_err();
        err.problems.iter().map(|p| (p.code, p.at.unwrap().line, p.at.unwrap().column)).collect()
    }

    #[test]
    fn the_compiled_builtin_catalog_is_what_its_yaml_says() {
        let compiled = load_builtin().unwrap();
        let read = load(BUILTIN, BUILTIN_NAME).unwrap();
        assert_eq!((&compiled.name, &compiled.title), (&read.name, &read.title));
        assert_eq!(compiled.metrics(), read.metrics());
        for metric in read.metrics() {
            for name in [&metric.id, &metric.name].into_iter().chain(&metric.aliases) {
                assert_eq!(compiled.resolve(name), read.resolve(name), "{name}");
            }
        }
    }

    #[test]
    fn builtin_catalog_loads() {
        let catalog = load_builtin().unwrap();
        assert_eq!(catalog.metrics().len(), 15);
        assert_eq!(catalog.metrics()[0].origin.defined_in, BUILTIN_NAME);
    }

    #[test]
    fn a_minimal_catalog_loads() {
        let catalog = load(ONE, "c.yaml").unwrap();
        assert_eq!(catalog.metrics()[0].id, "a");
    }

    #[test]
    fn every_problem_is_reported_with_its_line_column_and_code() {
        let text = ONE.replace("unit: \"%\"", "unit: parsecs").replace("ideas: [x]", "ideas: []");
        assert_eq!(problems(&text), [("unknown-unit", 9, 11), ("no-ideas", 12, 12)]);
    }

    #[test]
    fn warn_not_containing_pass_points_at_warn() {
        assert_eq!(problems(&ONE.replace("< 2", "< 0.5")), [("warn-without-pass", 11, 11)]);
    }

    #[test]
    fn unknown_keys_point_at_the_key_and_suggest_the_closest() {
        let err = load(&ONE.replace("ideas:", "idaes:"), "c.yaml").unwrap_err();
        let codes: Vec<_> = err.problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["missing-field", "unknown-key"]);
        assert_eq!(
            err.to_string(),
            "2 problems in `c.yaml`:\n  c.yaml:4:5: metric `a` has no `ideas`; add it [missing-field]\n  \
             c.yaml:12:5: unknown key `idaes` (did you mean `ideas`?) [unknown-key]"
        );
    }

    #[test]
    fn a_repeated_id_is_a_duplicate() {
        let text = format!("{ONE}{}", &ONE[ONE.find("  - id").unwrap()..]);
        assert_eq!(problems(&text), [("duplicate-id", 13, 9)]);
    }

    #[test]
    fn syntax_errors_and_repeated_keys_stop_at_their_place() {
        assert_eq!(problems("name: [\n"), [("invalid-yaml", 2, 1)]);
        assert_eq!(problems("name: a\nname: b\n"), [("duplicate-key", 2, 1)]);
    }

    #[test]
    fn the_reader_knows_the_keys_the_schema_describes() {
        let schema = properties(SchemaKind::Catalog);
        assert_eq!(schema["root"], sorted(CATALOG_KEYS));
        assert_eq!(schema["CatalogMetric"], sorted(METRIC_KEYS));
    }
}
