//! Cobertura XML, as its coverage-04 DTD defines it: a `<coverage>` root whose attributes
//! `lines-covered`, `lines-valid`, `branches-covered` and `branches-valid` are the report's totals,
//! over `<packages>/<package>/<classes>/<class filename=...>/<lines>/<line number= hits=
//! branch= condition-coverage="50% (1/2)">`.
//!
//! The root's totals are used when it has them. Older reports (the coverage-03 DTD) only have
//! `line-rate`, a ratio that cannot be summed; their lines are counted instead: each class's own
//! `<lines>` (the same lines are listed again under its `<methods>`, which are not counted), one
//! per file and line number, covered if any listing has `hits` above 0; branches from
//! `condition-coverage`. The DOCTYPE is never fetched.

use std::collections::HashMap;

use super::{CoverageError, Totals, parse_xml, xml_count, xml_line};

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let doc = parse_xml(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "coverage" {
        return Err(CoverageError::at(
            xml_line(&doc, root),
            format!(
                "the root element is `<{}>`, not Cobertura's `<coverage>`; name the right format (`jacoco=` for a JaCoCo report)",
                root.tag_name().name()
            ),
        ));
    }
    let lines = (xml_count(&doc, root, "lines-covered")?, xml_count(&doc, root, "lines-valid")?);
    let branches =
        (xml_count(&doc, root, "branches-covered")?, xml_count(&doc, root, "branches-valid")?);
    if let (
        (Some(lines_covered), Some(lines_total)),
        (Some(branches_covered), Some(branches_total)),
    ) = (lines, branches)
    {
        return Ok(Totals { lines_covered, lines_total, branches_covered, branches_total });
    }
    let counted = count_lines(&doc)?;
    let (lines_covered, lines_total) = match lines {
        (Some(covered), Some(total)) => (covered, total),
        _ => (counted.lines_covered, counted.lines_total),
    };
    let (branches_covered, branches_total) = match branches {
        (Some(covered), Some(total)) => (covered, total),
        _ => (counted.branches_covered, counted.branches_total),
    };
    Ok(Totals { lines_covered, lines_total, branches_covered, branches_total })
}

/// Totals counted from each class's own `<lines>`.
fn count_lines(doc: &roxmltree::Document<'_>) -> Result<Totals, CoverageError> {
    // Per (file, line): hits, and (covered, total) branches.
    let mut lines: HashMap<(&str, u64), (u64, u64, u64)> = HashMap::new();
    for class in doc.descendants().filter(|n| n.has_tag_name("class")) {
        let file = class.attribute("filename").or_else(|| class.attribute("name")).unwrap_or("");
        let own = class.children().filter(|n| n.has_tag_name("lines"));
        for line in own.flat_map(|l| l.children()).filter(|n| n.has_tag_name("line")) {
            let Some(number) = xml_count(doc, line, "number")? else {
                return Err(CoverageError::at(
                    xml_line(doc, line),
                    "a `<line>` has no `number`; regenerate the report",
                ));
            };
            let hits = xml_count(doc, line, "hits")?.unwrap_or(0);
            let (covered, total) = match line.attribute("condition-coverage") {
                Some(condition) if line.attribute("branch") == Some("true") => {
                    condition_counts(condition).ok_or_else(|| {
                        CoverageError::at(
                            xml_line(doc, line),
                            format!(
                                "`condition-coverage=\"{}\"` is not `<percent>% (<covered>/<total>)`; regenerate the report",
                                crate::core::text::printable(condition)
                            ),
                        )
                    })?
                }
                _ => (0, 0),
            };
            let seen = lines.entry((file, number)).or_insert((0, 0, 0));
            seen.0 = seen.0.saturating_add(hits);
            seen.1 = seen.1.max(covered);
            seen.2 = seen.2.max(total);
        }
    }
    Ok(lines.values().fold(Totals::default(), |sum, (hits, covered, total)| {
        sum + Totals {
            lines_covered: u64::from(*hits > 0),
            lines_total: 1,
            branches_covered: *covered,
            branches_total: *total,
        }
    }))
}

/// `50% (1/2)` as (1, 2).
fn condition_counts(text: &str) -> Option<(u64, u64)> {
    let inner = text.split_once('(')?.1.split_once(')')?.0;
    let (covered, total) = inner.split_once('/')?;
    let (covered, total) = (covered.trim().parse().ok()?, total.trim().parse().ok()?);
    (covered <= total).then_some((covered, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = r#"<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-03.dtd">
<coverage line-rate="0.5" branch-rate="0.5" version="1.9" timestamp="1">
  <packages><package name="p" line-rate="0.5" branch-rate="0.5" complexity="1">
    <classes>
      <class name="A" filename="a/A.java" line-rate="0.5" branch-rate="0.5" complexity="1">
        <methods><method name="f" signature="()V" line-rate="1" branch-rate="1">
          <lines><line number="1" hits="2" branch="false"/></lines>
        </method></methods>
        <lines>
          <line number="1" hits="2" branch="false"/>
          <line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/>
        </lines>
      </class>
      <class name="A$Inner" filename="a/A.java" line-rate="1" branch-rate="1" complexity="1">
        <methods/>
        <lines><line number="2" hits="1" branch="true" condition-coverage="50% (1/2)"/><line number="3" hits="1" branch="false"/></lines>
      </class>
    </classes>
  </package></packages>
</coverage>"#;

    #[test]
    fn the_roots_totals_are_the_reports() {
        let text = r#"<coverage lines-covered="3" lines-valid="4" branches-covered="1" branches-valid="2" line-rate="0.75" branch-rate="0.5"><packages/></coverage>"#;
        let t = totals(text).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 3, lines_total: 4, branches_covered: 1, branches_total: 2 }
        );
    }

    #[test]
    fn without_totals_each_line_of_each_file_counts_once_and_method_lines_not_again() {
        let t = totals(OLD).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 3, lines_total: 3, branches_covered: 1, branches_total: 2 }
        );
    }

    #[test]
    fn a_doctype_pointing_at_a_web_address_is_never_fetched() {
        // The DTD's address does not resolve offline; the report reads all the same.
        assert!(OLD.contains("http://cobertura.sourceforge.net"));
        assert_eq!(totals(OLD).unwrap().lines_total, 3);
    }

    #[test]
    fn an_external_entity_is_not_loaded() {
        let text = r#"<!DOCTYPE coverage [<!ENTITY x SYSTEM "file:///etc/passwd">]><coverage lines-covered="1" lines-valid="2" branches-covered="0" branches-valid="0">&x;</coverage>"#;
        let e = totals(text).unwrap_err();
        assert!(e.message.contains("unknown entity reference 'x'"), "{e}");
    }

    #[test]
    fn errors_name_the_line() {
        let errors: Vec<String> = [
            "<coverage>\n<packages>\n</coverage>",
            "<?xml version='1.0'?>\n<report name='x'/>",
            "<coverage\n lines-covered='many' lines-valid='2'/>",
            "<coverage><packages><package><classes><class filename='a'><lines>\n<line hits='1'/></lines></class></classes></package></packages></coverage>",
            "<coverage><packages><package><classes><class filename='a'><lines>\n<line number='1' hits='1' branch='true' condition-coverage='half'/></lines></class></classes></package></packages></coverage>",
        ]
        .iter()
        .map(|text| {
            let e = totals(text).unwrap_err();
            format!("line {}: {e}", e.line.unwrap())
        })
        .collect();
        insta::assert_snapshot!(errors.join("\n"));
    }
}
