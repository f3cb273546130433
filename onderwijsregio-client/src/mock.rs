//! A stateful simulator of the Onderwijsregio API v2 (feature `mock`).
//!
//! It checks the API key, serves a realistic region schema (shared fields plus custom fields),
//! validates writes and answers validation errors, accepts writes with 202 into a queue that is
//! processed in order shortly after, honours idempotency keys, POSTs signed callbacks to the
//! `callbackUrl`, keeps sandbox data apart, and lists candidates with an opaque cursor.
//!
//! Idempotency keys: the same key with the same request (method, path and body) is one mutation,
//! and every repeat gets the first acceptance back. The same key with a *different* request is
//! answered 409 every time, and nothing is queued. The API's documentation does not say what it
//! does in that case; the simulator refuses it loudly (as Stripe does) because the alternative,
//! silently answering with the first acceptance, would hide a client bug that loses writes, and a
//! test that passes against a strict simulator also passes against a lenient server.
//!
//! The queue is worked by a task on the Tokio runtime that started the simulator.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use edu_common::mock::{Request, Respond, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::Client;
use crate::callbacks::Signer;

const API_KEY: &str = "or-sim-key";
const SIGNING_SECRET: &str = "or-sim-signing-secret";

/// The region's create schema: an array of up to ten candidates.
pub fn region_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "array",
        "minItems": 1,
        "maxItems": 10,
        "items": candidate_schema(true)
    })
}

/// The region's update schema: any subset of the fields, `null` clearing nullable ones.
pub fn region_update_schema() -> Value {
    let mut s = candidate_schema(false);
    s["minProperties"] = json!(1);
    if let Some(props) = s["properties"].as_object_mut() {
        for key in [
            "phone",
            "phase",
            "sector",
            "regionInterest",
            "preferredStartDate",
        ] {
            if let Some(p) = props.get_mut(key) {
                *p = json!({ "anyOf": [p.clone(), {"type": "null"}] });
            }
        }
    }
    s
}

fn candidate_schema(create: bool) -> Value {
    let mut s = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "firstName": {"type": "string", "minLength": 1, "description": "Shared: given name"},
            "lastName": {"type": "string", "minLength": 1, "description": "Shared: family name"},
            "email": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"},
            "phone": {"type": "string", "pattern": "^[+0-9 ()-]{6,20}$"},
            "privacyConsent": {"type": "boolean"},
            "phase": {"enum": ["new", "matching", "orienting", "preparing", "in-training", "working", "left"]},
            "sector": {"type": "array", "items": {"enum": ["po", "vo", "so", "mbo", "hbo", "pro"]}, "uniqueItems": true},
            "interactions": {
                "type": "array", "maxItems": 10,
                "items": {
                    "type": "object", "required": ["type", "performedAt"],
                    "properties": {"type": {"type": "string"}, "performedAt": {"type": "string"}, "notes": {"type": "string"}}
                }
            },
            "regionInterest": {"enum": ["Rotterdam-Noord", "Rotterdam-Zuid", "Drechtsteden"], "description": "Custom field of this region"},
            "preferredStartDate": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "Custom field of this region"}
        }
    });
    if create {
        s["required"] = json!(["firstName", "lastName", "email", "privacyConsent"]);
    }
    s
}

#[derive(Debug)]
enum Change {
    Create(Vec<Value>),
    Upsert(Vec<Value>),
    Update(String, Value),
    Delete(String),
    Interactions(String, Vec<Value>),
    Attachments(String, Value),
}

#[derive(Debug)]
struct Mutation {
    id: String,
    key: String,
    sandbox: bool,
    callback: Option<String>,
    change: Change,
}

#[derive(Debug, Default)]
struct Store {
    candidates: Vec<Value>,
    interactions: HashMap<String, Vec<Value>>,
}

#[derive(Debug, Default)]
struct State {
    prod: Store,
    sandbox: Store,
    /// Accepted writes by idempotency key: what was sent (method, path, body) and the answer.
    accepted: HashMap<String, (Vec<u8>, Value)>,
    applied: usize,
    next_id: usize,
    callbacks_sent: usize,
    callback_failures: usize,
}

