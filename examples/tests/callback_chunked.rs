//! The callback receiver reads the whole body whatever its transfer coding (issue #12, item 18):
//! a correctly signed callback sent with `Transfer-Encoding: chunked` is verified and accepted,
//! a tampered one refused, and a body over the cap answered 413 without being verified.

use std::time::{SystemTime, UNIX_EPOCH};

use edu_examples::receiver::{self, Verifiers};
use onderwijsregio_client::callbacks::{Signer, Verifier};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs `body` in chunks of `chunk` bytes (`Transfer-Encoding: chunked`), returns the status.
async fn post_chunked(url: &str, headers: &http::HeaderMap, body: &[u8], chunk: usize) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut sock = tokio::net::TcpStream::connect(host).await.unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n"
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    req.push_str("\r\n");
    sock.write_all(req.as_bytes()).await.unwrap();
    for part in body.chunks(chunk) {
        sock.write_all(format!("{:x}\r\n", part.len()).as_bytes())
            .await
            .unwrap();
        sock.write_all(part).await.unwrap();
        sock.write_all(b"\r\n").await.unwrap();
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = sock.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn item18_chunked_callbacks_are_verified_over_their_raw_bytes() {
    let receiver = receiver::start(
        "127.0.0.1:0",
        Verifiers {
            onderwijsregio: Some(Verifier::new("region-secret")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let url = format!("{}/hooks/onderwijsregio", receiver.url);
    let (mut deliveries, mut outcomes) = (receiver.deliveries, receiver.outcomes);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = br#"{"idempotencyKey":"write-7","status":"succeeded","candidateId":"c-1"}"#;
    let signed = Signer::new("region-secret").sign("/hooks/onderwijsregio", body, now, "nonce-a");
    assert_eq!(post_chunked(&url, &signed, body, 7).await, 204);
    let stored = deliveries.next().await.unwrap();
    assert_eq!(
        stored.body().as_ref(),
        body,
        "the raw bytes, whatever the transfer coding"
    );
    stored.ack().await.unwrap();
    assert_eq!(outcomes.recv().await.unwrap().status, 204);

    let tampered = br#"{"idempotencyKey":"write-7","status":"succeeded","candidateId":"c-2"}"#;
    let signed = Signer::new("region-secret").sign("/hooks/onderwijsregio", body, now, "nonce-b");
    assert_eq!(post_chunked(&url, &signed, tampered, 5).await, 401);
    let refused = outcomes.recv().await.unwrap();
    assert!(refused.reason.unwrap().contains("no signature matched"));

    let huge = vec![b' '; receiver::MAX_BODY_BYTES + 1];
    let signed = Signer::new("region-secret").sign("/hooks/onderwijsregio", &huge, now, "nonce-c");
    assert_eq!(post_chunked(&url, &signed, &huge, 64 * 1024).await, 413);
}
