//! The receiver for Eduframe webhooks and Onderwijsregio callbacks: the SDK's intake on axum,
//! storing in Redis when `EDU_REDIS_URL` is set (shared by every replica, kept across restarts),
//! in memory otherwise, and a consumer that parses and acknowledges what was stored.
//!
//! ```text
//! EDUFRAME_WEBHOOK_SECRET=... ONDERWIJSREGIO_SIGNING_SECRET=... [EDU_REDIS_URL=redis://...] \
//!   cargo run -p edu-examples --bin webhook_receiver -- 127.0.0.1:8787
//! ```
//!
//! Give Eduframe `http://<public address>/hooks/eduframe` as the webhook URL, and put
//! `http://<public address>/hooks/onderwijsregio` in your writes' `callbackUrl`. During a
//! rotation, set the retired secret in `EDUFRAME_WEBHOOK_SECRET_SECONDARY` or
//! `ONDERWIJSREGIO_SIGNING_SECRET_SECONDARY`. A route whose secret is not set answers 404.

use std::sync::Arc;

use edu_common::webhook::intake::{Consumer, MemoryStore, RedisStreamStore, Store};
use edu_examples::receiver::{self, Parsed, Verifiers};

fn secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|s| !s.trim().is_empty())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8787".into());
    let verifiers = Verifiers {
        eduframe: secret("EDUFRAME_WEBHOOK_SECRET").map(|s| {
            let v = eduframe_client::webhooks::Verifier::new(s);
            match secret("EDUFRAME_WEBHOOK_SECRET_SECONDARY") {
                Some(old) => v.secondary(old),
                None => v,
            }
        }),
        onderwijsregio: secret("ONDERWIJSREGIO_SIGNING_SECRET").map(|s| {
            let v = onderwijsregio_client::callbacks::Verifier::new(s);
            match secret("ONDERWIJSREGIO_SIGNING_SECRET_SECONDARY") {
                Some(old) => v.secondary(old),
                None => v,
            }
        }),
    };
    anyhow::ensure!(
        verifiers.eduframe.is_some() || verifiers.onderwijsregio.is_some(),
        "set EDUFRAME_WEBHOOK_SECRET and/or ONDERWIJSREGIO_SIGNING_SECRET"
    );
    let store: Arc<dyn Store> = match edu_common::shared::RedisStore::from_env()? {
        Some(redis) => Arc::new(RedisStreamStore::new(redis, "webhooks")),
        None => Arc::new(MemoryStore::default()),
    };
    let (outcomes, mut refused) = tokio::sync::mpsc::unbounded_channel();
    let app = receiver::router(verifiers, store.clone(), outcomes);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "listening on http://{}/hooks/{{eduframe,onderwijsregio}}",
        listener.local_addr()?
    );
    eprintln!("storing in {store:?}");
    tokio::spawn(async move { axum::serve(listener, app).await });
    // What was not stored now: refused (and why), or held already.
    tokio::spawn(async move {
        while let Some(o) = refused.recv().await {
            match (o.status, o.reason, o.id) {
                (204, ..) => {}
                (status, Some(why), _) => println!("{status} {}: {why}", o.route),
                (status, None, id) => println!(
                    "{status} {}: stored already (delivery {})",
                    o.route,
                    id.unwrap_or_default()
                ),
            }
        }
    });
    // The work: at least once, so it is keyed by the delivery id.
    let mut consumer = Consumer::new(store, "webhook-receiver");
    loop {
        let delivery = consumer.next().await?;
        match receiver::parse(&delivery) {
            Ok(Parsed::Eduframe(n)) => println!(
                "{} eduframe: {} for {} ({})",
                delivery.id(),
                n.event,
                n.educator,
                n.event_data
            ),
            Ok(Parsed::Onderwijsregio(cb)) => println!(
                "{} onderwijsregio: write {} -> {}",
                delivery.id(),
                cb.idempotency_key.as_deref().unwrap_or("?"),
                cb.status.as_deref().unwrap_or("?")
            ),
            Err(e) => println!("{} verified but not understood: {e}", delivery.id()),
        }
        delivery.ack().await?;
    }
}
