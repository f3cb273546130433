//! A running simulator and its controls.

use std::sync::{Arc, Mutex, MutexGuard};

use super::state::State;
use super::{CLIENT_ID, CLIENT_SECRET};
use crate::Client;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    pub(super) server: edu_common::mock::SimServer,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) faults: edu_common::mock::Faults,
}

impl Simulator {
    /// The host root to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// A client for this simulator.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .client_credentials(CLIENT_ID, CLIENT_SECRET)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// The generated district's id.
    pub fn district_id(&self) -> String {
        self.lock().district["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// How many students the district has.
    pub fn student_count(&self) -> usize {
        self.lock().collections.get("students").map_or(0, Vec::len)
    }

    /// Expires every token issued so far (the next API request gets 401).
    pub fn expire_tokens(&self) {
        self.lock().tokens.expire_all();
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.lock().tokens.issued()
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
