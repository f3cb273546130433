//! The attempt loop: one operation's attempts, waits and retries, the body read with each
//! attempt, and the rate-limit slot it holds while in flight.

use super::decision::{Decision, Outcome, Standing, decide};
use super::gave_up::encode_reason;
use super::*;

impl Transport {
    /// The retry loop shared by hand-written and generated clients.
    pub(crate) async fn run(
        &self,
        request: reqwest::Request,
        operation: &str,
        retry_safe: Option<bool>,
        auth_mode: AuthMode,
    ) -> Result<reqwest::Response, Failure> {
        let inner = &*self.inner;
        if let Err(e) = self.check_origin(request.url()) {
            return Err(Failure::Error(e));
        }
        let mut method = request.method().clone();
        let retry_safe = retry_safe.unwrap_or_else(|| retry::is_idempotent_method(&method));
        let mut template = request.try_clone();
        // Where this attempt goes; moved by a same-origin redirect the transport follows.
        let mut target = request.url().clone();
        let mut hops = 0u32;
        let span = tracing::info_span!(
            "edu.operation",
            operation,
            method = %method,
            path = request.url().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // A timeout of `Duration::MAX` means "no limit", not an overflow.
        let deadline = limiter::later(started, inner.timeouts.operation);
        let mut pending = Some(request);
        let mut attempt = 0u32;
        let mut refreshed = false;
        let out_of_time = || Error::Timeout {
            kind: TimeoutKind::Operation,
            after: inner.timeouts.operation,
        };

        let result = async {
            loop {
                // Every `continue` below sets `pending` first.
                let Some(mut req) = pending.take() else {
                    return Err(Failure::Error(Error::Config("internal: retry loop had no request to send".into())));
                };
                attempt += 1;
                // A shared pause or the rate limit is waited out only within this request's deadline.
                // A request holds its slot while in flight (at most an attempt's timeout) and
                // then counts from when its answer came: see `RateLimit::acquire_in_flight`.
                let hold = inner.timeouts.attempt;
                let gate = async {
                    let waited = inner.pause.wait().await;
                    #[cfg(feature = "redis")]
                    if let Some(shared) = &inner.shared {
                        let started = Instant::now();
                        let budget = inner.limiter.as_ref().map(|l| (l.max_requests(), l.window()));
                        if let Some(ticket) = shared.admit(budget, hold).await {
                            let slot = ticket.map(|t| Slot::shared(self, t));
                            return (waited + started.elapsed(), slot);
                        }
                        // Redis is unavailable: this process's own limiter paces it.
                    }
                    if let Some(l) = &inner.limiter {
                        let (w, ticket) = l.acquire_in_flight(hold).await;
                        return (waited + w, Some(Slot::local(self, ticket)));
                    }
                    (waited, None)
                };
                let Ok((waited, slot)) = tokio::time::timeout_at(deadline, gate).await else {
                    return Err(Failure::Error(out_of_time()));
                };
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(Failure::Error(out_of_time()));
                }
                let (attempt_timeout, timeout_kind) = if remaining < inner.timeouts.attempt {
                    (remaining, TimeoutKind::Operation)
                } else {
                    (inner.timeouts.attempt, TimeoutKind::Attempt)
                };
                *req.timeout_mut() = Some(attempt_timeout);
                for (k, v) in &inner.default_headers {
                    req.headers_mut().entry(k).or_insert_with(|| v.clone());
                }
                // Obtaining a token counts against the operation's deadline too.
                let authorized = tokio::time::timeout_at(deadline, inner.auth.authorize(&inner.http, &mut req))
                    .await
                    .unwrap_or_else(|_| Err(out_of_time()));
                let ticket = match (authorized, auth_mode) {
                    (Ok(t), _) => t,
                    (Err(e), AuthMode::Required) => return Err(Failure::Error(e)),
                    #[cfg(feature = "progenitor")]
                    (Err(e), AuthMode::Preauthorized) => {
                        tracing::warn!(error = %e, "re-authorizing a retry failed; sending it with the credentials it had");
                        crate::auth::AuthTicket::default()
                    }
                };
                let attempt_span = tracing::debug_span!(
                    "edu.attempt",
                    attempt,
                    waited_ms = waited.as_millis() as u64,
                    status = tracing::field::Empty,
                    elapsed_ms = tracing::field::Empty,
                );
                if inner.caller_client {
                    crate::redirect::unreplayable(&mut req);
                }
                let sent_at = Instant::now();
                let outcome = inner.http.execute(req).instrument(attempt_span.clone()).await;
                // The request now counts from when its answer (or failure) came. (A request that
                // ends earlier, or is cancelled, completes its slot when the slot is dropped.)
                drop(slot);
                let next = || template.as_ref().and_then(reqwest::Request::try_clone);
                // Where the operation stands, for `decision::decide`.
                let standing = |attempt| Standing {
                    attempt,
                    retry_safe,
                    can_resend: template.is_some(),
                    until_deadline: deadline.saturating_duration_since(Instant::now()),
                    backoff: inner.retry.backoff(attempt),
                };
                let failed = match outcome {
                    Ok(resp) => {
                        let status = resp.status();
                        attempt_span.record("status", status.as_u16());
                        let hop = crate::redirect::next_hop(
                            &target,
                            &method,
                            status,
                            resp.url(),
                            resp.headers().get(http::header::LOCATION),
                            &inner.base_url,
                        );
                        match hop {
                            Err(e) => return Err(Failure::Error(e)),
                            Ok(Some(hop)) => {
                                hops += 1;
                                if hops > crate::redirect::MAX_HOPS {
                                    return Err(Failure::Error(crate::redirect::too_many(status, &hop.url, &inner.base_url)));
                                }
                                // A body that cannot be sent again: the redirect is the answer.
                                if let Some(r) = template.as_ref().and_then(|t| hop.request_from(t)) {
                                    tracing::debug!(%status, to = hop.url.path(), "following a same-origin redirect");
                                    template = r.try_clone();
                                    target = hop.url;
                                    method = r.method().clone();
                                    pending = Some(r);
                                    attempt -= 1;
                                    continue;
                                }
                            }
                            Ok(None) => {}
                        }
                        if status == StatusCode::UNAUTHORIZED && !refreshed && inner.auth.invalidate(ticket) {
                            refreshed = true;
                            if let Some(r) = next() {
                                tracing::debug!("401: retrying once with fresh credentials");
                                pending = Some(r);
                                attempt -= 1;
                                continue;
                            }
                        }
                        let verdict = retry::classify(status, resp.headers(), &inner.retry);
                        let gave_up = match decide(Outcome::Answer { status, verdict }, standing(attempt), &inner.retry) {
                            Decision::Done { gave_up } => gave_up,
                            Decision::Retry { wait, server_asked, cost, if_unpaid } => match next() {
                                Some(r) if inner.budget.try_spend(cost) => {
                                    if server_asked {
                                        // Only a retry that will happen holds back the other requests;
                                        // the next attempt waits at the pause like every request.
                                        inner.pause.pause_for(wait);
                                        #[cfg(feature = "redis")]
                                        if let Some(shared) = &inner.shared {
                                            shared.store.pause_for(&shared.ns, wait).await;
                                        }
                                        tracing::debug!(wait_ms = wait.as_millis() as u64, "throttled: waiting as asked");
                                    } else {
                                        tracing::debug!(backoff_ms = wait.as_millis() as u64, %status, "transient failure: backing off");
                                        drop(resp);
                                        tokio::time::sleep(wait).await;
                                    }
                                    pending = Some(r);
                                    continue;
                                }
                                _ => if_unpaid,
                            },
                        };
                        // Reading the body is part of the attempt: a connection that drops
                        // mid-body is retried like one that drops before the headers.
                        match buffer(resp, inner.max_body_bytes, gave_up).await {
                            Ok(resp) => {
                                attempt_span.record("elapsed_ms", sent_at.elapsed().as_millis() as u64);
                                if resp.status().is_success() {
                                    inner.budget.refund();
                                }
                                return Ok(resp);
                            }
                            Err(BodyFailure::TooLarge) => {
                                return Err(Failure::Error(Error::BodyTooLarge { limit: inner.max_body_bytes }));
                            }
                            Err(BodyFailure::Read(e)) => (e, true),
                        }
                    }
                    Err(e) => {
                        if let Some(refused) = crate::redirect::failed_elsewhere(&e, &target, &inner.base_url) {
                            return Err(Failure::Error(refused));
                        }
                        (e, false)
                    }
                };
                attempt_span.record("elapsed_ms", sent_at.elapsed().as_millis() as u64);
                let (e, mid_body) = failed;
                // A connection that was never established sent nothing: safe to retry for any method.
                let kind = if e.is_connect() {
                    TimeoutKind::Connect
                } else {
                    timeout_kind
                };
                let outcome = Outcome::Failed {
                    connect: e.is_connect(),
                    timeout: e.is_timeout(),
                    maybe_sent: e.is_request() || e.is_body() || mid_body,
                };
                if let Decision::Retry { wait, cost, .. } = decide(outcome, standing(attempt), &inner.retry)
                    && let Some(r) = next()
                    && inner.budget.try_spend(cost)
                {
                    tracing::debug!(error = %e.without_url_ref(), mid_body, backoff_ms = wait.as_millis() as u64, "attempt failed: backing off");
                    tokio::time::sleep(wait).await;
                    pending = Some(r);
                    continue;
                }
                return Err(if mid_body && !e.is_timeout() {
                    Failure::Interrupted(e)
                } else {
                    Failure::Reqwest(e, kind)
                });
            }
        }
        .instrument(span.clone())
        .await;
        span.record("attempts", attempt);
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        if let Ok(resp) = &result {
            span.record("status", resp.status().as_u16());
        }
        result
    }
}

