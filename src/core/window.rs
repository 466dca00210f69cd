//! The bounded window of observations a reader keeps per series: what evaluation can show, and
//! no more.

use super::evaluate::{GRADED, HISTORY_LEN};
use super::history::{Observation, When};

/// The observations of one series that [`evaluate`](super::evaluate::evaluate) can show, in time
/// order: a bounded window, so that a reader holds a fixed amount per series instead of every row.
///
/// Evaluation reads, per series, the last two values (the graded one and its previous, however old)
/// and the values at the scope's last [`HISTORY_LEN`] check-ins. A series' dates are among its
/// scope's, so those check-ins are among the series' own last [`HISTORY_LEN`] observations: keeping
/// them and the last two with a value gives the same scorecard as keeping every row. The window
/// holds only observations visible at the evaluation's `as_of`; the reader leaves later ones out.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Oldest first; grown a step at a time, since most series of a large input have few rows.
    kept: Vec<Kept>,
}

/// An observation as a window keeps it: a value that is never NaN (values are finite) stands for
/// itself, NaN for no data. Two-thirds of an [`Observation`]'s size.
#[derive(Debug, Clone, Copy)]
struct Kept {
    at: Option<When>,
    value: f64,
}

impl Kept {
    fn of(observation: Observation) -> Kept {
        Kept { at: observation.at, value: observation.value.unwrap_or(f64::NAN) }
    }

    fn has_value(self) -> bool {
        !self.value.is_nan()
    }

    fn observation(self) -> Observation {
        Observation { at: self.at, value: self.has_value().then_some(self.value) }
    }
}

/// The most a window holds: one spare slot, since an observation is inserted before the window
/// is trimmed.
const WINDOW_SLOTS: usize = HISTORY_LEN + GRADED + 1;

impl Window {
    /// Adds an observation in time order (after any at the same time) and drops what evaluation
    /// can no longer show.
    pub fn add(&mut self, observation: Observation) {
        let kept = Kept::of(observation);
        let len = self.kept.len();
        if len == self.kept.capacity() {
            // Room for twice as many, up to the most a window holds.
            self.kept.reserve_exact(len.clamp(1, WINDOW_SLOTS - len));
        }
        if len == 0 || self.kept[len - 1].at <= kept.at {
            // The usual case: rows come in date order.
            self.kept.push(kept);
        } else {
            let at = self.kept.partition_point(|o| o.at <= kept.at);
            self.kept.insert(at, kept);
        }
        if self.kept.len() == WINDOW_SLOTS {
            self.trim();
        }
    }

    /// Keeps the last [`HISTORY_LEN`] observations and, before them, the values grading still needs.
    fn trim(&mut self) {
        let len = self.kept.len();
        let recent = len - HISTORY_LEN;
        let kept = &mut self.kept[..];
        let mut valued = kept[recent..].iter().filter(|o| o.has_value()).count();
        let mut write = recent;
        // Walking back from the recent ones, move the values grading needs next to them.
        for read in (0..recent).rev() {
            if valued >= GRADED {
                break;
            }
            if kept[read].has_value() {
                valued += 1;
                write -= 1;
                kept[write] = kept[read];
            }
        }
        self.kept.drain(..write);
    }

    /// The observations kept, oldest first.
    pub fn observations(&self) -> Vec<Observation> {
        self.kept.iter().map(|k| k.observation()).collect()
    }
}
