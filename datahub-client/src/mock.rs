//! A stateful simulator of the datahub API (feature `mock`).
//!
//! It issues and expires tokens, serves a generated district (schools, teachers, students,
//! sections, contacts, admins, events) in the real envelopes with working `next` links and page
//! numbers, and can be told to answer 429 with `Retry-After`, 5xx, or slowly. Listings honour the
//! filters Clever v1.1 has: `where` (a JSON document of field values, dotted for nested fields,
//! with `$in`, `$ne` and `$exists`; an unparsable one is a 400 `{"error": …}`), `created_since`
//! (an ObjectID or a W3C datetime), and `starting_after` / `ending_before` (unless built with
//! [`SimulatorBuilder::starting_after`]`(false)`, which follows the seed and ignores them).
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use futures::TryStreamExt;
//! let sim = datahub_client::mock::Simulator::builder().students(1_000).start().await;
//! let client = sim.client();
//! let n = client.students().list().limit(100).stream().try_collect::<Vec<_>>().await?.len();
//! assert_eq!(n, 1_000);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use edu_common::mock::{Request, Respond, Response};
use edu_common::mock::{TokenDesk, bearer};
use serde_json::{Value, json};

use crate::Client;

const CLIENT_ID: &str = "sim-client";
const CLIENT_SECRET: &str = "sim-secret";

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    schools: usize,
    teachers: usize,
    students: usize,
    sections: usize,
    token_lifetime: Duration,
    page_latency: Duration,
    range_paging: bool,
    seed: usize,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            schools: 3,
            teachers: 12,
            students: 240,
            sections: 24,
            token_lifetime: Duration::from_secs(7199),
            page_latency: Duration::ZERO,
            range_paging: true,
            seed: 0,
            port: None,
        }
    }
}

impl SimulatorBuilder {
    /// Number of schools (at least 1).
    pub fn schools(mut self, n: usize) -> Self {
        self.schools = n.max(1);
        self
    }

    /// Number of teachers (at least 1).
    pub fn teachers(mut self, n: usize) -> Self {
        self.teachers = n.max(1);
        self
    }

    /// Number of students.
    pub fn students(mut self, n: usize) -> Self {
        self.students = n;
        self
    }

    /// Number of sections (at least 1).
    pub fn sections(mut self, n: usize) -> Self {
        self.sections = n.max(1);
        self
    }

    /// Lifetime of issued tokens (`expires_in`).
    pub fn token_lifetime(mut self, d: Duration) -> Self {
        self.token_lifetime = d;
        self
    }

    /// Whether listings honour `starting_after` and link to the next page with it, as Clever
    /// v1.1 does (the default). With `false` the simulator follows the seed, which documents only
    /// `limit`, `page` and `search_token`: it ignores `starting_after` (a request with it starts
    /// from the top) and its `next` links carry `page=N`.
    pub fn starting_after(mut self, honoured: bool) -> Self {
        self.range_paging = honoured;
        self
    }

    /// Which data set to generate: the same seed gives the same district on every run (the
    /// default, 0, included); another seed gives other names, grades and genders under the same
    /// ids and memberships.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed as usize;
        self
    }

    /// Delay added to every API response.
    pub fn page_latency(mut self, d: Duration) -> Self {
        self.page_latency = d;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::generate(&self)));
        let faults = edu_common::mock::Faults::default();
        faults.set_latency(self.page_latency);
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| req.url.path().starts_with("/datahub/services/"),
            |_, message| json!({ "error": message }),
        ));
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

#[derive(Debug)]
struct State {
    district: Value,
    collections: HashMap<&'static str, Vec<Value>>,
    range_paging: bool,
    tokens: TokenDesk,
    /// Rendered successful responses by path and query: the data never changes, so each page is
    /// serialised once and large listings are served at loopback speed.
    rendered: HashMap<String, (u16, Vec<u8>)>,
}

