//! `coverage=PATH`: line and branch coverage from a coverage report, in any of six formats: an
//! lcov tracefile, Cobertura XML, `JaCoCo` XML, coverage.py JSON (`coverage json`), a Go cover
//! profile (`go test -coverprofile`) and llvm-cov export JSON (`llvm-cov export -format=text`).
//! The format is told from the content, or forced by its name (`lcov=PATH`).
//!
//! Each format's reader is a pure function from the report's text to [`Totals`]: covered and total
//! lines, covered and total branches. Everything else is computed from totals, so several reports
//! merge by summing their counts ([`merge`]), never by averaging their percentages: [`read`] each
//! file, [`merge`] their totals, and make the readings with [`collected`].
//! - `code_coverage`: covered lines ÷ lines, in %.
//! - `test_coverage`: the same, or covered branches ÷ branches with the setting
//!   `test_coverage: branches`.
//!
//! What a "line" is follows the tool: an lcov `DA` record, a Cobertura `<line>`, `JaCoCo`'s `LINE`
//! counter, llvm-cov's lines; coverage.py and Go count statements, which they report as their line
//! coverage. Each reader's module says which fields it reads and the traps it handles.

mod cobertura;
mod coveragepy;
mod gocover;
mod jacoco;
mod lcov;
mod llvmcov;

use std::fmt;
use std::path::Path;

use super::{CollectError, Collected, Kind, NotCollected, Reading, Request};

pub const KIND: Kind = Kind {
    name: "coverage",
    summary: "line and branch coverage from an lcov, Cobertura, JaCoCo, coverage.py, Go or llvm-cov report",
    formats: &["lcov", "cobertura", "jacoco", "coveragepy", "gocover", "llvmcov"],
    default_path: None,
    settings: &["test_coverage"],
    collect,
    merge: Some(collect_merged),
};

/// A coverage report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An lcov tracefile (`lcov --capture`, geninfo, and many other tools' `lcov` output).
    Lcov,
    /// Cobertura XML (`gcovr --cobertura`, `coverage xml`, cobertura-maven-plugin).
    Cobertura,
    /// `JaCoCo` XML (`jacoco:report`, `gcovr --jacoco`).
    Jacoco,
    /// coverage.py's JSON report (`coverage json`).
    Coveragepy,
    /// A Go cover profile (`go test -coverprofile`).
    Gocover,
    /// llvm-cov's JSON export (`llvm-cov export -format=text`).
    Llvmcov,
}

impl Format {
    /// Every format, in the order of [`KIND`]'s forced names.
    pub const ALL: [Format; 6] = [
        Format::Lcov,
        Format::Cobertura,
        Format::Jacoco,
        Format::Coveragepy,
        Format::Gocover,
        Format::Llvmcov,
    ];

    /// The name that forces this format: `lcov=PATH`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Jacoco => "jacoco",
            Format::Coveragepy => "coveragepy",
            Format::Gocover => "gocover",
            Format::Llvmcov => "llvmcov",
        }
    }

    /// The format a forced name (`lcov`) stands for.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the format's line coverage counts: coverage.py and Go count statements.
    pub fn counts(self) -> &'static str {
        match self {
            Format::Coveragepy | Format::Gocover => "statements",
            _ => "lines",
        }
    }

    /// How to get branch counts into a report of this format.
    fn branch_hint(self) -> &'static str {
        match self {
            Format::Lcov => {
                "run lcov with `--rc lcov_branch_coverage=1` (lcov 2: `--rc branch_coverage=1`)"
            }
            Format::Coveragepy => "run `coverage run --branch`",
            Format::Gocover => "Go cover profiles never count branches",
            Format::Llvmcov => "llvm-cov counts branches from LLVM 12 on",
            Format::Cobertura | Format::Jacoco => {
                "turn on branch coverage in the tool that wrote it"
            }
        }
    }

    /// The format of a report, told from its first characters: XML by its root element, JSON by
    /// the fields only one format has, a Go profile by its `mode:` line, lcov by `TN:` or `SF:`.
    pub fn sniff(text: &str) -> Option<Format> {
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with('<') {
            return match xml_root_name(text)? {
                "coverage" => Some(Format::Cobertura),
                "report" => Some(Format::Jacoco),
                _ => None,
            };
        }
        if text.starts_with('{') {
            if text.contains("\"llvm.coverage.json.export\"") {
                return Some(Format::Llvmcov);
            }
            if text.contains("\"num_statements\"") {
                return Some(Format::Coveragepy);
            }
            return None;
        }
        let first = text.lines().next()?.trim_end();
        if first.starts_with("mode:") {
            return Some(Format::Gocover);
        }
        if ["TN:", "SF:", "VER:"].iter().any(|p| first.starts_with(p)) {
            return Some(Format::Lcov);
        }
        None
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a report counts, summed over its files: the one input every metric of this source is
/// computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Lines (statements, for coverage.py and Go) run at least once.
    pub lines_covered: u64,
    /// Lines (statements) that could run.
    pub lines_total: u64,
    /// Branches taken at least once.
    pub branches_covered: u64,
    /// Branches; 0 when the report has no branch data.
    pub branches_total: u64,
}

