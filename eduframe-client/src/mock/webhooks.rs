//! The simulator's webhooks: each webhook registered through `POST /webhooks` gets a primary
//! secret, and every change made through the API (create, update, delete, actions such as
//! `order.approved`) that it subscribes to is delivered to its URL, signed as Eduframe signs
//! (`eduframe-signature-v1`, primary and secondary), with Eduframe's 10-second timeout and
//! retries. Each delivery is a notification record (`pending`, `retry`, `succeeded`, `failed`)
//! readable through `GET /webhooks/{id}/notifications` (and `/failed`). Seeded webhooks (the
//! synthetic ones) have no secret and deliver nothing.
//!
//! Eduframe does not publish its retry schedule: the simulator makes 3 attempts, 1 s apart, by
//! default ([`SimulatorBuilder::webhook_retries`](super::SimulatorBuilder::webhook_retries)).
//!
//! Deliveries follow [`edu_common::mock::outbound`]'s rules: loopback addresses only
//! (`127.0.0.0/8`, `::1`, `localhost`), so a fuzzer or a test that registers
//! `https://example.com/` never makes the simulator reach the internet (such a delivery fails at
//! once, saying why, in its notification); no redirect, no system proxy; and a bounded queue
//! (a delivery beyond it fails at once, saying so).
//! [`SimulatorBuilder::webhooks_to_any_host`](super::SimulatorBuilder::webhooks_to_any_host)
//! lifts the loopback rule (a simulator in one container delivering to a service in another).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};

use edu_common::mock::Outbound;

use crate::webhooks::{SIGNATURE_HEADER, Signer};

/// The tenant and subdomain the simulated educator has.
pub(super) const TENANT_ID: &str = "5e7a11c0-0000-4000-8000-000000000001";
/// The simulated educator's subdomain.
pub(super) const EDUCATOR: &str = "simulated";
/// Eduframe's timeout per delivery.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's answer kept in a send attempt.
const RESPONSE_KEPT: usize = 1000;

/// A webhook's secrets.
#[derive(Clone)]
pub struct WebhookSecrets {
    /// The current secret.
    pub primary: SecretString,
    /// The secret the last rotation retired, if any.
    pub secondary: Option<SecretString>,
}

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecrets([REDACTED])")
    }
}

impl WebhookSecrets {
    fn fresh() -> SecretString {
        SecretString::from(format!("whsec_{}", uuid::Uuid::new_v4().simple()))
    }

    fn signer(&self) -> Signer {
        let signer = Signer::new(self.primary.clone());
        match &self.secondary {
            Some(s) => signer.secondary(s.clone()),
            None => signer,
        }
    }
}

/// One delivery to make: which webhook, which notification, and the payload.
pub(super) struct Job {
    webhook_id: String,
    notification_id: String,
    url: String,
    payload: Vec<u8>,
}

/// The webhooks' state inside the simulator's.
pub(super) struct Hooks {
    secrets: HashMap<String, WebhookSecrets>,
    /// Notifications by webhook id, in creation order.
    notifications: HashMap<String, Vec<Value>>,
    pending: Vec<Job>,
    next: u64,
    pub(super) attempts: u32,
    pub(super) retry_delay: Duration,
    /// Deliver to any host, not only loopback ones.
    any_host: bool,
    /// The most deliveries in flight or waiting.
    queue: usize,
    /// The primary secret every registered webhook gets, when set.
    fixed_secret: Option<SecretString>,
    outbound: Option<Outbound>,
}

impl Hooks {
    pub(super) fn new(
        attempts: u32,
        retry_delay: Duration,
        any_host: bool,
        queue: usize,
        fixed_secret: Option<SecretString>,
    ) -> Hooks {
        Hooks {
            secrets: HashMap::new(),
            notifications: HashMap::new(),
            pending: Vec::new(),
            next: 1,
            attempts: attempts.max(1),
            retry_delay,
            any_host,
            queue,
            fixed_secret,
            outbound: None,
        }
    }

