//! Onderwijsregio through its typed client: candidates (list, get, find, create, upsert,
//! validate, update, delete), their interactions and attachments. Writes are asynchronous on this API: the answer is
//! the acceptance (202) with the idempotency key the callback will name.

use clap::ArgMatches;
use edu_common::{Error, Result};
use futures::StreamExt;
use onderwijsregio_client::attachments::{Attachment, NewAttachments};
use onderwijsregio_client::{
    Accepted, Candidate, CandidateUpdate, Client, Interaction, Patch, WriteOptions,
};
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
        // The region's schema is the API's own, fetched at run time: `--set` values are read
        // as JSON where they are JSON.
        body_schema: None,
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
        "update",
        "updateCandidate",
        ("PATCH", "/candidates/{id}"),
        "Change a candidate's fields (--data: the fields to set; null clears one); accepted for processing",
        &[CANDIDATE],
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
    op(
        "attachments",
        "add",
        "addAttachments",
        ("POST", "/candidates/{candidate-id}/attachments"),
        "Add files to a candidate: --cv and --other, each a file path or an https:// URL (at most 5 each)",
        &[OF_CANDIDATE, FILES_CV, FILES_OTHER],
        false,
    ),
];

const FILES_CV: Param = Param {
    name: "curriculumVitae",
    flag: "cv",
    location: Location::Query,
    ty: "string[]",
    values: &[],
    required: false,
    help: "A CV: a file to upload, or the https:// URL the server downloads it from",
    paging: false,
};
const FILES_OTHER: Param = Param {
    name: "otherAttachments",
    flag: "other",
    location: Location::Query,
    ty: "string[]",
    values: &[],
    required: false,
    help: "Another file: a path, or an https:// URL",
    paging: false,
};

/// Runs `op` with `body` (the `--data` JSON, when the operation takes one).
pub async fn call(
    client: &Client,
    op: &'static Operation,
    m: &ArgMatches,
    body: Option<Value>,
    resume: Option<String>,
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
            if let Some(n) = crate::table::page_size(m).as_ref() {
                req = req.page_size(*n);
            }
            if let Some(cursor) = resume {
                req = req.start_after_cursor(cursor);
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
            match client.candidates().find_by_email(&arg("email")).await? {
                Some(c) => to_json(&c)?,
                None => {
                    return Ok(Answer::NoMatch(
                        "no candidate has that e-mail address".into(),
                    ));
                }
            }
        }
        ("candidates", "find-by-phone") => {
            match client.candidates().find_by_phone(&arg("phone")).await? {
                Some(c) => to_json(&c)?,
                None => return Ok(Answer::NoMatch("no candidate has that phone number".into())),
            }
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
        ("candidates", "update") => {
            let update = candidate_update(body)?;
            accepted(
                client
                    .candidates()
                    .update(&arg("id"), &update, &options)
                    .await?,
            )
        }
        ("attachments", "add") => {
            let files = |flag: &str| -> Result<Vec<Attachment>> {
                m.get_many::<String>(flag)
                    .into_iter()
                    .flatten()
                    .map(|f| attachment(f))
                    .collect()
            };
            let new = NewAttachments {
                curriculum_vitae: files("cv")?,
                other_attachments: files("other")?,
            };
            accepted(
                client
                    .attachments()
                    .add(&arg("candidate-id"), &new, &options)
                    .await?,
            )
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

/// A file path, or an `https://` URL the server fetches.
fn attachment(given: &str) -> Result<Attachment> {
    match edu_common::Url::parse(given) {
        Ok(url) if url.scheme() == "https" || url.scheme() == "http" => Ok(Attachment::url(&url)),
        _ => Attachment::file(given),
    }
}

/// A partial update from `--data`: the named fields set, `null` clearing one, any other key a
/// custom field.
fn candidate_update(body: Option<Value>) -> Result<CandidateUpdate> {
    let Some(Value::Object(fields)) = body else {
        return Err(Error::invalid_input(
            Some("data"),
            "--data must be a JSON object of the fields to change",
        ));
    };
    fn patch<T: serde::de::DeserializeOwned>(name: &str, v: Value) -> Result<Patch<T>> {
        match v {
            Value::Null => Ok(Patch::Clear),
            v => serde_json::from_value(v).map(Patch::Set).map_err(|e| {
                Error::invalid_input(
                    Some(name),
                    edu_common::error::redact_serde_message(&e.to_string()),
                )
            }),
        }
    }
    let mut update = CandidateUpdate::default();
    for (key, value) in fields {
        match key.as_str() {
            "firstName" => update.first_name = patch("firstName", value)?,
            "lastName" => update.last_name = patch("lastName", value)?,
            "email" => update.email = patch("email", value)?,
            "phone" => update.phone = patch("phone", value)?,
            "privacyConsent" => update.privacy_consent = patch("privacyConsent", value)?,
            _ => {
                update.custom.insert(key, value);
            }
        }
    }
    Ok(update)
}
