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

use edu_common::{ApiResponse, DecodeError, Error, RequestBuilder, Result, secrecy::SecretString};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::generated::types;
use crate::location::created_id;

pub use api_clients::ApiClients;
pub use applications::{Applications, NewApplication};
pub use claim_sets::{ClaimSets, enabled_actions};
pub use ods_instances::{OdsInstanceContexts, OdsInstanceDerivatives, OdsInstances};
pub use profiles::Profiles;
pub use security::Security;
pub use tenants::Tenants;
pub use vendors::{NewVendor, Vendors};

pub use crate::paging::PAGE_SIZE;

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

/// The handlers, one per resource: how a caller reaches every operation.
impl Client {
    /// `GET /`: the server's version and build (no token needed).
    pub async fn information(&self) -> Result<types::InformationResult> {
        let r = crate::operations::GetInformation::new(self).into_request()?;
        self.value(r).await
    }

    /// `/v2/vendors`.
    pub fn vendors(&self) -> Vendors<'_> {
        Vendors { client: self }
    }

    /// `/v2/applications`.
    pub fn applications(&self) -> Applications<'_> {
        Applications { client: self }
    }

    /// `/v2/apiclients`.
    pub fn api_clients(&self) -> ApiClients<'_> {
        ApiClients { client: self }
    }

    /// `/v2/claimSets`.
    pub fn claim_sets(&self) -> ClaimSets<'_> {
        ClaimSets { client: self }
    }

    /// `/v2/profiles`.
    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { client: self }
    }

    /// `/v2/odsInstances`.
    pub fn ods_instances(&self) -> OdsInstances<'_> {
        OdsInstances { client: self }
    }

    /// `/v2/odsInstanceContexts`.
    pub fn ods_instance_contexts(&self) -> OdsInstanceContexts<'_> {
        OdsInstanceContexts { client: self }
    }

    /// `/v2/odsInstanceDerivatives`.
    pub fn ods_instance_derivatives(&self) -> OdsInstanceDerivatives<'_> {
        OdsInstanceDerivatives { client: self }
    }

    /// Actions, authorization strategies and resource claims.
    pub fn security(&self) -> Security<'_> {
        Security { client: self }
    }

    /// `/v2/tenants`.
    pub fn tenants(&self) -> Tenants<'_> {
        Tenants { client: self }
    }
}

impl Client {
    /// The body of a successful request, decoded.
    pub(crate) async fn value<T: DeserializeOwned>(&self, r: RequestBuilder) -> Result<T> {
        r.send_json().await
    }

    /// Success of a request whose body does not matter.
    pub(crate) async fn unit(&self, r: RequestBuilder) -> Result<()> {
        r.send_empty().await
    }

    /// The decoded body of a successful request with its headers and report.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        r: RequestBuilder,
    ) -> Result<ApiResponse<T>> {
        r.send_json_with_meta().await
    }

    /// The id of the resource a `POST` created, from the 201's `Location`.
    pub(crate) async fn created(&self, r: RequestBuilder) -> Result<i32> {
        let answer = r.send_bytes().await?;
        created_id(&answer.headers).map_err(|e| e.with_report(Some(answer.report)))
    }
}
