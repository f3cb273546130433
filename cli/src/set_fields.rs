//! `--set name=value`: a request body built from flags, like `gh api -F`. Each value is typed by
//! the operation's body schema: a number stays a number, a boolean a boolean, an enum is
//! checked, `[1,2]` is a list, `address_attributes.city=Utrecht` a field of a nested object,
//! `name=null` an explicit null; a field the schema does not know is an error that lists the
//! known ones. Without a schema (a body the API describes at run time), a value that reads as
//! JSON is that JSON, anything else text.

use serde_json::{Map, Value};

use crate::failure::Failure;

/// `body` (from `--data`, or `{}`) with every `name=value` of `sets` applied, in order.
pub fn apply(body: Option<Value>, sets: &[String], schema: Option<&str>) -> Result<Value, Failure> {
    let schema: Option<Value> = match schema {
        Some(text) => Some(
            serde_json::from_str(text)
                .map_err(|e| Failure::Usage(format!("the body schema is unreadable: {e}")))?,
        ),
        None => None,
    };
    let mut body = match body {
        None => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v,
        Some(_) => {
            return Err(Failure::Usage(
                "--set adds fields to an object: --data is not a JSON object".into(),
            ));
        }
    };
    for set in sets {
        let (path, text) = set
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--set {set}: write it as name=value")))?;
        let names: Vec<&str> = path.split('.').collect();
        if names.iter().any(|n| n.is_empty()) {
            return Err(Failure::Usage(format!("--set {set}: an empty field name")));
        }
        set_at(&mut body, &names, schema.as_ref(), path, text)?;
    }
    Ok(body)
}

/// Sets the field `names` (a path into nested objects, made as needed) of `at` to `text`, typed
/// by `schema` (the schema of `at`).
fn set_at(
    at: &mut Value,
    names: &[&str],
    schema: Option<&Value>,
    path: &str,
    text: &str,
) -> Result<(), Failure> {
    let Some((name, rest)) = names.split_first() else {
        return Ok(());
    };
    let field_schema = match schema {
        Some(s) => Some(property(s, name).ok_or_else(|| unknown(path, name, s))?),
        None => None,
    };
    let obj = at.as_object_mut().ok_or_else(|| {
        Failure::Usage(format!(
            "--set {path}: `{name}` is inside a value that is not an object"
        ))
    })?;
    if rest.is_empty() {
        obj.insert((*name).to_owned(), typed(path, text, field_schema)?);
        return Ok(());
    }
    let inner = obj
        .entry((*name).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    set_at(inner, rest, field_schema, path, text)
}

/// The schema of `name` in the object schema `s`.
fn property<'a>(s: &'a Value, name: &str) -> Option<&'a Value> {
    s.get("properties")?.get(name)
}

fn unknown(path: &str, name: &str, s: &Value) -> Failure {
    let mut known: Vec<&str> = s
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    known.sort_unstable();
    if known.is_empty() {
        Failure::Usage(format!(
            "--set {path}: `{name}` is not a field here (this value takes none)"
        ))
    } else {
        Failure::Usage(format!(
            "--set {path}: no field `{name}`; the fields are: {}",
            known.join(", ")
        ))
    }
}

/// `text` as the value `schema` describes.
fn typed(path: &str, text: &str, schema: Option<&Value>) -> Result<Value, Failure> {
    let bad = |what: &str| Failure::Usage(format!("--set {path}={text}: {what}"));
    if text == "null" {
        return Ok(Value::Null);
    }
    let Some(schema) = schema else {
        return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())));
    };
    let value = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| bad("a whole number is expected"))?,
        Some("number") => {
            let n: f64 = text.parse().map_err(|_| bad("a number is expected"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| bad("a finite number is expected"))?
        }
        Some("boolean") => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad("true or false is expected")),
        },
        Some("array") => {
            let items: Vec<Value> = if text.trim_start().starts_with('[') {
                match serde_json::from_str(text) {
                    Ok(Value::Array(items)) => items,
                    _ => return Err(bad("a JSON list is expected, like [1,2]")),
                }
            } else {
                // `a,b` is a list of two.
                text.split(',')
                    .map(|t| Value::String(t.trim().to_owned()))
                    .collect()
            };
            let item_schema = schema.get("items");
            let mut out = Vec::new();
            for item in items {
                out.push(match item {
                    Value::String(s) => typed(path, &s, item_schema)?,
                    other => {
                        check_enum(path, &other, item_schema)?;
                        other
                    }
                });
            }
            return Ok(Value::Array(out));
        }
        Some("object") => match serde_json::from_str(text) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                return Err(bad(
                    "an object is expected: set its fields as name.field=value",
                ));
            }
        },
        _ => Value::String(text.to_owned()),
    };
    check_enum(path, &value, Some(schema))?;
    Ok(value)
}

fn check_enum(path: &str, value: &Value, schema: Option<&Value>) -> Result<(), Failure> {
    let Some(values) = schema.and_then(|s| s.get("enum")).and_then(Value::as_array) else {
        return Ok(());
    };
    if values.contains(value) {
        return Ok(());
    }
    let known: Vec<String> = values
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    Err(Failure::Usage(format!(
        "--set {path}: {value} is not one of: {}",
        known.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SCHEMA: &str = r#"{"type":"object","properties":{
        "name":{"type":"string"},"label_ids":{"type":"array","items":{"type":"integer"}},
        "cost":{"type":"number"},"active":{"type":"boolean"},
        "scheme":{"type":"string","enum":["free","order"]},
        "address_attributes":{"type":"object","properties":{"city":{"type":"string"}}}}}"#;

    fn sets(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn values_are_typed_by_the_schema() {
        let body = apply(
            None,
            &sets(&[
                "name=Acme",
                "label_ids=[1,2]",
                "cost=12.5",
                "active=true",
                "scheme=order",
                "address_attributes.city=Utrecht",
            ]),
            Some(SCHEMA),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"name": "Acme", "label_ids": [1, 2], "cost": 12.5, "active": true,
                   "scheme": "order", "address_attributes": {"city": "Utrecht"}})
        );
    }

    #[test]
    fn an_unknown_field_lists_the_known_ones() {
        let err = apply(None, &sets(&["nmae=Acme"]), Some(SCHEMA)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("no field `nmae`") && text.contains("label_ids, name"),
            "{text}"
        );
        assert_eq!(err.exit_code(), 2);
        let err = apply(None, &sets(&["address_attributes.town=X"]), Some(SCHEMA)).unwrap_err();
        assert!(err.to_string().contains("city"), "{err}");
    }

    #[test]
    fn wrong_types_and_values_are_refused() {
        for bad in [
            "label_ids=[1,\"x\"]",
            "cost=cheap",
            "active=yes",
            "scheme=gratis",
        ] {
            assert!(apply(None, &sets(&[bad]), Some(SCHEMA)).is_err(), "{bad}");
        }
    }

    #[test]
    fn null_and_data_combine() {
        let body = apply(
            Some(json!({"name": "Acme", "cost": 1})),
            &sets(&["cost=null"]),
            Some(SCHEMA),
        )
        .unwrap();
        assert_eq!(body, json!({"name": "Acme", "cost": null}));
    }

    #[test]
    fn without_a_schema_json_values_are_json() {
        let body = apply(None, &sets(&["n=3", "t=text", "l=[1]"]), None).unwrap();
        assert_eq!(body, json!({"n": 3, "t": "text", "l": [1]}));
    }
}
