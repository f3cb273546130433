//! `/v2/tenants`.

use edu_common::Result;

use crate::client::Client;
use crate::generated::types;

/// `/v2/tenants`: the deployment's tenants (`default` in single-tenant mode), read-only.
#[derive(Debug, Clone, Copy)]
pub struct Tenants<'a> {
    pub(crate) client: &'a Client,
}

impl Tenants<'_> {
    /// Every tenant (the server does not page this list): `.send().await` or `.stream()`.
    pub fn list(&self) -> crate::operations::ListTenants {
        crate::operations::ListTenants::new(self.client.clone())
    }

    /// One tenant by name (an empty name, `.` or `..` is refused before anything is sent).
    pub async fn get(&self, name: &str) -> Result<types::TenantModel> {
        edu_common::transport::path_segment("tenantName", name)?;
        let r = crate::operations::GetTenantsByTenantName::new(self.client, name.to_owned())
            .into_request()?;
        self.client.value(r).await
    }
}
