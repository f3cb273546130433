//! Building blocks for the API simulators the client crates ship behind their `mock` features
//! (feature `mock`): the server they run on ([`server`]: wiremock behind a relay that compresses
//! answers when asked, drops connections on request and counts bytes on the wire), the fault
//! controls they share ([`Faults`]: throttle, fail, slow down, count API requests), the token
//! desk every OAuth2 simulator keeps ([`TokenDesk`]), and the macros that give every
//! `Simulator` the same methods.

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
/// small HTTP/1.1 relay on the chosen port, which does what a real server's front does and
/// wiremock cannot:
/// - it compresses answers when the request asks for it (`Accept-Encoding: gzip`, or `br` with
///   the `brotli` feature), as the real APIs' web servers do, so clients and tests see real
///   compressed traffic; [`SimServer::bytes_sent`] counts what went on the wire;
/// - it can drop a connection after the server has answered a request
///   ([`SimServer::drop_next`]): what a client sees when a proxy or a network fails between a
///   server's work and its answer.
pub async fn server(port: Option<u16>) -> std::io::Result<SimServer> {
    let front = std::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0)))?;
    front.set_nonblocking(true)?;
    let front_addr = front.local_addr()?;
    let back = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let mock = wiremock::MockServer::builder().listener(back).start().await;
    let stats = std::sync::Arc::new(RelayStats::default());
    let listener = tokio::net::TcpListener::from_std(front)?;
    let backend = *mock.address();
    let relay = tokio::spawn(relay(listener, backend, stats.clone()));
    Ok(SimServer {
        mock,
        front: front_addr,
        stats,
        relay,
    })
}

/// The server a simulator runs on: its wiremock server behind a relay that compresses answers
/// and can drop connections. Dereferences to the [`wiremock::MockServer`] for mounting mocks;
/// [`uri`](Self::uri) is the address clients use.
#[derive(Debug)]
pub struct SimServer {
    mock: wiremock::MockServer,
    front: std::net::SocketAddr,
    stats: std::sync::Arc<RelayStats>,
    relay: tokio::task::JoinHandle<()>,
}

/// What the relay shares with its [`SimServer`].
#[derive(Debug, Default)]
struct RelayStats {
    /// Requests still to be dropped.
    drops: std::sync::atomic::AtomicUsize,
    /// Bytes written to clients (status lines, headers and bodies as sent).
    sent: std::sync::atomic::AtomicU64,
    /// Whether each request is logged to standard error (one JSON line).
    log: std::sync::atomic::AtomicBool,
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
        self.stats
            .drops
            .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }

    /// Bytes written to clients so far: answers as they went on the wire (compressed when the
    /// client asked for it), status lines and headers included.
    pub fn bytes_sent(&self) -> u64 {
        self.stats.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Logs every request to standard error as one JSON line (`method`, `path`, `status`, and
    /// `operation` where the simulator names the operation that answered), or stops.
    pub fn log_requests(&self, on: bool) {
        self.stats
            .log
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The log line for one request (no query: it may hold credentials).
fn log_line(method: &http::Method, path: &str, parts: &http::response::Parts) -> String {
    let mut line = serde_json::json!({
        "method": method.as_str(),
        "path": path,
        "status": parts.status.as_u16(),
    });
    if let Some(op) = parts
        .headers
        .get("x-edu-sim-operation")
        .and_then(|v| v.to_str().ok())
    {
        line["operation"] = serde_json::Value::from(op);
    }
    line.to_string()
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
    stats: std::sync::Arc<RelayStats>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(relay_connection(client, backend, stats.clone()));
    }
}

/// Why the relay closed a connection instead of answering.
#[derive(Debug)]
enum RelayError {
    /// `drop_next`: the server answered; the client is not to hear it.
    Dropped,
    /// The simulator's own server failed.
    Backend(hyper::Error),
}

impl std::fmt::Display for RelayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Dropped => f.write_str("connection dropped on purpose (drop_next)"),
            Self::Backend(e) => write!(f, "the simulator's server failed: {e}"),
        }
    }
}

impl std::error::Error for RelayError {}

/// Serves one client connection over one connection to the simulator's server: each request is
/// passed on, its answer read whole, then compressed if the client asked, or the connection
/// closed instead if the request was marked to drop (the server did the work; the client gets
/// no answer).
async fn relay_connection(
    client: tokio::net::TcpStream,
    backend: std::net::SocketAddr,
    stats: std::sync::Arc<RelayStats>,
) {
    use http_body_util::BodyExt;
    let Ok(server) = tokio::net::TcpStream::connect(backend).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let Ok((sender, connection)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(server)).await
    else {
        return;
    };
    tokio::spawn(connection);
    let sender = std::sync::Arc::new(tokio::sync::Mutex::new(sender));
    let counted = Counted {
        inner: client,
        stats: stats.clone(),
    };
    let service =
        hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let (sender, stats) = (sender.clone(), stats.clone());
            async move {
                let drop_it = stats
                    .drops
                    .fetch_update(
                        std::sync::atomic::Ordering::SeqCst,
                        std::sync::atomic::Ordering::SeqCst,
                        |d| d.checked_sub(1),
                    )
                    .is_ok();
                let coding = compression::chosen(&request);
                let head = request.method() == http::Method::HEAD;
                let logged = stats
                    .log
                    .load(std::sync::atomic::Ordering::Relaxed)
                    .then(|| (request.method().clone(), request.uri().path().to_owned()));
                let answer = {
                    let mut sender = sender.lock().await;
                    sender.ready().await.map_err(RelayError::Backend)?;
                    sender
                        .send_request(request)
                        .await
                        .map_err(RelayError::Backend)?
                };
                let (mut parts, body) = answer.into_parts();
                if let Some((method, path)) = logged {
                    eprintln!("{}", log_line(&method, &path, &parts));
                }
                let body = body
                    .collect()
                    .await
                    .map_err(RelayError::Backend)?
                    .to_bytes();
                if drop_it {
                    return Err(RelayError::Dropped);
                }
                let body = match coding {
                    Some(coding) if !head => compression::apply(coding, &mut parts, body),
                    _ => body,
                };
                Ok::<_, RelayError>(http::Response::from_parts(
                    parts,
                    http_body_util::Full::new(body),
                ))
            }
        });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(counted), service)
        .await;
}

