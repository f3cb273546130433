//! The client and its builder.

use std::time::Duration;

use edu_common::{Credentials, Error, Result, Transport, TransportOptions, Url};
use secrecy::SecretString;
use serde::de::DeserializeOwned;

use crate::contact::Contact;
use crate::paginate::Listing;

/// The main API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.eduframe.nl/api/v1";
/// The Organization API's base URL.
pub const DEFAULT_ORGANIZATION_BASE_URL: &str = "https://api.eduframe.nl/api/organization";
/// Eduframe's limit: requests per token per window.
pub const RATE_LIMIT_REQUESTS: u32 = 500;
/// Eduframe's limit window.
pub const RATE_LIMIT_WINDOW: Duration = Duration::from_secs(300);

/// A client for the Eduframe API v1 and its Organization API. Cheap to clone; clones, and the two
/// APIs of one client, share one rate limiter (500 requests per 5 minutes by default), so a long
/// sync never sees a 429 in normal use.
///
/// ```no_run
/// # async fn demo() -> edu_common::Result<()> {
/// use futures::TryStreamExt;
/// let client = eduframe_client::Client::builder().api_key("key").build()?;
/// let planned: Vec<_> = client.planned_courses().list().page_size(100).stream().try_collect().await?;
/// let lead = client.leads().get(42).await?;
/// let contacts: Vec<_> = client.organization_contacts().list().stream().try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
    organization_base: Url,
}

/// Builds a [`Client`].
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    organization_base_url: Option<String>,
    api_key: Option<SecretString>,
    options: TransportOptions,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.into(),
            organization_base_url: None,
            api_key: None,
            options: TransportOptions::default(),
        }
    }
}

impl ClientBuilder {
    /// The main API's base URL (default [`DEFAULT_BASE_URL`]).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The Organization API's base URL (default: the main base with `/v1` replaced by `/organization`).
    pub fn organization_base_url(mut self, url: impl Into<String>) -> Self {
        self.organization_base_url = Some(url.into());
        self
    }

    /// The API key (sent as `Authorization: Bearer <key>`).
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    edu_common::transport_option_setters!();

    /// Builds the client. The rate limit defaults to the API's 500 requests per 5 minutes.
    pub fn build(mut self) -> Result<Client> {
        let key = self
            .api_key
            .ok_or_else(|| Error::Config("eduframe: set api_key".into()))?;
        let main = self.base_url.trim_end_matches('/').to_owned();
        let org = match self.organization_base_url {
            Some(o) => o.trim_end_matches('/').to_owned(),
            None => match main.strip_suffix("/v1") {
                Some(root) => format!("{root}/organization"),
                None => {
                    return Err(Error::Config(
                        "eduframe: the base URL does not end in /v1, so the Organization API's address cannot be made from it: give the API's address ending in /api/v1 (EDUFRAME_BASE_URL), or the Organization API's with organization_base_url".into(),
                    ));
                }
            },
        };
        let mut b = Transport::builder(main.clone())
            .credentials(Credentials::bearer(key))
            .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .api_name("eduframe");
        // The API's budget unless the caller chose another (or none).
        self.options.rate_limit = Some(
            self.options
                .rate_limit
                .unwrap_or(Some((RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW))),
        );
        b = b.options(self.options);
        let transport = b.build()?;
        let organization_base: Url = format!("{org}/").parse().map_err(|e| {
            Error::Config(format!(
                "eduframe: organization base URL `{org}` is not valid: {e}"
            ))
        })?;
        // One transport serves both APIs so they share the token's rate limit; that needs one origin.
        transport.check_origin(&organization_base)?;
        Ok(Client {
            transport,
            organization_base,
        })
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `EDUFRAME_API_KEY` and, optionally, `EDUFRAME_BASE_URL`.
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

    /// Any list operation of the main API, as a stream: `client.list::<types::Lead>("leads")`.
    pub fn list<T: DeserializeOwned + Send + 'static>(&self, path: &str) -> Listing<T> {
        Listing::new(self.transport.clone(), self.transport.url(path), "list")
    }

    /// Any list operation of the Organization API, as a stream.
    pub fn organization_list<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
    ) -> Listing<T> {
        let url = self
            .organization_base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::invalid_input(Some("path"), e.to_string()));
        Listing::new(self.transport.clone(), url, "organizationList")
    }

    /// The Organization API's contacts (beta): [`OrganizationContacts`].
    pub fn organization_contacts(&self) -> OrganizationContacts<'_> {
        OrganizationContacts { client: self }
    }
}

/// The Organization API's contacts (beta). Hand-written rather than generated: the API does not
/// publish the contact's fields, so [`Contact`] keeps every field it does not know.
#[derive(Debug, Clone, Copy)]
pub struct OrganizationContacts<'a> {
    client: &'a Client,
}

impl OrganizationContacts<'_> {
    /// `GET /api/organization/contacts`: every contact, as a listing.
    pub fn list(&self) -> Listing<Contact> {
        self.client.organization_list("contacts")
    }
}

impl ClientBuilder {
    /// A builder from `EDUFRAME_API_KEY` and, optionally, `EDUFRAME_BASE_URL`.
    ///
    /// Add options before `build()` (`.user_agent(…)`, `.retry(…)`, `.dry_run()`); the
    /// settings read here are the ones [`Client::from_env`] reads.
    pub fn from_env() -> Result<ClientBuilder> {
        let mut b =
            ClientBuilder::default().api_key(edu_common::env::required_secret("EDUFRAME_API_KEY")?);
        if let Some(url) = edu_common::env::optional_url("EDUFRAME_BASE_URL")? {
            b = b.base_url(url);
        }
        b.shared_state_from_env()
    }
}
