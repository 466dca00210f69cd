//! Measurements over time: check-in dates, the observations of each (scope, metric) series, and
//! the direction-aware trend between two check-ins. Pure: values in, values out.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};
use serde::{Serialize, Serializer};

use super::text::printable;
use super::threshold::{Band, Direction};

/// When a measurement was taken: an ISO 8601 date, or a date-time (converted to UTC when it carries
/// an offset, and then shown with `Z`). Orders chronologically.
/// Two are equal when they are the same instant, however written.
#[derive(Debug, Clone, Copy)]
pub struct When(DateTime, Zone);

impl PartialEq for When {
    fn eq(&self, other: &When) -> bool {
        self.0 == other.0
    }
}

impl Eq for When {}

impl PartialOrd for When {
    fn partial_cmp(&self, other: &When) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for When {
    fn cmp(&self, other: &When) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl std::hash::Hash for When {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// Whether a date-time was written with a zone: it is then kept in UTC and shown with `Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Civil,
    Utc,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "`{}` is not an ISO 8601 date; write it like `2026-11-23` or `2026-11-23T09:30:00Z`",
        printable(.text)
    )]
    NotIso { text: String },
    #[error("the date is blank; fill it in, or delete the row")]
    Blank,
    #[error(
        "`{}` is a valid ISO 8601 date-time beyond the range kpi supports (the years -9999 to 9999); check the year",
        printable(.text)
    )]
    OutOfRange { text: String },
}

impl When {
    /// Reads `2026-11-23`, `2026-11-23T09:30`, `2026-11-23 09:30:00`, `2026-11-23T09:30:00+01:00`
    /// or an ISO week date, `2026-W47` (its Monday) or `2026-W47-3` (its Wednesday).
    pub fn parse(text: &str) -> Result<When, DateError> {
        let text = text.trim();
        let err = || DateError::NotIso { text: text.to_string() };
        let midnight = |d: Date| When(d.to_datetime(Time::midnight()), Zone::Civil);
        if text.is_empty() {
            return Err(DateError::Blank);
        }
        if text.len() <= 10 {
            return match text.parse::<Date>() {
                Ok(date) => Ok(midnight(date)),
                Err(_) => iso_week(text).map(midnight).ok_or_else(err),
            };
        }
        if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
            return Ok(When(jiff::tz::Offset::UTC.to_datetime(timestamp), Zone::Utc));
        }
        text.parse::<DateTime>().map(|at| When(at, Zone::Civil)).map_err(|_| {
            // The instants at the ends of the supported years cannot be shifted to UTC.
            let year = text.get(..10).and_then(|d| d.parse::<Date>().ok()).map(Date::year);
            match year {
                Some(9999 | -9999) => DateError::OutOfRange { text: text.to_string() },
                _ => err(),
            }
        })
    }

    /// The day `date`, as a plain date.
    pub fn from_date(date: Date) -> When {
        When(date.to_datetime(Time::midnight()), Zone::Civil)
    }

    /// The calendar day (in UTC for a date-time written with a zone).
    pub fn date(self) -> Date {
        self.0.date()
    }

    /// Whether this is no later than `limit`; a plain-date limit includes that whole day, so
    /// `--as-of 2026-11-23` keeps a measurement taken at 2026-11-23T17:00.
    pub fn not_after(self, limit: When) -> bool {
        if limit.is_date() { self.0.date() <= limit.0.date() } else { self <= limit }
    }

    /// Whether this is a plain date (midnight), shown without a time.
    fn is_date(self) -> bool {
        self.1 == Zone::Civil && self.is_midnight()
    }

    fn is_midnight(self) -> bool {
        self.0.time() == Time::midnight()
    }
}

impl When {
    /// A plain date of a four-digit year as `YYYY-MM-DD`, written into `buf` without the formatting
    /// machinery: a year of weekly check-ins for a thousand services prints a quarter of a million.
    fn plain_date(self, buf: &mut [u8; 10]) -> Option<&str> {
        let date = self.0.date();
        let year = u16::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
        if !self.is_date() {
            return None;
        }
        let mut put = |at: usize, digits: usize, mut n: u16| {
            for i in (at..at + digits).rev() {
                buf[i] = b'0' + u8::try_from(n % 10).unwrap_or(0);
                n /= 10;
            }
        };
        put(0, 4, year);
        put(5, 2, u16::try_from(date.month()).unwrap_or(0));
        put(8, 2, u16::try_from(date.day()).unwrap_or(0));
        buf[4] = b'-';
        buf[7] = b'-';
        std::str::from_utf8(buf).ok()
    }
}

