//! Client-side pacing: a request budget per time window, and the shared pause after a 429.
//!
//! Both are held behind an `Arc` in the transport, so every clone of a client shares them.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A budget of `max_requests` per `window`, such as Eduframe's 500 requests per 5 minutes.
///
/// The limiter keeps the send times of the last `max_requests` requests (a sliding-window log),
/// so no window of that length ever holds more than the budget, whatever window the server
/// counts in. A request that would exceed it waits until the oldest one leaves the window.
///
/// ```
/// # use edu_common::RateLimit;
/// # use std::time::Duration;
/// let eduframe = RateLimit::new(500, Duration::from_secs(300));
/// assert_eq!(eduframe.max_requests(), 500);
/// ```
#[derive(Debug)]
pub struct RateLimit {
    max: u32,
    window: Duration,
    /// Waiters take turns (the lock is fair and held across their sleep), so pacing never
    /// starves a caller.
    turn: tokio::sync::Mutex<()>,
    /// The log itself, held only for a moment: a request completing never waits for a waiter.
    log: Mutex<WindowLog>,
}

impl RateLimit {
    /// A limiter allowing `max_requests` (at least 1) in any `window`.
    pub fn new(max_requests: u32, window: Duration) -> Self {
        RateLimit {
            max: max_requests.max(1),
            window,
            turn: tokio::sync::Mutex::new(()),
            log: Mutex::new(WindowLog::new(max_requests, window)),
        }
    }

