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

/// The one rule for response models, applied to every generated client: a property of a schema
/// that an operation answers with is required only if it is the record's identifier: `id`, or
/// the schema's own name followed by `Id` (`StudyOffering.studyOfferingId`). Every other
/// property may be absent, whatever the published `required` list says.
///
/// Why: a published `required` list is a promise the real servers do not always keep (Eduframe's
/// `CourseWithIncludes` requires `custom` and `label_ids`, which a listing without `include`
/// leaves out; the real API leaves out optional properties of sparse records), and one missing
/// field would make a whole page fail to decode. smithy-rs makes every output member optional
/// for the same reason; keeping identifiers required keeps `record.id` plain where every real
/// record has one. A schema that is also a request body loses its `required` list with it (the
/// server still validates the request).
pub fn tolerate_absent_fields(spec: &mut Value) {
    let mut names: Vec<String> = Vec::new();
    for (_, _, op) in operations_mut(spec) {
        if let Some(responses) = op.get_mut("responses") {
            collect_refs(responses, &mut names);
            relax(responses, None);
        }
    }
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = names.pop() {
        if done.contains(&name) {
            continue;
        }
        done.push(name.clone());
        let pointer = format!("/components/schemas/{name}");
        if let Some(schema) = spec.pointer_mut(&pointer) {
            collect_refs(schema, &mut names);
            relax(schema, Some(&name));
        }
    }
}

/// The component schema names `value` refers to.
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Keeps only identifiers in every `required` list inside `schema` (see
/// [`tolerate_absent_fields`]); `name` is the component's name, if it is one.
fn relax(schema: &mut Value, name: Option<&str>) {
    let own_id = name.map(|n| {
        let mut c = n.chars();
        let first = c.next().map(|f| f.to_ascii_lowercase()).into_iter();
        format!("{}Id", first.chain(c).collect::<String>())
    });
    fn walk(v: &mut Value, own_id: Option<&str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(req)) = map.get_mut("required") {
                    req.retain(|r| r.as_str().is_some_and(|r| r == "id" || Some(r) == own_id));
                    if req.is_empty() {
                        map.remove("required");
                    }
                }
                map.values_mut().for_each(|v| walk(v, own_id));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, own_id)),
            _ => {}
        }
    }
    walk(schema, own_id.as_deref());
}
