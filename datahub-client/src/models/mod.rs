//! The roster objects, as the API sends them.
//!
//! Fields the API marks optional are `Option`; every struct keeps fields this version of the client
//! does not know in `extra`, so a newer server never breaks decoding and nothing is lost.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

mod event;
pub use event::{Event, EventAction, EventData, EventKind};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_kept() {
        let s: Student =
            serde_json::from_value(serde_json::json!({"id": "1", "frl_status": "Y"})).unwrap();
        assert_eq!(s.extra["frl_status"], "Y");
    }
}
