//! The intake's routes: verify, store, then answer (see the [module docs](super)).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::{Semaphore, mpsc};

use super::authenticate::Authenticate;
use super::store::{Incoming, Store, StoreError, Stored};

/// What the intake did with one request: for `edu listen`, a dashboard or a test to watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The route's path.
    pub route: String,
    /// The route's API.
    pub api: &'static str,
    /// The status answered.
    pub status: u16,
    /// The delivery id, once the signature checked out.
    pub id: Option<String>,
    /// Why it was not stored (a refused signature, a store error), if it was not.
    pub reason: Option<String>,
}

/// The intake: routes, each with its verifier, over one [`Store`]. Build it, then mount
/// [`Intake::router`] in the service's axum router.
#[must_use]
pub struct Intake {
    store: Arc<dyn Store>,
    routes: Vec<(String, Arc<dyn Authenticate>)>,
    max_body_bytes: usize,
    timeout: Duration,
    max_concurrent: usize,
    observer: Option<mpsc::UnboundedSender<Outcome>>,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake")
            .field("store", &self.store)
            .field(
                "routes",
                &self
                    .routes
                    .iter()
                    .map(|(p, a)| (p, a.api()))
                    .collect::<Vec<_>>(),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("timeout", &self.timeout)
            .field("max_concurrent", &self.max_concurrent)
            .finish_non_exhaustive()
    }
}

/// What one route's handler holds.
#[derive(Clone)]
struct Route {
    path: Arc<str>,
    auth: Arc<dyn Authenticate>,
    shared: Arc<Shared>,
}

struct Shared {
    store: Arc<dyn Store>,
    permits: Semaphore,
    max_body_bytes: usize,
    timeout: Duration,
    observer: Option<mpsc::UnboundedSender<Outcome>>,
}

impl Intake {
    /// An intake storing in `store`: 1 MiB bodies, 10 s per request, 256 requests at once.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Intake {
            store,
            routes: Vec::new(),
            max_body_bytes: 1024 * 1024,
            timeout: Duration::from_secs(10),
            max_concurrent: 256,
            observer: None,
        }
    }

    /// `POST path` receives the deliveries `verifier` checks.
    pub fn route(mut self, path: impl Into<String>, verifier: impl Authenticate) -> Self {
        self.routes.push((path.into(), Arc::new(verifier)));
        self
    }

    /// The largest body read (default 1 MiB); a larger one is answered `413`, unverified.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = n;
        self
    }

    /// The longest a request may take, body, check and store included (default 10 s, within
    /// Eduframe's own 10 s); slower is answered `503` so the sender retries.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most requests in progress at once (default 256); beyond it `503` with
    /// `Retry-After: 1`.
    pub fn max_concurrent(mut self, n: usize) -> Self {
        self.max_concurrent = n.max(1);
        self
    }

    /// Sends each request's [`Outcome`] on `observer`.
    pub fn observe(mut self, observer: mpsc::UnboundedSender<Outcome>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The routes, to serve or merge into the service's router.
    pub fn router(self) -> Router {
        let shared = Arc::new(Shared {
            store: self.store,
            permits: Semaphore::new(self.max_concurrent),
            max_body_bytes: self.max_body_bytes,
            timeout: self.timeout,
            observer: self.observer,
        });
        let mut router = Router::new();
        for (path, auth) in self.routes {
            let route = Route {
                path: path.as_str().into(),
                auth,
                shared: shared.clone(),
            };
            router = router.route(&path, post(receive).with_state(route));
        }
        router
    }
}

/// One delivery: bounded, verified, stored, answered.
async fn receive(State(route): State<Route>, request: Request) -> Response {
    let shared = &route.shared;
    let outcome = |status: StatusCode, id: Option<String>, reason: Option<String>| Outcome {
        route: route.path.to_string(),
        api: route.auth.api(),
        status: status.as_u16(),
        id,
        reason,
    };
    let permit = shared.permits.try_acquire();
    let busy = permit.is_err();
    let (status, id, reason) = match permit {
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            Some("too many requests in progress".to_owned()),
        ),
        Ok(_permit) => match tokio::time::timeout(shared.timeout, handle(&route, request)).await {
            Ok(done) => done,
            Err(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                Some(format!("not stored within {:?}", shared.timeout)),
            ),
        },
    };
    if let Some(why) = &reason {
        tracing::warn!(route = %route.path, status = status.as_u16(), reason = %why, "delivery not stored");
    }
    let mut response = match (&id, &reason) {
        (Some(id), None) => {
            let mut r = status.into_response();
            if let Ok(v) = HeaderValue::from_str(id) {
                r.headers_mut().insert("x-edu-delivery-id", v);
            }
            r
        }
        _ => (status, reason.clone().unwrap_or_default()).into_response(),
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Busy: try again in a second; the store: give it a few.
        let after = if busy { "1" } else { "5" };
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static(after));
    }
    if let Some(observer) = &shared.observer {
        let _ = observer.send(outcome(status, id, reason));
    }
    response
}

/// Reads, verifies and stores: the status, the delivery id, and why it was not stored.
async fn handle(route: &Route, request: Request) -> (StatusCode, Option<String>, Option<String>) {
    let shared = &route.shared;
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let body = match axum::body::to_bytes(body, shared.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                Some(format!(
                    "the body is larger than {} bytes, or was cut off",
                    shared.max_body_bytes
                )),
            );
        }
    };
    if let Err(e) = route
        .auth
        .authenticate(&target, &parts.headers, &body)
        .await
    {
        return (StatusCode::UNAUTHORIZED, None, Some(e.to_string()));
    }
    let id = route.auth.delivery_id(&parts.headers, &body);
    let incoming = Incoming {
        id: id.clone(),
        api: route.auth.api().to_owned(),
        body,
        received_at_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or_default(),
    };
    match shared.store.put(&incoming).await {
        Ok(Stored::New) => (StatusCode::NO_CONTENT, Some(id), None),
        Ok(Stored::Duplicate) => (StatusCode::OK, Some(id), None),
        Err(e @ (StoreError::Unavailable(_) | StoreError::Full(_))) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Some(id),
            Some(e.to_string()),
        ),
    }
}
