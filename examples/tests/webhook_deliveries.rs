//! The Eduframe simulator delivers signed webhooks, and the receiver (the SDK's intake on axum)
//! verifies, stores and hands every one to its consumer: records changed through the client, a
//! secret rotation in the middle (nothing is lost), and then a tampered body and a stale
//! timestamp, each refused with its reason, and a replay and a retry signed anew, stored once.
//! The notification records say what was delivered.

use std::time::Duration;

use edu_common::webhook::intake::{Delivery, Outcome};
use edu_examples::receiver::{self, Parsed, Verifiers};
use eduframe_client::mock::Simulator;
use eduframe_client::types;
use eduframe_client::webhooks::{Signer, Verifier};
use secrecy::ExposeSecret;

/// The next stored delivery, within 10 s.
async fn next(consumer: &mut edu_common::webhook::intake::Consumer) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .expect("a delivery within 10 s")
        .expect("the store answers")
}

/// The next request's outcome, within 10 s.
async fn outcome(outcomes: &mut tokio::sync::mpsc::UnboundedReceiver<Outcome>) -> Outcome {
    tokio::time::timeout(Duration::from_secs(10), outcomes.recv())
        .await
        .expect("an outcome within 10 s")
        .expect("the receiver runs")
}

async fn post(url: &str, headers: reqwest::header::HeaderMap, body: Vec<u8>) -> u16 {
    reqwest::Client::new()
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receiver_verifies_and_parses_every_delivery_across_a_rotation() {
    edu_common::install_crypto_provider();
    let sim = Simulator::builder()
        .records(3)
        .webhook_retries(3, Duration::from_millis(50))
        .start()
        .await;
    let c = sim.client();
    use types::WebhookEvent as E;
    let events = [
        E::AccountCreated,
        E::AccountUpdated,
        E::LeadDeleted,
        E::OrderApproved,
        E::EnrollmentUpdated,
    ];
    let hook = c
        .webhooks()
        .create()
        .url("https://placeholder.example/hooks/eduframe")
        .events(events.clone())
        .active(true)
        .await
        .unwrap();
    let id = hook.id.clone();
    let secrets = sim
        .webhook_secrets(&id)
        .expect("a registered webhook has a secret");
    // The receiver knows the secret it was given; it is not told about the rotation below.
    let verifier = Verifier::new(secrets.primary.expose_secret().to_owned());
    let mut rx = receiver::start(
        "127.0.0.1:0",
        Verifiers {
            eduframe: Some(verifier),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let url = format!("{}/hooks/eduframe", rx.url);
    c.webhooks().update(id.clone()).url(&url).await.unwrap();

    // Changes through the client, with a rotation in the middle.
    let account = c.accounts().create().name("Vakschool").await.unwrap();
    c.accounts()
        .update(account.id)
        .name("Vakschool Oost")
        .await
        .unwrap();
    c.orders().approve(1).await.unwrap();
    let rotated = sim.rotate_webhook_secrets(&id).unwrap();
    assert_eq!(
        rotated
            .secondary
            .as_ref()
            .map(|s| s.expose_secret().to_owned()),
        Some(secrets.primary.expose_secret().to_owned()),
        "the primary became the secondary"
    );
    c.enrollments().cancel(1).await.unwrap();
    c.leads().delete(1).await.unwrap();

    let mut got = Vec::new();
    for _ in 0..5 {
        let delivery = next(&mut rx.deliveries).await;
        match receiver::parse(&delivery).unwrap() {
            Parsed::Eduframe(n) => {
                assert_eq!(n.educator, "simulated");
                assert!(
                    n.event_data.get("id").is_some(),
                    "the record is in event_data"
                );
                got.push(n.event.to_string());
            }
            other => panic!("not an Eduframe delivery: {other:?}"),
        }
        delivery.ack().await.unwrap();
        assert_eq!(outcome(&mut rx.outcomes).await.status, 204, "stored");
    }
    got.sort();
    let mut want: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    want.sort();
    assert_eq!(got, want, "every change delivered once");

    // The notification records: five, all succeeded at the first attempt.
    // The receiver has each delivery before the simulator has read the answer and recorded it:
    // wait (10 s at most) until no notification is pending.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let notifications = loop {
        let all = c.webhook_notifications().list(id.clone()).await.unwrap();
        let pending = all
            .iter()
            .any(|n| serde_json::to_value(n).unwrap()["status"] == "pending");
        if !pending || tokio::time::Instant::now() > deadline {
            break all;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(notifications.len(), 5);
    for n in &notifications {
        let n = serde_json::to_value(n).unwrap();
        assert_eq!(n["status"], "succeeded", "{n}");
        assert_eq!(n["send_attempts"].as_array().map(Vec::len), Some(1), "{n}");
    }

    // Now as an attacker would: a tampered body, a stale timestamp, and a replay.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signer = Signer::new(rotated.primary.expose_secret().to_owned())
        .secondary(secrets.primary.expose_secret().to_owned());
    let payload = br#"{"tenant_id":"5e7a11c0-0000-4000-8000-000000000001","educator":"simulated","event":"lead.created","event_data":{"id":99}}"#.to_vec();
    let headers = signer.sign(&payload, now);
    let mut tampered = payload.clone();
    tampered[payload.len() - 3] = b'8';
    assert_eq!(post(&url, headers.clone(), tampered).await, 401);
    let refused = outcome(&mut rx.outcomes).await;
    assert!(refused.reason.unwrap().contains("no signature matched"));
    assert_eq!(
        post(&url, signer.sign(&payload, now - 3600), payload.clone()).await,
        401
    );
    let refused = outcome(&mut rx.outcomes).await;
    assert!(refused.reason.unwrap().contains("timestamp"));
    assert_eq!(post(&url, headers.clone(), payload.clone()).await, 204);
    let stored = outcome(&mut rx.outcomes).await;
    assert_eq!(stored.status, 204);
    // The same request again (a replay), and the sender's retry signed anew: stored once.
    assert_eq!(post(&url, headers, payload.clone()).await, 200);
    assert_eq!(
        post(&url, signer.sign(&payload, now + 1), payload.clone()).await,
        200
    );
    for _ in 0..2 {
        let again = outcome(&mut rx.outcomes).await;
        assert_eq!((again.status, &again.id), (200, &stored.id));
    }
    next(&mut rx.deliveries).await.ack().await.unwrap();
    assert!(rx.outcomes.try_recv().is_err(), "nothing else arrived");
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_retries_then_a_failed_notification() {
    edu_common::install_crypto_provider();
    let sim = Simulator::builder()
        .records(3)
        .webhook_retries(3, Duration::from_millis(20))
        .start()
        .await;
    let c = sim.client();
    // Nothing listens here.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let hook = c
        .webhooks()
        .create()
        .url(format!("http://{closed}/hooks"))
        .events([types::WebhookEvent::OrderApproved])
        .await
        .unwrap();
    c.orders().approve(2).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let failed = loop {
        let failed = c
            .webhook_notifications()
            .list_failed(hook.id.clone())
            .stream();
        let failed: Vec<_> = futures::TryStreamExt::try_collect(failed).await.unwrap();
        if !failed.is_empty() || tokio::time::Instant::now() > deadline {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(failed.len(), 1, "one failed notification");
    let all = c
        .webhook_notifications()
        .list(hook.id.clone())
        .await
        .unwrap();
    let n = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(n["status"], "failed");
    assert_eq!(
        n["send_attempts"].as_array().map(Vec::len),
        Some(3),
        "three attempts: {n}"
    );
    assert_eq!(n["data"]["event"], "order.approved");
}

#[tokio::test]
async fn a_webhook_outside_the_machine_is_not_delivered_and_says_why() {
    edu_common::install_crypto_provider();
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let hook = c
        .webhooks()
        .create()
        .url("https://example.com/hooks")
        .events([types::WebhookEvent::OrderApproved])
        .await
        .unwrap();
    c.orders().approve(1).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let n = loop {
        let all = c
            .webhook_notifications()
            .list(hook.id.clone())
            .await
            .unwrap();
        let n = serde_json::to_value(&all[0]).unwrap();
        if n["status"] != "pending" || tokio::time::Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(n["status"], "failed", "{n}");
    let attempt = &n["send_attempts"][0];
    assert_eq!(attempt["status_code"], 0);
    assert!(
        attempt["response"].as_str().unwrap().contains("loopback"),
        "{attempt}"
    );
}

#[tokio::test]
async fn a_secret_set_ahead_verifies_deliveries_to_a_receiver_started_first() {
    edu_common::install_crypto_provider();
    let sim = Simulator::builder()
        .records(3)
        .webhook_secret("known-ahead")
        .start()
        .await;
    // The receiver exists, with its secret, before the webhook is registered.
    let mut rx = receiver::start(
        "127.0.0.1:0",
        Verifiers {
            eduframe: Some(Verifier::new("known-ahead")),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let c = sim.client();
    c.webhooks()
        .create()
        .url(format!("{}/hooks/eduframe", rx.url))
        .events([types::WebhookEvent::OrderApproved])
        .await
        .unwrap();
    c.orders().approve(2).await.unwrap();
    let d = next(&mut rx.deliveries).await;
    match receiver::parse(&d).unwrap() {
        Parsed::Eduframe(n) => assert_eq!(n.event.to_string(), "order.approved"),
        other => panic!("{other:?}"),
    }
    d.ack().await.unwrap();
}
