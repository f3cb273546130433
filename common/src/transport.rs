//! The transport every client sends its requests through.
//!
//! A [`Transport`] owns the `reqwest::Client`, the credentials and their token cache, the retry
//! policy and budget, the shared 429 pause and the optional client-side rate limit. It is cheap to
//! clone and every clone shares all of that state.
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use edu_common::{Credentials, Transport};
//! use secrecy::SecretString;
//!
//! let transport = Transport::builder("https://api.example.org/v1")
//!     .credentials(Credentials::bearer(SecretString::from("key")))
//!     .product("my-client", "1.0.0")
//!     .build()?;
//! #[derive(serde::Deserialize)]
//! struct Course { id: u64 }
//! let course: Course = transport.get("courses/7").send_json().await?;
//! # Ok(()) }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::auth::{AuthProvider, AuthTicket, Credentials};
use crate::error::{Error, HttpError, RateLimitReason, Result, TimeoutKind};
use crate::limiter::{self, PauseGate, RateLimit};
use crate::retry::{self, RetryBudget, RetryConfig, Verdict};

/// Time limits. Every request has all three; none is infinite.
#[derive(Debug, Clone, Copy)]
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

/// Transport settings a client's builder passes through unchanged (every client has them).
#[derive(Debug, Clone, Default)]
pub struct TransportOptions {
    /// The retry policy (default [`RetryConfig::default`]).
    pub retry: Option<RetryConfig>,
    /// The per-attempt timeout.
    pub attempt_timeout: Option<Duration>,
    /// The whole-operation timeout.
    pub operation_timeout: Option<Duration>,
    /// The time limit for obtaining an OAuth2 token, retries included (OAuth2 clients only).
    pub token_timeout: Option<Duration>,
    /// The connect timeout.
    pub connect_timeout: Option<Duration>,
    /// The client-side rate limit: `Some(Some((n, window)))` to pace, `Some(None)` for none,
    /// `None` for the client's default.
    pub rate_limit: Option<Option<(u32, Duration)>>,
    /// A `reqwest::Client` of the caller's (its timeouts, proxy and TLS settings apply).
    pub http_client: Option<reqwest::Client>,
    /// A product token put first in the `User-Agent` (`my-app/1.2`).
    pub user_agent: Option<String>,
    /// A retry budget shared with other clients, by name (by default each client has its own).
    pub retry_budget: Option<RetryBudget>,
    /// State shared with other replicas through Redis (feature `redis`).
    #[cfg(feature = "redis")]
    pub shared_state: Option<crate::shared::RedisStore>,
}

/// The [`TransportOptions`] setters every client builder offers: `retry`, `attempt_timeout` and
/// `operation_timeout`. Expand it inside the `impl` of a builder that has an
/// `options: TransportOptions` field:
///
/// ```
/// #[derive(Default)]
/// struct MyBuilder {
///     options: edu_common::TransportOptions,
/// }
/// impl MyBuilder {
///     edu_common::transport_option_setters!();
/// }
/// let b = MyBuilder::default().attempt_timeout(std::time::Duration::from_secs(5));
/// assert_eq!(b.options.attempt_timeout, Some(std::time::Duration::from_secs(5)));
/// ```
#[macro_export]
macro_rules! transport_option_setters {
    () => {
        /// The retry policy (default: `RetryConfig::default()`).
        pub fn retry(mut self, retry: $crate::RetryConfig) -> Self {
            self.options.retry = Some(retry);
            self
        }

        /// The time limit of one attempt (default 30 s).
        pub fn attempt_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.attempt_timeout = Some(d);
            self
        }

        /// The time limit of a whole operation, retries and waits included (default 5 min).
        pub fn operation_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.operation_timeout = Some(d);
            self
        }

        /// The time limit for obtaining an access token, its retries included (default 10 s;
        /// used by clients that authenticate with OAuth2).
        pub fn token_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.token_timeout = Some(d);
            self
        }

        /// Shares the client-side rate budget, `Retry-After` pauses and OAuth2 tokens with every
        /// replica that uses the same Redis, API and credential (feature `redis`; see
        /// `edu_common::shared`).
        #[cfg(feature = "redis")]
        pub fn shared_state(mut self, store: $crate::shared::RedisStore) -> Self {
            self.options.shared_state = Some(store);
            self
        }

        /// The time limit for establishing a connection (default 10 s).
        pub fn connect_timeout(mut self, d: ::std::time::Duration) -> Self {
            self.options.connect_timeout = Some(d);
            self
        }

        /// Paces requests to at most `max_requests` per `window`, shared by every clone of the
        /// client (and, with shared state, by every replica).
        pub fn rate_limit(mut self, max_requests: u32, window: ::std::time::Duration) -> Self {
            self.options.rate_limit = Some(Some((max_requests, window)));
            self
        }

        /// No client-side pacing (a 429 is still honoured with its `Retry-After`).
        pub fn no_rate_limit(mut self) -> Self {
            self.options.rate_limit = Some(None);
            self
        }

        /// Sends through this `reqwest::Client` (its proxy, TLS and pool settings apply; the
        /// client's per-attempt timeouts and origin checks still do too). Credentials still go
        /// only to the configured origin: the SDK sends every request with a body your client
        /// cannot replay, so it hands redirects back, and refuses any that leave the origin
        /// (`Error::Redirect`). Build it with `.redirect(reqwest::redirect::Policy::none())` for
        /// the whole guarantee with an API key in a header of its own (a `303` is otherwise
        /// followed by reqwest itself): see `edu_common::redirect`.
        pub fn http_client(mut self, client: $crate::reqwest::Client) -> Self {
            self.options.http_client = Some(client);
            self
        }

        /// Shares this retry budget with every other client given the same one (by default each
        /// client has its own, sized by `RetryConfig::budget_capacity`).
        pub fn retry_budget(mut self, budget: $crate::RetryBudget) -> Self {
            self.options.retry_budget = Some(budget);
            self
        }

        /// Puts your product first in the `User-Agent` (`my-app/1.2`), so API operators can
        /// tell your traffic apart.
        pub fn user_agent(mut self, product: impl Into<String>) -> Self {
            self.options.user_agent = Some(product.into());
            self
        }

        /// Uses the Redis at `EDU_REDIS_URL` as shared state when that variable is set (and the
        /// crate's `redis` feature is on); otherwise changes nothing. `from_env` calls it.
        pub fn shared_state_from_env(self) -> $crate::Result<Self> {
            #[cfg(feature = "redis")]
            if let Some(store) = $crate::shared::RedisStore::from_env()? {
                return Ok(self.shared_state(store));
            }
            Ok(self)
        }
    };
}