/// Why a response body could not be buffered.
enum BodyFailure {
    /// A success body over the cap.
    TooLarge,
    /// The connection failed while the body was read.
    Read(reqwest::Error),
}

/// Reads the whole body of `resp` (a success body over `cap` is refused; an error body is cut
/// to `cap`) and returns an equivalent response that holds it, marked with why the loop gave up
/// retrying, if it did.
async fn buffer(
    mut resp: reqwest::Response,
    cap: usize,
    gave_up: Option<RateLimitReason>,
) -> std::result::Result<reqwest::Response, BodyFailure> {
    use reqwest::ResponseBuilderExt;
    let status = resp.status();
    let success = status.is_success();
    let mut builder = http::Response::builder()
        .status(status)
        .version(resp.version())
        .url(resp.url().clone());
    if let Some(h) = builder.headers_mut() {
        *h = std::mem::take(resp.headers_mut());
        if let Some(reason) = gave_up
            && let Ok(v) = HeaderValue::from_str(&encode_reason(reason))
        {
            h.insert(GAVE_UP_HEADER, v);
        }
        // The body is now whole and decoded: its length is what it holds.
        h.remove(http::header::CONTENT_LENGTH);
        h.remove(http::header::TRANSFER_ENCODING);
    }
    if success && resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyFailure::TooLarge);
    }
    // An error body over the cap is kept up to the cap, not refused.
    let (body, over) = crate::body::read_capped(resp, cap)
        .await
        .map_err(BodyFailure::Read)?;
    if over && success {
        return Err(BodyFailure::TooLarge);
    }
    match builder.body(body) {
        Ok(r) => Ok(reqwest::Response::from(r)),
        // Unreachable with parts copied from a valid response.
        Err(_) => Err(BodyFailure::TooLarge),
    }
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let mut s = self.to_string();
        if let Some(url) = self.url() {
            s = s.replace(url.as_str(), url.path());
        }
        s
    }
}

