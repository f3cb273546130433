//! datahub through its typed handlers: `list` and `get` on every resource, the related records
//! of each (`students sections ID`, `sections teacher ID`…), a district's status and a teacher's
//! grade levels.

use clap::ArgMatches;
use datahub_client::{Client, ListRequest};
use edu_common::Result;
use futures::StreamExt;

use crate::answer::{Answer, json};
use crate::table::{Location, Operation, Paging, Param};

/// The largest page the datahub serves (a larger `limit` is refused with 413).
const MAX_PAGE_SIZE: u32 = 10_000;

const ID: Param = Param {
    name: "id",
    flag: "id",
    location: Location::Path,
    ty: "string",
    values: &[],
    required: true,
    help: "The record's id",
    paging: false,
};

const fn filter(name: &'static str, flag: &'static str, help: &'static str) -> Param {
    Param {
        name,
        flag,
        location: Location::Query,
        ty: "string",
        values: &[],
        required: false,
        help,
        paging: false,
    }
}

const WHERE: Param = filter(
    "where",
    "where",
    "A JSON filter on the records' fields, as the API's `where` takes it",
);
const CREATED_SINCE: Param = filter(
    "created_since",
    "created-since",
    "Only records created after this id or date-time",
);
const ENDING_BEFORE: Param = filter(
    "ending_before",
    "ending-before",
    "Only records before this id (in id order)",
);

/// The listing filters every datahub listing takes.
const FILTERS: &[Param] = &[WHERE, CREATED_SINCE, ENDING_BEFORE];
/// A related listing's: the record's id, then the filters.
const RELATED: &[Param] = &[ID, WHERE, CREATED_SINCE, ENDING_BEFORE];

macro_rules! resources {
    (
        top: [$( $resource:literal, $handler:ident, $list:literal, $get:literal; )*]
        related_lists: [$( $lr:literal, $lh:ident, $lm:ident, $lid:literal; )*]
        related_gets: [$( $gr:literal, $gh:ident, $gm:ident, $gid:literal; )*]
    ) => {
        /// The operations.
        pub static OPERATIONS: &[Operation] = &[
            $(
                Operation {
                    resource: $resource,
                    name: "list",
                    id: $list,
                    method: "GET",
                    path: concat!("/v1/", stringify!($handler)),
                    summary: concat!("Every ", $resource, " record these credentials see, in id order"),
                    params: FILTERS,
                    body: false,
                    body_schema: None,
                    paging: Paging::Typed,
                },
                Operation {
                    resource: $resource,
                    name: "get",
                    id: $get,
                    method: "GET",
                    path: concat!("/v1/", stringify!($handler), "/{id}"),
                    summary: concat!("One ", $resource, " record"),
                    params: &[ID],
                    body: false,
                    body_schema: None,
                    paging: Paging::None,
                },
            )*
            $(
                Operation {
                    resource: $lr,
                    name: stringify!($lm),
                    id: $lid,
                    method: "GET",
                    path: concat!("/v1/", stringify!($lh), "/{id}/", stringify!($lm)),
                    summary: concat!("The ", stringify!($lm), " of one ", $lr, " record, in id order"),
                    params: RELATED,
                    body: false,
                    body_schema: None,
                    paging: Paging::Typed,
                },
            )*
            $(
                Operation {
                    resource: $gr,
                    name: stringify!($gm),
                    id: $gid,
                    method: "GET",
                    path: concat!("/v1/", stringify!($gh), "/{id}/", stringify!($gm)),
                    summary: concat!("The ", stringify!($gm), " of one ", $gr, " record"),
                    params: &[ID],
                    body: false,
                    body_schema: None,
                    paging: Paging::None,
                },
            )*
            Operation {
                resource: "districts",
                name: "status",
                id: "getDistrictStatus",
                method: "GET",
                path: "/v1/districts/{id}/status",
                summary: "A district's sync status",
                params: &[ID],
                body: false,
                body_schema: None,
                paging: Paging::None,
            },
            Operation {
                resource: "teachers",
                name: "grade-levels",
                id: "listTeacherGradeLevels",
                method: "GET",
                path: "/v1/teachers/{id}/grade_levels",
                summary: "The grade levels a teacher teaches",
                params: &[ID],
                body: false,
                body_schema: None,
                paging: Paging::None,
            },
        ];

        /// Runs `op`, a listing from `resume` (the id to start after) when given.
        pub async fn call(
            client: &Client,
            op: &'static Operation,
            m: &ArgMatches,
            resume: Option<String>,
        ) -> Result<Answer> {
            let id = || m.get_one::<String>("id").cloned().unwrap_or_default();
            match (op.resource, op.name) {
                $(
                    ($resource, "list") => Ok(listing(client.$handler().list(), m, resume)),
                    ($resource, "get") => Ok(Answer::One(json(&client.$handler().get(&id()).await?)?)),
                )*
                $(
                    ($lr, stringify!($lm)) => Ok(listing(client.$lh().$lm(&id()), m, resume)),
                )*
                $(
                    ($gr, stringify!($gm)) => Ok(Answer::One(json(&client.$gh().$gm(&id()).await?)?)),
                )*
                ("districts", "status") => {
                    Ok(Answer::One(json(&client.districts().status(&id()).await?)?))
                }
                ("teachers", "grade-levels") => {
                    Ok(Answer::One(json(&client.teachers().grade_levels(&id()).await?)?))
                }
                _ => Err(edu_common::Error::Config(format!("{} {}: not an operation", op.resource, op.name))),
            }
        }
    };
}

