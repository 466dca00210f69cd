//! Reading a catalog from YAML into the core model. Reports every problem at once, each with its
//! line, column and a stable code; the checks that do not depend on YAML live in
//! `core::tailoring`, shared with new metrics in a config.

use std::collections::HashMap;

use crate::core::catalog::{Catalog, Definition};
use crate::core::tailoring::{self, ChangeError, LevelChange, MetricChange};
use crate::core::text::printable;

use super::problem::{Position, Problem, Problems, ValidationError};
use super::yaml::{self, Fields, Located};

/// The built-in Backend Team catalog, embedded in the binary.
pub const BUILTIN: &str = include_str!("../../catalog/backend-team.yaml");

/// The name `extends:` uses for the built-in catalog.
pub const BUILTIN_ID: &str = "backend-team";

/// The name the built-in catalog goes by in messages.
pub const BUILTIN_NAME: &str = "<built-in catalog backend-team>";

/// The keys of a catalog file.
pub(crate) const CATALOG_KEYS: &[&str] =
    &["name", "title", "metrics", "levels", "warn_holds_level"];

/// The keys of each entry of `levels`.
pub(crate) const LEVEL_KEYS: &[&str] = &["name", "metrics"];

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
    "max_age",
    "on_stale",
    "regression",
    "weight",
    "aliases",
    "ideas",
];

/// The keys of a metric's `regression:`.
pub(crate) const REGRESSION_KEYS: &[&str] = &["warn", "fail"];

/// Everything wrong with a catalog file: the same report as for a config.
pub type CatalogError = ValidationError;

/// Where each key of one entry was written; `id` is where the entry itself is.
pub(crate) type Spots = HashMap<&'static str, Position>;

/// The built-in catalog as Rust data, compiled from [`BUILTIN`] by `build.rs`.
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));
}

/// A metric of the built-in catalog by its id: the id and unit as `'static` texts, for
/// collectors, whose readings name catalog metrics.
pub(crate) fn builtin_metric(id: &str) -> Option<(&'static str, &'static str)> {
    compiled::BACKEND_TEAM
        .metrics
        .iter()
        .find(|(fields, ..)| fields[0] == id)
        .map(|(fields, ..)| (fields[0], fields[5]))
}

/// The built-in DORA catalog, embedded in the binary.
pub const DORA: &str = include_str!("../../catalog/dora.yaml");

/// A built-in catalog: the name `extends:` and `--catalog` use for it, its YAML, its file in the
/// repository, and its compiled form.
pub struct Builtin {
    pub id: &'static str,
    pub yaml: &'static str,
    /// The catalog's path in kpi's repository, e.g. `catalog/backend-team.yaml`.
    pub path: &'static str,
    compiled: &'static compiled::Compiled,
}

/// Every built-in catalog; the first is the default.
pub const BUILTINS: [Builtin; 2] = [
    Builtin {
        id: BUILTIN_ID,
        yaml: BUILTIN,
        path: "catalog/backend-team.yaml",
        compiled: &compiled::BACKEND_TEAM,
    },
    Builtin { id: "dora", yaml: DORA, path: "catalog/dora.yaml", compiled: &compiled::DORA },
];

