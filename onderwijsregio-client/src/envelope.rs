//! The response envelope every endpoint uses: `{statusCode, message, data, meta}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A decoded response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The status the server reports (mirrors the HTTP status).
    #[serde(rename = "statusCode", default)]
    pub status_code: Option<u16>,
    /// The server's message.
    #[serde(default)]
    pub message: Option<String>,
    /// The payload.
    pub data: T,
    /// Metadata: sandbox flag, cursor, and anything else the server adds.
    #[serde(default)]
    pub meta: Meta,
}

/// Response metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// True when the request ran in sandbox mode.
    #[serde(rename = "sandboxEnabled", default)]
    pub sandbox_enabled: Option<bool>,
    /// The cursor of the next page of a listing; `None` on the last page.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Unknown fields, kept.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