impl std::ops::Add for Totals {
    type Output = Totals;

    /// Both reports' counts added up, as if one report had held both.
    fn add(self, other: Totals) -> Totals {
        Totals {
            lines_covered: self.lines_covered.saturating_add(other.lines_covered),
            lines_total: self.lines_total.saturating_add(other.lines_total),
            branches_covered: self.branches_covered.saturating_add(other.branches_covered),
            branches_total: self.branches_total.saturating_add(other.branches_total),
        }
    }
}

/// Several reports' totals as one: counts summed, so a large report weighs more than a small one
/// (averaging the percentages would give a 10-line report the weight of a 10,000-line one).
pub fn merge(parts: &[Totals]) -> Totals {
    parts.iter().fold(Totals::default(), |sum, part| sum + *part)
}

/// Which measure `test_coverage` takes: the setting `test_coverage`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Measure {
    /// Line coverage, as `code_coverage` (the default).
    #[default]
    Lines,
    /// Branch coverage.
    Branches,
}

impl Measure {
    /// The measure the source's settings name.
    pub fn from_settings(settings: &super::Settings) -> Result<Measure, CollectError> {
        match settings.text("test_coverage") {
            None | Some("lines") => Ok(Measure::Lines),
            Some("branches") => Ok(Measure::Branches),
            Some(other) => Err(CollectError::new(format!(
                "the coverage setting `test_coverage` is `{}`; write `lines` or `branches`",
                crate::core::text::printable(other)
            ))),
        }
    }
}

/// Why a report could not be read, with the line when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CoverageError {
    /// The line of the report (from 1), when the problem is on one.
    pub line: Option<usize>,
    pub message: String,
}

impl CoverageError {
    fn new(message: impl Into<String>) -> Self {
        CoverageError { line: None, message: message.into() }
    }

    fn at(line: usize, message: impl Into<String>) -> Self {
        CoverageError { line: Some(line), message: message.into() }
    }
}

/// The totals of a report in `format`.
pub fn totals(text: &str, format: Format) -> Result<Totals, CoverageError> {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Lcov => lcov::totals(text),
        Format::Cobertura => cobertura::totals(text),
        Format::Jacoco => jacoco::totals(text),
        Format::Coveragepy => coveragepy::totals(text),
        Format::Gocover => gocover::totals(text),
        Format::Llvmcov => llvmcov::totals(text),
    }
}

/// Reads one report: its format (forced, or told from the content) and its totals. Errors name
/// the file, and the line when one is to blame.
pub fn read(path: &Path, format: Option<Format>) -> Result<(Format, Totals), CollectError> {
    let shown = crate::core::text::printable(&path.display().to_string()).into_owned();
    let bytes = std::fs::read(path).map_err(|e| {
        CollectError::new(format!("cannot read the coverage report `{shown}`: {e}; check the path"))
    })?;
    // A report is written by a tool, not typed: a stray byte in a file name must not stop it.
    let text = String::from_utf8_lossy(&bytes);
    let format = match format {
        Some(format) => format,
        None => Format::sniff(&text).ok_or_else(|| {
            let forced: Vec<String> = Format::ALL.iter().map(|f| format!("`{f}=`")).collect();
            CollectError::new(format!(
                "{shown}: cannot tell which coverage format this is; name it with {} instead of `coverage=`",
                forced.join(", ")
            ))
        })?,
    };
    let totals = totals(&text, format).map_err(|e| {
        let place = e.line.map_or(shown.clone(), |line| format!("{shown}:{line}"));
        CollectError::new(format!("{place}: {e}"))
    })?;
    Ok((format, totals))
}

