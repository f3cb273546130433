//! Benchmark: four replica processes share one Eduframe budget and one datahub token.
//!
//! `cargo run -p edu-examples --release --bin replicas -- [--seconds 10] [--redis redis://…]`
//!
//! This process runs the simulators (Eduframe with a scaled-down limit of 50 requests per 2 s,
//! enforced server-side by the real sliding-window limiter; datahub with 4-second tokens) and
//! starts four worker processes of this same binary. Each worker is a separate client, as a
//! replica would be: it sends Eduframe requests as fast as its client-side limit lets it and a
//! datahub request every 100 ms. The run is made twice, with the workers sharing state through
//! Redis and without, and prints for each: the achieved rate as a share of the budget, the 429s
//! the server sent, and the token requests across all processes. The Redis is `--redis`,
//! `EDU_REDIS_URL`, or a `redis-server` this program starts on a free port.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use edu_common::shared::RedisStore;
use edu_examples::redis_server::OwnRedis;

const LIMIT: u32 = 50;
const WINDOW: Duration = Duration::from_secs(2);
const WORKERS: usize = 4;
const TOKEN_LIFETIME: Duration = Duration::from_secs(4);

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--worker") {
        return worker().await;
    }
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |s| s.parse())?;
    let (redis_url, _own) = match arg("--redis").or_else(|| std::env::var("EDU_REDIS_URL").ok()) {
        Some(url) => (url, None),
        None => {
            let own = OwnRedis::start(None).map_err(|e| {
                anyhow::anyhow!(
                    "no Redis: pass --redis or EDU_REDIS_URL, or install redis-server ({e})"
                )
            })?;
            (own.url(), Some(own))
        }
    };
    println!(
        "{WORKERS} replica processes, Eduframe budget {LIMIT} per {WINDOW:?} (server-enforced), datahub tokens of {TOKEN_LIFETIME:?}, {seconds} s each run"
    );
    for shared in [true, false] {
        let eduframe = eduframe_client::mock::Simulator::builder()
            .rate_limit(LIMIT, WINDOW)
            .start()
            .await;
        let datahub = datahub_client::mock::Simulator::builder()
            .token_lifetime(TOKEN_LIFETIME)
            .start()
            .await;
        let prefix = format!("edu-bench:{}:{}", std::process::id(), shared);
        let started = Instant::now();
        let children: Vec<_> = (0..WORKERS)
            .map(|_| {
                let mut c = Command::new(std::env::current_exe()?);
                c.arg("--worker")
                    .args(["--seconds", &seconds.to_string()])
                    .args(["--eduframe", &eduframe.base_url()])
                    .args(["--key", eduframe.api_key()])
                    .args(["--datahub", &datahub.base_url()])
                    .args(["--id", datahub.client_id()])
                    .args(["--secret", datahub.client_secret()])
                    .stdout(Stdio::piped());
                if shared {
                    c.args(["--redis", &redis_url, "--prefix", &prefix]);
                }
                c.spawn()
            })
            .collect::<std::io::Result<_>>()?;
        let mut ok = 0u64;
        let mut failed = 0u64;
        for child in children {
            let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
            let text = String::from_utf8_lossy(&out.stdout);
            for (k, v) in text.split_whitespace().filter_map(|kv| kv.split_once('=')) {
                match k {
                    "ok" => ok += v.parse::<u64>()?,
                    "failed" => failed += v.parse::<u64>()?,
                    _ => {}
                }
            }
        }
        let elapsed = started.elapsed();
        let (requests, throttled) = (eduframe.api_requests(), eduframe.throttled());
        // What the budget allows in the run: LIMIT per WINDOW, plus the first window's burst.
        let allowed =
            LIMIT as f64 * (elapsed.as_secs_f64().min(seconds as f64) / WINDOW.as_secs_f64());
        // A shared token is refreshed once per its shared life: the lifetime less the margin
        // (a quarter of a short token's life).
        let refresh = TOKEN_LIFETIME - (TOKEN_LIFETIME / 4).min(Duration::from_secs(60));
        let expiries = (seconds as f64 / refresh.as_secs_f64()).ceil() as usize;
        println!(
            "{:<14} achieved {:>5.1}% of the budget ({ok} answered, {requests} sent); 429s {throttled}; failed calls {failed}; token requests {} (one per refresh would be {expiries})",
            if shared {
                "with Redis"
            } else {
                "without Redis"
            },
            100.0 * ok as f64 / allowed,
            datahub.tokens_issued(),
        );
    }
    Ok(())
}

/// One replica: its own clients, sharing state through Redis when given `--redis`.
async fn worker() -> anyhow::Result<()> {
    let seconds: u64 = arg("--seconds").map_or(Ok(10), |s| s.parse())?;
    let store = match arg("--redis") {
        Some(url) => Some(RedisStore::new(&url)?.prefix(arg("--prefix").unwrap_or_default())),
        None => None,
    };
    let mut eduframe = eduframe_client::Client::builder()
        .base_url(arg("--eduframe").unwrap_or_default())
        .api_key(arg("--key").unwrap_or_default())
        .rate_limit(LIMIT, WINDOW)
        .retry(edu_common::RetryConfig::disabled());
    let mut datahub = datahub_client::Client::builder()
        .base_url(arg("--datahub").unwrap_or_default())
        .client_credentials(
            arg("--id").unwrap_or_default(),
            arg("--secret").unwrap_or_default(),
        );
    if let Some(store) = &store {
        eduframe = eduframe.shared_state(store.clone());
        datahub = datahub.shared_state(store.clone());
    }
    let (eduframe, datahub) = (eduframe.build()?, datahub.build()?);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(seconds);
    let hammer = async {
        let (mut ok, mut failed) = (0u64, 0u64);
        while tokio::time::Instant::now() < deadline {
            let call = eduframe.transport().get("courses").send();
            match tokio::time::timeout_at(deadline, call).await {
                Ok(Ok(_)) => ok += 1,
                Ok(Err(_)) => failed += 1,
                Err(_) => break, // still waiting for the budget at the end of the run
            }
        }
        (ok, failed)
    };
    let tokens = async {
        let mut failed = 0u64;
        while tokio::time::Instant::now() < deadline {
            if datahub.districts().list().first_page().await.is_err() {
                failed += 1;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        failed
    };
    let ((ok, failed), token_failures) = tokio::join!(hammer, tokens);
    println!("ok={ok} failed={}", failed + token_failures);
    Ok(())
}
