//! Nothing lost after a 2xx: an intake for signed deliveries (Eduframe webhooks, Onderwijsregio
//! callbacks) that a service mounts in its axum router (feature `intake`).
//!
//! A sender that got a 2xx never sends the delivery again, so a 2xx is answered only once the
//! verified delivery is **stored**:
//!
//! 1. the request is refused with `503` (and `Retry-After`) when more than
//!    [`Intake::max_concurrent`] are in progress, with `413` beyond [`Intake::max_body_bytes`];
//! 2. its signature is checked over the raw bytes by the route's verifier ([`Authenticate`]:
//!    `eduframe_client::webhooks::Verifier`, `onderwijsregio_client::callbacks::Verifier`), and
//!    a refusal is answered `401` with the reason logged;
//! 3. it is stored, under its **delivery id** ([`Authenticate::delivery_id`]: a digest of the
//!    API and the body, so a sender's retry of it, signed anew, has the same id): `204` when
//!    stored now, `200` when the store holds it already (a sender's retry, a replay: stored
//!    once), and `503` with `Retry-After` when the store cannot take it (Redis away, the
//!    stream full, slower than [`Intake::timeout`]), so the sender retries. Never a 2xx for a
//!    delivery that was not stored.
//!
//! The store is a small trait ([`Store`]) with two engines here: [`MemoryStore`] (tests, one
//! process: gone with the process) and, with the `redis` feature, [`RedisStreamStore`] (a Redis
//! stream: `XADD` under a cap, consumer groups with `XREADGROUP`/`XACK`, deliveries of a
//! consumer that died reclaimed with `XAUTOCLAIM` after a visibility timeout, a dead-letter
//! stream). Another engine (Kafka, NATS, SQS) is one `impl Store`.
//!
//! [`Consumer`]s read what was stored: each [`Delivery`] has its id, its API, its raw bytes, a
//! typed parse and [`Delivery::ack`]. **At least once**: a delivery a consumer took and did
//! not acknowledge (it crashed, it was dropped) is handed out again after the visibility
//! timeout, with the same id, so a consumer makes its work idempotent by that id. A delivery
//! handed out [`MAX_ATTEMPTS`](StoreSettings::max_attempts) times without an `ack` goes to the
//! dead-letter list ([`Store::dead_letters`], [`Store::redrive`]).
//!
//! ```no_run
//! # async fn demo(verifier: impl edu_common::webhook::intake::Authenticate) -> std::io::Result<()> {
//! use std::sync::Arc;
//! use edu_common::webhook::intake::{Consumer, Intake, MemoryStore};
//! let store = Arc::new(MemoryStore::default());
//! let app = Intake::new(store.clone()).route("/hooks/eduframe", verifier).router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8787").await?;
//! tokio::spawn(async move { axum::serve(listener, app).await });
//! let mut consumer = Consumer::new(store, "worker-1");
//! while let Ok(delivery) = consumer.next().await {
//!     println!("{} {} ({} bytes)", delivery.api(), delivery.id(), delivery.body().len());
//!     delivery.ack().await.ok();
//! }
//! # Ok(()) }
//! ```

mod authenticate;
mod consumer;
mod http;
mod memory;
#[cfg(feature = "redis")]
mod redis_stream;
mod store;

pub use authenticate::{Authenticate, body_delivery_id};
pub use consumer::{Consumer, Delivery};
pub use http::{Intake, Outcome};
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis_stream::RedisStreamStore;
pub use store::{Entry, Incoming, Store, StoreError, StoreSettings, Stored};
