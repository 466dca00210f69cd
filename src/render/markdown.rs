//! `--format markdown`: the short scorecard as GitHub-flavoured markdown, for a pull request comment,
//! a job summary or meeting notes. Also holds the markdown pieces the check-in report reuses.

use std::fmt::Write;

use super::sections::{self, Piece, Rollup, ScopePart, Sentence, Verdict};
use super::{LINE_BREAKS, printable};
use crate::core::scorecard::{Scorecard, Status};
use crate::core::text;

/// Renders the scorecard as markdown: a summary, a table per category, then what needs attention.
pub fn render(card: &Scorecard) -> String {
    let card = &*printable(card, LINE_BREAKS);
    let report = sections::report(card);
    let mut out = String::new();
    writeln!(out, "## {}\n", escape(report.title)).ok();
    writeln!(out, "{}\n", gate_line(&report.gate)).ok();
    if let Some(rollup) = &report.rollup {
        writeln!(out, "{}", rollup_table(rollup)).ok();
    }
    for part in &report.scopes {
        let level = if report.scoped {
            writeln!(out, "### {}\n", scope_heading(part)).ok();
            4
        } else {
            3
        };
        standing(&mut out, part);
        category_tables(&mut out, part, level, false);
        attention(&mut out, part, level);
    }
    finish(out)
}

/// `**Gate ❌ failed** (--fail-on fail): 9 pass, 2 warn, 3 fail, 1 no data`.
pub(crate) fn gate_line(gate: &Verdict) -> String {
    let verdict = if gate.passed { "✅ passed" } else { "❌ failed" };
    format!("**Gate {verdict}** ({}): {}", gate.rule, gate.counts)
}

/// A scope's heading: its name, check-in date and counts.
pub(crate) fn scope_heading(part: &ScopePart<'_>) -> String {
    let s = part.view.scope.summary;
    let date = part.view.scope.checked_at.map(|d| format!(", {d}")).unwrap_or_default();
    format!(
        "{}{date}: ❌ {} · ⚠️ {} · ✅ {} · ❔ {}",
        escape(part.name),
        s.fail,
        s.warn,
        s.pass,
        s.missing
    )
}

/// A scope's level, score and what blocks its next level, as a paragraph; nothing without levels.
pub(crate) fn standing(out: &mut String, part: &ScopePart<'_>) {
    let Some(standing) = &part.standing else { return };
    let mut pieces = standing.0.clone();
    if let Some(Piece::Text(first)) = pieces.first_mut() {
        *first = sections::capitalised(first);
    }
    writeln!(out, "🏅 {}\n", sentence(&Sentence(pieces))).ok();
}

/// A sentence in markdown: every piece escaped, metric names in bold.
pub(crate) fn sentence(sentence: &Sentence) -> String {
    sentence
        .0
        .iter()
        .map(|piece| match piece {
            Piece::Text(t) => escape(t),
            Piece::Name(name) => format!("**{}**", escape(name)),
        })
        .collect()
}

/// One table per category; with `history`, trend and sparkline columns too.
pub(crate) fn category_tables(out: &mut String, part: &ScopePart<'_>, level: usize, history: bool) {
    let hashes = "#".repeat(level);
    for category in &part.categories {
        writeln!(out, "{hashes} {}\n", escape(category.name)).ok();
        if history {
            writeln!(out, "| Metric | Value | Target | Status | Trend | Last 12 |").ok();
            writeln!(out, "|---|---:|---|---|---|---|").ok();
        } else {
            writeln!(out, "| Metric | Value | Target | Status |").ok();
            writeln!(out, "|---|---:|---|---|").ok();
        }
        for row in &category.rows {
            let r = row.result;
            write!(
                out,
                "| {} | {} | {} | {} |",
                escape(&r.name),
                escape(&row.value),
                escape(&r.target),
                badge(r.status)
            )
            .ok();
            if history {
                write!(out, " {} | {} |", escape(&row.trend), row.sparkline).ok();
            }
            out.push('\n');
        }
        out.push('\n');
    }
}

