//! `complexity=PATH`: `code_complexity` from a per-function cyclomatic complexity report, lizard's
//! CSV (`lizard --csv`) or radon's JSON (`radon cc -j`), told apart by content (`lizard=PATH` and
//! `radon=PATH` force one). It reads reports; it does not run either tool.
//!
//! `code_complexity` is, over every function and method in the report, the `statistic` setting
//! of their cyclomatic complexities: `max` (the default: the catalog's target is per function),
//! `p90` (the smallest complexity that at least 90% of the functions are at or under), or `mean`.
//! The reading's detail names the most complex function.
//!
//! Traps: lizard's CSV has no header row (one is skipped if present) and quotes long names with
//! commas; radon lists a class as a block of its own with a complexity that is not a function's
//! (left out), lists each method twice (inside its class and at the top level: counted once), and
//! lists nested functions only under their parent's `closures` (counted); a file radon could not
//! parse is an `error` entry, which is refused rather than left out.

use serde_json::Value;

use super::report::{self, ReportError};
use super::{CollectError, Collected, Kind, NotCollected, Reading, Request};

pub const KIND: Kind = Kind {
    name: "complexity",
    summary: "the cyclomatic complexity of the most complex function, from lizard CSV or radon JSON",
    formats: &["lizard", "radon"],
    default_path: None,
    settings: &["statistic"],
    collect,
    merge: None,
};

/// One function of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// As the tool names it: `parse_row`, `Table.width`, `split_quoted.tokens`.
    pub name: String,
    pub file: String,
    /// The line the function starts on.
    pub line: u64,
    /// Its cyclomatic complexity.
    pub complexity: u64,
}

/// How the functions' complexities make one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Max,
    P90,
    Mean,
}

impl Statistic {
    /// The statistic of the `statistic` setting, `max` when it is not set.
    pub fn from_setting(setting: Option<&str>) -> Result<Statistic, CollectError> {
        match setting.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("max") => Ok(Statistic::Max),
            Some("p90" | "p(90)") => Ok(Statistic::P90),
            Some("mean" | "avg") => Ok(Statistic::Mean),
            Some(_) => Err(CollectError::new(format!(
                "unknown complexity `statistic` `{}`; use max, p90 or mean",
                crate::core::text::printable(setting.unwrap_or_default())
            ))),
        }
    }

    /// The statistic of the complexities, which must not be empty.
    pub fn of(self, functions: &[Function]) -> f64 {
        let mut values: Vec<u64> = functions.iter().map(|f| f.complexity).collect();
        values.sort_unstable();
        match self {
            Statistic::Max => values.last().copied().unwrap_or(0) as f64,
            Statistic::P90 => {
                // Nearest rank: the ceil(0.9 n)-th smallest.
                let rank = (values.len() * 9).div_ceil(10).max(1);
                values[rank - 1] as f64
            }
            Statistic::Mean => values.iter().sum::<u64>() as f64 / values.len() as f64,
        }
    }
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let statistic = Statistic::from_setting(request.settings.text("statistic"))?;
    let text = report::read(request.path, "complexity report")?;
    let functions = match request.format {
        Some("lizard") => lizard(&text),
        Some("radon") => radon(&text),
        _ if text.trim_start().starts_with('{') => radon(&text),
        _ => lizard(&text),
    }
    .map_err(|e| e.in_file(request.path))?;
    Ok(summarise(&functions, statistic))
}

/// The reading of `code_complexity`, or why there is none.
pub fn summarise(functions: &[Function], statistic: Statistic) -> Collected {
    let mut collected = Collected::default();
    // The first of the most complex, in the report's order.
    let Some(worst) = functions.iter().rev().max_by_key(|f| f.complexity) else {
        collected.missing.push(NotCollected {
            metric: "code_complexity",
            reason: "the complexity report lists no function; check that the tool was run on the source tree".into(),
        });
        return collected;
    };
    let worst_text = format!(
        "`{}` in {}:{}, {}",
        crate::core::text::printable(&worst.name),
        crate::core::text::printable(&worst.file),
        worst.line,
        worst.complexity
    );
    let n = functions.len();
    let detail = match statistic {
        Statistic::Max => format!("{worst_text}: the most complex of {n} functions"),
        Statistic::P90 => format!("p90 of {n} functions; the most complex is {worst_text}"),
        Statistic::Mean => format!("mean of {n} functions; the most complex is {worst_text}"),
    };
    collected.readings.push(Reading {
        metric: "code_complexity",
        value: statistic.of(functions),
        unit: "",
        scope: None,
        detail,
    });
    collected
}

