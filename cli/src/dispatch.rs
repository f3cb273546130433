//! An operation to its client: a generated table's through the typed layer's generated calls, a
//! hand-written table's through the typed handlers.

use bytes::Bytes;
use clap::ArgMatches;
use edu_common::{Error, Result};

use crate::answer::Answer;
use crate::clients::Clients;
use crate::command::Api;
use crate::op_call::Args;
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
        Api::Eduframe => {
            let args = Args::new(m, op, body, resume);
            crate::generated::eduframe::call(clients.eduframe()?, op, &args).await
        }
        Api::EdfiAdmin => {
            let args = Args::new(m, op, body, resume);
            crate::generated::edfi_admin::call(clients.edfi_admin()?, op, &args).await
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
