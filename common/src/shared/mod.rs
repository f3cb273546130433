//! State shared by every replica of a service, through Redis (feature `redis`).
//!
//! One [`RedisStore`] on each client builder (`.shared_state(store)`, or `EDU_REDIS_URL` through
//! `from_env`) makes the replicas of a service behave as one client:
//!
//! - **one rate budget**: the client-side rate limit (Eduframe's 500 requests per 5 minutes) is a
//!   sliding-window log kept in a Redis sorted set and taken by one Lua script per request, so
//!   N replicas together never send more than the budget. A sliding-window log rather than GCRA:
//!   it has exactly the semantics of the in-process [`RateLimit`](crate::RateLimit) (no window of
//!   that length ever holds more than N), which is what the APIs count, and lets a full budget be
//!   spent in a burst, as a single process may; GCRA would spread it evenly and admit fewer
//!   requests after a quiet period. The script reads Redis's clock, so replica clocks may differ.
//! - **one 429 pause**: a `Retry-After` one replica receives holds back all of them (the same
//!   script checks it before taking from the budget).
//! - **one token per expiry**: an OAuth2 token is fetched by one replica under a short lock and
//!   stored with a TTL of its lifetime minus the refresh margin; the others wait for it, or fetch
//!   their own when the lock holder is slower than the lock's TTL (a crashed replica never
//!   blocks the others). Tokens are never logged; the Redis key is a hash of the credential,
//!   and the token is stored **sealed** with a key derived from the credential (its secret
//!   included; see the `sealed` module's source): a reader of Redis gets nothing usable, and
//!   only replicas holding the same credential can open it.
//!
//! Keys are `{prefix}:{api}:{hash of the origin and credential}:{budget|pause|token|lock}`; the
//! secret itself never appears in a key.
//!
//! **When Redis is unavailable** every call gives up after a short timeout (250 ms by default),
//! the client falls back to its in-process limiter, pause and token cache, logs one warning, and
//! tries Redis again a few seconds later; a Redis failure never fails an API call.
//!
//! ```no_run
//! # fn demo() -> edu_common::Result<()> {
//! use edu_common::shared::RedisStore;
//! let store = RedisStore::new("redis://127.0.0.1:6379/")?;
//! let transport = edu_common::Transport::builder("https://api.example.org/v1")
//!     .rate_limit(500, std::time::Duration::from_secs(300))
//!     .shared_state(store)
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::error::{Error, Result};

mod sealed;
mod token;

pub(crate) use sealed::TokenKey;

/// The environment variable `from_env` reads the Redis URL from.
pub const REDIS_URL_ENV: &str = "EDU_REDIS_URL";

/// The environment variable naming the PEM file of the CA that signed a `rediss://` server's
/// certificate (when it is not one the system trusts).
pub const REDIS_CA_CERT_ENV: &str = "EDU_REDIS_CA_CERT";

/// The longest expiry given to Redis (a century, in ms): beyond its clock's range Redis
/// refuses the command.
const MAX_EXPIRY_MS: u128 = 100 * 365 * 86_400 * 1_000;

/// How long Redis is left alone after a failure before it is tried again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(3);

/// Takes one request from the budget unless a pause is in force. Returns 0 when admitted, or the
/// milliseconds to wait (until the pause ends, or the oldest request leaves the window).
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return pause - now end
local max = tonumber(ARGV[1])
if max == 0 then return 0 end
local window = tonumber(ARGV[2])
local hold = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < max then
  redis.call('ZADD', KEYS[1], now + hold, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + hold)
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
if oldest > now then return 10 end
local wait = oldest + window - now
if wait < 1 then wait = 1 end
return wait
";

/// Restamps the in-flight request `ARGV[1]` with now (its answer came), if it is still there.
const COMPLETE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held and tonumber(held) > now then
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
end
return 0
";

/// Extends the shared pause to `now + ARGV[1]` ms (never shortens it).
const PAUSE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = tonumber(ARGV[1])
local untilv = now + wait
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilv > cur then redis.call('SET', KEYS[1], untilv, 'PX', wait + 1000) end
return 0
";

/// The stored token and its remaining TTL in ms, or nothing.
const GET_TOKEN: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
";

/// Deletes a key only if it still holds `ARGV[1]` (a lock we own, a token that was refused).
const DELETE_IF: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// A Redis server shared by the replicas of a service. Cheap to clone; clones share the
/// connection. See the [module docs](self).
#[derive(Clone)]
pub struct RedisStore {
    /// The connection and its health, shared by clones.
    inner: Arc<StoreInner>,
    /// Settings of this handle (a clone may set its own).
    prefix: Arc<str>,
    timeout: Duration,
}

