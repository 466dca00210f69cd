//! `--format table`: the terminal scorecard. For scoped input a roll-up matrix first; then per scope a
//! table grouped by category (with trend and sparkline columns when there is history), what needs
//! attention with its improvement ideas, and a summary line with the gate's verdict.

use std::fmt::Write;

use anstyle::{AnsiColor, Style as Ansi};
use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};

use super::sections::{self, Piece, Rollup, ScopePart, Sentence, Verdict};
use super::wrap::{block_width, longest_word, share, width, wrap};
use super::{Style, printable};
use crate::core::scorecard::{MetricResult, Scorecard, Status};

/// Renders the scorecard for a terminal; colours only when `style.color` is set, and no line wider
/// than `style.width` when it is set.
pub fn render(card: &Scorecard, style: Style) -> String {
    let card = &*printable(card, &[]);
    let report = sections::report(card);
    let mut out = String::new();
    let history = card.has_history();
    let scoped = report.scoped;
    let title = match (scoped, report.scopes.first().and_then(|p| p.view.scope.checked_at)) {
        (false, Some(date)) => format!("{}: check-in {date}", report.title),
        _ => report.title.to_string(),
    };
    say(&mut out, style, "", "", &[(&title, None)]);
    out.push('\n');
    if let Some(rollup) = &report.rollup {
        writeln!(out, "{}\n", rollup_table(rollup, style)).ok();
    }
    for part in &report.scopes {
        if scoped {
            let scope = part.view.scope;
            let date = scope.checked_at.map(|d| format!(", check-in {d}")).unwrap_or_default();
            let counts = sections::summary_in_words(scope.summary);
            say(
                &mut out,
                style,
                "",
                "  ",
                &[(part.name, Some(bold())), (&format!("{date}: {counts}"), None)],
            );
            out.push('\n');
        }
        if scoped && let Some(standing) = &part.standing {
            say(&mut out, style, "", "  ", &[(&sections::capitalised(&standing.plain()), None)]);
            out.push('\n');
        }
        writeln!(out, "{}", metric_table(part, history, style)).ok();
        if !scoped {
            out.push('\n');
            verdict_line(&mut out, "", &report.gate, style);
            if let Some(standing) = &part.standing {
                say(
                    &mut out,
                    style,
                    "",
                    "  ",
                    &[(&sections::capitalised(&standing.plain()), None)],
                );
            }
        }
        attention(&mut out, part, card.gate.require_all, style);
        if scoped {
            out.push('\n');
        }
    }
    if scoped {
        verdict_line(&mut out, "All scopes: ", &report.gate, style);
    }
    out
}

fn verdict_line(out: &mut String, lead: &str, gate: &Verdict, style: Style) {
    let ansi = if gate.passed { AnsiColor::Green } else { AnsiColor::Red };
    let counts = format!("{lead}{}: ", gate.counts);
    let rule = format!(" ({})", gate.rule);
    say(
        out,
        style,
        "",
        "  ",
        &[(&counts, None), (gate.words(), Some(ansi.on_default().bold())), (&rule, None)],
    );
}

fn bold() -> Ansi {
    Ansi::new().bold()
}

fn paint(text: &str, ansi: Ansi, style: Style) -> String {
    if style.color { format!("{ansi}{text}{ansi:#}") } else { text.to_string() }
}

