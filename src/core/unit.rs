//! Units and quantities: reading a measured value such as `180ms`, `1h30m`, `0.5%` or `10/week` and
//! converting it to a metric's canonical unit. Pure: no I/O, no knowledge of CSV or YAML.

use std::borrow::Cow;
use std::fmt;

use super::text::printable;

/// A canonical unit a metric is measured in, and the family of units that convert to it.
#[derive(Debug, PartialEq)]
pub struct Unit {
    /// The symbol used in catalogs and output, e.g. `ms`, `%`, `req/s`; empty for a plain number.
    pub symbol: &'static str,
    kind: Kind,
}

#[derive(Debug, PartialEq)]
enum Kind {
    /// A length of time; `seconds` is the size of one canonical unit.
    Duration { seconds: f64 },
    /// A percentage (`%`, `percent`, `pct`).
    Percent,
    /// Events per period; `period` is the canonical period in seconds. `counts` are the words that may
    /// stand before the `/` (`req/s`, `commits/day`); `shorthands` are whole suffixes such as `rps`
    /// with the period they mean.
    Rate {
        period: f64,
        counts: &'static [&'static str],
        shorthands: &'static [(&'static str, f64)],
    },
    /// A count or ratio with no conversions; `labels` are the suffixes accepted for it.
    Count { labels: &'static [&'static str] },
}

const SECOND: f64 = 1.0;
const MINUTE: f64 = 60.0;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;
const WEEK: f64 = 7.0 * DAY;

/// Every unit a catalog may name.
pub static UNITS: &[Unit] = &[
    Unit { symbol: "ms", kind: Kind::Duration { seconds: 0.001 } },
    Unit { symbol: "s", kind: Kind::Duration { seconds: SECOND } },
    Unit { symbol: "min", kind: Kind::Duration { seconds: MINUTE } },
    Unit { symbol: "h", kind: Kind::Duration { seconds: HOUR } },
    Unit { symbol: "%", kind: Kind::Percent },
    Unit {
        symbol: "req/s",
        kind: Kind::Rate {
            period: SECOND,
            counts: &["req", "reqs", "request", "requests"],
            shorthands: &[("rps", SECOND), ("qps", SECOND), ("rpm", MINUTE)],
        },
    },
    Unit {
        symbol: "commits/day",
        kind: Kind::Rate { period: DAY, counts: &["commit", "commits"], shorthands: &[] },
    },
    Unit {
        symbol: "deploys/day",
        kind: Kind::Rate {
            period: DAY,
            counts: &["deploy", "deploys", "deployment", "deployments"],
            shorthands: &[],
        },
    },
    Unit { symbol: "rounds", kind: Kind::Count { labels: &["round", "rounds"] } },
    Unit {
        symbol: "defects/KLOC",
        kind: Kind::Count { labels: &["defects/kloc", "defect/kloc", "defects per kloc", "/kloc"] },
    },
    Unit {
        symbol: "bugs/KLOC",
        kind: Kind::Count { labels: &["bugs/kloc", "bug/kloc", "bugs per kloc", "/kloc"] },
    },
    Unit { symbol: "", kind: Kind::Count { labels: &[] } },
];

/// Time unit words, with their size in seconds.
const TIME_WORDS: &[(&[&str], f64)] = &[
    (&["ns", "nanosecond", "nanoseconds"], 1e-9),
    (&["us", "µs", "microsecond", "microseconds"], 1e-6),
    (&["ms", "millisecond", "milliseconds", "msec", "msecs"], 1e-3),
    (&["s", "sec", "secs", "second", "seconds"], SECOND),
    (&["m", "min", "mins", "minute", "minutes"], MINUTE),
    (&["h", "hr", "hrs", "hour", "hours"], HOUR),
    (&["d", "day", "days"], DAY),
    (&["w", "wk", "wks", "week", "weeks"], WEEK),
];

fn time_word(word: &str) -> Option<f64> {
    TIME_WORDS
        .iter()
        .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(word)))
        .map(|&(_, seconds)| seconds)
}

