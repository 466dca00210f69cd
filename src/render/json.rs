//! `--format json`: the scorecard as one JSON document with a format version.

use std::io::{self, Write};

use serde::Serialize;

use crate::core::scorecard::Scorecard;

/// The JSON format's version; it changes only when a field is removed or changes meaning.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    #[serde(flatten)]
    card: &'a Scorecard,
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
    serde_json::to_writer_pretty(&mut out, &Document { version: VERSION, card })?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
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
