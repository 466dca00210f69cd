//! Compiles the built-in catalogs (`catalog/*.yaml`) into Rust data, so that a run does not parse
//! YAML for them: that parse was most of the start-up time of `kpi check`. The YAML stays the
//! source of truth; a test checks that each compiled catalog equals the one the YAML reader gives.

use std::fmt::Write;
use std::path::Path;

use saphyr::{LoadableYamlNode, Yaml};

/// Each built-in catalog: the constant it compiles to and its file.
const CATALOGS: [(&str, &str); 2] =
    [("BACKEND_TEAM", "catalog/backend-team.yaml"), ("DORA", "catalog/dora.yaml")];
const TEXT_KEYS: [&str; 8] =
    ["id", "name", "category", "description", "target", "unit", "pass", "warn"];
const LIST_KEYS: [&str; 2] = ["aliases", "ideas"];
/// Keys a metric may leave out; `a.b` is key `b` of the mapping under `a`.
const OPTIONAL_KEYS: [&str; 6] =
    ["range", "max_age", "on_stale", "regression.warn", "regression.fail", "weight"];

fn main() {
    let mut out = String::new();
    writeln!(
        out,
        "/// A compiled metric: `{}`, then `{}`, then `{}` where it has them.",
        TEXT_KEYS.join("`, `"),
        LIST_KEYS.join("`, `"),
        OPTIONAL_KEYS.join("`, `"),
    )
    .unwrap();
    writeln!(out, "/// And last, the line of the catalog its `pass` threshold is on.").unwrap();
    writeln!(out, "pub(crate) type CompiledMetric = ([&'static str; {}], [&'static [&'static str]; {}], [Option<&'static str>; {}], usize);", TEXT_KEYS.len(), LIST_KEYS.len(), OPTIONAL_KEYS.len()).unwrap();
    writeln!(out, "/// A compiled catalog: its short name and title, its metrics, its levels (each a name and its metrics) and whether a warning holds a level.").unwrap();
    writeln!(out, "pub(crate) struct Compiled {{ pub(crate) head: (&'static str, &'static str), pub(crate) metrics: &'static [CompiledMetric], pub(crate) levels: &'static [(&'static str, &'static [&'static str])], pub(crate) warn_holds_level: bool }}").unwrap();
    for (name, file) in CATALOGS {
        println!("cargo::rerun-if-changed={file}");
        compile(&mut out, name, file);
    }
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("builtin_catalog.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn scalar(node: &Yaml, key: &str) -> Option<String> {
    match node.as_mapping_get(key)? {
        Yaml::Value(saphyr::Scalar::String(s)) => Some(s.to_string()),
        Yaml::Value(saphyr::Scalar::Integer(i)) => Some(i.to_string()),
        Yaml::Value(saphyr::Scalar::FloatingPoint(f)) => Some(f.to_string()),
        _ => panic!("the built-in catalog's `{key}` is not text"),
    }
}

fn texts(node: &Yaml, key: &str) -> String {
    let items =
        node.as_mapping_get(key).and_then(Yaml::as_vec).map(Vec::as_slice).unwrap_or_default();
    let items: Vec<String> =
        items.iter().map(|i| format!("{:?}", i.as_str().expect("list items are text"))).collect();
    format!("&[{}]", items.join(", "))
}

/// The line (from 1) of the `pass:` key of the metric `id` in catalog `text`: the first after the
/// line of its `- id:`.
fn pass_line(text: &str, id: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().trim_start_matches("- ").trim() == format!("id: {id}"))
        .unwrap_or_else(|| panic!("the built-in catalog has no `- id: {id}` line"));
    let offset = lines[start..]
        .iter()
        .position(|l| l.trim_start().starts_with("pass:"))
        .unwrap_or_else(|| panic!("metric `{id}` has no `pass:` line"));
    start + offset + 1
}

fn compile(out: &mut String, name: &str, file: &str) {
    let text = std::fs::read_to_string(file).expect("the built-in catalog is readable");
    let docs = Yaml::load_from_str(&text).expect("the built-in catalog is valid YAML");
    let root = &docs[0];
    let text_of =
        |node: &Yaml, key: &str| scalar(node, key).unwrap_or_else(|| panic!("no `{key}`"));
    writeln!(out, "/// `{file}`, compiled.").unwrap();
    writeln!(out, "pub(crate) const {name}: Compiled = Compiled {{").unwrap();
    writeln!(out, "    head: ({:?}, {:?}),", text_of(root, "name"), text_of(root, "title"))
        .unwrap();
    writeln!(out, "    metrics: &[").unwrap();
    for metric in root["metrics"].as_vec().expect("`metrics` is a list") {
        let texts_: Vec<String> =
            TEXT_KEYS.iter().map(|k| format!("{:?}", text_of(metric, k))).collect();
        let lists: Vec<String> = LIST_KEYS.iter().map(|k| texts(metric, k)).collect();
        let optional: Vec<String> = OPTIONAL_KEYS
            .iter()
            .map(|key| {
                let found = match key.split_once('.') {
                    Some((outer, inner)) => {
                        metric.as_mapping_get(outer).and_then(|m| scalar(m, inner))
                    }
                    None => scalar(metric, key),
                };
                found.map_or_else(|| "None".to_string(), |t| format!("Some({t:?})"))
            })
            .collect();
        let id = text_of(metric, "id");
        writeln!(
            out,
            "        ([{}], [{}], [{}], {}),",
            texts_.join(", "),
            lists.join(", "),
            optional.join(", "),
            pass_line(&text, &id)
        )
        .unwrap();
    }
    writeln!(out, "    ],").unwrap();
    writeln!(out, "    levels: &[").unwrap();
    let levels = root.as_mapping_get("levels").and_then(Yaml::as_vec);
    for level in levels.map(Vec::as_slice).unwrap_or_default() {
        writeln!(out, "        ({:?}, {}),", text_of(level, "name"), texts(level, "metrics"))
            .unwrap();
    }
    writeln!(out, "    ],").unwrap();
    let warn_holds = matches!(
        root.as_mapping_get("warn_holds_level"),
        Some(Yaml::Value(saphyr::Scalar::Boolean(true)))
    );
    writeln!(out, "    warn_holds_level: {warn_holds},").unwrap();
    writeln!(out, "}};").unwrap();
}
