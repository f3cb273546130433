//! Eduframe webhooks: verifying a delivery's signature, refusing replays, and the typed
//! notification.
//!
//! # The scheme
//!
//! Every webhook has a primary secret and, after a rotation, a secondary one (rotating turns
//! the primary into the secondary and makes a new primary). Each delivery is a POST whose
//! header `eduframe-signature-v1` reads `t=<unix seconds>, signature=<hex>[, signature=<hex>]`:
//! an HMAC-SHA256 per secret, primary first. A [`Verifier`] built with both secrets accepts
//! a match with either, so a rotation loses nothing.
//!
//! **An assumption to check:** Eduframe documents the header, the secrets and HMAC-SHA256,
//! but not the exact bytes signed. The default layout is `"{t}.{raw body}"`
//! ([`signed_bytes`]), the common convention; check it against one real delivery, and if
//! Eduframe signs something else, give its layout to [`Verifier::layout`] (and
//! [`Signer::layout`]).
//!
//! # Checks, in order
//!
//! The header is there and reads as above; the timestamp is within the tolerance (5 minutes
//! by default, either way); one signature matches one secret (compared in constant time); the
//! delivery was not accepted before. Each failure is its own [`SignatureError`], and none
//! shows a secret or the body.
//!
//! # Never twice
//!
//! An accepted delivery is remembered by a digest of its signed bytes (not by the signature
//! that matched, so the same delivery resent with only its other signature during a rotation
//! is still refused), for as long as its timestamp would pass plus a margin for clock skew, by
//! a [`ReplayGuard`]: in this process by default ([`MemoryReplayGuard`]), or in Redis with the
//! `redis` feature ([`SharedReplayGuard`]) so that a delivery one replica accepted is refused
//! by every other.
//!
//! # Nothing lost after a 2xx
//!
//! With the `intake` feature, a [`Verifier`] is an `edu_common::webhook::intake::Authenticate`:
//! mount `Intake::new(store).route("/hooks/eduframe", verifier).router()` and a delivery is
//! answered 2xx only once it is stored (in memory, or on a Redis stream with `redis`).
//!
//! # Verify now, parse later
//!
//! [`Verifier::verify`] returns the checked raw bytes ([`Verified`]); [`Verified::parse`] (or
//! [`parse`] on bytes taken from a queue) gives the typed [`Notification`].
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use eduframe_client::webhooks::{Signer, Verifier};
//! let body = br#"{"tenant_id":"3f0c","educator":"demo","event":"enrollment.created","event_data":{"id":7}}"#;
//! let headers = Signer::new("primary-secret").sign(body, 1_700_000_000);
//!
//! let verifier = Verifier::new("primary-secret").with_clock(|| 1_700_000_030);
//! let verified = verifier.verify(&headers, body).await?;
//! assert_eq!(verified.parse()?.event.to_string(), "enrollment.created");
//! // The same delivery again is refused.
//! assert!(verifier.verify(&headers, body).await.unwrap_err().to_string().contains("already accepted"));
//! # Ok(()) }
//! ```

mod header;
#[cfg(feature = "intake")]
mod intake;
mod notification;
mod sign;
mod verify;

#[cfg(feature = "redis")]
pub use edu_common::webhook::SharedReplayGuard;
pub use edu_common::webhook::{MemoryReplayGuard, ReplayGuard, SecretSlot, SignatureError};
pub use header::{SIGNATURE_HEADER, SignatureHeader};
pub use notification::{Event, Notification, parse};
pub use sign::Signer;
pub use verify::{Verified, Verifier};

use std::sync::Arc;

/// How the signed bytes are laid out from the timestamp (as sent) and the raw body.
pub type Layout = Arc<dyn Fn(&str, &[u8]) -> Vec<u8> + Send + Sync>;

/// The default layout of the signed bytes: `"{t}.{raw body}"` (an assumption: see the
/// [module docs](self)).
pub fn signed_bytes(timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + 1 + body.len());
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'.');
    m.extend_from_slice(body);
    m
}
