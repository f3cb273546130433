//! `/v2/claimSets`: claim sets, their resource claims' actions and authorization strategies.

use edu_common::Result;

use crate::Client;
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
        let r = self.client.raw().list_claim_sets().name(name).send();
        let found = self.client.value("listClaimSets", r).await?;
        Ok(found.into_iter().find(|c| c.name.as_deref() == Some(name)))
    }

    /// Creates an empty claim set; returns its id.
    pub async fn create(&self, name: impl Into<String>) -> Result<i32> {
        let name = name.into();
        let r = self
            .client
            .raw()
            .post_claim_sets()
            .body_map(|b| b.name(name))
            .send();
        self.client.created("postClaimSets", r).await
    }

    /// One claim set with its resource claims.
    pub async fn get(&self, id: i32) -> Result<types::ClaimSetDetailsModel> {
        let r = self.client.raw().get_claim_sets_by_id().id(id).send();
        self.client.value("getClaimSetsById", r).await
    }

    /// Renames a claim set (system-reserved ones cannot be changed).
    pub async fn rename(&self, id: i32, name: impl Into<String>) -> Result<()> {
        let name = name.into();
        let r = self
            .client
            .raw()
            .put_claim_sets_by_id()
            .id(id)
            .body_map(|b| b.name(name))
            .send();
        self.client.unit("putClaimSetsById", r).await
    }

    /// Deletes a claim set (not one that is system reserved or used by applications).
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self.client.raw().delete_claim_sets_by_id().id(id).send();
        self.client.unit("deleteClaimSetsById", r).await
    }

    /// Copies a claim set under a new name; returns the copy's id.
    pub async fn copy(&self, original_id: i32, name: impl Into<String>) -> Result<i32> {
        let name = name.into();
        let r = self
            .client
            .raw()
            .post_claim_sets_copy()
            .body_map(|b| b.original_id(original_id).name(name))
            .send();
        self.client.created("postClaimSetsCopy", r).await
    }

    /// Exports a claim set with its resource claims.
    pub async fn export(&self, id: i32) -> Result<types::ClaimSetDetailsModel> {
        let r = self
            .client
            .raw()
            .get_claim_sets_export_by_id()
            .id(id)
            .send();
        self.client.value("getClaimSetsExportById", r).await
    }

    /// Imports an exported claim set under `name`; returns the new id.
    pub async fn import(
        &self,
        name: impl Into<String>,
        exported: &types::ClaimSetDetailsModel,
    ) -> Result<i32> {
        let (name, claims) = (name.into(), exported.resource_claims.clone());
        let r = self
            .client
            .raw()
            .post_claim_sets_import()
            .body_map(|b| b.name(name).resource_claims(claims.unwrap_or_default()))
            .send();
        self.client.created("postClaimSetsImport", r).await
    }

    /// Adds a resource claim to the claim set with these actions (see [`enabled_actions`]).
    pub async fn add_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
        actions: Vec<types::ResourceClaimAction>,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .post_claim_sets_resource_claim_actions_by_claim_set_id()
            .claim_set_id(claim_set_id)
            .body_map(|b| {
                b.resource_claim_id(Some(resource_claim_id))
                    .resource_claim_actions(actions)
            })
            .send();
        self.client
            .unit("postClaimSetsResourceClaimActionsByClaimSetId", r)
            .await
    }

    /// Replaces the actions of a resource claim on the claim set.
    pub async fn update_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
        actions: Vec<types::ResourceClaimAction>,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .put_claim_sets_resource_claim_actions_by_claim_set_id_by_resource_claim_id()
            .claim_set_id(claim_set_id)
            .resource_claim_id(resource_claim_id)
            .body_map(|b| b.resource_claim_actions(actions))
            .send();
        self.client
            .unit(
                "putClaimSetsResourceClaimActionsByClaimSetIdByResourceClaimId",
                r,
            )
            .await
    }

    /// Removes a resource claim from the claim set.
    pub async fn remove_resource_claim(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .delete_claim_sets_resource_claim_actions_by_claim_set_id_by_resource_claim_id()
            .claim_set_id(claim_set_id)
            .resource_claim_id(resource_claim_id)
            .send();
        self.client
            .unit(
                "deleteClaimSetsResourceClaimActionsByClaimSetIdByResourceClaimId",
                r,
            )
            .await
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
        let r = self
            .client
            .raw()
            .post_claim_sets_resource_claim_actions_override_authorization_strategy_by_claim_set_id_by_resource_claim_id()
            .claim_set_id(claim_set_id)
            .resource_claim_id(resource_claim_id)
            .body_map(|b| b.action_name(Some(action)).authorization_strategies(strategies))
            .send();
        self.client
            .unit(
                "postClaimSetsResourceClaimActionsOverrideAuthorizationStrategyByClaimSetIdByResourceClaimId",
                r,
            )
            .await
    }

    /// Drops a resource claim's overrides on the claim set, back to the default strategies.
    pub async fn reset_authorization_strategies(
        &self,
        claim_set_id: i32,
        resource_claim_id: i32,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .post_claim_sets_resource_claim_actions_reset_authorization_strategies_by_claim_set_id_by_resource_claim_id()
            .claim_set_id(claim_set_id)
            .resource_claim_id(resource_claim_id)
            .send();
        self.client
            .unit(
                "postClaimSetsResourceClaimActionsResetAuthorizationStrategiesByClaimSetIdByResourceClaimId",
                r,
            )
            .await
    }
}
