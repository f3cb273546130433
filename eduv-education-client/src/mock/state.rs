//! The simulator's schools, their locations and offerings, and which of them a query selects.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use edu_common::mock::Response;
use edu_common::mock::TokenDesk;
use serde_json::{Value, json};

/// The primary school's master id.
pub const PRIMARY_MASTER_ID: &str = "104A158";
/// The primary school's BRIN (OIE_CODE) of its main location.
pub const PRIMARY_OIE_CODE: &str = "12AB";
/// The secondary school's master id.
pub const SECONDARY_MASTER_ID: &str = "205B269";
/// The secondary school's BRIN (OIE_CODE) of its main location.
pub const SECONDARY_OIE_CODE: &str = "34CD";
/// A school whose data service has not been activated (consent required).
pub const NO_CONSENT_MASTER_ID: &str = "999Z999";
/// The master id (`OnderwijsbestuurId`) of the board every simulated school belongs to.
pub const BOARD_MASTER_ID: &str = "40001";
/// That board's BGE code (`boardId` with `boardIdType=BGE_CODE`).
pub const BOARD_BGE_CODE: &str = "41234";

pub(super) struct SchoolFixture {
    pub(super) master: &'static str,
    pub(super) name: &'static str,
    pub(super) primary: bool,
    pub(super) consent: bool,
    /// (orgIdType, orgId) of each location; offerings belong to one location.
    pub(super) locations: Vec<(&'static str, &'static str)>,
}

