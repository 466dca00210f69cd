//! Which dates a series has had a row on, and where each of those rows was: what the duplicate
//! check needs to name the first of two rows, however far apart they are.
//!
//! A file usually gives each series a row at evenly spaced dates and lines: one row per scope and
//! metric at each check-in, with the same number of rows between check-ins. So a series' rows are
//! kept as runs, dates `lo, lo + step, ..., hi` on lines `line, line + line_step, ...` of one file,
//! and memory grows with a file's irregularities (a skipped week, rows out of order), not with its
//! rows.

/// Where a row came from: index into the reader's file names, and the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub file: u32,
    pub line: u64,
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

    /// The run's rows before and after `date`, a date inside the run's span but not one of its
    /// dates.
    fn split(self, date: u32) -> (Run, Run) {
        let before = (date - self.lo) / self.step;
        let single = |mut run: Run| {
            if run.lo == run.hi {
                (run.step, run.line_step) = (0, 0);
            }
            run
        };
        let left = Run { hi: self.lo + before * self.step, ..self };
        let right = Run {
            lo: self.lo + (before + 1) * self.step,
            line: self.line + u64::from(before + 1) * self.line_step,
            ..self
        };
        (single(left), single(right))
    }
}

/// The dated rows of one series, as runs in date order whose spans do not overlap. The last run is
/// kept apart, in place: it is the one nearly every row extends, and a reader going through
/// thousands of series in turn would otherwise reach for memory outside the cache on every row.
#[derive(Debug, Default)]
pub struct SeenDates {
    last: Option<Run>,
    earlier: Vec<Run>,
}

impl SeenDates {
    /// Notes the series' row on `date` at `at`; when the series already had a row on that date,
    /// returns where it was and notes nothing.
    pub fn note(&mut self, date: u32, at: Location) -> Result<(), Location> {
        // The usual row: on a date after all of the series' dates so far.
        match &mut self.last {
            Some(last) if date > last.hi => {
                if !last.extend(date, at) {
                    self.earlier.push(std::mem::replace(last, Run::one(date, at)));
                }
                return Ok(());
            }
            None => {
                self.last = Some(Run::one(date, at));
                return Ok(());
            }
            Some(_) => {}
        }
        let runs = &mut self.earlier;
        runs.extend(self.last.take());
        let noted = Self::note_out_of_order(runs, date, at);
        self.last = runs.pop();
        noted
    }

    /// Notes a row on a date before the last of `runs`.
    fn note_out_of_order(runs: &mut Vec<Run>, date: u32, at: Location) -> Result<(), Location> {
        // Only the last run starting at or before the date can hold it.
        let index = runs.partition_point(|run| run.lo <= date);
        if let Some(&run) = index.checked_sub(1).map(|i| &runs[i]) {
            if run.holds(date) {
                return Err(run.location(date));
            }
            if date < run.hi {
                let (left, right) = run.split(date);
                runs[index - 1] = left;
                runs.splice(index..index, [Run::one(date, at), right]);
                return Ok(());
            }
        }
        runs.insert(index, Run::one(date, at));
        Ok(())
    }

    /// How many runs the rows so far take: memory, for tests.
    #[cfg(test)]
    fn runs(&self) -> usize {
        self.earlier.len() + usize::from(self.last.is_some())
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
            seen.note(week, at(0, 2 + u64::from(week) * 19_500)).unwrap();
        }
        assert_eq!(seen.runs(), 1);
        assert_eq!(seen.note(30, at(0, 2_000_000)), Err(at(0, 2 + 30 * 19_500)));
        // Every fourth check-in, as a monthly metric in a weekly file.
        let mut monthly = SeenDates::default();
        for month in 0..12 {
            monthly.note(month * 4, at(0, 10 + u64::from(month) * 400)).unwrap();
        }
        assert_eq!(monthly.runs(), 1);
        assert_eq!(monthly.note(8, at(0, 9_999)), Err(at(0, 810)));
        assert_eq!(monthly.note(9, at(0, 9_999)), Ok(()));
    }

    #[test]
    fn a_gap_or_another_file_starts_a_new_run() {
        let mut seen = SeenDates::default();
        for (date, line) in [(0, 2), (1, 12), (2, 22), (4, 42), (5, 52)] {
            seen.note(date, at(0, line)).unwrap();
        }
        seen.note(6, at(1, 2)).unwrap();
        assert_eq!(seen.runs(), 3);
        assert_eq!(seen.note(4, at(1, 50)), Err(at(0, 42)));
        assert_eq!(seen.note(6, at(1, 50)), Err(at(1, 2)));
    }

    #[test]
    fn a_date_inside_a_run_splits_it() {
        let mut seen = SeenDates::default();
        for date in [0, 2, 4, 6, 8] {
            seen.note(date, at(0, u64::from(date) * 10)).unwrap();
        }
        seen.note(5, at(0, 100)).unwrap();
        assert_eq!(seen.runs(), 3);
        for (date, line) in [(0, 0), (4, 40), (5, 100), (6, 60), (8, 80)] {
            assert_eq!(seen.note(date, at(0, 200)), Err(at(0, line)), "{date}");
        }
        assert_eq!(seen.note(3, at(0, 200)), Ok(()));
    }

    proptest! {
        /// Against a map of every row: rows in date order with gaps and repeats, or in any order,
        /// across two files.
        #[test]
        fn runs_find_every_earlier_row_and_where_it_was(
            rows in vec((0..40u32, 0..2u32), 0..120),
            sorted in any::<bool>(),
        ) {
            let mut rows = rows;
            if sorted {
                rows.sort_by_key(|&(date, file)| (file, date));
            }
            let mut seen = SeenDates::default();
            let mut every: HashMap<u32, Location> = HashMap::new();
            let mut lines = [1u64; 2];
            for (date, file) in rows {
                lines[file as usize] += 1 + u64::from(date % 3);
                let here = at(file, lines[file as usize]);
                let expected = every.get(&date).map_or(Ok(()), |&first| Err(first));
                every.entry(date).or_insert(here);
                prop_assert_eq!(seen.note(date, here), expected);
            }
            prop_assert!(seen.runs() <= every.len());
        }
    }
}
