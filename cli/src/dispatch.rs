//! An operation to its client: a generated table's through the client's transport, a typed
//! table's through the typed handlers.

use bytes::Bytes;
use clap::ArgMatches;
use edu_common::{Error, Result};

use crate::answer::Answer;
use crate::clients::Clients;
use crate::command::Api;
use crate::table::Operation;

/// Runs `op` of `api`; a listing starts at `resume` when given.
pub async fn call(
    clients: &Clients,
    api: Api,
    op: &'static Operation,
    m: &ArgMatches,
    body: Option<Bytes>,
    resume: Option<String>,
) -> Result<Answer> {
    match api {
        Api::Eduframe | Api::EdfiAdmin => {
            crate::spec_call::call(clients.transport(api)?, op, m, body, resume).await
        }
        Api::Datahub => crate::typed::datahub::call(clients.datahub()?, op, m, resume).await,
        Api::Eduv => crate::typed::eduv::call(clients.eduv()?, op, m).await,
        Api::Onderwijsregio => {
            let body = body
                .map(|b| serde_json::from_slice(&b))
                .transpose()
                .map_err(|e| Error::invalid_input(Some("data"), e.to_string()))?;
            crate::typed::onderwijsregio::call(clients.onderwijsregio()?, op, m, body, resume).await
        }
    }
}
