//! One handler per resource: `client.students().list()`, `client.sections().teacher(id)`, ...

mod contacts;
mod district_admins;
mod districts;
mod events;
mod school_admins;
mod schools;
mod sections;
mod students;
mod teachers;

pub use contacts::Contacts;
pub use district_admins::DistrictAdmins;
pub use districts::Districts;
pub use events::Events;
pub use school_admins::SchoolAdmins;
pub use schools::Schools;
pub use sections::Sections;
pub use students::Students;
pub use teachers::Teachers;

use crate::client::Client;

/// The handlers, one per resource.
impl Client {
    /// Districts.
    pub fn districts(&self) -> Districts<'_> {
        Districts { client: self }
    }

    /// Schools.
    pub fn schools(&self) -> Schools<'_> {
        Schools { client: self }
    }

    /// Teachers.
    pub fn teachers(&self) -> Teachers<'_> {
        Teachers { client: self }
    }

    /// Students.
    pub fn students(&self) -> Students<'_> {
        Students { client: self }
    }

    /// Sections.
    pub fn sections(&self) -> Sections<'_> {
        Sections { client: self }
    }

    /// Student contacts.
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts { client: self }
    }

    /// District administrators.
    pub fn district_admins(&self) -> DistrictAdmins<'_> {
        DistrictAdmins { client: self }
    }

    /// School administrators.
    pub fn school_admins(&self) -> SchoolAdmins<'_> {
        SchoolAdmins { client: self }
    }

    /// Events.
    pub fn events(&self) -> Events<'_> {
        Events { client: self }
    }
}

/// `GET /{resource}` as a listing.
macro_rules! list_all {
    ($resource:literal, $ty:ty, $op:literal) => {
        #[doc = concat!("`GET /", $resource, "`: every record visible to these credentials.")]
        pub fn list(&self) -> $crate::list::ListRequest<$ty> {
            self.client.list($resource.to_owned(), $op)
        }
    };
}

/// `GET /{resource}/{id}`.
macro_rules! get_one {
    ($resource:literal, $ty:ty, $op:literal) => {
        #[doc = concat!("`GET /", $resource, "/{id}`: one record; a missing one is an error with `is_not_found()`.")]
        pub async fn get(&self, id: &str) -> edu_common::Result<$ty> {
            self.client.item($resource, id, None, $op).await
        }
    };
}

/// `GET /{resource}/{id}/{sub}` as a listing.
macro_rules! list_sub {
    ($name:ident, $resource:literal, $sub:literal, $ty:ty, $op:literal) => {
        #[doc = concat!("`GET /", $resource, "/{id}/", $sub, "` as a listing.")]
        pub fn $name(&self, id: &str) -> $crate::list::ListRequest<$ty> {
            self.client.list_of($resource, id, $sub, $op)
        }
    };
}

/// `GET /{resource}/{id}/{sub}` returning one record.
macro_rules! get_sub {
    ($name:ident, $resource:literal, $sub:literal, $ty:ty, $op:literal) => {
        #[doc = concat!("`GET /", $resource, "/{id}/", $sub, "`: the related record.")]
        pub async fn $name(&self, id: &str) -> edu_common::Result<$ty> {
            self.client.item($resource, id, Some($sub), $op).await
        }
    };
}

pub(crate) use {get_one, get_sub, list_all, list_sub};
