//! `loc=PATH`: thousands of lines of code, the denominator of the per-KLOC metrics
//! (`defect_density`, `code_quality`), from cloc's JSON (`cloc --json`) or tokei's (`tokei
//! --output json`), told apart by content (`cloc=PATH` and `tokei=PATH` force one). It reads
//! reports; it does not count lines itself.
//!
//! The count is the `code` of cloc's `SUM` entry or of tokei's `Total`: lines with code on them,
//! not blank lines and not comment-only lines, over every language the tool counted, divided by
//! 1,000. Traps: summing tokei's languages misses the code embedded in other files (a Rust block
//! in Markdown is a child of Markdown), which its `Total` has; cloc's `--by-file` report keys
//! files beside `SUM` and `header`; the tools differ on what is code (tokei counts Python
//! docstrings as code, cloc as comments), so one project should keep to one tool.

use serde_json::Value;

use super::report::{self, ReportError};
use super::{CollectError, Collected, Fact, Kind, NotCollected, Request};

pub const KIND: Kind = Kind {
    name: "loc",
    summary: "thousands of lines of code (blank and comment lines not counted), from cloc or tokei JSON",
    formats: &["cloc", "tokei"],
    default_path: None,
    settings: &[],
    collect,
    merge: None,
};

/// Which tool wrote a line count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Cloc,
    Tokei,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Cloc => "cloc",
            Tool::Tokei => "tokei",
        }
    }
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let tool = match request.format {
        Some("cloc") => Some(Tool::Cloc),
        Some("tokei") => Some(Tool::Tokei),
        _ => None,
    };
    let text = report::read(request.path, "line count")?;
    parse(&text, tool).map_err(|e| e.in_file(request.path))
}

/// Reads a line count: `Fact::Kloc`, or why the per-KLOC metrics get none.
pub fn parse(text: &str, tool: Option<Tool>) -> Result<Collected, ReportError> {
    let root = report::json(text, "line count")?;
    let object = root.as_object().ok_or_else(|| {
        ReportError::new("not a line count: it is not a JSON object; write it with `cloc --json` or `tokei --output json`")
    })?;
    let tool = tool.unwrap_or_else(|| {
        if object.contains_key("Total") && !object.contains_key("SUM") {
            Tool::Tokei
        } else {
            Tool::Cloc
        }
    });
    let (entry, command) = match tool {
        Tool::Cloc => ("SUM", "cloc --json"),
        Tool::Tokei => ("Total", "tokei --output json"),
    };
    let mut collected = Collected::default();
    let Some(total) = object.get(entry) else {
        // cloc writes `{}` when it finds no source file.
        if tool == Tool::Cloc && (object.is_empty() || object.keys().all(|k| k == "header")) {
            no_code(&mut collected, "cloc found no source file; check the directory it was run on");
            return Ok(collected);
        }
        let more = if tool == Tool::Tokei { " (tokei 13 and newer write it)" } else { "" };
        return Err(ReportError::new(format!(
            "no `{entry}` entry{more}; write the line count with `{command}`"
        )));
    };
    let code = total.get("code").and_then(Value::as_u64).ok_or_else(|| {
        ReportError::new(format!(
            "`{entry}` has no whole-number `code`; write the line count with `{command}`"
        ))
    })?;
    if code == 0 {
        no_code(
            &mut collected,
            &format!("{} counted no line of code; check the directory it was run on", tool.name()),
        );
    } else {
        collected.facts.push((Fact::Kloc, code as f64 / 1000.0));
    }
    Ok(collected)
}

fn no_code(collected: &mut Collected, reason: &str) {
    for metric in ["defect_density", "code_quality"] {
        collected.missing.push(NotCollected { metric, reason: reason.to_string() });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloc_gives_the_code_of_its_sum_in_thousands() {
        let text = r#"{"header": {"cloc_version": "1.96"}, "Python": {"code": 700}, "C": {"code": 534},
                       "SUM": {"blank": 100, "comment": 50, "code": 1234, "nFiles": 9}}"#;
        assert_eq!(parse(text, None).unwrap().facts, [(Fact::Kloc, 1.234)]);
        assert_eq!(parse(text, Some(Tool::Cloc)).unwrap().facts, [(Fact::Kloc, 1.234)]);
    }

    #[test]
    fn tokei_gives_the_code_of_its_total_children_included() {
        // The Total holds the Rust block inside Markdown, which the languages' own code lacks.
        let text = r#"{"Markdown": {"code": 0, "children": {"Rust": [{"stats": {"code": 3}}]}},
                       "Python": {"code": 58}, "Total": {"code": 61}}"#;
        assert_eq!(parse(text, None).unwrap().facts, [(Fact::Kloc, 0.061)]);
        let error = parse(r#"{"Python": {"code": 58}}"#, Some(Tool::Tokei)).unwrap_err();
        assert_eq!(
            error.message,
            "no `Total` entry (tokei 13 and newer write it); write the line count with `tokei --output json`"
        );
    }

    #[test]
    fn no_code_is_not_collected_never_zero() {
        for text in ["{}", r#"{"Total": {"code": 0}}"#] {
            let collected = parse(text, None).unwrap();
            assert!(collected.facts.is_empty(), "{text}");
            let missing: Vec<&str> = collected.missing.iter().map(|m| m.metric).collect();
            assert_eq!(missing, ["defect_density", "code_quality"]);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_json_reads_or_fails_in_one_line(text in crate::collect::report::json_documents()) {
            for tool in [None, Some(Tool::Cloc), Some(Tool::Tokei)] {
                if let Err(e) = parse(&text, tool) {
                    proptest::prop_assert!(!e.message.contains('\n'), "{}", e.message);
                }
            }
        }
    }

    #[test]
    fn other_json_is_refused() {
        assert!(parse("[]", None).unwrap_err().message.starts_with("not a line count"));
        assert_eq!(
            parse(r#"{"SUM": {"code": "many"}}"#, None).unwrap_err().message,
            "`SUM` has no whole-number `code`; write the line count with `cloc --json`"
        );
    }
}
