//! Answering one request: the API key, the routes, validation, 202s and listings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::API_KEY;
use super::schema::{region_schema, region_update_schema};
use super::state::{Change, Mutation, State};

pub(super) fn envelope(status: u16, message: &str, data: Value, sandbox: bool) -> Response {
    let mut meta = json!({});
    if sandbox {
        meta["sandboxEnabled"] = json!(true);
    }
    Response::new(status).set_body_json(
        json!({"statusCode": status, "message": message, "data": data, "meta": meta}),
    )
}

pub(super) fn error(status: u16, message: &str, errors: Value) -> Response {
    Response::new(status)
        .set_body_json(json!({"statusCode": status, "message": message, "errors": errors}))
}

pub(super) struct Handler {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) queue: mpsc::UnboundedSender<Mutation>,
    pub(super) create: jsonschema::Validator,
    pub(super) update: jsonschema::Validator,
}

impl Handler {
    pub(super) fn violations(validator: &jsonschema::Validator, v: &Value) -> Vec<Value> {
        validator
            .iter_errors(v)
            .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
            .collect()
    }

    pub(super) fn accept(
        &self,
        state: &mut State,
        req: &Request,
        sandbox: bool,
        change: Change,
    ) -> Response {
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let key = q
            .get("idempotencyKey")
            .cloned()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let scoped = format!("{sandbox}:{key}");
        let mut sent = format!("{} {}\n", req.method, req.url.path()).into_bytes();
        sent.extend_from_slice(&req.body);
        if let Some((first, previous)) = state.accepted.get(&scoped) {
            // The same write again (a retry): the first acceptance, and nothing new is queued.
            // The key with another write: refused, every time (see the module docs).
            return if *first == sent {
                Response::new(202).set_body_json(previous.clone())
            } else {
                error(
                    409,
                    "idempotencyKey was already used for a different request",
                    json!([{"path": "/idempotencyKey", "message": "reuse the key only to retry the same request"}]),
                )
            };
        }
        let id = state.new_id("mut");
        let body = json!({
            "statusCode": 202, "message": "Mutation accepted and queued",
            "data": {"mutationId": id, "idempotencyKey": key},
            "meta": if sandbox { json!({"sandboxEnabled": true}) } else { json!({}) }
        });
        state.accepted.insert(scoped, (sent, body.clone()));
        let _ = self.queue.send(Mutation {
            id,
            key,
            sandbox,
            callback: q.get("callbackUrl").cloned(),
            change,
        });
        Response::new(202).set_body_json(body)
    }
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> Response {
        if req.headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
            return error(401, "Missing or invalid API key", json!([]));
        }
        let sandbox = req
            .headers
            .get("x-api-sandbox")
            .and_then(|v| v.to_str().ok())
            == Some("true");
        let mut guard = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let state = &mut *guard;
        let path = req.url.path().trim_start_matches("/api/v2").to_owned();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let body: Option<Value> = serde_json::from_slice(&req.body).ok();
        let method = req.method.as_str();
        match (method, parts.as_slice()) {
            ("GET", ["schema"]) => {
                let schema = if q.get("operation").map(String::as_str) == Some("update") {
                    region_update_schema()
                } else {
                    region_schema()
                };
                envelope(200, "Schema retrieved", schema, false)
            }
            ("GET", ["candidates"]) => {
                let size: usize = match q.get("pageSize").map(|s| s.parse::<usize>()) {
                    None => 25,
                    Some(Ok(n)) if (1..=100).contains(&n) => n,
                    _ => return error(400, "pageSize must be between 1 and 100", json!([])),
                };
                let offset: usize = match q.get("cursor") {
                    None => 0,
                    Some(c) => match base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(c)
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok())
                        .and_then(|s| s.strip_prefix("o:").and_then(|n| n.parse().ok()))
                    {
                        Some(n) => n,
                        None => return error(400, "invalid cursor", json!([])),
                    },
                };
                let all = &state.store(sandbox).candidates;
                let page: Vec<Value> = all.iter().skip(offset).take(size).cloned().collect();
                let next = (offset + size < all.len()).then(|| {
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(format!("o:{}", offset + size))
                });
                let mut resp = json!({"statusCode": 200, "message": "Candidates retrieved", "data": page, "meta": {"cursor": next}});
                if sandbox {
                    resp["meta"]["sandboxEnabled"] = json!(true);
                }
                Response::new(200).set_body_json(resp)
            }
            ("GET", ["candidates", "find"]) => {
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                let found = match (q.get("email"), q.get("phone")) {
                    (Some(e), _) => state.store(sandbox).candidates.iter().find(|c| {
                        c["email"]
                            .as_str()
                            .is_some_and(|x| x.eq_ignore_ascii_case(e))
                    }),
                    (None, Some(p)) => state
                        .store(sandbox)
                        .candidates
                        .iter()
                        .find(|c| c["phone"].as_str().is_some_and(|x| digits(x) == digits(p))),
                    (None, None) => return error(400, "email or phone is required", json!([])),
                };
                match found {
                    Some(c) => envelope(200, "Candidate found", c.clone(), sandbox),
                    None => error(404, "No candidate found", json!([])),
                }
            }
            ("GET", ["candidates", id]) => match state
                .store(sandbox)
                .candidates
                .iter()
                .find(|c| c["id"] == *id)
            {
                Some(c) => envelope(200, "Candidate retrieved", c.clone(), sandbox),
                None => error(404, "Candidate not found", json!([])),
            },
            ("POST", ["candidates"]) | ("POST", ["candidates", "upsert"]) => {
                let Some(list @ Value::Array(_)) = body else {
                    return error(400, "Body must be an array of candidates", json!([]));
                };
                let problems = Self::violations_array(&self.create, &list);
                if !problems.is_empty() {
                    return error(400, "Validation failed", Value::Array(problems));
                }
                let items = list.as_array().cloned().unwrap_or_default();
                let change = if parts.len() == 2 {
                    Change::Upsert(items)
                } else {
                    Change::Create(items)
                };
                self.accept(state, req, sandbox, change)
            }
            ("PATCH", ["candidates", id]) => {
                let Some(patch) = body else {
                    return error(400, "Body must be a JSON object", json!([]));
                };
                let problems = Self::violations(&self.update, &patch);
                if !problems.is_empty() {
                    return error(400, "Validation failed", Value::Array(problems));
                }
                self.accept(state, req, sandbox, Change::Update((*id).to_owned(), patch))
            }
            ("DELETE", ["candidates", id]) => {
                self.accept(state, req, sandbox, Change::Delete((*id).to_owned()))
            }
            ("GET", ["candidates", id, "interactions"]) => {
                let list = state
                    .store(sandbox)
                    .interactions
                    .get(*id)
                    .cloned()
                    .unwrap_or_default();
                envelope(
                    200,
                    "Interactions retrieved",
                    Value::Array(list.into_iter().take(100).collect()),
                    sandbox,
                )
            }
            ("POST", ["candidates", id, "interactions"]) => {
                let list = body.and_then(|b| b.as_array().cloned()).unwrap_or_default();
                if list.is_empty()
                    || list.len() > 10
                    || list
                        .iter()
                        .any(|i| !i["type"].is_string() || !i["performedAt"].is_string())
                {
                    return error(
                        400,
                        "1 to 10 interactions, each with type and performedAt",
                        json!([]),
                    );
                }
                self.accept(
                    state,
                    req,
                    sandbox,
                    Change::Interactions((*id).to_owned(), list),
                )
            }
            ("POST", ["candidates", id, "attachments"]) => {
                let files = body.unwrap_or(Value::Null);
                let problems = attachment_problems(&files);
                if !problems.is_empty() {
                    return error(400, "Validation failed", Value::Array(problems));
                }
                self.accept(
                    state,
                    req,
                    sandbox,
                    Change::Attachments((*id).to_owned(), files),
                )
            }
            _ => error(404, "Route not found", json!([])),
        }
    }
}

