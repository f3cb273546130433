//! The client and its builder.

use edu_common::auth::{ClientAuth, OAuth2Config};
use edu_common::{Credentials, Error, Result, Transport, TransportOptions};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::envelope::Item;
use crate::list::{ListRequest, check_id};

/// The API version path the datahub serves (`{base}/datahub/services/v1/...`).
pub const DEFAULT_API_VERSION: &str = "v1";

/// A client for the datahub Data API. Cheap to clone; clones share the token cache, retry budget
/// and throttling state.
///
/// ```no_run
/// # async fn demo() -> edu_common::Result<()> {
/// use futures::TryStreamExt;
/// let client = datahub_client::Client::builder()
///     .base_url("https://passport.example.com")
///     .client_credentials("my-client", "my-secret")
///     .build()?;
/// let district = client.districts().get("4fd43cc56d11340000000005").await?;
/// let mut students = client.districts().students(&district.id).limit(500).stream();
/// while let Some(student) = students.try_next().await? {
///     println!("{:?}", student.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
    version: String,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    api_base: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    access_token: Option<SecretString>,
    version: Option<String>,
    options: TransportOptions,
}

impl ClientBuilder {
    /// The host root, such as `https://passport.example.com`; the API lives at
    /// `{base}/datahub/services` and tokens at `{base}/datahub/oauth/token`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Overrides the API base (default `{base_url}/datahub/services`).
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.api_base = Some(url.into());
        self
    }

    /// Overrides the token endpoint (default `{base_url}/datahub/oauth/token`).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// OAuth2 client credentials, sent with HTTP Basic to the token endpoint.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// A ready access token instead of client credentials (no refresh).
    pub fn access_token(mut self, token: impl Into<SecretString>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The API version path (default [`DEFAULT_API_VERSION`]; Clever's own API uses `v1.1`).
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    edu_common::transport_option_setters!();

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let root = self
            .base_url
            .as_deref()
            .map(|b| b.trim_end_matches('/').to_owned());
        let api_base = match (&self.api_base, &root) {
            (Some(a), _) => a.clone(),
            (None, Some(r)) => format!("{r}/datahub/services"),
            (None, None) => {
                return Err(Error::Config("datahub: set base_url (or api_base)".into()));
            }
        };
        let credentials = match (self.access_token, self.client_id, self.client_secret) {
            (Some(token), _, _) => Credentials::bearer(token),
            (None, Some(id), Some(secret)) => {
                let token_url = match (&self.token_url, &root) {
                    (Some(t), _) => t.clone(),
                    (None, Some(r)) => format!("{r}/datahub/oauth/token"),
                    (None, None) => {
                        return Err(Error::Config("datahub: set base_url or token_url".into()));
                    }
                };
                let token_url = token_url.parse().map_err(|e| {
                    Error::Config(format!(
                        "datahub: token URL `{token_url}` is not valid: {e}"
                    ))
                })?;
                Credentials::oauth2(OAuth2Config::new(token_url, id, ClientAuth::Basic(secret)))
            }
            _ => {
                return Err(Error::Config(
                    "datahub: set client_credentials or access_token".into(),
                ));
            }
        };
        let mut b = Transport::builder(api_base)
            .credentials(credentials)
            .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .api_name("datahub");
        b = b.options(self.options);
        Ok(Client {
            transport: b.build()?,
            version: self
                .version
                .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
        })
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `DATAHUB_BASE_URL`, `DATAHUB_CLIENT_ID` and `DATAHUB_CLIENT_SECRET`.
    ///
    /// [`ClientBuilder::from_env`] with nothing added: `Client::from_env()` is
    /// `ClientBuilder::from_env()?.build()`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The underlying transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    pub(crate) fn path(&self, rest: &str) -> String {
        format!("{}/{rest}", self.version)
    }

    pub(crate) fn list<T: DeserializeOwned + Send + 'static>(
        &self,
        rest: String,
        op: &'static str,
    ) -> ListRequest<T> {
        ListRequest::new(self.transport.clone(), Ok(self.path(&rest)), op)
    }

    pub(crate) fn list_of<T: DeserializeOwned + Send + 'static>(
        &self,
        resource: &str,
        id: &str,
        sub: &str,
        op: &'static str,
    ) -> ListRequest<T> {
        let path = check_id(id).map(|id| self.path(&format!("{resource}/{id}/{sub}")));
        ListRequest::new(self.transport.clone(), path, op)
    }

    pub(crate) async fn item<T: DeserializeOwned>(
        &self,
        resource: &str,
        id: &str,
        sub: Option<&str>,
        op: &'static str,
    ) -> Result<T> {
        let id = check_id(id)?;
        let path = match sub {
            Some(s) => self.path(&format!("{resource}/{id}/{s}")),
            None => self.path(&format!("{resource}/{id}")),
        };
        let item: Item<T> = self.transport.get(&path).operation(op).send_json().await?;
        Ok(item.data)
    }
}

impl ClientBuilder {
    /// A builder from `DATAHUB_BASE_URL`, `DATAHUB_CLIENT_ID` and `DATAHUB_CLIENT_SECRET`.
    ///
    /// Add options before `build()` (`.user_agent(…)`, `.retry(…)`, `.dry_run()`); the
    /// settings read here are the ones [`Client::from_env`] reads.
    pub fn from_env() -> Result<ClientBuilder> {
        use edu_common::env::{required, required_secret};
        ClientBuilder::default()
            .base_url(edu_common::env::required_url("DATAHUB_BASE_URL")?)
            .client_credentials(
                required("DATAHUB_CLIENT_ID")?,
                required_secret("DATAHUB_CLIENT_SECRET")?,
            )
            .shared_state_from_env()
    }
}
