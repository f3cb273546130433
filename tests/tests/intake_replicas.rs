//! Nothing lost after a 2xx, end to end: the Eduframe simulator delivers 1,000 signed events
//! (with its retries) through a load balancer to two intake replicas storing on one Redis
//! stream; one replica is stopped mid-way, as a crash would (its connections cut); two
//! consumers read, one of them dropped without acknowledging what it took. In the end every
//! event was processed at least once and none was lost; the only duplicates are deliveries the
//! dropped consumer took and did not acknowledge, each processed again under the same delivery
//! id. Needs Redis (`EDU_TEST_REDIS_URL`; `.ci/run` starts one).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use edu_common::shared::RedisStore;
use edu_common::webhook::intake::{Consumer, Intake, RedisStreamStore, StoreSettings};
use eduframe_client::mock::Simulator;
use eduframe_client::webhooks::{Notification, Verifier};
use futures::TryStreamExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const SECRET: &str = "whsec_replicas";
const EVENTS: usize = 1_000;

/// A TCP load balancer over backends that can be stopped: a connection goes to the next live
/// backend in turn (to the one after when connecting fails, as a load balancer's health check
/// would); stopping a backend cuts its connections and stops its server.
#[derive(Clone, Default)]
struct Balancer {
    backends: Arc<Mutex<Vec<Backend>>>,
    turn: Arc<AtomicUsize>,
}

struct Backend {
    addr: String,
    live: bool,
    server: Option<JoinHandle<()>>,
    connections: Vec<JoinHandle<()>>,
}

impl Balancer {
    async fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let this = self.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let this = this.clone();
                tokio::spawn(async move {
                    let n = this.backends.lock().unwrap().len();
                    for _ in 0..n {
                        let i = this.turn.fetch_add(1, Ordering::Relaxed) % n;
                        let addr = {
                            let b = &this.backends.lock().unwrap()[i];
                            if !b.live {
                                continue;
                            }
                            b.addr.clone()
                        };
                        let Ok(mut server) = TcpStream::connect(&addr).await else {
                            continue;
                        };
                        let copy = tokio::spawn(async move {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        });
                        let mut backends = this.backends.lock().unwrap();
                        if backends[i].live {
                            backends[i].connections.push(copy);
                        } else {
                            copy.abort();
                        }
                        return;
                    }
                });
            }
        });
        url
    }

    fn add(&self, addr: String, server: JoinHandle<()>) {
        self.backends.lock().unwrap().push(Backend {
            addr,
            live: true,
            server: Some(server),
            connections: Vec::new(),
        });
    }

    /// Stops backend `i` as a crash would: its server and every connection to it. Returns once
    /// the server's task has ended (its listener closed).
    async fn stop(&self, i: usize) {
        let server = {
            let mut backends = self.backends.lock().unwrap();
            let b = &mut backends[i];
            b.live = false;
            for c in b.connections.drain(..) {
                c.abort();
            }
            b.server.take()
        };
        if let Some(server) = server {
            server.abort();
            let _ = server.await;
        }
    }
}

fn redis_url(test: &str) -> String {
    edu_examples::redis_server::test_redis_url(test)
}

/// One replica's view of the shared store (its own connection, as another process has).
fn store(url: &str, prefix: &str) -> Arc<RedisStreamStore> {
    let redis = RedisStore::new(url)
        .unwrap()
        .prefix(prefix.to_owned())
        .timeout(Duration::from_secs(2));
    Arc::new(
        RedisStreamStore::new(redis, "webhooks").settings(StoreSettings {
            visibility_timeout: Duration::from_millis(500),
            ..StoreSettings::default()
        }),
    )
}

