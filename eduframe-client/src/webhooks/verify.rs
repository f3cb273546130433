//! Verifying a delivery: header, timestamp, signature, replay; then the checked bytes.

use std::sync::Arc;
use std::time::Duration;

use edu_common::webhook::{self, Clock, MemoryReplayGuard, ReplayGuard, SignatureError};
use http::HeaderMap;
use secrecy::SecretString;

use super::{Layout, Notification, SIGNATURE_HEADER, SignatureHeader, signed_bytes};

/// Which of the webhook's secrets signed a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    /// The current secret.
    Primary,
    /// The secret a rotation retired.
    Secondary,
}

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
    primary: SecretString,
    secondary: Option<SecretString>,
    tolerance: Duration,
    layout: Layout,
    guard: Arc<dyn ReplayGuard>,
    clock: Clock,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("primary", &"[REDACTED]")
            .field("secondary", &self.secondary.as_ref().map(|_| "[REDACTED]"))
            .field("tolerance", &self.tolerance)
            .field("replay_guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for the webhook's primary secret, with a 5-minute tolerance and an
    /// in-process replay guard.
    pub fn new(primary: impl Into<SecretString>) -> Self {
        Verifier {
            primary: primary.into(),
            secondary: None,
            tolerance: Duration::from_secs(300),
            layout: Arc::new(signed_bytes),
            guard: Arc::new(MemoryReplayGuard::default()),
            clock: webhook::system_clock(),
        }
    }

    /// Also accepts the secondary secret (the one a rotation retired).
    pub fn secondary(mut self, secret: impl Into<SecretString>) -> Self {
        self.secondary = Some(secret.into());
        self
    }

    /// How far the signed timestamp may be from now, either way (default 5 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The layout of the signed bytes (default [`signed_bytes`], an assumption: see the
    /// [module docs](super)).
    pub fn layout(
        mut self,
        layout: impl Fn(&str, &[u8]) -> Vec<u8> + Send + Sync + 'static,
    ) -> Self {
        self.layout = Arc::new(layout);
        self
    }

    /// Where accepted deliveries are remembered (default: this process's memory).
    pub fn replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.guard = guard;
        self
    }

    /// Replaces the clock (Unix seconds), for tests.
    pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies a delivery from its headers and raw body.
    pub async fn verify<'b>(
        &self,
        headers: &HeaderMap,
        body: &'b [u8],
    ) -> Result<Verified<'b>, SignatureError> {
        let value = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or(SignatureError::MissingHeader {
                header: SIGNATURE_HEADER,
            })?;
        let header = SignatureHeader::parse(value)?;
        webhook::check_timestamp(header.timestamp, (self.clock)(), self.tolerance)?;
        let message = (self.layout)(&header.timestamp_text, body);
        let secrets = [
            (SecretSlot::Primary, Some(&self.primary)),
            (SecretSlot::Secondary, self.secondary.as_ref()),
        ];
        let matched = secrets.iter().find_map(|(slot, secret)| {
            let secret = (*secret)?;
            header
                .signatures
                .iter()
                .find(|sig| webhook::hmac::matches(secret, &message, sig.as_slice()))
                .map(|sig| (*slot, sig))
        });
        let Some((slot, signature)) = matched else {
            return Err(SignatureError::NoMatch);
        };
        if !self
            .guard
            .first_sighting(&hex::encode(signature), self.tolerance * 2)
            .await
        {
            return Err(SignatureError::Replayed);
        }
        Ok(Verified {
            body,
            timestamp: header.timestamp,
            slot,
        })
    }
}