resources! {
    top: [
        "districts", districts, "listDistricts", "getDistrict";
        "schools", schools, "listSchools", "getSchool";
        "teachers", teachers, "listTeachers", "getTeacher";
        "students", students, "listStudents", "getStudent";
        "sections", sections, "listSections", "getSection";
        "contacts", contacts, "listContacts", "getContact";
        "district-admins", district_admins, "listDistrictAdmins", "getDistrictAdmin";
        "school-admins", school_admins, "listSchoolAdmins", "getSchoolAdmin";
        "events", events, "listEvents", "getEvent";
    ]
    related_lists: [
        "districts", districts, schools, "listDistrictSchools";
        "districts", districts, teachers, "listDistrictTeachers";
        "districts", districts, students, "listDistrictStudents";
        "districts", districts, sections, "listDistrictSections";
        "districts", districts, admins, "listDistrictAdmins";
        "districts", districts, events, "listDistrictEvents";
        "schools", schools, events, "listSchoolEvents";
        "schools", schools, teachers, "listSchoolTeachers";
        "schools", schools, students, "listSchoolStudents";
        "schools", schools, sections, "listSchoolSections";
        "sections", sections, events, "listSectionEvents";
        "sections", sections, students, "listSectionStudents";
        "sections", sections, teachers, "listSectionTeachers";
        "students", students, events, "listStudentEvents";
        "students", students, sections, "listStudentSections";
        "students", students, teachers, "listStudentTeachers";
        "students", students, contacts, "listStudentContacts";
        "teachers", teachers, events, "listTeacherEvents";
        "teachers", teachers, sections, "listTeacherSections";
        "teachers", teachers, students, "listTeacherStudents";
        "school-admins", school_admins, schools, "listSchoolAdminSchools";
    ]
    related_gets: [
        "schools", schools, district, "getSchoolDistrict";
        "sections", sections, school, "getSectionSchool";
        "sections", sections, district, "getSectionDistrict";
        "sections", sections, teacher, "getSectionTeacher";
        "students", students, school, "getStudentSchool";
        "students", students, district, "getStudentDistrict";
        "teachers", teachers, school, "getTeacherSchool";
        "teachers", teachers, district, "getTeacherDistrict";
        "contacts", contacts, student, "getContactStudent";
        "contacts", contacts, district, "getContactDistrict";
    ]
}

