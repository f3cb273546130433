//! The simulator's builder: tenants, token lifetime, registration, the resource claims; and
//! starting it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edu_common::mock::TokenDesk;
use serde_json::json;

use super::db::Db;
use super::handler::Handler;
use super::seed::{self, ResourceClaim};
use super::simulator::Simulator;
use super::state::{State, Tenant};
use super::{CLIENT_ID, CLIENT_SECRET};

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    token_lifetime: Duration,
    tenants: Vec<String>,
    reset_enabled: bool,
    registration: bool,
    port: Option<u16>,
    claims: Option<Vec<ResourceClaim>>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            token_lifetime: Duration::from_secs(30 * 60),
            tenants: Vec::new(),
            reset_enabled: true,
            registration: true,
            port: None,
            claims: None,
        }
    }
}

impl SimulatorBuilder {
    /// The lifetime of issued tokens (the server's is 30 minutes).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Multi-tenant mode with these tenants: requests choose one with the `tenant` header, and each
    /// has its own data, registered clients and tokens.
    pub fn tenants<I, S>(mut self, tenants: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenants = tenants.into_iter().map(Into::into).collect();
        self
    }

    /// Whether `PUT /v2/applications/{id}/reset-credential` is enabled (the server's
    /// `EnableApplicationResetEndpoint`; on by default here, off by default on a real server).
    pub fn application_reset(mut self, enabled: bool) -> Self {
        self.reset_enabled = enabled;
        self
    }

    /// Whether `POST /connect/register` is allowed (the server's `AllowRegistration`).
    pub fn registration(mut self, allowed: bool) -> Self {
        self.registration = allowed;
        self
    }

    /// The security model's resource-claim hierarchy, instead of the default (the shape of an
    /// ODS/API 7.x deployment: `educationStandards`, `publicationStatusDescriptor`, `candidate`
    /// and the rest). Claim-set import, resource-claim filters and their errors then follow this
    /// hierarchy. [`ResourceClaim::from_tree`] reads one exported from a real deployment
    /// (`GET /v2/resourceClaims`). Checked when the simulator starts: a parent that is not in
    /// the hierarchy is an `InvalidInput` error from [`try_start`](Self::try_start).
    pub fn resource_claims(mut self, claims: impl IntoIterator<Item = ResourceClaim>) -> Self {
        self.claims = Some(claims.into_iter().collect());
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen (or why its settings are wrong).
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let hierarchy = match self.claims.clone() {
            None => seed::Hierarchy::ods7(),
            Some(claims) => seed::Hierarchy::custom(claims)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?,
        };
        let multi_tenant = !self.tenants.is_empty();
        let names = if multi_tenant {
            self.tenants.clone()
        } else {
            vec!["default".to_owned()]
        };
        let tenants = names
            .into_iter()
            .map(|name| {
                let clients = HashMap::from([(CLIENT_ID.to_owned(), CLIENT_SECRET.to_owned())]);
                let db = Db::new(self.reset_enabled, hierarchy.clone());
                (name, Tenant { clients, db })
            })
            .collect();
        let state = Arc::new(Mutex::new(State {
            multi_tenant,
            registration: self.registration,
            tenants,
            tokens: TokenDesk::new("edfi-sim-token", self.token_lifetime),
            served: BTreeSet::new(),
        }));
        let bound = edu_common::mock::bind(self.port).await?;
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| !req.url.path().ends_with("/connect/token"),
            |_, message| json!({ "message": message }),
        ));
        Ok(Simulator {
            server,
            state,
            first_tenant: self.tenants.first().cloned(),
            faults,
        })
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts a single-tenant simulator with 30-minute tokens.
    pub async fn start() -> Simulator {
        Self::builder().start().await
    }

    /// Starts a single-tenant simulator with tokens of the given lifetime.
    pub async fn start_with_token_lifetime(lifetime: Duration) -> Simulator {
        Self::builder().token_lifetime(lifetime).start().await
    }
}
