//! Text from inputs made safe to show: control and invisible characters become visible escapes, so
//! that a name, scope, unit or value echoed back cannot colour, move or clear a terminal, forge a
//! line of output or a CI log, reorder or hide the text around it; and a message quotes only the
//! start of a long text, so a 50 MB name does not become a 50 MB error line. Pure: it neither knows
//! nor writes to a terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// How many characters of an input text a message shows (escapes count as the characters they
/// show) before cutting it short with `…`: enough for any real name, value or path.
pub const SHOWN: usize = 80;

/// Whether `c` would act or hide rather than show: a C0 or C1 control (which includes the escape
/// that starts ANSI sequences), a bidirectional formatting character, which reorders the text after
/// it ("Trojan Source"), a line or paragraph separator, which some terminals, editors and JSON
/// readers take as a line break, or an invisible character: Unicode's format characters (zero-width
/// spaces and joiners, the soft hyphen, the byte order mark, word joiners, the tag characters that
/// spell hidden text) and the Hangul fillers, which show as blanks.
pub fn acts(c: char) -> bool {
    c.is_control() || (c > '\u{7f}' && hides(c))
}

/// Unicode's format characters (general category Cf, as of Unicode 15.1), the line and paragraph
/// separators and the Hangul fillers.
fn hides(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// `text` with the characters that act (see [`acts`]) and are not kept written as escapes, cut
/// short with `…` once it would show more than `limit` characters.
fn escape(text: &str, keep: impl Fn(char) -> bool, limit: usize) -> Cow<'_, str> {
    let changes = |c: char| acts(c) && !keep(c);
    // Most texts show as they are: find where the first change is needed without copying.
    let mut shown = 0;
    let mut plain = text.len();
    for (i, c) in text.char_indices() {
        if shown == limit || changes(c) {
            plain = i;
            break;
        }
        shown += 1;
    }
    if plain == text.len() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(plain + 16);
    out.push_str(&text[..plain]);
    let mut piece = String::new();
    for c in text[plain..].chars() {
        piece.clear();
        match c {
            c if !changes(c) => piece.push(c),
            '\n' => piece.push_str("\\n"),
            '\r' => piece.push_str("\\r"),
            '\t' => piece.push_str("\\t"),
            c => {
                write!(piece, "\\u{{{:x}}}", u32::from(c)).ok();
            }
        }
        // An escape is ASCII, so its bytes are its characters.
        let width = if changes(c) { piece.len() } else { 1 };
        if shown + width > limit {
            out.push('…');
            break;
        }
        out.push_str(&piece);
        shown += width;
    }
    Cow::Owned(out)
}

/// `text` as a message quotes it: every control, bidirectional formatting and invisible character
/// written as an escape (`\n`, `\t`, `\u{1b}`, `\u{202e}`, `\u{200b}`), and at most [`SHOWN`]
/// characters of it, then `…`. For a value, name, scope or path inside a message.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, |_| false, SHOWN)
}

/// As [`printable`], showing at most `limit` characters before the `…`.
pub fn printable_within(text: &str, limit: usize) -> Cow<'_, str> {
    escape(text, |_| false, limit)
}

/// As [`printable`], but whole however long: for text that is output in its own right (a table
/// cell, a report line), not quoted in a message.
pub fn printable_whole(text: &str) -> Cow<'_, str> {
    escape(text, |_| false, usize::MAX)
}

/// As [`printable_whole`], but leaving the characters in `keep` as they are: line breaks in a whole
/// message whose lines are its own, or in text for a format that escapes line breaks its own way.
pub fn printable_keeping<'t>(text: &'t str, keep: &[char]) -> Cow<'t, str> {
    escape(text, |c| keep.contains(&c), usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_sequences_and_other_controls_become_visible_escapes() {
        assert_eq!(printable("api\x1b[31mred\x1b[0m"), "api\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(printable("a\nb\r\tc\0d\x7f\u{9b}2J"), "a\\nb\\r\\tc\\u{0}d\\u{7f}\\u{9b}2J");
    }

    #[test]
    fn bidirectional_overrides_are_escaped_too() {
        assert_eq!(printable("admin\u{202e}txt.exe"), "admin\\u{202e}txt.exe");
        assert_eq!(printable("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn ordinary_text_is_left_alone_and_not_copied() {
        for text in ["Response Time", "p99 < 200 ms | 50%", "café ✅ 東京 µs", ""] {
            assert!(matches!(printable(text), Cow::Borrowed(t) if t == text), "{text}");
        }
    }

    #[test]
    fn invisible_characters_and_line_separators_are_escaped_too() {
        let hidden = "a\u{2028}b\u{2029}c\u{200b}d\u{feff}e\u{ad}f\u{200c}\u{200d}\u{2060}g\u{e0041}\u{3164}";
        assert_eq!(
            printable_whole(hidden),
            "a\\u{2028}b\\u{2029}c\\u{200b}d\\u{feff}e\\u{ad}f\\u{200c}\\u{200d}\\u{2060}g\\u{e0041}\\u{3164}"
        );
        for c in ['\u{2028}', '\u{200b}', '\u{feff}', '\u{ad}', '\u{e007f}', '\u{1d173}'] {
            assert!(acts(c), "{c:?}");
        }
        // Visible letters, marks and emoji around the ranges stay as they are.
        for c in
            ['\u{ac}', '\u{ae}', '\u{2027}', '\u{2030}', '\u{fe0f}', '\u{fefe}', '\u{e0080}', 'é']
        {
            assert!(!acts(c), "{c:?}");
        }
    }

    #[test]
    fn a_long_text_shows_its_first_characters_then_an_ellipsis() {
        let long = "x".repeat(50_000);
        let shown = printable(&long);
        assert_eq!(shown, format!("{}…", "x".repeat(SHOWN)));
        let exactly = "y".repeat(SHOWN);
        assert!(matches!(printable(&exactly), Cow::Borrowed(t) if t == exactly));
        assert_eq!(printable_within("abcdef", 3), "abc…");
        assert_eq!(printable_within("東京東京", 2), "東京…");
        assert_eq!(printable_whole(&long), long);
    }

    #[test]
    fn escapes_count_as_the_characters_they_show_and_are_never_cut_in_half() {
        let text = format!("{}\u{1b}[0m", "z".repeat(SHOWN - 3));
        assert_eq!(printable(&text), format!("{}…", "z".repeat(SHOWN - 3)));
        let text = format!("{}\u{1b}", "z".repeat(SHOWN - 6));
        assert_eq!(printable(&text), format!("{}\\u{{1b}}", "z".repeat(SHOWN - 6)));
        let hostile = "\u{202e}".repeat(1000);
        assert!(printable(&hostile).chars().count() <= SHOWN + 1);
    }

    #[test]
    fn whole_messages_keep_the_line_breaks_asked_for() {
        assert_eq!(
            printable_keeping("2 problems:\n  a\x1b[2J\r", &['\n']),
            "2 problems:\n  a\\u{1b}[2J\\r"
        );
        assert_eq!(printable_keeping("a\r\nb\x07", &['\n', '\r']), "a\r\nb\\u{7}");
    }
}
