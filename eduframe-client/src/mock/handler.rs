//! Answering one request: authentication, the rate limit, routing by the spec, validation;
//! then the state serves it and the webhooks it caused are sent.

use std::sync::{Arc, Mutex};

use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};

use super::listing::{self, query_map};
use super::reply::{error, not_found};
use super::state::API_KEY;
use super::state::State;
use super::{spec, validate, webhooks};

pub(super) struct Handler(pub(super) Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> Response {
        // The arrival time, taken before waiting for the state: the limiter counts arrivals, as
        // a server does, not the moment a busy simulator got round to the request.
        let arrived = tokio::time::Instant::now();
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            != Some(&format!("Bearer {API_KEY}"))
        {
            return error(403, "Forbidden", json!({}));
        }
        if let Some(wait) = s.admit(arrived) {
            s.throttled += 1;
            return error(429, "Too many requests were made", json!({}))
                .insert_header("retry-after", wait.to_string().as_str());
        }
        let path = req.url.path().to_owned();
        let q = query_map(req);
        if let Some(rest) = path.strip_prefix("/api/organization/") {
            if rest.trim_end_matches('/') != "contacts" || req.method.as_str() != "GET" {
                return not_found();
            }
            let contacts = s.contacts.clone();
            return listing::page(
                &s.origin,
                &path,
                &q,
                contacts.iter().collect(),
                Value::clone,
            );
        }
        let Some(rest) = path.strip_prefix("/api/v1/") else {
            return not_found();
        };
        let segs: Vec<&str> = rest.split('/').filter(|x| !x.is_empty()).collect();
        let Some((route, params)) = spec::ROUTES
            .iter()
            .find_map(|r| r.matches(req.method.as_str(), &segs).map(|p| (r, p)))
        else {
            return not_found();
        };
        // Query parameters the operation documents are checked against their schemas; others
        // are ignored, as the API ignores them.
        let mut bad = serde_json::Map::new();
        for p in &route.query {
            for v in q.get(&p.name).into_iter().flatten() {
                if !validate::query_value_ok(&p.schema, v) {
                    bad.insert(p.name.clone(), json!(["is invalid"]));
                }
            }
        }
        if !bad.is_empty() {
            let names: Vec<&String> = bad.keys().collect();
            let message = if bad.contains_key("per_page") {
                "per_page must be between 1 and 100".to_owned()
            } else {
                format!("Invalid parameters: {names:?}")
            };
            return error(400, &message, Value::Object(bad));
        }
        let mut body: Value = if req.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(_) => return error(400, "The request body is not valid JSON", json!({})),
            }
        };
        if let Some(schema) = &route.body {
            let partial = matches!(route.method.as_str(), "patch" | "put");
            let mut errors = serde_json::Map::new();
            if body.is_null() && !partial {
                errors.insert("base".into(), json!(["a request body is required"]));
            } else if !body.is_null() {
                validate::validate(schema, &body, "", partial, &mut errors);
            }
            if !errors.is_empty() {
                let first = errors.keys().next().cloned().unwrap_or_default();
                return error(
                    422,
                    &format!("Validation failed: {first} is invalid"),
                    Value::Object(errors),
                );
            }
            validate::coerce(schema, &mut body);
        }
        if let Some((_, id)) = params.iter().find(|(n, _)| n == "webhook_id")
            && let Some(resp) =
                webhooks::notifications_answer(&s.hooks(), &s.origin, &route.id, id, &path, &q)
        {
            return resp.insert_header("x-edu-sim-operation", route.id.as_str());
        }
        // Which operation of the spec answered: tests (and curious users) can see it.
        let resp = s.serve(route, &params, &q, &body, &path);
        webhooks::dispatch(&s.hooks);
        if !s.served.contains(&route.id.as_str()) {
            s.served.push(&route.id);
        }
        resp.insert_header("x-edu-sim-operation", route.id.as_str())
    }
}
