//! `edu listen <api>`: receives an API's signed deliveries on a local port through the SDK's
//! intake (verified, stored, then answered), prints each one as it arrives (a line per delivery
//! on a terminal, JSON Lines when piped), and with `--forward-to URL` posts each verified
//! delivery on to a service under development, signed anew with the same secret, as
//! `stripe listen --forward-to` does.
//!
//! The secrets come from the environment or the profile, like every other `edu` command:
//! `EDUFRAME_WEBHOOK_SECRET` (and `EDUFRAME_WEBHOOK_SECRET_SECONDARY` during a rotation), or
//! `ONDERWIJSREGIO_SIGNING_SECRET` (and `_SECONDARY`). Against `edu sim eduframe
//! --webhook-secret S`, set `EDUFRAME_WEBHOOK_SECRET=S` and register a webhook whose URL is the
//! one `edu listen` prints.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use edu_common::reqwest;
use edu_common::webhook::intake::{Consumer, Delivery, Intake, MemoryStore};
use serde_json::{Value, json};

use crate::failure::Failure;
use crate::terminal::printable;

/// The APIs that call services back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListenApi {
    /// Eduframe webhooks (`eduframe-signature-v1`).
    Eduframe,
    /// Onderwijsregio callbacks (`x-mutationengine-*`).
    Onderwijsregio,
}

impl ListenApi {
    fn name(self) -> &'static str {
        match self {
            ListenApi::Eduframe => "eduframe",
            ListenApi::Onderwijsregio => "onderwijsregio",
        }
    }

    fn secret_var(self) -> &'static str {
        match self {
            ListenApi::Eduframe => "EDUFRAME_WEBHOOK_SECRET",
            ListenApi::Onderwijsregio => "ONDERWIJSREGIO_SIGNING_SECRET",
        }
    }
}

/// `edu listen`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Whose deliveries to receive.
    api: ListenApi,
    /// The port to listen on (127.0.0.1); any free port when not given.
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// The path deliveries are posted to [default: /hooks/<api>].
    #[arg(long, value_name = "PATH")]
    path: Option<String>,
    /// Post each verified delivery on to this URL (your service under development), signed
    /// anew with the same secret.
    #[arg(long, value_name = "URL")]
    forward_to: Option<url::Url>,
}

/// A secret and its retired predecessor, from the profile's variables or the environment.
fn secrets(api: ListenApi, vars: &[(String, String)]) -> Result<(String, Option<String>), Failure> {
    let read = |name: &str| edu_common::env::with_vars(vars, || edu_common::env::optional(name));
    let name = api.secret_var();
    let primary = read(name).ok_or_else(|| {
        Failure::Usage(format!(
            "listening for {} deliveries needs {name}: the secret they are signed with, in the environment or in a profile (--profile){}",
            api.name(),
            match api {
                ListenApi::Eduframe => "; against `edu sim eduframe --webhook-secret S`, set it to S",
                ListenApi::Onderwijsregio => "",
            }
        ))
    })?;
    Ok((primary, read(&format!("{name}_SECONDARY"))))
}

