use super::{get_one, get_sub, list_all, list_sub};
use crate::client::Client;
use crate::models::{District, Event, School, Section, Student, Teacher};

/// `/sections`.
#[derive(Debug, Clone, Copy)]
pub struct Sections<'a> {
    pub(crate) client: &'a Client,
}

impl Sections<'_> {
    list_all!("sections", Section, "listSections");
    get_one!("sections", Section, "getSection");
    list_sub!(events, "sections", "events", Event, "listSectionEvents");
    get_sub!(school, "sections", "school", School, "getSectionSchool");
    get_sub!(
        district,
        "sections",
        "district",
        District,
        "getSectionDistrict"
    );
    list_sub!(
        students,
        "sections",
        "students",
        Student,
        "listSectionStudents"
    );
    list_sub!(
        teachers,
        "sections",
        "teachers",
        Teacher,
        "listSectionTeachers"
    );
    get_sub!(teacher, "sections", "teacher", Teacher, "getSectionTeacher");
}
