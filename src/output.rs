//! Writing rendered text where it goes: standard output, files replaced atomically, and GitHub's
//! files appended to. The only module that writes; it knows destinations, not formats.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Where one rendering goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output, written `-` on the command line.
    Stdout,
    /// A file, replaced as a whole or not at all.
    File(PathBuf),
    /// The job summary file that `$GITHUB_STEP_SUMMARY` names, appended to.
    StepSummary(PathBuf),
    /// The step outputs file that `$GITHUB_OUTPUT` names, appended to.
    StepOutputs(PathBuf),
}

impl Destination {
    /// `-` is standard output; anything else is a file path.
    pub fn from_arg(arg: &str) -> Destination {
        if arg == "-" { Destination::Stdout } else { Destination::File(PathBuf::from(arg)) }
    }
}

/// Why an output could not be written. Files already in place are left as they were.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`: {cause}; check that its directory exists and is writable")]
    File { path: String, cause: io::Error },
    #[error("cannot write `{path}`: it is a directory; name a file inside it instead")]
    Directory { path: String },
    #[error(
        "cannot append the job summary to `{path}` (from `GITHUB_STEP_SUMMARY`): {cause}; fix the path or pass `--no-step-summary`"
    )]
    StepSummary { path: String, cause: io::Error },
    #[error(
        "cannot append the step outputs to `{path}` (from `GITHUB_OUTPUT`): {cause}; fix the path or unset `GITHUB_OUTPUT`"
    )]
    StepOutputs { path: String, cause: io::Error },
    #[error("cannot write to standard output: {0}")]
    Stdout(io::Error),
}

/// Every output of one run, written together (as hyperfine's `ExportManager` does). Files are
/// staged beside their destinations first and renamed into place only once every one of them is
/// complete, so a failure part-way leaves each earlier file intact and no partial file behind.
#[derive(Default)]
pub struct Outputs<'a> {
    items: Vec<(Destination, Content<'a>)>,
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

    /// Writes files, then standard output, then appends to GitHub's files. Stops at the first
    /// error; nothing is written unless every file could be staged.
    pub fn write(&self) -> Result<(), OutputError> {
        let mut staged = Vec::new();
        for (destination, content) in &self.items {
            if let Destination::File(path) = destination {
                if path.is_dir() {
                    return Err(OutputError::Directory { path: shown(path) });
                }
                let file = stage(path, content)
                    .map_err(|cause| OutputError::File { path: shown(path), cause })?;
                staged.push((path, file));
            }
        }
        for (path, file) in staged {
            file.persist(path)
                .map_err(|e| OutputError::File { path: shown(path), cause: e.error })?;
        }
        for (destination, content) in &self.items {
            if *destination == Destination::Stdout {
                write_stdout(content).map_err(OutputError::Stdout)?;
            }
        }
        for (destination, content) in &self.items {
            match destination {
                Destination::StepSummary(path) => append(path, content)
                    .map_err(|cause| OutputError::StepSummary { path: shown(path), cause })?,
                Destination::StepOutputs(path) => append(path, content)
                    .map_err(|cause| OutputError::StepOutputs { path: shown(path), cause })?,
                Destination::Stdout | Destination::File(_) => {}
            }
        }
        Ok(())
    }
}

/// A path as messages show it: printable, since a file name may hold anything.
fn shown(path: &Path) -> String {
    crate::core::text::printable(&path.display().to_string()).into_owned()
}

/// Writes `content` to a temporary file in `path`'s directory, where a rename onto `path` is atomic.
fn stage(path: &Path, content: &Content<'_>) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".kpi-").suffix(".tmp");
    // A temporary file is private by default; a report should get the permissions of the file it
    // replaces, or those of any new file (the umask still applies).
    let permissions = fs::metadata(path).map(|m| m.permissions());
    #[cfg(unix)]
    let permissions = permissions.or_else(|_| {
        use std::os::unix::fs::PermissionsExt;
        Ok::<_, io::Error>(fs::Permissions::from_mode(0o666))
    });
    if let Ok(permissions) = permissions {
        builder.permissions(permissions);
    }
    // `tempfile` names its random file in errors; the user knows only the directory.
    if !fs::metadata(dir)?.is_dir() {
        let message = format!("`{}` is not a directory", dir.display());
        return Err(io::Error::new(io::ErrorKind::NotADirectory, message));
    }
    let file = builder.tempfile_in(dir).map_err(|e| io::Error::from(e.kind()))?;
    let mut out = io::BufWriter::new(file);
    content.write_to(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// Appends `content` on a line of its own, even when the file does not end in a newline.
fn append(path: &Path, content: &Content<'_>) -> io::Result<()> {
    let mut file = OpenOptions::new().read(true).append(true).create(true).open(path)?;
    // One write, so that a reader of the file never sees half a block.
    let mut block = Vec::new();
    if !ends_with_newline(&mut file)? {
        block.push(b'\n');
    }
    content.write_to(&mut block)?;
    file.write_all(&block)
}

fn ends_with_newline(file: &mut File) -> io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
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
            err.ends_with(
                "plain-file` is not a directory; check that its directory exists and is writable"
            ),
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
        assert!(err.ends_with("fix the path or unset `GITHUB_OUTPUT`"), "{err}");
    }
}
