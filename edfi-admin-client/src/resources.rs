//! Resource handlers on top of the generated client: created ids from `Location`, credentials as
//! secrets, and every list as an offset stream.

use edu_common::paginate::{self, ItemStream};
use edu_common::{Result, secrecy::SecretString};

use crate::Client;
use crate::client::created_id;
use crate::generated::types;

/// A new vendor.
pub type NewVendor = types::AddVendorRequest;
/// A new application.
pub type NewApplication = types::AddApplicationRequest;

impl types::AddVendorRequest {
    /// A vendor with its company and contact.
    pub fn new(
        company: impl Into<String>,
        contact_name: impl Into<String>,
        contact_email: impl Into<String>,
    ) -> Self {
        types::AddVendorRequest {
            company: company.into(),
            contact_name: contact_name.into(),
            contact_email_address: contact_email.into(),
            namespace_prefixes: None,
        }
    }
}

/// Credentials of an application or API client: the key, and the secret as a secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The id of the application (or API client).
    pub id: i32,
    /// The key (client id for the ODS/API).
    pub key: String,
    /// The secret, shown by the server only once.
    pub secret: SecretString,
}

fn credentials(r: types::ApplicationResult, fallback_id: Option<i32>) -> Result<Credentials> {
    match (r.id.or(fallback_id), r.key, r.secret) {
        (Some(id), Some(key), Some(secret)) => Ok(Credentials {
            id,
            key,
            secret: SecretString::from(secret),
        }),
        _ => Err(edu_common::Error::Decode(Box::new(
            edu_common::DecodeError::new(
                "application credentials",
                "",
                "the response lacks id, key or secret",
                b"",
            ),
        ))),
    }
}

/// The page size the list streams use.
pub const PAGE_SIZE: u64 = 100;

/// Any Admin API list as a stream: `fetch(client, offset, limit)` makes one generated call.
pub fn offset_stream<T, F, Fut>(client: &Client, fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: Fn(Client, i32, i32) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Vec<T>>> + Send + 'static,
{
    let client = client.clone();
    paginate::items(paginate::offset_pages(
        0,
        PAGE_SIZE,
        move |offset, limit| fetch(client.clone(), offset as i32, limit as i32),
    ))
}

/// `/v2/vendors`.
#[derive(Debug, Clone, Copy)]
pub struct Vendors<'a> {
    pub(crate) client: &'a Client,
}

impl Vendors<'_> {
    /// Creates a vendor; returns its id (from the `Location` header).
    pub async fn create(&self, vendor: &NewVendor) -> Result<i32> {
        let r = self
            .client
            .raw()
            .post_vendors()
            .body(vendor.clone())
            .send()
            .await;
        created_id(&self.client.call("postVendors", r).await?)
    }

    /// One vendor.
    pub async fn get(&self, id: i32) -> Result<types::VendorModel> {
        let r = self.client.raw().get_vendors_by_id().id(id).send().await;
        Ok(self.client.call("getVendorsById", r).await?.into_inner())
    }

    /// Deletes a vendor.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self.client.raw().delete_vendors_by_id().id(id).send().await;
        self.client.call("deleteVendorsById", r).await.map(|_| ())
    }

    /// Every vendor, `PAGE_SIZE` at a time, ordered by `order_by` (the server's default when `None`).
    pub fn list(&self, order_by: Option<&str>) -> ItemStream<types::VendorModel> {
        let order_by = order_by.map(str::to_owned);
        offset_stream(self.client, move |client, offset, limit| {
            let order_by = order_by.clone();
            async move {
                let mut b = client.raw().list_vendors().offset(offset).limit(limit);
                if let Some(o) = order_by {
                    b = b.order_by(o);
                }
                Ok(client
                    .call("listVendors", b.send().await)
                    .await?
                    .into_inner())
            }
        })
    }

    /// The vendor's applications.
    pub async fn applications(&self, id: i32) -> Result<Vec<types::ApplicationModel>> {
        let r = self
            .client
            .raw()
            .get_vendors_applications_by_id()
            .id(id)
            .send()
            .await;
        Ok(self
            .client
            .call("getVendorsApplicationsById", r)
            .await?
            .into_inner())
    }
}

