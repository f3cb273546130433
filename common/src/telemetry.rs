//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature `metrics`, off by
//! default): install any recorder (`metrics-exporter-prometheus`, an OpenTelemetry bridge…) and
//! every client reports into it. Without the feature these functions are empty and compile away;
//! with it and no recorder installed, each is a check of the facade's global recorder.
//!
//! | metric | kind | labels | what it counts |
//! |---|---|---|---|
//! | `edu_client_requests_total` | counter | `api`, `operation`, `method`, `status_class` | calls ended (a call is all of one operation's attempts) |
//! | `edu_client_request_duration_seconds` | histogram | `api`, `operation`, `method`, `status_class` | a call from start to its last answer, waits included |
//! | `edu_client_attempts_total` | counter | `api`, `operation`, `method` | attempts sent |
//! | `edu_client_retries_total` | counter | `api`, `operation`, `reason` | attempts sent again, by [`RetryReason`](crate::report::RetryReason) |
//! | `edu_client_wait_duration_seconds` | histogram | `api`, `cause` | each time a call was held back, one observation per wait: `rate_limit`, `retry_after`, `backoff` (the `_sum` is the total) |
//! | `edu_client_response_body_bytes_total` | counter | `api`, `operation` | response body bytes received (after decompression) |
//! | `edu_client_token_fetches_total` | counter | `api`, `outcome` | OAuth2 token requests: `ok`, `refused` (the endpoint said no), `failed` (unreachable, slow, unreadable) |
//! | `edu_client_shared_budget_admissions_total` | counter | `api`, `outcome` | with Redis (feature `redis`): `immediate`, `waited`, `unavailable` (Redis away: the local limit paced it) |
//!
//! Label values are bounded: `api` is the client's name (`eduframe`, `edfi_admin`, `eduv`,
//! `onderwijsregio`, `datahub`), `operation` the spec's operation id or a hand-written client's
//! fixed name (`unnamed` otherwise, never a path), `method` an HTTP method, `status_class` one of
//! `1xx`…`5xx` or `none` (no answer came), and `reason`, `cause` and `outcome` the fixed words
//! above. No id, URL, query or credential is ever a label. Names follow the Prometheus
//! conventions (a unit suffix, `_total` on counters); the spans follow OpenTelemetry's HTTP client
//! conventions (see [`crate::transport`]).

//!
//! ## Histograms a fleet can add up
//!
//! A recorder's default for a histogram may be a summary (`metrics-exporter-prometheus`
//! writes quantiles unless given buckets): quantiles computed in each replica cannot be
//! aggregated across replicas or over time. Give the two durations buckets:
//! [`REQUEST_DURATION_BUCKETS`] are OpenTelemetry's advised boundaries for
//! `http.client.request.duration`, [`WAIT_DURATION_BUCKETS`] reach the minutes a `Retry-After`
//! can ask for. With `metrics-exporter-prometheus`:
//!
//! ```no_run
//! use edu_common::telemetry::{REQUEST_DURATION_BUCKETS, WAIT_DURATION_BUCKETS};
//! use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let metrics = PrometheusBuilder::new()
//!         .set_buckets_for_metric(
//!             Matcher::Full("edu_client_request_duration_seconds".into()),
//!             &REQUEST_DURATION_BUCKETS,
//!         )?
//!         .set_buckets_for_metric(
//!             Matcher::Full("edu_client_wait_duration_seconds".into()),
//!             &WAIT_DURATION_BUCKETS,
//!         )?
//!         .install_recorder()?;
//!     println!("{}", metrics.render()); // or serve it at /metrics
//!     Ok(())
//! }
//! ```

use crate::report::CallReport;

/// Bucket boundaries, in seconds, for `edu_client_request_duration_seconds`: OpenTelemetry's
/// advised boundaries for `http.client.request.duration`, so the SDK's histograms line up with
/// other HTTP clients' on one dashboard.
pub const REQUEST_DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// Bucket boundaries, in seconds, for `edu_client_wait_duration_seconds`: from a paced
/// request's milliseconds to the minutes a `Retry-After` (Eduframe's 5-minute window) can ask for.
pub const WAIT_DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// `2xx`… for a status, `none` without one.
#[cfg(feature = "metrics")]
fn status_class(status: Option<http::StatusCode>) -> &'static str {
    match status.map(|s| s.as_u16() / 100) {
        Some(1) => "1xx",
        Some(2) => "2xx",
        Some(3) => "3xx",
        Some(4) => "4xx",
        Some(5) => "5xx",
        _ => "none",
    }
}