struct StoreInner {
    client: redis::Client,
    shown_url: String,
    manager: tokio::sync::OnceCell<ConnectionManager>,
    down_until: std::sync::Mutex<Option<Instant>>,
    warned: AtomicBool,
    acquire: redis::Script,
    complete: redis::Script,
    pause: redis::Script,
    get_token: redis::Script,
    delete_if: redis::Script,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.inner.shown_url)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RedisStore {
    /// A store at `url`: `redis://[:password@]host:port/db`, or `rediss://…` for Redis over TLS
    /// (through the TLS backend of the crate's features: rustls with `rustls-ring` or
    /// `rustls-aws-lc`, else `native-tls`), checked against the system's root certificates;
    /// for a server whose certificate a private CA signed, see
    /// [`RedisStore::with_ca_certificate`]. Nothing is connected until the first request; a bad
    /// URL, or `rediss://` in a build without TLS, is an [`Error::Config`].
    pub fn new(url: &str) -> Result<Self> {
        Self::check_scheme(url)?;
        crate::install_crypto_provider();
        let client = redis::Client::open(url).map_err(|e| Self::bad_url(&e))?;
        Ok(Self::with_client(client, url))
    }

    /// A store at a `rediss://` `url` whose server certificate is checked against `ca_pem` (the
    /// PEM of the CA that signed it) rather than the system's roots. `from_env` does this when
    /// `EDU_REDIS_CA_CERT` names a PEM file.
    pub fn with_ca_certificate(url: &str, ca_pem: &[u8]) -> Result<Self> {
        Self::check_scheme(url)?;
        if !url.trim_start().starts_with("rediss://") {
            return Err(Error::Config(
                "a CA certificate was given for a Redis URL without TLS; use rediss://".into(),
            ));
        }
        Self::with_tls_roots(url, ca_pem)
    }

    #[cfg(any(
        feature = "rustls-ring",
        feature = "rustls-aws-lc",
        feature = "native-tls"
    ))]
    fn with_tls_roots(url: &str, ca_pem: &[u8]) -> Result<Self> {
        crate::install_crypto_provider();
        let certs = redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(ca_pem.to_vec()),
        };
        let client = redis::Client::build_with_tls(url, certs).map_err(|e| {
            Error::Config(format!(
                "the Redis URL or its CA certificate is not valid ({:?}: {}); expected rediss://host:port/db and a PEM certificate",
                e.kind(),
                e.detail().unwrap_or("no detail")
            ))
        })?;
        Ok(Self::with_client(client, url))
    }

    #[cfg(not(any(
        feature = "rustls-ring",
        feature = "rustls-aws-lc",
        feature = "native-tls"
    )))]
    fn with_tls_roots(_url: &str, _ca_pem: &[u8]) -> Result<Self> {
        Err(Self::no_tls())
    }

    /// `rediss://` needs a TLS backend.
    fn check_scheme(url: &str) -> Result<()> {
        let tls = cfg!(any(
            feature = "rustls-ring",
            feature = "rustls-aws-lc",
            feature = "native-tls"
        ));
        if url.trim_start().starts_with("rediss://") && !tls {
            return Err(Self::no_tls());
        }
        Ok(())
    }

    fn no_tls() -> Error {
        Error::Config(
            "rediss:// needs TLS, and this build has no TLS backend: enable the client's `rustls-ring` (default), `rustls-aws-lc` or `native-tls` feature".into(),
        )
    }

    fn bad_url(e: &redis::RedisError) -> Error {
        Error::Config(format!(
            "the Redis URL is not valid ({:?}); expected redis://host:port/db or rediss://host:port/db",
            e.kind()
        ))
    }

    fn with_client(client: redis::Client, url: &str) -> Self {
        let shown_url = match url::Url::parse(url) {
            Ok(mut u) => {
                if u.password().is_some() {
                    let _ = u.set_password(Some("[REDACTED]"));
                }
                u.to_string()
            }
            Err(_) => "[unparsed]".to_owned(),
        };
        RedisStore {
            inner: Arc::new(StoreInner {
                client,
                shown_url,
                manager: tokio::sync::OnceCell::new(),
                down_until: std::sync::Mutex::new(None),
                warned: AtomicBool::new(false),
                acquire: redis::Script::new(ACQUIRE),
                complete: redis::Script::new(COMPLETE),
                pause: redis::Script::new(PAUSE),
                get_token: redis::Script::new(GET_TOKEN),
                delete_if: redis::Script::new(DELETE_IF),
            }),
            prefix: "edu".into(),
            timeout: Duration::from_millis(250),
        }
    }

    /// A store at the URL in `EDU_REDIS_URL`, or `None` when it is not set. With
    /// `EDU_REDIS_CA_CERT` naming a PEM file, a `rediss://` server's certificate is checked
    /// against that CA.
    pub fn from_env() -> Result<Option<Self>> {
        let url = match crate::env::optional(REDIS_URL_ENV) {
            Some(url) if !url.trim().is_empty() => url.trim().to_owned(),
            _ => return Ok(None),
        };
        match crate::env::optional(REDIS_CA_CERT_ENV).filter(|p| !p.trim().is_empty()) {
            Some(path) => {
                let pem = std::fs::read(path.trim()).map_err(|e| {
                    Error::Config(format!(
                        "{REDIS_CA_CERT_ENV} names `{}`, which cannot be read ({e}); set it to the PEM file of the CA that signed the Redis server's certificate, or unset it to use the system's roots",
                        path.trim()
                    ))
                })?;
                RedisStore::with_ca_certificate(&url, &pem)
            }
            None => RedisStore::new(&url),
        }
        .map(Some)
        .map_err(|e| match e {
            // The setting named as the user set it.
            Error::Config(m) => Error::Config(format!("{REDIS_URL_ENV}: {m}")),
            other => other,
        })
    }

    /// The key prefix (default `edu`), to keep several services apart on one Redis.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().into();
        self
    }

    /// The longest a Redis call may take before the client falls back to its in-process state
    /// (default 250 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The key prefix.
    #[cfg(feature = "intake")]
    pub(crate) fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// True while Redis is considered unavailable (after a failure, for a few seconds).
    pub fn is_degraded(&self) -> bool {
        self.inner
            .down_until
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|until| Instant::now() < until)
    }

    /// The namespace for one API and credential: a hash of the origin and the credential,
    /// never the secret itself.
    pub(crate) fn namespace(&self, api: &str, identity: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(identity);
        let digest = hash.finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}:{api}:{hex}", self.prefix)
    }

    /// Runs one Redis call with the timeout; `None` when Redis is unavailable (and then stays
    /// away for a few seconds, warning once).
    pub(crate) async fn call<T, F, Fut>(&self, f: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let inner = &*self.inner;
        if self.is_degraded() {
            return None;
        }
        let attempt = async {
            let manager = inner
                .manager
                .get_or_try_init(|| async {
                    let config = ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(self.timeout))
                        .set_response_timeout(Some(self.timeout))
                        .set_number_of_retries(1)
                        .set_max_delay(Duration::from_millis(500));
                    ConnectionManager::new_lazy_with_config(inner.client.clone(), config)
                })
                .await?
                .clone();
            f(manager).await
        };
        let outcome = tokio::time::timeout(self.timeout, attempt).await;
        match outcome {
            Ok(Ok(v)) => {
                if inner.warned.swap(false, Ordering::Relaxed) {
                    tracing::info!(redis = %inner.shown_url, "Redis is reachable again: sharing rate budget and tokens again");
                }
                Some(v)
            }
            Ok(Err(e)) => {
                self.mark_down(&format!("{:?}", e.kind()));
                None
            }
            Err(_) => {
                self.mark_down("timed out");
                None
            }
        }
    }

    fn mark_down(&self, why: &str) {
        let inner = &*self.inner;
        *inner.down_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + RETRY_REDIS_AFTER);
        if !inner.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(redis = %inner.shown_url, reason = why, "Redis is unavailable: using this process's own rate limit and token cache until it is back");
        }
    }

    /// Takes one request from the shared budget (`max` per `window`; `max == 0` only checks
    /// the shared pause). `Some(Duration::ZERO)` when admitted, `Some(wait)` to wait and ask
    /// again, `None` when Redis is unavailable.
    pub(crate) async fn acquire(
        &self,
        ns: &str,
        max: u32,
        window: Duration,
        nonce: u64,
        hold: Duration,
    ) -> Option<Duration> {
        let budget = format!("{ns}:budget");
        let pause = format!("{ns}:pause");
        let script = &self.inner.acquire;
        let ms: u64 = self
            .call(|mut con| async move {
                script
                    .key(budget)
                    .key(pause)
                    .arg(max)
                    .arg(u64::try_from(window.as_millis()).unwrap_or(u64::MAX))
                    .arg(nonce)
                    .arg(u64::try_from(hold.as_millis()).unwrap_or(u64::MAX))
                    .invoke_async(&mut con)
                    .await
            })
            .await?;
        Some(Duration::from_millis(ms))
    }

    /// Restamps an in-flight request admitted by [`RedisStore::acquire`] with now.
    pub(crate) async fn complete(&self, ns: &str, nonce: u64) {
        let budget = format!("{ns}:budget");
        let script = &self.inner.complete;
        let _: Option<i64> = self
            .call(
                |mut con| async move { script.key(budget).arg(nonce).invoke_async(&mut con).await },
            )
            .await;
    }

    /// Holds back every replica for `wait` (after a 429 one of them received).
    pub(crate) async fn pause_for(&self, ns: &str, wait: Duration) {
        let key = format!("{ns}:pause");
        let script = &self.inner.pause;
        let ms = wait.as_millis().min(MAX_EXPIRY_MS) as u64;
        let _: Option<i64> = self
            .call(|mut con| async move { script.key(key).arg(ms).invoke_async(&mut con).await })
            .await;
    }

    /// Tries to take the refresh lock for `ttl`. `Some(Some(owner))` when taken (release it
    /// with [`RedisStore::unlock`]), `Some(None)` when another replica holds it, `None` when
    /// Redis is unavailable.
    pub(crate) async fn lock(&self, ns: &str, ttl: Duration) -> Option<Option<String>> {
        let owner = format!("{:016x}", fastrand::u64(..));
        let taken = self
            .set_new(format!("{ns}:lock"), owner.clone(), ttl)
            .await?;
        Some(taken.then_some(owner))
    }

    /// `SET key value NX PX ttl`: `Some(true)` when set now, `Some(false)` when the key was
    /// there, `None` when Redis is unavailable. A `ttl` beyond a century is a century.
    async fn set_new(&self, key: String, value: String, ttl: Duration) -> Option<bool> {
        let ms = ttl.as_millis().clamp(1, MAX_EXPIRY_MS) as u64;
        let set: Option<String> = self
            .call(|mut con| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ms)
                    .query_async(&mut con)
                    .await
            })
            .await?;
        Some(set.is_some())
    }

    /// Records a delivery `key` in `scope` for `keep_for`: `Some(true)` the first time,
    /// `Some(false)` when it was recorded before, `None` when Redis is unavailable. The key is
    /// stored hashed.
    #[cfg(feature = "webhooks")]
    pub(crate) async fn first_sighting(
        &self,
        scope: &str,
        key: &str,
        keep_for: Duration,
    ) -> Option<bool> {
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{}:replay:{scope}:{hex}", self.prefix);
        self.set_new(key, "1".to_owned(), keep_for).await
    }

    /// Releases a lock taken with [`RedisStore::lock`] (only if still ours).
    pub(crate) async fn unlock(&self, ns: &str, owner: &str) {
        let key = format!("{ns}:lock");
        let script = &self.inner.delete_if;
        let owner = owner.to_owned();
        let _: Option<i64> = self
            .call(|mut con| async move { script.key(key).arg(owner).invoke_async(&mut con).await })
            .await;
    }
}

