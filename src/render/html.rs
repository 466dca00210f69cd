//! `--format html`: the check-in as one self-contained page to project in the meeting. Inline CSS
//! and SVG only: no script, no font, no image, no request of any kind, which the page's
//! Content-Security-Policy enforces (its one style sheet is allowed by its hash). Written with maud,
//! whose templates are checked at compile time and escape every value; the charts are drawn here
//! by hand (see [`chart`]), since a charting crate would bring a font stack and more weight than
//! the few lines and rectangles a trend chart needs.

use std::fmt::Write;

use base64::Engine;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::printable;
use super::sections::{self, Attention, Report, Rollup, ScopePart};
use crate::core::format_number;
use crate::core::scorecard::{HistoryPoint, MetricResult, Scorecard, Status};
use crate::core::threshold::Band;

/// The page's style sheet; its hash goes into the Content-Security-Policy.
const CSS: &str = include_str!("html.css");

/// The page's Content-Security-Policy: nothing may load or run, except the one inline style sheet.
pub fn content_security_policy() -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; font-src 'none'; \
         script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
}

/// Renders the check-in page; `charts` are the ids of metrics to chart besides those that need
/// attention, which always get one.
pub fn render(card: &Scorecard, charts: &[String]) -> String {
    // Line breaks too are shown as escapes: in a page's source a text line of its own could pass
    // for something kpi wrote.
    let card = &*printable(card, &[]);
    let report = sections::report(card);
    let many = report.scoped && report.scopes.len() > 1;
    let mut figures = 0;
    let heading = match (report.date, report.only_scope) {
        (Some(date), Some(scope)) => format!("Check-in {} · {scope}", long_date(date)),
        (Some(date), None) => format!("Check-in {}", long_date(date)),
        // Undated measurements are a scorecard, not a check-in of a history.
        (None, Some(scope)) => format!("Scorecard · {scope}"),
        (None, None) => "Scorecard".to_string(),
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(content_security_policy());
                meta name="generator" content="kpi";
                title { (report.title) ": " (heading) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    div {
                        h1 { (report.title) }
                        p.when { (heading) }
                    }
                    (verdict(&report))
                }
                (tiles(&report))
                @if let Some(rollup) = report.rollup.as_ref().filter(|_| many) {
                    section.rollup aria-labelledby="rollup" {
                        h2 #rollup { "Roll-up" }
                        (heatmap(rollup))
                    }
                }
                @for part in &report.scopes {
                    section.scope aria-label=(part.name) {
                        @if many {
                            h2.scope-name { (part.name) " " span.counts { (sections::summary_in_words(part.view.scope.summary)) } }
                        }
                        (scope_body(part, charts, many, &mut figures))
                    }
                }
                footer {
                    p { "Made by kpi from the measurements of " (heading_date(&report)) ". "
                        "Gate rule: " code { (report.gate.rule) } "." }
                }
            }
        }
    };
    readable(&page.into_string())
}

/// The page with a line break before each block element, so that its source reads and diffs line
/// by line. Every `<` in the page starts a tag: maud escapes every `<` of the text.
fn readable(page: &str) -> String {
    const BLOCKS: [&str; 17] = [
        "<head", "<body", "<meta", "<title>", "<style", "<header", "<section", "<h2", "<h3",
        "<table", "<tr", "<div", "<article", "<figure", "<footer", "<li>", "<p ",
    ];
    let mut out = String::with_capacity(page.len() + page.len() / 20);
    let mut rest = page;
    while let Some(at) = rest[1..].find('<').map(|i| i + 1) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if BLOCKS.iter().any(|tag| rest.starts_with(tag)) || rest.starts_with("<p>") {
            out.push('\n');
        }
    }
    out.push_str(rest);
    out.push('\n');
    out
}

fn heading_date(report: &Report<'_>) -> String {
    report.date.map_or_else(|| "this scorecard".to_string(), long_date)
}

fn verdict(report: &Report<'_>) -> Markup {
    let (class, symbol, words) = if report.gate.passed {
        ("verdict pass", "✔", "Gate passed")
    } else {
        ("verdict fail", "✘", "Gate failed")
    };
    html! {
        p class=(class) {
            span.symbol aria-hidden="true" { (symbol) } " " strong { (words) }
            span.rule { (report.gate.rule) }
        }
    }
}

