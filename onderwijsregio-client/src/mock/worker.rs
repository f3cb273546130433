//! The Mutation Engine: accepted writes applied one at a time, in order, after a delay; each
//! result posted to its `callbackUrl`, signed, on a task of its own (a slow receiver never holds
//! up the queue), through the simulator's outbound rules (loopback only, no redirect, no proxy,
//! a bounded queue), tried again on failure.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::SIGNING_SECRET;
use super::state::{Mutation, State};
use crate::callbacks::Signer;

/// How the engine runs (the builder's settings).
pub(super) struct Settings {
    pub(super) delay: Duration,
    pub(super) callbacks_to_any_host: bool,
    pub(super) callback_queue: usize,
    pub(super) callback_attempts: u32,
    pub(super) callback_retry_delay: Duration,
}

/// The callback's timeout per attempt.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the engine until the queue's sender (the handler) is dropped.
pub(super) fn spawn(
    mut rx: mpsc::UnboundedReceiver<Mutation>,
    state: Arc<Mutex<State>>,
    settings: Settings,
) {
    let Settings {
        delay,
        callbacks_to_any_host,
        callback_queue,
        callback_attempts,
        callback_retry_delay,
    } = settings;
    let worker_state = state;
    let outbound = edu_common::mock::Outbound::with_capacity(
        callbacks_to_any_host,
        CALLBACK_TIMEOUT,
        callback_queue,
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
}

pub(super) fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|p| p.into_inner())
}
