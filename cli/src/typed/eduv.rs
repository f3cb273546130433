//! Edu-V through its typed client: organisations, and a school's study and subject offerings
//! (the school named by its `orgMasterId`, or by an `orgId` and its type). The API does not
//! page: each list is one answer.

use clap::ArgMatches;
use edu_common::{Error, Result};
use eduv_education_client::{Client, OrgIdType, School, StudyCode};

use crate::answer::{Answer, json};
use crate::table::{Location, Operation, Paging, Param};

const fn query(
    name: &'static str,
    flag: &'static str,
    help: &'static str,
    required: bool,
) -> Param {
    Param {
        name,
        flag,
        location: Location::Query,
        ty: "string",
        values: &[],
        required,
        help,
        paging: false,
    }
}

const SCHOOL: Param = query(
    "orgMasterId",
    "school",
    "The school's orgMasterId (OnderwijsaanbiederId, e.g. 104A158); or name it with --org-id",
    false,
);
const ORG_ID: Param = query(
    "orgId",
    "org-id",
    "The school's secondary id (with --org-id-type)",
    false,
);
const ORG_ID_TYPE: Param = Param {
    name: "orgIdType",
    flag: "org-id-type",
    location: Location::Query,
    ty: "string",
    values: &["OIE_CODE", "BP_ID", "DD_ID", "AS_ID", "V_ID"],
    required: false,
    help: "The type of --org-id",
    paging: false,
};
const FILTER_BY_ORG_ID: Param = Param {
    name: "filterByOrgId",
    flag: "filter-by-org-id",
    location: Location::Query,
    ty: "boolean",
    values: &[],
    required: false,
    help: "Only the offerings of that secondary id (the sector's default when left out)",
    paging: false,
};
/// How a school is named: by master id, or by a secondary id.
const BY_SCHOOL: [Param; 4] = [SCHOOL, ORG_ID, ORG_ID_TYPE, FILTER_BY_ORG_ID];
const ID: Param = Param {
    name: "id",
    flag: "id",
    location: Location::Path,
    ty: "uuid",
    values: &[],
    required: true,
    help: "The offering's id",
    paging: false,
};
const PERIOD: Param = query(
    "schoolPeriodId",
    "school-period-id",
    "Only this school period",
    false,
);

/// The operations.
pub static OPERATIONS: &[Operation] = &[
    Operation {
        resource: "organisations",
        name: "list",
        id: "get-organisations",
        method: "GET",
        path: "/organisations",
        summary: "Schools and boards, filtered",
        params: &[
            query(
                "orgMasterId",
                "school",
                "Only this school (its orgMasterId)",
                false,
            ),
            query(
                "boardMasterId",
                "board-master-id",
                "Only this board's schools",
                false,
            ),
            query("name", "name", "Only organisations with this name", false),
        ],
        body: false,
        body_schema: None,
        paging: Paging::None,
    },
    Operation {
        resource: "study-offerings",
        name: "list",
        id: "get-studyofferings-school",
        method: "GET",
        path: "/studyofferings/school",
        summary: "A school's study offerings",
        params: &[
            BY_SCHOOL[0],
            BY_SCHOOL[1],
            BY_SCHOOL[2],
            BY_SCHOOL[3],
            PERIOD,
            query(
                "studyCode",
                "study-code",
                "Only this study (4 digits, or 4 digits, O and 4 digits)",
                false,
            ),
        ],
        body: false,
        body_schema: None,
        paging: Paging::None,
    },
    Operation {
        resource: "study-offerings",
        name: "get",
        id: "get-studyofferings",
        method: "GET",
        path: "/studyofferings/school/{id}",
        summary: "One study offering",
        params: &[ID, BY_SCHOOL[0], BY_SCHOOL[1], BY_SCHOOL[2], BY_SCHOOL[3]],
        body: false,
        body_schema: None,
        paging: Paging::None,
    },
    Operation {
        resource: "subject-offerings",
        name: "list",
        id: "get-subjectofferings-school",
        method: "GET",
        path: "/subjectofferings/school",
        summary: "A school's subject offerings",
        params: &[
            BY_SCHOOL[0],
            BY_SCHOOL[1],
            BY_SCHOOL[2],
            BY_SCHOOL[3],
            PERIOD,
            query("subjectCode", "subject-code", "Only this subject", false),
        ],
        body: false,
        body_schema: None,
        paging: Paging::None,
    },
    Operation {
        resource: "subject-offerings",
        name: "get",
        id: "get-subjectoffering",
        method: "GET",
        path: "/subjectofferings/school/{id}",
        summary: "One subject offering",
        params: &[ID, BY_SCHOOL[0], BY_SCHOOL[1], BY_SCHOOL[2], BY_SCHOOL[3]],
        body: false,
        body_schema: None,
        paging: Paging::None,
    },
];

