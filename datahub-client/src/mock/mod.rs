//! A stateful simulator of the datahub API (feature `mock`).
//!
//! It issues and expires tokens, serves a generated district (schools, teachers, students,
//! sections, contacts, admins, events) in the real envelopes with working `next` links and page
//! numbers, and can be told to answer 429 with `Retry-After`, 5xx, or slowly. Listings honour the
//! filters Clever v1.1 has: `where` (a JSON document of field values, dotted for nested fields,
//! with `$in`, `$ne` and `$exists`; an unparsable one is a 400 `{"error": …}`), `created_since`
//! (an ObjectID or a W3C datetime), and `starting_after` / `ending_before` (unless built with
//! [`SimulatorBuilder::starting_after`]`(false)`, which follows the seed and ignores them).
//!
//! ```no_run
//! # async fn demo() -> edu_common::Result<()> {
//! use futures::TryStreamExt;
//! let sim = datahub_client::mock::Simulator::builder().students(1_000).start().await;
//! let client = sim.client();
//! let n = client.students().list().limit(100).stream().try_collect::<Vec<_>>().await?.len();
//! assert_eq!(n, 1_000);
//! # Ok(()) }
//! ```

mod builder;
mod handler;
mod listing;
mod simulator;
mod state;

pub use builder::SimulatorBuilder;
pub use simulator::Simulator;

const CLIENT_ID: &str = "sim-client";
const CLIENT_SECRET: &str = "sim-secret";
