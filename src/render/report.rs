//! `kpi report`: the weekly check-in report in markdown. A title with the check-in date, the summary
//! and gate, the roll-up matrix for scoped input, then per scope the metric tables with trends and
//! sparklines, what needs attention, what changed since the last check-in, and optional charts.

use std::fmt::Write;

use super::markdown::{
    attention, badge, category_tables, escape, finish, rollup_table, scope_heading, standing,
};
use super::sections::{self, ScopePart};
use super::{LINE_BREAKS, printable};
use crate::core::format_number;
use crate::core::scorecard::{MetricResult, Scorecard};
use crate::core::threshold::Bound;

/// Renders the check-in report; `charts` are the ids of metrics to draw a history chart for.
pub fn render(card: &Scorecard, charts: &[String]) -> String {
    let card = &*printable(card, LINE_BREAKS);
    let report = sections::report(card);
    let mut out = String::new();
    let only_scope = report.only_scope.map(|s| format!(" for {}", escape(s))).unwrap_or_default();
    let title = escape(report.title);
    match report.date {
        Some(date) => writeln!(out, "# {title}: check-in {date}{only_scope}\n").ok(),
        None => writeln!(out, "# {title}{only_scope}\n").ok(),
    };
    let s = report.summary;
    let verdict = if report.gate.passed { "✅ passed" } else { "❌ failed" };
    writeln!(
        out,
        "✅ {} pass · ⚠️ {} warn · ❌ {} fail · ❔ {} no data: **gate {verdict}** ({})\n",
        s.pass, s.warn, s.fail, s.missing, report.gate.rule
    )
    .ok();
    let many = report.scoped && report.scopes.len() > 1;
    if let Some(rollup) = report.rollup.as_ref().filter(|_| many) {
        writeln!(out, "## Roll-up\n\n{}", rollup_table(rollup)).ok();
    }
    for part in &report.scopes {
        let level = if many {
            writeln!(out, "## {}\n", scope_heading(part)).ok();
            3
        } else {
            2
        };
        standing(&mut out, part);
        category_tables(&mut out, part, level, true);
        attention(&mut out, part, level);
        if part.since.earlier {
            since_last(&mut out, part, level);
        }
        for id in charts {
            if let Some(result) = part.view.results.iter().find(|r| *r.id == **id) {
                chart(&mut out, result, level);
            }
        }
    }
    finish(out)
}

/// What improved, what worsened, which statuses changed, and what went without data.
fn since_last(out: &mut String, part: &ScopePart<'_>, level: usize) {
    let hashes = "#".repeat(level);
    writeln!(out, "{hashes} Since last check-in\n").ok();
    let since = &part.since;
    let moved = |items: &[(&MetricResult, String)]| -> Vec<String> {
        items.iter().map(|(r, trend)| format!("{} {}", escape(&r.name), escape(trend))).collect()
    };
    let changed: Vec<String> = since
        .status_changes
        .iter()
        .map(|(r, before, now)| {
            format!("{}: {} → {}", escape(&r.name), badge(*before), badge(*now))
        })
        .collect();
    let gone: Vec<String> = since
        .no_new_data
        .iter()
        .map(|r| {
            let date = r.date.map(|d| format!(" on {d}")).unwrap_or_default();
            format!("{} (last {}{date})", escape(&r.name), escape(&r.display_value()))
        })
        .collect();
    for (label, items) in [
        ("Improved", moved(&since.improved)),
        ("Worsened", moved(&since.worsened)),
        ("Status changes", changed),
        ("No new data", gone),
    ] {
        if !items.is_empty() {
            writeln!(out, "- **{label}:** {}", items.join("; ")).ok();
        }
    }
    if since.is_empty() {
        writeln!(out, "Nothing changed since the last check-in.").ok();
    }
    out.push('\n');
}

/// The chart's colours: the measured values in a strong blue, the pass threshold in a light grey
/// that reads as a reference line, on light and dark pages alike.
const MERMAID_THEME: &str = r##"%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0550ae, #8c959f, #8c959f"}}}}%%"##;

