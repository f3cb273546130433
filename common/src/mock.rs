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

/// Starts the server a simulator runs on: `127.0.0.1:port`, or any free loopback port when
/// `port` is `None`. Every simulator's `SimulatorBuilder::port` ends up here.
///
/// The simulator's wiremock server listens on a port of its own; clients reach it through a
/// small relay on the chosen port, which can drop a connection after the server has answered a
/// request ([`SimServer::drop_next`]): what a client sees when a proxy or a network fails
/// between a server's work and its answer, which wiremock alone cannot do.
pub async fn server(port: Option<u16>) -> std::io::Result<SimServer> {
    let front = std::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))?;
    front.set_nonblocking(true)?;
    let front_addr = front.local_addr()?;
    let back = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let mock = wiremock::MockServer::builder().listener(back).start().await;
    let drops = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::from_std(front)?;
    let backend = *mock.address();
    let relay = tokio::spawn(relay(listener, backend, drops.clone()));
    Ok(SimServer {
        mock,
        front: front_addr,
        drops,
        relay,
    })
}

/// The server a simulator runs on: its wiremock server behind a relay that can drop
/// connections. Dereferences to the [`wiremock::MockServer`] for mounting mocks; [`uri`](Self::uri)
/// is the address clients use.
#[derive(Debug)]
pub struct SimServer {
    mock: wiremock::MockServer,
    front: std::net::SocketAddr,
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    relay: tokio::task::JoinHandle<()>,
}

impl SimServer {
    /// `http://127.0.0.1:port`, the address clients use.
    pub fn uri(&self) -> String {
        format!("http://{}", self.front)
    }

    /// The address clients use.
    pub fn address(&self) -> std::net::SocketAddr {
        self.front
    }

    /// The next `n` requests are handled by the server (a write takes effect) but their
    /// connections are closed before the answer reaches the client.
    pub fn drop_next(&self, n: usize) {
        self.drops.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }
}

impl std::ops::Deref for SimServer {
    type Target = wiremock::MockServer;
    fn deref(&self) -> &wiremock::MockServer {
        &self.mock
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.relay.abort();
    }
}

async fn relay(
    listener: tokio::net::TcpListener,
    backend: std::net::SocketAddr,
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(relay_connection(client, backend, drops.clone()));
    }
}

/// Copies one connection both ways. Each request (the first bytes from the client after an
/// answer) may be marked to drop; the connection of a marked request is closed when the
/// server's answer starts, so the server did the work and the client gets no answer.
async fn relay_connection(
    client: tokio::net::TcpStream,
    backend: std::net::SocketAddr,
    drops: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(server) = tokio::net::TcpStream::connect(backend).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    // Whether a request is under way (bytes sent since the last answer), and whether it drops.
    let in_request = std::sync::Arc::new(AtomicBool::new(false));
    let marked = std::sync::Arc::new(AtomicBool::new(false));
    let upstream = {
        let (in_request, marked) = (in_request.clone(), marked.clone());
        async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                let n = match client_read.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                if !in_request.swap(true, Ordering::SeqCst) {
                    let take = drops
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1))
                        .is_ok();
                    marked.store(take, Ordering::SeqCst);
                }
                if server_write.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
            let _ = server_write.shutdown().await;
        }
    };
    let downstream = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            in_request.store(false, Ordering::SeqCst);
            if marked.load(Ordering::SeqCst) {
                // Drop: the server answered; the client never hears it.
                break;
            }
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    // Either side ending ends the connection (a drop closes it while the client still waits).
    tokio::select! {
        () = upstream => {}
        () = downstream => {}
    }
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
/// `drop_next`.
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

        /// The next `n` requests are handled (a write takes effect) but their connections are
        /// closed before the answer reaches the client: the client's retry path, without a proxy.
        pub fn drop_next(&self, n: usize) {
            self.server.drop_next(n);
        }
    };
}
