//! `--format table`: the terminal scorecard. A table grouped by category, a summary line with the
//! gate's verdict, then what needs attention with its improvement ideas.

use std::fmt::Write;

use anstyle::{AnsiColor, Style as Ansi};
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::{Style, counts_in_words, gate_rule};
use crate::core::scorecard::{Scorecard, Status};

/// Renders the scorecard for a terminal; colours only when `style.color` is set.
pub fn render(card: &Scorecard, style: Style) -> String {
    let mut out = String::new();
    let paint = |text: &str, ansi: Ansi| {
        if style.color { format!("{ansi}{text}{ansi:#}") } else { text.to_string() }
    };

    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(["Metric", "Value", "Target", "Status"]);
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    for (category, results) in card.by_category() {
        table.add_row([Cell::new(category).add_attribute(Attribute::Bold)]);
        for result in results {
            let mut status = Cell::new(format!("{} {}", mark(result.status), result.status.word()));
            if let Some(color) = color(result.status) {
                status = status.fg(color);
            }
            table.add_row([
                Cell::new(format!("  {}", result.name)),
                Cell::new(result.display_value()).set_alignment(CellAlignment::Right),
                Cell::new(&result.target),
                status,
            ]);
        }
    }
    writeln!(out, "{}\n", card.title).ok();
    writeln!(out, "{table}\n").ok();

    let verdict = if card.gate.passed {
        paint("gate passed", AnsiColor::Green.on_default().bold())
    } else {
        paint("gate failed", AnsiColor::Red.on_default().bold())
    };
    writeln!(out, "{}: {verdict} ({})", counts_in_words(card), gate_rule(card)).ok();

    let attention = card.needing_attention();
    if !attention.is_empty() {
        writeln!(out, "\nNeeds attention:").ok();
    }
    for result in attention {
        let ansi = if result.status == Status::Fail {
            AnsiColor::Red.on_default()
        } else {
            AnsiColor::Yellow.on_default()
        };
        let head = format!("{} {} {}", mark(result.status), result.status.word(), result.name);
        writeln!(out, "\n{}: {}", paint(&head, ansi.bold()), result.display_value()).ok();
        if let Some(distance) = result.distance() {
            writeln!(out, "  {distance} (target: {})", result.target).ok();
        }
        for idea in &result.suggestions {
            writeln!(out, "  - {idea}").ok();
        }
    }
    let missing = card.missing();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
        let hint =
            if card.gate.require_all { "" } else { " (--require-all fails the gate on these)" };
        writeln!(out, "\nNo data: {}{hint}", names.join(", ")).ok();
    }
    let waived = card.waived();
    if !waived.is_empty() {
        writeln!(out, "\nWaived (not counted by the gate):").ok();
    }
    for result in waived {
        let Some(note) = &result.waiver else { continue };
        let head = format!("{} {}", mark(Status::Waived), result.name);
        writeln!(
            out,
            "  {}: {}, would {}; waived through {}: {}",
            paint(&head, AnsiColor::Cyan.on_default()),
            result.display_value(),
            note.graded.word(),
            note.until,
            note.reason
        )
        .ok();
    }
    for (result, waiver) in card.expired_waivers() {
        writeln!(
            out,
            "\n{}: the waiver for {} ran until {} and has expired ({}); it counts again: renew or remove it in the config",
            paint("warning", AnsiColor::Yellow.on_default().bold()),
            result.name,
            waiver.until,
            waiver.reason
        )
        .ok();
    }
    out
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

fn color(status: Status) -> Option<Color> {
    match status {
        Status::Pass => Some(Color::Green),
        Status::Warn => Some(Color::Yellow),
        Status::Fail => Some(Color::Red),
        Status::Missing => None,
        Status::Waived => Some(Color::Cyan),
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
}
