//! `github` (or `github=OWNER/NAME`): review rounds, time to recovery and bug counts from GitHub's
//! REST API (or GitHub Enterprise Server's, by `api_url`). It reads only; every list is followed
//! through its `Link` pages to the end, and a rate limit stops the run with an error rather than
//! give a count of part of the pages.
//!
//! Over the window of `--window` days ending with `--as-of` (whole days in UTC):
//! - `code_review_rounds`: over the pull requests merged in the window, the median of each one's
//!   review rounds. A round is a distinct commit that received at least one submitted review
//!   from someone other than the pull request's author and not a bot (`user.type` `Bot`, or a
//!   login containing one of `bots`, default `[bot]`); a pull request merged without such a
//!   review has 0 rounds. With `review_rounds: changes_requested`, a pull request's rounds are
//!   1 + its `CHANGES_REQUESTED` reviews by such reviewers instead.
//! - `mttr`: issues labelled `incident_label` (default `incident`) closed in the window, not as
//!   "not planned": the median of `closed_at - created_at`, in minutes. Pull requests, which the
//!   issues API also returns, are left out.
//! - Bugs and defects: issues labelled `bug_label` (default `bug`; defects: `defect_label`,
//!   default the same labels) created in the window, pull requests left out, counted as facts for
//!   `code_quality` and `defect_density`, which need the lines of code of a `loc` source.
//!
//! The median of an even number of values is the mean of the middle two.

use std::fmt::Write as _;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use serde_json::Value;

use super::http::{self, Body, Client, Reply, Timeouts};
use super::{CollectError, Collected, Fact, Kind, NotCollected, Reading, Request};

pub const KIND: Kind = Kind {
    name: "github",
    summary: "review rounds, time to recovery of incidents and bug counts from GitHub's API",
    formats: &[],
    default_path: Some(""),
    settings: &[
        "repo",
        "api_url",
        "token_env",
        "review_rounds",
        "bots",
        "incident_label",
        "bug_label",
        "defect_label",
        "timeout",
        "connect_timeout",
    ],
    collect,
    merge: None,
};

/// The public API; GitHub Enterprise Server's is `https://HOST/api/v3`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// More pages than this from one list is taken as a loop, not data.
const MAX_PAGES: usize = 1000;

/// The window: from the start of its first day to the end of its last, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: Date,
    pub last: Date,
    start: Timestamp,
    end: Timestamp,
}

impl Window {
    pub fn new(last: Date, days: u32) -> Window {
        let back = i64::from(days.max(1)) - 1;
        let first = last.checked_sub(jiff::Span::new().days(back)).unwrap_or(last);
        let at = |day: Date| {
            day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
        };
        let end = last.tomorrow().map_or(Timestamp::MAX, at);
        Window { first, last, start: at(first), end }
    }

    fn contains(self, time: Timestamp) -> bool {
        self.start <= time && time < self.end
    }
}

/// How review rounds are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounds {
    /// Distinct commits reviewed by someone other than the author.
    Commits,
    /// 1 + the reviews that requested changes.
    ChangesRequested,
}

/// The median, the mean of the middle two for an even count; `None` for no values.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        f64::midpoint(values[mid - 1], values[mid])
    } else {
        values[mid]
    })
}

fn time(item: &Value, key: &str) -> Option<Timestamp> {
    item[key].as_str().and_then(|t| t.parse().ok())
}

fn is_pull_request(issue: &Value) -> bool {
    issue.get("pull_request").is_some_and(|p| !p.is_null())
}

/// Whether a review's author is a bot: GitHub says so in `type`, or the login has a bot pattern.
fn is_bot(user: &Value, bots: &[String]) -> bool {
    user["type"] == "Bot"
        || user["login"].as_str().is_some_and(|l| bots.iter().any(|b| l.contains(b.as_str())))
}

/// The review rounds of one pull request by `author`, from its reviews as the API lists them.
pub fn rounds(author: &str, reviews: &[Value], mode: Rounds, bots: &[String]) -> f64 {
    let by_reviewer = reviews.iter().filter(|r| {
        r["state"] != "PENDING"
            // A deleted account shows as `null`: someone, and not the author.
            && (r["user"].is_null()
                || (r["user"]["login"].as_str() != Some(author) && !is_bot(&r["user"], bots)))
    });
    match mode {
        Rounds::Commits => {
            let mut commits: Vec<&str> =
                by_reviewer.filter_map(|r| r["commit_id"].as_str()).collect();
            commits.sort_unstable();
            commits.dedup();
            commits.len() as f64
        }
        Rounds::ChangesRequested => {
            1.0 + by_reviewer.filter(|r| r["state"] == "CHANGES_REQUESTED").count() as f64
        }
    }
}

