//! The five clients, each built from its environment variables (with the profile's ahead of
//! them) the first time it is needed, and kept: a command builds each client at most once.

use std::sync::OnceLock;

use edu_common::Result;

use crate::command::Api;

/// The client of crate `$krate` from its environment variables, sending nothing when `$dry`.
macro_rules! built {
    ($krate:ident, $dry:expr) => {{
        let builder = $krate::ClientBuilder::from_env()?;
        if $dry { builder.dry_run() } else { builder }.build()
    }};
}

/// The clients, built on first use from the profile's variables and the environment.
pub struct Clients {
    vars: Vec<(String, String)>,
    /// `--dry-run`: the clients make each request ready and send nothing.
    dry_run: bool,
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
            dry_run: false,
            eduframe: OnceLock::new(),
            edfi_admin: OnceLock::new(),
            eduv: OnceLock::new(),
            onderwijsregio: OnceLock::new(),
            datahub: OnceLock::new(),
        }
    }

    /// The same clients, built to send nothing (`--dry-run`): each call answers with the
    /// request it would have sent.
    pub fn dry_run(self) -> Self {
        Clients {
            dry_run: true,
            ..self
        }
    }

    /// The client in `cell`, built by `build` (with the profile's variables, and whether this
    /// is a dry run) the first time.
    fn get<'a, T>(&self, cell: &'a OnceLock<T>, build: fn(bool) -> Result<T>) -> Result<&'a T> {
        if let Some(client) = cell.get() {
            return Ok(client);
        }
        let dry_run = self.dry_run;
        let built = edu_common::env::with_vars(&self.vars, || build(dry_run))?;
        Ok(cell.get_or_init(|| built))
    }

    /// The Eduframe client.
    pub fn eduframe(&self) -> Result<&eduframe_client::Client> {
        self.get(&self.eduframe, |dry| built!(eduframe_client, dry))
    }

    /// The Ed-Fi Admin client.
    pub fn edfi_admin(&self) -> Result<&edfi_admin_client::Client> {
        self.get(&self.edfi_admin, |dry| built!(edfi_admin_client, dry))
    }

    /// The Edu-V client.
    pub fn eduv(&self) -> Result<&eduv_education_client::Client> {
        self.get(&self.eduv, |dry| built!(eduv_education_client, dry))
    }

    /// The Onderwijsregio client.
    pub fn onderwijsregio(&self) -> Result<&onderwijsregio_client::Client> {
        self.get(&self.onderwijsregio, |dry| {
            built!(onderwijsregio_client, dry)
        })
    }

    /// The datahub client.
    pub fn datahub(&self) -> Result<&datahub_client::Client> {
        self.get(&self.datahub, |dry| built!(datahub_client, dry))
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
