//! Every endpoint against the simulator, local validation, batching, idempotency and callbacks.
#![cfg(feature = "mock")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use edu_common::Error;
use futures::TryStreamExt;
use onderwijsregio_client::attachments::{Attachment, NewAttachments};
use onderwijsregio_client::callbacks::Verifier;
use onderwijsregio_client::mock::Simulator;
use onderwijsregio_client::schema::Operation;
use onderwijsregio_client::{
    Candidate, CandidateUpdate, Client, Interaction, Outcome, Patch, WriteOptions,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn valid(i: usize) -> Candidate {
    Candidate {
        privacy_consent: Some(true),
        phone: Some(format!("06-1234{i:04}")),
        ..Candidate::new(
            "Kandidaat",
            format!("Nummer {i}"),
            format!("kandidaat{i}@example.nl"),
        )
    }
    .custom("regionInterest", "Rotterdam-Zuid")
}

#[tokio::test]
async fn schema_is_fetched_once_and_validation_reports_every_violation() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let schema = c.schema(Operation::Create).await.unwrap();
    let again = c.clone().schema(Operation::Create).await.unwrap();
    assert!(Arc::ptr_eq(&schema, &again), "cached and shared by clones");
    assert!(
        schema
            .violations(&serde_json::to_value(valid(1)).unwrap())
            .is_empty()
    );

    // Several problems at once: missing required field, bad pattern, bad enum, unknown field.
    let bad = json!({"firstName": "A", "email": "not-an-email", "privacyConsent": true, "regionInterest": "Mars", "shoeSize": 44});
    let v = schema.violations(&bad);
    let pointers: Vec<&str> = v.iter().map(|v| v.pointer.as_str()).collect();
    assert!(v.len() >= 4, "{v:?}");
    assert!(
        pointers.contains(&"/email") && pointers.contains(&"/regionInterest"),
        "{pointers:?}"
    );
    assert!(v.iter().any(|x| x.message.contains("lastName")), "{v:?}");

    // A create with an invalid candidate is refused locally: nothing is queued.
    let mut broken = valid(2);
    broken.email = Some("nope".into());
    let err = c
        .candidates()
        .create(&[valid(1), broken], &WriteOptions::default())
        .await
        .unwrap_err();
    match &err {
        Error::InvalidInput { field, message } => {
            assert_eq!(field.as_deref(), Some("/email"));
            assert!(message.contains("candidate 1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!sim.wait_for_mutations(1, Duration::from_millis(100)).await);
    let too_many: Vec<Candidate> = (0..11).map(valid).collect();
    assert!(matches!(
        c.candidates()
            .create(&too_many, &WriteOptions::default())
            .await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn create_find_get_update_delete() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let accepted = c
        .candidates()
        .create(&[valid(1), valid(2)], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(accepted.status, 202);
    assert_eq!(
        accepted.raw["data"]["idempotencyKey"],
        accepted.idempotency_key.as_str()
    );
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);

    let found = c
        .candidates()
        .find_by_email("KANDIDAAT1@example.nl")
        .await
        .unwrap()
        .unwrap();
    let id = found.id.clone().unwrap();
    assert_eq!(
        c.candidates()
            .find_by_phone("0612340002")
            .await
            .unwrap()
            .unwrap()
            .last_name
            .as_deref(),
        Some("Nummer 2")
    );
    assert!(
        c.candidates()
            .find_by_email("nobody@example.nl")
            .await
            .unwrap()
            .is_none()
    );
    let got = c.candidates().get(&id).await.unwrap();
    assert_eq!(got.custom["regionInterest"], "Rotterdam-Zuid");

    let update = CandidateUpdate {
        first_name: Patch::Set("Ada".into()),
        phone: Patch::Clear,
        custom: serde_json::Map::from_iter([("sector".to_owned(), json!(["vo"]))]),
        ..CandidateUpdate::default()
    };
    c.candidates()
        .update(&id, &update, &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(2, Duration::from_secs(5)).await);
    let after = c.candidates().get(&id).await.unwrap();
    assert_eq!(after.first_name.as_deref(), Some("Ada"));
    assert_eq!(after.phone, None, "null cleared it");
    assert_eq!(after.custom["sector"], json!(["vo"]));
    let replace = CandidateUpdate {
        custom: serde_json::Map::from_iter([("sector".to_owned(), json!(["po", "so"]))]),
        ..CandidateUpdate::default()
    };
    c.candidates()
        .update(&id, &replace, &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(3, Duration::from_secs(5)).await);
    assert_eq!(
        c.candidates().get(&id).await.unwrap().custom["sector"],
        json!(["po", "so"]),
        "arrays are replaced"
    );

    assert!(matches!(
        c.candidates()
            .update(&id, &CandidateUpdate::default(), &WriteOptions::default())
            .await,
        Err(Error::InvalidInput { .. })
    ));
    let bad_update = CandidateUpdate {
        custom: serde_json::Map::from_iter([("phase".to_owned(), json!("asleep"))]),
        ..CandidateUpdate::default()
    };
    assert!(matches!(
        c.candidates()
            .update(&id, &bad_update, &WriteOptions::default())
            .await,
        Err(Error::InvalidInput { .. })
    ));

    c.candidates()
        .delete(&id, &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(4, Duration::from_secs(5)).await);
    assert!(c.candidates().get(&id).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn upsert_interactions_and_attachments() {
    let sim = Simulator::start().await;
    let c = sim.client();
    c.candidates()
        .create(&[valid(1)], &WriteOptions::default())
        .await
        .unwrap();
    let mut same = valid(1);
    same.first_name = Some("Updated".into());
    c.candidates()
        .upsert(&[same, valid(2)], &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(2, Duration::from_secs(5)).await);
    assert_eq!(
        sim.candidates().len(),
        2,
        "the upsert matched one by email and created one"
    );
    let id = c
        .candidates()
        .find_by_email("kandidaat1@example.nl")
        .await
        .unwrap()
        .unwrap()
        .id
        .unwrap();

    let its = vec![
        Interaction::new("phone", "2026-11-20T10:00:00Z"),
        Interaction::new("email", "2026-11-21T10:00:00Z"),
    ];
    c.interactions()
        .add(&id, &its, &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(3, Duration::from_secs(5)).await);
    assert_eq!(c.interactions().list(&id).await.unwrap().len(), 2);
    let eleven: Vec<Interaction> = (0..11)
        .map(|i| Interaction::new("email", format!("2026-11-{:02}T10:00:00Z", i + 1)))
        .collect();
    assert!(matches!(
        c.interactions()
            .add(&id, &eleven, &WriteOptions::default())
            .await,
        Err(Error::InvalidInput { .. })
    ));

    let files = NewAttachments {
        curriculum_vitae: vec![Attachment::bytes("cv.pdf", b"%PDF-1.7 ...")],
        other_attachments: vec![Attachment::url(
            &"https://files.example.nl/diploma.pdf".parse().unwrap(),
        )],
    };
    c.attachments()
        .add(&id, &files, &WriteOptions::default())
        .await
        .unwrap();
    assert!(sim.wait_for_mutations(4, Duration::from_secs(5)).await);
    let cand = c.candidates().get(&id).await.unwrap();
    assert_eq!(cand.custom["curriculumVitae"][0]["filename"], "cv.pdf");
    let six = NewAttachments {
        curriculum_vitae: vec![Attachment::bytes("a", b"a"); 6],
        ..NewAttachments::default()
    };
    assert!(matches!(
        c.attachments()
            .add(&id, &six, &WriteOptions::default())
            .await,
        Err(Error::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn listing_follows_the_cursor() {
    let sim = Simulator::start().await;
    sim.seed((0..230).map(|i| serde_json::to_value(valid(i)).unwrap()));
    let c = sim.client();
    let all: Vec<Candidate> = c.candidates().list().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 230);
    let err = c
        .candidates()
        .list()
        .page_size(101)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
}

#[tokio::test]
async fn a_listing_resumed_at_a_pages_cursor_yields_the_rest_exactly() {
    use futures::StreamExt;
    let sim = Simulator::start().await;
    sim.seed((0..45).map(|i| serde_json::to_value(valid(i)).unwrap()));
    let c = sim.client();
    let mut pages = c.candidates().list().page_size(20).pages();
    let first = pages.next().await.unwrap().unwrap();
    let cursor = first.next.clone().expect("more pages");
    let rest: Vec<Candidate> = c
        .candidates()
        .list()
        .page_size(20)
        .start_after_cursor(cursor)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let all: Vec<Candidate> = c.candidates().list().stream().try_collect().await.unwrap();
    let mut resumed = first.items.clone();
    resumed.extend(rest);
    assert_eq!(
        resumed, all,
        "the first page and the rest are the whole listing, once"
    );
}

#[tokio::test]
async fn a_batch_of_35_with_one_invalid_reports_each_candidate() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let mut batch: Vec<Candidate> = (0..35).map(valid).collect();
    batch[17].email = Some("broken".into());
    let report = c
        .candidates()
        .create_batch(batch, 3, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(report.outcomes.len(), 35);
    assert_eq!(report.accepted(), 34);
    let rejected = report.rejected();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].0, 17);
    assert!(rejected[0].1.contains("/email"));
    assert!(matches!(report.outcomes[16], Outcome::Accepted(_)));
    // 34 valid candidates go out as four requests (10, 10, 10, 4).
    assert!(sim.wait_for_mutations(4, Duration::from_secs(5)).await);
    assert_eq!(sim.candidates().len(), 34);
}

#[tokio::test]
async fn the_same_idempotency_key_twice_is_one_mutation() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let opts = WriteOptions::default().idempotency_key("fixed-key-1");
    let a = c.candidates().create(&[valid(1)], &opts).await.unwrap();
    let b = c.candidates().create(&[valid(1)], &opts).await.unwrap();
    assert_eq!(a.raw, b.raw);
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sim.mutations_applied(), 1);
    assert_eq!(sim.candidates().len(), 1);
}

#[tokio::test]
async fn sandbox_mode_is_flagged_and_kept_apart() {
    let sim = Simulator::start().await;
    let c = sim.client().with_sandbox(true);
    let accepted = c
        .candidates()
        .create(&[valid(1)], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(accepted.meta.sandbox_enabled, Some(true));
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);
    assert_eq!(sim.sandbox_candidates().len(), 1);
    assert!(sim.candidates().is_empty(), "no production data changed");
}

#[tokio::test]
async fn a_wrong_api_key_is_refused() {
    let sim = Simulator::start().await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .api_key("wrong")
        .build()
        .unwrap();
    let err = c.candidates().get("cand1").await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 401);
    assert!(!format!("{c:?}").contains("wrong"));
}

/// Receives callbacks on loopback and verifies them.
async fn callback_receiver(
    secret: &'static str,
) -> (String, Arc<Mutex<Vec<Result<String, String>>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Arc<Mutex<Vec<Result<String, String>>>> = Arc::default();
    let store = got.clone();
    let verifier = Verifier::new(secret);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (head, body) = read_request(&mut sock).await;
            let mut lines = head.lines();
            let target = lines
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_owned();
            let mut headers = http::HeaderMap::new();
            for l in lines {
                if let Some((k, v)) = l.split_once(':')
                    && let (Ok(k), Ok(v)) = (
                        http::HeaderName::from_bytes(k.trim().as_bytes()),
                        http::HeaderValue::from_str(v.trim()),
                    )
                {
                    headers.insert(k, v);
                }
            }
            let r = match verifier.verify(&target, &headers, &body).await {
                Ok(v) => v
                    .parse()
                    .map(|cb| cb.idempotency_key.unwrap_or_default())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            store.lock().unwrap().push(r);
            let _ = sock
                .write_all(
                    b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
        }
    });
    (
        format!("http://{addr}/hooks/onderwijsregio?region=demo"),
        got,
    )
}

async fn read_request(sock: &mut tokio::net::TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body = buf[end + 4..(end + 4 + len).min(buf.len())].to_vec();
            return (head, body);
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return (String::new(), Vec::new()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

#[tokio::test]
async fn signed_callbacks_arrive_and_verify() {
    let sim = Simulator::start().await;
    let (url, got) = callback_receiver(sim.signing_secret()).await;
    let c = sim.client();
    let a = c
        .candidates()
        .create(&[valid(1)], &WriteOptions::callback(url.parse().unwrap()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while got.lock().unwrap().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = got.lock().unwrap().clone();
    assert_eq!(got, vec![Ok(a.idempotency_key.clone())]);
}

/// A request as a raw receiver read it: its head and its body.
type Request = (String, Vec<u8>);

/// Waits (on events the simulator counts, not a clock) until `n` callbacks have an outcome.
async fn callbacks_settled(sim: &Simulator, n: usize) {
    loop {
        let (sent, failed) = sim.callbacks();
        if sent + failed >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_callback_url_on_another_host_is_refused_before_anything_is_sent() {
    let sim = Simulator::start().await;
    let c = sim.client();
    // `.invalid` never resolves: were it tried, the failure would be a connection error.
    c.candidates()
        .create(
            &[valid(1)],
            &WriteOptions::callback("http://relay-target.invalid/hook".parse().unwrap()),
        )
        .await
        .unwrap();
    callbacks_settled(&sim, 1).await;
    assert_eq!(sim.callbacks(), (0, 1));
    let why = sim.callback_failures();
    assert!(why[0].contains("loopback addresses only"), "{why:?}");
}

#[tokio::test]
async fn a_callback_receiver_that_redirects_is_not_followed() {
    let sim = Simulator::builder()
        .callback_retries(1, Duration::ZERO)
        .start()
        .await;
    // The redirect's target: a receiver that would accept the callback.
    let (target, got) = callback_receiver(sim.signing_secret()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = read_request(&mut sock).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = sock.write_all(answer.as_bytes()).await;
        }
    });
    sim.client()
        .candidates()
        .create(
            &[valid(1)],
            &WriteOptions::callback(format!("http://{addr}/hook").parse().unwrap()),
        )
        .await
        .unwrap();
    callbacks_settled(&sim, 1).await;
    assert_eq!(sim.callbacks(), (0, 1));
    assert_eq!(sim.callback_failures(), vec!["answered 307".to_owned()]);
    assert!(got.lock().unwrap().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn a_callback_answered_503_is_tried_again_signed_anew_with_the_same_body() {
    let sim = Simulator::builder()
        .callback_retries(3, Duration::from_millis(20))
        .start()
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Each request's head and body.
    let seen: Arc<Mutex<Vec<Request>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let (head, body) = read_request(&mut sock).await;
            let n = {
                let mut log = log.lock().unwrap();
                log.push((head, body));
                log.len()
            };
            let answer: &[u8] = if n == 1 {
                b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            } else {
                b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            };
            let _ = sock.write_all(answer).await;
        }
    });
    sim.client()
        .candidates()
        .create(
            &[valid(1)],
            &WriteOptions::callback(format!("http://{addr}/hook").parse().unwrap()),
        )
        .await
        .unwrap();
    callbacks_settled(&sim, 1).await;
    assert_eq!(sim.callbacks(), (1, 0));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one 503, one retry");
    assert_eq!(seen[0].1, seen[1].1, "the same body");
    let nonce = |head: &str| {
        head.lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("x-mutationengine-nonce:")
                    .map(|v| v.trim().to_owned())
            })
            .unwrap()
    };
    assert_ne!(nonce(&seen[0].0), nonce(&seen[1].0), "signed anew");
}

#[tokio::test]
async fn beyond_the_callback_queue_a_callback_is_refused_not_queued() {
    let sim = Simulator::builder().callback_queue(1).start().await;
    // A receiver that reads the request and never answers: the first callback holds the only
    // place in the queue for its whole timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (arrived_tx, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut sock, _)) = listener.accept().await {
            let _ = read_request(&mut sock).await;
            let _ = arrived_tx.send(());
            held.push(sock);
        }
    });
    let c = sim.client();
    let url: url::Url = format!("http://{addr}/slow").parse().unwrap();
    c.candidates()
        .create(&[valid(1)], &WriteOptions::callback(url.clone()))
        .await
        .unwrap();
    arrived.recv().await.unwrap();
    for i in 2..=3 {
        c.candidates()
            .create(&[valid(i)], &WriteOptions::callback(url.clone()))
            .await
            .unwrap();
    }
    callbacks_settled(&sim, 2).await;
    assert_eq!(sim.callbacks(), (0, 2));
    for why in sim.callback_failures() {
        assert!(why.contains("queue is full"), "{why}");
    }
    assert!(arrived.try_recv().is_err(), "only the first was sent");
}

/// A proxy that forwards the first request to the simulator and then drops the connection
/// without passing the response on: the write happened, but the client never heard.
async fn response_dropping_proxy(upstream: String) -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let up: url::Url = upstream.parse().unwrap();
    let up_addr = format!("{}:{}", up.host_str().unwrap(), up.port().unwrap());
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let (head, body) = read_request(&mut client).await;
            if head.is_empty() {
                continue;
            }
            let n = {
                let mut c = counter.lock().unwrap();
                *c += 1;
                *c
            };
            let mut server = tokio::net::TcpStream::connect(&up_addr).await.unwrap();
            let head = head
                .lines()
                .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                .collect::<Vec<_>>()
                .join("\r\n");
            server
                .write_all(format!("{head}\r\nconnection: close\r\n\r\n").as_bytes())
                .await
                .unwrap();
            server.write_all(&body).await.unwrap();
            let mut response = Vec::new();
            let _ = server.read_to_end(&mut response).await;
            if n == 1 {
                drop(client); // the response is lost
            } else {
                let _ = client.write_all(&response).await;
            }
        }
    });
    (format!("http://{addr}/api/v2"), seen)
}

