//! `/v2/apiclients`.

use edu_common::Result;

use super::ApplicationCredentials;
use crate::Client;
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
        let r = self
            .client
            .raw()
            .post_apiclients()
            .body(api_client.clone())
            .send();
        let rv = self.client.call("postApiclients", r).await?;
        let located = crate::location::created_id(&rv).ok();
        let body = rv.into_inner();
        ApplicationCredentials::from_parts(
            "apiClientResult",
            body.id.or(located),
            body.key,
            body.secret,
        )
    }

    /// One API client.
    pub async fn get(&self, id: i32) -> Result<types::ApiClientModel> {
        let r = self.client.raw().get_apiclients_by_id().id(id).send();
        self.client.value("getApiclientsById", r).await
    }

    /// Replaces an API client's name, approval and ODS instances.
    pub async fn update(&self, id: i32, api_client: &types::EditApiClientRequest) -> Result<()> {
        let r = self
            .client
            .raw()
            .put_apiclients_by_id()
            .id(id)
            .body(api_client.clone())
            .send();
        self.client.unit("putApiclientsById", r).await
    }

    /// Deletes an API client.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self.client.raw().delete_apiclients_by_id().id(id).send();
        self.client.unit("deleteApiclientsById", r).await
    }

    /// Issues a new key and secret.
    pub async fn reset_credential(&self, id: i32) -> Result<ApplicationCredentials> {
        let r = self
            .client
            .raw()
            .put_apiclients_reset_credential_by_id()
            .id(id)
            .send();
        let body = self
            .client
            .value("putApiclientsResetCredentialById", r)
            .await?;
        ApplicationCredentials::from_parts(
            "apiClientResult",
            body.id.or(Some(id)),
            body.key,
            body.secret,
        )
    }
}
