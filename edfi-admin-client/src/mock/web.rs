//! What ASP.NET Core's web defaults do to a request before the Admin API sees it: routing that
//! ignores case and a trailing slash, and `System.Text.Json` with `JsonSerializerDefaults.Web`
//! (property names matched case-insensitively, numbers accepted as JSON strings). The facts
//! (route segments, property names and their types) come from the kept spec.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

/// What a property holds, as the model binder reads it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// An `int`, or a `long` where the spec says `int64` (`educationOrganizationIds`).
    Integer {
        wide: bool,
    },
    IntegerArray {
        wide: bool,
    },
    String,
    Boolean,
    /// An object, an array of objects, or a name the spec gives two different types.
    Other,
}

struct Facts {
    /// Lower-cased route segment → its spelling in the spec.
    segments: HashMap<String, &'static str>,
    /// Lower-cased property name → its camelCase spelling and kind.
    properties: HashMap<String, (&'static str, Kind)>,
}

fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    static SPEC: OnceLock<Value> = OnceLock::new();
    FACTS.get_or_init(|| {
        let spec: &'static Value = SPEC.get_or_init(|| {
            serde_json::from_str(include_str!("../../spec/admin-api-2.3.json"))
                .unwrap_or(Value::Null)
        });
        let mut segments = HashMap::new();
        for path in spec["paths"].as_object().into_iter().flat_map(|p| p.keys()) {
            let path: &'static str = path.as_str();
            for seg in path
                .split('/')
                .filter(|s| !s.is_empty() && !s.starts_with('{'))
            {
                segments.insert(seg.to_ascii_lowercase(), seg);
            }
        }
        let mut properties = HashMap::new();
        let schemas = spec["components"]["schemas"].as_object();
        for schema in schemas.into_iter().flat_map(|s| s.values()) {
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                let name: &'static str = name.as_str();
                let kind = match (prop["type"].as_str(), prop["items"]["type"].as_str()) {
                    (Some("integer"), _) => Kind::Integer {
                        wide: prop["format"] == "int64",
                    },
                    (Some("array"), Some("integer")) => Kind::IntegerArray {
                        wide: prop["items"]["format"] == "int64",
                    },
                    (Some("string"), _) => Kind::String,
                    (Some("boolean"), _) => Kind::Boolean,
                    _ => Kind::Other,
                };
                // camelCase wins where the spec spells a name two ways (`displayName`); a name
                // with two types in different models is checked as neither.
                let camel = name.chars().next().is_some_and(char::is_lowercase);
                properties
                    .entry(name.to_ascii_lowercase())
                    .and_modify(|e: &mut (&'static str, Kind)| {
                        let kind = if e.1 == kind { kind } else { Kind::Other };
                        *e = (if camel { name } else { e.0 }, kind);
                    })
                    .or_insert((name, kind));
            }
        }
        Facts {
            segments,
            properties,
        }
    })
}