/// Writes one line of prose made of pieces, some painted: as is without a width, else wrapped at
/// spaces with `first` before its first line and `rest` before the others. A painted piece that
/// the wrapping splits is left unpainted rather than leave a colour open across a line break.
fn say(out: &mut String, style: Style, first: &str, rest: &str, pieces: &[(&str, Option<Ansi>)]) {
    let Some(limit) = style.width else {
        out.push_str(first);
        for (text, ansi) in pieces {
            match ansi {
                Some(ansi) => out.push_str(&paint(text, *ansi, style)),
                None => out.push_str(text),
            }
        }
        out.push('\n');
        return;
    };
    let plain: String = pieces.iter().map(|(text, _)| *text).collect();
    let mut text = wrap(&plain, limit, first, rest).join("\n");
    if style.color {
        let mut from = 0;
        for (piece, ansi) in pieces {
            let Some(at) = text[from..].find(piece).map(|i| i + from) else { continue };
            let Some(ansi) = ansi else {
                from = at + piece.len();
                continue;
            };
            let painted = paint(piece, *ansi, style);
            text.replace_range(at..at + piece.len(), &painted);
            from = at + painted.len();
        }
    }
    out.push_str(&text);
    out.push('\n');
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

/// Borders and padding of a table of `n` columns: `│ a ┆ b │`.
fn overhead(n: usize) -> usize {
    3 * n + 1
}

/// A status in words, with the one before when it changed: `▲ warn (was pass)`.
fn status_text(r: &MetricResult, was: Option<Status>) -> String {
    let mut status = format!("{} {}", mark(r.status), r.status.word());
    if let Some(before) = was {
        write!(status, " (was {})", before.word()).ok();
    }
    status
}

/// How the metric table is laid out at a given width, widest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// A column each for the metric, value, target, status and, with history, trend and sparkline.
    Columns,
    /// The target under the metric's name, to leave room for the trend and the sparkline.
    TargetUnderName,
}

/// The metric table: as wide as it needs without a width; else the layout whose columns fit, their
/// cells wrapped at spaces (never inside a sparkline), in the fewest lines, or a list when that is
/// shorter still or no table fits.
fn metric_table(part: &ScopePart<'_>, history: bool, style: Style) -> String {
    let Some(limit) = style.width else {
        return columns_table(part, history, style, Layout::Columns, None).to_string();
    };
    let layouts: &[Layout] =
        if history { &[Layout::Columns, Layout::TargetUnderName] } else { &[Layout::Columns] };
    // Of the layouts that fit, the one that takes the fewest lines; a list when none is shorter.
    let list = metric_list(part, history, style, limit);
    let best = layouts
        .iter()
        .filter_map(|&layout| {
            let (natural, min) = column_widths(part, history, layout);
            let widths = share(&natural, &min, overhead(natural.len()), limit)?;
            let table = columns_table(part, history, style, layout, Some(&widths)).to_string();
            Some((table.lines().count(), table))
        })
        .min_by_key(|(lines, _)| *lines);
    match best {
        Some((lines, table)) if lines <= list.lines().count() => table,
        _ => list,
    }
}

/// Each row's cells as plain text, in column order; `None` for a category's row.
fn rows(part: &ScopePart<'_>, history: bool, layout: Layout) -> Vec<(Option<Status>, Vec<String>)> {
    let mut rows = Vec::new();
    for category in &part.categories {
        rows.push((None, vec![category.name.to_string()]));
        for row in &category.rows {
            let r = row.result;
            let mut cells = match layout {
                Layout::Columns => {
                    vec![format!("  {}", r.name), row.value.clone(), r.target.to_string()]
                }
                Layout::TargetUnderName => {
                    vec![format!("  {}\n    {}", r.name, r.target), row.value.clone()]
                }
            };
            // The status may wrap before `(was ...)`, and nowhere else.
            cells.push(
                status_text(r, row.was).replacen(' ', "\u{a0}", 1).replace("(was ", "(was\u{a0}"),
            );
            if history {
                cells.push(row.trend.clone());
                cells.push(row.sparkline.clone());
            }
            rows.push((Some(r.status), cells));
        }
    }
    rows
}

fn headers(history: bool, layout: Layout) -> Vec<&'static str> {
    let mut header = match layout {
        Layout::Columns => vec!["Metric", "Value", "Target", "Status"],
        Layout::TargetUnderName => vec!["Metric, target", "Value", "Status"],
    };
    if history {
        header.extend(["Trend", "Last 12"]);
    }
    header
}

/// Whether a column's cells may wrap at spaces: every column but the sparkline's.
fn wraps(column: usize, columns: usize, history: bool) -> bool {
    !(history && column == columns - 1)
}

fn status_column(columns: usize, history: bool) -> usize {
    columns - if history { 3 } else { 1 }
}

