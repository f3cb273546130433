//! Resource handlers on top of the generated client, one module per resource: created ids from the
//! 201's `Location`, credentials with the secret as a secret, and every paged list as a lazy
//! offset stream.
//!
//! Every handler method makes exactly one generated call; each `list()` returns the generated
//! listing of [`crate::operations`], with the operation's filters, `orderBy` and `direction`.

mod api_clients;
mod applications;
mod claim_sets;
mod ods_instances;
mod profiles;
mod security;
mod tenants;
mod vendors;

use edu_common::progenitor::ResponseValue;
use edu_common::{DecodeError, Error, Result, secrecy::SecretString};

use crate::Client;
use crate::location::created_id;

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
    /// The body of a successful generated call, or the call's typed error.
    pub(crate) fn value<'a, T: 'a>(
        &'a self,
        operation: &'a str,
        r: impl Future<Output = Raw<T>> + 'a,
    ) -> impl Future<Output = Result<T>> + 'a {
        let answer = self.call(operation, r);
        async move { Ok(answer.await?.into_inner()) }
    }

    /// Success of a generated call whose body does not matter.
    pub(crate) fn unit<'a, T: 'a>(
        &'a self,
        operation: &'a str,
        r: impl Future<Output = Raw<T>> + 'a,
    ) -> impl Future<Output = Result<()>> + 'a {
        let answer = self.call(operation, r);
        async move { answer.await.map(|_| ()) }
    }

    /// The id of the resource a generated `POST` created.
    pub(crate) fn created<'a, T: 'a>(
        &'a self,
        operation: &'a str,
        r: impl Future<Output = Raw<T>> + 'a,
    ) -> impl Future<Output = Result<i32>> + 'a {
        let answer = self.call(operation, r);
        async move { created_id(&answer.await?) }
    }
}

/// The page size a listing asks for: the caller's (at least 1), or [`PAGE_SIZE`].
pub(crate) fn page_size(n: Option<u32>) -> Result<u32> {
    match n {
        None => Ok(PAGE_SIZE as u32),
        Some(0) => Err(Error::invalid_input(
            Some("limit"),
            "the page size must be at least 1",
        )),
        Some(n) => Ok(n),
    }
}

/// An offset or limit as the API's 32-bit integer.
pub(crate) fn window(n: u64) -> Result<i32> {
    i32::try_from(n)
        .map_err(|_| Error::invalid_input(Some("offset"), "beyond the API's 32-bit range"))
}
