//! The HTTP client the live sources share: one blocking request at a time (no async runtime for
//! a handful of queries), TLS with the system's roots, connect and whole-request timeouts, and
//! every failure turned into one line that says what happened and what to do. It knows nothing
//! of Prometheus or GitHub.

use std::time::Duration;

use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig};

use super::CollectError;

/// The largest answer read, so a wrong URL serving a huge file cannot fill memory.
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// How long a source waits to connect, and for a whole request and its answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    pub connect: Duration,
    pub whole: Duration,
}

impl Timeouts {
    /// Reads `connect_timeout` and `timeout` (seconds: `10`, `10s`, `500ms`) from a source's
    /// settings, with the defaults given.
    pub fn from_settings(
        settings: &super::Settings,
        connect: Duration,
        whole: Duration,
    ) -> Result<Timeouts, CollectError> {
        let read = |key: &str, default: Duration| {
            settings.text(key).map_or(Ok(default), |text| {
                seconds(text).ok_or_else(|| {
                    CollectError::new(format!(
                        "`{key}`: `{}` is not a time; write seconds, like `10s` or `500ms`",
                        crate::core::text::printable(text)
                    ))
                })
            })
        };
        Ok(Timeouts { connect: read("connect_timeout", connect)?, whole: read("timeout", whole)? })
    }
}

/// `10`, `10s`, `1.5s`, `500ms`, `2m`.
fn seconds(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value > 0.0 && value * scale < 86_400.0)
        .then(|| Duration::from_secs_f64(value * scale))
}

/// An answer: its status, headers and body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The value of header `name`, any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A client with the timeouts set; statuses are answers, not errors, so each source can read
/// its server's own error body.
pub struct Client {
    agent: Agent,
    timeouts: Timeouts,
}

/// What a request sends besides its URL.
pub enum Body<'a> {
    Empty,
    Form(&'a [(&'a str, &'a str)]),
}

impl Client {
    pub fn new(timeouts: Timeouts) -> Client {
        let config = Agent::config_builder()
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.whole))
            .http_status_as_error(false)
            .user_agent(concat!("kpi/", env!("CARGO_PKG_VERSION")))
            .tls_config(TlsConfig::builder().root_certs(RootCerts::PlatformVerifier).build())
            .build();
        Client { agent: config.into(), timeouts }
    }

    /// Sends one request (a POST when there is a form, else a GET) with `headers`.
    pub fn send(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &Body<'_>,
    ) -> Result<Reply, CollectError> {
        let shown = shown_url(url);
        let answer = match body {
            Body::Empty => {
                let mut request = self.agent.get(url);
                for (name, value) in headers {
                    request = request.header(*name, value);
                }
                request.call()
            }
            Body::Form(form) => {
                let mut request = self.agent.post(url);
                for (name, value) in headers {
                    request = request.header(*name, value);
                }
                request.send_form(form.iter().copied())
            }
        };
        let mut answer = answer.map_err(|e| CollectError::new(self.failure(&shown, &e)))?;
        let status = answer.status().as_u16();
        let headers = answer
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into()))
            .collect();
        let body = answer
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .map_err(|e| CollectError::new(self.failure(&shown, &e)))?;
        Ok(Reply { status, headers, body })
    }

    /// One line for a request that got no answer.
    fn failure(&self, url: &str, error: &ureq::Error) -> String {
        let host = host(url);
        match error {
            ureq::Error::HostNotFound => dns(host, url),
            // The system resolver's failure comes as an I/O error.
            ureq::Error::Io(e) if e.to_string().contains("lookup address") => dns(host, url),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => format!(
                "cannot connect to `{host}`: connection refused; check the URL `{url}` and that the server is running"
            ),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => format!(
                "TLS with `{host}` failed: {}; check that the URL's certificate is valid for the host and signed by an authority this system trusts",
                one_line(&e.to_string())
            ),
            ureq::Error::ConnectionFailed => format!(
                "cannot connect to `{host}`: connection refused; check the URL `{url}` and that the server is running"
            ),
            ureq::Error::Timeout(which) => {
                let (limit, key) = if matches!(which, ureq::Timeout::Connect) {
                    (self.timeouts.connect, "connect_timeout")
                } else {
                    (self.timeouts.whole, "timeout")
                };
                format!(
                    "`{url}` did not answer within {}s ({which} timed out); check the server, or raise `{key}`",
                    limit.as_secs_f64()
                )
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => format!(
                "TLS with `{host}` failed: {}; check that the URL's certificate is valid for the host and signed by an authority this system trusts",
                one_line(&error.to_string())
            ),
            ureq::Error::BodyExceedsLimit(limit) => {
                format!("`{url}` answered with more than {} MB; check the URL", limit / 1024 / 1024)
            }
            ureq::Error::BadUri(_) | ureq::Error::Http(_) => {
                format!(
                    "`{url}` is not a URL kpi can request; write it as `https://host[:port]/path`"
                )
            }
            other => format!("request to `{url}` failed: {}", one_line(&other.to_string())),
        }
    }
}

/// The URL as messages show it: control characters escaped, and any user and password taken
/// out so a message never prints a secret.
pub fn shown_url(url: &str) -> String {
    let url = match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find('/').unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    };
    crate::core::text::printable(&url).into_owned()
}

fn dns(host: &str, url: &str) -> String {
    format!("cannot find the host `{host}` (DNS); check the URL `{url}`")
}

fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    &rest[..end]
}

/// The first line of a text, trimmed, with control characters escaped.
pub fn one_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let line: String = line.chars().take(300).collect();
    crate::core::text::printable(&line).into_owned()
}

/// Reads a secret from the environment variable `name`, set in `key` of the settings.
pub fn secret(name: &str, key: &str) -> Result<String, CollectError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(CollectError::new(format!(
            "`{key}` names the environment variable `{}`, which is not set; export it, or remove `{key}`",
            crate::core::text::printable(name)
        ))),
        Err(std::env::VarError::NotUnicode(_)) => Err(CollectError::new(format!(
            "the environment variable `{}` (from `{key}`) is not UTF-8",
            crate::core::text::printable(name)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_seconds_or_milliseconds() {
        assert_eq!(seconds("10"), Some(Duration::from_secs(10)));
        assert_eq!(seconds("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(seconds("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(seconds("2m"), Some(Duration::from_secs(120)));
        assert_eq!(seconds("0"), None);
        assert_eq!(seconds("soon"), None);
    }

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(shown_url("https://u:secret@prom:9090/x"), "https://prom:9090/x");
        assert_eq!(shown_url("http://127.0.0.1:9090"), "http://127.0.0.1:9090");
        assert_eq!(host("https://api.github.com/repos/a/b?x=1"), "api.github.com");
    }
}