/// The pull requests of a closed-pulls page merged in the window, as (number, author).
pub fn merged_in(pulls: &[Value], window: Window) -> Vec<(u64, String)> {
    pulls
        .iter()
        .filter(|p| time(p, "merged_at").is_some_and(|t| window.contains(t)))
        .filter_map(|p| {
            Some((p["number"].as_u64()?, p["user"]["login"].as_str().unwrap_or("").to_string()))
        })
        .collect()
}

/// Minutes from opening to closing of each incident closed in the window.
pub fn recoveries(issues: &[Value], window: Window) -> Vec<f64> {
    issues
        .iter()
        .filter(|i| !is_pull_request(i) && i["state_reason"] != "not_planned")
        .filter_map(|i| {
            let closed = time(i, "closed_at").filter(|t| window.contains(*t))?;
            let opened = time(i, "created_at")?;
            let seconds = closed.as_second() - opened.as_second();
            (seconds >= 0).then(|| seconds as f64 / 60.0)
        })
        .collect()
}

/// The issues (not pull requests) created in the window, by number.
pub fn created_in(issues: &[Value], window: Window) -> Vec<u64> {
    let mut numbers: Vec<u64> = issues
        .iter()
        .filter(|i| {
            !is_pull_request(i) && time(i, "created_at").is_some_and(|t| window.contains(t))
        })
        .filter_map(|i| i["number"].as_u64())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// The `rel="next"` URL of a `Link` header.
pub fn next_link(link: &str) -> Option<&str> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| url.trim().trim_start_matches('<').trim_end_matches('>'))
    })
}

/// Why an answer that is not a 2xx has no data: a rate limit with the time it resets, or the
/// status with GitHub's `message`.
pub fn refusal(reply: &Reply, repo: &str, api: &str, now: Timestamp) -> String {
    let message = serde_json::from_str::<Value>(&reply.body)
        .ok()
        .and_then(|v| v["message"].as_str().map(http::one_line))
        .unwrap_or_else(|| http::one_line(&reply.body));
    let status = reply.status;
    let limited = matches!(status, 403 | 429)
        && (reply.header("x-ratelimit-remaining") == Some("0")
            || reply.header("retry-after").is_some()
            || message.to_lowercase().contains("rate limit"));
    if limited {
        let until = if let Some(after) =
            reply.header("retry-after").and_then(|s| s.trim().parse::<i64>().ok())
        {
            Timestamp::from_second(now.as_second().saturating_add(after))
                .map(|t| format!("for {after} s (retry-after), until {t}"))
                .ok()
        } else {
            reply
                .header("x-ratelimit-reset")
                .and_then(|s| s.trim().parse::<i64>().ok())
                .and_then(|s| Timestamp::from_second(s).ok())
                .map(|t| format!("until {t} (x-ratelimit-reset)"))
        };
        return format!(
            "GitHub's rate limit is used up {}: \"{message}\"; nothing was collected, so run again then, or set a token (`GITHUB_TOKEN`) for a higher limit",
            until.unwrap_or_else(|| "for now".to_string()),
        );
    }
    match status {
        401 => format!(
            "GitHub refused the token (401): \"{message}\"; check `GITHUB_TOKEN` (or the variable `token_env` names)"
        ),
        404 => format!(
            "GitHub has no repository `{repo}` at `{api}` (404): \"{message}\"; check `repo` and `api_url`, and that the token may read the repository"
        ),
        _ => format!("GitHub answered HTTP {status}: \"{message}\""),
    }
}

