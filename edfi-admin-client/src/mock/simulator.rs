//! A running simulator: its address, client, tenants, and what it served.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use crate::client::Client;

use super::state::State;
use super::{BASE_PATH, CLIENT_ID, CLIENT_SECRET};

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    pub(super) server: edu_common::mock::SimServer,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) first_tenant: Option<String>,
    pub(super) faults: edu_common::mock::Faults,
}

impl Simulator {
    /// The base URL to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}{BASE_PATH}", self.server.uri())
    }

    /// The client id registered in every tenant.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The client secret registered in every tenant.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// A client with the pre-registered credentials (for the first tenant in multi-tenant mode).
    pub fn client(&self) -> Client {
        self.client_builder(self.first_tenant.as_deref())
    }

    /// A client for one tenant, with the pre-registered credentials.
    pub fn tenant_client(&self, tenant: &str) -> Client {
        self.client_builder(Some(tenant))
    }

    fn client_builder(&self, tenant: Option<&str>) -> Client {
        let mut b = Client::builder()
            .base_url(self.base_url())
            .client_credentials(CLIENT_ID, CLIENT_SECRET);
        if let Some(t) = tenant {
            b = b.tenant(t);
        }
        b.build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// Expires every token issued so far (the next API request gets 401 and a fresh token).
    pub fn expire_tokens(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .expire_all();
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .issued()
    }

    /// The `(method, route)` pairs answered with a 2xx so far, with ids shown as `{}`
    /// (`("PUT", "/v2/applications/{}/reset-credential")`): what a test has exercised.
    pub fn served_routes(&self) -> BTreeSet<(String, String)> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .served
            .clone()
    }
}
