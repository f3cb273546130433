//! Starting the simulator and its controls.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::handler::Handler;
use super::schema::{region_schema, region_update_schema};
use super::state::{Mutation, State};
use super::{API_KEY, SIGNING_SECRET};
use crate::Client;
use crate::callbacks::Signer;

/// A running simulator. Dropping it stops the server; the queue worker ends with it.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    delay: Duration,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            delay: Duration::from_millis(10),
            port: None,
        }
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator; mutations are processed about `10 ms` after acceptance, in order.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// Starts the simulator with a given processing delay per mutation.
    pub async fn start_with_delay(delay: Duration) -> Simulator {
        SimulatorBuilder::default().delay(delay).start().await
    }
}

impl SimulatorBuilder {
    /// How long after acceptance each mutation is processed (default 10 ms), in order.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let delay = self.delay;
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, mut rx) = mpsc::unbounded_channel::<Mutation>();
        let compile = |s: Value| {
            jsonschema::validator_for(&s)
                .unwrap_or_else(|e| unreachable!("the simulator's schema is valid: {e}"))
        };
        let create_item = region_schema()["items"].clone();
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler {
                state: state.clone(),
                queue: tx,
                create: compile(create_item),
                update: compile(region_update_schema()),
            },
            |_| true,
            |status, message| json!({"statusCode": status, "message": message, "errors": []}),
        ));
        let worker_state = state.clone();
        tokio::spawn(async move {
            // A simulator may run with no client in its process (`edu-sim`): its own HTTP client
            // needs the rustls provider the clients install.
            edu_common::install_crypto_provider();
            let http = reqwest::Client::new();
            let signer = Signer::new(SIGNING_SECRET);
            while let Some(m) = rx.recv().await {
                tokio::time::sleep(delay).await;
                let result = {
                    let mut s = worker_state.lock().unwrap_or_else(|p| p.into_inner());
                    let r = s.apply(&m);
                    s.applied += 1;
                    r
                };
                let Some(url) = m.callback.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
                    continue;
                };
                let payload = match &result {
                    Ok(ids) => {
                        json!({"mutationId": m.id, "idempotencyKey": m.key, "status": "succeeded", "candidateIds": ids, "sandbox": m.sandbox})
                    }
                    Err(e) => {
                        json!({"mutationId": m.id, "idempotencyKey": m.key, "status": "failed", "error": e, "sandbox": m.sandbox})
                    }
                };
                let body = serde_json::to_vec(&payload).unwrap_or_default();
                let path_and_query = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_owned(),
                };
                let ts = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let headers = signer.sign(
                    &path_and_query,
                    &body,
                    ts,
                    &uuid::Uuid::new_v4().to_string(),
                );
                let sent = http
                    .post(url)
                    .headers(headers)
                    .header("content-type", "application/json")
                    .body(body)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await;
                let mut s = worker_state.lock().unwrap_or_else(|p| p.into_inner());
                match sent {
                    Ok(r) if r.status().is_success() => s.callbacks_sent += 1,
                    _ => s.callback_failures += 1,
                }
            }
        });
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
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
        self.state.lock().unwrap_or_else(|p| p.into_inner())
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