impl State {
    fn store(&mut self, sandbox: bool) -> &mut Store {
        if sandbox {
            &mut self.sandbox
        } else {
            &mut self.prod
        }
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:08}", self.next_id)
    }

    /// Applies a mutation; returns the ids it touched, or why it failed.
    fn apply(&mut self, m: &Mutation) -> Result<Vec<String>, String> {
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        match &m.change {
            Change::Create(list) | Change::Upsert(list) => {
                let upsert = matches!(m.change, Change::Upsert(_));
                let mut ids = Vec::new();
                for c in list {
                    let existing = upsert
                        .then(|| {
                            self.store(m.sandbox).candidates.iter().position(|x| {
                                let same_email = x["email"].as_str().map(str::to_lowercase)
                                    == c["email"].as_str().map(str::to_lowercase)
                                    && c["email"].is_string();
                                let same_phone = c["phone"].is_string()
                                    && x["phone"].as_str().map(digits)
                                        == c["phone"].as_str().map(digits);
                                same_email || same_phone
                            })
                        })
                        .flatten();
                    match existing {
                        Some(i) => {
                            let store = self.store(m.sandbox);
                            merge(&mut store.candidates[i], c);
                            ids.push(
                                store.candidates[i]["id"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned(),
                            );
                        }
                        None => {
                            let id = self.new_id("cand");
                            let mut c = c.clone();
                            c["id"] = json!(id);
                            if let Some(its) =
                                c.as_object_mut().and_then(|o| o.remove("interactions"))
                            {
                                self.store(m.sandbox).interactions.insert(
                                    id.clone(),
                                    its.as_array().cloned().unwrap_or_default(),
                                );
                            }
                            self.store(m.sandbox).candidates.push(c);
                            ids.push(id);
                        }
                    }
                }
                Ok(ids)
            }
            Change::Update(id, patch) => {
                let store = self.store(m.sandbox);
                let c = store
                    .candidates
                    .iter_mut()
                    .find(|c| c["id"] == *id)
                    .ok_or("candidate not found")?;
                merge(c, patch);
                Ok(vec![id.clone()])
            }
            Change::Delete(id) => {
                let store = self.store(m.sandbox);
                let before = store.candidates.len();
                store.candidates.retain(|c| c["id"] != *id);
                if store.candidates.len() == before {
                    return Err("candidate not found".into());
                }
                Ok(vec![id.clone()])
            }
            Change::Interactions(id, list) => {
                let store = self.store(m.sandbox);
                if !store.candidates.iter().any(|c| c["id"] == *id) {
                    return Err("candidate not found".into());
                }
                let entry = store.interactions.entry(id.clone()).or_default();
                entry.extend(list.iter().cloned());
                Ok(vec![id.clone()])
            }
            Change::Attachments(id, files) => {
                let store = self.store(m.sandbox);
                let c = store
                    .candidates
                    .iter_mut()
                    .find(|c| c["id"] == *id)
                    .ok_or("candidate not found")?;
                for field in ["curriculumVitae", "otherAttachments"] {
                    let new = files[field].as_array().cloned().unwrap_or_default();
                    let list = c[field].as_array().cloned().unwrap_or_default();
                    if list.len() + new.len() > 5 {
                        return Err(format!("{field} would hold more than 5 files"));
                    }
                    c[field] = Value::Array(list.into_iter().chain(new).collect());
                }
                Ok(vec![id.clone()])
            }
        }
    }
}

