//! A running simulator: its address, credentials, client, and what its queue and callbacks did.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};

use super::state::State;
use super::worker::lock;
use super::{API_KEY, SIGNING_SECRET};
use crate::Client;

/// A running simulator. Dropping it stops the server; the queue worker ends with it.
pub struct Simulator {
    pub(super) server: edu_common::mock::SimServer,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) faults: edu_common::mock::Faults,
}

impl Simulator {
    /// The base URL to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}/api/v2", self.server.uri())
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &'static str {
        API_KEY
    }

    /// The region's callback signing secret.
    pub fn signing_secret(&self) -> &'static str {
        SIGNING_SECRET
    }

    /// A client for this simulator.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .api_key(API_KEY)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The stored (production) candidates.
    pub fn candidates(&self) -> Vec<Value> {
        self.lock().prod.candidates.clone()
    }

    /// The stored sandbox candidates.
    pub fn sandbox_candidates(&self) -> Vec<Value> {
        self.lock().sandbox.candidates.clone()
    }

    /// Mutations applied so far.
    pub fn mutations_applied(&self) -> usize {
        self.lock().applied
    }

    /// Why the last failed callbacks failed, oldest first (at most 100): a callback not sent
    /// says why (its URL names a host that is not loopback, the queue was full), one sent says
    /// what came back (`answered 307`, a connection error).
    pub fn callback_failures(&self) -> Vec<String> {
        self.lock().failure_reasons.iter().cloned().collect()
    }

    /// Callbacks delivered with a 2xx answer, and callbacks that failed.
    pub fn callbacks(&self) -> (usize, usize) {
        let s = self.lock();
        (s.callbacks_sent, s.callback_failures)
    }

    /// Waits until `n` mutations have been applied (at most `timeout`); true if they were.
    pub async fn wait_for_mutations(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.mutations_applied() < n {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Adds candidates directly (already processed), for listing tests.
    pub fn seed(&self, candidates: impl IntoIterator<Item = Value>) {
        let mut s = self.lock();
        for mut c in candidates {
            let id = s.new_id("cand");
            c["id"] = json!(id);
            s.prod.candidates.push(c);
        }
    }
}