#[tokio::test]
async fn a_create_retried_after_a_dropped_connection_creates_one_candidate() {
    let sim = Simulator::start().await;
    let schema_client = sim.client();
    schema_client.schema(Operation::Create).await.unwrap();
    let (proxy, seen) = response_dropping_proxy(sim.base_url()).await;
    let c = Client::builder()
        .base_url(proxy)
        .api_key(sim.api_key())
        .retry(edu_common::RetryConfig::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    // Fetch the schema through the proxy first so that the create is the dropped request.
    *seen.lock().unwrap() = 1;
    c.schema(Operation::Create).await.unwrap();
    *seen.lock().unwrap() = 0;
    let accepted = c
        .candidates()
        .create(&[valid(7)], &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(accepted.status, 202);
    assert_eq!(
        *seen.lock().unwrap(),
        2,
        "sent twice: once lost, once answered"
    );
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sim.mutations_applied(), 1);
    assert_eq!(sim.candidates().len(), 1, "exactly one candidate");
}

#[tokio::test]
async fn a_reused_idempotency_key_with_another_payload_is_refused_every_time() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let opts = WriteOptions::default().idempotency_key("fixed-key-2");
    c.candidates().create(&[valid(1)], &opts).await.unwrap();
    for _ in 0..2 {
        let err = c.candidates().create(&[valid(2)], &opts).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(409), "{err}");
    }
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        sim.mutations_applied(),
        1,
        "nothing queued for the refused writes"
    );
}