/// Each column's natural and narrowest width.
fn column_widths(part: &ScopePart<'_>, history: bool, layout: Layout) -> (Vec<usize>, Vec<usize>) {
    let header = headers(history, layout);
    let mut natural: Vec<usize> = header.iter().map(|h| width(h)).collect();
    let mut min = natural.clone();
    for (_, cells) in rows(part, history, layout) {
        for (i, cell) in cells.iter().enumerate() {
            natural[i] = natural[i].max(block_width(cell));
            let narrowest = if wraps(i, header.len(), history) {
                // A wrapped name keeps its two-space (and a target its four-space) indent.
                longest_word(cell) + if i == 0 { 4 } else { 0 }
            } else {
                block_width(cell)
            };
            min[i] = min[i].max(narrowest);
        }
    }
    (natural, min)
}

/// The metric table in columns; with `widths`, each cell wrapped to its column's width.
fn columns_table(
    part: &ScopePart<'_>,
    history: bool,
    style: Style,
    layout: Layout,
    widths: Option<&[usize]>,
) -> Table {
    let mut table = new_table(style);
    let header = headers(history, layout);
    let columns = header.len();
    table.set_header(header);
    if widths.is_some() {
        // The cells are wrapped here, where a name keeps its indent; comfy-table must not rewrap.
        table.set_content_arrangement(ContentArrangement::Disabled);
    }
    let fit = |i: usize, text: &str| -> String {
        let Some(widths) = widths.filter(|_| wraps(i, columns, history)) else {
            return text.replace('\u{a0}', " ");
        };
        text.split('\n')
            .map(|line| {
                let indent = &line[..line.len() - line.trim_start().len()];
                wrap(line.trim_start(), widths[i], indent, indent).join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n")
            .replace('\u{a0}', " ")
    };
    let value_column = 1;
    let status_column = status_column(columns, history);
    for (status, cells) in rows(part, history, layout) {
        let Some(status) = status else {
            table.add_row([Cell::new(fit(0, &cells[0])).add_attribute(Attribute::Bold)]);
            continue;
        };
        let row: Vec<Cell> = cells
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let text = fit(i, text);
                if i == value_column {
                    Cell::new(text).set_alignment(CellAlignment::Right)
                } else if i == status_column {
                    status_cell(status, text)
                } else {
                    Cell::new(text)
                }
            })
            .collect();
        table.add_row(row);
    }
    table
}

/// The metrics as a list, for a terminal too narrow for any table: per metric its status, name
/// and value, then its target, then its trend and sparkline, each wrapped with its indent.
fn metric_list(part: &ScopePart<'_>, history: bool, style: Style, limit: usize) -> String {
    let mut out = String::new();
    for category in &part.categories {
        say(&mut out, style, "", "", &[(category.name, Some(bold()))]);
        for row in &category.rows {
            let r = row.result;
            let status = status_text(r, row.was);
            let ansi = status_ansi(r.status);
            let name = format!("{}: {} · ", r.name, row.value);
            say(&mut out, style, "  ", "    ", &[(&name, None), (&status, ansi)]);
            for line in wrap(&format!("target: {}", r.target), limit, "    ", "      ") {
                writeln!(out, "{line}").ok();
            }
            if history {
                let trend =
                    if row.trend.is_empty() { String::new() } else { format!("{}  ", row.trend) };
                for line in wrap(&format!("{trend}{}", row.sparkline), limit, "    ", "    ") {
                    writeln!(out, "{line}").ok();
                }
            }
        }
    }
    out.truncate(out.trim_end().len());
    out
}

fn status_ansi(status: Status) -> Option<Ansi> {
    match status {
        Status::Pass => Some(AnsiColor::Green.on_default()),
        Status::Warn => Some(AnsiColor::Yellow.on_default()),
        Status::Fail => Some(AnsiColor::Red.on_default()),
        Status::Waived => Some(AnsiColor::Cyan.on_default()),
        Status::Missing => None,
    }
}

