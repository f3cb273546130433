//! The read-only security model: actions, authorization strategies, resource claims.

use edu_common::Result;
use edu_common::paginate::ItemStream;

use crate::Client;
use crate::generated::types;

/// The security model claim sets are built from: `/v2/actions`, `/v2/authorizationStrategies`,
/// `/v2/resourceClaims`, `/v2/resourceClaimActions` and `/v2/resourceClaimActionAuthStrategies`.
#[derive(Debug, Clone, Copy)]
pub struct Security<'a> {
    pub(crate) client: &'a Client,
}

impl Security<'_> {
    /// The actions (`Create`, `Read`, ...).
    pub fn actions(&self) -> ItemStream<types::ActionModel> {
        self.client
            .paged("listActions", |c, offset, limit| async move {
                c.raw()
                    .list_actions()
                    .offset(offset)
                    .limit(limit)
                    .send()
                    .await
            })
    }

    /// The authorization strategies.
    pub fn authorization_strategies(&self) -> ItemStream<types::AuthorizationStrategyModel> {
        self.client.paged(
            "listAuthorizationStrategies",
            |c, offset, limit| async move {
                c.raw()
                    .list_authorization_strategies()
                    .offset(offset)
                    .limit(limit)
                    .send()
                    .await
            },
        )
    }

    /// The top-level resource claims, each with its tree of children (the server pages the
    /// top level).
    pub fn resource_claims(&self) -> ItemStream<types::ResourceClaimModel> {
        self.client
            .paged("listResourceClaims", |c, offset, limit| async move {
                c.raw()
                    .list_resource_claims()
                    .offset(offset)
                    .limit(limit)
                    .send()
                    .await
            })
    }

    /// One resource claim with its parent's name and its children.
    pub async fn resource_claim(&self, id: i32) -> Result<types::ResourceClaimModel> {
        let r = self
            .client
            .raw()
            .get_resource_claims_by_id()
            .id(id)
            .send()
            .await;
        self.client.value("getResourceClaimsById", r).await
    }

    /// The actions each resource claim supports.
    pub fn resource_claim_actions(&self) -> ItemStream<types::ResourceClaimActionModel> {
        self.client
            .paged("listResourceClaimActions", |c, offset, limit| async move {
                c.raw()
                    .list_resource_claim_actions()
                    .offset(offset)
                    .limit(limit)
                    .send()
                    .await
            })
    }

    /// The default authorization strategies of each resource claim, per action.
    pub fn resource_claim_action_auth_strategies(
        &self,
    ) -> ItemStream<types::ResourceClaimActionAuthStrategyModel> {
        self.client.paged(
            "listResourceClaimActionAuthStrategies",
            |c, offset, limit| async move {
                c.raw()
                    .list_resource_claim_action_auth_strategies()
                    .offset(offset)
                    .limit(limit)
                    .send()
                    .await
            },
        )
    }
}
