//! `/v2/odsInstances`, `/v2/odsInstanceContexts` and `/v2/odsInstanceDerivatives`.

use edu_common::Result;

use crate::client::Client;
use crate::generated::types;
use crate::operations::{PostOdsInstances, PutOdsInstancesById};

/// `/v2/odsInstances`: the ODS databases applications can reach. Connection strings are
/// write-only: the server never shows them.
#[derive(Debug, Clone, Copy)]
pub struct OdsInstances<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> OdsInstances<'a> {
    /// Every ODS instance, ordered by name.
    pub fn list(&self) -> crate::operations::ListOdsInstances {
        crate::operations::ListOdsInstances::new(self.client.clone())
    }

    /// Creates an ODS instance; returns its id.
    pub async fn create(&self, instance: &types::AddOdsInstanceRequest) -> Result<i32> {
        self.create_with(|i| i.body(instance)).await
    }

    /// Creates an ODS instance written field by field; returns its id:
    /// `.create_with(|i| i.name("District A").instance_type("OdsInstance").connection_string(".."))`.
    pub async fn create_with(
        &self,
        build: impl FnOnce(PostOdsInstances<'a>) -> PostOdsInstances<'a>,
    ) -> Result<i32> {
        let r = build(PostOdsInstances::new(self.client)).into_request()?;
        self.client.created(r).await
    }

    /// One ODS instance with its contexts and derivatives.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceDetailModel> {
        let r = crate::operations::GetOdsInstancesById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces an ODS instance (an empty connection string keeps the old one).
    pub async fn update(&self, id: i32, instance: &types::EditOdsInstanceRequest) -> Result<()> {
        self.update_with(id, |i| i.body(instance)).await
    }

    /// Replaces an ODS instance written field by field (`.clear_instance_type()` sends `null`).
    pub async fn update_with(
        &self,
        id: i32,
        build: impl FnOnce(PutOdsInstancesById<'a>) -> PutOdsInstancesById<'a>,
    ) -> Result<()> {
        build(PutOdsInstancesById::new(self.client, id))
            .send()
            .await
    }

    /// Deletes an ODS instance (not one that applications, contexts or derivatives use).
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteOdsInstancesById::new(self.client, id).into_request()?;
        self.client.unit(r).await
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
        let r = crate::operations::PostOdsInstanceContexts::new(self.client)
            .body(context)
            .into_request()?;
        self.client.created(r).await
    }

    /// One context.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceContextModel> {
        let r =
            crate::operations::GetOdsInstanceContextsById::new(self.client, id).into_request()?;
        self.client.value(r).await
    }

    /// Replaces a context.
    pub async fn update(
        &self,
        id: i32,
        context: &types::EditOdsInstanceContextRequest,
    ) -> Result<()> {
        let r = crate::operations::PutOdsInstanceContextsById::new(self.client, id)
            .body(context)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Deletes a context.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteOdsInstanceContextsById::new(self.client, id)
            .into_request()?;
        self.client.unit(r).await
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
        let r = crate::operations::PostOdsInstanceDerivatives::new(self.client)
            .body(derivative)
            .into_request()?;
        self.client.created(r).await
    }

    /// One derivative.
    pub async fn get(&self, id: i32) -> Result<types::OdsInstanceDerivativeModel> {
        let r = crate::operations::GetOdsInstanceDerivativesById::new(self.client, id)
            .into_request()?;
        self.client.value(r).await
    }

    /// Replaces a derivative (an empty connection string keeps the old one).
    pub async fn update(
        &self,
        id: i32,
        derivative: &types::EditOdsInstanceDerivativeRequest,
    ) -> Result<()> {
        let r = crate::operations::PutOdsInstanceDerivativesById::new(self.client, id)
            .body(derivative)
            .into_request()?;
        self.client.unit(r).await
    }

    /// Deletes a derivative.
    pub async fn delete(&self, id: i32) -> Result<()> {
        let r = crate::operations::DeleteOdsInstanceDerivativesById::new(self.client, id)
            .into_request()?;
        self.client.unit(r).await
    }
}
