//! The replay guard shared by replicas through Redis.

use std::time::Duration;

use futures::future::BoxFuture;

use super::replay::{MemoryReplayGuard, ReplayGuard};
use crate::shared::RedisStore;

/// A [`ReplayGuard`] in Redis: a delivery accepted by one replica is refused by every other.
/// Keys are stored under the store's prefix, hashed (a signature is not kept in the clear).
/// While Redis is unavailable, each replica falls back to its own memory (a replay sent to
/// another replica in that time is then not caught), and says so once in the log.
#[derive(Debug)]
pub struct SharedReplayGuard {
    store: RedisStore,
    scope: String,
    fallback: MemoryReplayGuard,
}

impl SharedReplayGuard {
    /// A guard in `store`, for deliveries of one kind (`scope`, such as `eduframe-webhooks`).
    pub fn new(store: RedisStore, scope: impl Into<String>) -> Self {
        SharedReplayGuard {
            store,
            scope: scope.into(),
            fallback: MemoryReplayGuard::default(),
        }
    }
}

impl ReplayGuard for SharedReplayGuard {
    fn first_sighting<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            // Remember locally too, so the fallback knows what this replica accepted.
            let local = self.fallback.check(key, keep_for);
            match self.store.first_sighting(&self.scope, key, keep_for).await {
                Some(first) => first && local,
                None => local,
            }
        })
    }
}