#[tokio::test]
async fn the_builder_validate_and_a_strict_batch_report() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let good = Candidate::builder("Ann", "de Vries", "ann@example.nl")
        .privacy_consent(true)
        .build();
    c.candidates().validate(&good).await.unwrap();
    let mut missing = good.clone();
    missing.privacy_consent = None;
    let err = c.candidates().validate(&missing).await.unwrap_err();
    assert!(err.to_string().contains("privacyConsent"), "{err}");
    // One invalid candidate in a batch: the report says so, `into_result` makes it an error.
    let report = c
        .candidates()
        .create_batch(vec![good.clone(), missing], 2, &WriteOptions::default())
        .await
        .unwrap();
    assert_eq!(report.accepted(), 1);
    let err = report.into_result().unwrap_err();
    assert!(err.to_string().contains("1 of 2 candidates"), "{err}");
    assert!(err.to_string().contains("#1"), "{err}");
    let all_good = c
        .candidates()
        .create_batch(vec![good], 2, &WriteOptions::default())
        .await
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(all_good.accepted(), 1);
}

#[tokio::test]
async fn validation_errors_name_the_field_not_the_personal_data() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let bad = Candidate::builder("Ann", "de Vries", "ann.devries-at-home")
        .privacy_consent(true)
        .build();
    let err = c.candidates().validate(&bad).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("/email"), "{shown}");
    assert!(!shown.contains("ann.devries-at-home"), "{shown}");
}