impl Builtin {
    /// The built-in catalog named `id`, if there is one.
    pub fn find(id: &str) -> Option<&'static Builtin> {
        BUILTINS.iter().find(|b| b.id == id)
    }

    /// The name the catalog goes by in messages and origins, e.g. `<built-in catalog dora>`.
    pub fn display_name(&self) -> String {
        format!("<built-in catalog {}>", self.id)
    }

    /// Loads the catalog from its compiled form; see [`load_builtin`].
    pub fn load(&self) -> Result<Catalog, CatalogError> {
        let file = self.display_name();
        let owned = |texts: &[&str]| texts.iter().map(ToString::to_string).collect::<Vec<_>>();
        let text = |t: Option<&str>| t.map(ToString::to_string);
        let changes: Vec<MetricChange> = self
            .compiled
            .metrics
            .iter()
            .map(
                |(
                    [id, name, category, description, target, unit, pass, warn],
                    [aliases, ideas],
                    [range, max_age, on_stale, regression_warn, regression_fail, weight],
                    pass_line,
                )| MetricChange {
                    threshold_at: Some(Definition {
                        path: self.path.to_string(),
                        line: *pass_line,
                    }),
                    id: (*id).to_string(),
                    name: Some((*name).to_string()),
                    category: Some((*category).to_string()),
                    description: Some((*description).to_string()),
                    target: Some((*target).to_string()),
                    unit: Some((*unit).to_string()),
                    pass: Some((*pass).to_string()),
                    warn: Some((*warn).to_string()),
                    range: text(*range),
                    max_age: text(*max_age),
                    on_stale: text(*on_stale),
                    regression_warn: text(*regression_warn),
                    regression_fail: text(*regression_fail),
                    weight: text(*weight),
                    aliases: Some(owned(aliases)),
                    ideas: Some(owned(ideas)),
                    enabled: None,
                },
            )
            .collect();
        let (name, title) = self.compiled.head;
        let fail = |problems| ValidationError::new(&file, problems);
        let empty = Catalog::new(name.to_string(), title.to_string(), Vec::new())
            .map_err(|_| fail(Vec::new()))?;
        let levels: Vec<LevelChange> = self
            .compiled
            .levels
            .iter()
            .map(|(name, metrics)| LevelChange {
                name: (*name).to_string(),
                metrics: owned(metrics),
            })
            .collect();
        let report_all = |errors| {
            let mut problems = Problems::default();
            report(errors, &[], &mut problems);
            fail(problems.0)
        };
        let mut catalog = tailoring::apply(&empty, &changes, &file, None).map_err(report_all)?;
        catalog.ladder = tailoring::ladder(&catalog, &levels, self.compiled.warn_holds_level)
            .map_err(report_all)?;
        Ok(catalog)
    }
}

/// Loads the built-in Backend Team catalog. It is compiled from its YAML at build time, since a
/// run that parses it spends most of its start-up doing so; it goes through the same checks as any
/// catalog, and a test holds it equal to what [`load`] reads from [`BUILTIN`].
pub fn load_builtin() -> Result<Catalog, CatalogError> {
    BUILTINS[0].load()
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

/// Why a file given as a catalog (with `--catalog` or `extends:`) is not read as one. Such a file
/// may be anything on the machine, so the refusal quotes nothing from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotACatalog {
    /// Not a YAML mapping with a `metrics:` list.
    Foreign,
    /// A config: it has `extends:`.
    Config,
}

/// What a catalog is, for messages about a file that is not one.
const A_CATALOG: &str = "a YAML mapping with `name`, `title` and a `metrics:` list";

impl NotACatalog {
    /// Whether the document `root` is not a catalog, and why.
    fn of(root: &yaml::Node<'_>) -> Option<Self> {
        let Some(top) = Fields::any(root, "the file", &mut Problems::default()) else {
            return Some(NotACatalog::Foreign);
        };
        if top.has("extends") {
            Some(NotACatalog::Config)
        } else if top.get("metrics").is_some_and(yaml::is_sequence) {
            None
        } else {
            Some(NotACatalog::Foreign)
        }
    }

    /// The problem a catalog file that is not one is refused with, when `err` is that refusal.
    pub(crate) fn found_in(err: &CatalogError) -> Option<Self> {
        match err.problems.as_slice() {
            [p] if p.code == Self::Foreign.code() => Some(Self::Foreign),
            [p] if p.code == Self::Config.code() => Some(Self::Config),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            NotACatalog::Foreign => "not-a-catalog",
            NotACatalog::Config => "config-not-catalog",
        }
    }