pub(super) struct State {
    pub(super) schools: Vec<SchoolFixture>,
    pub(super) study: Vec<(usize, &'static str, Value)>,
    pub(super) subject: Vec<(usize, &'static str, Value)>,
    pub(super) tokens: TokenDesk,
    pub(super) seen_jti: HashSet<String>,
    pub(super) token_url: String,
    /// Answers carry only identifiers ([`super::SimulatorBuilder::sparse`]).
    pub(super) sparse: bool,
}

pub(super) fn uuid_for(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

impl State {
    pub(super) fn new(token_url: String) -> State {
        let schools = vec![
            SchoolFixture {
                master: PRIMARY_MASTER_ID,
                name: "Basisschool De Regenboog",
                primary: true,
                consent: true,
                locations: vec![("OIE_CODE", PRIMARY_OIE_CODE), ("V_ID", "12AB01")],
            },
            SchoolFixture {
                master: SECONDARY_MASTER_ID,
                name: "Het Stedelijk Lyceum",
                primary: false,
                consent: true,
                locations: vec![("OIE_CODE", SECONDARY_OIE_CODE), ("V_ID", "34CD01")],
            },
            SchoolFixture {
                master: NO_CONSENT_MASTER_ID,
                name: "School zonder toestemming",
                primary: true,
                consent: false,
                locations: vec![("OIE_CODE", "99ZZ")],
            },
        ];
        let ts = "2026-08-15T09:30:00Z";
        let mut study = Vec::new();
        let mut subject = Vec::new();
        let mut n = 1;
        for (si, s) in schools.iter().enumerate() {
            for (li, (_, loc)) in s.locations.iter().enumerate() {
                let years: Vec<i64> = if s.primary { vec![1, 2, 3] } else { vec![1, 2] };
                for year in years {
                    let id = uuid_for(n);
                    let status = if n % 5 == 4 { "tobedeleted" } else { "active" };
                    let code = if s.primary {
                        format!("{:04}", 1000 + year)
                    } else {
                        format!("20{:02}O00{:02}", li, year)
                    };
                    study.push((
                        si,
                        *loc,
                        json!({
                            "studyOfferingId": id, "studyOfferingName": format!("{} groep {year} ({loc})", if s.primary { "PO" } else { "VWO" }),
                            "studyName": if s.primary { "Basisonderwijs" } else { "VWO" }, "studyCode": code,
                            "studyYear": year, "status": status, "dateCreated": ts, "dateLastModified": ts,
                            "studyLevel": {"studyLevelId": uuid_for(900 + year as u32), "studyLevelPrefix": "0001", "studyLevelName": format!("Niveau {year}")}
                        }),
                    ));
                    for (k, (abbr, name)) in
                        [("ne", "Nederlands"), ("re", "Rekenen")].iter().enumerate()
                    {
                        subject.push((
                            si,
                            *loc,
                            json!({
                                "subjectOfferingId": uuid_for(10_000 + n * 10 + k as u32), "subjectOfferingName": format!("{name} jaar {year}"),
                                "subjectOfferingAbbr": abbr, "subjectCode": abbr.to_uppercase(), "studyOfferings": [id],
                                "status": "active", "dateCreated": ts, "dateLastModified": ts
                            }),
                        ));
                    }
                    n += 1;
                }
            }
        }
        State {
            schools,
            study,
            subject,
            tokens: TokenDesk::new("eduv-token", Duration::from_secs(300)),
            seen_jti: HashSet::new(),
            token_url,
            sparse: false,
        }
    }

    pub(super) fn organisation(&self, i: usize) -> Value {
        let s = &self.schools[i];
        json!({
            "organisationMasterIdentifier": s.master,
            "organisationIds": s.locations.iter().map(|(t, id)| json!({"organisationId": id, "organisationIdType": t})).collect::<Vec<_>>(),
            "name": s.name, "status": "active",
            "boards": [{"organisationMasterIdentifier": BOARD_MASTER_ID, "name": "Stichting Demo"}],
            "locations": s.locations.iter().map(|(_, id)| json!({"locationMasterIdentifier": id, "name": format!("Locatie {id}")})).collect::<Vec<_>>(),
            "dateCreated": "2026-01-01T00:00:00Z", "dateLastModified": "2026-08-01T00:00:00Z"
        })
    }
}

pub(super) fn status(http: u16, code: u16, message: &str) -> Response {
    Response::new(http)
        .set_body_json(json!({ "status": code, "statusMessage": message }))
        .insert_header("api-version", "1.1.1")
}

/// Which school and location(s) the query selects; `Err` is the error response.
pub(super) fn select(
    state: &State,
    q: &HashMap<String, String>,
    filter_allowed: bool,
) -> Result<(usize, Option<&'static str>), Box<Response>> {
    let master = q.get("orgMasterId");
    let org_id = q.get("orgId");
    let org_type = q.get("orgIdType");
    let filter = match q.get("filterByOrgId").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. filterByOrgId must be a boolean",
            )));
        }
    };
    if filter.is_some() && !filter_allowed {
        return Err(Box::new(status(
            400,
            11,
            "Schema incorrect. filterByOrgId is not a parameter of this operation",
        )));
    }
    let school = match (master, org_id, org_type) {
        (Some(m), None, None) => {
            if filter == Some(true) {
                return Err(Box::new(status(
                    400,
                    11,
                    "Schema incorrect. filterByOrgId must be absent or false with orgMasterId",
                )));
            }
            let i = state.schools.iter().position(|s| s.master == m.as_str());
            return match i {
                Some(i) if !state.schools[i].consent => {
                    Err(Box::new(status(403, 22, "consent required")))
                }
                Some(i) => Ok((i, None)),
                None => Err(Box::new(status(400, 23, "edu_org_id unknown"))),
            };
        }
        (None, Some(id), Some(t)) => state.schools.iter().enumerate().find_map(|(i, s)| {
            s.locations
                .iter()
                .find(|(lt, lid)| lt == t && lid == id)
                .map(|(_, lid)| (i, *lid))
        }),
        (None, None, None) => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. name a school by orgMasterId or orgId with orgIdType",
            )));
        }
        _ => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. use orgMasterId, or orgId together with orgIdType",
            )));
        }
    };
    match school {
        None => Err(Box::new(status(400, 23, "edu_org_id unknown"))),
        Some((i, _)) if !state.schools[i].consent => {
            Err(Box::new(status(403, 22, "consent required")))
        }
        Some((i, loc)) => {
            // The sector default: primary schools filter to the location, secondary schools do not.
            let filtered = filter.unwrap_or(state.schools[i].primary);
            Ok((i, filtered.then_some(loc)))
        }
    }
}