fn oid(n: usize) -> String {
    format!("{n:024x}")
}

const FIRST: &[&str] = &[
    "Ada", "Bram", "Chloe", "Daan", "Emma", "Finn", "Guus", "Hanna", "Isa", "Jens",
];
const LAST: &[&str] = &[
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos",
];

impl State {
    fn generate(cfg: &SimulatorBuilder) -> State {
        let district_id = oid(1);
        let ts = "2026-08-01T08:00:00.000Z";
        let district = json!({"id": district_id, "name": "Demo District", "mdr_number": "9990001"});
        let schools: Vec<Value> = (0..cfg.schools)
            .map(|i| {
                json!({
                    "id": oid(0x100 + i), "district": district_id, "name": format!("School {}", i + 1),
                    "sis_id": format!("S{i}"), "school_number": format!("{}", 100 + i),
                    "low_grade": "Kindergarten", "high_grade": "8", "created": ts, "last_modified": ts,
                    "location": {"address": format!("{} Main St", i + 1), "city": "Springfield", "state": "IL", "zip": "62701"},
                    "principal": {"name": "P. Rincipal", "email": format!("principal{i}@example.org")}
                })
            })
            .collect();
        let seed = cfg.seed;
        let name = |i: usize| {
            let i = i.wrapping_add(seed);
            json!({"first": FIRST[i % FIRST.len()], "last": LAST[(i / FIRST.len()) % LAST.len()]})
        };
        let grade = |i: usize| format!("{}", 1 + i.wrapping_add(seed) % 8);
        let teachers: Vec<Value> = (0..cfg.teachers)
            .map(|i| {
                json!({
                    "id": oid(0x10_000 + i), "district": district_id, "school": schools[i % schools.len()]["id"],
                    "name": name(i + 3), "email": format!("teacher{i}@example.org"), "sis_id": format!("T{i}"),
                    "title": "Teacher", "credentials": {"district_username": format!("teacher{i}")},
                    "created": ts, "last_modified": ts
                })
            })
            .collect();
        let sections_n = cfg.sections;
        let students: Vec<Value> = (0..cfg.students)
            .map(|i| {
                json!({
                    "id": oid(0x1_000_000 + i), "district": district_id, "school": schools[i % schools.len()]["id"],
                    "name": name(i), "sis_id": format!("{}", 50_000 + i), "student_number": format!("{}", 50_000 + i),
                    "grade": grade(i), "gender": if i.wrapping_add(seed) % 2 == 0 { "F" } else { "M" },
                    "dob": format!("{}/{}/2015", 1 + i % 12, 1 + i % 28), "email": format!("student{i}@example.org"),
                    "credentials": {"district_username": format!("s{i}")}, "created": ts, "last_modified": ts
                })
            })
            .collect();
        let sections: Vec<Value> = (0..sections_n)
            .map(|i| {
                let teacher = &teachers[i % teachers.len()];
                let members: Vec<Value> = students
                    .iter()
                    .enumerate()
                    .filter(|(s, _)| s % sections_n == i)
                    .map(|(_, s)| s["id"].clone())
                    .collect();
                json!({
                    "id": oid(0x200_000 + i), "district": district_id, "school": teacher["school"],
                    "name": format!("Grade {} Math, Class {}", 1 + i % 8, 300 + i), "sis_id": format!("C{i}"),
                    "subject": "math", "grade": format!("{}", 1 + i % 8), "teacher": teacher["id"],
                    "teachers": [teacher["id"]], "students": members, "period": format!("{}", 1 + i % 6),
                    "term": {"name": "Y1", "start_date": "2026-08-01", "end_date": "2027-06-30"},
                    "created": ts, "last_modified": ts
                })
            })
            .collect();
        let contacts: Vec<Value> = students
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": oid(0x3_000_000 + i), "district": district_id, "student": s["id"],
                    "name": format!("Parent of {}", s["name"]["first"].as_str().unwrap_or("")),
                    "type": "parent/guardian", "relationship": "Parent", "phone": format!("555-{:04}", i % 10_000),
                    "phone_type": "Cell", "email": format!("parent{i}@example.org")
                })
            })
            .collect();
        let district_admins = vec![json!({
            "id": oid(0x400_000), "district": district_id, "email": "admin@example.org",
            "name": {"first": "Dana", "last": "Admin"}, "title": "Superintendent"
        })];
        let school_admins: Vec<Value> = schools
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "id": oid(0x500_000 + i), "district": district_id, "email": format!("office{i}@example.org"),
                    "name": name(i + 5), "schools": [s["id"]], "staff_id": format!("A{i}"),
                    "credentials": {"district_username": format!("office{i}")}
                })
            })
            .collect();
        let mut events: Vec<Value> = students
            .iter()
            .take(50)
            .enumerate()
            .map(|(i, s)| {
                json!({"id": oid(0x6_000_000 + i), "type": "students.created", "created": ts, "data": {"object": s}})
            })
            .collect();
        for (i, s) in students.iter().take(5).enumerate() {
            events.push(json!({
                "id": oid(0x6_100_000 + i), "type": "students.updated", "created": "2026-09-01T08:00:00.000Z",
                "data": {"object": s, "previous_attributes": {"grade": "K"}}
            }));
        }
        let mut collections = HashMap::from([
            ("schools", schools),
            ("teachers", teachers),
            ("students", students),
            ("sections", sections),
            ("contacts", contacts),
            ("district_admins", district_admins),
            ("school_admins", school_admins),
            ("events", events),
            ("districts", vec![district.clone()]),
        ]);
        for records in collections.values_mut() {
            records.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
        State {
            district,
            collections,
            tokens: TokenDesk::new("sim-token", cfg.token_lifetime),
            rendered: HashMap::new(),
            range_paging: cfg.range_paging,
        }
    }

    fn find(&self, resource: &str, id: &str) -> Option<&Value> {
        self.collections
            .get(resource)?
            .iter()
            .find(|v| v["id"] == id)
    }

    /// The records related to `record` (of type `resource`) of type `sub`.
    fn related(&self, resource: &str, record: &Value, sub: &str) -> Option<Vec<Value>> {
        let id = record["id"].as_str().unwrap_or_default();
        let all = |name: &str| self.collections.get(name).cloned().unwrap_or_default();
        let with = |name: &str, field: &str| -> Vec<Value> {
            all(name)
                .into_iter()
                .filter(|v| {
                    v[field] == id
                        || v[field]
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x == id))
                })
                .collect()
        };
        let ids_in = |name: &str, ids: &Value| -> Vec<Value> {
            let ids: Vec<&Value> = ids
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            all(name)
                .into_iter()
                .filter(|v| ids.contains(&&v["id"]))
                .collect()
        };
        Some(match (resource, sub) {
            ("districts", "admins") => all("district_admins"),
            ("districts", "status") => vec![json!({
                "id": id, "state": "running", "sis_type": "simulated", "instant_login": false,
                "last_sync": "2026-11-01T02:00:00.000Z", "error": ""
            })],
            ("districts", "events") => all("events"),
            ("districts", s) => all(s),
            ("schools", "events")
            | ("teachers", "events")
            | ("sections", "events")
            | ("students", "events") => all("events")
                .into_iter()
                .filter(|e| e["data"]["object"]["id"] == id || e["data"]["object"]["school"] == id)
                .collect(),
            ("schools", s) => with(s, "school"),
            ("teachers", "sections") => with("sections", "teachers"),
            ("teachers", "students") => {
                let mut ids = Vec::new();
                for s in with("sections", "teachers") {
                    ids.extend(s["students"].as_array().cloned().unwrap_or_default());
                }
                ids_in("students", &Value::Array(ids))
            }
            ("students", "sections") => with("sections", "students"),
            ("students", "teachers") => {
                let mut ids = Vec::new();
                for s in with("sections", "students") {
                    ids.extend(s["teachers"].as_array().cloned().unwrap_or_default());
                }
                ids_in("teachers", &Value::Array(ids))
            }
            ("students", "contacts") => with("contacts", "student"),
            ("sections", "students") => ids_in("students", &record["students"]),
            ("sections", "teachers") => ids_in("teachers", &record["teachers"]),
            ("school_admins", "schools") => ids_in("schools", &record["schools"]),
            _ => return None,
        })
    }

    fn single(&self, resource: &str, record: &Value, sub: &str) -> Option<Value> {
        let field = match (resource, sub) {
            (_, "district") => return Some(self.district.clone()),
            (_, "school") => "school",
            ("sections", "teacher") => "teacher",
            ("contacts", "student") => "student",
            _ => return None,
        };
        let target = match sub {
            "school" => "schools",
            "teacher" => "teachers",
            _ => "students",
        };
        self.find(target, record[field].as_str()?).cloned()
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::new(status).set_body_json(json!({ "error": message }))
}

