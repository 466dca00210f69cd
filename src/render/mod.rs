//! Renderers: one file per output format, each a function from a `&Scorecard` to text. Nothing here
//! reads input or writes files; the caller decides where the text goes.

pub mod catalog;
pub mod json;
pub mod markdown;
pub mod table;

use crate::core::scorecard::Scorecard;

/// An output format of `kpi check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A terminal table with a summary and suggestions.
    Table,
    /// A GitHub-flavoured markdown scorecard.
    Markdown,
    /// The scorecard as JSON.
    Json,
}

/// Options that change how text looks but not what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
}

/// Renders a scorecard in one format.
pub fn render(format: Format, card: &Scorecard, style: Style) -> String {
    match format {
        Format::Table => table::render(card, style),
        Format::Markdown => markdown::render(card),
        Format::Json => json::render(card),
    }
}

/// The summary counts in words, e.g. `11 pass, 2 warn, 1 fail, 1 no data` (`, 1 waived` when any).
pub(crate) fn counts_in_words(card: &Scorecard) -> String {
    let s = card.summary;
    let counts =
        format!("{} pass, {} warn, {} fail, {} no data", s.pass, s.warn, s.fail, s.missing);
    // Most teams have no waivers; mention them only when there are some.
    if s.waived > 0 { format!("{counts}, {} waived", s.waived) } else { counts }
}

/// What decided the gate, e.g. `--fail-on fail` or `--fail-on warn --require-all`.
pub(crate) fn gate_rule(card: &Scorecard) -> String {
    let fail_on = match card.gate.fail_on {
        crate::core::scorecard::FailOn::Fail => "fail",
        crate::core::scorecard::FailOn::Warn => "warn",
        crate::core::scorecard::FailOn::Never => "never",
    };
    let require_all = if card.gate.require_all { " --require-all" } else { "" };
    format!("--fail-on {fail_on}{require_all}")
}

#[cfg(test)]
pub(crate) mod sample {
    //! One shared sample scorecard for every renderer's snapshots: pass, warn, fail and missing
    //! metrics, a two-sided metric missed on each side, and values with units.

    use crate::core::evaluate::evaluate;
    use crate::core::scorecard::{FailOn, GatePolicy, Scorecard};
    use crate::core::waiver::{Waiver, apply};
    use crate::input::catalog::load_builtin;
    use crate::input::measurements::Collector;

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

    pub(crate) fn scorecard() -> Scorecard {
        let catalog = load_builtin().unwrap();
        let mut collector = Collector::new(&catalog);
        collector.read_csv(CSV.as_bytes(), "sample.csv").unwrap();
        let values = collector.finish().unwrap();
        evaluate(&catalog, &values, GatePolicy { fail_on: FailOn::Fail, require_all: false })
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
        let mut card = scorecard();
        apply(&mut card, &waivers, None, "2025-06-01".parse().unwrap());
        card
    }
}
