//! What goes on the wire with a candidate's operations: path ids checked, payloads as JSON.

use edu_common::{Error, Result};
use serde::Serialize;
use serde_json::Value;

/// A payload as JSON, or the error that says it could not be.
pub(crate) fn to_value<T: Serialize + ?Sized>(v: &T) -> Result<Value> {
    serde_json::to_value(v)
        .map_err(|e| Error::invalid_input(None, format!("could not serialise the payload: {e}")))
}

/// Checks an id before it goes into a path (see [`edu_common::transport::path_id`]).
pub(crate) fn check_id(id: &str) -> Result<&str> {
    edu_common::transport::path_id(id)
}
