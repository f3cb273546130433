//! A receiver for Eduframe webhooks and Onderwijsregio callbacks on axum, to copy into a
//! service: verify over the raw bytes, refuse replays, queue the bytes, parse later.
//!
//! - `POST /hooks/eduframe`: `eduframe_client::webhooks::Verifier` (header
//!   `eduframe-signature-v1`);
//! - `POST /hooks/onderwijsregio`: `onderwijsregio_client::callbacks::Verifier` (the
//!   `x-mutationengine-*` headers, signed over the path and query as received).
//!
//! A delivery that verifies is answered 204 and its raw bytes go on the queue
//! ([`Receiver::queue`]); the consumer parses them when it gets to them ([`Delivery::parse`]),
//! so a slow consumer never holds up the sender (Eduframe waits 10 s at most). A refused one is
//! answered 401 and its reason logged, never its body. A replay of a delivery already accepted
//! is answered 200 and not queued again: the sender needs no retry, and nothing is processed
//! twice. Bodies over [`MAX_BODY_BYTES`] are answered 413 and never verified.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::post;
use bytes::Bytes;
use edu_common::webhook::SignatureError;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The largest body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A verified delivery's raw bytes, waiting to be parsed.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// An Eduframe webhook notification.
    Eduframe(Bytes),
    /// An Onderwijsregio callback.
    Onderwijsregio(Bytes),
}

/// A delivery, parsed.
#[derive(Debug)]
pub enum Parsed {
    /// An Eduframe webhook notification.
    Eduframe(eduframe_client::webhooks::Notification),
    /// An Onderwijsregio callback.
    Onderwijsregio(onderwijsregio_client::callbacks::Callback),
}

impl Delivery {
    /// Parses the bytes (they were verified when they arrived).
    pub fn parse(&self) -> edu_common::Result<Parsed> {
        Ok(match self {
            Delivery::Eduframe(b) => Parsed::Eduframe(eduframe_client::webhooks::parse(b)?),
            Delivery::Onderwijsregio(b) => {
                Parsed::Onderwijsregio(onderwijsregio_client::callbacks::parse(b)?)
            }
        })
    }
}

/// What happened to one request, for a consumer or a test to watch.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Verified and queued.
    Accepted(Delivery),
    /// Refused, and why.
    Refused(SignatureError),
}

/// The verifiers the receiver uses; a route whose verifier is absent answers 404.
#[derive(Debug, Clone, Default)]
pub struct Verifiers {
    /// For `/hooks/eduframe`.
    pub eduframe: Option<eduframe_client::webhooks::Verifier>,
    /// For `/hooks/onderwijsregio`.
    pub onderwijsregio: Option<onderwijsregio_client::callbacks::Verifier>,
}

#[derive(Clone)]
struct Shared {
    verifiers: Arc<Verifiers>,
    outcomes: mpsc::UnboundedSender<Outcome>,
}

/// The receiver's routes, for a service to merge into its own router; every outcome is sent on
/// `outcomes`.
pub fn router(verifiers: Verifiers, outcomes: mpsc::UnboundedSender<Outcome>) -> Router {
    Router::new()
        .route("/hooks/eduframe", post(eduframe))
        .route("/hooks/onderwijsregio", post(onderwijsregio))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Shared {
            verifiers: Arc::new(verifiers),
            outcomes,
        })
}

/// A running receiver.
#[derive(Debug)]
pub struct Receiver {
    /// Its base URL (`http://127.0.0.1:port`): the hooks are at `/hooks/eduframe` and
    /// `/hooks/onderwijsregio`.
    pub url: String,
    /// Every request's outcome, in arrival order.
    pub queue: mpsc::UnboundedReceiver<Outcome>,
}

/// Serves the receiver on `addr` (use `127.0.0.1:0` for any free port).
pub async fn start(addr: &str, verifiers: Verifiers) -> std::io::Result<Receiver> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (tx, rx) = mpsc::unbounded_channel();
    let app = router(verifiers, tx);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Receiver { url, queue: rx })
}

/// The answer to a verification: 204 and queued, 200 for a replay, 401 otherwise.
fn answer(
    shared: &Shared,
    verified: Result<(), SignatureError>,
    delivery: impl FnOnce() -> Delivery,
) -> StatusCode {
    match verified {
        Ok(()) => {
            let _ = shared.outcomes.send(Outcome::Accepted(delivery()));
            StatusCode::NO_CONTENT
        }
        Err(e) => {
            tracing::warn!(error = %e, "webhook refused");
            let status = if e == SignatureError::Replayed {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            let _ = shared.outcomes.send(Outcome::Refused(e));
            status
        }
    }
}

async fn eduframe(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Some(verifier) = &shared.verifiers.eduframe else {
        return StatusCode::NOT_FOUND;
    };
    let verified = verifier.verify(&headers, &body).await.map(|_| ());
    answer(&shared, verified, || Delivery::Eduframe(body.clone()))
}

async fn onderwijsregio(
    State(shared): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(verifier) = &shared.verifiers.onderwijsregio else {
        return StatusCode::NOT_FOUND;
    };
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let verified = verifier.verify(&target, &headers, &body).await.map(|_| ());
    answer(&shared, verified, || Delivery::Onderwijsregio(body.clone()))
}