/// Default cap on a response body: 32 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Builds a [`Transport`].
#[must_use]
pub struct TransportBuilder {
    base_url: String,
    credentials: Credentials,
    timeouts: Timeouts,
    retry: RetryConfig,
    rate_limit: Option<(u32, Duration)>,
    product: Option<String>,
    allow_insecure_http: bool,
    max_body_bytes: usize,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    token_timeout: Option<Duration>,
    user_agent: Option<String>,
    retry_budget: Option<RetryBudget>,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::RedisStore>,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl TransportBuilder {
    /// Sets the credentials (default: none).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Replaces all time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.timeouts.connect = d;
        self
    }

    /// Sets the per-attempt timeout.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.timeouts.attempt = d;
        self
    }

    /// Sets the whole-operation timeout (all attempts and waits).
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.timeouts.operation = d;
        self
    }

    /// Replaces the retry policy.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Shares this retry budget with every other transport given the same one (by default each
    /// transport has its own, of [`RetryConfig::budget_capacity`]).
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = Some(budget);
        self
    }

    /// Applies the options a client builder collected; unset ones keep their defaults.
    pub fn options(mut self, options: TransportOptions) -> Self {
        if let Some(r) = options.retry {
            self.retry = r;
        }
        if let Some(t) = options.attempt_timeout {
            self.timeouts.attempt = t;
        }
        if let Some(t) = options.operation_timeout {
            self.timeouts.operation = t;
        }
        if let Some(t) = options.token_timeout {
            self.token_timeout = Some(t);
        }
        if let Some(t) = options.connect_timeout {
            self.timeouts.connect = t;
        }
        if let Some(limit) = options.rate_limit {
            self.rate_limit = limit;
        }
        if let Some(client) = options.http_client {
            self.http = Some(client);
        }
        if let Some(product) = options.user_agent {
            self.user_agent = Some(product);
        }
        if let Some(budget) = options.retry_budget {
            self.retry_budget = Some(budget);
        }
        #[cfg(feature = "redis")]
        if let Some(store) = options.shared_state {
            self.shared = Some(store);
        }
        self
    }

    /// Shares the rate budget, 429 pauses and OAuth2 tokens with every other client (in this
    /// or another process) that uses the same store, API and credential. See [`crate::shared`].
    #[cfg(feature = "redis")]
    pub fn shared_state(mut self, store: crate::shared::RedisStore) -> Self {
        self.shared = Some(store);
        self
    }

    /// The time limit for obtaining an OAuth2 token, retries included (overrides
    /// [`OAuth2Config::timeout`](crate::auth::OAuth2Config::timeout)).
    pub fn token_timeout(mut self, d: Duration) -> Self {
        self.token_timeout = Some(d);
        self
    }

    /// Paces requests to at most `max_requests` per `window`, shared by every clone.
    pub fn rate_limit(mut self, max_requests: u32, window: Duration) -> Self {
        self.rate_limit = Some((max_requests, window));
        self
    }

    /// Removes the client-side rate limit.
    pub fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }

    /// Names the client crate in the `User-Agent` (`name/version edu-common/x.y.z`).
    pub fn product(mut self, name: &str, version: &str) -> Self {
        self.product = Some(format!("{name}/{version}"));
        self
    }

    /// Allows plain `http://` to hosts other than loopback. Credentials then travel unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Caps response bodies (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Adds a header sent with every request (for example a tenant header).
    pub fn default_header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "the value for header `{name}` is not valid in a header"
            ))
        })?;
        self.default_headers.insert(name, value);
        Ok(self)
    }

    /// Uses a `reqwest::Client` you built. Its own timeouts and proxy settings apply instead of the
    /// transport's (per-attempt timeouts and origin checks still apply); its redirect policy only
    /// where the transport cannot stop it, see [`crate::redirect`].
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the transport. Fails on an invalid or insecure URL.
    pub fn build(mut self) -> Result<Transport> {
        if let (Some(t), Credentials::OAuth2(cfg)) = (self.token_timeout, &mut self.credentials) {
            cfg.timeout = t;
        }
        if let Credentials::OAuth2(cfg) = &self.credentials
            && cfg.timeout.is_zero()
        {
            return Err(Error::Config(
                "the token timeout must be greater than zero".into(),
            ));
        }
        let base_url = parse_base_url(&self.base_url)?;
        check_scheme(&base_url, self.allow_insecure_http)?;
        if let Some(token_url) = self.credentials.token_url() {
            check_scheme(token_url, self.allow_insecure_http)?;
        }
        if self.timeouts.attempt.is_zero() || self.timeouts.operation.is_zero() {
            return Err(Error::Config("timeouts must be greater than zero".into()));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config("max_attempts must be at least 1".into()));
        }
        let user_agent = [
            self.user_agent.clone(),
            self.product.clone(),
            Some(format!("edu-common/{}", env!("CARGO_PKG_VERSION"))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let caller_client = self.http.is_some();
        let http = match self.http {
            Some(c) => {
                // A caller's own client has its own User-Agent: ours goes on every request instead.
                if let Ok(v) = HeaderValue::from_str(&user_agent) {
                    self.default_headers.insert(http::header::USER_AGENT, v);
                }
                if matches!(self.credentials, Credentials::ApiKey { .. })
                    && crate::redirect::follows_redirects(&c)
                {
                    tracing::warn!(
                        "the reqwest::Client given to this client follows redirects by itself: a 303 \
                         (or a 301/302 answering a POST) to another origin would carry the API key \
                         header there; build it with `.redirect(reqwest::redirect::Policy::none())` \
                         (the SDK follows same-origin redirects itself)"
                    );
                }
                c
            }
            None => {
                // reqwest is built without a crypto provider: rustls uses the process default,
                // which this installs unless the application installed one already.
                crate::install_crypto_provider();
                reqwest::Client::builder()
                    .user_agent(user_agent)
                    .connect_timeout(self.timeouts.connect)
                    // The transport follows (same-origin) redirects itself: see `crate::redirect`.
                    .redirect(crate::redirect::own_policy())
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };
        #[cfg(feature = "redis")]
        let shared = self.shared.map(|store| {
            let api = self
                .product
                .as_deref()
                .and_then(|p| p.split('/').next())
                .map(str::to_owned)
                .unwrap_or_else(|| base_url.host_str().unwrap_or("api").to_owned());
            let mut identity = origin_of(&base_url).into_bytes();
            identity.extend_from_slice(&self.credentials.identity());
            let ns = store.namespace(&api, &identity);
            crate::shared::Shared { store, ns }
        });
        #[cfg(feature = "redis")]
        let auth = self.credentials.into_provider_shared(shared.clone())?;
        #[cfg(not(feature = "redis"))]
        let auth = self.credentials.into_provider()?;
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth,
                budget: self
                    .retry_budget
                    .unwrap_or_else(|| RetryBudget::new(self.retry.budget_capacity)),
                retry: self.retry,
                // A few milliseconds on the window cover clocks that count in whole milliseconds
                // (Redis's, for a shared budget); arrival delays are covered by in-flight slots.
                limiter: self
                    .rate_limit
                    .map(|(n, w)| RateLimit::new(n, w.saturating_add(CLOCK_MARGIN))),
                pause: PauseGate::default(),
                timeouts: self.timeouts,
                max_body_bytes: self.max_body_bytes,
                default_headers: self.default_headers,
                stash: Default::default(),
                caller_client,
                #[cfg(feature = "redis")]
                shared,
            }),
        })
    }
}

