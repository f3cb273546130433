//! Requests checked against the spec: bodies (types, required fields, enums, patterns, formats,
//! unknown properties), query and path values, and the leniency the API reads them with
//! (booleans as true/false/1/0, a blank date as null).

use serde_json::{Map, Value, json};

use super::schema::{matches_pattern, properties, required, resolve};

/// Checks `value` against `schema`; problems go to `errors` under `field` (Rails style:
/// `{"field": ["is missing"]}`). `partial`: required fields are not required (a PATCH).
pub(super) fn validate(
    schema: &Value,
    value: &Value,
    field: &str,
    partial: bool,
    errors: &mut Map<String, Value>,
) {
    let schema = resolve(schema);
    let mut add = |f: &str, msg: String| {
        let key = if f.is_empty() { "base" } else { f };
        if let Some(Value::Array(list)) = errors.get_mut(key) {
            list.push(json!(msg));
        } else {
            errors.insert(key.to_owned(), json!([msg]));
        }
    };
    if value.is_null() {
        if schema["nullable"] != true && !field.is_empty() {
            add(field, "can't be blank".into());
        }
        return;
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(options) = schema[k].as_array() {
            let fits = options.iter().any(|o| {
                let mut e = Map::new();
                validate(o, value, field, partial, &mut e);
                e.is_empty()
            });
            if !fits {
                add(field, "is invalid".into());
            }
            return;
        }
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            add(field, "is not included in the list".into());
        }
        return;
    }
    let ty = schema["type"].as_str().unwrap_or_else(|| {
        if schema.get("properties").is_some() || schema.get("allOf").is_some() {
            "object"
        } else {
            ""
        }
    });
    let wrong = |v: &Value| match ty {
        "integer" => !(v.is_i64() || v.is_u64()),
        "number" => !v.is_number(),
        // Booleans are read leniently (true/false/1/0), as the API documents.
        "boolean" => {
            !(v.is_boolean()
                || v == &json!(1)
                || v == &json!(0)
                || v == "true"
                || v == "false"
                || v == "1"
                || v == "0")
        }
        "string" => !v.is_string(),
        "array" => !v.is_array(),
        "object" => !v.is_object(),
        _ => false,
    };
    if wrong(value) {
        add(field, format!("must be of type {ty}"));
        return;
    }
    match ty {
        "array" => {
            for (n, item) in value.as_array().into_iter().flatten().enumerate() {
                validate(
                    &schema["items"],
                    item,
                    &format!("{field}[{n}]"),
                    partial,
                    errors,
                );
            }
        }
        "object" => {
            let props = properties(schema);
            let obj = value.as_object().cloned().unwrap_or_default();
            if !partial {
                for r in required(schema) {
                    if !obj.contains_key(&r) {
                        let f = if field.is_empty() {
                            r.clone()
                        } else {
                            format!("{field}.{r}")
                        };
                        add(&f, "can't be blank".into());
                    }
                }
            }
            // Properties the schema names, and the others against `additionalProperties` when
            // it is a schema (the values of a custom record's `properties` map).
            let extra = resolve(&schema["additionalProperties"]);
            for (k, v) in &obj {
                let s = match props.get(k) {
                    Some(s) => s,
                    None if extra.is_object() => extra,
                    None => continue,
                };
                let f = if field.is_empty() {
                    k.clone()
                } else {
                    format!("{field}.{k}")
                };
                validate(s, v, &f, false, errors);
            }
        }
        "string" => {
            let text = value.as_str().unwrap_or_default();
            if let Some(p) = schema["pattern"].as_str()
                && !matches_pattern(p, text)
            {
                add(field, "is invalid".into());
            } else if let Some(format) = schema["format"].as_str()
                && !format_ok(format, text)
            {
                add(field, "is invalid".into());
            }
        }
        "integer" | "number" => {
            let n = value.as_f64().unwrap_or_default();
            if schema["minimum"].as_f64().is_some_and(|m| n < m)
                || schema["maximum"].as_f64().is_some_and(|m| n > m)
            {
                add(field, "is out of range".into());
            }
        }
        _ => {}
    }
}

/// Whether `text` is a valid `format` string, as the API's model validations read them: an
/// e-mail address, a date, a date and time, a URI. A blank date stays valid (Rails casts it to
/// nil), a blank e-mail address or URI does not; formats the simulator does not know are not
/// checked.
fn format_ok(format: &str, text: &str) -> bool {
    if text.is_empty() {
        return matches!(format, "date" | "date-time");
    }
    match format {
        "email" => text.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !text.contains(char::is_whitespace)
        }),
        "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "uri" => url::Url::parse(text).is_ok(),
        _ => true,
    }
}

/// Whether a blank string for this record field is stored as `null`: the field has a format (a
/// date, an e-mail address, a URI) that a blank string does not meet, and may be null.
pub(super) fn blank_is_null(schema: &Value) -> bool {
    let resolved = resolve(schema);
    let formatted = resolved.get("format").is_some()
        || options(resolved).iter().any(|o| o.get("format").is_some());
    formatted && may_be_null(schema)
}

/// Whether the record field may hold `null` (`nullable`, or a `null` option).
pub(super) fn may_be_null(schema: &Value) -> bool {
    let schema = resolve(schema);
    schema["nullable"] == true || options(schema).iter().any(|o| o["type"] == "null")
}

fn options(schema: &Value) -> Vec<&Value> {
    ["anyOf", "oneOf"]
        .iter()
        .filter_map(|k| schema[*k].as_array())
        .flatten()
        .map(resolve)
        .collect()
}

/// Stores `value` as Rails would after a valid request: a boolean sent leniently (`1`, `0`,
/// `"true"`, `"0"`...) becomes `true` or `false`, so the answer says what the spec says.
pub(super) fn coerce(schema: &Value, value: &mut Value) {
    let schema = resolve(schema);
    // `anyOf: [T, null]` (a nullable T): coerce as T.
    for k in ["anyOf", "oneOf"] {
        if let Some(option) = schema[k]
            .as_array()
            .and_then(|o| o.iter().find(|o| resolve(o)["type"] != "null"))
        {
            return coerce(option, value);
        }
    }
    // A blank date is stored as no date (Rails casts "" to nil for date columns).
    if schema["type"] == "string"
        && matches!(schema["format"].as_str(), Some("date" | "date-time"))
        && value == ""
    {
        *value = Value::Null;
        return;
    }
    if schema["type"] == "boolean" {
        let b = match &*value {
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(t) => match t.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if let Some(b) = b {
            *value = Value::Bool(b);
        }
        return;
    }
    match value {
        Value::Object(obj) => {
            let props = properties(schema);
            for (k, v) in obj.iter_mut() {
                if let Some(s) = props.get(k) {
                    coerce(s, v);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                coerce(&schema["items"], item);
            }
        }
        _ => {}
    }
}

/// Checks one query parameter's text against its schema.
pub(super) fn query_value_ok(schema: &Value, text: &str) -> bool {
    let schema = resolve(schema);
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().any(|v| v.as_str() == Some(text));
    }
    match schema["type"].as_str() {
        Some("integer") => text.parse::<i64>().is_ok_and(|n| {
            schema["minimum"].as_i64().is_none_or(|m| n >= m)
                && schema["maximum"].as_i64().is_none_or(|m| n <= m)
        }),
        Some("number") => text.parse::<f64>().is_ok(),
        Some("boolean") => matches!(text, "true" | "false" | "1" | "0"),
        Some("array") => query_value_ok(&schema["items"], text),
        _ => true,
    }
}
