//! The one error type every client returns.
//!
//! [`Error`] is `#[non_exhaustive]`: match the variants you care about and keep a
//! catch-all arm. Every message says what happened and, where there is one, what
//! to do about it. No variant ever carries a credential.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::report::CallReport;

mod decode;
mod http_error;

pub use self::decode::{DecodeError, Received, redact_serde_message};
pub use self::http_error::HttpError;
pub(crate) use self::http_error::{excerpt, extract_message, one_line};

/// How many bytes of a response body an error keeps for display and debugging.
pub const BODY_EXCERPT_LIMIT: usize = 4 * 1024;

/// A `Result` with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to one of the APIs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request never produced a response: DNS, connect, TLS, or the connection dropped
    /// before the response began. The message names the cause (connection refused, DNS...).
    #[error(
        "could not reach {origin}: {}; check the URL, the network and that the server is up",
        cause_chain(source)
    )]
    Transport {
        /// Scheme, host and port the request went to (never a path or query).
        origin: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// The request was sent but the connection dropped (reset or closed) before the whole
    /// response arrived: before its first byte, or mid-body. The server may have acted on the
    /// request. Retry-safe requests have already been retried when this is returned.
    #[error(
        "the connection to {origin} dropped before the whole response arrived: {}; the server may have acted on the request, so re-send it only if repeating it is safe (a read, or a write with an idempotency key)",
        cause_chain(source)
    )]
    Interrupted {
        /// Scheme, host and port the request went to.
        origin: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// An attempt or the whole operation ran out of time.
    #[error(
        "{kind} timed out after {after:?}; raise the timeout in the client builder if the API is slow"
    )]
    Timeout {
        /// Which limit was hit.
        kind: TimeoutKind,
        /// The limit that was hit.
        after: Duration,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// The server answered with a status that is not a success.
    #[error("{0}")]
    Http(Box<HttpError>),

    /// The server asked us to slow down (429, or 503 with `Retry-After`) and the client gave up;
    /// [`RateLimitReason`] says why (a wait too long, attempts or time used up...).
    #[error("{}", rate_limited_message(*.status, *.retry_after, reason))]
    RateLimited {
        /// The status that carried the request to slow down.
        status: StatusCode,
        /// How long the server asked us to wait, when it said.
        retry_after: Option<Duration>,
        /// Why the request was not (or no longer) retried.
        reason: RateLimitReason,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// A response body did not have the expected shape.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The token endpoint refused the credentials, or answered something that is not a token.
    /// (A token endpoint that cannot be reached is [`Error::Transport`], a slow one
    /// [`Error::Timeout`] with [`TimeoutKind::Token`].)
    #[error("authentication failed: {message}")]
    Auth {
        /// What went wrong and what to do about it, never containing a secret.
        message: String,
        /// The HTTP status of the refusal, when there was one.
        status: Option<StatusCode>,
        /// Whether trying again later could succeed (a token endpoint that was down or slow).
        transient: bool,
        /// The OAuth2 `error` code (`invalid_client`, `invalid_scope`...), when the endpoint sent one.
        oauth_error: Option<String>,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// The caller's input was rejected before anything was sent.
    #[error("invalid input: {message}")]
    InvalidInput {
        /// Where the problem is (a field name or JSON pointer), when known.
        field: Option<String>,
        /// What is wrong and how to correct it.
        message: String,
    },

    /// The client was configured in a way that cannot work.
    #[error("configuration error: {0}")]
    Config(String),

    /// The client was built with `dry_run()`: the request was made ready and not sent. It is
    /// here as it would have gone (method, URL with its query, body), credentials left out.
    #[error("not sent (dry run): {} {}", preview.method, crate::redact::url(&preview.url))]
    NotSent {
        /// The request that would have been sent.
        preview: Box<crate::preview::Preview>,
    },

    /// A link, redirect or URL pointed at an origin the client may not send credentials to.
    #[error(
        "refused to follow {url}: it is outside the configured origin {allowed}, and credentials are only sent there"
    )]
    CrossOrigin {
        /// The offending URL (query removed).
        url: String,
        /// The configured origin.
        allowed: String,
    },

    /// The server answered with a redirect the client does not follow: to another origin (host,
    /// port or scheme), where credentials may not go, or one same-origin redirect too many. A
    /// caller's own `reqwest::Client` that followed a redirect off the origin by itself ends here
    /// too, its answer unread. The `redirect` module says where this guarantee lives.
    #[error("{}", redirect_message(*.status, location, allowed, *.refusal))]
    Redirect {
        /// The redirect's status (`None` when the caller's HTTP client followed it by itself).
        status: Option<StatusCode>,
        /// Where it pointed (query and user info removed).
        location: String,
        /// The configured origin, the only one credentials are sent to.
        allowed: String,
        /// Why it was not followed.
        refusal: RedirectRefusal,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// A response body was larger than the configured cap.
    #[error(
        "response body exceeds the {limit}-byte cap; raise `max_body_bytes` if this is expected"
    )]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
        /// What happened during the call (attempts, waits, the request id), when the error came
        /// from one: see [`Error::report`].
        report: Option<Box<CallReport>>,
    },

    /// A paginated listing misbehaved (for example, the server sent a cursor it had sent before).
    #[error("pagination stopped: {0}")]
    Pagination(String),
}

