//! A small HTTP server that receives Onderwijsregio callbacks, verifies them and prints them.
//!
//! `ONDERWIJSREGIO_SIGNING_SECRET=... cargo run -p edu-examples --bin onderwijsregio_callbacks -- 127.0.0.1:8787`
//!
//! Put `http://<public address>/hooks/onderwijsregio` in your writes' `callbackUrl`. Several
//! secrets can be given, comma-separated, while a secret is being rotated.

use onderwijsregio_client::callbacks::Verifier;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8787".into());
    let secrets = std::env::var("ONDERWIJSREGIO_SIGNING_SECRET").map_err(|_| {
        anyhow::anyhow!("set ONDERWIJSREGIO_SIGNING_SECRET (comma-separated during a rotation)")
    })?;
    let verifier = Verifier::new(secrets.split(',').map(str::trim));
    let mut receiver =
        edu_examples::callback_server::start(&addr, "/hooks/onderwijsregio", verifier).await?;
    println!("listening on {}", receiver.url);
    while let Some(result) = receiver.results.recv().await {
        match result {
            Ok(cb) => println!(
                "verified: write {} -> {} ({})",
                cb.idempotency_key.as_deref().unwrap_or("?"),
                cb.status.as_deref().unwrap_or("?"),
                serde_json::Value::Object(cb.raw)
            ),
            // Refused callbacks are answered 401 and never parsed.
            Err(e) => println!("refused: {e}"),
        }
    }
    Ok(())
}
