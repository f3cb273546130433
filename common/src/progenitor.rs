//! Glue for progenitor-generated clients.
//!
//! Generate the client with `with_inner_type(edu_common::Transport)` and
//! `HooksMode::Expected`, then install the shared behaviour with one line in the crate that
//! holds the generated `Client`:
//!
//! ```ignore
//! edu_common::impl_client_hooks!(crate::generated::Client);
//! ```
//!
//! `pre` puts the credentials on the request (fetching a token if needed) and `exec` runs the
//! transport's retry loop: throttling, `Retry-After`, backoff for retry-safe requests, the
//! retry budget and the one-time retry with fresh credentials after a 401. Convert the
//! generated `Error<E>` into [`crate::Error`] with [`into_error`].

use http::StatusCode;
use serde::Serialize;

use crate::error::{DecodeError, Error, HttpError, TimeoutKind};
use crate::transport::{STASH_HEADER, STASH_STATUS, Transport, with_answered_report};

pub use progenitor_client;
pub use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
pub use reqwest;

/// The `pre` hook: authorizes the request. A failure becomes `Error::Custom` with a message
/// that [`into_error`] turns back into [`Error::Auth`].
pub async fn pre<E>(
    transport: &Transport,
    request: &mut reqwest::Request,
    _info: &OperationInfo,
) -> Result<(), progenitor_client::Error<E>> {
    match transport.authorize(request).await {
        Ok(_) => Ok(()),
        Err(e) => {
            // The typed error (status, OAuth2 code) waits in the stash for `into_error`.
            let text = e.to_string();
            let id = transport.stash(e);
            Err(progenitor_client::Error::Custom(format!(
                "{AUTH_PREFIX}{id}: {text}"
            )))
        }
    }
}

/// The `exec` hook: the transport's retry loop.
pub async fn exec(
    transport: &Transport,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    transport.exec_generated(request, info.operation_id).await
}

const AUTH_PREFIX: &str = "edu-common auth: ";

/// Implements `ClientHooks<edu_common::Transport>` for a generated client type.
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::progenitor::ClientHooks<$crate::Transport> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::progenitor::reqwest::Request,
                info: &$crate::progenitor::OperationInfo,
            ) -> ::std::result::Result<(), $crate::progenitor::progenitor_client::Error<E>> {
                let transport =
                    <Self as $crate::progenitor::ClientInfo<$crate::Transport>>::inner(self);
                $crate::progenitor::pre(transport, request, info).await
            }

            async fn exec(
                &self,
                request: $crate::progenitor::reqwest::Request,
                info: &$crate::progenitor::OperationInfo,
            ) -> $crate::progenitor::reqwest::Result<$crate::progenitor::reqwest::Response> {
                let transport =
                    <Self as $crate::progenitor::ClientInfo<$crate::Transport>>::inner(self);
                $crate::progenitor::exec(transport, request, info).await
            }
        }
    };
}

/// A generated call's outcome in `edu_common`'s terms: the response as it is, or the error
/// through [`into_error`]. Every hand-written method over a generated client ends with this.
///
/// It takes the call's future, not its result, so that an error raised after a successful
/// answer (a body that does not decode, a connection cut mid-body) still carries the call's
/// [`CallReport`](crate::CallReport): status, attempts and the server's request id.
///
/// The call's future goes to the heap at once: generated futures are large, and each `async`
/// layer that held one by value would grow every caller's future (and a debug build's stack).
pub fn response<'a, T: 'a, E: Serialize + 'a>(
    transport: &'a Transport,
    operation: &'a str,
    call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + 'a,
) -> impl Future<Output = crate::Result<ResponseValue<T>>> + 'a {
    let call = Box::pin(call);
    async move {
        let (result, answered) = with_answered_report(call).await;
        match result {
            Ok(v) => Ok(v),
            Err(e) => Err(into_error(transport, operation, e)
                .await
                .with_report(answered)),
        }
    }
}

/// One page of a cursor listing through a generated client: the items of a successful call, and
/// the `cursor` query parameter of its `Link: <…>; rel="next"` (resolved against the transport's
/// base URL and refused, with [`Error::CrossOrigin`], on another origin). A next link without a
/// cursor is an [`Error::Pagination`], never a silent end.
pub fn cursor_page<'a, T: Send + 'static, E: Serialize + 'a>(
    transport: &'a Transport,
    operation: &'a str,
    cursor_param: &'a str,
    call: impl Future<Output = Result<ResponseValue<Vec<T>>, progenitor_client::Error<E>>> + 'a,
) -> impl Future<Output = crate::Result<crate::paginate::Page<T, String>>> + 'a {
    let answer = response(transport, operation, call);
    async move { cursor_next(transport, operation, cursor_param, answer.await?) }
}

