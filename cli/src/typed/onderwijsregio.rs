//! Onderwijsregio through its typed client: candidates (list, get, find, create, upsert,
//! validate, delete) and their interactions. Writes are asynchronous on this API: the answer is
//! the acceptance (202) with the idempotency key the callback will name.

use clap::ArgMatches;
use edu_common::{Error, Result};
use futures::StreamExt;
use onderwijsregio_client::{Accepted, Candidate, Client, Interaction, WriteOptions};
use serde_json::{Value, json};

use crate::answer::{Answer, json as to_json};
use crate::table::{Location, Operation, Paging, Param};

const fn path(name: &'static str, help: &'static str) -> Param {
    Param {
        name,
        flag: name,
        location: Location::Path,
        ty: "string",
        values: &[],
        required: true,
        help,
        paging: false,
    }
}

const fn query(name: &'static str, help: &'static str) -> Param {
    Param {
        name,
        flag: name,
        location: Location::Query,
        ty: "string",
        values: &[],
        required: true,
        help,
        paging: false,
    }
}

const fn op(
    resource: &'static str,
    name: &'static str,
    id: &'static str,
    (method, path): (&'static str, &'static str),
    summary: &'static str,
    params: &'static [Param],
    body: bool,
) -> Operation {
    Operation {
        resource,
        name,
        id,
        method,
        path,
        summary,
        params,
        body,
        paging: Paging::None,
    }
}

const CANDIDATE: Param = path("id", "The candidate's id");
const OF_CANDIDATE: Param = path("candidate-id", "The candidate's id");

/// The operations.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        paging: Paging::Typed,
        ..op(
            "candidates",
            "list",
            "listCandidates",
            ("GET", "/candidates"),
            "Every candidate, page by page",
            &[],
            false,
        )
    },
    op(
        "candidates",
        "get",
        "getCandidate",
        ("GET", "/candidates/{id}"),
        "One candidate",
        &[CANDIDATE],
        false,
    ),
    op(
        "candidates",
        "find-by-email",
        "findCandidates",
        ("GET", "/candidates"),
        "The candidate with this e-mail address, or null",
        &[query("email", "The e-mail address")],
        false,
    ),
    op(
        "candidates",
        "find-by-phone",
        "findCandidates",
        ("GET", "/candidates"),
        "The candidate with this phone number, or null",
        &[query("phone", "The phone number")],
        false,
    ),
    op(
        "candidates",
        "create",
        "createCandidates",
        ("POST", "/candidates"),
        "Create candidates (--data: one candidate or an array); accepted for processing",
        &[],
        true,
    ),
    op(
        "candidates",
        "upsert",
        "upsertCandidates",
        ("POST", "/candidates/upsert"),
        "Create or update candidates by e-mail (--data: one or an array)",
        &[],
        true,
    ),
    op(
        "candidates",
        "validate",
        "validateCandidate",
        ("POST", "/candidates"),
        "Check a candidate (--data) against the API's current schema without sending it",
        &[],
        true,
    ),
    op(
        "candidates",
        "delete",
        "deleteCandidate",
        ("DELETE", "/candidates/{id}"),
        "Delete a candidate; accepted for processing",
        &[CANDIDATE],
        false,
    ),
    op(
        "interactions",
        "list",
        "listInteractions",
        ("GET", "/candidates/{candidate-id}/interactions"),
        "A candidate's interactions",
        &[OF_CANDIDATE],
        false,
    ),
    op(
        "interactions",
        "add",
        "addInteractions",
        ("POST", "/candidates/{candidate-id}/interactions"),
        "Add interactions to a candidate (--data: one or an array)",
        &[OF_CANDIDATE],
        true,
    ),
];

/// Runs `op` with `body` (the `--data` JSON, when the operation takes one).
pub async fn call(
    client: &Client,
    op: &'static Operation,
    m: &ArgMatches,
    body: Option<Value>,
) -> Result<Answer> {
    let arg = |name: &str| {
        m.try_get_one::<String>(name)
            .ok()
            .flatten()
            .cloned()
            .unwrap_or_default()
    };
    let options = WriteOptions::default();
    let value = match (op.resource, op.name) {
        ("candidates", "list") => {
            let mut req = client.candidates().list();
            if let Some(n) = m.get_one::<u32>("page-size") {
                req = req.page_size(*n);
            }
            let pages = req.pages().map(|page| {
                let page = page?;
                let items = page.items.iter().map(to_json).collect::<Result<Vec<_>>>()?;
                Ok((items, page.next))
            });
            return Ok(Answer::Pages(pages.boxed()));
        }
        ("candidates", "get") => to_json(&client.candidates().get(&arg("id")).await?)?,
        ("candidates", "find-by-email") => {
            to_json(&client.candidates().find_by_email(&arg("email")).await?)?
        }
        ("candidates", "find-by-phone") => {
            to_json(&client.candidates().find_by_phone(&arg("phone")).await?)?
        }
        ("candidates", "create") => accepted(
            client
                .candidates()
                .create(&many::<Candidate>(body)?, &options)
                .await?,
        ),
        ("candidates", "upsert") => accepted(
            client
                .candidates()
                .upsert(&many::<Candidate>(body)?, &options)
                .await?,
        ),
        ("candidates", "validate") => {
            let one: Candidate = one(body)?;
            client.candidates().validate(&one).await?;
            json!({ "valid": true })
        }
        ("candidates", "delete") => {
            accepted(client.candidates().delete(&arg("id"), &options).await?)
        }
        ("interactions", "list") => {
            to_json(&client.interactions().list(&arg("candidate-id")).await?)?
        }
        ("interactions", "add") => accepted(
            client
                .interactions()
                .add(&arg("candidate-id"), &many::<Interaction>(body)?, &options)
                .await?,
        ),
        _ => {
            return Err(Error::Config(format!(
                "{} {}: not an operation",
                op.resource, op.name
            )));
        }
    };
    Ok(Answer::One(value))
}

/// What a 202 says: the idempotency key a callback will name, and the server's answer.
fn accepted(a: Accepted) -> Value {
    json!({
        "status": a.status,
        "idempotency_key": a.idempotency_key,
        "message": a.message,
        "answer": a.raw,
    })
}

fn one<T: serde::de::DeserializeOwned>(body: Option<Value>) -> Result<T> {
    let body = body.ok_or_else(|| Error::invalid_input(Some("data"), "--data is required"))?;
    serde_json::from_value(body).map_err(|e| {
        Error::invalid_input(
            Some("data"),
            edu_common::error::redact_serde_message(&e.to_string()),
        )
    })
}

/// One record or an array of them.
fn many<T: serde::de::DeserializeOwned>(body: Option<Value>) -> Result<Vec<T>> {
    match body {
        Some(Value::Array(items)) => items.into_iter().map(|v| one(Some(v))).collect(),
        other => Ok(vec![one(other)?]),
    }
}
