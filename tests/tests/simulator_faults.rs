//! The same fault controls on every simulator (issue #13): throttle the next N requests with a
//! `Retry-After`, fail the next N with a status, add latency, count the API requests that
//! arrived; and the clients ride them out the same way, answering in each API's own error body
//! when they give up.

use std::time::{Duration, Instant};

use edu_common::RetryConfig;

fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// Clients of the simulators that retry fast (each simulator's own credentials).
fn eduframe(sim: &eduframe_client::mock::Simulator) -> eduframe_client::Client {
    eduframe_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn datahub(sim: &datahub_client::mock::Simulator) -> datahub_client::Client {
    datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn onderwijsregio(sim: &onderwijsregio_client::mock::Simulator) -> onderwijsregio_client::Client {
    onderwijsregio_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn eduv(sim: &eduv_education_client::mock::Simulator) -> eduv_education_client::Client {
    eduv_education_client::Client::builder()
        .base_url(sim.base_url())
        .token_url(sim.token_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(fast_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_simulator_throttles_fails_and_slows_down_on_request() {
    // Eduframe (API key).
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let c = eduframe(&sim);
    sim.throttle_next(1, 0);
    sim.fail_next(1, 503);
    c.transport().get("courses").send().await.unwrap();
    // Every simulator counts the API requests that reached it, faulted ones included.
    assert_eq!(
        sim.api_requests(),
        3,
        "eduframe: the 429, the 503 and the answer"
    );
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
    let c = datahub(&sim);
    sim.throttle_next(1, 0);
    sim.fail_next(1, 502);
    c.districts().list().first_page().await.unwrap();
    assert_eq!(
        sim.api_requests(),
        3,
        "datahub: the token request is not counted"
    );
    assert_eq!(sim.tokens_issued(), 1);

    // Ed-Fi Admin.
    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    let c = sim.client();
    sim.throttle_next(1, 0);
    c.information().await.unwrap();
    assert_eq!(sim.api_requests(), 2, "ed-fi admin");
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
    let c = eduv(&sim);
    sim.throttle_next(1, 0);
    c.transport().get("organisations").send().await.unwrap();
    assert_eq!(
        sim.api_requests(),
        2,
        "edu-v: the token request is not counted"
    );

    // Onderwijsregio.
    let sim = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    let c = onderwijsregio(&sim);
    sim.throttle_next(2, 0);
    c.candidates()
        .list()
        .page_size(10)
        .stream()
        .next()
        .await
        .transpose()
        .unwrap();
    assert_eq!(sim.api_requests(), 3, "onderwijsregio");
}

/// `drop_next` on every simulator: the server handles the request, the connection closes before
/// the answer. A GET is re-sent by the client and succeeds; the caller never sees the drop.
#[tokio::test]
async fn every_simulator_drops_connections_on_request_and_gets_are_retried() {
    let sim = eduframe_client::mock::Simulator::builder().start().await;
    let c = eduframe(&sim);
    sim.drop_next(1);
    let before = sim.api_requests();
    c.leads().get(1).await.unwrap();
    assert_eq!(
        sim.api_requests() - before,
        2,
        "the dropped GET was handled, then re-sent"
    );

    // Each client first fetches its token (a token request is not what is dropped here), then
    // the API request is dropped once and arrives twice: handled, then re-sent.
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let c = datahub(&sim);
    c.districts().list().first_page().await.unwrap();
    let before = sim.api_requests();
    sim.drop_next(1);
    c.districts().list().first_page().await.unwrap();
    assert_eq!(
        sim.api_requests() - before,
        2,
        "datahub: dropped, then re-sent"
    );

    let sim = edfi_admin_client::mock::Simulator::builder().start().await;
    let c = sim.client();
    c.tenants().list().await.unwrap();
    let before = sim.api_requests();
    sim.drop_next(1);
    c.tenants().list().await.unwrap();
    assert_eq!(
        sim.api_requests() - before,
        2,
        "edfi-admin: dropped, then re-sent"
    );

    let sim = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    let c = eduv(&sim);
    c.transport().get("organisations").send().await.unwrap();
    let before = sim.api_requests();
    sim.drop_next(1);
    c.transport().get("organisations").send().await.unwrap();
    assert_eq!(
        sim.api_requests() - before,
        2,
        "eduv: dropped, then re-sent"
    );

    let sim = onderwijsregio_client::mock::Simulator::builder()
        .start()
        .await;
    let c = onderwijsregio(&sim);
    let before = sim.api_requests();
    sim.drop_next(1);
    c.transport().get("candidates").send().await.unwrap();
    assert_eq!(
        sim.api_requests() - before,
        2,
        "onderwijsregio: dropped, then re-sent"
    );
}

/// A write whose answer is lost: the server accepted it. A POST without an idempotency key is
/// not re-sent (that could create the record twice); the error says the connection dropped and
/// that the write may have taken effect.
#[tokio::test]
async fn a_dropped_post_is_not_re_sent_and_says_so() {
    let sim = eduframe_client::mock::Simulator::builder()
        .records(2)
        .start()
        .await;
    let c = eduframe(&sim);
    sim.drop_next(1);
    let err = c.tasks().create().name("Once").await.unwrap_err();
    assert!(
        matches!(err, edu_common::Error::Interrupted { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("may have acted on the request"),
        "{err}"
    );
    use futures::TryStreamExt;
    let tasks: Vec<_> = c.tasks().list().stream().try_collect().await.unwrap();
    assert_eq!(
        tasks.len(),
        3,
        "the server created the task once, and only once"
    );
}
