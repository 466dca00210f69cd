//! Hostile catalogs and configs: arbitrary text never panics the YAML readers, documents built to
//! exhaust memory or the stack (alias bombs, deep nesting) are refused with a clear error, and no
//! message grows with the text it quotes.

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
fn a_short_document_nesting_too_deep_is_refused_too() {
    // Thirty-three levels of block lists take a few hundred bytes.
    let block: String = (0..33).flat_map(|i| [" ".repeat(i), "-\n".to_string()]).collect();
    assert!(block.len() < 1024);
    let err = load_config(&block).unwrap_err();
    assert!(err.ends_with("[too-deep]"), "{err}");
    let err = catalog::load(&block, "c.yaml").unwrap_err().to_string();
    assert!(err.ends_with("[too-deep]"), "{err}");
    let flow = format!("metrics: {}{}\n", "{a: ".repeat(40), "}".repeat(40));
    assert!(load_config(&flow).unwrap_err().ends_with("[too-deep]"));
    // Thirty-two levels are read, and refused for what they hold.
    let block: String = (0..32).flat_map(|i| [" ".repeat(i), "-\n".to_string()]).collect();
    assert!(load_config(&block).unwrap_err().contains("[wrong-type]"));
}

#[test]
fn thousands_of_repeated_keys_are_each_reported() {
    let mut text = String::new();
    for i in 0..2000 {
        writeln!(text, "k{}: 1", i % 1000).unwrap();
    }
    let err = catalog::load(&format!("metrics: []\n{text}"), "c.yaml").unwrap_err();
    assert_eq!(err.problems.iter().filter(|p| p.code == "duplicate-key").count(), 1000);
    let err = load_config(&format!("metrics:\n{}", text.replace('k', "  k"))).unwrap_err();
    assert_eq!(err.lines().filter(|l| l.ends_with("[duplicate-key]")).count(), 1000);
}

#[test]
fn what_follows_a_second_document_is_not_read() {
    let err = load_config("metrics: {}\n---\n{: [\n").unwrap_err();
    assert_eq!(
        err,
        "kpi.yaml:2:1: a second YAML document starts here; a catalog or config is one document, so delete this one or move it to a file of its own [second-document]"
    );
}

/// Configs and catalogs with one free text in each place a message quotes one from: `@` stands
/// for the text.
const QUOTING: &[&str] = &[
    "title: t\n@: 1\n",
    "extends: \"@\"\n",
    "metrics:\n  \"@\":\n    pass: \"< 1\"\n",
    "metrics:\n  mttr:\n    \"@\": 1\n",
    "metrics:\n  mttr:\n    unit: \"@\"\n",
    "metrics:\n  mttr:\n    pass: \"@\"\n",
    "metrics:\n  mttr:\n    pass: \"< @\"\n",
    "metrics:\n  mttr:\n    aliases: [\"@\"]\n  error_rate:\n    aliases: [\"@\"]\n",
    "metrics:\n  \"@\":\n    name: n\n    category: c\n    description: d\n    target: t\n    unit: \"\"\n    pass: \"< 1\"\n    warn: \"< 2\"\n    ideas: [i]\n  \"@ \":\n    pass: \"< 1\"\n",
    "scopes:\n  \"@\": 1\n",
    "scopes:\n  \"@\":\n    \"@\": 1\n",
    "waivers:\n  - metric: \"@\"\n    reason: r\n    until: 2025-01-01\n",
    "waivers:\n  - metric: mttr\n    reason: r\n    until: \"@\"\n",
];

#[test]
fn a_message_quotes_only_the_start_of_a_long_text() {
    let long = "x".repeat(1000);
    for template in QUOTING {
        let text = template.replace('@', &long);
        let Err(err) = load_config(&text) else { panic!("{template} loads") };
        assert!(err.contains("x…"), "{template}: {err}");
        for line in err.lines() {
            assert!(line.chars().count() < 700, "{template}: {line}");
        }
    }
    let catalog = "name: n\ntitle: t\nmetrics:\n  - id: \"@\"\n    \"@\": 1\n";
    let err = catalog::load(&catalog.replace('@', &long), "c.yaml").unwrap_err().to_string();
    assert_eq!(err.matches("x…").count(), 9, "{err}");
    assert!(err.lines().all(|line| line.chars().count() < 700), "{err}");
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
