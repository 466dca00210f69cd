//! `kpi catalog list` and `kpi catalog show`: the metrics in effect as a table, and one metric in
//! full with where its settings came from. Text only; the caller decides where it goes.

use std::borrow::Cow;
use std::fmt::Write;

use comfy_table::{ContentArrangement, Table, presets};

use crate::core::catalog::Metric;
use crate::core::format_number;
use crate::core::suggest::Suggestion;
use crate::core::tailoring::CatalogInEffect;
use crate::core::text;
use crate::core::threshold::Band;
use crate::core::unit::Unit;

/// Every metric in effect: id, name, category, target and unit.
pub fn list(in_effect: &CatalogInEffect) -> String {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty()
        .set_header(["Id", "Name", "Category", "Target", "Unit"]);
    for m in in_effect.catalog.metrics() {
        let unit = if m.unit.symbol.is_empty() { "(number)" } else { m.unit.symbol };
        table.add_row([&m.id, &m.name, &m.category, &m.target, unit]);
    }
    let mut out = format!("{}\n\n{table}\n", in_effect.catalog.title);
    let off = in_effect.catalog.disabled_ids();
    if !off.is_empty() {
        let off: Vec<String> = off.iter().map(|id| format!("`{id}`")).collect();
        writeln!(out, "\nTurned off in the config: {}", off.join(", ")).ok();
    }
    shown(out)
}

/// The text with control characters from catalog and config files made visible, line breaks kept.
fn shown(out: String) -> String {
    match text::printable_keeping(&out, &['\n']) {
        Cow::Borrowed(_) => out,
        Cow::Owned(escaped) => escaped,
    }
}

/// One metric in full: description, target, thresholds in words (also per scope), ideas, waivers
/// and which file set what.
pub fn show(in_effect: &CatalogInEffect, metric: &Metric) -> String {
    let mut out = String::new();
    writeln!(out, "{} (`{}`)", metric.name, metric.id).ok();
    writeln!(out, "Category: {}", metric.category).ok();
    let unit = if metric.unit.symbol.is_empty() { "a plain number" } else { metric.unit.symbol };
    writeln!(out, "Unit: {unit}").ok();
    if !metric.aliases.is_empty() {
        writeln!(out, "Also known as: {}", metric.aliases.join(", ")).ok();
    }
    if !metric.description.is_empty() {
        writeln!(out, "\n{}", metric.description).ok();
    }
    writeln!(out, "\nTarget: {}", metric.target).ok();
    writeln!(out, "Thresholds: {}", metric.thresholds.in_words(metric.unit)).ok();
    policies(&mut out, in_effect, metric);
    for scope in in_effect.scope_names() {
        let scoped = in_effect.catalog_for(scope);
        let Some(m) = scoped.metrics().iter().find(|m| m.id == metric.id) else { continue };
        if m.thresholds != metric.thresholds || m.target != metric.target || m.ideas != metric.ideas
        {
            writeln!(out, "In scope `{scope}`: {}", m.thresholds.in_words(m.unit)).ok();
            if m.target != metric.target {
                writeln!(out, "  target: {}", m.target).ok();
            }
        }
    }
    for waiver in in_effect.waivers.iter().filter(|w| w.metric == metric.id) {
        let scope = waiver.scope.as_ref().map(|s| format!(" in scope `{s}`")).unwrap_or_default();
        writeln!(out, "Waived{scope} through {}: {}", waiver.until, waiver.reason).ok();
    }
    if !metric.ideas.is_empty() {
        writeln!(out, "\nIdeas to improve it:").ok();
        for idea in &metric.ideas {
            writeln!(out, "  - {idea}").ok();
        }
    }
    writeln!(out, "\nDefined in {}", metric.origin.defined_in).ok();
    for (file, keys) in &metric.origin.changed_in {
        let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        writeln!(out, "Changed in {file}: {}", keys.join(", ")).ok();
    }
    shown(out)
}

/// A metric's policies besides its thresholds, each only when it has one: its age limit, its
/// regression allowances, its weight when not 1, and the level that requires it.
fn policies(out: &mut String, in_effect: &CatalogInEffect, metric: &Metric) {
    if let Some(days) = metric.max_age {
        let s = if days == 1 { "" } else { "s" };
        writeln!(out, "Stale after: {days} day{s}, then `{}`", metric.on_stale).ok();
    }
    if let Some(rule) = metric.regression {
        let allowed = |a: Option<crate::core::policy::Allowance>| {
            a.map_or_else(|| "-".to_string(), |a| a.display(metric.unit))
        };
        writeln!(
            out,
            "Regression against a baseline: warn past {}, fail past {}",
            allowed(rule.warn),
            allowed(rule.fail)
        )
        .ok();
    }
    if (metric.weight - 1.0).abs() > f64::EPSILON {
        writeln!(out, "Weight in the score: {}", format_number(metric.weight)).ok();
    }
    let ladder = &in_effect.catalog.ladder;
    if let Some(level) = ladder.levels.iter().find(|l| l.metrics.contains(&metric.id)) {
        writeln!(out, "Required by level: {}", level.name).ok();
    }
}