fn attention(out: &mut String, part: &ScopePart<'_>, require_all: bool, style: Style) {
    if !part.attention.is_empty() {
        out.push_str("\nNeeds attention:\n");
    }
    for item in &part.attention {
        let r = item.result;
        let ansi = if r.status == Status::Fail {
            AnsiColor::Red.on_default()
        } else {
            AnsiColor::Yellow.on_default()
        };
        let head = format!("{} {} {}", mark(r.status), r.status.word(), r.name);
        out.push('\n');
        say(
            out,
            style,
            "",
            "  ",
            &[(&head, Some(ansi.bold())), (&format!(": {}", item.value), None)],
        );
        if let Some(distance) = &item.distance {
            say(out, style, "  ", "    ", &[(&format!("{distance} (target: {})", r.target), None)]);
        }
        for reason in &item.reasons {
            say(out, style, "  ", "    ", &[(&sections::capitalised(reason), None)]);
        }
        for idea in r.suggestions.iter() {
            say(out, style, "  - ", "    ", &[(idea, None)]);
        }
    }
    if !part.missing.is_empty() {
        let names: Vec<&str> = part.missing.iter().map(|r| &*r.name).collect();
        let hint = if require_all { "" } else { " (--require-all fails the gate on these)" };
        out.push('\n');
        say(out, style, "", "  ", &[(&format!("No data: {}{hint}", names.join(", ")), None)]);
    }
    let gone: Vec<String> = part
        .stale
        .iter()
        .map(|r| format!("{} (last {})", r.name, r.date.map(|d| d.to_string()).unwrap_or_default()))
        .collect();
    if !gone.is_empty() {
        out.push('\n');
        say(
            out,
            style,
            "",
            "  ",
            &[(&format!("No new data since the last value: {}", gone.join(", ")), None)],
        );
    }
    if !part.waived.is_empty() {
        out.push_str("\nWaived (not counted by the gate):\n");
    }
    for (_, sentence) in &part.waived {
        let (Some(Piece::Name(name)), rest) = (sentence.0.first(), &sentence.0[1..]) else {
            continue;
        };
        let head = format!("{} {name}", mark(Status::Waived));
        let rest = Sentence(rest.to_vec()).plain();
        say(
            out,
            style,
            "  ",
            "    ",
            &[(&head, Some(AnsiColor::Cyan.on_default())), (&rest, None)],
        );
    }
    for sentence in &part.expired {
        out.push('\n');
        let warning = AnsiColor::Yellow.on_default().bold();
        say(
            out,
            style,
            "",
            "  ",
            &[("warning", Some(warning)), (&format!(": {}", sentence.plain()), None)],
        );
    }
}

/// Scopes × metrics, worst scopes first, a status mark per cell; metrics are numbered, with a
/// legend. In a terminal too narrow for it, the marks and counts lose their padding and the counts
/// their words, and if it is still too narrow the metrics are split over several tables.
fn rollup_table(rollup: &Rollup<'_>, style: Style) -> String {
    let metrics = rollup.metrics.len();
    let legend: Vec<String> =
        rollup.metrics.iter().enumerate().map(|(i, r)| format!("{} {}", i + 1, r.name)).collect();
    let wide = rollup_chunk(rollup, style, 0..metrics, true, false);
    let Some(limit) = style.width else {
        return format!("{wide}\n{}", legend.join(" · "));
    };
    let plain = rollup_chunk(rollup, Style { color: false, ..style }, 0..metrics, true, false);
    if plain.lines().all(|l| width(&l) <= limit) {
        return format!("{wide}\n{}", wrap_items(&legend, " · ", limit));
    }
    // Narrow: marks three cells wide (two and a border), the counts under their symbols.
    let scope_width = rollup
        .rows
        .iter()
        .map(|v| width(sections::scope_name(v.scope)))
        .max()
        .unwrap_or(5)
        .clamp(5, (limit / 4).max(5));
    let counts = 4 * 3;
    let room = limit.saturating_sub(1 + scope_width + 3 + counts);
    let per_table = (room / 3).max(1);
    let mut tables = Vec::new();
    let mut start = 0;
    while start < metrics {
        let end = (start + per_table).min(metrics);
        tables.push(rollup_chunk(rollup, style, start..end, end == metrics, true).to_string());
        start = end;
    }
    // The marks get a line of their own, spaced, since `·` is one of them.
    let marks = ["✘ fail", "▲ warn", "✔ pass", "· no data"].map(String::from);
    format!(
        "{}\n{}\n{}",
        tables.join("\n"),
        wrap_items(&legend, " · ", limit),
        wrap_items(&marks, "   ", limit)
    )
}

