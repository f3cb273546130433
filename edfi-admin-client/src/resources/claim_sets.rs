//! `/v2/claimSets`: claim sets, their resource claims' actions and authorization strategies.

use edu_common::Result;

use crate::client::Client;
use crate::generated::types;

/// `[{name, enabled: true}, ...]` for the named actions (`Create`, `Read`, `Update`, `Delete`,
/// `ReadChanges`).
///
/// ```
/// let actions = edfi_admin_client::resources::enabled_actions(["Read", "Update"]);
/// assert_eq!(actions[1].name.as_deref(), Some("Update"));
/// ```
pub fn enabled_actions<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<types::ResourceClaimAction> {
    names
        .into_iter()
        .map(|n| types::ResourceClaimAction {
            name: Some(n.to_owned()),
            enabled: Some(true),
            ..Default::default()
        })
        .collect()
}

/// `/v2/claimSets`: named sets of permissions on resource claims, given to applications.
#[derive(Debug, Clone, Copy)]
pub struct ClaimSets<'a> {
    pub(crate) client: &'a Client,
}

impl ClaimSets<'_> {
    /// Every claim set, ordered by name.
    pub fn list(&self) -> crate::operations::ListClaimSets {
        crate::operations::ListClaimSets::new(self.client.clone())
    }

    /// The claim set with this name (applications name their claim set; this finds its id).
    pub async fn by_name(&self, name: &str) -> Result<Option<types::ClaimSetModel>> {
        use futures::TryStreamExt as _;
        let mut found = self.list().name(name).stream();
        while let Some(c) = found.try_next().await? {
            if c.name.as_deref() == Some(name) {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }

    /// Creates an empty claim set; returns its id.
    pub async fn create(&self, name: impl Into<String>) -> Result<i32> {
        let name = name.into();
        let r = crate::operations::PostClaimSets::new(self.client)
            .name(name)
            .into_request()?;
        self.client.created(r).await
    }

    /// One claim set with its resource claims.
    pub async fn get(&self, id: i32) -> Result<types::ClaimSetDetailsModel> {
        let r = crate::operations::GetClaimSetsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Renames a claim set (system-reserved ones cannot be changed).
    pub async fn rename(&self, id: i32, name: impl Into<String>) -> Result<()> {
        let name = name.into();
        let r = crate::operations::PutClaimSetsById::new(self.client, id)
            .name(name)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Deletes a claim set (not one that is system reserved or used by applications).
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteClaimSetsById::new(self.client, id).into_request()?;
        self.client.unit(r).await
    }

    /// Copies a claim set under a new name; returns the copy's id.
    pub async fn copy(&self, original_id: i32, name: impl Into<String>) -> Result<i32> {
        let name = name.into();
        let r = crate::operations::PostClaimSetsCopy::new(self.client)
            .original_id(original_id)
            .name(name)
            .into_request()?;
        self.client.created(r).await
    }

    /// Exports a claim set with its resource claims.
    pub async fn export(&self, id: i32) -> Result<types::ClaimSetDetailsModel> {
        let r = crate::operations::GetClaimSetsExportById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Imports an exported claim set under `name`; returns the new id.
    pub async fn import(
        &self,
        name: impl Into<String>,
        exported: &types::ClaimSetDetailsModel,
    ) -> Result<i32> {
        let (name, claims) = (name.into(), exported.resource_claims.clone());
        let r = crate::operations::PostClaimSetsImport::new(self.client)
            .name(name)
            .resource_claims(claims.unwrap_or_default())
            .into_request()?;
        self.client.created(r).await
    }

    /// Adds a resource claim to the claim set with these actions (see [`enabled_actions`]).
    pub async fn add_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
        actions: Vec<types::ResourceClaimAction>,
    ) -> Result<()> {
        let r = crate::operations::PostClaimSetsResourceClaimActionsByClaimSetId::new(
            self.client,
            claim_set_id,
        )
        .resource_claim_id(resource_claim_id)
        .resource_claim_actions(actions)
        .into_request()?;
        self.client.unit(r).await
    }

    /// Replaces the actions of a resource claim on the claim set.
    pub async fn update_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
        actions: Vec<types::ResourceClaimAction>,
    ) -> Result<()> {
        let r =
            crate::operations::PutClaimSetsResourceClaimActionsByClaimSetIdByResourceClaimId::new(
                self.client,
                claim_set_id,
                resource_claim_id,
            )
            .resource_claim_actions(actions)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Removes a resource claim from the claim set.
    pub async fn remove_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
    ) -> Result<()> {
        let r = crate::operations::DeleteClaimSetsResourceClaimActionsByClaimSetIdByResourceClaimId::new(self.client, claim_set_id, resource_claim_id).into_request()?;
        self.client.unit(r).await
    }

    /// Overrides the authorization strategies of one action of a resource claim on the claim set
    /// (strategies by name, e.g. `NoFurtherAuthorizationRequired`).
    pub async fn override_authorization_strategy(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
        action: impl Into<String>,
        strategies: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<()> {
        let (action, strategies): (String, Vec<String>) = (
            action.into(),
            strategies.into_iter().map(Into::into).collect(),
        );
        let r = crate::operations::PostClaimSetsResourceClaimActionsOverrideAuthorizationStrategyByClaimSetIdByResourceClaimId::new(self.client, claim_set_id, resource_claim_id).action_name(action).authorization_strategies(strategies).into_request()?;
        self.client.unit(r).await
    }

    /// Drops a resource claim's overrides on the claim set, back to the default strategies.
    pub async fn reset_authorization_strategies(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
    ) -> Result<()> {
        let r = crate::operations::PostClaimSetsResourceClaimActionsResetAuthorizationStrategiesByClaimSetIdByResourceClaimId::new(self.client, claim_set_id, resource_claim_id).into_request()?;
        self.client.unit(r).await
    }
}
