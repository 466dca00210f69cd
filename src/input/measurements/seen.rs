//! Which dates a series has had a row on, and where each of those rows was: what the duplicate
//! check needs to name the first of two rows, however far apart they are.
//!
//! A file usually gives each series a row at evenly spaced dates and lines: one row per scope and
//! metric at each check-in, with the same number of rows between check-ins. So the rows that come
//! in date order for their series are kept as runs, dates `lo, lo + step, ..., hi` on lines
//! `line, line + line_step, ...` of one file, and cannot repeat one another. A row dated before its
//! series' latest goes to a list of rows out of order, sixteen bytes each, which is sorted and
//! checked for repeats at the end of a file or before another error is reported: a file in no
//! order at all costs little more than its rows, and one in order costs a run per series.

/// Where a row came from: index into the reader's file names, and the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: u32,
    pub line: u64,
}

/// How many bits of a packed location hold the line: a row out of its series' date order can be
/// one of a trillion lines of a file, and of sixteen million files. Rows in order have no limit.
const LINE_BITS: u32 = 40;

impl Location {
    /// The location as one number that orders as the location does.
    fn pack(self) -> Option<u64> {
        (self.line < 1 << LINE_BITS && self.file < 1 << (64 - LINE_BITS))
            .then(|| u64::from(self.file) << LINE_BITS | self.line)
    }

    fn unpack(packed: u64) -> Location {
        let file = u32::try_from(packed >> LINE_BITS).unwrap_or(u32::MAX);
        Location { file, line: packed & ((1 << LINE_BITS) - 1) }
    }
}

/// Evenly spaced rows of one file. Dates are indexes into the reader's table of distinct dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    lo: u32,
    hi: u32,
    /// Between one date of the run and the next; 0 for a run of one row.
    step: u32,
    file: u32,
    /// The line of the row on `lo`.
    line: u64,
    /// Between one row of the run and the next.
    line_step: u64,
}

impl Run {
    fn one(date: u32, at: Location) -> Run {
        Run { lo: date, hi: date, step: 0, file: at.file, line: at.line, line_step: 0 }
    }

    fn holds(&self, date: u32) -> bool {
        (self.lo..=self.hi).contains(&date) && (date - self.lo).is_multiple_of(self.step)
    }

    /// Where the row on `date`, one of the run's dates, was.
    fn location(&self, date: u32) -> Location {
        let nth = (date - self.lo).checked_div(self.step).unwrap_or(0);
        Location { file: self.file, line: self.line + u64::from(nth) * self.line_step }
    }

    /// Takes the row on `date` at `at`, a date after the run's, when it keeps the run's spacing.
    fn extend(&mut self, date: u32, at: Location) -> bool {
        let last = self.location(self.hi).line;
        if at.file != self.file || at.line <= last {
            return false;
        }
        let fits =
            self.step == 0 || (date - self.hi == self.step && at.line - last == self.line_step);
        if fits {
            self.step = date - self.hi;
            self.line_step = at.line - last;
            self.hi = date;
        }
        fits
    }
}

/// How a row's date stands to its series' rows in date order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// After all of them: noted.
    Next,
    /// On the date of one of them, the row at this location.
    Repeat(Location),
    /// Before the latest of them and on none of their dates: for [`OutOfOrder`].
    Before,
}

/// The rows of one series that came in date order, as runs whose spans do not overlap. The last
/// run is kept apart, in place: nearly every row extends it, and a reader going through thousands
/// of series in turn would otherwise reach for memory outside the cache on every row.
#[derive(Debug, Default)]
pub struct SeenDates {
    last: Option<Run>,
    /// Boxed: most series of a file in order never have a run before their last, and a large
    /// input has millions of series.
    #[allow(clippy::box_collection)] // eight bytes in place, where a `Vec` takes twenty-four
    earlier: Option<Box<Vec<Run>>>,
}