/// `/v2/applications`.
#[derive(Debug, Clone, Copy)]
pub struct Applications<'a> {
    pub(crate) client: &'a Client,
}

impl Applications<'_> {
    /// Creates an application; returns its id, key and secret.
    pub async fn create(&self, app: &NewApplication) -> Result<Credentials> {
        let r = self
            .client
            .raw()
            .post_applications()
            .body(app.clone())
            .send()
            .await;
        let rv = self.client.call("postApplications", r).await?;
        let id = created_id(&rv).ok();
        credentials(rv.into_inner(), id)
    }

    /// Issues a new key and secret.
    pub async fn reset_credential(&self, id: i32) -> Result<Credentials> {
        let r = self
            .client
            .raw()
            .put_applications_reset_credential_by_id()
            .id(id)
            .send()
            .await;
        credentials(
            self.client
                .call("putApplicationsResetCredentialById", r)
                .await?
                .into_inner(),
            Some(id),
        )
    }

    /// One application.
    pub async fn get(&self, id: i32) -> Result<types::ApplicationModel> {
        let r = self
            .client
            .raw()
            .get_applications_by_id()
            .id(id)
            .send()
            .await;
        Ok(self
            .client
            .call("getApplicationsById", r)
            .await?
            .into_inner())
    }

    /// Deletes an application.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self
            .client
            .raw()
            .delete_applications_by_id()
            .id(id)
            .send()
            .await;
        self.client
            .call("deleteApplicationsById", r)
            .await
            .map(|_| ())
    }

    /// Every application.
    pub fn list(&self) -> ItemStream<types::ApplicationModel> {
        offset_stream(self.client, |client, offset, limit| async move {
            let b = client.raw().list_applications().offset(offset).limit(limit);
            Ok(client
                .call("listApplications", b.send().await)
                .await?
                .into_inner())
        })
    }
}

/// `/v2/claimSets`.
#[derive(Debug, Clone, Copy)]
pub struct ClaimSets<'a> {
    pub(crate) client: &'a Client,
}

impl ClaimSets<'_> {
    /// Every claim set.
    pub fn list(&self) -> ItemStream<types::ClaimSetModel> {
        offset_stream(self.client, |client, offset, limit| async move {
            let b = client.raw().list_claim_sets().offset(offset).limit(limit);
            Ok(client
                .call("listClaimSets", b.send().await)
                .await?
                .into_inner())
        })
    }

    /// Copies a claim set under a new name; returns the copy's id.
    pub async fn copy(&self, original_id: i32, name: impl Into<String>) -> Result<i32> {
        let body = types::CopyClaimSetRequest {
            original_id,
            name: name.into(),
        };
        let r = self
            .client
            .raw()
            .post_claim_sets_copy()
            .body(body)
            .send()
            .await;
        created_id(&self.client.call("postClaimSetsCopy", r).await?)
    }

    /// Exports a claim set with its resource claims.
    pub async fn export(&self, id: i32) -> Result<types::ClaimSetDetailsModel> {
        let r = self
            .client
            .raw()
            .get_claim_sets_export_by_id()
            .id(id)
            .send()
            .await;
        Ok(self
            .client
            .call("getClaimSetsExportById", r)
            .await?
            .into_inner())
    }

    /// Imports an exported claim set under `name`; returns the new id.
    pub async fn import(
        &self,
        name: impl Into<String>,
        exported: &types::ClaimSetDetailsModel,
    ) -> Result<i32> {
        let body = types::ImportClaimSetRequest {
            name: name.into(),
            resource_claims: exported.resource_claims.clone().unwrap_or_default(),
        };
        let r = self
            .client
            .raw()
            .post_claim_sets_import()
            .body(body)
            .send()
            .await;
        created_id(&self.client.call("postClaimSetsImport", r).await?)
    }

    /// Deletes a claim set.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self
            .client
            .raw()
            .delete_claim_sets_by_id()
            .id(id)
            .send()
            .await;
        self.client.call("deleteClaimSetsById", r).await.map(|_| ())
    }
}
