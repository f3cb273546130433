//! `/v2/apiclients`.

use edu_common::Result;

use super::ApplicationCredentials;
use crate::client::Client;
use crate::generated::types;

/// `/v2/apiclients`: the keys of an application (one is made with the application; more can be
/// added per ODS instance).
#[derive(Debug, Clone, Copy)]
pub struct ApiClients<'a> {
    pub(crate) client: &'a Client,
}

impl ApiClients<'_> {
    /// The API clients of one application (the server does not page this list): `.send().await`
    /// for all of them, or `.stream()`.
    pub fn list(&self, application_id: i32) -> crate::operations::ListApiclients {
        crate::operations::ListApiclients::new(self.client.clone(), application_id)
    }

    /// Creates an API client; returns its id, key and secret.
    pub async fn create(
        &self,
        api_client: &types::AddApiClientRequest,
    ) -> Result<ApplicationCredentials> {
        let r = crate::operations::PostApiclients::new(self.client)
            .body(api_client)
            .into_request()?;
        let rv: edu_common::ApiResponse<types::ApiClientResult> = self.client.call(r).await?;
        let located = crate::location::created_id(&rv.headers).ok();
        let body = rv.value;
        ApplicationCredentials::from_parts(
            "apiClientResult",
            body.id.or(located),
            body.key,
            body.secret,
        )
    }

    /// One API client.
    pub async fn get(&self, id: i32) -> Result<types::ApiClientModel> {
        let r = crate::operations::GetApiclientsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces an API client's name, approval and ODS instances.
    pub async fn update(&self, id: i32, api_client: &types::EditApiClientRequest) -> Result<()> {
        let r = crate::operations::PutApiclientsById::new(self.client, id)
            .body(api_client)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Deletes an API client.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteApiclientsById::new(self.client, id).into_request()?;
        self.client.unit(r).await
    }

    /// Issues a new key and secret.
    pub async fn reset_credential(&self, id: i32) -> Result<ApplicationCredentials> {
        let r = crate::operations::PutApiclientsResetCredentialById::new(self.client, id)
            .into_request()?;
        let body: types::ApiClientResult = self.client.value(r).await?;
        ApplicationCredentials::from_parts(
            "apiClientResult",
            body.id.or(Some(id)),
            body.key,
            body.secret,
        )
    }
}
