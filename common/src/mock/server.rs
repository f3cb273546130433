//! The server every simulator runs on: one hyper HTTP/1.1 server per simulator that reads each
//! request whole, asks the simulator's [`Respond`] handler (behind the shared fault layer), and
//! does what a real API's front does: compresses answers when asked, can drop a connection
//! after the work is done, counts the bytes it sent, keeps a log of recent requests and prints
//! one JSON line per request when asked.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http_body_util::BodyExt;

use super::compression;
use super::http::{Request, Respond, Response};

/// The largest request body a simulator reads (answered 413 beyond it, as a web server would).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// How many requests [`SimServer::requests`] keeps (the oldest are forgotten first).
const LOG_KEPT: usize = 10_000;

/// How much of each request body the log keeps (at most 10,000 x 64 KiB in all).
const LOG_BODY_KEPT: usize = 64 * 1024;

/// Starts a simulator's server on `127.0.0.1:port`, or any free loopback port when `port` is
/// `None`, answering every request with `handler`. Every simulator's
/// `SimulatorBuilder::try_start` ends up here (through [`bind`] when its state needs to know
/// its own address first).
pub async fn serve(port: Option<u16>, handler: impl Respond) -> std::io::Result<SimServer> {
    Ok(bind(port).await?.serve(handler))
}

/// Listens on `127.0.0.1:port` (any free loopback port when `None`) without answering yet: for
/// a simulator whose state holds its own address (absolute links, token URLs).
pub async fn bind(port: Option<u16>) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.unwrap_or(0))).await?;
    let address = listener.local_addr()?;
    Ok(Bound { listener, address })
}

/// A listening socket that does not answer yet; [`Bound::serve`] starts answering.
#[derive(Debug)]
pub struct Bound {
    listener: tokio::net::TcpListener,
    address: std::net::SocketAddr,
}

impl Bound {
    /// `http://127.0.0.1:port`, the address clients will use.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Answers every request with `handler` from now on.
    pub fn serve(self, handler: impl Respond) -> SimServer {
        let shared = Arc::new(Shared::default());
        let handler: Arc<dyn Respond> = Arc::new(handler);
        let accept = tokio::spawn(accept(self.listener, self.address, handler, shared.clone()));
        SimServer {
            address: self.address,
            shared,
            accept,
        }
    }
}

/// A running simulator server. Dropping it stops it.
#[derive(Debug)]
pub struct SimServer {
    address: std::net::SocketAddr,
    shared: Arc<Shared>,
    accept: tokio::task::JoinHandle<()>,
}

/// One request as the server logged it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The request as the handler saw it.
    pub request: Request,
    /// The status it was answered with (before a `drop_next` dropped it, if one did).
    pub status: u16,
    /// The operation that answered, where the simulator names it (`x-edu-sim-operation`).
    pub operation: Option<String>,
}

/// What the server's connections share with its [`SimServer`].
#[derive(Debug, Default)]
struct Shared {
    /// Requests still to be dropped.
    drops: AtomicUsize,
    /// Bytes written to clients (status lines, headers and bodies as sent).
    sent: AtomicU64,
    /// Whether each request is logged to standard error (one JSON line).
    print: AtomicBool,
    /// The most recent requests, oldest first.
    log: Mutex<VecDeque<Logged>>,
}

impl SimServer {
    /// `http://127.0.0.1:port`, the address clients use.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address clients use.
    pub fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    /// The next `n` requests are handled by the server (a write takes effect) but their
    /// connections are closed before the answer reaches the client.
    pub fn drop_next(&self, n: usize) {
        self.shared.drops.fetch_add(n, Ordering::SeqCst);
    }

    /// Bytes written to clients so far: answers as they went on the wire (compressed when the
    /// client asked for it), status lines and headers included.
    pub fn bytes_sent(&self) -> u64 {
        self.shared.sent.load(Ordering::Relaxed)
    }

    /// Logs every request to standard error as one JSON line (`method`, `path`, `status`, and
    /// `operation` where the simulator names the operation that answered), or stops.
    pub fn log_requests(&self, on: bool) {
        self.shared.print.store(on, Ordering::Relaxed);
    }

    /// The requests this server received (the most recent 10,000, each body cut to its first
    /// 64 KiB), oldest first, each with its status and the operation that answered: what a
    /// test asserts a client sent.
    pub fn requests(&self) -> Vec<Logged> {
        let log = self.shared.log.lock().unwrap_or_else(|p| p.into_inner());
        log.iter().cloned().collect()
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The log line for one request (no query: it may hold credentials).
fn log_line(method: &http::Method, path: &str, status: u16, headers: &http::HeaderMap) -> String {
    let mut line = serde_json::json!({
        "method": method.as_str(),
        "path": path,
        "status": status,
    });
    if let Some(op) = headers
        .get("x-edu-sim-operation")
        .and_then(|v| v.to_str().ok())
    {
        line["operation"] = serde_json::Value::from(op);
    }
    line.to_string()
}

async fn accept(
    listener: tokio::net::TcpListener,
    address: std::net::SocketAddr,
    handler: Arc<dyn Respond>,
    shared: Arc<Shared>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        tokio::spawn(connection(client, address, handler.clone(), shared.clone()));
    }
}

/// Why a connection was closed instead of answered.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (drop_next)")
    }
}

