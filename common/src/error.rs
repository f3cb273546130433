//! The one error type every client returns.
//!
//! [`Error`] is `#[non_exhaustive]`: match the variants you care about and keep a
//! catch-all arm. Every message says what happened and, where there is one, what
//! to do about it. No variant ever carries a credential.

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

/// How many bytes of a response body an error keeps for display and debugging.
pub const BODY_EXCERPT_LIMIT: usize = 4 * 1024;

/// A `Result` with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when talking to one of the APIs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request never produced a response: DNS, connect, TLS, or the connection dropped.
    #[error(
        "could not reach {origin}: {source}; check the base URL and network, the request may be retried"
    )]
    Transport {
        /// Scheme, host and port the request went to (never a path or query).
        origin: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
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
    },

    /// The server answered with a status that is not a success.
    #[error("{0}")]
    Http(Box<HttpError>),

    /// The server asked us to slow down (429, or 503 with `Retry-After`) for longer than we may wait.
    #[error("{}", rate_limited_message(*.status, *.retry_after))]
    RateLimited {
        /// The status that carried the request to slow down.
        status: StatusCode,
        /// How long the server asked us to wait, when it said.
        retry_after: Option<Duration>,
    },

    /// A response body did not have the expected shape.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// Credentials were refused, or a token could not be obtained.
    #[error("authentication failed: {message}; check the client id, secret or API key")]
    Auth {
        /// What went wrong, never containing a secret.
        message: String,
        /// The HTTP status of the refusal, when there was one.
        status: Option<StatusCode>,
        /// Whether trying again later could succeed (a token endpoint that was down or slow).
        transient: bool,
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

    /// A response body was larger than the configured cap.
    #[error(
        "response body exceeds the {limit}-byte cap; raise `max_body_bytes` if this is expected"
    )]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
    },

    /// A paginated listing misbehaved (for example, the server sent a cursor it had sent before).
    #[error("pagination stopped: {0}")]
    Pagination(String),
}

fn rate_limited_message(status: StatusCode, after: Option<Duration>) -> String {
    match after {
        Some(d) => format!(
            "rate limited ({status}): the server asked to wait {d:?}, longer than the configured maximum; try again later or raise `max_retry_after`"
        ),
        None => format!(
            "rate limited ({status}) and out of retries; slow down or configure a client-side rate limit"
        ),
    }
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

/// A non-success HTTP response, with what the API said about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpError {
    /// The status code.
    pub status: StatusCode,
    /// HTTP method of the request, when known (generated clients report the operation instead).
    pub method: Option<http::Method>,
    /// Path of the request (no query string, which may carry tokens), or the operation id.
    pub path: String,
    /// Headers worth keeping: request ids, rate-limit and `Retry-After`, `WWW-Authenticate`, content type.
    pub headers: HeaderMap,
    /// The body parsed as JSON, when it was JSON.
    pub body: Option<serde_json::Value>,
    /// The first [`BODY_EXCERPT_LIMIT`] bytes of the body, lossily decoded.
    pub raw_body: String,
    /// A human message extracted from the body (`message`, `error`, `title`, `detail`...), when one was found.
    pub message: Option<String>,
}

impl HttpError {
    /// Builds an error from a response's parts. The body is parsed if it is JSON and cut to [`BODY_EXCERPT_LIMIT`].
    pub fn new(
        status: StatusCode,
        method: Option<http::Method>,
        path: impl Into<String>,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let message = parsed.as_ref().and_then(extract_message);
        HttpError {
            status,
            method,
            path: path.into(),
            headers: headers_of_interest(headers),
            body: parsed,
            raw_body: excerpt(body),
            message,
        }
    }

    /// Decodes the parsed JSON body into an API-specific error type.
    ///
    /// ```
    /// # use edu_common::HttpError;
    /// #[derive(serde::Deserialize)]
    /// struct ApiError { error: String }
    /// let e = HttpError::new(
    ///     http::StatusCode::NOT_FOUND, Some(http::Method::GET), "/v1/x",
    ///     &http::HeaderMap::new(), br#"{"error":"no such student"}"#,
    /// );
    /// assert_eq!(e.json::<ApiError>().unwrap().error, "no such student");
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Option<T> {
        self.body.as_ref().and_then(|b| T::deserialize(b).ok())
    }

