//! The simulator's builder: processing delay, callbacks' reach, queue and retries; and
//! starting it (the server, and the Mutation Engine behind it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::handler::Handler;
use super::schema::{region_schema, region_update_schema};
use super::simulator::Simulator;
use super::state::{Mutation, State};
use super::worker;

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    delay: Duration,
    port: Option<u16>,
    callbacks_to_any_host: bool,
    callback_queue: usize,
    callback_attempts: u32,
    callback_retry_delay: Duration,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            delay: Duration::from_millis(10),
            port: None,
            callbacks_to_any_host: false,
            callback_queue: edu_common::mock::Outbound::DEFAULT_CAPACITY,
            callback_attempts: 3,
            callback_retry_delay: Duration::from_secs(1),
        }
    }
}

impl SimulatorBuilder {
    /// How long after acceptance each mutation is processed (default 10 ms), in order.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Posts callbacks to any host, not only loopback ones (by default a `callbackUrl` that
    /// names another host is not called, and counts as a failed callback: a simulator in CI or
    /// under a fuzzer never reaches the internet). For a simulator in one container calling
    /// back a service in another.
    pub fn callbacks_to_any_host(mut self) -> Self {
        self.callbacks_to_any_host = true;
        self
    }

    /// The most callbacks in flight or waiting (default 1,000); beyond it a callback is not
    /// sent and counts as failed.
    pub fn callback_queue(mut self, capacity: usize) -> Self {
        self.callback_queue = capacity;
        self
    }

    /// How many times a callback is tried (default 3), and the wait between tries (default
    /// 1 s): a callback answered with anything but a 2xx (a 503 from a receiver whose store is
    /// away), or not answered within 10 s, is tried again, signed anew. The API does not
    /// publish its schedule; this is the simulator's.
    pub fn callback_retries(mut self, attempts: u32, delay: Duration) -> Self {
        self.callback_attempts = attempts.max(1);
        self.callback_retry_delay = delay;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let delay = self.delay;
        let bound = edu_common::mock::bind(self.port).await?;
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = mpsc::unbounded_channel::<Mutation>();
        let compile = |s: Value| {
            jsonschema::validator_for(&s)
                .unwrap_or_else(|e| unreachable!("the simulator's schema is valid: {e}"))
        };
        let create_item = region_schema()["items"].clone();
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler {
                state: state.clone(),
                queue: tx,
                create: compile(create_item),
                update: compile(region_update_schema()),
            },
            |_| true,
            |status, message| json!({"statusCode": status, "message": message, "errors": []}),
        ));
        worker::spawn(
            rx,
            state.clone(),
            worker::Settings {
                delay,
                callbacks_to_any_host: self.callbacks_to_any_host,
                callback_queue: self.callback_queue,
                callback_attempts: self.callback_attempts,
                callback_retry_delay: self.callback_retry_delay,
            },
        );
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator; mutations are processed about `10 ms` after acceptance, in order.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// Starts the simulator with a given processing delay per mutation.
    pub async fn start_with_delay(delay: Duration) -> Simulator {
        SimulatorBuilder::default().delay(delay).start().await
    }
}
