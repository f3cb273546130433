//! The spec model: each operation with its parameters, read from the kept spec and matched to
//! progenitor's output, and example values that fit a schema.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use syn::Type;

use super::naming::{is_collection, is_param, rust_ident, singular, snake};
use super::types::vec_item;

/// One parameter of a generated operation, as progenitor typed it: a setter of its builder, or
/// an argument of its positional method.
#[derive(Clone)]
pub(super) struct Setter {
    pub(super) name: String,
    /// The owned type the layer keeps the value in.
    pub(super) ty: Type,
}

/// One generated operation: its parameters and what it answers.
#[derive(Clone)]
pub(super) struct Builder {
    pub(super) setters: Vec<Setter>,
    pub(super) ok: Type,
}

/// One spec parameter.
pub(super) struct Param {
    pub(super) name: String,
    pub(super) schema: Value,
    pub(super) setter: String,
    pub(super) location: String,
    pub(super) required: bool,
    pub(super) description: String,
}

/// One operation, with everything the layer needs.
pub(super) struct Op {
    pub(super) id: String,
    pub(super) method: String,
    pub(super) path: String,
    pub(super) tag: String,
    pub(super) summary: String,
    pub(super) description: String,
    pub(super) type_name: String,
    pub(super) params: Vec<Param>,
    pub(super) has_body: bool,
    /// The body goes as `application/x-www-form-urlencoded` (the spec offers no JSON).
    pub(super) form_body: bool,
    pub(super) builder: Builder,
}

pub(super) fn operations(
    spec: &Value,
    builders: &HashMap<String, Builder>,
    raw_fns: &HashMap<String, String>,
) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    let paths = spec["paths"].as_object().context("the spec has no paths")?;
    for (path, item) in paths {
        let item_params = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"]
                .as_str()
                .with_context(|| format!("{method} {path} has no operationId"))?;
            let raw_fn = snake(id);
            let type_name = raw_fns
                .get(&raw_fn)
                .with_context(|| format!("progenitor wrote no method `{raw_fn}` for {id}"))?
                .clone();
            let builder = builders
                .get(&type_name)
                .with_context(|| format!("progenitor wrote no builder {type_name}"))?;
            let mut params = Vec::new();
            for p in op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(&item_params)
            {
                let p = resolve(spec, p);
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let location = p["in"].as_str().unwrap_or_default().to_owned();
                if location == "header" {
                    continue;
                }
                let s = snake(&name);
                let setter = builder
                    .setters
                    .iter()
                    .find(|x| x.name == s || x.name == format!("{s}_"))
                    .map(|x| x.name.clone())
                    .with_context(|| format!("{id}: no setter for parameter {name}"))?;
                params.push(Param {
                    schema: p["schema"].clone(),
                    name,
                    setter,
                    location: location.clone(),
                    required: p["required"].as_bool().unwrap_or(false) || location == "path",
                    description: p["description"].as_str().unwrap_or_default().to_owned(),
                });
            }
            // Path parameters in the order the path names them.
            params.sort_by_key(|p| path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX));
            let tag = op["tags"]
                .as_array()
                .and_then(|t| t.first())
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    path.split('/')
                        .find(|s| !s.is_empty())
                        .unwrap_or("root")
                        .to_owned()
                });
            ops.push(Op {
                id: id.to_owned(),
                method: method.to_owned(),
                path: path.clone(),
                tag,
                summary: op["summary"].as_str().unwrap_or_default().to_owned(),
                description: op["description"].as_str().unwrap_or_default().to_owned(),
                type_name,
                params,
                has_body: op.get("requestBody").is_some()
                    && builder.setters.iter().any(|s| s.name == "body"),
                form_body: {
                    let content = &resolve(spec, &op["requestBody"])["content"];
                    content.get("application/json").is_none()
                        && content.get("application/x-www-form-urlencoded").is_some()
                },
                builder: builder.clone(),
            });
        }
    }
    Ok(ops)
}

pub(super) fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    for _ in 0..16 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                cur = spec
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or(&Value::Null)
            }
            None => return cur,
        }
    }
    cur
}

