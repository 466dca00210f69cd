//! Where each output really goes, asked of the file system before anything is written: standard
//! output, a special file written in place, a regular file replaced at the end of its symlinks, or
//! a file appended to. Reads metadata only; never writes.

use std::fs::{self, Metadata};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

use super::{Destination, OutputError, shown};

/// How a destination is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Standard output, streamed.
    Stdout,
    /// An existing file that is not a regular one (a device, a FIFO, a socket, a terminal) or a
    /// descriptor (`/dev/fd/N`), streamed in place, never renamed over. A descriptor that is a
    /// regular file is appended to, so `3>>log` keeps what it held.
    InPlace { socket: bool, append: bool },
    /// A regular file, new or existing, staged beside [`Target::path`] and renamed onto it.
    Replace,
    /// A file GitHub reads, appended to in one block.
    Append,
}

/// One destination, resolved.
#[derive(Debug)]
pub(super) struct Target {
    pub kind: Kind,
    /// The path as written, printable, for messages; never the path of a temporary file.
    pub shown: String,
    /// The path opened or renamed onto: for a replaced file, the end of its chain of symlinks.
    pub path: PathBuf,
    /// The directory of [`Target::path`], where a replaced file is staged.
    pub dir: PathBuf,
    /// The file as it is now, followed through symlinks, when it exists.
    pub existing: Option<Metadata>,
    /// Which file this is, for telling two names of one file apart (see [`Identity`]).
    pub identity: Option<Identity>,
}

/// What two names of the same file share. Only files whose contents a run could destroy have
/// one: regular files and files about to be created. A device or a pipe may take several outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Identity {
    /// An existing regular file.
    Inode { dev: u64, ino: u64 },
    /// A file not there yet: its directory, resolved, and its name.
    New(PathBuf),
}

impl Identity {
    /// The identity of an existing file, when it is a regular one.
    pub fn of(metadata: &Metadata) -> Option<Identity> {
        metadata.is_file().then(|| Identity::Inode { dev: metadata.dev(), ino: metadata.ino() })
    }

    /// The identity of whatever `path` names now, or will name once created.
    fn at(path: &Path) -> Option<Identity> {
        if let Ok(metadata) = fs::metadata(path) {
            return Identity::of(&metadata);
        }
        let dir = fs::canonicalize(directory_of(path)).ok()?;
        Some(Identity::New(dir.join(path.file_name()?)))
    }

    /// The identity of the file behind the process's standard output.
    fn of_stdout() -> Option<Identity> {
        let fd = io::stdout().as_fd().try_clone_to_owned().ok()?;
        Identity::of(&fs::File::from(fd).metadata().ok()?)
    }
}

/// Resolves one destination. Fails, before anything is written, on a path that cannot be a file:
/// a directory, a name ending in `/`, a directory that does not exist.
pub(super) fn resolve(destination: &Destination) -> Result<Target, OutputError> {
    match destination {
        Destination::Stdout => Ok(Target {
            kind: Kind::Stdout,
            shown: "standard output".to_string(),
            path: PathBuf::new(),
            dir: PathBuf::new(),
            existing: None,
            identity: Identity::of_stdout(),
        }),
        Destination::StepSummary(path) | Destination::StepOutputs(path) => Ok(Target {
            kind: Kind::Append,
            shown: shown(path),
            path: path.clone(),
            dir: directory_of(path).to_path_buf(),
            existing: fs::metadata(path).ok(),
            identity: Identity::at(path),
        }),
        Destination::File(path) => resolve_file(path),
    }
}

fn resolve_file(path: &Path) -> Result<Target, OutputError> {
    let name = shown(path);
    let metadata = fs::metadata(path);
    if let Ok(m) = &metadata
        && m.is_dir()
    {
        return Err(OutputError::Directory { path: name });
    }
    if names_a_directory(path) {
        return Err(OutputError::NotAFileName { path: name });
    }
    let in_place = |metadata: Metadata, append: bool| Target {
        kind: Kind::InPlace { socket: metadata.file_type().is_socket(), append },
        shown: name.clone(),
        path: path.to_path_buf(),
        dir: directory_of(path).to_path_buf(),
        identity: Identity::of(&metadata),
        existing: Some(metadata),
    };
    match metadata {
        Ok(m) if !m.is_file() => Ok(in_place(m, false)),
        Ok(m) => match end_of_links(path)
            .map_err(|cause| OutputError::File { path: name.clone(), cause })?
        {
            End::Descriptor => Ok(in_place(m, true)),
            End::Path(end) => Ok(replaced(name, end, Some(m))),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symlink creates its target; anything else creates the file itself.
            let end = match end_of_links(path) {
                Ok(End::Path(end)) => end,
                _ => path.to_path_buf(),
            };
            check_directory(&name, &end)?;
            Ok(replaced(name, end, None))
        }
        Err(cause) => {
            check_directory(&name, path)?;
            Err(OutputError::File { path: name, cause })
        }
    }
}

