//! Resource handlers on top of the generated client, one module per resource: created ids from the
//! 201's `Location`, credentials with the secret as a secret, and every paged list as a lazy
//! offset stream.
//!
//! Every handler method makes exactly one generated call; anything the handlers do not cover (a
//! list's filters, `orderBy`, `direction`) is one [`Client::paged`] or [`Client::raw`] call away.

mod api_clients;
mod applications;
mod claim_sets;
mod ods_instances;
mod profiles;
mod security;
mod tenants;
mod vendors;

use std::future::Future;

use edu_common::paginate::{self, ItemStream};
use edu_common::progenitor::ResponseValue;
use edu_common::{DecodeError, Error, Result, secrecy::SecretString};

use crate::Client;
use crate::client::created_id;

pub use api_clients::ApiClients;
pub use applications::{Applications, NewApplication};
pub use claim_sets::{ClaimSets, enabled_actions};
pub use ods_instances::{OdsInstanceContexts, OdsInstanceDerivatives, OdsInstances};
pub use profiles::Profiles;
pub use security::Security;
pub use tenants::Tenants;
pub use vendors::{NewVendor, Vendors};

/// The result of one generated call.
pub(crate) type Raw<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// Credentials of an application or API client: the key, and the secret as a secret.
///
/// (Named apart from `edu_common::Credentials`, which configures how a client authenticates.)
#[derive(Debug, Clone)]
pub struct ApplicationCredentials {
    /// The id of the application (or API client).
    pub id: i32,
    /// The key (the client id for the ODS/API).
    pub key: String,
    /// The secret, shown by the server only once.
    pub secret: SecretString,
}

impl ApplicationCredentials {
    /// From the parts of an `applicationResult` or `apiClientResult`.
    pub(crate) fn from_parts(
        what: &str,
        id: Option<i32>,
        key: Option<String>,
        secret: Option<String>,
    ) -> Result<ApplicationCredentials> {
        match (id, key, secret) {
            (Some(id), Some(key), Some(secret)) => Ok(ApplicationCredentials {
                id,
                key,
                secret: SecretString::from(secret),
            }),
            _ => Err(Error::Decode(Box::new(DecodeError::new(
                what,
                "",
                "the response lacks the id, key or secret",
                b"",
            )))),
        }
    }
}

/// The page size of the list streams.
pub const PAGE_SIZE: u64 = 100;

impl Client {
    /// Any Admin API list as a lazy stream of items: `fetch(client, offset, limit)` makes one
    /// generated call (with whatever filters and ordering you give it); pages of [`PAGE_SIZE`]
    /// are fetched by offset until a short page.
    ///
    /// ```no_run
    /// # async fn demo(client: edfi_admin_client::Client) -> edu_common::Result<()> {
    /// use edfi_admin_client::types::SortDirection;
    /// use futures::TryStreamExt;
    /// let acme: Vec<_> = client
    ///     .paged("listVendors", |c, offset, limit| async move {
    ///         c.raw().list_vendors().company("Acme").order_by("id")
    ///             .direction(SortDirection::Descending)
    ///             .offset(offset).limit(limit).send().await
    ///     })
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn paged<T, F, Fut>(&self, operation: &'static str, fetch: F) -> ItemStream<T>
    where
        T: Send + 'static,
        F: Fn(Client, i32, i32) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Raw<Vec<T>>> + Send + 'static,
    {
        let client = self.clone();
        let fetch = std::sync::Arc::new(fetch);
        paginate::items(paginate::offset_pages(
            0,
            PAGE_SIZE,
            move |offset, limit| {
                let (client, fetch) = (client.clone(), fetch.clone());
                async move {
                    let (offset, limit) = (window(offset)?, window(limit)?);
                    let r = fetch(client.clone(), offset, limit).await;
                    client.value(operation, r).await
                }
            },
        ))
    }

    /// The body of a successful generated call, or the call's typed error.
    pub(crate) async fn value<T>(&self, operation: &str, r: Raw<T>) -> Result<T> {
        Ok(self.call(operation, r).await?.into_inner())
    }

    /// Success of a generated call whose body does not matter.
    pub(crate) async fn unit<T>(&self, operation: &str, r: Raw<T>) -> Result<()> {
        self.call(operation, r).await.map(|_| ())
    }

    /// The id of the resource a generated `POST` created.
    pub(crate) async fn created<T>(&self, operation: &str, r: Raw<T>) -> Result<i32> {
        created_id(&self.call(operation, r).await?)
    }
}

/// An offset or limit as the API's 32-bit integer.
fn window(n: u64) -> Result<i32> {
    i32::try_from(n)
        .map_err(|_| Error::invalid_input(Some("offset"), "beyond the API's 32-bit range"))
}

/// The former name of [`ApplicationCredentials`].
#[deprecated(note = "renamed `ApplicationCredentials` (apart from `edu_common::Credentials`)")]
pub type Credentials = ApplicationCredentials;