fn parse_base_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw)
        .map_err(|e| Error::Config(format!("base URL `{raw}` is not valid: {e}")))?;
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::Config(format!("base URL `{raw}` has no host")));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Checks a record id before it is put into a URL path: 1 to 128 ASCII letters, digits, `-` or
/// `_`. Anything else (a `/`, `..`, `?`, spaces) is refused, so an id can never change the path.
///
/// ```
/// assert!(edu_common::transport::path_id("530e5960049e75a9262cff3c").is_ok());
/// assert!(edu_common::transport::path_id("../admins").is_err());
/// ```
pub fn path_id(id: &str) -> Result<&str> {
    if !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(id)
    } else {
        Err(Error::invalid_input(
            Some("id"),
            format!("`{id}` is not a valid record id"),
        ))
    }
}

/// True for `localhost` and loopback addresses.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn check_scheme(url: &Url, allow_insecure: bool) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(url) => Ok(()),
        "http" => Err(Error::Config(format!(
            "`{}` uses plain http to a non-loopback host; use https, or opt in with `allow_insecure_http(true)`",
            origin_of(url)
        ))),
        other => Err(Error::Config(format!("unsupported URL scheme `{other}`"))),
    }
}

fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    auth: Arc<dyn AuthProvider>,
    retry: RetryConfig,
    /// This client's retry budget (shared by its clones, and with other clients only when they
    /// were given the same one).
    budget: RetryBudget,
    limiter: Option<RateLimit>,
    pause: PauseGate,
    timeouts: Timeouts,
    max_body_bytes: usize,
    default_headers: HeaderMap,
    stash: std::sync::Mutex<Stash>,
    /// Whether `http` is the caller's (its redirect policy is its own: see `crate::redirect`).
    caller_client: bool,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::Shared>,
}

/// The shared HTTP machinery behind every client. See the [module docs](self).
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("timeouts", &self.inner.timeouts)
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.inner.limiter)
            .finish_non_exhaustive()
    }
}

/// Per-call settings for [`Transport::execute`].
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// The operation name used in spans and errors (defaults to the path).
    pub operation: Option<Cow<'static, str>>,
    /// Whether the request may be sent more than once. `None` decides by method; set `Some(true)`
    /// for a request that carries an idempotency key.
    pub retry_safe: Option<bool>,
}

/// Why the retry loop gave up without a response to hand back.
pub(crate) enum Failure {
    /// The last attempt failed in reqwest (connect, timeout, dropped connection).
    Reqwest(reqwest::Error, TimeoutKind),
    /// The response began but its body was cut off.
    Interrupted(reqwest::Error),
    /// The loop refused or could not start an attempt.
    Error(Error),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthMode {
    /// Authorize each attempt; a failure to get credentials is returned.
    Required,
    /// The request was already authorized (progenitor's `pre` hook); re-authorize best-effort.
    Preauthorized,
}

impl Transport {
    /// Starts building a transport for the API at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> TransportBuilder {
        TransportBuilder {
            base_url: base_url.into(),
            credentials: Credentials::None,
            timeouts: Timeouts::default(),
            retry: RetryConfig::default(),
            rate_limit: None,
            product: None,
            allow_insecure_http: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            default_headers: HeaderMap::new(),
            http: None,
            token_timeout: None,
            user_agent: None,
            retry_budget: None,
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// The base URL, always ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The underlying `reqwest::Client`.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The retry policy.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// The retry budget shared by all clones.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.inner.budget
    }

    /// The client-side rate limit, if one is configured.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.inner.limiter.as_ref()
    }