/// What the consumers did: (record id, delivery id, consumer).
type Processed = Arc<Mutex<Vec<(i64, String, &'static str)>>>;

fn record_id(n: &Notification) -> i64 {
    n.event_data["id"].as_i64().expect("an account's id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(edu_test_redis),
    ignore = "needs Redis: set EDU_TEST_REDIS_URL (README, 'Running several replicas')"
)]
async fn a_thousand_events_two_replicas_one_stopped_two_consumers_one_dropped_none_lost() {
    let test = "a_thousand_events_two_replicas_one_stopped_two_consumers_one_dropped_none_lost";
    let url = redis_url(test);
    let prefix = format!("edu-test:{test}:{}", std::process::id());
    let sim = Simulator::builder()
        .records(1)
        .no_rate_limit()
        .webhook_secret(SECRET)
        .webhook_retries(30, Duration::from_millis(100))
        .start()
        .await;

    // Two receiver replicas behind a load balancer, each counting the deliveries it answered.
    let balancer = Balancer::default();
    let mut answered = Vec::new();
    let mut addrs = Vec::new();
    for _ in 0..2 {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        answered.push(rx);
        let app = Intake::new(store(&url, &prefix))
            .route("/hooks/eduframe", Verifier::new(SECRET))
            .max_concurrent(4096)
            .observe(tx)
            .router();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        addrs.push(addr.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        balancer.add(addr, server);
    }
    let front = balancer.start().await;
    // Without the client-side limit (Eduframe's 500 per 5 minutes): the simulator has none.
    let c = eduframe_client::Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .no_rate_limit()
        .build()
        .unwrap();
    let hook = c
        .webhooks()
        .create()
        .url(format!("{front}/hooks/eduframe"))
        .events([eduframe_client::types::WebhookEvent::AccountCreated])
        .active(true)
        .await
        .unwrap();

    // Consumer 1 acknowledges its first 25, then takes 10 more, processes them, and is dropped
    // without acknowledging them. Consumer 2 acknowledges everything it gets.
    let processed: Processed = Arc::default();
    let unacked: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let first = {
        let (processed, unacked) = (processed.clone(), unacked.clone());
        let mut consumer = Consumer::new(store(&url, &prefix), "consumer-1").batch(4);
        tokio::spawn(async move {
            for i in 0..35 {
                let d = consumer.next().await.unwrap();
                let n: Notification = d.parse().unwrap();
                processed
                    .lock()
                    .unwrap()
                    .push((record_id(&n), d.id().to_owned(), "consumer-1"));
                if i < 25 {
                    d.ack().await.unwrap();
                } else {
                    unacked.lock().unwrap().insert(d.id().to_owned());
                    drop(d);
                }
            }
            // Dropped here, with what it took and did not acknowledge.
        })
    };

    // The events: 1,000 accounts created through the API; replica 0 is stopped a third of the
    // way through.
    let mut created = BTreeSet::new();
    for i in 0..EVENTS {
        if i == EVENTS / 3 {
            balancer.stop(0).await;
            // What replica 0 answered before it stopped.
            let mut before = 0;
            while answered[0].try_recv().is_ok() {
                before += 1;
            }
            assert!(before > 0, "replica 0 took deliveries before it stopped");
            assert!(
                TcpStream::connect(&addrs[0]).await.is_err(),
                "replica 0 no longer takes connections"
            );
        }
        let account = c.accounts().create().name(format!("School {i}")).await;
        created.insert(account.unwrap().id);
    }
    first.await.unwrap();

    // Every delivery settled at the sender (succeeded, or failed after all its retries).
    let settled = loop {
        let all: Vec<serde_json::Value> = c
            .webhook_notifications()
            .list(hook.id.clone())
            .stream()
            .map_ok(|n| serde_json::to_value(n).unwrap())
            .try_collect()
            .await
            .unwrap();
        if all.len() == EVENTS
            && all
                .iter()
                .all(|n| n["status"] == "succeeded" || n["status"] == "failed")
        {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let failed = settled.iter().filter(|n| n["status"] == "failed").count();
    assert_eq!(failed, 0, "the sender gave up on {failed} deliveries");
    // After the stop, replica 1 took the deliveries. (Replica 0 may still report requests that
    // were in flight when its connections were cut: their senders never heard, and retried.)
    let mut after = 0;
    while answered[1].try_recv().is_ok() {
        after += 1;
    }
    assert!(after > 0, "replica 1 took the deliveries");

    // Consumer 2 drains the stream: new deliveries, and consumer 1's after their visibility
    // timeout. The stream is empty once every delivery is acknowledged.
    let second = store(&url, &prefix);
    let raw = redis::Client::open(url.as_str()).unwrap();
    let mut con = raw.get_multiplexed_async_connection().await.unwrap();
    let stream_key = format!("{prefix}:intake:webhooks:stream");
    let mut consumer = Consumer::new(second, "consumer-2");
    loop {
        let left: usize = redis::cmd("XLEN")
            .arg(&stream_key)
            .query_async(&mut con)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        let d = consumer.next().await.unwrap();
        let n: Notification = d.parse().unwrap();
        processed
            .lock()
            .unwrap()
            .push((record_id(&n), d.id().to_owned(), "consumer-2"));
        d.ack().await.unwrap();
    }

    let processed = processed.lock().unwrap().clone();
    let mut by_record: BTreeMap<i64, Vec<(String, &str)>> = BTreeMap::new();
    for (record, id, who) in &processed {
        by_record
            .entry(*record)
            .or_default()
            .push((id.clone(), who));
    }
    let seen: BTreeSet<i64> = by_record.keys().copied().collect();
    assert_eq!(
        seen, created,
        "every event processed at least once, none lost"
    );
    let unacked = unacked.lock().unwrap().clone();
    assert_eq!(unacked.len(), 10);
    for (record, times) in &by_record {
        if times.len() > 1 {
            let ids: BTreeSet<&String> = times.iter().map(|(id, _)| id).collect();
            assert_eq!(
                ids.len(),
                1,
                "record {record}: one delivery id, however often"
            );
            assert!(
                unacked.contains(times[0].0.as_str()) && times.len() == 2,
                "record {record} processed {} times, not one the dropped consumer left: {times:?}",
                times.len()
            );
        }
    }
    let duplicates = by_record.values().filter(|t| t.len() > 1).count();
    assert_eq!(
        duplicates, 10,
        "each of the dropped consumer's unacknowledged ones, again"
    );
}