/// One roll-up table for the metrics in `range`, with the counts when `counts`; `narrow` drops the
/// padding of the marks and counts and names the counts by their symbols.
fn rollup_chunk(
    rollup: &Rollup<'_>,
    style: Style,
    range: std::ops::Range<usize>,
    counts: bool,
    narrow: bool,
) -> Table {
    let mut table = new_table(style);
    let mut header = vec![Cell::new("Scope")];
    header.extend(range.clone().map(|i| Cell::new(i + 1)));
    if counts {
        let words =
            if narrow { ["✘", "▲", "✔", "·"] } else { ["fail", "warn", "pass", "no data"] };
        header.extend(words.map(Cell::new));
        if rollup.levels {
            header.extend(["Level", "Score"].map(Cell::new));
        }
    }
    table.set_header(header);
    let limit = style.width.map(|w| (w / 4).max(5));
    for view in &rollup.rows {
        let name = sections::scope_name(view.scope);
        let name = match limit.filter(|_| narrow) {
            Some(limit) => wrap(name, limit, "", "").join("\n"),
            None => name.to_string(),
        };
        let mut row = vec![Cell::new(name)];
        row.extend(view.results[range.clone()].iter().map(|r| {
            let cell = status_cell(r.status, mark(r.status).to_string());
            if narrow { cell.set_alignment(CellAlignment::Center) } else { cell }
        }));
        if counts {
            let s = view.scope.summary;
            row.extend(
                [s.fail, s.warn, s.pass, s.missing]
                    .map(|n| Cell::new(n).set_alignment(CellAlignment::Right)),
            );
            if rollup.levels {
                row.push(Cell::new(sections::level_cell(view.scope)));
                row.push(
                    Cell::new(sections::score_words(view.scope.score))
                        .set_alignment(CellAlignment::Right),
                );
            }
        }
        table.add_row(row);
    }
    if narrow {
        table.set_content_arrangement(ContentArrangement::Disabled);
        for column in table.column_iter_mut().skip(1) {
            column.set_padding((0, 0));
        }
    }
    table
}

/// Legend items joined with `separator`, wrapped between items (and inside one only when it is
/// longer than a line).
fn wrap_items(items: &[String], separator: &str, limit: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let joined =
            if line.is_empty() { item.clone() } else { format!("{line}{separator}{item}") };
        if width(&joined) <= limit {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut pieces = wrap(item, limit, "", "  ");
        line = pieces.pop().unwrap_or_default();
        lines.extend(pieces);
    }
    lines.push(line);
    lines.join("\n")
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
        insta::assert_snapshot!(render(
            &sample::scorecard(),
            Style { color: false, width: None, compact: false, threads: 1 }
        ));
    }

    #[test]
    fn table_scorecard_with_waivers() {
        insta::assert_snapshot!(render(
            &sample::waived_scorecard(),
            Style { color: false, width: None, compact: false, threads: 1 }
        ));
    }

    #[test]
    fn colour_marks_statuses_and_the_verdict_only_when_asked() {
        let plain = render(
            &sample::scorecard(),
            Style { color: false, width: None, compact: false, threads: 1 },
        );
        let coloured = render(
            &sample::scorecard(),
            Style { color: true, width: None, compact: false, threads: 1 },
        );
        assert!(!plain.contains('\u{1b}'));
        assert!(coloured.contains("\u{1b}[1m\u{1b}[31mgate failed"), "{coloured}");
    }

    #[test]
    fn hostile_text_is_shown_escaped_and_cannot_forge_a_line() {
        let clean = render(
            &sample::scorecard(),
            Style { color: false, width: None, compact: false, threads: 1 },
        );
        for color in [false, true] {
            let text = render(
                &sample::hostile(),
                Style { color, width: None, compact: false, threads: 1 },
            );
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
            let clean_colored = render(
                &sample::scorecard(),
                Style { color, width: None, compact: false, threads: 1 },
            );
            assert!(codes(&text) >= codes(&clean_colored), "{text}");
            assert!(!text.contains("\u{1b}[2J"), "{text}");
        }
        assert!(!clean.contains("\\u{"));
    }
}