/// The page of a cursor listing's answer: its items and the next link's cursor.
fn cursor_next<T>(
    transport: &Transport,
    operation: &str,
    cursor_param: &str,
    rv: ResponseValue<Vec<T>>,
) -> crate::Result<crate::paginate::Page<T, String>> {
    let next = match crate::link::find_rel(rv.headers(), "next", transport.base_url())? {
        None => None,
        Some(url) => {
            transport.check_origin(&url)?;
            let cursor = url.query_pairs().find(|(k, _)| k == cursor_param);
            Some(cursor.map(|(_, v)| v.into_owned()).ok_or_else(|| {
                Error::Pagination(format!(
                    "{operation}: the next link has no `{cursor_param}` parameter, so the next page cannot be requested"
                ))
            })?)
        }
    };
    Ok(crate::paginate::Page::new(rv.into_inner(), next))
}

/// Converts a generated client's error into [`crate::Error`]. `operation` names the call in
/// decode errors; `transport` reads undocumented error bodies (with the size cap).
pub async fn into_error<E: Serialize>(
    transport: &Transport,
    operation: &str,
    error: progenitor_client::Error<E>,
) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) => Error::InvalidInput {
            field: None,
            message,
        },
        P::Custom(message) => match message.strip_prefix(AUTH_PREFIX) {
            Some(m) => {
                let stashed = m
                    .split_once(':')
                    .and_then(|(id, _)| id.parse().ok())
                    .and_then(|id| transport.take_stashed(id));
                stashed.unwrap_or_else(|| Error::Auth {
                    report: None,
                    message: m.to_owned(),
                    status: None,
                    transient: false,
                    oauth_error: None,
                })
            }
            None => Error::Config(message),
        },
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            from_reqwest(transport, e)
        }
        P::ErrorResponse(rv) => {
            let status = rv.status();
            let headers = rv.headers().clone();
            if let Some(e) = stashed(transport, StashRef::Response(status, &headers)) {
                return e;
            }
            let report = transport.take_report(&headers);
            let err = match transport.rate_limit_error(status, &headers) {
                Some(e) => e,
                None => {
                    let body = serde_json::to_vec(&rv.into_inner()).unwrap_or_default();
                    let body = if body == b"null" { Vec::new() } else { body };
                    Error::Http(Box::new(HttpError::new(
                        status, None, operation, &headers, &body,
                    )))
                }
            };
            err.with_report(report)
        }
        P::InvalidResponsePayload(bytes, e) => {
            if let Some(e) = stashed(transport, StashRef::Body(&bytes)) {
                return e;
            }
            Error::Decode(Box::new(DecodeError::new(
                operation,
                format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
                &bytes,
            )))
        }
        P::UnexpectedResponse(resp) => {
            if let Some(e) = stashed(transport, StashRef::Response(resp.status(), resp.headers())) {
                return e;
            }
            let report = transport.take_report(resp.headers());
            let err = transport.error_from_response(resp, None, operation).await;
            err.with_report(report)
        }
    }
}

/// Where a stand-in response of the transport's (a body over the cap, an operation timeout, a
/// connection cut mid-body) names its stashed error.
enum StashRef<'a> {
    /// A response the generated code kept: its status and header.
    Response(StatusCode, &'a http::HeaderMap),
    /// Only the body the generated code could not decode: its `edu_common_error` member.
    Body(&'a [u8]),
}

/// The stashed error behind a stand-in response, if it is one.
fn stashed(transport: &Transport, at: StashRef<'_>) -> Option<Error> {
    let id = match at {
        StashRef::Response(status, headers) if status == STASH_STATUS => {
            headers.get(STASH_HEADER)?.to_str().ok()?.parse().ok()?
        }
        StashRef::Response(..) => return None,
        StashRef::Body(b) => serde_json::from_slice::<serde_json::Value>(b)
            .ok()?
            .get("edu_common_error")?
            .as_u64()?,
    };
    transport.take_stashed(id)
}

fn from_reqwest(transport: &Transport, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            report: None,
            kind: if e.is_connect() {
                TimeoutKind::Connect
            } else {
                TimeoutKind::Attempt
            },
            after: transport.timeouts().attempt,
        }
    } else if e.is_body()
        || e.is_decode()
        || (!e.is_connect() && crate::transport::connection_lost(&e))
    {
        transport.interrupted(e)
    } else {
        Error::Transport {
            report: None,
            origin: transport.base_url().origin().ascii_serialization(),
            source: e.without_url(),
        }
    }
}
