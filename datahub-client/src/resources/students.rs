use super::{get_one, get_sub, list_all, list_sub};
use crate::client::Client;
use crate::models::{Contact, District, Event, School, Section, Student, Teacher};

/// `/students`.
#[derive(Debug, Clone, Copy)]
pub struct Students<'a> {
    pub(crate) client: &'a Client,
}

impl Students<'_> {
    list_all!("students", Student, "listStudents");
    get_one!("students", Student, "getStudent");
    list_sub!(events, "students", "events", Event, "listStudentEvents");
    list_sub!(
        sections,
        "students",
        "sections",
        Section,
        "listStudentSections"
    );
    get_sub!(school, "students", "school", School, "getStudentSchool");
    get_sub!(
        district,
        "students",
        "district",
        District,
        "getStudentDistrict"
    );
    list_sub!(
        teachers,
        "students",
        "teachers",
        Teacher,
        "listStudentTeachers"
    );
    list_sub!(
        contacts,
        "students",
        "contacts",
        Contact,
        "listStudentContacts"
    );
}
