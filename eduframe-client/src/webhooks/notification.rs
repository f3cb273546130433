//! Typed Eduframe webhook notifications: `{tenant_id, educator, event, event_data}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An event name such as `enrollment.created`: a resource and an action. Unknown ones are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// The resource (`account`, `enrollment`, `planned_course`...).
    pub resource: String,
    /// The action (`created`, `updated`, `approved`...).
    pub action: String,
}

impl Event {
    /// Parses `resource.action` (a name without a dot is kept whole as the resource).
    pub fn parse(name: &str) -> Event {
        let (resource, action) = name.rsplit_once('.').unwrap_or((name, ""));
        Event {
            resource: resource.to_owned(),
            action: action.to_owned(),
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.action.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{}", self.resource, self.action)
        }
    }
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Event::parse(&String::deserialize(d)?))
    }
}

/// A webhook notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// The tenant (a UUID).
    pub tenant_id: String,
    /// The educator's subdomain.
    pub educator: String,
    /// What happened.
    pub event: Event,
    /// The record or its id, as sent.
    #[serde(default)]
    pub event_data: Value,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Parses a notification from the raw request body. Verify it first ([`super::Verifier`]);
/// check the `tenant_id` against yours, and treat the payload as a hint to fetch the record.
///
/// ```
/// let n = eduframe_client::webhooks::parse(
///     br#"{"tenant_id":"3f0c","educator":"demo","event":"enrollment.created","event_data":{"id":7}}"#,
/// ).unwrap();
/// assert_eq!(n.event.resource, "enrollment");
/// assert_eq!(n.event.action, "created");
/// ```
pub fn parse(body: &[u8]) -> edu_common::Result<Notification> {
    edu_common::Error::decode_json("webhook notification", body)
}