    /// The time limits.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// The body cap in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Resolves `path` under the base URL: `courses/7` and `/courses/7` both become
    /// `{base}/courses/7`. An absolute URL is accepted only on the configured origin.
    ///
    /// ```
    /// # let t = edu_common::Transport::builder("https://api.example.nl/api/v1").build().unwrap();
    /// assert_eq!(t.url("/courses?x=1").unwrap().as_str(), "https://api.example.nl/api/v1/courses?x=1");
    /// assert!(t.url("https://evil.example.com/courses").is_err());
    /// assert!(t.url("//evil.example.com/courses").is_err());
    /// ```
    pub fn url(&self, path: &str) -> Result<Url> {
        if let Ok(abs) = Url::parse(path) {
            self.check_origin(&abs)?;
            return Ok(abs);
        }
        // `//host/path` names another host (a scheme-relative reference), never a path here.
        if path.starts_with("//") || path.starts_with("\\\\") {
            let abs = self.inner.base_url.join(path).map_err(|e| {
                let shown = path.split('?').next().unwrap_or_default();
                Error::invalid_input(None, format!("`{shown}` is not a valid URL: {e}"))
            })?;
            self.check_origin(&abs)?;
            return Ok(abs);
        }
        self.inner
            .base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| {
                let shown = path.split('?').next().unwrap_or_default();
                Error::invalid_input(None, format!("`{shown}` is not a valid path: {e}"))
            })
    }

    /// Fails with [`Error::CrossOrigin`] unless `url` is on the configured origin.
    pub fn check_origin(&self, url: &Url) -> Result<()> {
        let base = &self.inner.base_url;
        // Compared field by field: `Url::origin()` allocates, and this runs on every request.
        if url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default()
        {
            Ok(())
        } else {
            let mut shown = url.clone();
            shown.set_query(None);
            Err(Error::CrossOrigin {
                url: shown.to_string(),
                allowed: origin_of(&self.inner.base_url),
            })
        }
    }

    /// Starts a request to `path` (see [`Transport::url`]).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder {
            transport: self.clone(),
            method,
            url: self.url(path),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            options: CallOptions::default(),
            error: None,
        }
    }

    /// Starts a request to an absolute URL, such as a pagination link (checked against the origin when sent).
    pub fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        let mut b = self.request(method, "");
        b.url = self.check_origin(&url).map(|()| url);
        b
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// Puts the configured credentials on `request` (fetching a token if needed).
    pub(crate) async fn authorize(&self, request: &mut reqwest::Request) -> Result<AuthTicket> {
        self.inner.auth.authorize(&self.inner.http, request).await
    }

    /// Sends `request` with auth, retries and throttling, and returns the response if it is a
    /// success. A non-success status becomes [`Error::Http`] or [`Error::RateLimited`].
    pub async fn execute(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response> {
        let method = request.method().clone();
        let resp = self.execute_raw(request, options).await?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            let path = resp.url().path().to_owned();
            Err(self.error_from_response(resp, Some(method), &path).await)
        }
    }

    /// Like [`Transport::execute`] but returns the final response whatever its status.
    pub async fn execute_raw(
        &self,
        request: reqwest::Request,
        options: &CallOptions,
    ) -> Result<reqwest::Response> {
        let op = options
            .operation
            .clone()
            .unwrap_or_else(|| Cow::Owned(request.url().path().to_owned()));
        match self
            .run(request, &op, options.retry_safe, AuthMode::Required)
            .await
        {
            Ok(resp) => Ok(resp),
            Err(Failure::Error(e)) => Err(e),
            Err(Failure::Reqwest(e, kind)) => Err(self.map_reqwest_error(e, kind)),
            Err(Failure::Interrupted(e)) => Err(self.interrupted(e)),
        }
    }

    fn map_reqwest_error(&self, e: reqwest::Error, kind: TimeoutKind) -> Error {
        if e.is_timeout() {
            let after = match kind {
                TimeoutKind::Connect => self.inner.timeouts.connect,
                TimeoutKind::Operation => self.inner.timeouts.operation,
                _ => self.inner.timeouts.attempt,
            };
            Error::Timeout { kind, after }
        } else if !e.is_connect() && e.is_request() && connection_lost(&e) {
            // Connected and sent, then the connection closed with no answer.
            self.interrupted(e)
        } else {
            let origin = e
                .url()
                .map(origin_of)
                .unwrap_or_else(|| origin_of(&self.inner.base_url));
            Error::Transport {
                origin,
                source: e.without_url(),
            }
        }
    }

    /// The retry loop shared by hand-written and generated clients.
    pub(crate) async fn run(
        &self,
        request: reqwest::Request,
        operation: &str,
        retry_safe: Option<bool>,
        auth_mode: AuthMode,
    ) -> Result<reqwest::Response, Failure> {
        let inner = &*self.inner;
        if let Err(e) = self.check_origin(request.url()) {
            return Err(Failure::Error(e));
        }
        let mut method = request.method().clone();
        let retry_safe = retry_safe.unwrap_or_else(|| retry::is_idempotent_method(&method));
        let mut template = request.try_clone();
        // Where this attempt goes; moved by a same-origin redirect the transport follows.
        let mut target = request.url().clone();
        let mut hops = 0u32;
        let span = tracing::info_span!(
            "edu.operation",
            operation,
            method = %method,
            path = request.url().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // A timeout of `Duration::MAX` means "no limit", not an overflow.
        let deadline = limiter::later(started, inner.timeouts.operation);
        let mut pending = Some(request);
        let mut attempt = 0u32;
        let mut refreshed = false;
        let out_of_time = || Error::Timeout {
            kind: TimeoutKind::Operation,
            after: inner.timeouts.operation,
        };

        let result = async {
            loop {
                // Every `continue` below sets `pending` first.
                let Some(mut req) = pending.take() else {
                    return Err(Failure::Error(Error::Config("internal: retry loop had no request to send".into())));
                };
                attempt += 1;
                // A shared pause or the rate limit is waited out only within this request's deadline.
                // A request holds its slot while in flight (at most an attempt's timeout) and
                // then counts from when its answer came: see `RateLimit::acquire_in_flight`.
                let hold = inner.timeouts.attempt;
                let gate = async {
                    let waited = inner.pause.wait().await;
                    #[cfg(feature = "redis")]
                    if let Some(shared) = &inner.shared {
                        let started = Instant::now();
                        let budget = inner.limiter.as_ref().map(|l| (l.max_requests(), l.window()));
                        if let Some(ticket) = shared.admit(budget, hold).await {
                            let slot = ticket.map(|t| Slot::shared(self, t));
                            return (waited + started.elapsed(), slot);
                        }
                        // Redis is unavailable: this process's own limiter paces it.
                    }
                    if let Some(l) = &inner.limiter {
                        let (w, ticket) = l.acquire_in_flight(hold).await;
                        return (waited + w, Some(Slot::local(self, ticket)));
                    }
                    (waited, None)
                };
                let Ok((waited, slot)) = tokio::time::timeout_at(deadline, gate).await else {
                    return Err(Failure::Error(out_of_time()));
                };
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(Failure::Error(out_of_time()));
                }
                let (attempt_timeout, timeout_kind) = if remaining < inner.timeouts.attempt {
                    (remaining, TimeoutKind::Operation)
                } else {
                    (inner.timeouts.attempt, TimeoutKind::Attempt)
                };
                *req.timeout_mut() = Some(attempt_timeout);
                for (k, v) in &inner.default_headers {
                    req.headers_mut().entry(k).or_insert_with(|| v.clone());
                }
                // Obtaining a token counts against the operation's deadline too.
                let authorized = tokio::time::timeout_at(deadline, inner.auth.authorize(&inner.http, &mut req))
                    .await
                    .unwrap_or_else(|_| Err(out_of_time()));
                let ticket = match (authorized, auth_mode) {
                    (Ok(t), _) => t,
                    (Err(e), AuthMode::Required) => return Err(Failure::Error(e)),
                    (Err(e), AuthMode::Preauthorized) => {
                        tracing::warn!(error = %e, "re-authorizing a retry failed; sending it with the credentials it had");
                        AuthTicket::default()
                    }
                };
                let attempt_span = tracing::debug_span!(
                    "edu.attempt",
                    attempt,
                    waited_ms = waited.as_millis() as u64,
                    status = tracing::field::Empty,
                    elapsed_ms = tracing::field::Empty,
                );
                if inner.caller_client {
                    crate::redirect::unreplayable(&mut req);
                }
                let sent_at = Instant::now();
                let outcome = inner.http.execute(req).instrument(attempt_span.clone()).await;
                // The request now counts from when its answer (or failure) came. (A request that
                // ends earlier, or is cancelled, completes its slot when the slot is dropped.)
                drop(slot);
                let next = || template.as_ref().and_then(reqwest::Request::try_clone);
                let may_retry = attempt < inner.retry.max_attempts;
                // A retry after a backoff, if attempts, deadline, a resendable body and the
                // retry budget all allow one.
                let back_off = |cost: u32| {
                    let backoff = inner.retry.backoff(attempt);
                    if !may_retry || limiter::later(Instant::now(), backoff) >= deadline {
                        return None;
                    }
                    let r = next()?;
                    inner.budget.try_spend(cost).then_some((r, backoff))
                };
                let failed = match outcome {
                    Ok(resp) => {
                        let status = resp.status();
                        attempt_span.record("status", status.as_u16());
                        let hop = crate::redirect::next_hop(
                            &target,
                            &method,
                            status,
                            resp.url(),
                            resp.headers().get(http::header::LOCATION),
                            &inner.base_url,
                        );
                        match hop {
                            Err(e) => return Err(Failure::Error(e)),
                            Ok(Some(hop)) => {
                                hops += 1;
                                if hops > crate::redirect::MAX_HOPS {
                                    return Err(Failure::Error(crate::redirect::too_many(status, &hop.url, &inner.base_url)));
                                }
                                // A body that cannot be sent again: the redirect is the answer.
                                if let Some(r) = template.as_ref().and_then(|t| hop.request_from(t)) {
                                    tracing::debug!(%status, to = hop.url.path(), "following a same-origin redirect");
                                    template = r.try_clone();
                                    target = hop.url;
                                    method = r.method().clone();
                                    pending = Some(r);
                                    attempt -= 1;
                                    continue;
                                }
                            }
                            Ok(None) => {}
                        }
                        if status == StatusCode::UNAUTHORIZED && !refreshed && inner.auth.invalidate(ticket) {
                            refreshed = true;
                            if let Some(r) = next() {
                                tracing::debug!("401: retrying once with fresh credentials");
                                pending = Some(r);
                                attempt -= 1;
                                continue;
                            }
                        }
                        let gave_up = match retry::classify(status, resp.headers(), &inner.retry) {
                            Verdict::Done => None,
                            Verdict::ThrottledTooLong(_) => Some(RateLimitReason::WaitTooLong),
                            Verdict::Throttled(_) if status == StatusCode::SERVICE_UNAVAILABLE && !retry_safe => {
                                Some(RateLimitReason::NotRetrySafe)
                            }
                            Verdict::Throttled(wait) => {
                                let reason = if !may_retry {
                                    Some(RateLimitReason::AttemptsExhausted { attempts: attempt })
                                } else if limiter::later(Instant::now(), wait) >= deadline {
                                    Some(RateLimitReason::Deadline)
                                } else {
                                    None
                                };
                                match (reason, next()) {
                                    (Some(reason), _) => Some(reason),
                                    // The body cannot be sent again (a stream): hand the answer back.
                                    (None, None) => Some(RateLimitReason::AttemptsExhausted { attempts: attempt }),
                                    (None, Some(r)) => {
                                        if !inner.budget.try_spend(RetryBudget::RETRY_COST) {
                                            Some(RateLimitReason::BudgetExhausted)
                                        } else {
                                            // Only a retry that will happen holds back the other requests.
                                            inner.pause.pause_for(wait);
                                            #[cfg(feature = "redis")]
                                            if let Some(shared) = &inner.shared {
                                                shared.store.pause_for(&shared.ns, wait).await;
                                            }
                                            tracing::debug!(wait_ms = wait.as_millis() as u64, "throttled: waiting as asked");
                                            pending = Some(r);
                                            continue;
                                        }
                                    }
                                }
                            }
                            Verdict::Transient => {
                                if retry_safe
                                    && let Some((r, backoff)) = back_off(RetryBudget::RETRY_COST)
                                {
                                    tracing::debug!(backoff_ms = backoff.as_millis() as u64, %status, "transient failure: backing off");
                                    drop(resp);
                                    tokio::time::sleep(backoff).await;
                                    pending = Some(r);
                                    continue;
                                }
                                None
                            }
                        };
                        // Reading the body is part of the attempt: a connection that drops
                        // mid-body is retried like one that drops before the headers.
                        match buffer(resp, inner.max_body_bytes, gave_up).await {
                            Ok(resp) => {
                                attempt_span.record("elapsed_ms", sent_at.elapsed().as_millis() as u64);
                                if resp.status().is_success() {
                                    inner.budget.refund();
                                }
                                return Ok(resp);
                            }
                            Err(BodyFailure::TooLarge) => {
                                return Err(Failure::Error(Error::BodyTooLarge { limit: inner.max_body_bytes }));
                            }
                            Err(BodyFailure::Read(e)) => (e, true),
                        }
                    }
                    Err(e) => {
                        if let Some(refused) = crate::redirect::failed_elsewhere(&e, &target, &inner.base_url) {
                            return Err(Failure::Error(refused));
                        }
                        (e, false)
                    }
                };
                attempt_span.record("elapsed_ms", sent_at.elapsed().as_millis() as u64);
                let (e, mid_body) = failed;
                // A connection that was never established sent nothing: safe to retry for any method.
                let kind = if e.is_connect() {
                    TimeoutKind::Connect
                } else {
                    timeout_kind
                };
                let retryable = e.is_connect() || (retry_safe && (e.is_timeout() || e.is_request() || e.is_body() || mid_body));
                let cost = if e.is_timeout() {
                    RetryBudget::TIMEOUT_COST
                } else {
                    RetryBudget::RETRY_COST
                };
                if retryable && let Some((r, backoff)) = back_off(cost) {
                    tracing::debug!(error = %e.without_url_ref(), mid_body, backoff_ms = backoff.as_millis() as u64, "attempt failed: backing off");
                    tokio::time::sleep(backoff).await;
                    pending = Some(r);
                    continue;
                }
                return Err(if mid_body && !e.is_timeout() {
                    Failure::Interrupted(e)
                } else {
                    Failure::Reqwest(e, kind)
                });
            }
        }
        .instrument(span.clone())
        .await;
        span.record("attempts", attempt);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(resp) = &result {
            span.record("status", resp.status().as_u16());
        }
        result
    }

    /// The entry point for progenitor's `ClientHooks::exec`: retries, throttling and the 401
    /// refresh, returning the final response (or the last transport error) as reqwest does.
    pub(crate) async fn exec_generated(
        &self,
        request: reqwest::Request,
        operation_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        match self
            .run(request, operation_id, None, AuthMode::Preauthorized)
            .await
        {
            Ok(resp) => Ok(resp),
            Err(Failure::Reqwest(e, _)) => Err(e),
            // Errors reqwest cannot express (a body over the cap, an operation timeout, a
            // connection cut mid-body) travel to `progenitor::into_error` through the stash.
            Err(Failure::Interrupted(e)) => Ok(self.stash_response(self.interrupted(e))),
            Err(Failure::Error(e)) => Ok(self.stash_response(e)),
        }
    }

    /// Reads a body, enforcing the size cap.
    pub async fn read_body(&self, resp: reqwest::Response) -> Result<Bytes> {
        let limit = self.inner.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::BodyTooLarge { limit });
        }
        match crate::body::read_capped(resp, limit).await {
            Ok((body, false)) => Ok(body),
            Ok((_, true)) => Err(Error::BodyTooLarge { limit }),
            Err(e) if e.is_timeout() => Err(Error::Timeout {
                kind: TimeoutKind::Attempt,
                after: self.inner.timeouts.attempt,
            }),
            // The response had begun: the connection dropped mid-body.
            Err(e) => Err(self.interrupted(e)),
        }
    }

    /// [`Error::Interrupted`] for a body cut off by `e`.
    pub(crate) fn interrupted(&self, e: reqwest::Error) -> Error {
        Error::Interrupted {
            origin: e
                .url()
                .map(origin_of)
                .unwrap_or_else(|| origin_of(&self.inner.base_url)),
            source: e.without_url(),
        }
    }

    /// Reads and decodes a JSON body; `context` names what was expected in a decode error.
    pub async fn decode<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
        context: &str,
    ) -> Result<T> {
        let body = self.read_body(resp).await?;
        Error::decode_json(context, &body)
    }

    /// Turns a non-success response into the matching error, reading (a capped part of) its body.
    pub(crate) async fn error_from_response(
        &self,
        resp: reqwest::Response,
        method: Option<Method>,
        path: &str,
    ) -> Error {
        let status = resp.status();
        let headers = resp.headers().clone();
        if let Some(e) = self.rate_limit_error(status, &headers) {
            return e;
        }
        let body = self.read_body(resp).await.unwrap_or_default();
        let mut err = HttpError::new(status, method, path, &headers, &body);
        if err.message.is_none()
            && let Some(challenge) = err.header("www-authenticate")
        {
            err.message = Some(format!("WWW-Authenticate: {challenge}"));
        }
        Error::Http(Box::new(err))
    }
}

