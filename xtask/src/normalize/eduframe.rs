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
//! 5. Dates are typed alike: a `*_date` property written as a plain string (a planned course's
//!    `start_date`, a body's `start_date`) where the same name has `format: date` elsewhere (an
//!    enrollment's `start_date`), and a query filter `<name>_from`/`<name>_until` after such a
//!    name, get `format: date`, so one record's `NaiveDate` passes straight to another's filter
//!    and body (and "next week" is refused by the compiler, not answered with nothing).
//! 6. A `oneOf` that offers a plain string and also a formatted one (`CustomFieldValue`: a
//!    string, and a string with `format: date`) loses the formatted branch: every date is also
//!    a string, so a custom field holding a date matched two branches, which `oneOf` forbids
//!    (a schema validator refused the answer), and the typed enum could never decode the date
//!    branch anyway (its string branch comes first).

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
    type_dates(&mut spec);
    drop_subsumed_string_branches(&mut spec);
    allow_unknown_fields(&mut spec);
    tolerate_absent_fields(&mut spec);
    spec["servers"] = json!([{ "url": "/" }]);
    Ok(spec)
}

/// Step 6: in every `oneOf` with a plain `{type: string}` branch, the other string branches
/// (formatted, titled) are dropped: a value valid under them is valid under the plain one.
fn drop_subsumed_string_branches(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(branches)) = map.get_mut("oneOf") {
                let plain = |b: &Value| {
                    b.as_object()
                        .is_some_and(|o| o.len() == 1 && o.get("type") == Some(&json!("string")))
                };
                if branches.iter().any(plain) {
                    branches.retain(|b| plain(b) || b.get("type") != Some(&json!("string")));
                }
            }
            map.values_mut().for_each(drop_subsumed_string_branches);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_subsumed_string_branches),
        _ => {}
    }
}

/// Step 5: `format: date` on the plain-string request properties and `_from`/`_until` filters
/// named after a record property with that format.
fn type_dates(spec: &mut Value) {
    let mut dated = std::collections::BTreeSet::new();
    if let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for schema in schemas.values() {
            collect_dated(schema, &mut dated, 0);
        }
    }
    let plain =
        |s: &Value| s["type"] == "string" && s.get("format").is_none() && s.get("enum").is_none();
    for (_, _, op) in operations_mut(spec) {
        if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
            for p in params {
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let stem = name
                    .strip_suffix("_from")
                    .or_else(|| name.strip_suffix("_until"));
                if p["in"] == "query"
                    && stem.is_some_and(|s| dated.contains(s))
                    && plain(&p["schema"])
                {
                    p["schema"]["format"] = json!("date");
                }
            }
        }
        if let Some(body) = op.pointer_mut("/requestBody/content/application~1json/schema") {
            date_properties(body, &dated, 0);
        }
    }
    // The components: the bodies' (`PlannedCoursePayload`) and the records'.
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for schema in schemas.values_mut() {
            date_properties(schema, &dated, 0);
        }
    }
    fn collect_dated(schema: &Value, out: &mut std::collections::BTreeSet<String>, depth: usize) {
        if depth > 8 {
            return;
        }
        if let Some(props) = schema["properties"].as_object() {
            for (name, p) in props {
                if p["format"] == "date" && name.ends_with("_date") {
                    out.insert(name.clone());
                }
            }
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            collect_dated(part, out, depth + 1);
        }
    }
    fn date_properties(
        schema: &mut Value,
        dated: &std::collections::BTreeSet<String>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        for part in schema
            .get_mut("allOf")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            date_properties(part, dated, depth + 1);
        }
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, p) in props.iter_mut() {
                if dated.contains(name)
                    && p["type"] == "string"
                    && p.get("format").is_none()
                    && p.get("enum").is_none()
                {
                    p["format"] = json!("date");
                }
                date_properties(p, dated, depth + 1);
            }
        }
        if let Some(items) = schema.get_mut("items") {
            date_properties(items, dated, depth + 1);
        }
    }
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
