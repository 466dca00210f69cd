//! The JSON Schema that `kpi catalog schema` prints, checked by an independent validator: it
//! accepts the shipped catalog, the documented example config and the `kpi init` template, and
//! rejects broken files.

use kpi::input::schema::{SchemaKind, schema};
use serde_json::Value;

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test input is YAML")
}

fn errors(kind: SchemaKind, text: &str) -> Vec<String> {
    let validator = jsonschema::validator_for(&schema(kind)).expect("the schema is valid");
    let instance = yaml(text);
    validator.iter_errors(&instance).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

const EXAMPLE: &str = include_str!("../docs/examples/kpi.yaml");
const CATALOG: &str = include_str!("../catalog/backend-team.yaml");

#[test]
fn the_schema_accepts_the_shipped_catalog() {
    assert_eq!(errors(SchemaKind::Catalog, CATALOG), Vec::<String>::new());
}

#[test]
fn the_schema_accepts_the_example_config_and_an_empty_one() {
    assert_eq!(errors(SchemaKind::Config, EXAMPLE), Vec::<String>::new());
    assert_eq!(errors(SchemaKind::Config, "{}"), Vec::<String>::new());
}

#[test]
fn the_schema_accepts_the_init_template_with_its_examples_uncommented() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kpi"))
        .arg("init")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    let text = std::fs::read_to_string(dir.path().join("kpi.yaml")).unwrap();
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with(' ') || rest.ends_with(':') && !rest.contains(' ') => {
                rest
            }
            _ => l,
        })
        .fold(String::new(), |text, line| text + line + "\n");
    assert!(uncommented.contains("\nwaivers:\n"), "{uncommented}");
    assert_eq!(errors(SchemaKind::Config, &uncommented), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_a_broken_config() {
    let broken = "extends: backend-team\nmetrics:\n  response_time:\n    pas: \"<= 1s\"\n    \
                  enabled: \"no\"\n    unit: parsecs\nwaivers:\n  - metric: mttr\n    until: 2025-01-01\n";
    let found = errors(SchemaKind::Config, broken);
    let expected = [
        "/metrics/response_time/enabled",
        "/metrics/response_time/unit",
        "/metrics/response_time",
        "/waivers/0",
    ];
    for path in expected {
        assert!(found.iter().any(|e| e.starts_with(&format!("{path}: "))), "{path} in {found:#?}");
    }
}

#[test]
fn the_schema_rejects_a_catalog_metric_without_ideas_or_a_threshold() {
    let broken = "name: t\ntitle: T\nmetrics:\n  - id: a\n    name: A\n    category: C\n    \
                  description: d\n    target: t\n    unit: \"%\"\n    pass: \"1\"\n    warn: \"< 2\"\n";
    let found = errors(SchemaKind::Catalog, broken);
    assert!(found.iter().any(|e| e.contains("\"ideas\" is a required property")), "{found:#?}");
    assert!(found.iter().any(|e| e.starts_with("/metrics/0/pass: ")), "{found:#?}");
}

#[test]
fn the_docs_show_the_example_config_as_it_is() {
    let docs = include_str!("../README.md");
    assert!(
        docs.contains(&format!("```yaml\n{EXAMPLE}```")),
        "the README differs from docs/examples/kpi.yaml"
    );
}

#[test]
fn the_example_config_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/kpi.yaml");
    let in_effect = kpi::input::config::load_in_effect(Some(&dir), None).unwrap();
    assert_eq!(in_effect.catalog.title, "Payments service metrics");
    assert_eq!(in_effect.waivers.len(), 2);
}
