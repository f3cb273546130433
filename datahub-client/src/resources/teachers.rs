use super::{get_one, get_sub, list_all, list_sub};
use crate::client::Client;
use crate::envelope::Values;
use crate::models::{District, Event, School, Section, Student, Teacher};

/// `/teachers`.
#[derive(Debug, Clone, Copy)]
pub struct Teachers<'a> {
    pub(crate) client: &'a Client,
}

impl Teachers<'_> {
    list_all!("teachers", Teacher, "listTeachers");
    get_one!("teachers", Teacher, "getTeacher");
    list_sub!(events, "teachers", "events", Event, "listTeacherEvents");
    list_sub!(
        sections,
        "teachers",
        "sections",
        Section,
        "listTeacherSections"
    );
    get_sub!(school, "teachers", "school", School, "getTeacherSchool");
    get_sub!(
        district,
        "teachers",
        "district",
        District,
        "getTeacherDistrict"
    );
    list_sub!(
        students,
        "teachers",
        "students",
        Student,
        "listTeacherStudents"
    );

    /// `GET /teachers/{id}/grade_levels`: the grades this teacher teaches.
    pub async fn grade_levels(&self, id: &str) -> edu_common::Result<Vec<String>> {
        let id = crate::list::check_id(id)?;
        let path = self.client.path(&format!("teachers/{id}/grade_levels"));
        let values: Values<String> = self
            .client
            .transport()
            .get(&path)
            .operation("listTeacherGradeLevels")
            .send_json()
            .await?;
        Ok(values.data)
    }
}
