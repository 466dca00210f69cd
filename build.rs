//! Compiles the built-in catalog (`catalog/backend-team.yaml`) into Rust data, so that a run does not
//! parse YAML for it: that parse was most of the start-up time of `kpi check`. The YAML stays the
//! source of truth; a test checks that the compiled catalog equals the one the YAML reader gives.

use std::fmt::Write;
use std::path::Path;

use saphyr::{LoadableYamlNode, Yaml};

const CATALOG: &str = "catalog/backend-team.yaml";
const TEXT_KEYS: [&str; 8] =
    ["id", "name", "category", "description", "target", "unit", "pass", "warn"];
const LIST_KEYS: [&str; 2] = ["aliases", "ideas"];
/// Keys a metric may leave out.
const OPTIONAL_KEY: &str = "range";

fn main() {
    println!("cargo::rerun-if-changed={CATALOG}");
    let text = std::fs::read_to_string(CATALOG).expect("the built-in catalog is readable");
    let docs = Yaml::load_from_str(&text).expect("the built-in catalog is valid YAML");
    let root = &docs[0];
    let text_of = |node: &Yaml, key: &str| -> String {
        match &node[key] {
            Yaml::Value(saphyr::Scalar::String(s)) => s.to_string(),
            _ => panic!("the built-in catalog's `{key}` is not text"),
        }
    };
    let mut out = String::new();
    writeln!(out, "/// The built-in catalog's short name and title.").unwrap();
    writeln!(
        out,
        "pub(crate) const HEAD: (&str, &str) = ({:?}, {:?});",
        text_of(root, "name"),
        text_of(root, "title")
    )
    .unwrap();
    writeln!(
        out,
        "/// Each metric: `{}`, then `{}`, then `{OPTIONAL_KEY}` if it has one.",
        TEXT_KEYS.join("`, `"),
        LIST_KEYS.join("`, `")
    )
    .unwrap();
    writeln!(out, "pub(crate) type CompiledMetric = ([&'static str; 8], [&'static [&'static str]; 2], Option<&'static str>);").unwrap();
    writeln!(out, "pub(crate) const METRICS: &[CompiledMetric] = &[").unwrap();
    for metric in root["metrics"].as_vec().expect("`metrics` is a list") {
        let texts: Vec<String> =
            TEXT_KEYS.iter().map(|k| format!("{:?}", text_of(metric, k))).collect();
        let lists: Vec<String> = LIST_KEYS
            .iter()
            .map(|k| {
                let items = metric[*k].as_vec().map(Vec::as_slice).unwrap_or_default();
                let items: Vec<String> = items
                    .iter()
                    .map(|i| format!("{:?}", i.as_str().expect("list items are text")))
                    .collect();
                format!("&[{}]", items.join(", "))
            })
            .collect();
        let optional = match metric.as_mapping_get(OPTIONAL_KEY) {
            None => "None".to_string(),
            Some(_) => format!("Some({:?})", text_of(metric, OPTIONAL_KEY)),
        };
        writeln!(out, "    ([{}], [{}], {optional}),", texts.join(", "), lists.join(", ")).unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_catalog.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