fn rate_limited_message(
    status: StatusCode,
    after: Option<Duration>,
    reason: &RateLimitReason,
) -> String {
    let asked = match after {
        Some(d) => format!("the server asked to wait {d:?}"),
        None => "the server gave no Retry-After".to_owned(),
    };
    match reason {
        RateLimitReason::WaitTooLong => format!(
            "rate limited ({status}): {asked}, longer than the configured maximum; try again later or raise `max_retry_after`"
        ),
        RateLimitReason::AttemptsExhausted { attempts } => format!(
            "rate limited ({status}) on all {attempts} attempts ({asked} each time); slow down, configure a client-side rate limit, or raise `max_attempts`"
        ),
        RateLimitReason::Deadline => format!(
            "rate limited ({status}): {asked}, which would pass the operation deadline; raise `operation_timeout` or try again later"
        ),
        RateLimitReason::BudgetExhausted => format!(
            "rate limited ({status}): {asked}, but the client's retry budget is spent after many failures; slow down or try again later"
        ),
        RateLimitReason::NotRetrySafe => format!(
            "the server is unavailable ({status}, {asked}); the request was not re-sent because it is not idempotent and carries no idempotency key, so it may or may not have been processed"
        ),
    }
}

fn redirect_message(
    status: Option<StatusCode>,
    location: &str,
    allowed: &str,
    refusal: RedirectRefusal,
) -> String {
    let answered = match status {
        Some(s) => format!("the server answered {s} with a redirect to {location}"),
        None => format!("the HTTP client followed a redirect to {location}"),
    };
    match refusal {
        RedirectRefusal::OtherOrigin => format!(
            "{answered}, outside the configured origin {allowed}; it was not followed, because credentials are only sent to the configured origin (if the API has moved, configure its new URL)"
        ),
        RedirectRefusal::TooMany => format!(
            "{answered} after too many redirects in a row within {allowed}; giving up (a redirect loop?)"
        ),
        RedirectRefusal::FollowedByHttpClient => format!(
            "{answered}, outside the configured origin {allowed}, and its answer was refused; build the reqwest::Client you pass to `.http_client(..)` with `.redirect(reqwest::redirect::Policy::none())` so that the SDK decides (it follows same-origin redirects itself)"
        ),
    }
}

/// Why a redirect ([`Error::Redirect`]) was not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectRefusal {
    /// It pointed at another origin (host, port or scheme) than the configured one.
    OtherOrigin,
    /// More same-origin redirects in a row than the transport follows (10).
    TooMany,
    /// A caller's `reqwest::Client` followed it by itself, off the configured origin.
    FollowedByHttpClient,
}

/// Why a throttled request ([`Error::RateLimited`]) was handed back instead of retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitReason {
    /// `Retry-After` asked for longer than `max_retry_after`.
    WaitTooLong,
    /// Every allowed attempt was throttled.
    AttemptsExhausted {
        /// How many attempts were made.
        attempts: u32,
    },
    /// Waiting as asked would pass the operation deadline.
    Deadline,
    /// The shared retry budget is spent.
    BudgetExhausted,
    /// A 503 to a request that may not be sent twice (no idempotency key).
    NotRetrySafe,
}

