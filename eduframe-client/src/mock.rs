//! A stateful simulator of the Eduframe API on wiremock (feature `mock`).
//!
//! It serves courses, planned courses, enrollments, users, leads and accounts of the main API and
//! the Organization API's contacts, with opaque cursors in `Link` headers, `per_page` bounds
//! (1..=100, default 25), the `{errors, code, message}` error body, bearer-key checks, and a real
//! sliding-window limiter (500 requests per 5 minutes by default) that answers 429 with
//! `Retry-After` in whole seconds. Listings honour equality filters on the records' fields
//! (`status`, `course_id`, `planned_course_id`...) and `search`; parameters that are not a field
//! of the resource are ignored, as the API ignores them. Not yet served: the other resources of
//! the spec's 183 operations, writes, and nested collections.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use base64::Engine as _;
use edu_common::WindowLog;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::Client;

const API_KEY: &str = "eduframe-sim-key";

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    limit: u32,
    window: Duration,
    records: usize,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            limit: crate::RATE_LIMIT_REQUESTS,
            window: crate::RATE_LIMIT_WINDOW,
            records: 60,
            port: None,
        }
    }
}

impl SimulatorBuilder {
    /// The server's rate limit: `limit` requests per `window`.
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.limit = limit.max(1);
        self.window = window;
        self
    }

    /// How many records of each resource to serve.
    pub fn records(mut self, n: usize) -> Self {
        self.records = n;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let server = edu_common::mock::server(self.port).await?;
        let state = Arc::new(Mutex::new(State::new(&self, server.uri())));
        let faults = edu_common::mock::Faults::default();
        Mock::given(wiremock::matchers::any())
            .respond_with(faults.wrap(
                Handler(state.clone()),
                |_| true,
                |status, message| json!({"errors": {}, "code": status, "message": message}),
            ))
            .mount(&server)
            .await;
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

struct State {
    /// Scheme, host and port the simulator serves on (for absolute `Link` targets).
    origin: String,
    data: HashMap<&'static str, Vec<Value>>,
    log: WindowLog,
    requests: usize,
    throttled: usize,
}

/// The kept spec, parsed once per process: the simulator fills every required field of a record
/// from it, so records decode into the generated types whatever the spec requires.
static SPEC: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../spec/eduframe-v1.json")).unwrap_or_default()
});

/// A value of the right shape for `schema` (nulls where allowed, else zero values).
fn example(schema: &Value, spec: &Value, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    if let Some(r) = schema["$ref"].as_str() {
        let target = spec
            .pointer(r.trim_start_matches('#'))
            .cloned()
            .unwrap_or(Value::Null);
        return example(&target, spec, depth + 1);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(first) = schema[key].as_array().and_then(|a| a.first()) {
            return example(first, spec, depth + 1);
        }
    }
    if schema["nullable"] == true {
        return Value::Null;
    }
    if let Some(e) = schema["enum"].as_array().and_then(|a| a.first()) {
        return e.clone();
    }
    match schema["type"].as_str() {
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2026-09-01T08:00:00.000Z"),
            Some("date") => json!("2026-09-01"),
            Some("uri") => json!("https://example.nl/"),
            Some("email") => json!("someone@example.nl"),
            _ => json!(""),
        },
        Some("integer") => json!(0),
        Some("number") => json!(0.0),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        _ => {
            let mut obj = serde_json::Map::new();
            for name in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                obj.insert(
                    name.to_owned(),
                    example(&schema["properties"][name], spec, depth + 1),
                );
            }
            Value::Object(obj)
        }
    }
}

/// `count` records of component schema `name`: `fields(i)` laid over the schema's required
/// skeleton, which is worked out once.
fn records(name: &str, count: usize, fields: &dyn Fn(usize) -> Value) -> Vec<Value> {
    let spec = &*SPEC;
    let skeleton = example(
        &json!({"$ref": format!("#/components/schemas/{name}")}),
        spec,
        0,
    );
    (1..=count)
        .map(|i| {
            let mut record = skeleton.clone();
            if let (Some(r), Value::Object(f)) = (record.as_object_mut(), fields(i)) {
                r.extend(f);
            }
            record
        })
        .collect()
}

impl State {
    fn new(cfg: &SimulatorBuilder, origin: String) -> State {
        let ts = "2026-09-01T08:00:00.000Z";
        let n = cfg.records;
        let records = |name: &str, f: &dyn Fn(usize) -> Value| records(name, n, f);
        let data = HashMap::from([
            ("courses", records("Course", &|i| json!({"id": i, "name": format!("Course {i}"), "code": format!("C{i:03}"), "is_published": i % 3 != 0, "created_at": ts, "updated_at": ts}))),
            ("planned_courses", records("PlannedCourse", &|i| json!({"id": i, "course_id": 1 + i % 10, "start_date": "2026-10-01", "end_date": "2026-12-01", "max_participants": 20, "created_at": ts, "updated_at": ts}))),
            ("enrollments", records("Enrollment", &|i| json!({"id": i, "planned_course_id": 1 + i % 20, "student_id": i, "created_at": ts, "updated_at": ts}))),
            ("users", records("User", &|i| json!({"id": i, "first_name": "Student", "last_name": format!("{i}"), "email": format!("user{i}@example.nl"), "created_at": ts, "updated_at": ts}))),
            ("leads", records("Lead", &|i| json!({"id": i, "first_name": "Lead", "last_name": format!("{i}"), "email": format!("lead{i}@example.nl"), "created_at": ts, "updated_at": ts}))),
            ("accounts", records("Account", &|i| json!({"id": i, "name": format!("Account {i}"), "created_at": ts, "updated_at": ts}))),
            ("contacts", (1..=n).map(|i| json!({"id": i, "first_name": "Contact", "last_name": format!("{i}"), "email": format!("contact{i}@example.nl"), "organization_id": 1 + i % 4, "key_contact": if i % 5 == 0 { json!(1) } else { json!(false) }, "job_title": "Coordinator", "created_at": ts, "updated_at": ts})).collect()),
        ]);
        State {
            origin,
            data,
            log: WindowLog::new(cfg.limit, cfg.window),
            requests: 0,
            throttled: 0,
        }
    }

