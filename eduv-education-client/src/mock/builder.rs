//! The simulator's builder: sparse records, the port; and starting it.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::handler::Handler;
use super::simulator::Simulator;
use super::state::State;

/// Configures a [`Simulator`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    port: Option<u16>,
    sparse: bool,
}

impl SimulatorBuilder {
    /// Sparse records: every answer leaves out each property but the record's own identifier
    /// (`studyOfferingId`, `subjectOfferingId`; an organisation keeps none), the sparsest
    /// record the API could send. Code that assumes a field is always there fails in tests
    /// rather than in production; the typed models decode sparse records. Off by default.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.sparse = sparse;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let bound = edu_common::mock::bind(self.port).await?;
        let mut state = State::new(format!("{}/oauth2/token", bound.uri()));
        state.sparse = self.sparse;
        let state = Arc::new(Mutex::new(state));
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| !req.url.path().ends_with("/oauth2/token"),
            |_, message| json!({"status": 99, "statusMessage": message}),
        ));
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator on any free loopback port.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }
}
