//! Streaming 100,000 small records through `edu-common`'s paginator, against a hand-written raw
//! reqwest loop over the same loopback server, in the same run. Prints the times and the ratio.
//!
//! Run with `cargo bench -p edu-common --bench paginate`. The server is a minimal keep-alive
//! HTTP/1.1 responder with pre-rendered pages, so that client-side costs are not hidden behind
//! server time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use edu_common::paginate::{self, Page};
use edu_common::{RetryConfig, Transport};
use futures::TryStreamExt;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RECORDS: usize = 100_000;
const ROUNDS: usize = 41;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Record {
    id: u64,
    name: String,
    grade: u8,
}

#[derive(Deserialize)]
struct PageBody {
    data: Vec<Record>,
    next: Option<String>,
}

/// Pre-rendered HTTP responses, one per page.
fn render(page_size: usize) -> Vec<Vec<u8>> {
    let pages = RECORDS.div_ceil(page_size);
    (0..pages)
        .map(|p| {
            let data: Vec<serde_json::Value> = (p * page_size..((p + 1) * page_size).min(RECORDS))
                .map(|i| serde_json::json!({"id": i, "name": format!("student-{i}"), "grade": (i % 12) as u8}))
                .collect();
            let next = (p + 1 < pages).then(|| format!("records?page={}", p + 1));
            let body = serde_json::to_vec(&serde_json::json!({"data": data, "next": next})).unwrap();
            let mut resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes();
            resp.extend_from_slice(&body);
            resp
        })
        .collect()
}

/// Serves the pages from a thread of its own, so the server does not compete with the client's runtime.
fn serve(pages: Arc<Vec<Vec<u8>>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((mut sock, _)) = listener.accept().await {
                let pages = pages.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::with_capacity(4096);
                    let mut chunk = [0u8; 4096];
                    loop {
                        // Read one request head (GETs have no body).
                        let end = loop {
                            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                                break i + 4;
                            }
                            match sock.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        };
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        buf.drain(..end);
                        let page: usize = head
                            .split_whitespace()
                            .nth(1)
                            .and_then(|target| target.split("page=").nth(1))
                            .and_then(|p| p.split(['&', ' ']).next())
                            .and_then(|p| p.parse().ok())
                            .unwrap_or(0);
                        let resp = &pages[page.min(pages.len() - 1)];
                        if sock.write_all(resp).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    format!("http://{addr}/")
}

async fn raw_loop(client: &reqwest::Client, base: &str, timeout: Option<Duration>) -> usize {
    let mut count = 0;
    let mut next = Some("records?page=0".to_owned());
    while let Some(path) = next {
        let mut req = client.get(format!("{base}{path}"));
        if let Some(t) = timeout {
            req = req.timeout(t);
        }
        let resp = req.send().await.unwrap();
        let bytes = resp.bytes().await.unwrap();
        let page: PageBody = serde_json::from_slice(&bytes).unwrap();
        for record in page.data {
            std::hint::black_box(&record);
            count += 1;
        }
        next = page.next;
    }
    count
}

async fn paginator(transport: &Transport) -> usize {
    let t = transport.clone();
    let stream = paginate::pages(move |cursor: Option<String>| {
        let t = t.clone();
        async move {
            let body: PageBody = t
                .get(cursor.as_deref().unwrap_or("records?page=0"))
                .operation("listRecords")
                .send_json()
                .await?;
            Ok(Page::new(body.data, body.next))
        }
    });
    let mut count = 0;
    let mut items = paginate::items(stream);
    while let Some(record) = items.try_next().await.unwrap() {
        std::hint::black_box(&record);
        count += 1;
    }
    count
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn compare(page_size: usize) {
    let pages = Arc::new(render(page_size));
    let base = serve(pages);
    edu_common::install_crypto_provider();
    let raw_client = reqwest::Client::builder().build().unwrap();
    let transport = Transport::builder(base.clone())
        .retry(RetryConfig::default())
        .build()
        .unwrap();
    let timeout = Some(transport.timeouts().attempt);
    // Warm up all three (connections, allocator).
    assert_eq!(raw_loop(&raw_client, &base, None).await, RECORDS);
    assert_eq!(raw_loop(&raw_client, &base, timeout).await, RECORDS);
    assert_eq!(paginator(&transport).await, RECORDS);
    let (mut bare, mut timed, mut ours) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        assert_eq!(raw_loop(&raw_client, &base, None).await, RECORDS);
        bare.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(raw_loop(&raw_client, &base, timeout).await, RECORDS);
        timed.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(paginator(&transport).await, RECORDS);
        ours.push(t.elapsed());
    }
    let (bare, timed, ours) = (median(bare), median(timed), median(ours));
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |a: Duration, b: Duration| (a.as_secs_f64() / b.as_secs_f64() - 1.0) * 100.0;
    println!(
        "{RECORDS} records, {page_size:>4} per page ({:>4} pages): raw {:>7.2} ms, raw+timeout {:>7.2} ms, paginator {:>7.2} ms; paginator vs raw {:+.1}%, vs raw+timeout {:+.1}%",
        RECORDS.div_ceil(page_size),
        ms(bare),
        ms(timed),
        ms(ours),
        pct(ours, bare),
        pct(ours, timed),
    );
}

fn main() {
    // The client side runs on one thread, the server on another: less scheduling noise.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "median of {ROUNDS} alternating rounds each (target: paginator at most 3% slower)"
        );
        compare(1000).await;
        compare(100).await;
    });
}