/// A mermaid `xychart-beta` of the metric's recent values, with its pass bounds drawn as lines;
/// titled with the scope when there is one. A single value is drawn as a bar, since a line of one
/// point is not drawn at all.
fn chart(out: &mut String, result: &MetricResult, level: usize) {
    let points: Vec<_> = result.history.iter().filter_map(|p| Some((p.date, p.value?))).collect();
    if points.is_empty() {
        return;
    }
    let hashes = "#".repeat(level + 1);
    let unit = if result.unit.symbol.is_empty() {
        String::new()
    } else {
        format!(" ({})", result.unit.symbol)
    };
    writeln!(out, "{hashes} {}{}\n", escape(&result.name), escape(&unit)).ok();
    writeln!(out, "```mermaid\n{MERMAID_THEME}\nxychart-beta").ok();
    let title = match &result.scope {
        Some(scope) => format!("{}: {scope}", result.name),
        None => result.name.to_string(),
    };
    writeln!(out, "    title \"{}\"", mermaid_text(&title)).ok();
    let dates: Vec<_> = points.iter().map(|(d, _)| *d).collect();
    let labels: Vec<String> =
        sections::date_labels(&dates).iter().map(|d| format!("\"{}\"", mermaid_text(d))).collect();
    writeln!(out, "    x-axis [{}]", labels.join(", ")).ok();
    writeln!(out, "    y-axis \"{}\"", mermaid_text(result.unit.symbol)).ok();
    let values: Vec<String> = points.iter().map(|(_, v)| format_number(*v)).collect();
    let shape = if points.len() == 1 { "bar" } else { "line" };
    writeln!(out, "    {shape} [{}]", values.join(", ")).ok();
    let pass = result.thresholds.pass;
    let bounds: Vec<Bound> = [pass.lower, pass.upper].into_iter().flatten().collect();
    if points.len() > 1 {
        for bound in &bounds {
            let line = vec![format_number(bound.value); points.len()];
            writeln!(out, "    line [{}]", line.join(", ")).ok();
        }
    }
    writeln!(out, "```\n").ok();
    if points.len() == 1 {
        writeln!(out, "One value so far; the pass threshold is {}.\n", escape(&result.pass)).ok();
    } else {
        let lines = if bounds.len() == 1 { "The grey line is" } else { "The grey lines are" };
        writeln!(out, "{lines} the pass threshold ({}).\n", escape(&result.pass)).ok();
    }
}

/// Text inside a mermaid string: no quotes or line breaks, and no angle brackets, which mermaid may
/// read as HTML in a label.
fn mermaid_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\n' | '\r' => '\'',
            '<' => '‹',
            '>' => '›',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn with_history(values: &[f64]) -> Scorecard {
        let mut card = sample::scorecard();
        let days = ["2026-11-09", "2026-11-16", "2026-11-23"];
        for r in &mut card.results {
            r.history = days[days.len() - values.len()..]
                .iter()
                .zip(values)
                .map(|(d, v)| crate::core::scorecard::HistoryPoint {
                    date: crate::core::history::When::parse(d).unwrap(),
                    value: Some(*v),
                })
                .collect();
        }
        card
    }

    fn mermaid_block(text: &str) -> &str {
        let start = text.find("```mermaid\n").expect("a chart") + 11;
        &text[start..start + text[start..].find("```").unwrap()]
    }

    #[test]
    fn a_chart_has_short_dates_a_theme_and_its_threshold_in_grey() {
        let text = render(&with_history(&[62.0, 55.0, 45.0]), &["mttr".to_string()]);
        insta::assert_snapshot!(mermaid_block(&text), @r##"
        %%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0550ae, #8c959f, #8c959f"}}}}%%
        xychart-beta
            title "Mean Time to Recovery (MTTR)"
            x-axis ["Nov 9", "Nov 16", "Nov 23"]
            y-axis "min"
            line [62, 55, 45]
            line [60, 60, 60]
        "##);
        assert!(text.contains("The grey line is the pass threshold (&lt; 60 min)."), "{text}");
    }

    #[test]
    fn a_single_value_is_drawn_as_a_bar_and_a_scope_is_named_in_the_title() {
        let mut card = with_history(&[45.0]);
        for r in &mut card.results {
            r.scope = Some("payments".into());
        }
        card.scopes[0].name = Some("payments".into());
        let text = render(&card, &["mttr".to_string()]);
        let block = mermaid_block(&text);
        assert!(block.contains("    bar [45]\n"), "{block}");
        assert!(!block.contains("line ["), "{block}");
        assert!(block.contains("title \"Mean Time to Recovery (MTTR): payments\""), "{block}");
        assert!(text.contains("One value so far; the pass threshold is &lt; 60 min."), "{text}");
    }

    #[test]
    fn hostile_text_in_titles_headings_and_charts_is_escaped() {
        let mut card = sample::hostile();
        for r in &mut card.results {
            r.history = [crate::core::scorecard::HistoryPoint {
                date: crate::core::history::When::parse("2026-11-23").unwrap(),
                value: r.value,
            }]
            .into();
        }
        let text = render(&card, &["mttr".to_string()]);
        assert!(!text.contains(['\u{1b}', '\u{202e}', '\r']), "{text}");
        assert!(!text.contains("<img"), "{text}");
        // Outside the chart's code block, a link would be live.
        let markdown = &text[..text.find("```mermaid").expect("a chart")];
        let link = |(i, _): (usize, &str)| !markdown[..i].ends_with('\\');
        assert!(!markdown.match_indices("](").any(link), "an unescaped link in {markdown}");
        assert!(!text.lines().any(|l| l.starts_with("error: forged")), "{text}");
        let title = text.lines().find(|l| l.starts_with("    title ")).expect("a chart");
        assert!(!title[11..title.len() - 1].contains('"'), "{title}");
        assert!(title.contains("\\u{1b}[31m"), "{title}");
    }
}
