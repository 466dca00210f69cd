//! Line numbers for a CSV reader: a reader wrapper that notes where lines start as bytes pass
//! through it, so that a record's byte position becomes the line its text starts on. The csv
//! crate's own count falls one short after a CRLF line ending and names a skipped blank line
//! instead of the record after it (rust-csv issues 395 and 208); spreadsheets write CRLF.
//!
//! Memory stays bounded: positions are asked for in order, so only the lines between the record
//! being read and the end of what the csv reader has buffered are kept. And the usual file costs
//! next to nothing: until its first CR or blank line, the csv crate's numbers are right, so lines
//! are only counted, a chunk at a time.

use std::collections::VecDeque;
use std::io::{self, Read};

/// The longest row kpi reads, in bytes: no real row of measurements comes near it, and a reader
/// handed `/dev/zero` or a file with a quote that never closes must stop in constant memory.
pub const MAX_ROW_BYTES: u64 = 1024 * 1024;

/// What went wrong with the text itself, found while it passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// A row, starting on this line, longer than [`MAX_ROW_BYTES`].
    RowTooLong { line: u64 },
    /// The input ended inside a quoted field.
    UnterminatedQuote,
}

/// Where a reader is in CSV quoting: enough to tell where a row ends, without parsing fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Outside,
    Inside,
    /// Inside, right after a quote: the next byte tells whether the quote closed the field or
    /// was the first half of an escaped `""`.
    InsideAfterQuote,
}

/// A line with text on it: where the text starts, where the line's break is, and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    start: u64,
    /// The offset of the break that ends the line; `u64::MAX` while it has not been read.
    end: u64,
    number: u64,
}

/// Counts lines in what it reads. A line ends at LF, CRLF or a lone CR, as the csv crate reads them.
#[derive(Debug)]
pub struct Lines<R> {
    inner: R,
    /// Bytes passed on so far.
    read: u64,
    /// Where the current line starts and its number.
    line_start: u64,
    number: u64,
    /// Lines are indexed from `line_start` at the first CR or blank line; positions before it are
    /// numbered right by the csv crate.
    indexed_from: Option<u64>,
    /// The last break read was a CR right before `line_start`: a LF there completes a CRLF.
    after_cr: bool,
    /// Lines with text not yet passed by the positions asked for, in order. The last one is still
    /// open (`end` unknown) when the current line has text.
    pending: VecDeque<Line>,
    delimiter: u8,
    quoting: Quoting,
    /// The last byte passed on: a quote after a delimiter or line break opens a quoted field.
    last: Option<u8>,
    /// Where the current row starts (after a line break outside quotes), and its line.
    row_start: u64,
    row_line: u64,
    problem: Option<TextProblem>,
}

impl<R: Read> Lines<R> {
    /// Counts the lines of `inner`, a CSV text whose fields are separated by `delimiter`.
    pub fn new(inner: R, delimiter: u8) -> Self {
        Lines {
            inner,
            read: 0,
            line_start: 0,
            number: 1,
            indexed_from: None,
            after_cr: false,
            pending: VecDeque::new(),
            delimiter,
            quoting: Quoting::Outside,
            last: None,
            row_start: 0,
            row_line: 1,
            problem: None,
        }
    }

    /// What is wrong with the text read so far, if anything: once a row is too long, reading
    /// fails; at the end of an input inside quotes, reading ends as usual and this says so.
    pub fn problem(&self) -> Option<TextProblem> {
        self.problem
    }

