//! `--format json`: the scorecard as one JSON document with a format version.

use std::io::{self, Write};

use std::sync::Arc;

use serde::Serialize;
use serde_json::ser::Formatter;

#[cfg(test)]
use crate::core::history::When;
#[cfg(test)]
use crate::core::scorecard::{Gate, ScopeSummary, Summary};
use crate::core::scorecard::{MetricResult, Scorecard, Shared};
use crate::core::text;

/// The JSON format's version; it changes only when a field is removed or changes meaning.
pub const VERSION: u32 = 1;

/// The scorecard's fields behind a version, as `serde` would write them: [`write`] lays the
/// document out by hand, and the tests hold it to this.
#[cfg(test)]
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

/// Renders the scorecard as pretty-printed JSON with a trailing newline.
///
/// # Panics
/// Never: the scorecard holds only strings, numbers and enums, which always serialize.
pub fn render(card: &Scorecard) -> String {
    render_as(card, false)
}

/// Renders the scorecard as JSON, on one line when `compact`, with a trailing newline.
///
/// # Panics
/// Never, as [`render`].
pub fn render_as(card: &Scorecard, compact: bool) -> String {
    let mut bytes = Vec::new();
    write(card, compact, &mut bytes)
        .expect("the scorecard holds only strings, numbers and finite floats");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// Writes what [`render_as`] returns to `out` as it is made: the JSON of a large history is the
/// biggest output kpi makes, many times the size of the scorecard it comes from.
///
/// The document is `serde_json`'s layout of the scorecard's fields (with [`Printable`]'s escapes),
/// but its keys are written as the constants they are and the texts a result shares with the
/// other results of its metric (its name, category, thresholds and ideas) are escaped once and
/// then copied: on a large history those were most of the time it took to write.
pub fn write(card: &Scorecard, compact: bool, out: &mut dyn io::Write) -> io::Result<()> {
    write_with(card, compact, 1, out)
}

/// [`write`] with up to `threads` threads writing results: the same bytes.
pub fn write_with(
    card: &Scorecard,
    compact: bool,
    threads: usize,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    // A buffer of a known type: the many small writes then cost a copy each, not a call through
    // `dyn Write`.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let mut w = Writer { out: &mut out, compact };
    w.out.write_all(b"{")?;
    w.field(1, true, "version")?;
    w.value(1, &VERSION)?;
    w.field(1, false, "title")?;
    w.value(1, &card.title)?;
    w.field(1, false, "as_of")?;
    w.value(1, &card.as_of)?;
    w.field(1, false, "gate")?;
    w.value(1, &card.gate)?;
    w.field(1, false, "summary")?;
    w.value(1, &card.summary)?;
    w.field(1, false, "scopes")?;
    w.value(1, &card.scopes)?;
    w.field(1, false, "results")?;
    w.out.write_all(b"[")?;
    if threads > 1 && card.results.len() > CHUNK_RESULTS {
        results_in_parallel(&card.results, compact, threads, w.out)?;
    } else {
        let mut memo = Memo::default();
        for (i, result) in card.results.iter().enumerate() {
            w.line(2, i == 0)?;
            w.result(result, &mut memo)?;
        }
    }
    if !card.results.is_empty() {
        w.line(1, true)?;
    }
    w.out.write_all(b"]")?;
    w.line(0, true)?;
    w.out.write_all(b"}\n")?;
    out.flush()
}

/// How many results a thread writes at a time: about a megabyte of JSON.
const CHUNK_RESULTS: usize = 1024;

/// Writes the results, `threads` threads each writing every `threads`th chunk of them into a
/// buffer, and this thread writing the buffers out in order. Buffers go back to their thread to
/// be filled again, so memory stays at a few chunks a thread whatever the size of the scorecard.
fn results_in_parallel(
    results: &[MetricResult],
    compact: bool,
    threads: usize,
    out: &mut impl io::Write,
) -> io::Result<()> {
    let chunks: Vec<&[MetricResult]> = results.chunks(CHUNK_RESULTS).collect();
    std::thread::scope(|scope| {
        let mut lanes = Vec::with_capacity(threads);
        for lane in 0..threads {
            let (full, filled) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(2);
            let (empty, emptied) = std::sync::mpsc::channel::<Vec<u8>>();
            let chunks = &chunks;
            scope.spawn(move || {
                let mut memo = Memo::default();
                for k in (lane..chunks.len()).step_by(threads) {
                    let mut buffer = emptied.try_recv().unwrap_or_default();
                    buffer.clear();
                    let mut w = Writer { out: &mut buffer, compact };
                    let written = chunks[k].iter().enumerate().try_for_each(|(i, result)| {
                        w.line(2, k == 0 && i == 0)?;
                        w.result(result, &mut memo)
                    });
                    // A closed channel: writing out failed, and the writer has stopped.
                    if full.send(written.map(|()| buffer)).is_err() {
                        return;
                    }
                }
            });
            lanes.push((filled, empty));
        }
        for k in 0..chunks.len() {
            let (filled, empty) = &lanes[k % threads];
            let buffer = filled.recv().map_err(io::Error::other)??;
            out.write_all(&buffer)?;
            // The thread may have written its last chunk: then the buffer is dropped.
            let _ = empty.send(buffer);
        }
        Ok(())
    })
}

/// How many metrics' texts, and how many lists of ideas, are kept escaped: a catalog's worth and
/// then some. Results beyond it are written the ordinary way.
const MEMO_LIMIT: usize = 256;

/// Texts escaped once, found again by the identity of the shared strings they were made from.
#[derive(Default)]
struct Memo {
    metrics: Vec<Escaped>,
    /// The entry of `metrics` found last: results come grouped by scope in catalog order, so the
    /// next is usually the one after it.
    last: usize,
    ideas: Vec<(Arc<[String]>, Vec<u8>)>,
}

/// The texts one metric's results share, and each as JSON.
struct Escaped {
    texts: [Shared; 6],
    json: [Vec<u8>; 6],
}

/// The texts of a result that the results of its metric share, in the order they are written.
fn shared_texts(r: &MetricResult) -> [&Shared; 6] {
    [&r.id, &r.name, &r.category, &r.target, &r.pass, &r.warn]
}

/// The JSON writer: where to, and which layout.
struct Writer<'w, W: io::Write> {
    out: &'w mut W,
    compact: bool,
}

