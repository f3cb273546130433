//! Building a simulator: its district's size, seed, token lifetime and port.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::handler::Handler;
use super::simulator::Simulator;
use super::state::{Shape, State};

/// Configures a [`Simulator`].
#[derive(Debug, Clone)]
#[must_use]
pub struct SimulatorBuilder {
    pub(super) schools: usize,
    pub(super) teachers: usize,
    pub(super) students: usize,
    pub(super) sections: usize,
    pub(super) token_lifetime: Duration,
    pub(super) page_latency: Duration,
    pub(super) range_paging: bool,
    pub(super) seed: usize,
    pub(super) port: Option<u16>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            schools: 3,
            teachers: 12,
            students: 240,
            sections: 24,
            token_lifetime: Duration::from_secs(7199),
            page_latency: Duration::ZERO,
            range_paging: true,
            seed: 0,
            port: None,
        }
    }
}

impl SimulatorBuilder {
    /// Number of schools (at least 1).
    pub fn schools(mut self, n: usize) -> Self {
        self.schools = n.max(1);
        self
    }

    /// Number of teachers (at least 1).
    pub fn teachers(mut self, n: usize) -> Self {
        self.teachers = n.max(1);
        self
    }

    /// Number of students.
    pub fn students(mut self, n: usize) -> Self {
        self.students = n;
        self
    }

    /// Number of sections (at least 1).
    pub fn sections(mut self, n: usize) -> Self {
        self.sections = n.max(1);
        self
    }

    /// Lifetime of issued tokens (`expires_in`).
    pub fn token_lifetime(mut self, d: Duration) -> Self {
        self.token_lifetime = d;
        self
    }

    /// Whether listings honour `starting_after` and link to the next page with it, as Clever
    /// v1.1 does (the default). With `false` the simulator follows the seed, which documents only
    /// `limit`, `page` and `search_token`: it ignores `starting_after` (a request with it starts
    /// from the top), and its links are `SELF` and `NEXT`, the next page named by a
    /// `search_token` (`2.3.250.FORWARD.<last id>`). `search_token` is honoured either way.
    pub fn starting_after(mut self, honoured: bool) -> Self {
        self.range_paging = honoured;
        self
    }

    /// Which data set to generate: the same seed gives the same district on every run (the
    /// default, 0, included); another seed gives other names, grades and genders under the same
    /// ids and memberships.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed as usize;
        self
    }

    /// Delay added to every API response.
    pub fn page_latency(mut self, d: Duration) -> Self {
        self.page_latency = d;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let bound = edu_common::mock::bind(self.port).await?;
        let shape = Shape {
            schools: self.schools,
            teachers: self.teachers,
            students: self.students,
            sections: self.sections,
            seed: self.seed,
            token_lifetime: self.token_lifetime,
            range_paging: self.range_paging,
        };
        let state = Arc::new(Mutex::new(State::generate(&shape)));
        let faults = edu_common::mock::Faults::default();
        faults.set_latency(self.page_latency);
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| req.url.path().starts_with("/datahub/services/"),
            |_, message| json!({ "error": message }),
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
    /// Starts a simulator with the default district (3 schools, 12 teachers, 240 students, 24 sections).
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }
}
