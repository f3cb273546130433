//! What the simulator knows from the kept spec: every operation's route, parameters, body and
//! answer, and records synthesised from the response schemas (validation is `validate.rs`,
//! reading schemas `schema.rs`). Nothing here is written per resource.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::schema::{SPEC, fitting_pattern, properties, resolve};
use super::validate::query_value_ok;

/// Every operation of the spec, parsed once per process.
pub(super) static ROUTES: LazyLock<Vec<Route>> = LazyLock::new(|| routes(&SPEC));

/// The webhook events the spec lists (`WebhookEvent`), which the simulator delivers.
pub(super) static WEBHOOK_EVENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    SPEC.pointer("/components/schemas/WebhookEvent/enum")
        .and_then(Value::as_array)
        .map(|events| {
            events
                .iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
});

/// Parses the spec, its routes and its record schemas now (once per process).
pub(super) fn warm_up() {
    LazyLock::force(&ROUTES);
    LazyLock::force(&RECORD_SCHEMAS);
    LazyLock::force(&WEBHOOK_EVENTS);
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Seg {
    Static(String),
    Param(String),
}

/// What an operation answers on success.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// An array of records stored under the key.
    List(String),
    /// One record stored under the key.
    One(String),
    /// `{result, location}` of a created record stored under the key.
    Created(String),
    /// No body.
    Empty,
    /// A body of this schema that is not a stored record (`/invoices/{id}/pdf`).
    Other(Value),
}

/// One query or path parameter.
#[derive(Debug, Clone)]
pub(super) struct QueryParam {
    pub name: String,
    pub schema: Value,
}

/// One operation.
#[derive(Debug, Clone)]
pub(super) struct Route {
    pub method: String,
    pub segs: Vec<Seg>,
    /// The schema of each path parameter (an id that is not an integer finds no record).
    pub path_params: Vec<QueryParam>,
    pub id: String,
    pub query: Vec<QueryParam>,
    pub body: Option<Value>,
    pub status: u16,
    pub answer: Answer,
    /// Whether the listing pages with `cursor` and `per_page`.
    pub paged: bool,
    /// The resource its records are stored under: its answer's, or (a delete, an action without
    /// a body) that of the nearest `GET` at or above its path.
    pub store: String,
    /// A create: `POST` to a collection (also under a parent, known by the `GET` that lists the
    /// same path), or to a path without parameters (`/attendances/upsert`).
    pub creates: bool,
}

impl Route {
    /// The path parameters of `path` if it matches this route.
    pub fn matches(&self, method: &str, segs: &[&str]) -> Option<Vec<(String, String)>> {
        if !self.method.eq_ignore_ascii_case(method) || segs.len() != self.segs.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, s) in self.segs.iter().zip(segs) {
            match t {
                Seg::Static(x) if x == s => {}
                Seg::Static(_) => return None,
                Seg::Param(n) => {
                    let value = percent_decode(s);
                    // Rails finds no record for an id that is not one (`null,null`, `%1B`): 404.
                    if let Some(p) = self.path_params.iter().find(|p| &p.name == n)
                        && !query_value_ok(&p.schema, &value)
                    {
                        return None;
                    }
                    params.push((n.clone(), value));
                }
            }
        }
        Some(params)
    }

    /// The last segment, if it is static (an action such as `cancel`, or a collection).
    pub fn last_static(&self) -> Option<&str> {
        match self.segs.last() {
            Some(Seg::Static(s)) => Some(s),
            _ => None,
        }
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// `#/components/schemas/PlannedCourseWithIncludes` → `PlannedCourse`: one store per resource,
/// whatever variant of its schema an operation answers with.
fn store_key(reference: &str) -> String {
    let name = reference.rsplit('/').next().unwrap_or(reference);
    name.trim_end_matches("WithFixedIncludes")
        .trim_end_matches("WithIncludes")
        .trim_end_matches("WithFields")
        .to_owned()
}

fn routes(spec: &Value) -> Vec<Route> {
    let mut out = Vec::new();
    let Some(paths) = spec["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let segs = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(p) => Seg::Param(p.to_owned()),
                        None => Seg::Static(s.to_owned()),
                    },
                )
                .collect();
            let query = parameters(item, op, "query");
            let path_params = parameters(item, op, "path");
            let (status, answer) = answer(op);
            let paged = query.iter().any(|q| q.name == "cursor");
            out.push(Route {
                method: method.to_owned(),
                segs,
                path_params,
                id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                query,
                body: op
                    .pointer("/requestBody/content/application~1json/schema")
                    .cloned(),
                status,
                answer,
                paged,
                store: String::new(),
                creates: false,
            });
        }
    }
    // A route whose answer names no stored resource (a delete, an action) stores under the
    // nearest GET at or above its path.
    let keys: HashMap<Vec<Seg>, String> = out
        .iter()
        .filter(|r| r.method == "get")
        .filter_map(|r| match &r.answer {
            Answer::One(k) | Answer::List(k) => Some((r.segs.clone(), k.clone())),
            _ => None,
        })
        .collect();
    for r in &mut out {
        let nearest = || {
            let mut at = r.segs.clone();
            loop {
                if let Some(k) = keys.get(&at) {
                    return k.clone();
                }
                if at.pop().is_none() {
                    return String::new();
                }
            }
        };
        r.store = match &r.answer {
            Answer::One(k) | Answer::List(k) => k.clone(),
            _ => nearest(),
        };
        if let Answer::Created(c) = &mut r.answer {
            c.clone_from(&r.store);
        }
        r.creates = r.method == "post"
            && (!r.segs.iter().any(|s| matches!(s, Seg::Param(_))) || keys.contains_key(&r.segs));
    }
    out
}