impl Handler {
    pub(super) fn violations_array(validator: &jsonschema::Validator, list: &Value) -> Vec<Value> {
        let items = list.as_array().cloned().unwrap_or_default();
        if items.is_empty() || items.len() > 10 {
            return vec![json!({"path": "", "message": "1 to 10 candidates per request"})];
        }
        items
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                Self::violations(validator, c)
                    .into_iter()
                    .map(move |mut v| {
                        v["path"] =
                            json!(format!("/{i}{}", v["path"].as_str().unwrap_or_default()));
                        v
                    })
            })
            .collect()
    }
}

/// What is wrong with an attachments body: it is an object whose `curriculumVitae` and
/// `otherAttachments` are lists of at most 5 files, each `{url}` (an http(s) URL) or
/// `{filename, base64}` (valid base64), and nothing else.
pub(super) fn attachment_problems(files: &Value) -> Vec<Value> {
    use base64::Engine as _;
    let Some(fields) = files.as_object() else {
        return vec![json!({"path": "", "message": "the body must be a JSON object"})];
    };
    let mut problems = Vec::new();
    for (field, value) in fields {
        if field != "curriculumVitae" && field != "otherAttachments" {
            problems.push(json!({"path": format!("/{field}"), "message": "unknown field"}));
            continue;
        }
        let Some(list) = value.as_array() else {
            problems
                .push(json!({"path": format!("/{field}"), "message": "must be a list of files"}));
            continue;
        };
        if list.len() > 5 {
            problems
                .push(json!({"path": format!("/{field}"), "message": "at most 5 files per field"}));
        }
        for (i, file) in list.iter().enumerate() {
            let text = |k: &str| file.get(k).and_then(Value::as_str);
            let by_url = text("url").is_some_and(|u| {
                edu_common::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
            }) && file.as_object().is_some_and(|o| o.len() == 1);
            let uploaded = text("filename").is_some_and(|n| !n.is_empty())
                && text("base64")
                    .is_some_and(|b| base64::engine::general_purpose::STANDARD.decode(b).is_ok())
                && file.as_object().is_some_and(|o| o.len() == 2);
            if !by_url && !uploaded {
                problems.push(json!({
                    "path": format!("/{field}/{i}"),
                    "message": "a file is {url} (http or https) or {filename, base64}"
                }));
            }
        }
    }
    problems
}
