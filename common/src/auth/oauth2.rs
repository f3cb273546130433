//! OAuth2 client credentials: the settings, how the client authenticates, and the provider
//! that puts a cached token on each request.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;
use url::Url;

use super::token_cache::{AccessToken, TokenCache};
use super::{AuthProvider, AuthTicket};
use crate::error::{Error, Result};

/// The `client_assertion_type` of RFC 7523 JWT client assertions (`private_key_jwt`).
pub const JWT_BEARER_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

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

    /// Bytes only holders of this credential have (for a private key, a digest of the key),
    /// never shown: state shared through Redis is namespaced by them and the shared token is
    /// sealed with a key derived from them. Without them (the default), the shared token's key
    /// is derived from the client id, the token URL and this assertion's `Debug` alone, which
    /// a reader of Redis who knows those could derive too: implement this for an assertion
    /// used with shared state.
    fn secret_identity(&self) -> Option<secrecy::SecretSlice<u8>> {
        None
    }
}

/// OAuth2 client-credentials settings.
///
/// Made with [`OAuth2Config::new`] and changed with its setters.
#[derive(Clone)]
#[non_exhaustive]
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

    /// Sets how long before expiry the token is refreshed (scaled down for short-lived tokens).
    pub fn refresh_buffer(mut self, buffer: Duration) -> Self {
        self.refresh_buffer = buffer;
        self
    }

    /// Sets the token lifetime assumed when the server sends no `expires_in`.
    pub fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = lifetime;
        self
    }

    /// Sets the time limit for obtaining a token, retries included.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
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

/// The OAuth2 client-credentials provider: a [`TokenCache`] in front of the token endpoint.
pub struct OAuth2Provider {
    pub(super) config: OAuth2Config,
    cache: TokenCache,
    /// The API's name in token metrics.
    pub(super) api: &'static str,
    #[cfg(feature = "redis")]
    pub(super) shared: Option<crate::shared::Shared>,
}

impl fmt::Debug for OAuth2Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2Provider")
            .field("config", &self.config)
            .field("cache", &self.cache)
            .finish()
    }
}

impl OAuth2Provider {
    /// A provider for `config`.
    pub fn new(config: OAuth2Config) -> Self {
        let cache = TokenCache::new(config.refresh_buffer, config.default_lifetime);
        OAuth2Provider {
            config,
            cache,
            api: "unnamed",
            #[cfg(feature = "redis")]
            shared: None,
        }
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

    /// The shared token cache.
    pub fn cache(&self) -> &TokenCache {
        &self.cache
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
                    shared
                        .store
                        .forget_token(&shared.ns, &shared.key, token)
                        .await;
                }
            });
        }
        self.cache.invalidate(ticket)
    }
}
