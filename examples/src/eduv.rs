//! Edu-V: a school's study offerings, authenticated with `private_key_jwt`.

use eduv_education_client::mock::{self, Simulator};
use eduv_education_client::{Client, OrgIdType, School};

use crate::report::{Log, Target};

/// The real API when `EDUV_*` is configured, else the simulator (kept alive by the returned handle).
pub async fn connect() -> anyhow::Result<(Client, Target, Option<Simulator>)> {
    if crate::configured(&["EDUV_BASE_URL", "EDUV_TOKEN_URL", "EDUV_CLIENT_ID"]) {
        let url = std::env::var("EDUV_BASE_URL")?;
        return Ok((Client::from_env()?, Target::Live(url), None));
    }
    let sim = Simulator::start().await;
    Ok((
        sim.client_with_private_key_jwt(),
        Target::Simulator(sim.base_url()),
        Some(sim),
    ))
}

/// The task: which school to ask about comes from `EDUV_SCHOOL_BRIN` when set.
pub async fn tour(log: &mut Log) -> anyhow::Result<Target> {
    let (client, target, _sim) = connect().await?;
    let brin =
        std::env::var("EDUV_SCHOOL_BRIN").unwrap_or_else(|_| mock::PRIMARY_OIE_CODE.to_owned());
    // Primary schools filter to the given location by default; ask for the whole school.
    let school = School::org_id(OrgIdType::OieCode, &brin).filter_by_org_id(false);
    let offerings = client.study_offerings(school).send().await?;
    let active: Vec<_> = offerings
        .value
        .iter()
        .filter(|o| eduv_education_client::is_active(*o))
        .collect();
    log.say(format!(
        "school {brin}: {} study offerings ({} active, {} marked tobedeleted), API-Version {}",
        offerings.value.len(),
        active.len(),
        offerings.value.len() - active.len(),
        offerings.api_version.as_deref().unwrap_or("not sent")
    ));
    for o in active.iter().take(3) {
        log.say(format!(
            "  {} (code {})",
            o.study_offering_name.as_deref().unwrap_or("(no name)"),
            o.study_code.as_ref().map_or("-", |c| c.as_str())
        ));
    }
    Ok(target)
}
