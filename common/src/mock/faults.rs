//! The fault controls every simulator shares (fail, throttle, slow down, a server-side rate
//! limit, count API requests) and the layer that catches a handler's panic.

use std::time::Duration;

use super::http::{Request, Respond, Response};

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
    /// Requests the faults apply to (API requests), faulted or not.
    api_requests: usize,
    /// What each panic inside the simulator's handlers said (each was answered 500).
    panics: Vec<String>,
    /// A server-side budget on API requests, answered 429 with `Retry-After` when spent.
    limit: Option<crate::limiter::WindowLog>,
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

    /// Enforces a budget of `max` API requests per `window` as a server would: a request over
    /// it is answered 429 with `Retry-After` (whole seconds, rounded up). `None` lifts it.
    pub fn set_rate_limit(&self, limit: Option<(u32, Duration)>) {
        self.lock().limit = limit.map(|(n, w)| crate::limiter::WindowLog::new(n, w));
    }

    /// A delay added to every answer the faults apply to (API requests: a token request is
    /// answered at once, as a token endpoint is not what a test slows down).
    pub fn set_latency(&self, d: Duration) {
        self.lock().latency = d;
    }

    /// API requests received so far (the requests the faults apply to: token requests are not
    /// counted), answered or faulted.
    pub fn api_requests(&self) -> usize {
        self.lock().api_requests
    }

    /// What each panic inside the simulator's handlers said, oldest first. Each was caught and
    /// answered 500 in the API's error body instead of dropping the connection; a simulator
    /// that is right has none, so a test can assert this is empty.
    pub fn panics(&self) -> Vec<String> {
        self.lock().panics.clone()
    }

    /// Wraps a simulator's responder: a queued fault answers instead of it (for the requests
    /// `applies` selects, such as API calls but not token requests), in the API's own error
    /// body from `body(status, message)`, and those requests' answers get the latency.
    pub fn wrap<R: Respond>(
        &self,
        inner: R,
        applies: fn(&Request) -> bool,
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
    applies: fn(&Request) -> bool,
    body: fn(u16, &str) -> serde_json::Value,
}

impl<R: Respond> FaultyResponder<R> {
    /// The inner responder's answer; a panic in it is answered 500 in the API's error body and
    /// recorded (see [`Faults::panics`]), never a dropped connection.
    fn respond_caught(&self, req: &Request) -> Response {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.inner.respond(req))) {
            Ok(template) => template,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                let shown = format!("{} {}: {message}", req.method, req.url.path());
                self.faults.lock().panics.push(shown);
                Response::new(500).set_body_json((self.body)(
                    500,
                    &format!(
                        "internal error in the simulator (a bug, please report it): {message}"
                    ),
                ))
            }
        }
    }
}

impl<R: Respond> Respond for FaultyResponder<R> {
    fn respond(&self, req: &Request) -> Response {
        let (fault, latency) = if (self.applies)(req) {
            let mut s = self.faults.lock();
            s.api_requests += 1;
            let over = s
                .limit
                .as_mut()
                .and_then(|l| l.record(tokio::time::Instant::now()).err());
            match over {
                Some(wait) => (
                    Some(Fault::Throttle(wait.as_secs_f64().ceil().max(1.0) as u64)),
                    s.latency,
                ),
                None => (s.queue.pop_front(), s.latency),
            }
        } else {
            (None, Duration::ZERO)
        };
        let template = match fault {
            Some(Fault::Status(status)) => {
                Response::new(status).set_body_json((self.body)(status, "simulated failure"))
            }
            Some(Fault::Throttle(secs)) => Response::new(429)
                .set_body_json((self.body)(429, "Too Many Requests"))
                .insert_header("retry-after", secs.to_string().as_str()),
            None => self.respond_caught(req),
        };
        if latency.is_zero() {
            template
        } else {
            template.set_delay(latency)
        }
    }
}
