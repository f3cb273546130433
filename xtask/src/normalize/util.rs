//! Helpers shared by the normalisers.

use serde_json::Value;

/// Every (path, method, operation) in the document, for in-place edits.
pub fn operations_mut(spec: &mut Value) -> impl Iterator<Item = (String, String, &mut Value)> {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    spec.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .flat_map(|(path, item)| {
            let path = path.clone();
            item.as_object_mut()
                .into_iter()
                .flat_map(|m| m.iter_mut())
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(move |(method, op)| (path.clone(), method.clone(), op))
        })
}

/// Removes every `additionalProperties: false`, so that a field a newer server adds never breaks
/// decoding (typify turns it into `deny_unknown_fields`).
pub fn allow_unknown_fields(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("additionalProperties") == Some(&Value::Bool(false)) {
                map.remove("additionalProperties");
            }
            map.values_mut().for_each(allow_unknown_fields);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_unknown_fields),
        _ => {}
    }
}
