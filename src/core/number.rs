//! Numbers as people and spreadsheets write them: thousands separators (`1,200`, `1 200`,
//! `1'200`), a decimal comma where the file's delimiter leaves it unambiguous, durations as
//! spreadsheets format them (`1:30:00`, `PT1H30M`) and the words that mean "no data" (`N/A`).
//! Each is rewritten into the plain form the unit parser reads (`1200`, `1h30m0s`); anything
//! ambiguous is refused with both readings, never guessed. Pure: text in, text out.

use std::borrow::Cow;

use super::text::printable;

/// How the numbers of one source are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Numbers {
    /// The decimal separator may be a comma: true in a file whose fields are separated by `;` or
    /// a tab, where a comma inside a value cannot be a field break.
    pub decimal_comma: bool,
}

/// Why a written number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error(
        "`{}` could be {decimal} (`{separator}` as the decimal separator) or {thousands} (`{separator}` between thousands); write `{decimal_written}` or `{thousands}`",
        printable(.text)
    )]
    Ambiguous {
        text: String,
        separator: char,
        decimal: String,
        decimal_written: String,
        thousands: String,
    },
    #[error(
        "`{}` is not a number: digits are grouped in threes between separators (`1,200` or `1 200`); write it without separators{}",
        printable(.text),
        .plain.as_ref().map(|p| format!(", as in `{}`", printable(p))).unwrap_or_default()
    )]
    IrregularGroups { text: String, plain: Option<String> },
    #[error(
        "`{}` is not a number; use `.` as the decimal separator, as in `{}`",
        printable(.text),
        printable(.suggestion)
    )]
    DecimalComma { text: String, suggestion: String },
}

/// Words that mean the same as a blank cell, in any case.
pub const NO_DATA: &[&str] = &["n/a", "na", "-", "—", "–", "none", "null"];

/// Characters that may separate groups of thousands: comma, point, apostrophe (Swiss), space,
/// no-break space and narrow no-break space.
const SEPARATORS: &[char] = &[',', '.', '\'', ' ', '\u{a0}', '\u{202f}'];

/// A value in the plain form the unit parser reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written<'t> {
    pub text: Cow<'t, str>,
    /// The form says its own unit, as a duration (`1:30:00`) does: a unit in a column's name is
    /// only a default for bare numbers.
    pub self_describing: bool,
}

/// The value in the plain form the unit parser reads, or `None` for a word that means no data.
/// Plain values (nearly all) come back borrowed, after one pass over their bytes.
pub fn normalize(text: &str, numbers: Numbers) -> Result<Option<Written<'_>>, NumberError> {
    let plain = |text| Some(Written { text, self_describing: false });
    let text = text.trim();
    let mut points = 0;
    let unusual = text.bytes().any(|b| {
        points += usize::from(b == b'.');
        matches!(b, b',' | b'\'' | b':' | b' ' | 0x80..) || points > 1
    });
    let first = text.bytes().next();
    if !unusual && !matches!(first, Some(b'n' | b'N' | b'-' | b'P' | b'p')) {
        if numbers.decimal_comma {
            check_point_in_decimal_comma_file(text)?;
        }
        return Ok(plain(Cow::Borrowed(text)));
    }
    if NO_DATA.iter().any(|word| text.eq_ignore_ascii_case(word)) {
        return Ok(None);
    }
    if let Some(duration) = clock_duration(text).or_else(|| iso_duration(text)) {
        return Ok(Some(Written { text: Cow::Owned(duration), self_describing: true }));
    }
    grouped(text, numbers).map(plain)
}

/// The leading number of `text`: digits and separators, each separator followed by a digit.
fn number_part(text: &str) -> &str {
    let mut end = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let next_is_digit = chars.peek().is_some_and(|(_, n)| n.is_ascii_digit());
        if c.is_ascii_digit() || (SEPARATORS.contains(&c) && end > 0 && next_is_digit) {
            end = at + c.len_utf8();
        } else {
            break;
        }
    }
    &text[..end]
}

