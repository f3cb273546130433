//! The receiver a service copies: the SDK's intake (`edu_common::webhook::intake`) mounted on
//! axum for Eduframe webhooks and Onderwijsregio callbacks, and a consumer that parses what was
//! stored. The intake verifies over the raw bytes, stores, and only then answers 2xx (503 when it
//! cannot store, so the sender retries); see its docs for the rules.
//!
//! - `POST /hooks/eduframe`: `eduframe_client::webhooks::Verifier`;
//! - `POST /hooks/onderwijsregio`: `onderwijsregio_client::callbacks::Verifier` (signed over the
//!   path and query as received).
//!
//! The store is in memory here ([`start`]); give [`router`] a `RedisStreamStore` to share it
//! between replicas and keep it across restarts (the `webhook_receiver` binary does with
//! `EDU_REDIS_URL`).

use std::sync::Arc;

use axum::Router;
use edu_common::webhook::intake::{Consumer, Delivery, Intake, MemoryStore, Outcome, Store};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The largest body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The verifiers the receiver uses; a route whose verifier is absent is not mounted (404).
#[derive(Debug, Clone, Default)]
pub struct Verifiers {
    /// For `/hooks/eduframe`.
    pub eduframe: Option<eduframe_client::webhooks::Verifier>,
    /// For `/hooks/onderwijsregio`.
    pub onderwijsregio: Option<onderwijsregio_client::callbacks::Verifier>,
}

/// The receiver's routes over `store`, for a service to merge into its own router; each
/// request's outcome is sent on `outcomes`.
pub fn router(
    verifiers: Verifiers,
    store: Arc<dyn Store>,
    outcomes: mpsc::UnboundedSender<Outcome>,
) -> Router {
    let mut intake = Intake::new(store)
        .max_body_bytes(MAX_BODY_BYTES)
        .observe(outcomes);
    if let Some(v) = verifiers.eduframe {
        intake = intake.route("/hooks/eduframe", v);
    }
    if let Some(v) = verifiers.onderwijsregio {
        intake = intake.route("/hooks/onderwijsregio", v);
    }
    intake.router()
}

/// A running receiver.
#[derive(Debug)]
pub struct Receiver {
    /// Its base URL (`http://127.0.0.1:port`).
    pub url: String,
    /// The stored deliveries, for the service's work: parse, do, `ack`.
    pub deliveries: Consumer,
    /// What happened to each request (stored, a duplicate, refused and why).
    pub outcomes: mpsc::UnboundedReceiver<Outcome>,
}

/// Serves the receiver on `addr` (`127.0.0.1:0` for any free port), storing in memory.
pub async fn start(addr: &str, verifiers: Verifiers) -> std::io::Result<Receiver> {
    let store = Arc::new(MemoryStore::default());
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (tx, rx) = mpsc::unbounded_channel();
    let app = router(verifiers, store.clone(), tx);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Receiver {
        url,
        deliveries: Consumer::new(store, "receiver"),
        outcomes: rx,
    })
}

/// A stored delivery, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// An Eduframe webhook notification.
    Eduframe(eduframe_client::webhooks::Notification),
    /// An Onderwijsregio callback.
    Onderwijsregio(onderwijsregio_client::callbacks::Callback),
}

/// Parses a stored delivery by its API.
pub fn parse(delivery: &Delivery) -> edu_common::Result<Parsed> {
    match delivery.api() {
        "onderwijsregio" => Ok(Parsed::Onderwijsregio(
            onderwijsregio_client::callbacks::parse(delivery.body())?,
        )),
        _ => Ok(Parsed::Eduframe(eduframe_client::webhooks::parse(
            delivery.body(),
        )?)),
    }
}