impl SeenDates {
    /// Notes the series' row on `date` at `at` when it comes after all of the series' rows so far.
    pub fn note(&mut self, date: u32, at: Location) -> Order {
        match &mut self.last {
            Some(last) if date > last.hi => {
                if !last.extend(date, at) {
                    let earlier = self.earlier.get_or_insert_default();
                    earlier.push(std::mem::replace(last, Run::one(date, at)));
                }
                Order::Next
            }
            Some(_) => self.find(date).map_or(Order::Before, Order::Repeat),
            None => {
                self.last = Some(Run::one(date, at));
                Order::Next
            }
        }
    }

    /// How many runs the rows so far take: the memory they cost.
    #[cfg(test)]
    pub fn runs(&self) -> usize {
        self.earlier().len() + usize::from(self.last.is_some())
    }

    fn earlier(&self) -> &[Run] {
        self.earlier.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Where the series' first row was: the start of its first run.
    pub fn first(&self) -> Option<Location> {
        self.earlier().first().or(self.last.as_ref()).map(|run| run.location(run.lo))
    }

    /// Where the row on `date` was, if it came in date order.
    fn find(&self, date: u32) -> Option<Location> {
        let runs = self.earlier();
        let index = runs.partition_point(|run| run.lo <= date);
        let earlier = index.checked_sub(1).map(|i| &runs[i]);
        earlier
            .into_iter()
            .chain(&self.last)
            .find(|run| run.holds(date))
            .map(|run| run.location(date))
    }
}

/// A row dated before its series' latest: sixteen bytes, with the location packed.
#[derive(Debug, Clone, Copy)]
struct Loose {
    series: u32,
    date: u32,
    at: u64,
}

/// Two rows of one series on one date: where the first was, and the row that repeats it.
#[derive(Debug, PartialEq, Eq)]
pub struct Repeat {
    pub series: usize,
    pub date: u32,
    pub first: Location,
    pub second: Location,
}

/// The rows that came out of their series' date order, checked for repeats among themselves when
/// asked (a repeat of a row in date order is found as the row is noted).
#[derive(Debug, Default)]
pub struct OutOfOrder {
    rows: Vec<Loose>,
    /// Rows have come since the last check.
    unchecked: bool,
}

impl OutOfOrder {
    /// How many rows are out of order.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Why a row of series `series` at `at` cannot be noted: what there are too many of for it
    /// to fit in sixteen bytes.
    pub fn refuses(series: usize, at: Location) -> Option<&'static str> {
        if u32::try_from(series).is_err() {
            Some("scopes")
        } else if at.pack().is_none() {
            Some("lines")
        } else {
            None
        }
    }

