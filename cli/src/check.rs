//! `edu <api> check`: builds the client from its settings, fetches a token where the API has
//! one, and makes one cheap call, saying which step failed and why.

use edu_common::report::capture;
use edu_common::{Error, Result};
use futures::StreamExt;

use crate::clients::Clients;
use crate::command::Api;
use crate::failure::Failure;

/// Runs the check and prints what it found.
pub async fn check(
    clients: &Clients,
    api: Api,
    source: Option<&str>,
) -> std::result::Result<(), Failure> {
    // Built once here; the call below uses the same client.
    clients.transport(api)?;
    match source {
        Some(source) => println!(
            "settings: ok (from the {}, ahead of the environment)",
            crate::terminal::printable(source)
        ),
        None => println!("settings: ok (from the environment; no profile applied)"),
    }
    let (result, reports) = capture(cheap_call(clients, api)).await;
    match result {
        Ok(what) => {
            let r = reports.last();
            println!(
                "call: ok ({what}: {} {}, {} attempt(s), {:?})",
                r.map(|r| r.method.to_string()).unwrap_or_default(),
                r.and_then(|r| r.status)
                    .map(|s| s.as_u16())
                    .unwrap_or_default(),
                r.map(|r| r.attempts).unwrap_or_default(),
                r.map(|r| r.elapsed).unwrap_or_default(),
            );
            Ok(())
        }
        Err(e) => {
            let step = match &e {
                Error::Auth { .. } => "the token request failed",
                e if e.is_unauthorized() => "the API refused the credentials",
                e if e.is_forbidden() => {
                    "the credentials were refused or lack permission for the call (check the key first)"
                }
                _ => "the call failed",
            };
            Err(Failure::Step { step, error: e })
        }
    }
}

/// The cheapest call that needs the credentials, per API.
async fn cheap_call(clients: &Clients, api: Api) -> Result<&'static str> {
    match api {
        Api::Eduframe => {
            let client = clients.eduframe()?;
            let mut courses = client.courses().list().page_size(1).pages();
            courses.next().await.transpose()?;
            Ok("the first course")
        }
        Api::EdfiAdmin => {
            let client = clients.edfi_admin()?;
            let mut vendors = client.vendors().list().page_size(1).pages();
            vendors.next().await.transpose()?;
            Ok("the first vendor")
        }
        Api::Eduv => {
            clients
                .eduv()?
                .organisations()
                .name("edu check")
                .send()
                .await?;
            Ok("an organisation search")
        }
        Api::Onderwijsregio => {
            let client = clients.onderwijsregio()?;
            let mut pages = client.candidates().list().page_size(1).pages();
            pages.next().await.transpose()?;
            Ok("the first candidate")
        }
        Api::Datahub => {
            clients
                .datahub()?
                .districts()
                .list()
                .page_size(1)
                .first_page()
                .await?;
            Ok("the first district")
        }
    }
}
