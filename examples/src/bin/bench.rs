//! The workspace's benchmark harness: one line per figure, each a ratio measured side by side in
//! the same run. The server runs in a separate process (this binary, started again as a server),
//! so the client is measured alone; rounds are interleaved and the ratio is taken per round.
//!
//! ```sh
//! cargo run -p edu-examples --release --bin bench            # wall-clock figures
//! cargo run -p edu-examples --release --bin bench -- --callgrind   # also P1 in instructions
//! cargo run -p edu-examples --release --bin bench -- --build       # only the cold builds
//! cargo run -p edu-examples --release --bin bench -- P2 P6         # only these figures
//! ```
//!
//! - P1: streaming 100,000 datahub records through the SDK vs a raw reqwest + serde loop
//!   (wall clock per round; with `--callgrind`, instructions of the client process per pass over
//!   the 100,000 plain-bodied records at 1,000 per page: 3 passes minus 1, halved, so start-up
//!   and the first token fetch cancel out).
//! - P2: a page-numbered listing at 20 ms per page, 8 pages at a time vs one at a time.
//! - P3: peak RSS of a client process streaming 1,000,000 records, SDK (1 and 8 at a time) vs
//!   raw, from a server of its own (which takes a minute to generate and first render them).
//! - P6: the wait after `Retry-After: 1`, as a ratio to the second asked for.
//! - P7: bytes on the wire for a 100,000-record datahub export, uncompressed vs gzip (and
//!   brotli, when built with `--features brotli`), counted by the simulator.
//! - P8: requests for a full Eduframe sync of 10,000 records with default settings.
//! - Build (`--build [crate…]`, minutes): cold debug builds of `datahub-client` (also with
//!   `brotli`), `eduframe-client` and the `edu` binary, each in a fresh target directory, as ratios to a minimal crate using
//!   reqwest (json) + tokio + serde with the same TLS choice (rustls with ring), built from the
//!   workspace's lock file so the versions are the same.
//!
//! Nothing here asserts on time: the figures are printed, for people and CI logs to read.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use serde::Deserialize;

const RECORDS: usize = 100_000;
const PAGE: u32 = 1_000;

fn main() {
    // The baseline builds its own reqwest client, which needs a rustls provider installed.
    edu_common::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match args.first().map(String::as_str) {
        Some("serve-datahub") => rt.block_on(serve(&args[1..])),
        Some("client") => rt.block_on(client_process(&args[1..])),
        _ if args.iter().any(|a| a == "--build") => {
            // Crate names after --build choose which builds run (all of them by default).
            let only: Vec<String> = args
                .iter()
                .filter(|a| !a.starts_with('-'))
                .cloned()
                .collect();
            cold_builds(&only)
        }
        _ => {
            // Figures named on the command line (`P2 P6`), or all of them.
            let only: Vec<String> = args
                .iter()
                .filter(|a| a.starts_with('P'))
                .cloned()
                .collect();
            rt.block_on(orchestrate(args.iter().any(|a| a == "--callgrind"), &only))
        }
    }
}

/// `serve-datahub <students> <page latency ms>`: prints `URL=…` and serves until stdin closes.
async fn serve(args: &[String]) {
    let students: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(RECORDS);
    let latency: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0);
    let sim = datahub_client::mock::Simulator::builder()
        .students(students)
        .sections(100)
        .page_latency(Duration::from_millis(latency))
        .start()
        .await;
    println!(
        "URL={} ID={} SECRET={}",
        sim.base_url(),
        sim.client_id(),
        sim.client_secret()
    );
    std::io::stdout().flush().ok();
    // Serve until the parent closes our stdin; `bytes` asks for the bytes sent so far.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        while std::io::stdin().read_line(&mut line).is_ok_and(|n| n > 0) {
            if tx.send(line.trim().to_owned()).is_err() {
                break;
            }
            line.clear();
        }
    });
    while let Some(command) = rx.recv().await {
        if command == "bytes" {
            println!("BYTES={}", sim.bytes_sent());
            std::io::stdout().flush().ok();
        }
    }
}

