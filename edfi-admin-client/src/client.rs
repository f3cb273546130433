//! The client, its builder, registration, and created-resource ids.

use edu_common::auth::{ClientAuth, OAuth2Config};
use edu_common::{Credentials, Error, Result, Transport, TransportOptions};
use secrecy::{ExposeSecret, SecretString};

/// The scope every Admin API token needs.
pub const SCOPE: &str = "edfi_admin_api/full_access";

/// A client for the Ed-Fi Admin API v2. Cheap to clone; clones share the token cache.
///
/// ```no_run
/// # async fn demo() -> edu_common::Result<()> {
/// use edfi_admin_client::{Client, NewVendor};
/// let client = Client::builder()
///     .base_url("https://admin.example.org/adminapi")
///     .client_credentials("my-client", "my-secret")
///     .build()?;
/// let vendor_id = client.vendors().create(&NewVendor::new("Acme", "Ann", "ann@acme.example")).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    tenant: Option<String>,
    options: TransportOptions,
}

impl ClientBuilder {
    /// The Admin API's base URL (the one that serves `/connect/token` and `/v2/...`).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The OAuth2 client id and secret (from [`register`] or the administrator), the same name
    /// as on every client of this workspace.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// The tenant, for multi-tenant deployments (sent as the `tenant` header).
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    edu_common::transport_option_setters!();

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let base = self
            .base_url
            .ok_or_else(|| Error::Config("edfi-admin: set base_url".into()))?;
        let (id, secret) = match (self.client_id, self.client_secret) {
            (Some(i), Some(s)) => (i, s),
            _ => return Err(Error::Config("edfi-admin: set credentials".into())),
        };
        let root = base.trim_end_matches('/').to_owned();
        let token_url = format!("{root}/connect/token").parse().map_err(|e| {
            Error::Config(format!("edfi-admin: base URL `{root}` is not valid: {e}"))
        })?;
        let mut oauth = OAuth2Config::new(token_url, id, ClientAuth::Form(secret)).scope(SCOPE);
        if let Some(t) = &self.tenant {
            check_tenant(t)?;
            // Clients and tokens belong to a tenant: the token request names it too.
            oauth = oauth.header("tenant", t)?;
        }
        let mut b = Transport::builder(root)
            .credentials(Credentials::oauth2(oauth))
            .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .api_name("edfi_admin");
        if let Some(t) = &self.tenant {
            b = b.default_header("tenant", t)?;
        }
        b = b.options(self.options);
        Ok(Client {
            transport: b.build()?,
        })
    }
}

fn check_tenant(t: &str) -> Result<()> {
    if t.is_empty() || t.len() > 50 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::invalid_input(
            Some("tenant"),
            "a tenant is 1 to 50 letters, digits or dashes",
        ));
    }
    Ok(())
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `EDFI_ADMIN_BASE_URL`, `EDFI_ADMIN_CLIENT_ID`, `EDFI_ADMIN_CLIENT_SECRET`
    /// (and `EDFI_ADMIN_TENANT` when set).
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
}

/// The secret rules of `/connect/register`: 32 to 128 characters with a lowercase letter, an
/// uppercase letter, a digit and a special character.
pub fn check_client_secret(secret: &str) -> Result<()> {
    let n = secret.chars().count();
    let ok = (32..=128).contains(&n)
        && secret.chars().any(|c| c.is_ascii_lowercase())
        && secret.chars().any(|c| c.is_ascii_uppercase())
        && secret.chars().any(|c| c.is_ascii_digit())
        && secret.chars().any(|c| !c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            Some("ClientSecret"),
            "ClientSecret must contain at least one lowercase letter, one uppercase letter, one number, and one special character, and must be 32 to 128 characters long",
        ))
    }
}

/// `POST /connect/register`: registers a client, after checking the documented rules locally.
pub async fn register(
    base_url: &str,
    client_id: &str,
    secret: &SecretString,
    display_name: &str,
    tenant: Option<&str>,
) -> Result<()> {
    for (field, v) in [("ClientId", client_id), ("DisplayName", display_name)] {
        if v.trim().is_empty() {
            return Err(Error::invalid_input(
                Some(field),
                format!("{field} must not be empty"),
            ));
        }
    }
    check_client_secret(secret.expose_secret())?;
    let mut b = Transport::builder(base_url.trim_end_matches('/').to_owned());
    if let Some(t) = tenant {
        check_tenant(t)?;
        b = b.default_header("tenant", t)?;
    }
    let form = [
        ("ClientId", client_id),
        ("ClientSecret", secret.expose_secret()),
        ("DisplayName", display_name),
    ];
    let form: std::collections::BTreeMap<&str, &str> = form.into_iter().collect();
    b.build()?
        .post("connect/register")
        .operation("postConnectRegister")
        .form(&form)
        .send()
        .await?;
    Ok(())
}

impl ClientBuilder {
    /// A builder from `EDFI_ADMIN_BASE_URL`, `EDFI_ADMIN_CLIENT_ID`, `EDFI_ADMIN_CLIENT_SECRET`
    /// (and `EDFI_ADMIN_TENANT` when set).
    ///
    /// Add options before `build()` (`.user_agent(…)`, `.retry(…)`, `.dry_run()`); the
    /// settings read here are the ones [`Client::from_env`] reads.
    pub fn from_env() -> Result<ClientBuilder> {
        use edu_common::env::{optional, required, required_secret};
        let mut b = ClientBuilder::default()
            .base_url(edu_common::env::required_url("EDFI_ADMIN_BASE_URL")?)
            .client_credentials(
                required("EDFI_ADMIN_CLIENT_ID")?,
                required_secret("EDFI_ADMIN_CLIENT_SECRET")?,
            );
        if let Some(t) = optional("EDFI_ADMIN_TENANT") {
            b = b.tenant(t);
        }
        b.shared_state_from_env()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_rules() {
        assert!(check_client_secret("Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!").is_ok());
        assert!(check_client_secret("short1!A").is_err());
        assert!(check_client_secret(&"a".repeat(40)).is_err());
        assert!(check_client_secret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1!").is_err());
    }
}
