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
use std::sync::Arc;

use futures::future::BoxFuture;
use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::error::{Error, Result};

mod oauth2;
#[cfg(feature = "redis")]
mod shared_token;
mod token_cache;
mod token_endpoint;

pub use oauth2::{
    ClientAssertion, ClientAuth, JWT_BEARER_ASSERTION_TYPE, OAuth2Config, OAuth2Provider,
};
pub use token_cache::{AccessToken, MAX_TOKEN_LIFETIME, TokenCache};
pub use token_endpoint::{MAX_TOKEN_BODY_BYTES, parse_token_response};

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
                    ClientAuth::Assertion(a) => {
                        push(format!("{a:?}").as_bytes());
                        if let Some(secret) = a.secret_identity() {
                            push(secret.expose_secret());
                        }
                    }
                }
            }
            Credentials::Custom(p) => push(format!("{p:?}").as_bytes()),
        }
        out
    }

    #[cfg(feature = "redis")]
    pub(crate) fn into_provider_shared(
        self,
        api: &'static str,
        shared: Option<crate::shared::Shared>,
    ) -> Result<Arc<dyn AuthProvider>> {
        match (self, shared) {
            (Credentials::OAuth2(cfg), Some(shared)) => {
                let mut provider = OAuth2Provider::new(*cfg);
                provider.shared = Some(shared);
                provider.api = api;
                Ok(Arc::new(provider))
            }
            (other, _) => other.into_provider(api),
        }
    }

    /// The provider for these credentials; `api` names the API in token metrics.
    pub(crate) fn into_provider(self, api: &'static str) -> Result<Arc<dyn AuthProvider>> {
        Ok(match self {
            Credentials::None => Arc::new(NoAuth),
            Credentials::Bearer(key) => Arc::new(StaticHeader::new(
                http::header::AUTHORIZATION,
                &SecretString::from(format!("Bearer {}", key.expose_secret())),
            )?),
            Credentials::ApiKey { header, value } => Arc::new(StaticHeader::new(header, &value)?),
            Credentials::OAuth2(cfg) => {
                let mut provider = OAuth2Provider::new(*cfg);
                provider.api = api;
                Arc::new(provider)
            }
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
pub struct AuthTicket(pub(crate) u64);

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
