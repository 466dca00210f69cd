//! Reading a catalog from YAML into the core model. The only module that knows YAML; it checks every
//! metric and reports all problems at once, each with its line and a stable code.

use serde::Deserialize;

use crate::core::catalog::{Catalog, Metric};
use crate::core::threshold::{Band, Thresholds};
use crate::core::unit::Unit;

/// The built-in Backend Team catalog, embedded in the binary.
pub const BUILTIN: &str = include_str!("../../catalog/backend-team.yaml");

/// The name the built-in catalog goes by in messages.
pub const BUILTIN_NAME: &str = "<built-in catalog backend-team>";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    name: String,
    title: String,
    metrics: Vec<RawMetric>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetric {
    id: String,
    name: String,
    category: String,
    description: String,
    target: String,
    unit: String,
    pass: String,
    warn: String,
    #[serde(default)]
    aliases: Vec<String>,
    ideas: Vec<String>,
}

/// One thing wrong with a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A stable kebab-case code, e.g. `unknown-unit`.
    pub code: &'static str,
    /// 1-based line the problem is on, when known.
    pub line: Option<usize>,
    pub message: String,
}

/// Everything wrong with a catalog file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let one = |f: &mut std::fmt::Formatter<'_>, p: &Problem| match p.line {
            Some(line) => write!(f, "{}:{line}: {} [{}]", self.file, p.message, p.code),
            None => write!(f, "{}: {} [{}]", self.file, p.message, p.code),
        };
        match self.problems.as_slice() {
            [single] => one(f, single),
            many => {
                write!(f, "{} problems in catalog `{}`:", many.len(), self.file)?;
                for problem in many {
                    f.write_str("\n  ")?;
                    one(f, problem)?;
                }
                Ok(())
            }
        }
    }
}

/// Loads the built-in catalog.
pub fn load_builtin() -> Result<Catalog, CatalogError> {
    load(BUILTIN, BUILTIN_NAME)
}

/// Parses catalog YAML `text`; `file` names it in errors.
pub fn load(text: &str, file: &str) -> Result<Catalog, CatalogError> {
    let fail = |problems| CatalogError { file: file.to_string(), problems };
    let raw: RawCatalog = serde_yaml::from_str(text).map_err(|err| {
        let line = err.location().map(|l| l.line());
        let message = err.to_string();
        // serde_yaml appends " at line L column C"; the line is already in front of the message.
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        fail(vec![Problem { code: "invalid-yaml", line, message }])
    })?;
    let mut problems = Vec::new();
    let mut metrics = Vec::new();
    for m in raw.metrics {
        let line = line_of_id(text, &m.id);
        let mut problem = |code, message: String| {
            problems.push(Problem { code, line, message: format!("metric `{}`: {message}", m.id) });
        };
        for (field, value) in
            [("id", &m.id), ("name", &m.name), ("category", &m.category), ("target", &m.target)]
        {
            if value.trim().is_empty() {
                problem("empty-field", format!("`{field}` is empty; give it a value"));
            }
        }
        if m.ideas.is_empty() {
            problem("no-ideas", "`ideas` is empty; list what a team can do to improve it".into());
        }
        let Some(unit) = Unit::lookup(&m.unit) else {
            problem(
                "unknown-unit",
                format!("unknown unit `{}`; use one of {}", m.unit, Unit::known_symbols()),
            );
            continue;
        };
        let pass = Band::parse(&m.pass, unit)
            .map_err(|e| problem("invalid-threshold", format!("`pass`: {e}")));
        let warn = Band::parse(&m.warn, unit)
            .map_err(|e| problem("invalid-threshold", format!("`warn`: {e}")));
        let (Ok(pass), Ok(warn)) = (pass, warn) else { continue };
        let thresholds = match Thresholds::new(pass, warn, unit) {
            Ok(thresholds) => thresholds,
            Err(e) => {
                problem("warn-without-pass", e.to_string());
                continue;
            }
        };
        metrics.push(Metric {
            id: m.id,
            name: m.name,
            category: m.category,
            description: m.description,
            target: m.target,
            unit,
            thresholds,
            aliases: m.aliases,
            ideas: m.ideas,
        });
    }
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    if metrics.is_empty() {
        return Err(fail(vec![Problem {
            code: "no-metrics",
            line: None,
            message: "the catalog has no metrics; list them under `metrics:`".into(),
        }]));
    }
    Catalog::new(raw.name, raw.title, metrics).map_err(|clashes| {
        fail(
            clashes
                .into_iter()
                .map(|c| Problem {
                    code: "name-clash",
                    line: line_of_id(text, &c.second),
                    message: c.to_string(),
                })
                .collect(),
        )
    })
}

/// The line of `id: <id>`, to point a problem at its metric.
fn line_of_id(text: &str, id: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start().trim_start_matches("- ").trim_start();
            line.strip_prefix("id:").is_some_and(|rest| rest.trim().trim_matches(['"', '\'']) == id)
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "name: t\ntitle: T\nmetrics:\n  - id: a\n    name: A\n    category: C\n    \
        description: d\n    target: t\n    unit: \"%\"\n    pass: \"< 1\"\n    warn: \"< 2\"\n    ideas: [x]\n";

    #[test]
    fn builtin_catalog_loads() {
        let catalog = load_builtin().unwrap();
        assert_eq!(catalog.metrics().len(), 15);
    }

    #[test]
    fn a_minimal_catalog_loads() {
        let catalog = load(ONE, "c.yaml").unwrap();
        assert_eq!(catalog.metrics()[0].id, "a");
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_code() {
        let text = ONE.replace("unit: \"%\"", "unit: parsecs").replace("ideas: [x]", "ideas: []");
        let err = load(&text, "c.yaml").unwrap_err();
        let codes: Vec<_> = err.problems.iter().map(|p| (p.code, p.line)).collect();
        assert_eq!(codes, [("no-ideas", Some(4)), ("unknown-unit", Some(4))]);
    }

    #[test]
    fn warn_not_containing_pass_is_a_problem() {
        let err = load(&ONE.replace("< 2", "< 0.5"), "c.yaml").unwrap_err();
        assert_eq!(err.problems[0].code, "warn-without-pass");
    }

    #[test]
    fn unknown_keys_and_bad_yaml_point_at_their_line() {
        let err = load(&ONE.replace("ideas:", "idaes:"), "c.yaml").unwrap_err();
        assert_eq!(err.problems[0].code, "invalid-yaml");
        assert_eq!(err.problems[0].line, Some(12));
        assert!(err.problems[0].message.contains("unknown field `idaes`"), "{err}");
    }
}
