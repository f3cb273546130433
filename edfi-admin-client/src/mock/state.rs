//! The simulator's state: every tenant's databases and clients, the token desk, the routes
//! served; and how one request is answered against it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use edu_common::mock::{TokenCheck, TokenDesk, bearer};
use serde_json::{Value, json};

use super::db::{Db, Req};
use super::reply::{Errors, Reply, message, ok, problem, validation};
use super::{BASE_PATH, applications, claim_sets, instances, reply, web};

pub(super) struct Tenant {
    pub(super) clients: HashMap<String, String>,
    pub(super) db: Db,
}

pub(super) struct State {
    pub(super) multi_tenant: bool,
    pub(super) registration: bool,
    pub(super) tenants: BTreeMap<String, Tenant>,
    /// Tokens, tagged with the tenant they were issued in.
    pub(super) tokens: TokenDesk<String>,
    pub(super) served: BTreeSet<(String, String)>,
}

/// `/v2/vendors/17/applications` → `/v2/vendors/{}/applications`.
pub(super) fn route_template(path: &str) -> String {
    let mut prev = "";
    let mut out = Vec::new();
    for seg in path.split('/') {
        let templated = seg.parse::<i64>().is_ok() || (prev == "tenants" && !seg.is_empty());
        out.push(if templated { "{}" } else { seg });
        prev = seg;
    }
    out.join("/")
}

pub(super) fn tenant_json(name: &str) -> Value {
    let db = |kind: &str| {
        let database = if name == "default" {
            format!("EdFi_{kind}")
        } else {
            format!("EdFi_{kind}_{name}")
        };
        json!({"host": "localhost", "database": database})
    };
    json!({"tenantName": name, "adminConnectionString": db("Admin"), "securityConnectionString": db("Security")})
}

