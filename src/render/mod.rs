//! Renderers: one file per output format, each a function from a `&Scorecard` to text. Nothing here
//! reads input or writes files; the caller decides where the text goes.

pub(crate) mod catalog;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod junit;
pub(crate) mod man;
pub mod markdown;
pub mod report;
pub(crate) mod sections;
pub mod table;
pub(crate) mod wrap;

use std::borrow::Cow;

use crate::core::scorecard::{MetricResult, Scorecard, Shared};
use crate::core::text;

/// An output format of `kpi check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal table with a summary and suggestions.
    Table,
    /// A GitHub-flavoured markdown scorecard.
    Markdown,
    /// The scorecard as JSON.
    Json,
    /// JUnit XML for CI test reports: a test suite per category, a test case per metric.
    Junit,
    /// GitHub Actions workflow commands: an annotation per metric that needs attention.
    Github,
    /// A GitLab Code Quality report: an entry per metric that needs attention, at its rule's line.
    Gitlab,
    /// A self-contained HTML page with charts of the metrics that need attention.
    Html,
}

impl Format {
    /// Every format, in the order `--help` lists them: the CLI, the tests and the fuzz target all
    /// iterate this, so a new format cannot be left out of one of them.
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Markdown,
        Format::Json,
        Format::Junit,
        Format::Github,
        Format::Gitlab,
        Format::Html,
    ];

    /// The format's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Html => "html",
        }
    }
}

/// Options that change how text looks but not what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
    /// The terminal's width in columns: the table wraps and rearranges itself to fit it. `None`
    /// (a pipe or a file) leaves every line as long as it needs.
    pub width: Option<usize>,
    /// JSON on one line, without indentation: a third smaller for a program to read.
    pub compact: bool,
    /// How many threads may write a large JSON document; the text is the same whatever the
    /// number (0 counts as 1).
    pub threads: usize,
}

/// Renders a scorecard in one format.
pub fn render(format: Format, card: &Scorecard, style: Style) -> String {
    match format {
        Format::Table => table::render(card, style),
        Format::Markdown => markdown::render(card),
        Format::Json => json::render_as(card, style.compact),
        Format::Junit => junit::render(card),
        Format::Github => github::render(card),
        Format::Gitlab => gitlab::render(card),
        Format::Html => html::render(card, &[]),
    }
}

/// Writes a scorecard in one format to `out`: what [`render`] returns, with JSON streamed as it is
/// serialized rather than held whole.
pub fn write(
    format: Format,
    card: &Scorecard,
    style: Style,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_with(card, style.compact, style.threads, out),
        _ => out.write_all(render(format, card, style).as_bytes()),
    }
}

/// Line breaks, which a format with its own way of escaping them (markdown, GitHub's workflow
/// commands, XML) may leave to [`printable`].
pub(crate) const LINE_BREAKS: &[char] = &['\n', '\r'];