fn replaced(shown: String, path: PathBuf, existing: Option<Metadata>) -> Target {
    let identity = match &existing {
        Some(m) => Identity::of(m),
        None => Identity::at(&path),
    };
    Target {
        kind: Kind::Replace,
        shown,
        dir: directory_of(&path).to_path_buf(),
        path,
        existing,
        identity,
    }
}

/// The directory a path's file is in, `.` for a bare name.
pub(super) fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Whether the path, as written, can only be a directory: it ends in `/`, `.` or `..`.
fn names_a_directory(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().ends_with(b"/")
        || matches!(
            path.components().next_back(),
            None | Some(Component::CurDir | Component::ParentDir | Component::RootDir)
        )
}

/// Says which directory is missing, or is not one, when the file's directory cannot hold it.
fn check_directory(name: &str, path: &Path) -> Result<(), OutputError> {
    let dir = directory_of(path);
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(OutputError::NotADirectory { path: name.to_string(), dir: shown(dir) }),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            Err(OutputError::NotADirectory { path: name.to_string(), dir: shown(dir) })
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Err(OutputError::MissingDirectory { path: name.to_string(), dir: shown(dir) })
        }
        Err(_) => Ok(()),
    }
}

/// Where a chain of symlinks ends.
enum End {
    /// A path that is not a symlink (it may not exist).
    Path(PathBuf),
    /// A link in `/proc`, such as `/dev/fd/3` or `/dev/stderr`: an open descriptor of this
    /// process, whose "target" cannot be renamed onto.
    Descriptor,
}

/// Follows `path` through its symlinks, the way the kernel would: a relative link is resolved
/// against the directory holding it.
fn end_of_links(path: &Path) -> io::Result<End> {
    let mut current = path.to_path_buf();
    // The kernel's own limit on links followed in one lookup.
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let dir = directory_of(&current);
                if fs::canonicalize(dir).is_ok_and(|d| d.starts_with("/proc")) {
                    return Ok(End::Descriptor);
                }
                let target = fs::read_link(&current)?;
                current = if target.is_absolute() { target } else { dir.join(target) };
            }
            _ => return Ok(End::Path(current)),
        }
    }
    Err(io::Error::from_raw_os_error(40)) // ELOOP
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn file(path: &Path) -> Target {
        resolve(&Destination::File(path.to_path_buf())).unwrap()
    }

    #[test]
    fn a_symlink_resolves_to_its_target_and_a_dangling_one_to_the_file_it_names() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        fs::write(dir.path().join("real/kpi.json"), "").unwrap();
        symlink("real/kpi.json", dir.path().join("link.json")).unwrap();
        symlink("../real/new.json", dir.path().join("real/up.json")).unwrap();
        symlink("real/up.json", dir.path().join("dangling.json")).unwrap();
        let linked = file(&dir.path().join("link.json"));
        assert_eq!(linked.kind, Kind::Replace);
        assert_eq!(linked.path, dir.path().join("real/kpi.json"));
        assert_eq!(linked.dir, dir.path().join("real"));
        let dangling = file(&dir.path().join("dangling.json"));
        assert_eq!(dangling.path, dir.path().join("real/../real/new.json"));
        assert!(dangling.existing.is_none());
    }

    #[test]
    fn two_spellings_of_one_file_share_an_identity_whether_or_not_it_exists() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        let a = file(&dir.path().join("new.json"));
        let b = file(&dir.path().join("./sub/../new.json").components().collect::<PathBuf>());
        assert!(a.identity.is_some());
        assert_eq!(a.identity, b.identity);
        fs::write(dir.path().join("old.json"), "").unwrap();
        symlink("old.json", dir.path().join("alias.json")).unwrap();
        let old = file(&dir.path().join("old.json"));
        assert!(matches!(old.identity, Some(Identity::Inode { .. })));
        assert_eq!(old.identity, file(&dir.path().join("alias.json")).identity);
        assert_ne!(old.identity, a.identity);
    }

    #[test]
    fn a_descriptor_and_a_fifo_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert_eq!(file(&fifo).kind, Kind::InPlace { socket: false, append: false });
        assert_eq!(file(&fifo).identity, None, "a FIFO may take two outputs");
        // The test's own executable, open as a regular file on a descriptor of this process.
        let exe = fs::File::open(std::env::current_exe().unwrap()).unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&exe);
        let target = file(Path::new(&format!("/dev/fd/{fd}")));
        assert_eq!(target.kind, Kind::InPlace { socket: false, append: true });
    }

    #[test]
    fn names_that_cannot_be_a_file_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("plain"), "").unwrap();
        let err = |p: &str| resolve(&Destination::File(dir.path().join(p))).unwrap_err();
        assert!(matches!(err("out/"), OutputError::NotAFileName { .. }));
        assert!(matches!(err("out/.."), OutputError::NotAFileName { .. }));
        assert!(matches!(err("."), OutputError::Directory { .. }));
        assert!(matches!(err("nodir/x"), OutputError::MissingDirectory { .. }));
        assert!(matches!(err("plain/x"), OutputError::NotADirectory { .. }));
        assert!(matches!(err("plain/deeper/x"), OutputError::NotADirectory { .. }));
    }
}
