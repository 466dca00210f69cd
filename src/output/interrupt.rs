//! What a signal does to a run that is writing files: SIGINT, SIGTERM and SIGHUP put back every
//! file the run had staged, replaced or appended to, and exit 130, 143 or 129 (128 and the signal,
//! as a shell reports it); SIGXFSZ is caught, so that a write beyond `ulimit -f` fails with an
//! error and the run cleans up as after any other error, instead of being killed with its
//! temporary file left behind.
//!
//! The binary enables this; the library never does, so tests that run in one process keep their
//! signals. The thread that handles the first three starts only once a run stages or appends to a
//! file, so that a run that only prints pays nothing for it.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
use signal_hook::iterator::Signals;

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Catches SIGXFSZ now (one system call), and lets [`arm`] install the other handlers: for the
/// binary, which owns the process's signals. Should a handler fail to install, its signal does what
/// it would without it.
pub fn enable() {
    // Nothing reads the flag: catching the signal is what makes the kernel fail the write with
    // EFBIG, on standard output as on any file.
    static FILE_TOO_LARGE: AtomicBool = AtomicBool::new(false);
    let _ = signal_hook::flag::register(SIGXFSZ, &FILE_TOO_LARGE);
    ENABLED.store(true, Ordering::Relaxed);
}

/// Installs the handlers of SIGINT, SIGTERM and SIGHUP for the rest of the process, once, if
/// [`enable`] was called: a thread that waits for one, rolls back and exits.
pub(super) fn arm() {
    static INSTALL: Once = Once::new();
    if ENABLED.load(Ordering::Relaxed) {
        INSTALL.call_once(|| {
            let _ = install();
        });
    }
}

fn install() -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    thread::Builder::new().name("signals".to_string()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            super::commit::roll_back_everything_and_exit(128 + signal);
        }
    })?;
    Ok(())
}