/// The readings a report's totals give: `code_coverage` from lines, `test_coverage` from lines or
/// branches. `format` is the report's, or `None` for totals merged from several formats; it only
/// changes the words of details and reasons.
pub fn collected(totals: &Totals, measure: Measure, format: Option<Format>) -> Collected {
    let counts = format.map_or("lines", Format::counts);
    let lines = share(totals.lines_covered, totals.lines_total, counts);
    let no_lines = || {
        format!(
            "the report counts no {counts}; check that the tests ran with coverage on and wrote this report"
        )
    };
    let mut collected = Collected::default();
    let mut push = |metric: &'static str, share: Option<(f64, String)>, reason: String| match share
    {
        Some((value, detail)) => {
            collected.readings.push(Reading { metric, value, unit: "%", scope: None, detail });
        }
        None => collected.missing.push(NotCollected { metric, reason }),
    };
    push("code_coverage", lines.clone(), no_lines());
    match measure {
        Measure::Lines => push("test_coverage", lines, no_lines()),
        Measure::Branches => {
            let hint =
                format.map_or("turn on branch coverage when the tests run", Format::branch_hint);
            let branches = share(totals.branches_covered, totals.branches_total, "branches");
            push(
                "test_coverage",
                branches,
                format!("the report counts no branches ({hint}); or set `test_coverage: lines`"),
            );
        }
    }
    collected
}

/// `covered` of `total` in %, with the counts for a person checking it; `None` when there is
/// nothing to divide by.
fn share(covered: u64, total: u64, what: &str) -> Option<(f64, String)> {
    (total > 0)
        .then(|| (covered as f64 * 100.0 / total as f64, format!("{covered} of {total} {what}")))
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    collect_merged(std::slice::from_ref(request))
}

/// Several reports (one per test suite, or per language) as one: their covered and total lines
/// summed, never their percentages averaged.
fn collect_merged(requests: &[Request<'_>]) -> Result<Collected, CollectError> {
    let mut parts = Vec::with_capacity(requests.len());
    let mut formats = Vec::with_capacity(requests.len());
    for request in requests {
        let (format, totals) = read_request(request)?;
        parts.push(totals);
        formats.push(format);
    }
    let measure = match requests.first() {
        Some(first) => Measure::from_settings(first.settings)?,
        None => Measure::default(),
    };
    let format = formats.first().copied().filter(|f| formats.iter().all(|g| g == f));
    Ok(collected(&merge(&parts), measure, format))
}

fn read_request(request: &Request<'_>) -> Result<(Format, Totals), CollectError> {
    let forced = match request.format {
        Some(name) => Some(
            Format::from_name(name)
                .ok_or_else(|| CollectError::new(format!("`{name}` is not a coverage format")))?,
        ),
        None => None,
    };
    read(request.path, forced)
}

/// Parses an XML report without ever loading a DTD: a DOCTYPE is allowed (Cobertura and `JaCoCo`
/// reports carry one) but its external subset is never fetched, and entity expansion is bounded.
fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, CoverageError> {
    let options =
        roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        let line = usize::try_from(e.pos().row).unwrap_or(usize::MAX);
        CoverageError::at(line, format!("not well-formed XML ({e}); regenerate the report"))
    })
}

/// The line of an XML node, from 1.
fn xml_line(doc: &roxmltree::Document<'_>, node: roxmltree::Node<'_, '_>) -> usize {
    usize::try_from(doc.text_pos_at(node.range().start).row).unwrap_or(usize::MAX)
}

