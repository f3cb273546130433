//! The webhook intake (`edu_common::webhook::intake`): nothing lost after a 2xx.
//!
//! - In memory: a delivery is answered 2xx only once stored, a sender's retry and a replay are
//!   stored once, a refused signature is 401, a full store 503 with `Retry-After`; a delivery a
//!   consumer did not acknowledge comes back, then goes to the dead letters, and is redriven.
//! - On Redis (`EDU_TEST_REDIS_URL`; `.ci/run` starts one): the same on a Redis stream; 1,000
//!   events from the Eduframe simulator through two receiver replicas behind a load balancer,
//!   one of them stopped mid-way, and two consumers, one dropped without acknowledging: every
//!   event processed, none lost, duplicates only the dropped consumer's, each with its id; and
//!   Redis away means 503, with the sender's retry stored once Redis is back.

use std::sync::Arc;
use std::time::Duration;

use edu_common::reqwest;
use edu_common::shared::RedisStore;
use edu_common::webhook::intake::{
    Consumer, Intake, MemoryStore, RedisStreamStore, Store, StoreSettings,
};
use edu_examples::redis_server::OwnRedis;
use eduframe_client::webhooks::{Signer, Verifier};

const SECRET: &str = "whsec_intake_test";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Serves `app` on a free loopback port; returns its base URL and the server's task.
async fn serve(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

fn intake(store: Arc<dyn Store>) -> axum::Router {
    Intake::new(store)
        .route("/hooks/eduframe", Verifier::new(SECRET))
        .route(
            "/hooks/onderwijsregio",
            onderwijsregio_client::callbacks::Verifier::new(SECRET),
        )
        .max_concurrent(4096)
        .router()
}

fn event(id: u64) -> Vec<u8> {
    format!(
        r#"{{"tenant_id":"t","educator":"e","event":"account.created","event_data":{{"id":{id}}}}}"#
    )
    .into_bytes()
}

async fn post(url: &str, body: Vec<u8>, timestamp: u64) -> reqwest::Response {
    edu_common::install_crypto_provider();
    reqwest::Client::new()
        .post(format!("{url}/hooks/eduframe"))
        .headers(Signer::new(SECRET).sign(&body, timestamp))
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_delivery_is_stored_once_whatever_the_sender_resends() {
    let store = Arc::new(MemoryStore::default());
    let (url, _server) = serve(intake(store.clone())).await;
    let t = now();
    let first = post(&url, event(1), t).await;
    assert_eq!(first.status(), 204);
    let id = first.headers()["x-edu-delivery-id"]
        .to_str()
        .unwrap()
        .to_owned();
    // The same request again (a replay), and the sender's retry signed anew.
    for (what, ts) in [("a replay", t), ("a retry signed anew", t + 1)] {
        let again = post(&url, event(1), ts).await;
        assert_eq!(again.status(), 200, "{what}");
        assert_eq!(again.headers()["x-edu-delivery-id"], id.as_str(), "{what}");
    }
    // A forged one is refused and not stored.
    let forged = reqwest::Client::new()
        .post(format!("{url}/hooks/eduframe"))
        .headers(Signer::new("not-the-secret").sign(&event(2), t))
        .body(event(2))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let mut consumer = Consumer::new(store.clone(), "c");
    let delivery = consumer.next().await.unwrap();
    assert_eq!((delivery.id(), delivery.api()), (id.as_str(), "eduframe"));
    let n: eduframe_client::webhooks::Notification = delivery.parse().unwrap();
    assert_eq!(n.event.to_string(), "account.created");
    delivery.ack().await.unwrap();
    assert!(
        store
            .take("c", 10, Duration::ZERO)
            .await
            .unwrap()
            .is_empty(),
        "stored once"
    );
}

#[tokio::test]
async fn a_full_store_answers_503_with_retry_after_and_stores_nothing() {
    let store = Arc::new(MemoryStore::new(StoreSettings {
        capacity: 1,
        ..StoreSettings::default()
    }));
    let (url, _server) = serve(intake(store.clone())).await;
    assert_eq!(post(&url, event(1), now()).await.status(), 204);
    let full = post(&url, event(2), now()).await;
    assert_eq!(full.status(), 503);
    assert_eq!(full.headers()["retry-after"], "5");
    assert!(full.text().await.unwrap().contains("full"));
    // Once the first is done, the sender's retry is stored.
    let mut consumer = Consumer::new(store.clone(), "c");
    consumer.next().await.unwrap().ack().await.unwrap();
    assert_eq!(post(&url, event(2), now()).await.status(), 204);
}

#[tokio::test]
async fn a_body_beyond_the_limit_is_413_and_an_unknown_route_404() {
    let store = Arc::new(MemoryStore::default());
    let app = Intake::new(store.clone())
        .route("/hooks/eduframe", Verifier::new(SECRET))
        .max_body_bytes(64)
        .router();
    let (url, _server) = serve(app).await;
    let big = vec![b'x'; 65];
    assert_eq!(post(&url, big, now()).await.status(), 413);
    let other = reqwest::Client::new()
        .post(format!("{url}/hooks/other"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

/// Stores `n` deliveries directly.
async fn put(store: &dyn Store, ids: std::ops::Range<u64>) {
    for i in ids {
        let body = event(i);
        store
            .put(&edu_common::webhook::intake::Incoming {
                id: edu_common::webhook::intake::body_delivery_id("eduframe", &body),
                api: "eduframe".into(),
                body: body.into(),
                received_at_ms: 0,
            })
            .await
            .unwrap();
    }
}

/// What a store under test must do with a delivery nobody acknowledges: hand it out again
/// after the visibility timeout, with its attempt counted, then dead-letter it; a redrive puts
/// it back.
async fn unacknowledged_then_dead_then_redriven(store: Arc<dyn Store>) {
    put(&*store, 1..2).await;
    let first = store.take("a", 10, Duration::from_secs(5)).await.unwrap();
    assert_eq!((first.len(), first[0].attempt), (1, 1));
    // Not acknowledged: after the visibility timeout another consumer gets it, attempt 2.
    let second = store.take("b", 10, Duration::from_secs(5)).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].delivery.id, first[0].delivery.id);
    assert_eq!(second[0].attempt, 2);
    // Handed out twice (the maximum): next it goes to the dead letters.
    let third = store
        .take("b", 10, Duration::from_millis(600))
        .await
        .unwrap();
    assert!(third.is_empty(), "{third:?}");
    let dead = store.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].delivery.id, first[0].delivery.id);
    assert_eq!(dead[0].delivery.body, first[0].delivery.body);
    assert!(store.redrive(&dead[0].handle).await.unwrap());
    assert!(store.dead_letters(10).await.unwrap().is_empty());
    let back = store.take("c", 10, Duration::from_secs(5)).await.unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].attempt, 1, "counted anew");
    store.ack(&back[0].handle).await.unwrap();
    assert!(
        store
            .take("c", 10, Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
}

fn short_settings() -> StoreSettings {
    StoreSettings {
        visibility_timeout: Duration::from_millis(200),
        max_attempts: 2,
        ..StoreSettings::default()
    }
}

#[tokio::test(start_paused = true)]
async fn in_memory_an_unacknowledged_delivery_returns_then_is_dead_lettered_and_redriven() {
    unacknowledged_then_dead_then_redriven(Arc::new(MemoryStore::new(short_settings()))).await;
}

fn redis_url(test: &str) -> String {
    edu_examples::redis_server::test_redis_url(test)
}

fn redis_store(url: &str, prefix: &str, settings: StoreSettings) -> Arc<RedisStreamStore> {
    let redis = RedisStore::new(url)
        .unwrap()
        .prefix(prefix.to_owned())
        .timeout(Duration::from_secs(2));
    Arc::new(RedisStreamStore::new(redis, "webhooks").settings(settings))
}

fn unique(test: &str) -> String {
    format!(
        "edu-test:{test}:{}:{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn on_redis_an_unacknowledged_delivery_returns_then_is_dead_lettered_and_redriven() {
    let test = "on_redis_an_unacknowledged_delivery_returns_then_is_dead_lettered_and_redriven";
    let url = redis_url(test);
    unacknowledged_then_dead_then_redriven(redis_store(&url, &unique(test), short_settings()))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn on_redis_a_delivery_is_stored_once_and_a_full_stream_refuses() {
    let test = "on_redis_a_delivery_is_stored_once_and_a_full_stream_refuses";
    let url = redis_url(test);
    let store = redis_store(
        &url,
        &unique(test),
        StoreSettings {
            capacity: 2,
            ..StoreSettings::default()
        },
    );
    let (base, _server) = serve(intake(store.clone())).await;
    assert_eq!(post(&base, event(1), now()).await.status(), 204);
    assert_eq!(post(&base, event(1), now() + 1).await.status(), 200);
    assert_eq!(post(&base, event(2), now()).await.status(), 204);
    let full = post(&base, event(3), now()).await;
    assert_eq!(full.status(), 503);
    assert!(full.headers().contains_key("retry-after"));
    let taken = store.take("c", 10, Duration::from_secs(5)).await.unwrap();
    assert_eq!(taken.len(), 2);
    for e in &taken {
        store.ack(&e.handle).await.unwrap();
    }
    assert_eq!(post(&base, event(3), now()).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn with_redis_away_the_intake_answers_503_and_the_retry_is_stored_once_it_is_back() {
    let test = "with_redis_away_the_intake_answers_503_and_the_retry_is_stored_once_it_is_back";
    let mut redis = OwnRedis::start(None).expect("redis-server starts");
    let port = redis.port;
    let store = redis_store(&redis.url(), &unique(test), StoreSettings::default());
    let (base, _server) = serve(intake(store.clone())).await;
    assert_eq!(post(&base, event(1), now()).await.status(), 204);
    redis.stop();
    let away = post(&base, event(2), now()).await;
    assert_eq!(away.status(), 503, "never a 2xx for what was not stored");
    assert_eq!(away.headers()["retry-after"], "5");
    let _back = OwnRedis::start(Some(port)).expect("redis-server restarts");
    // The sender retries (as it was told) until it is stored: Redis is tried again a few
    // seconds after a failure.
    let status = loop {
        let answer = post(&base, event(2), now()).await.status();
        if answer != 503 {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(status, 204);
    assert_eq!(
        post(&base, event(2), now() + 1).await.status(),
        200,
        "stored once"
    );
    // The restarted Redis has no persistence in this test: only what came after it is there.
    let taken = store.take("c", 10, Duration::from_secs(5)).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].delivery.body, event(2));
}

#[tokio::test]
async fn after_a_rotation_the_simulator_signs_with_the_new_primary() {
    use secrecy::ExposeSecret;
    let sim = eduframe_client::mock::Simulator::builder()
        .records(1)
        .no_rate_limit()
        .start()
        .await;
    let c = sim.client();
    let id = c
        .webhooks()
        .create()
        .url("http://127.0.0.1:9/placeholder")
        .events([eduframe_client::types::WebhookEvent::AccountCreated])
        .await
        .unwrap()
        .id;
    let rotated = sim.rotate_webhook_secrets(&id).unwrap();
    let new = rotated.primary.expose_secret().to_owned();
    let old = rotated.secondary.unwrap().expose_secret().to_owned();
    // Two receivers: one holding only the new secret, one only the retired one.
    let (tx, mut outcomes) = tokio::sync::mpsc::unbounded_channel();
    let app = Intake::new(Arc::new(MemoryStore::default()))
        .route("/new", Verifier::new(new))
        .route("/old", Verifier::new(old))
        .observe(tx)
        .router();
    let (base, _server) = serve(app).await;
    for route in ["/new", "/old"] {
        c.webhooks()
            .update(id.clone())
            .url(format!("{base}{route}"))
            .await
            .unwrap();
        c.accounts().create().name(route).await.unwrap();
        let outcome = outcomes.recv().await.unwrap();
        assert_eq!(
            (outcome.route.as_str(), outcome.status),
            (route, 204),
            "{:?}",
            outcome.reason
        );
    }
}
