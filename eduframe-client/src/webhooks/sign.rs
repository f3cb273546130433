//! Signing deliveries as Eduframe does: for tests, and for the simulator.

use std::sync::Arc;

use http::{HeaderMap, HeaderValue};
use secrecy::SecretString;

use super::{Layout, SIGNATURE_HEADER, signed_bytes};

/// Signs deliveries the way Eduframe does (with [`signed_bytes`]'s layout unless told
/// otherwise): one signature per secret, primary first.
#[derive(Clone)]
pub struct Signer {
    primary: SecretString,
    secondary: Option<SecretString>,
    layout: Layout,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("primary", &"[REDACTED]")
            .field("secondary", &self.secondary.as_ref().map(|_| "[REDACTED]"))
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer with the webhook's primary secret.
    pub fn new(primary: impl Into<SecretString>) -> Self {
        Signer {
            primary: primary.into(),
            secondary: None,
            layout: Arc::new(signed_bytes),
        }
    }

    /// Also signs with a secondary secret (the one a rotation retired).
    pub fn secondary(mut self, secret: impl Into<SecretString>) -> Self {
        self.secondary = Some(secret.into());
        self
    }

    /// The layout of the signed bytes (default [`signed_bytes`]).
    pub fn layout(
        mut self,
        layout: impl Fn(&str, &[u8]) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// The header's value for `body` sent at `timestamp` (Unix seconds).
    pub fn header_value(&self, body: &[u8], timestamp: u64) -> String {
        let t = timestamp.to_string();
        let message = (self.layout)(&t, body);
        let mut value = format!("t={t}");
        for secret in std::iter::once(&self.primary).chain(&self.secondary) {
            value.push_str(", signature=");
            value.push_str(&hex::encode(edu_common::webhook::hmac::sign(
                secret, &message,
            )));
        }
        value
    }

    /// The headers of a signed delivery of `body` at `timestamp`.
    pub fn sign(&self, body: &[u8], timestamp: u64) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&self.header_value(body, timestamp)) {
            headers.insert(SIGNATURE_HEADER, value);
        }
        headers
    }
}
