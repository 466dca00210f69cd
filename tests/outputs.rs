//! End-to-end tests of how `kpi` writes its outputs, through the real binary: special files
//! streamed in place, symlinks written through, all or nothing across files, appends whole or
//! absent, outputs that are one file or an input refused, signals and limits, and messages.
//!
//! Tests that need root (device nodes, a full disk, another user) run in a private mount namespace
//! (`unshare -m`) on a small tmpfs, so nothing outside the test's directory can change; without
//! root they print why they skipped.

#[allow(dead_code)] // the README helper is for other test binaries
mod common;

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use tempfile::TempDir;

use common::require_tool;

/// One pass and one warn: the gate passes.
const WARNED: &str = "metric,value\nresponse_time,180ms\nerror_rate,1.4%\n";

/// A scratch directory holding `m.csv`, readable by other users (for the test that runs as one).
fn workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(dir.path().join("m.csv"), WARNED).unwrap();
    dir
}

/// `kpi` run inside `dir`, without colour and without any `GITHUB_*` variable of the parent.
fn kpi(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = common::kpi(args);
    cmd.current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// Files kpi stages or keeps as backups, which must never outlive a run.
fn leftovers(dir: &Path) -> Vec<String> {
    names_in(dir).into_iter().filter(|n| n.starts_with(".kpi-")).collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn test_name() -> String {
    std::thread::current().name().unwrap_or("a test").to_string()
}

/// Whether this test may run commands in a private mount namespace: it runs as root and `unshare`
/// works. Otherwise it says why it skips (and fails instead under `KPI_REQUIRE_TOOLS=1`, when the
/// reason is a missing tool rather than a missing privilege).
fn private_mounts() -> bool {
    if !is_root() {
        eprintln!("skipped: {}: needs root, for device nodes and mounts of its own", test_name());
        return false;
    }
    if require_tool("unshare").is_none() || require_tool("mount").is_none() {
        return false;
    }
    let works = Command::new("unshare").args(["-m", "true"]).status().is_ok_and(|s| s.success());
    assert!(
        works || std::env::var_os("KPI_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
        "`unshare -m` does not work here"
    );
    if !works {
        eprintln!("skipped: {}: `unshare -m` is not permitted here", test_name());
    }
    works
}

/// Runs `script` with `sh` in a private mount namespace, in `dir`, after mounting a tmpfs of
/// `size` on `dir/mnt` (which the script sees and the rest of the system never does). `$KPI` is
/// the binary; `m.csv` is copied onto the tmpfs.
fn in_namespace(dir: &Path, size: &str, script: &str) -> Output {
    fs::create_dir_all(dir.join("mnt")).unwrap();
    let setup = format!(
        "set -u; mount -t tmpfs -o size={size},mode=0755 kpi-test mnt && cp m.csv mnt/ && cd mnt || exit 99\n"
    );
    let output = Command::new("unshare")
        .args(["-m", "sh", "-c", &(setup + script)])
        .current_dir(dir)
        .env("KPI", get_cargo_bin("kpi"))
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(99), "setup failed: {}", stderr(&output));
    output
}

// Item 7: special files.

#[test]
fn device_nodes_are_written_in_place_and_stay_device_nodes() {
    if !private_mounts() {
        return;
    }
    let dir = workspace();
    // A private /dev too, so that even a regression could not replace the system's nodes.
    let output = in_namespace(
        dir.path(),
        "1m",
        r#"mount -t tmpfs -o size=64k,mode=0755 kpi-dev /dev && mknod /dev/null c 1 3 \
            && mknod /dev/full c 1 7 && ln -s /proc/self/fd/1 /dev/stdout || exit 99
        "$KPI" check m.csv --export junit=/dev/null --export json=/dev/full -o /dev/stdout > table.txt
        echo "exit=$?"
        "$KPI" check m.csv --format json --export junit=/dev/null -o /dev/stdout > report.json
        echo "exit=$?"
        stat -c '%n %F' /dev/null /dev/full /dev/stdout
        head -c 20 table.txt; echo; head -c 1 report.json; echo
        ls -A /dev"#,
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "exit=2\nexit=0\n/dev/null character special file\n/dev/full character special file\n\
         /dev/stdout symbolic link\nBackend Team metrics\n{\nfull\nnull\nstdout\n"
    );
    assert!(
        stderr(&output)
            .contains("error: cannot write `/dev/full`: the disk is full; free some space"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn dev_stdout_and_dash_are_standard_output_and_dev_stdout_stays_a_link() {
    let dir = workspace();
    let output = kpi(dir.path(), &["check", "m.csv", "-o", "-"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("Backend Team metrics\n"));
    if is_root() {
        // Root could replace the system's `/dev/stdout` (as kpi once did): only in a private /dev.
        if !private_mounts() {
            return;
        }
        let output = in_namespace(
            dir.path(),
            "1m",
            r#"mount -t tmpfs -o size=64k,mode=0755 kpi-dev /dev && ln -s /proc/self/fd/1 /dev/stdout \
                || exit 99
            "$KPI" check m.csv -o /dev/stdout | head -c 20; echo; stat -c '%n %F' /dev/stdout"#,
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "Backend Team metrics\n/dev/stdout symbolic link\n"
        );
    } else {
        let output = kpi(dir.path(), &["check", "m.csv", "-o", "/dev/stdout"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("Backend Team metrics\n"));
    }
    let mut err = kpi(dir.path(), &["check", "m.csv", "-o", "/dev/stdout", "--export", "json=-"]);
    assert_cmd_snapshot!("standard_output_named_twice", err);
}

/// Reads a FIFO on another thread. The reader waits for a writer that may never come (when kpi
/// wrongly replaced the FIFO), so callers wait for it with a timeout, never by joining.
fn read_fifo_in_background(fifo: &Path) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    let fifo = fifo.to_path_buf();
    std::thread::spawn(move || send.send(fs::read_to_string(fifo).unwrap()));
    receive
}

#[test]
fn a_fifo_gets_the_output_streamed_and_stays_a_fifo() {
    let Some(mkfifo) = require_tool("mkfifo") else { return };
    let dir = workspace();
    let fifo = dir.path().join("pipe");
    assert!(Command::new(mkfifo).arg(&fifo).status().unwrap().success());
    let reader = read_fifo_in_background(&fifo);
    let output = kpi(dir.path(), &["check", "m.csv", "--format", "json", "-o", "pipe"]).output();
    let output = output.unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let text = reader.recv_timeout(Duration::from_secs(30)).expect("the reader got nothing");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["summary"]["warn"], 1);
    assert_eq!(names_in(dir.path()), ["m.csv", "pipe"]);
}

#[test]
fn a_process_substitution_gets_the_output() {
    let Some(bash) = require_tool("bash") else { return };
    let dir = workspace();
    let output = Command::new(bash)
        .args(["-c", r#""$0" check m.csv --format json -o >(cat > got.json); wait $!"#])
        .arg(get_cargo_bin("kpi"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&read(dir.path().join("got.json"))).unwrap();
    assert_eq!(json["summary"]["pass"], 1);
}

#[test]
fn a_descriptor_of_a_regular_file_is_written_in_place_and_appended_to() {
    let Some(sh) = require_tool("sh") else { return };
    let dir = workspace();
    fs::write(dir.path().join("log.txt"), "earlier\n").unwrap();
    let output = Command::new(sh)
        .args(["-c", r#""$0" check m.csv --format github -o /dev/fd/3 3>>log.txt"#])
        .arg(get_cargo_bin("kpi"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = read(dir.path().join("log.txt"));
    assert!(log.starts_with("earlier\n::warning file="), "{log}");
    assert!(log.contains(",title=Error Rate"), "{log}");
    assert_eq!(names_in(dir.path()), ["log.txt", "m.csv"]);
}

// Item 8: symlinks.

#[test]
fn a_symlink_is_written_through_and_a_dangling_one_creates_its_target() {
    let dir = workspace();
    fs::create_dir(dir.path().join("reports")).unwrap();
    fs::write(dir.path().join("reports/2026-11.json"), "stale").unwrap();
    std::os::unix::fs::symlink("reports/2026-11.json", dir.path().join("latest.json")).unwrap();
    std::os::unix::fs::symlink("reports/next.xml", dir.path().join("next.xml")).unwrap();
    let output = kpi(
        dir.path(),
        &["check", "m.csv", "-o", "latest.json", "--format", "json", "--export", "junit=next.xml"],
    )
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for link in ["latest.json", "next.xml"] {
        assert!(fs::symlink_metadata(dir.path().join(link)).unwrap().is_symlink(), "{link}");
    }
    assert!(read(dir.path().join("reports/2026-11.json")).starts_with("{\n"));
    assert!(read(dir.path().join("reports/next.xml")).starts_with("<?xml"));
    assert_eq!(names_in(&dir.path().join("reports")), ["2026-11.json", "next.xml"]);
}

// Item 9: all or nothing across files.

#[test]
fn a_rename_that_fails_puts_back_the_files_already_replaced() {
    if !private_mounts() {
        return;
    }
    let dir = workspace();
    // A file mounted over `b.json` cannot be renamed onto; nothing tells before the rename.
    let output = in_namespace(
        dir.path(),
        "1m",
        r#"echo 'old a' > a.json && echo 'old b' > b.json && echo 'mounted' > other \
            && mount --bind other b.json || exit 99
        "$KPI" check m.csv -o a.json --format json --export json=b.json
        echo "exit=$?"
        cat a.json b.json; ls -A"#,
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "exit=2\nold a\nmounted\na.json\nb.json\nm.csv\nother\n"
    );
    assert_eq!(
        stderr(&output),
        "error: cannot write `b.json`: the file is busy (a mount point?); write the file elsewhere\n"
    );
}

#[test]
fn a_sticky_directory_is_checked_before_any_file_is_replaced() {
    if !is_root() {
        eprintln!("skipped: {}: needs root, to give files to other users", test_name());
        return;
    }
    let Some(setpriv) = require_tool("setpriv") else { return };
    let dir = workspace();
    // Another user's binary: the test's own may be in a directory others cannot enter.
    fs::copy(get_cargo_bin("kpi"), dir.path().join("kpi")).unwrap();
    let mine = dir.path().join("mine");
    let shared = dir.path().join("shared");
    fs::create_dir(&mine).unwrap();
    fs::create_dir(&shared).unwrap();
    fs::write(mine.join("kpi.json"), "mine, earlier").unwrap();
    fs::write(shared.join("kpi.xml"), "theirs").unwrap();
    std::os::unix::fs::chown(&mine, Some(1000), Some(1000)).unwrap();
    std::os::unix::fs::chown(mine.join("kpi.json"), Some(1000), Some(1000)).unwrap();
    std::os::unix::fs::chown(shared.join("kpi.xml"), Some(65534), Some(65534)).unwrap();
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o1777)).unwrap();
    let output = Command::new(setpriv)
        .args(["--reuid=1000", "--regid=1000", "--clear-groups", "./kpi", "check", "m.csv"])
        .args(["--format", "json", "-o", "mine/kpi.json", "--export", "junit=shared/kpi.xml"])
        .current_dir(dir.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: cannot replace `shared/kpi.xml`: another user owns it and its directory has the \
         sticky bit (as `/tmp` has); name another file\n"
    );
    assert_eq!(read(mine.join("kpi.json")), "mine, earlier");
    assert_eq!(read(shared.join("kpi.xml")), "theirs");
    assert_eq!(names_in(&mine), ["kpi.json"]);
    assert_eq!(names_in(&shared), ["kpi.xml"]);
}

#[test]
fn a_name_ending_in_a_slash_is_refused_before_anything_is_written() {
    let dir = workspace();
    fs::write(dir.path().join("kpi.json"), "earlier").unwrap();
    assert_cmd_snapshot!(kpi(
        dir.path(),
        &["check", "m.csv", "--export", "json=kpi.json", "--export", "junit=out/"]
    ));
    assert_eq!(read(dir.path().join("kpi.json")), "earlier");
    assert_eq!(names_in(dir.path()), ["kpi.json", "m.csv"]);
}

// Item 10: appends whole or absent.

/// Runs kpi on a tmpfs so full that `file`, padded to `size` bytes, has only the rest of its
/// last page to grow into; prints the exit code and the file's checksum before and after.
fn append_to_a_full_disk(variable: &str, size: usize, args: &str) -> Output {
    let dir = workspace();
    let script = format!(
        r#"head -c {size} /dev/zero | tr '\0' 'x' > file && cat /dev/zero > fill 2>/dev/null
        before=$(cksum < file)
        {variable}=file "$KPI" check m.csv {args} > /dev/null
        echo "exit=$?"
        [ "$(cksum < file)" = "$before" ] && echo unchanged || {{ echo changed; tail -c 40 file; }}
        ls -A"#
    );
    in_namespace(dir.path(), "256k", &script)
}

#[test]
fn a_job_summary_on_a_full_disk_is_left_as_it_was() {
    if !private_mounts() {
        return;
    }
    let output = append_to_a_full_disk("GITHUB_STEP_SUMMARY", 4000, "--format github");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "exit=2\nunchanged\nfile\nfill\nm.csv\n");
    assert_eq!(
        stderr(&output),
        "error: cannot append the job summary to `file` (from `GITHUB_STEP_SUMMARY`): the disk is \
         full; fix the path or pass `--no-step-summary`\n"
    );
}

#[test]
fn step_outputs_on_a_full_disk_are_left_as_they_were() {
    if !private_mounts() {
        return;
    }
    let output = append_to_a_full_disk("GITHUB_OUTPUT", 4090, "--format json");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "exit=2\nunchanged\nfile\nfill\nm.csv\n");
    assert!(stderr(&output).contains("(from `GITHUB_OUTPUT`): the disk is full"));
}

#[test]
fn a_report_on_a_full_disk_keeps_the_old_file_and_names_no_temporary_file() {
    if !private_mounts() {
        return;
    }
    let dir = workspace();
    let output = in_namespace(
        dir.path(),
        "256k",
        r#"echo earlier > kpi.json && cat /dev/zero > fill 2>/dev/null
        "$KPI" check m.csv --format json -o kpi.json
        echo "exit=$?"; cat kpi.json; ls -A"#,
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "exit=2\nearlier\nfill\nkpi.json\nm.csv\n");
    assert_eq!(
        stderr(&output),
        "error: cannot write `kpi.json`: the disk is full; free some space and run again\n"
    );
}

// Item 11: two destinations that are one file.

#[test]
fn two_spellings_of_one_output_file_are_refused() {
    let dir = workspace();
    assert_cmd_snapshot!(kpi(
        dir.path(),
        &["check", "m.csv", "-o", "c.out", "--export", "json=./c.out"]
    ));
    assert_eq!(names_in(dir.path()), ["m.csv"]);
}

#[test]
fn an_output_that_is_the_job_summary_is_refused() {
    let dir = workspace();
    fs::write(dir.path().join("s.md"), "earlier\n").unwrap();
    let mut cmd = kpi(dir.path(), &["check", "m.csv", "-o", "s.md"]);
    cmd.env("GITHUB_STEP_SUMMARY", "s.md");
    assert_cmd_snapshot!(cmd);
    let mut cmd = kpi(dir.path(), &["check", "m.csv"]);
    cmd.env("GITHUB_STEP_SUMMARY", "s.md").env("GITHUB_OUTPUT", "./s.md");
    assert_cmd_snapshot!("step_outputs_that_are_the_job_summary_are_refused", cmd);
    assert_eq!(read(dir.path().join("s.md")), "earlier\n");
}

#[test]
fn an_export_onto_the_file_standard_output_goes_to_is_refused() {
    let dir = workspace();
    let out = fs::File::create(dir.path().join("log.txt")).unwrap();
    let output = kpi(dir.path(), &["check", "m.csv", "--export", "json=log.txt"])
        .stdout(Stdio::from(out))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: standard output and `log.txt` are the same file; give each output its own file\n"
    );
}

// Item 12: an output that is an input.

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let dir = workspace();
    let history = "date,metric,value\n2026-11-16,mttr,62m\n2026-11-23,mttr,52m\n";
    fs::write(dir.path().join("hist.csv"), history).unwrap();
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "hist.csv", "-o", "hist.csv"]));
    let cases: [&[&str]; 3] = [
        &["report", "hist.csv", "-o", "./hist.csv"],
        &["check", "m.csv", "hist.csv", "--export", "json=hist.csv"],
        &["check", "hist.csv", "--export", "json=kpi.json", "--export", "junit=hist.csv"],
    ];
    for args in cases {
        let output = kpi(dir.path(), args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("hist.csv`, which the output would destroy"), "{args:?}");
    }
    assert_eq!(read(dir.path().join("hist.csv")), history);
    assert_eq!(names_in(dir.path()), ["hist.csv", "m.csv"]);
}

// Item 13: signals and limits.

/// A year of weekly check-ins for `services` services: large enough that writing its JSON takes
/// a while.
fn large_input(dir: &Path, services: usize) -> PathBuf {
    use std::fmt::Write;
    let metrics = ["response_time", "error_rate", "rps", "mttr", "code_coverage", "test_coverage"];
    let mut csv = String::from("date,scope,metric,value\n");
    for week in 0..52 {
        let date = jiff::civil::date(2026, 1, 5) + jiff::Span::new().weeks(week);
        for service in 0..services {
            for (i, metric) in metrics.iter().enumerate() {
                let value = (service * 7 + i * 3 + usize::try_from(week).unwrap()) % 50 + 1;
                writeln!(csv, "{date},svc-{service},{metric},{value}").unwrap();
            }
        }
    }
    let path = dir.join("big.csv");
    fs::write(&path, csv).unwrap();
    path
}

/// Waits until kpi has staged a file in `dir`.
fn wait_for_staged_file(child: &mut Child, dir: &Path) {
    let start = Instant::now();
    while leftovers(dir).is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "kpi ended before it staged a file");
        assert!(start.elapsed() < Duration::from_secs(60), "kpi staged nothing in a minute");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn send(signal: &str, child: &Child) {
    let kill = format!("kill -{signal} {}", child.id());
    assert!(Command::new("sh").args(["-c", &kill]).status().unwrap().success());
}

#[test]
fn sigterm_during_a_large_write_removes_the_staged_file_and_exits_143() {
    let dir = workspace();
    large_input(dir.path(), 300);
    fs::write(dir.path().join("kpi.json"), "earlier").unwrap();
    let mut child = kpi(dir.path(), &["check", "big.csv", "--format", "json", "-o", "kpi.json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_staged_file(&mut child, dir.path());
    send("TERM", &child);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(143), "{}", stderr(&output));
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(read(dir.path().join("kpi.json")), "earlier");
}

#[test]
fn sigint_while_waiting_for_a_fifo_reader_removes_the_staged_file_and_exits_130() {
    let Some(mkfifo) = require_tool("mkfifo") else { return };
    let dir = workspace();
    assert!(Command::new(mkfifo).arg(dir.path().join("pipe")).status().unwrap().success());
    // The JSON file is staged first; then kpi waits for a reader of the FIFO that never comes.
    let mut child = kpi(dir.path(), &["check", "m.csv", "-o", "kpi.json", "--export", "json=pipe"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_staged_file(&mut child, dir.path());
    send("INT", &child);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    assert_eq!(names_in(dir.path()), ["m.csv", "pipe"]);
}

#[test]
fn a_write_beyond_the_file_size_limit_fails_with_exit_2_and_leaves_nothing() {
    let Some(sh) = require_tool("sh") else { return };
    let dir = workspace();
    large_input(dir.path(), 20);
    fs::write(dir.path().join("kpi.json"), "earlier").unwrap();
    let output = Command::new(sh)
        .args([
            "-c",
            r#"ulimit -f 64 && exec "$0" check big.csv --quiet --format json -o kpi.json"#,
        ])
        .arg(get_cargo_bin("kpi"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "killed by SIGXFSZ? {:?}", output.status);
    assert_eq!(
        stderr(&output),
        "error: cannot write `kpi.json`: the file size limit (`ulimit -f`) is exceeded; raise the \
         limit or write the file elsewhere\n"
    );
    assert_eq!(read(dir.path().join("kpi.json")), "earlier");
    assert_eq!(names_in(dir.path()), ["big.csv", "kpi.json", "m.csv"]);
}

// Item 14: standard error that cannot be written.

#[test]
fn an_error_with_standard_error_full_still_exits_2() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipped: {}: no /dev/full", test_name());
        return;
    };
    let dir = workspace();
    let output = kpi(dir.path(), &["check", "nope.csv"]).stderr(Stdio::from(full)).output();
    assert_eq!(output.unwrap().status.code(), Some(2), "not a panic (101)");
}

// Item 15: messages.

#[test]
fn an_output_in_a_missing_directory_says_so() {
    let dir = workspace();
    assert_cmd_snapshot!(kpi(dir.path(), &["check", "m.csv", "-o", "nodir/x"]));
}