    /// A header the server sent, as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(m) => write!(f, "{m} {} returned {}", self.path, self.status)?,
            None => write!(f, "operation {} returned {}", self.path, self.status)?,
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        let hint = match self.status.as_u16() {
            400 | 422 => "; the request was rejected as invalid, correct it before retrying",
            401 => "; the credentials were not accepted",
            403 => "; the credentials lack permission for this resource",
            404 => "; the resource does not exist or is not visible to these credentials",
            409 | 412 => "; the resource changed or conflicts, re-read it and try again",
            s if s >= 500 => "; the server failed, try again later",
            _ => "",
        };
        f.write_str(hint)
    }
}

/// A body that could not be decoded into the expected type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was being decoded (an operation or type name).
    pub context: String,
    /// The serde path of the first failure, for example `data[3].name.first`.
    pub path: String,
    /// serde's message.
    pub message: String,
    /// The first bytes of the body.
    pub body_excerpt: String,
}

impl DecodeError {
    /// A decode error for `context`, failing at `path` with `message`; the body is cut to an excerpt.
    pub fn new(
        context: impl Into<String>,
        path: impl Into<String>,
        message: impl Into<String>,
        body: &[u8],
    ) -> Self {
        DecodeError {
            context: context.into(),
            path: path.into(),
            message: message.into(),
            body_excerpt: excerpt(body),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response of {} at `{}`: {}; the API may have changed, please report this with the excerpt: {}",
            self.context, self.path, self.message, self.body_excerpt
        )
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
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Http(e) => matches!(e.status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504),
            Error::Auth { transient, .. } => *transient,
            _ => false,
        }
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid_input(field: Option<&str>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.map(str::to_owned),
            message: message.into(),
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
                Err(Error::Decode(Box::new(DecodeError {
                    context: context.to_owned(),
                    path,
                    message,
                    body_excerpt: excerpt(body),
                })))
            }
        }
    }
}

/// Cuts a body to [`BODY_EXCERPT_LIMIT`] bytes on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(BODY_EXCERPT_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    let mut s = text.into_owned();
    if body.len() > BODY_EXCERPT_LIMIT {
        s.push('…');
    }
    s
}

const KEPT_HEADERS: &[&str] = &[
    "retry-after",
    "www-authenticate",
    "content-type",
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "api-version",
    "location",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-bucket",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
];

fn headers_of_interest(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for (name, value) in headers {
        if KEPT_HEADERS.contains(&name.as_str()) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

fn extract_message(body: &serde_json::Value) -> Option<String> {
    const KEYS: &[&str] = &["message", "error_description", "error", "title", "detail"];
    let obj = body.as_object()?;
    for key in KEYS {
        match obj.get(*key) {
            Some(serde_json::Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(serde_json::Value::Object(inner)) => {
                if let Some(serde_json::Value::String(s)) = inner.get("message") {
                    return Some(s.clone());
                }
            }
            _ => {}
        }
    }
    None
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
                assert!(d.body_excerpt.contains("\"x\""));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn http_error_extracts_message_and_cuts_body() {
        let mut body = br#"{"error":"Could not parse created_since"}"#.to_vec();
        let e = HttpError::new(
            StatusCode::BAD_REQUEST,
            Some(http::Method::GET),
            "/v1/events",
            &HeaderMap::new(),
            &body,
        );
        assert_eq!(e.message.as_deref(), Some("Could not parse created_since"));
        body.resize(10_000, b' ');
        let e = HttpError::new(
            StatusCode::BAD_REQUEST,
            Some(http::Method::GET),
            "/",
            &HeaderMap::new(),
            &body,
        );
        assert!(e.raw_body.len() <= BODY_EXCERPT_LIMIT + '…'.len_utf8());
        assert!(Error::Http(Box::new(e)).to_string().contains("400"));
    }

    #[test]
    fn excerpt_handles_multibyte_cut() {
        let body = "é".repeat(BODY_EXCERPT_LIMIT);
        let s = excerpt(body.as_bytes());
        assert!(s.ends_with('…'));
    }
}
