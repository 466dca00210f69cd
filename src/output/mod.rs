//! Writing rendered text where it goes: standard output, special files streamed in place, regular
//! files replaced atomically and all together, and GitHub's files appended to. The only module
//! that writes; it knows destinations, not formats.
//!
//! `target` resolves each destination (symlinks, devices, descriptors) and which file it is;
//! `commit` stages, renames and rolls back; `append` adds whole blocks; `interrupt` makes a signal
//! roll back too.

mod append;
mod commit;
pub mod interrupt;
mod target;

use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use commit::{Refusal, Transaction};
use target::{Identity, Kind, Target};

/// Where one rendering goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, written `-` or `/dev/stdout` on the command line.
    Stdout,
    /// A file: a regular one is replaced as a whole or not at all; a device, a FIFO or a
    /// descriptor (`/dev/fd/N`) is written in place.
    File(PathBuf),
    /// The job summary file that `$GITHUB_STEP_SUMMARY` names, appended to.
    StepSummary(PathBuf),
    /// The step outputs file that `$GITHUB_OUTPUT` names, appended to.
    StepOutputs(PathBuf),
}

impl Destination {
    /// `-` and `/dev/stdout` are standard output; anything else is a file path.
    pub fn from_arg(arg: &str) -> Destination {
        if arg == "-" || arg == "/dev/stdout" {
            Destination::Stdout
        } else {
            Destination::File(PathBuf::from(arg))
        }
    }

    /// How messages name the destination.
    fn label(&self, shown: &str) -> String {
        match self {
            Destination::Stdout => "standard output".to_string(),
            Destination::File(_) => format!("`{shown}`"),
            Destination::StepSummary(_) => format!("`GITHUB_STEP_SUMMARY` (`{shown}`)"),
            Destination::StepOutputs(_) => format!("`GITHUB_OUTPUT` (`{shown}`)"),
        }
    }
}

/// Why an output could not be written. Every file is then as it was before the run, except what
/// was already streamed to standard output or a special file.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`: {}", Cause(cause))]
    File { path: String, cause: io::Error },
    #[error("cannot write `{path}`: it is a directory; name a file inside it instead")]
    Directory { path: String },
    #[error(
        "cannot write `{path}`: the name ends like a directory's (`/`, `.` or `..`); name a file instead"
    )]
    NotAFileName { path: String },
    #[error("cannot write `{path}`: the directory `{dir}` does not exist; create it first")]
    MissingDirectory { path: String, dir: String },
    #[error("cannot write `{path}`: `{dir}` is not a directory; name a file in a directory")]
    NotADirectory { path: String, dir: String },
    #[error(
        "cannot replace `{path}`: another user owns it and its directory has the sticky bit (as `/tmp` has); name another file"
    )]
    Sticky { path: String },
    #[error("{first} and {second} are the same file; give each output its own file")]
    SameFile { first: String, second: String },
    #[error(
        "cannot write `{path}`: it is the input `{input}`, which the output would destroy; name another file"
    )]
    Input { path: String, input: String },
    #[error(
        "cannot append the job summary to `{path}` (from `GITHUB_STEP_SUMMARY`): {}; fix the path or pass `--no-step-summary`",
        Reason(cause)
    )]
    StepSummary { path: String, cause: io::Error },
    #[error(
        "cannot append the step outputs to `{path}` (from `GITHUB_OUTPUT`): {}; fix the path or unset `GITHUB_OUTPUT`",
        Reason(cause)
    )]
    StepOutputs { path: String, cause: io::Error },
    #[error("cannot write to standard output: {}", Reason(.0))]
    Stdout(io::Error),
}

/// What went wrong, in words: the one thing a user can act on, never a temporary file's name.
struct Reason<'a>(&'a io::Error);

