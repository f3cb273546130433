//! `/v2/applications`.

use edu_common::Result;

use super::ApplicationCredentials;
use crate::client::Client;
use crate::generated::types;
use crate::operations::{PostApplications, PutApplicationsById};

/// A new application.
pub type NewApplication = types::AddApplicationRequest;

impl types::AddApplicationRequest {
    /// An application of vendor `vendor_id` under claim set `claim_set_name`, for these education
    /// organizations and ODS instances (enabled, no profiles).
    ///
    /// ```
    /// let app = edfi_admin_client::NewApplication::new("SIS sync", 17, "SIS Vendor", [255901], [1]);
    /// assert_eq!(app.vendor_id, 17);
    /// ```
    pub fn new(
        name: impl Into<String>,
        vendor_id: i32,
        claim_set_name: impl Into<String>,
        education_organization_ids: impl IntoIterator<Item = i64>,
        ods_instance_ids: impl IntoIterator<Item = i32>,
    ) -> Self {
        types::AddApplicationRequest::builder()
            .application_name(name.into())
            .vendor_id(vendor_id)
            .claim_set_name(claim_set_name.into())
            .education_organization_ids(education_organization_ids.into_iter().collect::<Vec<_>>())
            .ods_instance_ids(ods_instance_ids.into_iter().collect::<Vec<_>>())
            .try_into()
            .unwrap_or_else(|e| unreachable!("every required field is set: {e}"))
    }
}

/// `/v2/applications`: a vendor's access to ODS instances under a claim set.
#[derive(Debug, Clone, Copy)]
pub struct Applications<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> Applications<'a> {
    /// Every application, ordered by name: a listing with typed filters (`ids`, `application_name`...).
    pub fn list(&self) -> crate::operations::ListApplications {
        crate::operations::ListApplications::new(self.client.clone())
    }

    /// Creates an application; returns its id, key and secret.
    pub async fn create(&self, app: &NewApplication) -> Result<ApplicationCredentials> {
        self.create_with(|a| a.body(app)).await
    }

    /// Creates an application written field by field; returns its id, key and secret:
    /// `.create_with(|a| a.application_name("SIS sync").vendor_id(17).claim_set_name("SIS Vendor").education_organization_ids([255901]).ods_instance_ids([1]))`.
    pub async fn create_with(
        &self,
        build: impl FnOnce(PostApplications<'a>) -> PostApplications<'a>,
    ) -> Result<ApplicationCredentials> {
        let r = build(PostApplications::new(self.client)).into_request()?;
        let rv: edu_common::ApiResponse<types::ApplicationResult> = self.client.call(r).await?;
        let located = crate::location::created_id(&rv.headers).ok();
        let body = rv.value;
        ApplicationCredentials::from_parts(
            "applicationResult",
            body.id.or(located),
            body.key,
            body.secret,
        )
    }

    /// One application.
    pub async fn get(&self, id: i32) -> Result<types::ApplicationModel> {
        let r = crate::operations::GetApplicationsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces an application's settings.
    pub async fn update(&self, id: i32, app: &types::EditApplicationRequest) -> Result<()> {
        self.update_with(id, |a| a.body(app)).await
    }

    /// Replaces an application written field by field (`.clear_profile_ids()` sends `null`).
    pub async fn update_with(
        &self,
        id: i32,
        build: impl FnOnce(PutApplicationsById<'a>) -> PutApplicationsById<'a>,
    ) -> Result<()> {
        build(PutApplicationsById::new(self.client, id))
            .send()
            .await
    }

    /// Deletes an application and its API clients.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteApplicationsById::new(self.client, id).into_request()?;
        self.client.unit(r).await
    }

    /// Issues a new key and secret (the server must have `EnableApplicationResetEndpoint`).
    pub async fn reset_credential(&self, id: i32) -> Result<ApplicationCredentials> {
        let r = crate::operations::PutApplicationsResetCredentialById::new(self.client, id)
            .into_request()?;
        let body: types::ApplicationResult = self.client.value(r).await?;
        ApplicationCredentials::from_parts(
            "applicationResult",
            body.id.or(Some(id)),
            body.key,
            body.secret,
        )
    }
}