/// The simulator can drop the connection after accepting a write. The write carries its
/// `idempotencyKey`, so the client re-sends it, and the server applies it once.
#[tokio::test]
async fn a_write_whose_answer_is_lost_is_re_sent_and_applied_once() {
    let sim = Simulator::start().await;
    let c = sim.client();
    // The schema first (a fresh client fetches it before its first write), so that the
    // connection dropped below is the write's own.
    c.schema(Operation::Create).await.unwrap();
    let before = sim.api_requests();
    sim.drop_next(1);
    let accepted = c
        .candidates()
        .create(&[valid(1)], &WriteOptions::default())
        .await
        .unwrap();
    assert!(!accepted.idempotency_key.is_empty());
    assert_eq!(
        sim.api_requests() - before,
        2,
        "the write whose answer was lost, then the same write re-sent"
    );
    assert!(sim.wait_for_mutations(1, Duration::from_secs(5)).await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sim.mutations_applied(), 1, "applied once, not twice");
    assert_eq!(sim.candidates().len(), 1);
}

/// An attachments body whose files are neither `{url}` nor `{filename, base64}` is refused with
/// a 400 saying why, before anything is queued (found by fuzzing the project's spec:
/// the simulator stored any object as a file).
#[tokio::test]
async fn attachments_that_are_not_files_are_refused() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let not_a_file = "a file is {url} (http or https) or {filename, base64}";
    for (body, why) in [
        (json!({"curriculumVitae": [{"x": 1}]}), not_a_file),
        (
            json!({"curriculumVitae": [{"url": "ftp://host/cv.pdf"}]}),
            not_a_file,
        ),
        (
            json!({"otherAttachments": [{"filename": "a.pdf", "base64": "not base64!"}]}),
            not_a_file,
        ),
        (json!({"letters": []}), "unknown field"),
    ] {
        let err = c
            .transport()
            .post("candidates/cand1/attachments")
            .json(&body)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{body}");
        assert!(err.to_string().contains(why), "{body}: {err}");
    }
    assert_eq!(sim.mutations_applied(), 0);
}