/// The path as the routes spell it: every segment the spec knows in the spec's spelling
/// (`/V2/Profiles/` → `/v2/profiles`), ids and names as they came, no trailing slash.
pub(super) fn canonical_path(path: &str) -> String {
    let facts = facts();
    let mut out: String = path
        .split('/')
        .map(|seg| {
            facts
                .segments
                .get(&seg.to_ascii_lowercase())
                .copied()
                .unwrap_or(seg)
        })
        .collect::<Vec<_>>()
        .join("/");
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// The body as the server's model binder reads it: property names in their camelCase spelling
/// whatever case they came in, and integers sent as JSON strings (`"225"`) read as numbers.
pub(super) fn normalise_body(value: &mut Value) {
    let facts = facts();
    match value {
        Value::Object(map) => {
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, mut v) in entries {
                let (name, kind) = match facts.properties.get(&key.to_ascii_lowercase()) {
                    Some((name, kind)) => ((*name).to_owned(), *kind),
                    None => (key, Kind::Other),
                };
                match kind {
                    Kind::Integer { .. } => number_from_text(&mut v),
                    Kind::IntegerArray { .. } => {
                        for item in v.as_array_mut().into_iter().flatten() {
                            number_from_text(item);
                        }
                    }
                    Kind::String | Kind::Boolean => {}
                    Kind::Other => normalise_body(&mut v),
                }
                // A name sent twice in different cases: the first one wins, as in the binder.
                map.entry(name).or_insert(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_body),
        _ => {}
    }
}

/// Whether `System.Text.Json` can bind the (normalised) body to the API's models: every property
/// the spec types holds that type or `null`. A number where a string belongs (`"instanceType":
/// 0.5`), a fraction or an out-of-range number where an `int` belongs, or a string where a `bool`
/// belongs throws in the deserializer, which the server answers as malformed JSON.
pub(super) fn binds(value: &Value) -> bool {
    let facts = facts();
    match value {
        Value::Object(map) => map.iter().all(|(key, v)| {
            let kind = facts
                .properties
                .get(&key.to_ascii_lowercase())
                .map_or(Kind::Other, |(_, kind)| *kind);
            v.is_null() || kind_binds(kind, v)
        }),
        Value::Array(items) => items.iter().all(binds),
        _ => true,
    }
}

fn kind_binds(kind: Kind, v: &Value) -> bool {
    let int = |v: &Value, wide: bool| v.as_i64().is_some_and(|n| wide || i32::try_from(n).is_ok());
    match kind {
        Kind::Integer { wide } => int(v, wide),
        Kind::IntegerArray { wide } => v
            .as_array()
            .is_some_and(|items| items.iter().all(|i| int(i, wide))),
        Kind::String => v.is_string(),
        Kind::Boolean => v.is_boolean(),
        Kind::Other => binds(v),
    }
}

fn number_from_text(v: &mut Value) {
    if let Some(n) = v.as_str().and_then(|s| s.trim().parse::<i64>().ok()) {
        *v = Value::from(n);
    }
}

/// Action names matched as the server matches them, ignoring case (`read` is `Read`).
pub(super) fn canonical_actions(body: &mut Value) {
    let fix = |v: &mut Value| {
        if let Some(name) = v.as_str().and_then(super::seed::canonical_action) {
            *v = Value::from(name);
        }
    };
    let Some(body) = body.as_object_mut() else {
        return;
    };
    if let Some(v) = body.get_mut("actionName") {
        fix(v);
    }
    if let Some(list) = body
        .get_mut("resourceClaimActions")
        .and_then(Value::as_array_mut)
    {
        for a in list {
            if let Some(v) = a.as_object_mut().and_then(|a| a.get_mut("name")) {
                fix(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_and_bodies_read_as_aspnet_reads_them() {
        assert_eq!(canonical_path("/V2/Profiles/"), "/v2/profiles");
        assert_eq!(
            canonical_path("/v2/OdsInstanceContexts/"),
            "/v2/odsInstanceContexts"
        );
        assert_eq!(canonical_path("/v2/claimsets/3"), "/v2/claimSets/3");
        let mut body = json!({"Company": "Acme", "VENDORID": "225", "odsinstanceids": ["1", 2]});
        normalise_body(&mut body);
        assert_eq!(body["company"], "Acme");
        assert_eq!(body["vendorId"], 225);
        assert_eq!(body["odsInstanceIds"], json!([1, 2]));
    }

    #[test]
    fn only_bodies_whose_typed_fields_hold_their_types_bind() {
        let cases = [
            (json!({"name": "x", "instanceType": "OdsInstance"}), true),
            (json!({"name": "x", "instanceType": null}), true),
            (json!({"name": "x", "instanceType": 0.5}), false),
            (json!({"name": 3}), false),
            (json!({"vendorId": 1.5}), false),
            (json!({"vendorId": 4_294_967_296_i64}), false),
            (json!({"vendorId": "225"}), true),
            (json!({"odsInstanceIds": [1, "x"]}), false),
            (json!({"odsInstanceIds": 1}), false),
            // A `long` takes what an `int` cannot.
            (
                json!({"educationOrganizationIds": [4_294_967_296_i64]}),
                true,
            ),
            (json!({"educationOrganizationIds": [1.5]}), false),
            (json!({"enabled": "true"}), false),
            (
                json!({"enabled": true, "somethingElse": [1, {"a": 2}]}),
                true,
            ),
            (json!({"resourceClaims": [{"name": 7}]}), false),
            (
                json!({"resourceClaims": [{"name": "x", "children": []}]}),
                true,
            ),
        ];
        for (mut body, want) in cases {
            let shown = body.to_string();
            normalise_body(&mut body);
            assert_eq!(binds(&body), want, "{shown}");
        }
    }
}
