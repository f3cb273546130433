//! Several replicas, one budget and one token, through a real Redis (issue #16).
//!
//! Each test builds separate `Client`s, as separate processes would have, sharing nothing but the
//! Redis at `EDU_TEST_REDIS_URL` (`.ci/run` starts one). Without that variable (or `CI`) at build
//! time, every test that needs Redis is listed as ignored, with the reason. The tests that
//! stop Redis mid-run start one of their own with the `redis-server` binary
//! (`EDU_TEST_REDIS_SERVER`, or the one on `PATH`); the unreachable-from-the-start test needs none.

use std::time::{Duration, Instant};

use edu_common::shared::RedisStore;
use edu_examples::redis_server::OwnRedis;
use futures::future::join_all;

fn redis_url(test: &str) -> String {
    edu_examples::redis_server::test_redis_url(test)
}

/// A store with a prefix of its own, so tests never share keys.
fn store(url: &str, test: &str) -> RedisStore {
    RedisStore::new(url).unwrap().prefix(format!(
        "edu-test:{test}:{}:{}",
        std::process::id(),
        fastrand_id()
    ))
}

fn fastrand_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// A `redis-server` of the test's own (to stop mid-run); one that cannot be started is a failure
/// that names the remedy.
fn own_redis(test: &str) -> OwnRedis {
    OwnRedis::start(None).unwrap_or_else(|e| {
        panic!("{test}: no redis-server could be started ({e}): set EDU_TEST_REDIS_SERVER")
    })
}

const LIMIT: u32 = 20;
const WINDOW: Duration = Duration::from_secs(2);

