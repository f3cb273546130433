//! A minimal loopback HTTP receiver for Onderwijsregio callbacks: it reads each POST, verifies it
//! with the client's `Verifier` over the raw bytes, answers 204 (or 401), and hands the result on.

use onderwijsregio_client::callbacks::{Callback, CallbackError, Verifier};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// A running receiver.
#[derive(Debug)]
pub struct Receiver {
    /// The URL to give as `callbackUrl`.
    pub url: String,
    /// Verified callbacks (or why one was refused), in arrival order.
    pub results: mpsc::UnboundedReceiver<Result<Callback, CallbackError>>,
}

/// Listens on `addr` (use `127.0.0.1:0` for any free port) at `path`.
pub async fn start(addr: &str, path: &str, verifier: Verifier) -> std::io::Result<Receiver> {
    let listener = TcpListener::bind(addr).await?;
    let url = format!("http://{}{path}", listener.local_addr()?);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let verifier = verifier.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Some(result) = handle(sock, &verifier).await {
                    let _ = tx.send(result);
                }
            });
        }
    });
    Ok(Receiver { url, results: rx })
}

async fn handle(
    mut sock: TcpStream,
    verifier: &Verifier,
) -> Option<Result<Callback, CallbackError>> {
    let (target, headers, body) = read_request(&mut sock).await?;
    let result = verifier.verify(&target, &headers, &body);
    let status = if result.is_ok() {
        "204 No Content"
    } else {
        "401 Unauthorized"
    };
    let _ = sock
        .write_all(
            format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await;
    Some(result)
}

/// Reads one HTTP/1.1 request: the target (path and query), headers and the raw body (by
/// `content-length`, capped at 1 MiB).
async fn read_request(sock: &mut TcpStream) -> Option<(String, http::HeaderMap, Vec<u8>)> {
    const MAX: usize = 1024 * 1024;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = sock.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > MAX {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.lines();
    let target = lines.next()?.split_whitespace().nth(1)?.to_owned();
    let mut headers = http::HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.trim().as_bytes()),
                http::HeaderValue::from_str(v.trim()),
            )
        {
            headers.append(k, v);
        }
    }
    let len: usize = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(MAX);
    while buf.len() < end + 4 + len {
        let n = sock.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some((target, headers, buf[end + 4..end + 4 + len].to_vec()))
}
