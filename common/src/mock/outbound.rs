//! What a simulator may contact: the one set of rules for the calls a simulator makes itself
//! (Eduframe's webhook deliveries, Onderwijsregio's callbacks), so that a simulator run in CI
//! or exposed to a fuzzer is never an open relay.
//!
//! - **loopback only** by default (`127.0.0.0/8`, `::1`, `localhost`): a URL given through the
//!   API that names another host is refused before anything is sent, with a reason; a
//!   simulator's builder can lift this (`webhooks_to_any_host`, `callbacks_to_any_host`) for a
//!   simulator in one container delivering to a service in another;
//! - **no redirects** (a receiver cannot bounce a delivery elsewhere), **no system proxy**
//!   (`HTTP_PROXY` in the environment does not route deliveries through another host), a
//!   timeout per attempt;
//! - **a bounded queue**: at most [`Outbound::capacity`] deliveries are in flight or waiting;
//!   beyond that a new one is refused at once (and recorded as failed by the simulator), so a
//!   flood of writes naming a slow URL cannot grow the simulator's memory without end.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a delivery was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The URL does not parse, or is not `http`/`https`.
    BadUrl,
    /// The URL names a host that is not loopback, and the simulator delivers to loopback only.
    NotLoopback,
    /// The queue of deliveries is full.
    QueueFull,
}

impl Refused {
    /// The reason, as recorded by the simulator.
    pub fn reason(self) -> &'static str {
        match self {
            Refused::BadUrl => "not delivered: the URL is not an http or https URL",
            Refused::NotLoopback => {
                "not delivered: the simulator delivers to loopback addresses only (127.0.0.0/8, ::1, localhost)"
            }
            Refused::QueueFull => "not delivered: the simulator's delivery queue is full",
        }
    }
}

/// A simulator's outbound HTTP: the client and the rules. Cheap to clone; clones share the
/// queue.
#[derive(Clone, Debug)]
pub struct Outbound {
    http: reqwest::Client,
    any_host: bool,
    queue: Arc<Semaphore>,
    capacity: usize,
}

/// A place in the queue, held for the whole of one delivery (its retries included).
#[derive(Debug)]
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

impl Outbound {
    /// The most deliveries in flight or waiting, by default.
    pub const DEFAULT_CAPACITY: usize = 1_000;

    /// Loopback only (unless `any_host`), no redirect, no proxy, `timeout` per attempt, the
    /// default capacity.
    pub fn new(any_host: bool, timeout: Duration) -> Outbound {
        Outbound::with_capacity(any_host, timeout, Outbound::DEFAULT_CAPACITY)
    }

    /// The same, with room for `capacity` deliveries.
    pub fn with_capacity(any_host: bool, timeout: Duration, capacity: usize) -> Outbound {
        // A simulator may run with no client in its process (`edu-sim`): its own HTTP client
        // needs the rustls provider the clients install.
        crate::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        let capacity = capacity.max(1);
        Outbound {
            http,
            any_host,
            queue: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// The most deliveries in flight or waiting.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The client to send with (no redirect, no proxy, the timeout).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Whether a delivery to `url` may be made, and a place in the queue for it.
    pub fn admit(&self, url: &str) -> Result<(url::Url, Slot), Refused> {
        let url = url::Url::parse(url).map_err(|_| Refused::BadUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused::BadUrl);
        }
        if !self.any_host && !is_loopback(&url) {
            return Err(Refused::NotLoopback);
        }
        let permit = self
            .queue
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refused::QueueFull)?;
        Ok((url, Slot(permit)))
    }
}

pub use crate::transport::is_loopback;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_admitted_unless_any_host() {
        let out = Outbound::new(false, Duration::from_secs(1));
        for (url, ok) in [
            ("http://127.0.0.1:9/h", true),
            ("http://127.8.9.10/h", true),
            ("http://[::1]:8080/h", true),
            ("http://LOCALHOST/h", true),
            ("https://example.com/h", false),
            ("http://10.0.0.1/h", false),
            ("http://localhost.example.com/h", false),
            ("http://127.0.0.1.nip.io/h", false),
            ("http://[::ffff:10.0.0.1]/h", false),
        ] {
            assert_eq!(out.admit(url).is_ok(), ok, "{url}");
        }
        assert_eq!(out.admit("ftp://127.0.0.1/").unwrap_err(), Refused::BadUrl);
        assert_eq!(out.admit("not a url").unwrap_err(), Refused::BadUrl);
        let any = Outbound::new(true, Duration::from_secs(1));
        assert!(any.admit("https://example.com/h").is_ok());
    }

    #[test]
    fn beyond_the_capacity_a_delivery_is_refused_until_a_slot_is_freed() {
        let out = Outbound::with_capacity(false, Duration::from_secs(1), 2);
        let a = out.admit("http://127.0.0.1/a").unwrap();
        let _b = out.admit("http://127.0.0.1/b").unwrap();
        assert_eq!(
            out.admit("http://127.0.0.1/c").unwrap_err(),
            Refused::QueueFull
        );
        drop(a);
        assert!(out.admit("http://127.0.0.1/c").is_ok());
    }
}