impl Transport {
    /// The [`Error::RateLimited`] for a throttled final response (429, or 503 with
    /// `Retry-After`), with the reason the retry loop recorded on it.
    pub(crate) fn rate_limit_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Error> {
        let throttled = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE
                && headers.contains_key(http::header::RETRY_AFTER));
        if !throttled {
            return None;
        }
        let retry_after = retry::parse_retry_after(headers, std::time::SystemTime::now());
        let reason = headers
            .get(GAVE_UP_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(decode_reason)
            .unwrap_or(match retry_after {
                Some(d) if d > self.inner.retry.max_retry_after => RateLimitReason::WaitTooLong,
                _ => RateLimitReason::AttemptsExhausted {
                    attempts: self.inner.retry.max_attempts,
                },
            });
        Some(Error::RateLimited {
            status,
            retry_after,
            reason,
        })
    }

    /// Keeps `error` for [`Transport::take_stashed`] and returns a stand-in response that names it
    /// (header [`STASH_HEADER`], and the body's `edu_common_error` member).
    fn stash_response(&self, error: Error) -> reqwest::Response {
        let id = self.stash(error);
        let body = serde_json::json!({ "edu_common_error": id }).to_string();
        let mut resp = http::Response::new(body);
        *resp.status_mut() = STASH_STATUS;
        let headers = resp.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(STASH_HEADER, HeaderValue::from(id));
        reqwest::Response::from(resp)
    }

