//! Authentication: static keys, and OAuth2 client credentials with a shared, single-flight token cache.
//!
//! Pick a [`Credentials`] value and hand it to the transport builder:
//!
//! ```
//! use edu_common::auth::{ClientAuth, Credentials, OAuth2Config};
//! use secrecy::SecretString;
//!
//! let static_key = Credentials::bearer(SecretString::from("api-key"));
//! let header_key = Credentials::api_key("x-api-key", SecretString::from("api-key")).unwrap();
//! let oauth = Credentials::oauth2(
//!     OAuth2Config::new(
//!         "https://id.example.org/oauth/token".parse().unwrap(),
//!         "my-client",
//!         ClientAuth::Basic(SecretString::from("my-secret")),
//!     )
//!     .scope("read"),
//! );
//! // Debug output never shows a secret.
//! assert!(!format!("{static_key:?}{header_key:?}{oauth:?}").contains("secret\""));
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use http::{HeaderName, HeaderValue, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use crate::error::{Error, Result, TimeoutKind};

/// The `client_assertion_type` of RFC 7523 JWT client assertions (`private_key_jwt`).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How a client proves who it is.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Credentials {
    /// No authentication.
    #[default]
    None,
    /// `Authorization: Bearer <key>` with a long-lived key.
    Bearer(SecretString),
    /// A key in a header of the API's choosing, such as `x-api-key`.
    ApiKey {
        /// The header name.
        header: HeaderName,
        /// The key.
        value: SecretString,
    },
    /// OAuth2 client credentials, with the token cached and refreshed.
    OAuth2(Box<OAuth2Config>),
    /// Anything else.
    Custom(Arc<dyn AuthProvider>),
}

impl Credentials {
    /// OAuth2 client credentials.
    pub fn oauth2(config: OAuth2Config) -> Self {
        Credentials::OAuth2(Box::new(config))
    }

    /// A static bearer key.
    pub fn bearer(key: SecretString) -> Self {
        Credentials::Bearer(key)
    }

    /// A key sent in the header `header`. Fails if the header name is not valid.
    pub fn api_key(header: &str, value: SecretString) -> Result<Self> {
        let header = HeaderName::from_bytes(header.as_bytes())
            .map_err(|_| Error::Config(format!("`{header}` is not a valid header name")))?;
        Ok(Credentials::ApiKey { header, value })
    }

    /// What identifies this credential for shared state: hashed by the caller, never shown.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn identity(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut push = |part: &[u8]| {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        };
        match self {
            Credentials::None => push(b"none"),
            Credentials::Bearer(k) => {
                push(b"bearer");
                push(k.expose_secret().as_bytes());
            }
            Credentials::ApiKey { header, value } => {
                push(b"api-key");
                push(header.as_str().as_bytes());
                push(value.expose_secret().as_bytes());
            }
            Credentials::OAuth2(c) => {
                push(b"oauth2");
                push(c.token_url.as_str().as_bytes());
                push(c.client_id.as_bytes());
                if let Some(scope) = &c.scope {
                    push(scope.as_bytes());
                }
                for (_, v) in &c.extra_headers {
                    push(v.as_bytes());
                }
                match &c.client_auth {
                    ClientAuth::Basic(s) | ClientAuth::Form(s) => {
                        push(s.expose_secret().as_bytes())
                    }
                    ClientAuth::Assertion(a) => push(format!("{a:?}").as_bytes()),
                }
            }
            Credentials::Custom(p) => push(format!("{p:?}").as_bytes()),
        }
        out
    }

    #[cfg(feature = "redis")]
    pub(crate) fn into_provider_shared(
        self,
        shared: Option<crate::shared::Shared>,
    ) -> Result<Arc<dyn AuthProvider>> {
        match (self, shared) {
            (Credentials::OAuth2(cfg), Some(shared)) => {
                let mut provider = OAuth2Provider::new(*cfg);
                provider.shared = Some(shared);
                Ok(Arc::new(provider))
            }
            (other, _) => other.into_provider(),
        }
    }

    pub(crate) fn into_provider(self) -> Result<Arc<dyn AuthProvider>> {
        Ok(match self {
            Credentials::None => Arc::new(NoAuth),
            Credentials::Bearer(key) => Arc::new(StaticHeader::new(
                http::header::AUTHORIZATION,
                &SecretString::from(format!("Bearer {}", key.expose_secret())),
            )?),
            Credentials::ApiKey { header, value } => Arc::new(StaticHeader::new(header, &value)?),
            Credentials::OAuth2(cfg) => Arc::new(OAuth2Provider::new(*cfg)),
            Credentials::Custom(p) => p,
        })
    }

    /// The token endpoint, for OAuth2 credentials (its origin may receive the client's secret).
    pub fn token_url(&self) -> Option<&Url> {
        match self {
            Credentials::OAuth2(c) => Some(&c.token_url),
            _ => None,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Bearer(_) => f.write_str("Bearer([REDACTED])"),
            Credentials::ApiKey { header, .. } => write!(f, "ApiKey({header}: [REDACTED])"),
            Credentials::OAuth2(c) => c.fmt(f),
            Credentials::Custom(p) => p.fmt(f),
        }
    }
}

