//! The five clients, each built from its environment variables (with the profile's ahead of
//! them) the first time an operation needs it.

use edu_common::Result;

use crate::command::Api;

/// The variables a profile puts ahead of the environment.
pub struct Clients {
    vars: Vec<(String, String)>,
}

impl Clients {
    /// Clients that read `vars` ahead of the environment.
    pub fn new(vars: Vec<(String, String)>) -> Self {
        Clients { vars }
    }

    fn build<T>(&self, build: impl FnOnce() -> Result<T>) -> Result<T> {
        edu_common::env::with_vars(&self.vars, build)
    }

    /// The Eduframe client.
    pub fn eduframe(&self) -> Result<eduframe_client::Client> {
        self.build(eduframe_client::Client::from_env)
    }

    /// The Ed-Fi Admin client.
    pub fn edfi_admin(&self) -> Result<edfi_admin_client::Client> {
        self.build(edfi_admin_client::Client::from_env)
    }

    /// The Edu-V client.
    pub fn eduv(&self) -> Result<eduv_education_client::Client> {
        self.build(eduv_education_client::Client::from_env)
    }

    /// The Onderwijsregio client.
    pub fn onderwijsregio(&self) -> Result<onderwijsregio_client::Client> {
        self.build(onderwijsregio_client::Client::from_env)
    }

    /// The datahub client.
    pub fn datahub(&self) -> Result<datahub_client::Client> {
        self.build(datahub_client::Client::from_env)
    }

    /// The transport of `api`'s client (for the operations of a generated table).
    pub fn transport(&self, api: Api) -> Result<edu_common::Transport> {
        Ok(match api {
            Api::Eduframe => self.eduframe()?.transport().clone(),
            Api::EdfiAdmin => self.edfi_admin()?.transport().clone(),
            Api::Eduv => self.eduv()?.transport().clone(),
            Api::Onderwijsregio => self.onderwijsregio()?.transport().clone(),
            Api::Datahub => self.datahub()?.transport().clone(),
        })
    }
}
