//! A request as it would be sent, unsent: what [`RequestBuilder::preview`] and a dry run
//! ([`Error::NotSent`](crate::Error::NotSent)) show. A leaf: it knows no transport.
//!
//! [`RequestBuilder::preview`]: crate::RequestBuilder::preview

use bytes::Bytes;
use http::Method;
use url::Url;

/// A request as [`RequestBuilder::preview`](crate::RequestBuilder::preview) shows it, unsent.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The method.
    pub method: Method,
    /// The URL, with its query.
    pub url: Url,
    /// The body and its `Content-Type`, if it has one.
    pub body: Option<(Bytes, &'static str)>,
}

impl Preview {
    /// The request as built (its credentials are added later, when it is sent).
    pub(crate) fn of(request: &reqwest::Request) -> Self {
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .map(|bytes| {
                let content_type = match request
                    .headers()
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                {
                    Some(t) if t.starts_with("application/x-www-form-urlencoded") => {
                        "application/x-www-form-urlencoded"
                    }
                    Some(t) if t.starts_with("application/json") || t.ends_with("+json") => {
                        "application/json"
                    }
                    _ => "application/octet-stream",
                };
                (Bytes::copy_from_slice(bytes), content_type)
            });
        Preview {
            method: request.method().clone(),
            url: request.url().clone(),
            body,
        }
    }
}