/// Why a value could not be read as a quantity of a unit. The texts are kept as written; messages
/// show them printable (see [`printable`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantityError {
    #[error("`{}` is not a number (write it like `180`, `0.5%` or `1h30m`)", printable(.text))]
    NotANumber { text: String },
    #[error(
        "`{}` is not a number; use `.` as the decimal separator, as in `{}`",
        printable(.text),
        printable(.suggestion)
    )]
    DecimalComma { text: String, suggestion: String },
    #[error(
        "`{}` is not a finite number; write a number, or leave the value blank for no data",
        printable(.text)
    )]
    NotFinite { text: String },
    #[error(
        "`{}` is negative; measurements are counts, times, rates or percentages",
        printable(.text)
    )]
    Negative { text: String },
    #[error("unit `{}` does not fit a metric measured in {expected}; {hint}", printable(.found))]
    WrongUnit { found: String, expected: String, hint: String },
    #[error(
        "the value says `{}` but the unit column says `{}`; give the unit once",
        printable(.in_value),
        printable(.in_column)
    )]
    ConflictingUnits { in_value: String, in_column: String },
}

impl Unit {
    /// The unit with this symbol (case-insensitive), if a catalog may use it.
    pub fn lookup(symbol: &str) -> Option<&'static Unit> {
        let symbol = symbol.trim();
        UNITS.iter().find(|u| u.symbol.eq_ignore_ascii_case(symbol))
    }

    /// The symbols a catalog may name, for error messages.
    pub fn known_symbols() -> String {
        UNITS
            .iter()
            .map(
                |u| {
                    if u.symbol.is_empty() { "\"\"".to_string() } else { format!("`{}`", u.symbol) }
                },
            )
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads `text` (e.g. `180ms`, `0.18 s`, `1h30m`, `2/day`, `1.2k`) as a quantity of this unit.
    ///
    /// `unit_column` is a unit given separately (a CSV `unit` column); a bare number is already in this
    /// unit. Returns `Ok(None)` for a blank value, which means "no data".
    pub fn parse(
        &self,
        text: &str,
        unit_column: Option<&str>,
    ) -> Result<Option<f64>, QuantityError> {
        self.parse_remembering(text, unit_column, &mut None)
    }

    /// As [`Unit::parse`], remembering in `last` how the suffix of a plain value (`160ms`, `1.6k`,
    /// `0.5 %`) scales its number, so that a column of values written one way works its suffix out
    /// once rather than on every row. The result is the one [`Unit::parse`] gives.
    pub fn parse_remembering(
        &self,
        text: &str,
        unit_column: Option<&str>,
        last: &mut Option<Remembered>,
    ) -> Result<Option<f64>, QuantityError> {
        let text = super::trim(text);
        if text.is_empty() {
            return Ok(None);
        }
        let column = unit_column.map(str::trim).filter(|u| !u.is_empty());
        let plain = plain_parts(text);
        let key = plain.and_then(|(_, suffix)| Remembered::key(suffix, column));
        if let (Some((digits, _)), Some(key), Some(known)) = (plain, key, last.as_ref())
            && known.key == key
            && std::ptr::eq(known.symbol, self.symbol)
            && let Ok(number) = digits.parse::<f64>()
        {
            return checked(text, known.scale.apply(number));
        }
        let value = if let Some(value) = self.parse_compound_duration(text) {
            if let Some(column) = column {
                return Err(QuantityError::ConflictingUnits {
                    in_value: text.to_string(),
                    in_column: column.to_string(),
                });
            }
            value
        } else {
            let (number, rest) = split_number(text)?;
            let scale = self.scale(rest, column)?;
            if let Some(key) = key {
                *last = Some(Remembered { symbol: self.symbol, key, scale });
            }
            scale.apply(number)
        };
        checked(text, value)
    }

    /// How the rest of a value after its number (`k ms`, `%`, empty) and the unit column scale the
    /// number to this unit.
    fn scale(&self, rest: &str, column: Option<&str>) -> Result<Scale, QuantityError> {
        let (thousand, suffix) = match rest.strip_prefix(['k', 'K']) {
            Some(after) if !after.starts_with(|c: char| c.is_alphabetic()) => (true, after),
            _ => (false, rest),
        };
        let suffix = super::trim(suffix);
        let in_value = (!suffix.is_empty()).then_some(suffix);
        let factor = match (in_value, column) {
            (Some(v), Some(c)) => {
                let from_value = self.factor(v)?;
                if (from_value - self.factor(c)?).abs() > f64::EPSILON * from_value.abs() {
                    return Err(QuantityError::ConflictingUnits {
                        in_value: v.to_string(),
                        in_column: c.to_string(),
                    });
                }
                from_value
            }
            (Some(u), None) | (None, Some(u)) => self.factor(u)?,
            (None, None) => 1.0,
        };
        Ok(Scale { thousand, factor })
    }

    /// `1h30m`, `2h 15min`: two or more number-and-time-word pieces, for duration units only.
    fn parse_compound_duration(&self, text: &str) -> Option<f64> {
        let Kind::Duration { seconds } = self.kind else { return None };
        // A second piece starts with a number after the first piece's word; most values have none.
        // (Bytes, not characters: any non-ASCII byte may belong to a letter such as the `µ` of `µs`.)
        let bytes = text.as_bytes();
        let word = bytes.iter().position(|b| b.is_ascii_alphabetic() || !b.is_ascii());
        if !word.is_some_and(|w| bytes[w..].iter().any(|b| b.is_ascii_digit() || *b == b'.')) {
            return None;
        }
        let mut rest = text;
        let mut total = 0.0;
        let mut pieces = 0;
        while !rest.is_empty() {
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            let number: f64 = rest[..end].parse().ok()?;
            rest = rest[end..].trim_start();
            let word_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
            total += number * time_word(&rest[..word_end])?;
            rest = rest[word_end..].trim_start();
            pieces += 1;
        }
        (pieces > 1).then_some(total / seconds)
    }

    /// How many canonical units one `suffix` is.
    fn factor(&self, suffix: &str) -> Result<f64, QuantityError> {
        let wanted = fold_suffix(suffix);
        let wanted = wanted.as_ref();
        let found = match &self.kind {
            Kind::Duration { seconds } => time_word(wanted).map(|s| s / seconds),
            Kind::Percent => ["%", "percent", "pct"].contains(&wanted).then_some(1.0),
            Kind::Rate { period, counts, shorthands } => shorthands
                .iter()
                .find(|(name, _)| *name == wanted)
                .map(|&(_, per)| period / per)
                .or_else(|| {
                    let (count, per) = wanted
                        .split_once('/')
                        .or_else(|| wanted.split_once(" per "))
                        .or_else(|| Some(("", wanted.strip_prefix("per ")?)))?;
                    let count = count.trim();
                    let known = count.is_empty() || counts.contains(&count);
                    known.then(|| time_word(per.trim()).map(|per| period / per))?
                }),
            Kind::Count { labels } => (wanted.eq_ignore_ascii_case(self.symbol)
                || labels.contains(&wanted))
            .then_some(1.0),
        };
        found.ok_or_else(|| QuantityError::WrongUnit {
            found: suffix.trim().to_string(),
            expected: self.describe(),
            hint: self.hint(),
        })
    }

    /// `ms`, or `a plain number` for the unitless unit, for messages.
    fn describe(&self) -> String {
        if self.symbol.is_empty() {
            "plain numbers".to_string()
        } else {
            format!("`{}`", self.symbol)
        }
    }

    fn hint(&self) -> String {
        match &self.kind {
            Kind::Duration { .. } => {
                "write a time such as `180ms`, `0.18s`, `45m` or `1h30m`".to_string()
            }
            Kind::Percent => "write a percentage such as `0.5%` or `0.5`".to_string(),
            Kind::Rate { .. } => format!(
                "write a rate such as `12`, `{}`, `10/week` or `2/day`",
                if self.symbol == "req/s" { "1.2k rps" } else { self.symbol }
            ),
            Kind::Count { .. } if self.symbol.is_empty() => "write a bare number".to_string(),
            Kind::Count { .. } => format!("write a bare number or `{}`", self.symbol),
        }
    }

    /// Renders a canonical value with its unit, e.g. `180 ms`, `0.5%`, `12` for a plain number.
    pub fn format(&self, value: f64) -> String {
        let number = format_number(value);
        match self.symbol {
            "" => number,
            "%" => format!("{number}%"),
            symbol if number == "1" => match self.singular() {
                Some(one) => format!("1 {one}"),
                None => format!("1 {symbol}"),
            },
            symbol => format!("{number} {symbol}"),
        }
    }

    /// The symbol for one of the thing counted: `round`, `defect/KLOC`, `deploy/day`; `None` for
    /// a symbol that is the same for one (`ms`, `req/s`).
    fn singular(&self) -> Option<String> {
        if matches!(self.kind, Kind::Duration { .. } | Kind::Percent) {
            return None;
        }
        let (things, per) = match self.symbol.split_once('/') {
            Some((things, per)) => (things, format!("/{per}")),
            None => (self.symbol, String::new()),
        };
        let one = things.strip_suffix('s').filter(|one| !one.is_empty())?;
        Some(format!("{one}{per}"))
    }
}

