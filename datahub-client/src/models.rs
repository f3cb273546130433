//! The roster objects, as the API sends them.
//!
//! Fields the API marks optional are `Option`; every struct keeps fields this version of the client
//! does not know in `extra`, so a newer server never breaks decoding and nothing is lost.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Unknown fields, kept as sent.
pub type Extra = Map<String, Value>;

/// A person's name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Name {
    /// Given name.
    #[serde(default)]
    pub first: Option<String>,
    /// Middle name.
    #[serde(default)]
    pub middle: Option<String>,
    /// Family name.
    #[serde(default)]
    pub last: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A postal location.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Street address.
    #[serde(default)]
    pub address: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub zip: Option<String>,
    /// Latitude, as sent.
    #[serde(default)]
    pub lat: Option<Value>,
    /// Longitude, as sent.
    #[serde(default)]
    pub lon: Option<Value>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Login credentials a district assigns.
///
/// `Debug` shows the username and only the names of the other fields: real responses have carried
/// `district_password` among them.
///
/// ```
/// let c: datahub_client::models::Credentials =
///     serde_json::from_str(r#"{"district_username":"ada","district_password":"hunter2"}"#).unwrap();
/// let shown = format!("{c:?}");
/// assert!(shown.contains("ada") && shown.contains("district_password"));
/// assert!(!shown.contains("hunter2"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    /// The district username.
    #[serde(default)]
    pub district_username: Option<String>,
    /// Unknown fields, kept as sent (never shown by `Debug`).
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("district_username", &self.district_username)
            .field(
                "extra (values redacted)",
                &self.extra.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A school district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct District {
    /// Identifier.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// MDR number.
    #[serde(default)]
    pub mdr_number: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The synchronisation state of a district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictStatus {
    /// District identifier.
    pub id: String,
    /// `running`, `pending`, `error`, or a newer state.
    #[serde(default)]
    pub state: Option<String>,
    /// The student information system.
    #[serde(default)]
    pub sis_type: Option<String>,
    /// Whether instant login is on.
    #[serde(default)]
    pub instant_login: Option<bool>,
    /// The last successful sync.
    #[serde(default)]
    pub last_sync: Option<String>,
    /// The last error message.
    #[serde(default)]
    pub error: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A school's principal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A school.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct School {
    /// Identifier.
    pub id: String,
    /// The district's identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Created at (ISO 8601).
    #[serde(default)]
    pub created: Option<String>,
    /// Last modified at (ISO 8601).
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Identifier in the SIS.
    #[serde(default)]
    pub sis_id: Option<String>,
    /// School number.
    #[serde(default)]
    pub school_number: Option<String>,
    /// State identifier.
    #[serde(default)]
    pub state_id: Option<String>,
    /// NCES identifier.
    #[serde(default)]
    pub nces_id: Option<String>,
    /// MDR number.
    #[serde(default)]
    pub mdr_number: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Lowest grade.
    #[serde(default)]
    pub low_grade: Option<String>,
    /// Highest grade.
    #[serde(default)]
    pub high_grade: Option<String>,
    /// Address.
    #[serde(default)]
    pub location: Option<Location>,
    /// Principal.
    #[serde(default)]
    pub principal: Option<Principal>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A teacher.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Teacher {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// School identifier.
    #[serde(default)]
    pub school: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<Name>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Identifier in the SIS.
    #[serde(default)]
    pub sis_id: Option<String>,
    /// State identifier.
    #[serde(default)]
    pub state_id: Option<String>,
    /// Teacher number.
    #[serde(default)]
    pub teacher_number: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Login credentials.
    #[serde(default)]
    pub credentials: Option<Credentials>,
    /// Created at.
    #[serde(default)]
    pub created: Option<String>,
    /// Last modified at.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Student {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// School identifier.
    #[serde(default)]
    pub school: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<Name>,
    /// Identifier in the SIS.
    #[serde(default)]
    pub sis_id: Option<String>,
    /// Student number.
    #[serde(default)]
    pub student_number: Option<String>,
    /// State identifier.
    #[serde(default)]
    pub state_id: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Date of birth as sent (`M/D/YYYY`).
    #[serde(default)]
    pub dob: Option<String>,
    /// Gender (`M`, `F` or empty).
    #[serde(default)]
    pub gender: Option<String>,
    /// Grade.
    #[serde(default)]
    pub grade: Option<String>,
    /// English language learner status (`Y`, `N` or empty).
    #[serde(default)]
    pub ell_status: Option<String>,
    /// Hispanic ethnicity (`Y`, `N` or empty).
    #[serde(default)]
    pub hispanic_ethnicity: Option<String>,
    /// Race.
    #[serde(default)]
    pub race: Option<String>,
    /// Address.
    #[serde(default)]
    pub location: Option<Location>,
    /// Login credentials.
    #[serde(default)]
    pub credentials: Option<Credentials>,
    /// Created at.
    #[serde(default)]
    pub created: Option<String>,
    /// Last modified at.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A section's term.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Term name.
    #[serde(default)]
    pub name: Option<String>,
    /// Start date (`YYYY-MM-DD`).
    #[serde(default)]
    pub start_date: Option<String>,
    /// End date (`YYYY-MM-DD`).
    #[serde(default)]
    pub end_date: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A class section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// School identifier.
    #[serde(default)]
    pub school: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Identifier in the SIS.
    #[serde(default)]
    pub sis_id: Option<String>,
    /// Student identifiers.
    #[serde(default)]
    pub students: Vec<String>,
    /// Teacher identifiers.
    #[serde(default)]
    pub teachers: Vec<String>,
    /// The primary teacher's identifier.
    #[serde(default)]
    pub teacher: Option<String>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Grade.
    #[serde(default)]
    pub grade: Option<String>,
    /// Course name.
    #[serde(default)]
    pub course_name: Option<String>,
    /// Course number.
    #[serde(default)]
    pub course_number: Option<String>,
    /// Course description.
    #[serde(default)]
    pub course_description: Option<String>,
    /// Period.
    #[serde(default)]
    pub period: Option<String>,
    /// Section number.
    #[serde(default)]
    pub section_number: Option<String>,
    /// Term.
    #[serde(default)]
    pub term: Option<Term>,
    /// Created at.
    #[serde(default)]
    pub created: Option<String>,
    /// Last modified at.
    #[serde(default)]
    pub last_modified: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A student's contact (guardian, parent...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// The student's identifier.
    #[serde(default)]
    pub student: Option<String>,
    /// Full name (a single string in v1.1).
    #[serde(default)]
    pub name: Option<String>,
    /// Contact type.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Phone type.
    #[serde(default)]
    pub phone_type: Option<String>,
    /// Relationship to the student.
    #[serde(default)]
    pub relationship: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A district administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistrictAdmin {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<Name>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A school administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchoolAdmin {
    /// Identifier.
    pub id: String,
    /// District identifier.
    #[serde(default)]
    pub district: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<Name>,
    /// School identifiers.
    #[serde(default)]
    pub schools: Vec<String>,
    /// Staff identifier.
    #[serde(default)]
    pub staff_id: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Login credentials.
    #[serde(default)]
    pub credentials: Option<Credentials>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

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
    /// The record decoded as `T` (for example [`Student`] for `students.*` events).
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

    #[test]
    fn unknown_fields_are_kept() {
        let s: Student =
            serde_json::from_value(serde_json::json!({"id": "1", "frl_status": "Y"})).unwrap();
        assert_eq!(s.extra["frl_status"], "Y");
    }
}
