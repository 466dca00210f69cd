//! The pure core: units, thresholds, the catalog model, tailoring it with a config, evaluation with
//! its policies (waivers, stale data, regressions, levels and a score), and suggested targets.
//! Nothing here reads files, writes to a terminal, reads the clock, or knows YAML or CSV; it takes
//! values and returns values.

pub mod catalog;
pub mod evaluate;
pub mod history;
pub mod levels;
pub(crate) mod number;
pub mod policy;
pub mod scorecard;
pub mod suggest;
pub mod tailoring;
pub mod text;
pub mod threshold;
pub mod unit;
pub mod waiver;
pub mod window;

pub use unit::format_number;

/// `str::trim`, with a shortcut for the usual text, which starts and ends with a visible ASCII
/// character (a multi-byte whitespace character never starts with an ASCII byte): every field of a
/// large file goes through here.
pub fn trim(text: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(u8::is_ascii_graphic);
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}
