//! Appending to the files GitHub Actions reads after a step (`GITHUB_STEP_SUMMARY`,
//! `GITHUB_OUTPUT`): each run adds one block, on a line of its own, whole or not at all.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::commit::Transaction;

/// A file opened for appending, before anything is written to it.
pub(super) struct Opened {
    file: File,
    /// A regular file can be cut back to its length; a FIFO or a device cannot.
    regular: bool,
    /// The file does not end in a line break, so the block starts with one.
    newline_first: bool,
}

/// Opens `path` for appending, creating it if need be (not its directory), before anything of the
/// run is written. Write-only: a FIFO
/// opened for reading as well would have kpi as its own reader, and no real reader would be waited
/// for.
pub(super) fn open(run: &Transaction, path: &Path) -> io::Result<Opened> {
    let open = || OpenOptions::new().append(true).create(true).open(path);
    // A file the run creates is removed again if the run fails; one that exists may be a FIFO,
    // whose opening waits for a reader, so it is opened outside the journal.
    let file = if fs::metadata(path).is_err() { run.create(path, open)? } else { open()? };
    let metadata = file.metadata()?;
    let regular = metadata.is_file();
    let newline_first = regular && metadata.len() > 0 && !ends_with_newline(path, metadata.len());
    Ok(Opened { file, regular, newline_first })
}

/// Whether the last byte of the file is a line break; a file kpi may not read is taken to end in
/// one.
fn ends_with_newline(path: &Path, len: u64) -> bool {
    let mut last = [0];
    let read = File::open(path).and_then(|f| f.read_exact_at(&mut last, len - 1));
    read.is_err() || last[0] == b'\n'
}

/// Appends the block that `write` makes, in one write where the system allows. A regular file
/// that takes only part of it (a full disk) is cut back to where it was.
pub(super) fn write(
    run: &Transaction,
    opened: Opened,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut block = Vec::new();
    if opened.newline_first {
        block.push(b'\n');
    }
    write(&mut block)?;
    if opened.regular {
        run.append(opened.file, &block)
    } else {
        let mut file = opened.file;
        file.write_all(&block)
    }
}