/// The operation's parameters found in `location` (`query`, `path`), those of its path item
/// included.
fn parameters(item: &Value, op: &Value, location: &str) -> Vec<QueryParam> {
    item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(op["parameters"].as_array().into_iter().flatten())
        .map(resolve)
        .filter(|p| p["in"] == location)
        .map(|p| QueryParam {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            schema: p["schema"].clone(),
        })
        .collect()
}

fn answer(op: &Value) -> (u16, Answer) {
    let Some(responses) = op["responses"].as_object() else {
        return (200, Answer::Empty);
    };
    let Some((code, resp)) = responses.iter().find(|(c, _)| c.starts_with('2')) else {
        return (200, Answer::Empty);
    };
    let status = code.parse().unwrap_or(200);
    let reference = resp.get("$ref").and_then(Value::as_str).unwrap_or_default();
    let resp = resolve(resp);
    let Some(schema) = resp.pointer("/content/application~1json/schema") else {
        return (status, Answer::Empty);
    };
    if reference.ends_with("/Created") {
        return (status, Answer::Created(String::new()));
    }
    if let Some(r) = schema["$ref"].as_str() {
        return (status, Answer::One(store_key(r)));
    }
    if schema["type"] == "array"
        && let Some(r) = schema["items"]["$ref"].as_str()
    {
        return (status, Answer::List(store_key(r)));
    }
    (status, Answer::Other(schema.clone()))
}

