//! Building blocks for the API simulators the client crates ship behind their `mock` features
//! (feature `mock`): the token desk every OAuth2 simulator keeps.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The `port` and `start` methods every simulator builder has. Expand it in the `impl` of a
/// builder with a `port: Option<u16>` field and an
/// `async fn try_start(self) -> std::io::Result<Simulator>` of its own.
#[macro_export]
macro_rules! simulator_start_methods {
    () => {
        /// Listens on this loopback port (default: any free port).
        pub fn port(mut self, port: u16) -> Self {
            self.port = Some(port);
            self
        }

        /// Starts the simulator.
        ///
        /// # Panics
        /// When a [`port`](Self::port) was chosen and cannot be listened on; use
        /// [`try_start`](Self::try_start) to get that as an error.
        pub async fn start(self) -> Simulator {
            let port = self.port;
            self.try_start()
                .await
                .unwrap_or_else(|e| panic!("the simulator cannot listen on port {port:?}: {e}"))
        }
    };
}

/// Starts the wiremock server a simulator runs on: `127.0.0.1:port`, or any free loopback port
/// when `port` is `None`. Every simulator's `SimulatorBuilder::port` ends up here.
pub async fn server(port: Option<u16>) -> std::io::Result<wiremock::MockServer> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))?;
    Ok(wiremock::MockServer::builder()
        .listener(listener)
        .start()
        .await)
}

/// The tokens a simulated token endpoint has issued, each with its expiry and a tag (the tenant it
/// belongs to, say; `()` when there is nothing to tell tokens apart by).
///
/// ```
/// use edu_common::mock::{TokenCheck, TokenDesk};
/// use std::time::Duration;
/// let mut desk: TokenDesk = TokenDesk::new("sim-token", Duration::from_secs(60));
/// let token = desk.issue(());
/// assert_eq!(token, "sim-token-1");
/// assert_eq!(desk.check(Some(&token)), TokenCheck::Valid(&()));
/// desk.expire_all();
/// assert_eq!(desk.check(Some(&token)), TokenCheck::Unknown);
/// assert_eq!(desk.check(None), TokenCheck::Missing);
/// assert_eq!(desk.issued(), 1);
/// ```
#[derive(Debug)]
pub struct TokenDesk<T = ()> {
    prefix: String,
    lifetime: Duration,
    issued: usize,
    live: HashMap<String, (T, Instant)>,
}

/// What [`TokenDesk::check`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenCheck<'a, T> {
    /// A live token, with its tag.
    Valid(&'a T),
    /// No token was presented.
    Missing,
    /// A token this desk never issued (or forgot with [`TokenDesk::expire_all`]).
    Unknown,
    /// A token past its lifetime.
    Expired,
}

impl<T> TokenCheck<'_, T> {
    /// True for [`TokenCheck::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, TokenCheck::Valid(_))
    }
}

impl<T> TokenDesk<T> {
    /// A desk issuing `{prefix}-1`, `{prefix}-2`... valid for `lifetime`.
    pub fn new(prefix: impl Into<String>, lifetime: Duration) -> Self {
        TokenDesk {
            prefix: prefix.into(),
            lifetime,
            issued: 0,
            live: HashMap::new(),
        }
    }

    /// The lifetime of new tokens (the `expires_in` to answer).
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Issues a token tagged `tag`.
    pub fn issue(&mut self, tag: T) -> String {
        self.issued += 1;
        let token = format!("{}-{}", self.prefix, self.issued);
        self.live
            .insert(token.clone(), (tag, Instant::now() + self.lifetime));
        token
    }

    /// Whether `token` (as presented, if at all) is live.
    pub fn check(&self, token: Option<&str>) -> TokenCheck<'_, T> {
        let Some(token) = token else {
            return TokenCheck::Missing;
        };
        match self.live.get(token) {
            None => TokenCheck::Unknown,
            Some((_, expiry)) if *expiry <= Instant::now() => TokenCheck::Expired,
            Some((tag, _)) => TokenCheck::Valid(tag),
        }
    }

    /// Forgets every token: the next request with one is refused.
    pub fn expire_all(&mut self) {
        self.live.clear();
    }

    /// How many tokens were issued.
    pub fn issued(&self) -> usize {
        self.issued
    }
}

