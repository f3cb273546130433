//! The kept spec and reading its schemas: `$ref`s, properties, required names, patterns.

use std::sync::LazyLock;

use serde_json::{Map, Value};

/// The kept spec, parsed once per process.
pub(super) static SPEC: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../spec/eduframe-v1.json")).unwrap_or_default()
});

/// Follows `$ref`s to the schema they name.
pub(super) fn resolve(v: &Value) -> &Value {
    let mut cur = v;
    for _ in 0..16 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                cur = SPEC
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or(&Value::Null)
            }
            None => return cur,
        }
    }
    cur
}

/// The properties of an object schema, `allOf` parts merged.
pub(super) fn properties(schema: &Value) -> Map<String, Value> {
    let schema = resolve(schema);
    let mut out = Map::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for p in parts {
            out.extend(properties(p));
        }
    }
    if let Some(p) = schema["properties"].as_object() {
        out.extend(p.clone());
    }
    out
}

/// The required property names of an object schema, `allOf` parts merged.
pub(super) fn required(schema: &Value) -> Vec<String> {
    let schema = resolve(schema);
    let mut out: Vec<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    for p in schema["allOf"].as_array().into_iter().flatten() {
        out.extend(required(p));
    }
    out
}

/// Text that matches `pattern`, from a few shapes the spec's patterns take (a colour, a code).
pub(super) fn fitting_pattern(pattern: &str) -> String {
    const SHAPES: &[&str] = &[
        "#1a2b3c",
        "1",
        "a",
        "A1",
        "AB12",
        "nl",
        "NL",
        "2026-09-01",
        "x@example.nl",
        "https://example.nl/",
    ];
    let Ok(re) = regress::Regex::new(pattern) else {
        return String::new();
    };
    SHAPES
        .iter()
        .find(|s| re.find(s).is_some())
        .map(|s| (*s).to_owned())
        .unwrap_or_default()
}

pub(super) fn matches_pattern(pattern: &str, text: &str) -> bool {
    regress::Regex::new(pattern).map_or(true, |re| re.find(text).is_some())
}
