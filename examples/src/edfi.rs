//! Ed-Fi Admin: register a client, create a vendor and an application, show the new credentials'
//! key (never the secret), and clean up.

use edfi_admin_client::mock::Simulator;
use edfi_admin_client::{Client, NewApplication, NewVendor};
use secrecy::ExposeSecret;

use crate::report::{Log, Target};

/// The real API when `EDFI_ADMIN_*` is configured, else the simulator (after registering a client).
pub async fn connect(log: &mut Log) -> anyhow::Result<(Client, Target, Option<Simulator>)> {
    if crate::configured(&[
        "EDFI_ADMIN_BASE_URL",
        "EDFI_ADMIN_CLIENT_ID",
        "EDFI_ADMIN_CLIENT_SECRET",
    ]) {
        let url = std::env::var("EDFI_ADMIN_BASE_URL")?;
        return Ok((Client::from_env()?, Target::Live(url), None));
    }
    let sim = Simulator::start().await;
    // Registration is how a new deployment gets its first credentials.
    let secret = secrecy::SecretString::from(format!(
        "Tour-{}-Secret-0123456789abcdef!",
        std::process::id()
    ));
    edfi_admin_client::register(
        &sim.base_url(),
        "edu-tour",
        &secret,
        "edu-clients tour",
        None,
    )
    .await?;
    log.say("registered client edu-tour");
    let client = Client::builder()
        .base_url(sim.base_url())
        .client_credentials("edu-tour", secret.expose_secret())
        .build()?;
    Ok((client, Target::Simulator(sim.base_url()), Some(sim)))
}

/// The task.
pub async fn tour(log: &mut Log) -> anyhow::Result<Target> {
    let (client, target, _sim) = connect(log).await?;
    let vendor = client
        .vendors()
        .create(&NewVendor::new(
            "edu-clients tour vendor",
            "Tour Guide",
            "tour@example.org",
        ))
        .await?;
    let app = NewApplication::new("edu-clients tour", vendor, "SIS Vendor", [255901], [1]);
    let creds = client.applications().create(&app).await?;
    // The key identifies the application; the secret stays a SecretString and is never printed.
    log.say(format!(
        "vendor {vendor}, application {} with key {}",
        creds.id, creds.key
    ));
    client.applications().delete(creds.id).await?;
    client.vendors().delete(vendor).await?;
    log.say("cleaned up: application and vendor deleted");
    Ok(target)
}
