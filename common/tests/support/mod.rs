//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use edu_common::{RetryConfig, Transport, TransportBuilder};
use wiremock::{Request, Respond, ResponseTemplate};

/// A transport builder for `server` with fast backoff, so tests do not sleep long.
pub fn fast(uri: &str) -> TransportBuilder {
    Transport::builder(uri).retry(
        RetryConfig::default()
            .initial_backoff(Duration::from_millis(5))
            .max_backoff(Duration::from_millis(20)),
    )
}

/// Answers with each template in turn, then repeats the last; records when each request arrived.
#[derive(Clone)]
pub struct Sequence {
    templates: Arc<Vec<ResponseTemplate>>,
    pub arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Sequence {
    pub fn new(templates: Vec<ResponseTemplate>) -> Self {
        Sequence {
            templates: Arc::new(templates),
            arrivals: Arc::default(),
        }
    }

    pub fn count(&self) -> usize {
        self.arrivals.lock().unwrap().len()
    }
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        let i = arrivals.len().min(self.templates.len() - 1);
        arrivals.push(Instant::now());
        self.templates[i].clone()
    }
}

/// Records arrival times and always answers 200 `{}`.
#[derive(Clone, Default)]
pub struct Recorder {
    pub arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Recorder {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.arrivals.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_json(serde_json::json!({}))
    }
}

/// What a [`RawServer`] does with one connection.
#[derive(Clone)]
pub enum Raw {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Writes this head, then body bytes until the client hangs up (an endless body).
    Endless(Vec<u8>),
}

/// A loopback HTTP/1.1 server that writes exactly what it is told, byte for byte: header bytes
/// that are not ASCII, a connection closed mid-body, a body that never ends. Connection `n` gets
/// reply `n` (the last one repeats); each reply should say `connection: close`.
pub struct RawServer {
    pub url: String,
    pub connections: Arc<std::sync::atomic::AtomicUsize>,
    pub bytes_written: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    pub async fn start(replies: Vec<Raw>) -> RawServer {
        use std::sync::atomic::Ordering;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let bytes_written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (conns, written) = (connections.clone(), bytes_written.clone());
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let n = conns.fetch_add(1, Ordering::SeqCst);
                let reply = replies[n.min(replies.len() - 1)].clone();
                let written = written.clone();
                tokio::spawn(async move {
                    // Read the request head (and ignore any body).
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                    }
                    match reply {
                        Raw::Bytes(b) => {
                            let _ = sock.write_all(&b).await;
                            written.fetch_add(b.len(), Ordering::SeqCst);
                        }
                        Raw::Endless(head) => {
                            if sock.write_all(&head).await.is_err() {
                                return;
                            }
                            let block = vec![b'a'; 64 * 1024];
                            while sock.write_all(&block).await.is_ok() {
                                written.fetch_add(block.len(), Ordering::SeqCst);
                            }
                        }
                    }
                    let _ = sock.shutdown().await;
                });
            }
        });
        RawServer {
            url,
            connections,
            bytes_written,
        }
    }
}

/// A complete `200` JSON response that closes the connection.
pub fn raw_json(extra_headers: &[u8], body: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(extra_headers);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}
