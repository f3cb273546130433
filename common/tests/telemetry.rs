//! Metrics (feature `metrics`) for a call that met an expired token, a 429 and a 503, counted by
//! a debugging recorder; each wait observed once; and no label holding a secret, an id or a query.
#![cfg(feature = "metrics")]

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use edu_common::Credentials;
use edu_common::auth::{ClientAuth, OAuth2Config};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use secrecy::SecretString;
use support::{Sequence, fast};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Issues `tok-private-1`, `tok-private-2`… in turn.
#[derive(Clone, Default)]
struct Issuer(Arc<AtomicUsize>);

impl Respond for Issuer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": format!("tok-private-{n}"), "expires_in": 3600
        }))
    }
}

/// `name{label=value,…}` → value, for counters and the count and sum of histograms.
fn read(snapshotter: &Snapshotter) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let (_, key) = key.into_parts();
        let mut labels: Vec<String> = key
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        labels.sort();
        let name = format!("{}{{{}}}", key.name(), labels.join(","));
        match value {
            DebugValue::Counter(n) => {
                out.insert(name, n as f64);
            }
            DebugValue::Gauge(g) => {
                out.insert(name, g.into_inner());
            }
            DebugValue::Histogram(h) => {
                out.insert(format!("{name}#count"), h.len() as f64);
                out.insert(
                    format!("{name}#sum"),
                    h.iter().map(|v| v.into_inner()).sum(),
                );
            }
        }
    }
    out
}

/// Runs `future` on a current-thread runtime with a debugging recorder of its own (the recorder
/// is this thread's, and the runtime runs the future on it), and reads what was recorded.
fn recorded<T>(future: impl std::future::Future<Output = T>) -> (T, BTreeMap<String, f64>) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let out = metrics::with_local_recorder(&recorder, || rt.block_on(future));
    (out, read(&snapshotter))
}

#[test]
fn a_call_through_an_expired_token_a_429_and_a_503_is_counted_by_reason() {
    let body = r#"{"id":7,"name":"x"}"#;
    let (report, m) = recorded(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(Issuer::default())
            .mount(&server)
            .await;
        let seq = Sequence::new(vec![
            // The token the client holds has expired on the server's side.
            ResponseTemplate::new(401),
            ResponseTemplate::new(429).insert_header("retry-after", "1"),
            ResponseTemplate::new(503),
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/json")
                .set_body_string(body),
        ]);
        Mock::given(path("/courses/7"))
            .respond_with(seq.clone())
            .mount(&server)
            .await;
        let t = fast(&server.uri())
            .api_name("eduframe")
            .credentials(Credentials::oauth2(OAuth2Config::new(
                format!("{}/oauth/token", server.uri()).parse().unwrap(),
                "client-id-private",
                ClientAuth::Form(SecretString::from("secret-private")),
            )))
            .build()
            .unwrap();
        let resp = t
            .get("courses/7?api_key=query-private")
            .operation("getCourse")
            .send_json_with_meta::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(seq.count(), 4);
        resp.report
    });
    assert_eq!(report.attempts, 4);

    let expect = |name: &str, value: f64| {
        assert_eq!(m.get(name), Some(&value), "{name} in {m:#?}");
    };
    expect(
        "edu_client_requests_total{api=eduframe,method=GET,operation=getCourse,status_class=2xx}",
        1.0,
    );
    expect(
        "edu_client_attempts_total{api=eduframe,method=GET,operation=getCourse}",
        4.0,
    );
    for reason in ["token", "throttled", "server_error"] {
        expect(
            &format!(
                "edu_client_retries_total{{api=eduframe,operation=getCourse,reason={reason}}}"
            ),
            1.0,
        );
    }
    // The first token, and one refresh after the 401.
    expect(
        "edu_client_token_fetches_total{api=eduframe,outcome=ok}",
        2.0,
    );
    expect(
        "edu_client_response_body_bytes_total{api=eduframe,operation=getCourse}",
        body.len() as f64,
    );
    expect(
        "edu_client_request_duration_seconds{api=eduframe,method=GET,operation=getCourse,status_class=2xx}#count",
        1.0,
    );
    // The second asked for by `Retry-After: 1` was waited out, and the 503 backed off.
    let asked = m["edu_client_wait_duration_seconds{api=eduframe,cause=retry_after}#sum"];
    assert!((0.9..5.0).contains(&asked), "retry_after wait {asked}");
    let backoff = m["edu_client_wait_duration_seconds{api=eduframe,cause=backoff}#sum"];
    assert!(backoff > 0.0 && backoff < 1.0, "backoff {backoff}");
    assert!(
        !m.keys().any(|k| k.contains("cause=rate_limit")),
        "no client-side limit was set, so nothing waited for one: {m:#?}"
    );

    // Bounded labels: no secret, no id, no path, no query.
    for name in m.keys() {
        assert!(!name.contains("private"), "a secret in a label: {name}");
        assert!(
            !name.contains('/') && !name.contains('?'),
            "a URL in a label: {name}"
        );
        assert!(!name.contains('7'), "an id in a label: {name}");
    }
}