/// For each store key, the richest schema that answers with it (the `WithIncludes` variant has
/// every field of the plain one), so one record serves every operation of the resource.
pub(super) static RECORD_SCHEMAS: LazyLock<HashMap<String, Value>> = LazyLock::new(|| {
    let mut out: HashMap<String, (usize, Value)> = HashMap::new();
    let Some(schemas) = SPEC
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return HashMap::new();
    };
    for (name, schema) in schemas {
        let key = store_key(name);
        let width = properties(schema).len();
        if out.get(&key).is_none_or(|(w, _)| width > *w) {
            out.insert(key, (width, schema.clone()));
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
});

/// The `i`-th record (1-based) of resource `key`: every property filled with a value of its
/// schema's type, format and enum, plausible for its name.
pub(super) fn synthesize(key: &str, i: usize, seed: u64) -> Value {
    let v = i.wrapping_add(seed as usize);
    match RECORD_SCHEMAS.get(key) {
        Some(schema) => value_for(key, "", schema, (i, v), 0),
        None => json!({ "id": i }),
    }
}

pub(super) fn now() -> String {
    "2026-09-01T08:00:00.000Z".to_owned()
}

/// A value for property `name` of schema `schema`, for record `i`; `v` chooses among the
/// values that do not identify the record (enums, booleans, numbers), so another seed gives
/// other data with the same ids.
pub(super) fn value_for(
    key: &str,
    name: &str,
    schema: &Value,
    (i, v): (usize, usize),
    depth: usize,
) -> Value {
    let schema = resolve(schema);
    if depth > 5 {
        return Value::Null;
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(first) = schema[k].as_array().and_then(|a| a.first()) {
            return value_for(key, name, first, (i, v), depth + 1);
        }
    }
    if let Some(values) = schema["enum"].as_array().filter(|v| !v.is_empty()) {
        return values[v % values.len()].clone();
    }
    let ty = schema["type"].as_str().unwrap_or_else(|| {
        if schema.get("properties").is_some() || schema.get("allOf").is_some() {
            "object"
        } else {
            ""
        }
    });
    match ty {
        "integer" => {
            if name == "id" {
                json!(i)
            } else if name.ends_with("_id") {
                // Record 1 points at record 1 of every parent, so nested paths find it.
                json!(1 + (i - 1) % 10)
            } else {
                json!(v)
            }
        }
        "number" => json!(v as f64),
        "boolean" => json!(!v.is_multiple_of(3)),
        "array" => {
            let min = schema["minItems"].as_u64().unwrap_or(0) as usize;
            Value::Array(
                (0..min)
                    .map(|_| value_for(key, name, &schema["items"], (i, v), depth + 1))
                    .collect(),
            )
        }
        "string" if schema["pattern"].is_string() => {
            json!(fitting_pattern(
                schema["pattern"].as_str().unwrap_or_default()
            ))
        }
        "string" => match schema["format"].as_str() {
            Some("date-time") => json!(now()),
            Some("date") => json!("2026-09-01"),
            Some("email") => json!(format!("{}{i}@example.nl", key.to_lowercase())),
            Some("uri") | Some("url") => {
                json!(format!("https://example.nl/{}/{i}", key.to_lowercase()))
            }
            Some("uuid") => json!(format!("00000000-0000-4000-8000-{i:012}")),
            _ => json!(match name {
                "id" => i.to_string(),
                "email" => format!("{}{i}@example.nl", key.to_lowercase()),
                "name" | "title" => format!("{key} {i}"),
                "first_name" => "Sam".to_owned(),
                "last_name" => format!("Jansen {i}"),
                n if n.ends_with("_at") || n.ends_with("_date") => now(),
                n if n.ends_with("_url") || n == "url" => {
                    format!("https://example.nl/{}/{i}", key.to_lowercase())
                }
                "" => format!("{key} {i}"),
                n => format!("{n} {i}"),
            }),
        },
        "object" => {
            let mut obj = Map::new();
            for (prop, s) in properties(schema) {
                obj.insert(prop.clone(), value_for(key, &prop, &s, (i, v), depth + 1));
            }
            Value::Object(obj)
        }
        _ => Value::Object(Map::new()),
    }
}

/// `value` as a sparse record of `schema`: every property but `id` is left out, in nested
/// objects and arrays too (see the simulator's `sparse` option). Decided here, not read from
/// the kept spec's `required` lists, so that a test against a sparse simulator also proves the
/// generation rule that makes the models decode it.
pub(super) fn sparse(schema: &Value, value: &Value) -> Value {
    sparse_at(schema, value, 0)
}

fn sparse_at(schema: &Value, value: &Value, depth: usize) -> Value {
    let schema = resolve(schema);
    if depth > 8 {
        return value.clone();
    }
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| sparse_at(&schema["items"], v, depth + 1))
                .collect(),
        ),
        Value::Object(map) => {
            let props = properties(schema);
            if props.is_empty() {
                // A free-form object (`custom`): its keys are data, not properties.
                return value.clone();
            }
            map.iter()
                .filter(|(k, _)| k.as_str() == "id")
                .map(|(k, v)| {
                    let shown = match props.get(k) {
                        Some(s) => sparse_at(s, v, depth + 1),
                        None => v.clone(),
                    };
                    (k.clone(), shown)
                })
                .collect()
        }
        other => other.clone(),
    }
}
