use super::{get_one, list_all, list_sub};
use crate::client::Client;
use crate::models::{School, SchoolAdmin};

/// `/school_admins`.
#[derive(Debug, Clone, Copy)]
pub struct SchoolAdmins<'a> {
    pub(crate) client: &'a Client,
}

impl SchoolAdmins<'_> {
    list_all!("school_admins", SchoolAdmin, "listSchoolAdmins");
    get_one!("school_admins", SchoolAdmin, "getSchoolAdmin");
    list_sub!(
        schools,
        "school_admins",
        "schools",
        School,
        "listSchoolAdminSchools"
    );
}
