//! Spans are shaped like OpenTelemetry's HTTP client spans, carry what an operator needs, and
//! never a secret.
//!
//! This file holds one test on purpose: `tracing` caches per-callsite interest process-wide, so a
//! test without a subscriber running in parallel could disable these spans for this one.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use edu_common::Credentials;
use edu_common::auth::{ClientAuth, OAuth2Config};
use secrecy::SecretString;
use support::{Sequence, fast};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A span's name and its fields.
type Recorded = (String, BTreeMap<String, String>);

/// Every span's name and fields, as recorded (later records overwrite), and every log event's
/// fields (its message included).
#[derive(Clone, Default)]
struct Spans(
    Arc<Mutex<BTreeMap<u64, Recorded>>>,
    Arc<Mutex<Vec<BTreeMap<String, String>>>>,
);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0
            .lock()
            .unwrap()
            .insert(id.into_u64(), (attrs.metadata().name().to_owned(), fields));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.1.lock().unwrap().push(fields);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some((_, fields)) = self.0.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
}

impl Spans {
    fn named(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        self.0
            .lock()
            .unwrap()
            .values()
            .filter(|(n, _)| n == name)
            .map(|(_, f)| f.clone())
            .collect()
    }
}

#[tokio::test]
async fn spans_follow_the_http_client_conventions_and_hold_no_secret() {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry()
        .with(spans.clone())
        .with(tracing_subscriber::filter::LevelFilter::DEBUG);
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "tok-very-private", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503).insert_header("x-request-id", "req-first"),
        ResponseTemplate::new(200)
            .insert_header("x-request-id", "req-42")
            .set_body_json(serde_json::json!({})),
    ]);
    Mock::given(path("/students"))
        .respond_with(seq)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .api_name("datahub")
        .credentials(Credentials::oauth2(OAuth2Config::new(
            format!("{}/oauth/token", server.uri()).parse().unwrap(),
            "client-id-very-private",
            ClientAuth::Basic(SecretString::from("secret-very-private")),
        )))
        .build()
        .unwrap();
    t.get("students?access_token=query-very-private&limit=2")
        .operation("listStudents")
        .send()
        .await
        .unwrap();

    let calls = spans.named("edu.operation");
    assert_eq!(calls.len(), 1, "one span per call: {calls:?}");
    let call = &calls[0];
    let port = server.address().port().to_string();
    for (field, expected) in [
        ("otel.name", "GET listStudents"),
        ("otel.kind", "client"),
        ("edu.api", "datahub"),
        ("edu.operation", "listStudents"),
        ("http.request.method", "GET"),
        ("server.address", "127.0.0.1"),
        ("server.port", port.as_str()),
        ("http.response.status_code", "200"),
        ("http.request.resend_count", "1"),
        ("edu.request_id", "req-42"),
    ] {
        assert_eq!(
            call.get(field).map(String::as_str),
            Some(expected),
            "{field} in {call:?}"
        );
    }
    let url = &call["url.full"];
    assert!(
        url.ends_with("/students?access_token=[REDACTED]&limit=2"),
        "url.full keeps the query's shape without its credential: {url}"
    );
    assert!(
        !call.contains_key("error.type"),
        "the call succeeded: {call:?}"
    );

    let mut attempts = spans.named("edu.attempt");
    attempts.sort_by_key(|a| a["http.request.resend_count"].clone());
    assert_eq!(attempts.len(), 2, "one span per attempt: {attempts:?}");
    assert_eq!(attempts[0]["http.request.resend_count"], "0");
    assert_eq!(attempts[0]["http.response.status_code"], "503");
    assert_eq!(attempts[0]["error.type"], "503");
    assert_eq!(attempts[0]["edu.request_id"], "req-first");
    assert_eq!(attempts[1]["http.request.resend_count"], "1");
    assert_eq!(attempts[1]["http.response.status_code"], "200");

    let everything = format!("{:?}", spans.0.lock().unwrap());
    // The token, the client secret, the query credential and the client id all say so.
    assert!(
        !everything.contains("very-private"),
        "a secret leaked into a span:\n{everything}"
    );
    // And the log events (a retry, a token fetch): there are some, and none holds a secret.
    let events = spans.1.lock().unwrap().clone();
    assert!(!events.is_empty(), "the call logged nothing to check");
    let logged = format!("{events:?}");
    assert!(
        !logged.contains("very-private"),
        "a secret leaked into a log event:\n{logged}"
    );
}