/// Records a finished call: its request, duration, attempts, retries and body bytes (each wait
/// was recorded as it ended, by [`waited`]).
#[cfg(feature = "metrics")]
pub(crate) fn call_finished(report: &CallReport, body_bytes: u64) {
    use metrics::{Label, counter, histogram};
    let api = Label::new("api", report.api);
    let operation = Label::new("operation", report.operation.clone());
    let method = Label::new("method", method_label(&report.method));
    let class = Label::new("status_class", status_class(report.status));
    let call = [api.clone(), operation.clone(), method.clone(), class];
    counter!("edu_client_requests_total", call.iter()).increment(1);
    histogram!("edu_client_request_duration_seconds", call.iter())
        .record(report.elapsed.as_secs_f64());
    counter!(
        "edu_client_attempts_total",
        [api.clone(), operation.clone(), method].iter()
    )
    .increment(u64::from(report.attempts));
    for reason in &report.retries {
        counter!(
            "edu_client_retries_total",
            [
                api.clone(),
                operation.clone(),
                Label::from_static_parts("reason", reason.as_str())
            ]
            .iter()
        )
        .increment(1);
    }
    if body_bytes > 0 {
        counter!(
            "edu_client_response_body_bytes_total",
            [api, operation].iter()
        )
        .increment(body_bytes);
    }
}

#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn call_finished(_report: &CallReport, _body_bytes: u64) {}

/// Records one wait of a call, as it ends: `cause` is `rate_limit`, `retry_after` or `backoff`.
#[cfg(feature = "metrics")]
pub(crate) fn waited(api: &'static str, cause: &'static str, waited: std::time::Duration) {
    if !waited.is_zero() {
        metrics::histogram!(
            "edu_client_wait_duration_seconds",
            [
                metrics::Label::new("api", api),
                metrics::Label::from_static_parts("cause", cause)
            ]
            .iter()
        )
        .record(waited.as_secs_f64());
    }
}

#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn waited(_api: &'static str, _cause: &'static str, _waited: std::time::Duration) {}

/// Records one OAuth2 token request's outcome (`ok`, `refused`, `failed`).
#[cfg(feature = "metrics")]
pub(crate) fn token_fetch(api: &'static str, outcome: &'static str) {
    metrics::counter!("edu_client_token_fetches_total", "api" => api, "outcome" => outcome)
        .increment(1);
}

#[cfg(not(feature = "metrics"))]
#[inline(always)]
pub(crate) fn token_fetch(_api: &'static str, _outcome: &'static str) {}

/// Records how the shared budget admitted a request (`immediate`, `waited`, `unavailable`).
#[cfg(all(feature = "metrics", feature = "redis"))]
pub(crate) fn shared_admission(api: &'static str, outcome: &'static str) {
    metrics::counter!("edu_client_shared_budget_admissions_total", "api" => api, "outcome" => outcome)
        .increment(1);
}

#[cfg(all(not(feature = "metrics"), feature = "redis"))]
#[inline(always)]
pub(crate) fn shared_admission(_api: &'static str, _outcome: &'static str) {}

/// A method as a bounded label: the standard ones by name, anything else `_OTHER` (as
/// OpenTelemetry's HTTP conventions say).
#[cfg(feature = "metrics")]
fn method_label(method: &http::Method) -> &'static str {
    use http::Method as M;
    match *method {
        M::GET => "GET",
        M::POST => "POST",
        M::PUT => "PUT",
        M::PATCH => "PATCH",
        M::DELETE => "DELETE",
        M::HEAD => "HEAD",
        M::OPTIONS => "OPTIONS",
        M::TRACE => "TRACE",
        M::CONNECT => "CONNECT",
        _ => "_OTHER",
    }
}
