//! Eduframe API v1: from the published document to the kept spec.
//!
//! Fixes, each scripted here (and, as for every API, `additionalProperties: false` is removed so
//! that fields a newer server adds never break decoding):
//! 1. Operations with several success responses (`POST /leads`, `/orders` and `/users` answer 200
//!    when they match an existing record and 201 when they create one, with the same body) keep one
//!    typed success response: progenitor accepts a single success type. Both statuses still reach
//!    the caller as success, because the hand-written layer never depends on which one it was.
//! 2. Error responses are removed: they all share the `Error` schema `{errors, code, message}`,
//!    which the hand-written layer decodes itself (`error.rs`) for every status.
//! 3. `servers` is set to `/`, so paths are appended to the configured base URL.

use anyhow::Result;
use serde_json::{Value, json};

use super::util::{allow_unknown_fields, operations_mut};

/// Turns the upstream spec into the kept spec.
pub fn normalize(mut spec: Value) -> Result<Value> {
    for (_, _, op) in operations_mut(&mut spec) {
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        responses.retain(|code, _| code.starts_with('2'));
        if responses.contains_key("200") && responses.contains_key("201") {
            responses.remove("201");
        }
    }
    allow_unknown_fields(&mut spec);
    spec["servers"] = json!([{ "url": "/" }]);
    Ok(spec)
}