    /// Follows CSV quoting through `bytes` (offsets from `base`; `number` is the line the chunk
    /// ends on) to find where rows end. Quotes are found with `memchr`, and only a quote at the
    /// start of a field opens one, as the csv crate reads them.
    fn follow_quotes(&mut self, bytes: &[u8], base: u64, number: u64) {
        let mut i = 0;
        let mut row_end = None;
        while i < bytes.len() {
            match self.quoting {
                Quoting::InsideAfterQuote => {
                    if bytes[i] == b'"' {
                        self.quoting = Quoting::Inside;
                        i += 1;
                    } else {
                        self.quoting = Quoting::Outside;
                    }
                }
                Quoting::Inside => match memchr::memchr(b'"', &bytes[i..]) {
                    Some(at) => {
                        self.quoting = Quoting::InsideAfterQuote;
                        i += at + 1;
                    }
                    None => i = bytes.len(),
                },
                Quoting::Outside => {
                    let quote = memchr::memchr(b'"', &bytes[i..]).map(|at| i + at);
                    let segment = &bytes[i..quote.unwrap_or(bytes.len())];
                    if let Some(first) = memchr::memchr2(b'\n', b'\r', segment) {
                        // The row that was open ends here: it may have crossed the limit
                        // within this chunk.
                        let open_from = row_end.map_or(self.row_start, |end| base + end as u64 + 1);
                        if row_end.is_none()
                            && base + (i + first) as u64 - open_from > MAX_ROW_BYTES
                        {
                            self.problem = Some(TextProblem::RowTooLong { line: self.row_line });
                        }
                        let last = memchr::memrchr2(b'\n', b'\r', segment).unwrap_or(first);
                        row_end = Some(i + last);
                    }
                    let Some(quote) = quote else { break };
                    let before = if quote == 0 { self.last } else { Some(bytes[quote - 1]) };
                    let at_field_start = match before {
                        None => true,
                        Some(b) => b == self.delimiter || b == b'\n' || b == b'\r',
                    } || (base + quote as u64 == 3 && after_bom(bytes, quote));
                    if at_field_start {
                        self.quoting = Quoting::Inside;
                    }
                    i = quote + 1;
                }
            }
        }
        if let Some(end) = row_end {
            // The lines after the row's break in this chunk are inside the new row.
            let tail = &bytes[end + 1..];
            let breaks = memchr::memchr2_iter(b'\n', b'\r', tail)
                .filter(|&at| {
                    !(tail[at] == b'\n'
                        && (at == 0 && bytes[end] == b'\r' || at > 0 && tail[at - 1] == b'\r'))
                })
                .count() as u64;
            self.row_start = base + end as u64 + 1;
            self.row_line = number.saturating_sub(breaks);
        }
        if let Some(&b) = bytes.last() {
            self.last = Some(b);
        }
        if self.problem.is_none() && base + bytes.len() as u64 - self.row_start > MAX_ROW_BYTES {
            self.problem = Some(TextProblem::RowTooLong { line: self.row_line });
        }
    }

    /// The line of the first text at or after byte `position`, as the csv crate reports a record's
    /// start (it may point at the end of the previous line break, or at blank lines before the
    /// record); `csv_line` is the line the csv crate gives. Positions must be asked for in order.
    pub fn line_of(&mut self, position: u64, csv_line: u64) -> u64 {
        if self.indexed_from.is_none_or(|from| position < from) {
            return csv_line;
        }
        while self.pending.get(1).is_some_and(|next| next.start <= position) {
            self.pending.pop_front();
        }
        match (self.pending.front(), self.pending.get(1)) {
            (Some(line), _) if line.start <= position && position < line.end => line.number,
            (Some(line), _) if line.start > position => line.number,
            (Some(_), Some(next)) => next.number,
            _ => csv_line,
        }
    }

    /// Notes the lines in `bytes`, which start at offset `self.read`.
    fn scan(&mut self, bytes: &[u8]) {
        if self.indexed_from.is_none() {
            let blank_line = (self.line_start == self.read && bytes.first() == Some(&b'\n'))
                || memchr::memmem::find(bytes, b"\n\n").is_some();
            if !blank_line && memchr::memchr(b'\r', bytes).is_none() {
                // Only LF line breaks, and none blank: count them.
                if let Some(last) = memchr::memrchr(b'\n', bytes) {
                    self.number += memchr::memchr_iter(b'\n', bytes).count() as u64;
                    self.line_start = self.read + last as u64 + 1;
                }
                return;
            }
            self.indexed_from = Some(self.line_start);
            if self.line_start < self.read {
                let open = Line { start: self.line_start, end: u64::MAX, number: self.number };
                self.pending.push_back(open);
            }
        }
        let base = self.read;
        let mut text_from = 0;
        for at in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            self.text(base, text_from, at);
            text_from = at + 1;
            let offset = base + at as u64;
            if bytes[at] == b'\n' && self.after_cr && offset == self.line_start {
                // The LF of a CRLF: the line break was counted at its CR.
                self.line_start = offset + 1;
                self.after_cr = false;
                continue;
            }
            if let Some(open) = self.pending.back_mut().filter(|l| l.end == u64::MAX) {
                open.end = offset;
            }
            self.number += 1;
            self.line_start = offset + 1;
            self.after_cr = bytes[at] == b'\r';
        }
        self.text(base, text_from, bytes.len());
    }

    /// Notes that `bytes[from..to]` (offsets from `base`) is text on the current line, if not empty.
    fn text(&mut self, base: u64, from: usize, to: usize) {
        let open = self.pending.back().is_some_and(|l| l.end == u64::MAX);
        if from < to && !open {
            let start = base + from as u64;
            self.pending.push_back(Line { start, end: u64::MAX, number: self.number });
        }
    }
}

