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

    /// The first candidate signature that is the HMAC of `message` under a secret (the
    /// primary tried first), with the secret that made it; [`SignatureError::NoMatch`] if none.
    pub fn matching<'c, C: AsRef<[u8]> + 'c>(
        &self,
        message: &[u8],
        candidates: &'c [C],
    ) -> Result<(SecretSlot, &'c [u8]), SignatureError> {
        let secrets = [
            (SecretSlot::Primary, Some(&self.primary)),
            (SecretSlot::Secondary, self.secondary.as_ref()),
        ];
        secrets
            .iter()
            .find_map(|(slot, secret)| {
                let secret = (*secret)?;
                candidates
                    .iter()
                    .map(AsRef::as_ref)
                    .find(|sig| hmac::matches(secret, message, sig))
                    .map(|sig| (*slot, sig))
            })
            .ok_or(SignatureError::NoMatch)
    }

    /// The replay check: [`SignatureError::Replayed`] when `key` was accepted before (it is
    /// kept for twice the tolerance, after which the timestamp check refuses it anyway).
    pub async fn first_sighting(&self, key: &str) -> Result<(), SignatureError> {
        if self.guard.first_sighting(key, self.tolerance * 2).await {
            Ok(())
        } else {
            Err(SignatureError::Replayed)
        }
    }
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
