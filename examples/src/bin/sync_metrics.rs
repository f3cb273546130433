//! A sync a dashboard can watch: `cargo run -p edu-examples --features metrics --bin sync_metrics`
//!
//! Runs a full datahub student sync against the simulator, three times, with trouble turned on
//! between rounds: tokens expire, the server throttles (429 with `Retry-After: 1`) and fails
//! (503). Logs go to stderr through `tracing-subscriber` (`RUST_LOG` to choose; default: one line
//! per call with its OpenTelemetry-shaped fields), and the metrics through
//! `metrics-exporter-prometheus`: printed at the end (the `edu_client_` lines), or served at
//! `http://ADDR/metrics` with `--serve ADDR` until Ctrl-C.
//!
//! Offline by design: the simulator is started in-process.

use std::time::Duration;

use anyhow::Context;
use edu_common::telemetry::{REQUEST_DURATION_BUCKETS, WAIT_DURATION_BUCKETS};
use futures::TryStreamExt;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

const STUDENTS: usize = 2_500;
const ROUNDS: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let serve = std::env::args()
        .skip_while(|a| a != "--serve")
        .nth(1)
        .map(|a| a.parse::<std::net::SocketAddr>())
        .transpose()
        .context("--serve takes an address such as 127.0.0.1:9000")?;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("edu_common=info")),
        )
        // One line per call when its span closes, with every field it recorded.
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    // Buckets, not the exporter's default summaries: quantiles cannot be added up across
    // replicas, bucket counts can (see `edu_common::telemetry`).
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("edu_client_request_duration_seconds".into()),
            &REQUEST_DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full("edu_client_wait_duration_seconds".into()),
            &WAIT_DURATION_BUCKETS,
        )?
        .install_recorder()
        .context("installing the Prometheus recorder")?;

    let sim = datahub_client::mock::Simulator::builder()
        .students(STUDENTS)
        .start()
        .await;
    let client = datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()?;

    for round in 1..=ROUNDS {
        if round > 1 {
            // Trouble for this round: an expired token, a throttled request, a failing one.
            sim.expire_tokens();
            sim.throttle_next(1, 1);
            sim.fail_next(1, 503);
        }
        let (synced, reports) = edu_common::report::capture(
            client
                .students()
                .list()
                .page_size(500)
                .stream()
                .try_fold(0usize, |n, _| async move { Ok(n + 1) }),
        )
        .await;
        let synced = synced?;
        let attempts: u32 = reports.iter().map(|r| r.attempts).sum();
        let waited: Duration = reports.iter().map(|r| r.waited.total()).sum();
        println!(
            "round {round}: {synced} students in {} calls, {attempts} attempts, {:.1} s waited",
            reports.len(),
            waited.as_secs_f64()
        );
    }

    match serve {
        None => print_metrics(&prometheus),
        Some(addr) => serve_metrics(addr, prometheus).await?,
    }
    Ok(())
}

/// The SDK's lines of the Prometheus exposition (buckets only for the request durations).
fn print_metrics(prometheus: &PrometheusHandle) {
    for line in prometheus.render().lines() {
        let bucket = line.contains("_bucket");
        if line.starts_with("edu_client_")
            && (!bucket || line.starts_with("edu_client_request_duration_seconds"))
        {
            println!("{line}");
        }
    }
}

/// Serves `GET /metrics` until Ctrl-C.
async fn serve_metrics(
    addr: std::net::SocketAddr,
    prometheus: PrometheusHandle,
) -> anyhow::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let prometheus = prometheus.clone();
            async move { prometheus.render() }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "metrics at http://{}/metrics (Ctrl-C to stop)",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
