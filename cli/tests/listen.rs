//! `edu listen eduframe --forward-to URL` end to end against `edu sim eduframe`: a webhook
//! registered on the simulator delivers to the listener, which verifies and stores the
//! delivery, prints it as a JSON line, and posts it on to a local service, signed anew with the
//! same secret (the service's own verifier accepts it). Without the secret it is a usage error.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use std::sync::{Arc, Mutex};
use support::{Running, edu_sim};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "whsec_listen_test";

/// `edu-sim eduframe --webhook-secret SECRET`, and the variables it prints.
fn sim() -> (Running, Vec<(String, String)>) {
    edu_sim(
        &["eduframe", "--no-rate-limit", "--webhook-secret", SECRET],
        2,
    )
}

/// What the service received: each request's headers and body.
type Received = Arc<Mutex<Vec<(http::HeaderMap, Vec<u8>)>>>;

/// A local service that records each request's head and body and answers 204.
async fn service() -> (String, Received, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let log = got.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::new(), Vec::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    let len: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    while buf.len() < end + 4 + len {
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    break (head, buf[end + 4..end + 4 + len].to_vec());
                }
            };
            let mut headers = http::HeaderMap::new();
            for l in head.lines().skip(1) {
                if let Some((k, v)) = l.split_once(':') {
                    headers.insert(
                        http::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                        http::HeaderValue::from_str(v.trim()).unwrap(),
                    );
                }
            }
            log.lock().unwrap().push((headers, body));
            let _ = sock
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            let _ = tx.send(());
        }
    });
    (url, got, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_prints_and_forwards_what_edu_sim_eduframe_delivers() {
    let (_sim, vars) = sim();
    let (target, received, mut arrived) = service().await;
    let mut listen = Command::new(env!("CARGO_BIN_EXE_edu"))
        .args(["listen", "eduframe", "--forward-to", &target])
        .env_clear()
        .env("HOME", "/nonexistent")
        .env("EDUFRAME_WEBHOOK_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = listen.stdout.take().unwrap();
    let stderr = listen.stderr.take().unwrap();
    let _listen = Running(listen);
    let mut stderr = BufReader::new(stderr).lines();
    let first = stderr.next().unwrap().unwrap();
    let hook_url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .map(|w| w.trim_end_matches([';', ',']))
        .unwrap_or_else(|| panic!("no URL in {first:?}"))
        .to_owned();
    assert!(hook_url.ends_with("/hooks/eduframe"), "{first}");
    // The rest of standard error (forwarding outcomes) is kept, for a failure's message.
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = errors.clone();
    std::thread::spawn(move || {
        for line in stderr.map_while(Result::ok) {
            keep.lock().unwrap().push(line);
        }
    });

    // A webhook on the simulator pointing at the listener, and a change that fires it.
    let client = support::eduframe_client(&vars);
    client
        .webhooks()
        .create()
        .url(hook_url)
        .events([eduframe_client::types::WebhookEvent::AccountCreated])
        .active(true)
        .await
        .unwrap();
    let account = client.accounts().create().name("Listen BV").await.unwrap();

    // Printed as a JSON line (standard output is a pipe here).
    let line = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout).lines().next().unwrap().unwrap()
    })
    .await
    .unwrap();
    let printed: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(printed["api"], "eduframe");
    assert_eq!(printed["body"]["event"], "account.created");
    assert_eq!(printed["body"]["event_data"]["id"], account.id);
    assert_eq!(printed["id"].as_str().unwrap().len(), 32);

    // Forwarded, signed anew with the same secret: the service's verifier accepts it.
    arrived.recv().await.unwrap();
    let (headers, forwarded) = received.lock().unwrap()[0].clone();
    let verified = eduframe_client::webhooks::Verifier::new(SECRET)
        .verify(&headers, &forwarded)
        .await;
    assert!(
        verified.is_ok(),
        "{verified:?} {:?}",
        errors.lock().unwrap()
    );
    let n = eduframe_client::webhooks::parse(&forwarded).unwrap();
    assert_eq!(n.event_data["id"], account.id);
}

#[test]
fn listen_without_the_secret_is_a_usage_error_naming_the_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_edu"))
        .args(["listen", "eduframe"])
        .env_clear()
        .env("HOME", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("EDUFRAME_WEBHOOK_SECRET") && e.contains("--profile"),
        "{e}"
    );
}