/// Runs `op`.
pub async fn call(client: &Client, op: &'static Operation, m: &ArgMatches) -> Result<Answer> {
    let arg = |name: &str| m.try_get_one::<String>(name).ok().flatten().cloned();
    // The school: by master id, or by a secondary id and its type.
    let school = || -> Result<Option<School>> {
        match (arg("school"), arg("org-id")) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                Some("school"),
                "name the school by --school or by --org-id, not both",
            )),
            (Some(master), None) => Ok(Some(School::master_id(master))),
            (None, Some(id)) => {
                let kind: OrgIdType =
                    arg("org-id-type")
                        .and_then(|k| k.parse().ok())
                        .ok_or_else(|| {
                            Error::invalid_input(
                                Some("org-id-type"),
                                "--org-id needs --org-id-type",
                            )
                        })?;
                let mut school = School::org_id(kind, id);
                if let Some(filter) = arg("filter-by-org-id") {
                    school = school.filter_by_org_id(filter == "true");
                }
                Ok(Some(school.into()))
            }
            (None, None) => Ok(None),
        }
    };
    let id = || -> Result<eduv_education_client::uuid::Uuid> {
        let raw = arg("id").unwrap_or_default();
        raw.parse()
            .map_err(|_| Error::invalid_input(Some("id"), format!("`{raw}` is not a UUID")))
    };
    let needed = || {
        school()?.ok_or_else(|| {
            Error::invalid_input(Some("school"), "name the school with --school or --org-id")
        })
    };
    let value = match (op.resource, op.name) {
        ("organisations", "list") => {
            let mut req = client.organisations();
            if let Some(s) = school()? {
                req = req.school(s);
            }
            if let Some(b) = arg("board-master-id") {
                req = req.board_master_id(b);
            }
            if let Some(n) = arg("name") {
                req = req.name(n);
            }
            json(&req.send().await?.value)?
        }
        ("study-offerings", "list") => {
            let mut req = client.study_offerings(needed()?);
            if let Some(p) = arg("school-period-id") {
                req = req.school_period_id(p);
            }
            if let Some(code) = arg("study-code") {
                req = req.study_code(StudyCode::new(&code)?);
            }
            json(&req.send().await?.value)?
        }
        ("study-offerings", "get") => json(&client.study_offering(id()?, needed()?).await?.value)?,
        ("subject-offerings", "list") => {
            let mut req = client.subject_offerings(needed()?);
            if let Some(p) = arg("school-period-id") {
                req = req.school_period_id(p);
            }
            if let Some(c) = arg("subject-code") {
                req = req.subject_code(c);
            }
            json(&req.send().await?.value)?
        }
        ("subject-offerings", "get") => {
            json(&client.subject_offering(id()?, needed()?).await?.value)?
        }
        _ => {
            return Err(Error::Config(format!(
                "{} {}: not an operation",
                op.resource, op.name
            )));
        }
    };
    Ok(Answer::One(value))
}
