//! `--format table`: the terminal scorecard. For scoped input a roll-up matrix first; then per scope a
//! table grouped by category (with trend and sparkline columns when there is history), what needs
//! attention with its improvement ideas, and a summary line with the gate's verdict.

use std::fmt::Write;

use anstyle::{AnsiColor, Style as Ansi};
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{
    Style, counts_in_words, gate_rule, printable, scope_name, sparkline, summary_in_words,
    trend_text, worst_first,
};
use crate::core::scorecard::{ScopeView, Scorecard, Status};

/// Renders the scorecard for a terminal; colours only when `style.color` is set.
pub fn render(card: &Scorecard, style: Style) -> String {
    let card = &*printable(card, &[]);
    let mut out = String::new();
    let views = card.scope_views();
    let scoped = card.is_scoped();
    let history = card.has_history();
    match (scoped, views.first().and_then(|v| v.scope.checked_at)) {
        (false, Some(date)) => writeln!(out, "{}: check-in {date}\n", card.title).ok(),
        _ => writeln!(out, "{}\n", card.title).ok(),
    };
    if scoped {
        writeln!(out, "{}\n", rollup(&views, style)).ok();
    }
    for view in &views {
        if scoped {
            let date = view.scope.checked_at.map(|d| format!(", check-in {d}")).unwrap_or_default();
            let counts = summary_in_words(view.scope.summary);
            writeln!(out, "{}{date}: {counts}\n", paint(scope_name(view.scope), bold(), style))
                .ok();
        }
        writeln!(out, "{}", metric_table(view, history, style)).ok();
        if !scoped {
            writeln!(out, "\n{}", verdict_line(card, style)).ok();
        }
        attention(&mut out, card, view, style);
        if scoped {
            out.push('\n');
        }
    }
    if scoped {
        writeln!(out, "All scopes: {}", verdict_line(card, style)).ok();
    }
    out
}

fn verdict_line(card: &Scorecard, style: Style) -> String {
    let verdict = if card.gate.passed {
        paint("gate passed", AnsiColor::Green.on_default().bold(), style)
    } else {
        paint("gate failed", AnsiColor::Red.on_default().bold(), style)
    };
    format!("{}: {verdict} ({})", counts_in_words(card), gate_rule(card))
}

fn bold() -> Ansi {
    Ansi::new().bold()
}

fn paint(text: &str, ansi: Ansi, style: Style) -> String {
    if style.color { format!("{ansi}{text}{ansi:#}") } else { text.to_string() }
}

fn new_table(style: Style) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

fn status_cell(status: Status, text: String) -> Cell {
    let cell = Cell::new(text);
    match status {
        Status::Pass => cell.fg(Color::Green),
        Status::Warn => cell.fg(Color::Yellow),
        Status::Fail => cell.fg(Color::Red),
        Status::Waived => cell.fg(Color::Cyan),
        Status::Missing => cell,
    }
}

fn metric_table(view: &ScopeView<'_>, history: bool, style: Style) -> Table {
    let mut table = new_table(style);
    let mut header = vec!["Metric", "Value", "Target", "Status"];
    if history {
        header.extend(["Trend", "Last 12"]);
    }
    table.set_header(header);
    for (category, results) in view.by_category() {
        table.add_row([Cell::new(category).add_attribute(Attribute::Bold)]);
        for r in results {
            let mut status = format!("{} {}", mark(r.status), r.status.word());
            if let Some(before) = r.previous_status.filter(|&before| before != r.status) {
                write!(status, " (was {})", before.word()).ok();
            }
            let mut row = vec![
                Cell::new(format!("  {}", r.name)),
                Cell::new(r.display_value()).set_alignment(CellAlignment::Right),
                Cell::new(&r.target),
                status_cell(r.status, status),
            ];
            if history {
                row.push(Cell::new(trend_text(r)));
                row.push(Cell::new(sparkline(&r.history)));
            }
            table.add_row(row);
        }
    }
    table
}