    /// The refusal, said of the file itself.
    fn message(self) -> String {
        match self {
            NotACatalog::Foreign => {
                format!("this is not a kpi catalog, which is {A_CATALOG}; check the path")
            }
            // Only `--catalog` gets here: a config's `extends:` says it in its own words.
            NotACatalog::Config => format!(
                "this is a config (it has `extends:`), not a catalog; pass it with `--config`, and give `--catalog` a catalog: {A_CATALOG}"
            ),
        }
    }

    /// The refusal as a problem of the config whose `extends:` names the file `extended`.
    pub(crate) fn extended(self, extended: &str) -> String {
        let file = printable(extended);
        match self {
            NotACatalog::Foreign => format!(
                "`extends`: `{file}` is not a kpi catalog, which is {A_CATALOG}; use `{BUILTIN_ID}` or a path to a catalog file"
            ),
            NotACatalog::Config => format!(
                "`extends`: `{file}` is a config (it has `extends:` itself), not a catalog; extend `{BUILTIN_ID}` or a catalog file, {A_CATALOG}"
            ),
        }
    }
}

fn read(text: &str, file: &str, problems: &mut Problems) -> Option<Catalog> {
    let parsed = yaml::read(text, problems)?;
    if let Some(refused) = NotACatalog::of(&parsed.root) {
        problems.0.push(Problem::new(refused.code(), None, refused.message()));
        return None;
    }
    let root = parsed.sound(problems)?;
    let top = Fields::known(&root, &format!("`{}`", printable(file)), CATALOG_KEYS, problems)?;
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
        let what = format!("metric `{}`", printable(&id.value));
        let complete = tailoring::REQUIRED
            .iter()
            .filter(|key| fields.get(key).is_none())
            .map(|key| fields.missing(key, &what, problems))
            .count()
            == 0;
        let (change, at) = read_metric(&fields, id, file, problems);
        if complete {
            changes.push(change);
            spots.push(at);
        }
    }
    let (levels, level_spots, warn_holds) = read_levels(&top, problems);
    let empty = Catalog::new(name?.value, title?.value, Vec::new()).ok()?;
    let mut catalog = match tailoring::apply(&empty, &changes, file, None) {
        Ok(catalog) => catalog,
        Err(errors) => {
            report(errors, &spots, problems);
            return None;
        }
    };
    match tailoring::ladder(&catalog, &levels, warn_holds.unwrap_or(false)) {
        Ok(ladder) => catalog.ladder = ladder,
        Err(errors) => report(errors, &level_spots, problems),
    }
    Some(catalog)
}

/// `levels:` and `warn_holds_level:` of a catalog or config: each level as written with where its
/// keys are, and the setting when given.
pub(crate) fn read_levels(
    top: &Fields<'_, '_>,
    problems: &mut Problems,
) -> (Vec<LevelChange>, Vec<Spots>, Option<bool>) {
    let warn_holds = top.boolean("warn_holds_level", problems).map(|b| b.value);
    let (mut levels, mut spots) = (Vec::new(), Vec::new());
    let items = top.get("levels").and_then(|node| yaml::list(node, "levels", problems));
    for item in items.unwrap_or_default() {
        let Some(fields) = Fields::known(item, "each entry of `levels`", LEVEL_KEYS, problems)
        else {
            continue;
        };
        let Some(name) = fields.required_text("name", "a level", problems) else { continue };
        let what = format!("level `{}`", printable(&name.value));
        if fields.get("metrics").is_none() {
            fields.missing("metrics", &what, problems);
        }
        let Some(metrics) = fields.texts("metrics", problems) else { continue };
        spots.push(Spots::from([("id", fields.at), ("name", name.at), ("metrics", metrics.at)]));
        levels.push(LevelChange { name: name.value, metrics: metrics.value });
    }
    (levels, spots, warn_holds)
}

