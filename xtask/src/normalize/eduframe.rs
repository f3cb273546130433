//! Eduframe API v1: from the published document to the kept spec.
//!
//! Fixes, each scripted here (and, as for every API, `additionalProperties: false` is removed so
//! that fields a newer server adds never break decoding, and response models require only
//! identifiers: [`super::util::tolerate_absent_fields`]):
//! 1. Operations with several success responses keep one typed success response: progenitor
//!    accepts a single success type. `POST /leads`, `/orders` and `/users` declare `201` with the
//!    created record and a `200` whose body is the `Error` schema (an artifact of the published
//!    document: no source shows the API answering a create with 200 and an error body), so the
//!    `201` is kept; elsewhere the `200`.
//! 2. Error responses are removed: they all share the `Error` schema `{errors, code, message}`,
//!    which the hand-written layer decodes itself (`error.rs`) for every status.
//! 3. `servers` is set to `/`, so paths are appended to the configured base URL.
//! 4. A `required` name that the schema does not define as a property (`User.slug`,
//!    `Account.visible`, `Category.courses_count`: 14 names in 4 schemas) is dropped from
//!    `required`: with no definition, typify makes it a required `serde_json::Value`, and a
//!    response without it (the documented fields do not include it) would fail to decode.

use anyhow::Result;
use serde_json::{Value, json};

use super::util::{allow_unknown_fields, operations_mut, tolerate_absent_fields};

/// Turns the upstream spec into the kept spec.
pub fn normalize(mut spec: Value) -> Result<Value> {
    for (_, _, op) in operations_mut(&mut spec) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        responses.retain(|code, _| code.starts_with('2'));
        if responses.contains_key("200") && responses.contains_key("201") {
            let is_error = |r: &Value| {
                r.pointer("/content/application~1json/schema/$ref")
                    .and_then(Value::as_str)
                    == Some("#/components/schemas/Error")
            };
            if is_error(&responses["200"]) {
                responses.remove("200");
            } else {
                responses.remove("201");
            }
        }
    }
    drop_undefined_required(&mut spec);
    allow_unknown_fields(&mut spec);
    tolerate_absent_fields(&mut spec);
    spec["servers"] = json!([{ "url": "/" }]);
    Ok(spec)
}

/// The property names a component schema defines, its `allOf` parts (and their references)
/// included.
fn defined(spec: &Value, schema: &Value, depth: usize) -> Vec<String> {
    if depth > 8 {
        return Vec::new();
    }
    if let Some(r) = schema["$ref"].as_str() {
        let target = spec
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null);
        return defined(spec, target, depth + 1);
    }
    let mut out: Vec<String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(defined(spec, part, depth + 1));
    }
    out
}

/// See fix 4 of the module docs.
fn drop_undefined_required(spec: &mut Value) {
    let Some(names) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect::<Vec<_>>())
    else {
        return;
    };
    for name in names {
        let pointer = format!("/components/schemas/{name}");
        let known = defined(spec, &spec[&"components"]["schemas"][&name].clone(), 0);
        let Some(schema) = spec.pointer_mut(&pointer) else {
            continue;
        };
        let mut parts: Vec<&mut Value> = vec![];
        if let Some(all) = schema.get_mut("allOf").and_then(Value::as_array_mut) {
            parts.extend(all.iter_mut());
        }
        for part in parts {
            if let Some(req) = part.get_mut("required").and_then(Value::as_array_mut) {
                req.retain(|r| r.as_str().is_some_and(|r| known.iter().any(|k| k == r)));
            }
        }
        if let Some(req) = schema.get_mut("required").and_then(Value::as_array_mut) {
            req.retain(|r| r.as_str().is_some_and(|r| known.iter().any(|k| k == r)));
        }
    }
}