async fn shared_budget(replicas: usize, test: &str) {
    let url = redis_url(test);
    let sim = eduframe_client::mock::Simulator::builder()
        .rate_limit(LIMIT, WINDOW)
        .start()
        .await;
    let store = store(&url, test);
    let clients: Vec<eduframe_client::Client> = (0..replicas)
        .map(|_| {
            eduframe_client::Client::builder()
                .base_url(sim.base_url())
                .api_key(sim.api_key())
                .rate_limit(LIMIT, WINDOW)
                .shared_state(store.clone())
                .build()
                .unwrap()
        })
        .collect();
    // 2.5 windows' worth of requests, spread over the replicas, all at once.
    let per_client = (LIMIT as usize * 5 / 2).div_ceil(replicas);
    let started = Instant::now();
    let results = join_all(clients.iter().flat_map(|c| {
        (0..per_client).map(move |_| async move { c.transport().get("courses").send().await })
    }))
    .await;
    let failed: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let (requests, throttled) = (sim.api_requests(), sim.throttled());
    assert_eq!(
        throttled, 0,
        "{requests} requests, {throttled} answered 429"
    );
    // The budget was shared, not multiplied: 50 requests at 20 per 2 s take two windows.
    assert!(started.elapsed() >= WINDOW * 2, "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn two_replicas_share_one_budget_without_a_429() {
    shared_budget(2, "two_replicas_share_one_budget_without_a_429").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn four_replicas_share_one_budget_without_a_429() {
    shared_budget(4, "four_replicas_share_one_budget_without_a_429").await;
}

fn datahub(sim: &datahub_client::mock::Simulator, store: &RedisStore) -> datahub_client::Client {
    datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .token_timeout(Duration::from_secs(1))
        .shared_state(store.clone())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn one_token_request_per_expiry_across_replicas() {
    let test = "one_token_request_per_expiry_across_replicas";
    let url = redis_url(test);
    let sim = datahub_client::mock::Simulator::builder()
        .token_lifetime(Duration::from_secs(4))
        .start()
        .await;
    let store = store(&url, test);
    let clients: Vec<_> = (0..4).map(|_| datahub(&sim, &store)).collect();
    let round = || {
        join_all(clients.iter().flat_map(|c| {
            (0..3).map(move |_| async move { c.districts().list().first_page().await })
        }))
    };
    for r in round().await {
        r.unwrap();
    }
    assert_eq!(sim.tokens_issued(), 1, "four replicas, one token");
    // Past the token's shared life (4 s less its 1 s margin): one more, again for all four.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    for r in round().await {
        r.unwrap();
    }
    assert_eq!(sim.tokens_issued(), 2, "one token request per expiry");
}

/// Every key under `prefix` with what a reader of Redis sees in it (strings and sorted sets).
async fn everything_under(url: &str, prefix: &str) -> Vec<(String, String)> {
    let client = redis::Client::open(url).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*"))
        .query_async(&mut con)
        .await
        .unwrap();
    let mut out = Vec::new();
    for key in keys {
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        let shown = match kind.as_str() {
            "string" => redis::cmd("GET")
                .arg(&key)
                .query_async(&mut con)
                .await
                .unwrap(),
            "zset" => {
                let members: Vec<String> = redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut con)
                    .await
                    .unwrap();
                members.join(",")
            }
            other => format!("<{other}>"),
        };
        out.push((key, shown));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn a_shared_token_is_sealed_and_a_replica_with_another_secret_cannot_use_it() {
    let test = "a_shared_token_is_sealed_and_a_replica_with_another_secret_cannot_use_it";
    let url = redis_url(test);
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let prefix = format!("edu-test:{test}:{}", fastrand_id());
    let store = RedisStore::new(&url).unwrap().prefix(prefix.clone());
    let a = datahub(&sim, &store);
    a.districts().list().first_page().await.unwrap();
    assert_eq!(sim.tokens_issued(), 1);
    let token = sim
        .requests()
        .iter()
        .find_map(|r| {
            let h = r.request.headers.get("authorization")?.to_str().ok()?;
            h.strip_prefix("Bearer ").map(str::to_owned)
        })
        .expect("the API call carried the token");
    let stored = everything_under(&url, &prefix).await;
    let (token_key, sealed) = stored
        .iter()
        .find(|(k, _)| k.ends_with(":token"))
        .cloned()
        .unwrap_or_else(|| panic!("no shared token in {stored:?}"));
    for (key, value) in &stored {
        assert!(
            !value.contains(&token),
            "{key} holds the token in the clear"
        );
    }
    // A replica with another secret (a reader of Redis who guessed the client id) is given
    // the sealed token under its own key: it cannot open it, so it asks for its own, which
    // the token endpoint refuses; the API never sees a call from it.
    let b = datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), "not-the-secret")
        // A budget, so that it leaves a key (its namespace) in Redis.
        .rate_limit(1000, Duration::from_secs(2))
        .shared_state(store.clone())
        .build()
        .unwrap();
    assert!(b.districts().list().first_page().await.is_err());
    let api_calls = sim.api_requests();
    let ns_a = token_key.trim_end_matches(":token");
    let ns_b = everything_under(&url, &prefix)
        .await
        .into_iter()
        .map(|(k, _)| k.rsplit_once(':').unwrap().0.to_owned())
        .find(|ns| ns != ns_a)
        .expect("the other replica has a namespace of its own");
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("SET")
        .arg(format!("{ns_b}:token"))
        .arg(&sealed)
        .arg("PX")
        .arg(60_000)
        .query_async(&mut con)
        .await
        .unwrap();
    let err = b.districts().list().first_page().await.unwrap_err();
    assert_eq!(
        sim.api_requests(),
        api_calls,
        "{err}: the sealed token was used"
    );
    // The replica with the secret still opens it: no second token.
    datahub(&sim, &store)
        .districts()
        .list()
        .first_page()
        .await
        .unwrap();
    assert_eq!(sim.tokens_issued(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn a_lock_holder_that_dies_does_not_stall_the_others_beyond_the_lock_ttl() {
    let test = "a_lock_holder_that_dies_does_not_stall_the_others_beyond_the_lock_ttl";
    let url = redis_url(test);
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    // The first token request hangs (its replica dies while holding the lock); later ones answer.
    Mock::given(path("/datahub/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 600}))
                .set_delay(Duration::from_secs(30)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/datahub/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 600})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/datahub/services/v1/districts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": []})))
        .mount(&server)
        .await;
    let prefix = format!("edu-test:{test}:{}:{}", std::process::id(), fastrand_id());
    let store = RedisStore::new(&url).unwrap().prefix(prefix.clone());
    let replica = || {
        datahub_client::Client::builder()
            .base_url(server.uri())
            .client_credentials("id", "secret")
            .token_timeout(Duration::from_secs(1))
            .shared_state(store.clone())
            .build()
            .unwrap()
    };
    let doomed = replica();
    let dying = tokio::spawn(async move { doomed.districts().list().first_page().await });
    // Once its token request has arrived, the doomed replica holds the lock.
    tokio::time::timeout(Duration::from_secs(10), async {
        while server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the doomed replica asked for a token");
    dying.abort(); // the replica is gone; its lock stays until its TTL (1 s)
    // What bounds the others' wait is the lock's expiry in Redis, not the dead holder.
    let locks = lock_ttls(&url, &prefix).await;
    assert_eq!(locks.len(), 1, "one refresh lock: {locks:?}");
    assert!(
        locks[0] > 0 && locks[0] <= 1000,
        "the lock expires within the 1 s token timeout: {locks:?} ms"
    );
    replica().districts().list().first_page().await.unwrap();
    let token_requests = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/datahub/oauth/token")
        .count();
    assert_eq!(
        token_requests, 2,
        "the live replica fetched its own token once the dead one's lock expired"
    );
}

/// The remaining lifetimes (ms) of the refresh locks under `prefix`.
async fn lock_ttls(url: &str, prefix: &str) -> Vec<i64> {
    let client = redis::Client::open(url).unwrap();
    let mut con = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:*:lock"))
        .query_async(&mut con)
        .await
        .unwrap();
    let mut ttls = Vec::new();
    for key in keys {
        ttls.push(
            redis::cmd("PTTL")
                .arg(&key)
                .query_async(&mut con)
                .await
                .unwrap(),
        );
    }
    ttls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn redis_stopped_and_restarted_mid_run_fails_no_call() {
    let test = "redis_stopped_and_restarted_mid_run_fails_no_call";
    let mut redis = own_redis(test);
    let port = redis.port;
    let sim = eduframe_client::mock::Simulator::builder()
        .rate_limit(1000, Duration::from_secs(2))
        .start()
        .await;
    let store = store(&redis.url(), test);
    let client = eduframe_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .rate_limit(1000, Duration::from_secs(2))
        .shared_state(store.clone())
        .build()
        .unwrap();
    let calls = |n: usize| {
        let client = client.clone();
        async move {
            for _ in 0..n {
                client.transport().get("courses").send().await.unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    calls(20).await;
    assert!(!store.is_degraded());
    redis.stop();
    // The first call after the stop waits for the short Redis timeout once and falls back; the
    // calls after it do not wait for Redis at all (the store is degraded from then on).
    calls(1).await;
    assert!(store.is_degraded(), "one call was enough to fall back");
    calls(19).await; // served by the in-process limiter
    let _restarted = OwnRedis::start(Some(port)).expect("redis-server restarts");
    // Back on Redis within a few back-off periods, without a failed call on the way: at least
    // 4 s of calls, and rounds until the store is back (each round a back-off period's worth).
    let back = Instant::now();
    let mut rounds = 0;
    while store.is_degraded() || back.elapsed() < Duration::from_secs(4) {
        rounds += 1;
        assert!(
            rounds <= 100,
            "still not back on Redis after {rounds} rounds"
        );
        calls(5).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    calls(20).await;
    assert!(!store.is_degraded(), "back on Redis once it returned");
}

/// A datahub replica with a client-side budget, sharing its token and budget through `store`.
fn paced_datahub(
    sim: &datahub_client::mock::Simulator,
    store: &RedisStore,
) -> datahub_client::Client {
    datahub_client::Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .rate_limit(1000, Duration::from_secs(2))
        .shared_state(store.clone())
        .build()
        .unwrap()
}

/// Three calls on each replica, all of which must succeed.
async fn three_calls_each(clients: &[datahub_client::Client]) {
    let calls = clients
        .iter()
        .flat_map(|c| (0..3).map(move |_| async move { c.districts().list().first_page().await }));
    for r in join_all(calls).await {
        r.expect("no call fails while Redis is away");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_unreachable_from_the_start_leaves_each_replica_its_own_token_and_budget() {
    let store = unreachable_store();
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let clients: Vec<_> = (0..2).map(|_| paced_datahub(&sim, &store)).collect();
    three_calls_each(&clients).await;
    assert!(store.is_degraded(), "the store knows Redis is away");
    // Each replica fetched its own token once (its in-process cache), and kept it.
    assert_eq!(
        sim.tokens_issued(),
        2,
        "one token per replica, not per call"
    );
    three_calls_each(&clients).await;
    assert_eq!(
        sim.tokens_issued(),
        2,
        "the in-process cache serves later calls"
    );
    assert_eq!(sim.api_requests(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn redis_killed_mid_run_each_replica_refreshes_its_own_token_and_no_call_fails() {
    let test = "redis_killed_mid_run_each_replica_refreshes_its_own_token_and_no_call_fails";
    let mut redis = own_redis(test);
    let sim = datahub_client::mock::Simulator::builder()
        .token_lifetime(Duration::from_secs(2))
        .start()
        .await;
    let store = store(&redis.url(), test);
    let clients: Vec<_> = (0..2).map(|_| paced_datahub(&sim, &store)).collect();
    three_calls_each(&clients).await;
    assert_eq!(
        sim.tokens_issued(),
        1,
        "while Redis is up the replicas share one token"
    );
    assert!(!store.is_degraded());
    redis.stop();
    // Past the shared token's life (2 s): each replica now refreshes on its own.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    three_calls_each(&clients).await;
    assert!(store.is_degraded(), "the store noticed Redis went away");
    assert_eq!(
        sim.tokens_issued(),
        3,
        "with Redis gone, one fresh token per replica (not one per call)"
    );
}

/// A store whose Redis is away: nothing listens on its port (bound, then let go), so it is
/// degraded from its first call.
fn unreachable_store() -> RedisStore {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    RedisStore::new(&format!("redis://127.0.0.1:{closed}/")).unwrap()
}

/// One replica's Eduframe webhook verifier, its replay guard shared through `store`.
fn webhook_replica(store: &RedisStore) -> eduframe_client::webhooks::Verifier {
    use eduframe_client::webhooks::{SharedReplayGuard, Verifier};
    Verifier::new("primary".to_owned()).replay_guard(std::sync::Arc::new(SharedReplayGuard::new(
        store.clone(),
        "eduframe-webhooks",
    )))
}

/// The body of the deliveries [`delivery`] signs.
const DELIVERY: &[u8] =
    br#"{"tenant_id":"t","educator":"e","event":"lead.created","event_data":{"id":1}}"#;

/// The signature headers of a delivery of [`DELIVERY`] signed `age` seconds ago (another age is
/// another delivery).
fn delivery(age: u64) -> edu_common::reqwest::header::HeaderMap {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    eduframe_client::webhooks::Signer::new("primary".to_owned()).sign(DELIVERY, now - age)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn a_webhook_one_replica_accepted_is_refused_by_another() {
    use eduframe_client::webhooks::SignatureError;
    let test = "a_webhook_one_replica_accepted_is_refused_by_another";
    let url = redis_url(test);
    let store = store(&url, test);
    let (a, b) = (webhook_replica(&store), webhook_replica(&store));
    let (headers, body) = (delivery(0), DELIVERY);
    assert!(a.verify(&headers, body).await.is_ok());
    assert_eq!(
        b.verify(&headers, body).await.unwrap_err(),
        SignatureError::Replayed
    );
    // Another delivery is still accepted by the other replica.
    let other = delivery(1);
    assert!(b.verify(&other, body).await.is_ok());
    assert!(!store.is_degraded());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn a_rotation_delivery_resent_to_another_replica_with_one_signature_is_refused() {
    use eduframe_client::webhooks::{
        SIGNATURE_HEADER, SharedReplayGuard, SignatureError, Signer, Verifier,
    };
    let test = "a_rotation_delivery_resent_to_another_replica_with_one_signature_is_refused";
    let url = redis_url(test);
    let store = store(&url, test);
    let replica = || {
        Verifier::new("new".to_owned())
            .secondary("old".to_owned())
            .replay_guard(std::sync::Arc::new(SharedReplayGuard::new(
                store.clone(),
                "eduframe-webhooks",
            )))
    };
    let (a, b) = (replica(), replica());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let full = Signer::new("new".to_owned())
        .secondary("old".to_owned())
        .header_value(DELIVERY, now);
    let sigs: Vec<&str> = full
        .split(", ")
        .filter_map(|p| p.strip_prefix("signature="))
        .collect();
    let header = |sigs: &[&str]| {
        let mut value = format!("t={now}");
        for s in sigs {
            value.push_str(&format!(", signature={s}"));
        }
        let mut h = edu_common::reqwest::header::HeaderMap::new();
        h.insert(SIGNATURE_HEADER, value.parse().unwrap());
        h
    };
    assert!(a.verify(&header(&sigs), DELIVERY).await.is_ok());
    for resent in [vec![sigs[0]], vec![sigs[1]], vec![sigs[1], sigs[0]]] {
        for replica in [&a, &b] {
            assert_eq!(
                replica
                    .verify(&header(&resent), DELIVERY)
                    .await
                    .unwrap_err(),
                SignatureError::Replayed,
                "{resent:?}"
            );
        }
    }
    assert!(!store.is_degraded());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_away_each_replicas_replay_guard_falls_back_to_its_own_memory() {
    use eduframe_client::webhooks::SignatureError;
    let store = unreachable_store();
    let (a, b) = (webhook_replica(&store), webhook_replica(&store));
    let (headers, body) = (delivery(0), DELIVERY);
    assert!(a.verify(&headers, body).await.is_ok(), "accepted once");
    assert_eq!(
        a.verify(&headers, body).await.unwrap_err(),
        SignatureError::Replayed,
        "the replica that accepted it still refuses the replay"
    );
    // What the guard documents: without Redis, another replica cannot know.
    assert!(b.verify(&headers, body).await.is_ok());
    assert!(store.is_degraded(), "the store knows Redis is away");
}

/// `edu_client_shared_budget_admissions_total{api,outcome}` after `calls` datahub calls through
/// `store` (with a budget of `budget` per second), on a recorder of the test's own.
fn admissions(store: RedisStore, budget: u32, calls: usize) -> Vec<(String, u64)> {
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        rt.block_on(async {
            let sim = datahub_client::mock::Simulator::builder().start().await;
            let client = datahub_client::Client::builder()
                .base_url(sim.base_url())
                .client_credentials(sim.client_id(), sim.client_secret())
                .rate_limit(budget, Duration::from_secs(1))
                .shared_state(store)
                .build()
                .unwrap();
            for _ in 0..calls {
                client.districts().list().first_page().await.unwrap();
            }
        })
    });
    let mut out: Vec<(String, u64)> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .filter(|(k, ..)| k.key().name() == "edu_client_shared_budget_admissions_total")
        .filter_map(|(k, _, _, v)| {
            let outcome = k
                .key()
                .labels()
                .find(|l| l.key() == "outcome")?
                .value()
                .to_owned();
            match v {
                DebugValue::Counter(n) => Some((outcome, n)),
                _ => None,
            }
        })
        .collect();
    out.sort();
    out
}

#[test]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
fn the_shared_budgets_admissions_are_counted_with_redis_and_without() {
    // Redis away: each call is paced by the local limit, and counted as such.
    let away = unreachable_store();
    assert_eq!(
        admissions(away, 100, 3),
        vec![("unavailable".to_owned(), 3)]
    );
    let test = "the_shared_budgets_admissions_are_counted_with_redis_and_without";
    let url = redis_url(test);
    // A budget of 2 per second: the first two go at once, the third waits for the window.
    let counted = admissions(store(&url, test), 2, 3);
    assert_eq!(
        counted,
        vec![("immediate".to_owned(), 2), ("waited".to_owned(), 1)],
        "token requests are not budgeted API calls"
    );
}
