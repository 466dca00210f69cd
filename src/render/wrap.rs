//! Text fitted to a terminal's width, measured in display cells (a `█` or an `é` is one cell, a
//! wide CJK character two, whatever its bytes): word wrapping with hanging indents, and sharing a
//! width out among a table's columns. Pure: it neither knows nor asks the terminal.

use unicode_width::UnicodeWidthStr;

/// The width of a line of plain text, in display cells.
pub fn width(text: &str) -> usize {
    text.width()
}

/// The width of the widest line of a text.
pub fn block_width(text: &str) -> usize {
    text.lines().map(width).max().unwrap_or(0)
}

/// The width of the longest word (run of characters between spaces) of a text.
pub fn longest_word(text: &str) -> usize {
    text.split([' ', '\n']).map(width).max().unwrap_or(0)
}

/// Wraps `text` at spaces into lines of at most `limit` cells: the first line starts with `first`,
/// the others with `rest`, so a wrapped item keeps its indent. A word longer than a line is cut;
/// line breaks in `text` are kept.
pub fn wrap(text: &str, limit: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    let next_line = |lines: &mut Vec<String>, line: &mut String, empty: &mut bool| {
        lines.push(std::mem::replace(line, rest.to_string()));
        *empty = true;
    };
    for (i, paragraph) in text.split('\n').enumerate() {
        if i > 0 {
            next_line(&mut lines, &mut line, &mut empty);
        }
        for word in paragraph.split(' ').filter(|w| !w.is_empty()) {
            if width(&line) + usize::from(!empty) + width(word) > limit && !empty {
                next_line(&mut lines, &mut line, &mut empty);
            }
            if !empty {
                line.push(' ');
            }
            // A word too long for a line of its own is cut where the line ends.
            for c in word.chars() {
                let cell = width(c.encode_utf8(&mut [0; 4]));
                if width(&line) + cell > limit && !empty {
                    next_line(&mut lines, &mut line, &mut empty);
                }
                line.push(c);
                empty = false;
            }
        }
    }
    lines.push(line);
    lines
}

/// Each column's width for a table of at most `limit` cells, or `None` when even the narrowest
/// columns do not fit. `natural` is what each column's widest cell needs, `min` what it needs
/// wrapped at every space (its longest word; the same as `natural` for a column that must not
/// wrap); `overhead` is what the borders and padding take. Columns get their natural width when
/// all fit; otherwise each gets its minimum and the room left is shared a cell at a time among the
/// columns that still want more.
pub fn share(
    natural: &[usize],
    min: &[usize],
    overhead: usize,
    limit: usize,
) -> Option<Vec<usize>> {
    let sum = |w: &[usize]| w.iter().sum::<usize>() + overhead;
    if sum(natural) <= limit {
        return Some(natural.to_vec());
    }
    if sum(min) > limit {
        return None;
    }
    let mut widths = min.to_vec();
    let mut room = limit - sum(min);
    while room > 0 {
        let before = room;
        for (width, natural) in widths.iter_mut().zip(natural) {
            if room > 0 && *width < *natural {
                *width += 1;
                room -= 1;
            }
        }
        if room == before {
            break;
        }
    }
    Some(widths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_keep_their_indent_and_never_pass_the_limit() {
        let lines = wrap("Mean Time to Recovery (MTTR)", 14, "  ", "  ");
        assert_eq!(lines, ["  Mean Time to", "  Recovery", "  (MTTR)"]);
        let lines = wrap("6 points too high: pass is at most 70%", 20, "  ", "    ");
        assert_eq!(lines, ["  6 points too high:", "    pass is at most", "    70%"]);
    }

    #[test]
    fn width_counts_display_cells_not_bytes() {
        assert_eq!(width("█▇▆"), 3);
        assert_eq!(width("日本"), 4);
        let lines = wrap("日本語のテキスト", 6, "", "");
        assert!(lines.iter().all(|l| width(l) <= 6), "{lines:?}");
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_and_line_breaks_are_kept() {
        assert_eq!(wrap("abcdefgh", 3, "", ""), ["abc", "def", "gh"]);
        assert_eq!(wrap("a\nb c", 10, "- ", "  "), ["- a", "  b c"]);
    }

    #[test]
    fn columns_share_the_room_left_after_their_minimum() {
        assert_eq!(share(&[10, 20], &[4, 5], 7, 100), Some(vec![10, 20]));
        assert_eq!(share(&[10, 20], &[4, 5], 7, 27), Some(vec![10, 10]));
        assert_eq!(share(&[10, 20], &[4, 5], 7, 15), None);
    }
}