impl State {
    pub(super) fn respond(&mut self, req: &edu_common::mock::Request) -> Reply {
        let raw = req.url.path();
        let canonical = match raw.strip_prefix(BASE_PATH).unwrap_or(raw) {
            "" => "/".to_owned(),
            p => web::canonical_path(p),
        };
        let path = canonical.as_str();
        let method = req.method.as_str();
        if path == "/v1" || path.starts_with("/v1/") {
            return message(400, "Wrong API version for this instance mode.");
        }
        // Tenant names match whatever their case (`tenant1` is `Tenant1`).
        let header = req
            .headers
            .get("tenant")
            .and_then(|v| v.to_str().ok())
            .map(|t| {
                self.tenants
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(t))
                    .map_or(t, String::as_str)
                    .to_owned()
            });
        let header = header.as_deref();
        let tenant_free = path == "/" || path == "/v2/tenants" || path.starts_with("/v2/tenants/");
        let tenant = if !self.multi_tenant {
            Some("default".to_owned())
        } else {
            match header {
                Some(t) if self.tenants.contains_key(t) => Some(t.to_owned()),
                Some(t) if !tenant_free => {
                    return validation(
                        json!({"Tenant": [format!("Tenant not found with provided tenant id: {t}")]}),
                    );
                }
                None if !tenant_free => {
                    return validation(json!({"Tenant": ["Tenant header is missing"]}));
                }
                _ => None,
            }
        };
        let form = || {
            url::form_urlencoded::parse(&req.body)
                .into_owned()
                .collect()
        };
        match (method, path) {
            ("GET", "/") => return ok(json!({"version": "2.0", "build": "2.3.0-sim"})),
            ("POST", "/connect/register") => return self.register(tenant, &form()),
            ("POST", "/connect/token") => return self.token(tenant, &form()),
            _ => {}
        }
        let Some(rest) = path.strip_prefix("/v2/") else {
            return Reply::new(404);
        };
        let challenge = match self.tokens.check(bearer(&req.headers)) {
            TokenCheck::Valid(issued_for) if tenant.as_ref().is_none_or(|t| t == issued_for) => {
                None
            }
            TokenCheck::Missing => Some("Bearer"),
            TokenCheck::Expired => {
                Some("Bearer error=\"invalid_token\", error_description=\"The token expired\"")
            }
            _ => Some("Bearer error=\"invalid_token\""),
        };
        if let Some(challenge) = challenge {
            return Reply::new(401).header("www-authenticate", challenge);
        }
        // Only writes bind a body (a GET or DELETE ignores one, as the server does).
        let body = if req.body.is_empty() || !matches!(method, "POST" | "PUT") {
            Value::Null
        } else {
            // Every request model of the API is an object: a body of another shape (an array, a
            // string, `null`) fails to bind, like malformed JSON; so does a property of the
            // wrong type (`System.Text.Json` throws).
            let bound = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .filter(Value::is_object)
                .map(|mut v| {
                    web::normalise_body(&mut v);
                    v
                })
                .filter(web::binds);
            match bound {
                Some(mut v) => {
                    web::canonical_actions(&mut v);
                    v
                }
                None => {
                    return message(
                        400,
                        "The request body contains malformed JSON. Please ensure your data is properly formatted and try again.",
                    );
                }
            }
        };
        let r = Req {
            method,
            parts: rest.split('/').collect(),
            q: req.url.query_pairs().into_owned().collect(),
            body,
        };
        if let ["tenants", more @ ..] = r.parts.as_slice() {
            let names: Vec<&String> = self.tenants.keys().collect();
            return match (method, more) {
                ("GET", []) => ok(names.iter().map(|n| tenant_json(n)).collect::<Vec<_>>()),
                // By name, whatever its case, answered with the name as configured.
                ("GET", [name]) => match names.iter().find(|n| n.eq_ignore_ascii_case(name)) {
                    Some(n) => ok(tenant_json(n)),
                    None => Reply::new(404),
                },
                _ => Reply::new(404),
            };
        }
        let Some(db) = tenant
            .and_then(|t| self.tenants.get_mut(&t))
            .map(|t| &mut t.db)
        else {
            return Reply::new(404);
        };
        applications::route(db, &r)
            .or_else(|| instances::route(db, &r))
            .or_else(|| claim_sets::route(db, &r))
            .unwrap_or_else(|| Reply::new(404))
    }

    fn register(&mut self, tenant: Option<String>, form: &HashMap<String, String>) -> Reply {
        if !self.registration {
            return Reply::new(403);
        }
        let Some(t) = tenant.and_then(|t| self.tenants.get_mut(&t)) else {
            return validation(json!({"Tenant": ["Tenant header is missing"]}));
        };
        let field = |k: &str| form.get(k).cloned().unwrap_or_default();
        let (id, secret) = (field("ClientId"), field("ClientSecret"));
        let mut errors = Errors::default();
        for key in ["ClientId", "ClientSecret", "DisplayName"] {
            let msg = format!("'{}' must not be empty.", reply::spaced(key));
            errors.check(!field(key).is_empty(), key, msg);
        }
        errors.check(
            secret.is_empty() || crate::client::check_client_secret(&secret).is_ok(),
            "ClientSecret",
            "ClientSecret must contain at least one lowercase letter, one uppercase letter, one number, and one special character, and must be 32 to 128 characters long.",
        );
        errors.check(
            !t.clients.contains_key(&id),
            "ClientId",
            format!("ClientId {id} already exists"),
        );
        if let Some(r) = errors.reply() {
            return r;
        }
        t.clients.insert(id.clone(), secret);
        ok(json!({"title": format!("Registered client {id} successfully."), "status": 200}))
    }

    fn token(&mut self, tenant: Option<String>, form: &HashMap<String, String>) -> Reply {
        let scopes = form.get("scope").map(String::as_str).unwrap_or_default();
        if !scopes.split(' ').any(|s| s == crate::client::SCOPE) {
            return problem(
                400,
                json!({"error": "invalid_scope", "error_description": "The request is missing required scope claims or has invalid scope values"}),
            );
        }
        let known = tenant
            .as_ref()
            .and_then(|t| self.tenants.get(t))
            .is_some_and(|t| {
                form.get("client_id").and_then(|id| t.clients.get(id)) == form.get("client_secret")
                    && form.get("client_id").is_some()
            });
        if !known || form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return problem(
                401,
                json!({"error": "invalid_client", "error_description": "Access Denied. Please review your information and try again.", "error_uri": ""}),
            );
        }
        let token = self.tokens.issue(tenant.unwrap_or_default());
        let lifetime = self.tokens.lifetime().as_secs();
        ok(json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime}))
    }
}
