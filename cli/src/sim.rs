//! `edu sim <api>` (also the `edu-sim` binary): one API simulator standalone, for tests in any
//! language, `curl` or Postman.
//!
//! ```sh
//! cargo run -p edu-cli --bin edu -- sim eduframe --port 8080
//! cargo run -q -p edu-cli --bin edu-sim -- datahub > sim.env &   # NAME=value lines
//! sleep 1; set -a; . ./sim.env; set +a                             # exported for child processes
//! cargo run -p edu-cli --bin edu-sim -- --help
//! ```
//!
//! The simulator listens on 127.0.0.1 (`--port N`, or any free port), prints to standard output
//! one `NAME=value` line for each variable that API's `Client::from_env()` reads, and serves
//! until it is stopped (Ctrl-C, or end of standard input with `--until-eof`).
//!
//! Exit codes: 0 after a clean stop, 2 for a usage error (an unknown API or option, a value that
//! does not parse, an option the chosen simulator does not have), 1 when the simulator cannot
//! start (a port that is taken). Errors are one line on standard error, without a backtrace.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// Runs one of the workspace's API simulators on its own and prints the variables that API's
/// `Client::from_env()` reads.
#[derive(Debug, Parser)]
#[command(
    name = "edu-sim",
    version,
    after_help = "Exit codes: 0 after a clean stop, 2 for a usage error, 1 when the simulator \
                  cannot start (for example a port that is taken).\n\nExample (the variables \
                  exported, so every later command sees them):\n  \
                  rm -f sim.env; edu-sim eduframe --no-rate-limit > sim.env &\n  \
                  until [ -s sim.env ]; do sleep 0.1; done\n  \
                  set -a; . ./sim.env; set +a\n  \
                  curl -H \"Authorization: Bearer $EDUFRAME_API_KEY\" \"$EDUFRAME_BASE_URL/courses\""
)]
pub struct Args {
    /// The API to simulate.
    api: Api,
    /// The port to listen on (127.0.0.1); any free port when not given.
    #[arg(long)]
    port: Option<u16>,
    /// Ed-Fi Admin only: run multi-tenant with these tenants (comma-separated); the first is
    /// printed as EDFI_ADMIN_TENANT.
    #[arg(long, value_delimiter = ',')]
    tenants: Vec<String>,
    /// A server-side budget of N API requests per SECONDS, answered 429 with Retry-After when
    /// spent (Eduframe's default is its production budget, 500/300; the others have none).
    #[arg(long, value_name = "N/SECONDS", value_parser = parse_rate_limit, conflicts_with = "no_rate_limit")]
    rate_limit: Option<(u32, Duration)>,
    /// No server-side rate limit at all (for fuzzers and load tests).
    #[arg(long)]
    no_rate_limit: bool,
    /// Eduframe: records of each resource; datahub: students in the district.
    #[arg(long, value_name = "N")]
    records: Option<usize>,
    /// Eduframe and datahub: which data set to synthesise. Every simulator serves the same data
    /// on every run; another seed gives other values (enum choices, names, grades) under the
    /// same ids.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Eduframe and Edu-V: sparse records, carrying only their identifiers (the sparsest answer
    /// the API could send), so code that assumes an optional field fails in tests.
    #[arg(long)]
    sparse: bool,
    /// Eduframe: the primary secret of every webhook registered through the API, so a receiver
    /// can verify the simulator's signed deliveries (by default each webhook gets a random one).
    #[arg(long, value_name = "SECRET")]
    webhook_secret: Option<String>,
    /// Eduframe and Onderwijsregio: deliver webhooks (callbacks) to any host, not only loopback
    /// ones (a simulator in one container delivering to a service in another).
    #[arg(long)]
    webhooks_to_any_host: bool,
    /// Delay every API answer by this many milliseconds.
    #[arg(long, value_name = "MS")]
    latency: Option<u64>,
    /// Log every request to standard error as one JSON line (method, path, status, operation).
    #[arg(long)]
    log: bool,
    /// Serve until standard input closes (a parent process that ends takes the simulator with
    /// it), instead of until Ctrl-C.
    #[arg(long)]
    until_eof: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Api {
    Eduframe,
    EdfiAdmin,
    Eduv,
    Onderwijsregio,
    Datahub,
}

/// `N/SECONDS`, both positive.
fn parse_rate_limit(s: &str) -> Result<(u32, Duration), String> {
    let (n, secs) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not N/SECONDS (for example 500/300)"))?;
    let n: u32 = n
        .trim()
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{n}` is not a positive number of requests"))?;
    let secs: u64 = secs
        .trim()
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("`{secs}` is not a positive number of seconds"))?;
    Ok((n, Duration::from_secs(secs)))
}

/// A running simulator, kept alive while it serves.
enum Running {
    Eduframe(eduframe_client::mock::Simulator),
    EdfiAdmin(edfi_admin_client::mock::Simulator),
    Eduv(eduv_education_client::mock::Simulator),
    Onderwijsregio(onderwijsregio_client::mock::Simulator),
    Datahub(datahub_client::mock::Simulator),
}

/// Calls `$body` with `$sim` bound to whichever simulator runs (they share their controls).
macro_rules! each {
    ($running:expr, $sim:ident => $body:expr) => {
        match $running {
            Running::Eduframe($sim) => $body,
            Running::EdfiAdmin($sim) => $body,
            Running::Eduv($sim) => $body,
            Running::Onderwijsregio($sim) => $body,
            Running::Datahub($sim) => $body,
        }
    };
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

/// Why `edu-sim` stopped without serving.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The chosen simulator does not take an option that was given (exit code 2).
    #[error("{option} is not an option of the {api} simulator")]
    Unsupported { option: &'static str, api: String },
    /// The simulator could not start or serve (exit code 1).
    #[error(transparent)]
    Serve(#[from] anyhow::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Serve(e.into())
    }
}

/// A usage error: the chosen simulator does not take this option.
fn unsupported(option: &'static str, api: Api) -> Failure {
    Failure::Unsupported {
        option,
        api: api
            .to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default(),
    }
}

async fn start(args: &Args) -> Result<Running, Failure> {
    if !args.tenants.is_empty() && !matches!(args.api, Api::EdfiAdmin) {
        return Err(unsupported("--tenants", args.api));
    }
    if args.records.is_some() && !matches!(args.api, Api::Eduframe | Api::Datahub) {
        return Err(unsupported("--records", args.api));
    }
    if args.seed.is_some() && !matches!(args.api, Api::Eduframe | Api::Datahub) {
        return Err(unsupported("--seed", args.api));
    }
    if args.sparse && !matches!(args.api, Api::Eduframe | Api::Eduv) {
        return Err(unsupported("--sparse", args.api));
    }
    if args.webhook_secret.is_some() && !matches!(args.api, Api::Eduframe) {
        return Err(unsupported("--webhook-secret", args.api));
    }
    if args.webhooks_to_any_host && !matches!(args.api, Api::Eduframe | Api::Onderwijsregio) {
        return Err(unsupported("--webhooks-to-any-host", args.api));
    }
    let running = match args.api {
        Api::Eduframe => {
            let mut b = eduframe_client::mock::Simulator::builder();
            if let Some(p) = args.port {
                b = b.port(p);
            }
            if let Some(n) = args.records {
                b = b.records(n);
            }
            b = b.sparse(args.sparse).seed(args.seed.unwrap_or(0));
            if let Some(secret) = &args.webhook_secret {
                b = b.webhook_secret(secret.clone());
            }
            if args.webhooks_to_any_host {
                b = b.webhooks_to_any_host();
            }
            if let Some((n, window)) = args.rate_limit {
                b = b.rate_limit(n, window);
            } else if args.no_rate_limit {
                b = b.no_rate_limit();
            }
            Running::Eduframe(b.try_start().await?)
        }
        Api::EdfiAdmin => {
            let mut b = edfi_admin_client::mock::Simulator::builder().tenants(args.tenants.clone());
            if let Some(p) = args.port {
                b = b.port(p);
            }
            Running::EdfiAdmin(b.try_start().await?)
        }
        Api::Eduv => {
            let mut b = eduv_education_client::mock::Simulator::builder().sparse(args.sparse);
            if let Some(p) = args.port {
                b = b.port(p);
            }
            Running::Eduv(b.try_start().await?)
        }
        Api::Onderwijsregio => {
            let mut b = onderwijsregio_client::mock::Simulator::builder();
            if let Some(p) = args.port {
                b = b.port(p);
            }
            if args.webhooks_to_any_host {
                b = b.callbacks_to_any_host();
            }
            Running::Onderwijsregio(b.try_start().await?)
        }
        Api::Datahub => {
            let mut b = datahub_client::mock::Simulator::builder();
            if let Some(p) = args.port {
                b = b.port(p);
            }
            if let Some(n) = args.records {
                b = b.students(n);
            }
            b = b.seed(args.seed.unwrap_or(0));
            Running::Datahub(b.try_start().await?)
        }
    };
    // Eduframe's budget is its builder's; the others enforce one in the shared fault layer.
    if !matches!(args.api, Api::Eduframe)
        && let Some(limit) = args.rate_limit
    {
        each!(&running, s => s.set_rate_limit(Some(limit)));
    }
    if let Some(ms) = args.latency {
        each!(&running, s => s.set_latency(Duration::from_millis(ms)));
    }
    each!(&running, s => s.log_requests(args.log));
    Ok(running)
}

/// Serves until stopped; the exit code says how it ended (see the module docs).
pub async fn run(args: &Args) -> ExitCode {
    match serve(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Serve(e)) => {
            eprintln!("edu-sim: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(1)
        }
        Err(usage @ Failure::Unsupported { .. }) => {
            eprintln!("edu-sim: usage: {usage}");
            ExitCode::from(2)
        }
    }
}

async fn serve(args: &Args) -> Result<(), Failure> {
    let running = start(args).await?;
    // One write: a script waiting for the file to be non-empty never reads half of it.
    let mut lines = String::new();
    for (name, value) in running.env(args.tenants.first().map(String::as_str)) {
        lines.push_str(&format!("{name}={value}\n"));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(lines.as_bytes())?;
    out.flush()?;
    drop(out);
    eprintln!("edu-sim: serving; stop with Ctrl-C");
    if args.until_eof {
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await
        .map_err(anyhow::Error::from)?;
    } else {
        tokio::signal::ctrl_c().await?;
    }
    drop(running);
    Ok(())
}
