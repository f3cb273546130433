//! A stateful simulator of the Ed-Fi Admin API on wiremock (feature `mock`).
//!
//! It issues 30-minute tokens (form client credentials with the `edfi_admin_api/full_access`
//! scope), registers clients (with the server's secret rules), and keeps vendors, applications and
//! claim sets with real ids, relative `Location` headers, offset/limit paging, `orderBy` and
//! `direction`, and the server's validation and not-found bodies. Two claim sets and a small tree
//! of resource claims are seeded. Other routes answer 404 with an empty body, as the real server
//! does for unknown routes.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::Client;

const CLIENT_ID: &str = "edfi-sim-admin";
const CLIENT_SECRET: &str = "Sim-Secret-0123456789-abcdefghijkl!";

#[derive(Default)]
struct State {
    clients: HashMap<String, String>,
    tokens: HashMap<String, Instant>,
    issued: usize,
    next_id: i64,
    vendors: BTreeMap<i64, Value>,
    applications: BTreeMap<i64, Value>,
    claim_sets: BTreeMap<i64, Value>,
    token_lifetime: Duration,
}

fn problem(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/problem+json")
}

fn validation(errors: Value) -> ResponseTemplate {
    problem(400, json!({"title": "Validation failed", "errors": errors}))
}

fn not_found(resource: &str, id: i64) -> ResponseTemplate {
    problem(
        404,
        json!({"title": format!("Not found: {resource} with ID {id}. It may have been recently deleted.")}),
    )
}

fn created(path: &str, id: i64, body: Option<Value>) -> ResponseTemplate {
    let r = ResponseTemplate::new(201).insert_header("location", format!("/{path}/{id}").as_str());
    match body {
        Some(b) => r.set_body_json(b),
        None => r,
    }
}

fn resource_claims() -> Value {
    json!([{
        "id": 1, "name": "types", "actions": [{"name": "Read", "enabled": true}],
        "children": [{"id": 2, "name": "gradeLevelDescriptor", "actions": [{"name": "Read", "enabled": true}], "children": []}]
    }])
}

impl State {
    fn new(lifetime: Duration) -> State {
        let mut s = State {
            token_lifetime: lifetime,
            next_id: 1,
            ..State::default()
        };
        s.clients.insert(CLIENT_ID.into(), CLIENT_SECRET.into());
        for (name, reserved) in [("Ed-Fi Sandbox", true), ("SIS Vendor", false)] {
            let id = s.id();
            s.claim_sets.insert(
                id,
                json!({"id": id, "name": name, "_isSystemReserved": reserved, "_applications": [], "resourceClaims": resource_claims()}),
            );
        }
        s
    }

    fn id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn credentials(&mut self) -> (String, String) {
        let n = self.id();
        (
            format!("key{n:06}"),
            format!("secret-{n:06}-{}", uuid_like(n)),
        )
    }
}

fn uuid_like(n: i64) -> String {
    format!(
        "{:08x}{:08x}",
        n.wrapping_mul(2_654_435_761),
        n.wrapping_mul(40_503)
    )
}

