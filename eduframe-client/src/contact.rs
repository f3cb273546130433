//! The Organization API's contact, hand-written so that every unknown field is kept.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A contact of the Organization API. The field list is not published: these are the fields an
/// Eduframe contact plausibly has, all optional; everything else lands in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Identifier.
    #[serde(default)]
    pub id: Option<i64>,
    /// Given name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Middle name or prefix.
    #[serde(default)]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone_number: Option<String>,
    /// The organization.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// Whether this is the organization's key contact (sent as true/false/1/0).
    #[serde(default, deserialize_with = "crate::serde_helpers::lenient_bool")]
    pub key_contact: Option<bool>,
    /// Created at (ISO 8601 with milliseconds).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Updated at.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
