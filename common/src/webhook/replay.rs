//! "Never twice": remembering the deliveries accepted, for as long as they would verify again.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

/// Remembers accepted deliveries so the same one is refused the second time.
///
/// A verifier asks after every other check has passed, with a key that identifies the delivery
/// (its signature, or the API's nonce) and how long to keep it: the tolerance on both sides of
/// the timestamp, after which the timestamp check refuses a replay anyway.
pub trait ReplayGuard: Send + Sync + std::fmt::Debug {
    /// True the first time `key` is seen within `keep_for`, false after that.
    fn first_sighting<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, bool>;
}

/// A bounded in-process [`ReplayGuard`]: a key is kept for its `keep_for`; beyond `capacity`
/// keys the oldest are dropped first (keep the capacity above your delivery rate times twice
/// the tolerance, or a replay of a dropped key passes this guard while its timestamp is valid).
#[derive(Debug)]
pub struct MemoryReplayGuard {
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    until: HashMap<String, Instant>,
    order: VecDeque<(Instant, String)>,
}

impl MemoryReplayGuard {
    /// A guard that holds at most `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        MemoryReplayGuard {
            capacity: capacity.max(1),
            seen: Mutex::default(),
        }
    }

    /// The check itself, without the future (the shared guard falls back on it).
    pub(crate) fn check(&self, key: &str, keep_for: Duration) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let Seen { until, order } = &mut *seen;
        // Drop what has expired.
        while order.front().is_some_and(|(expires, _)| *expires <= now) {
            drop_oldest(until, order);
        }
        if until.get(key).is_some_and(|expires| *expires > now) {
            return false;
        }
        // Room for one more: the oldest go first.
        while order.len() >= self.capacity {
            drop_oldest(until, order);
        }
        let expires = now + keep_for;
        until.insert(key.to_owned(), expires);
        order.push_back((expires, key.to_owned()));
        true
    }
}

/// Drops the oldest entry (from the map too, unless the key was seen again since).
fn drop_oldest(until: &mut HashMap<String, Instant>, order: &mut VecDeque<(Instant, String)>) {
    if let Some((expires, k)) = order.pop_front()
        && until.get(&k) == Some(&expires)
    {
        until.remove(&k);
    }
}

impl Default for MemoryReplayGuard {
    /// Room for 100,000 deliveries.
    fn default() -> Self {
        MemoryReplayGuard::new(100_000)
    }
}

impl ReplayGuard for MemoryReplayGuard {
    fn first_sighting<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, bool> {
        let first = self.check(key, keep_for);
        Box::pin(async move { first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_passes_once_until_it_expires() {
        let guard = MemoryReplayGuard::new(10);
        assert!(guard.check("a", Duration::from_millis(50)));
        assert!(!guard.check("a", Duration::from_millis(50)));
        assert!(guard.check("b", Duration::from_millis(50)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(guard.check("a", Duration::from_millis(50)), "expired");
    }

    #[test]
    fn beyond_the_capacity_the_oldest_go_first() {
        let guard = MemoryReplayGuard::new(2);
        let long = Duration::from_secs(600);
        assert!(guard.check("a", long));
        assert!(guard.check("b", long));
        assert!(guard.check("c", long));
        assert!(!guard.check("c", long));
        assert!(!guard.check("b", long));
        assert!(guard.check("a", long), "the oldest was dropped");
    }
}
