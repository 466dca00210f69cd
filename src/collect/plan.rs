//! Which sources one run collects from, and what they give together: the sources named on the
//! command line (or, with none, those `kpi.yaml` lists), each with its path, scope and settings;
//! run in turn, with the per-KLOC counts of several sources combined into `defect_density` and
//! `code_quality` at the end.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use super::{CollectError, Fact, Kind, NotCollected, Reading, Request, Settings, SourceArg};

/// `collect:` in `kpi.yaml`, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CollectConfig {
    /// The scope of every collected row, unless a source or `--scope` says otherwise.
    pub scope: Option<String>,
    /// The window in days, unless `--window` says otherwise.
    pub window_days: Option<u32>,
    pub sources: Vec<SourceConfig>,
    /// The directory of the config file: paths in it are relative to it.
    pub dir: PathBuf,
}

/// One entry of `collect.sources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceConfig {
    pub kind: &'static Kind,
    pub format: Option<&'static str>,
    pub path: Option<String>,
    pub scope: Option<String>,
    pub settings: Settings,
}

/// What the command line asks of collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectArgs {
    pub sources: Vec<SourceArg>,
    pub scope: Option<String>,
    pub window_days: Option<u32>,
    /// `--count NAME=N`: defects and bugs counted by hand.
    pub counts: Vec<(Fact, f64)>,
}

/// A source ready to read.
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: &'static Kind,
    pub format: Option<&'static str>,
    pub path: PathBuf,
    pub scope: Option<String>,
    pub settings: Settings,
    /// How rows from it are named: `lcov:coverage/lcov.info`, `git:.`.
    pub name: String,
}

impl Planned {
    /// What the collector is asked to read.
    fn request(&self, as_of: Date, window_days: u32) -> Request<'_> {
        Request {
            path: &self.path,
            format: self.format,
            settings: &self.settings,
            as_of,
            window_days,
        }
    }
}

/// Everything collected in one run.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    /// Each reading with the name of the source it came from.
    pub readings: Vec<(String, Reading)>,
    /// Each metric not collected, with the source that tried.
    pub missing: Vec<(String, NotCollected)>,
}

/// Why collection could not run.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "nothing to collect: name sources (`kpi collect coverage=lcov.info git`) or list them under `collect.sources` in `kpi.yaml`"
    )]
    NoSources,
    #[error(
        "`{name}` needs a path: write `{name}=PATH`, or set `collect.sources.{kind}.path` in `kpi.yaml`"
    )]
    NoPath { name: String, kind: &'static str },
    #[error("{name}: {cause}")]
    Source { name: String, cause: CollectError },
}

/// The sources to read: those named, each taking its settings from the config's entry of the
/// same kind; with none named, every source the config lists.
pub fn plan(args: &CollectArgs, config: &CollectConfig) -> Result<Vec<Planned>, PlanError> {
    let from_config = |kind: &Kind| config.sources.iter().find(|s| s.kind == kind);
    let mut planned = Vec::new();
    let named: Vec<(SourceArg, Option<&SourceConfig>)> = if args.sources.is_empty() {
        config
            .sources
            .iter()
            .map(|s| (SourceArg { kind: s.kind, format: s.format, path: None }, Some(s)))
            .collect()
    } else {
        args.sources.iter().map(|a| (a.clone(), from_config(a.kind))).collect()
    };
    if named.is_empty() {
        return Err(PlanError::NoSources);
    }
    for (arg, entry) in named {
        let format = arg.format.or(entry.and_then(|e| e.format));
        let label = format.unwrap_or(arg.kind.name);
        let path = match (&arg.path, entry.and_then(|e| e.path.as_ref())) {
            // A path on the command line is the user's, relative to where they are.
            (Some(path), _) => PathBuf::from(path),
            (None, Some(path)) => config.dir.join(path),
            (None, None) => match arg.kind.default_path {
                Some(path) => PathBuf::from(path),
                None => {
                    return Err(PlanError::NoPath { name: label.to_string(), kind: arg.kind.name });
                }
            },
        };
        let shown = arg.path.clone().or_else(|| entry.and_then(|e| e.path.clone()));
        let shown = shown.or_else(|| arg.kind.default_path.map(str::to_string)).unwrap_or_default();
        planned.push(Planned {
            kind: arg.kind,
            format,
            name: format!("{label}:{}", crate::core::text::printable(&shown)),
            path,
            scope: args
                .scope
                .clone()
                .or_else(|| entry.and_then(|e| e.scope.clone()))
                .or_else(|| config.scope.clone()),
            settings: entry.map(|e| e.settings.clone()).unwrap_or_default(),
        });
    }
    Ok(planned)
}

