//! `--format junit`: the scorecard as JUnit XML, for the test reports of GitLab, Jenkins and
//! GitHub. A failing metric becomes a failing test with its target and ideas; the XML itself is
//! written by `quick-junit`, never assembled by hand. It is valid against the schema of Jenkins'
//! xunit plugin (`junit-10.xsd`), the strictest of its readers: every suite and case has a `time`,
//! every failure a `type`, and the root carries no `skipped` count.

use std::fmt::Write;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::sections::{self, NO_DATA, value_against_target, waived_note};
use super::{LINE_BREAKS, printable};
use crate::core::scorecard::{FailOn, MetricResult, Scorecard, Status};

/// Renders the scorecard as a JUnit report: one `<testsuite>` per category, in catalog order, and
/// one `<testcase>` per metric. Fail is a `<failure>`, warn a passing test with the warning in its
/// `<system-out>`, no data a `<skipped>` test.
///
/// # Panics
/// Never: the report is serialized into memory, which cannot fail to be written to.
pub fn render(card: &Scorecard) -> String {
    let card = &*printable(card, LINE_BREAKS);
    let mut suites: Vec<(Suite, TestSuite)> = Vec::new();
    for result in &card.results {
        let suite = Suite::of(result);
        let case = test_case(result, &suite.classname, card.gate.fail_on);
        if let Some((_, test_suite)) = suites.iter_mut().find(|(s, _)| *s == suite) {
            test_suite.add_test_case(case);
        } else {
            let mut test_suite = TestSuite::new(&suite.name);
            // The scope's standing on the catalog's levels, when it has levels.
            let scope = card.scopes.iter().find(|s| s.name == result.scope);
            if let Some((scope, standing)) = scope.and_then(|s| Some((s, s.standing.as_ref()?))) {
                let level = standing.level.as_deref().unwrap_or("none");
                test_suite.add_property(("kpi.level", level));
                test_suite.add_property(("kpi.score", sections::score_words(scope.score).as_str()));
            }
            test_suite.add_test_case(case);
            suites.push((suite, test_suite));
        }
    }
    let mut report = Report::new(one_line(&card.title));
    report.set_time(Duration::ZERO);
    report.add_test_suites(suites.into_iter().map(|(_, mut suite)| {
        suite.set_time(Duration::ZERO);
        suite
    }));
    let xml = report.to_string().expect("a report serialized into memory always writes");
    without_root_skipped(xml)
}

/// Jenkins' xunit schema allows `skipped` on each `<testsuite>` but not on the root
/// `<testsuites>`, where `quick-junit` always writes it; each suite keeps its own count.
fn without_root_skipped(mut xml: String) -> String {
    let Some(start) = xml.find("<testsuites ") else { return xml };
    let end = start + xml[start..].find('>').unwrap_or(0);
    if let Some(at) = xml[start..end].find(" skipped=\"") {
        let at = start + at;
        let close = at + 10 + xml[at + 10..].find('"').unwrap_or(0);
        xml.replace_range(at..=close, "");
    }
    xml
}

/// Which `<testsuite>` a result is reported under, and the `classname` of its test case. The only
/// place that decides the grouping: a result's scope goes in front of the category in both
/// (`<scope> / <category>`, `kpi.<scope>.<category>`).
#[derive(Debug, PartialEq, Eq)]
struct Suite {
    name: String,
    classname: String,
}

impl Suite {
    fn of(result: &MetricResult) -> Suite {
        let category = one_line(&result.category);
        match &result.scope {
            Some(scope) => {
                let scope = one_line(scope);
                Suite {
                    classname: format!("kpi.{scope}.{category}"),
                    name: format!("{scope} / {category}"),
                }
            }
            None => Suite { classname: format!("kpi.{category}"), name: category },
        }
    }
}

