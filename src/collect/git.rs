//! `git=PATH`: commit and deploy frequency from a repository's history, by running the `git`
//! command (no git library: one `git log` and one `git for-each-ref` are all it takes).
//!
//! Over the window of `--window` days ending with `--as-of`:
//! - `code_commits`: commits that are not merges, divided by the number of distinct authors of
//!   those commits and by the number of weekdays (Monday to Friday) in the window. A commit counts
//!   on its author date, in the author's own time zone. Authors whose name or email contains one of
//!   the `bots` texts (default `[bot]`) are left out, commits and all.
//! - `deployment_frequency`: tags matching `deploy_tags` (default `deploy/*`) created in the
//!   window, divided by the days in the window; an annotated tag counts on its tagger date, a
//!   lightweight one on its commit's date. With `deploy_log: FILE`, the lines of that file (one
//!   ISO date each, after an optional `date` header) count instead.

use std::path::Path;
use std::process::Command;

use jiff::civil::{Date, Weekday};

use super::{CollectError, Collected, Kind, NotCollected, Reading, Request};

pub const KIND: Kind = Kind {
    name: "git",
    summary: "commits per developer per weekday, and deploys per day from deploy tags",
    formats: &[],
    default_path: Some("."),
    settings: &["bots", "deploy_tags", "deploy_log"],
    collect,
    merge: None,
};

/// The window: its first and last day, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    first: Date,
    last: Date,
}

impl Window {
    fn new(last: Date, days: u32) -> Window {
        let back = i64::from(days.max(1)) - 1;
        let first = last.checked_sub(jiff::Span::new().days(back)).unwrap_or(last);
        Window { first, last }
    }

    fn contains(self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }

    fn days(self) -> i64 {
        i64::from(self.first.until(self.last).map_or(0, |s| s.get_days())) + 1
    }