impl<W: io::Write> Writer<'_, W> {
    /// A line break (after a comma unless `first`) and the indentation of `level`.
    fn line(&mut self, level: usize, first: bool) -> io::Result<()> {
        Printable { level, has_value: false, compact: self.compact }.new_line(self.out, first)
    }

    /// A key of an object at `level`, on its own line, ready for its value.
    fn field(&mut self, level: usize, first: bool, key: &str) -> io::Result<()> {
        self.line(level, first)?;
        self.out.write_all(b"\"")?;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(if self.compact { b"\":" } else { b"\": " })
    }

    /// A key and its value, after the first key of an object at `level`.
    fn entry<T: Serialize + ?Sized>(
        &mut self,
        level: usize,
        key: &str,
        value: &T,
    ) -> io::Result<()> {
        self.field(level, false, key)?;
        self.value(level, value)
    }

    /// A value `level` deep, as `serde_json` writes it.
    fn value<T: Serialize + ?Sized>(&mut self, level: usize, value: &T) -> io::Result<()> {
        let mut formatter = Printable::new(self.compact);
        formatter.level = level;
        let mut serializer = serde_json::Serializer::with_formatter(&mut *self.out, formatter);
        value.serialize(&mut serializer).map_err(io::Error::other)
    }

    /// A value as JSON in memory, for the memo.
    fn bytes<T: Serialize + ?Sized>(&self, level: usize, value: &T) -> Vec<u8> {
        let mut bytes = Vec::new();
        Writer { out: &mut bytes, compact: self.compact }
            .value(level, value)
            .expect("writing to memory");
        bytes
    }

    /// One result, its fields in the order and under the names of `MetricResult`'s derived
    /// `Serialize`, and as deep in the document as `results` holds it.
    fn result(&mut self, r: &MetricResult, memo: &mut Memo) -> io::Result<()> {
        const LEVEL: usize = 3;
        let texts = self.shared(r, memo);
        let [id, name, category, target, pass, warn] = shared_texts(r);
        self.out.write_all(b"{")?;
        self.field(LEVEL, true, "id")?;
        self.text(texts, 0, id)?;
        self.field(LEVEL, false, "name")?;
        self.text(texts, 1, name)?;
        self.field(LEVEL, false, "category")?;
        self.text(texts, 2, category)?;
        self.entry(LEVEL, "scope", &r.scope)?;
        self.entry(LEVEL, "status", &r.status)?;
        self.entry(LEVEL, "value", &r.value)?;
        self.entry(LEVEL, "unit", r.unit.symbol)?;
        self.entry(LEVEL, "date", &r.date)?;
        self.field(LEVEL, false, "stale")?;
        self.out.write_all(if r.stale { b"true" } else { b"false" })?;
        if let Some(why) = &r.not_collected {
            self.entry(LEVEL, "not_collected", why)?;
        }
        self.field(LEVEL, false, "target")?;
        self.text(texts, 3, target)?;
        self.field(LEVEL, false, "pass")?;
        self.text(texts, 4, pass)?;
        self.field(LEVEL, false, "warn")?;
        self.text(texts, 5, warn)?;
        self.entry(LEVEL, "direction", &r.direction)?;
        self.entry(LEVEL, "miss", &r.miss)?;
        self.entry(LEVEL, "previous", &r.previous)?;
        self.entry(LEVEL, "previous_status", &r.previous_status)?;
        self.entry(LEVEL, "change", &r.change)?;
        self.entry(LEVEL, "trend", &r.trend)?;
        self.field(LEVEL, false, "history")?;
        self.out.write_all(b"[")?;
        for (i, point) in r.history.iter().enumerate() {
            self.line(LEVEL + 1, i == 0)?;
            self.out.write_all(b"{")?;
            self.field(LEVEL + 2, true, "date")?;
            self.value(LEVEL + 2, &point.date)?;
            self.entry(LEVEL + 2, "value", &point.value)?;
            self.line(LEVEL + 1, true)?;
            self.out.write_all(b"}")?;
        }
        if !r.history.is_empty() {
            self.line(LEVEL, true)?;
        }
        self.out.write_all(b"]")?;
        self.field(LEVEL, false, "suggestions")?;
        self.suggestions(r, memo)?;
        if let Some(overdue) = &r.overdue {
            self.entry(LEVEL, "overdue", overdue)?;
        }
        if let Some(regression) = &r.regression {
            self.entry(LEVEL, "regression", regression)?;
        }
        if let Some(waiver) = &r.waiver {
            self.entry(LEVEL, "waiver", waiver)?;
        }
        self.line(LEVEL - 1, true)?;
        self.out.write_all(b"}")
    }

    /// The memo's entry for the texts `r` shares with its metric's other results, made if new.
    fn shared<'m>(&self, r: &MetricResult, memo: &'m mut Memo) -> Option<&'m [Vec<u8>; 6]> {
        let wanted = shared_texts(r);
        let same = |e: &Escaped| e.texts.iter().zip(wanted).all(|(a, b)| Arc::ptr_eq(a, b));
        let count = memo.metrics.len();
        let found =
            (0..count).map(|k| (memo.last + 1 + k) % count).find(|&i| same(&memo.metrics[i]));
        let index = match found {
            Some(i) => i,
            None if count < MEMO_LIMIT => {
                let json = wanted.map(|text| self.bytes(0, &**text));
                memo.metrics.push(Escaped { texts: wanted.map(Arc::clone), json });
                count
            }
            None => return None,
        };
        memo.last = index;
        Some(&memo.metrics[index].json)
    }

    /// The `i`th shared text: copied from the memo, or escaped here.
    fn text(&mut self, memo: Option<&[Vec<u8>; 6]>, i: usize, text: &str) -> io::Result<()> {
        match memo {
            Some(json) => self.out.write_all(&json[i]),
            None => self.value(0, text),
        }
    }

    /// A result's ideas, copied from the memo when another result shares them.
    fn suggestions(&mut self, r: &MetricResult, memo: &mut Memo) -> io::Result<()> {
        const LEVEL: usize = 3;
        if r.suggestions.is_empty() {
            return self.out.write_all(b"[]");
        }
        if let Some((_, json)) =
            memo.ideas.iter().find(|(known, _)| Arc::ptr_eq(known, &r.suggestions))
        {
            return self.out.write_all(json);
        }
        if memo.ideas.len() >= MEMO_LIMIT {
            return self.value(LEVEL, &*r.suggestions);
        }
        let json = self.bytes(LEVEL, &*r.suggestions);
        self.out.write_all(&json)?;
        memo.ideas.push((Arc::clone(&r.suggestions), json));
        Ok(())
    }
}