/// A warning is a passing test, unless `--fail-on warn` makes it fail the gate: then it is a failure
/// too, so the test report shows why the pipeline went red. A waived metric passes, with its waiver
/// in `<system-out>`.
fn test_case(result: &MetricResult, classname: &str, fail_on: FailOn) -> TestCase {
    let fails_gate =
        result.status == Status::Fail || (result.status == Status::Warn && fail_on == FailOn::Warn);
    let status = match result.status {
        Status::Pass | Status::Waived => TestCaseStatus::success(),
        Status::Warn if !fails_gate => TestCaseStatus::success(),
        Status::Warn | Status::Fail => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(one_line(&value_against_target(result)))
                .set_type(result.status.word())
                .set_description(details(result));
            status
        }
        Status::Missing => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(NO_DATA);
            status
        }
    };
    let mut case = TestCase::new(one_line(&result.name), status);
    // Grading takes no measurable time; the schema wants the attribute all the same.
    case.set_classname(classname).set_time(Duration::ZERO);
    if result.status == Status::Warn && !fails_gate {
        case.set_system_out(format!("warning: {}", details(result)));
    }
    if let Some(note) = waived_note(result) {
        case.set_system_out(format!("{note}\n"));
    }
    case
}

/// The value against the target, then the improvement ideas: what a failure's body and a
/// warning's output say, since GitLab shows only that text, not the `message` attribute.
fn details(result: &MetricResult) -> String {
    let mut text = value_against_target(result);
    if !result.suggestions.is_empty() {
        text.push_str("\n\nIdeas to improve it:");
        for idea in result.suggestions.iter() {
            write!(text, "\n- {idea}").ok();
        }
    }
    text.push('\n');
    text
}

