//! Configuring and starting a simulator.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::handler::Handler;
use super::simulator::Simulator;
use super::spec;
use super::state::{Settings, State};

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    settings: Settings,
    port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            settings: Settings {
                limit: Some(crate::RATE_LIMIT_REQUESTS),
                window: crate::RATE_LIMIT_WINDOW,
                records: 60,
                sparse: false,
                seed: 0,
                webhook_attempts: 3,
                webhook_delay: Duration::from_secs(1),
                webhooks_to_any_host: false,
                webhook_queue: edu_common::mock::Outbound::DEFAULT_CAPACITY,
                webhook_secret: None,
            },
            port: None,
        }
    }
}

impl SimulatorBuilder {
    /// The server's rate limit: `limit` requests per `window`.
    pub fn rate_limit(mut self, limit: u32, window: Duration) -> Self {
        self.settings.limit = Some(limit.max(1));
        self.settings.window = window;
        self
    }

    /// No server-side rate limit (the real API allows 500 requests per 5 minutes per key): for
    /// fuzzers and load tests that are not about throttling.
    pub fn no_rate_limit(mut self) -> Self {
        self.settings.limit = None;
        self
    }

    /// How many records of each resource to serve.
    pub fn records(mut self, n: usize) -> Self {
        self.settings.records = n;
        self
    }

    /// Sparse records: every answer leaves out every property but `id`, the sparsest record
    /// the API could send, where the real API leaves out some optional ones (`custom`,
    /// `label_ids` without an `include`, empty fields). Code that assumes a field is always
    /// there fails against a sparse simulator in tests rather than against the real API in
    /// production; the typed models decode sparse records. Off by default: records carry every
    /// property of their schema.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.settings.sparse = sparse;
        self
    }

    /// Which data set to synthesise: the same seed gives the same records on every run (the
    /// default, 0, included); another seed gives other values (enum choices, flags, numbers)
    /// under the same ids, names and links.
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }

    /// How webhook deliveries are retried: `attempts` in all (at least 1), `delay` apart
    /// (default 3, 1 s; Eduframe does not publish its schedule). See [`Simulator::webhook_secrets`].
    pub fn webhook_retries(mut self, attempts: u32, delay: Duration) -> Self {
        self.settings.webhook_attempts = attempts;
        self.settings.webhook_delay = delay;
        self
    }

    /// Delivers webhooks to any host, not only loopback ones (the default keeps a simulator
    /// from reaching outside the machine).
    pub fn webhooks_to_any_host(mut self) -> Self {
        self.settings.webhooks_to_any_host = true;
        self
    }

    /// The most deliveries in flight or waiting (default 1,000); beyond it a delivery is not
    /// sent and its notification is marked failed (as Onderwijsregio's
    /// `callback_queue` does for callbacks).
    pub fn webhook_queue(mut self, capacity: usize) -> Self {
        self.settings.webhook_queue = capacity;
        self
    }

    /// The primary secret of every webhook registered through the API (by default each gets a
    /// fresh random one, read with [`Simulator::webhook_secrets`]). For a receiver that must
    /// know the secret before the webhook exists: a test in another language through `edu-sim
    /// --webhook-secret`, say.
    pub fn webhook_secret(mut self, secret: impl Into<secrecy::SecretString>) -> Self {
        self.settings.webhook_secret = Some(secret.into());
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        // The spec is read and routed before the first request, not during it.
        spec::warm_up();
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::new(&self.settings, bound.uri())));
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |_| true,
            |status, message| json!({"errors": {}, "code": status, "message": message}),
        ));
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

impl Simulator {
    /// Starts a simulator with 60 records per resource and the real limit.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }
}
