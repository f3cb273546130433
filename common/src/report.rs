//! What happened during one call: attempts, retries and why, time waited and why, the last
//! status and the server's request id.
//!
//! Every error that came from a call carries its [`CallReport`] ([`Error::report`]). A successful
//! call hands its report back on request, without changing the plain `.await`: wrap any future
//! (a typed client call, a listing collected, several calls) in [`capture`], and every call the
//! future made is reported, in order.
//!
//! ```no_run
//! # async fn demo(transport: edu_common::Transport) -> edu_common::Result<()> {
//! let (course, reports) = edu_common::report::capture(
//!     transport.get("courses/7").send_json::<serde_json::Value>(),
//! )
//! .await;
//! let course = course?;
//! for r in &reports {
//!     println!("{} took {} attempt(s), waited {:?} for the rate limit", r.operation, r.attempts, r.waited.rate_limit);
//! }
//! # Ok(()) }
//! ```
//!
//! A report never holds a secret: no header but the request id, no body, and its URL with
//! credential parameters redacted.
//!
//! [`Error::report`]: crate::Error::report

use std::cell::RefCell;
use std::future::Future;
use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

/// Why an attempt was sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryReason {
    /// The server throttled the request (429, or 503 with `Retry-After`).
    Throttled,
    /// A server error (5xx) to a request that is safe to send again.
    ServerError,
    /// The connection could not be made, or dropped before the whole answer came.
    Transport,
    /// The attempt ran out of time.
    Timeout,
    /// The server answered 401 and the request was sent again with a fresh token.
    Token,
}

impl RetryReason {
    /// The reason as a metric label value (`throttled`, `server_error`, `transport`, `timeout`,
    /// `token`).
    pub fn as_str(self) -> &'static str {
        match self {
            RetryReason::Throttled => "throttled",
            RetryReason::ServerError => "server_error",
            RetryReason::Transport => "transport",
            RetryReason::Timeout => "timeout",
            RetryReason::Token => "token",
        }
    }
}

/// Time a call spent waiting rather than sending, by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Waits {
    /// Held back by the client-side rate limit, or by a pause after another request was
    /// throttled (the shared budget, with feature `redis`).
    pub rate_limit: Duration,
    /// Waiting out what the server asked for (`Retry-After`, a 429) before sending again.
    pub retry_after: Duration,
    /// Backing off (full jitter) before sending again after a failure.
    pub backoff: Duration,
}

impl Waits {
    /// All the waiting together.
    pub fn total(&self) -> Duration {
        self.rate_limit + self.retry_after + self.backoff
    }
}

/// What happened during one call. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallReport {
    /// The API's name (`eduframe`, `datahub`…), as the client set it.
    pub api: &'static str,
    /// The operation (the spec's operation id, or the name a hand-written client gave it;
    /// `unnamed` when the caller gave none).
    pub operation: String,
    /// The method of the last attempt.
    pub method: Method,
    /// The URL of the last attempt, credential parameters `[REDACTED]` and without user info
    /// (for people: logs, `edu --verbose`; never a metric label).
    pub url: String,
    /// Attempts sent (a same-origin redirect followed is part of its attempt).
    pub attempts: u32,
    /// Why each attempt after the first was sent, in order.
    pub retries: Vec<RetryReason>,
    /// Time spent waiting, by cause.
    pub waited: Waits,
    /// The status of the last answer, when one came.
    pub status: Option<StatusCode>,
    /// The request id the server gave its last answer (`x-request-id` or the API's own header).
    pub request_id: Option<String>,
    /// From the call's start to its last answer (or failure).
    pub elapsed: Duration,
}

impl CallReport {
    /// An empty report for a call that is starting.
    pub(crate) fn new(api: &'static str, operation: &str, method: Method) -> Self {
        CallReport {
            api,
            operation: operation.to_owned(),
            method,
            url: String::new(),
            attempts: 0,
            retries: Vec::new(),
            waited: Waits::default(),
            status: None,
            request_id: None,
            elapsed: Duration::ZERO,
        }
    }

    /// How many attempts were sent again for `reason`.
    pub fn retries_for(&self, reason: RetryReason) -> usize {
        self.retries.iter().filter(|r| **r == reason).count()
    }

    /// Reads the request id from the first of `names` present in `headers` (kept to 128
    /// printable ASCII characters: it is shown in logs).
    pub(crate) fn note_request_id(&mut self, headers: &HeaderMap, names: &[http::HeaderName]) {
        let found = names
            .iter()
            .find_map(|n| headers.get(n))
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()));
        if let Some(id) = found {
            self.request_id = Some(id.to_owned());
        }
    }
}

