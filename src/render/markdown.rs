//! `--format markdown`: the scorecard as GitHub-flavoured markdown, for a pull request comment, a job
//! summary or meeting notes.

use std::fmt::Write;

use super::{counts_in_words, gate_rule};
use crate::core::scorecard::{Scorecard, Status};

/// Renders the scorecard as markdown: a summary, a table per category, then what needs attention.
pub fn render(card: &Scorecard) -> String {
    let mut out = String::new();
    let verdict = if card.gate.passed { "✅ passed" } else { "❌ failed" };
    writeln!(out, "## {}\n", escape(&card.title)).ok();
    writeln!(out, "**Gate {verdict}** ({}): {}\n", gate_rule(card), counts_in_words(card)).ok();
    for (category, results) in card.by_category() {
        writeln!(out, "### {}\n", escape(category)).ok();
        writeln!(out, "| Metric | Value | Target | Status |").ok();
        writeln!(out, "|---|---:|---|---|").ok();
        for r in results {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                escape(&r.name),
                escape(&r.display_value()),
                escape(&r.target),
                badge(r.status)
            )
            .ok();
        }
        out.push('\n');
    }
    let attention = card.needing_attention();
    if !attention.is_empty() {
        writeln!(out, "### Needs attention\n").ok();
    }
    for r in attention {
        writeln!(
            out,
            "#### {} {}: {}\n",
            badge(r.status),
            escape(&r.name),
            escape(&r.display_value())
        )
        .ok();
        if let Some(distance) = r.distance() {
            writeln!(out, "{} (target: {}).\n", escape(&distance), escape(&r.target)).ok();
        }
        for idea in &r.suggestions {
            writeln!(out, "- {}", escape(idea)).ok();
        }
        out.push('\n');
    }
    let missing = card.missing();
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|r| escape(&r.name)).collect();
        writeln!(out, "❔ No data: {}\n", names.join(", ")).ok();
    }
    let waived = card.waived();
    if !waived.is_empty() {
        writeln!(out, "### Waived\n").ok();
    }
    for r in &waived {
        let Some(note) = &r.waiver else { continue };
        writeln!(
            out,
            "- **{}**: {}, would {}; waived through {}: {}",
            escape(&r.name),
            escape(&r.display_value()),
            note.graded.word(),
            note.until,
            escape(&note.reason)
        )
        .ok();
    }
    if !waived.is_empty() {
        out.push('\n');
    }
    for (r, waiver) in card.expired_waivers() {
        writeln!(
            out,
            "> ⚠️ The waiver for **{}** ran until {} and has expired ({}); it counts again: renew or remove it in the config.\n",
            escape(&r.name),
            waiver.until,
            escape(&waiver.reason)
        )
        .ok();
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// Emoji plus word, so the status reads without colour or emoji support.
pub fn badge(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ Pass",
        Status::Warn => "⚠️ Warn",
        Status::Fail => "❌ Fail",
        Status::Missing => "❔ No data",
        Status::Waived => "⏸️ Waived",
    }
}

/// Makes text safe inside a markdown table cell or heading: pipes, line breaks and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn markdown_scorecard() {
        insta::assert_snapshot!(render(&sample::scorecard()));
    }

    #[test]
    fn markdown_scorecard_with_waivers() {
        insta::assert_snapshot!(render(&sample::waived_scorecard()));
    }

    #[test]
    fn cells_escape_pipes_newlines_and_html() {
        assert_eq!(escape("a|b\nc <b> & d"), "a\\|b c &lt;b&gt; &amp; d");
    }
}