    /// Notes a row of series `series`; the error names what there are too many of for the row to
    /// fit in sixteen bytes.
    pub fn push(&mut self, series: usize, date: u32, at: Location) -> Result<(), &'static str> {
        let series = u32::try_from(series).map_err(|_| "scopes")?;
        let at = at.pack().ok_or("lines")?;
        self.rows.push(Loose { series, date, at });
        self.unchecked = true;
        Ok(())
    }

    /// Of the repeats among the rows so far, the one whose second row comes first; of two on one
    /// line, the one whose series comes first in `order` (a wide row's column order).
    pub fn first_repeat(&mut self, order: impl Fn(usize) -> usize) -> Option<Repeat> {
        if !std::mem::take(&mut self.unchecked) {
            return None;
        }
        self.rows.sort_unstable_by_key(|r| (u64::from(r.series) << 32 | u64::from(r.date), r.at));
        self.rows
            .windows(2)
            .filter(|pair| (pair[0].series, pair[0].date) == (pair[1].series, pair[1].date))
            .map(|pair| Repeat {
                series: pair[0].series as usize,
                date: pair[0].date,
                first: Location::unpack(pair[0].at),
                second: Location::unpack(pair[1].at),
            })
            .min_by_key(|repeat| (repeat.second, order(repeat.series)))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::collection::vec;
    use proptest::prelude::*;

    use super::*;

    fn at(file: u32, line: u64) -> Location {
        Location { file, line }
    }

    #[test]
    fn evenly_spaced_rows_take_one_run() {
        let mut seen = SeenDates::default();
        for week in 0..52 {
            assert_eq!(seen.note(week, at(0, 2 + u64::from(week) * 19_500)), Order::Next);
        }
        assert_eq!(seen.runs(), 1);
        assert_eq!(seen.note(30, at(0, 2_000_000)), Order::Repeat(at(0, 2 + 30 * 19_500)));
        // Every fourth check-in, as a monthly metric in a weekly file.
        let mut monthly = SeenDates::default();
        for month in 0..12 {
            monthly.note(month * 4, at(0, 10 + u64::from(month) * 400));
        }
        assert_eq!(monthly.runs(), 1);
        assert_eq!(monthly.note(8, at(0, 9_999)), Order::Repeat(at(0, 810)));
        assert_eq!(monthly.note(9, at(0, 9_999)), Order::Before);
    }

    #[test]
    fn a_gap_or_another_file_starts_a_new_run() {
        let mut seen = SeenDates::default();
        for (date, line) in [(0, 2), (1, 12), (2, 22), (4, 42), (5, 52)] {
            seen.note(date, at(0, line));
        }
        seen.note(6, at(1, 2));
        assert_eq!(seen.runs(), 3);
        assert_eq!(seen.note(4, at(1, 50)), Order::Repeat(at(0, 42)));
        assert_eq!(seen.note(6, at(1, 50)), Order::Repeat(at(1, 2)));
        assert_eq!(seen.note(3, at(1, 50)), Order::Before);
    }

    #[test]
    fn rows_out_of_order_are_checked_when_asked_and_the_earliest_repeat_wins() {
        let mut loose = OutOfOrder::default();
        for (series, date, line) in [(0, 3, 10), (1, 3, 11), (0, 2, 12), (1, 3, 20), (0, 3, 20)] {
            loose.push(series, date, at(0, line)).unwrap();
        }
        // Two repeats end on line 20; series 1 comes first in the row.
        let repeat = loose.first_repeat(|series| 1 - series).unwrap();
        assert_eq!(repeat, Repeat { series: 1, date: 3, first: at(0, 11), second: at(0, 20) });
        assert_eq!(loose.first_repeat(|series| series), None, "nothing new since");
        assert_eq!(loose.push(0, 1, at(0, 1 << 40)), Err("lines"));
    }

    proptest! {
        /// Against a map of every row: rows in date order with gaps and repeats, or in any order,
        /// in two files read one after the other.
        #[test]
        fn every_repeat_is_found_and_named_with_the_row_it_repeats(
            rows in vec((0..40u32, 0..2u32), 0..120),
            sorted in any::<bool>(),
        ) {
            let mut rows = rows;
            if sorted {
                rows.sort_by_key(|&(date, file)| (file, date));
            } else {
                rows.sort_by_key(|&(_, file)| file);
            }
            let mut seen = SeenDates::default();
            let mut loose = OutOfOrder::default();
            let mut every: HashMap<u32, Location> = HashMap::new();
            let mut lines = [1u64; 2];
            for (date, file) in rows {
                lines[file as usize] += 1 + u64::from(date % 3);
                let here = at(file, lines[file as usize]);
                let expected = every.get(&date).copied();
                every.entry(date).or_insert(here);
                let found = match seen.note(date, here) {
                    Order::Next => None,
                    Order::Repeat(first) => Some(first),
                    Order::Before => {
                        loose.push(0, date, here).unwrap();
                        loose.first_repeat(|_| 0).map(|repeat| {
                            prop_assert_eq!(repeat.second, here);
                            Ok(repeat.first)
                        }).transpose()?
                    }
                };
                prop_assert_eq!(found, expected);
                if found.is_some() {
                    break;
                }
            }
            prop_assert!(seen.runs() <= every.len());
        }
    }
}
