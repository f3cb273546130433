//! `/v2/profiles`.

use edu_common::Result;

use crate::client::Client;
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
        let r = crate::operations::PostProfiles::new(self.client)
            .name(name)
            .definition(definition)
            .into_request()?;
        self.client.created(r).await
    }

    /// One profile with its definition.
    pub async fn get(&self, id: i32) -> Result<types::ProfileDetailsModel> {
        let r = crate::operations::GetProfilesById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces a profile's name and definition.
    pub async fn update(
        &self,
        id: i32,
        name: impl Into<String>,
        definition: impl Into<String>,
    ) -> Result<()> {
        let (name, definition) = (name.into(), definition.into());
        let r = crate::operations::PutProfilesById::new(self.client, id)
            .name(name)
            .definition(definition)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Deletes a profile.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteProfilesById::new(self.client, id).into_request()?;
        self.client.unit(r).await
    }
}
