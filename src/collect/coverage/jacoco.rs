//! `JaCoCo` XML, as its report.dtd defines it: a `<report>` root holding `<group>`s and
//! `<package>`s, each package its `<class>`es (with `<method>`s) and `<sourcefile>`s, and every one
//! of these levels its own `<counter type= missed= covered=>` elements, one per type
//! (`INSTRUCTION`, `BRANCH`, `LINE`, `COMPLEXITY`, `METHOD`, `CLASS`).
//!
//! The totals are the `LINE` and `BRANCH` counters directly under `<report>`: the counters of the
//! levels below repeat the same counts (a package's are its classes' summed, and its source files'
//! again), so summing every counter would count each line several times. Only a report without
//! counters of its own is summed, from the counters directly under its groups and packages. The
//! DOCTYPE is never fetched.

use super::{CoverageError, Totals, parse_xml, xml_count, xml_line};

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let doc = parse_xml(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "report" {
        return Err(CoverageError::at(
            xml_line(&doc, root),
            format!(
                "the root element is `<{}>`, not JaCoCo's `<report>`; name the right format (`cobertura=` for a Cobertura report)",
                root.tag_name().name()
            ),
        ));
    }
    let own = counters(&doc, root)?;
    if own.is_some() {
        return Ok(own.unwrap_or_default());
    }
    let mut sum = Totals::default();
    for child in root.children().filter(|n| n.has_tag_name("group") || n.has_tag_name("package")) {
        sum = sum + counters(&doc, child)?.unwrap_or_default();
    }
    Ok(sum)
}

/// The `LINE` and `BRANCH` counters directly under `node`; `None` if it has no counter at all.
fn counters(
    doc: &roxmltree::Document<'_>,
    node: roxmltree::Node<'_, '_>,
) -> Result<Option<Totals>, CoverageError> {
    let mut totals = None::<Totals>;
    for counter in node.children().filter(|n| n.has_tag_name("counter")) {
        let t = totals.get_or_insert_with(Totals::default);
        let kind = counter.attribute("type").unwrap_or("");
        if kind != "LINE" && kind != "BRANCH" {
            continue;
        }
        let missing = |name: &str| {
            CoverageError::at(
                xml_line(doc, counter),
                format!("the `{kind}` counter has no `{name}`; regenerate the report"),
            )
        };
        let missed = xml_count(doc, counter, "missed")?.ok_or_else(|| missing("missed"))?;
        let covered = xml_count(doc, counter, "covered")?.ok_or_else(|| missing("covered"))?;
        let total = missed.saturating_add(covered);
        if kind == "LINE" {
            (t.lines_covered, t.lines_total) = (covered, total);
        } else {
            (t.branches_covered, t.branches_total) = (covered, total);
        }
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="shop">
  <sessioninfo id="x" start="1" dump="2"/>
  <package name="shop">
    <class name="shop/Cart" sourcefilename="Cart.java">
      <method name="add" desc="()V" line="3">
        <counter type="INSTRUCTION" missed="0" covered="4"/>
        <counter type="LINE" missed="0" covered="2"/>
      </method>
      <counter type="LINE" missed="1" covered="2"/>
      <counter type="BRANCH" missed="1" covered="1"/>
    </class>
    <sourcefile name="Cart.java">
      <line nr="3" mi="0" ci="4" mb="0" cb="0"/>
      <counter type="LINE" missed="1" covered="2"/>
      <counter type="BRANCH" missed="1" covered="1"/>
    </sourcefile>
    <counter type="LINE" missed="1" covered="2"/>
    <counter type="BRANCH" missed="1" covered="1"/>
  </package>
  <counter type="INSTRUCTION" missed="3" covered="9"/>
  <counter type="LINE" missed="1" covered="2"/>
  <counter type="BRANCH" missed="1" covered="1"/>
</report>"#;

    #[test]
    fn the_totals_are_the_counters_directly_under_report() {
        let t = totals(REPORT).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 2, lines_total: 3, branches_covered: 1, branches_total: 2 }
        );
    }

    #[test]
    fn a_report_without_its_own_counters_sums_its_packages_once() {
        let text = r#"<report name="x">
          <group name="g"><package name="a"><counter type="LINE" missed="9" covered="9"/></package>
            <counter type="LINE" missed="1" covered="3"/></group>
          <package name="b"><sourcefile name="B.java"><counter type="LINE" missed="2" covered="2"/></sourcefile>
            <counter type="LINE" missed="2" covered="2"/><counter type="BRANCH" missed="0" covered="2"/></package>
        </report>"#;
        let t = totals(text).unwrap();
        assert_eq!(
            t,
            Totals { lines_covered: 5, lines_total: 8, branches_covered: 2, branches_total: 2 }
        );
    }

    #[test]
    fn a_report_with_counters_but_no_line_counter_counts_no_lines() {
        let text =
            r#"<report name="x"><counter type="INSTRUCTION" missed="1" covered="1"/></report>"#;
        assert_eq!(totals(text).unwrap(), Totals::default());
    }

    #[test]
    fn a_doctype_pointing_at_a_web_address_is_never_fetched() {
        let text = REPORT.replace(
            "\"report.dtd\"",
            "\"http://www.jacoco.org/jacoco/trunk/coverage/report.dtd\"",
        );
        assert_eq!(totals(&text).unwrap().lines_total, 3);
    }

    #[test]
    fn errors_name_the_line() {
        let errors: Vec<String> = [
            "<report>\n<package>\n</report>",
            "<?xml version='1.0'?>\n<coverage/>",
            "<report>\n<counter type='LINE' covered='1'/></report>",
            "<report>\n<counter type='BRANCH' missed='1' covered='-1'/></report>",
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
