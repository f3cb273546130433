//! An API's refusal: the status, its message read from the body, and a cut copy of the body.

use std::fmt;

use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::BODY_EXCERPT_LIMIT;

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
    /// What happened during the call (attempts, waits, the request id): see
    /// [`Error::report`](crate::Error::report).
    pub report: Option<Box<crate::report::CallReport>>,
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
            report: None,
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
            // Some APIs (Eduframe) answer an unknown key with 403, not 401.
            403 => {
                "; the credentials were refused or lack permission for this resource: check the key or secret, then its permissions"
            }
            404 => "; the resource does not exist or is not visible to these credentials",
            409 | 412 => "; the resource changed or conflicts, re-read it and try again",
            s if s >= 500 => "; the server failed, try again later",
            _ => "",
        };
        f.write_str(hint)
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
    use crate::error::Error;

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
