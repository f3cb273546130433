//! A stateful simulator of the Eduframe API (feature `mock`), driven by the kept spec.
//!
//! - **Every operation of the spec** (183) is routed from the spec's paths, not written per
//!   resource; the header `x-edu-sim-operation` names the operation that answered, and
//!   [`Simulator::operations_served`] lists them.
//! - **Requests are validated against the spec**: documented query parameters by type, enum and
//!   bounds (400, `per_page` outside 1..=100 included); bodies by required fields, types, enums and
//!   patterns (422, every failing field in `errors`); booleans read leniently (true/false/1/0), as
//!   the API documents. Undocumented query parameters are ignored, as the API ignores them.
//! - **Records are synthesised from the response schemas** (every property, enums cycled) and
//!   **kept**: POST creates (ids continue after the seed), GET reads, PATCH changes only the fields
//!   sent, DELETE removes; actions change state (`cancel` → `canceled`, `approve`, `deny`, `open`,
//!   `activate`, `deactivate`). Record 1 of every resource points at record 1 of its parents.
//! - **Nested collections are filtered by their parent** (`/courses/{course_id}/planned_courses`,
//!   `/meetings/{id}/materials`), and listings honour equality filters on the records' fields (any
//!   of several values), `*_from`/`*_after`/`*_until` bounds, `role`, `published`, `search` and
//!   `sort`, with base64 cursors in `Link` headers (prev and next) as the API writes them.
//! - The `{errors, code, message}` error body, bearer-key checks (403), and a real sliding-window
//!   limiter (500 requests per 5 minutes by default) answering 429 with `Retry-After` in seconds;
//!   the shared fault controls (`throttle_next`, `fail_next`, `set_latency`).
//! - The Organization API's contacts, with the same cursors.
//!
//! Not faithful yet: filters whose meaning is not a field of the record (`with_canceled`,
//! `parents_published`) are ignored; responses carry every property, where the real API may
//! leave optional ones out (unless [`SimulatorBuilder::sparse`] is on); feature flags (programs, custom objects) are always on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edu_common::WindowLog;
use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};

use crate::Client;

mod listing;
mod records;
mod reply;
mod schema;
mod spec;
mod validate;

use listing::{matches_filters, query_map};
use records::{apply_action, overlay};
use reply::{error, not_found, text};

const API_KEY: &str = "eduframe-sim-key";

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    /// `None`: no server-side rate limit.
    limit: Option<u32>,
    window: Duration,
    records: usize,
    sparse: bool,
    seed: u64,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            limit: Some(crate::RATE_LIMIT_REQUESTS),
            window: crate::RATE_LIMIT_WINDOW,
            records: 60,
            sparse: false,
            seed: 0,
            port: None,
        }
    }
}

impl SimulatorBuilder {
    /// The server's rate limit: `limit` requests per `window`.
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.limit = Some(limit.max(1));
        self.window = window;
        self
    }

    /// No server-side rate limit (the real API allows 500 requests per 5 minutes per key): for
    /// fuzzers and load tests that are not about throttling.
    pub fn no_rate_limit(mut self) -> Self {
        self.limit = None;
        self
    }

    /// How many records of each resource to serve.
    pub fn records(mut self, n: usize) -> Self {
        self.records = n;
        self
    }

    /// Sparse records: every answer leaves out every property but `id`, the sparsest record
    /// the API could send, where the real API leaves out some optional ones (`custom`,
    /// `label_ids` without an `include`, empty fields). Code that assumes a field is always
    /// there fails against a sparse simulator in tests rather than against the real API in
    /// production; the typed models decode sparse records. Off by default: records carry every
    /// property of their schema.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.sparse = sparse;
        self
    }

    /// Which data set to synthesise: the same seed gives the same records on every run (the
    /// default, 0, included); another seed gives other values (enum choices, flags, numbers)
    /// under the same ids, names and links.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        // The spec is read and routed before the first request, not during it.
        spec::warm_up();
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::new(&self, bound.uri())));
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |_| true,
            |status, message| json!({"errors": {}, "code": status, "message": message}),
        ));
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
    /// Records per resource (the spec's schema name without `WithIncludes`), in id order.
    data: HashMap<String, Vec<Value>>,
    /// Records each resource starts with, made when it is first used.
    seed: usize,
    /// The next id per resource.
    next_id: HashMap<String, u64>,
    contacts: Vec<Value>,
    /// Operation ids answered with a success, in the order first served.
    served: Vec<&'static str>,
    log: Option<WindowLog>,
    throttled: usize,
    /// Answers leave out optional properties ([`SimulatorBuilder::sparse`]).
    sparse: bool,
    /// The data seed ([`SimulatorBuilder::seed`]).
    variant: u64,
}