/// Identifies which credential a request was sent with, so that a 401 invalidates
/// exactly that token and not a fresher one another request has fetched since.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthTicket(u64);

impl AuthTicket {
    /// The ticket of a credential's `generation` (a provider counts up each time it replaces
    /// its credential; one that never does returns the default ticket).
    pub fn new(generation: u64) -> Self {
        AuthTicket(generation)
    }
}

/// Something that puts credentials on a request.
///
/// Implement it for an authentication scheme the built-in [`Credentials`] do not cover.
pub trait AuthProvider: Send + Sync + fmt::Debug {
    /// Adds credentials to `request`, fetching a token through `http` if needed.
    fn authorize<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<AuthTicket>>;

    /// Called when the server answered 401 to a request sent with `ticket`.
    /// Returns true if new credentials may now be obtained (the request is then retried once).
    fn invalidate(&self, ticket: AuthTicket) -> bool {
        let _ = ticket;
        false
    }
}

#[derive(Debug)]
struct NoAuth;

impl AuthProvider for NoAuth {
    fn authorize<'a>(
        &'a self,
        _: &'a reqwest::Client,
        _: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<AuthTicket>> {
        Box::pin(async { Ok(AuthTicket::default()) })
    }
}

struct StaticHeader {
    name: HeaderName,
    value: HeaderValue,
}

impl StaticHeader {
    fn new(name: HeaderName, value: &SecretString) -> Result<Self> {
        let mut value = HeaderValue::from_str(value.expose_secret()).map_err(|_| {
            Error::Config(format!(
                "the credential for `{name}` contains characters not allowed in a header"
            ))
        })?;
        value.set_sensitive(true);
        Ok(StaticHeader { name, value })
    }
}

impl fmt::Debug for StaticHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StaticHeader({}: [REDACTED])", self.name)
    }
}

impl AuthProvider for StaticHeader {
    fn authorize<'a>(
        &'a self,
        _: &'a reqwest::Client,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<AuthTicket>> {
        request
            .headers_mut()
            .insert(self.name.clone(), self.value.clone());
        Box::pin(async { Ok(AuthTicket::default()) })
    }
}

/// How an OAuth2 client authenticates itself at the token endpoint.
#[derive(Clone)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the client id and secret.
    Basic(SecretString),
    /// `client_secret_post`: `client_id` and `client_secret` as form fields.
    Form(SecretString),
    /// A client assertion such as `private_key_jwt` (RFC 7523), made fresh for each token request.
    Assertion(Arc<dyn ClientAssertion>),
}

impl fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientAuth::Basic(_) => f.write_str("Basic([REDACTED])"),
            ClientAuth::Form(_) => f.write_str("Form([REDACTED])"),
            ClientAuth::Assertion(a) => write!(f, "Assertion({a:?})"),
        }
    }
}

/// Makes client assertions for token requests (for example a signed JWT for `private_key_jwt`).
pub trait ClientAssertion: Send + Sync + fmt::Debug {
    /// The `client_assertion_type` form value.
    fn assertion_type(&self) -> &str {
        JWT_BEARER_ASSERTION_TYPE
    }

    /// A fresh assertion for `client_id` at `token_url` (the audience).
    fn assertion(&self, client_id: &str, token_url: &Url) -> Result<SecretString>;
}

