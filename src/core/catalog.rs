//! The catalog model: metrics with their targets, units, thresholds and ideas, and how a name
//! written by a person (`CPU utilization`, `rps`, `MTTR`) finds its metric. Pure: knows no YAML.

use std::collections::HashMap;
use std::fmt;

use super::levels::Ladder;
use super::policy::{OnStale, Regression};
use super::text::printable;
use super::threshold::{Band, Thresholds};
use super::unit::Unit;

/// One metric the team agreed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Stable identifier, e.g. `response_time`.
    pub id: String,
    /// Display name, e.g. `Response Time`.
    pub name: String,
    /// The group it is shown under, e.g. `Backend Development`.
    pub category: String,
    pub description: String,
    /// What good looks like, as the source states it, e.g. `100-200 ms`.
    pub target: String,
    /// The canonical unit values are converted to.
    pub unit: &'static Unit,
    pub thresholds: Thresholds,
    /// The values the metric can take at all, e.g. `<= 100%` for a share of a whole; a value
    /// outside it is refused before grading. `None`: any value that is not negative.
    pub range: Option<Band>,
    /// The most days its latest value may be older than its scope's latest check-in; `None`: any.
    pub max_age: Option<u32>,
    /// What a value older than `max_age` becomes.
    pub on_stale: OnStale,
    /// How much worse than a baseline the value may get; `None`: any.
    pub regression: Option<Regression>,
    /// How much the metric counts in its scope's score, above 0; 1 by default.
    pub weight: f64,
    /// Other names a measurement may use for it.
    pub aliases: Vec<String>,
    /// Improvement ideas, shown when the metric is not passing.
    pub ideas: Vec<String>,
    /// Which files defined and changed the metric, for `kpi catalog show`.
    pub origin: Origin,
}

/// Which file defined a metric and which files changed which of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The catalog or config file that defined it, e.g. `<built-in catalog backend-team>`.
    pub defined_in: String,
    /// Each later file that changed it, with the keys it set, e.g. `(kpi.yaml, [pass, warn])`.
    pub changed_in: Vec<(String, Vec<&'static str>)>,
    /// Where its thresholds in effect are written: the last file that set `pass` or `warn`.
    pub threshold_at: Option<Definition>,
}

/// A place in a catalog or config file: its path (a built-in catalog's path in kpi's repository,
/// e.g. `catalog/backend-team.yaml`) and a line, from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub path: String,
    pub line: usize,
}

/// A set of metrics with a lookup from every accepted name to its metric.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Short name, e.g. `backend-team`.
    pub name: String,
    /// Title for reports, e.g. `Backend Team metrics`.
    pub title: String,
    metrics: Vec<Metric>,
    /// The levels a scope can hold, lowest first; empty when the catalog has none.
    pub ladder: Ladder,
    keys: HashMap<String, usize>,
    /// Every name of a metric turned off with `enabled: false`, to its id, so that a measurement of
    /// it is refused with the reason rather than as unknown.
    disabled: HashMap<String, String>,
}

/// Two metrics answer to the same name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "metrics `{}` and `{}` both answer to the name `{}`; give each metric its own id, name and aliases",
    printable(.first),
    printable(.second),
    printable(.name)
)]
pub struct NameClash {
    pub name: String,
    pub first: String,
    pub second: String,
}

/// A name that matches no metric of the catalog.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct UnknownMetric {
    pub name: String,
    /// The id of the closest metric, when one is close enough to be a likely typo.
    pub suggestion: Option<String>,
    /// Every metric id, to list when nothing is close.
    pub known: Vec<String>,
    /// The id of the metric this name belongs to when that metric is turned off.
    pub disabled: Option<String>,
}

impl fmt::Display for UnknownMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = &self.disabled {
            return write!(
                f,
                "metric `{id}` is turned off (`enabled: false` in the config); delete the row or turn it back on"
            );
        }
        write!(f, "unknown metric `{}`", printable(&self.name))?;
        match &self.suggestion {
            Some(id) => write!(f, " (did you mean `{id}`?)"),
            None => write!(f, "; known metrics are {}", self.known.join(", ")),
        }
    }
}

