//! A progress indicator on standard error while inputs are read. The configuration decides whether
//! a run may show one at all (standard error is a terminal, and not in CI); even then it appears
//! only once reading has taken about a second, so a quick run never flickers. Knows the terminal,
//! not CSV: it counts the bytes a reader passes on.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long reading goes on before the indicator appears.
pub const DELAY: Duration = Duration::from_secs(1);

/// Progress of reading the inputs of one run.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    delay: Duration,
}

impl Progress {
    /// `enabled` comes from the validated configuration; off, wrapping a reader changes nothing.
    pub fn new(enabled: bool) -> Self {
        Progress { enabled, delay: DELAY }
    }

    /// Wraps the reader of the input named `name`, `len` bytes long when known (a file, not
    /// standard input), so that reading it moves the indicator.
    pub fn wrap<R: Read>(&self, reader: R, name: &str, len: Option<u64>) -> Watched<R> {
        let bar = self.enabled.then(|| {
            let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::hidden());
            let template = if len.is_some() {
                "reading {msg} {wide_bar} {decimal_bytes}/{decimal_total_bytes} ({eta} left)"
            } else {
                "reading {msg} {spinner} {decimal_bytes}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message(name.to_string());
            bar
        });
        Watched { inner: reader, bar, started: Instant::now(), delay: self.delay, shown: false }
    }
}

/// A reader whose bytes move a progress indicator; the indicator is cleared when it is dropped.
#[derive(Debug)]
pub struct Watched<R> {
    inner: R,
    bar: Option<ProgressBar>,
    started: Instant,
    delay: Duration,
    shown: bool,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
            if !self.shown && self.started.elapsed() >= self.delay {
                self.shown = true;
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
        Ok(n)
    }
}

impl<R> Drop for Watched<R> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(mut reader: impl Read) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut chunk = [0; 7];
        while let Ok(n @ 1..) = reader.read(&mut chunk) {
            bytes.extend_from_slice(&chunk[..n]);
        }
        bytes
    }

    #[test]
    fn a_watched_reader_passes_every_byte_on_and_counts_them() {
        let text = b"date,metric,value\n2026-11-23,mttr,45m\n";
        let progress = Progress::new(true);
        let watched = progress.wrap(&text[..], "m.csv", Some(text.len() as u64));
        let bar = watched.bar.clone().expect("enabled");
        assert_eq!(read_all(watched), text);
        assert_eq!(bar.position(), text.len() as u64);
        assert!(bar.is_finished(), "cleared once the input is read");
    }

    #[test]
    fn nothing_is_shown_before_the_delay_nor_when_disabled() {
        let text = b"metric,value\nmttr,45m\n";
        let mut quick = Progress::new(true).wrap(&text[..], "m.csv", None);
        read_all(&mut quick);
        assert!(!quick.shown);
        let mut slow = Progress { enabled: true, delay: Duration::ZERO }.wrap(&text[..], "m", None);
        read_all(&mut slow);
        assert!(slow.shown);
        let off = Progress { enabled: false, delay: Duration::ZERO }.wrap(&text[..], "m", None);
        assert!(off.bar.is_none());
    }
}
