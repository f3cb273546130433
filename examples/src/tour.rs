//! The tour: one realistic task per API, each against its simulator unless the API's
//! environment variables point at a real endpoint.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use crate::report::{Log, Section, Target};

/// The APIs the tour visits, in order.
pub const APIS: &[&str] = &[
    "eduframe",
    "edfi-admin",
    "edu-v",
    "onderwijsregio",
    "datahub",
];

type Task =
    for<'a> fn(&'a mut Log) -> Pin<Box<dyn Future<Output = anyhow::Result<Target>> + Send + 'a>>;

struct Stop {
    api: &'static str,
    task: &'static str,
    run: Task,
}

fn stops() -> Vec<Stop> {
    crate::parts()
        .into_iter()
        .map(|(api, task, run)| Stop { api, task, run })
        .collect()
}

/// Runs the tour (or only the parts named in `only`) and returns one section per API.
pub async fn run(only: &[String]) -> anyhow::Result<Vec<Section>> {
    for name in only {
        if !APIS.contains(&name.as_str()) {
            anyhow::bail!("unknown API `{name}`; choose from {}", APIS.join(", "));
        }
    }
    let mut sections = Vec::new();
    for stop in stops() {
        if !only.is_empty() && !only.iter().any(|o| o == stop.api) {
            continue;
        }
        let started = Instant::now();
        let mut log = Log::default();
        let outcome = (stop.run)(&mut log).await;
        let (target, error) = match outcome {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(format!("{e:#}"))),
        };
        sections.push(Section {
            api: stop.api,
            task: stop.task,
            target,
            log,
            error,
            elapsed: started.elapsed(),
        });
    }
    Ok(sections)
}
