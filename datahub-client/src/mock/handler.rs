//! Answering one request: the token endpoint, the bearer check and the routes.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use edu_common::mock::bearer;
use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};

use super::listing::{fail, list};
use super::state::State;
use super::{CLIENT_ID, CLIENT_SECRET};

pub(super) fn error(status: u16, message: &str) -> Response {
    Response::new(status).set_body_json(json!({ "error": message }))
}

/// The most rendered answers kept.
const RENDERED_MAX: usize = 1_024;

pub(super) struct Handler(pub(super) Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> Response {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let state = &mut *guard;
        let path = req.url.path().to_owned();
        if path == "/datahub/oauth/token" {
            return token(state, req);
        }
        let Some(rest) = path.strip_prefix("/datahub/services/v1/") else {
            return error(404, "not found");
        };
        if let Some(resp) = authorize(state, req) {
            return resp;
        }
        let key = match req.url.query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest.to_owned(),
        };
        let (status, body) = match state.rendered.get(&key) {
            Some(hit) => hit.clone(),
            None => {
                let (status, body) = route(state, rest, req);
                let rendered = (status, serde_json::to_vec(&body).unwrap_or_default());
                // Pages are rendered once (the benchmarks list 100,000 records); the cache is
                // bounded, as its keys are whatever query strings callers send.
                if status == 200 && state.rendered.len() < RENDERED_MAX {
                    state.rendered.insert(key, rendered.clone());
                }
                rendered
            }
        };
        Response::new(status)
            .set_body_raw(body, "application/json")
            .insert_header("x-ratelimit-limit", "1200")
    }
}

pub(super) fn token(state: &mut State, req: &Request) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let auth = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let body = String::from_utf8_lossy(&req.body);
    if req.method != http::Method::POST || !body.contains("grant_type=client_credentials") {
        return error(400, "unsupported_grant_type");
    }
    if auth != Some(expected.as_str()) {
        return error(401, "invalid_client");
    }
    let token = state.tokens.issue(());
    Response::new(200).set_body_json(json!({
        "access_token": token, "token_type": "bearer", "expires_in": state.tokens.lifetime().as_secs()
    }))
}

pub(super) fn authorize(state: &State, req: &Request) -> Option<Response> {
    let from_query = req
        .url
        .query_pairs()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned());
    let token = bearer(&req.headers).or(from_query.as_deref());
    (!state.tokens.check(token).is_valid()).then(|| error(401, "invalid_token"))
}

pub(super) fn route(state: &State, rest: &str, req: &Request) -> (u16, Value) {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [resource] => match state.collections.get(resource) {
            Some(all) => list(all, &format!("/v1/{resource}"), req, state.range_paging),
            None => fail(404, "Resource not found"),
        },
        [resource, id] => match state.find(resource, id) {
            Some(v) => match req.url.query_pairs().find(|(k, _)| k == "include") {
                // Only where the API documents it; elsewhere an unknown parameter is ignored.
                Some((_, names)) if INCLUDES.contains(resource) => {
                    with_included(state, resource, v, &names)
                }
                _ => item(v.clone(), resource),
            },
            None => fail(404, "Resource not found"),
        },
        [resource, id, sub] => {
            let Some(record) = state.find(resource, id).cloned() else {
                return fail(404, "Resource not found");
            };
            if *sub == "grade_levels" && *resource == "teachers" {
                let mut grades: Vec<String> = state
                    .related("teachers", &record, "sections")
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| s["grade"].as_str().map(str::to_owned))
                    .collect();
                grades.sort();
                grades.dedup();
                return (200, json!({ "data": grades }));
            }
            if let Some(v) = state.single(resource, &record, sub) {
                return item(v, resource);
            }
            match state.related(resource, &record, sub) {
                Some(mut items) => {
                    items.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
                    list(
                        &items,
                        &format!("/v1/{resource}/{id}/{sub}"),
                        req,
                        state.range_paging,
                    )
                }
                None => fail(404, "Resource not found"),
            }
        }
        _ => fail(404, "Resource not found"),
    }
}

/// The records whose `GET /{resource}/{id}` takes `include` (Clever v1.1's spec).
const INCLUDES: &[&str] = &["districts", "teachers", "students", "school_admins"];

/// `include=school,sections`: the record with the related records it names, each as its own
/// sub-resource answers it (`/students/{id}/school`), under `included` beside `data`. Names
/// are the record's relations; one it does not have is a 400 that lists them. (Neither the seed
/// nor Clever's spec says how included records are laid out: this is the simulator's reading,
/// and the typed client does not depend on it.)
fn with_included(state: &State, resource: &str, record: &Value, names: &str) -> (u16, Value) {
    const RELATIONS: &[&str] = &[
        "district", "school", "schools", "sections", "students", "teachers", "contacts", "teacher",
        "student", "admins",
    ];
    let mut included = serde_json::Map::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let found = RELATIONS
            .contains(&name)
            .then(|| {
                state
                    .single(resource, record, name)
                    .or_else(|| state.related(resource, record, name).map(Value::from))
            })
            .flatten();
        match found {
            Some(v) => {
                included.insert(name.to_owned(), v);
            }
            None => {
                let known: Vec<&str> = RELATIONS
                    .iter()
                    .copied()
                    .filter(|r| {
                        state.single(resource, record, r).is_some()
                            || state.related(resource, record, r).is_some()
                    })
                    .collect();
                return fail(
                    400,
                    &format!(
                        "Could not parse include '{name}': a {resource} record includes {}",
                        known.join(", ")
                    ),
                );
            }
        }
    }
    let (status, mut body) = item(record.clone(), resource);
    body["included"] = Value::Object(included);
    (status, body)
}

pub(super) fn item(v: Value, resource: &str) -> (u16, Value) {
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    (
        200,
        json!({
            "data": v,
            "links": [{"rel": "self", "uri": format!("/v1/{resource}/{id}")}]
        }),
    )
}
