//! Staging and committing one run's files as a unit. Each replaced file is written in full to a
//! hidden `.kpi-*.tmp` beside its target; every rename is checked before the first; what a rename
//! replaces is kept as a hidden `.kpi-*.bak` until the run commits; and every step is recorded in
//! one journal, so an error, or a signal (see [`super::interrupt`]), puts back every file as it was
//! and leaves nothing behind. Knows files and renames, not formats or destinations.

use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Every step taken and not yet committed, of every run in this process. One lock, so that a
/// signal's rollback never sees a step half taken.
static JOURNAL: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static RUNS: AtomicU64 = AtomicU64::new(0);

struct Entry {
    run: u64,
    step: Step,
}

enum Step {
    /// A temporary file written and not yet renamed: removed on rollback.
    Staged(PathBuf),
    /// A target replaced by a rename: the backup is put back on rollback, or, where there was no
    /// file before, the new one removed. On commit the backup is removed.
    Replaced { target: PathBuf, backup: Option<PathBuf> },
    /// A regular file appended to: cut back to its earlier length on rollback.
    Appended { file: File, len: u64 },
    /// A file created to be appended to: removed on rollback, if still empty.
    Created(PathBuf),
}

fn journal() -> MutexGuard<'static, Vec<Entry>> {
    JOURNAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file written in full beside its target, waiting to be renamed onto it.
pub(super) struct Staged {
    path: PathBuf,
    /// Who owns the staged file: the user whose permission the rename needs.
    owner: u32,
}

/// Why a rename would fail, found before the first one is made.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The directory has the sticky bit and the target belongs to someone else.
    Sticky,
}

/// One run's steps. Dropped without [`Transaction::commit`], it rolls them back.
pub(super) struct Transaction {
    run: u64,
    committed: bool,
}

impl Transaction {
    pub fn begin() -> Transaction {
        Transaction { run: RUNS.fetch_add(1, Ordering::Relaxed), committed: false }
    }

    /// Writes a file in `dir` with `write`, flushed to disk, to be renamed onto a target there
    /// (where a rename is atomic). It gets the permissions of `existing`, the file it will
    /// replace, or those of any new file (the umask still applies), not a temporary file's.
    pub fn stage(
        &self,
        dir: &Path,
        existing: Option<&Metadata>,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<Staged> {
        let mode = existing.map_or(0o666, |m| m.permissions().mode() & 0o7777);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".kpi-").suffix(".tmp").permissions(fs::Permissions::from_mode(mode));
        let (file, path) = {
            // Created and recorded under the lock: a signal in between would leave it behind.
            let mut journal = journal();
            // `tempfile` names its random file in errors; messages name the target instead.
            let created = builder.tempfile_in(dir).map_err(|e| io::Error::from(e.kind()))?;
            let (file, path) = created.keep().map_err(|e| e.error)?;
            journal.push(Entry { run: self.run, step: Step::Staged(path.clone()) });
            (file, path)
        };
        let owner = file.metadata()?.uid();
        let mut out = io::BufWriter::new(file);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        Ok(Staged { path, owner })
    }

    /// Renames a staged file onto `target`, keeping what was there as a backup until the run
    /// commits.
    pub fn replace(&self, staged: &Staged, target: &Path) -> io::Result<()> {
        let mut journal = journal();
        let backup = match fs::symlink_metadata(target) {
            Ok(m) if m.is_file() => Some(backup(target)?),
            _ => None,
        };
        if let Err(e) = fs::rename(&staged.path, target) {
            if let Some(backup) = backup {
                let _ = fs::remove_file(backup);
            }
            return Err(e);
        }
        journal.retain(|e| !matches!(&e.step, Step::Staged(p) if *p == staged.path));
        journal.push(Entry {
            run: self.run,
            step: Step::Replaced { target: target.to_path_buf(), backup },
        });
        Ok(())
    }

