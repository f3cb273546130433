//! "Never twice": remembering the deliveries accepted, for as long as they would verify again.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

// Tokio's clock (the system's outside a runtime), so that tests can pause and advance it.
use tokio::time::Instant;

use futures::future::BoxFuture;

/// Remembers accepted deliveries so the same one is refused the second time.
///
/// A verifier asks after every other check has passed, with a key that identifies the delivery
/// (a digest of its signed bytes, [`replay_key`](super::replay_key)) and how long to keep it:
/// until its timestamp no longer passes, plus a margin for clock skew
/// ([`keep_for`](super::keep_for)). `keep_for` may be as long as [`Duration::MAX`] (a verifier
/// whose tolerance is turned off): a guard must saturate, never overflow.
pub trait ReplayGuard: Send + Sync + std::fmt::Debug {
    /// True the first time `key` is seen within `keep_for`, false after that.
    fn first_sighting<'a>(&'a self, key: &'a str, keep_for: Duration) -> BoxFuture<'a, bool>;
}

/// What "forever" is for a key whose `keep_for` is beyond what an [`Instant`] can hold.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 86_400);

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
        // A window too long for the clock is kept as long as it can represent.
        let expires = now
            .checked_add(keep_for)
            .or_else(|| now.checked_add(FOREVER))
            .unwrap_or(now + Duration::from_secs(86_400));
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

    #[tokio::test(start_paused = true)]
    async fn a_key_passes_once_until_it_expires_and_not_a_moment_before() {
        let guard = MemoryReplayGuard::new(10);
        let keep = Duration::from_millis(50);
        assert!(guard.check("a", keep));
        assert!(!guard.check("a", keep));
        assert!(guard.check("b", keep));
        tokio::time::advance(keep - Duration::from_millis(1)).await;
        assert!(!guard.check("a", keep), "still within its window");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(guard.check("a", keep), "expired");
    }

    #[test]
    fn a_window_beyond_the_clock_saturates() {
        let guard = MemoryReplayGuard::new(10);
        assert!(guard.check("a", Duration::MAX));
        assert!(!guard.check("a", Duration::MAX));
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
