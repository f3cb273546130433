use super::{get_one, list_all};
use crate::client::Client;
use crate::models::Event;

/// `/events`: changes, oldest first, kept for 30 days.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    pub(crate) client: &'a Client,
}

impl Events<'_> {
    list_all!("events", Event, "listEvents");
    get_one!("events", Event, "getEvent");
}