#[test]
fn a_refused_token_and_an_unreachable_endpoint_are_counted_apart() {
    let ((), m) = recorded(async {
        let server = MockServer::start().await;
        Mock::given(path("/oauth/token"))
            .respond_with(
                ResponseTemplate::new(401)
                    .set_body_json(serde_json::json!({"error": "invalid_client"})),
            )
            .mount(&server)
            .await;
        let oauth = |token_url: String| {
            Credentials::oauth2(
                OAuth2Config::new(
                    token_url.parse().unwrap(),
                    "client-id-private",
                    ClientAuth::Basic(SecretString::from("secret-private")),
                )
                .timeout(std::time::Duration::from_millis(500)),
            )
        };
        let refused = fast(&server.uri())
            .api_name("datahub")
            .credentials(oauth(format!("{}/oauth/token", server.uri())))
            .build()
            .unwrap();
        let err = refused.get("x").send().await.unwrap_err();
        assert!(err.is_unauthorized(), "{err}");
        // Nothing listens on port 9 of loopback.
        let unreachable = fast(&server.uri())
            .api_name("datahub")
            .credentials(oauth("http://127.0.0.1:9/oauth/token".to_owned()))
            .build()
            .unwrap();
        unreachable.get("x").send().await.unwrap_err();
    });
    assert_eq!(
        m.get("edu_client_token_fetches_total{api=datahub,outcome=refused}"),
        Some(&1.0),
        "{m:#?}"
    );
    assert_eq!(
        m.get("edu_client_token_fetches_total{api=datahub,outcome=failed}"),
        Some(&1.0),
        "{m:#?}"
    );
    assert!(!m.keys().any(|k| k.contains("outcome=ok")), "{m:#?}");
}

#[test]
fn without_a_recorder_a_call_works_as_without_the_feature() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = MockServer::start().await;
        Mock::given(path("/x"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
            .mount(&server)
            .await;
        let t = fast(&server.uri()).build().unwrap();
        let v: serde_json::Value = t.get("x").send_json().await.unwrap();
        assert_eq!(v, serde_json::json!({}));
    });
}

#[test]
fn each_wait_is_one_observation() {
    // Two 503s before the answer: two backoffs, each observed when it ends.
    let ((), m) = recorded(async {
        let server = MockServer::start().await;
        let seq = Sequence::new(vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": 1})),
        ]);
        Mock::given(path("/courses/1"))
            .respond_with(seq.clone())
            .mount(&server)
            .await;
        let t = fast(&server.uri()).api_name("eduframe").build().unwrap();
        t.get("courses/1")
            .operation("getCourse")
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(seq.count(), 3);
    });
    let key = "edu_client_wait_duration_seconds{api=eduframe,cause=backoff}#count";
    assert_eq!(m.get(key), Some(&2.0), "{m:#?}");
    assert_eq!(
        m.get("edu_client_requests_total{api=eduframe,method=GET,operation=getCourse,status_class=2xx}"),
        Some(&1.0)
    );
}
