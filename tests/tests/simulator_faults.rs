//! The same fault controls on every simulator (issue #13): throttle the next N requests with a
//! `Retry-After`, fail the next N with a status, add latency; and the clients ride them out the
//! same way, answering in each API's own error body when they give up.

use std::time::{Duration, Instant};

use edu_common::RetryConfig;

fn fast_retry() -> RetryConfig {
    RetryConfig {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryConfig::default()
    }
}

#[tokio::test]
async fn every_simulator_throttles_fails_and_slows_down_on_request() {
    // Eduframe (API key).
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let c = eduframe_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .retry(fast_retry())
        .build()
        .unwrap();
    sim.throttle_next(1, 0);
    sim.fail_next(1, 503);
    c.transport().get("courses").send().await.unwrap();
    sim.fail_next(4, 500);
    let err = c.transport().get("courses").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.to_string().contains("simulated failure"), "{err}");
    sim.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    c.transport().get("courses").send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));

    // Datahub (OAuth2: token requests are not faulted).
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let c = datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap();
    sim.throttle_next(1, 0);
    sim.fail_next(1, 502);
    c.districts().list().first_page().await.unwrap();

    // Ed-Fi Admin.
    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    let c = sim.client();
    sim.throttle_next(1, 0);
    c.information().await.unwrap();
    sim.fail_next(4, 503);
    let err = c.information().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    sim.expire_tokens();
    use futures::StreamExt;
    c.vendors()
        .list()
        .stream()
        .next()
        .await
        .transpose()
        .unwrap();

    // Edu-V.
    let sim = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    let c = eduv_education_client::Client::builder()
        .base_url(sim.base_url())
        .token_url(sim.token_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap();
    sim.throttle_next(1, 0);
    c.transport().get("organisations").send().await.unwrap();

    // Onderwijsregio.
    let sim = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    let c = onderwijsregio_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .retry(fast_retry())
        .build()
        .unwrap();
    sim.throttle_next(2, 0);
    c.candidates()
        .list()
        .page_size(10)
        .stream()
        .next()
        .await
        .transpose()
        .unwrap();
}
