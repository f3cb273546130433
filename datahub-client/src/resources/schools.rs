use super::{get_one, get_sub, list_all, list_sub};
use crate::client::Client;
use crate::models::{District, Event, School, Section, Student, Teacher};

/// `/schools`.
#[derive(Debug, Clone, Copy)]
pub struct Schools<'a> {
    pub(crate) client: &'a Client,
}

impl Schools<'_> {
    list_all!("schools", School, "listSchools");
    get_one!("schools", School, "getSchool");
    list_sub!(events, "schools", "events", Event, "listSchoolEvents");
    list_sub!(
        teachers,
        "schools",
        "teachers",
        Teacher,
        "listSchoolTeachers"
    );
    list_sub!(
        students,
        "schools",
        "students",
        Student,
        "listSchoolStudents"
    );
    list_sub!(
        sections,
        "schools",
        "sections",
        Section,
        "listSchoolSections"
    );
    get_sub!(
        district,
        "schools",
        "district",
        District,
        "getSchoolDistrict"
    );
}