/// A listing with the filters given, from `resume` on; each page's cursor is the id to start
/// after, so a resumed export continues in id order.
fn listing<T>(mut req: ListRequest<T>, m: &ArgMatches, resume: Option<String>) -> Answer
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + 'static,
{
    if let Some(n) = crate::table::page_size(m) {
        req = req.page_size(crate::table::clamped(n, MAX_PAGE_SIZE, "datahub"));
    }
    if let Some(w) = m.get_one::<String>("where") {
        // Checked here, as --data is: a typo is a usage error, not the server's 400.
        if let Err(e) = serde_json::from_str::<serde_json::Value>(w) {
            let error = edu_common::Error::invalid_input(
                Some("where"),
                format!(
                    "--where is not JSON (line {}, column {}): give a JSON object such as '{{\"grade\":\"9\"}}'",
                    e.line(),
                    e.column()
                ),
            );
            return Answer::Pages(futures::stream::once(async move { Err(error) }).boxed());
        }
        req = req.param("where", w);
    }
    if let Some(s) = m.get_one::<String>("created-since") {
        req = req.created_since(s);
    }
    if let Some(s) = m.get_one::<String>("ending-before") {
        req = req.ending_before(s);
    }
    match resume.as_deref().map(Position::read) {
        Some(Position::After(id)) => req = req.starting_after(id),
        Some(Position::Token(token)) => req = req.search_token(token),
        Some(Position::Unknown) => {
            return Answer::Pages(
                futures::stream::once(async {
                    Err(edu_common::Error::Config(
                        "the resume file's position is neither an id nor a search_token; delete the resume file to start over".into(),
                    ))
                })
                .boxed(),
            );
        }
        None => {}
    }
    let pages = req.pages().map(|page| {
        let page = page?;
        // The position is the next link's `starting_after` (the last id written) or, where the
        // server names pages by `search_token` instead, that token: either resumes.
        let next = page.next.as_deref().map(Position::of_link);
        let items = page.items.iter().map(json).collect::<Result<Vec<_>>>()?;
        Ok((items, next))
    });
    Answer::Pages(pages.boxed())
}

/// Where a datahub listing resumes: after an id, or at a `search_token`.
#[derive(Debug, PartialEq, Eq)]
enum Position<'a> {
    After(&'a str),
    Token(&'a str),
    Unknown,
}

impl<'a> Position<'a> {
    /// The position saved for a next link: its `starting_after` as it is, else its
    /// `search_token` as `search_token=…`, else the link itself (which cannot be resumed).
    fn of_link(next: &str) -> String {
        match (
            query_param(next, "starting_after"),
            query_param(next, "search_token"),
        ) {
            (Some(id), _) => id,
            (None, Some(token)) => format!("search_token={token}"),
            (None, None) => next.to_owned(),
        }
    }

    /// A saved position read back.
    fn read(saved: &'a str) -> Position<'a> {
        if let Some(token) = saved.strip_prefix("search_token=") {
            Position::Token(token)
        } else if saved.contains(['/', '?', '=']) {
            Position::Unknown
        } else {
            Position::After(saved)
        }
    }
}

/// The query parameter `name` of a (relative or absolute) link.
fn query_param(link: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(link)
        .or_else(|_| url::Url::parse("http://x/").and_then(|b| b.join(link)))
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn the_position_is_the_next_links_starting_after_or_search_token() {
        let after = Position::of_link("/v1/students?limit=2&starting_after=abc");
        assert_eq!(after, "abc");
        assert_eq!(Position::read(&after), Position::After("abc"));
        let token =
            Position::of_link("https://h/v1/students?limit=2&search_token=2.3.250.FORWARD.x");
        assert_eq!(token, "search_token=2.3.250.FORWARD.x");
        assert_eq!(Position::read(&token), Position::Token("2.3.250.FORWARD.x"));
        let neither = Position::of_link("https://h/v1/students?limit=2");
        assert_eq!(Position::read(&neither), Position::Unknown);
    }
}
