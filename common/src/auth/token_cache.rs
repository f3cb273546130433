//! The in-process token cache: single flight, refresh ahead of expiry with jitter, and
//! invalidation of exactly the token the server refused.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::AuthTicket;
use crate::error::{Error, Result};

/// An access token and how long it lives.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The token.
    pub secret: SecretString,
    /// Its lifetime from the moment it was requested, when known.
    pub expires_in: Option<Duration>,
}

impl AccessToken {
    /// A token that lives `expires_in` from the moment it was requested (`None`: not said).
    pub fn new(secret: SecretString, expires_in: Option<Duration>) -> Self {
        AccessToken { secret, expires_in }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"[REDACTED]")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

struct Cached {
    header: HeaderValue,
    expires_at: Instant,
    refresh_at: Instant,
    generation: u64,
}

/// A token cache shared by every clone of a client.
///
/// - One caller at a time fetches (single flight): concurrent callers wait for its result.
/// - Tokens are refreshed ahead of expiry, by a buffer with random jitter so a fleet of
///   processes does not refresh in lockstep.
/// - A failed fetch is returned to the callers waiting on it and never stored; while the
///   current token has not yet expired, a failed early refresh keeps serving it.
/// - [`TokenCache::invalidate`] drops a token the server refused, unless a newer one replaced it.
#[derive(Default)]
pub struct TokenCache {
    current: RwLock<Option<Arc<Cached>>>,
    refresh: tokio::sync::Mutex<()>,
    generations: AtomicU64,
    refresh_buffer: Duration,
    default_lifetime: Duration,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.read() {
            Some(c) if c.expires_at > Instant::now() => "valid",
            Some(_) => "expired",
            None => "empty",
        };
        f.debug_struct("TokenCache").field("token", &state).finish()
    }
}

impl TokenCache {
    /// A cache that refreshes `refresh_buffer` (plus jitter) before expiry and assumes
    /// `default_lifetime` for tokens without an expiry.
    pub fn new(refresh_buffer: Duration, default_lifetime: Duration) -> Self {
        TokenCache {
            refresh_buffer,
            default_lifetime,
            ..TokenCache::default()
        }
    }

    fn read(&self) -> Option<Arc<Cached>> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Returns the `Authorization` header value for a valid token, fetching one with `fetch` if needed.
    pub async fn get_or_fetch<F, Fut>(&self, fetch: F) -> Result<(HeaderValue, AuthTicket)>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<AccessToken>>,
    {
        if let Some(c) = self.read().filter(|c| Instant::now() < c.refresh_at) {
            return Ok((c.header.clone(), AuthTicket(c.generation)));
        }
        let _flight = self.refresh.lock().await;
        // Someone else may have refreshed while we waited for the lock.
        let existing = self.read();
        if let Some(c) = existing.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok((c.header.clone(), AuthTicket(c.generation)));
        }
        let requested_at = Instant::now();
        match fetch().await {
            Ok(token) => {
                let lifetime = token
                    .expires_in
                    .unwrap_or(self.default_lifetime)
                    .min(MAX_TOKEN_LIFETIME);
                let buffer = refresh_margin(self.refresh_buffer, lifetime);
                let jitter = (buffer / 2).mul_f64(fastrand::f64());
                let mut header =
                    HeaderValue::from_str(&format!("Bearer {}", token.secret.expose_secret()))
                        .map_err(|_| Error::Auth {
                            report: None,
                            message:
                                "the token endpoint returned a token that is not valid in a header; check the token URL"
                                    .into(),
                            status: None,
                            transient: false,
                            oauth_error: None,
                        })?;
                header.set_sensitive(true);
                let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
                let cached = Arc::new(Cached {
                    header: header.clone(),
                    expires_at: requested_at + lifetime,
                    refresh_at: requested_at + lifetime.saturating_sub(buffer + jitter),
                    generation,
                });
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(cached);
                tracing::debug!(lifetime_s = lifetime.as_secs(), "access token obtained");
                Ok((header, AuthTicket(generation)))
            }
            Err(err) => match existing.filter(|c| Instant::now() < c.expires_at) {
                Some(c) => {
                    tracing::warn!(error = %err, "early token refresh failed; using the current token until it expires");
                    Ok((c.header.clone(), AuthTicket(c.generation)))
                }
                None => Err(err),
            },
        }
    }

    /// The header of the token issued as `ticket`, if it is still the current one.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn header_of(&self, ticket: AuthTicket) -> Option<HeaderValue> {
        self.read()
            .filter(|c| c.generation == ticket.0)
            .map(|c| c.header.clone())
    }

    /// Drops the token issued as `ticket`, if it is still the current one. Returns true if one was dropped
    /// or a newer one is already in place.
    pub fn invalidate(&self, ticket: AuthTicket) -> bool {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(c) if c.generation == ticket.0 => {
                *guard = None;
                true
            }
            Some(_) => true,
            None => true,
        }
    }
}

/// How long before expiry a token is refreshed: the configured buffer, scaled down to a quarter
/// of a short token's lifetime (before jitter). The in-process cache and the shared one agree.
pub(super) fn refresh_margin(buffer: Duration, lifetime: Duration) -> Duration {
    buffer.min(lifetime / 4)
}
/// The longest lifetime a token is cached for, whatever `expires_in` says.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);
