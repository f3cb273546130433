//! A small HTTP server (axum) that receives Eduframe webhooks and Onderwijsregio callbacks,
//! verifies them, refuses replays, queues the raw bytes and parses them as it gets to them.
//!
//! ```text
//! EDUFRAME_WEBHOOK_SECRET=... ONDERWIJSREGIO_SIGNING_SECRET=... \
//!   cargo run -p edu-examples --bin webhook_receiver -- 127.0.0.1:8787
//! ```
//!
//! Give Eduframe `http://<public address>/hooks/eduframe` as the webhook URL, and put
//! `http://<public address>/hooks/onderwijsregio` in your writes' `callbackUrl`. During a
//! rotation, set the retired secret in `EDUFRAME_WEBHOOK_SECRET_SECONDARY` or
//! `ONDERWIJSREGIO_SIGNING_SECRET_SECONDARY`. A route whose secret is not set answers 404.

use edu_examples::receiver::{self, Outcome, Parsed, Verifiers};

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
    let mut receiver = receiver::start(&addr, verifiers).await?;
    println!(
        "listening on {}/hooks/{{eduframe,onderwijsregio}}",
        receiver.url
    );
    while let Some(outcome) = receiver.queue.recv().await {
        match outcome {
            // The bytes were verified on arrival; parsing happens here, at the consumer's pace.
            Outcome::Accepted(delivery) => match delivery.parse() {
                Ok(Parsed::Eduframe(n)) => println!(
                    "eduframe: {} for {} ({})",
                    n.event, n.educator, n.event_data
                ),
                Ok(Parsed::Onderwijsregio(cb)) => println!(
                    "onderwijsregio: write {} -> {}",
                    cb.idempotency_key.as_deref().unwrap_or("?"),
                    cb.status.as_deref().unwrap_or("?")
                ),
                Err(e) => println!("verified but not understood: {e}"),
            },
            Outcome::Refused(e) => println!("refused: {e}"),
        }
    }
    Ok(())
}
