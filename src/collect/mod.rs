//! Collectors: the numbers a pipeline already has (a coverage report, a load-test summary, a
//! complexity report, a line count, a static-analysis report, the git history) read into
//! readings of catalog metrics. Each kind of source is one module with one [`Kind`] in
//! [`KINDS`]; the application pushes what they read into the one measurement store, as it does
//! CSV rows. A collector reads files and runs commands; it never grades, and a metric it cannot
//! produce is reported [`NotCollected`] with the reason, never as 0.

pub mod complexity;
pub mod coverage;
pub mod git;
pub mod github;
pub mod http;
pub mod k6;
pub mod loc;
pub mod plan;
pub mod prometheus;
pub mod report;
pub mod sarif;

use std::fmt;
use std::path::Path;

use jiff::civil::Date;

/// Every kind of source, in the order `kpi collect --help` lists them. Adding a source is one
/// module and one line here.
pub const KINDS: &[&Kind] = &[
    &coverage::KIND,
    &git::KIND,
    &k6::KIND,
    &complexity::KIND,
    &loc::KIND,
    &sarif::KIND,
    &prometheus::KIND,
    &github::KIND,
];

/// Reads several sources of one kind as one.
pub type MergeFn = fn(&[Request<'_>]) -> Result<Collected, CollectError>;

/// One kind of source: what `KIND=PATH` names.
#[derive(Debug)]
pub struct Kind {
    /// The name on the command line and in `kpi.yaml`: `coverage`, `git`.
    pub name: &'static str,
    /// What the source reads, for help and messages.
    pub summary: &'static str,
    /// Names that force one format of the kind, as `lcov=PATH` forces the lcov reader of
    /// `coverage`; the format is given to the collector in [`Request::format`].
    pub formats: &'static [&'static str],
    /// The path used when none is given (`git` reads `.`); `None`: a path is needed.
    pub default_path: Option<&'static str>,
    /// The settings `kpi.yaml` may give this source under `collect.sources.<name>`, besides
    /// `path`, `scope` and `format`.
    pub settings: &'static [&'static str],
    /// Reads the source.
    pub collect: fn(&Request<'_>) -> Result<Collected, CollectError>,
    /// Reads several sources of this kind and scope as one (coverage reports of several test
    /// suites sum their lines); `None`: each is read on its own.
    pub merge: Option<MergeFn>,
}

/// What a collector is asked to read.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub path: &'a Path,
    /// A format forced by its name (`lcov`), or `None` to tell from the content.
    pub format: Option<&'static str>,
    /// This source's settings from `kpi.yaml`.
    pub settings: &'a Settings,
    /// The day the readings are for: the window ends at the end of it.
    pub as_of: Date,
    /// How many days the window spans (`--window`, default 7), for sources that count events.
    pub window_days: u32,
}

/// A source's settings, as `kpi.yaml` gives them: each a text or a list of texts, checked against
/// [`Kind::settings`] when the config is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings(pub Vec<(String, Vec<String>)>);

impl Settings {
    /// The one value of `key`, if set.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.first()).map(String::as_str)
    }

    /// Every value of `key` (a list, or one text), if set.
    pub fn texts(&self, key: &str) -> Option<&[String]> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice())
    }
}

/// What a source read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collected {
    pub readings: Vec<Reading>,
    /// Counts that only make a metric together with another source's: lines of code, bugs and
    /// defects, for the per-KLOC metrics.
    pub facts: Vec<(Fact, f64)>,
    pub missing: Vec<NotCollected>,
}

/// One value of a catalog metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The metric's id in the built-in catalog.
    pub metric: &'static str,
    pub value: f64,
    /// The unit of `value`, as a measurement's unit column writes it (`%`, `ms`, `commits/day`).
    pub unit: &'static str,
    /// The scope the source gave this reading (a service label), if any.
    pub scope: Option<String>,
    /// How the value was made, for a person checking it: `1,234 of 1,500 lines`.
    pub detail: String,
}

/// A count that feeds a per-KLOC metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// Lines of code, in thousands.
    Kloc,
    /// Bugs, for `code_quality` (bugs per KLOC).
    Bugs,
    /// Defects, for `defect_density` (defects per KLOC).
    Defects,
}

/// A metric a source could have given and did not, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCollected {
    pub metric: &'static str,
    /// Why, in words that say what to do: `the report has no line records`.
    pub reason: String,
}

/// Why a source could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CollectError {
    pub message: String,
}

impl CollectError {
    pub fn new(message: impl Into<String>) -> Self {
        CollectError { message: message.into() }
    }
}

