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
///
/// Its message names the serde path, the expected type and the *shape* of the offending value
/// (`a string of 12 characters`), never the value itself: records carry passwords and personal
/// data. The first bytes of the body are kept for a bug report, but only
/// [`body_excerpt`](DecodeError::body_excerpt) shows them; `Display` and `Debug` never do.
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// What was being decoded (an operation or type name).
    pub context: String,
    /// The serde path of the first failure, for example `data[3].name.first`.
    pub path: String,
    /// serde's message with the offending value replaced by its shape.
    pub message: String,
    body_excerpt: String,
}

impl DecodeError {
    /// A decode error for `context`, failing at `path` with `message`; the body is cut to an
    /// excerpt, and values quoted in `message` are replaced by their shape.
    pub fn new(
        context: impl Into<String>,
        path: impl Into<String>,
        message: impl AsRef<str>,
        body: &[u8],
    ) -> Self {
        DecodeError {
            context: context.into(),
            path: path.into(),
            message: redact_serde_message(message.as_ref()),
            body_excerpt: excerpt(body),
        }
    }

    /// The first [`BODY_EXCERPT_LIMIT`] bytes of the body. It may hold record data (names,
    /// passwords): log it only where such data may go.
    pub fn body_excerpt(&self) -> &str {
        &self.body_excerpt
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("context", &self.context)
            .field("path", &self.path)
            .field("message", &self.message)
            .field(
                "body_excerpt",
                &format_args!("[{} bytes, see body_excerpt()]", self.body_excerpt.len()),
            )
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the response of {} at `{}`: {}; the API may have changed, please report this (`DecodeError::body_excerpt` holds the start of the body)",
            self.context, self.path, self.message
        )
    }
}

/// Replaces the values serde quotes in its messages (`invalid type: string "hunter2", expected
/// u32`) by their shape (`a string of 7 characters`), keeping field names and expected types.
pub fn redact_serde_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    loop {
        // The Unexpected forms serde writes: string "…" (Debug-quoted), integer `…`,
        // floating point `…`, character `…`, unknown variant `…`.
        let found = [
            ("string \"", Quote::Debug, "a string"),
            ("integer `", Quote::Backtick, "an integer"),
            ("floating point `", Quote::Backtick, "a number"),
            ("character `", Quote::Backtick, "a character"),
            ("unknown variant `", Quote::Backtick, "an unknown variant"),
        ]
        .into_iter()
        .filter_map(|(prefix, q, shape)| rest.find(prefix).map(|i| (i, prefix, q, shape)))
        .min_by_key(|(i, ..)| *i);
        let Some((i, prefix, quote, shape)) = found else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..i]);
        let value_start = i + prefix.len();
        let Some(len) = quoted_len(&rest[value_start..], quote) else {
            // Unterminated: drop the rest rather than risk echoing a value.
            out.push_str(shape);
            return out;
        };
        let chars = rest[value_start..value_start + len].chars().count();
        match quote {
            Quote::Debug => out.push_str(&format!("{shape} of {chars} characters")),
            Quote::Backtick => out.push_str(shape),
        }
        rest = &rest[value_start + len + 1..];
    }
}

#[derive(Clone, Copy)]
enum Quote {
    /// A Rust `Debug` string: ends at the first `"` not escaped by `\`.
    Debug,
    /// Ends at the next backtick.
    Backtick,
}

/// The length of a quoted value up to (not including) its closing quote.
fn quoted_len(s: &str, quote: Quote) -> Option<usize> {
    match quote {
        Quote::Backtick => s.find('`'),
        Quote::Debug => {
            let mut escaped = false;
            for (i, c) in s.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return Some(i),
                    _ => {}
                }
            }
            None
        }
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
                Err(Error::Decode(Box::new(DecodeError::new(
                    context, path, message, body,
                ))))
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

/// The longest API reason an error's `Display` shows.
const MESSAGE_LIMIT: usize = 300;

/// The API's own short reason from an error body: its message (`message`, Edu-V's
/// `statusMessage` with its code, OAuth2's `error_description`, `error`, a problem's `title` or
/// `detail`) and per-field messages (`errors: {"Name": ["…"]}`), cut to one line.
pub(crate) fn extract_message(body: &serde_json::Value) -> Option<String> {
    const KEYS: &[&str] = &[
        "message",
        "statusMessage",
        "error_description",
        "error",
        "title",
        "detail",
    ];
    let obj = body.as_object()?;
    let mut base = None;
    for key in KEYS {
        match obj.get(*key) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                base = Some(s.trim().to_owned());
                break;
            }
            Some(serde_json::Value::Object(inner)) => {
                if let Some(serde_json::Value::String(s)) = inner.get("message") {
                    base = Some(s.trim().to_owned());
                    break;
                }
            }
            _ => {}
        }
    }
    if let (Some(m), Some(code)) = (&mut base, obj.get("status"))
        && obj.contains_key("statusMessage")
    {
        let code = match code {
            serde_json::Value::String(c) => c.clone(),
            other => format!("{:0>4}", other.to_string()),
        };
        *m = format!("{m} (code {code})");
    }
    let details = obj.get("errors").map(field_messages).unwrap_or_default();
    let text = match (base, details.is_empty()) {
        (Some(b), true) => b,
        (Some(b), false) => format!("{b}: {details}"),
        (None, false) => details,
        (None, true) => return None,
    };
    Some(one_line(&text, MESSAGE_LIMIT))
}

/// Per-field messages from an `errors` member: an object of strings or arrays of strings
/// (ASP.NET, Rails), or an array of strings or of objects with a `message`.
fn field_messages(errors: &serde_json::Value) -> String {
    use serde_json::Value;
    fn texts(v: &Value) -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().flat_map(texts).collect(),
            Value::Object(o) => o
                .get("message")
                .and_then(Value::as_str)
                .map(|s| vec![s.to_owned()])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
    match errors {
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| format!("{k}: {}", texts(v).join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
        other => texts(other).join("; "),
    }
}

/// `text` on one line, cut to `limit` bytes on a character boundary.
pub(crate) fn one_line(text: &str, limit: usize) -> String {
    let mut line: String = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.len() > limit {
        let mut cut = limit;
        while !line.is_char_boundary(cut) {
            cut -= 1;
        }
        line.truncate(cut);
        line.push('…');
    }
    line
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
