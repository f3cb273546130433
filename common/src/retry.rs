//! Retry policy: classification, full-jitter backoff, a retry budget, and `Retry-After`.
//!
//! The rules, in order:
//! - `429`, and `503` with `Retry-After`, wait exactly what the server asked (delta-seconds or
//!   HTTP-date), as long as that is within [`RetryConfig::max_retry_after`] and the operation's
//!   deadline; beyond it the typed [`Error::RateLimited`](crate::Error::RateLimited) is returned
//!   at once, its [`RateLimitReason`](crate::RateLimitReason) saying why. A 429 means the
//!   request was not processed, so it is re-sent whatever the method. A 503 does not say that:
//!   a request that is not idempotent (a POST without an idempotency key) is not re-sent after
//!   a 503, and the error says it may or may not have been processed.
//! - The pause a 429 asks for is shared by every request of the client, but only a retry that
//!   is going to happen sets it, and each request waits it out only within its own deadline.
//! - Other `5xx` (500, 502, 503, 504), `408`, timeouts and dropped connections are retried only when the
//!   request is idempotent (GET, HEAD, PUT, DELETE, OPTIONS) or carries an idempotency key,
//!   with full-jitter exponential backoff. A connection that could not be established at all is
//!   retried for every method, since nothing was sent.
//! - Every retry (not the first attempt) spends from a [`RetryBudget`] shared by all clones of a
//!   client, and every success refills it a little, so a failing server is not hammered.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

/// How a client retries: plain data. The retry budget itself (runtime state) belongs to the
/// client built with it, so a config reused for two clients never shares a budget by accident;
/// to share one, give both builders the same [`RetryBudget`] (`.retry_budget(..)`).
///
/// Start from [`RetryConfig::default`] (or [`RetryConfig::disabled`]) and change what you need:
///
/// ```
/// # use edu_common::RetryConfig;
/// # use std::time::Duration;
/// let patient = RetryConfig::default()
///     .max_attempts(6)
///     .max_retry_after(Duration::from_secs(600));
/// assert_eq!(patient.max_attempts, 6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Total attempts per operation, the first included. `1` disables retries.
    pub max_attempts: u32,
    /// The base of the exponential backoff.
    pub initial_backoff: Duration,
    /// The largest backoff between two attempts.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client will honour; a longer one returns `RateLimited` at once.
    pub max_retry_after: Duration,
    /// Wait used for a 429 that carries no `Retry-After`.
    pub default_rate_limit_wait: Duration,
    /// The capacity of the retry budget each client built with this config starts with (see
    /// [`RetryBudget`]); shared by the clones of that client, not by other clients.
    pub budget_capacity: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(120),
            default_rate_limit_wait: Duration::from_secs(1),
            budget_capacity: RetryBudget::DEFAULT_CAPACITY,
        }
    }
}

impl RetryConfig {
    /// A policy that never retries (a 401 is still retried once with a fresh token).
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Sets the total attempts per operation, the first included (`1` disables retries).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets the base of the exponential backoff.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` honoured; a longer one returns `RateLimited` at once.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Sets the wait used for a 429 that carries no `Retry-After`.
    pub fn default_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.default_rate_limit_wait = wait;
        self
    }

    /// Sets the capacity of the retry budget each client built with this config starts with.
    pub fn budget_capacity(mut self, capacity: u32) -> Self {
        self.budget_capacity = capacity;
        self
    }

    /// The full-jitter backoff before retry number `retry` (1 for the first retry):
    /// a uniform random duration in `[0, min(max_backoff, initial_backoff * 2^(retry-1))]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        full_jitter(self.initial_backoff, self.max_backoff, retry)
    }
}

/// Full-jitter exponential backoff before retry number `retry` (1 for the first): a uniform
/// random duration in `[0, min(max, initial * 2^(retry-1))]`. Every retry loop uses it.
pub fn full_jitter(initial: Duration, max: Duration, retry: u32) -> Duration {
    let exp = initial.saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
    exp.min(max).mul_f64(fastrand::f64())
}

/// A token bucket that limits retries across all requests of a client.
///
/// Modelled on the AWS SDK's retry quota: each retry takes [`RetryBudget::RETRY_COST`]
/// (a timeout takes [`RetryBudget::TIMEOUT_COST`]); each success gives one back, up to the
/// capacity. When the bucket is empty, failures are returned instead of retried.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    tokens: Arc<AtomicU32>,
    capacity: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(RetryBudget::DEFAULT_CAPACITY)
    }
}

impl RetryBudget {
    /// The capacity a client's budget has unless its [`RetryConfig`] says otherwise.
    pub const DEFAULT_CAPACITY: u32 = 500;

    /// What one retry after an error response costs.
    pub const RETRY_COST: u32 = 5;
    /// What one retry after a timeout costs.
    pub const TIMEOUT_COST: u32 = 10;

    /// A budget holding `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryBudget {
            tokens: Arc::new(AtomicU32::new(capacity)),
            capacity,
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.tokens.load(Ordering::Relaxed)
    }

    /// Takes `cost` tokens if there are enough; false means "do not retry".
    pub fn try_spend(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// Gives one token back after a success.
    pub fn refund(&self) {
        let cap = self.capacity;
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                (t < cap).then_some(t + 1)
            });
    }
}

