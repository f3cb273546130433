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
    callbacks_to_any_host: bool,
    callback_queue: usize,
    callback_attempts: u32,
    callback_retry_delay: Duration,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            delay: Duration::from_millis(10),
            port: None,
            callbacks_to_any_host: false,
            callback_queue: edu_common::mock::Outbound::DEFAULT_CAPACITY,
            callback_attempts: 3,
            callback_retry_delay: Duration::from_secs(1),
        }
    }
}

/// The callback's timeout per attempt.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

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

    /// Posts callbacks to any host, not only loopback ones (by default a `callbackUrl` that
    /// names another host is not called, and counts as a failed callback: a simulator in CI or
    /// under a fuzzer never reaches the internet). For a simulator in one container calling
    /// back a service in another.
    pub fn callbacks_to_any_host(mut self) -> Self {
        self.callbacks_to_any_host = true;
        self
    }

    /// The most callbacks in flight or waiting (default 1,000); beyond it a callback is not
    /// sent and counts as failed.
    pub fn callback_queue(mut self, capacity: usize) -> Self {
        self.callback_queue = capacity;
        self
    }

    /// How many times a callback is tried (default 3), and the wait between tries (default
    /// 1 s): a callback answered with anything but a 2xx (a 503 from a receiver whose store is
    /// away), or not answered within 10 s, is tried again, signed anew. The API does not
    /// publish its schedule; this is the simulator's.
    pub fn callback_retries(mut self, attempts: u32, delay: Duration) -> Self {
        self.callback_attempts = attempts.max(1);
        self.callback_retry_delay = delay;
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
        let (callback_attempts, callback_retry_delay) =
            (self.callback_attempts, self.callback_retry_delay);
        let outbound = edu_common::mock::Outbound::with_capacity(
            self.callbacks_to_any_host,
            CALLBACK_TIMEOUT,
            self.callback_queue,
        );
        tokio::spawn(async move {
            let signer = Signer::new(SIGNING_SECRET);
            while let Some(m) = rx.recv().await {
                tokio::time::sleep(delay).await;
                let result = {
                    let mut s = worker_state.lock().unwrap_or_else(|p| p.into_inner());
                    let r = s.apply(&m);
                    s.applied += 1;
                    r
                };
                let Some(url) = m.callback.as_deref() else {
                    continue;
                };
                // The callback goes out on its own task: a slow receiver never holds up the
                // queue of mutations.
                let (url, slot) = match outbound.admit(url) {
                    Ok(admitted) => admitted,
                    Err(refused) => {
                        lock(&worker_state).callback_failed(refused.reason().to_owned());
                        continue;
                    }
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
                let state = worker_state.clone();
                let (http, signer) = (outbound.http().clone(), signer.clone());
                let (attempts, retry_delay) = (callback_attempts, callback_retry_delay);
                tokio::spawn(async move {
                    let mut outcome = Err(String::new());
                    for attempt in 1..=attempts {
                        // Signed at each attempt: a fresh timestamp and nonce, the same body.
                        let ts = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .unwrap_or_default()
                            .as_secs();
                        let nonce = uuid::Uuid::new_v4().to_string();
                        let sent = http
                            .post(url.clone())
                            .headers(signer.sign(&path_and_query, &body, ts, &nonce))
                            .header("content-type", "application/json")
                            .body(body.clone())
                            .send()
                            .await;
                        outcome = match sent {
                            Ok(r) if r.status().is_success() => Ok(()),
                            Ok(r) => Err(format!("answered {}", r.status().as_u16())),
                            Err(e) => Err(e.without_url().to_string()),
                        };
                        if outcome.is_ok() || attempt == attempts {
                            break;
                        }
                        tokio::time::sleep(retry_delay).await;
                    }
                    drop(slot);
                    let mut s = lock(&state);
                    match outcome {
                        Ok(()) => s.callbacks_sent += 1,
                        Err(why) => s.callback_failed(why),
                    }
                });
            }
        });
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
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