impl Unit {
    /// Renders a difference between two values: like [`Unit::format`], but percentages differ by
    /// points (`15 points`), not by a percent of something.
    pub fn format_delta(&self, delta: f64) -> String {
        if self.symbol == "%" {
            let number = format_number(delta);
            if number == "1" { "1 point".to_string() } else { format!("{number} points") }
        } else {
            self.format(delta)
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol)
    }
}

/// A unit suffix in lower case with single spaces, as units are listed. Allocates only when the
/// suffix is not already in that form: it is read for every value of a large file.
fn fold_suffix(suffix: &str) -> Cow<'_, str> {
    let trimmed = super::trim(suffix);
    let bytes = trimmed.as_bytes();
    let folded = bytes.iter().all(|b| {
        b.is_ascii() && !b.is_ascii_uppercase() && (*b == b' ' || !b.is_ascii_whitespace())
    }) && !bytes.windows(2).any(|pair| pair == b"  ");
    if folded {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(trimmed.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

/// How a value's suffix scales its number: a `k` multiplier, then the unit's factor.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    thousand: bool,
    factor: f64,
}

impl Scale {
    fn apply(self, number: f64) -> f64 {
        (if self.thousand { number * 1000.0 } else { number }) * self.factor
    }
}

/// What [`Unit::parse_remembering`] keeps between values: the last plain suffix and unit column
/// read, and how they scale a number.
#[derive(Debug, Clone, Copy)]
pub struct Remembered {
    /// The unit's symbol, as a unit is known by where its symbol is: a memo handed to another
    /// unit is not used.
    symbol: &'static str,
    key: (u64, u64),
    scale: Scale,
}

impl Remembered {
    /// The suffix and unit column as two numbers, when both are short enough to fit (as units are):
    /// comparing them costs less than comparing text on every row.
    fn key(suffix: &str, column: Option<&str>) -> Option<(u64, u64)> {
        // Up to seven bytes and the length; no packed text has the length byte of `NONE`.
        const NONE: u64 = u64::MAX;
        let pack = |text: &str| {
            (text.len() < 8).then(|| {
                let bytes = text.bytes().enumerate();
                bytes.fold((text.len() as u64) << 56, |key, (i, b)| key | u64::from(b) << (8 * i))
            })
        };
        Some((pack(suffix)?, column.map_or(Some(NONE), pack)?))
    }
}

/// A value that is digits and dots, then a suffix with neither (`160ms`, `1.6k`, `95 %`): no sign,
/// exponent, decimal comma or second duration piece, so the suffix alone decides how the number
/// scales.
fn plain_parts(text: &str) -> Option<(&str, &str)> {
    let end = text.bytes().position(|b| !(b.is_ascii_digit() || b == b'.')).unwrap_or(text.len());
    let (digits, suffix) = text.split_at(end);
    let plain = end > 0 && !suffix.bytes().any(|b| b.is_ascii_digit() || b == b'.');
    plain.then_some((digits, suffix))
}

/// The value, refused when it is not finite or is negative.
fn checked(text: &str, value: f64) -> Result<Option<f64>, QuantityError> {
    if !value.is_finite() {
        return Err(QuantityError::NotFinite { text: text.to_string() });
    }
    if value < 0.0 {
        return Err(QuantityError::Negative { text: text.to_string() });
    }
    Ok(Some(value))
}

/// Splits `1.2k rps` into `(1.2, "k rps")`: a leading decimal number and the rest.
fn split_number(text: &str) -> Result<(f64, &str), QuantityError> {
    let bytes = text.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        end += 1;
    }
    let digits_start = end;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    if end == digits_start {
        return Err(not_a_number_or_not_finite(text));
    }
    // An exponent only when digits follow it, so `5e` stays a number with a bad suffix.
    if end < bytes.len() && matches!(bytes[end], b'e' | b'E') {
        let mut exp = end + 1;
        if exp < bytes.len() && matches!(bytes[exp], b'+' | b'-') {
            exp += 1;
        }
        if exp < bytes.len() && bytes[exp].is_ascii_digit() {
            end = exp;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
        }
    }
    let number: f64 =
        text[..end].parse().map_err(|_| QuantityError::NotANumber { text: text.to_string() })?;
    let rest = &text[end..];
    if rest.starts_with(',') && rest[1..].starts_with(|c: char| c.is_ascii_digit()) {
        let suggestion = text.replacen(',', ".", 1);
        return Err(QuantityError::DecimalComma { text: text.to_string(), suggestion });
    }
    Ok((number, rest))
}

