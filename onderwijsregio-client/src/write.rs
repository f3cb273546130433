//! Asynchronous writes: idempotency keys, callback URLs, and the "accepted" handle.
//!
//! Every write answers `202 Accepted`: the mutation was validated and queued, and the Mutation
//! Engine runs it later, in order. Each logical write carries an `idempotencyKey` (a fresh UUID
//! unless you supply one), sent unchanged on every retry, which is what makes retrying a write
//! safe; the request is marked retry-safe for `edu-common` accordingly.

use edu_common::{RequestBuilder, Url};
use serde_json::Value;
use uuid::Uuid;

use crate::envelope::Meta;

/// Options of one logical write.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WriteOptions {
    /// The idempotency key; generated when `None`.
    pub idempotency_key: Option<String>,
    /// Where the Mutation Engine posts the signed result.
    pub callback_url: Option<Url>,
}

impl WriteOptions {
    /// Options with a callback URL.
    pub fn callback(url: Url) -> Self {
        WriteOptions {
            callback_url: Some(url),
            ..WriteOptions::default()
        }
    }

    /// Sets the idempotency key (for a write you may resend later, e.g. after a crash).
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// Puts the idempotency key and callback URL on a write request, and marks it retry-safe.
///
/// Where the API expects these two is not documented. `POST /candidates` takes a JSON array,
/// which rules out body fields, so they go in the query string. This function is the one place
/// that decides; if the API turns out to want headers, only this changes.
pub(crate) fn apply(req: RequestBuilder, key: &str, callback_url: Option<&Url>) -> RequestBuilder {
    req.query("idempotencyKey", key)
        .query_opt("callbackUrl", callback_url.map(Url::as_str))
        .retry_safe(true)
}

/// The key to use for one logical write.
pub(crate) fn key_for(options: &WriteOptions) -> String {
    options
        .idempotency_key
        .clone()
        .unwrap_or_else(|| Uuid::new_v4().to_string())
}

/// A write the server accepted (202) and queued.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The idempotency key the write was sent with (use it to match the callback).
    pub idempotency_key: String,
    /// The HTTP status (202).
    pub status: u16,
    /// The server's message.
    pub message: Option<String>,
    /// Metadata, including `sandbox_enabled`.
    pub meta: Meta,
    /// The whole response body as sent: its fields are not documented.
    pub raw: Value,
}