    /// A webhook was registered through the API: it gets a primary secret.
    pub(super) fn register(&mut self, webhook_id: &str) {
        self.secrets.insert(
            webhook_id.to_owned(),
            WebhookSecrets {
                primary: self
                    .fixed_secret
                    .clone()
                    .unwrap_or_else(WebhookSecrets::fresh),
                secondary: None,
            },
        );
    }

    /// A webhook was deleted: it delivers nothing more.
    pub(super) fn forget(&mut self, webhook_id: &str) {
        self.secrets.remove(webhook_id);
    }

    pub(super) fn secrets(&self, webhook_id: &str) -> Option<WebhookSecrets> {
        self.secrets.get(webhook_id).cloned()
    }

    /// Rotates: the primary becomes the secondary, and a new primary is made.
    pub(super) fn rotate(&mut self, webhook_id: &str) -> Option<WebhookSecrets> {
        let s = self.secrets.get_mut(webhook_id)?;
        s.secondary = Some(std::mem::replace(&mut s.primary, WebhookSecrets::fresh()));
        Some(s.clone())
    }

    /// The notifications of a webhook registered through the API, or `None` for a seeded one
    /// (then the generic store answers).
    pub(super) fn notifications(&self, webhook_id: &str, failed_only: bool) -> Option<Vec<Value>> {
        self.secrets.get(webhook_id)?;
        let all = self
            .notifications
            .get(webhook_id)
            .cloned()
            .unwrap_or_default();
        Some(if failed_only {
            all.into_iter()
                .filter(|n| n["status"] == "failed")
                .map(|n| {
                    json!({"id": n["id"], "data": n["data"], "event_id": n["event_id"],
                           "status": "failed", "webhook_id": webhook_id, "created_at": n["created_at"]})
                })
                .collect()
        } else {
            all.into_iter()
                .map(|mut n| {
                    if let Some(o) = n.as_object_mut() {
                        o.remove("created_at");
                    }
                    n
                })
                .collect()
        })
    }

    /// Queues a delivery of `event` with `record` to each of `subscribed` (webhook id and URL)
    /// that was registered through the API.
    pub(super) fn emit(&mut self, event: &str, record: &Value, subscribed: Vec<(String, String)>) {
        for (webhook_id, url) in subscribed {
            if !self.secrets.contains_key(&webhook_id) {
                continue;
            }
            let payload = json!({"tenant_id": TENANT_ID, "educator": EDUCATOR, "event": event, "event_data": record});
            let n = self.next;
            self.next += 1;
            let notification_id = format!("00000000-0000-4000-9000-{n:012}");
            self.notifications
                .entry(webhook_id.clone())
                .or_default()
                .push(json!({
                    "id": notification_id,
                    "data": payload,
                    "event_id": format!("00000000-0000-4000-a000-{n:012}"),
                    "status": "pending",
                    "send_attempts": [],
                    "created_at": super::spec::now(),
                }));
            self.pending.push(Job {
                webhook_id,
                notification_id,
                url,
                payload: serde_json::to_vec(&payload).unwrap_or_default(),
            });
        }
    }

    /// The jobs made since the last call.
    pub(super) fn take_pending(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.pending)
    }

    /// The deliveries' client and rules (made on first use: a simulator no webhook is
    /// registered on builds no HTTP client).
    fn outbound(&mut self) -> Outbound {
        let (any_host, queue) = (self.any_host, self.queue);
        self.outbound
            .get_or_insert_with(|| Outbound::with_capacity(any_host, TIMEOUT, queue))
            .clone()
    }

    fn set_status(&mut self, job: &Job, status: &str, attempt: Option<Value>) {
        if let Some(n) = self.notifications.get_mut(&job.webhook_id).and_then(|all| {
            all.iter_mut()
                .find(|n| n["id"] == job.notification_id.as_str())
        }) {
            n["status"] = json!(status);
            if let (Some(a), Some(list)) = (attempt, n["send_attempts"].as_array_mut()) {
                list.push(a);
            }
        }
    }
}

