//! Plain settings: the time limits every request has, and what one call may change.

use std::borrow::Cow;
use std::time::Duration;

/// Time limits. Every request has all three; none is infinite.
///
/// ```
/// # use edu_common::Timeouts;
/// # use std::time::Duration;
/// let t = Timeouts::default().attempt(Duration::from_secs(60));
/// assert_eq!((t.attempt, t.connect), (Duration::from_secs(60), Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Timeouts {
    /// Establishing a connection (default 10 s).
    pub connect: Duration,
    /// One attempt, from sending to the end of the response body (default 30 s).
    pub attempt: Duration,
    /// The whole operation: every attempt and every wait between them (default 5 min,
    /// long enough to sit out a typical `Retry-After`).
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            attempt: Duration::from_secs(30),
            operation: Duration::from_secs(300),
        }
    }
}

impl Timeouts {
    /// Sets the connect timeout.
    pub fn connect(mut self, limit: Duration) -> Self {
        self.connect = limit;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn attempt(mut self, limit: Duration) -> Self {
        self.attempt = limit;
        self
    }

    /// Sets the whole-operation timeout.
    pub fn operation(mut self, limit: Duration) -> Self {
        self.operation = limit;
        self
    }
}

/// Per-call settings for [`Transport::execute`](super::Transport::execute).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// The operation name used in spans and errors (defaults to the path).
    pub operation: Option<Cow<'static, str>>,
    /// Whether the request may be sent more than once. `None` decides by method; set `Some(true)`
    /// for a request that carries an idempotency key.
    pub retry_safe: Option<bool>,
}

impl CallOptions {
    /// Sets the operation name used in spans and errors.
    pub fn operation(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.operation = Some(name.into());
        self
    }

    /// Says whether the request may be sent more than once (`true` for a request that carries
    /// an idempotency key); by default the method decides.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.retry_safe = Some(safe);
        self
    }
}
