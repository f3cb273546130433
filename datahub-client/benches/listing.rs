//! Listing 100,000 students from the simulator with 20 ms of latency per page:
//! sequential (following `next` links) versus concurrent page fetching (8 at a time), and the
//! client's overhead against a raw reqwest loop over the same simulator. Prints the figures.
//!
//! `cargo bench -p datahub-client --bench listing --features mock`

use std::time::{Duration, Instant};

use datahub_client::mock::Simulator;
use futures::TryStreamExt;
use serde::Deserialize;

const STUDENTS: usize = 100_000;
const LIMIT: u32 = 1_000;

#[derive(Deserialize)]
struct RawList {
    data: Vec<RawWrapped>,
    links: Vec<RawLink>,
}

#[derive(Deserialize)]
struct RawWrapped {
    data: datahub_client::Student,
}

#[derive(Deserialize)]
struct RawLink {
    rel: String,
    uri: String,
}

/// What a careful hand-written integration would do: token once, then follow `next`.
async fn raw(sim: &Simulator) -> usize {
    let http = reqwest::Client::new();
    let base = sim.base_url();
    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    let token: Token = http
        .post(format!("{base}/datahub/oauth/token"))
        .basic_auth(sim.client_id(), Some(sim.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut count = 0;
    let mut next = Some(format!("/v1/students?limit={LIMIT}"));
    while let Some(path) = next {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = if path.contains("limit=") {
            format!("{base}/datahub/services{path}")
        } else {
            format!("{base}/datahub/services{path}{sep}limit={LIMIT}")
        };
        let body = http
            .get(url)
            .bearer_auth(&token.access_token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let page: RawList = serde_json::from_slice(&body).unwrap();
        for s in page.data {
            std::hint::black_box(&s.data);
            count += 1;
        }
        next = page
            .links
            .into_iter()
            .find(|l| l.rel.eq_ignore_ascii_case("next"))
            .map(|l| l.uri);
    }
    count
}

async fn ours(sim: &Simulator, concurrency: usize) -> usize {
    let client = sim.client();
    let mut stream = client
        .students()
        .list()
        .limit(LIMIT)
        .concurrent(concurrency)
        .stream();
    let mut count = 0;
    while let Some(s) = stream.try_next().await.unwrap() {
        std::hint::black_box(&s);
        count += 1;
    }
    count
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    println!("generating a district of {STUDENTS} students...");
    let sim = Simulator::builder()
        .students(STUDENTS)
        .sections(1_000)
        .start()
        .await;

    // Overhead: no added latency, so client costs are visible.
    // Warm-up: the simulator renders each page once and serves it from memory afterwards, so
    // both access paths (next links and page numbers) are rendered before anything is timed.
    assert_eq!(raw(&sim).await, STUDENTS);
    assert_eq!(ours(&sim, 1).await, STUDENTS);
    assert_eq!(ours(&sim, 8).await, STUDENTS);
    let (mut r, mut o) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        raw(&sim).await;
        r.push(t.elapsed());
        let t = Instant::now();
        ours(&sim, 1).await;
        o.push(t.elapsed());
    }
    r.sort();
    o.sort();
    let (r, o) = (r[2], o[2]);
    println!(
        "overhead, no latency ({} pages of {LIMIT}): raw reqwest {:.3} s, datahub-client {:.3} s, ratio {:.3} ({:+.1}%)",
        STUDENTS / LIMIT as usize,
        secs(r),
        secs(o),
        secs(o) / secs(r),
        (secs(o) / secs(r) - 1.0) * 100.0
    );

    // Concurrency: 20 ms per page.
    sim.set_latency(Duration::from_millis(20));
    let t = Instant::now();
    assert_eq!(ours(&sim, 1).await, STUDENTS);
    let seq = t.elapsed();
    let t = Instant::now();
    assert_eq!(ours(&sim, 8).await, STUDENTS);
    let conc = t.elapsed();
    println!(
        "20 ms per page: sequential {:.3} s, concurrency 8 {:.3} s, speed-up {:.2}x (target >= 4x)",
        secs(seq),
        secs(conc),
        secs(seq) / secs(conc)
    );
}