/// Reads `Retry-After` as delta-seconds or an HTTP-date. A date in the past means "now"; a
/// number too large to represent (`10^23`) is [`Duration::MAX`], so it counts as longer than any
/// `max_retry_after` instead of as absent. Returns `None` for a missing or malformed header.
///
/// ```
/// # use edu_common::retry::parse_retry_after;
/// # use std::time::{Duration, SystemTime};
/// let mut h = http::HeaderMap::new();
/// h.insert("retry-after", "7".parse().unwrap());
/// assert_eq!(parse_retry_after(&h, SystemTime::now()), Some(Duration::from_secs(7)));
/// ```
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map(Duration::from_secs)
                .unwrap_or(Duration::MAX),
        );
    }
    if let Ok(secs) = value.parse::<f64>() {
        return match secs {
            s if (0.0..1e9).contains(&s) => Some(Duration::from_secs_f64(s)),
            s if s >= 1e9 => Some(Duration::MAX),
            // Negative or NaN: not a delay.
            _ => None,
        };
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// True for methods that RFC 9110 defines as idempotent.
pub fn is_idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// What to do with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Hand the response to the caller.
    Done,
    /// The server throttled us: wait this long (shared by every request of the client).
    Throttled(Duration),
    /// The server throttled us for longer than we may wait.
    ThrottledTooLong(Option<Duration>),
    /// A transient server error: back off and retry if the request is retry-safe.
    Transient,
}

/// Classifies a response status (the 401 rule lives in the transport, which owns auth).
pub(crate) fn classify(status: StatusCode, headers: &HeaderMap, cfg: &RetryConfig) -> Verdict {
    let retry_after = parse_retry_after(headers, SystemTime::now());
    match status.as_u16() {
        429 => match retry_after {
            Some(d) if d > cfg.max_retry_after => Verdict::ThrottledTooLong(Some(d)),
            Some(d) => Verdict::Throttled(d),
            None => Verdict::Throttled(cfg.default_rate_limit_wait),
        },
        503 => match retry_after {
            Some(d) if d > cfg.max_retry_after => Verdict::ThrottledTooLong(Some(d)),
            Some(d) => Verdict::Throttled(d),
            None => Verdict::Transient,
        },
        408 | 500 | 502 | 504 => Verdict::Transient,
        _ => Verdict::Done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, v.parse().unwrap());
        h
    }

    #[test]
    fn retry_after_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(&headers("120"), now),
            Some(Duration::from_secs(120))
        );
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&headers(&date), now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&headers(&past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon"), now), None);
        assert_eq!(parse_retry_after(&headers("-3"), now), None);
        assert_eq!(
            parse_retry_after(&headers("100000000000000000000000"), now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after(&headers("1e23"), now),
            Some(Duration::MAX)
        );
        assert_eq!(parse_retry_after(&headers("NaN"), now), None);
        assert_eq!(parse_retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        let cfg = RetryConfig {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(500),
            ..RetryConfig::default()
        };
        for retry in 1..40 {
            let d = cfg.backoff(retry);
            let cap = Duration::from_millis(100 * 2u64.pow((retry - 1).min(20)))
                .min(Duration::from_millis(500));
            assert!(d <= cap, "retry {retry}: {d:?} > {cap:?}");
        }
        // Full jitter: over many draws some are in the lower half of the range.
        assert!((0..200).any(|_| cfg.backoff(3) < Duration::from_millis(200)));
    }

    #[test]
    fn budget_spends_and_refills() {
        let b = RetryBudget::new(12);
        assert!(b.try_spend(RetryBudget::RETRY_COST));
        assert!(b.try_spend(RetryBudget::RETRY_COST));
        assert!(!b.try_spend(RetryBudget::RETRY_COST));
        b.refund();
        b.refund();
        b.refund();
        assert!(b.try_spend(RetryBudget::RETRY_COST));
        for _ in 0..100 {
            b.refund();
        }
        assert_eq!(b.available(), 12);
    }

    #[test]
    fn classification() {
        let cfg = RetryConfig::default();
        assert_eq!(
            classify(StatusCode::OK, &HeaderMap::new(), &cfg),
            Verdict::Done
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &headers("3"), &cfg),
            Verdict::Throttled(Duration::from_secs(3))
        );
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, &headers("100000"), &cfg),
            Verdict::ThrottledTooLong(Some(Duration::from_secs(100000)))
        );
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, &HeaderMap::new(), &cfg),
            Verdict::Transient
        );
        assert_eq!(
            classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), &cfg),
            Verdict::Transient
        );
        assert_eq!(
            classify(StatusCode::NOT_IMPLEMENTED, &HeaderMap::new(), &cfg),
            Verdict::Done
        );
        assert_eq!(
            classify(StatusCode::NOT_FOUND, &HeaderMap::new(), &cfg),
            Verdict::Done
        );
    }
}