impl std::error::Error for Dropped {}

/// Serves one client connection: each request is read whole and answered by the handler, then
/// compressed if the client asked, or the connection closed instead if the request was marked
/// to drop (the handler did the work; the client gets no answer).
async fn connection(
    client: tokio::net::TcpStream,
    address: std::net::SocketAddr,
    handler: Arc<dyn Respond>,
    shared: Arc<Shared>,
) {
    let _ = client.set_nodelay(true);
    let counted = Counted {
        inner: client,
        stats: shared.clone(),
    };
    let service =
        hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
            let (handler, shared) = (handler.clone(), shared.clone());
            async move { answer(request, address, handler.as_ref(), &shared).await }
        });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(hyper_util::rt::TokioIo::new(counted), service)
        .await;
}

/// The answer to one request.
async fn answer(
    request: http::Request<hyper::body::Incoming>,
    address: std::net::SocketAddr,
    handler: &dyn Respond,
    shared: &Shared,
) -> Result<http::Response<http_body_util::Full<bytes::Bytes>>, Dropped> {
    let coding = compression::chosen(&request);
    let head = request.method() == http::Method::HEAD;
    let (parts, body) = request.into_parts();
    let read = http_body_util::Limited::new(body, MAX_BODY).collect().await;
    let response = match (read, url_of(&parts.uri, address)) {
        (Err(_), _) => Response::new(413).set_body_string("request body too large or cut short"),
        (_, None) => Response::new(400).set_body_string("a request target that is not a URL"),
        (Ok(body), Some(url)) => {
            let request = Request {
                method: parts.method.clone(),
                url,
                headers: parts.headers.clone(),
                body: body.to_bytes().to_vec(),
            };
            let response = respond_caught(handler, &request);
            remember(shared, request, &response);
            response
        }
    };
    if shared.print.load(Ordering::Relaxed) {
        eprintln!(
            "{}",
            log_line(
                &parts.method,
                parts.uri.path(),
                response.status,
                &response.headers
            )
        );
    }
    if !response.delay.is_zero() {
        tokio::time::sleep(response.delay).await;
    }
    let drop_it = shared
        .drops
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |d| d.checked_sub(1))
        .is_ok();
    if drop_it {
        return Err(Dropped);
    }
    let mut out = http::Response::new(());
    *out.status_mut() = http::StatusCode::from_u16(response.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    *out.headers_mut() = response.headers;
    let (mut head_parts, ()) = out.into_parts();
    let body = bytes::Bytes::from(response.body);
    let body = match coding {
        Some(coding) if !head => compression::apply(coding, &mut head_parts, body),
        _ => body,
    };
    Ok(http::Response::from_parts(
        head_parts,
        http_body_util::Full::new(body),
    ))
}

/// The handler's answer; a panic that escaped it is answered 500 (the fault layer catches a
/// simulator's own panics first and answers them in the API's error body).
fn respond_caught(handler: &dyn Respond, request: &Request) -> Response {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.respond(request)))
        .unwrap_or_else(|_| Response::new(500).set_body_string("internal error in the simulator"))
}

/// The request's full URL.
fn url_of(uri: &http::Uri, address: std::net::SocketAddr) -> Option<url::Url> {
    if uri.scheme().is_some() {
        return url::Url::parse(&uri.to_string()).ok();
    }
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    url::Url::parse(&format!("http://{address}{target}")).ok()
}

/// Adds a request to the server's log of recent requests.
fn remember(shared: &Shared, mut request: Request, response: &Response) {
    if request.body.len() > LOG_BODY_KEPT {
        request.body.truncate(LOG_BODY_KEPT);
        request.body.shrink_to_fit();
    }
    let operation = response
        .headers
        .get("x-edu-sim-operation")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut log = shared.log.lock().unwrap_or_else(|p| p.into_inner());
    if log.len() == LOG_KEPT {
        log.pop_front();
    }
    log.push_back(Logged {
        request,
        status: response.status,
        operation,
    });
}

/// The client's side of a connection, counting the bytes written to it.
struct Counted {
    inner: tokio::net::TcpStream,
    stats: Arc<Shared>,
}

impl Counted {
    /// Adds what a write wrote to the bytes sent.
    fn count(
        &self,
        polled: std::task::Poll<std::io::Result<usize>>,
    ) -> std::task::Poll<std::io::Result<usize>> {
        if let std::task::Poll::Ready(Ok(n)) = &polled {
            self.stats.sent.fetch_add(*n as u64, Ordering::Relaxed);
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
