//! Text from inputs made safe to show: control characters become visible escapes, so that a name,
//! scope, unit or value echoed back cannot colour, move or clear a terminal, forge a line of output
//! or a CI log, or reorder the text around it. Pure: it neither knows nor writes to a terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` would act rather than show: a C0 or C1 control (which includes the escape that
/// starts ANSI sequences), or a bidirectional formatting character, which reorders the text after
/// it ("Trojan Source").
pub fn acts(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| acts(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !acts(c) || keep(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => {
                write!(out, "\\u{{{:x}}}", u32::from(c)).ok();
            }
        }
    }
    Cow::Owned(out)
}

/// `text` with every control and bidirectional formatting character written as an escape: `\n`,
/// `\t`, `\u{1b}`, `\u{202e}`. For a value inside a message or a table cell.
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// As [`printable`], but leaving the characters in `keep` as they are: line breaks in a whole
/// message whose lines are its own, or in text for a format that escapes line breaks its own way.
pub fn printable_keeping<'t>(text: &'t str, keep: &[char]) -> Cow<'t, str> {
    escape(text, |c| keep.contains(&c))
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
    fn whole_messages_keep_the_line_breaks_asked_for() {
        assert_eq!(
            printable_keeping("2 problems:\n  a\x1b[2J\r", &['\n']),
            "2 problems:\n  a\\u{1b}[2J\\r"
        );
        assert_eq!(printable_keeping("a\r\nb\x07", &['\n', '\r']), "a\r\nb\\u{7}");
    }
}
