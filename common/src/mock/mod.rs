//! Building blocks for the API simulators the client crates ship behind their `mock` features
//! (feature `mock`), one small module each:
//! - [`http`]: what a handler sees and answers ([`Request`], [`Response`], [`Respond`]);
//! - [`server`]: the one server a simulator runs on ([`serve`]: reads each request whole,
//!   compresses answers when asked, drops connections on request, counts bytes on the wire,
//!   keeps a log of recent requests);
//! - [`faults`]: the fault layer every simulator shares ([`Faults`]: throttle, fail, slow down,
//!   a server-side rate limit, count API requests, catch a handler's panic);
//! - [`tokens`]: the token desk every OAuth2 simulator keeps ([`TokenDesk`]);
//! - [`outbound`]: what a simulator may contact itself (webhooks, callbacks): loopback only,
//!   no redirect, no proxy, a bounded queue ([`Outbound`]);
//! - and the macros that give every `Simulator` the same methods.
//!
//! Each simulator is one handler over its API's state, served by [`serve`] behind
//! [`Faults::wrap`]; no simulator needs wiremock (which stays a dev-dependency for tests that
//! want canned answers).

mod compression;
pub mod faults;
pub mod http;
pub mod outbound;
pub mod server;
pub mod tokens;

pub use faults::{Faults, FaultyResponder};
pub use http::{Request, Respond, Response};
pub use outbound::{Outbound, Refused, Slot};
pub use server::{Bound, Logged, SimServer, bind, serve};
pub use tokens::{TokenCheck, TokenDesk, bearer};

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

/// What every `Simulator` has, in one place: `Simulator::builder()`, a `Debug` that shows its
/// address, and the fault controls of [`simulator_fault_methods!`](crate::simulator_fault_methods).
/// Expand it at module level where `Simulator` (with `server` and `faults` fields) and a
/// `SimulatorBuilder: Default` are defined.
#[macro_export]
macro_rules! simulator_common {
    () => {
        impl ::std::fmt::Debug for Simulator {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Simulator")
                    .field("uri", &self.server.uri())
                    .finish_non_exhaustive()
            }
        }

        impl Simulator {
            /// Configures a simulator.
            pub fn builder() -> SimulatorBuilder {
                SimulatorBuilder::default()
            }

            $crate::simulator_fault_methods!();
        }
    };
}

/// The fault controls on a `Simulator` with a `faults: edu_common::mock::Faults` field and a
/// `server: edu_common::mock::SimServer` field: `fail_next`, `throttle_next`, `set_latency` and
/// `drop_next`, and what a test reads back: `api_requests` and `bytes_sent`.
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

        /// Adds this delay to every API answer (token requests are answered at once).
        pub fn set_latency(&self, d: ::std::time::Duration) {
            self.faults.set_latency(d);
        }

        /// The next `n` requests are handled (a write takes effect) but their connections are
        /// closed before the answer reaches the client: the client's retry path, without a proxy.
        pub fn drop_next(&self, n: usize) {
            self.server.drop_next(n);
        }

        /// API requests received so far (token requests are not counted), answered or faulted:
        /// what a test asserts a client sent.
        pub fn api_requests(&self) -> usize {
            self.faults.api_requests()
        }

        /// What each panic inside this simulator's handlers said (each was answered 500 in the
        /// API's error body, never a dropped connection). Empty unless the simulator has a bug.
        pub fn panics(&self) -> ::std::vec::Vec<::std::string::String> {
            self.faults.panics()
        }

        /// Enforces a budget of `max` API requests per `window` in this simulator, as a server
        /// would: a request over it is answered 429 with `Retry-After`. `None` lifts it.
        pub fn set_rate_limit(&self, limit: ::std::option::Option<(u32, ::std::time::Duration)>) {
            self.faults.set_rate_limit(limit);
        }

        /// Logs every request to standard error as one JSON line (`method`, `path`, `status`,
        /// `operation` where known), or stops.
        pub fn log_requests(&self, on: bool) {
            self.server.log_requests(on);
        }

        /// Bytes this simulator has written to clients: answers as they went on the wire
        /// (compressed when the client asked for it), status lines and headers included.
        pub fn bytes_sent(&self) -> u64 {
            self.server.bytes_sent()
        }

        /// The requests this simulator received (the most recent 10,000, token requests
        /// included), oldest first, each with its status and the operation that answered it:
        /// what a test asserts a client sent (a query parameter, a header, a body).
        pub fn requests(&self) -> ::std::vec::Vec<$crate::mock::Logged> {
            self.server.requests()
        }
    };
}
