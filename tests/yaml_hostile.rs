//! Hostile catalogs and configs: arbitrary text never panics the YAML readers, and documents built
//! to exhaust memory or the stack (alias bombs, deep nesting) are refused with a clear error.

use std::fmt::Write;
use std::path::Path;

use kpi::input::{catalog, config};
use proptest::prelude::*;

/// A config read from `text`, as `kpi` would read `kpi.yaml`; `extends:` paths resolve nowhere.
fn load_config(text: &str) -> Result<String, String> {
    config::load(text, "kpi.yaml", Path::new("/nonexistent"), None)
        .map(|setup| setup.base)
        .map_err(|e| e.to_string())
}

/// Ten levels of ten aliases each: 10^10 nodes once expanded.
fn alias_bomb() -> String {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10u8 {
        let (name, previous) = (char::from(b'a' + level), char::from(b'a' + level - 1));
        let refs = vec![format!("*{previous}"); 10].join(", ");
        writeln!(text, "{name}: &{name} [{refs}]").unwrap();
    }
    text
}

#[test]
fn an_alias_bomb_is_refused() {
    let err = load_config(&alias_bomb()).unwrap_err();
    assert!(err.contains("[invalid-yaml]") && err.contains("alias"), "{err}");
    let err = catalog::load(&alias_bomb(), "c.yaml").unwrap_err().to_string();
    assert!(err.contains("[invalid-yaml]"), "{err}");
}

#[test]
fn deeply_nested_documents_are_refused() {
    let depth = 100_000;
    let flow = format!("metrics: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let err = load_config(&flow).unwrap_err();
    assert!(err.contains("[invalid-yaml]") && err.contains("recursion limit"), "{err}");
    // The deepest block nesting that fits under the file size limit, in a test thread's small stack.
    let block: String = (0..2800).flat_map(|i| [" ".repeat(i), "-\n".to_string()]).collect();
    let err = load_config(&block).unwrap_err();
    assert_eq!(
        err,
        "kpi.yaml:33:33: the document nests deeper than 32 levels; a catalog or config needs five [too-deep]"
    );
    let err = catalog::load(&block, "c.yaml").unwrap_err().to_string();
    assert!(err.contains("[too-deep]"), "{err}");
}

#[test]
fn the_deepest_nesting_a_short_document_can_hold_is_read_without_exhausting_the_stack() {
    // Short documents skip the depth check; the deepest one under its size bound still reads in a
    // test thread's small stack and is refused for what it holds.
    let mut block = String::new();
    let mut depth = 0;
    while block.len() + depth + 2 < 16 * 1024 {
        block.push_str(&" ".repeat(depth));
        block.push_str("-\n");
        depth += 1;
    }
    assert!(depth > 170, "{depth}");
    let err = load_config(&block).unwrap_err();
    assert!(err.contains("[wrong-type]"), "{err}");
    assert!(catalog::load(&block, "c.yaml").is_err());
}

/// YAML-shaped text: keys the readers know, odd scalars, anchors, aliases, flow and block mixes.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("metrics:".to_string()),
        Just("scopes:".to_string()),
        Just("waivers:".to_string()),
        Just("extends: backend-team".to_string()),
        Just("  response_time:".to_string()),
        Just("    pass: \"< 1\"".to_string()),
        Just("    warn: \">= 5 and <= 1\"".to_string()),
        Just("    unit: parsecs".to_string()),
        Just("    enabled: false".to_string()),
        Just("  - metric: mttr".to_string()),
        Just("    until: 2026-13-40".to_string()),
        Just("&a [*a]".to_string()),
        Just("*b".to_string()),
        Just("- ".to_string()),
        Just("{: [".to_string()),
        "[ -~]{0,12}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_config_reader(text in "\\PC{0,200}") {
        let _ = load_config(&text);
    }

    #[test]
    fn arbitrary_text_never_panics_the_catalog_reader(text in "\\PC{0,200}") {
        let _ = catalog::load(&text, "c.yaml");
    }

    #[test]
    fn yaml_shaped_text_never_panics_and_errors_stay_one_problem_per_line(text in yamlish()) {
        if let Err(err) = load_config(&text) {
            for line in err.lines().skip(1) {
                prop_assert!(line.starts_with("  "), "problem lines are indented: {err}");
            }
        }
        let _ = catalog::load(&text, "c.yaml");
    }
}
