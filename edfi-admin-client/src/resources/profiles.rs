//! `/v2/profiles`.

use edu_common::Result;

use crate::Client;
use crate::generated::types;

/// `/v2/profiles`: ODS/API data-policy profiles (an XML definition whose `<Profile name="...">`
/// matches the profile's name).
#[derive(Debug, Clone, Copy)]
pub struct Profiles<'a> {
    pub(crate) client: &'a Client,
}

impl Profiles<'_> {
    /// Every profile (id and name), ordered by name.
    pub fn list(&self) -> crate::operations::ListProfiles {
        crate::operations::ListProfiles::new(self.client.clone())
    }

    /// Creates a profile; returns its id.
    pub async fn create(
        &self,
        name: impl Into<String>,
        definition: impl Into<String>,
    ) -> Result<i32> {
        let (name, definition) = (name.into(), definition.into());
        let r = self
            .client
            .raw()
            .post_profiles()
            .body_map(|b| b.name(name).definition(definition))
            .send();
        self.client.created("postProfiles", r).await
    }

    /// One profile with its definition.
    pub async fn get(&self, id: i32) -> Result<types::ProfileDetailsModel> {
        let r = self.client.raw().get_profiles_by_id().id(id).send();
        self.client.value("getProfilesById", r).await
    }

    /// Replaces a profile's name and definition.
    pub async fn update(
        &self,
        id: i32,
        name: impl Into<String>,
        definition: impl Into<String>,
    ) -> Result<()> {
        let (name, definition) = (name.into(), definition.into());
        let r = self
            .client
            .raw()
            .put_profiles_by_id()
            .id(id)
            .body_map(|b| b.name(name).definition(definition))
            .send();
        self.client.unit("putProfilesById", r).await
    }

    /// Deletes a profile.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self.client.raw().delete_profiles_by_id().id(id).send();
        self.client.unit("deleteProfilesById", r).await
    }
}