/// A server process, its address and the credentials it accepts (`url id secret`).
struct Server {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
    url: String,
}

impl Server {
    fn start(students: usize, latency_ms: u64) -> Server {
        let exe = std::env::current_exe().expect("the harness's own path");
        let mut child = Command::new(exe)
            .args([
                "serve-datahub",
                &students.to_string(),
                &latency_ms.to_string(),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server process starts");
        let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("the server prints its URL");
        // `URL=… ID=… SECRET=…`, kept as one space-separated target string.
        let url = line
            .split_whitespace()
            .filter_map(|kv| kv.split_once('=').map(|(_, v)| v))
            .collect::<Vec<_>>()
            .join(" ");
        Server { child, out, url }
    }

    /// Bytes the server has written to clients so far.
    fn bytes_sent(&mut self) -> Option<u64> {
        let stdin = self.child.stdin.as_mut()?;
        writeln!(stdin, "bytes").ok()?;
        stdin.flush().ok()?;
        let mut line = String::new();
        self.out.read_line(&mut line).ok()?;
        line.trim().strip_prefix("BYTES=")?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `url id secret`, as a server printed them.
fn target(t: &str) -> (&str, &str, &str) {
    let mut parts = t.split(' ');
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

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

/// How the server sends each page: gzip-compressed when the client asks (both clients ask by
/// default), or plain with a `Content-Length` (neither client asks).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Coding {
    Gzip,
    Plain,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Plain => "plain",
        }
    }

    fn parse(arg: Option<&String>) -> Coding {
        if arg.is_some_and(|a| a == "plain") {
            Coding::Plain
        } else {
            Coding::Gzip
        }
    }

    /// A reqwest client that asks for this coding, or `None` for each side's default (gzip).
    fn http(self) -> Option<reqwest::Client> {
        (self == Coding::Plain).then(|| {
            reqwest::Client::builder()
                .no_gzip()
                .no_brotli()
                .build()
                .expect("a client")
        })
    }
}

/// What a careful hand-written integration would do: a token once, then follow `next`.
async fn raw(t: &str, max: usize, coding: Coding) -> usize {
    raw_passes(t, max, coding, 1).await
}

/// `raw`, listing `passes` times with the one token (so a pass's cost is the listing's alone).
async fn raw_passes(t: &str, max: usize, coding: Coding, passes: usize) -> usize {
    let (base, id, secret) = target(t);
    let http = coding.http().unwrap_or_default();
    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    let token: Token = http
        .post(format!("{base}/datahub/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token body");
    let mut total = 0;
    for _ in 0..passes {
        total += raw_pass(&http, base, &token.access_token, max).await;
    }
    total
}

/// One pass of `raw`: the listing followed to its end (or `max` records).
async fn raw_pass(http: &reqwest::Client, base: &str, token: &str, max: usize) -> usize {
    let mut count = 0;
    let mut next = Some(format!("/v1/students?limit={PAGE}"));
    while let Some(path) = next {
        let url = if path.contains("limit=") {
            format!("{base}/datahub/services{path}")
        } else {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{base}/datahub/services{path}{sep}limit={PAGE}")
        };
        let body = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("page")
            .bytes()
            .await
            .expect("page body");
        let page: RawList = serde_json::from_slice(&body).expect("a page");
        for s in page.data {
            std::hint::black_box(&s.data);
            count += 1;
            if count >= max {
                return count;
            }
        }
        next = page
            .links
            .into_iter()
            .find(|l| l.rel.eq_ignore_ascii_case("next"))
            .map(|l| l.uri);
    }
    count
}

async fn sdk(t: &str, max: usize, concurrency: usize, page: u32) -> usize {
    sdk_with(t, max, concurrency, page, None).await
}

/// `sdk` at one page at a time, asking for `coding`.
async fn sdk_coded(t: &str, max: usize, coding: Coding) -> usize {
    sdk_with(t, max, 1, PAGE, coding.http()).await
}

/// `sdk`, with the caller's own reqwest client when given one.
async fn sdk_with(
    t: &str,
    max: usize,
    concurrency: usize,
    page: u32,
    http: Option<reqwest::Client>,
) -> usize {
    stream_all(&datahub(t, http), max, concurrency, page).await
}

/// A datahub client for the server `t`, with the caller's own reqwest client when given one.
fn datahub(t: &str, http: Option<reqwest::Client>) -> datahub_client::Client {
    let (base, id, secret) = target(t);
    let builder = datahub_client::Client::builder()
        .base_url(base)
        .client_credentials(id, secret);
    let builder = match http {
        Some(http) => builder.http_client(http),
        None => builder,
    };
    builder.build().expect("a client")
}

/// Streams up to `max` students; how many came.
async fn stream_all(
    client: &datahub_client::Client,
    max: usize,
    concurrency: usize,
    page: u32,
) -> usize {
    let mut stream = client
        .students()
        .list()
        .page_size(page)
        .concurrent(concurrency)
        .stream();
    let mut count = 0;
    while let Some(s) = stream.try_next().await.expect("a record") {
        std::hint::black_box(&s);
        count += 1;
        if count >= max {
            break;
        }
    }
    count
}

/// `client <raw|sdk> <url,id,secret> <max> <concurrency> [gzip|plain] [passes]`: streams
/// (`passes` times, one client and one token), then prints `count=… peak_rss_kb=…`.
async fn client_process(args: &[String]) {
    let mode = args.first().map(String::as_str).unwrap_or("sdk");
    let url = args.get(1).cloned().unwrap_or_default().replace(',', " ");
    let max: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(RECORDS);
    let concurrency: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let coding = Coding::parse(args.get(4));
    let passes: usize = args.get(5).and_then(|a| a.parse().ok()).unwrap_or(1);
    let count = match (mode, coding) {
        ("raw", coding) => raw_passes(&url, max, coding, passes).await,
        (_, Coding::Plain) => {
            let client = datahub(&url, coding.http());
            let mut total = 0;
            for _ in 0..passes {
                total += stream_all(&client, max, 1, PAGE).await;
            }
            total
        }
        _ => sdk(&url, max, concurrency, PAGE).await,
    };
    println!("count={count} peak_rss_kb={}", peak_rss_kb().unwrap_or(0));
}

/// This process's peak resident set (Linux `VmHWM`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ratios(v: &[f64]) -> String {
    v.iter()
        .map(|r| format!("{r:.3}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs this binary as a client process; its output line.
fn client_run(prefix: &[&str], args: &[&str]) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let (program, mut all): (String, Vec<String>) = match prefix.split_first() {
        Some((p, rest)) => (
            (*p).to_owned(),
            rest.iter()
                .map(|s| (*s).to_owned())
                .chain([exe.display().to_string()])
                .collect(),
        ),
        None => (exe.display().to_string(), Vec::new()),
    };
    all.push("client".into());
    all.extend(args.iter().map(|s| (*s).to_owned()));
    let out = Command::new(program)
        .args(&all)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8(out.stdout)
        .ok()?
        .lines()
        .last()
        .map(str::to_owned)
}

fn field(line: &str, name: &str) -> Option<u64> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))?
        .parse()
        .ok()
}

/// Instructions of a client process under callgrind.
fn instructions(args: &[&str]) -> Option<u64> {
    let file = std::env::temp_dir().join(format!("edu-bench-{}.callgrind", std::process::id()));
    let out = format!("--callgrind-out-file={}", file.display());
    client_run(&["valgrind", "--tool=callgrind", &out], args)?;
    let text = std::fs::read_to_string(&file).ok()?;
    let _ = std::fs::remove_file(&file);
    text.lines()
        .find_map(|l| l.strip_prefix("summary:"))
        .and_then(|n| n.split_whitespace().next()?.parse().ok())
}

async fn orchestrate(callgrind: bool, only: &[String]) {
    let want = |figure: &str| only.is_empty() || only.iter().any(|o| o == figure);
    println!("edu bench: the server runs in its own process; ratios are SDK / baseline");
    if want("P1") || want("P7") {
        streaming_figures(callgrind, &want).await;
    }
    if want("P3") {
        p3();
    }
    if want("P2") {
        p2().await;
    }
    if want("P6") {
        p6().await;
    }
    if want("P8") {
        p8().await;
    }
}

/// P1 and P7: a 100,000-record listing, from one server process.
async fn streaming_figures(callgrind: bool, want: &dyn Fn(&str) -> bool) {
    let server = Server::start(RECORDS, 0);
    let url = server.url.clone();
    // Warm-up: the simulator renders each page once.
    raw(&url, RECORDS, Coding::Gzip).await;
    sdk(&url, RECORDS, 1, PAGE).await;

    if want("P1") {
        p1(&url, callgrind).await;
    }
    if want("P7") {
        p7(server, &url).await;
    }
}

/// P1: wall clock, rounds interleaved; with `callgrind`, instructions. Measured for gzip bodies
/// (what both sides ask for by default) and plain ones with a `Content-Length`.
async fn p1(url: &str, callgrind: bool) {
    for coding in [Coding::Gzip, Coding::Plain] {
        p1_coded(url, callgrind, coding).await;
    }
}

async fn p1_coded(url: &str, callgrind: bool, coding: Coding) {
    let url_arg = url.replace(' ', ",");
    let name = coding.name();
    let mut p1 = Vec::new();
    for round in 0..5 {
        let (r, s) = if round % 2 == 0 {
            let t = Instant::now();
            raw(url, RECORDS, coding).await;
            let r = t.elapsed();
            let t = Instant::now();
            sdk_coded(url, RECORDS, coding).await;
            (r, t.elapsed())
        } else {
            let t = Instant::now();
            sdk_coded(url, RECORDS, coding).await;
            let s = t.elapsed();
            let t = Instant::now();
            raw(url, RECORDS, coding).await;
            (t.elapsed(), s)
        };
        p1.push(s.as_secs_f64() / r.as_secs_f64());
    }
    println!(
        "P1 stream {RECORDS} records ({name} bodies), wall: {:.3}x (rounds {}; goal <= 1.03x)",
        median(p1.clone()),
        ratios(&p1)
    );
    if callgrind && coding == Coding::Plain {
        // Instructions of one pass: 3 passes minus 1, halved, so the process's start-up and
        // the first token fetch cancel out (both sides list with one client and one token).
        let n = RECORDS.to_string();
        let per_pass = |mode: &str| {
            let run = |passes: &str| instructions(&[mode, &url_arg, &n, "1", name, passes]);
            Some((run("3")?.checked_sub(run("1")?)?) / 2)
        };
        match (per_pass("raw"), per_pass("sdk")) {
            (Some(r), Some(s)) => println!(
                "P1 stream {n} records ({name} bodies, {PAGE} per page), instructions per pass: {:.4}x ({:.1} M vs {:.1} M; goal <= 1.02x)",
                s as f64 / r as f64,
                s as f64 / 1e6,
                r as f64 / 1e6
            ),
            _ => println!("P1 instructions: valgrind is not available"),
        }
    }
}

/// P3: peak RSS of client processes streaming a million records, from a server of its own.
fn p3() {
    const MILLION: usize = 1_000_000;
    let server = Server::start(MILLION, 0);
    let url_arg = server.url.replace(' ', ",");
    let max = MILLION.to_string();
    let rss = |mode: &str, c: &str| {
        client_run(&[], &[mode, &url_arg, &max, c]).and_then(|l| field(&l, "peak_rss_kb"))
    };
    // Warm-up: the simulator renders each page once, by `next` link and by number.
    rss("raw", "1");
    rss("sdk", "8");
    match (rss("raw", "1"), rss("sdk", "1"), rss("sdk", "8")) {
        (Some(r), Some(s1), Some(s8)) => println!(
            "P3 peak RSS streaming {MILLION} records: {:.2}x at concurrency 1, {:.2}x at 8 ({s1} / {s8} vs {r} KiB; goal <= 1.5x)",
            s1 as f64 / r as f64,
            s8 as f64 / r as f64
        ),
        _ => println!("P3 peak RSS: not measured (no /proc)"),
    }
}

/// P7: bytes on the wire for the whole export, as the client asks for it.
async fn p7(mut server: Server, url: &str) {
    let plain = reqwest::Client::builder().no_gzip().no_brotli().build();
    let gzip = reqwest::Client::builder().no_brotli().build();
    let mut runs = vec![
        ("identity", Some(plain.expect("a client"))),
        ("gzip", Some(gzip.expect("a client"))),
    ];
    if cfg!(feature = "brotli") {
        runs.push(("br", None));
    }
    let mut p7 = Vec::new();
    for (name, http) in runs {
        let before = server.bytes_sent();
        let count = sdk_with(url, RECORDS, 1, PAGE, http).await;
        if let (Some(before), Some(after)) = (before, server.bytes_sent()) {
            p7.push((name, count, after - before));
        }
    }
    match p7.split_first() {
        Some(((_, n, identity), compressed)) if !compressed.is_empty() => println!(
            "P7 bytes on the wire for a {n}-record datahub export: {identity} uncompressed; {}",
            compressed
                .iter()
                .map(|(name, _, b)| format!("{name} {b} ({:.3}x)", *b as f64 / *identity as f64))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => println!("P7 bytes on the wire: not measured"),
    }
}

/// P2: numbered pages at 20 ms each, 8 at a time vs one at a time.
async fn p2() {
    let slow = Server::start(10_000, 20);
    // One client per mode, built before the clock starts (building one loads the system's
    // certificates), as a service keeps its client. The warm-up also renders each page once in
    // the simulator, by number (8 at a time) and by the `next` links a sequential listing
    // follows, and fetches each client's token.
    let (one_client, eight_client) = (datahub(&slow.url, None), datahub(&slow.url, None));
    stream_all(&eight_client, usize::MAX, 8, 100).await;
    stream_all(&one_client, usize::MAX, 1, 100).await;
    let mut p2 = Vec::new();
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        stream_all(&one_client, usize::MAX, 1, 100).await;
        let seq = t.elapsed();
        let t = Instant::now();
        stream_all(&eight_client, usize::MAX, 8, 100).await;
        let concurrent = t.elapsed();
        p2.push(seq.as_secs_f64() / concurrent.as_secs_f64());
        times.push(format!("{}/{}", seq.as_millis(), concurrent.as_millis()));
    }
    println!(
        "P2 100 pages at 20 ms, 8 at a time vs one at a time: {:.2}x faster (rounds {}; ms {}; goal >= 7x; ceiling ~7.1x: page 1 alone, then 99 in 13 waves of 8)",
        median(p2.clone()),
        ratios(&p2),
        times.join(" ")
    );
}

/// P6: the wait after `Retry-After: 1`.
async fn p6() {
    let mut p6 = Vec::new();
    for _ in 0..3 {
        p6.push(retry_after_wait().await);
    }
    println!(
        "P6 wait after Retry-After: 1: {:.3}x the second asked (rounds {}; goal 1 <= x <= 1.02)",
        median(p6.clone()),
        ratios(&p6)
    );
}

/// P8: requests for a full Eduframe sync with default settings.
async fn p8() {
    let sim = eduframe_client::mock::Simulator::builder()
        .records(10_000)
        .start()
        .await;
    let before = sim.api_requests();
    let n = sim
        .client()
        .planned_courses()
        .list()
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap_or(0);
    println!(
        "P8 full Eduframe sync of {n} records with default settings: {} requests (goal 100)",
        sim.api_requests() - before
    );
}

/// Seconds waited after a 429 with `Retry-After: 1`, over one second.
async fn retry_after_wait() -> f64 {
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let t = edu_common::Transport::builder(server.uri())
        .build()
        .expect("a transport");
    let started = Instant::now();
    t.get("x").send().await.expect("the retry succeeds");
    started.elapsed().as_secs_f64()
}

/// The minimal crate the cold builds are compared with: what a hand-written client needs.
const MINIMAL_MANIFEST: &str = r#"[package]
name = "minimal"
version = "0.1.0"
edition = "2024"

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "rustls-no-provider"] }
rustls = { version = "0.23", default-features = false, features = ["std", "tls12", "ring"] }
tokio = { version = "1", features = ["rt", "macros"] }
serde = { version = "1", features = ["derive"] }