/// XML turns a line break inside an attribute into a space when it is read back, so attributes
/// get that space up front and say the same thing in every reader.
fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::sample;

    #[test]
    fn junit_scorecard() {
        insta::assert_snapshot!(render(&sample::scorecard()));
    }

    /// Reads the XML back with an independent parser, as a CI test reporter would.
    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("invalid XML ({e}):\n{xml}"))
    }

    fn count(doc: &roxmltree::Document<'_>, tag: &str) -> usize {
        doc.descendants().filter(|n| n.has_tag_name(tag)).count()
    }

    /// Each test suite's name and test count, in document order.
    fn suites<'a>(doc: &'a roxmltree::Document<'_>) -> Vec<(&'a str, &'a str)> {
        doc.descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .map(|n| (n.attribute("name").unwrap(), n.attribute("tests").unwrap()))
            .collect()
    }

    #[test]
    fn counts_read_back_match_the_scorecard() {
        let card = sample::scorecard();
        let xml = render(&card);
        let doc = parse(&xml);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("tests"), Some("15"));
        assert_eq!(root.attribute("failures"), Some(card.summary.fail.to_string().as_str()));
        assert_eq!(root.attribute("skipped"), None, "not allowed on the root by junit-10.xsd");
        let skipped: usize = doc
            .descendants()
            .filter(|n| n.has_tag_name("testsuite"))
            .map(|n| n.attribute("skipped").unwrap().parse::<usize>().unwrap())
            .sum();
        assert_eq!(skipped, card.summary.missing);
        assert_eq!(root.attribute("errors"), Some("0"));
        assert_eq!(count(&doc, "testsuite"), 3);
        assert_eq!(count(&doc, "testcase"), card.results.len());
        assert_eq!(count(&doc, "failure"), 3);
        assert_eq!(count(&doc, "skipped"), 1);
        assert_eq!(count(&doc, "system-out"), card.summary.warn);
        assert_eq!(
            suites(&doc),
            [
                ("Backend Development", "5"),
                ("Backend Code Quality", "5"),
                ("Backend Developer Performance", "5")
            ]
        );
    }

    #[test]
    fn under_fail_on_warn_a_warning_is_a_failure_too() {
        let mut card = sample::scorecard();
        card.gate.fail_on = FailOn::Warn;
        let xml = render(&card);
        let doc = parse(&xml);
        assert_eq!(count(&doc, "failure"), card.summary.fail + card.summary.warn);
        assert_eq!(count(&doc, "system-out"), 0);
    }

    #[test]
    fn scoped_results_get_a_suite_per_scope_and_category() {
        let mut card = sample::scorecard();
        let mut other = card.results.clone();
        for r in &mut card.results {
            r.scope = Some("api".into());
        }
        for r in &mut other {
            r.scope = Some("batch-jobs".into());
        }
        card.results.extend(other);
        let xml = render(&card);
        let doc = parse(&xml);
        assert_eq!(count(&doc, "testsuite"), 6);
        assert_eq!(suites(&doc)[0], ("api / Backend Development", "5"));
        assert_eq!(suites(&doc)[3], ("batch-jobs / Backend Development", "5"));
        let classnames: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("classname").unwrap())
            .collect();
        assert_eq!(classnames[0], "kpi.api.Backend Development");
        assert_eq!(classnames[15], "kpi.batch-jobs.Backend Development");
    }

    #[test]
    fn failure_states_value_against_target_and_lists_every_idea() {
        let card = sample::scorecard();
        let xml = render(&card);
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.attribute("name") == Some("API Response Time"))
            .expect("a test case per metric");
        assert_eq!(case.attribute("classname"), Some("kpi.Backend Developer Performance"));
        let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert_eq!(
            failure.attribute("message"),
            Some("350 ms is 150 ms too high: pass is under 200 ms (target: Less than 200ms)")
        );
        let body = failure.text().unwrap();
        let ideas =
            &card.results.iter().find(|r| &*r.name == "API Response Time").unwrap().suggestions;
        assert_eq!(ideas.len(), 5);
        for idea in ideas.iter() {
            assert!(body.contains(&format!("- {idea}\n")), "`{idea}` missing from {body}");
        }
    }

    #[test]
    fn hostile_names_and_text_survive_the_round_trip() {
        let mut card = sample::scorecard();
        let hostile = "50% <b>\"R&D\"</b>, 'ops': a\nb ]]> %0A";
        for result in &mut card.results {
            result.category = format!("{hostile} {}", result.category).into();
        }
        let fail = card.results.iter_mut().find(|r| r.status == Status::Fail).unwrap();
        fail.name = hostile.into();
        fail.target = hostile.into();
        fail.suggestions = [hostile.to_string()].into();
        let xml = render(&card);
        let doc = parse(&xml);
        let flat = "50% <b>\"R&D\"</b>, 'ops': a b ]]> %0A";
        let case = doc.descendants().find(|n| n.attribute("name") == Some(flat)).unwrap();
        assert_eq!(
            case.attribute("classname"),
            Some(format!("kpi.{flat} Backend Development").as_str())
        );
        let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert!(failure.attribute("message").unwrap().ends_with(&format!("(target: {flat})")));
        assert!(failure.text().unwrap().ends_with(&format!("- {hostile}\n")));
        assert_eq!(count(&doc, "testcase"), 15);
    }

    #[test]
    fn control_characters_are_escaped_so_the_xml_stays_valid() {
        let xml = render(&sample::hostile());
        assert!(!xml.contains(['\u{1b}', '\u{202e}']), "{xml}");
        let doc = parse(&xml);
        assert_eq!(count(&doc, "testcase"), 15);
        let root = doc.root_element();
        assert!(
            root.attribute("name")
                .unwrap()
                .starts_with("x\\u{1b}[31m\\u{1b}[2J\\u{202e}kcab error")
        );
        let failure = doc.descendants().find(|n| n.has_tag_name("failure")).unwrap();
        assert!(failure.text().unwrap().contains("- x\\u{1b}[31m"), "{xml}");
    }

    #[test]
    fn suites_group_by_category_even_when_a_category_comes_back() {
        let mut card = sample::scorecard();
        card.results.swap(0, 5);
        let xml = render(&card);
        let doc = parse(&xml);
        assert_eq!(
            suites(&doc),
            [
                ("Backend Code Quality", "5"),
                ("Backend Development", "5"),
                ("Backend Developer Performance", "5")
            ]
        );
    }
}
