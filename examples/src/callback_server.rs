//! A minimal loopback HTTP receiver for Onderwijsregio callbacks: it reads each POST, verifies it
//! with the client's `Verifier` over the raw bytes, answers 204 (or 401), and hands the result on.
//!
//! HTTP is hyper's: the body is read whole, whatever its transfer coding (`Content-Length` or
//! `chunked`), up to [`MAX_BODY_BYTES`] (a larger one is answered 413 and never verified).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use onderwijsregio_client::callbacks::{Callback, CallbackError, Verifier};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The largest callback body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A running receiver.
#[derive(Debug)]
pub struct Receiver {
    /// The URL to give as `callbackUrl`.
    pub url: String,
    /// Verified callbacks (or why one was refused), in arrival order.
    pub results: mpsc::UnboundedReceiver<Result<Callback, CallbackError>>,
}

/// Listens on `addr` (use `127.0.0.1:0` for any free port) at `path`.
pub async fn start(addr: &str, path: &str, verifier: Verifier) -> std::io::Result<Receiver> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}{path}", listener.local_addr()?);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let verifier = verifier.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let verifier = verifier.clone();
                    let tx = tx.clone();
                    async move { Ok::<_, Infallible>(handle(req, &verifier, &tx).await) }
                });
                // One callback per connection, then close (as the sender expects of a webhook
                // receiver); a client that hangs up or speaks bad HTTP only ends its own connection.
                let _ = http1::Builder::new()
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(sock), service)
                    .await;
            });
        }
    });
    Ok(Receiver { url, results: rx })
}

type Results = mpsc::UnboundedSender<Result<Callback, CallbackError>>;

async fn handle(
    req: Request<hyper::body::Incoming>,
    verifier: &Verifier,
    results: &Results,
) -> Response<Empty<Bytes>> {
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let (parts, body) = req.into_parts();
    let status = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(body) => {
            let result = verifier.verify(&target, &parts.headers, &body.to_bytes());
            let status = if result.is_ok() {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::UNAUTHORIZED
            };
            let _ = results.send(result);
            status
        }
        // Over the cap, or the connection dropped mid-body: nothing to verify.
        Err(_) => StatusCode::PAYLOAD_TOO_LARGE,
    };
    let mut resp = Response::new(Empty::new());
    *resp.status_mut() = status;
    resp
}