[workspace]
"#;

const MINIMAL_MAIN: &str = r#"#[derive(serde::Deserialize)]
struct Item { id: String }

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), reqwest::Error> {
    let items: Vec<Item> = reqwest::get("https://example.org/items").await?.json().await?;
    println!("{}", items.len());
    Ok(())
}
"#;

/// Seconds for a cold `cargo build` in `dir` with `args`, in a fresh target directory.
fn cold_build(dir: &std::path::Path, args: &[&str]) -> Option<f64> {
    let target = std::env::temp_dir().join(format!("edu-bench-target-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_INCREMENTAL", "0")
        .args(["build", "-q"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let elapsed = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&target);
    status.success().then_some(elapsed)
}

/// The build figures: cold debug builds, one after another.
fn cold_builds(only: &[String]) {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples crate is in the workspace")
        .to_path_buf();
    let minimal = std::env::temp_dir().join(format!("edu-bench-minimal-{}", std::process::id()));
    let written = std::fs::create_dir_all(minimal.join("src"))
        .and_then(|()| std::fs::write(minimal.join("Cargo.toml"), MINIMAL_MANIFEST))
        .and_then(|()| std::fs::write(minimal.join("src/main.rs"), MINIMAL_MAIN))
        .and_then(|()| std::fs::copy(workspace.join("Cargo.lock"), minimal.join("Cargo.lock")));
    if let Err(e) = written {
        println!("Build: cannot write the minimal crate: {e}");
        return;
    }
    println!("edu bench --build: cold debug builds, each in a fresh target directory");
    let Some(base) = cold_build(&minimal, &[]) else {
        println!("Build: the minimal crate does not build");
        return;
    };
    println!("Build minimal crate (reqwest json + tokio + serde, rustls with ring): {base:.1} s");
    let runs: [(&str, &[&str], &str); 4] = [
        ("datahub-client", &["-p", "datahub-client"], "goal <= 1.5x"),
        (
            "datahub-client --features brotli",
            &["-p", "datahub-client", "--features", "brotli"],
            "opt-in",
        ),
        ("eduframe-client", &["-p", "eduframe-client"], "goal <= 2x"),
        (
            "edu-cli (the edu binary, all five clients and simulators)",
            &["-p", "edu-cli", "--bin", "edu"],
            "a tool, not a dependency",
        ),
    ];
    for (name, args, goal) in runs {
        if !only.is_empty() && !only.iter().any(|o| name.starts_with(o.as_str())) {
            continue;
        }
        match cold_build(&workspace, args) {
            Some(t) => println!("Build {name}: {t:.1} s, {:.2}x ({goal})", t / base),
            None => println!("Build {name}: failed"),
        }
    }
    let _ = std::fs::remove_dir_all(&minimal);
}