/// Reads the metric keys of an entry (all but `id` and `enabled`) into a change of metric `id`.
pub(crate) fn read_metric(
    fields: &Fields<'_, '_>,
    id: Located<String>,
    file: &str,
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
    let max_age = text("max_age", problems);
    let on_stale = text("on_stale", problems);
    let weight = text("weight", problems);
    let (mut regression_warn, mut regression_fail) = (None, None);
    if let Some(node) = fields.get("regression")
        && let Some(allowed) = Fields::known(node, "`regression`", REGRESSION_KEYS, problems)
    {
        spots.insert("regression", allowed.at);
        regression_warn = allowed.text("warn", problems).map(|t| t.value);
        regression_fail = allowed.text("fail", problems).map(|t| t.value);
    }
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
        max_age,
        on_stale,
        regression_warn,
        regression_fail,
        weight,
        aliases,
        ideas,
        enabled: None,
        threshold_at: spots.get("pass").or_else(|| spots.get("warn")).map(|at| Definition {
            path: file.trim_start_matches("./").to_string(),
            line: at.line,
        }),
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
    fn each_compiled_builtin_catalog_is_what_its_yaml_says() {
        for builtin in &BUILTINS {
            let compiled = builtin.load().unwrap();
            let read = load(builtin.yaml, &builtin.display_name()).unwrap();
            assert_eq!((&compiled.name, &compiled.title), (&read.name, &read.title));
            // Read from its YAML, a catalog's thresholds are at its file name; compiled, at its
            // path in the repository.
            let mut read_metrics = read.metrics().to_vec();
            for m in &mut read_metrics {
                let at = m.origin.threshold_at.as_mut().unwrap();
                at.path = builtin.path.to_string();
            }
            assert_eq!(compiled.metrics(), read_metrics);
            assert_eq!(compiled.ladder, read.ladder);
            for metric in read.metrics() {
                for name in [&metric.id, &metric.name].into_iter().chain(&metric.aliases) {
                    assert_eq!(compiled.resolve(name), read.resolve(name), "{name}");
                }
            }
            assert_eq!(compiled.name, builtin.id);
            let on_disk = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(builtin.path),
            )
            .unwrap();
            assert_eq!(on_disk, builtin.yaml);
        }
        assert_eq!(BUILTINS[0].display_name(), BUILTIN_NAME);
    }

    #[test]
    fn the_dora_catalog_passes_at_high_warns_at_medium_and_fails_below_at_every_edge() {
        use crate::core::threshold::Grade::{Fail, Pass, Warn};
        let dora = Builtin::find("dora").unwrap().load().unwrap();
        let grade = |id: &str, value: f64| {
            let metric = &dora.metrics()[dora.resolve(id).unwrap()];
            metric.thresholds.grade(value)
        };
        let week = 1.0 / 7.0;
        let edges = [
            // Deployments a day: High at least one a week, Medium at least one in 30 days.
            (
                "deployment_frequency",
                [(1.0, Pass), (week, Pass), (week - 1e-6, Warn), (0.0333, Warn), (0.0332, Fail)],
            ),
            // Hours: High at most a week, Medium at most 30 days.
            (
                "change_lead_time",
                [(23.0, Pass), (168.0, Pass), (168.01, Warn), (720.0, Warn), (720.01, Fail)],
            ),
            // Percent: the 2024 cluster values in order, 5, 10, 20, 40.
            (
                "change_failure_rate",
                [(5.0, Pass), (10.0, Pass), (10.01, Warn), (20.0, Warn), (20.01, Fail)],
            ),
            // Minutes: under a day passes, under a week warns.
            (
                "failed_deployment_recovery_time",
                [(59.0, Pass), (1439.0, Pass), (1440.0, Warn), (10079.0, Warn), (10080.0, Fail)],
            ),
        ];
        for (id, cases) in edges {
            for (value, expected) in cases {
                assert_eq!(grade(id, value), expected, "{id} at {value}");
            }
        }
        assert_eq!(dora.metrics().len(), 4);
        let backend = load_builtin().unwrap();
        let deploys = |c: &Catalog| c.metrics()[c.resolve("deployment_frequency").unwrap()].unit;
        assert_eq!(deploys(&dora).symbol, deploys(&backend).symbol, "the same metric in both");
        for metric in dora.metrics() {
            assert!(metric.target.contains("2024"), "{} names its source year", metric.id);
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
        assert_eq!(problems(&format!("name: a\n{ONE}")), [("duplicate-key", 2, 1)]);
    }

    #[test]
    fn every_repeated_key_is_reported_at_its_place() {
        let text = ONE
            .replace("    unit:", "    ideas: [y]\n    unit:")
            .replace("title: T\n", "title: T\ntitle: U\n");
        let err = load(&text, "c.yaml").unwrap_err();
        insta::assert_snapshot!(err.to_string(), @r"
        2 problems in `c.yaml`:
          c.yaml:3:1: this key is already given on line 2 of the same mapping; keep one [duplicate-key]
          c.yaml:14:5: this key is already given on line 10 of the same mapping; keep one [duplicate-key]
        ");
    }

    #[test]
    fn a_second_document_is_refused() {
        assert_eq!(problems(&format!("{ONE}---\nname: other\n")), [("second-document", 13, 1)]);
        assert_eq!(problems(&format!("---\n{ONE}...\n---\n")), [("second-document", 15, 1)]);
        assert!(load(&format!("---\n{ONE}...\n"), "c.yaml").is_ok());
    }

    #[test]
    fn a_file_that_is_not_a_catalog_is_refused_without_quoting_it() {
        let secret = "root:$6$salt$hash:19000:0:99999:7:::\nname: x\n";
        for text in
            [secret, "just text\n", "- a\n- b\n", "metrics: {mttr: {}}\n", "metric: []\n", ""]
        {
            let err = load(text, "f").unwrap_err().to_string();
            assert_eq!(
                err,
                "f: this is not a kpi catalog, which is a YAML mapping with `name`, `title` and a \
                 `metrics:` list; check the path [not-a-catalog]",
                "{text}"
            );
        }
        let err = load("extends: backend-team\nmetrics:\n  mttr: {}\n", "kpi.yaml").unwrap_err();
        assert_eq!(NotACatalog::found_in(&err), Some(NotACatalog::Config));
        insta::assert_snapshot!(err.to_string(), @"kpi.yaml: this is a config (it has `extends:`), not a catalog; pass it with `--config`, and give `--catalog` a catalog: a YAML mapping with `name`, `title` and a `metrics:` list [config-not-catalog]");
        // A file that lists its metrics is a catalog, and every problem in it is reported.
        assert_eq!(problems("metrics: []\n").len(), 3);
    }

    #[test]
    fn unknown_keys_quote_at_most_forty_characters() {
        let key = "k".repeat(1000);
        let err =
            load(&ONE.replace("ideas:", &format!("{key}: 1\n    ideas:")), "c.yaml").unwrap_err();
        let message = &err.problems[0].message;
        assert_eq!(
            message,
            &format!("unknown key `{}…`; expected one of {}", "k".repeat(40), {
                let all: Vec<String> = METRIC_KEYS.iter().map(|k| format!("`{k}`")).collect();
                all.join(", ")
            })
        );
    }

    #[test]
    fn the_reader_knows_the_keys_the_schema_describes() {
        let schema = properties(SchemaKind::Catalog);
        assert_eq!(schema["root"], sorted(CATALOG_KEYS));
        assert_eq!(schema["CatalogMetric"], sorted(METRIC_KEYS));
        assert_eq!(schema["RegressionSettings"], sorted(REGRESSION_KEYS));
        assert_eq!(schema["LevelEntry"], sorted(LEVEL_KEYS));
    }
}