impl State {
    fn new(cfg: &SimulatorBuilder, origin: String) -> State {
        let ts = spec::now();
        let contacts = (1..=cfg.records)
            .map(|i| json!({"id": i, "first_name": "Contact", "last_name": format!("{i}"), "email": format!("contact{i}@example.nl"), "organization_id": 1 + i % 4, "key_contact": if i % 5 == 0 { json!(1) } else { json!(false) }, "job_title": "Coordinator", "created_at": ts, "updated_at": ts}))
            .collect();
        State {
            origin,
            data: HashMap::new(),
            seed: cfg.records,
            next_id: HashMap::new(),
            contacts,
            served: Vec::new(),
            log: cfg.limit.map(|n| WindowLog::new(n, cfg.window)),
            throttled: 0,
            sparse: cfg.sparse,
            variant: cfg.seed,
        }
    }

    /// Records a request that arrived at `at`; `Some(seconds)` (rounded up, at least 1) when it
    /// is over the limit.
    fn admit(&mut self, at: tokio::time::Instant) -> Option<u64> {
        let wait = self.log.as_mut()?.record(at).err()?;
        Some(wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// The records of resource `key`, seeded from its schema on first use.
    fn records(&mut self, key: &str) -> &mut Vec<Value> {
        let seed = self.seed;
        if !self.data.contains_key(key) {
            let variant = self.variant;
            let records: Vec<Value> = (1..=seed)
                .map(|i| spec::synthesize(key, i, variant))
                .collect();
            self.next_id.insert(key.to_owned(), seed as u64 + 1);
            self.data.insert(key.to_owned(), records);
        }
        self.data.get_mut(key).expect("inserted above")
    }

    /// A stored record of resource `key` as an answer shows it: whole, or sparse.
    fn shown(&self, key: &str, record: &Value) -> Value {
        match spec::RECORD_SCHEMAS.get(key) {
            Some(schema) if self.sparse => spec::sparse(schema, record),
            _ => record.clone(),
        }
    }

    fn new_id(&mut self, key: &str) -> u64 {
        self.records(key);
        let next = self.next_id.entry(key.to_owned()).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }
}

/// The record field a path parameter names: `course_id` itself, or `meeting_id` for the `{id}`
/// of `/meetings/{id}/materials`.
fn parent_field(route: &spec::Route, param: &str) -> String {
    if param != "id" {
        return param.to_owned();
    }
    let mut prev = "";
    for seg in &route.segs {
        match seg {
            spec::Seg::Static(s) => prev = s,
            spec::Seg::Param(p) if p == param => break,
            spec::Seg::Param(_) => {}
        }
    }
    format!("{}_id", prev.strip_suffix('s').unwrap_or(prev))
}

struct Handler(Arc<Mutex<State>>);

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
        // Which operation of the spec answered: tests (and curious users) can see it.
        let resp = s.serve(route, &params, &q, &body, &path);
        if !s.served.contains(&route.id.as_str()) {
            s.served.push(&route.id);
        }
        resp.insert_header("x-edu-sim-operation", route.id.as_str())
    }
}

