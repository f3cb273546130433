//! What every delivery verifier holds and checks, whatever the API's header: the secrets (a
//! primary and, after a rotation, a secondary), the tolerance, the replay guard and the clock.

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::{Clock, MemoryReplayGuard, ReplayGuard, SignatureError, check_timestamp, hmac};

/// Which of the secrets signed a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    /// The current secret.
    Primary,
    /// The secret a rotation retired.
    Secondary,
}

/// A verifier's settings and checks (each API's `Verifier` wraps one and adds its header's
/// reading). Its `Debug` shows no secret.
#[derive(Clone)]
pub struct Checks {
    primary: SecretString,
    secondary: Option<SecretString>,
    tolerance: Duration,
    guard: Arc<dyn ReplayGuard>,
    clock: Clock,
}

impl std::fmt::Debug for Checks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checks")
            .field("primary", &"[REDACTED]")
            .field("secondary", &self.secondary.as_ref().map(|_| "[REDACTED]"))
            .field("tolerance", &self.tolerance)
            .field("replay_guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl Checks {
    /// Checks with the primary secret, a 5-minute tolerance, an in-process replay guard and the
    /// system clock.
    pub fn new(primary: impl Into<SecretString>) -> Self {
        Checks {
            primary: primary.into(),
            secondary: None,
            tolerance: Duration::from_secs(300),
            guard: Arc::new(MemoryReplayGuard::default()),
            clock: super::system_clock(),
        }
    }

    /// Also accepts a secondary secret.
    pub fn set_secondary(&mut self, secret: SecretString) {
        self.secondary = Some(secret);
    }

    /// Sets the tolerance.
    pub fn set_tolerance(&mut self, tolerance: Duration) {
        self.tolerance = tolerance;
    }

    /// Sets the replay guard.
    pub fn set_replay_guard(&mut self, guard: Arc<dyn ReplayGuard>) {
        self.guard = guard;
    }

    /// Sets the clock.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The timestamp check against the clock.
    pub fn check_timestamp(&self, timestamp: u64) -> Result<(), SignatureError> {
        check_timestamp(timestamp, (self.clock)(), self.tolerance)
    }

    /// The replay check, for a delivery whose signature checked out ([`Checks::signed_by`]).
    /// It is keyed on a digest of the signed bytes, not on the signature that matched: the
    /// same delivery resent with only its other signature (during a rotation) or with its
    /// signatures reordered is the same delivery. The replay guard
    /// remembers `message` (by [`replay_key`], for [`keep_for`]), and refuses it with
    /// [`SignatureError::Replayed`] when it was remembered before.
    pub async fn first_sighting(
        &self,
        timestamp: u64,
        message: &[u8],
    ) -> Result<(), SignatureError> {
        let key = replay_key(message);
        let keep_for = keep_for(timestamp, (self.clock)(), self.tolerance);
        if self.guard.first_sighting(&key, keep_for).await {
            Ok(())
        } else {
            Err(SignatureError::Replayed)
        }
    }
}

impl Checks {
    /// Which secret signed `message`: the first of `candidates` that is its HMAC under a
    /// secret (the primary tried first), or [`SignatureError::NoMatch`]. The message is hashed
    /// once per secret; each candidate is compared in constant time. No replay check: see
    /// [`Checks::first_sighting`] for that.
    pub fn signed_by<C: AsRef<[u8]>>(
        &self,
        message: &[u8],
        candidates: &[C],
    ) -> Result<SecretSlot, SignatureError> {
        let secrets = [
            (SecretSlot::Primary, Some(&self.primary)),
            (SecretSlot::Secondary, self.secondary.as_ref()),
        ];
        secrets
            .iter()
            .find_map(|(slot, secret)| {
                hmac::first_match((*secret)?, message, candidates.iter().map(AsRef::as_ref))
                    .map(|_| *slot)
            })
            .ok_or(SignatureError::NoMatch)
    }
}

/// How much longer than its own window a delivery is remembered, for replicas whose clocks
/// differ by up to this much.
pub const CLOCK_SKEW_MARGIN: Duration = Duration::from_secs(60);

/// The replay guard's key of a delivery: the SHA-256 of its signed bytes, in hex.
pub fn replay_key(message: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(message))
}

/// How long a delivery signed at `timestamp` must be remembered at `now`: until its timestamp
/// no longer passes a check with `tolerance` (`timestamp + tolerance`), plus
/// [`CLOCK_SKEW_MARGIN`]. Saturates: a tolerance of [`Duration::MAX`] keeps it "forever".
pub fn keep_for(timestamp: u64, now: u64, tolerance: Duration) -> Duration {
    let last_valid = timestamp.saturating_add(tolerance.as_secs());
    Duration::from_secs(last_valid.saturating_sub(now)).saturating_add(CLOCK_SKEW_MARGIN)
}

/// The setters every API's `Verifier` has, over its `checks: Checks` field: `secondary`,
/// `tolerance`, `replay_guard` and `with_clock`.
#[macro_export]
macro_rules! delivery_verifier_setters {
    () => {
        /// Also accepts the secondary secret (the one a rotation retired).
        pub fn secondary(mut self, secret: impl Into<$crate::secrecy::SecretString>) -> Self {
            self.checks.set_secondary(secret.into());
            self
        }

        /// How far the signed timestamp may be from now, either way (default 5 minutes).
        pub fn tolerance(mut self, tolerance: std::time::Duration) -> Self {
            self.checks.set_tolerance(tolerance);
            self
        }

        /// Where accepted deliveries are remembered (default: this process's memory; a
        /// `SharedReplayGuard` shares them between replicas through Redis).
        pub fn replay_guard(
            mut self,
            guard: std::sync::Arc<dyn $crate::webhook::ReplayGuard>,
        ) -> Self {
            self.checks.set_replay_guard(guard);
            self
        }

        /// Replaces the clock (Unix seconds), for tests.
        pub fn with_clock(mut self, clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
            self.checks.set_clock(std::sync::Arc::new(clock));
            self
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_is_kept_until_its_timestamp_stops_passing_plus_the_margin() {
        let five_min = Duration::from_secs(300);
        // (timestamp, now, tolerance) -> seconds kept
        let table = [
            ((1_000, 1_000, five_min), 300 + 60),
            // A timestamp from the future passes for longer.
            ((1_300, 1_000, five_min), 600 + 60),
            // One at the edge of the past is at its end.
            ((700, 1_000, five_min), 60),
            ((0, u64::MAX, five_min), 60),
        ];
        for ((t, now, tol), secs) in table {
            assert_eq!(
                keep_for(t, now, tol),
                Duration::from_secs(secs),
                "{t} {now}"
            );
        }
        // Turning the window off never overflows.
        assert_eq!(keep_for(u64::MAX, 0, Duration::MAX), Duration::MAX);
        assert!(keep_for(1_000, 1_000, Duration::MAX) > Duration::from_secs(u64::MAX / 2));
    }

    #[test]
    fn the_replay_key_is_the_digest_of_the_signed_bytes() {
        assert_eq!(replay_key(b"1.{}"), replay_key(b"1.{}"));
        assert_ne!(replay_key(b"1.{}"), replay_key(b"2.{}"));
        assert_eq!(replay_key(b"").len(), 64);
    }
}