fn tiles(report: &Report<'_>) -> Markup {
    let s = report.summary;
    let mut tiles = vec![
        (Status::Pass, s.pass, "pass"),
        (Status::Warn, s.warn, "warn"),
        (Status::Fail, s.fail, "fail"),
        (Status::Missing, s.missing, "no data"),
    ];
    if s.waived > 0 {
        tiles.push((Status::Waived, s.waived, "waived"));
    }
    html! {
        ul.tiles aria-label="Summary" {
            @for (status, count, word) in tiles {
                li class=(format!("tile {}", class(status))) {
                    span.symbol aria-hidden="true" { (symbol(status)) }
                    span.count { (count) }
                    span.word { (word) }
                }
            }
        }
    }
}

fn heatmap(rollup: &Rollup<'_>) -> Markup {
    html! {
        // The one part of the page that may scroll sideways on a phone: a column per metric.
        div.scroll.wide {
            table.heatmap {
                caption { "Status of each metric per scope, worst scope first" }
                thead {
                    tr {
                        th scope="col" { "Scope" }
                        @for r in rollup.metrics {
                            th.metric scope="col" { span { (r.name) } }
                        }
                    }
                }
                tbody {
                    @for view in &rollup.rows {
                        tr {
                            th scope="row" {
                                (sections::scope_name(view.scope))
                                span.counts { (sections::summary_in_words(view.scope.summary)) }
                                @if rollup.levels {
                                    span.counts { (sections::level_words(view.scope)) ", score " (sections::score_words(view.scope.score)) }
                                }
                            }
                            @for r in view.results {
                                td class=(class(r.status)) title=(format!("{}: {} ({})", r.name, r.display_value(), r.status.word())) {
                                    span aria-hidden="true" { (symbol(r.status)) }
                                    span.sr { (r.name) " " (r.status.word()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn scope_body(part: &ScopePart<'_>, charts: &[String], many: bool, figures: &mut usize) -> Markup {
    let charted: Vec<&MetricResult> = part
        .view
        .results
        .iter()
        .filter(|r| !r.history.is_empty())
        .filter(|r| {
            matches!(r.status, Status::Warn | Status::Fail) || charts.iter().any(|c| **c == *r.id)
        })
        .collect();
    // Undated input has no trend to show.
    let history = part.view.results.iter().any(|r| r.trend.is_some());
    let level = if many { 3 } else { 2 };
    html! {
        @if let Some(standing) = &part.standing {
            p.standing { (prose(standing)) "." }
        }
        @for category in &part.categories {
            (heading(level, category.name))
            div.scroll {
                table class=(if history { "metrics with-trend" } else { "metrics" }) {
                    thead {
                        tr {
                            th scope="col" { "Metric" }
                            th.num scope="col" { "Value" }
                            th scope="col" { "Target" }
                            th scope="col" { "Status" }
                            @if history {
                                th scope="col" { "Trend" }
                                th scope="col" { "Last 12" }
                            }
                        }
                    }
                    tbody {
                        @for row in &category.rows {
                            tr {
                                th scope="row" { (row.result.name) }
                                td.num data-label="Value" { (row.value) }
                                td.target data-label="Target" { (row.result.target) }
                                td data-label="Status" { (badge(row.result.status)) @if let Some(was) = row.was { " " span.was { "was " (was.word()) } } }
                                @if history {
                                    td.trend data-label="Trend" { (row.trend) }
                                    td.spark-cell data-label="Last 12" { (sparkline(row.result)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !part.attention.is_empty() {
            (heading(level, "Needs attention"))
            div.attention {
                @for item in &part.attention {
                    (attention(item))
                }
            }
        }
        @if !part.missing.is_empty() {
            p.note { (badge(Status::Missing)) " " (names(&part.missing)) }
        }
        @if !part.waived.is_empty() {
            (heading(level, "Waived"))
            ul.waived {
                @for (_, sentence) in &part.waived {
                    li { (symbol(Status::Waived)) " " (prose(sentence)) }
                }
            }
        }
        @for sentence in &part.expired {
            p.expired role="note" { strong { "⚠ Waiver expired: " } (prose(sentence)) "." }
        }
        @if part.since.earlier {
            (since_last(part, level))
        }
        @if !charted.is_empty() {
            (heading(level, "Trends"))
            div.charts {
                @for r in charted {
                    ({ *figures += 1; chart(r, *figures) })
                }
            }
        }
    }
}

fn heading(level: usize, text: &str) -> Markup {
    html! {
        @if level == 2 { h2 { (text) } } @else { h3 { (text) } }
    }
}

fn names(results: &[&MetricResult]) -> String {
    results.iter().map(|r| &*r.name).collect::<Vec<_>>().join(", ")
}

/// A sentence with its metric names in bold, capitalised as prose.
fn prose(sentence: &sections::Sentence) -> Markup {
    html! {
        @for (i, piece) in sentence.0.iter().enumerate() {
            @match piece {
                sections::Piece::Text(t) if i == 0 => (sections::capitalised(t)),
                sections::Piece::Text(t) => (t),
                sections::Piece::Name(n) => strong { (n) },
            }
        }
    }
}

fn attention(item: &Attention<'_>) -> Markup {
    let r = item.result;
    html! {
        article class=(format!("item {}", class(r.status))) {
            h4 { (badge(r.status)) " " (r.name) ": " span.value { (item.value) } }
            @if let Some(distance) = &item.distance {
                p { (sections::capitalised(distance)) " (target: " (r.target) ")." }
            }
            @for reason in &item.reasons {
                p.reason { (sections::capitalised(reason)) "." }
            }
            @if !r.suggestions.is_empty() {
                p.ideas-title { "Ideas to improve it:" }
                ul.ideas {
                    @for idea in r.suggestions.iter() { li { (idea) } }
                }
            }
        }
    }
}

fn since_last(part: &ScopePart<'_>, level: usize) -> Markup {
    let since = &part.since;
    let moved = |items: &[(&MetricResult, String)]| -> Vec<String> {
        items.iter().map(|(r, trend)| format!("{} {trend}", r.name)).collect()
    };
    let changes: Vec<String> = since
        .status_changes
        .iter()
        .map(|(r, before, now)| format!("{}: {} → {}", r.name, before.word(), now.word()))
        .collect();
    let gone: Vec<String> = since
        .no_new_data
        .iter()
        .map(|r| {
            let date = r.date.map(|d| format!(" on {}", short_date(d))).unwrap_or_default();
            format!("{} (last {}{date})", r.name, r.display_value())
        })
        .collect();
    let groups = [
        ("Improved", "↗", moved(&since.improved)),
        ("Worsened", "↘", moved(&since.worsened)),
        ("Status changes", "⇄", changes),
        ("No new data", "…", gone),
    ];
    html! {
        @if part.view.results.iter().any(|r| r.trend.is_some()) {
            (heading(level, "Since last check-in"))
            @if since.is_empty() {
                p { "Nothing changed since the last check-in." }
            } @else {
                dl.since {
                    @for (label, mark, items) in &groups {
                        @if !items.is_empty() {
                            dt { span aria-hidden="true" { (mark) } " " (label) }
                            dd { ul { @for item in items { li { (item) } } } }
                        }
                    }
                }
            }
        }
    }
}

fn badge(status: Status) -> Markup {
    html! {
        span class=(format!("badge {}", class(status))) {
            span aria-hidden="true" { (symbol(status)) } " " (word(status))
        }
    }
}

fn class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Missing => "missing",
        Status::Waived => "waived",
    }
}

/// A symbol per status, so that status never depends on colour alone.
fn symbol(status: Status) -> &'static str {
    match status {
        Status::Pass => "✔",
        Status::Warn => "▲",
        Status::Fail => "✘",
        Status::Missing => "?",
        Status::Waived => "◇",
    }
}

fn word(status: Status) -> &'static str {
    match status {
        Status::Pass => "Pass",
        Status::Warn => "Warn",
        Status::Fail => "Fail",
        Status::Missing => "No data",
        Status::Waived => "Waived",
    }
}

use sections::{long_date, short_date};

/// A small line of the last check-ins for a table cell, its latest point marked.
fn sparkline(result: &MetricResult) -> Markup {
    let points: Vec<(usize, f64)> =
        result.history.iter().enumerate().filter_map(|(i, p)| Some((i, p.value?))).collect();
    let Some(&(last_i, last_v)) = points.last() else { return html! {} };
    let (w, h, pad) = (96.0, 24.0, 3.0);
    let (lo, hi) = extent(points.iter().map(|p| p.1));
    let slots = result.history.len().max(2) - 1;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / slots as f64;
    let y = |v: f64| {
        if hi > lo { h - pad - (h - 2.0 * pad) * (v - lo) / (hi - lo) } else { h / 2.0 }
    };
    let path = line_path(&result.history, x, y);
    let first = result.history.iter().find_map(|p| p.value).unwrap_or(last_v);
    let label = format!(
        "{} over the last {} check-ins: from {} to {}",
        result.name,
        result.history.len(),
        result.unit.format(first),
        result.unit.format(last_v)
    );
    html! {
        svg.spark width="96" height="24" viewBox="0 0 96 24" role="img" aria-label=(label) {
            title { (label) }
            @if !path.is_empty() { path.spark-line d=(path) {} }
            circle class=(format!("spark-dot {}", class(result.status))) cx=(num(x(last_i))) cy=(num(y(last_v))) r="2.5" {}
        }
    }
}

/// An SVG path through the valued points, broken where a check-in has no value.
fn line_path(history: &[HistoryPoint], x: impl Fn(usize) -> f64, y: impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    let mut segments = 0;
    for (i, p) in history.iter().enumerate() {
        match p.value {
            Some(v) => {
                let op = if pen_down { 'L' } else { 'M' };
                if pen_down {
                    segments += 1;
                }
                write!(d, "{op}{},{}", num(x(i)), num(y(v))).ok();
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if segments == 0 { String::new() } else { d }
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// A coordinate with two decimals at most: smaller pages, same picture.
fn num(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A step of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into about `parts`.
fn nice_step(span: f64, parts: f64) -> f64 {
    let raw = span / parts;
    let magnitude = 10f64.powf(raw.log10().floor());
    let residual = raw / magnitude;
    let nice = if residual <= 1.0 {
        1.0
    } else if residual <= 2.0 {
        2.0
    } else if residual <= 2.5 {
        2.5
    } else if residual <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A band's extent clipped to the chart's range, as (low, high).
fn clip(band: &Band, lo: f64, hi: f64) -> Option<(f64, f64)> {
    let a = band.lower.map_or(lo, |b| b.value.max(lo));
    let b = band.upper.map_or(hi, |b| b.value.min(hi));
    (b > a).then_some((a, b))
}

/// What a chart shows, in words, for a screen reader.
fn describe(result: &MetricResult, points: &[(usize, f64)]) -> String {
    let (history, unit, pass) = (&result.history, result.unit, result.thresholds.pass);
    let (first, last) = (points[0], points[points.len() - 1]);
    if points.len() == 1 {
        format!(
            "One value so far: {} on {}. Pass is {}.",
            unit.format(last.1),
            short_date(history[last.0].date),
            pass.in_words(unit)
        )
    } else {
        format!(
            "From {} on {} to {} on {}, over {} check-ins. Pass is {}; warn is {}. Latest status: {}.",
            unit.format(first.1),
            short_date(history[first.0].date),
            unit.format(last.1),
            short_date(history[last.0].date),
            history.len(),
            pass.in_words(unit),
            result.thresholds.warn.in_words(unit),
            result.status.word()
        )
    }
}

/// The chart's value range and tick step: every value and the pass band's ends, so that the line
/// is seen against its target, rounded out to whole ticks, with room above the highest value for
/// its label, and from zero at the lowest for values that cannot be negative.
fn value_range(points: &[(usize, f64)], pass: &Band) -> (f64, f64, f64) {
    let bounds = [pass.lower, pass.upper].into_iter().flatten().map(|b| b.value);
    let (mut lo, mut hi) = extent(points.iter().map(|p| p.1).chain(bounds));
    if (hi - lo).abs() < f64::EPSILON {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step(hi - lo, 4.0);
    let highest = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    lo = (lo / step).floor() * step;
    hi = (hi / step).ceil() * step;
    if hi - highest < step * 0.25 {
        hi += step;
    }
    if points.iter().all(|p| p.1 >= 0.0) && lo < 0.0 {
        lo = 0.0;
    }
    (lo, hi, step)
}

/// A metric's trend chart: its values over the check-ins, the pass band and the warn band shaded,
/// the latest point marked and labelled with its value, and a date under every other check-in at
/// most. A history of one value is drawn as a point.
fn chart(result: &MetricResult, n: usize) -> Markup {
    const W: f64 = 600.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 64.0;
    const RIGHT: f64 = 96.0;
    const TOP: f64 = 16.0;
    const BOTTOM: f64 = 40.0;
    let history = &result.history;
    let points: Vec<(usize, f64)> =
        history.iter().enumerate().filter_map(|(i, p)| Some((i, p.value?))).collect();
    let unit = result.unit;
    let title_id = format!("chart{n}-title");
    let desc_id = format!("chart{n}-desc");
    let pass = result.thresholds.pass;
    let warn = result.thresholds.warn;
    let Some(&(last_i, last_v)) = points.last() else {
        return html! {
            figure.chart {
                figcaption { strong { (result.name) } " — no values to chart yet" }
            }
        };
    };
    let (lo, hi, step) = value_range(&points, &pass);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slots = history.len().max(2) - 1;
    let x = |i: usize| {
        if history.len() == 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / slots as f64
        }
    };
    let y = |v: f64| TOP + plot_h * (hi - v) / (hi - lo);
    let ticks: Vec<f64> = (0..=20u8)
        .map(|k| lo + step * f64::from(k))
        .take_while(|t| *t <= hi + step * 1e-6)
        .collect();
    // A date under each check-in when they fit, else under every other one, always the latest.
    let every = history.len().div_ceil(7).max(1);
    let labelled: Vec<usize> =
        (0..history.len()).filter(|i| (history.len() - 1 - i).is_multiple_of(every)).collect();
    let labels = sections::date_labels(&history.iter().map(|p| p.date).collect::<Vec<_>>());
    let band_rect = |(a, b): (f64, f64), class: &str| {
        html! { rect class=(class) x=(num(LEFT)) y=(num(y(b))) width=(num(plot_w)) height=(num(y(a) - y(b))) {} }
    };
    let path = line_path(history, x, y);
    let description = describe(result, &points);
    let (lx, ly) = (x(last_i), y(last_v));
    let label_above = ly > TOP + 24.0;
    let unit_label =
        if unit.symbol.is_empty() { String::new() } else { format!(" ({})", unit.symbol) };
    html! {
        figure.chart id=(format!("chart-{}", result.id)) data-metric=(result.id) {
            figcaption {
                strong { (result.name) } (unit_label) " "
                (badge(result.status))
            }
            svg viewBox=(format!("0 0 {W} {H}")) role="img" aria-labelledby=(format!("{title_id} {desc_id}")) {
                title id=(title_id) { (result.name) ": the last " (history.len()) " check-ins" }
                desc id=(desc_id) { (description) }
                rect.plot x=(num(LEFT)) y=(num(TOP)) width=(num(plot_w)) height=(num(plot_h)) {}
                @if let Some(band) = clip(&warn, lo, hi) { (band_rect(band, "band-warn")) }
                @if let Some(band) = clip(&pass, lo, hi) { (band_rect(band, "band-pass")) }
                @for tick in &ticks {
                    line.grid x1=(num(LEFT)) x2=(num(LEFT + plot_w)) y1=(num(y(*tick))) y2=(num(y(*tick))) {}
                    text.tick x=(num(LEFT - 8.0)) y=(num(y(*tick) + 5.0)) text-anchor="end" { (format_number(*tick)) }
                }
                @for i in &labelled {
                    text.tick x=(num(x(*i))) y=(num(H - BOTTOM + 22.0)) text-anchor="middle" { (labels[*i]) }
                }
                @if !path.is_empty() { path.line d=(path) {} }
                @for (i, v) in &points {
                    @if *i != last_i { circle.point cx=(num(x(*i))) cy=(num(y(*v))) r="3.5" {} }
                }
                circle class=(format!("latest {}", class(result.status))) cx=(num(lx)) cy=(num(ly)) r="7" {}
                text.latest-label x=(num(lx + 10.0)) y=(num(if label_above { ly - 12.0 } else { ly + 24.0 })) {
                    (unit.format(last_v))
                }
            }
            p.legend {
                span.key.key-pass aria-hidden="true" {} " pass: " (pass.in_words(unit)) " "
                span.key.key-warn aria-hidden="true" {} " warn: " (warn.in_words(unit)) " "
                span.key.key-line aria-hidden="true" {} " measured"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::history::When;
    use crate::core::scorecard::HistoryPoint;
    use crate::render::sample;

    fn week(day: &str, value: Option<f64>) -> HistoryPoint {
        HistoryPoint { date: When::parse(day).unwrap(), value }
    }

    #[test]
    fn html_scorecard() {
        insta::assert_snapshot!(render(&sample::scorecard(), &[]));
    }

    /// The sample with a dated history of three check-ins for every metric with a value.
    fn dated() -> Scorecard {
        let mut card = sample::scorecard();
        for r in &mut card.results {
            r.history = ["2026-11-09", "2026-11-16", "2026-11-23"]
                .iter()
                .map(|d| week(d, r.value))
                .collect();
        }
        card
    }

    #[test]
    fn undated_input_has_no_charts_and_no_trend_columns() {
        let page = render(&sample::scorecard(), &["mttr".to_string()]);
        assert!(!page.contains("<figure"), "{page}");
        assert!(!page.contains(">Last 12<"), "{page}");
    }

    #[test]
    fn every_metric_needing_attention_gets_a_chart_and_so_does_each_asked_for() {
        let card = dated();
        let page = render(&card, &[]);
        assert_eq!(page.matches("<figure class=\"chart\"").count(), 5);
        let page = render(&card, &["mttr".to_string(), "cpu_utilisation".to_string()]);
        assert_eq!(page.matches("<figure class=\"chart\"").count(), 6, "mttr added, cpu not twice");
    }

    #[test]
    fn a_one_point_history_is_drawn_as_a_point_with_its_label() {
        let mut card = dated();
        let r = card.results.iter_mut().find(|r| &*r.id == "mttr").unwrap();
        r.history = [week("2026-11-23", Some(45.0))].into();
        let page = render(&card, &["mttr".to_string()]);
        let figure = &page[page.find("id=\"chart-mttr\"").unwrap()..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        assert!(!figure.contains("class=\"line\""), "{figure}");
        assert!(figure.contains("class=\"latest pass\""), "{figure}");
        assert!(figure.contains(">45 min</text>"), "{figure}");
        assert!(figure.contains(">Nov 23</text>"), "{figure}");
        assert!(figure.contains("One value so far: 45 min on Nov 23"), "{figure}");
    }

    #[test]
    fn dates_on_the_axis_are_short_and_thin_out_to_fit() {
        let mut card = sample::scorecard();
        let r = card.results.iter_mut().find(|r| &*r.id == "mttr").unwrap();
        let days = [
            "2026-09-07",
            "2026-09-14",
            "2026-09-21",
            "2026-09-28",
            "2026-10-05",
            "2026-10-12",
            "2026-10-19",
            "2026-10-26",
            "2026-11-02",
            "2026-11-09",
            "2026-11-16",
            "2026-11-23",
        ];
        r.history = days.iter().map(|d| week(d, Some(50.0))).collect();
        r.history[4].value = None;
        let page = render(&card, &["mttr".to_string()]);
        let figure = &page[page.find("id=\"chart-mttr\"").unwrap()..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        let labels: Vec<&str> = figure
            .split("text-anchor=\"middle\">")
            .skip(1)
            .map(|t| &t[..t.find('<').unwrap()])
            .collect();
        assert_eq!(labels, ["Sep 14", "Sep 28", "Oct 12", "Oct 26", "Nov 9", "Nov 23"]);
        // The gap breaks the line: two segments.
        let line = figure.split("class=\"line\" d=\"").nth(1).unwrap();
        assert_eq!(line[..line.find('"').unwrap()].matches('M').count(), 2);
    }

    #[test]
    fn hostile_text_is_escaped_and_cannot_add_markup() {
        let page = render(&sample::hostile(), &[]);
        assert!(!page.contains("<img"), "an unescaped tag");
        assert!(page.contains("&lt;img src=x&gt;"));
        assert!(!page.contains(['\u{1b}', '\u{202e}']));
    }

    #[test]
    fn the_policy_allows_exactly_the_style_sheet_and_nothing_else() {
        let page = render(&sample::scorecard(), &[]);
        let policy = content_security_policy();
        assert!(page.contains(&format!("content=\"{policy}\"")));
        assert!(policy.starts_with("default-src 'none'; style-src 'sha256-"));
        for forbidden in ["<script", "<link", "src=", "url(", "@import", "href=\"http"] {
            assert!(!page.contains(forbidden), "`{forbidden}` in the page");
        }
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(40.0, 4.0), 10.0);
        assert_eq!(nice_step(47.0, 4.0), 20.0);
        assert_eq!(nice_step(0.9, 4.0), 0.25);
        assert_eq!(nice_step(4000.0, 4.0), 1000.0);
    }
}