/// OAuth2 client-credentials settings.
#[derive(Clone)]
pub struct OAuth2Config {
    /// The token endpoint.
    pub token_url: Url,
    /// The client id (not a secret).
    pub client_id: String,
    /// How the client authenticates.
    pub client_auth: ClientAuth,
    /// The `scope` to request, if any.
    pub scope: Option<String>,
    /// Extra form fields for the token request.
    pub extra_params: Vec<(String, String)>,
    /// Extra headers for the token request (a tenant selector, for example).
    pub extra_headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// Refresh this long before expiry (scaled down for short-lived tokens).
    pub refresh_buffer: Duration,
    /// Token lifetime assumed when the server sends no `expires_in`.
    pub default_lifetime: Duration,
    /// Time limit for obtaining a token, retries included.
    pub timeout: Duration,
}

impl OAuth2Config {
    /// Settings with defaults: refresh 60 s (plus jitter) before expiry, 15 min lifetime when
    /// `expires_in` is absent, 10 s per token request.
    pub fn new(token_url: Url, client_id: impl Into<String>, client_auth: ClientAuth) -> Self {
        OAuth2Config {
            token_url,
            client_id: client_id.into(),
            client_auth,
            scope: None,
            extra_params: Vec::new(),
            extra_headers: Vec::new(),
            refresh_buffer: Duration::from_secs(60),
            default_lifetime: Duration::from_secs(15 * 60),
            timeout: Duration::from_secs(10),
        }
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Adds a form field to the token request.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        self
    }

    /// Adds a header to the token request (for example the tenant of a multi-tenant server).
    /// A name or value that is not a valid header is an [`Error::Config`].
    pub fn header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        let value = http::HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "the value for `{name}` is not a valid header value"
            ))
        })?;
        self.extra_headers.push((name, value));
        Ok(self)
    }
}

impl fmt::Debug for OAuth2Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Config")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_auth", &self.client_auth)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// An access token and how long it lives.
#[derive(Clone)]
pub struct AccessToken {
    /// The token.
    pub secret: SecretString,
    /// Its lifetime from the moment it was requested, when known.
    pub expires_in: Option<Duration>,
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

/// The OAuth2 client-credentials provider: a [`TokenCache`] in front of the token endpoint.
pub struct OAuth2Provider {
    config: OAuth2Config,
    cache: TokenCache,
    #[cfg(feature = "redis")]
    shared: Option<crate::shared::Shared>,
}

impl fmt::Debug for OAuth2Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Provider")
            .field("config", &self.config)
            .field("cache", &self.cache)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: SecretString,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<NumberOrString>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(f64),
    Text(String),
}

/// How long before expiry a token is refreshed: the configured buffer, scaled down to a quarter
/// of a short token's lifetime (before jitter). The in-process cache and the shared one agree.
fn refresh_margin(buffer: Duration, lifetime: Duration) -> Duration {
    buffer.min(lifetime / 4)
}

/// The largest token response read: a token response is a few hundred bytes, so a body over
/// this is not a token endpoint's answer.
pub const MAX_TOKEN_BODY_BYTES: usize = 64 * 1024;
/// Attempts per token request.
const TOKEN_ATTEMPTS: u32 = 3;
/// The base and cap of the token request's full-jitter backoff.
const TOKEN_BACKOFF: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(2));
/// The longest lifetime a token is cached for, whatever `expires_in` says.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(366 * 24 * 3600);

enum TokenFailure {
    /// Not worth repeating (refused credentials, a response that is not a token).
    Final(Error),
    /// Worth repeating, after `wait` when the server said.
    Retry {
        error: Error,
        wait: Option<Duration>,
    },
}

