//! The in-memory store: for tests and a single process (gone with the process).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::store::{Entry, Incoming, Store, StoreError, StoreSettings, Stored};

/// A [`Store`] in this process's memory, with the same semantics as the Redis one (capacity,
/// visibility timeout, attempts, dead letters, ids remembered). Not durable: use it in tests,
/// or where losing what was stored with the process is acceptable.
#[derive(Debug, Default)]
pub struct MemoryStore {
    settings: StoreSettings,
    state: Mutex<State>,
    arrived: Notify,
}

#[derive(Debug, Default)]
struct State {
    next: u64,
    /// Stored, not yet handed out.
    ready: VecDeque<(String, Incoming, u32)>,
    /// Handed out: handle -> (delivery, attempts, taken at).
    pending: HashMap<String, (Incoming, u32, Instant)>,
    /// Ids stored, and until when they are remembered.
    seen: HashMap<String, Instant>,
    dead: Vec<(String, Incoming, u32)>,
}

impl MemoryStore {
    /// A store with these settings.
    pub fn new(settings: StoreSettings) -> Self {
        MemoryStore {
            settings,
            ..MemoryStore::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Hands out what is ready (expired pending first); `None` when there is nothing.
    fn hand_out(&self, max: usize) -> Vec<Entry> {
        let now = Instant::now();
        let mut s = self.lock();
        let State {
            ready,
            pending,
            dead,
            ..
        } = &mut *s;
        let mut out = Vec::new();
        let expired: Vec<String> = pending
            .iter()
            .filter(|(_, (_, _, at))| now.duration_since(*at) >= self.settings.visibility_timeout)
            .map(|(h, _)| h.clone())
            .collect();
        for handle in expired {
            if out.len() == max {
                break;
            }
            let Some((delivery, attempts, _)) = pending.remove(&handle) else {
                continue;
            };
            if attempts >= self.settings.max_attempts {
                dead.push((handle, delivery, attempts));
                continue;
            }
            pending.insert(handle.clone(), (delivery.clone(), attempts + 1, now));
            out.push(Entry {
                handle,
                delivery,
                attempt: attempts + 1,
            });
        }
        while out.len() < max {
            let Some((handle, delivery, attempts)) = ready.pop_front() else {
                break;
            };
            pending.insert(handle.clone(), (delivery.clone(), attempts + 1, now));
            out.push(Entry {
                handle,
                delivery,
                attempt: attempts + 1,
            });
        }
        out
    }
}

impl Store for MemoryStore {
    fn put<'a>(&'a self, delivery: &'a Incoming) -> BoxFuture<'a, Result<Stored, StoreError>> {
        let now = Instant::now();
        let outcome = {
            let mut s = self.lock();
            s.seen.retain(|_, until| *until > now);
            if s.seen.contains_key(&delivery.id) {
                Ok(Stored::Duplicate)
            } else if s.ready.len() + s.pending.len() >= self.settings.capacity {
                Err(StoreError::Full(s.ready.len() + s.pending.len()))
            } else {
                let until = now
                    .checked_add(self.settings.remember_ids_for)
                    .unwrap_or(now + Duration::from_secs(86_400));
                s.seen.insert(delivery.id.clone(), until);
                s.next += 1;
                let handle = format!("{}-0", s.next);
                s.ready.push_back((handle, delivery.clone(), 0));
                Ok(Stored::New)
            }
        };
        if outcome == Ok(Stored::New) {
            self.arrived.notify_waiters();
        }
        Box::pin(async move { outcome })
    }

    fn take<'a>(
        &'a self,
        _consumer: &'a str,
        max: usize,
        wait: Duration,
    ) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>> {
        Box::pin(async move {
            let until = Instant::now() + wait;
            loop {
                let arrived = self.arrived.notified();
                let out = self.hand_out(max.max(1));
                if !out.is_empty() {
                    return Ok(out);
                }
                // Woken by a new delivery, or when a pending one's visibility may have ended.
                let tick = self
                    .settings
                    .visibility_timeout
                    .min(Duration::from_millis(100));
                let now = Instant::now();
                if now >= until {
                    return Ok(Vec::new());
                }
                let _ = tokio::time::timeout((until - now).min(tick), arrived).await;
            }
        })
    }

    fn ack<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        self.lock().pending.remove(handle);
        Box::pin(async { Ok(()) })
    }

    fn dead_letters<'a>(&'a self, max: usize) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>> {
        let out = self
            .lock()
            .dead
            .iter()
            .take(max)
            .map(|(handle, delivery, attempts)| Entry {
                handle: handle.clone(),
                delivery: delivery.clone(),
                attempt: *attempts,
            })
            .collect();
        Box::pin(async move { Ok(out) })
    }

    fn redrive<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let found = {
            let mut s = self.lock();
            match s.dead.iter().position(|(h, ..)| h == handle) {
                Some(i) => {
                    let (h, delivery, _) = s.dead.remove(i);
                    s.ready.push_back((h, delivery, 0));
                    true
                }
                None => false,
            }
        };
        if found {
            self.arrived.notify_waiters();
        }
        Box::pin(async move { Ok(found) })
    }
}