    /// Keeps an error the generated client cannot carry, under a fresh id.
    pub(crate) fn stash(&self, error: Error) -> u64 {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        stash.next += 1;
        let id = stash.next;
        // Bounded: an id never claimed (a caller that dropped the result) ages out.
        if stash.errors.len() >= 256 {
            stash.errors.pop_front();
        }
        stash.errors.push_back((id, error));
        id
    }

    /// Takes back a stashed error.
    #[cfg(feature = "progenitor")]
    pub(crate) fn take_stashed(&self, id: u64) -> Option<Error> {
        let mut stash = self.inner.stash.lock().unwrap_or_else(|p| p.into_inner());
        let at = stash.errors.iter().position(|(i, _)| *i == id)?;
        stash.errors.remove(at).map(|(_, e)| e)
    }
}

/// The status of a stand-in response that carries a stashed error.
pub(crate) const STASH_STATUS: StatusCode = match StatusCode::from_u16(599) {
    Ok(s) => s,
    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
};
/// The header of a stand-in response that names a stashed error.
pub(crate) const STASH_HEADER: &str = "x-edu-common-error";
/// The header the retry loop puts on a throttled response it hands back, saying why.
pub(crate) const GAVE_UP_HEADER: &str = "x-edu-common-gave-up";

/// Errors waiting to be taken back by `progenitor::into_error`.
#[derive(Default)]
pub(crate) struct Stash {
    next: u64,
    errors: std::collections::VecDeque<(u64, Error)>,
}