    fn weekdays(self) -> i64 {
        let mut count = 0;
        let mut day = self.first;
        while day <= self.last {
            if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
                count += 1;
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        count
    }
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let repo = request.path;
    let shallow = git(repo, &["rev-parse", "--is-shallow-repository"])?;
    if shallow.trim() == "true" {
        return Err(CollectError::new(
            "the clone is shallow, so its history is cut short; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in GitHub Actions' checkout)",
        ));
    }
    let window = Window::new(request.as_of, request.window_days);
    let bots: Vec<String> = request
        .settings
        .texts("bots")
        .map_or_else(|| vec!["[bot]".to_string()], <[String]>::to_vec);
    let mut collected = Collected::default();
    match commits(repo, window, &bots)? {
        Ok(reading) => collected.readings.push(reading),
        Err(missing) => collected.missing.push(missing),
    }
    let deploys = match request.settings.text("deploy_log") {
        Some(log) => deploy_log(&repo.join(log), window)?,
        None => {
            deploy_tags(repo, window, request.settings.text("deploy_tags").unwrap_or("deploy/*"))?
        }
    };
    match deploys {
        Ok(reading) => collected.readings.push(reading),
        Err(missing) => collected.missing.push(missing),
    }
    Ok(collected)
}

/// Runs `git -C repo ARGS` and gives its standard output.
fn git(repo: &Path, args: &[&str]) -> Result<String, CollectError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("LC_ALL", "C")
        .env("GIT_PAGER", "cat")
        .output()
        .map_err(|e| {
            CollectError::new(format!(
                "cannot run `git`: {e}; install git, or leave out the git source"
            ))
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        let first = first.strip_prefix("fatal: ").unwrap_or(first);
        return Err(CollectError::new(format!(
            "`git {}` failed: {}",
            args.join(" "),
            crate::core::text::printable(first)
        )));
    }
    String::from_utf8(out.stdout).map_err(|_| {
        CollectError::new(format!("`git {}` printed text that is not UTF-8", args.join(" ")))
    })
}

/// Commits per active developer per weekday in the window.
fn commits(
    repo: &Path,
    window: Window,
    bots: &[String],
) -> Result<Result<Reading, NotCollected>, CollectError> {
    // Committer dates are never before author dates, so a committer-date bound two days early
    // (for time zones) finds every commit authored in the window.
    let since = window.first.checked_sub(jiff::Span::new().days(2)).unwrap_or(window.first);
    let since = format!("--since={since}T00:00:00");
    let log = git(
        repo,
        &["log", "--all", "--no-merges", &since, "--date=short", "--format=%an%x1f%ae%x1f%ad"],
    );
    // A repository without a commit has no history to read.
    let log = match log {
        Ok(log) => log,
        Err(e) if e.message.contains("does not have any commits") => String::new(),
        Err(e) => return Err(e),
    };
    let mut count = 0u64;
    let mut authors: Vec<String> = Vec::new();
    for line in log.lines() {
        let mut fields = line.split('\u{1f}');
        let (Some(name), Some(email), Some(date)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Ok(day) = date.parse::<Date>() else { continue };
        if !window.contains(day)
            || bots.iter().any(|b| name.contains(b.as_str()) || email.contains(b.as_str()))
        {
            continue;
        }
        count += 1;
        let author = email.to_lowercase();
        if !authors.contains(&author) {
            authors.push(author);
        }
    }
    let weekdays = window.weekdays();
    if authors.is_empty() {
        return Ok(Err(NotCollected {
            metric: "code_commits",
            reason: format!("no commits by people between {} and {}", window.first, window.last),
        }));
    }
    if weekdays == 0 {
        return Ok(Err(NotCollected {
            metric: "code_commits",
            reason: "the window has no weekday; widen `--window`".to_string(),
        }));
    }
    let value = count as f64 / (authors.len() as f64 * weekdays as f64);
    Ok(Ok(Reading {
        metric: "code_commits",
        value,
        unit: "commits/day",
        scope: None,
        detail: format!(
            "{count} commits by {} developers over {weekdays} weekdays, {} to {}",
            authors.len(),
            window.first,
            window.last
        ),
    }))
}

/// Deploy tags created in the window, per day.
fn deploy_tags(
    repo: &Path,
    window: Window,
    pattern: &str,
) -> Result<Result<Reading, NotCollected>, CollectError> {
    let refs = format!("refs/tags/{pattern}");
    let tags = git(repo, &["for-each-ref", "--format=%(creatordate:short)", &refs])?;
    let dates: Vec<Date> = tags.lines().filter_map(|l| l.trim().parse().ok()).collect();
    if dates.is_empty() {
        return Ok(Err(NotCollected {
            metric: "deployment_frequency",
            reason: format!(
                "no tag matches `{pattern}`; set `deploy_tags` or `deploy_log` for the git source"
            ),
        }));
    }
    let count = dates.iter().filter(|d| window.contains(**d)).count();
    Ok(Ok(per_day(count, window, &format!("tags `{pattern}`"))))
}

/// Deploys listed in a log file, one ISO date a line, per day.
fn deploy_log(path: &Path, window: Window) -> Result<Result<Reading, NotCollected>, CollectError> {
    let shown = crate::core::text::printable(&path.display().to_string()).into_owned();
    let text = crate::input::read_text(path)
        .map_err(|e| CollectError::new(format!("cannot read the deploy log: {e}")))?;
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let cell = line.split(',').next().unwrap_or("").trim();
        if cell.is_empty() || (n == 0 && cell.eq_ignore_ascii_case("date")) {
            continue;
        }
        let day = crate::core::history::When::parse(cell)
            .map_err(|e| CollectError::new(format!("{shown}:{}: {e}", n + 1)))?
            .date();
        count += usize::from(window.contains(day));
    }
    Ok(Ok(per_day(count, window, &format!("lines of `{shown}`"))))
}

fn per_day(count: usize, window: Window, what: &str) -> Reading {
    let days = window.days();
    Reading {
        metric: "deployment_frequency",
        value: count as f64 / days as f64,
        unit: "deploys/day",
        scope: None,
        detail: format!(
            "{count} deploys ({what}) over {days} days, {} to {}",
            window.first, window.last
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_its_days_and_weekdays() {
        // 2026-11-23 is a Monday: the week before it runs Tuesday to Monday.
        let week = Window::new("2026-11-23".parse().unwrap(), 7);
        assert_eq!(week.first, "2026-11-17".parse::<Date>().unwrap());
        assert_eq!((week.days(), week.weekdays()), (7, 5));
        let weekend = Window::new("2026-11-22".parse().unwrap(), 2);
        assert_eq!((weekend.days(), weekend.weekdays()), (2, 0));
    }
}