/// Where to ask and as whom.
struct Api {
    client: Client,
    base: String,
    repo: String,
    headers: Vec<(&'static str, String)>,
}

impl Api {
    /// Every item of a list, following `Link: <...>; rel="next"` until the last page, or until a
    /// page's last item makes `done` true (lists sorted newest first).
    fn list(&self, path: &str, done: impl Fn(&Value) -> bool) -> Result<Vec<Value>, CollectError> {
        let mut url = format!("{}{path}", self.base);
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let reply = self.client.send(&url, &self.headers, &Body::Empty)?;
            if !(200..300).contains(&reply.status) {
                return Err(CollectError::new(refusal(
                    &reply,
                    &self.repo,
                    &http::shown_url(&self.base),
                    Timestamp::now(),
                )));
            }
            let page: Value = serde_json::from_str(&reply.body).map_err(|e| {
                CollectError::new(format!(
                    "`{}` did not answer with JSON ({e}); check `api_url`",
                    http::shown_url(&url)
                ))
            })?;
            let Some(page) = page.as_array() else {
                return Err(CollectError::new(format!(
                    "`{}` did not answer with a list; check `api_url`",
                    http::shown_url(&url)
                )));
            };
            let stop = page.last().is_some_and(&done);
            items.extend(page.iter().cloned());
            let next = reply.header("link").and_then(next_link);
            match next {
                Some(next) if !stop => {
                    // The token goes only where it was meant to.
                    if !next.starts_with(&format!("{}/", self.base)) {
                        return Err(CollectError::new(format!(
                            "GitHub's next page `{}` is not under `{}`; check `api_url`",
                            http::shown_url(next),
                            http::shown_url(&self.base)
                        )));
                    }
                    url = next.to_string();
                }
                _ => return Ok(items),
            }
        }
        Err(CollectError::new(format!(
            "`{}` has more than {MAX_PAGES} pages; narrow `--window`",
            http::shown_url(&url)
        )))
    }
}

/// A label as a query parameter's value.
fn encoded(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn labels(request: &Request<'_>, key: &str, default: &[String]) -> Vec<String> {
    request.settings.texts(key).map_or_else(|| default.to_vec(), <[String]>::to_vec)
}

/// `owner/name`, from `github=owner/name`, `repo`, or `GITHUB_REPOSITORY`.
fn repository(request: &Request<'_>, from_env: Option<String>) -> Result<String, CollectError> {
    let path = request.path.to_string_lossy();
    let repo = if path.is_empty() {
        request.settings.text("repo").map(str::to_string).or(from_env).ok_or_else(|| {
            CollectError::new(
                "no repository: set `repo: OWNER/NAME` under `collect.sources.github` in `kpi.yaml`, export `GITHUB_REPOSITORY`, or write `github=OWNER/NAME`",
            )
        })?
    } else {
        path.into_owned()
    };
    let repo = repo.trim();
    let part = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match repo.split_once('/') {
        Some((owner, name)) if part(owner) && part(name) => Ok(repo.to_string()),
        _ => Err(CollectError::new(format!(
            "`{}` is not a repository; write it as `OWNER/NAME`",
            crate::core::text::printable(repo)
        ))),
    }
}

fn collect(request: &Request<'_>) -> Result<Collected, CollectError> {
    let settings = request.settings;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let repo = repository(request, env("GITHUB_REPOSITORY"))?;
    let base = settings
        .text("api_url")
        .map(str::to_string)
        .or_else(|| env("GITHUB_API_URL"))
        .unwrap_or_else(|| DEFAULT_API_URL.to_string());
    let base = base.trim().trim_end_matches('/').to_string();
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return Err(CollectError::new(format!(
            "`api_url`: `{}` is not a URL; write `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server",
            http::shown_url(&base)
        )));
    }
    let mode = match settings.text("review_rounds").map(str::trim) {
        None | Some("commits") => Rounds::Commits,
        Some("changes_requested") => Rounds::ChangesRequested,
        Some(other) => {
            return Err(CollectError::new(format!(
                "`review_rounds`: `{}` is not a way to count; write `commits` or `changes_requested`",
                crate::core::text::printable(other)
            )));
        }
    };
    let token = match settings.text("token_env") {
        Some(name) => Some(http::secret(name, "token_env")?),
        None => env("GITHUB_TOKEN"),
    };
    let mut headers = vec![
        ("Accept", "application/vnd.github+json".to_string()),
        ("X-GitHub-Api-Version", "2022-11-28".to_string()),
    ];
    if let Some(token) = token {
        headers.push(("Authorization", format!("Bearer {}", token.trim())));
    }
    let timeouts =
        Timeouts::from_settings(settings, Duration::from_secs(10), Duration::from_secs(60))?;
    let api = Api { client: Client::new(timeouts), base, repo: repo.clone(), headers };
    let window = Window::new(request.as_of, request.window_days);
    let mut collected = Collected::default();
    let bots = labels(request, "bots", &["[bot]".to_string()]);
    match review_rounds(&api, window, mode, &bots)? {
        Ok(reading) => collected.readings.push(reading),
        Err(missing) => collected.missing.push(missing),
    }
    match mttr(&api, window, &labels(request, "incident_label", &["incident".to_string()]))? {
        Ok(reading) => collected.readings.push(reading),
        Err(missing) => collected.missing.push(missing),
    }
    let bug = labels(request, "bug_label", &["bug".to_string()]);
    let defect = labels(request, "defect_label", &bug);
    collected.facts = bug_counts(&api, window, &bug, &defect)?;
    Ok(collected)
}

