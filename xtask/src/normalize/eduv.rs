//! Edu-V Education API 1.1.1: from the published document to the kept spec.
//!
//! Fixes, each scripted here (and, as for every API, `additionalProperties: false` is removed so
//! that fields a newer server adds never break decoding, and response models require only
//! identifiers: [`super::util::tolerate_absent_fields`]):
//! 1. The `orgIdType` and `boardIdType` enums are declared inline on every parameter, so
//!    progenitor makes one Rust enum per operation. They are hoisted into
//!    `components/schemas/OrgIdType` and `BoardIdType` and referenced, giving one type each.
//! 2. Error responses (400/401/403/404 with `StatusResponse`) are removed from the operations:
//!    real servers send the functional code as a number *or* a zero-padded string ("0011"), and
//!    401s have no body at all (EDUVRFC-61), which the generated decoder would reject. The
//!    hand-written layer decodes every error body itself (`error.rs`).
//! 3. `servers` is set to `/` so the generated client appends paths to the configured base URL.

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::util::{allow_unknown_fields, operations_mut, tolerate_absent_fields};

/// Turns the upstream spec into the kept spec.
pub fn normalize(mut spec: Value) -> Result<Value> {
    let mut hoisted = serde_json::Map::new();
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .context("the spec has no paths")?;
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let mut lists: Vec<&mut Value> = Vec::new();
        for (key, value) in item.iter_mut() {
            if key == "parameters" {
                lists.push(value);
            } else if let Some(params) = value.get_mut("parameters") {
                lists.push(params);
            }
        }
        for list in lists {
            for param in list.as_array_mut().into_iter().flatten() {
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let type_name = match name {
                    "orgIdType" => "OrgIdType",
                    "boardIdType" => "BoardIdType",
                    _ => continue,
                };
                if let Some(schema) = param.get_mut("schema") {
                    let mut inline = schema.take();
                    if let Some(o) = inline.as_object_mut() {
                        o.remove("example");
                    }
                    hoisted.entry(type_name.to_owned()).or_insert(inline);
                    *schema = json!({ "$ref": format!("#/components/schemas/{type_name}") });
                }
            }
        }
    }
    let schemas = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .context("the spec has no components/schemas")?;
    for (name, schema) in hoisted {
        schemas.insert(name, schema);
    }
    for (_, _, op) in operations_mut(&mut spec) {
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            responses.retain(|code, _| code.starts_with('2'));
        }
    }
    allow_unknown_fields(&mut spec);
    tolerate_absent_fields(&mut spec);
    spec["servers"] = json!([{ "url": "/" }]);
    Ok(spec)
}
