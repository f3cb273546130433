//! Retries, Retry-After, the shared pause, backoff, the retry budget, timeouts and faults.

mod support;

use std::time::{Duration, SystemTime};

use edu_common::report::capture;
use edu_common::{Error, RetryBudget, RetryConfig, TimeoutKind};
use support::{Recorder, Sequence, fast};
use tokio::io::AsyncWriteExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true}))
}

#[tokio::test]
async fn retry_after_delta_seconds_is_waited_exactly() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        ok(),
    ]);
    Mock::given(path("/x"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let (v, reports) = capture(t.get("x").send_json::<serde_json::Value>()).await;
    assert_eq!(v.unwrap()["ok"], true);
    let a = seq.arrivals.lock().unwrap().clone();
    assert_eq!(a.len(), 2);
    let gap = a[1] - a[0];
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    // The wait was the one asked for and nothing else: no backoff added on top of it.
    assert_eq!(reports.len(), 1);
    let waited = reports[0].waited;
    assert!(
        waited.retry_after >= Duration::from_millis(950),
        "{waited:?}"
    );
    assert_eq!(waited.backoff, Duration::ZERO, "{waited:?}");
    assert_eq!(waited.rate_limit, Duration::ZERO, "{waited:?}");
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start().await;
    // Second granularity: a date two seconds ahead means a wait of one to two seconds.
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503).insert_header("retry-after", date.as_str()),
        ok(),
    ]);
    Mock::given(path("/x"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    t.get("x").send().await.unwrap();
    let a = seq.arrivals.lock().unwrap().clone();
    assert_eq!(a.len(), 2);
    assert!(
        a[1] - a[0] >= Duration::from_millis(900),
        "{:?}",
        a[1] - a[0]
    );
}

#[tokio::test]
async fn retry_after_beyond_the_cap_returns_rate_limited_at_once() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .retry(RetryConfig::default().max_retry_after(Duration::from_secs(60)))
        .build()
        .unwrap();
    let (result, reports) = capture(t.get("x").send()).await;
    let err = result.unwrap_err();
    // At once: one attempt, nothing waited.
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].attempts, 1);
    assert_eq!(reports[0].waited.total(), Duration::ZERO);
    match err {
        Error::RateLimited {
            retry_after,
            status,
            reason,
            ..
        } => {
            assert_eq!(reason, edu_common::RateLimitReason::WaitTooLong);
            assert_eq!(status.as_u16(), 429);
            assert_eq!(retry_after, Some(Duration::from_secs(3600)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn a_429_storm_ends_in_a_typed_error_after_the_attempt_limit() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .retry(RetryConfig::default().max_attempts(3))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn after_a_429_other_requests_wait_out_the_same_pause() {
    let server = MockServer::start().await;
    let throttled = Sequence::new(vec![
        ResponseTemplate::new(429).insert_header("retry-after", "1"),
        ok(),
    ]);
    let other = Recorder::default();
    Mock::given(path("/a"))
        .respond_with(throttled.clone())
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(other.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();

    let t1 = t.clone();
    let first = tokio::spawn(async move { t1.get("a").send().await });
    // Start the second request once the client has taken in the 429 and set the pause.
    tokio::time::timeout(Duration::from_secs(10), async {
        while t.pause_remaining().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the 429 set a pause");
    assert_eq!(throttled.count(), 1);
    t.get("b").send().await.unwrap();
    first.await.unwrap().unwrap();

    let throttled_at = throttled.arrivals.lock().unwrap()[0];
    let b_at = other.arrivals.lock().unwrap()[0];
    assert!(
        b_at - throttled_at >= Duration::from_millis(900),
        "the second request went out {:?} after the 429 instead of waiting the pause",
        b_at - throttled_at
    );
}

#[tokio::test]
async fn idempotent_requests_back_off_and_retry_5xx() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(502),
        ok(),
    ]);
    Mock::given(path("/x"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    t.get("x").send().await.unwrap();
    assert_eq!(seq.count(), 3);
}

#[tokio::test]
async fn non_idempotent_requests_are_not_retried_on_5xx() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(serde_json::json!({"message": "boom"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let err = t
        .post("x")
        .json(&serde_json::json!({"a": 1}))
        .send()
        .await
        .unwrap_err();
    let http = err.http().expect("an HTTP error");
    assert_eq!(http.status.as_u16(), 500);
    assert_eq!(http.message.as_deref(), Some("boom"));
}

#[tokio::test]
async fn writes_marked_retry_safe_are_retried() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![ResponseTemplate::new(500), ResponseTemplate::new(202)]);
    Mock::given(method("POST"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri()).build().unwrap();
    let resp = t
        .post("x")
        .query("idempotencyKey", "k-1")
        .json(&serde_json::json!({}))
        .retry_safe(true)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    assert_eq!(seq.count(), 2);
}

/// Up to 10 attempts with tiny backoffs, and a budget that pays for two retries.
fn ten_attempts_two_retries_of_budget() -> RetryConfig {
    RetryConfig::default()
        .max_attempts(10)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2))
        .budget_capacity(2 * RetryBudget::RETRY_COST)
}

/// A server whose `/x` always answers 500, and the sequence that counts its requests.
async fn always_500() -> (MockServer, Sequence) {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![ResponseTemplate::new(500)]);
    Mock::given(path("/x"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    (server, seq)
}

#[tokio::test]
async fn the_retry_budget_stops_hammering_a_failing_server() {
    let (server, seq) = always_500().await;
    let t = fast(&server.uri())
        .retry(ten_attempts_two_retries_of_budget())
        .build()
        .unwrap();
    assert!(t.get("x").send().await.is_err());
    // One attempt plus the two retries the budget paid for.
    assert_eq!(seq.count(), 3);
    // The budget is shared by clones: a clone gets no retries either.
    assert!(t.clone().get("x").send().await.is_err());
    assert_eq!(seq.count(), 4);
    assert_eq!(t.retry_budget().available(), 0);
}

/// Policy apart from state: a `RetryConfig` reused for two clients gives each its own budget;
/// two clients share one only when they are given the same `RetryBudget`.
#[tokio::test]
async fn a_config_reused_for_two_clients_shares_no_budget_unless_asked() {
    let (server, seq) = always_500().await;
    let cfg = ten_attempts_two_retries_of_budget();
    let a = fast(&server.uri()).retry(cfg).build().unwrap();
    assert!(a.get("x").send().await.is_err());
    assert_eq!(
        seq.count(),
        3,
        "one attempt and the two retries a's budget paid for"
    );
    let b = fast(&server.uri()).retry(cfg).build().unwrap();
    assert!(b.get("x").send().await.is_err());
    assert_eq!(seq.count(), 6, "b has a budget of its own");
    let shared = RetryBudget::new(2 * RetryBudget::RETRY_COST);
    let c = fast(&server.uri())
        .retry(cfg)
        .retry_budget(shared.clone())
        .build()
        .unwrap();
    let d = fast(&server.uri())
        .retry(cfg)
        .retry_budget(shared.clone())
        .build()
        .unwrap();
    assert!(c.get("x").send().await.is_err());
    assert_eq!(seq.count(), 9);
    assert!(d.get("x").send().await.is_err());
    assert_eq!(seq.count(), 10, "d shares c's budget, which c spent");
    assert_eq!(shared.available(), 0);
}

#[tokio::test]
async fn a_slow_server_gives_a_typed_timeout_after_retries() {
    let server = MockServer::start().await;
    let seq = Sequence::new(vec![ok().set_delay(Duration::from_secs(2))]);
    Mock::given(path("/x"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .attempt_timeout(Duration::from_millis(150))
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("timed out"));
    assert_eq!(seq.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_operation_timeout_bounds_all_attempts() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ok().set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = t.get("x").send().await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Operation,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A server that accepts connections and drops them without answering.
async fn dropping_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            // Read a little so the request is sent, then close without a response.
            let mut buf = [0u8; 1024];
            let _ = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await;
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}"), count)
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_gets_and_then_reported() {
    let (uri, count) = dropping_server().await;
    let t = fast(&uri)
        .retry(
            RetryConfig::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    // Sent, then closed with no answer: not "could not reach".
    assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_dropped_connection_is_not_retried_for_a_plain_post() {
    let (uri, count) = dropping_server().await;
    let t = fast(&uri).build().unwrap();
    let err = t
        .post("x")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Interrupted { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("the server may have acted on the request"),
        "{err}"
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let t = fast(&format!("http://127.0.0.1:{port}"))
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let err = t.post("x").send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("127.0.0.1"));
}

#[tokio::test]
async fn the_client_side_rate_limit_paces_requests_across_clones() {
    let server = MockServer::start().await;
    let rec = Recorder::default();
    Mock::given(path("/x"))
        .respond_with(rec.clone())
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .rate_limit(3, Duration::from_millis(800))
        .build()
        .unwrap();
    let clone = t.clone();
    for i in 0..6 {
        let client = if i % 2 == 0 { &t } else { &clone };
        client.get("x").send().await.unwrap();
    }
    let a = rec.arrivals.lock().unwrap().clone();
    assert_eq!(a.len(), 6);
    // No window of 800 ms holds more than three requests.
    for i in 3..a.len() {
        assert!(
            a[i] - a[i - 3] >= Duration::from_millis(750),
            "requests {} and {i} were {:?} apart",
            i - 3,
            a[i] - a[i - 3]
        );
    }
}
