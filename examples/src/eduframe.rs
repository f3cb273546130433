//! Eduframe: planned courses and Organization contacts, across pages.

use eduframe_client::mock::Simulator;
use eduframe_client::{Client, Contact, types};
use futures::TryStreamExt;

use crate::report::{Log, Target};

/// The real API when `EDUFRAME_API_KEY` is set, else the simulator.
pub async fn connect() -> anyhow::Result<(Client, Target, Option<Simulator>)> {
    if crate::configured(&["EDUFRAME_API_KEY"]) {
        let url = std::env::var("EDUFRAME_BASE_URL")
            .unwrap_or_else(|_| eduframe_client::DEFAULT_BASE_URL.into());
        return Ok((Client::from_env()?, Target::Live(url), None));
    }
    let sim = Simulator::start().await;
    Ok((sim.client(), Target::Simulator(sim.base_url()), Some(sim)))
}

/// The task.
pub async fn tour(log: &mut Log) -> anyhow::Result<Target> {
    let (client, target, _sim) = connect().await?;
    // Small pages on purpose: the stream follows the Link header's cursor from page to page.
    let pages: Vec<_> = client
        .planned_courses()
        .list()
        .per_page(20)
        .pages()
        .try_collect()
        .await?;
    let planned: usize = pages.iter().map(|p| p.items.len()).sum();
    log.say(format!(
        "{planned} planned courses over {} pages of at most 20",
        pages.len()
    ));
    let first: Option<&types::PlannedCourseWithIncludes> =
        pages.first().and_then(|p| p.items.first());
    if let Some(p) = first {
        log.say(format!(
            "  first: planned course {} of course {}",
            p.id,
            p.course_id.map_or("-".to_owned(), |c| c.to_string())
        ));
    }
    let contacts: Vec<Contact> = client
        .organization_contacts()
        .list()
        .per_page(25)
        .stream()
        .try_collect()
        .await?;
    let key = contacts
        .iter()
        .filter(|c| c.key_contact == Some(true))
        .count();
    log.say(format!(
        "{} organization contacts, {key} of them key contacts",
        contacts.len()
    ));
    Ok(target)
}
