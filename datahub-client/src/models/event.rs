//! The events feed's records: what happened to which record, and the record as it was then.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Extra;

/// What happened to a record: `students.created`, `sections.updated`, ...
///
/// Unknown actions are kept as [`EventAction::Other`], never rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKind {
    /// The resource (`students`, `sections`, `schooladmins`...).
    pub resource: String,
    /// The action.
    pub action: EventAction,
}

/// The action of an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventAction {
    /// A record was created.
    Created,
    /// A record was updated.
    Updated,
    /// A record was deleted.
    Deleted,
    /// An action this client does not know, kept as sent.
    Other(String),
}

impl EventKind {
    /// Parses `resource.action`; a type without a dot is kept whole as the resource with an empty other action.
    pub fn parse(s: &str) -> Self {
        let (resource, action) = s.split_once('.').unwrap_or((s, ""));
        let action = match action {
            "created" => EventAction::Created,
            "updated" => EventAction::Updated,
            "deleted" => EventAction::Deleted,
            other => EventAction::Other(other.to_owned()),
        };
        EventKind {
            resource: resource.to_owned(),
            action,
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let action = match &self.action {
            EventAction::Created => "created",
            EventAction::Updated => "updated",
            EventAction::Deleted => "deleted",
            EventAction::Other(a) => a,
        };
        if action.is_empty() {
            f.write_str(&self.resource)
        } else {
            write!(f, "{}.{action}", self.resource)
        }
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(EventKind::parse(&s))
    }
}

/// A change to a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Identifier.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When it happened.
    #[serde(default)]
    pub created: Option<String>,
    /// The record and, for updates, its previous values.
    #[serde(default)]
    pub data: EventData,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The payload of an [`Event`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The record as it is after the change.
    #[serde(default)]
    pub object: Value,
    /// For updates: the changed fields' previous values.
    #[serde(default)]
    pub previous_attributes: Option<Map<String, Value>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Event {
    /// The record decoded as `T` (for example [`Student`](super::Student) for `students.*` events).
    pub fn object<T: serde::de::DeserializeOwned>(&self) -> edu_common::Result<T> {
        T::deserialize(&self.data.object).map_err(|e| {
            edu_common::Error::invalid_input(
                Some("data.object"),
                format!("event {} does not hold that type: {e}", self.id),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_round_trip_and_keep_unknowns() {
        for s in [
            "students.created",
            "sections.updated",
            "schooladmins.deleted",
            "students.merged",
            "ping",
        ] {
            let k = EventKind::parse(s);
            assert_eq!(k.to_string(), s);
        }
        assert_eq!(
            EventKind::parse("students.created").action,
            EventAction::Created
        );
        assert_eq!(
            EventKind::parse("x.merged").action,
            EventAction::Other("merged".into())
        );
    }
}