/// A request's place in the rate limit, held while it is in flight. Dropping it (when the answer
/// came, or when the request ended any other way, cancellation included) completes it: the
/// request then counts from that moment (see `RateLimit::acquire_in_flight`).
struct Slot {
    transport: Transport,
    ticket: SlotTicket,
}

enum SlotTicket {
    /// The in-process limiter.
    Local(limiter::InFlight),
    /// The budget shared through Redis.
    #[cfg(feature = "redis")]
    Shared(u64),
}

impl Slot {
    fn local(transport: &Transport, ticket: limiter::InFlight) -> Slot {
        Slot {
            transport: transport.clone(),
            ticket: SlotTicket::Local(ticket),
        }
    }

    #[cfg(feature = "redis")]
    fn shared(transport: &Transport, ticket: u64) -> Slot {
        Slot {
            transport: transport.clone(),
            ticket: SlotTicket::Shared(ticket),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        match self.ticket {
            SlotTicket::Local(t) => {
                if let Some(l) = &self.transport.inner.limiter {
                    l.complete(t);
                }
            }
            // One Redis round trip, off the caller's path.
            #[cfg(feature = "redis")]
            SlotTicket::Shared(t) => {
                if let (Some(shared), Ok(rt)) = (
                    self.transport.inner.shared.clone(),
                    tokio::runtime::Handle::try_current(),
                ) {
                    rt.spawn(async move { shared.complete(t).await });
                }
            }
        }
    }
}
