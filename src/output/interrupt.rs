//! What a signal does to a run that is writing: SIGINT, SIGTERM and SIGHUP put back every file the
//! run had staged, replaced or appended to, and exit 130, 143 or 129 (128 and the signal, as a
//! shell reports it); SIGXFSZ is caught, so that a write beyond `ulimit -f` fails with an error and
//! the run cleans up as after any other error, instead of being killed with its temporary file
//! left behind. The binary installs this; the library never does, so tests in one process keep
//! their signals.

use std::io;
use std::sync::atomic::AtomicBool;
use std::thread;

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
use signal_hook::iterator::Signals;

/// Installs the handlers for the life of the process.
pub fn install() -> io::Result<()> {
    // Nothing reads it: catching the signal is what makes the kernel fail the write with EFBIG.
    static FILE_TOO_LARGE: AtomicBool = AtomicBool::new(false);
    signal_hook::flag::register(SIGXFSZ, &FILE_TOO_LARGE)?;
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    thread::Builder::new().name("signals".to_string()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            super::commit::roll_back_everything_and_exit(128 + signal);
        }
    })?;
    Ok(())
}