/// Whether `groups` (the digit runs after the first) are thousands: each exactly three digits
/// after a first group of one to three digits that does not start with 0 (unless it is `0`).
fn regular(first: &str, rest: &[&str]) -> bool {
    (1..=3).contains(&first.len())
        && (first == "0" || !first.starts_with('0'))
        && !rest.is_empty()
        && rest.iter().all(|g| g.len() == 3)
}

/// In a file with a decimal comma, `1.200` reads as 1.2 or as 1200: refuse it with both.
fn check_point_in_decimal_comma_file(text: &str) -> Result<(), NumberError> {
    let number = number_part(text);
    if let Some((int, frac)) = number.split_once('.')
        && !frac.contains('.')
        && regular(int, &[frac])
        && int != "0"
    {
        return Err(ambiguous(text, '.', int, frac));
    }
    Ok(())
}

fn ambiguous(text: &str, separator: char, int: &str, frac: &str) -> NumberError {
    let decimal = format!("{int}.{frac}");
    let decimal = decimal.trim_end_matches('0').trim_end_matches('.').to_string();
    let decimal_written =
        if separator == '.' { decimal.replace('.', ",") } else { decimal.clone() };
    NumberError::Ambiguous {
        text: text.to_string(),
        separator,
        decimal,
        decimal_written,
        thousands: format!("{int}{frac}"),
    }
}

/// A number with separators: thousands groups and at most one decimal separator.
fn grouped(text: &str, numbers: Numbers) -> Result<Cow<'_, str>, NumberError> {
    let number = number_part(text);
    let rest = &text[number.len()..];
    if !number.contains(SEPARATORS) {
        return Ok(Cow::Borrowed(text));
    }
    let digits_only = || number.chars().filter(char::is_ascii_digit).collect::<String>();
    // The decimal separator, if any: the last comma or point, when the other kind of separator
    // comes before it or it appears once.
    let last_comma = number.rfind(',');
    let last_point = number.rfind('.');
    let decimal_at = match (last_comma, last_point) {
        (Some(c), Some(p)) => Some(c.max(p)),
        (Some(c), None) if number.matches(',').count() == 1 => Some(c),
        (None, Some(p)) if number.matches('.').count() == 1 => Some(p),
        _ => None,
    };
    let (int, frac) = match decimal_at {
        Some(at) => (&number[..at], Some(&number[at + 1..])),
        None => (number, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit())) {
        return Err(NumberError::IrregularGroups { text: text.to_string(), plain: None });
    }
    // The same number without separators, its decimal separator a point: what to write instead.
    let int_digits = int.chars().filter(char::is_ascii_digit).collect::<String>();
    let irregular = || NumberError::IrregularGroups {
        text: text.to_string(),
        plain: Some(
            plain(&frac.map_or_else(|| int_digits.clone(), |f| format!("{int_digits}.{f}")), rest)
                .into_owned(),
        ),
    };
    let groups: Vec<&str> = int.split(SEPARATORS).collect();
    let separators: Vec<char> = int.chars().filter(|c| SEPARATORS.contains(c)).collect();
    let one_kind = separators.windows(2).all(|w| w[0] == w[1]);
    let decimal = decimal_at.map(|at| number[at..].chars().next().unwrap_or('.'));
    // A single comma or point with exactly three digits after it, and nothing else: a decimal
    // separator or a thousands separator.
    if separators.is_empty()
        && let (Some(sep), Some(frac)) = (decimal, frac)
    {
        let may_be_thousands = regular(int, &[frac]) && int != "0";
        return match sep {
            ',' if may_be_thousands && !numbers.decimal_comma => Ok(plain(&digits_only(), rest)),
            ',' if may_be_thousands => Err(ambiguous(text, ',', int, frac)),
            ',' if numbers.decimal_comma => Ok(plain(&format!("{int}.{frac}"), rest)),
            ',' => Err(NumberError::DecimalComma {
                text: text.to_string(),
                suggestion: text.replacen(',', ".", 1),
            }),
            _ if may_be_thousands && numbers.decimal_comma => Err(ambiguous(text, '.', int, frac)),
            _ => Ok(Cow::Borrowed(text)),
        };
    }
    if !one_kind || !regular(groups[0], &groups[1..]) || Some(separators[0]) == decimal {
        return Err(irregular());
    }
    match (decimal, frac) {
        (Some(','), Some(_)) if !numbers.decimal_comma => Err(NumberError::DecimalComma {
            text: text.to_string(),
            suggestion: plain(&format!("{}.{}", groups.concat(), frac.unwrap_or("")), rest)
                .into_owned(),
        }),
        // `1.200.300` in a comma file: points between thousands, where the point is the decimal
        // separator.
        _ if separators[0] == '.' && !numbers.decimal_comma => Err(irregular()),
        (_, Some(frac)) => Ok(plain(&format!("{}.{frac}", groups.concat()), rest)),
        (_, None) => Ok(plain(&groups.concat(), rest)),
    }
}