impl fmt::Display for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use io::ErrorKind as E;
        match self.0.kind() {
            E::StorageFull => f.write_str("the disk is full"),
            E::QuotaExceeded => f.write_str("the disk quota is exceeded"),
            E::FileTooLarge => f.write_str("the file size limit (`ulimit -f`) is exceeded"),
            E::PermissionDenied => f.write_str("permission denied"),
            E::ReadOnlyFilesystem => f.write_str("the file system is read-only"),
            E::ResourceBusy => f.write_str("the file is busy (a mount point?)"),
            E::NotFound => f.write_str("its directory does not exist"),
            _ => write!(f, "{}", self.0),
        }
    }
}

/// A reason and what to do about it.
struct Cause<'a>(&'a io::Error);

impl fmt::Display for Cause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use io::ErrorKind as E;
        let advice = match self.0.kind() {
            E::StorageFull | E::QuotaExceeded => "free some space and run again",
            E::FileTooLarge => "raise the limit or write the file elsewhere",
            E::PermissionDenied => "check the permissions of the file and its directory",
            E::ReadOnlyFilesystem | E::ResourceBusy => "write the file elsewhere",
            _ => "check that its directory exists and is writable",
        };
        write!(f, "{}; {advice}", Reason(self.0))
    }
}

/// Every output of one run, written together (as hyperfine's `ExportManager` does).
///
/// Before anything is written, every destination is resolved, and two names of one file, or an
/// output that is one of the run's inputs, are refused. Regular files are then staged beside their
/// targets, every rename is checked, standard output and special files are streamed, and only then
/// are the files renamed into place and GitHub's files appended to. If a step fails, every file
/// renamed or appended to is put back as it was.
#[derive(Default)]
pub struct Outputs<'a> {
    items: Vec<(Destination, Content<'a>)>,
    inputs: Vec<PathBuf>,
}

/// What goes to one destination: text rendered up front, or a function that writes it, so that a
/// large rendering (the JSON of a year of check-ins) goes out as it is made instead of being held.
enum Content<'a> {
    Text(String),
    Writer(Box<WriteFn<'a>>),
}

/// Writes one rendering to the writer it is given.
type WriteFn<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'a;

impl Content<'_> {
    fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Content::Text(text) => out.write_all(text.as_bytes()),
            Content::Writer(write) => write(out),
        }
    }
}

impl<'a> Outputs<'a> {
    pub fn new() -> Self {
        Outputs::default()
    }

    /// Queues `text` for `destination`.
    pub fn add(&mut self, destination: Destination, text: String) {
        self.items.push((destination, Content::Text(text)));
    }

    /// Queues a rendering that `write` produces when the destination is written, buffered.
    pub fn add_writer(
        &mut self,
        destination: Destination,
        write: impl Fn(&mut dyn Write) -> io::Result<()> + 'a,
    ) {
        self.items.push((destination, Content::Writer(Box::new(write))));
    }

    /// Names the files the run read, so that no output replaces or appends to one of them.
    pub fn refuse_inputs(&mut self, inputs: &[PathBuf]) {
        self.inputs.extend_from_slice(inputs);
    }

    /// Writes every output, all or nothing as far as the file system allows (see [`Outputs`]).
    pub fn write(&self) -> Result<(), OutputError> {
        let targets = self
            .items
            .iter()
            .map(|(destination, _)| target::resolve(destination))
            .collect::<Result<Vec<_>, _>>()?;
        self.refuse_shared_files(&targets)?;

        if targets.iter().any(|t| matches!(t.kind, Kind::Replace | Kind::Append)) {
            interrupt::arm();
        }
        let run = Transaction::begin();
        let mut staged = Vec::new();
        for (target, (_, content)) in targets.iter().zip(&self.items) {
            if target.kind == Kind::Replace {
                let file = run
                    .stage(&target.dir, target.existing.as_ref(), |out| content.write_to(out))
                    .map_err(|cause| file_error(target, cause))?;
                commit::check_rename(&file, &target.dir, target.existing.as_ref()).map_err(
                    |refusal| match refusal {
                        Refusal::Sticky => OutputError::Sticky { path: target.shown.clone() },
                    },
                )?;
                staged.push((target, file));
            }
        }
        let mut appends = Vec::new();
        for (target, (destination, content)) in targets.iter().zip(&self.items) {
            if target.kind == Kind::Append {
                let opened = append::open(&run, &target.path)
                    .map_err(|e| append_error(destination, target, e))?;
                appends.push((target, destination, content, opened));
            }
        }
        for (target, (_, content)) in targets.iter().zip(&self.items) {
            match target.kind {
                Kind::Stdout => write_stdout(content).map_err(OutputError::Stdout)?,
                Kind::InPlace { socket, append } => {
                    write_in_place(&target.path, socket, append, content)
                        .map_err(|cause| file_error(target, cause))?;
                }
                Kind::Replace | Kind::Append => {}
            }
        }
        for (target, file) in staged {
            run.replace(&file, &target.path).map_err(|cause| file_error(target, cause))?;
        }
        for (target, destination, content, opened) in appends {
            append::write(&run, opened, |out| content.write_to(out))
                .map_err(|e| append_error(destination, target, e))?;
        }
        run.commit();
        Ok(())
    }

