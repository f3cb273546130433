//! The five clients, each built from its environment variables (with the profile's ahead of
//! them) the first time it is needed, and kept: a command builds each client at most once.

use std::sync::OnceLock;

use edu_common::Result;

use crate::command::Api;

/// The clients, built on first use from the profile's variables and the environment.
pub struct Clients {
    vars: Vec<(String, String)>,
    eduframe: OnceLock<eduframe_client::Client>,
    edfi_admin: OnceLock<edfi_admin_client::Client>,
    eduv: OnceLock<eduv_education_client::Client>,
    onderwijsregio: OnceLock<onderwijsregio_client::Client>,
    datahub: OnceLock<datahub_client::Client>,
}

impl Clients {
    /// Clients that read `vars` ahead of the environment.
    pub fn new(vars: Vec<(String, String)>) -> Self {
        Clients {
            vars,
            eduframe: OnceLock::new(),
            edfi_admin: OnceLock::new(),
            eduv: OnceLock::new(),
            onderwijsregio: OnceLock::new(),
            datahub: OnceLock::new(),
        }
    }

    /// The client in `cell`, built by `from_env` (with the profile) the first time.
    fn get<'a, T>(&self, cell: &'a OnceLock<T>, from_env: fn() -> Result<T>) -> Result<&'a T> {
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let built = edu_common::env::with_vars(&self.vars, from_env)?;
        Ok(cell.get_or_init(|| built))
    }

    /// The Eduframe client.
    pub fn eduframe(&self) -> Result<&eduframe_client::Client> {
        self.get(&self.eduframe, eduframe_client::Client::from_env)
    }

    /// The Ed-Fi Admin client.
    pub fn edfi_admin(&self) -> Result<&edfi_admin_client::Client> {
        self.get(&self.edfi_admin, edfi_admin_client::Client::from_env)
    }

    /// The Edu-V client.
    pub fn eduv(&self) -> Result<&eduv_education_client::Client> {
        self.get(&self.eduv, eduv_education_client::Client::from_env)
    }

    /// The Onderwijsregio client.
    pub fn onderwijsregio(&self) -> Result<&onderwijsregio_client::Client> {
        self.get(
            &self.onderwijsregio,
            onderwijsregio_client::Client::from_env,
        )
    }

    /// The datahub client.
    pub fn datahub(&self) -> Result<&datahub_client::Client> {
        self.get(&self.datahub, datahub_client::Client::from_env)
    }

    /// The transport of `api`'s client (for the operations of a generated table).
    pub fn transport(&self, api: Api) -> Result<&edu_common::Transport> {
        Ok(match api {
            Api::Eduframe => self.eduframe()?.transport(),
            Api::EdfiAdmin => self.edfi_admin()?.transport(),
            Api::Eduv => self.eduv()?.transport(),
            Api::Onderwijsregio => self.onderwijsregio()?.transport(),
            Api::Datahub => self.datahub()?.transport(),
        })
    }
}