/// Whether the three bytes before `at` (the start of the input) are a byte order mark.
fn after_bom(bytes: &[u8], at: usize) -> bool {
    at == 3 && bytes[..3] == [0xef, 0xbb, 0xbf]
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(TextProblem::RowTooLong { .. }) = self.problem {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "row too long"));
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.quoting == Quoting::Inside {
                self.problem = Some(TextProblem::UnterminatedQuote);
            }
            return Ok(0);
        }
        self.scan(&buf[..n]);
        self.follow_quotes(&buf[..n], self.read, self.number);
        self.read += n as u64;
        if let Some(TextProblem::RowTooLong { .. }) = self.problem {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "row too long"));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line the csv crate gives for a position: one more than the LF bytes before it.
    #[allow(clippy::naive_bytecount)] // a test's oracle: plainly right beats fast
    fn csv_line(text: &[u8], position: u64) -> u64 {
        1 + text[..usize::try_from(position).unwrap()].iter().filter(|&&b| b == b'\n').count()
            as u64
    }

    /// Reads `text` through `Lines` in chunks of `chunk` bytes and asks for the line at each of
    /// `positions`.
    fn lines_at(text: &[u8], chunk: usize, positions: &[u64]) -> Vec<u64> {
        let mut lines = Lines::new(text, b',');
        let mut buf = vec![0; chunk];
        while lines.read(&mut buf).unwrap() > 0 {}
        positions.iter().map(|&p| lines.line_of(p, csv_line(text, p))).collect()
    }

    #[test]
    fn a_position_at_text_is_on_its_own_line_whatever_the_line_endings() {
        for (text, starts) in [
            (&b"a,b\nc,d\ne,f\n"[..], [0, 4, 8]),
            (b"a,b\r\nc,d\r\ne,f\r\n", [0, 5, 10]),
            (b"a,b\rc,d\re,f\r", [0, 4, 8]),
        ] {
            for chunk in [1, 2, 3, 64] {
                assert_eq!(lines_at(text, chunk, &starts), [1, 2, 3], "{text:?} in {chunk}s");
            }
        }
    }

    #[test]
    fn a_position_before_a_record_finds_the_text_after_breaks_and_blank_lines() {
        // The csv crate starts the second record at the LF of the CRLF, and the third at the first
        // blank line before it.
        let text = b"a,b\r\nc,d\r\n\r\n\n\re,f";
        for chunk in [1, 2, 5, 64] {
            assert_eq!(lines_at(text, chunk, &[0, 4, 9]), [1, 2, 6], "in {chunk}s");
        }
    }

    #[test]
    fn text_after_a_byte_order_mark_or_inside_a_line_is_on_that_line() {
        assert_eq!(lines_at("\u{feff}a,b\nc".as_bytes(), 2, &[3, 5, 7]), [1, 1, 2]);
    }

    #[test]
    fn a_quoted_field_over_several_lines_starts_where_its_record_starts() {
        let text = b"a,b\n\"x\n\ny\",z\nq,r\n";
        assert_eq!(lines_at(text, 3, &[0, 4, 14]), [1, 2, 5]);
    }

    #[test]
    fn memory_holds_only_lines_not_yet_asked_about() {
        let text = "a\r\n".repeat(5_000) + &"a\n".repeat(5_000);
        let mut lines = Lines::new(text.as_bytes(), b',');
        let mut buf = [0; 64];
        let mut most = 0;
        for record in 0..10_000u64 {
            let position = 3 * record.min(5_000) + 2 * record.saturating_sub(5_000);
            // Read ahead of the position asked about, as the csv reader does, until the end.
            while lines.read < position + 64 && lines.read(&mut buf).unwrap() > 0 {}
            assert_eq!(lines.line_of(position, 0), record + 1);
            most = most.max(lines.pending.len());
        }
        // At most the 128 bytes read ahead of the position asked about: 64 two-byte lines.
        assert!(most <= 65, "{most} lines kept");
    }

    proptest::proptest! {
        #[test]
        fn every_record_start_is_on_the_line_a_naive_count_gives(
            pieces in proptest::collection::vec(
                proptest::sample::select(&["a", "bc,d", "\n", "\r\n", "\r", "\u{feff}"][..]),
                0..60,
            ),
            chunk in 1..20usize,
        ) {
            let text = pieces.concat().into_bytes();
            // Where the csv crate may say a record starts: at the start of a line (blank or not),
            // or at the LF of a CRLF; and the line of the first text at or after it, counted
            // naively.
            let mut line = 1;
            let mut line_of_byte = Vec::new();
            for (i, &b) in text.iter().enumerate() {
                line_of_byte.push(line);
                let crlf = b == b'\r' && text.get(i + 1) == Some(&b'\n');
                if (b == b'\n' || b == b'\r') && !crlf {
                    line += 1;
                }
            }
            let first_text = |p: usize| (p..text.len()).find(|&i| !matches!(text[i], b'\n' | b'\r'));
            let starts: Vec<usize> = (0..text.len())
                .filter(|&i| i == 0 || matches!(text[i - 1], b'\n' | b'\r'))
                .filter(|&i| first_text(i).is_some())
                .collect();
            let expected: Vec<u64> =
                starts.iter().filter_map(|&p| first_text(p)).map(|i| line_of_byte[i]).collect();
            let asked: Vec<u64> = starts.iter().map(|&p| p as u64).collect();
            proptest::prop_assert_eq!(lines_at(&text, chunk, &asked), expected, "{:?}", String::from_utf8_lossy(&text));
        }
    }
}