/// A source named on the command line: `KIND=PATH`, or a bare `KIND` whose path comes from
/// `kpi.yaml` or the kind's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceArg {
    pub kind: &'static Kind,
    pub format: Option<&'static str>,
    pub path: Option<String>,
}

impl PartialEq for Kind {
    fn eq(&self, other: &Kind) -> bool {
        self.name == other.name
    }
}

impl Eq for Kind {}

impl fmt::Display for SourceArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.format.unwrap_or(self.kind.name))?;
        match &self.path {
            Some(path) => write!(f, "={path}"),
            None => Ok(()),
        }
    }
}

/// The kind a name (`coverage`) or forced format (`lcov`) belongs to, and the format.
pub fn find(name: &str) -> Option<(&'static Kind, Option<&'static str>)> {
    KINDS.iter().find_map(|kind| {
        if kind.name == name {
            return Some((*kind, None));
        }
        kind.formats.iter().find(|f| **f == name).map(|f| (*kind, Some(*f)))
    })
}

/// Every name a source may be given by: kinds and forced formats.
pub fn names() -> Vec<&'static str> {
    KINDS.iter().flat_map(|k| std::iter::once(k.name).chain(k.formats.iter().copied())).collect()
}

/// What to say of a source name that is none: ``unknown source `gitt` (did you mean `git`?)``.
pub fn unknown_source(name: &str) -> String {
    let known = names();
    let hint = match crate::input::problem::closest(name, &known) {
        Some(near) => format!(" (did you mean `{near}`?)"),
        None => format!("; the sources are {}", known.join(", ")),
    };
    format!("unknown source `{}`{hint}", crate::core::text::printable(name))
}

/// Reads `KIND=PATH` or `KIND`.
pub fn parse_source(arg: &str) -> Result<SourceArg, String> {
    let (name, path) = match arg.split_once('=') {
        Some((name, path)) => (name, Some(path)),
        None => (arg, None),
    };
    let Some((kind, format)) = find(name.trim()) else {
        return Err(unknown_source(name));
    };
    if path.is_some_and(str::is_empty) {
        return Err(format!("`{name}=` names no path; write `{name}=PATH`"));
    }
    Ok(SourceArg { kind, format, path: path.map(str::to_string) })
}

/// A window in days: `7d`, `2w`, `14 days`, `1 week`, or a bare number of days.
pub fn parse_window(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let per = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "d" | "day" | "days" => Some(1),
        "w" | "week" | "weeks" => Some(7),
        _ => None,
    };
    match (number.parse::<u32>(), per) {
        (Ok(n), Some(per)) if n > 0 => n.checked_mul(per).filter(|d| *d <= 3660).ok_or_else(|| {
            format!(
                "`{}` is longer than ten years; give a window of days or weeks",
                crate::core::text::printable(text)
            )
        }),
        _ => Err(format!(
            "`{}` is not a window; write a number of days or weeks, like `7d` or `2w`",
            crate::core::text::printable(text)
        )),
    }
}

/// How a value is written in a CSV cell: the shortest text that reads back as the same number.
pub fn written(value: f64) -> String {
    let text = format!("{value}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_name_is_unique() {
        let names = names();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "{names:?}");
    }

    #[test]
    fn a_source_is_a_kind_with_an_optional_path() {
        let git = parse_source("git=../repo").unwrap();
        assert_eq!(
            (git.kind.name, git.format, git.path.as_deref()),
            ("git", None, Some("../repo"))
        );
        assert_eq!(parse_source("git").unwrap().path, None);
        assert_eq!(
            parse_source("gitt").unwrap_err(),
            "unknown source `gitt` (did you mean `git`?)"
        );
        assert_eq!(parse_source("git=").unwrap_err(), "`git=` names no path; write `git=PATH`");
    }

    #[test]
    fn a_window_is_days_or_weeks() {
        assert_eq!(parse_window("7d"), Ok(7));
        assert_eq!(parse_window("2w"), Ok(14));
        assert_eq!(parse_window("30 days"), Ok(30));
        assert_eq!(parse_window("10"), Ok(10));
        assert!(parse_window("0d").is_err());
        assert!(parse_window("1 month").unwrap_err().contains("like `7d` or `2w`"));
    }

    #[test]
    fn values_are_written_as_the_shortest_text_that_reads_back() {
        assert_eq!(written(81.5), "81.5");
        assert_eq!(written(2.0), "2");
        assert_eq!(written(1.0 / 3.0).parse::<f64>().unwrap(), 1.0 / 3.0);
    }
}