/// The scorecard with every text that came from an input (scope names) or a catalog (names,
/// categories, targets, ideas) made printable: control characters and bidirectional overrides
/// become visible escapes, except those in `keep`. Every text renderer starts here, so none can
/// echo them raw; a card with nothing to escape is not copied.
pub(crate) fn printable<'c>(card: &'c Scorecard, keep: &[char]) -> Cow<'c, Scorecard> {
    let clean = |t: &str| matches!(text::printable_keeping(t, keep), Cow::Borrowed(_));
    let clean_result = |r: &MetricResult| {
        [&r.id, &r.name, &r.category, &r.target, &r.pass, &r.warn].into_iter().all(|t| clean(t))
            && r.scope.as_deref().is_none_or(clean)
            && r.suggestions.iter().all(|t| clean(t))
            && r.waiver.as_ref().is_none_or(|w| clean(&w.reason))
    };
    if clean(&card.title)
        && card.scopes.iter().all(|s| s.name.as_deref().is_none_or(clean))
        && card.results.iter().all(clean_result)
    {
        return Cow::Borrowed(card);
    }
    let fix = |t: &mut String| {
        if let Cow::Owned(shown) = text::printable_keeping(t, keep) {
            *t = shown;
        }
    };
    let fix_shared = |t: &mut Shared| {
        if let Cow::Owned(shown) = text::printable_keeping(t, keep) {
            *t = shown.into();
        }
    };
    let mut card = card.clone();
    fix(&mut card.title);
    card.scopes.iter_mut().filter_map(|s| s.name.as_mut()).for_each(fix_shared);
    for r in &mut card.results {
        [&mut r.id, &mut r.name, &mut r.category, &mut r.target, &mut r.pass, &mut r.warn]
            .into_iter()
            .for_each(fix_shared);
        r.scope.iter_mut().for_each(fix_shared);
        r.suggestions =
            r.suggestions.iter().map(|t| text::printable_keeping(t, keep).into_owned()).collect();
        r.waiver.iter_mut().for_each(|w| fix(&mut w.reason));
    }
    Cow::Owned(card)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_card_is_not_copied_and_a_hostile_one_keeps_only_the_line_breaks_asked_for() {
        let card = sample::scorecard();
        assert!(matches!(printable(&card, &[]), Cow::Borrowed(_)));
        let hostile = sample::hostile();
        for keep in [&[][..], LINE_BREAKS] {
            let shown = printable(&hostile, keep);
            let texts = std::iter::once(shown.title.as_str())
                .chain(shown.scopes.iter().filter_map(|s| s.name.as_deref()))
                .chain(shown.results.iter().flat_map(|r| {
                    [&*r.name, &r.category, &r.target]
                        .into_iter()
                        .chain(r.suggestions.iter().map(String::as_str))
                }));
            for text in texts {
                assert!(!text.contains(['\u{1b}', '\u{202e}']), "{text:?}");
                assert_eq!(text.contains("\r\n"), !keep.is_empty(), "{text:?}");
                assert!(text.contains("\\u{1b}[31m"), "{text:?}");
            }
        }
    }

    #[test]
    fn every_format_is_listed_once_under_its_own_name() {
        let mut names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Format::ALL.len());
    }

    #[test]
    fn every_format_shows_levels_regressions_and_stale_data() {
        let card = sample::policies_scorecard();
        let api = &card.scopes[0];
        assert_eq!(api.standing.as_ref().unwrap().level.as_deref(), Some("Bronze"));
        for format in Format::ALL {
            let text = render(format, &card, Style::default());
            insta::assert_snapshot!(format!("policies_{}", format.name()), text);
        }
    }

    #[test]
    fn the_check_in_report_shows_levels_regressions_and_stale_data() {
        let card = sample::policies_scorecard();
        insta::assert_snapshot!(report::render(&card, &[]));
    }

    #[test]
    fn catalog_show_names_a_metrics_policies_and_its_level() {
        const CONFIG: &str = "levels:\n  - { name: Silver, metrics: [code_coverage] }\nmetrics:\n  code_coverage:\n    max_age: 14d\n    on_stale: fail\n    regression: { warn: \"1 point\", fail: \"5%\" }\n    weight: 2\n";
        let in_effect =
            crate::input::config::load(CONFIG, "kpi.yaml", std::path::Path::new(""), None).unwrap();
        let metric =
            &in_effect.catalog.metrics()[in_effect.catalog.resolve("code_coverage").unwrap()];
        let text = catalog::show(&in_effect, metric);
        for line in [
            "Stale after: 14 days, then `fail`",
            "Regression against a baseline: warn past 1 point, fail past 5%",
            "Weight in the score: 2",
            "Required by level: Silver",
        ] {
            assert!(text.contains(line), "{line}\n{text}");
        }
    }

    #[test]
    fn writing_gives_what_rendering_returns_in_every_format() {
        let card = sample::scorecard();
        for format in Format::ALL {
            let mut written = Vec::new();
            write(format, &card, Style::default(), &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                render(format, &card, Style::default())
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod sample {
    //! One shared sample scorecard for every renderer's snapshots: pass, warn, fail and missing
    //! metrics, a two-sided metric missed on each side, and values with units.

    use std::borrow::Cow;

    use crate::core::evaluate::{Policies, evaluate, evaluate_scoped};
    use crate::core::scorecard::{FailOn, GatePolicy, Scorecard};
    use crate::core::waiver::{Waiver, Waivers};
    use crate::input::catalog::load_builtin;
    use crate::input::measurements::{Store, csv};

    pub(crate) const CSV: &str = "metric,value\n\
        response_time,180ms\n\
        error_rate,1.4%\n\
        rps,1.2k\n\
        cpu_utilisation,85%\n\
        memory_usage,62%\n\
        code_review_rounds,0\n\
        code_coverage,83.5%\n\
        defect_density,0.4\n\
        code_commits,3/day\n\
        code_complexity,\n\
        code_quality,6\n\
        deployment_frequency,3/week\n\
        mttr,45m\n\
        test_coverage,78%\n\
        api_response_time,0.35s\n";

    /// Text meant to take over a terminal or a report: an ANSI colour and screen clear, a
    /// right-to-left override, a forged line, a table cell break, HTML and a link.
    pub(crate) const HOSTILE: &str =
        "x\u{1b}[31m\u{1b}[2J\u{202e}kcab\r\nerror: forged | <img src=x> [link](http://e)";

    /// The sample scorecard with [`HOSTILE`] in every text a renderer echoes: the title, a scope,
    /// categories, names, targets and ideas.
    pub(crate) fn hostile() -> Scorecard {
        let mut card = scorecard();
        card.title = HOSTILE.to_string();
        card.scopes[0].name = Some(HOSTILE.into());
        for r in &mut card.results {
            r.scope = Some(HOSTILE.into());
            r.category = format!("{} {HOSTILE}", r.category).into();
            r.name = format!("{} {HOSTILE}", r.name).into();
            r.target = HOSTILE.into();
            r.suggestions = [HOSTILE.to_string()].into();
        }
        card
    }

    pub(crate) fn scorecard() -> Scorecard {
        let catalog = load_builtin().unwrap();
        let mut collector = Store::new(&catalog);
        csv::read(&mut collector, CSV.as_bytes(), "sample.csv").unwrap();
        let data = collector.finish().unwrap();
        evaluate(&catalog, &data, None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
    }

    /// Two services over two check-ins under every policy: levels with a weight, a regression
    /// against the previous check-in, a value older than its `max_age`, and a waiver that holds a
    /// level.
    pub(crate) fn policies_scorecard() -> Scorecard {
        const CONFIG: &str = "\
levels:
  - { name: Bronze, metrics: [requests_per_second] }
  - { name: Silver, metrics: [error_rate, code_coverage] }
  - { name: Gold, metrics: [mttr] }
metrics:
  code_coverage:
    regression: { warn: \"1 point\", fail: \"2 points\" }
    weight: 2
  error_rate:
    max_age: 7d
waivers:
  - { metric: mttr, scope: web, reason: on-call rota change, until: 2026-12-31 }
";
        const CSV: &str = "date,scope,metric,value\n\
            2026-11-09,api,error_rate,0.4%\n\
            2026-11-16,api,requests_per_second,1500\n\
            2026-11-16,api,code_coverage,86%\n\
            2026-11-23,api,requests_per_second,1600\n\
            2026-11-23,api,code_coverage,83.5%\n\
            2026-11-23,api,mttr,30m\n\
            2026-11-16,web,requests_per_second,1200\n\
            2026-11-16,web,error_rate,0.5%\n\
            2026-11-16,web,code_coverage,81%\n\
            2026-11-23,web,requests_per_second,1250\n\
            2026-11-23,web,error_rate,0.6%\n\
            2026-11-23,web,code_coverage,81.5%\n\
            2026-11-23,web,mttr,2h\n";
        let in_effect =
            crate::input::config::load(CONFIG, "kpi.yaml", std::path::Path::new(""), None).unwrap();
        let mut store = Store::new(&in_effect.catalog);
        csv::read(&mut store, CSV.as_bytes(), "history.csv").unwrap();
        let data = store.finish().unwrap();
        let baseline = crate::core::policy::Baseline::Previous;
        let policies = Policies {
            waivers: Some(Waivers {
                waivers: &in_effect.waivers,
                today: "2026-11-30".parse().unwrap(),
            }),
            baseline: Some(&baseline),
            ..Policies::gate(None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
        };
        let catalog_for = |scope: Option<&str>| in_effect.catalog_for_scope(scope);
        evaluate_scoped(&in_effect.catalog, &catalog_for, &data, &policies)
    }

    /// The sample with a waiver in force for a failing metric (CPU utilisation) and an expired one
    /// for another (API response time), on 2025-06-01.
    pub(crate) fn waived_scorecard() -> Scorecard {
        let waiver = |metric: &str, until: &str, reason: &str| Waiver {
            metric: metric.into(),
            scope: None,
            reason: reason.into(),
            until: until.parse().unwrap(),
        };
        let waivers = [
            waiver("cpu_utilisation", "2025-09-30", "load test in progress, agreed with SRE"),
            waiver("api_response_time", "2025-03-31", "cache rollout"),
        ];
        let catalog = load_builtin().unwrap();
        let mut collector = Store::new(&catalog);
        csv::read(&mut collector, CSV.as_bytes(), "sample.csv").unwrap();
        let data = collector.finish().unwrap();
        let policies = Policies {
            waivers: Some(Waivers { waivers: &waivers, today: "2025-06-01".parse().unwrap() }),
            ..Policies::gate(None, GatePolicy { fail_on: FailOn::Fail, require_all: false })
        };
        evaluate_scoped(&catalog, &|_| Cow::Borrowed(&catalog), &data, &policies)
    }
}