/// Folds a metric name so that case, spaces, hyphens, underscores and punctuation do not matter:
/// `Mean Time to Recovery (MTTR)` becomes `mean_time_to_recovery_mttr`.
pub fn normalize(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '%' {
            key.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            key.extend(c.to_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    if key.ends_with('_') {
        key.pop();
    }
    key
}

impl Catalog {
    /// Builds a catalog, refusing names that would match two metrics.
    pub fn new(
        name: String,
        title: String,
        metrics: Vec<Metric>,
    ) -> Result<Catalog, Vec<NameClash>> {
        let mut keys: HashMap<String, usize> = HashMap::new();
        let mut clashes = Vec::new();
        for (index, metric) in metrics.iter().enumerate() {
            let names = [&metric.id, &metric.name].into_iter().chain(&metric.aliases);
            for written in names {
                let key = normalize(written);
                match keys.get(&key) {
                    Some(&other) if other != index => clashes.push(NameClash {
                        name: written.clone(),
                        first: metrics[other].id.clone(),
                        second: metric.id.clone(),
                    }),
                    _ => {
                        keys.insert(key, index);
                    }
                }
            }
        }
        if clashes.is_empty() {
            Ok(Catalog {
                name,
                title,
                metrics,
                ladder: Ladder::default(),
                keys,
                disabled: HashMap::new(),
            })
        } else {
            Err(clashes)
        }
    }

    /// All metrics in effect, in catalog order.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// The metrics, to change what a scope may change (thresholds, target, ideas): never their
    /// names, which the name lookup was built from.
    pub(crate) fn metrics_mut(&mut self) -> &mut [Metric] {
        &mut self.metrics
    }

    /// Records metrics that are turned off, so their names are refused with that reason.
    #[must_use]
    pub fn with_disabled(mut self, metrics: &[Metric]) -> Catalog {
        for metric in metrics {
            for written in [&metric.id, &metric.name].into_iter().chain(&metric.aliases) {
                let key = normalize(written);
                if !self.keys.contains_key(&key) {
                    self.disabled.insert(key, metric.id.clone());
                }
            }
        }
        self
    }

    /// The ids of the metrics turned off, in no particular order.
    pub fn disabled_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.disabled.values().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Categories in the order their first metric appears.
    pub fn categories(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for metric in &self.metrics {
            if !seen.contains(&metric.category.as_str()) {
                seen.push(&metric.category);
            }
        }
        seen
    }

    /// The index of the metric a written name refers to: its id, display name or an alias, ignoring
    /// case, spaces, hyphens and underscores.
    pub fn resolve(&self, name: &str) -> Result<usize, UnknownMetric> {
        let key = normalize(name);
        self.keys.get(&key).copied().ok_or_else(|| UnknownMetric {
            name: name.trim().to_string(),
            suggestion: self.closest(&key),
            known: self.metrics.iter().map(|m| m.id.clone()).collect(),
            disabled: self.disabled.get(&key).cloned(),
        })
    }

    /// As [`Catalog::resolve`], also reading a unit written into the name, as spreadsheet headers
    /// carry one: `Response Time (ms)`, `MTTR [h]`, `Code Coverage %`, `Deploys/week`. The whole
    /// name is tried first, so a metric whose own name has parentheses (`Mean Time to Recovery
    /// (MTTR)`) stays itself.
    pub fn resolve_with_unit<'n>(
        &self,
        name: &'n str,
    ) -> Result<(usize, Option<&'n str>), UnknownMetric> {
        let whole = match self.resolve(name) {
            Ok(index) => return Ok((index, None)),
            Err(e) => e,
        };
        let name = name.trim();
        let bracketed = [('(', ')'), ('[', ']')].iter().find_map(|&(open, close)| {
            let inner = name.strip_suffix(close)?;
            let at = inner.rfind(open)?;
            Some((&inner[..at], &inner[at + 1..]))
        });
        let percent = name.strip_suffix('%').map(|before| (before, "%"));
        let per = name.rfind('/').map(|at| (&name[..at], &name[at..]));
        for (before, unit) in [bracketed, percent, per].into_iter().flatten() {
            let unit = unit.trim();
            if !before.trim().is_empty()
                && !unit.is_empty()
                && let Ok(index) = self.resolve(before)
            {
                return Ok((index, Some(unit)));
            }
        }
        Err(whole)
    }

    fn closest(&self, key: &str) -> Option<String> {
        // Jaro-Winkler similarity stays under 0.85 for a name over four times as long as the
        // candidate, and comparing takes time in the name's length: a pasted line is not compared.
        let chars = key.chars().count();
        self.keys
            .iter()
            .filter(|(candidate, _)| chars <= 4 * candidate.chars().count())
            .map(|(candidate, &index)| (strsim::jaro_winkler(key, candidate), index))
            .filter(|&(score, _)| score >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, index)| self.metrics[index].id.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::threshold::Band;

    pub(crate) fn metric(id: &str, name: &str, aliases: &[&str]) -> Metric {
        let unit = Unit::lookup("%").unwrap();
        Metric {
            id: id.to_string(),
            name: name.to_string(),
            category: "Cat".to_string(),
            description: String::new(),
            target: "Less than 1%".to_string(),
            unit,
            thresholds: Thresholds::new(
                Band::parse("< 1", unit).unwrap(),
                Band::parse("< 2", unit).unwrap(),
                unit,
            )
            .unwrap(),
            range: None,
            max_age: None,
            on_stale: OnStale::Warn,
            regression: None,
            weight: 1.0,
            aliases: aliases.iter().map(ToString::to_string).collect(),
            ideas: vec![],
            origin: Origin::default(),
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(
            "t".into(),
            "T".into(),
            vec![
                metric("cpu_utilisation", "CPU Utilisation", &["cpu_utilization"]),
                metric("mttr", "Mean Time to Recovery (MTTR)", &[]),
                metric("response_time", "Response Time", &[]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn normalize_folds_case_spacing_and_punctuation() {
        assert_eq!(normalize("Mean Time to Recovery (MTTR)"), "mean_time_to_recovery_mttr");
        assert_eq!(normalize("  response-time "), "response_time");
        assert_eq!(normalize("Response__Time"), "response_time");
        assert_eq!(normalize("Temps de RÉPONSE (µs)"), "temps_de_réponse_µs");
    }

    #[test]
    fn names_resolve_by_id_display_name_and_alias() {
        let c = catalog();
        assert_eq!(c.resolve("cpu_utilisation"), Ok(0));
        assert_eq!(c.resolve("CPU Utilization"), Ok(0));
        assert_eq!(c.resolve("cpu-utilisation"), Ok(0));
        assert_eq!(c.resolve("Mean Time to Recovery (MTTR)"), Ok(1));
        assert_eq!(c.resolve("MTTR"), Ok(1));
        assert_eq!(c.resolve("RESPONSE TIME"), Ok(2));
    }

    #[test]
    fn unknown_name_suggests_the_closest_metric() {
        let err = catalog().resolve("respons_time").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("response_time"));
        assert_eq!(
            err.to_string(),
            "unknown metric `respons_time` (did you mean `response_time`?)"
        );
    }

    #[test]
    fn unknown_name_far_from_everything_lists_known_ids() {
        let err = catalog().resolve("banana").unwrap_err();
        assert_eq!(err.suggestion, None);
        assert_eq!(
            err.to_string(),
            "unknown metric `banana`; known metrics are cpu_utilisation, mttr, response_time"
        );
    }

    #[test]
    fn a_name_shared_by_two_metrics_is_refused() {
        let clash = Catalog::new(
            "t".into(),
            "T".into(),
            vec![metric("a", "Coverage", &[]), metric("b", "B", &["coverage"])],
        )
        .unwrap_err();
        assert_eq!(clash.len(), 1);
        assert_eq!(clash[0].first, "a");
        assert_eq!(clash[0].second, "b");
    }
}
