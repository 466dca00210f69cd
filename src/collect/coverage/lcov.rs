//! The lcov tracefile, as geninfo(1) defines it: per source file a section from `SF:<path>` to
//! `end_of_record`, with `DA:<line>,<count>[,<checksum>]` per instrumented line,
//! `BRDA:<line>,<block>,<branch>,<taken>` per branch (`taken` is `-` when the block never ran),
//! and the summaries `LF`/`LH` (lines found and hit) and `BRF`/`BRH` (branches).
//!
//! Counted as `lcov --summary` counts them: from the `DA` and `BRDA` records, with the records of
//! one file merged across sections (a concatenated tracefile lists a file once per run), so a line
//! is counted once and is covered if any record of it has a count above 0. `LF`/`LH` and
//! `BRF`/`BRH` are only used for a file that has no `DA` (or `BRDA`) records at all. A last section
//! without `end_of_record` still counts. Other records (`TN`, `FN`, `FNDA`, `VER`, ...) are skipped.

use std::collections::HashMap;

use super::{CoverageError, Totals};

/// One source file's records, over every section that names it.
#[derive(Default)]
struct File<'a> {
    /// Line number and execution count, per `DA` record.
    lines: Vec<(u64, u64)>,
    /// Branch (`line,block,branch`) and times taken (0 for `-`), per `BRDA` record.
    branches: Vec<((u64, &'a str, &'a str), u64)>,
    /// `LF`, `LH`, `BRF`, `BRH`, summed over the file's sections.
    found: [u64; 4],
}

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let mut files: Vec<File<'_>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let line = line.trim();
        if line == "end_of_record" {
            current = None;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { continue };
        if key == "SF" {
            current = Some(*index.entry(value).or_insert_with(|| {
                files.push(File::default());
                files.len() - 1
            }));
            continue;
        }
        if !matches!(key, "DA" | "BRDA" | "LF" | "LH" | "BRF" | "BRH") {
            continue;
        }
        let Some(slot) = current else {
            return Err(CoverageError::at(
                n,
                format!(
                    "`{key}` record before any `SF:` line; each file's records start with `SF:<path>`"
                ),
            ));
        };
        let file = &mut files[slot];
        match key {
            "DA" => {
                let record = da(value).ok_or_else(|| malformed(n, line, "DA:<line>,<count>"))?;
                file.lines.push(record);
            }
            "BRDA" => {
                let record = brda(value)
                    .ok_or_else(|| malformed(n, line, "BRDA:<line>,<block>,<branch>,<taken>"))?;
                file.branches.push(record);
            }
            _ => {
                let count = value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| malformed(n, line, &format!("{key}:<count>")))?;
                let slot = match key {
                    "LF" => 0,
                    "LH" => 1,
                    "BRF" => 2,
                    _ => 3,
                };
                file.found[slot] = file.found[slot].saturating_add(count);
            }
        }
    }
    if files.is_empty() {
        return Err(CoverageError::new(
            "no `SF:` line, so this is not an lcov tracefile (or it is empty); check the path, and that the tests ran with coverage on",
        ));
    }
    let mut totals = Totals::default();
    for file in &mut files {
        let (lines_covered, lines_total) = if file.lines.is_empty() {
            (file.found[1], file.found[0])
        } else {
            merged(&mut file.lines)
        };
        let (branches_covered, branches_total) = if file.branches.is_empty() {
            (file.found[3], file.found[2])
        } else {
            merged(&mut file.branches)
        };
        totals = totals + Totals { lines_covered, lines_total, branches_covered, branches_total };
    }
    Ok(totals)
}

/// Records of the same line (or branch) merged: (how many ran, how many there are).
fn merged<K: Ord + Copy>(records: &mut [(K, u64)]) -> (u64, u64) {
    records.sort_unstable_by_key(|(key, _)| *key);
    let (mut covered, mut total) = (0, 0);
    for group in records.chunk_by(|a, b| a.0 == b.0) {
        total += 1;
        covered += u64::from(group.iter().any(|(_, hits)| *hits > 0));
    }
    (covered, total)
}

fn malformed(n: usize, line: &str, shape: &str) -> CoverageError {
    CoverageError::at(
        n,
        format!(
            "`{}` is not `{shape}`; regenerate the tracefile",
            crate::core::text::printable(line)
        ),
    )
}

/// `<line>,<count>[,<checksum>]`. A negative count (an overflowed gcov counter) ran.
fn da(value: &str) -> Option<(u64, u64)> {
    let mut fields = value.split(',');
    let line = fields.next()?.trim().parse().ok()?;
    let count = fields.next()?.trim();
    let hits = match count.parse::<u64>() {
        Ok(hits) => hits,
        Err(_) => count.parse::<i64>().ok().map(i64::unsigned_abs)?,
    };
    Some((line, hits))
}