fn not_a_number_or_not_finite(text: &str) -> QuantityError {
    let lower = text.trim_start_matches(['+', '-']).to_ascii_lowercase();
    if ["nan", "inf", "infinity"].contains(&lower.as_str()) {
        QuantityError::NotFinite { text: text.to_string() }
    } else {
        QuantityError::NotANumber { text: text.to_string() }
    }
}

/// Formats a number for people: at most two decimals (more for tiny values), no trailing zeros;
/// beyond what digits help with, scientific notation (`1.5e300`, `2e-9`) rather than hundreds of
/// digits. Every value, threshold and distance kpi prints goes through here.
pub fn format_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e15 || (magnitude > 0.0 && magnitude < 1e-6) {
        // `{:.2e}` writes `1.50e300`: trim the mantissa as the plain form is trimmed.
        let text = format!("{value:.2e}");
        return match text.split_once('e') {
            Some((mantissa, exponent)) if mantissa.contains('.') => {
                format!("{}e{exponent}", mantissa.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => text,
        };
    }
    let decimals = if value == 0.0 || value.abs() >= 0.01 { 2 } else { 6 };
    let text = format!("{value:.decimals$}");
    let text =
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".to_string() } else { text.to_string() }
}

/// A difference between two values, rounded to nine decimals so that `1.4 - 1` reads as 0.4, not
/// 0.3999999999999999, and always finite: a difference too large for a float is the largest float,
/// and one too large for nine decimals to matter is left as it is rather than scaled past infinity.
pub fn difference(a: f64, b: f64) -> f64 {
    let by = a - b;
    if !by.is_finite() {
        return if by > 0.0 { f64::MAX } else { f64::MIN };
    }
    // Past a million, nine decimals are beyond a float's precision.
    if by.abs() < 1e6 { (by * 1e9).round() / 1e9 } else { by }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_a_counted_thing_is_singular() {
        let unit = |symbol| Unit::lookup(symbol).unwrap();
        assert_eq!(unit("rounds").format(1.0), "1 round");
        assert_eq!(unit("defects/KLOC").format(1.0), "1 defect/KLOC");
        assert_eq!(unit("deploys/day").format(1.0), "1 deploy/day");
        assert_eq!(unit("deploys/day").format_delta(1.0), "1 deploy/day");
        assert_eq!(unit("deploys/day").format(2.0), "2 deploys/day");
        assert_eq!(unit("ms").format(1.0), "1 ms");
        assert_eq!(unit("req/s").format(1.0), "1 req/s");
    }

    fn unit(symbol: &str) -> &'static Unit {
        Unit::lookup(symbol).unwrap()
    }

    fn parse(symbol: &str, text: &str) -> f64 {
        unit(symbol).parse(text, None).unwrap().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn bare_number_is_already_in_the_canonical_unit() {
        assert!(close(parse("ms", "180"), 180.0));
        assert!(close(parse("%", "0.5"), 0.5));
        assert!(close(parse("", "12"), 12.0));
    }

    #[test]
    fn durations_convert_to_the_canonical_time_unit() {
        assert!(close(parse("ms", "180ms"), 180.0));
        assert!(close(parse("ms", "0.18 s"), 180.0));
        assert!(close(parse("ms", "1.5e2ms"), 150.0));
        assert!(close(parse("ms", "250us"), 0.25));
        assert!(close(parse("min", "45m"), 45.0));
        assert!(close(parse("min", "2h"), 120.0));
        assert!(close(parse("min", "90 seconds"), 1.5));
        assert!(close(parse("min", "1d"), 1440.0));
    }

    #[test]
    fn compound_durations_add_up() {
        assert!(close(parse("min", "1h30m"), 90.0));
        assert!(close(parse("min", "1h 30min"), 90.0));
        assert!(close(parse("ms", "1s 250ms"), 1250.0));
    }

    #[test]
    fn percentages_accept_symbol_and_words() {
        assert!(close(parse("%", "0.5%"), 0.5));
        assert!(close(parse("%", "85 %"), 85.0));
        assert!(close(parse("%", "12 percent"), 12.0));
    }

    #[test]
    fn rates_convert_between_periods() {
        assert!(close(parse("deploys/day", "2/day"), 2.0));
        assert!(close(parse("deploys/day", "14/week"), 2.0));
        assert!(close(parse("deploys/day", "3 deploys/day"), 3.0));
        assert!(close(parse("commits/day", "1 per hour"), 24.0));
        assert!(close(parse("req/s", "1.2k"), 1200.0));
        assert!(close(parse("req/s", "1.2k rps"), 1200.0));
        assert!(close(parse("req/s", "600 req/s"), 600.0));
        assert!(close(parse("req/s", "60000 rpm"), 1000.0));
        assert!(close(parse("req/s", "120 requests/min"), 2.0));
    }

    #[test]
    fn counts_accept_their_labels() {
        assert!(close(parse("rounds", "2 rounds"), 2.0));
        assert!(close(parse("defects/KLOC", "0.4 defects/KLOC"), 0.4));
        assert!(close(parse("bugs/KLOC", "3/kloc"), 3.0));
    }

    #[test]
    fn unit_column_applies_to_a_bare_number() {
        assert_eq!(unit("ms").parse("0.2", Some("s")), Ok(Some(200.0)));
        assert_eq!(unit("ms").parse("200", Some(" ")), Ok(Some(200.0)));
    }

    #[test]
    fn unit_in_value_and_column_must_agree() {
        assert_eq!(unit("ms").parse("200ms", Some("ms")), Ok(Some(200.0)));
        assert!(matches!(
            unit("ms").parse("200ms", Some("s")),
            Err(QuantityError::ConflictingUnits { .. })
        ));
        assert!(matches!(
            unit("min").parse("1h30m", Some("h")),
            Err(QuantityError::ConflictingUnits { .. })
        ));
    }

    #[test]
    fn blank_value_is_no_data() {
        assert_eq!(unit("ms").parse("  ", None), Ok(None));
    }

    #[test]
    fn a_unit_of_another_kind_is_rejected() {
        let err = unit("ms").parse("0.5%", None).unwrap_err();
        assert!(matches!(err, QuantityError::WrongUnit { ref found, .. } if found == "%"));
        assert!(unit("%").parse("5ms", None).is_err());
        assert!(unit("deploys/day").parse("3 commits/day", None).is_err());
        assert!(unit("deploys/day").parse("3/month", None).is_err());
        assert!(unit("").parse("3 rounds", None).is_err());
    }

    #[test]
    fn non_numbers_non_finite_and_negative_values_are_rejected() {
        let ms = unit("ms");
        assert!(matches!(ms.parse("fast", None), Err(QuantityError::NotANumber { .. })));
        assert!(matches!(ms.parse(".", None), Err(QuantityError::NotANumber { .. })));
        assert!(matches!(ms.parse("NaN", None), Err(QuantityError::NotFinite { .. })));
        assert!(matches!(ms.parse("-inf", None), Err(QuantityError::NotFinite { .. })));
        assert!(matches!(ms.parse("1e999", None), Err(QuantityError::NotFinite { .. })));
        assert!(matches!(ms.parse("-5", None), Err(QuantityError::Negative { .. })));
        assert!(matches!(ms.parse("5e", None), Err(QuantityError::WrongUnit { .. })));
        assert!(matches!(ms.parse("1,5", None), Err(QuantityError::DecimalComma { .. })));
    }

    #[test]
    fn lookup_is_case_insensitive_and_knows_every_catalog_unit() {
        assert_eq!(unit("DEFECTS/kloc").symbol, "defects/KLOC");
        assert!(Unit::lookup("parsecs").is_none());
    }

    #[test]
    fn numbers_format_without_noise() {
        assert_eq!(format_number(180.0), "180");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(2.0 / 7.0), "0.29");
        assert_eq!(format_number(0.001_234), "0.001234");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(unit("%").format(0.5), "0.5%");
        assert_eq!(unit("").format(12.0), "12");
        assert_eq!(unit("%").format_delta(15.0), "15 points");
        assert_eq!(unit("%").format_delta(1.0), "1 point");
        assert_eq!(unit("ms").format_delta(1.5), "1.5 ms");
    }

    #[test]
    fn huge_and_tiny_numbers_print_in_scientific_notation() {
        assert_eq!(format_number(1e300), "1e300");
        assert_eq!(format_number(1.5e300), "1.5e300");
        assert_eq!(format_number(f64::MAX), "1.8e308");
        assert_eq!(format_number(1.234_567e15), "1.23e15");
        assert_eq!(format_number(999_999_999_999_999.0), "999999999999999");
        assert_eq!(format_number(2e-9), "2e-9");
        assert_eq!(format_number(f64::MIN_POSITIVE), "2.23e-308");
        assert_eq!(format_number(0.000_001), "0.000001");
        assert_eq!(unit("ms").format(1e300), "1e300 ms");
        assert_eq!(unit("%").format_delta(1e300), "1e300 points");
    }

    #[test]
    fn differences_are_rounded_and_always_finite() {
        assert_eq!(difference(1.4, 1.0), 0.4);
        assert_eq!(difference(1e300, 200.0), 1e300);
        assert_eq!(difference(f64::MAX, 0.0), f64::MAX);
        assert_eq!(difference(f64::MAX, -f64::MAX), f64::MAX);
        assert_eq!(difference(-f64::MAX, f64::MAX), f64::MIN);
        assert_eq!(difference(2_000_000.25, 1.0), 1_999_999.25);
    }
}