    /// Appends `block` to a regular file, whole or not at all: a short write (a full disk) cuts
    /// the file back to its earlier length, and so does a rollback of the run.
    pub fn append(&self, mut file: File, block: &[u8]) -> io::Result<()> {
        let mut journal = journal();
        let len = file.metadata()?.len();
        if let Err(e) = file.write_all(block) {
            file.set_len(len)?;
            return Err(e);
        }
        journal.push(Entry { run: self.run, step: Step::Appended { file, len } });
        Ok(())
    }

    /// Opens `path` with `open`, which creates it, and records that the run created it.
    pub fn create(&self, path: &Path, open: impl FnOnce() -> io::Result<File>) -> io::Result<File> {
        let mut journal = journal();
        let file = open()?;
        journal.push(Entry { run: self.run, step: Step::Created(path.to_path_buf()) });
        Ok(file)
    }

    /// Makes every step final: backups are removed and nothing is rolled back any more.
    pub fn commit(mut self) {
        let mut journal = journal();
        for entry in journal.iter().filter(|e| e.run == self.run) {
            if let Step::Replaced { backup: Some(backup), .. } = &entry.step {
                let _ = fs::remove_file(backup);
            }
        }
        journal.retain(|e| e.run != self.run);
        self.committed = true;
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if !self.committed {
            roll_back(&mut journal(), Some(self.run));
        }
    }
}

/// Undoes the steps of `run` (of every run: `None`), last first.
fn roll_back(journal: &mut Vec<Entry>, run: Option<u64>) {
    let mut kept = Vec::new();
    while let Some(entry) = journal.pop() {
        if run.is_some_and(|r| r != entry.run) {
            kept.push(entry);
            continue;
        }
        // Each step is undone as far as the file system allows; one that cannot be must not stop
        // the others.
        match entry.step {
            Step::Staged(path) => {
                let _ = fs::remove_file(path);
            }
            Step::Replaced { target, backup: Some(backup) } => {
                let _ = fs::rename(backup, target);
            }
            Step::Replaced { target, backup: None } => {
                let _ = fs::remove_file(target);
            }
            Step::Appended { file, len } => {
                let _ = file.set_len(len);
            }
            Step::Created(path) => {
                // Not through a symlink: the link is the user's, whatever kpi created behind it.
                if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == 0) {
                    let _ = fs::remove_file(path);
                }
            }
        }
    }
    kept.reverse();
    *journal = kept;
}

/// Rolls back every run in the process and exits with `code`, never releasing the journal, so
/// that no step is taken after the rollback. For a signal.
pub(super) fn roll_back_everything_and_exit(code: i32) -> ! {
    let mut journal = journal();
    roll_back(&mut journal, None);
    std::process::exit(code)
}

/// Keeps the file at `target` under a hidden name beside it: a second hard link, which costs
/// nothing, or a copy where the file system or its rules refuse links.
fn backup(target: &Path) -> io::Result<PathBuf> {
    let dir = super::target::directory_of(target);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kpi-").suffix(".bak");
    if let Ok(linked) = builder.make_in(dir, |path| fs::hard_link(target, path)) {
        return linked.into_temp_path().keep().map_err(|e| e.error);
    }
    let (_, path) = builder.tempfile_in(dir)?.keep().map_err(|e| e.error)?;
    if let Err(e) = fs::copy(target, &path) {
        let _ = fs::remove_file(&path);
        return Err(e);
    }
    Ok(path)
}