/// The client's side of a relayed connection, counting the bytes written to it.
struct Counted {
    inner: tokio::net::TcpStream,
    stats: std::sync::Arc<RelayStats>,
}

impl Counted {
    /// Adds what a write wrote to the bytes sent.
    fn count(
        &self,
        polled: std::task::Poll<std::io::Result<usize>>,
    ) -> std::task::Poll<std::io::Result<usize>> {
        if let std::task::Poll::Ready(Ok(n)) = &polled {
            self.stats
                .sent
                .fetch_add(*n as u64, std::sync::atomic::Ordering::Relaxed);
        }
        polled
    }
}

impl tokio::io::AsyncRead for Counted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Counted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write(cx, buf);
        self.count(polled)
    }

    fn poll_write_vectored(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.count(polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Response compression as a real API's web server does it: the client's `Accept-Encoding`
/// chooses, answers that have a body and no coding of their own are compressed, and the
/// answer says so (`Content-Encoding`, `Vary: Accept-Encoding`).
mod compression {
    use bytes::Bytes;
    use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, HeaderValue, VARY};

    /// A coding the relay can apply.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Coding {
        Gzip,
        #[cfg(feature = "brotli")]
        Brotli,
    }

    /// The coding to answer `request` with: brotli when asked for and available, else gzip when
    /// asked for, else none. A coding listed with `q=0` is refused, as RFC 9110 says.
    pub(super) fn chosen<B>(request: &http::Request<B>) -> Option<Coding> {
        let accepted = |name: &str| {
            request
                .headers()
                .get_all(http::header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|item| {
                    let mut parts = item.split(';').map(str::trim);
                    let coding = parts.next().unwrap_or_default();
                    let refused = parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    });
                    coding.eq_ignore_ascii_case(name) && !refused
                })
        };
        #[cfg(feature = "brotli")]
        if accepted("br") {
            return Some(Coding::Brotli);
        }
        accepted("gzip").then_some(Coding::Gzip)
    }

    /// Compresses `body` with `coding` and says so in `parts`; an empty body, or one that
    /// already has a coding, is left as it is.
    pub(super) fn apply(coding: Coding, parts: &mut http::response::Parts, body: Bytes) -> Bytes {
        if body.is_empty() || parts.headers.contains_key(CONTENT_ENCODING) {
            return body;
        }
        let (name, compressed) = match coding {
            Coding::Gzip => ("gzip", gzip(&body)),
            #[cfg(feature = "brotli")]
            Coding::Brotli => ("br", brotli(&body)),
        };
        let Some(compressed) = compressed else {
            return body;
        };
        parts.headers.remove(CONTENT_LENGTH);
        parts
            .headers
            .insert(CONTENT_ENCODING, HeaderValue::from_static(name));
        parts
            .headers
            .append(VARY, HeaderValue::from_static("accept-encoding"));
        Bytes::from(compressed)
    }

    fn gzip(body: &[u8]) -> Option<Vec<u8>> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::default(),
        );
        encoder.write_all(body).ok()?;
        encoder.finish().ok()
    }

    /// Brotli at quality 5, the middle setting web servers use for answers made on the fly.
    #[cfg(feature = "brotli")]
    fn brotli(body: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(body.len() / 4);
        let params = brotli::enc::BrotliEncoderParams {
            quality: 5,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
        Some(out)
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

impl<R: wiremock::Respond> FaultyResponder<R> {
    /// The inner responder's answer; a panic in it is answered 500 in the API's error body and
    /// recorded (see [`Faults::panics`]), never a dropped connection.
    fn respond_caught(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
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
                wiremock::ResponseTemplate::new(500).set_body_json((self.body)(
                    500,
                    &format!(
                        "internal error in the simulator (a bug, please report it): {message}"
                    ),
                ))
            }
        }
    }
}

impl<R: wiremock::Respond> wiremock::Respond for FaultyResponder<R> {
    fn respond(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
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
            Some(Fault::Status(status)) => wiremock::ResponseTemplate::new(status)
                .set_body_json((self.body)(status, "simulated failure")),
            Some(Fault::Throttle(secs)) => wiremock::ResponseTemplate::new(429)
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
    };
}
