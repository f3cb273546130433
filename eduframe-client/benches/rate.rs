//! The client's achieved request rate as a fraction of the allowed rate, with the simulator's
//! limiter set to a small window and the client's limiter to the same budget. Prints the figure
//! and the number of 429s (target: at least 98% of the allowed rate, zero 429s).
//!
//! `cargo bench -p eduframe-client --bench rate --features mock`

use std::time::{Duration, Instant};

use eduframe_client::mock::Simulator;
use eduframe_client::{Client, types};
use futures::TryStreamExt;

#[tokio::main]
async fn main() {
    let (limit, window) = (50u32, Duration::from_secs(2));
    let windows = 4u32;
    let requests = limit * windows;
    let sim = Simulator::builder()
        .rate_limit(limit, window)
        .records(requests as usize)
        .start()
        .await;
    let client = Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .rate_limit(limit, window)
        .build()
        .unwrap();
    let started = Instant::now();
    // One record per page: one request per item, the worst case for pacing.
    let all: Vec<types::CourseWithIncludes> = client
        .courses()
        .list()
        .per_page(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let elapsed = started.elapsed();
    let (sent, throttled) = (sim.api_requests(), sim.throttled());
    // The first `limit` requests go at once; each later window admits `limit` more. Over
    // `requests` requests, the allowed rate needs (windows - 1) full windows.
    let ideal = window * (windows - 1);
    let fraction = ideal.as_secs_f64() / elapsed.as_secs_f64();
    println!(
        "{} requests ({} items) at {limit} per {window:?}: {:.3} s (ideal {:.3} s), achieved {:.1}% of the allowed rate, {throttled} x 429",
        sent,
        all.len(),
        elapsed.as_secs_f64(),
        ideal.as_secs_f64(),
        fraction * 100.0
    );
}
