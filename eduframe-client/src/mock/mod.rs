//! A stateful simulator of the Eduframe API (feature `mock`), driven by the kept spec.
//!
//! - **Every operation of the spec** (183) is routed from the spec's paths, not written per
//!   resource; the header `x-edu-sim-operation` names the operation that answered, and
//!   [`Simulator::operations_served`] lists them.
//! - **Requests are validated against the spec**: documented query parameters by type, enum and
//!   bounds (400, `per_page` outside 1..=100 included); bodies by required fields, types, enums and
//!   patterns (422, every failing field in `errors`); booleans read leniently (true/false/1/0), as
//!   the API documents. Undocumented query parameters are ignored, as the API ignores them.
//! - **Records are synthesised from the response schemas** (every property, enums cycled) and
//!   **kept**: POST creates (ids continue after the seed), GET reads, PATCH changes only the fields
//!   sent, DELETE removes; actions change state (`cancel` → `canceled`, `approve`, `deny`, `open`,
//!   `activate`, `deactivate`). Record 1 of every resource points at record 1 of its parents.
//! - **Nested collections are filtered by their parent** (`/courses/{course_id}/planned_courses`,
//!   `/meetings/{id}/materials`), and listings honour equality filters on the records' fields (any
//!   of several values), `*_from`/`*_after`/`*_until` bounds, `role`, `published`, `search` and
//!   `sort`, with base64 cursors in `Link` headers (prev and next) as the API writes them.
//! - The `{errors, code, message}` error body, bearer-key checks (403), and a real sliding-window
//!   limiter (500 requests per 5 minutes by default) answering 429 with `Retry-After` in seconds;
//!   the shared fault controls (`throttle_next`, `fail_next`, `set_latency`).
//! - The Organization API's contacts, with the same cursors.
//!
//! Filters that are not fields of the record are honoured as the spec describes them
//! (`with_canceled`, `parents_published`, `published_public`, a meeting's `start`/`end`).
//! Not faithful yet: responses carry every property, where the real API may leave optional ones
//! out (unless [`SimulatorBuilder::sparse`] is on); feature flags (programs, custom objects) are always on.

mod builder;
mod handler;
mod listing;
mod records;
mod reply;
mod schema;
mod simulator;
mod spec;
mod state;
mod validate;
mod webhooks;

pub use builder::SimulatorBuilder;
pub use simulator::Simulator;
pub use webhooks::WebhookSecrets;

edu_common::simulator_common!();
