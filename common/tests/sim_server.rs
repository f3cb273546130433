//! The server every simulator runs on (`edu_common::mock::serve`): answers compressed the way
//! a real API's web server does when the client asks, counts the bytes it sent, keeps a log of
//! what it received, and catches a handler's panic.
#![cfg(feature = "mock")]

use std::io::Read;

use edu_common::mock::{Request, Response};

/// A JSON body of about 60 KiB that compresses well, as listing pages do.
fn page() -> serde_json::Value {
    let records: Vec<_> = (0..600)
        .map(|i| serde_json::json!({ "id": i, "name": format!("Student {i}"), "grade": "5" }))
        .collect();
    serde_json::json!({ "data": records })
}

async fn started() -> edu_common::mock::SimServer {
    edu_common::mock::serve(None, |_: &Request| Response::new(200).set_body_json(page()))
        .await
        .expect("a loopback port")
}

fn plain_http() -> reqwest::Client {
    edu_common::install_crypto_provider();
    // No automatic decoding, so the test sees the answer as it went on the wire.
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .expect("a client")
}

#[tokio::test]
async fn answers_are_gzipped_when_asked_and_plain_otherwise() {
    let server = started().await;
    let http = plain_http();

    let before = server.bytes_sent();
    let plain = http
        .get(format!("{}/students", server.uri()))
        .send()
        .await
        .expect("an answer");
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain = plain.bytes().await.expect("a body");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&plain).expect("JSON"),
        page()
    );
    let plain_on_wire = server.bytes_sent() - before;
    assert!(
        plain_on_wire > plain.len() as u64,
        "headers count too: {plain_on_wire} vs {}",
        plain.len()
    );

    let before = server.bytes_sent();
    let gzipped = http
        .get(format!("{}/students", server.uri()))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("an answer");
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "accept-encoding");
    let body = gzipped.bytes().await.expect("a body");
    let gzipped_on_wire = server.bytes_sent() - before;
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut decoded)
        .expect("a gzip stream");
    assert_eq!(decoded, plain, "the same answer, compressed");
    assert!(
        gzipped_on_wire * 4 < plain_on_wire,
        "{gzipped_on_wire} bytes compressed vs {plain_on_wire} plain"
    );
}

#[tokio::test]
async fn a_coding_refused_with_q_zero_is_not_used() {
    let server = started().await;
    let answer = plain_http()
        .get(server.uri())
        .header("accept-encoding", "gzip;q=0, identity")
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.headers().get("content-encoding"), None);
}

#[tokio::test]
async fn the_clients_decode_what_the_simulators_compress() {
    let server = started().await;
    let transport = edu_common::Transport::builder(server.uri())
        .build()
        .expect("a transport");
    let value: serde_json::Value = transport
        .get("students")
        .send_json()
        .await
        .expect("a decoded answer");
    assert_eq!(value, page());
    let logged = &server.requests()[0];
    assert_eq!(
        (logged.request.url.path(), logged.status),
        ("/students", 200)
    );
    let asked = logged.request.headers["accept-encoding"]
        .to_str()
        .unwrap_or_default();
    assert!(asked.contains("gzip"), "the client asks for gzip: {asked}");
}

#[cfg(feature = "brotli")]
#[tokio::test]
async fn brotli_is_preferred_when_both_are_accepted() {
    let server = started().await;
    let answer = plain_http()
        .get(server.uri())
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.headers()["content-encoding"], "br");
    let body = answer.bytes().await.expect("a body");
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut decoded)
        .expect("a brotli stream");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&decoded).expect("JSON"),
        page()
    );
}

#[tokio::test]
async fn drop_next_still_drops_after_the_server_answered() {
    let server = started().await;
    server.drop_next(1);
    let http = plain_http();
    let dropped = http.get(server.uri()).send().await;
    assert!(dropped.is_err(), "the first request gets no answer");
    let answered = http.get(server.uri()).send().await.expect("an answer");
    assert!(answered.status().is_success());
    assert_eq!(server.requests().len(), 2, "the server saw both");
}

/// A panic inside a simulator's handler is answered 500 in the API's error body and recorded,
/// never a dropped connection; the simulator keeps serving (issue #26).
#[tokio::test]
async fn a_panicking_handler_is_answered_500_and_recorded() {
    fn panics(req: &Request) -> Response {
        if req.url.path() == "/boom" {
            let empty: Vec<u8> = Vec::new();
            let _ = empty[usize::from(req.url.path().len() > 1)];
        }
        Response::new(200).set_body_json(serde_json::json!({"ok": true}))
    }
    let faults = edu_common::mock::Faults::default();
    let server = edu_common::mock::serve(
        None,
        faults.wrap(
            panics,
            |_| true,
            |status, message| serde_json::json!({"code": status, "message": message}),
        ),
    )
    .await
    .unwrap();
    edu_common::install_crypto_provider();
    let http = reqwest::Client::new();
    let resp = http
        .get(format!("{}/boom", server.uri()))
        .send()
        .await
        .expect("answered, not dropped");
    assert_eq!(resp.status().as_u16(), 500);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 500);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("index out of bounds"),
        "{body}"
    );
    let recorded = faults.panics();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert!(recorded[0].starts_with("GET /boom: "), "{recorded:?}");
    let ok = http
        .get(format!("{}/fine", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(faults.panics().len(), 1);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_413_and_a_bad_header_never_panics() {
    let server = edu_common::mock::serve(None, |req: &Request| {
        Response::new(200)
            .insert_header("x-echo", String::from_utf8_lossy(&req.body))
            .insert_header("bad name", "v")
            .set_body_string("ok")
    })
    .await
    .unwrap();
    let http = plain_http();
    let big = vec![b'a'; 16 * 1024 * 1024 + 1];
    let resp = http.post(server.uri()).body(big).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    // A header value a handler cannot send (a newline) is left out, not a panic.
    let resp = http
        .post(server.uri())
        .body("line\nbreak")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().get("x-echo").is_none());
    assert!(resp.headers().get("bad name").is_none());
    let resp = http.post(server.uri()).body("fine").send().await.unwrap();
    assert_eq!(resp.headers()["x-echo"], "fine");
}

#[tokio::test]
async fn the_request_log_shows_no_credentials_and_keeps_bodies_bounded() {
    let server = edu_common::mock::serve(None, |_: &Request| Response::new(204))
        .await
        .unwrap();
    let http = plain_http();
    http.post(format!("{}/x?client_secret=s3cr3t", server.uri()))
        .bearer_auth("t0ken-value")
        .header("x-api-key", "k3y-value")
        .body(vec![b'a'; 100_000])
        .send()
        .await
        .unwrap();
    let logged = &server.requests()[0];
    assert_eq!(logged.status, 204);
    assert_eq!(
        logged.request.body.len(),
        64 * 1024,
        "the log keeps 64 KiB of a body"
    );
    let shown = format!("{logged:?}");
    for secret in ["t0ken-value", "k3y-value", "s3cr3t"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("body_bytes"), "{shown}");
}