fn encode_reason(reason: RateLimitReason) -> String {
    match reason {
        RateLimitReason::WaitTooLong => "wait-too-long".into(),
        RateLimitReason::AttemptsExhausted { attempts } => format!("attempts={attempts}"),
        RateLimitReason::Deadline => "deadline".into(),
        RateLimitReason::BudgetExhausted => "budget".into(),
        RateLimitReason::NotRetrySafe => "not-retry-safe".into(),
    }
}

fn decode_reason(text: &str) -> Option<RateLimitReason> {
    Some(match text {
        "wait-too-long" => RateLimitReason::WaitTooLong,
        "deadline" => RateLimitReason::Deadline,
        "budget" => RateLimitReason::BudgetExhausted,
        "not-retry-safe" => RateLimitReason::NotRetrySafe,
        other => RateLimitReason::AttemptsExhausted {
            attempts: other.strip_prefix("attempts=")?.parse().ok()?,
        },
    })
}

/// Why a response body could not be buffered.
enum BodyFailure {
    /// A success body over the cap.
    TooLarge,
    /// The connection failed while the body was read.
    Read(reqwest::Error),
}

/// Reads the whole body of `resp` (a success body over `cap` is refused; an error body is cut
/// to `cap`) and returns an equivalent response that holds it, marked with why the loop gave up
/// retrying, if it did.
async fn buffer(
    mut resp: reqwest::Response,
    cap: usize,
    gave_up: Option<RateLimitReason>,
) -> std::result::Result<reqwest::Response, BodyFailure> {
    use reqwest::ResponseBuilderExt;
    let status = resp.status();
    let success = status.is_success();
    let mut builder = http::Response::builder()
        .status(status)
        .version(resp.version())
        .url(resp.url().clone());
    if let Some(h) = builder.headers_mut() {
        *h = std::mem::take(resp.headers_mut());
        if let Some(reason) = gave_up
            && let Ok(v) = HeaderValue::from_str(&encode_reason(reason))
        {
            h.insert(GAVE_UP_HEADER, v);
        }
        // The body is now whole and decoded: its length is what it holds.
        h.remove(http::header::CONTENT_LENGTH);
        h.remove(http::header::TRANSFER_ENCODING);
    }
    if success && resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyFailure::TooLarge);
    }
    // An error body over the cap is kept up to the cap, not refused.
    let (body, over) = crate::body::read_capped(resp, cap)
        .await
        .map_err(BodyFailure::Read)?;
    if over && success {
        return Err(BodyFailure::TooLarge);
    }
    match builder.body(body) {
        Ok(r) => Ok(reqwest::Response::from(r)),
        // Unreachable with parts copied from a valid response.
        Err(_) => Err(BodyFailure::TooLarge),
    }
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut s = self.to_string();
        if let Some(url) = self.url() {
            s = s.replace(url.as_str(), url.path());
        }
        s
    }
}

/// A response value together with the status and headers it came with.
#[derive(Debug, Clone)]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub value: T,
    /// The status code.
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
}

/// A request being built for [`Transport`]; finish it with one of the `send` methods.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    transport: Transport,
    method: Method,
    url: Result<Url>,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<(Bytes, &'static str)>,
    options: CallOptions,
    error: Option<Error>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &self.url.as_ref().map(|u| u.path()).ok())
            .field("operation", &self.options.operation)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// Adds a query parameter (kept alongside any already in the URL).
    pub fn query(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((name.into(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, name: impl Into<String>, value: Option<impl ToString>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// Adds several query parameters.
    pub fn query_pairs<K: Into<String>, V: ToString>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.to_string())));
        self
    }

    /// Sets a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                self.headers.insert(n, v);
            }
            _ => {
                self.error = Some(Error::invalid_input(
                    Some(name),
                    "header name or value is not valid",
                ))
            }
        }
        self
    }

    /// Sends `body` as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(b) => self.body = Some((Bytes::from(b), "application/json")),
            Err(e) => {
                self.error = Some(Error::invalid_input(
                    None,
                    format!("the body could not be serialized: {e}"),
                ))
            }
        }
        self
    }

    /// Sends these bytes as the body, as they are, with this `Content-Type` (a body that is
    /// already encoded, such as an XML document or JSON read from a file).
    pub fn raw_body(mut self, body: impl Into<Bytes>, content_type: &'static str) -> Self {
        self.body = Some((body.into(), content_type));
        self
    }

    /// Sends `body` as `application/x-www-form-urlencoded`.
    pub fn form<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_urlencoded::to_string(body) {
            Ok(b) => self.body = Some((Bytes::from(b), "application/x-www-form-urlencoded")),
            Err(e) => {
                self.error = Some(Error::invalid_input(
                    None,
                    format!("the form body could not be encoded: {e}"),
                ))
            }
        }
        self
    }

    /// Names the operation in spans and errors.
    pub fn operation(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.options.operation = Some(name.into());
        self
    }

    /// Marks the request as safe (or unsafe) to send more than once, overriding the method's default.
    /// Set it for writes that carry an idempotency key.
    pub fn retry_safe(mut self, safe: bool) -> Self {
        self.options.retry_safe = Some(safe);
        self
    }

    /// Builds the `reqwest::Request` without sending it.
    pub(crate) fn build(self) -> Result<(Transport, reqwest::Request, CallOptions)> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut url = self.url?;
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        let mut req = reqwest::Request::new(self.method, url);
        *req.headers_mut() = self.headers;
        req.headers_mut()
            .entry(http::header::ACCEPT)
            .or_insert(HeaderValue::from_static("application/json"));
        if let Some((body, content_type)) = self.body {
            req.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(content_type),
            );
            *req.body_mut() = Some(reqwest::Body::from(body));
        }
        Ok((self.transport, req, self.options))
    }

    /// Sends the request and returns a successful response; any other status is an error.
    pub async fn send(self) -> Result<reqwest::Response> {
        let (t, req, opts) = self.build()?;
        t.execute(req, &opts).await
    }

    /// Sends the request and returns the final response whatever its status.
    pub async fn send_raw(self) -> Result<reqwest::Response> {
        let (t, req, opts) = self.build()?;
        t.execute_raw(req, &opts).await
    }

    /// Sends the request and decodes a successful JSON response.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        let (t, req, opts) = self.build()?;
        let resp = t.execute(req, &opts).await?;
        let context = decode_context(&opts, &resp);
        t.decode(resp, &context).await
    }

    /// Sends the request and decodes a successful JSON response, keeping its status and headers.
    pub async fn send_json_with_meta<T: DeserializeOwned>(self) -> Result<ApiResponse<T>> {
        let (t, req, opts) = self.build()?;
        let resp = t.execute(req, &opts).await?;
        let context = decode_context(&opts, &resp);
        let status = resp.status();
        let headers = resp.headers().clone();
        let value = t.decode(resp, &context).await?;
        Ok(ApiResponse {
            value,
            status,
            headers,
        })
    }
}

