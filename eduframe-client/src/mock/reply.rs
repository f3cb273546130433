//! The API's answers that are not records: its error body, and text as filters compare it.

use edu_common::mock::Response;
use serde_json::{Value, json};

/// A JSON value as text: a string as it is, anything else as JSON.
pub(super) fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The API's error body, `{errors, code, message}`.
pub(super) fn error(status: u16, message: &str, errors: Value) -> Response {
    Response::new(status)
        .set_body_json(json!({"errors": errors, "code": status, "message": message}))
}

/// 404 in the API's error body.
pub(super) fn not_found() -> Response {
    error(404, "Not found", json!({}))
}
