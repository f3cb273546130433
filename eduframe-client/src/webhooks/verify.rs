//! Verifying a delivery: header, timestamp, signature, replay; then the checked bytes.

use std::sync::Arc;

use edu_common::webhook::{Checks, SecretSlot, SignatureError};
use http::HeaderMap;
use secrecy::SecretString;

use super::{Layout, Notification, SIGNATURE_HEADER, SignatureHeader, signed_bytes};

/// A delivery whose signature checked out: its raw bytes, to parse now or queue and parse later.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'b> {
    body: &'b [u8],
    timestamp: u64,
    slot: SecretSlot,
}

impl<'b> Verified<'b> {
    /// The raw body, exactly as signed.
    pub fn body(&self) -> &'b [u8] {
        self.body
    }

    /// The signed timestamp (Unix seconds).
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// Which secret matched (a match with the secondary means the sender still signs with the
    /// retired secret).
    pub fn secret(&self) -> SecretSlot {
        self.slot
    }

    /// The typed notification.
    pub fn parse(&self) -> edu_common::Result<Notification> {
        super::parse(self.body)
    }
}

/// Verifies Eduframe webhook deliveries (see the [module docs](super)). Cheap to clone; clones
/// share the replay guard.
#[derive(Clone)]
pub struct Verifier {
    checks: Checks,
    layout: Layout,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the webhook's primary secret, with a 5-minute tolerance and an
    /// in-process replay guard.
    pub fn new(primary: impl Into<SecretString>) -> Self {
        Verifier {
            checks: Checks::new(primary),
            layout: Arc::new(signed_bytes),
        }
    }

    edu_common::delivery_verifier_setters!();

    /// The layout of the signed bytes (default [`signed_bytes`], an assumption: see the
    /// [module docs](super)).
    pub fn layout(
        mut self,
        layout: impl Fn(&str, &[u8]) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// Verifies a delivery from its headers and raw body: the header, the timestamp, the
    /// signature, and the replay guard.
    pub async fn verify<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<Verified<'b>, SignatureError> {
        let (verified, message) = self.signed(headers, body)?;
        self.checks
            .first_sighting(verified.timestamp, &message)
            .await?;
        Ok(verified)
    }

    /// Checks the header, the timestamp and the signature, **not** the replay guard: for a
    /// receiver whose store refuses a delivery it holds already (the intake,
    /// `edu_common::webhook::intake`), so that a delivery is remembered only once it is stored.
    pub fn verify_signature<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<Verified<'b>, SignatureError> {
        self.signed(headers, body).map(|(verified, _)| verified)
    }

    /// The checks before the replay guard, and the signed bytes.
    fn signed<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<(Verified<'b>, Vec<u8>), SignatureError> {
        let value = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or(SignatureError::MissingHeader {
                header: SIGNATURE_HEADER,
            })?;
        let header = SignatureHeader::parse(value)?;
        self.checks.check_timestamp(header.timestamp)?;
        let message = (self.layout)(&header.timestamp_text, body);
        let slot = self.checks.signed_by(&message, &header.signatures)?;
        let verified = Verified {
            body,
            timestamp: header.timestamp,
            slot,
        };
        Ok((verified, message))
    }
}