/// Decodes a successful token response (`access_token`, `token_type`, `expires_in`).
///
/// `expires_in` is read by one rule, whether it comes as a number or a string: a positive value
/// is the lifetime in seconds, clamped to 1 s ..= [`MAX_TOKEN_LIFETIME`]; zero, a negative value,
/// or anything that is not a number means "not said", and the configured default lifetime is
/// used. The body is never echoed in an error: it holds the token.
///
/// ```
/// # use edu_common::auth::parse_token_response;
/// # use std::time::Duration;
/// let t = parse_token_response(br#"{"access_token":"t","expires_in":"3600"}"#).unwrap();
/// assert_eq!(t.expires_in, Some(Duration::from_secs(3600)));
/// let t = parse_token_response(br#"{"access_token":"t","expires_in":"18446744073709551615"}"#).unwrap();
/// assert_eq!(t.expires_in, Some(edu_common::auth::MAX_TOKEN_LIFETIME));
/// let zero = parse_token_response(br#"{"access_token":"t","expires_in":0}"#).unwrap();
/// let zero_text = parse_token_response(br#"{"access_token":"t","expires_in":"0"}"#).unwrap();
/// assert_eq!((zero.expires_in, zero_text.expires_in), (None, None));
/// ```
pub fn parse_token_response(body: &[u8]) -> Result<AccessToken> {
    let parsed: TokenResponse = serde_json::from_slice(body).map_err(|e| Error::Auth {
        message: format!(
            "the token response was not understood ({} at line {} column {}); check that the token URL is the OAuth2 token endpoint",
            e.classify_name(),
            e.line(),
            e.column()
        ),
        status: None,
        transient: false,
        oauth_error: None,
    })?;
    if let Some(t) = parsed
        .token_type
        .as_deref()
        .filter(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        tracing::warn!(
            token_type = t,
            "token endpoint returned a non-bearer token type; sending it as a bearer token"
        );
    }
    let seconds = match parsed.expires_in {
        Some(NumberOrString::Number(n)) => Some(n),
        Some(NumberOrString::Text(s)) => s.trim().parse::<f64>().ok(),
        None => None,
    };
    // Whole milliseconds: a lifetime needs no more, and a number and its text (whose float
    // parses may differ in the last bit) then give the same lifetime.
    let expires_in = seconds.filter(|n| n.is_finite() && *n > 0.0).map(|n| {
        let secs = n.clamp(1.0, MAX_TOKEN_LIFETIME.as_secs_f64());
        Duration::from_millis((secs * 1000.0).round() as u64)
    });
    Ok(AccessToken {
        secret: parsed.access_token,
        expires_in,
    })
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

impl OAuth2Provider {
    /// A provider for `config`.
    pub fn new(config: OAuth2Config) -> Self {
        let cache = TokenCache::new(config.refresh_buffer, config.default_lifetime);
        OAuth2Provider {
            config,
            cache,
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Requests a new token (bypassing the cache).
    ///
    /// The request is retried like an idempotent one (a connection that could not be made, a
    /// timeout, a dropped response, 5xx, 429 with a `Retry-After` that fits), all within
    /// [`OAuth2Config::timeout`]. The response body is capped at [`MAX_TOKEN_BODY_BYTES`].
    pub async fn fetch_token(&self, http: &reqwest::Client) -> Result<AccessToken> {
        let cfg = &self.config;
        let span = tracing::debug_span!("edu.token", token_url = %cfg.token_url.path(), status = tracing::field::Empty, attempts = tracing::field::Empty);
        async {
            let deadline = crate::limiter::later(Instant::now(), cfg.timeout);
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                tracing::Span::current().record("attempts", attempt);
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(self.token_timeout());
                }
                let retry = match self.token_attempt(http, remaining).await {
                    Ok(token) => return Ok(token),
                    Err(TokenFailure::Final(e)) => return Err(e),
                    Err(TokenFailure::Retry { error, wait }) => (error, wait),
                };
                let (error, wait) = retry;
                let wait = wait.unwrap_or_else(|| {
                    crate::retry::full_jitter(TOKEN_BACKOFF.0, TOKEN_BACKOFF.1, attempt)
                });
                if attempt >= TOKEN_ATTEMPTS || crate::limiter::later(Instant::now(), wait) >= deadline {
                    return Err(error);
                }
                tracing::debug!(error = %error, wait_ms = wait.as_millis() as u64, "token request failed: retrying");
                tokio::time::sleep(wait).await;
            }
        }
        .instrument(span)
        .await
    }

    fn token_timeout(&self) -> Error {
        Error::Timeout {
            kind: TimeoutKind::Token,
            after: self.config.timeout,
        }
    }

    /// One token request.
    async fn token_attempt(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
    ) -> std::result::Result<AccessToken, TokenFailure> {
        let cfg = &self.config;
        let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
        if let Some(scope) = &cfg.scope {
            form.push(("scope", scope.clone()));
        }
        for (k, v) in &cfg.extra_params {
            form.push((k, v.clone()));
        }
        let mut req = http
            .post(cfg.token_url.clone())
            .header(http::header::ACCEPT, "application/json")
            .timeout(timeout);
        for (name, value) in &cfg.extra_headers {
            req = req.header(name, value);
        }
        match &cfg.client_auth {
            ClientAuth::Basic(secret) => {
                req = req.basic_auth(&cfg.client_id, Some(secret.expose_secret()));
            }
            ClientAuth::Form(secret) => {
                form.push(("client_id", cfg.client_id.clone()));
                form.push(("client_secret", secret.expose_secret().to_owned()));
            }
            ClientAuth::Assertion(a) => {
                let assertion = a
                    .assertion(&cfg.client_id, &cfg.token_url)
                    .map_err(TokenFailure::Final)?;
                form.push(("client_id", cfg.client_id.clone()));
                form.push(("client_assertion_type", a.assertion_type().to_owned()));
                form.push(("client_assertion", assertion.expose_secret().to_owned()));
            }
        }
        let origin = cfg.token_url.origin().ascii_serialization();
        let unreachable = |e: reqwest::Error| {
            if e.is_timeout() {
                TokenFailure::Retry {
                    error: self.token_timeout(),
                    wait: None,
                }
            } else {
                TokenFailure::Retry {
                    error: Error::Transport {
                        origin: origin.clone(),
                        source: e.without_url(),
                    },
                    wait: None,
                }
            }
        };
        let mut req = req.form(&form).build().map_err(|e| {
            TokenFailure::Final(Error::Config(format!(
                "the token request could not be built: {}",
                e.without_url()
            )))
        })?;
        // Secrets go to the token URL's origin only: a redirect is never followed (and a caller's
        // HTTP client cannot replay the form): see `crate::redirect`.
        crate::redirect::unreplayable(&mut req);
        let resp =
            http.execute(req).await.map_err(|e| {
                match crate::redirect::failed_elsewhere(&e, &cfg.token_url, &cfg.token_url) {
                    Some(refused) => TokenFailure::Final(refused),
                    None => unreachable(e),
                }
            })?;
        let status = resp.status();
        match crate::redirect::next_hop(
            &cfg.token_url,
            &http::Method::POST,
            status,
            resp.url(),
            resp.headers().get(http::header::LOCATION),
            &cfg.token_url,
        ) {
            Err(e) => return Err(TokenFailure::Final(e)),
            Ok(Some(hop)) => {
                return Err(TokenFailure::Final(Error::Auth {
                    message: format!(
                        "the token endpoint answered {status} with a redirect to {}; the client secret is not re-sent on a redirect: configure that URL as the token URL",
                        hop.url.path()
                    ),
                    status: Some(status),
                    transient: false,
                    oauth_error: None,
                }));
            }
            Ok(None) => {}
        }
        tracing::Span::current().record("status", status.as_u16());
        let retry_after =
            crate::retry::parse_retry_after(resp.headers(), std::time::SystemTime::now());
        // Read the body with a small cap: a token response is a few hundred bytes (an error
        // body over it is cut, a token response over it refused).
        let (body, over) = match crate::body::read_capped(resp, MAX_TOKEN_BODY_BYTES).await {
            Ok(read) => read,
            Err(e) if e.is_timeout() => return Err(unreachable(e)),
            Err(e) => {
                return Err(TokenFailure::Retry {
                    error: Error::Interrupted {
                        origin,
                        source: e.without_url(),
                    },
                    wait: None,
                });
            }
        };
        if over && status.is_success() {
            return Err(TokenFailure::Final(Error::Auth {
                message: format!(
                    "the token response is larger than {MAX_TOKEN_BODY_BYTES} bytes; check that the token URL is the OAuth2 token endpoint"
                ),
                status: Some(status),
                transient: false,
                oauth_error: None,
            }));
        }
        if !status.is_success() {
            let parsed = serde_json::from_slice::<OAuthErrorBody>(&body).ok();
            let (code, description) = parsed
                .map(|b| (b.error, b.error_description))
                .unwrap_or_default();
            let detail = [code.clone(), description]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            // Not an OAuth2 error body: the API's own reason (a validation problem, a message).
            let detail = if detail.is_empty() {
                serde_json::from_slice(&body)
                    .ok()
                    .as_ref()
                    .and_then(crate::error::extract_message)
                    .unwrap_or_else(|| crate::error::excerpt(&body[..body.len().min(200)]))
            } else {
                detail
            };
            let transient = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
            let remedy = match (code.as_deref(), status.as_u16()) {
                (Some("invalid_client"), _) | (None, 401) => {
                    "check the client id and secret (or key)"
                }
                (Some("invalid_scope"), _) => "check the scope the client asks for",
                (Some("unauthorized_client" | "unsupported_grant_type" | "invalid_grant"), _) => {
                    "check that this client may use the client-credentials grant"
                }
                (_, 429) => "the token endpoint is throttling; try again later",
                (_, s) if s >= 500 => "the token endpoint failed; try again later",
                (_, 404 | 405) => "check the token URL",
                _ => "check the client's settings and the token URL",
            };
            let error = Error::Auth {
                message: format!(
                    "the token endpoint answered {status}: {}; {remedy}",
                    crate::error::one_line(&detail, 300)
                ),
                status: Some(status),
                transient,
                oauth_error: code,
            };
            return Err(if transient {
                TokenFailure::Retry {
                    error,
                    wait: retry_after,
                }
            } else {
                TokenFailure::Final(error)
            });
        }
        parse_token_response(&body).map_err(|e| match e {
            Error::Auth {
                message,
                transient,
                oauth_error,
                ..
            } => TokenFailure::Final(Error::Auth {
                message,
                status: Some(status),
                transient,
                oauth_error,
            }),
            other => TokenFailure::Final(other),
        })
    }

    /// A token for the cache: with shared state, the one another replica stored, or one fetched
    /// under the shared lock and stored for the others; otherwise (or when Redis is unavailable)
    /// one fetched by this process.
    async fn obtain(&self, http: &reqwest::Client) -> Result<AccessToken> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return self.obtain_shared(http, shared).await;
        }
        self.fetch_token(http).await
    }

    #[cfg(feature = "redis")]
    async fn obtain_shared(
        &self,
        http: &reqwest::Client,
        shared: &crate::shared::Shared,
    ) -> Result<AccessToken> {
        let (store, ns) = (&shared.store, shared.ns.as_str());
        // A stored token counts only while it is not in its last half-margin: then it is
        // refreshed once for everyone rather than re-read by every replica.
        let stored = || async {
            let (secret, ttl, margin) = store.token(ns).await?;
            (ttl > margin / 2).then(|| AccessToken {
                secret,
                expires_in: Some(ttl + margin),
            })
        };
        if let Some(token) = stored().await {
            tracing::debug!("using the access token another replica obtained");
            return Ok(token);
        }
        let lock_ttl = self.config.timeout.min(Duration::from_secs(15));
        let until = Instant::now() + lock_ttl;
        loop {
            match store.lock(ns, lock_ttl).await {
                // Redis is unavailable: this process fetches its own.
                None => return self.fetch_token(http).await,
                Some(Some(owner)) => {
                    // Another replica may have stored one between our read and the lock.
                    if let Some(token) = stored().await {
                        store.unlock(ns, &owner).await;
                        return Ok(token);
                    }
                    let fetched = self.fetch_token(http).await;
                    if let Ok(token) = &fetched {
                        let lifetime = token
                            .expires_in
                            .unwrap_or(self.config.default_lifetime)
                            .min(MAX_TOKEN_LIFETIME);
                        let margin = refresh_margin(self.config.refresh_buffer, lifetime);
                        let ttl = lifetime.saturating_sub(margin);
                        if !ttl.is_zero() {
                            store.put_token(ns, &token.secret, ttl, margin).await;
                        }
                    }
                    store.unlock(ns, &owner).await;
                    return fetched;
                }
                Some(None) => {
                    // Another replica is fetching: wait for its token, at most the lock's TTL
                    // (if it crashed, the lock expires and the next round takes it).
                    tokio::time::sleep(Duration::from_millis(40 + fastrand::u64(..20))).await;
                    if let Some(token) = stored().await {
                        return Ok(token);
                    }
                    if Instant::now() >= until + lock_ttl {
                        return self.fetch_token(http).await;
                    }
                }
            }
        }
    }

    /// The shared token cache.
    pub fn cache(&self) -> &TokenCache {
        &self.cache
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "missing or mistyped field",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}

impl AuthProvider for OAuth2Provider {
    fn authorize<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<AuthTicket>> {
        Box::pin(async move {
            let (header, ticket) = self.cache.get_or_fetch(|| self.obtain(http)).await?;
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, header);
            Ok(ticket)
        })
    }

    fn invalidate(&self, ticket: AuthTicket) -> bool {
        #[cfg(feature = "redis")]
        if let (Some(shared), Some(header)) = (&self.shared, self.cache.header_of(ticket))
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            // The server refused this token: no replica should be handed it again.
            let shared = shared.clone();
            handle.spawn(async move {
                if let Some(token) = header.to_str().ok().and_then(|h| h.strip_prefix("Bearer ")) {
                    shared.store.forget_token(&shared.ns, token).await;
                }
            });
        }
        self.cache.invalidate(ticket)
    }
}