    /// The budget per window.
    pub fn max_requests(&self) -> u32 {
        self.max
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Waits until one more request fits in the budget and records it. Returns how long it waited.
    ///
    /// Waiters are served in arrival order, so pacing never starves a caller.
    pub async fn acquire(&self) -> Duration {
        self.wait_for_slot(|now| now).await.0
    }

    /// Admits one request that is about to be sent, holding its slot as if it were sent now
    /// until [`complete`](Self::complete) restamps it with the time its answer came (or `hold`
    /// has passed). Returns how long it waited and the ticket to complete.
    ///
    /// A server counts a request when it arrives, which is after the client admitted it (after
    /// credentials, a connection, a busy scheduler). Stamping a request when it is admitted lets
    /// one admitted early but delayed, and one admitted a window later but prompt, reach the
    /// server less than a window apart: a 429 the budget had not earned. A request in flight
    /// counts as present, and a finished one from when its answer came (never before the server
    /// saw it), so the server never sees more than the budget in any window.
    pub async fn acquire_in_flight(&self, hold: Duration) -> (Duration, InFlight) {
        let (waited, stamp) = self.wait_for_slot(|now| later(now, hold)).await;
        (waited, InFlight(stamp))
    }

    /// Restamps a request admitted with [`acquire_in_flight`](Self::acquire_in_flight) with now,
    /// the time its answer (or its failure) came. Never waits.
    pub fn complete(&self, ticket: InFlight) {
        self.lock_log().restamp(ticket.0, Instant::now());
    }

    /// Waits for a slot and records the request under `stamp(now)`; how long it waited, and the
    /// stamp.
    async fn wait_for_slot(&self, stamp: impl Fn(Instant) -> Instant) -> (Duration, Instant) {
        let start = Instant::now();
        // Waited: behind another request's turn, or for a slot. A request admitted at once
        // reports no wait (not the microseconds the bookkeeping took).
        let (_turn, mut waited) = match self.turn.try_lock() {
            Ok(turn) => (turn, false),
            Err(_) => (self.turn.lock().await, true),
        };
        loop {
            let now = Instant::now();
            let at = stamp(now);
            let recorded = self.lock_log().record_at(now, at);
            match recorded {
                Ok(()) if !waited => return (Duration::ZERO, at),
                Ok(()) => return (now.duration_since(start), at),
                Err(wait) => {
                    waited = true;
                    tokio::time::sleep_until(later(now, wait)).await
                }
            }
        }
    }

    fn lock_log(&self) -> std::sync::MutexGuard<'_, WindowLog> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The sliding-window log behind a budget of `max` requests per `window`: the send times of the
/// last `max` requests. [`RateLimit`] paces with it; a server (or a simulator of one) can enforce
/// the same budget with it.
///
/// ```
/// # use edu_common::WindowLog;
/// # use std::time::Duration;
/// use tokio::time::Instant;
/// let mut log = WindowLog::new(2, Duration::from_secs(10));
/// let t = Instant::now();
/// assert!(log.record(t).is_ok());
/// assert!(log.record(t).is_ok());
/// assert_eq!(log.record(t + Duration::from_secs(4)), Err(Duration::from_secs(6)));
/// assert!(log.record(t + Duration::from_secs(10)).is_ok());
/// ```
#[derive(Debug)]
pub struct WindowLog {
    max: usize,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl WindowLog {
    /// A log for `max` (at least 1) requests per `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        let max = max.max(1) as usize;
        WindowLog {
            max,
            window,
            sent: VecDeque::with_capacity(max),
        }
    }

    /// Records a request at `now` when it fits in the budget; otherwise how long until it would.
    pub fn record(&mut self, now: Instant) -> Result<(), Duration> {
        self.record_at(now, now)
    }

    /// Records a request checked at `now` under the stamp `stamp` (later than `now` for a
    /// request in flight); otherwise how long until it would fit.
    fn record_at(&mut self, now: Instant, stamp: Instant) -> Result<(), Duration> {
        let window = self.window;
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.sent.pop_front();
        }
        match self.sent.front() {
            // Every slot is held by a request still in flight: look again shortly.
            Some(oldest) if self.sent.len() >= self.max && *oldest > now => {
                Err(IN_FLIGHT_POLL.min(later(*oldest, window).saturating_duration_since(now)))
            }
            Some(oldest) if self.sent.len() >= self.max => {
                Err(later(*oldest, window).saturating_duration_since(now))
            }
            _ => {
                self.insert(stamp);
                Ok(())
            }
        }
    }

    /// Inserts in order even when stamps come slightly out of order (a server stamping arrivals
    /// from several threads), so the front is always the oldest.
    fn insert(&mut self, stamp: Instant) {
        let at = self
            .sent
            .iter()
            .rposition(|t| *t <= stamp)
            .map_or(0, |i| i + 1);
        self.sent.insert(at, stamp);
    }

    /// Moves the entry stamped `old` to `new`.
    fn restamp(&mut self, old: Instant, new: Instant) {
        if let Some(i) = self.sent.iter().rposition(|t| *t == old) {
            self.sent.remove(i);
            self.insert(new.min(old));
        }
    }
}

/// A request admitted by [`RateLimit::acquire_in_flight`], to be completed when its answer comes.
#[derive(Debug, Clone, Copy)]
pub struct InFlight(Instant);

/// How often a limiter whose every slot is in flight looks again.
const IN_FLIGHT_POLL: Duration = Duration::from_millis(10);

/// `now + wait`, saturating far in the future instead of overflowing.
pub(crate) fn later(now: Instant, wait: Duration) -> Instant {
    now.checked_add(wait)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

/// The pause every request of a client observes after the server said "slow down".
///
/// When one request gets a 429 with `Retry-After: 30`, the other requests in flight or about to
/// start wait out the same 30 seconds instead of each discovering the limit with a 429 of its own.
#[derive(Debug, Default)]
pub struct PauseGate {
    until: Mutex<Option<Instant>>,
}

impl PauseGate {
    /// Pauses every request until `now + wait` (never shortens an existing pause).
    pub fn pause_for(&self, wait: Duration) {
        let until = later(Instant::now(), wait);
        let mut guard = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none_or(|u| u < until) {
            *guard = Some(until);
        }
    }

    /// When the current pause ends, if one is in force.
    pub fn paused_until(&self) -> Option<Instant> {
        let guard = self.until.lock().unwrap_or_else(|p| p.into_inner());
        guard.filter(|u| *u > Instant::now())
    }

    /// Waits out the current pause, if any. Returns how long it waited.
    pub async fn wait(&self) -> Duration {
        if self.paused_until().is_none() {
            return Duration::ZERO;
        }
        let start = Instant::now();
        while let Some(until) = self.paused_until() {
            tokio::time::sleep_until(until).await;
        }
        Instant::now().duration_since(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn limiter_never_exceeds_budget_in_any_window() {
        let lim = Arc::new(RateLimit::new(5, Duration::from_secs(10)));
        let start = Instant::now();
        let mut stamps = Vec::new();
        for _ in 0..17 {
            lim.acquire().await;
            stamps.push(Instant::now().duration_since(start));
        }
        // First five immediately, the next five at 10 s, then 20 s, then 30 s.
        assert_eq!(stamps[4], Duration::ZERO);
        assert_eq!(stamps[5], Duration::from_secs(10));
        assert_eq!(stamps[15], Duration::from_secs(30));
        for (i, t) in stamps.iter().enumerate() {
            let in_window = stamps[..=i]
                .iter()
                .filter(|s| *t - **s < Duration::from_secs(10))
                .count();
            assert!(in_window <= 5);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pause_is_shared_and_never_shortened() {
        let gate = PauseGate::default();
        gate.pause_for(Duration::from_secs(30));
        gate.pause_for(Duration::from_secs(5));
        let waited = gate.wait().await;
        assert_eq!(waited, Duration::from_secs(30));
        assert_eq!(gate.wait().await, Duration::ZERO);
    }

    /// A request in flight holds its slot; once answered it counts from the answer, so a request
    /// admitted early but answered late still keeps the next one a whole window after it.
    #[tokio::test(start_paused = true)]
    async fn in_flight_requests_hold_their_slot_until_answered() {
        let limit = RateLimit::new(2, Duration::from_secs(1));
        let hold = Duration::from_secs(30);
        let (_, first) = limit.acquire_in_flight(hold).await;
        let (_, second) = limit.acquire_in_flight(hold).await;
        limit.complete(second);
        tokio::time::advance(Duration::from_millis(1500)).await;
        // Both slots are taken: the first is still in flight, the second answered 1.5 s ago...
        // only the second's slot frees, and it already has.
        let third =
            tokio::time::timeout(Duration::from_millis(100), limit.acquire_in_flight(hold)).await;
        assert!(third.is_ok(), "the answered request's window has passed");
        let fourth =
            tokio::time::timeout(Duration::from_secs(5), limit.acquire_in_flight(hold)).await;
        assert!(
            fourth.is_err(),
            "the first is still in flight and holds its slot"
        );
        limit.complete(first);
        let started = Instant::now();
        let (_, _fifth) = limit.acquire_in_flight(hold).await;
        // It counts from its answer (now), so the next slot opens a window later.
        assert!(
            started.elapsed() >= Duration::from_millis(990),
            "{:?}",
            started.elapsed()
        );
    }
}
