//! `/v2/vendors`.

use edu_common::Result;

use crate::client::Client;
use crate::generated::types;
use crate::operations::{PostVendors, PutVendorsById};

/// A new vendor.
pub type NewVendor = types::AddVendorRequest;

impl types::AddVendorRequest {
    /// A vendor with its company and contact (and no namespace prefixes).
    pub fn new(
        company: impl Into<String>,
        contact_name: impl Into<String>,
        contact_email: impl Into<String>,
    ) -> Self {
        types::AddVendorRequest::builder()
            .company(company.into())
            .contact_name(contact_name.into())
            .contact_email_address(contact_email.into())
            .try_into()
            .unwrap_or_else(|e| unreachable!("every required field is set: {e}"))
    }
}

/// `/v2/vendors`: the organisations that own applications.
#[derive(Debug, Clone, Copy)]
pub struct Vendors<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Vendors<'a> {
    /// Every vendor: a listing with typed filters (`company`, `order_by`, `direction`...).
    pub fn list(&self) -> crate::operations::ListVendors {
        crate::operations::ListVendors::new(self.client.clone())
    }

    /// Creates a vendor; returns its id (from the `Location` header).
    pub async fn create(&self, vendor: &NewVendor) -> Result<i32> {
        self.create_with(|v| v.body(vendor)).await
    }

    /// Creates a vendor written field by field; returns its id:
    /// `client.vendors().create_with(|v| v.company("Acme").contact_name("Ann").contact_email_address("ann@acme.example"))`.
    pub async fn create_with(
        &self,
        build: impl FnOnce(PostVendors<'a>) -> PostVendors<'a>,
    ) -> Result<i32> {
        let r = build(PostVendors::new(self.client)).into_request()?;
        self.client.created(r).await
    }

    /// One vendor.
    pub async fn get(&self, id: i32) -> Result<types::VendorModel> {
        let r = crate::operations::GetVendorsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces a vendor's company, contact and namespace prefixes.
    pub async fn update(&self, id: i32, vendor: &types::EditVendorRequest) -> Result<()> {
        self.update_with(id, |v| v.body(vendor)).await
    }

    /// Replaces a vendor written field by field (`.clear_namespace_prefixes()` sends `null`).
    pub async fn update_with(
        &self,
        id: i32,
        build: impl FnOnce(PutVendorsById<'a>) -> PutVendorsById<'a>,
    ) -> Result<()> {
        build(PutVendorsById::new(self.client, id)).send().await
    }

    /// Deletes a vendor (and, on the server, its applications).
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteVendorsById::new(self.client, id).into_request()?;
        self.client.unit(r).await
    }

    /// The vendor's applications.
    pub fn applications(&self, id: i32) -> crate::operations::GetVendorsApplicationsById {
        crate::operations::GetVendorsApplicationsById::new(self.client.clone(), id)
    }
}
