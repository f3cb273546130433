use super::{get_one, get_sub, list_all};
use crate::client::Client;
use crate::models::{Contact, District, Student};

/// `/contacts`.
#[derive(Debug, Clone, Copy)]
pub struct Contacts<'a> {
    pub(crate) client: &'a Client,
}

impl Contacts<'_> {
    list_all!("contacts", Contact, "listContacts");
    get_one!("contacts", Contact, "getContact");
    get_sub!(student, "contacts", "student", Student, "getContactStudent");
    get_sub!(
        district,
        "contacts",
        "district",
        District,
        "getContactDistrict"
    );
}