/// Offset/limit paging with `orderBy` (case-insensitive, from `allowed`) and `direction`.
fn page(items: Vec<Value>, q: &HashMap<String, String>, allowed: &[&str]) -> ResponseTemplate {
    let order = q.get("orderBy").map(String::as_str).unwrap_or(allowed[0]);
    let Some(field) = allowed.iter().find(|a| a.eq_ignore_ascii_case(order)) else {
        return validation(
            json!({"orderBy": [format!("The orderBy value {order} is not allowed. The allowed values are {}", allowed.join(","))]}),
        );
    };
    let key = {
        let mut c = field.chars();
        c.next()
            .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    let desc = q
        .get("direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("desc") || d.eq_ignore_ascii_case("descending"));
    let mut items = items;
    items.sort_by(|a, b| {
        let o = match (&a[&key], &b[&key]) {
            (Value::Number(x), Value::Number(y)) => x.as_i64().cmp(&y.as_i64()),
            (x, y) => x
                .as_str()
                .unwrap_or_default()
                .cmp(y.as_str().unwrap_or_default()),
        };
        if desc { o.reverse() } else { o }
    });
    let offset = q
        .get("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0usize);
    let limit = q
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(25usize);
    ResponseTemplate::new(200).set_body_json(Value::Array(
        items.into_iter().skip(offset).take(limit).collect(),
    ))
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let s = &mut *guard;
        let path = match req.url.path().trim_start_matches("/adminapi") {
            "" => "/".to_owned(),
            p => p.to_owned(),
        };
        let method = req.method.as_str().to_owned();
        let form: HashMap<String, String> = url::form_urlencoded::parse(&req.body)
            .into_owned()
            .collect();
        match (method.as_str(), path.as_str()) {
            ("GET", "/") => {
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"version": "2.0", "build": "2.3.0-sim"}));
            }
            ("POST", "/connect/register") => {
                let id = form.get("ClientId").cloned().unwrap_or_default();
                let secret = form.get("ClientSecret").cloned().unwrap_or_default();
                if id.is_empty() || form.get("DisplayName").is_none_or(String::is_empty) {
                    return validation(json!({"ClientId": ["'Client Id' must not be empty."]}));
                }
                if crate::check_client_secret(&secret).is_err() {
                    return validation(
                        json!({"ClientSecret": ["ClientSecret must contain at least one lowercase letter, one uppercase letter, one number, and one special character, and must be 32 to 128 characters long."]}),
                    );
                }
                if s.clients.contains_key(&id) {
                    return validation(
                        json!({"ClientId": [format!("ClientId {id} already exists")]}),
                    );
                }
                s.clients.insert(id.clone(), secret);
                return ResponseTemplate::new(200).set_body_json(json!({"title": format!("Registered client {id} successfully."), "status": 200}));
            }
            ("POST", "/connect/token") => {
                if form.get("scope").map(String::as_str) != Some(crate::SCOPE) {
                    return problem(
                        400,
                        json!({"error": "invalid_scope", "error_description": "The request is missing required scope claims or has invalid scope values"}),
                    );
                }
                let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
                    && form.get("client_id").and_then(|id| s.clients.get(id))
                        == form.get("client_secret");
                if !ok {
                    return problem(
                        401,
                        json!({"error": "invalid_client", "error_description": "Access Denied. Please review your information and try again.", "error_uri": ""}),
                    );
                }
                s.issued += 1;
                let token = format!("edfi-sim-token-{}", s.issued);
                s.tokens
                    .insert(token.clone(), Instant::now() + s.token_lifetime);
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": token, "token_type": "Bearer", "expires_in": s.token_lifetime.as_secs()}));
            }
            _ => {}
        }
        let authorized = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|t| s.tokens.get(t))
            .is_some_and(|exp| *exp > Instant::now());
        if !authorized {
            return ResponseTemplate::new(401);
        }
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let parts: Vec<&str> = path
            .trim_start_matches("/v2/")
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        let id_of = |s: &str| s.parse::<i64>().ok();
        match (method.as_str(), parts.as_slice()) {
            ("GET", ["vendors"]) => {
                let items: Vec<Value> = s
                    .vendors
                    .values()
                    .filter(|v| q.get("company").is_none_or(|c| v["company"] == c.as_str()))
                    .cloned()
                    .collect();
                page(
                    items,
                    &q,
                    &[
                        "Company",
                        "ContactName",
                        "ContactEmailAddress",
                        "NamespacePrefixes",
                        "Id",
                    ],
                )
            }
            ("POST", ["vendors"]) => {
                let mut errors = serde_json::Map::new();
                for (field, key) in [("Company", "company"), ("ContactName", "contactName")] {
                    if body[key].as_str().is_none_or(str::is_empty) {
                        errors.insert(
                            field.into(),
                            json!([format!("'{}' must not be empty.", field)]),
                        );
                    }
                }
                match body["contactEmailAddress"].as_str() {
                    None | Some("") => {
                        errors.insert(
                            "ContactEmailAddress".into(),
                            json!([
                                "'Contact Email Address' must not be empty.",
                                "'Contact Email Address' is not a valid email address."
                            ]),
                        );
                    }
                    Some(e) if !e.contains('@') => {
                        errors.insert(
                            "ContactEmailAddress".into(),
                            json!(["'Contact Email Address' is not a valid email address."]),
                        );
                    }
                    _ => {}
                }
                if !errors.is_empty() {
                    return validation(Value::Object(errors));
                }
                let id = s.id();
                let mut v = body.clone();
                v["id"] = json!(id);
                s.vendors.insert(id, v);
                created("vendors", id, None)
            }
            ("GET", ["vendors", id]) => match id_of(id).and_then(|i| s.vendors.get(&i)) {
                Some(v) => ResponseTemplate::new(200).set_body_json(v),
                None => not_found("vendor", id_of(id).unwrap_or(0)),
            },
            ("DELETE", ["vendors", id]) => match id_of(id).and_then(|i| s.vendors.remove(&i)) {
                Some(_) => ResponseTemplate::new(200)
                    .set_body_json(json!({"title": "Vendor deleted successfully"})),
                None => not_found("vendor", id_of(id).unwrap_or(0)),
            },
            ("GET", ["vendors", id, "applications"]) => {
                let Some(vid) = id_of(id).filter(|i| s.vendors.contains_key(i)) else {
                    return not_found("vendor", id_of(id).unwrap_or(0));
                };
                ResponseTemplate::new(200).set_body_json(Value::Array(
                    s.applications
                        .values()
                        .filter(|a| a["vendorId"] == vid)
                        .cloned()
                        .collect(),
                ))
            }
            ("GET", ["applications"]) => page(
                s.applications.values().cloned().collect(),
                &q,
                &["ApplicationName", "ClaimSetName", "Id"],
            ),
            ("POST", ["applications"]) => {
                let mut errors = serde_json::Map::new();
                if body["applicationName"].as_str().is_none_or(str::is_empty) {
                    errors.insert(
                        "ApplicationName".into(),
                        json!(["'Application Name' must not be empty."]),
                    );
                }
                if body["claimSetName"].as_str().is_none_or(str::is_empty) {
                    errors.insert(
                        "ClaimSetName".into(),
                        json!(["Please provide a valid claim set name."]),
                    );
                }
                if body["educationOrganizationIds"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                {
                    errors.insert(
                        "EducationOrganizationIds".into(),
                        json!(["Please provide at least one education organization id."]),
                    );
                }
                if body["odsInstanceIds"].as_array().is_none_or(Vec::is_empty) {
                    errors.insert(
                        "OdsInstanceIds".into(),
                        json!(["Please provide at least one ods instance id."]),
                    );
                }
                let vendor = body["vendorId"].as_i64().unwrap_or(0);
                if errors.is_empty() && !s.vendors.contains_key(&vendor) {
                    errors.insert(
                        "VendorId".into(),
                        json!([format!("Vendor with ID {vendor} not found.")]),
                    );
                }
                if !errors.is_empty() {
                    return validation(Value::Object(errors));
                }
                let id = s.id();
                let (key, secret) = s.credentials();
                let mut a = body.clone();
                a["id"] = json!(id);
                a["enabled"] = json!(body["enabled"].as_bool().unwrap_or(true));
                s.applications.insert(id, a);
                created(
                    "applications",
                    id,
                    Some(json!({"id": id, "key": key, "secret": secret})),
                )
            }
            ("GET", ["applications", id]) => match id_of(id).and_then(|i| s.applications.get(&i)) {
                Some(a) => ResponseTemplate::new(200).set_body_json(a),
                None => not_found("application", id_of(id).unwrap_or(0)),
            },
            ("PUT", ["applications", id, "reset-credential"]) => {
                match id_of(id).filter(|i| s.applications.contains_key(i)) {
                    Some(i) => {
                        let (key, secret) = s.credentials();
                        ResponseTemplate::new(200)
                            .set_body_json(json!({"id": i, "key": key, "secret": secret}))
                    }
                    None => not_found("application", id_of(id).unwrap_or(0)),
                }
            }
            ("DELETE", ["applications", id]) => {
                match id_of(id).and_then(|i| s.applications.remove(&i)) {
                    Some(_) => ResponseTemplate::new(200)
                        .set_body_json(json!({"title": "Application deleted successfully"})),
                    None => not_found("application", id_of(id).unwrap_or(0)),
                }
            }
            ("GET", ["claimSets"]) => {
                let items: Vec<Value> = s
                    .claim_sets
                    .values()
                    .map(|c| json!({"id": c["id"], "name": c["name"], "_isSystemReserved": c["_isSystemReserved"], "_applications": c["_applications"]}))
                    .collect();
                page(items, &q, &["Name", "Id"])
            }
            ("GET", ["claimSets", id]) | ("GET", ["claimSets", id, "export"]) => {
                match id_of(id).and_then(|i| s.claim_sets.get(&i)) {
                    Some(c) => ResponseTemplate::new(200).set_body_json(c),
                    None => not_found("claimset", id_of(id).unwrap_or(0)),
                }
            }
            ("POST", ["claimSets", "copy"]) | ("POST", ["claimSets", "import"]) => {
                let name = body["name"].as_str().unwrap_or_default().to_owned();
                if name.is_empty() {
                    return validation(json!({"Name": ["'Name' must not be empty."]}));
                }
                if s.claim_sets.values().any(|c| {
                    c["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                }) {
                    return validation(
                        json!({"Name": ["A claim set with this name already exists in the database. Please enter a unique name."]}),
                    );
                }
                let claims = if parts[1] == "copy" {
                    let original = body["originalId"].as_i64().unwrap_or(0);
                    match s.claim_sets.get(&original) {
                        Some(c) => c["resourceClaims"].clone(),
                        None => return not_found("claimset", original),
                    }
                } else {
                    body["resourceClaims"].clone()
                };
                let id = s.id();
                s.claim_sets.insert(id, json!({"id": id, "name": name, "_isSystemReserved": false, "_applications": [], "resourceClaims": claims}));
                created("claimSets", id, None)
            }
            ("DELETE", ["claimSets", id]) => {
                let Some(i) = id_of(id).filter(|i| s.claim_sets.contains_key(i)) else {
                    return not_found("claimset", id_of(id).unwrap_or(0));
                };
                if s.claim_sets[&i]["_isSystemReserved"] == true {
                    let name = s.claim_sets[&i]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    return validation(
                        json!({"Id": [format!("Claim set ({name}) is system reserved. May not be modified.")]}),
                    );
                }
                s.claim_sets.remove(&i);
                ResponseTemplate::new(200)
                    .set_body_json(json!({"title": "ClaimSet deleted successfully"}))
            }
            ("GET", ["resourceClaims"]) => page(
                resource_claims()
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut c| {
                        c["parentId"] = json!(0);
                        c
                    })
                    .collect(),
                &q,
                &["Name", "Id"],
            ),
            _ => ResponseTemplate::new(404),
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: MockServer,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("uri", &self.server.uri())
            .finish()
    }
}

impl Simulator {
    /// Starts the simulator with 30-minute tokens.
    pub async fn start() -> Simulator {
        Self::start_with_token_lifetime(Duration::from_secs(30 * 60)).await
    }

    /// Starts the simulator with tokens of the given lifetime.
    pub async fn start_with_token_lifetime(lifetime: Duration) -> Simulator {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::new(lifetime)));
        Mock::given(wiremock::matchers::any())
            .respond_with(Handler(state.clone()))
            .mount(&server)
            .await;
        Simulator { server, state }
    }

    /// The base URL to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}/adminapi", self.server.uri())
    }

    /// The pre-registered client id.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The pre-registered client secret.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// A client with the pre-registered credentials.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .credentials(CLIENT_ID, CLIENT_SECRET)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).issued
    }
}