/// Runs until Ctrl-C.
pub async fn run(args: &Args, vars: &[(String, String)]) -> Result<(), Failure> {
    let (primary, secondary) = secrets(args.api, vars)?;
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| format!("/hooks/{}", args.api.name()));
    if !path.starts_with('/') {
        return Err(Failure::Usage(format!(
            "--path {path}: a path starts with /"
        )));
    }
    let store = Arc::new(MemoryStore::default());
    let (tx, mut outcomes) = tokio::sync::mpsc::unbounded_channel();
    let intake = Intake::new(store.clone()).observe(tx);
    let intake = match args.api {
        ListenApi::Eduframe => {
            let mut v = eduframe_client::webhooks::Verifier::new(primary.clone());
            if let Some(old) = &secondary {
                v = v.secondary(old.clone());
            }
            intake.route(path.clone(), v)
        }
        ListenApi::Onderwijsregio => {
            let mut v = onderwijsregio_client::callbacks::Verifier::new(primary.clone());
            if let Some(old) = &secondary {
                v = v.secondary(old.clone());
            }
            intake.route(path.clone(), v)
        }
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port.unwrap_or(0)))
        .await
        .map_err(|e| {
            Failure::Io(format!(
                "cannot listen on 127.0.0.1:{}: {e}",
                args.port.unwrap_or(0)
            ))
        })?;
    let url = format!("http://{}{path}", listener.local_addr()?);
    let app = intake.router();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    eprintln!(
        "edu listen: receiving {} deliveries at {url}{}; stop with Ctrl-C",
        args.api.name(),
        args.forward_to
            .as_ref()
            .map(|u| format!(", forwarding to {u}"))
            .unwrap_or_default()
    );
    // What was refused, on standard error.
    tokio::spawn(async move {
        while let Some(o) = outcomes.recv().await {
            if let Some(why) = o.reason {
                eprintln!("edu listen: {} {}", o.status, printable(&why));
            }
        }
    });
    let forward = args
        .forward_to
        .clone()
        .map(|to| Forward::new(to, args.api, primary));
    let mut consumer = Consumer::new(store, "edu-listen");
    let terminal = std::io::stdout().is_terminal();
    let work = async {
        loop {
            let delivery = consumer
                .next()
                .await
                .map_err(|e| Failure::Io(e.to_string()))?;
            show(&delivery, terminal)?;
            if let Some(f) = &forward {
                f.send(&delivery).await;
            }
            delivery
                .ack()
                .await
                .map_err(|e| Failure::Io(e.to_string()))?;
        }
    };
    tokio::select! {
        done = work => done,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// One delivery on standard output: a line for a person, or a JSON line for a program.
fn show(delivery: &Delivery, terminal: bool) -> Result<(), Failure> {
    let body: Value = serde_json::from_slice(delivery.body())
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(delivery.body()).into_owned()));
    let mut out = std::io::stdout().lock();
    if terminal {
        let summary = match delivery.api() {
            "eduframe" => format!(
                "{} {}",
                body["event"].as_str().unwrap_or("?"),
                body["event_data"]["id"]
            ),
            _ => format!(
                "{} {}",
                body["status"].as_str().unwrap_or("?"),
                body["idempotencyKey"].as_str().unwrap_or("?")
            ),
        };
        writeln!(
            out,
            "{} {} {}",
            delivery.api(),
            delivery.id(),
            printable(&summary)
        )?;
    } else {
        let line = json!({
            "id": delivery.id(),
            "api": delivery.api(),
            "received_at_ms": delivery.received_at_ms(),
            "body": body,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// Posts verified deliveries on, signed anew.
struct Forward {
    to: url::Url,
    api: ListenApi,
    secret: String,
    http: reqwest::Client,
}

impl Forward {
    fn new(to: url::Url, api: ListenApi, secret: String) -> Self {
        edu_common::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Forward {
            to,
            api,
            secret,
            http,
        }
    }

    /// The headers of `body` signed now for the forward URL.
    fn signed(&self, body: &[u8]) -> http::HeaderMap {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        match self.api {
            ListenApi::Eduframe => {
                eduframe_client::webhooks::Signer::new(self.secret.clone()).sign(body, now)
            }
            ListenApi::Onderwijsregio => {
                let path = match self.to.query() {
                    Some(q) => format!("{}?{q}", self.to.path()),
                    None => self.to.path().to_owned(),
                };
                let nonce = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
                onderwijsregio_client::callbacks::Signer::new(self.secret.clone())
                    .sign(&path, body, now, &nonce)
            }
        }
    }

    /// Three tries, a second apart; each outcome on standard error.
    async fn send(&self, delivery: &Delivery) {
        for attempt in 1..=3 {
            let sent = self
                .http
                .post(self.to.clone())
                .headers(self.signed(delivery.body()))
                .header("content-type", "application/json")
                .body(delivery.body().clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    eprintln!(
                        "edu listen: {} -> {} {}",
                        delivery.id(),
                        self.to,
                        r.status().as_u16()
                    );
                    return;
                }
                Ok(r) => eprintln!(
                    "edu listen: {} -> {} answered {} (try {attempt} of 3)",
                    delivery.id(),
                    self.to,
                    r.status().as_u16()
                ),
                Err(e) => eprintln!(
                    "edu listen: {} -> {} failed: {} (try {attempt} of 3)",
                    delivery.id(),
                    self.to,
                    e.without_url()
                ),
            }
            if attempt < 3 {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
