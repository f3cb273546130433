//! The `onderwijsregio_callbacks` binary itself: started on a free loopback port, it answers 204 to
//! a callback signed with either secret of a rotation, 401 to a tampered one and to a replay, and
//! prints what it verified and what it refused.

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
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
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

#[test]
fn the_callbacks_binary_verifies_refuses_and_reports() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_onderwijsregio_callbacks"))
        .arg("127.0.0.1:0")
        .env("ONDERWIJSREGIO_SIGNING_SECRET", "old-secret, new-secret")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let _server = Server(child);
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_owned();
    let path = url.split_once("127.0.0.1:").unwrap().1;
    let path = &path[path.find('/').unwrap()..];

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = br#"{"idempotencyKey":"write-1","status":"succeeded","candidateId":"c-9"}"#;
    let signed = Signer::new("new-secret").sign(path, body, now, "nonce-1");
    assert_eq!(post(&url, &signed, body), 204);
    let line = lines.next().unwrap().unwrap();
    assert!(
        line.starts_with("verified: write write-1 -> succeeded"),
        "{line}"
    );
    assert!(line.contains("c-9"), "the whole payload is shown: {line}");

    // Signed with the secret being rotated out: still accepted.
    let old = Signer::new("old-secret").sign(path, body, now, "nonce-2");
    assert_eq!(post(&url, &old, body), 204);
    assert!(lines.next().unwrap().unwrap().starts_with("verified:"));

    // One changed byte, then the first callback again: both refused.
    let tampered = br#"{"idempotencyKey":"write-1","status":"succeeded","candidateId":"c-8"}"#;
    assert_eq!(post(&url, &signed, tampered), 401);
    assert!(lines.next().unwrap().unwrap().starts_with("refused:"));
    assert_eq!(post(&url, &signed, body), 401);
    assert!(lines.next().unwrap().unwrap().starts_with("refused:"));
}