impl State {
    fn serve(
        &mut self,
        route: &spec::Route,
        params: &[(String, String)],
        q: &HashMap<String, Vec<String>>,
        body: &Value,
        path: &str,
    ) -> Response {
        use spec::{Answer, Seg};
        let ends_in_param = matches!(route.segs.last(), Some(Seg::Param(_)));
        // The record's own id: the last path parameter when the path ends in it, or before an
        // action (`/orders/{id}/approve`).
        let own = |route: &spec::Route| -> Option<String> {
            let n = route.segs.len();
            match (
                route.segs.get(n.wrapping_sub(1)),
                route.segs.get(n.wrapping_sub(2)),
            ) {
                (Some(Seg::Param(p)), _) => Some(p.clone()),
                (Some(Seg::Static(_)), Some(Seg::Param(p))) if route.method != "get" => {
                    Some(p.clone())
                }
                _ => None,
            }
        };
        let own_param = if route.creates { None } else { own(route) };
        // Parent filters: every other path parameter names a field of the record.
        let parents: Vec<(String, String)> = params
            .iter()
            .filter(|(n, _)| Some(n) != own_param.as_ref())
            .map(|(n, v)| (parent_field(route, n), v.clone()))
            .collect();
        let in_parent = |r: &Value| {
            parents
                .iter()
                .all(|(f, v)| r.get(f).is_none_or(|x| x.is_null() || text(x) == *v))
        };
        let own_value = own_param
            .as_ref()
            .and_then(|p| params.iter().find(|(n, _)| n == p).map(|(_, v)| v.clone()));
        if let Answer::Other(schema) = &route.answer {
            return Response::new(route.status).set_body_json(spec::value_for(
                "",
                "",
                schema,
                (1, 1),
                0,
            ));
        }
        let key = route.store.clone();
        let status = route.status;
        let method = route.method.as_str();
        match (method, &route.answer) {
            ("get", Answer::List(_)) => {
                let records: Vec<Value> = self
                    .records(&key)
                    .iter()
                    .filter(|r| in_parent(r))
                    .cloned()
                    .collect();
                if route.paged {
                    listing::page(&self.origin, path, q, records.iter().collect(), |r| {
                        self.shown(&key, r)
                    })
                } else {
                    let items: Vec<Value> = records
                        .iter()
                        .filter(|r| matches_filters(r, q))
                        .map(|r| self.shown(&key, r))
                        .collect();
                    Response::new(status).set_body_json(json!(items))
                }
            }
            ("get", _) => {
                let found = match &own_value {
                    Some(id) => self
                        .records(&key)
                        .iter()
                        .find(|r| text(&r["id"]) == *id && in_parent(r))
                        .cloned(),
                    // A singleton such as `/educators/current`.
                    None => self.records(&key).first().cloned(),
                };
                match found {
                    Some(r) => Response::new(status).set_body_json(self.shown(&key, &r)),
                    None => not_found(),
                }
            }
            ("post", _) if route.creates => {
                // A create (also under a parent: `/planned_courses/{id}/teacher_enrollments`).
                // A parent named by an id that cannot be one (`/invoices/ú/payments`) does not
                // exist: Rails finds no record.
                let props = spec::RECORD_SCHEMAS
                    .get(&key)
                    .map(schema::properties)
                    .unwrap_or_default();
                let integer = |f: &str| {
                    props
                        .get(f)
                        .is_some_and(|s| schema::resolve(s)["type"] == "integer")
                };
                if parents
                    .iter()
                    .any(|(f, v)| integer(f) && v.parse::<i64>().is_err())
                {
                    return not_found();
                }
                let id = self.new_id(&key);
                let mut record = spec::synthesize(&key, id as usize, self.variant);
                overlay(&key, &mut record, body);
                if let Some(o) = record.as_object_mut() {
                    if o.get("id").is_some_and(Value::is_string) {
                        o.insert("id".into(), json!(id.to_string()));
                    } else {
                        o.insert("id".into(), json!(id));
                    }
                    for (f, v) in &parents {
                        if o.contains_key(f) {
                            o.insert(
                                f.clone(),
                                v.parse::<i64>().map(Value::from).unwrap_or(json!(v)),
                            );
                        }
                    }
                    for f in ["created_at", "updated_at"] {
                        if o.contains_key(f) {
                            o.insert(f.into(), json!(spec::now()));
                        }
                    }
                }
                let location = format!(
                    "{}{}/{}",
                    self.origin,
                    path.trim_end_matches('/'),
                    text(&record["id"])
                );
                self.records(&key).push(record.clone());
                match &route.answer {
                    Answer::Created(_) => Response::new(status)
                        .set_body_json(json!({"result": "Success", "location": location}))
                        .insert_header("location", location.as_str()),
                    Answer::Empty => Response::new(status),
                    _ => Response::new(status).set_body_json(self.shown(&key, &record)),
                }
            }
            ("delete", _) if route.last_static().is_none() => {
                let Some(id) = own_value else {
                    return not_found();
                };
                let records = self.records(&key);
                let Some(pos) = records
                    .iter()
                    .position(|r| text(&r["id"]) == id && in_parent(r))
                else {
                    return not_found();
                };
                let removed = records.remove(pos);
                match &route.answer {
                    Answer::One(_) => {
                        Response::new(status).set_body_json(self.shown(&key, &removed))
                    }
                    _ => Response::new(status),
                }
            }
            _ => {
                // An update, or an action on one record (`cancel`, `approve`, `activate`...).
                let Some(id) = own_value else {
                    return not_found();
                };
                let action = if ends_in_param {
                    None
                } else {
                    route.last_static().map(str::to_owned)
                };
                let records = self.records(&key);
                let Some(record) = records
                    .iter_mut()
                    .find(|r| text(&r["id"]) == id && in_parent(r))
                else {
                    return not_found();
                };
                overlay(&key, record, body);
                match action {
                    Some(a) => apply_action(record, &a),
                    None => {
                        if let Some(o) = record.as_object_mut()
                            && o.contains_key("updated_at")
                        {
                            o.insert("updated_at".into(), json!(spec::now()));
                        }
                    }
                }
                let record = record.clone();
                match &route.answer {
                    Answer::One(_) => {
                        Response::new(status).set_body_json(self.shown(&key, &record))
                    }
                    _ => Response::new(status),
                }
            }
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

edu_common::simulator_common!();

impl Simulator {
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

    /// The operation ids of the spec that requests have reached (past authentication, the
    /// limiter and validation), in the order first reached.
    pub fn operations_served(&self) -> Vec<&'static str> {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.served.clone()
    }

    /// How many requests the server's own rate limit answered 429 (of the
    /// [`api_requests`](Self::api_requests) received).
    pub fn throttled(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .throttled
    }
}