pub(super) fn tag_docs(spec: &Value) -> HashMap<String, String> {
    spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t["name"].as_str()?.to_owned(),
                t["description"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

// Names.

/// A JSON value that fits `schema`: required properties only, the first enum value, the
/// minimum of a bounded number.
pub(super) fn example(spec: &Value, schema: &Value, name: &str, depth: usize) -> Value {
    let schema = resolve(spec, schema);
    if depth > 8 {
        return Value::Null;
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(first) = schema[k].as_array().and_then(|a| a.first()) {
            return example(spec, first, name, depth + 1);
        }
    }
    if let Some(first) = schema["enum"].as_array().and_then(|a| a.first()) {
        return first.clone();
    }
    let object = schema.get("properties").is_some() || schema.get("allOf").is_some();
    match schema["type"].as_str() {
        Some("integer") => serde_json::json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        Some("number") => serde_json::json!(schema["minimum"].as_f64().unwrap_or(1.0).max(1.0)),
        Some("boolean") => Value::Bool(true),
        Some("array") => {
            let n = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array(
                (0..n)
                    .map(|_| example(spec, &schema["items"], name, depth + 1))
                    .collect(),
            )
        }
        Some("string") if schema["pattern"].is_string() => {
            const SHAPES: &[&str] = &["#1a2b3c", "1", "a", "A1", "AB12", "nl", "NL", "2026-09-01"];
            let re = regress::Regex::new(schema["pattern"].as_str().unwrap_or_default()).ok();
            let fit = SHAPES
                .iter()
                .find(|s| re.as_ref().is_some_and(|re| re.find(s).is_some()))
                .copied()
                .unwrap_or("1");
            serde_json::json!(fit)
        }
        Some("string") => serde_json::json!(match schema["format"].as_str() {
            Some("date-time") => "2026-09-01T08:00:00.000Z",
            Some("date") => "2026-09-01",
            Some("email") => "someone@example.nl",
            Some("uri") | Some("url") => "https://example.nl/",
            Some("uuid") => "00000000-0000-4000-8000-000000000001",
            _ if name.contains("email") => "someone@example.nl",
            _ => "1",
        }),
        Some("object") | None if object || schema["type"] == "object" => {
            let mut props = serde_json::Map::new();
            let mut required = Vec::new();
            let mut parts = vec![schema.clone()];
            parts.extend(
                schema["allOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| resolve(spec, p).clone()),
            );
            for part in &parts {
                if let Some(p) = part["properties"].as_object() {
                    props.extend(p.clone());
                }
                required.extend(
                    part["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
            }
            let mut out = serde_json::Map::new();
            for r in required {
                let s = props.get(&r).cloned().unwrap_or(Value::Null);
                out.insert(r.clone(), example(spec, &s, &r, depth + 1));
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

pub(super) fn setter_of<'a>(op: &'a Op, name: &str) -> Option<&'a Setter> {
    op.builder.setters.iter().find(|s| s.name == name)
}

/// Path (and required query) parameters, taken as arguments: `(ident, type)`.
pub(super) fn positional(op: &Op, skip: &[&str]) -> Vec<(String, String, Type)> {
    op.params
        .iter()
        .filter(|p| p.required && !skip.contains(&p.setter.as_str()))
        .filter_map(|p| {
            setter_of(op, &p.setter)
                .map(|s| (rust_ident(&snake(&p.name)), s.name.clone(), s.ty.clone()))
        })
        .collect()
}

/// Optional query parameters, as setters: `(param, setter)`.
pub(super) fn optional<'a>(op: &'a Op, skip: &[&str]) -> Vec<(&'a Param, &'a Setter)> {
    op.params
        .iter()
        .filter(|p| !p.required && p.location == "query" && !skip.contains(&p.setter.as_str()))
        .filter_map(|p| setter_of(op, &p.setter).map(|s| (p, s)))
        .collect()
}

pub(super) fn body_ty(op: &Op) -> Option<Type> {
    op.has_body
        .then(|| setter_of(op, "body").map(|s| s.ty.clone()))
        .flatten()
}

/// A handler method name for every operation, from the shape of its path: `list`, `get`,
/// `create`, `update`, `delete`, or the action the path ends in (`cancel`, `approve`); where two
/// operations of one tag would share a name, the one under a parent gets `_for_<parent>`.
pub(super) fn method_names(ops: &[Op]) -> Result<HashMap<String, String>> {
    let mut base: Vec<(String, &Op)> = Vec::new();
    for op in ops {
        let segs: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
        let last = segs.last().copied().unwrap_or("");
        let lists = vec_item(&op.builder.ok).is_some();
        let name = if is_param(last) {
            match op.method.as_str() {
                "get" => "get".to_owned(),
                "patch" | "put" => "update".to_owned(),
                "delete" => "delete".to_owned(),
                _ => "create".to_owned(),
            }
        } else {
            let own = is_collection(last, &op.tag) || !segs.iter().any(|s| is_param(s));
            let action = snake(last);
            match (op.method.as_str(), own) {
                ("get", true) if lists => "list".to_owned(),
                ("get", true) => "get".to_owned(),
                ("get", false) if lists => format!("list_{action}"),
                ("get", false) => format!("get_{action}"),
                ("post", true) if is_collection(last, &op.tag) => "create".to_owned(),
                ("delete", _) => format!("delete_{action}"),
                (_, _) => action,
            }
        };
        base.push((name, op));
    }
    let mut groups: BTreeMap<(String, String), Vec<&Op>> = BTreeMap::new();
    for (name, op) in &base {
        groups
            .entry((op.tag.clone(), name.clone()))
            .or_default()
            .push(op);
    }
    let mut out = HashMap::new();
    for ((tag, name), group) in groups {
        let params = |op: &Op| op.path.matches('{').count();
        let fewest = group.iter().map(|o| params(o)).min().unwrap_or(0);
        let keepers = group.iter().filter(|o| params(o) == fewest).count();
        for op in &group {
            let n = if group.len() == 1 || (params(op) == fewest && keepers == 1) {
                name.clone()
            } else {
                let segs: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
                let parent = segs
                    .windows(2)
                    .find(|w| is_param(w[1]))
                    .map(|w| singular(&snake(w[0])))
                    .with_context(|| format!("{tag}: cannot tell {} apart", op.id))?;
                format!("{name}_for_{parent}")
            };
            out.insert(op.id.clone(), n);
        }
    }
    let mut seen: HashMap<(String, String), &str> = HashMap::new();
    for op in ops {
        if let Some(other) = seen.insert((op.tag.clone(), out[&op.id].clone()), &op.id) {
            bail!(
                "{}: {} and {} would both be named `{}`",
                op.tag,
                other,
                op.id,
                out[&op.id]
            );
        }
    }
    Ok(out)
}