/// What a decode error names: the operation, or the method and path.
fn decode_context(opts: &CallOptions, resp: &reqwest::Response) -> Cow<'static, str> {
    match &opts.operation {
        Some(op) => op.clone(),
        None => Cow::Owned(resp.url().path().to_owned()),
    }
}

/// Added to every rate-limit window: see where the limiter is built.
const CLOCK_MARGIN: Duration = Duration::from_millis(5);

/// Whether a request error is a connection that closed or reset after the request went out
/// (hyper's "connection closed before message completed", a reset), rather than one that could
/// not be made.
pub(crate) fn connection_lost(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(h) = s.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return true;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// A request's place in the rate limit, held while it is in flight. Dropping it (when the answer
/// came, or when the request ended any other way, cancellation included) completes it: the
/// request then counts from that moment (see `RateLimit::acquire_in_flight`).
struct Slot {
    transport: Transport,
    ticket: SlotTicket,
}

enum SlotTicket {
    /// The in-process limiter.
    Local(limiter::InFlight),
    /// The budget shared through Redis.
    #[cfg(feature = "redis")]
    Shared(u64),
}

impl Slot {
    fn local(transport: &Transport, ticket: limiter::InFlight) -> Slot {
        Slot {
            transport: transport.clone(),
            ticket: SlotTicket::Local(ticket),
        }
    }

    #[cfg(feature = "redis")]
    fn shared(transport: &Transport, ticket: u64) -> Slot {
        Slot {
            transport: transport.clone(),
            ticket: SlotTicket::Shared(ticket),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        match self.ticket {
            SlotTicket::Local(t) => {
                if let Some(l) = &self.transport.inner.limiter {
                    l.complete(t);
                }
            }
            // One Redis round trip, off the caller's path.
            #[cfg(feature = "redis")]
            SlotTicket::Shared(t) => {
                if let (Some(shared), Ok(rt)) = (
                    self.transport.inner.shared.clone(),
                    tokio::runtime::Handle::try_current(),
                ) {
                    rt.spawn(async move { shared.complete(t).await });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insecure_http_only_for_loopback() {
        assert!(
            Transport::builder("http://127.0.0.1:8080/api")
                .build()
                .is_ok()
        );
        assert!(Transport::builder("http://localhost:1/api").build().is_ok());
        assert!(Transport::builder("http://[::1]:1/").build().is_ok());
        let err = Transport::builder("http://api.example.org/v1")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
        assert!(
            Transport::builder("http://api.example.org/v1")
                .allow_insecure_http(true)
                .build()
                .is_ok()
        );
        assert!(Transport::builder("ftp://x/").build().is_err());
        assert!(Transport::builder("not a url").build().is_err());
    }

    #[test]
    fn url_joins_under_base_path() {
        let t = Transport::builder("https://h.example/datahub/services")
            .build()
            .unwrap();
        assert_eq!(
            t.url("/v1/students?limit=2").unwrap().as_str(),
            "https://h.example/datahub/services/v1/students?limit=2"
        );
        assert_eq!(
            t.url("v1").unwrap().as_str(),
            "https://h.example/datahub/services/v1"
        );
        assert!(matches!(
            t.url("https://other.example/v1"),
            Err(Error::CrossOrigin { .. })
        ));
        assert!(matches!(
            t.url("http://h.example/v1"),
            Err(Error::CrossOrigin { .. })
        ));
    }

    #[test]
    fn debug_shows_no_secret() {
        let t = Transport::builder("https://h.example/")
            .credentials(Credentials::bearer(secrecy::SecretString::from(
                "s3cr3t-value",
            )))
            .build()
            .unwrap();
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        let b = Transport::builder("https://h.example/").credentials(
            Credentials::api_key("x-api-key", secrecy::SecretString::from("s3cr3t-value")).unwrap(),
        );
        assert!(!format!("{b:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn form_encoding() {
        #[derive(Serialize)]
        struct F<'a> {
            a: &'a str,
            b: Option<u32>,
            c: u32,
        }
        let (_, req, _) = Transport::builder("https://h.example/")
            .build()
            .unwrap()
            .post("x")
            .form(&F {
                a: "x y&",
                b: None,
                c: 3,
            })
            .build()
            .unwrap();
        let body = req.body().and_then(reqwest::Body::as_bytes).unwrap();
        assert_eq!(body, b"a=x+y%26&c=3");
        assert_eq!(
            req.headers()[http::header::CONTENT_TYPE],
            "application/x-www-form-urlencoded"
        );
    }
}