#[cfg(test)]
mod remembering_tests {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    /// Values as files write them: plain, with `k`, with spaces, compound, signed, exponents, commas,
    /// words of every unit family, and broken ones.
    fn value() -> impl Strategy<Value = String> {
        let number = prop_oneof![
            "[0-9]{1,4}",
            "[0-9]{1,3}\\.[0-9]{1,3}",
            select(vec![".5", "5.", "1.2.3", "1e3", "2E-2", "-2", "+3", "1,5", "nan"])
                .prop_map(str::to_string),
            Just("9".repeat(400)),
        ];
        let suffix = select(vec![
            "",
            "ms",
            " ms",
            "MS",
            "s",
            "sec",
            "m",
            "min",
            "h",
            "1h",
            "h30m",
            "%",
            " %",
            "percent",
            "k",
            "K",
            "k rps",
            "krps",
            "rps",
            "/s",
            "/day",
            " per week",
            "/week",
            "req/s",
            "k/min",
            "commits",
            "rounds",
            "/kloc",
            "defects/KLOC",
            "e",
            "x",
            "µs",
            "kk",
            "k%",
            "  ",
            ".5",
        ]);
        (number, suffix).prop_map(|(n, s)| format!("{n}{s}"))
    }

    fn column() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(select(vec!["", "ms", "s", "%", "rps", "/day", "requests per minute"]))
    }

    proptest! {
        /// A memo carried from value to value, whatever their units, suffixes and unit columns,
        /// never changes a result.
        #[test]
        fn remembering_gives_what_parsing_alone_gives(
            values in proptest::collection::vec((0..UNITS.len(), value(), column()), 1..40),
        ) {
            let mut memo = None;
            for (index, text, column) in &values {
                let unit = &UNITS[*index];
                let alone = unit.parse(text, *column);
                let remembered = unit.parse_remembering(text, *column, &mut memo);
                prop_assert_eq!(&remembered, &alone, "{} {:?} as {}", text, column, unit);
            }
        }
    }

    #[test]
    fn a_remembered_suffix_is_reused_only_for_the_same_suffix_and_column() {
        let ms = Unit::lookup("ms").unwrap();
        let mut memo = None;
        assert_eq!(ms.parse_remembering("2s", None, &mut memo), Ok(Some(2000.0)));
        assert_eq!(ms.parse_remembering("3s", None, &mut memo), Ok(Some(3000.0)));
        assert_eq!(ms.parse_remembering("3", None, &mut memo), Ok(Some(3.0)));
        assert_eq!(ms.parse_remembering("3", Some("s"), &mut memo), Ok(Some(3000.0)));
        assert_eq!(ms.parse_remembering("1h30m", None, &mut memo), Ok(Some(5_400_000.0)));
        assert_eq!(ms.parse_remembering("4", Some("s"), &mut memo), Ok(Some(4000.0)));
    }
}
