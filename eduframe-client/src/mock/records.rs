//! What writes do to a stored record: the body laid over it, and the state an action names.

use serde_json::{Value, json};

use super::reply::text;
use super::{schema, spec, validate};

/// The state change an action names (`PUT /enrollments/{id}/cancel`), with the action's `body`
/// (`POST /orders/{id}/labels` with `{"label_id": 3}` adds label 3 to the order's `label_ids`).
pub(super) fn apply_action(record: &mut Value, action: &str, body: &Value) {
    let set = |record: &mut Value, field: &str, value: Value| {
        if let Some(o) = record.as_object_mut()
            && o.contains_key(field)
        {
            o.insert(field.to_owned(), value);
        }
    };
    match action {
        "cancel" => set(record, "status", json!("canceled")),
        "approve" => set(record, "status", json!("active")),
        "deny" => set(record, "status", json!("denied")),
        "open" => set(record, "status", json!("open")),
        "activate" => set(record, "active", json!(true)),
        "deactivate" => set(record, "active", json!(false)),
        "labels" => {
            if let (Some(label), Some(ids)) = (
                body.get("label_id").filter(|v| v.is_i64()),
                record.get_mut("label_ids").and_then(Value::as_array_mut),
            ) && !ids.contains(label)
            {
                ids.push(label.clone());
            }
        }
        _ => {}
    }
    set(record, "updated_at", json!(spec::now()));
}

/// What a create's flags do to the new record, as the API documents them: an order is created
/// `requested`, or `active` with `approve: true` (the state `PUT /orders/{id}/approve` gives),
/// never a state the request did not ask for.
pub(super) fn apply_create_flags(key: &str, record: &mut Value, body: &Value) {
    if key == "Order"
        && let Some(o) = record.as_object_mut()
        && o.contains_key("status")
    {
        let approved = body["approve"].as_bool().unwrap_or(false);
        o.insert(
            "status".into(),
            json!(if approved { "active" } else { "requested" }),
        );
    }
}

/// Fields of `body` that the record has, laid over it in the record's own types: a body may
/// send a number where the record keeps text (`cost: 12.5` is stored as `"12.5"`), as the API's
/// model layer converts it.
pub(super) fn overlay(key: &str, record: &mut Value, body: &Value) {
    let props = spec::RECORD_SCHEMAS
        .get(key)
        .map(schema::properties)
        .unwrap_or_default();
    let Some(o) = record.as_object_mut() else {
        return;
    };
    let required = spec::RECORD_SCHEMAS
        .get(key)
        .map(schema::required)
        .unwrap_or_default();
    if let Some(b) = body.as_object() {
        for (k, v) in b {
            // Rails' nested attributes: `address_attributes` writes the record's `address`
            // (an object is merged into the one there; anything else replaces it).
            let k = match k.strip_suffix("_attributes") {
                Some(stem) if !o.contains_key(k) && o.contains_key(stem) => {
                    if let (Some(Value::Object(have)), Value::Object(new)) = (o.get_mut(stem), v) {
                        for (nk, nv) in new {
                            have.insert(nk.clone(), nv.clone());
                        }
                        continue;
                    }
                    stem.to_owned()
                }
                _ => k.clone(),
            };
            let k = &k;
            if !o.contains_key(k) {
                continue;
            }
            // `null` on purpose clears the field: stored as `null` where the record may hold
            // it, left out where it may be absent, kept where the record requires it.
            if v.is_null() {
                match props.get(k) {
                    Some(schema) if validate::may_be_null(schema) => {
                        o.insert(k.clone(), Value::Null);
                    }
                    _ if !required.contains(k) => {
                        o.remove(k);
                    }
                    _ => {}
                }
                continue;
            }
            let mut errors = serde_json::Map::new();
            match props.get(k) {
                // A blank date, e-mail or URI is stored as none where the record may hold none
                // (Rails casts a blank date to nil; the answer stays within the spec).
                Some(schema) if v == "" && validate::blank_is_null(schema) => {
                    o.insert(k.clone(), Value::Null);
                }
                Some(schema) => {
                    validate::validate(schema, v, k, false, &mut errors);
                    if errors.is_empty() {
                        o.insert(k.clone(), v.clone());
                    } else if schema::resolve(schema)["type"] == "string"
                        && (v.is_number() || v.is_boolean())
                    {
                        o.insert(k.clone(), json!(text(v)));
                    }
                    // Anything else the record cannot hold is left as it was.
                }
                None => {
                    o.insert(k.clone(), v.clone());
                }
            }
        }
    }
}
