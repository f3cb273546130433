//! The transport every client sends its requests through.
//!
//! A [`Transport`] owns the `reqwest::Client`, the credentials and their token cache, the retry
//! policy and budget, the shared 429 pause and the optional client-side rate limit. It is cheap to
//! clone and every clone shares all of that state.
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use edu_common::{Credentials, Transport};
//! use secrecy::SecretString;
//!
//! let transport = Transport::builder("https://api.example.org/v1")
//!     .credentials(Credentials::bearer(SecretString::from("key")))
//!     .product("my-client", "1.0.0")
//!     .build()?;
//! #[derive(serde::Deserialize)]
//! struct Course { id: u64 }
//! let course: Course = transport.get("courses/7").send_json().await?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::auth::{AuthProvider, Credentials};
use crate::error::{Error, HttpError, RateLimitReason, Result, TimeoutKind};
use crate::limiter::{self, PauseGate, RateLimit};
use crate::report::CallReport;
use crate::retry::{self, RetryBudget, RetryConfig};

mod attempt;
mod body;
mod decision;
mod options;
pub mod query;
mod request;
mod settings;

pub use crate::preview::Preview;
use options::origin_of;
pub use options::{
    DEFAULT_MAX_BODY_BYTES, TransportBuilder, TransportOptions, encode_segment, is_loopback,
    path_id, path_segment,
};
pub use request::{ApiResponse, RequestBuilder};
pub use settings::{CallOptions, Timeouts};

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    auth: Arc<dyn AuthProvider>,
    retry: RetryConfig,
    /// This client's retry budget (shared by its clones, and with other clients only when they
    /// were given the same one).
    budget: RetryBudget,
    limiter: Option<RateLimit>,
    pause: PauseGate,
    timeouts: Timeouts,
    max_body_bytes: usize,
    default_headers: HeaderMap,
    /// Whether `http` is the caller's (its redirect policy is its own: see `crate::redirect`).
    caller_client: bool,
    /// The API's name in metrics, spans and reports.
    api: &'static str,
    /// Where the server's request id is read from, first match wins.
    request_id_headers: Vec<HeaderName>,
    /// Calls are made ready and answered with [`Error::NotSent`], never sent.
    dry_run: bool,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::Shared>,
}

/// The shared HTTP machinery behind every client. See the [module docs](self).
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

/// Why the retry loop gave up without a response to hand back.
pub(crate) enum Failure {
    /// The last attempt failed in reqwest (connect, timeout, dropped connection).
    Reqwest(reqwest::Error, TimeoutKind),
    /// The response began but its body was cut off.
    Interrupted(reqwest::Error),
    /// The loop refused or could not start an attempt.
    Error(Error),
}

/// Why the retry loop handed a throttled answer back without retrying it: kept in the answer's
/// extensions (a typed value, never a header) for the error made from it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GaveUp(pub(crate) RateLimitReason);

