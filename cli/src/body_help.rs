//! A write's body as a shell user reads it: its fields in `--help` (type, allowed values,
//! whether required), and `--skeleton`, a body to fill in; both from the body schema the command
//! table holds, the one `--set` is typed by.

use serde_json::{Map, Value};

/// The most enum values shown for one field.
const SHOWN_VALUES: usize = 8;

/// One line per field (nested fields as `a.b`), for `--help`.
pub fn describe(schema: &Value) -> String {
    let mut lines = Vec::new();
    fields(schema, "", &mut lines);
    let width = lines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(name, what)| format!("  {name:width$}  {what}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn fields(schema: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, field) in schema["properties"].as_object().into_iter().flatten() {
        let path = format!("{prefix}{name}");
        let mut what = type_name(field);
        if required.contains(&name.as_str()) {
            what.push_str(", required");
        }
        if let Some(values) = field["enum"]
            .as_array()
            .or(field["items"]["enum"].as_array())
        {
            let shown: Vec<String> = values
                .iter()
                .take(SHOWN_VALUES)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect();
            what.push_str(&format!("; one of {}", shown.join(", ")));
            if values.len() > SHOWN_VALUES {
                what.push_str(&format!(" (and {} more)", values.len() - SHOWN_VALUES));
            }
        }
        out.push((path.clone(), what));
        if field["properties"].is_object() {
            fields(field, &format!("{path}."), out);
        }
    }
}

/// `integer`, `date`, `list of integer`, `object`...
fn type_name(field: &Value) -> String {
    let scalar = |f: &Value| -> String {
        match (f["type"].as_str(), f["format"].as_str()) {
            (Some("string"), Some(fmt @ ("date" | "date-time" | "email" | "uuid"))) => fmt.into(),
            (Some(t), _) => t.into(),
            (None, _) if f["properties"].is_object() => "object".into(),
            (None, _) => "any".into(),
        }
    };
    match field["type"].as_str() {
        Some("array") => format!("list of {}", scalar(&field["items"])),
        _ => scalar(field),
    }
}

/// A body to fill in: every field, with a value of its type (an enum's first value).
pub fn skeleton(schema: &Value) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("string") => Value::String(String::new()),
        Some("integer" | "number") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        _ => match schema["properties"].as_object() {
            Some(props) => Value::Object(
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), skeleton(v)))
                    .collect::<Map<String, Value>>(),
            ),
            None => Value::Null,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "label_ids": {"type": "array", "items": {"type": "integer"}},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "start": {"type": "string", "format": "date"},
            "address": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
        }})
    }

    #[test]
    fn fields_are_listed_with_their_types_values_and_whether_required() {
        let text = describe(&schema());
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for want in [
            "address       object",
            "address.city  string, required",
            "kind          string; one of a, b",
            "label_ids     list of integer",
            "name          string, required",
            "start         date",
        ] {
            assert!(lines.contains(&want), "{want:?} in\n{text}");
        }
    }

    #[test]
    fn a_skeleton_holds_every_field_with_a_value_of_its_type() {
        assert_eq!(
            skeleton(&schema()),
            json!({"name": "", "label_ids": [], "kind": "a", "start": "", "address": {"city": ""}})
        );
    }
}
