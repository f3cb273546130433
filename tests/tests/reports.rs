//! Call reports through the typed clients (issue #24): generated operations (Ed-Fi Admin,
//! Eduframe) and a hand-written listing (datahub) report the same way as a raw transport call.

use std::time::Duration;

use edu_common::RetryConfig;
use edu_common::report::{RetryReason, capture};
use futures::{StreamExt, TryStreamExt};

fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

#[tokio::test]
async fn a_generated_call_through_an_expired_token_a_429_and_a_503_reports_each_retry() {
    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    let client = edfi_admin_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap();
    let id = client
        .vendors()
        .create(&edfi_admin_client::NewVendor::new(
            "Acme",
            "Ann",
            "ann@acme.example",
        ))
        .await
        .unwrap();
    sim.expire_tokens();
    sim.throttle_next(1, 0);
    sim.fail_next(1, 503);
    let (vendor, reports) = capture(client.vendors().get(id)).await;
    assert_eq!(vendor.unwrap().id, Some(id));
    assert_eq!(reports.len(), 1, "one call: {reports:?}");
    let r = &reports[0];
    assert_eq!(r.api, "edfi_admin");
    assert!(r.operation.to_lowercase().contains("vendor"), "{r:?}");
    assert_eq!(r.attempts, 4, "{r:?}");
    for reason in [
        RetryReason::Throttled,
        RetryReason::ServerError,
        RetryReason::Token,
    ] {
        assert_eq!(r.retries_for(reason), 1, "{reason:?} in {r:?}");
    }
    assert_eq!(r.status.map(|s| s.as_u16()), Some(200));

    // A generated call's error carries the same report.
    let err = client.vendors().get(987_654).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let r = err
        .report()
        .expect("a generated call's error carries its report");
    assert_eq!((r.api, r.attempts), ("edfi_admin", 1));
    assert_eq!(r.status.map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_generated_call_that_gives_up_reports_every_attempt() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let client = eduframe_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .retry(fast_retry().max_attempts(3))
        .build()
        .unwrap();
    sim.fail_next(3, 500);
    let err = client
        .courses()
        .list()
        .pages()
        .try_next()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err}");
    let r = err.report().expect("report");
    assert_eq!((r.api, r.attempts), ("eduframe", 3));
    assert_eq!(r.retries, vec![RetryReason::ServerError; 2]);
    assert!(r.waited.backoff > Duration::ZERO);
}

#[tokio::test]
async fn a_listing_reports_one_call_per_page() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let client = datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()
        .unwrap();
    let (pages, reports) = capture(
        client
            .students()
            .list()
            .page_size(2)
            .pages()
            .take(3)
            .try_collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(pages.unwrap().len(), 3);
    assert_eq!(reports.len(), 3, "one call per page: {reports:?}");
    assert!(
        reports
            .iter()
            .all(|r| r.api == "datahub" && r.attempts == 1 && r.operation == reports[0].operation),
        "{reports:?}"
    );
}

/// A server that answers every request with `200`, a request id and `body` (and a token
/// request with a token).
async fn answering_200_with(body: &'static str) -> wiremock::MockServer {
    use wiremock::{Mock, ResponseTemplate, matchers::any, matchers::path_regex};
    let server = wiremock::MockServer::start().await;
    Mock::given(path_regex("(/connect|/datahub/oauth)/token$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "t", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req-2xx-undecodable")
                .set_body_raw(body, "application/json"),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_generated_calls_undecodable_success_carries_its_report_and_request_id() {
    // Eduframe (the generated layer's `value`): an account whose id is not a number.
    let server = answering_200_with(r#"{"id": "not a number"}"#).await;
    let client = eduframe_client::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key("k")
        .build()
        .unwrap();
    let err = client.accounts().get(7).await.unwrap_err();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err}");
    let r = err
        .report()
        .expect("a body that does not decode still carries its call's report");
    assert_eq!((r.api, r.attempts), ("eduframe", 1), "{r:?}");
    assert_eq!(r.status.map(|s| s.as_u16()), Some(200));
    assert_eq!(err.request_id(), Some("req-2xx-undecodable"));

    // Ed-Fi Admin (a hand-written method over the generated client): information that is a
    // number.
    let server = answering_200_with("42").await;
    let client = edfi_admin_client::Client::builder()
        .base_url(server.uri())
        .client_credentials("id", "secret")
        .build()
        .unwrap();
    let err = client.information().await.unwrap_err();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err}");
    let r = err.report().expect("report");
    assert_eq!(
        (r.api, r.status.map(|s| s.as_u16())),
        ("edfi_admin", Some(200))
    );
    assert_eq!(err.request_id(), Some("req-2xx-undecodable"));
}

#[tokio::test]
async fn hand_written_listings_undecodable_pages_carry_their_report_and_request_id() {
    // datahub's listing reads each page's body after the call: a page that does not decode
    // still names the call that brought it.
    let server = answering_200_with(r#"{"data": 5}"#).await;
    let client = datahub_client::Client::builder()
        .base_url(server.uri())
        .client_credentials("id", "secret")
        .build()
        .unwrap();
    let err = client
        .students()
        .list()
        .pages()
        .try_next()
        .await
        .unwrap_err();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err}");
    let r = err.report().expect("the page's call report");
    assert_eq!(
        (r.api, r.status.map(|s| s.as_u16())),
        ("datahub", Some(200))
    );
    assert_eq!(err.request_id(), Some("req-2xx-undecodable"));

    // The shared `Link`-header paging (Eduframe's listing of any path) reads its pages the
    // same way.
    let client = eduframe_client::Client::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key("k")
        .build()
        .unwrap();
    let err = client
        .list::<serde_json::Value>("leads")
        .pages()
        .try_next()
        .await
        .unwrap_err();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err}");
    assert_eq!(err.report().map(|r| r.api), Some("eduframe"));
    assert_eq!(err.request_id(), Some("req-2xx-undecodable"));
}

/// `capture_with_tokens` has the OAuth2 token request as a call of its own; `capture` does not.
#[tokio::test]
async fn a_token_request_is_reported_only_where_asked_for() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let client = datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()
        .unwrap();
    let (first, reports) =
        edu_common::report::capture_with_tokens(client.students().list().page_size(1).first_page())
            .await;
    first.unwrap();
    let ops: Vec<&str> = reports.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(ops.len(), 2, "{reports:?}");
    assert_eq!(ops[0], "token", "{reports:?}");
    assert_eq!(reports[0].method.as_str(), "POST");
    assert_eq!(reports[0].status.map(|s| s.as_u16()), Some(200));
    sim.expire_tokens();
    let (_, reports) = capture(client.students().list().page_size(1).first_page()).await;
    assert!(
        reports.iter().all(|r| r.operation != "token"),
        "{reports:?}"
    );
}
