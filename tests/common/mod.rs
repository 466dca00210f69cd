//! Helpers shared by the end-to-end tests.

use std::process::Command;

use insta_cmd::get_cargo_bin;

/// The binary, run from the package root with colour and CI variables out of the way, so that
/// output does not depend on where the tests run.
pub fn kpi(args: &[&str]) -> Command {
    let mut cmd = Command::new(get_cargo_bin("kpi"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_OUTPUT");
    cmd
}

/// Asserts that the README shows exactly what `args` prints, so its samples stay true.
#[allow(dead_code)] // each test binary uses its own helpers
pub fn assert_readme_shows_output_of(args: &[&str]) {
    let out = kpi(args).output().unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        readme.contains(printed.trim_end()),
        "README's sample of `kpi {}` is stale: paste the new output",
        args.join(" ")
    );
}

/// The path of an installed tool, found on `PATH`. When it is missing the test is skipped with one
/// line on standard error, except under `KPI_REQUIRE_TOOLS=1` (set by `.ci/run`), where a missing
/// tool fails the test instead.
#[allow(dead_code)] // not every test binary needs a tool
pub fn require_tool(name: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    });
    if found.is_none() {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("a test");
        assert!(
            std::env::var_os("KPI_REQUIRE_TOOLS").is_none_or(|v| v != "1"),
            "{test}: `{name}` is not installed, and KPI_REQUIRE_TOOLS=1 requires it"
        );
        // Straight to the process's standard error: the test harness hides `eprintln!` of a test
        // that passes, and a skip must be seen.
        let line = format!("skipped: {test}: {name} not installed\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    }
    found
}
