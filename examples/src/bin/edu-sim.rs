//! Runs one API simulator standalone, for tests in any language, `curl` or Postman.
//!
//! ```sh
//! cargo run -p edu-examples --bin edu-sim -- eduframe --port 8080
//! eval "$(cargo run -q -p edu-examples --bin edu-sim -- datahub &)"   # or export the lines
//! ```
//!
//! `<api>` is one of `eduframe`, `edfi-admin`, `eduv`, `onderwijsregio`, `datahub`. The
//! simulator listens on 127.0.0.1 (`--port N`, or any free port), prints to standard output one
//! `NAME=value` line for each variable that API's `Client::from_env()` reads, and serves until
//! it is stopped (Ctrl-C, or end of standard input with `--until-eof`). `--tenants a,b` starts the
//! Ed-Fi Admin simulator in multi-tenant mode (the first tenant is printed as
//! `EDFI_ADMIN_TENANT`).

use std::io::Write;

const USAGE: &str = "usage: edu-sim <eduframe|edfi-admin|eduv|onderwijsregio|datahub> [--port N] [--tenants a,b] [--until-eof]";

/// A running simulator, kept alive while it serves.
enum Running {
    Eduframe(eduframe_client::mock::Simulator),
    EdfiAdmin(edfi_admin_client::mock::Simulator),
    Eduv(eduv_education_client::mock::Simulator),
    Onderwijsregio(onderwijsregio_client::mock::Simulator),
    Datahub(datahub_client::mock::Simulator),
}

impl Running {
    /// The variables `Client::from_env()` of this API reads, pointing at the simulator.
    fn env(&self, tenant: Option<&str>) -> Vec<(&'static str, String)> {
        match self {
            Running::Eduframe(s) => vec![
                ("EDUFRAME_BASE_URL", s.base_url()),
                ("EDUFRAME_API_KEY", s.api_key().to_owned()),
            ],
            Running::EdfiAdmin(s) => {
                let mut v = vec![
                    ("EDFI_ADMIN_BASE_URL", s.base_url()),
                    ("EDFI_ADMIN_CLIENT_ID", s.client_id().to_owned()),
                    ("EDFI_ADMIN_CLIENT_SECRET", s.client_secret().to_owned()),
                ];
                if let Some(t) = tenant {
                    v.push(("EDFI_ADMIN_TENANT", t.to_owned()));
                }
                v
            }
            Running::Eduv(s) => vec![
                ("EDUV_BASE_URL", s.base_url()),
                ("EDUV_TOKEN_URL", s.token_url()),
                ("EDUV_CLIENT_ID", s.client_id().to_owned()),
                ("EDUV_CLIENT_SECRET", s.client_secret().to_owned()),
            ],
            Running::Onderwijsregio(s) => vec![
                ("ONDERWIJSREGIO_BASE_URL", s.base_url()),
                ("ONDERWIJSREGIO_API_KEY", s.api_key().to_owned()),
            ],
            Running::Datahub(s) => vec![
                ("DATAHUB_BASE_URL", s.base_url()),
                ("DATAHUB_CLIENT_ID", s.client_id().to_owned()),
                ("DATAHUB_CLIENT_SECRET", s.client_secret().to_owned()),
            ],
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let api = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or_else(|| anyhow::anyhow!("{USAGE}"))?;
    let port = value("--port")
        .map(|p| p.parse::<u16>())
        .transpose()
        .map_err(|e| anyhow::anyhow!("--port: {e}\n{USAGE}"))?;
    let tenants: Vec<String> = value("--tenants")
        .map(|t| t.split(',').map(str::trim).map(str::to_owned).collect())
        .unwrap_or_default();
    let running = match api.as_str() {
        "eduframe" => {
            let mut b = eduframe_client::mock::Simulator::builder();
            if let Some(p) = port {
                b = b.port(p);
            }
            Running::Eduframe(b.try_start().await?)
        }
        "edfi-admin" => {
            let mut b = edfi_admin_client::mock::Simulator::builder().tenants(tenants.clone());
            if let Some(p) = port {
                b = b.port(p);
            }
            Running::EdfiAdmin(b.try_start().await?)
        }
        "eduv" => {
            let mut b = eduv_education_client::mock::Simulator::builder();
            if let Some(p) = port {
                b = b.port(p);
            }
            Running::Eduv(b.try_start().await?)
        }
        "onderwijsregio" => {
            let mut b = onderwijsregio_client::mock::Simulator::builder();
            if let Some(p) = port {
                b = b.port(p);
            }
            Running::Onderwijsregio(b.try_start().await?)
        }
        "datahub" => {
            let mut b = datahub_client::mock::Simulator::builder();
            if let Some(p) = port {
                b = b.port(p);
            }
            Running::Datahub(b.try_start().await?)
        }
        other => anyhow::bail!("unknown API `{other}`\n{USAGE}"),
    };
    let mut out = std::io::stdout().lock();
    for (name, value) in running.env(tenants.first().map(String::as_str)) {
        writeln!(out, "{name}={value}")?;
    }
    out.flush()?;
    drop(out);
    eprintln!("edu-sim: serving the {api} simulator; stop with Ctrl-C");
    if args.iter().any(|a| a == "--until-eof") {
        // Serve until standard input closes (a parent process that ends takes the simulator with it).
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await?;
    } else {
        tokio::signal::ctrl_c().await?;
    }
    drop(running);
    Ok(())
}