/// The error and every error it wraps, joined with `: ` (reqwest keeps the real cause, such as
/// "Connection refused", in its source chain).
pub(crate) fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// One attempt (request and response).
    Attempt,
    /// The whole operation, including retries and waits.
    Operation,
    /// Obtaining an access token.
    Token,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connecting",
            TimeoutKind::Attempt => "the request",
            TimeoutKind::Operation => "the operation",
            TimeoutKind::Token => "the token request",
        })
    }
}

impl Error {
    /// The HTTP status the server answered with, if the error came from a response.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Http(e) => Some(e.status),
            Error::RateLimited { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }

    /// True when the server said the resource does not exist (404 or 410).
    pub fn is_not_found(&self) -> bool {
        matches!(self.status().map(|s| s.as_u16()), Some(404 | 410))
    }

    /// True when a server (the API or its token endpoint) answered 401, or the token endpoint
    /// said `invalid_client`: the credentials themselves were refused. Not true for a token
    /// endpoint that could not be reached or refused the scope.
    pub fn is_unauthorized(&self) -> bool {
        self.status().is_some_and(|s| s == StatusCode::UNAUTHORIZED)
            || self.oauth_error() == Some("invalid_client")
    }

    /// True when the server answered 403: valid credentials without permission.
    pub fn is_forbidden(&self) -> bool {
        self.status().is_some_and(|s| s == StatusCode::FORBIDDEN)
    }

    /// Were these credentials refused? The one question for every API, however it answers a
    /// wrong credential: a 401 (the OAuth2 APIs), a 403 (Eduframe answers an unknown API key
    /// with 403, as it answers a key without a permission: check both), or a token endpoint
    /// that refused the client (`invalid_client`, `unauthorized_client`, `invalid_grant`, or a
    /// 401/403). False for a token endpoint that was down, slow or refused the scope, and for
    /// anything else.
    pub fn is_credentials_refused(&self) -> bool {
        match self {
            Error::Auth {
                transient: false,
                status,
                oauth_error,
                ..
            } => {
                oauth_error.as_deref().is_some_and(|e| {
                    matches!(
                        e,
                        "invalid_client" | "unauthorized_client" | "invalid_grant"
                    )
                }) || status.is_some_and(|s| matches!(s.as_u16(), 401 | 403))
            }
            Error::Auth { .. } => false,
            _ => self.is_unauthorized() || self.is_forbidden(),
        }
    }