fn plain<'t>(number: &str, rest: &str) -> Cow<'t, str> {
    Cow::Owned(format!("{number}{rest}"))
}

/// `1:30:00` (h:mm:ss, seconds may have decimals) or `01:30` (h:mm), as `1h30m0s`.
fn clock_duration(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (hours, minutes) = (parts[0], parts[1]);
    let seconds = parts.get(2).copied();
    let seconds_ok = seconds.is_none_or(|s| {
        let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
        whole.len() == 2 && digits(whole) && digits(frac) && whole < "60"
    });
    let ok = digits(hours) && minutes.len() == 2 && digits(minutes) && minutes < "60" && seconds_ok;
    ok.then(|| match seconds {
        Some(s) => format!("{hours}h{minutes}m{s}s"),
        None => format!("{hours}h{minutes}m"),
    })
}

/// An ISO 8601 duration of days and times, `PT1H30M`, `PT45S`, `P1DT2H`, as `1d2h`.
fn iso_duration(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let body = upper.strip_prefix('P')?;
    let (days, time) = match body.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (body, None),
    };
    let mut out = String::new();
    let mut take = |part: &str, units: &[(char, &str)]| -> Option<()> {
        let mut number = String::new();
        let mut order = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let index = units.iter().position(|(u, _)| *u == c)?;
            if number.is_empty() || index < order {
                return None;
            }
            order = index + 1;
            out.push_str(&number);
            out.push_str(units[index].1);
            number.clear();
        }
        number.is_empty().then_some(())
    };
    take(days, &[('W', "w"), ('D', "d")])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        take(time, &[('H', "h"), ('M', "m"), ('S', "s")])?;
    }
    // A single piece, `PT45S`, reads as `45s`; several as a compound duration.
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMA: Numbers = Numbers { decimal_comma: false };
    const SEMICOLON: Numbers = Numbers { decimal_comma: true };

    fn read(text: &str, numbers: Numbers) -> Result<Option<String>, String> {
        normalize(text, numbers).map(|v| v.map(|w| w.text.into_owned())).map_err(|e| e.to_string())
    }

    fn ok(text: &str, numbers: Numbers) -> String {
        read(text, numbers).unwrap().unwrap()
    }

    #[test]
    fn plain_values_pass_through_borrowed() {
        for text in ["185ms", "0.4%", "1.2k", "1h30m", "12", "3/week"] {
            let written = normalize(text, COMMA).unwrap().unwrap();
            assert!(
                matches!(written.text, Cow::Borrowed(t) if t == text) && !written.self_describing
            );
        }
    }

    #[test]
    fn thousands_separators_in_groups_of_three_are_dropped() {
        assert_eq!(ok("1,200", COMMA), "1200");
        assert_eq!(ok("1,200.50", COMMA), "1200.50");
        assert_eq!(ok("12,345,678 req/s", COMMA), "12345678 req/s");
        assert_eq!(ok("1 200", COMMA), "1200");
        assert_eq!(ok("1\u{a0}200 ms", COMMA), "1200 ms");
        assert_eq!(ok("1\u{202f}200", SEMICOLON), "1200");
        assert_eq!(ok("1'200", COMMA), "1200");
        assert_eq!(ok("1'200.5", COMMA), "1200.5");
        assert_eq!(ok("1.200,50", SEMICOLON), "1200.50");
        assert_eq!(ok("1 200,5", SEMICOLON), "1200.5");
        assert_eq!(ok("1.200.300", SEMICOLON), "1200300");
        assert_eq!(ok("1,200.50", SEMICOLON), "1200.50");
    }

    #[test]
    fn a_decimal_comma_reads_only_where_the_delimiter_leaves_it_unambiguous() {
        assert_eq!(ok("0,4%", SEMICOLON), "0.4%");
        assert_eq!(ok("65,5", SEMICOLON), "65.5");
        assert_eq!(ok("0,125", SEMICOLON), "0.125", "a leading 0 is never a thousands group");
        assert_eq!(
            read("1,5", COMMA).unwrap_err(),
            "`1,5` is not a number; use `.` as the decimal separator, as in `1.5`"
        );
        assert_eq!(
            read("1.200,50", COMMA).unwrap_err(),
            "`1.200,50` is not a number; use `.` as the decimal separator, as in `1200.50`"
        );
    }

    #[test]
    fn ambiguous_forms_are_refused_with_both_readings_and_suggestions_keep_each_size() {
        assert_eq!(
            read("1.200", SEMICOLON).unwrap_err(),
            "`1.200` could be 1.2 (`.` as the decimal separator) or 1200 (`.` between thousands); write `1,2` or `1200`"
        );
        assert_eq!(
            read("1,200", SEMICOLON).unwrap_err(),
            "`1,200` could be 1.2 (`,` as the decimal separator) or 1200 (`,` between thousands); write `1.2` or `1200`"
        );
        // The point is the decimal separator of a comma file, and `0.125` is never 125.
        assert_eq!(ok("1.200", COMMA), "1.200");
        assert_eq!(ok("0.125", SEMICOLON), "0.125");
        assert_eq!(ok("185.5", SEMICOLON), "185.5");
    }

    #[test]
    fn irregular_groups_are_refused_with_the_number_without_separators() {
        assert_eq!(
            read("1,20,000", COMMA).unwrap_err(),
            "`1,20,000` is not a number: digits are grouped in threes between separators (`1,200` or `1 200`); write it without separators, as in `120000`"
        );
        assert!(read("1 20", COMMA).unwrap_err().contains("as in `120`"));
        assert!(read("1,20,000.5", COMMA).unwrap_err().ends_with("as in `120000.5`"));
        assert!(read("1,200 300", COMMA).unwrap_err().ends_with("without separators"));
        assert!(read("1,2345", COMMA).is_err());
        assert!(read("1.200.300", COMMA).is_err(), "points between thousands in a comma file");
        assert!(read("1,200 300", COMMA).is_err(), "two kinds of group separator");
    }

    #[test]
    fn words_for_no_data_are_blank_in_any_case() {
        for word in ["N/A", "NA", "n/a", "-", "—", "none", "NULL", "Null"] {
            assert_eq!(read(word, COMMA), Ok(None), "{word}");
        }
        assert_eq!(ok("-5", COMMA), "-5", "a negative number is left to the unit parser");
        assert_eq!(ok("nan", COMMA), "nan");
    }

    #[test]
    fn spreadsheet_durations_become_compound_durations() {
        assert_eq!(ok("1:30:00", COMMA), "1h30m00s");
        assert_eq!(ok("01:30", COMMA), "01h30m");
        assert_eq!(ok("0:00:12.5", COMMA), "0h00m12.5s");
        assert_eq!(ok("PT1H30M", COMMA), "1h30m");
        assert_eq!(ok("pt45s", COMMA), "45s");
        assert_eq!(ok("P1DT2H", COMMA), "1d2h");
        for odd in ["1:3", "1:75", "1:30:75", "a:30", "PT", "PT1M1H", "P1H"] {
            assert_eq!(read(odd, COMMA), Ok(Some(odd.to_string())), "{odd}");
        }
    }
}
