//! The read-only security model: actions, authorization strategies, resource claims.

use edu_common::Result;

use crate::client::Client;
use crate::generated::types;

/// The security model claim sets are built from: `/v2/actions`, `/v2/authorizationStrategies`,
/// `/v2/resourceClaims`, `/v2/resourceClaimActions` and `/v2/resourceClaimActionAuthStrategies`.
#[derive(Debug, Clone, Copy)]
pub struct Security<'a> {
    pub(crate) client: &'a Client,
}

impl Security<'_> {
    /// The actions (`Create`, `Read`, ...).
    pub fn actions(&self) -> crate::operations::ListActions {
        crate::operations::ListActions::new(self.client.clone())
    }

    /// The authorization strategies.
    pub fn authorization_strategies(&self) -> crate::operations::ListAuthorizationStrategies {
        crate::operations::ListAuthorizationStrategies::new(self.client.clone())
    }

    /// The top-level resource claims, each with its tree of children (the server pages the
    /// top level).
    pub fn resource_claims(&self) -> crate::operations::ListResourceClaims {
        crate::operations::ListResourceClaims::new(self.client.clone())
    }

    /// One resource claim with its parent's name and its children.
    pub async fn resource_claim(&self, id: i32) -> Result<types::ResourceClaimModel> {
        let r = crate::operations::GetResourceClaimsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// The actions each resource claim supports.
    pub fn resource_claim_actions(&self) -> crate::operations::ListResourceClaimActions {
        crate::operations::ListResourceClaimActions::new(self.client.clone())
    }

    /// The default authorization strategies of each resource claim, per action.
    pub fn resource_claim_action_auth_strategies(
        &self,
    ) -> crate::operations::ListResourceClaimActionAuthStrategies {
        crate::operations::ListResourceClaimActionAuthStrategies::new(self.client.clone())
    }
}
