//! Where verified deliveries wait for their consumers: the trait an engine implements.

use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;

/// A verified delivery, to store.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Its delivery id ([`Authenticate::delivery_id`](super::Authenticate::delivery_id)).
    pub id: String,
    /// The API it came from.
    pub api: String,
    /// The raw bytes, exactly as signed.
    pub body: Bytes,
    /// When it arrived (Unix milliseconds).
    pub received_at_ms: u64,
}

/// What [`Store::put`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored now.
    New,
    /// The store holds this id already (a sender's retry, a replay): stored once.
    Duplicate,
}

/// A stored delivery handed to a consumer.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The store's own handle of this entry (a stream entry id): what [`Store::ack`] takes.
    pub handle: String,
    /// The delivery.
    pub delivery: Incoming,
    /// How many times it has been handed out, this time included (1 the first time).
    pub attempt: u32,
}

/// Why a store could not do what was asked. The intake answers `503` with `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached or failed.
    #[error("the delivery store is unavailable: {0}")]
    Unavailable(String),
    /// The store holds as many deliveries as it may: consumers are behind.
    #[error(
        "the delivery store is full ({0} deliveries waiting): consumers are behind; add consumers or raise the cap"
    )]
    Full(usize),
}

/// Settings every store has.
#[derive(Debug, Clone, Copy)]
pub struct StoreSettings {
    /// The most deliveries stored and not yet acknowledged; beyond it `put` fails with
    /// [`StoreError::Full`] (default 100,000).
    pub capacity: usize,
    /// How long a delivery handed to a consumer stays its own before another may take it
    /// (default 30 s): longer than a consumer's longest work on one delivery.
    pub visibility_timeout: Duration,
    /// How many times a delivery is handed out before it goes to the dead letters (default 5).
    pub max_attempts: u32,
    /// How long a delivery id is remembered after it was stored, so that a sender's retry is
    /// not stored twice (default 24 hours: longer than any sender's retry schedule). It is also
    /// the intake's replay guard, so keep it longer than the verifiers' tolerance window.
    pub remember_ids_for: Duration,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            capacity: 100_000,
            visibility_timeout: Duration::from_secs(30),
            max_attempts: 5,
            remember_ids_for: Duration::from_secs(24 * 3600),
        }
    }
}

/// Where an intake stores verified deliveries and consumers take them: implement it for
/// another engine. Every method is one round trip where the engine allows; `put` must store a
/// delivery durably before it returns [`Stored::New`], and must store an id at most once.
pub trait Store: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `delivery` unless its id is held already.
    fn put<'a>(&'a self, delivery: &'a Incoming) -> BoxFuture<'a, Result<Stored, StoreError>>;

    /// Up to `max` deliveries for `consumer`: first those another consumer took and did not
    /// acknowledge within the visibility timeout (a delivery handed out `max_attempts` times
    /// goes to the dead letters instead), then new ones; waits up to `wait` when there is none.
    fn take<'a>(
        &'a self,
        consumer: &'a str,
        max: usize,
        wait: Duration,
    ) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>>;

    /// Acknowledges the entry `handle`: it is done and leaves the store.
    fn ack<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Up to `max` dead letters, oldest first.
    fn dead_letters<'a>(&'a self, max: usize) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>>;

    /// Puts the dead letter `handle` back for the consumers (its attempts counted anew); false
    /// when there is no such dead letter.
    fn redrive<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<bool, StoreError>>;
}