fn fail(status: u16, message: &str) -> (u16, Value) {
    (status, json!({ "error": message }))
}

struct Handler(Arc<Mutex<State>>);

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
                if status == 200 {
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

fn token(state: &mut State, req: &Request) -> Response {
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

fn authorize(state: &State, req: &Request) -> Option<Response> {
    let from_query = req
        .url
        .query_pairs()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned());
    let token = bearer(&req.headers).or(from_query.as_deref());
    (!state.tokens.check(token).is_valid()).then(|| error(401, "invalid_token"))
}

fn route(state: &State, rest: &str, req: &Request) -> (u16, Value) {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [resource] => match state.collections.get(resource) {
            Some(all) => list(all, &format!("/v1/{resource}"), req, state.range_paging),
            None => fail(404, "Resource not found"),
        },
        [resource, id] => match state.find(resource, id) {
            Some(v) => item(v.clone(), resource),
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

fn item(v: Value, resource: &str) -> (u16, Value) {
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    (
        200,
        json!({
            "data": v,
            "links": [{"rel": "self", "uri": format!("/v1/{resource}/{id}")}]
        }),
    )
}

/// The records `where` and `created_since` select, in id order.
fn filtered<'a>(
    items: &'a [Value],
    q: &HashMap<String, String>,
) -> Result<Vec<&'a Value>, (u16, Value)> {
    let condition = match q.get("where") {
        None => None,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(c)) => Some(c),
            _ => {
                return Err(fail(
                    400,
                    &format!("Could not parse where '{text}'. Please ensure it is a JSON object."),
                ));
            }
        },
    };
    let since = match q.get("created_since") {
        None => None,
        Some(s) if is_object_id(s) || is_w3c_datetime(s) => Some(s.as_str()),
        Some(s) => {
            return Err(fail(
                400,
                &format!(
                    "Could not parse created_since '{s}'. Please ensure it is either a valid ObjectID or a valid W3C datetime"
                ),
            ));
        }
    };
    Ok(items
        .iter()
        .filter(|v| condition.as_ref().is_none_or(|c| matches_where(v, c)))
        .filter(|v| match since {
            None => true,
            Some(id) if is_object_id(id) => v["id"].as_str() > Some(id),
            // W3C datetimes in UTC compare as text (the records' own are UTC with `Z`).
            Some(when) => v["created"].as_str().is_some_and(|c| c > when),
        })
        .collect())
}

fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_w3c_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

/// A `where` document: each key a field (dotted for nested ones, `name.last`), each value the
/// value it must equal, or `{"$in": [...]}`, `{"$ne": v}`, `{"$exists": bool}`.
fn matches_where(record: &Value, condition: &serde_json::Map<String, Value>) -> bool {
    condition.iter().all(|(field, want)| {
        let got = field
            .split('.')
            .try_fold(record, |v, part| v.get(part))
            .filter(|v| !v.is_null());
        match want {
            Value::Object(op) => op.iter().all(|(k, arg)| match k.as_str() {
                "$in" => arg
                    .as_array()
                    .is_some_and(|a| got.is_some_and(|g| a.contains(g))),
                "$ne" => got != Some(arg),
                "$exists" => got.is_some() == arg.as_bool().unwrap_or(true),
                _ => false,
            }),
            // A list field matches when it holds the value (`{"students": "<id>"}`).
            _ => got.is_some_and(|g| g == want || g.as_array().is_some_and(|a| a.contains(want))),
        }
    })
}

/// One page of `items` (sorted by id, as the API sorts), after the filters.
fn list(items: &[Value], path: &str, req: &Request, range_paging: bool) -> (u16, Value) {
    let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
    let items = match filtered(items, &q) {
        Ok(items) => items,
        Err(answer) => return answer,
    };
    // The records are sorted by id, so a cursor's position is a binary search, and only the
    // page's own records are copied: a listing of a million records stays linear.
    let items = items.as_slice();
    let limit: usize = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 100,
        Some(Ok(n)) if (1..=10_000).contains(&n) => n,
        Some(Ok(n)) if n > 10_000 => return fail(413, "limit must be at most 10000"),
        Some(_) => return fail(400, "limit must be a positive integer"),
    };
    let mut stop = items.len();
    let start = if let Some(after) = q.get("starting_after").filter(|_| range_paging) {
        items.partition_point(|v| v["id"].as_str() <= Some(after.as_str()))
    } else if let Some(before) = q.get("ending_before").filter(|_| range_paging) {
        // The `limit` records just before it.
        stop = items.partition_point(|v| v["id"].as_str() < Some(before.as_str()));
        stop.saturating_sub(limit)
    } else if let Some(page) = q.get("page") {
        match page.parse::<usize>() {
            Ok(p) if p >= 1 => (p - 1).saturating_mul(limit).min(items.len()),
            _ => return fail(400, "page must be a positive integer"),
        }
    } else {
        0
    };
    let end = (start + limit).min(stop);
    let page: Vec<Value> = items[start..end]
        .iter()
        .map(|v| {
            let resource = path.trim_start_matches("/v1/").split('/').next_back().unwrap_or_default();
            json!({"data": v, "uri": format!("/v1/{resource}/{}", v["id"].as_str().unwrap_or_default())})
        })
        .collect();
    let total_pages = items.len().div_ceil(limit).max(1);
    let mut links = vec![json!({"rel": "self", "uri": path})];
    // An empty page (a position past the end, or before the first record) links nowhere.
    if end > start && end < items.len() {
        // Like the real API, the link carries the position but not the caller's limit.
        let uri = if range_paging {
            let last = items[end - 1]["id"].as_str().unwrap_or_default();
            format!("{path}?starting_after={last}")
        } else {
            format!("{path}?page={}", start / limit + 2)
        };
        links.push(json!({"rel": "next", "uri": uri}));
    }
    (
        200,
        json!({
            "data": page,
            "paging": {"current": start / limit + 1, "total": total_pages, "count": items.len()},
            "links": links
        }),
    )
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts a simulator with the default district (3 schools, 12 teachers, 240 students, 24 sections).
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// The host root to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// A client for this simulator.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .client_credentials(CLIENT_ID, CLIENT_SECRET)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// The generated district's id.
    pub fn district_id(&self) -> String {
        self.lock().district["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// How many students the district has.
    pub fn student_count(&self) -> usize {
        self.lock().collections.get("students").map_or(0, Vec::len)
    }

    /// Expires every token issued so far (the next API request gets 401).
    pub fn expire_tokens(&self) {
        self.lock().tokens.expire_all();
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.lock().tokens.issued()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}
