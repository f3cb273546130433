//! What a simulator's handler sees and answers: a [`Request`] read whole, a [`Response`] built
//! with a few chained calls, and the [`Respond`] trait that joins them.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, Method};

/// One request, read whole before the handler sees it. Its `Debug` leaves out credentials
/// (`Authorization`, `x-api-key`, cookies, secret query parameters) and shows the body's length.
#[derive(Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The full URL (`http://127.0.0.1:port/path?query`).
    pub url: url::Url,
    /// The headers as sent.
    pub headers: HeaderMap,
    /// The body, decoded from nothing: as sent.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SECRET: &[&str] = &[
            "authorization",
            "proxy-authorization",
            "x-api-key",
            "cookie",
        ];
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET.contains(&name.as_str()) {
                    crate::redact::REDACTED
                } else {
                    value.to_str().unwrap_or("(not text)")
                };
                (name.as_str(), shown)
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &crate::redact::url(&self.url))
            .field("headers", &headers)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// An answer: a status, headers, a body, and how long to wait before sending it.
#[derive(Debug, Clone)]
#[must_use]
pub struct Response {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Vec<u8>,
    pub(super) delay: Duration,
}

impl Response {
    /// An answer with this status and no body.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    /// A JSON body (`Content-Type: application/json`).
    pub fn set_body_json(self, body: impl serde::Serialize) -> Response {
        // Serialising a `serde_json::Value` or a derived type cannot fail; were it to, the
        // answer says so instead of panicking inside the server.
        match serde_json::to_vec(&body) {
            Ok(bytes) => self.set_body_raw(bytes, "application/json"),
            Err(e) => Response::new(500).set_body_string(format!("unserialisable answer: {e}")),
        }
    }

    /// A body with its content type.
    pub fn set_body_raw(mut self, body: impl Into<Vec<u8>>, content_type: &str) -> Response {
        self.body = body.into();
        if let Ok(v) = HeaderValue::from_str(content_type) {
            self.headers.insert(http::header::CONTENT_TYPE, v);
        }
        self
    }

    /// A text body (`Content-Type: text/plain`).
    pub fn set_body_string(self, body: impl Into<String>) -> Response {
        self.set_body_raw(body.into().into_bytes(), "text/plain")
    }

    /// Sets a header, replacing any of that name. A name or value that is not valid HTTP is
    /// left out (a simulator answers; it does not panic).
    pub fn insert_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Response {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_ref()),
            HeaderValue::from_str(value.as_ref()),
        ) {
            self.headers.insert(n, v);
        }
        self
    }

    /// Waits this long before sending the answer.
    pub fn set_delay(mut self, delay: Duration) -> Response {
        self.delay = delay;
        self
    }

    /// The status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A simulator's handler: one answer per request, over the simulator's state.
pub trait Respond: Send + Sync + 'static {
    /// The answer to `request`.
    fn respond(&self, request: &Request) -> Response;
}

impl<F> Respond for F
where
    F: Fn(&Request) -> Response + Send + Sync + 'static,
{
    fn respond(&self, request: &Request) -> Response {
        self(request)
    }
}