/// `kpi catalog suggest`: the tighter pass thresholds as a `kpi.yaml` snippet, each with its
/// evidence in a comment; or a sentence saying there is nothing to tighten.
pub fn suggestions(in_effect: &CatalogInEffect, found: &[Suggestion], checkins: usize) -> String {
    if found.is_empty() {
        return format!(
            "no metric passed with a margin at each of the last {checkins} check-ins; nothing to tighten\n"
        );
    }
    let mut out = format!(
        "# Tighter pass thresholds that each of the last {checkins} check-ins held; add them to the\n\
         # config, or run again with --write.\n"
    );
    let unscoped: Vec<&Suggestion> = found.iter().filter(|s| s.scope.is_none()).collect();
    if !unscoped.is_empty() {
        out.push_str("metrics:\n");
        for s in unscoped {
            entry(&mut out, in_effect, s, 1);
        }
    }
    let mut scopes: Vec<&str> = found.iter().filter_map(|s| s.scope.as_deref()).collect();
    scopes.dedup();
    if !scopes.is_empty() {
        out.push_str("scopes:\n");
    }
    for scope in scopes {
        writeln!(out, "  {}:\n    metrics:", yaml_key(scope)).ok();
        for s in found.iter().filter(|s| s.scope.as_deref() == Some(scope)) {
            entry(&mut out, in_effect, s, 3);
        }
    }
    shown(out)
}

fn entry(out: &mut String, in_effect: &CatalogInEffect, s: &Suggestion, depth: usize) {
    let pad = "  ".repeat(depth);
    writeln!(out, "{pad}{}:", yaml_key(&s.id)).ok();
    writeln!(out, "{pad}  # {}", evidence(in_effect, s)).ok();
    writeln!(out, "{pad}  pass: \"{}\"", notation(in_effect, s)).ok();
}

/// What the suggestion rests on, e.g. `held at each check-in from 2026-11-02 to 2026-11-23, worst
/// 182 ms; pass is under 200 ms now`.
pub fn evidence(in_effect: &CatalogInEffect, s: &Suggestion) -> String {
    let unit = unit_of(in_effect, &s.id);
    let (first, last) = (s.dates.first(), s.dates.last());
    let span = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("from {a} to {b}"),
        (Some(a), _) => format!("on {a}"),
        _ => String::new(),
    };
    format!(
        "held at each check-in {span}, worst {}; pass is {} now",
        unit.format(s.worst),
        s.pass.in_words(unit)
    )
}

/// The tighter threshold in notation the config reader reads back as the same band: with the
/// unit's symbol where that reads back exactly, else a bare number in the metric's unit.
pub fn notation(in_effect: &CatalogInEffect, s: &Suggestion) -> String {
    let unit = unit_of(in_effect, &s.id);
    let write = |suffix: &str| {
        let mut parts = Vec::new();
        if let Some(b) = s.tighter.lower {
            parts.push(format!(
                "{} {}{suffix}",
                if b.inclusive { ">=" } else { ">" },
                format_number(b.value)
            ));
        }
        if let Some(b) = s.tighter.upper {
            parts.push(format!(
                "{} {}{suffix}",
                if b.inclusive { "<=" } else { "<" },
                format_number(b.value)
            ));
        }
        parts.join(" and ")
    };
    let with_symbol = write(unit.symbol);
    if Band::parse(&with_symbol, unit).is_ok_and(|b| b == s.tighter) {
        with_symbol
    } else {
        write("")
    }
}

fn unit_of(in_effect: &CatalogInEffect, id: &str) -> &'static Unit {
    let catalog = &in_effect.catalog;
    catalog.resolve(id).map_or(catalog.metrics()[0].unit, |i| catalog.metrics()[i].unit)
}

/// A mapping key as YAML reads it back: bare when it is a plain word, quoted otherwise.
fn yaml_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::catalog::BUILTIN_ID;
    use crate::input::config::load;

    const CONFIG: &str = "\
title: Payments metrics
metrics:
  error_rate:
    pass: \"< 0.5%\"
    warn: \"< 1%\"
  code_commits:
    enabled: false
scopes:
  batch-jobs:
    metrics:
      error_rate:
        pass: \"< 2%\"
        warn: \"< 5%\"
        target: Less than 2%
waivers:
  - metric: error_rate
    scope: batch-jobs
    reason: retry storm fix lands in July
    until: 2025-07-31
";

    fn in_effect() -> CatalogInEffect {
        load(CONFIG, "kpi.yaml", std::path::Path::new(""), None).unwrap()
    }

    #[test]
    fn catalog_list() {
        let in_effect = in_effect();
        assert_eq!(in_effect.base, BUILTIN_ID);
        insta::assert_snapshot!(list(&in_effect));
    }

    #[test]
    fn catalog_show_with_overrides_scopes_and_waivers() {
        let in_effect = in_effect();
        let metric = &in_effect.catalog.metrics()[1];
        insta::assert_snapshot!(show(&in_effect, metric));
    }

    #[test]
    fn control_characters_from_a_config_are_shown_escaped() {
        let config =
            "metrics:\n  error_rate:\n    name: \"Errors\\e[2J\"\n    ideas: [\"a\\u202eb\"]\n";
        let in_effect = load(config, "kpi.yaml", std::path::Path::new(""), None).unwrap();
        let text = show(&in_effect, &in_effect.catalog.metrics()[1]);
        assert!(text.starts_with("Errors\\u{1b}[2J (`error_rate`)"), "{text}");
        assert!(text.contains("  - a\\u{202e}b\n"), "{text}");
        assert!(!list(&in_effect).contains('\u{1b}'));
    }

    #[test]
    fn catalog_show_of_a_built_in_metric() {
        let in_effect = in_effect();
        let metric = &in_effect.catalog.metrics()[0];
        insta::assert_snapshot!(show(&in_effect, metric));
    }
}