    /// True when the server throttled the request and the client gave up waiting
    /// ([`Error::RateLimited`], or a 429 from a token endpoint).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
            || self
                .status()
                .is_some_and(|s| s == StatusCode::TOO_MANY_REQUESTS)
    }

    /// True for [`Error::Timeout`]: a time limit ran out (connecting, one attempt, the whole
    /// operation, or obtaining a token; [`TimeoutKind`] says which). A connection that dropped
    /// mid-response is [`Error::Interrupted`], not a timeout; both are
    /// [`is_transient`](Self::is_transient).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// True when a redirect was refused ([`Error::Redirect`]): it pointed off the configured
    /// origin, or there were too many in a row.
    pub fn is_redirect(&self) -> bool {
        matches!(self, Error::Redirect { .. })
    }

    /// Why a throttled request was handed back, for an [`Error::RateLimited`].
    pub fn rate_limit_reason(&self) -> Option<RateLimitReason> {
        match self {
            Error::RateLimited { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// The OAuth2 `error` code the token endpoint sent (`invalid_client`, `invalid_scope`...).
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            Error::Auth { oauth_error, .. } => oauth_error.as_deref(),
            _ => None,
        }
    }

    /// The HTTP error details, if this is an [`Error::Http`].
    pub fn http(&self) -> Option<&HttpError> {
        match self {
            Error::Http(e) => Some(e),
            _ => None,
        }
    }

    /// True for failures that may succeed when tried again later.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { .. }
            | Error::Interrupted { .. }
            | Error::Timeout { .. }
            | Error::RateLimited { .. } => true,
            Error::Http(e) => matches!(e.status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504),
            Error::Auth { transient, .. } => *transient,
            _ => false,
        }
    }

    /// What happened during the call this error ended: attempts, retries and why, time waited,
    /// the last status and the server's request id. `None` for errors raised before anything was
    /// sent ([`Error::InvalidInput`], [`Error::Config`], [`Error::CrossOrigin`]) and for
    /// [`Error::Pagination`]. See [`crate::report`].
    pub fn report(&self) -> Option<&CallReport> {
        match self {
            Error::Transport { report, .. }
            | Error::Interrupted { report, .. }
            | Error::Timeout { report, .. }
            | Error::RateLimited { report, .. }
            | Error::Auth { report, .. }
            | Error::Redirect { report, .. }
            | Error::BodyTooLarge { report, .. } => report.as_deref(),
            Error::Http(e) => e.report.as_deref(),
            Error::Decode(e) => e.report.as_deref(),
            _ => None,
        }
    }

    /// The server's request id for the call this error ended, when it sent one (also in
    /// [`Error::report`]).
    pub fn request_id(&self) -> Option<&str> {
        self.report()?.request_id.as_deref()
    }

    /// A short, fixed name for the kind of error (`timeout`, `http`, `rate_limited`…): the
    /// `error.type` of spans.
    pub fn type_name(&self) -> &'static str {
        match self {
            Error::Transport { .. } => "transport",
            Error::Interrupted { .. } => "interrupted",
            Error::Timeout { .. } => "timeout",
            Error::Http(_) => "http",
            Error::RateLimited { .. } => "rate_limited",
            Error::Decode(_) => "decode",
            Error::Auth { .. } => "auth",
            Error::InvalidInput { .. } => "invalid_input",
            Error::Config(_) => "config",
            Error::CrossOrigin { .. } => "cross_origin",
            Error::Redirect { .. } => "redirect",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Pagination(_) => "pagination",
            Error::NotSent { .. } => "not_sent",
        }
    }

    /// Attaches `report`, when there is one, to an error that has room for one and none yet: for
    /// an error a client raises after the call ended (a body that does not decode), with the
    /// report [`Transport::read_body_reported`](crate::Transport::read_body_reported) handed back.
    pub fn with_report(mut self, new: Option<CallReport>) -> Self {
        let Some(new) = new else { return self };
        let slot = match &mut self {
            Error::Transport { report, .. }
            | Error::Interrupted { report, .. }
            | Error::Timeout { report, .. }
            | Error::RateLimited { report, .. }
            | Error::Auth { report, .. }
            | Error::Redirect { report, .. }
            | Error::BodyTooLarge { report, .. } => report,
            Error::Http(e) => &mut e.report,
            Error::Decode(e) => &mut e.report,
            _ => return self,
        };
        if slot.is_none() {
            *slot = Some(Box::new(new));
        }
        self
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid_input(field: Option<&str>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// For a [`Error::Decode`], the answer's `Content-Type` (see
    /// [`DecodeError::with_content_type`]); any other error is returned as it is.
    pub fn with_content_type(self, content_type: Option<&str>) -> Self {
        match self {
            Error::Decode(d) => Error::Decode(Box::new(d.with_content_type(content_type))),
            other => other,
        }
    }

    /// Decodes JSON, reporting the serde path of the first failure on error.
    ///
    /// The fast path is plain `serde_json`; only a failing body is decoded a second
    /// time to find where it failed, so successful decodes pay nothing extra.
    pub fn decode_json<T: DeserializeOwned>(context: &str, body: &[u8]) -> Result<T> {
        match serde_json::from_slice::<T>(body) {
            Ok(v) => Ok(v),
            Err(first) => {
                let de = &mut serde_json::Deserializer::from_slice(body);
                let (path, message) = match serde_path_to_error::deserialize::<_, T>(de) {
                    Err(e) => (e.path().to_string(), e.inner().to_string()),
                    Ok(_) => (".".to_owned(), first.to_string()),
                };
                Err(Error::Decode(Box::new(DecodeError::new(
                    context, path, message, body,
                ))))
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_names_the_failing_path() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            items: Vec<Inner>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            id: u32,
        }
        let err =
            Error::decode_json::<Outer>("list", br#"{"items":[{"id":1},{"id":"x"}]}"#).unwrap_err();
        match err {
            Error::Decode(d) => {
                assert_eq!(d.path, "items[1].id");
                assert!(d.body_excerpt().contains("\"x\""));
                assert!(!d.to_string().contains("\"x\""), "{d}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
