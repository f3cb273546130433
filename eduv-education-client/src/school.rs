//! Naming a school, and the filters the API checks, as types that only allow valid combinations.
//!
//! A school is named either by its master id (`orgMasterId`, the OnderwijsaanbiederId) or by a
//! secondary id with its type (`orgId` + `orgIdType`). `filterByOrgId` only exists on the second
//! form, so it cannot be combined with a master id: the wrong request cannot be written.
//!
//! ```
//! use eduv_education_client::{School, OrgIdType, StudyCode};
//! let by_master = School::master_id("104A158");
//! let by_brin = School::org_id(OrgIdType::OieCode, "12AB").filter_by_org_id(true);
//! let code = StudyCode::new("1000O0020").unwrap();
//! assert!(StudyCode::new("10x").is_err());
//! # let _ = (by_master, School::from(by_brin), code);
//! ```

use edu_common::{Error, Result};

pub use crate::generated::types::OrgIdType;

/// Which school a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum School {
    /// By `orgMasterId` (the OnderwijsaanbiederId, e.g. `104A158`).
    MasterId(String),
    /// By a secondary identifier.
    OrgId(OrgIdSchool),
}

/// A school named by `orgId` and `orgIdType`, optionally with `filterByOrgId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIdSchool {
    /// The identifier type.
    pub id_type: OrgIdType,
    /// The identifier.
    pub id: String,
    /// `filterByOrgId`; `None` leaves the sector default (true for primary, false for secondary schools).
    pub filter_by_org_id: Option<bool>,
}

impl School {
    /// A school by master id.
    pub fn master_id(id: impl Into<String>) -> School {
        School::MasterId(id.into())
    }

    /// A school by secondary id.
    pub fn org_id(id_type: OrgIdType, id: impl Into<String>) -> OrgIdSchool {
        OrgIdSchool {
            id_type,
            id: id.into(),
            filter_by_org_id: None,
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        let (field, id) = match self {
            School::MasterId(id) => ("orgMasterId", id),
            School::OrgId(o) => ("orgId", &o.id),
        };
        if id.trim().is_empty() {
            return Err(Error::invalid_input(
                Some(field),
                "the school identifier is empty",
            ));
        }
        Ok(())
    }
}

impl OrgIdSchool {
    /// Sets `filterByOrgId`.
    pub fn filter_by_org_id(mut self, filter: bool) -> OrgIdSchool {
        self.filter_by_org_id = Some(filter);
        self
    }
}

impl From<OrgIdSchool> for School {
    fn from(o: OrgIdSchool) -> School {
        School::OrgId(o)
    }
}

/// A `studyCode`: four digits, or four digits, `O`, four digits (`1000O0020`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StudyCode(String);

impl StudyCode {
    /// Validates `code` against `^(\d{4}|\d{4}O\d{4})$`.
    pub fn new(code: &str) -> Result<StudyCode> {
        let b = code.as_bytes();
        let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
        let ok = (b.len() == 4 && digits(b))
            || (b.len() == 9 && digits(&b[..4]) && b[4] == b'O' && digits(&b[5..]));
        if ok {
            Ok(StudyCode(code.to_owned()))
        } else {
            Err(Error::invalid_input(
                Some("studyCode"),
                format!(
                    "`{code}` is not a study code: expected four digits, or four digits, `O`, four digits (e.g. 1000O0020)"
                ),
            ))
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StudyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_codes() {
        for ok in ["1000", "0000", "1000O0020"] {
            assert!(StudyCode::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "100",
            "10000",
            "1000o0020",
            "1000O002",
            "1000X0020",
            "abcd",
            "1000O00200",
            "١٢٣٤",
        ] {
            assert!(StudyCode::new(bad).is_err(), "{bad}");
        }
    }
}
