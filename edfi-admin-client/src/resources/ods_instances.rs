//! `/v2/odsInstances`, `/v2/odsInstanceContexts` and `/v2/odsInstanceDerivatives`.

use edu_common::Result;

use crate::Client;
use crate::generated::types;

/// `/v2/odsInstances`: the ODS databases applications can reach. Connection strings are
/// write-only: the server never shows them.
#[derive(Debug, Clone, Copy)]
pub struct OdsInstances<'a> {
    pub(crate) client: &'a Client,
}

impl OdsInstances<'_> {
    /// Every ODS instance, ordered by name.
    pub fn list(&self) -> crate::operations::ListOdsInstances {
        crate::operations::ListOdsInstances::new(self.client.clone())
    }

    /// Creates an ODS instance; returns its id.
    pub async fn create(&self, instance: &types::AddOdsInstanceRequest) -> Result<i32> {
        let r = self
            .client
            .raw()
            .post_ods_instances()
            .body(instance.clone())
            .send();
        self.client.created("postOdsInstances", r).await
    }

    /// One ODS instance with its contexts and derivatives.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceDetailModel> {
        let r = self.client.raw().get_ods_instances_by_id().id(id).send();
        self.client.value("getOdsInstancesById", r).await
    }

    /// Replaces an ODS instance (an empty connection string keeps the old one).
    pub async fn update(&self, id: i32, instance: &types::EditOdsInstanceRequest) -> Result<()> {
        let r = self
            .client
            .raw()
            .put_ods_instances_by_id()
            .id(id)
            .body(instance.clone())
            .send();
        self.client.unit("putOdsInstancesById", r).await
    }

    /// Deletes an ODS instance (not one that applications, contexts or derivatives use).
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self.client.raw().delete_ods_instances_by_id().id(id).send();
        self.client.unit("deleteOdsInstancesById", r).await
    }

    /// The applications that can reach the instance.
    pub fn applications(&self, id: i32) -> crate::operations::GetOdsInstancesApplicationsById {
        crate::operations::GetOdsInstancesApplicationsById::new(self.client.clone(), id)
    }
}

/// `/v2/odsInstanceContexts`: key/value routing contexts of ODS instances.
#[derive(Debug, Clone, Copy)]
pub struct OdsInstanceContexts<'a> {
    pub(crate) client: &'a Client,
}

impl OdsInstanceContexts<'_> {
    /// Every context, ordered by key.
    pub fn list(&self) -> crate::operations::ListOdsInstanceContexts {
        crate::operations::ListOdsInstanceContexts::new(self.client.clone())
    }

    /// Creates a context; returns its id.
    pub async fn create(&self, context: &types::AddOdsInstanceContextRequest) -> Result<i32> {
        let r = self
            .client
            .raw()
            .post_ods_instance_contexts()
            .body(context.clone())
            .send();
        self.client.created("postOdsInstanceContexts", r).await
    }

    /// One context.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceContextModel> {
        let r = self
            .client
            .raw()
            .get_ods_instance_contexts_by_id()
            .id(id)
            .send();
        self.client.value("getOdsInstanceContextsById", r).await
    }

    /// Replaces a context.
    pub async fn update(
        &self,
        id: i32,
        context: &types::EditOdsInstanceContextRequest,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .put_ods_instance_contexts_by_id()
            .id(id)
            .body(context.clone())
            .send();
        self.client.unit("putOdsInstanceContextsById", r).await
    }

    /// Deletes a context.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self
            .client
            .raw()
            .delete_ods_instance_contexts_by_id()
            .id(id)
            .send();
        self.client.unit("deleteOdsInstanceContextsById", r).await
    }
}

/// `/v2/odsInstanceDerivatives`: read replicas and snapshots of ODS instances.
#[derive(Debug, Clone, Copy)]
pub struct OdsInstanceDerivatives<'a> {
    pub(crate) client: &'a Client,
}

impl OdsInstanceDerivatives<'_> {
    /// Every derivative, ordered by type.
    pub fn list(&self) -> crate::operations::ListOdsInstanceDerivatives {
        crate::operations::ListOdsInstanceDerivatives::new(self.client.clone())
    }

    /// Creates a derivative (`ReadReplica` or `Snapshot`); returns its id.
    pub async fn create(&self, derivative: &types::AddOdsInstanceDerivativeRequest) -> Result<i32> {
        let r = self
            .client
            .raw()
            .post_ods_instance_derivatives()
            .body(derivative.clone())
            .send();
        self.client.created("postOdsInstanceDerivatives", r).await
    }

    /// One derivative.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceDerivativeModel> {
        let r = self
            .client
            .raw()
            .get_ods_instance_derivatives_by_id()
            .id(id)
            .send();
        self.client.value("getOdsInstanceDerivativesById", r).await
    }

    /// Replaces a derivative (an empty connection string keeps the old one).
    pub async fn update(
        &self,
        id: i32,
        derivative: &types::EditOdsInstanceDerivativeRequest,
    ) -> Result<()> {
        let r = self
            .client
            .raw()
            .put_ods_instance_derivatives_by_id()
            .id(id)
            .body(derivative.clone())
            .send();
        self.client.unit("putOdsInstanceDerivativesById", r).await
    }

    /// Deletes a derivative.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = self
            .client
            .raw()
            .delete_ods_instance_derivatives_by_id()
            .id(id)
            .send();
        self.client
            .unit("deleteOdsInstanceDerivativesById", r)
            .await
    }
}
