//! A running simulator and what a test can ask of it.

use std::sync::{Arc, Mutex};

use super::state::API_KEY;
use super::state::State;
use super::webhooks::WebhookSecrets;
use crate::Client;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    pub(super) server: edu_common::mock::SimServer,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) faults: edu_common::mock::Faults,
}

impl Simulator {
    /// The main API's base URL.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.server.uri())
    }

    /// The Organization API's base URL.
    pub fn organization_base_url(&self) -> String {
        format!("{}/api/organization", self.server.uri())
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &'static str {
        API_KEY
    }

    /// A client for this simulator (with the default client-side limit).
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .api_key(API_KEY)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// The operation ids of the spec that requests have reached (past authentication, the
    /// limiter and validation), in the order first reached.
    pub fn operations_served(&self) -> Vec<&'static str> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.served.clone()
    }

    /// The secrets of a webhook registered through `POST /webhooks` (give them to your
    /// receiver's verifier), or `None` for an unknown or seeded one.
    pub fn webhook_secrets(&self, webhook_id: &str) -> Option<WebhookSecrets> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.hooks().secrets(webhook_id)
    }

    /// Rotates a webhook's secrets as Eduframe's UI does: the primary becomes the secondary and
    /// a new primary is made. Deliveries from then on carry both signatures.
    pub fn rotate_webhook_secrets(&self, webhook_id: &str) -> Option<WebhookSecrets> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.hooks().rotate(webhook_id)
    }

    /// How many requests the server's own rate limit answered 429 (of the
    /// [`api_requests`](Self::api_requests) received).
    pub fn throttled(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .throttled
    }
}
