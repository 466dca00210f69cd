//! The files `kpi init` writes: a measurements CSV listing every metric in effect with its unit and
//! a blank value, and a commented config. Kept beside the readers of those formats, which must be
//! able to read them back.

use crate::core::catalog::Metric;
use crate::core::tailoring::CatalogInEffect;
use crate::input::catalog::BUILTIN_ID;

/// A `metrics.csv` with a `metric,value,unit` header and one row per metric in effect.
///
/// # Panics
/// Never: writing CSV to memory cannot fail.
pub fn measurements(in_effect: &CatalogInEffect) -> String {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["metric", "value", "unit"]).expect("writing to memory");
    for m in in_effect.catalog.metrics() {
        csv.write_record([m.id.as_str(), "", m.unit.symbol]).expect("writing to memory");
    }
    let bytes = csv.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("the fields are UTF-8")
}

/// A `kpi.yaml` that extends the catalog in effect and shows each section, commented out.
pub fn config(in_effect: &CatalogInEffect) -> String {
    // Examples that make sense for the built-in catalog; for another, its first and last metrics
    // with their own thresholds, which are valid if not instructive.
    let metrics = in_effect.catalog.metrics();
    let builtin = in_effect.base == BUILTIN_ID;
    let example = |m: Option<&Metric>, fallback: (&str, &str, &str)| match m {
        Some(m) if !builtin => (
            m.id.clone(),
            m.thresholds.pass.display(m.unit).to_string(),
            m.thresholds.warn.display(m.unit).to_string(),
        ),
        _ => (fallback.0.to_string(), fallback.1.to_string(), fallback.2.to_string()),
    };
    let (id, pass, warn) = example(metrics.first(), ("response_time", "<= 250ms", "<= 400ms"));
    let (_, scope_pass, scope_warn) = example(metrics.first(), ("", "<= 2s", "<= 3s"));
    let (off, _, _) = example(metrics.last(), ("code_commits", "", ""));
    let (waived, _, _) = example(metrics.last(), ("code_coverage", "", ""));
    format!(
        r#"# kpi.yaml: this team's thresholds on top of a catalog. `kpi check` reads it from the
# current directory; `kpi catalog show METRIC` shows what a metric ends up with and
# `kpi catalog validate` checks this file. For completion and checks in an editor, save
# the schema with `kpi catalog schema > kpi.schema.json` and name it in a
# yaml-language-server modeline on the first line (see the README).

# The catalog to start from: `backend-team` (built in) or a path to a catalog file.
extends: {extends}

# Change a metric by its id (thresholds, unit, target, ideas...), turn one off, or add a
# new metric with every field a catalog metric has:
# metrics:
#   {id}:
#     pass: "{pass}"
#     warn: "{warn}"
#   {off}:
#     enabled: false

# Other thresholds for one scope (the `scope` column of the measurements):
# scopes:
#   batch-jobs:
#     metrics:
#       {id}:
#         pass: "{scope_pass}"
#         warn: "{scope_warn}"

# An agreed, dated excuse for a metric that warns or fails: it shows as `waived` and
# does not fail the gate through `until`.
# waivers:
#   - metric: {waived}
#     reason: agreed at the quarterly review while the fix lands
#     until: 2025-12-31
"#,
        extends = quote(&in_effect.base),
    )
}

/// A YAML scalar for `text`, quoted unless it is plainly safe.
fn quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if plain { text.to_string() } else { format!("'{}'", text.replace('\'', "''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::load_builtin;
    use crate::input::config::load;

    fn builtin() -> CatalogInEffect {
        CatalogInEffect {
            catalog: load_builtin().unwrap(),
            scopes: Vec::new(),
            waivers: Vec::new(),
            base: BUILTIN_ID.into(),
            config: None,
        }
    }

    #[test]
    fn measurements_template() {
        insta::assert_snapshot!(measurements(&builtin()));
    }

    #[test]
    fn config_template() {
        insta::assert_snapshot!(config(&builtin()));
    }

    #[test]
    fn the_config_template_is_valid_as_written_and_with_its_examples_uncommented() {
        let text = config(&builtin());
        let in_effect = load(&text, "kpi.yaml", std::path::Path::new(""), None).unwrap();
        assert_eq!(in_effect.catalog.metrics().len(), 15);
        let mut uncommented = String::new();
        for line in text.lines() {
            let line = match line.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with(' ') || rest.ends_with(':') && !rest.contains(' ') =>
                {
                    rest
                }
                _ => line,
            };
            uncommented.push_str(line);
            uncommented.push('\n');
        }
        assert!(uncommented.contains("\nwaivers:\n  - metric: code_coverage\n"), "{uncommented}");
        let in_effect = load(&uncommented, "kpi.yaml", std::path::Path::new(""), None).unwrap();
        assert_eq!(in_effect.catalog.metrics().len(), 14);
        assert_eq!(in_effect.waivers.len(), 1);
        assert_eq!(in_effect.scope_names(), ["batch-jobs"]);
    }

    #[test]
    fn odd_paths_are_quoted() {
        assert_eq!(quote("backend-team"), "backend-team");
        assert_eq!(quote("../cat alog.yaml"), "'../cat alog.yaml'");
        assert_eq!(quote("it's"), "'it''s'");
    }
}
