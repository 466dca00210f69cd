//! Levels and a score: a ladder of named levels (Bronze, Silver, Gold), each requiring metrics,
//! that a scope holds when every metric of that level and of every lower one holds; and a score
//! from 0 to 100 weighted per metric. Pure: takes a scope's graded results and returns its standing.

use serde::Serialize;

use super::scorecard::{MetricResult, Shared, Status};

/// One level of a ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// e.g. `Silver`.
    pub name: String,
    /// The ids of the metrics it requires, besides those of the levels below it.
    pub metrics: Vec<String>,
}

/// An ordered ladder, lowest level first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ladder {
    pub levels: Vec<Level>,
    /// Whether a metric that warns holds its level; by default only a pass (or a waiver in force)
    /// does.
    pub warn_holds: bool,
}

/// Where a scope stands on the ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// The highest level held; null below the first.
    pub level: Option<Shared>,
    /// The level above it; null at the top.
    pub next_level: Option<Shared>,
    /// The ids of the metrics that keep the scope from `next_level`, in ladder order.
    pub blocking: Vec<Shared>,
    /// How many levels are held, for `--require-level`.
    #[serde(skip)]
    pub held: usize,
}

impl Ladder {
    /// The index of the level named `name`, ignoring case.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The names of the levels, lowest first, for messages.
    pub fn names(&self) -> Vec<&str> {
        self.levels.iter().map(|l| l.name.as_str()).collect()
    }

    /// Whether a result holds its place on the ladder: a pass, a waiver in force, and a warning
    /// when [`Ladder::warn_holds`].
    pub fn holds(&self, status: Status) -> bool {
        match status {
            Status::Pass | Status::Waived => true,
            Status::Warn => self.warn_holds,
            Status::Fail | Status::Missing => false,
        }
    }

    /// Where a scope with `results` stands: `None` when the ladder is empty. Strict: a level is
    /// held only when every level below it is.
    pub fn standing(&self, results: &[MetricResult]) -> Option<Standing> {
        if self.levels.is_empty() {
            return None;
        }
        let holds =
            |id: &str| results.iter().find(|r| &*r.id == id).is_some_and(|r| self.holds(r.status));
        let held = self.levels.iter().take_while(|l| l.metrics.iter().all(|m| holds(m))).count();
        let next = self.levels.get(held);
        Some(Standing {
            level: held.checked_sub(1).map(|i| Shared::from(self.levels[i].name.as_str())),
            next_level: next.map(|l| Shared::from(l.name.as_str())),
            blocking: next
                .map(|l| {
                    l.metrics
                        .iter()
                        .filter(|m| !holds(m))
                        .map(|m| Shared::from(m.as_str()))
                        .collect()
                })
                .unwrap_or_default(),
            held,
        })
    }
}

/// What a status is worth in the score: pass 1, warn a half, fail and no data nothing. A waived
/// result counts as the grade it would have without its waiver.
pub fn credit(result: &MetricResult) -> f64 {
    let status = match (&result.waiver, result.status) {
        (Some(note), Status::Waived) => note.graded,
        (_, status) => status,
    };
    match status {
        Status::Pass => 1.0,
        Status::Warn => 0.5,
        Status::Fail | Status::Missing | Status::Waived => 0.0,
    }
}

/// The score from weighted credits: `sum(weight * credit) / sum(weight) * 100`, to one decimal;
/// `None` without any weight.
pub fn score(weighted: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (earned, total) = weighted
        .into_iter()
        .fold((0.0, 0.0), |(e, t), (weight, credit)| (e + weight * credit, t + weight));
    (total > 0.0).then(|| (earned / total * 1000.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    fn ladder(warn_holds: bool) -> Ladder {
        let level = |name: &str, metrics: &[&str]| Level {
            name: name.into(),
            metrics: metrics.iter().map(ToString::to_string).collect(),
        };
        Ladder {
            levels: vec![
                level("Bronze", &["rps"]),
                level("Silver", &["error_rate"]),
                level("Gold", &["response_time", "mttr"]),
            ],
            warn_holds,
        }
    }

    fn results(statuses: &[(&str, Status)]) -> Vec<MetricResult> {
        let template = sample::scorecard().results.remove(0);
        statuses
            .iter()
            .map(|(id, status)| MetricResult {
                id: (*id).into(),
                status: *status,
                ..template.clone()
            })
            .collect()
    }

    #[test]
    fn a_scope_holds_each_level_whose_metrics_and_lower_levels_all_pass() {
        let all = |s| results(&[("rps", s), ("error_rate", s), ("response_time", s), ("mttr", s)]);
        let top = ladder(false).standing(&all(Status::Pass)).unwrap();
        assert_eq!((top.level.as_deref(), top.next_level, top.held), (Some("Gold"), None, 3));
        let none = ladder(false).standing(&all(Status::Fail)).unwrap();
        assert_eq!((none.level, none.next_level.as_deref()), (None, Some("Bronze")));
        assert_eq!(none.blocking, [Shared::from("rps")]);
    }

    #[test]
    fn the_ladder_is_strict_and_names_what_blocks_the_next_level() {
        let r = results(&[
            ("rps", Status::Pass),
            ("error_rate", Status::Pass),
            ("response_time", Status::Pass),
            ("mttr", Status::Fail),
        ]);
        let s = ladder(false).standing(&r).unwrap();
        assert_eq!((s.level.as_deref(), s.next_level.as_deref()), (Some("Silver"), Some("Gold")));
        assert_eq!(s.blocking, [Shared::from("mttr")]);
        // Gold's metrics passing does not help while Silver's fails.
        let r = results(&[
            ("rps", Status::Pass),
            ("error_rate", Status::Fail),
            ("response_time", Status::Pass),
            ("mttr", Status::Pass),
        ]);
        let s = ladder(false).standing(&r).unwrap();
        assert_eq!((s.level.as_deref(), s.held), (Some("Bronze"), 1));
    }

    #[test]
    fn a_warning_holds_a_level_only_when_the_ladder_says_so_and_a_waiver_always_does() {
        let r = results(&[("rps", Status::Warn), ("error_rate", Status::Waived)]);
        assert_eq!(ladder(false).standing(&r).unwrap().held, 0);
        assert_eq!(ladder(true).standing(&r).unwrap().held, 2);
        let waived = results(&[("rps", Status::Waived)]);
        assert_eq!(ladder(false).standing(&waived).unwrap().held, 1);
    }

    #[test]
    fn the_score_weighs_pass_warn_and_fail() {
        assert_eq!(score([(1.0, 1.0), (1.0, 0.5), (1.0, 0.0), (1.0, 0.0)]), Some(37.5));
        assert_eq!(score([(3.0, 1.0), (1.0, 0.0)]), Some(75.0));
        assert_eq!(score([(1.0, 1.0), (2.0, 0.5)]), Some(66.7));
        assert_eq!(score(std::iter::empty()), None);
    }
}