/// A duration as a person reads it: `850 ms`, `1.2 s`, `3 min 5 s`.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} min {} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

impl std::fmt::Display for CallReport {
    /// One line: `GET https://…/courses -> 200 in 120 ms, 2 attempts (retried: throttled),
    /// waited 1.0 s, request id abc` (the URL with credential parameters `[REDACTED]`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self
            .status
            .map_or_else(|| "no answer".to_owned(), |s| s.as_u16().to_string());
        write!(
            f,
            "{} {} -> {status} in {}, {} attempt{}",
            self.method,
            self.url,
            human(self.elapsed),
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )?;
        if !self.retries.is_empty() {
            let why: Vec<&str> = self.retries.iter().map(|r| r.as_str()).collect();
            write!(f, " (retried: {})", why.join(", "))?;
        }
        let waited = self.waited.total();
        if !waited.is_zero() {
            write!(f, ", waited {}", human(waited))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        Ok(())
    }
}

/// The request-id headers read by default, first match wins; a client adds its API's own with
/// [`TransportBuilder::request_id_header`](crate::TransportBuilder::request_id_header).
pub const DEFAULT_REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "correlation-id",
];

tokio::task_local! {
    static CAPTURED: RefCell<Captured>;
}

/// What a [`capture`] scope has collected, and whether it takes token requests too.
#[derive(Default)]
struct Captured {
    reports: Vec<CallReport>,
    tokens: bool,
}

/// Runs `future` and returns its output together with the report of every call it made, in the
/// order they ended. Calls made by tasks the future spawns are not included (each task has its
/// own scope). Nesting works: the innermost `capture` gets the reports. The OAuth2 token
/// requests the calls needed are not among them ([`capture_with_tokens`] has them too).
pub async fn capture<F: Future>(future: F) -> (F::Output, Vec<CallReport>) {
    scoped(future, false).await
}

/// [`capture`], with a report for each OAuth2 token request as well (operation `token`, the
/// token URL, its status and attempts; never its form): what a tool's verbose mode shows, so a
/// refused secret points at the request that refused it.
pub async fn capture_with_tokens<F: Future>(future: F) -> (F::Output, Vec<CallReport>) {
    scoped(future, true).await
}

async fn scoped<F: Future>(future: F, tokens: bool) -> (F::Output, Vec<CallReport>) {
    let scope = RefCell::new(Captured {
        reports: Vec::new(),
        tokens,
    });
    CAPTURED
        .scope(scope, async {
            let out = future.await;
            (
                out,
                CAPTURED.with(|c| std::mem::take(&mut c.borrow_mut().reports)),
            )
        })
        .await
}

/// Hands a finished call's report to the enclosing [`capture`], if there is one.
pub(crate) fn deliver(report: &CallReport) {
    let _ = CAPTURED.try_with(|c| c.borrow_mut().reports.push(report.clone()));
}

/// Hands a token request's report to an enclosing [`capture_with_tokens`], if there is one.
pub(crate) fn deliver_token(report: &CallReport) {
    let _ = CAPTURED.try_with(|c| {
        let mut c = c.borrow_mut();
        if c.tokens {
            c.reports.push(report.clone());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_id_is_read_from_the_first_header_present_and_kept_short() {
        let names: Vec<http::HeaderName> = DEFAULT_REQUEST_ID_HEADERS
            .iter()
            .map(|n| http::HeaderName::from_static(n))
            .collect();
        let mut r = CallReport::new("t", "op", Method::GET);
        let mut h = HeaderMap::new();
        h.insert("correlation-id", "c-1".parse().unwrap());
        h.insert("x-request-id", "r-1".parse().unwrap());
        r.note_request_id(&h, &names);
        assert_eq!(r.request_id.as_deref(), Some("r-1"));
        let mut long = HeaderMap::new();
        long.insert("x-request-id", "a".repeat(129).parse().unwrap());
        let mut r2 = CallReport::new("t", "op", Method::GET);
        r2.note_request_id(&long, &names);
        assert_eq!(r2.request_id, None);
    }

    #[tokio::test]
    async fn capture_collects_only_inside_its_scope() {
        let r = CallReport::new("t", "op", Method::GET);
        deliver(&r); // outside any capture: dropped, no panic
        let ((), inner) = capture(async { deliver(&r) }).await;
        assert_eq!(inner.len(), 1);
        let ((_, nested), outer) = capture(async {
            deliver(&r);
            capture(async { deliver(&r) }).await
        })
        .await;
        assert_eq!((outer.len(), nested.len()), (1, 1));
    }
}