/// The functions of `lizard --csv`: NLOC, CCN, token, PARAM, length, location, file, function,
/// long name, start, end; no header.
pub fn lizard(text: &str) -> Result<Vec<Function>, ReportError> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut functions = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            ReportError::at(
                usize::try_from(line).unwrap_or(usize::MAX),
                format!("not lizard's CSV ({e}); write the report with `lizard --csv`"),
            )
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let line = usize::try_from(line).unwrap_or(usize::MAX);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // Some lizard versions and wrappers write a header row.
        if functions.is_empty()
            && record.get(0).is_some_and(|f| f.trim().eq_ignore_ascii_case("nloc"))
        {
            continue;
        }
        if record.len() < 11 {
            return Err(ReportError::at(
                line,
                format!(
                    "{} where lizard writes 11 (NLOC, CCN, token, PARAM, length, location, file, function, long name, start, end); write the report with `lizard --csv`",
                    if record.len() == 1 {
                        "1 column".to_string()
                    } else {
                        format!("{} columns", record.len())
                    }
                ),
            ));
        }
        let number = |index: usize, column: &str| {
            record[index].trim().parse::<u64>().map_err(|_| {
                ReportError::at(
                    line,
                    format!(
                        "the {column} column is `{}`, not a whole number; write the report with `lizard --csv`",
                        crate::core::text::printable(&record[index])
                    ),
                )
            })
        };
        functions.push(Function {
            complexity: number(1, "CCN")?,
            line: number(9, "start")?,
            file: record[6].to_string(),
            name: record[7].to_string(),
        });
    }
    Ok(functions)
}

/// The functions and methods of `radon cc -j`: each file's blocks, methods inside classes and
/// closures inside functions, each counted once.
pub fn radon(text: &str) -> Result<Vec<Function>, ReportError> {
    let root = report::json(text, "radon report")?;
    let files = root.as_object().ok_or_else(|| {
        ReportError::new(
            "not radon's JSON: it is not an object of files; write the report with `radon cc -j`",
        )
    })?;
    let mut functions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (file, blocks) in files {
        if let Some(error) = blocks.get("error") {
            return Err(ReportError::new(format!(
                "radon could not analyse `{}`: {}; fix the file, or leave it out of the radon run",
                crate::core::text::printable(file),
                crate::core::text::printable(error.as_str().unwrap_or("unknown error"))
            )));
        }
        let blocks = blocks.as_array().ok_or_else(|| {
            ReportError::new(format!(
                "the entry of `{}` is not a list of blocks; write the report with `radon cc -j`",
                crate::core::text::printable(file)
            ))
        })?;
        for block in blocks {
            walk(file, block, None, &mut seen, &mut functions)?;
        }
    }
    Ok(functions)
}

