//! `--format table`: the terminal scorecard. For scoped input a roll-up matrix first; then per scope a
//! table grouped by category (with trend and sparkline columns when there is history), what needs
//! attention with its improvement ideas, and a summary line with the gate's verdict.

use std::fmt::Write;

use anstyle::{AnsiColor, Style as Ansi};
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::sections::{self, Piece, Rollup, ScopePart, Sentence, Verdict};
use super::{Style, printable};
use crate::core::scorecard::{Scorecard, Status};

/// Renders the scorecard for a terminal; colours only when `style.color` is set.
pub fn render(card: &Scorecard, style: Style) -> String {
    let card = &*printable(card, &[]);
    let report = sections::report(card);
    let mut out = String::new();
    let history = card.has_history();
    let scoped = report.scoped;
    match (scoped, report.scopes.first().and_then(|p| p.view.scope.checked_at)) {
        (false, Some(date)) => writeln!(out, "{}: check-in {date}\n", report.title).ok(),
        _ => writeln!(out, "{}\n", report.title).ok(),
    };
    if let Some(rollup) = &report.rollup {
        writeln!(out, "{}\n", rollup_table(rollup, style)).ok();
    }
    for part in &report.scopes {
        if scoped {
            let scope = part.view.scope;
            let date = scope.checked_at.map(|d| format!(", check-in {d}")).unwrap_or_default();
            let counts = sections::summary_in_words(scope.summary);
            writeln!(out, "{}{date}: {counts}\n", paint(part.name, bold(), style)).ok();
        }
        writeln!(out, "{}", metric_table(part, history, style)).ok();
        if !scoped {
            writeln!(out, "\n{}", verdict_line(&report.gate, style)).ok();
        }
        attention(&mut out, part, card.gate.require_all, style);
        if scoped {
            out.push('\n');
        }
    }
    if scoped {
        writeln!(out, "All scopes: {}", verdict_line(&report.gate, style)).ok();
    }
    out
}

fn verdict_line(gate: &Verdict, style: Style) -> String {
    let ansi = if gate.passed { AnsiColor::Green } else { AnsiColor::Red };
    let verdict = paint(gate.words(), ansi.on_default().bold(), style);
    format!("{}: {verdict} ({})", gate.counts, gate.rule)
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

fn metric_table(part: &ScopePart<'_>, history: bool, style: Style) -> Table {
    let mut table = new_table(style);
    let mut header = vec!["Metric", "Value", "Target", "Status"];
    if history {
        header.extend(["Trend", "Last 12"]);
    }
    table.set_header(header);
    for category in &part.categories {
        table.add_row([Cell::new(category.name).add_attribute(Attribute::Bold)]);
        for row in &category.rows {
            let r = row.result;
            let mut status = format!("{} {}", mark(r.status), r.status.word());
            if let Some(before) = row.was {
                write!(status, " (was {})", before.word()).ok();
            }
            let mut cells = vec![
                Cell::new(format!("  {}", r.name)),
                Cell::new(&row.value).set_alignment(CellAlignment::Right),
                Cell::new(&r.target),
                status_cell(r.status, status),
            ];
            if history {
                cells.push(Cell::new(&row.trend));
                cells.push(Cell::new(&row.sparkline));
            }
            table.add_row(cells);
        }
    }
    table
}

fn attention(out: &mut String, part: &ScopePart<'_>, require_all: bool, style: Style) {
    if !part.attention.is_empty() {
        writeln!(out, "\nNeeds attention:").ok();
    }
    for item in &part.attention {
        let r = item.result;
        let ansi = if r.status == Status::Fail {
            AnsiColor::Red.on_default()
        } else {
            AnsiColor::Yellow.on_default()
        };
        let head = format!("{} {} {}", mark(r.status), r.status.word(), r.name);
        writeln!(out, "\n{}: {}", paint(&head, ansi.bold(), style), item.value).ok();
        if let Some(distance) = &item.distance {
            writeln!(out, "  {distance} (target: {})", r.target).ok();
        }
        for idea in r.suggestions.iter() {
            writeln!(out, "  - {idea}").ok();
        }
    }
    if !part.missing.is_empty() {
        let names: Vec<&str> = part.missing.iter().map(|r| &*r.name).collect();
        let hint = if require_all { "" } else { " (--require-all fails the gate on these)" };
        writeln!(out, "\nNo data: {}{hint}", names.join(", ")).ok();
    }
    let gone: Vec<String> = part
        .stale
        .iter()
        .map(|r| format!("{} (last {})", r.name, r.date.map(|d| d.to_string()).unwrap_or_default()))
        .collect();
    if !gone.is_empty() {
        writeln!(out, "\nNo new data since the last value: {}", gone.join(", ")).ok();
    }
    if !part.waived.is_empty() {
        writeln!(out, "\nWaived (not counted by the gate):").ok();
    }
    for (_, sentence) in &part.waived {
        let (Some(Piece::Name(name)), rest) = (sentence.0.first(), &sentence.0[1..]) else {
            continue;
        };
        let head = format!("{} {name}", mark(Status::Waived));
        let rest = Sentence(rest.to_vec()).plain();
        writeln!(out, "  {}{rest}", paint(&head, AnsiColor::Cyan.on_default(), style)).ok();
    }
    for sentence in &part.expired {
        let warning = paint("warning", AnsiColor::Yellow.on_default().bold(), style);
        writeln!(out, "\n{warning}: {}", sentence.plain()).ok();
    }
}

/// Scopes × metrics, worst scopes first, a status mark per cell; metrics are numbered, with a legend.
fn rollup_table(rollup: &Rollup<'_>, style: Style) -> String {
    let mut table = new_table(style);
    let mut header = vec![Cell::new("Scope")];
    header.extend((1..=rollup.metrics.len()).map(Cell::new));
    header.extend(["fail", "warn", "pass", "no data"].map(Cell::new));
    table.set_header(header);
    for view in &rollup.rows {
        let mut row = vec![Cell::new(sections::scope_name(view.scope))];
        row.extend(view.results.iter().map(|r| status_cell(r.status, mark(r.status).to_string())));
        let s = view.scope.summary;
        row.extend(
            [s.fail, s.warn, s.pass, s.missing]
                .map(|n| Cell::new(n).set_alignment(CellAlignment::Right)),
        );
        table.add_row(row);
    }
    let legend: Vec<String> =
        rollup.metrics.iter().enumerate().map(|(i, r)| format!("{} {}", i + 1, r.name)).collect();
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