/// `2026-W47` or `2026-W47-1`: the ISO week date, its day Monday unless given.
fn iso_week(text: &str) -> Option<Date> {
    let (year, rest) = text.split_once(['-'])?;
    let rest = rest.strip_prefix(['W', 'w'])?;
    let (week, day) = match rest.split_once('-') {
        Some((week, day)) => (week, day),
        None => (rest, "1"),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(week, 2) && digits(day, 1)) {
        return None;
    }
    let weekday = jiff::civil::Weekday::from_monday_one_offset(day.parse().ok()?).ok()?;
    jiff::civil::ISOWeekDate::new(year.parse().ok()?, week.parse().ok()?, weekday)
        .ok()
        .map(jiff::civil::ISOWeekDate::date)
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.plain_date(&mut [0; 10]) {
            f.write_str(text)
        } else if self.is_date() {
            write!(f, "{}", self.0.date())
        } else if self.1 == Zone::Utc {
            write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%SZ"))
        } else {
            write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%S"))
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.plain_date(&mut [0; 10]) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

/// One row of a series: a value (or a blank: no data) at a time (or undated).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub at: Option<When>,
    pub value: Option<f64>,
}

/// All observations of one scope: one series per catalog metric, in catalog order.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeData {
    /// The scope's name (a service or a team); `None` when the input has no scope column.
    pub name: Option<String>,
    pub series: Vec<Vec<Observation>>,
}

/// Everything read from the inputs, grouped by scope in order of first appearance.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dataset {
    pub scopes: Vec<ScopeData>,
}

impl Dataset {
    /// One unscoped, undated value per catalog metric (`None`: no data), in catalog order.
    pub fn single(values: &[Option<f64>]) -> Dataset {
        let series = values.iter().map(|&value| vec![Observation { at: None, value }]).collect();
        Dataset { scopes: vec![ScopeData { name: None, series }] }
    }
}

/// How a metric moved since the previous check-in, judged by which way it improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// Moved toward good by more than the dead zone.
    Improving,
    /// Moved away from good by more than the dead zone.
    Worsening,
    /// Moved less than the dead zone (or stayed inside a band).
    Steady,
    /// No earlier value to compare with.
    New,
}

/// Changes smaller than this share of the previous value read as noise.
pub const DEAD_ZONE: f64 = 0.01;

