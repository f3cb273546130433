//! Benchmark: signed deliveries through one webhook intake (signature checked over the raw
//! bytes, stored, then answered), with its Redis stream store against its in-memory store,
//! measured in the same run.
//!
//! `cargo run -p edu-examples --release --bin intake_bench -- [--deliveries 20000] [--in-flight 64] [--seconds 5] [--redis redis://…]`
//!
//! For each store: **saturation**: `--deliveries` distinct Eduframe deliveries, signed
//! beforehand, posted by `--in-flight` concurrent senders over keep-alive connections as fast
//! as the intake answers (deliveries per second); **steady load**: 1,000 deliveries per second
//! for `--seconds`, each sent at its scheduled time whatever the others are doing (open loop),
//! and the time from sending to the 2xx (p50, p99, max). The load generator is Rust (reqwest)
//! in the same process, on the same 2 cores. The Redis is `--redis`, `EDU_REDIS_URL`, or a
//! `redis-server` this program starts on a free port (no persistence: `appendonly yes` costs
//! its own fsync once a second, in the background).

use std::sync::Arc;
use std::time::{Duration, Instant};

use edu_common::reqwest;
use edu_common::shared::RedisStore;
use edu_common::webhook::intake::{Intake, MemoryStore, RedisStreamStore, Store};
use edu_examples::redis_server::OwnRedis;
use eduframe_client::webhooks::{Signer, Verifier};

const SECRET: &str = "whsec_bench";

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// `n` distinct signed deliveries, from `from`: (headers, body).
fn signed(from: usize, n: usize) -> Vec<(reqwest::header::HeaderMap, Vec<u8>)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signer = Signer::new(SECRET);
    (from..from + n)
        .map(|i| {
            let body = format!(
                r#"{{"tenant_id":"5e7a11c0-0000-4000-8000-000000000001","educator":"bench","event":"enrollment.created","event_data":{{"id":{i},"course_id":17,"planned_course_id":4,"status":"confirmed","created_at":"2026-12-07T10:00:00Z"}}}}"#
            )
            .into_bytes();
            (signer.sign(&body, now), body)
        })
        .collect()
}

async fn serve(store: Arc<dyn Store>) -> anyhow::Result<String> {
    let app = Intake::new(store)
        .route("/hooks/eduframe", Verifier::new(SECRET))
        .max_concurrent(4096)
        .router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hooks/eduframe", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

/// Posts one delivery; anything but 204 (stored now) is a failure of the run.
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
) -> anyhow::Result<()> {
    let status = http
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await?
        .status();
    anyhow::ensure!(status.as_u16() == 204, "answered {status}");
    Ok(())
}

/// Posts every delivery with `in_flight` senders; returns deliveries per second.
async fn saturate(
    http: &reqwest::Client,
    url: &str,
    deliveries: Vec<(reqwest::header::HeaderMap, Vec<u8>)>,
    in_flight: usize,
) -> anyhow::Result<f64> {
    let n = deliveries.len();
    let queue = Arc::new(std::sync::Mutex::new(deliveries));
    let started = Instant::now();
    let senders: Vec<_> = (0..in_flight)
        .map(|_| {
            let (http, url, queue) = (http.clone(), url.to_owned(), queue.clone());
            tokio::spawn(async move {
                loop {
                    let Some((headers, body)) = queue.lock().unwrap().pop() else {
                        return Ok::<_, anyhow::Error>(());
                    };
                    deliver(&http, &url, headers, body).await?;
                }
            })
        })
        .collect();
    for s in senders {
        s.await??;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// 1,000 deliveries a second, each at its time; the latencies to the 2xx, sorted.
async fn steady(
    http: &reqwest::Client,
    url: &str,
    deliveries: Vec<(reqwest::header::HeaderMap, Vec<u8>)>,
) -> anyhow::Result<Vec<Duration>> {
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut sends = Vec::with_capacity(deliveries.len());
    for (headers, body) in deliveries {
        tick.tick().await;
        let (http, url) = (http.clone(), url.to_owned());
        sends.push(tokio::spawn(async move {
            let sent = Instant::now();
            deliver(&http, &url, headers, body).await?;
            Ok::<_, anyhow::Error>(sent.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(sends.len());
    for s in sends {
        latencies.push(s.await??);
    }
    latencies.sort();
    Ok(latencies)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let total: usize = arg("--deliveries").map_or(Ok(20_000), |s| s.parse())?;
    let in_flight: usize = arg("--in-flight").map_or(Ok(64), |s| s.parse())?;
    let seconds: usize = arg("--seconds").map_or(Ok(5), |s| s.parse())?;
    let (redis_url, _own) = match arg("--redis").or_else(|| std::env::var("EDU_REDIS_URL").ok()) {
        Some(url) => (url, None),
        None => {
            let own = OwnRedis::start(None)?;
            (own.url(), Some(own))
        }
    };
    edu_common::install_crypto_provider();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(in_flight.max(256))
        .build()?;
    println!(
        "intake bench: {total} deliveries at saturation ({in_flight} in flight), then 1,000/s for {seconds} s; 2 cores shared with the load generator"
    );
    println!(
        "{:<8} {:>14} {:>10} {:>10} {:>10}",
        "store", "saturation", "p50", "p99", "max"
    );
    let prefix = format!("edu-bench:{}", std::process::id());
    let mut rates = Vec::new();
    for (name, store) in [
        ("memory", Arc::new(MemoryStore::default()) as Arc<dyn Store>),
        (
            "redis",
            Arc::new(RedisStreamStore::new(
                RedisStore::new(&redis_url)?
                    .prefix(prefix.clone())
                    .timeout(Duration::from_secs(2)),
                "bench",
            )) as Arc<dyn Store>,
        ),
    ] {
        let url = serve(store).await?;
        // Warm-up: connections and the Redis scripts.
        saturate(&http, &url, signed(10_000_000, 500), in_flight).await?;
        let rate = saturate(&http, &url, signed(0, total), in_flight).await?;
        let lat = steady(&http, &url, signed(total, seconds * 1000)).await?;
        println!(
            "{name:<8} {:>10.0} /s {:>10} {:>10} {:>10}",
            rate,
            ms(percentile(&lat, 0.50)),
            ms(percentile(&lat, 0.99)),
            ms(*lat.last().unwrap())
        );
        rates.push(rate);
    }
    println!(
        "redis / memory throughput: {:.2}x (goal: redis >= 5,000/s at saturation, p99 < 10 ms at 1,000/s)",
        rates[1] / rates[0]
    );
    Ok(())
}
