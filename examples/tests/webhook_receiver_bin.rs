//! The `webhook_receiver` binary itself: started on a free loopback port, it answers 204 to an
//! Eduframe webhook and an Onderwijsregio callback signed with either secret of a rotation (once
//! stored), 401 to a tampered one, 200 (and no second processing) to a replay or a retry of a
//! stored one, and prints what its consumer parsed and what was refused.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use onderwijsregio_client::callbacks::Signer;

/// Kills the server when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// POSTs `body` with `headers` to `url` and returns the status code.
fn post(url: &str, headers: &http::HeaderMap, body: &[u8]) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut sock = TcpStream::connect(host).unwrap();
    // A receiver that keeps the connection open fails the test instead of hanging it.
    sock.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    req.push_str("\r\n");
    sock.write_all(req.as_bytes()).unwrap();
    sock.write_all(body).unwrap();
    let mut answer = String::new();
    sock.read_to_string(&mut answer).unwrap();
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

fn lines_after(lines: &mut impl Iterator<Item = std::io::Result<String>>) -> String {
    lines.next().unwrap().unwrap()
}

#[test]
fn the_receiver_binary_verifies_refuses_and_reports() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_webhook_receiver"))
        .arg("127.0.0.1:0")
        .env("EDUFRAME_WEBHOOK_SECRET", "ef-new")
        .env("EDUFRAME_WEBHOOK_SECRET_SECONDARY", "ef-old")
        .env("ONDERWIJSREGIO_SIGNING_SECRET", "new-secret")
        .env("ONDERWIJSREGIO_SIGNING_SECRET_SECONDARY", "old-secret")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = Server(child);
    let first = lines_after(&mut lines);
    let base = first
        .strip_prefix("listening on ")
        .and_then(|u| u.strip_suffix("/hooks/{eduframe,onderwijsregio}"))
        .unwrap()
        .to_owned();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();

    // Onderwijsregio: the current secret, then the retired one (another callback).
    let path = "/hooks/onderwijsregio";
    let url = format!("{base}{path}");
    let body = br#"{"idempotencyKey":"write-1","status":"succeeded","candidateId":"c-9"}"#;
    let signed = Signer::new("new-secret").sign(path, body, now, "nonce-1");
    assert_eq!(post(&url, &signed, body), 204);
    let line = lines_after(&mut lines);
    assert!(
        line.ends_with(" onderwijsregio: write write-1 -> succeeded"),
        "{line}"
    );
    let other = br#"{"idempotencyKey":"write-2","status":"succeeded","candidateId":"c-10"}"#;
    let old = Signer::new("old-secret").sign(path, other, now, "nonce-2");
    assert_eq!(post(&url, &old, other), 204);
    assert!(lines_after(&mut lines).ends_with("write write-2 -> succeeded"));
    // One changed byte: refused. The first callback again, and re-signed (a sender's retry):
    // acknowledged, not processed twice.
    let tampered = br#"{"idempotencyKey":"write-1","status":"succeeded","candidateId":"c-8"}"#;
    assert_eq!(post(&url, &signed, tampered), 401);
    let line = lines_after(&mut lines);
    assert!(
        line.starts_with("401 /hooks/onderwijsregio: delivery refused: no signature matched"),
        "{line}"
    );
    assert_eq!(post(&url, &signed, body), 200);
    assert!(lines_after(&mut lines).contains("stored already"));
    let retry = Signer::new("new-secret").sign(path, body, now + 1, "nonce-3");
    assert_eq!(post(&url, &retry, body), 200);
    assert!(lines_after(&mut lines).contains("stored already"));

    // Eduframe: primary, secondary (a sender that has not rotated yet), tampered, replayed.
    let url = format!("{base}/hooks/eduframe");
    let body = br#"{"tenant_id":"t-1","educator":"demo","event":"enrollment.created","event_data":{"id":5}}"#;
    let signed = eduframe_client::webhooks::Signer::new("ef-new").sign(body, now);
    assert_eq!(post(&url, &signed, body), 204);
    let line = lines_after(&mut lines);
    assert!(
        line.contains(" eduframe: enrollment.created for demo"),
        "{line}"
    );
    let other = br#"{"tenant_id":"t-1","educator":"demo","event":"enrollment.created","event_data":{"id":6}}"#;
    let old = eduframe_client::webhooks::Signer::new("ef-old").sign(other, now - 1);
    assert_eq!(post(&url, &old, other), 204);
    assert!(lines_after(&mut lines).contains(" eduframe: "));
    let mut tampered = body.to_vec();
    tampered[body.len() - 3] = b'6';
    assert_eq!(post(&url, &signed, &tampered), 401);
    assert!(lines_after(&mut lines).starts_with("401 /hooks/eduframe:"));
    assert_eq!(post(&url, &signed, body), 200);
    assert!(lines_after(&mut lines).contains("stored already"));
}