/// Whether renaming `staged` onto a target in `dir` can succeed, by the rules the kernel applies:
/// in a directory with the sticky bit (such as `/tmp`), only the owner of a file, the owner of the
/// directory or root may replace it.
pub(super) fn check_rename(
    staged: &Staged,
    dir: &Path,
    existing: Option<&Metadata>,
) -> Result<(), Refusal> {
    let Some(existing) = existing else { return Ok(()) };
    let Ok(dir) = fs::metadata(dir) else { return Ok(()) };
    let me = staged.owner;
    if dir.mode() & 0o1000 != 0 && me != 0 && existing.uid() != me && dir.uid() != me {
        return Err(Refusal::Sticky);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn text(bytes: &'static str) -> impl FnOnce(&mut dyn Write) -> io::Result<()> {
        move |out| out.write_all(bytes.as_bytes())
    }

    #[test]
    fn a_failed_rename_puts_back_every_file_already_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second, new) =
            (dir.path().join("a.json"), dir.path().join("b.json"), dir.path().join("c.json"));
        fs::write(&first, "old a").unwrap();
        fs::write(&second, "old b").unwrap();
        let run = Transaction::begin();
        let staged_a = run.stage(dir.path(), None, text("new a")).unwrap();
        let staged_c = run.stage(dir.path(), None, text("new c")).unwrap();
        let staged_b = run.stage(dir.path(), None, text("new b")).unwrap();
        run.replace(&staged_a, &first).unwrap();
        run.replace(&staged_c, &new).unwrap();
        assert_eq!(fs::read_to_string(&first).unwrap(), "new a");
        // The second target turns into a directory after every check passed.
        fs::remove_file(&second).unwrap();
        fs::create_dir(&second).unwrap();
        fs::write(second.join("inside"), "").unwrap();
        assert!(run.replace(&staged_b, &second).is_err());
        drop(run);
        assert_eq!(fs::read_to_string(&first).unwrap(), "old a");
        assert_eq!(names_in(dir.path()), ["a.json", "b.json"], "no new file, backup or stage");
    }

    #[test]
    fn a_commit_keeps_the_new_files_and_removes_the_backups() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.json");
        fs::write(&target, "old").unwrap();
        let run = Transaction::begin();
        let staged = run.stage(dir.path(), None, text("new")).unwrap();
        run.replace(&staged, &target).unwrap();
        assert_eq!(names_in(dir.path()).len(), 2, "the backup is kept until the commit");
        run.commit();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(names_in(dir.path()), ["a.json"]);
    }

    #[test]
    fn a_rollback_cuts_an_append_back_and_leaves_other_runs_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        fs::write(&path, "earlier\n").unwrap();
        let other = Transaction::begin();
        other.append(fs::OpenOptions::new().append(true).open(&path).unwrap(), b"kept\n").unwrap();
        let run = Transaction::begin();
        run.append(fs::OpenOptions::new().append(true).open(&path).unwrap(), b"gone\n").unwrap();
        drop(run);
        assert_eq!(fs::read_to_string(&path).unwrap(), "earlier\nkept\n");
        other.commit();
        assert_eq!(fs::read_to_string(&path).unwrap(), "earlier\nkept\n");
    }

    #[test]
    fn staging_that_fails_part_way_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let run = Transaction::begin();
        let err = run
            .stage(dir.path(), None, |out| {
                out.write_all(b"{ half")?;
                Err(io::Error::other("the renderer gave up"))
            })
            .err()
            .unwrap();
        assert_eq!(err.to_string(), "the renderer gave up");
        drop(run);
        assert!(names_in(dir.path()).is_empty());
    }

    #[test]
    fn a_sticky_directory_refuses_a_stranger_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o1777)).unwrap();
        let target = dir.path().join("theirs.json");
        fs::write(&target, "").unwrap();
        let existing = fs::metadata(&target).unwrap();
        let run = Transaction::begin();
        let mut staged = run.stage(dir.path(), None, text("")).unwrap();
        let owner = existing.uid();
        let dir_owner = fs::metadata(dir.path()).unwrap().uid();
        staged.owner = owner;
        assert_eq!(check_rename(&staged, dir.path(), Some(&existing)), Ok(()), "its owner");
        staged.owner = 0;
        assert_eq!(check_rename(&staged, dir.path(), Some(&existing)), Ok(()), "root");
        let stranger = (1..u32::MAX).find(|u| *u != owner && *u != dir_owner).unwrap();
        staged.owner = stranger;
        assert_eq!(check_rename(&staged, dir.path(), Some(&existing)), Err(Refusal::Sticky));
        assert_eq!(check_rename(&staged, dir.path(), None), Ok(()), "a new file");
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(check_rename(&staged, dir.path(), Some(&existing)), Ok(()), "not sticky");
    }
}
