use super::{get_one, list_all, list_sub};
use crate::client::Client;
use crate::models::{
    District, DistrictAdmin, DistrictStatus, Event, School, Section, Student, Teacher,
};

/// `/districts`.
#[derive(Debug, Clone, Copy)]
pub struct Districts<'a> {
    pub(crate) client: &'a Client,
}

impl Districts<'_> {
    list_all!("districts", District, "listDistricts");
    get_one!("districts", District, "getDistrict");
    list_sub!(
        schools,
        "districts",
        "schools",
        School,
        "listDistrictSchools"
    );
    list_sub!(
        teachers,
        "districts",
        "teachers",
        Teacher,
        "listDistrictTeachers"
    );
    list_sub!(
        students,
        "districts",
        "students",
        Student,
        "listDistrictStudents"
    );
    list_sub!(
        sections,
        "districts",
        "sections",
        Section,
        "listDistrictSections"
    );
    list_sub!(
        admins,
        "districts",
        "admins",
        DistrictAdmin,
        "listDistrictAdmins"
    );
    list_sub!(events, "districts", "events", Event, "listDistrictEvents");

    /// `GET /districts/{id}/status`. The API answers with a list (one status per district).
    pub async fn status(&self, id: &str) -> edu_common::Result<Vec<DistrictStatus>> {
        use futures::TryStreamExt;
        self.client
            .list_of::<DistrictStatus>("districts", id, "status", "getDistrictStatus")
            .stream()
            .try_collect()
            .await
    }
}