    /// Refuses two destinations that are one file, and a destination that is an input.
    fn refuse_shared_files(&self, targets: &[Target]) -> Result<(), OutputError> {
        let named = targets.iter().zip(&self.items).filter_map(|(target, (destination, _))| {
            let identity = target.identity.as_ref()?;
            Some((identity, destination.label(&target.shown), target))
        });
        let named: Vec<_> = named.collect();
        for (i, (identity, label, _)) in named.iter().enumerate() {
            if let Some((_, first, _)) = named[..i].iter().find(|(other, ..)| other == identity) {
                return Err(OutputError::SameFile { first: first.clone(), second: label.clone() });
            }
        }
        for input in &self.inputs {
            let Some(input_identity) = std::fs::metadata(input).ok().and_then(|m| Identity::of(&m))
            else {
                continue;
            };
            if let Some((_, _, target)) = named.iter().find(|(id, ..)| **id == input_identity) {
                return Err(OutputError::Input { path: target.shown.clone(), input: shown(input) });
            }
        }
        Ok(())
    }
}

fn file_error(target: &Target, cause: io::Error) -> OutputError {
    OutputError::File { path: target.shown.clone(), cause }
}

fn append_error(destination: &Destination, target: &Target, cause: io::Error) -> OutputError {
    let path = target.shown.clone();
    match destination {
        Destination::StepOutputs(_) => OutputError::StepOutputs { path, cause },
        _ => OutputError::StepSummary { path, cause },
    }
}

/// A path as messages show it: printable, since a file name may hold anything.
fn shown(path: &Path) -> String {
    crate::core::text::printable(&path.display().to_string()).into_owned()
}