/// `code_review_rounds`: the median of the rounds of the pull requests merged in the window.
fn review_rounds(
    api: &Api,
    window: Window,
    mode: Rounds,
    bots: &[String],
) -> Result<Result<Reading, NotCollected>, CollectError> {
    let repo = &api.repo;
    // Pull requests merged in the window were updated at or after their merge: the list, newest
    // update first, can stop at the first page that ends before the window.
    let pulls = api.list(
        &format!("/repos/{repo}/pulls?state=closed&sort=updated&direction=desc&per_page=100"),
        |last| time(last, "updated_at").is_some_and(|t| t < window.start),
    )?;
    let merged = merged_in(&pulls, window);
    let mut per_pull = Vec::with_capacity(merged.len());
    for (number, author) in &merged {
        let reviews =
            api.list(&format!("/repos/{repo}/pulls/{number}/reviews?per_page=100"), |_| false)?;
        per_pull.push(rounds(author, &reviews, mode, bots));
    }
    let how = match mode {
        Rounds::Commits => "distinct commits reviewed",
        Rounds::ChangesRequested => "1 + changes requested",
    };
    Ok(match median(&mut per_pull) {
        Some(value) => Ok(Reading {
            metric: "code_review_rounds",
            value,
            unit: "rounds",
            scope: None,
            detail: format!(
                "median of {} merged pull requests ({how}), {} to {}",
                merged.len(),
                window.first,
                window.last
            ),
        }),
        None => Err(NotCollected {
            metric: "code_review_rounds",
            reason: format!(
                "no pull request of `{repo}` was merged between {} and {}",
                window.first, window.last
            ),
        }),
    })
}

/// `mttr`: the median time from opening to closing of the incidents closed in the window.
fn mttr(
    api: &Api,
    window: Window,
    incident: &[String],
) -> Result<Result<Reading, NotCollected>, CollectError> {
    let repo = &api.repo;
    let since = window.start;
    let mut minutes = Vec::new();
    let mut seen = Vec::new();
    for label in incident {
        let issues = api.list(
            &format!(
                "/repos/{repo}/issues?state=closed&labels={}&since={since}&per_page=100",
                encoded(label)
            ),
            |_| false,
        )?;
        // An issue with two of the labels counts once.
        let fresh: Vec<Value> = issues
            .into_iter()
            .filter(|i| {
                let n = i["number"].as_u64();
                let new = !seen.contains(&n);
                seen.push(n);
                new
            })
            .collect();
        minutes.extend(recoveries(&fresh, window));
    }
    let count = minutes.len();
    Ok(match median(&mut minutes) {
        Some(value) => Ok(Reading {
            metric: "mttr",
            value,
            unit: "min",
            scope: None,
            detail: format!(
                "median of {count} incidents closed {} to {}",
                window.first, window.last
            ),
        }),
        None => Err(NotCollected {
            metric: "mttr",
            reason: format!(
                "no issue labelled {} was closed between {} and {}",
                incident
                    .iter()
                    .map(|l| format!("`{}`", crate::core::text::printable(l)))
                    .collect::<Vec<_>>()
                    .join(" or "),
                window.first,
                window.last
            ),
        }),
    })
}