/// Reads every planned source, then combines the per-KLOC counts: `defect_density` from defects
/// and `code_quality` from bugs, each per thousand lines of code.
pub fn gather(
    planned: &[Planned],
    as_of: Date,
    window_days: u32,
    counts: &[(Fact, f64)],
) -> Result<Gathered, PlanError> {
    let mut gathered = Gathered::default();
    let mut facts: Vec<(Fact, f64, String)> =
        counts.iter().map(|&(fact, n)| (fact, n, "--count".to_string())).collect();
    for source in planned {
        // Sources of a kind that merges, with the same scope, are read together, at the first.
        let together: Vec<&Planned> = match source.kind.merge {
            Some(_) => planned
                .iter()
                .filter(|p| p.kind == source.kind && p.scope == source.scope)
                .collect(),
            None => vec![source],
        };
        if !std::ptr::eq(together[0], source) {
            continue;
        }
        let name = together.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("+");
        let collected = match (source.kind.merge, together.len()) {
            (Some(merge), n) if n > 1 => {
                merge(&together.iter().map(|p| p.request(as_of, window_days)).collect::<Vec<_>>())
            }
            _ => (source.kind.collect)(&source.request(as_of, window_days)),
        };
        let collected =
            collected.map_err(|cause| PlanError::Source { name: name.clone(), cause })?;
        for mut reading in collected.readings {
            reading.scope = reading.scope.or_else(|| source.scope.clone());
            gathered.readings.push((name.clone(), reading));
        }
        for missing in collected.missing {
            gathered.missing.push((name.clone(), missing));
        }
        facts.extend(collected.facts.into_iter().map(|(f, n)| (f, n, name.clone())));
    }
    let scope = planned.iter().find_map(|p| p.scope.clone());
    per_kloc(&facts, scope.as_ref(), &mut gathered);
    Ok(gathered)
}

/// `defect_density` and `code_quality` from the counts and the line count, when any source or
/// `--count` gave a part of them.
fn per_kloc(facts: &[(Fact, f64, String)], scope: Option<&String>, gathered: &mut Gathered) {
    let sum = |fact: Fact| {
        let found: Vec<&(Fact, f64, String)> =
            facts.iter().filter(|(f, _, _)| *f == fact).collect();
        let names: Vec<&str> = found.iter().map(|(_, _, s)| s.as_str()).collect();
        (!found.is_empty()).then(|| (found.iter().map(|(_, n, _)| n).sum::<f64>(), names.join("+")))
    };
    let kloc = sum(Fact::Kloc);
    for (fact, metric, unit, what) in [
        (Fact::Defects, "defect_density", "defects/KLOC", "defects"),
        (Fact::Bugs, "code_quality", "bugs/KLOC", "bugs"),
    ] {
        let count = sum(fact);
        let name = |parts: &[&Option<(f64, String)>]| {
            parts
                .iter()
                .filter_map(|p| p.as_ref().map(|(_, s)| s.clone()))
                .collect::<Vec<_>>()
                .join("+")
        };
        match (&count, &kloc) {
            (None, None) => {}
            (Some(_), None) => gathered.missing.push((
                name(&[&count]),
                NotCollected { metric, reason: format!("the {what} are counted but no source gave the lines of code; add a `loc` source") },
            )),
            (None, Some(_)) => gathered.missing.push((
                name(&[&kloc]),
                NotCollected { metric, reason: format!("the lines of code are counted but not the {what}; add `--count {what}=N` or a source that counts them") },
            )),
            (Some((n, _)), Some((k, _))) if *k <= 0.0 => gathered.missing.push((
                name(&[&count, &kloc]),
                NotCollected { metric, reason: format!("the line count is 0, so {n} {what} per KLOC means nothing") },
            )),
            (Some((n, _)), Some((k, _))) => gathered.readings.push((
                name(&[&count, &kloc]),
                Reading {
                    metric,
                    value: n / k,
                    unit,
                    scope: scope.cloned(),
                    detail: format!("{n} {what} in {k:.3} KLOC"),
                },
            )),
        }
    }
}

/// A path as messages show it.
pub fn shown(path: &Path) -> String {
    crate::core::text::printable(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defects_and_bugs_become_per_kloc_metrics_with_a_line_count_and_are_missing_without() {
        let mut gathered = Gathered::default();
        let facts = [
            (Fact::Kloc, 12.5, "loc:cloc.json".to_string()),
            (Fact::Bugs, 5.0, "sarif:a.sarif".to_string()),
            (Fact::Bugs, 5.0, "sarif:b.sarif".to_string()),
        ];
        per_kloc(&facts, None, &mut gathered);
        let (source, reading) = &gathered.readings[0];
        assert_eq!(
            (reading.metric, reading.value, reading.unit),
            ("code_quality", 0.8, "bugs/KLOC")
        );
        assert_eq!(source, "sarif:a.sarif+sarif:b.sarif+loc:cloc.json");
        assert_eq!(gathered.missing[0].1.metric, "defect_density");
        assert!(gathered.missing[0].1.reason.contains("`--count defects=N`"));
    }
}