/// Streams `content` into a file that is not replaced: a device, a FIFO (whose reader is then
/// waited for, as a shell's `>` would), a socket, or a descriptor of this process.
fn write_in_place(
    path: &Path,
    socket: bool,
    append: bool,
    content: &Content<'_>,
) -> io::Result<()> {
    let out: Box<dyn Write> = if socket {
        Box::new(UnixStream::connect(path)?)
    } else {
        // No truncation: a device or a FIFO has nothing to cut, and a descriptor's file was opened
        // by the shell, which truncated it already unless it was opened to append (`3>>log`).
        Box::new(OpenOptions::new().write(true).append(append).open(path)?)
    };
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    // A reader that stopped reading early (`-o >(head -1)`) is not an error, as on standard output.
    match content.write_to(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes to standard output; a reader that closed the pipe early (`kpi check x.csv | head`) is not
/// an error, since the verdict is already decided.
fn write_stdout(content: &Content<'_>) -> io::Result<()> {
    // Buffered: standard output alone flushes at every line break.
    let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match content.write_to(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.xml");
        fs::write(&path, "a much longer earlier report").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(path.clone()), "new".into());
        outputs.write().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names_in(dir.path()), ["report.xml"]);
    }

    #[test]
    fn one_unwritable_file_leaves_every_earlier_file_intact_and_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("kpi.json");
        fs::write(&good, "earlier").unwrap();
        let not_a_dir = dir.path().join("plain-file");
        fs::write(&not_a_dir, "").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(good.clone()), "later".into());
        outputs.add(Destination::File(not_a_dir.join("kpi.xml")), "later".into());
        let err = outputs.write().unwrap_err().to_string();
        assert!(
            err.ends_with("plain-file` is not a directory; name a file in a directory"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&good).unwrap(), "earlier");
        assert_eq!(names_in(dir.path()), ["kpi.json", "plain-file"]);
    }

    #[test]
    fn a_directory_in_the_way_is_refused_before_anything_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("kpi.json");
        fs::write(&good, "earlier").unwrap();
        fs::create_dir(dir.path().join("kpi.xml")).unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(good.clone()), "later".into());
        outputs.add(Destination::File(dir.path().join("kpi.xml")), "later".into());
        let err = outputs.write().unwrap_err().to_string();
        assert!(
            err.ends_with("kpi.xml`: it is a directory; name a file inside it instead"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&good).unwrap(), "earlier");
        assert_eq!(names_in(dir.path()), ["kpi.json", "kpi.xml"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_not_left_private_and_a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.xml");
        let kept = dir.path().join("kept.xml");
        fs::write(&kept, "").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o640)).unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(new.clone()), "x".into());
        outputs.add(Destination::File(kept.clone()), "x".into());
        outputs.write().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&new) & 0o044, 0o044, "readable by others unless the umask says no");
        assert_eq!(mode(&kept), 0o640);
    }

    #[test]
    fn a_writer_goes_where_text_goes_and_a_failing_one_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kpi.json");
        let summary = dir.path().join("summary.md");
        fs::write(&summary, "earlier").unwrap();
        let mut outputs = Outputs::new();
        outputs.add_writer(Destination::File(file.clone()), |out| out.write_all(b"{}\n"));
        outputs.add_writer(Destination::StepSummary(summary.clone()), |out| out.write_all(b"x\n"));
        outputs.write().unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "{}\n");
        assert_eq!(fs::read_to_string(&summary).unwrap(), "earlier\nx\n");

        let mut outputs = Outputs::new();
        outputs.add_writer(Destination::File(file.clone()), |out| {
            out.write_all(b"{ half")?;
            Err(io::Error::other("the renderer gave up"))
        });
        let err = outputs.write().unwrap_err().to_string();
        assert!(err.contains("the renderer gave up"), "{err}");
        assert_eq!(fs::read_to_string(&file).unwrap(), "{}\n");
        assert_eq!(names_in(dir.path()), ["kpi.json", "summary.md"]);
    }

    #[test]
    fn appending_keeps_what_was_there_and_starts_on_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        fs::write(&path, "earlier step").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::StepSummary(path.clone()), "first run\n".into());
        outputs.write().unwrap();
        outputs.write().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "earlier step\nfirst run\nfirst run\n");
    }

    #[test]
    fn appending_creates_a_missing_file_but_not_a_missing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        let mut outputs = Outputs::new();
        outputs.add(Destination::StepOutputs(path.clone()), "gate=pass\n".into());
        outputs.write().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "gate=pass\n");

        let mut outputs = Outputs::new();
        outputs.add(Destination::StepOutputs(dir.path().join("no/such/out")), "x".into());
        let err = outputs.write().unwrap_err().to_string();
        assert!(err.starts_with("cannot append the step outputs to `"), "{err}");
        assert!(
            err.ends_with("its directory does not exist; fix the path or unset `GITHUB_OUTPUT`"),
            "{err}"
        );
    }

    #[test]
    fn a_failure_removes_a_job_summary_the_run_created_and_keeps_an_existing_one() {
        let dir = tempfile::tempdir().unwrap();
        let (created, kept) = (dir.path().join("new.md"), dir.path().join("old.md"));
        fs::write(&kept, "earlier\n").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::StepSummary(created.clone()), "x\n".into());
        outputs.add(Destination::StepOutputs(kept.clone()), "gate=pass\n".into());
        outputs.add_writer(Destination::Stdout, |_| Err(io::Error::other("the reader gave up")));
        let err = outputs.write().unwrap_err().to_string();
        assert_eq!(err, "cannot write to standard output: the reader gave up");
        assert_eq!(names_in(dir.path()), ["old.md"]);
        assert_eq!(fs::read_to_string(&kept).unwrap(), "earlier\n");
    }

    #[test]
    fn a_failed_append_puts_back_the_files_and_the_appends_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let (report, summary) = (dir.path().join("kpi.json"), dir.path().join("summary.md"));
        fs::write(&report, "earlier").unwrap();
        fs::write(&summary, "earlier\n").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(report.clone()), "later".into());
        outputs.add(Destination::StepSummary(summary.clone()), "## later\n".into());
        outputs.add_writer(Destination::StepOutputs(dir.path().join("out")), |_| {
            Err(io::Error::from(io::ErrorKind::StorageFull))
        });
        let err = outputs.write().unwrap_err().to_string();
        assert!(
            err.ends_with(
                "(from `GITHUB_OUTPUT`): the disk is full; fix the path or unset `GITHUB_OUTPUT`"
            ),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&report).unwrap(), "earlier");
        assert_eq!(fs::read_to_string(&summary).unwrap(), "earlier\n");
        assert_eq!(names_in(dir.path()), ["kpi.json", "summary.md"]);
    }

    #[test]
    fn dash_and_dev_stdout_are_standard_output() {
        assert_eq!(Destination::from_arg("-"), Destination::Stdout);
        assert_eq!(Destination::from_arg("/dev/stdout"), Destination::Stdout);
        assert_eq!(Destination::from_arg("./-"), Destination::File("./-".into()));
    }

    #[test]
    fn two_names_of_one_file_are_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let summary = dir.path().join("s.md");
        fs::write(&summary, "earlier\n").unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(dir.path().join("new.json")), "x".into());
        outputs.add(Destination::File(dir.path().join("./new.json")), "x".into());
        let err = outputs.write().unwrap_err().to_string();
        assert!(
            err.ends_with("new.json` are the same file; give each output its own file"),
            "{err}"
        );

        let mut outputs = Outputs::new();
        outputs.add(Destination::File(dir.path().join("a.json")), "x".into());
        outputs.add(Destination::StepOutputs(dir.path().join("s.md")), "x".into());
        outputs.add(Destination::StepSummary(dir.path().join("sub/../s.md")), "x".into());
        fs::create_dir(dir.path().join("sub")).unwrap();
        let err = outputs.write().unwrap_err().to_string();
        assert!(err.starts_with("`GITHUB_OUTPUT` (`"), "{err}");
        assert!(err.contains("and `GITHUB_STEP_SUMMARY` (`"), "{err}");
        assert_eq!(fs::read_to_string(&summary).unwrap(), "earlier\n");
        assert_eq!(names_in(dir.path()), ["s.md", "sub"], "nothing written");
    }

    #[test]
    fn an_output_that_is_an_input_is_refused_however_it_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("hist.csv");
        fs::write(&input, "metric,value\n").unwrap();
        std::os::unix::fs::symlink("hist.csv", dir.path().join("link.csv")).unwrap();
        for name in ["hist.csv", "./hist.csv", "link.csv"] {
            let mut outputs = Outputs::new();
            outputs.add(Destination::File(dir.path().join(name)), "report".into());
            outputs.refuse_inputs(std::slice::from_ref(&input));
            let err = outputs.write().unwrap_err().to_string();
            assert!(err.contains("which the output would destroy; name another file"), "{err}");
            assert_eq!(fs::read_to_string(&input).unwrap(), "metric,value\n");
        }
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(dir.path().join("other.md")), "report".into());
        outputs.refuse_inputs(&[input.clone(), dir.path().join("not-there.csv")]);
        outputs.write().unwrap();
    }

    #[test]
    fn a_symlink_is_written_through_and_keeps_pointing_at_fresh_content() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("reports")).unwrap();
        fs::write(dir.path().join("reports/kpi.json"), "stale").unwrap();
        std::os::unix::fs::symlink("reports/kpi.json", dir.path().join("latest.json")).unwrap();
        std::os::unix::fs::symlink("reports/new.json", dir.path().join("dangling.json")).unwrap();
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(dir.path().join("latest.json")), "fresh".into());
        outputs.add(Destination::File(dir.path().join("dangling.json")), "created".into());
        outputs.write().unwrap();
        let link = fs::symlink_metadata(dir.path().join("latest.json")).unwrap();
        assert!(link.file_type().is_symlink());
        assert_eq!(fs::read_to_string(dir.path().join("reports/kpi.json")).unwrap(), "fresh");
        assert!(fs::symlink_metadata(dir.path().join("dangling.json")).unwrap().is_symlink());
        assert_eq!(fs::read_to_string(dir.path().join("reports/new.json")).unwrap(), "created");
        assert_eq!(names_in(&dir.path().join("reports")), ["kpi.json", "new.json"]);
    }

    /// Reads a file on another thread: a FIFO's reader may wait for ever for a writer that never
    /// comes, so it is waited for with a timeout.
    fn read_in_background(path: &Path) -> std::sync::mpsc::Receiver<String> {
        let (send, receive) = std::sync::mpsc::channel();
        let path = path.to_path_buf();
        std::thread::spawn(move || send.send(fs::read_to_string(path).unwrap()));
        receive
    }

    #[test]
    fn a_fifo_is_written_in_place_and_stays_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let reader = read_in_background(&fifo);
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(fifo.clone()), "streamed\n".into());
        outputs.write().unwrap();
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(&fs::metadata(&fifo).unwrap().file_type()));
        assert_eq!(reader.recv_timeout(std::time::Duration::from_secs(30)).unwrap(), "streamed\n");
        assert_eq!(names_in(dir.path()), ["pipe"]);
    }

    #[test]
    fn a_fifo_summary_is_opened_write_only_so_its_reader_gets_the_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("summary");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut outputs = Outputs::new();
                outputs.add(Destination::StepSummary(fifo), "## summary\n".into());
                outputs.write().map_err(|e| e.to_string())
            })
        };
        // The reader comes late: a summary opened for reading too would not have waited for it,
        // and its block would have gone with kpi's own end of the pipe.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let reader = read_in_background(&fifo);
        assert_eq!(
            reader.recv_timeout(std::time::Duration::from_secs(30)).unwrap(),
            "## summary\n"
        );
        assert_eq!(writer.join().unwrap(), Ok(()));
    }

    #[test]
    fn a_unix_socket_is_written_to_as_a_stream() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let reader = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut text = String::new();
            io::Read::read_to_string(&mut stream, &mut text).unwrap();
            text
        });
        let mut outputs = Outputs::new();
        outputs.add(Destination::File(path.clone()), "over a socket\n".into());
        outputs.write().unwrap();
        assert_eq!(reader.join().unwrap(), "over a socket\n");
    }

    #[test]
    fn messages_say_what_went_wrong_in_words() {
        let error = |kind: io::ErrorKind| {
            OutputError::File { path: "kpi.json".into(), cause: io::Error::from(kind) }.to_string()
        };
        insta::assert_snapshot!(error(io::ErrorKind::StorageFull), @"cannot write `kpi.json`: the disk is full; free some space and run again");
        insta::assert_snapshot!(error(io::ErrorKind::FileTooLarge), @"cannot write `kpi.json`: the file size limit (`ulimit -f`) is exceeded; raise the limit or write the file elsewhere");
        insta::assert_snapshot!(error(io::ErrorKind::PermissionDenied), @"cannot write `kpi.json`: permission denied; check the permissions of the file and its directory");
        insta::assert_snapshot!(error(io::ErrorKind::ReadOnlyFilesystem), @"cannot write `kpi.json`: the file system is read-only; write the file elsewhere");
        let summary = OutputError::StepSummary {
            path: "s.md".into(),
            cause: io::Error::from(io::ErrorKind::StorageFull),
        };
        insta::assert_snapshot!(summary, @"cannot append the job summary to `s.md` (from `GITHUB_STEP_SUMMARY`): the disk is full; fix the path or pass `--no-step-summary`");
    }
}
