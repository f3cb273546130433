//! Onderwijsregio: fetch the region's schema, validate and submit candidates, and receive the
//! signed callback that reports the result.

use std::time::Duration;

use onderwijsregio_client::callbacks::Verifier;
use onderwijsregio_client::mock::Simulator;
use onderwijsregio_client::schema::Operation;
use onderwijsregio_client::{Candidate, Client, WriteOptions};

use crate::report::{Log, Target};

/// The real API when `ONDERWIJSREGIO_API_KEY` is set (sandbox mode on), else the simulator.
pub async fn connect() -> anyhow::Result<(Client, Target, Option<Simulator>, String)> {
    if crate::configured(&["ONDERWIJSREGIO_API_KEY"]) {
        let client = Client::from_env()?.with_sandbox(true);
        let secret = std::env::var("ONDERWIJSREGIO_SIGNING_SECRET").unwrap_or_default();
        let url = std::env::var("ONDERWIJSREGIO_BASE_URL")
            .unwrap_or_else(|_| onderwijsregio_client::PRODUCTION.into());
        return Ok((client, Target::Live(url), None, secret));
    }
    let sim = Simulator::start().await;
    let secret = sim.signing_secret().to_owned();
    Ok((
        sim.client(),
        Target::Simulator(sim.base_url()),
        Some(sim),
        secret,
    ))
}

/// The task.
pub async fn tour(log: &mut Log) -> anyhow::Result<Target> {
    let (client, target, _sim, secret) = connect().await?;
    let schema = client.schema(Operation::Create).await?;
    log.say(format!(
        "region schema fetched ({} top-level keys), cached for the next calls",
        schema.raw.as_object().map_or(0, |o| o.len())
    ));

    // Validation happens before anything is sent: a typo is reported with its JSON pointer.
    let mut typo = Candidate::new("Bram", "Jansen", "bram.example.nl");
    typo.privacy_consent = Some(true);
    if let Err(e) = schema.check(&serde_json::to_value(&typo)?, "candidate") {
        log.say(format!("caught locally: {e}"));
    }

    // A callback receiver on loopback; a live run only gets callbacks if it is reachable.
    let mut receiver = crate::receiver::start(
        "127.0.0.1:0",
        crate::receiver::Verifiers {
            onderwijsregio: Some(Verifier::new(secret)),
            ..Default::default()
        },
    )
    .await?;
    let callback_url = format!("{}/hooks/onderwijsregio", receiver.url);
    let mut ada = Candidate::new("Ada", "de Vries", "ada.devries@example.nl");
    ada.privacy_consent = Some(true);
    let accepted = client
        .candidates()
        .create(&[ada], &WriteOptions::callback(callback_url.parse()?))
        .await?;
    log.say(format!(
        "submitted 1 candidate: {} Accepted, idempotency key {}",
        accepted.status, accepted.idempotency_key
    ));
    if matches!(target, Target::Simulator(_)) {
        let delivery = tokio::time::timeout(Duration::from_secs(10), receiver.deliveries.next())
            .await
            .map_err(|_| anyhow::anyhow!("no callback within 10 s"))??;
        let crate::receiver::Parsed::Onderwijsregio(callback) = crate::receiver::parse(&delivery)?
        else {
            anyhow::bail!("a callback arrived on the Eduframe route");
        };
        delivery.ack().await?;
        anyhow::ensure!(
            callback.idempotency_key.as_deref() == Some(accepted.idempotency_key.as_str()),
            "the callback reports another write"
        );
        log.say(format!(
            "signed callback verified: status {}",
            callback.status.as_deref().unwrap_or("unknown")
        ));
    }
    Ok(target)
}