/// The token of an `Authorization: Bearer ...` header (the scheme in any case).
pub fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The fault controls every simulator offers, in one place: fail the next N requests with a
/// status, throttle the next N with a `Retry-After`, and add latency to every answer. Cheap to
/// clone; clones share the queue.
///
/// A simulator wraps its responder with [`Faults::wrap`] and exposes the controls on its
/// `Simulator` with [`simulator_fault_methods!`](crate::simulator_fault_methods).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    state: std::sync::Arc<std::sync::Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    queue: std::collections::VecDeque<Fault>,
    latency: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Status(u16),
    Throttle(u64),
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The next `n` requests the faults apply to are answered `status`.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.lock()
            .queue
            .extend(std::iter::repeat_n(Fault::Status(status), n));
    }

    /// The next `n` requests the faults apply to are answered 429 with `Retry-After: secs`.
    pub fn throttle_next(&self, n: usize, retry_after_secs: u64) {
        self.lock()
            .queue
            .extend(std::iter::repeat_n(Fault::Throttle(retry_after_secs), n));
    }

    /// A delay added to every answer.
    pub fn set_latency(&self, d: Duration) {
        self.lock().latency = d;
    }

    /// Wraps a simulator's responder: a queued fault answers instead of it (for the requests
    /// `applies` selects, such as API calls but not token requests), in the API's own error
    /// body from `body(status, message)`, and every answer gets the latency.
    pub fn wrap<R: wiremock::Respond>(
        &self,
        inner: R,
        applies: fn(&wiremock::Request) -> bool,
        body: fn(u16, &str) -> serde_json::Value,
    ) -> FaultyResponder<R> {
        FaultyResponder {
            inner,
            faults: self.clone(),
            applies,
            body,
        }
    }
}

/// A simulator's responder with [`Faults`] in front of it.
pub struct FaultyResponder<R> {
    inner: R,
    faults: Faults,
    applies: fn(&wiremock::Request) -> bool,
    body: fn(u16, &str) -> serde_json::Value,
}

impl<R: wiremock::Respond> wiremock::Respond for FaultyResponder<R> {
    fn respond(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
        let (fault, latency) = {
            let mut s = self.faults.lock();
            let fault = if (self.applies)(req) {
                s.queue.pop_front()
            } else {
                None
            };
            (fault, s.latency)
        };
        let template = match fault {
            Some(Fault::Status(status)) => wiremock::ResponseTemplate::new(status)
                .set_body_json((self.body)(status, "simulated failure")),
            Some(Fault::Throttle(secs)) => wiremock::ResponseTemplate::new(429)
                .set_body_json((self.body)(429, "Too Many Requests"))
                .insert_header("retry-after", secs.to_string().as_str()),
            None => self.inner.respond(req),
        };
        if latency.is_zero() {
            template
        } else {
            template.set_delay(latency)
        }
    }
}

/// The fault controls on a `Simulator` with a `faults: edu_common::mock::Faults` field:
/// `fail_next`, `throttle_next` and `set_latency`.
#[macro_export]
macro_rules! simulator_fault_methods {
    () => {
        /// The next `n` API requests are answered `status` (in the API's error body).
        pub fn fail_next(&self, n: usize, status: u16) {
            self.faults.fail_next(n, status);
        }

        /// The next `n` API requests are answered 429 with `Retry-After: retry_after_secs`.
        pub fn throttle_next(&self, n: usize, retry_after_secs: u64) {
            self.faults.throttle_next(n, retry_after_secs);
        }

        /// Adds this delay to every answer.
        pub fn set_latency(&self, d: ::std::time::Duration) {
            self.faults.set_latency(d);
        }
    };
}