/// The bugs and defects opened in the window, each issue counted once per fact.
fn bug_counts(
    api: &Api,
    window: Window,
    bug: &[String],
    defect: &[String],
) -> Result<Vec<(Fact, f64)>, CollectError> {
    let repo = &api.repo;
    let since = window.start;
    let mut counted: Vec<(&String, Vec<u64>)> = Vec::new();
    for label in bug.iter().chain(defect) {
        if counted.iter().any(|(l, _)| *l == label) {
            continue;
        }
        let issues = api.list(
            &format!(
                "/repos/{repo}/issues?state=all&labels={}&since={since}&per_page=100",
                encoded(label)
            ),
            |_| false,
        )?;
        counted.push((label, created_in(&issues, window)));
    }
    Ok([(Fact::Bugs, bug), (Fact::Defects, defect)]
        .into_iter()
        .map(|(fact, wanted)| {
            let mut numbers: Vec<u64> = counted
                .iter()
                .filter(|(l, _)| wanted.contains(l))
                .flat_map(|(_, n)| n.iter().copied())
                .collect();
            numbers.sort_unstable();
            numbers.dedup();
            (fact, numbers.len() as f64)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_round_is_a_distinct_commit_reviewed_by_someone_else_not_a_bot() {
        let reviews = [
            json!({"user": {"login": "bo", "type": "User"}, "state": "CHANGES_REQUESTED", "commit_id": "a1"}),
            json!({"user": {"login": "cy", "type": "User"}, "state": "COMMENTED", "commit_id": "a1"}),
            json!({"user": {"login": "al", "type": "User"}, "state": "COMMENTED", "commit_id": "b2"}),
            json!({"user": {"login": "ci[bot]", "type": "Bot"}, "state": "APPROVED", "commit_id": "c3"}),
            json!({"user": {"login": "lint", "type": "User"}, "state": "APPROVED", "commit_id": "c3"}),
            json!({"user": {"login": "bo", "type": "User"}, "state": "PENDING", "commit_id": "d4"}),
            json!({"user": null, "state": "APPROVED", "commit_id": "e5"}),
        ];
        let bots = vec!["[bot]".to_string(), "lint".to_string()];
        assert_eq!(rounds("al", &reviews, Rounds::Commits, &bots), 2.0);
        assert_eq!(rounds("al", &reviews, Rounds::ChangesRequested, &bots), 2.0);
        assert_eq!(rounds("al", &[], Rounds::Commits, &bots), 0.0);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }

    #[test]
    fn incidents_count_when_closed_in_the_window_and_pull_requests_never() {
        let window = Window::new("2026-11-23".parse().unwrap(), 7);
        let issues = [
            json!({"number": 1, "created_at": "2026-11-20T10:00:00Z", "closed_at": "2026-11-20T10:45:00Z", "state_reason": "completed"}),
            json!({"number": 2, "created_at": "2026-11-10T10:00:00Z", "closed_at": "2026-11-17T00:00:00Z"}),
            json!({"number": 3, "created_at": "2026-11-23T23:00:00Z", "closed_at": "2026-11-24T00:00:00Z"}),
            json!({"number": 4, "created_at": "2026-11-20T10:00:00Z", "closed_at": "2026-11-20T11:00:00Z", "pull_request": {"url": "x"}}),
            json!({"number": 5, "created_at": "2026-11-20T10:00:00Z", "closed_at": "2026-11-20T11:00:00Z", "state_reason": "not_planned"}),
        ];
        assert_eq!(recoveries(&issues, window), vec![45.0, 9_480.0]);
        assert_eq!(created_in(&issues, window), vec![1, 3, 5]);
    }

    #[test]
    fn the_next_page_is_the_link_marked_next() {
        let link = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(next_link(link), Some("https://api.github.com/repositories/1/issues?page=2"));
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
    }

    #[test]
    fn a_rate_limit_names_the_time_it_resets() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let reply = |status, headers: &[(&str, &str)], body: &str| Reply {
            status,
            headers: headers.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
            body: body.to_string(),
        };
        let primary = reply(
            403,
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1795431600")],
            r#"{"message":"API rate limit exceeded for 203.0.113.7.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}"#,
        );
        let secondary = reply(
            429,
            &[("retry-after", "60")],
            r#"{"message":"You have exceeded a secondary rate limit."}"#,
        );
        let missing = reply(404, &[], r#"{"message":"Not Found"}"#);
        insta::assert_snapshot!(
            [
                refusal(&primary, "acme/api", "https://api.github.com", now),
                refusal(&secondary, "acme/api", "https://api.github.com", now),
                refusal(&missing, "acme/api", "https://api.github.com", now),
            ]
            .join("\n"),
            @r#"
        GitHub's rate limit is used up until 2026-11-23T11:00:00Z (x-ratelimit-reset): "API rate limit exceeded for 203.0.113.7."; nothing was collected, so run again then, or set a token (`GITHUB_TOKEN`) for a higher limit
        GitHub's rate limit is used up for 60 s (retry-after), until 2026-11-23T10:01:00Z: "You have exceeded a secondary rate limit."; nothing was collected, so run again then, or set a token (`GITHUB_TOKEN`) for a higher limit
        GitHub has no repository `acme/api` at `https://api.github.com` (404): "Not Found"; check `repo` and `api_url`, and that the token may read the repository
        "#
        );
    }
}
