//! `--format json`: the scorecard as one JSON document with a format version.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use crate::core::history::When;
use crate::core::scorecard::{Gate, MetricResult, ScopeSummary, Scorecard, Summary};
use crate::core::text;

/// The JSON format's version; it changes only when a field is removed or changes meaning.
pub const VERSION: u32 = 1;

/// The scorecard's fields behind a version. Spelled out rather than `#[serde(flatten)]`, which
/// serializes through a map and costs a few percent on a large scorecard.
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    title: &'a str,
    as_of: Option<When>,
    gate: &'a Gate,
    summary: &'a Summary,
    scopes: &'a [ScopeSummary],
    results: &'a [MetricResult],
}

impl<'a> Document<'a> {
    fn of(card: &'a Scorecard) -> Self {
        Document {
            version: VERSION,
            title: &card.title,
            as_of: card.as_of,
            gate: &card.gate,
            summary: &card.summary,
            scopes: &card.scopes,
            results: &card.results,
        }
    }
}

/// Renders the scorecard as pretty-printed JSON with a trailing newline.
///
/// # Panics
/// Never: the scorecard holds only strings, numbers and enums, which always serialize.
pub fn render(card: &Scorecard) -> String {
    let mut bytes = Vec::new();
    write(card, &mut bytes).expect("the scorecard holds only strings, numbers and finite floats");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Writes what [`render`] returns to `out` as it is serialized: the JSON of a large history is
/// the biggest output kpi makes, many times the size of the scorecard it comes from.
pub fn write(card: &Scorecard, out: &mut dyn io::Write) -> io::Result<()> {
    // A buffer of a known type: the serializer's many small writes then cost a copy each, not a
    // call through `dyn Write`.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Printable::default());
    Document::of(card).serialize(&mut serializer)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Pretty JSON that also escapes what `serde_json` leaves raw but a terminal would act on: DEL, C1
/// controls and bidirectional overrides, as `\u` escapes, which any JSON reader decodes back to the
/// text as written.
///
/// The layout is `serde_json`'s `PrettyFormatter`'s, two spaces a level, but each line break and its
/// indentation is written at once: a large history is hundreds of thousands of short lines, and a
/// write per level of indentation was a tenth of the time it took to write them.
#[derive(Default)]
struct Printable {
    /// How deep in arrays and objects the writer is.
    level: usize,
    /// Whether the array or object just closed had anything in it.
    has_value: bool,
}

/// A comma, a line break and the indentation of the deepest lines kpi writes, and more.
const BREAK: &[u8] = b",\n                                                                ";

impl Printable {
    /// A line break (after a comma unless `first`) and the indentation of the current level.
    fn new_line<W: ?Sized + io::Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        let from = usize::from(first);
        let width = 2 * self.level;
        if let Some(line) = BREAK.get(from..2 + width) {
            return out.write_all(line);
        }
        out.write_all(&BREAK[from..2])?;
        (0..width).try_for_each(|_| out.write_all(b" "))
    }

    fn open<W: ?Sized + io::Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + io::Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.new_line(out, true)?;
        }
        out.write_all(bracket)
    }
}

impl Formatter for Printable {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // ASCII without DEL acts on nothing: serde_json has escaped the other controls. Most
        // fragments are short keys, for which a plain loop beats calling out to a scan.
        if fragment.bytes().all(|b| b < 0x7f) {
            return out.write_all(fragment.as_bytes());
        }
        // Runs of plain text go out whole; only the characters that act are escaped.
        let mut units = [0; 2];
        let mut plain_from = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| text::acts(c)) {
            out.write_all(&fragment.as_bytes()[plain_from..i])?;
            for unit in c.encode_utf16(&mut units) {
                write!(out, "\\u{unit:04x}")?;
            }
            plain_from = i + c.len_utf8();
        }
        out.write_all(&fragment.as_bytes()[plain_from..])
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.new_line(out, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;
    use crate::render::sample;

    #[test]
    fn json_scorecard() {
        insta::assert_snapshot!(render(&sample::scorecard()));
    }

    #[test]
    fn json_scorecard_with_waivers() {
        insta::assert_snapshot!(render(&sample::waived_scorecard()));
    }

    #[test]
    fn text_that_would_act_on_a_terminal_is_escaped_and_reads_back_as_written() {
        let hostile = "a\u{1b}[31m\u{7f}\u{9b}2J\u{202e}b\u{2066} é ✅ 𝄞\n\"";
        let mut card = sample::scorecard();
        card.title = hostile.to_string();
        let text = render(&card);
        assert!(
            text.contains(r#""title": "a\u001b[31m\u007f\u009b2J\u202eb\u2066 é ✅ 𝄞\n\"""#),
            "{text}"
        );
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["title"], hostile);
    }

    /// Nested arrays and objects, empty and not, some deeper than the indentation written at once.
    fn nested() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[a-z ]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(40, 200, 4, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..4).prop_map(Value::from),
                vec(("[a-z]{1,3}", inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_layout_is_serde_jsons_pretty_layout(value in nested()) {
            let mut ours = Vec::new();
            let mut serializer = serde_json::Serializer::with_formatter(&mut ours, Printable::default());
            value.serialize(&mut serializer).unwrap();
            prop_assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string_pretty(&value).unwrap());
        }
    }

    #[test]
    fn lines_deeper_than_the_indentation_at_hand_are_indented_too() {
        let deep =
            (0..40).fold(serde_json::json!({"a": [1, 2]}), |v, _| serde_json::json!([v, {}]));
        let mut ours = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut ours, Printable::default());
        deep.serialize(&mut serializer).unwrap();
        assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string_pretty(&deep).unwrap());
    }

    #[test]
    fn json_keeps_the_documented_contract() {
        let doc: serde_json::Value = serde_json::from_str(&render(&sample::scorecard())).unwrap();
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["gate"]["fail_on"], "fail");
        assert_eq!(doc["gate"]["passed"], false);
        assert_eq!(doc["summary"]["missing"], 1);
        let first = &doc["results"][0];
        for key in ["id", "name", "category", "status", "value", "unit", "target", "suggestions"] {
            assert!(first.get(key).is_some(), "missing `{key}`");
        }
        assert_eq!(first["value"], 180.0);
        assert!(doc["results"][9]["value"].is_null());
    }
}
