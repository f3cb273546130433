//! Reading what the intake stored: deliveries, one at a time, each acknowledged when done.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::store::{Entry, Store, StoreError};

/// Takes deliveries from a [`Store`] for one named consumer (name each process or task: a
/// consumer group member in Redis). At least once: see the [module docs](super).
#[derive(Debug)]
pub struct Consumer {
    store: Arc<dyn Store>,
    name: String,
    batch: usize,
    wait: Duration,
    buffer: VecDeque<Entry>,
}

impl Consumer {
    /// A consumer named `name` (unique among the consumers of this store).
    pub fn new(store: Arc<dyn Store>, name: impl Into<String>) -> Self {
        Consumer {
            store,
            name: name.into(),
            batch: 16,
            wait: Duration::from_secs(2),
            buffer: VecDeque::new(),
        }
    }

    /// How many deliveries to take from the store at once (default 16; each stays this
    /// consumer's until acknowledged or its visibility timeout ends).
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }

    /// The next delivery, waiting for one. Fails only when the store does (then try again: what
    /// was taken and not acknowledged is handed out again).
    pub async fn next(&mut self) -> Result<Delivery, StoreError> {
        loop {
            if let Some(entry) = self.buffer.pop_front() {
                return Ok(Delivery {
                    entry,
                    store: self.store.clone(),
                });
            }
            let taken = self.store.take(&self.name, self.batch, self.wait).await?;
            self.buffer.extend(taken);
        }
    }
}

/// One stored delivery. [`Delivery::ack`] when its work is done; dropped without it, it is
/// handed out again after the store's visibility timeout, with the same [`id`](Self::id).
#[derive(Debug)]
#[must_use = "a delivery that is not acknowledged is handed out again"]
pub struct Delivery {
    entry: Entry,
    store: Arc<dyn Store>,
}

impl Delivery {
    /// Its delivery id: the same each time it is handed out, and for a sender's retry of it.
    /// Make the work idempotent by it.
    pub fn id(&self) -> &str {
        &self.entry.delivery.id
    }

    /// The API it came from (`eduframe`, `onderwijsregio`).
    pub fn api(&self) -> &str {
        &self.entry.delivery.api
    }

    /// The raw bytes, exactly as signed and verified.
    pub fn body(&self) -> &Bytes {
        &self.entry.delivery.body
    }

    /// When the intake received it (Unix milliseconds).
    pub fn received_at_ms(&self) -> u64 {
        self.entry.delivery.received_at_ms
    }

    /// How many times it has been handed out, this time included (1 the first time).
    pub fn attempt(&self) -> u32 {
        self.entry.attempt
    }

    /// The body, decoded: `delivery.parse::<eduframe_client::webhooks::Notification>()`, or any
    /// type of yours. A body that does not decode is an [`Error::Decode`](crate::Error::Decode)
    /// (then acknowledge it, or let it reach the dead letters).
    pub fn parse<T: DeserializeOwned>(&self) -> crate::Result<T> {
        crate::Error::decode_json(self.api(), self.body())
    }

    /// Done: the delivery leaves the store.
    pub async fn ack(self) -> Result<(), StoreError> {
        self.store.ack(&self.entry.handle).await
    }
}