/// Judges the move from `previous` to `latest` for a metric whose pass band is `pass`: lower is
/// better, higher is better, or (for a band) closer to the band is better and inside it is steady.
pub fn trend(pass: &Band, previous: f64, latest: f64) -> Trend {
    let dead_zone = DEAD_ZONE * previous.abs().max(latest.abs()).max(f64::MIN_POSITIVE);
    let gain = match pass.direction() {
        Direction::LowerIsBetter => previous - latest,
        Direction::HigherIsBetter => latest - previous,
        Direction::Band => {
            let distance = |v| pass.miss(v).map_or(0.0, |m| m.by);
            distance(previous) - distance(latest)
        }
    };
    if gain > dead_zone {
        Trend::Improving
    } else if gain < -dead_zone {
        Trend::Worsening
    } else {
        Trend::Steady
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::unit::Unit;

    fn band(text: &str) -> Band {
        Band::parse(text, Unit::lookup("%").unwrap()).unwrap()
    }

    #[test]
    fn dates_and_date_times_parse_and_order() {
        let day = When::parse("2026-11-23").unwrap();
        let morning = When::parse("2026-11-23T09:30").unwrap();
        let utc = When::parse("2026-11-23T10:30:00+01:00").unwrap();
        assert!(day < morning);
        assert_eq!(morning, utc);
        assert_eq!(day.to_string(), "2026-11-23");
        assert_eq!(morning.to_string(), "2026-11-23T09:30:00");
        assert!(morning.not_after(day), "a plain date limit includes the whole day");
        assert!(!morning.not_after(When::parse("2026-11-23T09:00").unwrap()));
        assert!(!When::parse("2026-11-24").unwrap().not_after(day));
    }

    #[test]
    fn plain_dates_print_as_jiff_prints_them() {
        for (y, m, d) in [(1, 1, 1), (999, 12, 31), (2026, 2, 9), (9999, 12, 31), (-1, 6, 15)] {
            let date = jiff::civil::date(y, m, d);
            let when = When(date.to_datetime(Time::midnight()), Zone::Civil);
            assert_eq!(when.to_string(), date.to_string(), "{date}");
            assert_eq!(serde_json::to_string(&when).unwrap(), format!("\"{date}\""));
        }
        let morning = When::parse("2026-11-23T09:30").unwrap();
        assert_eq!(serde_json::to_string(&morning).unwrap(), "\"2026-11-23T09:30:00\"");
        let zoned = When::parse("2026-11-23T10:30:00+01:00").unwrap();
        assert_eq!(serde_json::to_string(&zoned).unwrap(), "\"2026-11-23T09:30:00Z\"");
        assert_eq!(When::parse("2026-11-23T09:30:00Z").unwrap(), zoned, "the same instant");
    }

    #[test]
    fn iso_week_dates_are_their_monday_or_the_day_given() {
        let day = |text: &str| When::parse(text).unwrap().to_string();
        assert_eq!(day("2026-W47"), "2026-11-16");
        assert_eq!(day("2026-W47-1"), "2026-11-16");
        assert_eq!(day("2026-w48-3"), "2026-11-25");
        assert_eq!(day("2026-W01"), "2025-12-29");
        for odd in ["2026-W54", "2026-W47-8", "2026-W7", "26-W47"] {
            assert!(When::parse(odd).is_err(), "{odd}");
        }
    }

    #[test]
    fn a_blank_or_out_of_range_date_says_so() {
        assert_eq!(
            When::parse(" ").unwrap_err().to_string(),
            "the date is blank; fill it in, or delete the row"
        );
        assert_eq!(
            When::parse("9999-12-30T22:00:01Z").unwrap_err().to_string(),
            "`9999-12-30T22:00:01Z` is a valid ISO 8601 date-time beyond the range kpi supports (the years -9999 to 9999); check the year"
        );
        assert!(
            When::parse("2026-13-01T00:00:00Z")
                .unwrap_err()
                .to_string()
                .contains("not an ISO 8601 date")
        );
    }

    #[test]
    fn bad_dates_are_rejected() {
        for text in ["23/11/2026", "2026-13-01", "yesterday", ""] {
            assert!(When::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn lower_is_better_trend() {
        let b = band("< 1");
        assert_eq!(trend(&b, 2.0, 1.5), Trend::Improving);
        assert_eq!(trend(&b, 1.5, 2.0), Trend::Worsening);
    }

    #[test]
    fn higher_is_better_trend() {
        let b = band(">= 70");
        assert_eq!(trend(&b, 60.0, 65.0), Trend::Improving);
        assert_eq!(trend(&b, 65.0, 60.0), Trend::Worsening);
    }

    #[test]
    fn band_trend_is_about_distance_to_the_band() {
        let b = band(">= 50 and <= 70");
        assert_eq!(trend(&b, 85.0, 75.0), Trend::Improving, "coming down toward the band");
        assert_eq!(trend(&b, 40.0, 45.0), Trend::Improving, "coming up toward the band");
        assert_eq!(trend(&b, 45.0, 35.0), Trend::Worsening);
        assert_eq!(trend(&b, 75.0, 85.0), Trend::Worsening);
        assert_eq!(trend(&b, 55.0, 65.0), Trend::Steady, "anywhere inside the band is fine");
        assert_eq!(trend(&b, 75.0, 45.0), Trend::Steady, "5 too high to 5 too low");
    }

    #[test]
    fn changes_inside_the_dead_zone_are_steady() {
        let b = band("< 1");
        assert_eq!(trend(&b, 100.0, 100.9), Trend::Steady);
        assert_eq!(trend(&b, 100.0, 99.1), Trend::Steady);
        assert_eq!(trend(&b, 100.0, 101.5), Trend::Worsening);
        assert_eq!(trend(&b, 100.0, 98.5), Trend::Improving);
        assert_eq!(trend(&b, 0.0, 0.0), Trend::Steady);
    }
}
