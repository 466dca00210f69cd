//! Problems found in a catalog or config file: each with a stable kebab-case code, the line and
//! column it is on, and a message that says what to do. Validation collects them all before failing,
//! so a file is fixed in one pass.

use std::fmt;

use crate::core::text::printable;

/// A place in a file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A stable kebab-case code, e.g. `unknown-unit`; documented in `docs/catalog.md`.
    pub code: &'static str,
    /// Where the problem is, when it is in a particular place.
    pub at: Option<Position>,
    pub message: String,
}

/// Everything wrong with one catalog or config file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The file as named to the user, e.g. `kpi.yaml`.
    pub file: String,
    /// In the order they occur in the file.
    pub problems: Vec<Problem>,
}

impl Problem {
    pub(crate) fn new(
        code: &'static str,
        at: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Problem { code, at, message: message.into() }
    }
}

impl ValidationError {
    /// A file with problems; they are sorted by position so the report reads top to bottom.
    pub(crate) fn new(file: &str, mut problems: Vec<Problem>) -> Self {
        problems.sort_by_key(|p| p.at);
        problems.dedup();
        ValidationError { file: file.to_string(), problems }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = printable(&self.file);
        let one = |f: &mut fmt::Formatter<'_>, p: &Problem| match p.at {
            Some(Position { line, column }) => {
                write!(f, "{file}:{line}:{column}: {} [{}]", p.message, p.code)
            }
            None => write!(f, "{file}: {} [{}]", p.message, p.code),
        };
        match self.problems.as_slice() {
            [single] => one(f, single),
            many => {
                write!(f, "{} problems in `{file}`:", many.len())?;
                for problem in many {
                    f.write_str("\n  ")?;
                    one(f, problem)?;
                }
                Ok(())
            }
        }
    }
}

/// The problems found so far in one file.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

impl Problems {
    pub(crate) fn add(&mut self, code: &'static str, at: Position, message: impl Into<String>) {
        self.0.push(Problem::new(code, Some(at), message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `did you mean` text for a misspelt word among `candidates`, or the list of them when none is close.
pub(crate) fn suggest(word: &str, candidates: &[&str]) -> String {
    if let Some(c) = closest(word, candidates) {
        format!(" (did you mean `{c}`?)")
    } else {
        let all: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
        format!("; expected one of {}", all.join(", "))
    }
}

/// The candidate `word` is most likely a misspelling of, if any is close enough.
pub(crate) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    // Jaro-Winkler similarity stays under 0.7 for a word over ten times as long as the candidate,
    // and comparing takes time in the word's length: a pasted line is not compared at all.
    let longest = candidates.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let comparable = word.chars().take(10 * longest + 1).count() <= 10 * longest;
    let best = comparable.then(|| word.to_lowercase()).and_then(|word| {
        candidates
            .iter()
            .map(|c| (strsim::jaro_winkler(&word, c), *c))
            .filter(|&(score, _)| score >= 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
    });
    best.map(|(_, c)| c)
}