fn attention(out: &mut String, card: &Scorecard, view: &ScopeView<'_>, style: Style) {
    let results = view.needing_attention();
    if !results.is_empty() {
        writeln!(out, "\nNeeds attention:").ok();
    }
    for r in results {
        let ansi = if r.status == Status::Fail {
            AnsiColor::Red.on_default()
        } else {
            AnsiColor::Yellow.on_default()
        };
        let head = format!("{} {} {}", mark(r.status), r.status.word(), r.name);
        writeln!(out, "\n{}: {}", paint(&head, ansi.bold(), style), r.display_value()).ok();
        if let Some(distance) = r.distance() {
            writeln!(out, "  {distance} (target: {})", r.target).ok();
        }
        for idea in r.suggestions.iter() {
            writeln!(out, "  - {idea}").ok();
        }
    }
    let missing = view.missing();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|r| &*r.name).collect();
        let hint =
            if card.gate.require_all { "" } else { " (--require-all fails the gate on these)" };
        writeln!(out, "\nNo data: {}{hint}", names.join(", ")).ok();
    }
    let gone: Vec<String> = view
        .results
        .iter()
        .filter(|r| r.stale)
        .map(|r| format!("{} (last {})", r.name, r.date.map(|d| d.to_string()).unwrap_or_default()))
        .collect();
    if !gone.is_empty() {
        writeln!(out, "\nNo new data since the last value: {}", gone.join(", ")).ok();
    }
    let waived = view.waived();
    if !waived.is_empty() {
        writeln!(out, "\nWaived (not counted by the gate):").ok();
    }
    for result in waived {
        let Some(note) = &result.waiver else { continue };
        let head = format!("{} {}", mark(Status::Waived), result.name);
        writeln!(
            out,
            "  {}: {}, would {}; waived through {}: {}",
            paint(&head, AnsiColor::Cyan.on_default(), style),
            result.display_value(),
            note.graded.word(),
            note.until,
            note.reason
        )
        .ok();
    }
    for (result, waiver) in view.expired_waivers() {
        writeln!(
            out,
            "\n{}: the waiver for {} ran until {} and has expired ({}); it counts again: renew or remove it in the config",
            paint("warning", AnsiColor::Yellow.on_default().bold(), style),
            result.name,
            waiver.until,
            waiver.reason
        )
        .ok();
    }
}

/// Scopes × metrics, worst scopes first, a status mark per cell; metrics are numbered, with a legend.
fn rollup(views: &[ScopeView<'_>], style: Style) -> String {
    let Some(first) = views.first() else { return String::new() };
    let mut table = new_table(style);
    let mut header = vec![Cell::new("Scope")];
    header.extend((1..=first.results.len()).map(Cell::new));
    header.extend(["fail", "warn", "pass", "no data"].map(Cell::new));
    table.set_header(header);
    for view in worst_first(views) {
        let mut row = vec![Cell::new(scope_name(view.scope))];
        row.extend(view.results.iter().map(|r| status_cell(r.status, mark(r.status).to_string())));
        let s = view.scope.summary;
        row.extend(
            [s.fail, s.warn, s.pass, s.missing]
                .map(|n| Cell::new(n).set_alignment(CellAlignment::Right)),
        );
        table.add_row(row);
    }
    let legend: Vec<String> =
        first.results.iter().enumerate().map(|(i, r)| format!("{} {}", i + 1, r.name)).collect();
    format!("{table}\n{}", legend.join(" · "))
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✔",
        Status::Warn => "▲",
        Status::Fail => "✘",
        Status::Missing => "·",
        Status::Waived => "◇",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn table_scorecard_without_colour() {
        insta::assert_snapshot!(render(&sample::scorecard(), Style { color: false }));
    }

    #[test]
    fn table_scorecard_with_waivers() {
        insta::assert_snapshot!(render(&sample::waived_scorecard(), Style { color: false }));
    }

    #[test]
    fn colour_marks_statuses_and_the_verdict_only_when_asked() {
        let plain = render(&sample::scorecard(), Style { color: false });
        let coloured = render(&sample::scorecard(), Style { color: true });
        assert!(!plain.contains('\u{1b}'));
        assert!(coloured.contains("\u{1b}[1m\u{1b}[31mgate failed"), "{coloured}");
    }

    #[test]
    fn hostile_text_is_shown_escaped_and_cannot_forge_a_line() {
        let clean = render(&sample::scorecard(), Style { color: false });
        for color in [false, true] {
            let text = render(&sample::hostile(), Style { color });
            assert!(!text.contains(['\u{202e}', '\r']), "{text}");
            assert!(
                text.contains("x\\u{1b}[31m\\u{1b}[2J\\u{202e}kcab\\r\\nerror: forged"),
                "{text}"
            );
            assert!(!text.lines().any(|l| l.starts_with("error: forged")), "{text}");
            if !color {
                assert!(!text.contains('\u{1b}'), "{text}");
            }
            // Colour codes are kpi's own: the same ones as for clean input.
            let codes = |t: &str| t.matches('\u{1b}').count();
            let clean_colored = render(&sample::scorecard(), Style { color });
            assert!(codes(&text) >= codes(&clean_colored), "{text}");
            assert!(!text.contains("\u{1b}[2J"), "{text}");
        }
        assert!(!clean.contains("\\u{"));
    }
}