/// A store and the namespace of one API and credential.
#[derive(Clone, Debug)]
pub(crate) struct Shared {
    pub(crate) store: RedisStore,
    pub(crate) ns: String,
    /// What the shared token is sealed with (derived from the credential).
    pub(crate) key: TokenKey,
}

impl Shared {
    /// Waits until the shared pause is over and (with a budget) a request is admitted, held as
    /// in flight for at most `hold` (see [`crate::limiter::RateLimit::acquire_in_flight`]).
    /// Returns the ticket to [`complete`](Self::complete) (`None` without a budget) and whether
    /// the request had to wait, or `None` when Redis is unavailable, so the caller uses its
    /// in-process limiter.
    pub(crate) async fn admit(
        &self,
        budget: Option<(u32, Duration)>,
        hold: Duration,
    ) -> Option<(Option<u64>, bool)> {
        let (max, window) = budget.unwrap_or((0, Duration::ZERO));
        let nonce = fastrand::u64(..);
        let mut waited = false;
        loop {
            match self.store.acquire(&self.ns, max, window, nonce, hold).await {
                None => return None,
                Some(wait) if wait.is_zero() => return Some((budget.map(|_| nonce), waited)),
                // Ask again after the wait: another replica may have taken the slot.
                Some(wait) => {
                    waited = true;
                    tokio::time::sleep(wait).await
                }
            }
        }
    }

    /// The answer to the request admitted with `ticket` came: it now counts from this moment.
    pub(crate) async fn complete(&self, ticket: u64) {
        self.store.complete(&self.ns, ticket).await;
    }
}
