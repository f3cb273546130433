//! Every error from a call carries what happened during it; a successful call hands the same
//! report back on request (`report::capture`, `send_json_with_meta`), and the plain `.await`
//! is unchanged.

mod support;

use std::time::Duration;

use edu_common::report::{self, RetryReason};
use edu_common::{Credentials, Error, RateLimitReason, RetryConfig};
use secrecy::SecretString;
use support::{Sequence, fast};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn an_error_after_a_429_storm_carries_its_attempts_retries_and_request_id() {
    let server = MockServer::start().await;
    Mock::given(path("/students"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .insert_header("x-request-id", "req-storm"),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .api_name("datahub")
        .retry(RetryConfig::default().max_attempts(3))
        .credentials(Credentials::bearer(SecretString::from("key-private")))
        .build()
        .unwrap();
    let err = t
        .get("students?access_token=query-private")
        .operation("listStudents")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.rate_limit_reason(),
        Some(RateLimitReason::AttemptsExhausted { attempts: 3 })
    );
    let r = err.report().expect("a call's error carries its report");
    assert_eq!((r.api, r.operation.as_str()), ("datahub", "listStudents"));
    assert_eq!(r.attempts, 3);
    assert_eq!(r.retries, vec![RetryReason::Throttled; 2]);
    assert_eq!(r.status.map(|s| s.as_u16()), Some(429));
    assert_eq!(err.request_id(), Some("req-storm"));
    let shown = format!("{err:?} {err}");
    assert!(!shown.contains("private"), "a secret in the error: {shown}");
}

#[tokio::test]
async fn a_404_names_its_request_id_and_a_decode_error_keeps_the_report() {
    let server = MockServer::start().await;
    Mock::given(path("/students/9"))
        .respond_with(ResponseTemplate::new(404).insert_header("request-id", "req-missing"))
        .mount(&server)
        .await;
    Mock::given(path("/students/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-bad-body")
                .set_body_string("not json"),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let missing = t
        .get("students/9")
        .operation("getStudent")
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(missing.request_id(), Some("req-missing"));
    assert_eq!(missing.report().map(|r| r.attempts), Some(1));

    let bad = t
        .get("students/1")
        .operation("getStudent")
        .send_json::<serde_json::Value>()
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Decode(_)), "{bad}");
    assert_eq!(bad.request_id(), Some("req-bad-body"));
}

#[tokio::test]
async fn a_timeout_reports_each_attempt_it_made() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .retry(RetryConfig::default().max_attempts(2))
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = t.get("slow").send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let r = err.report().expect("report");
    assert_eq!(r.attempts, 2);
    assert_eq!(r.retries, vec![RetryReason::Timeout]);
    assert_eq!(r.status, None, "no answer came");
    assert_eq!(
        r.operation, "unnamed",
        "no operation name was given, and a path is not one"
    );
}

#[tokio::test]
async fn capture_reports_every_successful_call_in_order_without_changing_the_result() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"n": 1})),
    ]);
    Mock::given(path("/a"))
        .respond_with(seq)
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-b")
                .set_body_json(serde_json::json!({"n": 2})),
        )
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let (values, reports) = report::capture(async {
        let a: serde_json::Value = t.get("a").operation("getA").send_json().await?;
        let b: serde_json::Value = t.get("b").operation("getB").send_json().await?;
        Ok::<_, Error>((a, b))
    })
    .await;
    let (a, b) = values.unwrap();
    assert_eq!((a["n"].as_i64(), b["n"].as_i64()), (Some(1), Some(2)));
    let seen: Vec<_> = reports
        .iter()
        .map(|r| (r.operation.as_str(), r.attempts, r.request_id.as_deref()))
        .collect();
    assert_eq!(seen, vec![("getA", 2, None), ("getB", 1, Some("req-b"))]);
    assert_eq!(reports[0].retries, vec![RetryReason::ServerError]);
    assert!(reports[0].waited.backoff > Duration::ZERO);

    // Outside `capture` nothing is kept, and the call is the same.
    let c: serde_json::Value = t.get("b").send_json().await.unwrap();
    assert_eq!(c["n"], 2);
}
