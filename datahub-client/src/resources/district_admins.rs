use super::{get_one, list_all};
use crate::client::Client;
use crate::models::DistrictAdmin;

/// `/district_admins`.
#[derive(Debug, Clone, Copy)]
pub struct DistrictAdmins<'a> {
    pub(crate) client: &'a Client,
}

impl DistrictAdmins<'_> {
    list_all!("district_admins", DistrictAdmin, "listDistrictAdmins");
    get_one!("district_admins", DistrictAdmin, "getDistrictAdmin");
}