impl Transport {
    /// Starts building a transport for the API at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> TransportBuilder {
        TransportBuilder::new(base_url.into())
    }

    /// The base URL, always ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The underlying `reqwest::Client`.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// The retry budget shared by all clones.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// The client-side rate limit, if one is configured.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.inner.limiter.as_ref()
    }

    /// How much longer this client (and its clones) holds every request back after the server
    /// throttled it (a 429 or 503 whose `Retry-After` the client is waiting out); `None` when no
    /// pause is in force. With shared state (feature `redis`) a pause another replica set counts
    /// only once this client has seen it.
    pub fn pause_remaining(&self) -> Option<Duration> {
        self.inner
            .pause
            .paused_until()
            .map(|until| until.saturating_duration_since(tokio::time::Instant::now()))
    }

    /// The time limits.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// The body cap in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Resolves `path` under the base URL: `courses/7` and `/courses/7` both become
    /// `{base}/courses/7`. An absolute URL is accepted only on the configured origin.
    ///
    /// ```
    /// # let t = edu_common::Transport::builder("https://api.example.nl/api/v1").build().unwrap();
    /// assert_eq!(t.url("/courses?x=1").unwrap().as_str(), "https://api.example.nl/api/v1/courses?x=1");
    /// assert!(t.url("https://evil.example.com/courses").is_err());
    /// assert!(t.url("//evil.example.com/courses").is_err());
    /// ```
    pub fn url(&self, path: &str) -> Result<Url> {
        if let Ok(abs) = Url::parse(path) {
            self.check_origin(&abs)?;
            return Ok(abs);
        }
        // `//host/path` names another host (a scheme-relative reference), never a path here.
        if path.starts_with("//") || path.starts_with("\\\\") {
            let abs = self.inner.base_url.join(path).map_err(|e| {
                let shown = path.split('?').next().unwrap_or_default();
                Error::invalid_input(None, format!("`{shown}` is not a valid URL: {e}"))
            })?;
            self.check_origin(&abs)?;
            return Ok(abs);
        }
        self.inner
            .base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| {
                let shown = path.split('?').next().unwrap_or_default();
                Error::invalid_input(None, format!("`{shown}` is not a valid path: {e}"))
            })
    }

    /// Fails with [`Error::CrossOrigin`] unless `url` is on the configured origin.
    pub fn check_origin(&self, url: &Url) -> Result<()> {
        let base = &self.inner.base_url;
        // Compared field by field: `Url::origin()` allocates, and this runs on every request.
        if url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
        {
            Ok(())
        } else {
            let mut shown = url.clone();
            shown.set_query(None);
            Err(Error::CrossOrigin {
                url: shown.to_string(),
                allowed: origin_of(&self.inner.base_url),
            })
        }
    }

    /// Starts a request to `path` (see [`Transport::url`]).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder {
            transport: self.clone(),
            method,
            url: self.url(path),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            options: CallOptions::default(),
            error: None,
        }
    }

    /// Starts a request to an absolute URL, such as a pagination link (checked against the origin when sent).
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let mut b = self.request(method, "");
        b.url = self.check_origin(&url).map(|()| url);
        b
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// Sends `request` with auth, retries and throttling, and returns the response if it is a
    /// success. A non-success status becomes [`Error::Http`] or [`Error::RateLimited`].
    /// The response's extensions hold the call's [`CallReport`].
    pub async fn execute(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response> {
        let (mut resp, report) = self.execute_reported(request, options).await?;
        resp.extensions_mut().insert(report);
        Ok(resp)
    }

    /// [`Transport::execute`], with the call's report beside the successful response.
    pub(crate) async fn execute_reported(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<(reqwest::Response, CallReport)> {
        let method = request.method().clone();
        let (resp, report) = self.send(request, options).await?;
        if resp.status().is_success() {
            Ok((resp, report))
        } else {
            let path = resp.url().path().to_owned();
            let err = self.error_from_response(resp, Some(method), &path).await;
            Err(err.with_report(Some(report)))
        }
    }

    /// Like [`Transport::execute`] but returns the final response whatever its status. The
    /// response's extensions hold the call's [`CallReport`].
    pub async fn execute_raw(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response> {
        let (mut resp, report) = self.send(request, options).await?;
        resp.extensions_mut().insert(report);
        Ok(resp)
    }

    /// The retry loop for a hand-written client's request: the final response whatever its
    /// status, with the call's report; a failure with the report attached.
    async fn send(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<(reqwest::Response, CallReport)> {
        if self.inner.dry_run {
            return Err(Error::NotSent {
                preview: Box::new(Preview::of(&request)),
            });
        }
        // A metric label: a fixed name, never the path (which may hold ids).
        let op = options.operation.as_deref().unwrap_or("unnamed");
        let (result, report) = self.run(request, op, options.retry_safe).await;
        match result {
            Ok(resp) => Ok((resp, report)),
            Err(failure) => Err(self.failure_error(failure).with_report(Some(report))),
        }
    }

    /// The error for a call the retry loop gave up on.
    pub(crate) fn failure_error(&self, failure: Failure) -> Error {
        match failure {
            Failure::Error(e) => e,
            Failure::Reqwest(e, kind) => self.map_reqwest_error(e, kind),
            Failure::Interrupted(e) => self.interrupted(e),
        }
    }

    fn map_reqwest_error(&self, e: reqwest::Error, kind: TimeoutKind) -> Error {
        if e.is_timeout() {
            let after = match kind {
                TimeoutKind::Connect => self.inner.timeouts.connect,
                TimeoutKind::Operation => self.inner.timeouts.operation,
                _ => self.inner.timeouts.attempt,
            };
            Error::Timeout {
                report: None,
                kind,
                after,
            }
        } else if !e.is_connect() && e.is_request() && connection_lost(&e) {
            // Connected and sent, then the connection closed with no answer.
            self.interrupted(e)
        } else {
            let origin = e
                .url()
                .map(origin_of)
                .unwrap_or_else(|| origin_of(&self.inner.base_url));
            Error::Transport {
                report: None,
                origin,
                source: e.without_url(),
            }
        }
    }

    /// Turns a non-success response into the matching error, reading (a capped part of) its body.
    pub(crate) async fn error_from_response(
        &self,
        resp: reqwest::Response,
        method: Option<Method>,
        path: &str,
    ) -> Error {
        let status = resp.status();
        let headers = resp.headers().clone();
        let gave_up = resp.extensions().get::<GaveUp>().map(|g| g.0);
        if let Some(e) = self.rate_limit_error(status, &headers, gave_up) {
            return e;
        }
        let body = self.read_body(resp).await.unwrap_or_default();
        let mut err = HttpError::new(status, method, path, &headers, &body);
        if err.message.is_none()
            && let Some(challenge) = err.header("www-authenticate")
        {
            err.message = Some(format!("WWW-Authenticate: {challenge}"));
        }
        Error::Http(Box::new(err))
    }
    /// The [`Error::RateLimited`] for a throttled final response (429, or 503 with
    /// `Retry-After`), with the reason the retry loop recorded on it.
    pub(crate) fn rate_limit_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        gave_up: Option<RateLimitReason>,
    ) -> Option<Error> {
        let throttled = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE
                && headers.contains_key(http::header::RETRY_AFTER));
        if !throttled {
            return None;
        }
        let retry_after = retry::parse_retry_after(headers, std::time::SystemTime::now());
        let reason = gave_up.unwrap_or(match retry_after {
            Some(d) if d > self.inner.retry.max_retry_after => RateLimitReason::WaitTooLong,
            _ => RateLimitReason::AttemptsExhausted {
                attempts: self.inner.retry.max_attempts,
            },
        });
        Some(Error::RateLimited {
            report: None,
            status,
            retry_after,
            reason,
        })
    }
}

/// Whether a request error is a connection that closed or reset after the request went out
/// (hyper's "connection closed before message completed", a reset), rather than one that could
/// not be made.
pub(crate) fn connection_lost(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        source = s.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_http_only_for_loopback() {
        assert!(
            Transport::builder("http://127.0.0.1:8080/api")
                .build()
                .is_ok()
        );
        assert!(Transport::builder("http://localhost:1/api").build().is_ok());
        assert!(Transport::builder("http://[::1]:1/").build().is_ok());
        let err = Transport::builder("http://api.example.org/v1")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        assert!(
            Transport::builder("http://api.example.org/v1")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        assert!(Transport::builder("ftp://x/").build().is_err());
        assert!(Transport::builder("not a url").build().is_err());
    }

    #[test]
    fn url_joins_under_base_path() {
        let t = Transport::builder("https://h.example/datahub/services")
            .build()
            .unwrap();
        assert_eq!(
            t.url("/v1/students?limit=2").unwrap().as_str(),
            "https://h.example/datahub/services/v1/students?limit=2"
        );
        assert_eq!(
            t.url("v1").unwrap().as_str(),
            "https://h.example/datahub/services/v1"
        );
        assert!(matches!(
            t.url("https://other.example/v1"),
            Err(Error::CrossOrigin { .. })
        ));
        assert!(matches!(
            t.url("http://h.example/v1"),
            Err(Error::CrossOrigin { .. })
        ));
    }

    #[test]
    fn debug_shows_no_secret() {
        let t = Transport::builder("https://h.example/")
            .credentials(Credentials::bearer(secrecy::SecretString::from(
                "s3cr3t-value",
            )))
            .build()
            .unwrap();
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        let b = Transport::builder("https://h.example/").credentials(
            Credentials::api_key("x-api-key", secrecy::SecretString::from("s3cr3t-value")).unwrap(),
        );
        assert!(!format!("{b:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn form_encoding() {
        #[derive(Serialize)]
        struct F<'a> {
            a: &'a str,
            b: Option<u32>,
            c: u32,
        }
        let (_, req, _) = Transport::builder("https://h.example/")
            .build()
            .unwrap()
            .post("x")
            .form(&F {
                a: "x y&",
                b: None,
                c: 3,
            })
            .build()
            .unwrap();
        let body = req.body().and_then(reqwest::Body::as_bytes).unwrap();
        assert_eq!(body, b"a=x+y%26&c=3");
        assert_eq!(
            req.headers()[http::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
    }
}
