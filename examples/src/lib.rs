//! The examples behind the tour. Each module is one task against one API, written as the code a
//! user would copy; `connect()` picks the real API when its environment variables are set and the
//! in-process simulator otherwise.
#![deny(missing_docs)]

pub mod datahub;
pub mod edfi;
pub mod eduframe;
pub mod eduv;
pub mod onderwijsregio;
pub mod receiver;
pub mod redis_server;
pub mod report;
pub mod tour;

use std::future::Future;
use std::pin::Pin;

use report::{Log, Target};

/// One stop of the tour: its API, its task, and the function that runs it.
pub type Part = (
    &'static str,
    &'static str,
    for<'a> fn(&'a mut Log) -> Pin<Box<dyn Future<Output = anyhow::Result<Target>> + Send + 'a>>,
);

/// The tour's stops, in order.
pub fn parts() -> Vec<Part> {
    vec![
        (
            "eduframe",
            "list planned courses and organization contacts across pages",
            |log| Box::pin(eduframe::tour(log)),
        ),
        (
            "edfi-admin",
            "register, create a vendor and an application, clean up",
            |log| Box::pin(edfi::tour(log)),
        ),
        (
            "edu-v",
            "list a school's study offerings with private_key_jwt",
            |log| Box::pin(eduv::tour(log)),
        ),
        (
            "onderwijsregio",
            "validate and submit candidates, verify the signed callback",
            |log| Box::pin(onderwijsregio::tour(log)),
        ),
        ("datahub", "sync a district's students with events", |log| {
            Box::pin(datahub::tour(log))
        }),
    ]
}

/// Runs one example task and prints what it reported: the `main` of each focused example.
pub async fn run_example<F>(task: F) -> anyhow::Result<()>
where
    F: for<'a> FnOnce(
        &'a mut Log,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<Target>> + Send + 'a>>,
{
    let mut log = Log::default();
    let target = task(&mut log).await?;
    println!("using the {target}");
    for line in log.lines() {
        println!("{line}");
    }
    Ok(())
}

/// True when every variable in `names` is set and not empty.
pub fn configured(names: &[&str]) -> bool {
    names
        .iter()
        .all(|n| std::env::var(n).is_ok_and(|v| !v.is_empty()))
}
