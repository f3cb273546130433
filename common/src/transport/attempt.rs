//! The attempt loop: one operation's attempts, waits and retries, the body read with each
//! attempt, and the rate-limit slot it holds while in flight.

use super::decision::{Decision, Outcome, Standing, decide};
use super::*;
use crate::report::{CallReport, RetryReason};

impl Transport {
    /// The retry loop shared by hand-written and generated clients, with the report of what it
    /// did (also recorded in metrics and handed to an enclosing `report::capture`).
    pub(crate) async fn run(
        &self,
        request: reqwest::Request,
        operation: &str,
        retry_safe: Option<bool>,
    ) -> (Result<reqwest::Response, Failure>, CallReport) {
        let inner = &*self.inner;
        let mut report = CallReport::new(inner.api, operation, request.method().clone());
        report.url = crate::redact::url(request.url());
        if let Err(e) = self.check_origin(request.url()) {
            return (Err(Failure::Error(e)), report);
        }
        let mut method = request.method().clone();
        let retry_safe = retry_safe.unwrap_or_else(|| retry::is_idempotent_method(&method));
        let mut template = request.try_clone();
        // Where this attempt goes; moved by a same-origin redirect the transport follows.
        let mut target = request.url().clone();
        let mut hops = 0u32;
        // Shaped like OpenTelemetry's HTTP client spans (`otel.*` for tracing-opentelemetry).
        let span = tracing::info_span!(
            "edu.operation",
            otel.name = %format_args!("{} {operation}", method),
            otel.kind = "client",
            edu.api = inner.api,
            edu.operation = operation,
            http.request.method = %method,
            url.full = %report.url,
            server.address = request.url().host_str().unwrap_or_default(),
            server.port = request.url().port_or_known_default().unwrap_or_default(),
            http.response.status_code = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            error.type = tracing::field::Empty,
            edu.request_id = tracing::field::Empty,
            edu.waited_ms = tracing::field::Empty,
            edu.elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // A timeout of `Duration::MAX` means "no limit", not an overflow.
        let deadline = limiter::later(started, inner.timeouts.operation);
        let mut pending = Some(request);
        let mut attempt = 0u32;
        let mut refreshed = false;
        // The next gate's wait is the server's `Retry-After` (not the rate limit's).
        let mut waiting_as_asked = false;
        let mut body_bytes = 0u64;
        let out_of_time = || Error::Timeout {
            report: None,
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
                        if let Some((ticket, held)) = shared.admit(budget, hold).await {
                            let slot = ticket.map(|t| Slot::shared(self, t));
                            let how = if held { "waited" } else { "immediate" };
                            crate::telemetry::shared_admission(inner.api, how);
                            return (waited + started.elapsed(), slot);
                        }
                        // Redis is unavailable: this process's own limiter paces it.
                        crate::telemetry::shared_admission(inner.api, "unavailable");
                    }
                    if let Some(l) = &inner.limiter {
                        let (w, ticket) = l.acquire_in_flight(hold).await;
                        return (waited + w, Some(Slot::local(self, ticket)));
                    }
                    (waited, None)
                };
                let gate_started = Instant::now();
                let gated = tokio::time::timeout_at(deadline, gate).await;
                // What the gate says it waited (nothing, without a pause or a limit), or all of
                // it when the deadline cut it short.
                let gate_waited = match &gated {
                    Ok((waited, _)) => *waited,
                    Err(_) => gate_started.elapsed(),
                };
                let cause = if std::mem::take(&mut waiting_as_asked) {
                    Wait::RetryAfter
                } else {
                    Wait::RateLimit
                };
                note_wait(&mut report, cause, gate_waited);
                let Ok((waited, slot)) = gated else {
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
                let ticket = match authorized {
                    Ok(t) => t,
                    Err(e) => return Err(Failure::Error(e)),
                };
                report.attempts += 1;
                let resends = report.attempts - 1;
                let attempt_span = tracing::debug_span!(
                    "edu.attempt",
                    otel.name = %method,
                    otel.kind = "client",
                    http.request.method = %method,
                    url.full = %crate::redact::url(&target),
                    http.request.resend_count = resends,
                    edu.waited_ms = waited.as_millis() as u64,
                    http.response.status_code = tracing::field::Empty,
                    error.type = tracing::field::Empty,
                    edu.request_id = tracing::field::Empty,
                    edu.elapsed_ms = tracing::field::Empty,
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
                        attempt_span.record("http.response.status_code", status.as_u16());
                        if status.as_u16() >= 400 {
                            attempt_span.record("error.type", status.as_str());
                        }
                        report.status = Some(status);
                        report.note_request_id(resp.headers(), &inner.request_id_headers);
                        if let Some(id) = &report.request_id {
                            attempt_span.record("edu.request_id", id.as_str());
                        }
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
                                    report.url = crate::redact::url(&target);
                                    report.method = method.clone();
                                    pending = Some(r);
                                    attempt -= 1;
                                    report.attempts -= 1;
                                    continue;
                                }
                            }
                            Ok(None) => {}
                        }
                        if status == StatusCode::UNAUTHORIZED && !refreshed && inner.auth.invalidate(ticket) {
                            refreshed = true;
                            if let Some(r) = next() {
                                tracing::debug!("401: retrying once with fresh credentials");
                                report.retries.push(RetryReason::Token);
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
                                    report.retries.push(if server_asked {
                                        RetryReason::Throttled
                                    } else if status == StatusCode::REQUEST_TIMEOUT {
                                        RetryReason::Timeout
                                    } else {
                                        RetryReason::ServerError
                                    });
                                    if server_asked {
                                        waiting_as_asked = true;
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
                                        note_wait(&mut report, Wait::Backoff, wait);
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
                                attempt_span.record("edu.elapsed_ms", sent_at.elapsed().as_millis() as u64);
                                body_bytes += resp.content_length().unwrap_or(0);
                                if resp.status().is_success() {
                                    inner.budget.refund();
                                }
                                return Ok(resp);
                            }
                            Err(BodyFailure::TooLarge) => {
                                return Err(Failure::Error(Error::BodyTooLarge { report: None, limit: inner.max_body_bytes }));
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
                attempt_span.record("edu.elapsed_ms", sent_at.elapsed().as_millis() as u64);
                let (e, mid_body) = failed;
                attempt_span.record("error.type", failure_type(&e, mid_body));
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
                    report.retries.push(if e.is_timeout() { RetryReason::Timeout } else { RetryReason::Transport });
                    tokio::time::sleep(wait).await;
                    note_wait(&mut report, Wait::Backoff, wait);
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
        report.elapsed = started.elapsed();
        if report.attempts > 1 {
            span.record("http.request.resend_count", report.attempts - 1);
        }
        span.record("edu.elapsed_ms", report.elapsed.as_millis() as u64);
        span.record("edu.waited_ms", report.waited.total().as_millis() as u64);
        if let Some(id) = &report.request_id {
            span.record("edu.request_id", id.as_str());
        }
        match &result {
            Ok(resp) => {
                span.record("http.response.status_code", resp.status().as_u16());
                if resp.status().as_u16() >= 400 {
                    span.record("error.type", resp.status().as_str());
                }
            }
            Err(Failure::Reqwest(e, _)) => {
                span.record("error.type", failure_type(e, false));
            }
            Err(Failure::Interrupted(_)) => {
                span.record("error.type", "interrupted");
            }
            Err(Failure::Error(e)) => {
                span.record("error.type", e.type_name());
            }
        }
        crate::telemetry::call_finished(&report, body_bytes);
        crate::report::deliver(&report);
        (result, report)
    }
}

/// Why a call was held back.
#[derive(Clone, Copy)]
enum Wait {
    RateLimit,
    RetryAfter,
    Backoff,
}

/// Adds a wait to the call's report and observes it in metrics (cause `rate_limit`,
/// `retry_after` or `backoff`).
fn note_wait(report: &mut CallReport, wait: Wait, waited: Duration) {
    let (total, cause) = match wait {
        Wait::RateLimit => (&mut report.waited.rate_limit, "rate_limit"),
        Wait::RetryAfter => (&mut report.waited.retry_after, "retry_after"),
        Wait::Backoff => (&mut report.waited.backoff, "backoff"),
    };
    *total += waited;
    crate::telemetry::waited(report.api, cause, waited);
}

/// OpenTelemetry's `error.type` for an attempt that got no (whole) answer.
fn failure_type(e: &reqwest::Error, mid_body: bool) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if mid_body || connection_lost(e) {
        "interrupted"
    } else {
        "transport"
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
        Ok(mut r) => {
            if let Some(reason) = gave_up {
                r.extensions_mut().insert(super::GaveUp(reason));
            }
            Ok(reqwest::Response::from(r))
        }
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