/// The event a change makes, if the spec lists it: `{resource}.{created|updated|deleted}`, or
/// for an action its past tense (`order.approved`), its own name (`program_enrollment.cancel`),
/// or else the record's `updated`.
pub(super) fn event_name(store_key: &str, change: &str) -> Option<String> {
    let resource = snake(store_key);
    let past = match change {
        "create" => "created".to_owned(),
        "update" => "updated".to_owned(),
        "delete" => "deleted".to_owned(),
        a if a.ends_with('e') => format!("{a}d"),
        "cancel" => "canceled".to_owned(),
        "deny" => "denied".to_owned(),
        a => format!("{a}ed"),
    };
    [
        format!("{resource}.{past}"),
        format!("{resource}.{change}"),
        format!("{resource}.updated"),
    ]
    .into_iter()
    .find(|e| super::spec::WEBHOOK_EVENTS.iter().any(|known| known == e))
}

fn snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes one delivery, with retries, recording each attempt on its notification.
pub(super) async fn deliver(hooks: Arc<Mutex<Hooks>>, job: Job) {
    let lock = || hooks.lock().unwrap_or_else(|p| p.into_inner());
    let (attempts, delay, outbound) = {
        let mut h = lock();
        (h.attempts, h.retry_delay, h.outbound())
    };
    // Held until the last attempt is over: the queue's bound counts whole deliveries.
    let (url, _slot) = match outbound.admit(&job.url) {
        Ok(admitted) => admitted,
        Err(refused) => {
            let record = json!({"response": refused.reason(), "status_code": 0, "created_at": super::spec::now()});
            lock().set_status(&job, "failed", Some(record));
            return;
        }
    };
    for attempt in 1..=attempts {
        // Signed at each attempt, with the secrets as they are now (a rotation in between counts).
        let Some(signer) = lock().secrets(&job.webhook_id).map(|s| s.signer()) else {
            return;
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let sent = outbound
            .http()
            .post(url.clone())
            .header("content-type", "application/json")
            .header("user-agent", "Eduframe-Webhooks (simulated)")
            .header(SIGNATURE_HEADER, signer.header_value(&job.payload, now))
            .body(job.payload.clone())
            .send()
            .await;
        let (code, response, ok) = match sent {
            Ok(mut resp) => {
                let status = resp.status();
                // Only the start of the receiver's answer is kept, so only that much is read:
                // a receiver that answers without end cannot fill the simulator's memory.
                let mut kept = Vec::new();
                while kept.len() < RESPONSE_KEPT
                    && let Ok(Some(chunk)) = resp.chunk().await
                {
                    kept.extend_from_slice(&chunk);
                }
                let text = String::from_utf8_lossy(&kept);
                let cut: String = text.chars().take(RESPONSE_KEPT).collect();
                (status.as_u16(), cut, status.is_success())
            }
            Err(e) => (0, e.without_url().to_string(), false),
        };
        let record =
            json!({"response": response, "status_code": code, "created_at": super::spec::now()});
        let status = match (ok, attempt == attempts) {
            (true, _) => "succeeded",
            (false, true) => "failed",
            (false, false) => "retry",
        };
        lock().set_status(&job, status, Some(record));
        if ok || attempt == attempts {
            return;
        }
        tokio::time::sleep(delay).await;
    }
}

/// The answer to `GET /webhooks/{id}/notifications` (or `/failed`) for a webhook registered
/// through the API; `None` for any other (the generic store answers).
pub(super) fn notifications_answer(
    hooks: &Hooks,
    origin: &str,
    operation: &str,
    webhook_id: &str,
    path: &str,
    q: &HashMap<String, Vec<String>>,
) -> Option<edu_common::mock::Response> {
    match operation {
        "get_webhook_notifications_by_webhook_id" => {
            let all = hooks.notifications(webhook_id, false)?;
            Some(edu_common::mock::Response::new(200).set_body_json(json!(all)))
        }
        "get_webhook_notifications_failed" => {
            let failed = hooks.notifications(webhook_id, true)?;
            Some(super::listing::page(
                origin,
                path,
                q,
                failed.iter().collect(),
                Value::clone,
            ))
        }
        _ => None,
    }
}

/// Starts the deliveries the last request made.
pub(super) fn dispatch(hooks: &Arc<Mutex<Hooks>>) {
    let jobs = hooks
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take_pending();
    for job in jobs {
        tokio::spawn(deliver(hooks.clone(), job));
    }
}
