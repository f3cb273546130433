//! Signed webhooks and callbacks: the pieces every API's verifier is built from (feature
//! `webhooks`).
//!
//! An API that calls a service back signs each delivery with an HMAC-SHA256 over the raw body
//! and a timestamp (and, per API, more), in a header of its own. Each client crate has a
//! `Verifier` and a `Signer` in the same shape (`eduframe_client::webhooks`,
//! `onderwijsregio_client::callbacks`); this module holds what they share:
//!
//! - [`hmac`]: the signature over the signed bytes, and a constant-time check of a candidate;
//! - [`ReplayGuard`]: "never twice": a delivery seen once is refused the second time, for as
//!   long as its timestamp would still be accepted (plus a margin for clock skew). The key is a
//!   digest of the signed bytes ([`replay_key`]), so the same delivery resent with another of
//!   its signatures (during a rotation) is still the same delivery. [`MemoryReplayGuard`] holds the sightings
//!   in this process; with the `redis` feature, [`SharedReplayGuard`] holds them in Redis so
//!   that replicas refuse a delivery another replica accepted (and falls back to its own
//!   memory while Redis is away);
//! - [`SignatureError`]: why a delivery was refused, one variant per check, with messages that
//!   name the check and the remedy and never a secret or the body.
//!
//! Verifying is apart from parsing: a verifier returns the checked raw bytes, so a service can
//! verify, queue the bytes and parse later.

mod checks;
mod error;
pub mod hmac;
#[cfg(feature = "intake")]
pub mod intake;
mod replay;
#[cfg(feature = "redis")]
mod shared_replay;

pub use checks::{CLOCK_SKEW_MARGIN, Checks, SecretSlot, keep_for, replay_key};
pub use error::SignatureError;
pub use replay::{MemoryReplayGuard, ReplayGuard};
#[cfg(feature = "redis")]
pub use shared_replay::SharedReplayGuard;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A clock in Unix seconds (replaceable in tests).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock, in Unix seconds.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    })
}

/// How far `timestamp` is from `now`, or the error when it is beyond `tolerance` (either way:
/// a timestamp from the future is as suspect as an old one).
pub fn check_timestamp(
    timestamp: u64,
    now: u64,
    tolerance: std::time::Duration,
) -> Result<(), SignatureError> {
    let skew = now.abs_diff(timestamp);
    if skew > tolerance.as_secs() {
        return Err(SignatureError::OutsideTolerance {
            skew_secs: skew,
            tolerance_secs: tolerance.as_secs(),
        });
    }
    Ok(())
}
