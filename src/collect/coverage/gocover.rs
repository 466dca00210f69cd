//! A Go cover profile (`go test -coverprofile`): a `mode: set|count|atomic` line, then one line
//! per block, `file.go:startLine.startCol,endLine.endCol numStmts count`.
//!
//! Coverage is of statements, as `go test -cover` and `go tool cover -func` report it: each block's
//! `numStmts` counts, covered when its `count` is above 0. The same block listed more than once
//! (a run with `-coverpkg` lists a package's blocks once per test binary, and profiles are often
//! concatenated) counts once, with its largest count. A repeated `mode:` line, from concatenated
//! profiles, is skipped. Go profiles have no branch counts.

use std::collections::HashMap;

use super::{CoverageError, Totals};

/// A block of a file: start line and column, end line and column.
type Block = (u64, u64, u64, u64);

pub(super) fn totals(text: &str) -> Result<Totals, CoverageError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let Some((first_line, first)) = lines.by_ref().find(|(_, l)| !l.trim().is_empty()) else {
        return Err(CoverageError::at(
            1,
            "the profile is empty; it should start with a `mode:` line",
        ));
    };
    mode(first).ok_or_else(|| {
        CoverageError::at(
            first_line,
            format!(
                "`{}` is not a `mode: set|count|atomic` line; is this a profile from `go test -coverprofile`?",
                crate::core::text::printable(first)
            ),
        )
    })?;
    // Each file's blocks with their statements, count and line, in the order listed; a profile
    // lists a file's blocks together, so the last file is looked up without hashing.
    let mut files: Vec<Vec<(Block, u64, u64, usize)>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut last: Option<(&str, usize)> = None;
    for (n, line) in lines {
        let line = line.trim();
        if line.is_empty() || mode(line).is_some() {
            continue;
        }
        let (file, block, statements, count) = parse_block(line).ok_or_else(|| {
            CoverageError::at(
                n,
                format!(
                    "`{}` is not `file.go:line.column,line.column statements count`; regenerate the profile",
                    crate::core::text::printable(line)
                ),
            )
        })?;
        let slot = match last {
            Some((name, slot)) if name == file => slot,
            _ => *index.entry(file).or_insert_with(|| {
                files.push(Vec::new());
                files.len() - 1
            }),
        };
        last = Some((file, slot));
        files[slot].push((block, statements, count, n));
    }
    let mut totals = Totals::default();
    for blocks in &mut files {
        // The same block listed again sorts next to itself; among equals, the first listed first.
        blocks.sort_unstable_by_key(|(block, _, _, n)| (*block, *n));
        let mut i = 0;
        while i < blocks.len() {
            let (block, statements, mut count, _) = blocks[i];
            let mut j = i + 1;
            while j < blocks.len() && blocks[j].0 == block {
                if blocks[j].1 != statements {
                    return Err(CoverageError::at(
                        blocks[j].3,
                        format!(
                            "this block was listed before with a statement count of {statements}, here {}; the profiles come from different versions of the code",
                            blocks[j].1
                        ),
                    ));
                }
                count = count.max(blocks[j].2);
                j += 1;
            }
            totals.lines_total += statements;
            if count > 0 {
                totals.lines_covered += statements;
            }
            i = j;
        }
    }
    Ok(totals)
}

fn mode(line: &str) -> Option<&str> {
    let mode = line.strip_prefix("mode:")?.trim();
    matches!(mode, "set" | "count" | "atomic").then_some(mode)
}

/// `file.go:1.2,3.4 5 6`, read from the end as Go's own parser does, so a file name may hold
/// colons and spaces.
fn parse_block(line: &str) -> Option<(&str, Block, u64, u64)> {
    let (rest, count) = line.rsplit_once(' ')?;
    let (rest, statements) = rest.rsplit_once(' ')?;
    let (file, range) = rest.rsplit_once(':')?;
    let (start, end) = range.split_once(',')?;
    let (start_line, start_col) = start.split_once('.')?;
    let (end_line, end_col) = end.split_once('.')?;
    let number = |t: &str| t.parse::<u64>().ok();
    if file.is_empty() {
        return None;
    }
    let block = (number(start_line)?, number(start_col)?, number(end_line)?, number(end_col)?);
    Some((file, block, number(statements)?, number(count)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_of_blocks_that_ran_are_covered() {
        let text = "mode: count\nm/a.go:3.20,5.2 2 7\nm/a.go:5.2,6.3 1 0\nm/b.go:1.1,2.2 3 1\n";
        let t = totals(text).unwrap();
        assert_eq!((t.lines_covered, t.lines_total, t.branches_total), (5, 6, 0));
    }

    #[test]
    fn a_block_listed_twice_counts_once_with_its_largest_count() {
        let text = "mode: set\nm/a.go:3.20,5.2 2 0\nm/a.go:5.2,6.3 1 1\nm/a.go:3.20,5.2 2 1\nm/a.go:5.2,6.3 1 0\n";
        let t = totals(text).unwrap();
        assert_eq!((t.lines_covered, t.lines_total), (3, 3));
    }

    #[test]
    fn concatenated_profiles_with_a_mode_line_each_read_as_one() {
        let text =
            "mode: set\nm/a.go:1.1,2.2 1 0\nmode: set\nm/a.go:1.1,2.2 1 1\nm/b.go:1.1,2.2 1 0\n";
        let t = totals(text).unwrap();
        assert_eq!((t.lines_covered, t.lines_total), (1, 2));
    }

    #[test]
    fn a_file_name_with_spaces_and_colons_is_read_from_the_end() {
        let t = totals("mode: atomic\r\nC:/src/my pkg/a.go:1.1,2.2 4 1\r\n").unwrap();
        assert_eq!((t.lines_covered, t.lines_total), (4, 4));
    }

    #[test]
    fn errors_name_the_line() {
        let errors: Vec<String> = [
            "",
            "\nSF:a.c\n",
            "mode: set\na.go:1.1,2.2 1\n",
            "mode: set\na.go:1.1-2.2 1 1\n",
            "mode: set\na.go:1.1,2.2 1 1\na.go:1.1,2.2 2 1\n",
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