/// Shallow merge: arrays and scalars replace, `null` clears.
fn merge(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

fn envelope(status: u16, message: &str, data: Value, sandbox: bool) -> Response {
    let mut meta = json!({});
    if sandbox {
        meta["sandboxEnabled"] = json!(true);
    }
    Response::new(status).set_body_json(
        json!({"statusCode": status, "message": message, "data": data, "meta": meta}),
    )
}

fn error(status: u16, message: &str, errors: Value) -> Response {
    Response::new(status)
        .set_body_json(json!({"statusCode": status, "message": message, "errors": errors}))
}

struct Handler {
    state: Arc<Mutex<State>>,
    queue: mpsc::UnboundedSender<Mutation>,
    create: jsonschema::Validator,
    update: jsonschema::Validator,
}

impl Handler {
    fn violations(validator: &jsonschema::Validator, v: &Value) -> Vec<Value> {
        validator
            .iter_errors(v)
            .map(|e| json!({"path": e.instance_path().to_string(), "message": e.to_string()}))
            .collect()
    }

    fn accept(&self, state: &mut State, req: &Request, sandbox: bool, change: Change) -> Response {
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
                let too_many = ["curriculumVitae", "otherAttachments"]
                    .iter()
                    .any(|f| files[*f].as_array().is_some_and(|a| a.len() > 5));
                if !files.is_object() || too_many {
                    return error(400, "at most 5 files per field", json!([]));
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
    fn violations_array(validator: &jsonschema::Validator, list: &Value) -> Vec<Value> {
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

/// A running simulator. Dropping it stops the server; the queue worker ends with it.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    delay: Duration,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            delay: Duration::from_millis(10),
            port: None,
        }
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator; mutations are processed about `10 ms` after acceptance, in order.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// Starts the simulator with a given processing delay per mutation.
    pub async fn start_with_delay(delay: Duration) -> Simulator {
        SimulatorBuilder::default().delay(delay).start().await
    }
}

impl SimulatorBuilder {
    /// How long after acceptance each mutation is processed (default 10 ms), in order.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let delay = self.delay;
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, mut rx) = mpsc::unbounded_channel::<Mutation>();
        let compile = |s: Value| {
            jsonschema::validator_for(&s)
                .unwrap_or_else(|e| unreachable!("the simulator's schema is valid: {e}"))
        };
        let create_item = region_schema()["items"].clone();
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler {
                state: state.clone(),
                queue: tx,
                create: compile(create_item),
                update: compile(region_update_schema()),
            },
            |_| true,
            |status, message| json!({"statusCode": status, "message": message, "errors": []}),
        ));
        let worker_state = state.clone();
        tokio::spawn(async move {
            // A simulator may run with no client in its process (`edu-sim`): its own HTTP client
            // needs the rustls provider the clients install.
            edu_common::install_crypto_provider();
            let http = reqwest::Client::new();
            let signer = Signer::new(SIGNING_SECRET);
            while let Some(m) = rx.recv().await {
                tokio::time::sleep(delay).await;
                let result = {
                    let mut s = worker_state.lock().unwrap_or_else(|p| p.into_inner());
                    let r = s.apply(&m);
                    s.applied += 1;
                    r
                };
                let Some(url) = m.callback.as_deref().and_then(|u| url::Url::parse(u).ok()) else {
                    continue;
                };
                let payload = match &result {
                    Ok(ids) => {
                        json!({"mutationId": m.id, "idempotencyKey": m.key, "status": "succeeded", "candidateIds": ids, "sandbox": m.sandbox})
                    }
                    Err(e) => {
                        json!({"mutationId": m.id, "idempotencyKey": m.key, "status": "failed", "error": e, "sandbox": m.sandbox})
                    }
                };
                let body = serde_json::to_vec(&payload).unwrap_or_default();
                let path_and_query = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_owned(),
                };
                let ts = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let headers = signer.sign(
                    &path_and_query,
                    &body,
                    ts,
                    &uuid::Uuid::new_v4().to_string(),
                );
                let sent = http
                    .post(url)
                    .headers(headers)
                    .header("content-type", "application/json")
                    .body(body)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await;
                let mut s = worker_state.lock().unwrap_or_else(|p| p.into_inner());
                match sent {
                    Ok(r) if r.status().is_success() => s.callbacks_sent += 1,
                    _ => s.callback_failures += 1,
                }
            }
        });
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

impl Simulator {
    /// The base URL to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}/api/v2", self.server.uri())
    }

    /// The API key it accepts.
    pub fn api_key(&self) -> &'static str {
        API_KEY
    }

    /// The region's callback signing secret.
    pub fn signing_secret(&self) -> &'static str {
        SIGNING_SECRET
    }

    /// A client for this simulator.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .api_key(API_KEY)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stored (production) candidates.
    pub fn candidates(&self) -> Vec<Value> {
        self.lock().prod.candidates.clone()
    }

    /// The stored sandbox candidates.
    pub fn sandbox_candidates(&self) -> Vec<Value> {
        self.lock().sandbox.candidates.clone()
    }

    /// Mutations applied so far.
    pub fn mutations_applied(&self) -> usize {
        self.lock().applied
    }

    /// Callbacks delivered with a 2xx answer, and callbacks that failed.
    pub fn callbacks(&self) -> (usize, usize) {
        let s = self.lock();
        (s.callbacks_sent, s.callback_failures)
    }

    /// Waits until `n` mutations have been applied (at most `timeout`); true if they were.
    pub async fn wait_for_mutations(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.mutations_applied() < n {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Adds candidates directly (already processed), for listing tests.
    pub fn seed(&self, candidates: impl IntoIterator<Item = Value>) {
        let mut s = self.lock();
        for mut c in candidates {
            let id = s.new_id("cand");
            c["id"] = json!(id);
            s.prod.candidates.push(c);
        }
    }
}