/// A whole-number attribute of an XML element; `None` when absent.
fn xml_count(
    doc: &roxmltree::Document<'_>,
    node: roxmltree::Node<'_, '_>,
    name: &str,
) -> Result<Option<u64>, CoverageError> {
    let Some(value) = node.attribute(name) else { return Ok(None) };
    count(value).map(Some).ok_or_else(|| {
        CoverageError::at(
            xml_line(doc, node),
            format!(
                "`{name}=\"{}\"` on `<{}>` is not a whole number of zero or more; regenerate the report",
                crate::core::text::printable(value),
                node.tag_name().name()
            ),
        )
    })
}

/// A count as tools write it: a whole number, or one written with `.0`.
fn count(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            whole.parse().ok()
        }
        Some(_) => None,
        None => text.parse().ok(),
    }
}

/// The name of an XML document's root element, found without parsing the whole document: past
/// the declaration, comments, processing instructions and a DOCTYPE (with its internal subset).
fn xml_root_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?") {
            rest = &after[after.find("?>")? + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->")? + 3..];
        } else if let Some(after) = rest.strip_prefix("<!") {
            // A DOCTYPE ends at the first `>` outside its `[...]` internal subset.
            let mut depth = 0usize;
            let end = after.char_indices().find_map(|(i, c)| match c {
                '[' => {
                    depth += 1;
                    None
                }
                ']' => {
                    depth = depth.saturating_sub(1);
                    None
                }
                '>' if depth == 0 => Some(i),
                _ => None,
            })?;
            rest = &after[end + 1..];
        } else {
            let after = rest.strip_prefix('<')?;
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            let name = &after[..end];
            // A prefixed root (`<ns:coverage>`) is the same element.
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_forced_name_is_a_format_and_back() {
        assert_eq!(KIND.formats.len(), Format::ALL.len());
        for (name, format) in KIND.formats.iter().zip(Format::ALL) {
            assert_eq!(format.name(), *name);
            assert_eq!(Format::from_name(name), Some(format));
        }
        assert_eq!(Format::from_name("coverage"), None);
    }

    #[test]
    fn formats_are_told_from_the_first_characters() {
        let cases = [
            ("TN:\nSF:a.c\nDA:1,1\nend_of_record\n", Some(Format::Lcov)),
            ("\u{feff}SF:a.c\n", Some(Format::Lcov)),
            (
                "<?xml version='1.0'?>\n<!DOCTYPE coverage SYSTEM 'x.dtd'>\n<coverage/>",
                Some(Format::Cobertura),
            ),
            (
                "<!-- made by hand -->\n<!DOCTYPE report [<!ENTITY a 'b'>]><report name='x'/>",
                Some(Format::Jacoco),
            ),
            (r#"{"meta": {}, "totals": {"num_statements": 1}}"#, Some(Format::Coveragepy)),
            (r#"{"data": [], "type": "llvm.coverage.json.export"}"#, Some(Format::Llvmcov)),
            ("mode: set\na.go:1.1,2.2 1 1\n", Some(Format::Gocover)),
            ("<html></html>", None),
            ("{}", None),
            ("date,metric,value\n", None),
            ("", None),
        ];
        for (text, format) in cases {
            assert_eq!(Format::sniff(text), format, "{text:?}");
        }
    }

    #[test]
    fn merged_totals_sum_counts_instead_of_averaging_percentages() {
        let small =
            Totals { lines_covered: 1, lines_total: 10, branches_covered: 0, branches_total: 0 };
        let large = Totals {
            lines_covered: 900,
            lines_total: 1000,
            branches_covered: 5,
            branches_total: 10,
        };
        let both = merge(&[small, large]);
        assert_eq!(
            both,
            Totals {
                lines_covered: 901,
                lines_total: 1010,
                branches_covered: 5,
                branches_total: 10
            }
        );
        let code = &collected(&both, Measure::Lines, None).readings[0];
        // The average of 10% and 90% would be 50%.
        assert_eq!(code.value, 901.0 * 100.0 / 1010.0);
        assert_eq!(merge(&[]), Totals::default());
    }

    #[test]
    fn test_coverage_takes_lines_unless_the_setting_names_branches() {
        let totals =
            Totals { lines_covered: 3, lines_total: 4, branches_covered: 1, branches_total: 4 };
        let lines = collected(&totals, Measure::Lines, Some(Format::Lcov));
        let values: Vec<_> = lines.readings.iter().map(|r| (r.metric, r.value, r.unit)).collect();
        assert_eq!(values, [("code_coverage", 75.0, "%"), ("test_coverage", 75.0, "%")]);
        let branches = collected(&totals, Measure::Branches, Some(Format::Lcov));
        let values: Vec<_> =
            branches.readings.iter().map(|r| (r.metric, r.value, r.detail.as_str())).collect();
        assert_eq!(
            values,
            [("code_coverage", 75.0, "3 of 4 lines"), ("test_coverage", 25.0, "1 of 4 branches")]
        );
    }

    #[test]
    fn the_setting_accepts_lines_or_branches_only() {
        let set = |v: &str| super::super::Settings(vec![("test_coverage".into(), vec![v.into()])]);
        assert_eq!(
            Measure::from_settings(&super::super::Settings::default()).unwrap(),
            Measure::Lines
        );
        assert_eq!(Measure::from_settings(&set("lines")).unwrap(), Measure::Lines);
        assert_eq!(Measure::from_settings(&set("branches")).unwrap(), Measure::Branches);
        assert!(Measure::from_settings(&set("Branches")).is_err());
    }

    #[test]
    fn a_report_without_lines_or_branches_gives_reasons_not_zeros() {
        let empty = collected(&Totals::default(), Measure::Branches, Some(Format::Gocover));
        assert!(empty.readings.is_empty());
        let reasons: Vec<_> = empty.missing.iter().map(|m| (m.metric, m.reason.as_str())).collect();
        insta::assert_debug_snapshot!(reasons);
    }

    /// Report-shaped text: each format's own words, shuffled and cut short.
    fn report_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let words = prop::sample::select(vec![
            "TN:",
            "SF:a.c",
            "DA:1,1",
            "DA:2,-",
            "BRDA:1,0,0,-",
            "LF:3",
            "LH:x",
            "end_of_record",
            "mode: set",
            "a.go:1.2,3.4 1 1",
            "a.go:1.2,3.4 2 0",
            "<coverage lines-valid='2'",
            "<report>",
            "<counter type='LINE' missed='1' covered='2'/>",
            "</report>",
            "<!DOCTYPE [",
            "<line number='1' hits='1' branch='true' condition-coverage='50% (1/2)'/>",
            "]>",
            "{\"totals\": {",
            "\"num_statements\": 3",
            "\"covered_lines\": 1}",
            "}",
            "[",
            "\"data\": [",
            "\"llvm.coverage.json.export\"",
            "\u{feff}",
            "é",
            "\r",
            ",",
            ".",
            ":",
            " ",
        ]);
        (prop::collection::vec(words, 0..40), prop::collection::vec(any::<bool>(), 40)).prop_map(
            |(words, breaks)| {
                words
                    .iter()
                    .zip(breaks)
                    .map(|(w, b)| if b { format!("{w}\n") } else { (*w).to_string() })
                    .collect()
            },
        )
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_totals_or_a_one_line_error_in_every_format(
            text in proptest::prop_oneof![report_like(), proptest::prelude::any::<String>()]
        ) {
            let _ = Format::sniff(&text);
            for format in Format::ALL {
                if let Err(e) = totals(&text, format) {
                    proptest::prop_assert!(!e.message.contains('\n'), "{format}: {e}");
                    proptest::prop_assert!(e.line.is_none_or(|n| n >= 1), "{format}: {e:?}");
                }
            }
        }
    }

    #[test]
    fn counts_may_be_written_with_a_fraction_of_zero() {
        assert_eq!(count("17"), Some(17));
        assert_eq!(count("17.0"), Some(17));
        assert_eq!(count("17.5"), None);
        assert_eq!(count("-1"), None);
        assert_eq!(count("x"), None);
    }
}