/// `<line>,<block>,<branch>,<taken>`; the branch may itself hold commas (lcov 2 writes
/// expressions there), so `taken` is the last field.
fn brda(value: &str) -> Option<((u64, &str, &str), u64)> {
    let (line, rest) = value.split_once(',')?;
    let (block, rest) = rest.split_once(',')?;
    let (branch, taken) = rest.rsplit_once(',')?;
    let taken = match taken.trim() {
        "-" => 0,
        taken => taken.parse().ok()?,
    };
    Some(((line.trim().parse().ok()?, block, branch), taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: Totals) -> (u64, u64) {
        (t.lines_covered, t.lines_total)
    }

    fn branches(t: Totals) -> (u64, u64) {
        (t.branches_covered, t.branches_total)
    }

    #[test]
    fn lines_and_branches_come_from_da_and_brda_records() {
        let text = "TN:\nSF:a.c\nFN:1,main\nFNDA:1,main\nDA:1,1\nDA:2,0\nDA:3,5,abc\nBRDA:2,0,0,1\nBRDA:2,0,1,-\nBRDA:3,0,0,0\nLF:3\nLH:2\nend_of_record\n";
        let t = totals(text).unwrap();
        assert_eq!((lines(t), branches(t)), ((2, 3), (1, 3)));
    }

    #[test]
    fn a_file_without_lf_and_lh_is_counted_from_its_da_records() {
        let t = totals("SF:a.c\nDA:1,1\nDA:2,0\nend_of_record\n").unwrap();
        assert_eq!(lines(t), (1, 2));
    }

    #[test]
    fn lf_and_lh_that_disagree_with_the_da_records_lose_to_them() {
        let t = totals("SF:a.c\nDA:1,1\nDA:2,0\nLF:10\nLH:10\nend_of_record\n").unwrap();
        assert_eq!(lines(t), (1, 2));
    }

    #[test]
    fn a_file_with_only_summaries_is_counted_from_them() {
        let t = totals("SF:a.c\nLF:10\nLH:7\nBRF:4\nBRH:1\nend_of_record\n").unwrap();
        assert_eq!((lines(t), branches(t)), ((7, 10), (1, 4)));
    }

    #[test]
    fn the_same_line_in_two_sections_counts_once_and_is_covered_if_either_ran_it() {
        let text = "SF:a.c\nDA:1,0\nDA:2,0\nBRDA:1,0,0,-\nend_of_record\nSF:b.c\nDA:1,0\nend_of_record\nSF:a.c\nDA:1,3\nDA:2,0\nBRDA:1,0,0,2\nend_of_record\n";
        let t = totals(text).unwrap();
        assert_eq!((lines(t), branches(t)), ((1, 3), (1, 1)));
    }

    #[test]
    fn the_same_line_twice_in_one_section_counts_once() {
        let t = totals("SF:a.c\nDA:4,0\nDA:4,2\nend_of_record\n").unwrap();
        assert_eq!(lines(t), (1, 1));
    }

    #[test]
    fn a_last_section_without_end_of_record_still_counts() {
        let t = totals("SF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:1,0\nDA:2,1").unwrap();
        assert_eq!(lines(t), (2, 3));
    }

    #[test]
    fn a_new_sf_line_ends_a_section_that_was_not_ended() {
        let t = totals("SF:a.c\nDA:1,1\nSF:b.c\nDA:1,0\nend_of_record\n").unwrap();
        assert_eq!(lines(t), (1, 2));
    }

    #[test]
    fn windows_line_endings_and_unknown_records_are_fine() {
        let t = totals(
            "VER:2.0\r\nSF:a.c\r\nFNL:0,1,2\r\nDA:1,1\r\nMCDC:1,2,t,1,0,a\r\nend_of_record\r\n",
        )
        .unwrap();
        assert_eq!(lines(t), (1, 1));
    }

    #[test]
    fn a_branch_named_by_an_expression_with_commas_is_one_branch() {
        let t = totals(
            "SF:a.c\nDA:1,1\nBRDA:1,0,(a, b) == 1,1\nBRDA:1,0,(a, b) == 2,0\nend_of_record\n",
        )
        .unwrap();
        assert_eq!(branches(t), (1, 2));
    }

    #[test]
    fn a_negative_count_from_an_overflowed_counter_ran() {
        let t = totals("SF:a.c\nDA:1,-3\nend_of_record\n").unwrap();
        assert_eq!(lines(t), (1, 1));
    }

    #[test]
    fn malformed_records_are_errors_on_their_line() {
        let errors: Vec<String> = [
            "SF:a.c\nDA:1\n",
            "SF:a.c\nDA:x,1\n",
            "SF:a.c\nBRDA:1,0,0,often\n",
            "SF:a.c\nLF:many\n",
            "TN:t\nDA:1,1\n",
            "mode: set\na.go:1.1,2.2 1 1\n",
        ]
        .iter()
        .map(|text| {
            let e = totals(text).unwrap_err();
            format!("line {:?}: {e}", e.line)
        })
        .collect();
        insta::assert_snapshot!(errors.join("\n"));
    }
}
