//! Spans carry what an operator needs and never a secret.
//!
//! This file holds one test on purpose: `tracing` caches per-callsite interest process-wide, so a
//! test without a subscriber running in parallel could disable these spans for this one.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use edu_common::Credentials;
use edu_common::auth::{ClientAuth, OAuth2Config};
use secrecy::SecretString;
use support::{Sequence, fast};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_record_operation_attempts_and_status_but_no_secret() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok-very-private", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({})),
    ]);
    Mock::given(path("/students"))
        .respond_with(seq)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(OAuth2Config::new(
            format!("{}/oauth/token", server.uri()).parse().unwrap(),
            "client-1",
            ClientAuth::Basic(SecretString::from("secret-very-private")),
        )))
        .build()
        .unwrap();
    t.get("students?access_token=query-very-private")
        .operation("listStudents")
        .send()
        .await
        .unwrap();

    let out = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(out.contains("edu.operation"), "{out}");
    assert!(
        out.contains("operation=\"listStudents\"") || out.contains("operation=listStudents"),
        "{out}"
    );
    assert!(out.contains("edu.attempt"), "{out}");
    assert!(out.contains("attempt=2"), "{out}");
    assert!(
        out.contains("status=503") && out.contains("status=200"),
        "{out}"
    );
    assert!(out.contains("attempts=2"), "{out}");
    assert!(
        !out.contains("very-private"),
        "a secret leaked into the logs:\n{out}"
    );
}
