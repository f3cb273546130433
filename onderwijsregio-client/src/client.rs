//! The client and its builder.

use std::sync::Arc;

use edu_common::{Credentials, Error, RequestBuilder, Result, Transport, TransportOptions};
use secrecy::SecretString;
use serde_json::Value;

use crate::envelope::Meta;
use crate::schema::{Operation, RegionSchema, SchemaCache};
use crate::write::{self, Accepted, WriteOptions};

/// The production base URL.
pub const PRODUCTION: &str = "https://onderwijsregio.onderwijsin.nl/api/v2";
/// The preview base URL.
pub const PREVIEW: &str = "https://next.onderwijsregio.onderwijsin.nl/api/v2";

/// A client for the Onderwijsregio API v2. Cheap to clone; clones share the schema cache and
/// the transport's state.
///
/// ```no_run
/// # async fn demo() -> edu_common::Result<()> {
/// use onderwijsregio_client::{Candidate, Client, WriteOptions};
/// let client = Client::builder().api_key("key").sandbox(true).build()?;
/// let accepted = client
///     .candidates()
///     .create(&[Candidate::new("Ada", "de Vries", "ada@example.nl")], &WriteOptions::default())
///     .await?;
/// println!("queued as {}", accepted.idempotency_key);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
    sandbox: bool,
    schemas: Arc<SchemaCache>,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    api_key: Option<SecretString>,
    sandbox: bool,
    options: TransportOptions,
}

impl ClientBuilder {
    /// The base URL (default [`PRODUCTION`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Uses the preview environment ([`PREVIEW`]).
    pub fn preview(self) -> Self {
        self.base_url(PREVIEW)
    }

    /// The API key (`x-api-key`).
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Sandbox mode: every request carries `x-api-sandbox: true`; no production data changes.
    pub fn sandbox(mut self, on: bool) -> Self {
        self.sandbox = on;
        self
    }

    edu_common::transport_option_setters!();

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let key = self
            .api_key
            .ok_or_else(|| Error::Config("onderwijsregio: set api_key".into()))?;
        let mut b = Transport::builder(self.base_url.unwrap_or_else(|| PRODUCTION.to_owned()))
            .credentials(Credentials::api_key("x-api-key", key)?)
            .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .api_name("onderwijsregio");
        b = b.options(self.options);
        Ok(Client {
            transport: b.build()?,
            sandbox: self.sandbox,
            schemas: Arc::default(),
        })
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `ONDERWIJSREGIO_API_KEY` and, optionally, `ONDERWIJSREGIO_BASE_URL`.
    ///
    /// [`ClientBuilder::from_env`] with nothing added: `Client::from_env()` is
    /// `ClientBuilder::from_env()?.build()`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The same client with sandbox mode switched on or off.
    pub fn with_sandbox(&self, on: bool) -> Client {
        Client {
            sandbox: on,
            ..self.clone()
        }
    }

    /// Whether requests carry `x-api-sandbox: true`.
    pub fn is_sandbox(&self) -> bool {
        self.sandbox
    }

    /// The underlying transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The region's schema for `op`, fetched on first use and cached.
    pub async fn schema(&self, op: Operation) -> Result<Arc<RegionSchema>> {
        self.schemas.get(&self.transport, op).await
    }

    pub(crate) fn request(&self, method: http::Method, path: &str) -> RequestBuilder {
        let r = self.transport.request(method, path);
        if self.sandbox {
            r.header("x-api-sandbox", "true")
        } else {
            r
        }
    }

    pub(crate) async fn write(
        &self,
        method: http::Method,
        path: &str,
        op: &'static str,
        body: Option<&Value>,
        options: &WriteOptions,
    ) -> Result<Accepted> {
        let key = write::key_for(options);
        let mut req = write::apply(
            self.request(method, path).operation(op),
            &key,
            options.callback_url.as_ref(),
        );
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send_json_with_meta::<Value>().await?;
        let meta = resp
            .value
            .get("meta")
            .cloned()
            .and_then(|m| serde_json::from_value::<Meta>(m).ok())
            .unwrap_or_default();
        Ok(Accepted {
            idempotency_key: key,
            status: resp.status.as_u16(),
            message: resp
                .value
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned),
            meta,
            raw: resp.value,
        })
    }
}

impl ClientBuilder {
    /// A builder from `ONDERWIJSREGIO_API_KEY` and, optionally, `ONDERWIJSREGIO_BASE_URL`.
    ///
    /// Add options before `build()` (`.user_agent(…)`, `.retry(…)`, `.dry_run()`); the
    /// settings read here are the ones [`Client::from_env`] reads.
    pub fn from_env() -> Result<ClientBuilder> {
        let mut b = ClientBuilder::default()
            .api_key(edu_common::env::required_secret("ONDERWIJSREGIO_API_KEY")?);
        if let Some(url) = edu_common::env::optional_url("ONDERWIJSREGIO_BASE_URL")? {
            b = b.base_url(url);
        }
        b.shared_state_from_env()
    }
}
