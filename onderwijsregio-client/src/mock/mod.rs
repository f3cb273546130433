//! A stateful simulator of the Onderwijsregio API v2 (feature `mock`).
//!
//! It checks the API key, serves a realistic region schema (shared fields plus custom fields),
//! validates writes and answers validation errors, accepts writes with 202 into a queue that is
//! processed in order shortly after, honours idempotency keys, POSTs signed callbacks to the
//! `callbackUrl`, keeps sandbox data apart, and lists candidates with an opaque cursor.
//!
//! Idempotency keys: the same key with the same request (method, path and body) is one mutation,
//! and every repeat gets the first acceptance back. The same key with a *different* request is
//! answered 409 every time, and nothing is queued. The API's documentation does not say what it
//! does in that case; the simulator refuses it loudly (as Stripe does) because the alternative,
//! silently answering with the first acceptance, would hide a client bug that loses writes, and a
//! test that passes against a strict simulator also passes against a lenient server.
//!
//! The queue is worked by a task on the Tokio runtime that started the simulator.
//!
//! Callbacks follow [`edu_common::mock::outbound`]'s rules: loopback hosts only unless
//! [`SimulatorBuilder::callbacks_to_any_host`], no redirect, no system proxy, a 10-second
//! timeout, and a bounded queue ([`SimulatorBuilder::callback_queue`]); each goes out on its own
//! task, so a slow receiver never holds up the mutations. [`Simulator::callback_failures`] says
//! why a callback failed.

mod builder;
mod handler;
mod schema;
mod simulator;
mod state;
mod worker;

pub use builder::SimulatorBuilder;
pub use schema::{region_schema, region_update_schema};
pub use simulator::Simulator;

const API_KEY: &str = "or-sim-key";
const SIGNING_SECRET: &str = "or-sim-signing-secret";