/// Each warn and fail metric with how far it is from passing and its ideas, then what has no data.
pub(crate) fn attention(out: &mut String, part: &ScopePart<'_>, level: usize) {
    let hashes = "#".repeat(level);
    if !part.attention.is_empty() {
        writeln!(out, "{hashes} Needs attention\n").ok();
    }
    for item in &part.attention {
        let r = item.result;
        writeln!(out, "**{} {}: {}**\n", badge(r.status), escape(&r.name), escape(&item.value))
            .ok();
        if let Some(distance) = &item.distance {
            writeln!(out, "{} (target: {}).\n", escape(distance), escape(&r.target)).ok();
        }
        for reason in &item.reasons {
            writeln!(out, "{}.\n", escape(&sections::capitalised(reason))).ok();
        }
        for idea in r.suggestions.iter() {
            writeln!(out, "- {}", escape(idea)).ok();
        }
        out.push('\n');
    }
    if !part.missing.is_empty() {
        let names: Vec<String> = part.missing.iter().map(|r| escape(&r.name)).collect();
        writeln!(out, "❔ No data: {}\n", names.join(", ")).ok();
    }
    if !part.waived.is_empty() {
        writeln!(out, "{hashes} Waived\n").ok();
        for (_, waived) in &part.waived {
            writeln!(out, "- {}", sentence(waived)).ok();
        }
        out.push('\n');
    }
    for expired in &part.expired {
        let Some(Piece::Text(first)) = expired.0.first() else { continue };
        let mut pieces = expired.0.clone();
        pieces[0] = Piece::Text(sections::capitalised(first));
        writeln!(out, "> ⚠️ {}.\n", sentence(&Sentence(pieces))).ok();
    }
}

/// Scopes × metrics, worst scopes first, a status emoji per cell.
pub(crate) fn rollup_table(rollup: &Rollup<'_>) -> String {
    let mut out = String::new();
    write!(out, "| Scope |").ok();
    for r in rollup.metrics {
        write!(out, " {} |", escape(&r.name)).ok();
    }
    let (levels, level_rule) =
        if rollup.levels { (" Level | Score |", "---|---:|") } else { ("", "") };
    writeln!(out, " ❌ | ⚠️ | ✅ | ❔ |{levels}").ok();
    writeln!(out, "|---|{}---:|---:|---:|---:|{level_rule}", ":-:|".repeat(rollup.metrics.len()))
        .ok();
    for view in &rollup.rows {
        write!(out, "| {} |", escape(sections::scope_name(view.scope))).ok();
        for r in view.results {
            write!(out, " {} |", emoji(r.status)).ok();
        }
        let s = view.scope.summary;
        write!(out, " {} | {} | {} | {} |", s.fail, s.warn, s.pass, s.missing).ok();
        if rollup.levels {
            let level = sections::level_cell(view.scope);
            write!(out, " {} | {} |", escape(&level), sections::score_words(view.scope.score)).ok();
        }
        out.push('\n');
    }
    out
}

/// Trims trailing blank lines to one newline.
pub(crate) fn finish(mut out: String) -> String {
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

/// The emoji alone, for dense tables.
pub fn emoji(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
        Status::Missing => "❔",
        Status::Waived => "⏸️",
    }
}

/// Makes text safe inside a markdown table cell or heading: pipes, line breaks, HTML and link
/// brackets (a crafted name must not become a link or an image), emphasis, code and strikethrough
/// marks (`*`, `_`, `` ` ``, `~`) and backslashes (so one before a `|` stays a backslash), and
/// control characters.
pub fn escape(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(text.len());
    for c in text::printable_whole(&text).chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '*' => out.push_str("\\*"),
            '_' => out.push_str("\\_"),
            '`' => out.push_str("\\`"),
            '~' => out.push_str("\\~"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
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

    #[test]
    fn cells_escape_emphasis_code_strikethrough_and_backslashes() {
        assert_eq!(escape("*a* _b_ `c` ~d~ e\\|f"), "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ e\\\\\\|f");
    }

    #[test]
    fn cells_escape_links_and_control_characters_too() {
        assert_eq!(
            escape("![x](http://e) [a](b) \u{1b}[31m\u{202e}"),
            "!\\[x\\](http://e) \\[a\\](b) \\\\u{1b}\\[31m\\\\u{202e}"
        );
    }

    #[test]
    fn hostile_text_stays_inside_its_cell_and_heading() {
        let text = render(&sample::hostile());
        assert!(!text.contains(['\u{1b}', '\u{202e}', '\r']), "{text}");
        assert!(!text.contains("<img"), "{text}");
        let link = |(i, _): (usize, &str)| !text[..i].ends_with('\\');
        assert!(!text.match_indices("](").any(link), "an unescaped link in {text}");
        assert!(!text.lines().any(|l| l.starts_with("error: forged")), "{text}");
        // Every table row still has as many cells as its header.
        let mut cells = None;
        for line in text.lines().filter(|l| l.starts_with('|')) {
            let count = line.replace("\\|", "").matches('|').count();
            if line.starts_with("| Metric") || line.starts_with("| Scope") {
                cells = Some(count);
            }
            assert_eq!(Some(count), cells, "{line}");
        }
        assert!(
            text.starts_with(
                "## x\\\\u{1b}\\[31m\\\\u{1b}\\[2J\\\\u{202e}kcab  error: forged \\| &lt;img"
            ),
            "{text}"
        );
    }
}
