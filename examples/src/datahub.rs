//! datahub: sync a district's students and apply the events since.

use std::collections::HashMap;

use datahub_client::mock::Simulator;
use datahub_client::{Client, EventAction, Student};
use futures::TryStreamExt;

use crate::report::{Log, Target};

/// The real API when `DATAHUB_*` is configured, else the simulator.
pub async fn connect() -> anyhow::Result<(Client, Target, Option<Simulator>)> {
    if crate::configured(&[
        "DATAHUB_BASE_URL",
        "DATAHUB_CLIENT_ID",
        "DATAHUB_CLIENT_SECRET",
    ]) {
        let url = std::env::var("DATAHUB_BASE_URL")?;
        return Ok((Client::from_env()?, Target::Live(url), None));
    }
    let sim = Simulator::builder().students(2_500).start().await;
    Ok((sim.client(), Target::Simulator(sim.base_url()), Some(sim)))
}

/// The task.
pub async fn tour(log: &mut Log) -> anyhow::Result<Target> {
    let (client, target, _sim) = connect().await?;
    let district = client
        .districts()
        .list()
        .stream()
        .try_next()
        .await?
        .ok_or_else(|| anyhow::anyhow!("these credentials see no district"))?;
    // Pages are fetched four at a time once the first page says how many there are.
    let students: HashMap<String, Student> = client
        .districts()
        .students(&district.id)
        .limit(500)
        .concurrent(4)
        .stream()
        .map_ok(|s| (s.id.clone(), s))
        .try_collect()
        .await?;
    log.say(format!(
        "district {}: {} students synced",
        district.name.as_deref().unwrap_or(&district.id),
        students.len()
    ));
    let events: Vec<_> = client
        .districts()
        .events(&district.id)
        .stream()
        .try_collect()
        .await?;
    let count = |a: EventAction| events.iter().filter(|e| e.kind.action == a).count();
    log.say(format!(
        "{} events: {} created, {} updated, {} deleted",
        events.len(),
        count(EventAction::Created),
        count(EventAction::Updated),
        count(EventAction::Deleted)
    ));
    if let Some(e) = events.iter().find(|e| e.data.previous_attributes.is_some()) {
        log.say(format!(
            "e.g. {} on {}: was {:?}",
            e.kind, e.id, e.data.previous_attributes
        ));
    }
    Ok(target)
}