fn walk(
    file: &str,
    block: &Value,
    parent: Option<&str>,
    seen: &mut std::collections::HashSet<(u64, u64)>,
    functions: &mut Vec<Function>,
) -> Result<(), ReportError> {
    let field = |key: &str| block.get(key);
    let name = field("name").and_then(Value::as_str).unwrap_or("?");
    let kind = field("type").and_then(Value::as_str).unwrap_or("");
    let line = field("lineno").and_then(Value::as_u64).unwrap_or(0);
    let full_name = match (field("classname").and_then(Value::as_str), parent) {
        _ if name.contains('.') => name.to_string(),
        (Some(class), _) => format!("{class}.{name}"),
        (None, Some(parent)) => format!("{parent}.{name}"),
        (None, None) => name.to_string(),
    };
    if matches!(kind, "function" | "method") {
        // A method is listed in its class and again at the top level: one function.
        let column = field("col_offset").and_then(Value::as_u64).unwrap_or(0);
        if seen.insert((line, column)) || line == 0 {
            let complexity = field("complexity").and_then(Value::as_u64).ok_or_else(|| {
                ReportError::new(format!(
                    "`{}` in `{}` has no whole-number `complexity`; write the report with `radon cc -j`",
                    crate::core::text::printable(&full_name),
                    crate::core::text::printable(file)
                ))
            })?;
            functions.push(Function {
                name: full_name.clone(),
                file: file.to_string(),
                line,
                complexity,
            });
        }
    }
    for nested in ["methods", "closures"] {
        for inner in field(nested).and_then(Value::as_array).into_iter().flatten() {
            walk(file, inner, Some(&full_name), seen, functions)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str, complexity: u64) -> Function {
        Function { name: name.into(), file: "a.py".into(), line: 1, complexity }
    }

    #[test]
    fn the_statistics_of_complexities() {
        let functions: Vec<Function> = (1..=10).map(|c| function("f", c)).collect();
        assert_eq!(Statistic::Max.of(&functions), 10.0);
        assert_eq!(Statistic::P90.of(&functions), 9.0);
        assert_eq!(Statistic::Mean.of(&functions), 5.5);
        // Nearest rank: with 11 functions the 10th smallest; with one, that one.
        let eleven: Vec<Function> = (1..=11).map(|c| function("f", c)).collect();
        assert_eq!(Statistic::P90.of(&eleven), 10.0);
        assert_eq!(Statistic::P90.of(&[function("f", 4)]), 4.0);
    }

    #[test]
    fn the_detail_names_the_first_of_the_most_complex_functions() {
        let functions = [function("a", 3), function("b", 7), function("c", 7)];
        let collected = summarise(&functions, Statistic::Max);
        assert_eq!(
            collected.readings[0].detail,
            "`b` in a.py:1, 7: the most complex of 3 functions"
        );
        let collected = summarise(&functions, Statistic::Mean);
        assert_eq!(collected.readings[0].value, 17.0 / 3.0);
        assert_eq!(
            collected.readings[0].detail,
            "mean of 3 functions; the most complex is `b` in a.py:1, 7"
        );
    }

    #[test]
    fn no_function_is_not_collected() {
        let collected = summarise(&[], Statistic::Max);
        assert!(collected.readings.is_empty());
        assert_eq!(collected.missing[0].metric, "code_complexity");
    }

    #[test]
    fn lizard_rows_with_quoted_commas_and_an_optional_header() {
        let text = "NLOC,CCN,token,PARAM,length,location,file,function,long_name,start,end\n\
                    5,3,20,2,5,\"f@1-5@a.c\",\"a.c\",\"f\",\"f( int a , int b)\",1,5\n";
        assert_eq!(
            lizard(text).unwrap(),
            [Function { name: "f".into(), file: "a.c".into(), line: 1, complexity: 3 }]
        );
        let error = lizard("5,3,20\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(error.message.starts_with("3 columns where lizard writes 11"), "{}", error.message);
        let error =
            lizard("1,1,1,1,1,a,a,a,a,1,1\n5,x,20,2,5,\"f@1-5@a.c\",\"a.c\",\"f\",\"f()\",1,5\n")
                .unwrap_err();
        assert_eq!(
            (error.line, error.message.as_str()),
            (
                Some(2),
                "the CCN column is `x`, not a whole number; write the report with `lizard --csv`"
            )
        );
    }

    #[test]
    fn radon_counts_methods_once_closures_too_and_classes_not_at_all() {
        let text = r#"{"a.py": [
            {"type": "class", "name": "T", "lineno": 1, "col_offset": 0, "complexity": 9,
             "methods": [{"type": "method", "name": "m", "classname": "T", "lineno": 2, "col_offset": 4, "complexity": 2}]},
            {"type": "method", "name": "m", "classname": "T", "lineno": 2, "col_offset": 4, "complexity": 2},
            {"type": "function", "name": "f", "lineno": 5, "col_offset": 0, "complexity": 1,
             "closures": [{"type": "function", "name": "g", "lineno": 6, "col_offset": 4, "complexity": 4}]}
        ]}"#;
        let names: Vec<(String, u64)> =
            radon(text).unwrap().into_iter().map(|f| (f.name, f.complexity)).collect();
        assert_eq!(names, [("T.m".to_string(), 2), ("f".to_string(), 1), ("f.g".to_string(), 4)]);
    }

    #[test]
    fn a_file_radon_could_not_parse_is_refused() {
        let error =
            radon(r#"{"bad.py": {"error": "invalid syntax (<unknown>, line 1)"}}"#).unwrap_err();
        assert_eq!(
            error.message,
            "radon could not analyse `bad.py`: invalid syntax (<unknown>, line 1); fix the file, or leave it out of the radon run"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_json_or_text_reads_or_fails_in_one_line(
            text in crate::collect::report::json_documents(),
            csv in "[0-9a-z,\"@. \\n]{0,200}",
        ) {
            for result in [radon(&text), lizard(&csv), lizard(&text)] {
                match result {
                    Ok(functions) => {
                        let collected = summarise(&functions, Statistic::P90);
                        proptest::prop_assert!(collected.readings.iter().all(|r| r.value.is_finite()));
                    }
                    Err(e) => proptest::prop_assert!(!e.message.contains('\n'), "{}", e.message),
                }
            }
        }
    }

    #[test]
    fn an_unknown_statistic_says_which_there_are() {
        assert_eq!(Statistic::from_setting(Some("P90")).unwrap(), Statistic::P90);
        assert_eq!(
            Statistic::from_setting(Some("median")).unwrap_err().message,
            "unknown complexity `statistic` `median`; use max, p90 or mean"
        );
    }
}