    /// Records a request; `Some(seconds)` (rounded up, at least 1) when it is over the limit.
    fn admit(&mut self) -> Option<u64> {
        let wait = self.log.record(tokio::time::Instant::now()).err()?;
        Some(wait.as_secs_f64().ceil().max(1.0) as u64)
    }
}

/// Query parameters that page or sort rather than filter.
const NOT_FILTERS: &[&str] = &["per_page", "cursor", "page", "sort", "search"];

/// Whether `record` passes the listing's filters (see the listing handler).
fn matches_filters(record: &Value, q: &HashMap<String, String>) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let fields_match = q
        .iter()
        .filter(|(k, _)| !NOT_FILTERS.contains(&k.as_str()))
        .all(|(k, want)| match record.get(k) {
            Some(v) if !v.is_null() => text(v) == *want,
            // A field these records do not have: not a filter of this resource.
            _ => true,
        });
    let search = q.get("search").is_none_or(|term| {
        let term = term.to_lowercase();
        record.as_object().is_some_and(|o| {
            o.values()
                .filter_map(Value::as_str)
                .any(|s| s.to_lowercase().contains(&term))
        })
    });
    fields_match && search
}

fn error(status: u16, message: &str, errors: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"errors": errors, "code": status, "message": message}))
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        s.requests += 1;
        if req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            != Some(&format!("Bearer {API_KEY}"))
        {
            return error(403, "Forbidden", json!({}));
        }
        if let Some(wait) = s.admit() {
            s.throttled += 1;
            return error(429, "Too many requests were made", json!({}))
                .insert_header("retry-after", wait.to_string().as_str());
        }
        let path = req.url.path().to_owned();
        let resource = match path
            .strip_prefix("/api/v1/")
            .or_else(|| path.strip_prefix("/api/organization/"))
        {
            Some(r) => r.trim_end_matches('/'),
            None => return error(404, "Not found", json!({})),
        };
        let Some(items) = s.data.get(resource) else {
            return error(404, "Not found", json!({}));
        };
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let per_page = match q.get("per_page").map(|p| p.parse::<usize>()) {
            None => 25,
            Some(Ok(n)) if (1..=100).contains(&n) => n,
            _ => {
                return error(
                    400,
                    "per_page must be between 1 and 100",
                    json!({"per_page": ["must be between 1 and 100"]}),
                );
            }
        };
        let after: u64 = match q.get("cursor") {
            None => 0,
            Some(c) => match base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v["id"].as_u64())
            {
                Some(id) => id,
                None => return error(400, "Invalid cursor", json!({"cursor": ["is invalid"]})),
            },
        };
        // The documented filters: `field=value` on a field the records have (equality, as text),
        // and `search` (a case-insensitive substring of any text field). Unknown parameters are
        // ignored, as the API ignores them.
        let items: Vec<&Value> = items.iter().filter(|v| matches_filters(v, &q)).collect();
        let page: Vec<Value> = items
            .iter()
            .filter(|v| v["id"].as_u64().is_some_and(|id| id > after))
            .take(per_page)
            .map(|v| (*v).clone())
            .collect();
        let mut resp = ResponseTemplate::new(200).set_body_json(Value::Array(page.clone()));
        let last = page.last().and_then(|v| v["id"].as_u64());
        let more = last.is_some_and(|l| {
            items
                .iter()
                .any(|v| v["id"].as_u64().is_some_and(|id| id > l))
        });
        if let (true, Some(l)) = (more, last) {
            let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(json!({"id": l}).to_string());
            let base = format!("{}{}", s.origin, path);
            let mut link = format!(r#"<{base}?cursor={cursor}&per_page={per_page}>; rel="next""#);
            if after > 0 {
                link = format!(r#"<{base}?per_page={per_page}>; rel="prev", {link}"#);
            }
            resp = resp.insert_header("link", link.as_str());
        }
        resp
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: MockServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("uri", &self.server.uri())
            .finish()
    }
}

impl Simulator {
    edu_common::simulator_fault_methods!();

    /// Configures a simulator.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Starts a simulator with 60 records per resource and the real limit.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// The main API's base URL.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.server.uri())
    }

    /// The Organization API's base URL.
    pub fn organization_base_url(&self) -> String {
        format!("{}/api/organization", self.server.uri())
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &'static str {
        API_KEY
    }

    /// A client for this simulator (with the default client-side limit).
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .api_key(API_KEY)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// Requests received, and how many of them were answered 429.
    pub fn counters(&self) -> (usize, usize) {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        (s.requests, s.throttled)
    }
}