/// Pretty JSON that also escapes what `serde_json` leaves raw but a terminal would act on: DEL, C1
/// controls and bidirectional overrides, as `\u` escapes, which any JSON reader decodes back to the
/// text as written.
///
/// The layout is `serde_json`'s `PrettyFormatter`'s, two spaces a level, but each line break and its
/// indentation is written at once: a large history is hundreds of thousands of short lines, and a
/// write per level of indentation was a tenth of the time it took to write them.
///
/// Compact, it is `serde_json`'s compact layout, with the same escapes.
struct Printable {
    /// How deep in arrays and objects the writer is.
    level: usize,
    /// Whether the array or object just closed had anything in it.
    has_value: bool,
    /// No line breaks, no indentation, no space after a colon.
    compact: bool,
}

/// A comma, a line break and the indentation of the deepest lines kpi writes, and more.
const BREAK: &[u8] = b",\n                                                                ";

impl Printable {
    fn new(compact: bool) -> Self {
        Printable { level: 0, has_value: false, compact }
    }

    /// A line break (after a comma unless `first`) and the indentation of the current level;
    /// compact, the comma alone.
    fn new_line<W: ?Sized + io::Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        if self.compact {
            return if first { Ok(()) } else { out.write_all(b",") };
        }
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
        if self.has_value && !self.compact {
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
        out.write_all(if self.compact { b":" } else { b": " })
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

    /// The document as `serde` lays out the scorecard's derived fields, with kpi's escapes.
    fn reference(card: &Scorecard, compact: bool) -> String {
        let document = Document {
            version: VERSION,
            title: &card.title,
            as_of: card.as_of,
            gate: &card.gate,
            summary: &card.summary,
            scopes: &card.scopes,
            results: &card.results,
        };
        let mut bytes = Vec::new();
        let mut serializer =
            serde_json::Serializer::with_formatter(&mut bytes, Printable::new(compact));
        document.serialize(&mut serializer).unwrap();
        bytes.push(b'\n');
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_document_is_the_scorecards_derived_serialization_pretty_or_compact() {
        let mut collected = sample::scorecard();
        collected.results[9].not_collected = Some("git:.: no tag matches `deploy/*`".into());
        let mut empty = sample::scorecard();
        empty.results.clear();
        // Results that share nothing with one another: nothing comes from the memo.
        let mut unshared = sample::policies_scorecard();
        for r in &mut unshared.results {
            r.name = r.name.to_string().into();
            r.suggestions = r.suggestions.to_vec().into();
        }
        let cards = [
            sample::scorecard(),
            sample::waived_scorecard(),
            sample::policies_scorecard(),
            sample::hostile(),
            collected,
            empty,
            unshared,
        ];
        for card in &cards {
            for compact in [false, true] {
                assert_eq!(render_as(card, compact), reference(card, compact));
            }
        }
        let compact = render_as(&sample::policies_scorecard(), true);
        assert_eq!(compact.lines().count(), 1);
        let pretty = render(&sample::policies_scorecard());
        let read = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        assert!(read(&compact) == read(&pretty), "compact JSON holds what pretty JSON holds");
    }

    #[test]
    fn threads_write_the_bytes_one_thread_writes() {
        let mut card = sample::policies_scorecard();
        let one_of_each = card.results.clone();
        // Several chunks and a short last one, some results sharing nothing with the others.
        for copy in 0..=(3 * CHUNK_RESULTS / one_of_each.len()) {
            card.results.extend(one_of_each.iter().cloned().map(|mut r| {
                if copy % 7 == 0 {
                    r.name = format!("{} {copy}", r.name).into();
                }
                r
            }));
        }
        assert!(card.results.len() > 3 * CHUNK_RESULTS);
        for compact in [false, true] {
            let write = |threads| {
                let mut bytes = Vec::new();
                write_with(&card, compact, threads, &mut bytes).unwrap();
                bytes
            };
            let one = write(1);
            assert_eq!(String::from_utf8(one.clone()).unwrap(), reference(&card, compact));
            for threads in [2, 3] {
                assert!(write(threads) == one, "{threads} threads, compact {compact}");
            }
        }
    }

    #[test]
    fn a_write_that_fails_midway_stops_every_thread_with_the_error() {
        /// Takes a few kilobytes, then fails as a full disk does.
        struct Full(usize);
        impl io::Write for Full {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                if self.0 < buf.len() {
                    return Err(io::Error::from(io::ErrorKind::StorageFull));
                }
                self.0 -= buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut card = sample::scorecard();
        let one_of_each = card.results.clone();
        while card.results.len() < 4 * CHUNK_RESULTS {
            card.results.extend(one_of_each.iter().cloned());
        }
        let err = write_with(&card, false, 2, &mut Full(200_000)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
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
            let mut serializer = serde_json::Serializer::with_formatter(&mut ours, Printable::new(false));
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
            serde_json::Serializer::with_formatter(&mut ours, Printable::new(false));
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
