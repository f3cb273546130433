//! Contract tests against the simulator: resource families, pagination, rate limits, errors.
#![cfg(feature = "mock")]

use std::time::{Duration, Instant};

use edu_common::Error;
use eduframe_client::error::eduframe_error;
use eduframe_client::mock::Simulator;
use eduframe_client::{Client, Contact, types};
use futures::TryStreamExt;

#[tokio::test]
async fn every_resource_family_lists_across_pages() {
    let sim = Simulator::start().await;
    let c = sim.client();
    assert_eq!(
        c.courses().list()
            .per_page(7)
            .stream()
            .try_collect::<Vec<types::CourseWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.planned_courses().list()
            .stream()
            .try_collect::<Vec<types::PlannedCourseWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.enrollments().list()
            .per_page(100)
            .stream()
            .try_collect::<Vec<types::EnrollmentWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.users().list()
            .stream()
            .try_collect::<Vec<types::UserWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.leads().list()
            .stream()
            .try_collect::<Vec<types::LeadWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.accounts().list()
            .stream()
            .try_collect::<Vec<types::AccountWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    let contacts: Vec<Contact> = c
        .organization_contacts().list()
        .per_page(25)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(contacts.len(), 60);
    assert_eq!(contacts[4].key_contact, Some(true), "1 is read as true");
    assert_eq!(contacts[0].key_contact, Some(false));
    assert_eq!(
        contacts[0].extra["job_title"], "Coordinator",
        "unknown fields are kept"
    );
}

#[tokio::test]
async fn first_middle_and_last_pages() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let pages: Vec<_> = c
        .courses().list()
        .per_page(25)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [25, 25, 10]
    );
    assert!(pages[0].next.is_some() && pages[1].next.is_some());
    assert!(pages[2].next.is_none());
    // The page size holds on every page: 60 records in pages of 25.
    assert!(!pages[1].next.as_ref().unwrap().is_empty());
}

#[tokio::test]
async fn per_page_out_of_range_is_refused_locally_and_by_the_server() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for n in [0, 101] {
        let err = c
            .courses().list()
            .per_page(n)
            .stream()
            .try_collect::<Vec<types::CourseWithIncludes>>()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    assert_eq!(sim.counters().0, 0, "nothing was sent");
    // The simulator refuses what the client would not send.
    let err = c
        .transport()
        .get("courses?per_page=500")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
}

#[tokio::test]
async fn the_error_body_is_typed() {
    let sim = Simulator::start().await;
    let bad_key = Client::builder()
        .base_url(sim.base_url())
        .api_key("wrong")
        .build()
        .unwrap();
    let err = bad_key
        .courses().list()
        .stream()
        .try_collect::<Vec<types::CourseWithIncludes>>()
        .await
        .unwrap_err();
    let e = eduframe_error(&err).unwrap();
    assert_eq!(e.code, Some(403));
    assert_eq!(e.message.as_deref(), Some("Forbidden"));
    let err = sim
        .client()
        .list::<serde_json::Value>("nope")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

#[tokio::test]
async fn the_client_limiter_keeps_a_sync_free_of_429s() {
    let sim = Simulator::builder()
        .rate_limit(8, Duration::from_secs(1))
        .records(100)
        .start()
        .await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .rate_limit(8, Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let all: Vec<types::CourseWithIncludes> = c
        .courses().list()
        .per_page(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    let (requests, throttled) = sim.counters();
    assert_eq!(requests, 20);
    assert_eq!(throttled, 0, "paced below the server's limit");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "20 requests at 8/s take over 2 s"
    );
}

#[tokio::test]
async fn without_a_limiter_429s_are_honoured_with_retry_after() {
    let sim = Simulator::builder()
        .rate_limit(10, Duration::from_secs(1))
        .records(60)
        .start()
        .await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .api_key(sim.api_key())
        .no_rate_limit()
        .build()
        .unwrap();
    let all: Vec<types::CourseWithIncludes> = c
        .courses().list()
        .per_page(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 60);
    let (_, throttled) = sim.counters();
    assert!(
        throttled >= 1,
        "the server throttled and the client waited it out"
    );
}

#[test]
fn webhooks_parse_with_unknown_events_kept() {
    let n = eduframe_client::webhooks::parse(br#"{"tenant_id":"t","educator":"demo","event":"planned_course.updated","event_data":{"id":1}}"#).unwrap();
    assert_eq!(n.event.resource, "planned_course");
    assert_eq!(n.event.action, "updated");
    let n = eduframe_client::webhooks::parse(br#"{"tenant_id":"t","educator":"demo","event":"certificate.awarded","event_data":{},"sent_at":"x"}"#).unwrap();
    assert_eq!(n.event.to_string(), "certificate.awarded");
    assert_eq!(n.extra["sent_at"], "x");
    assert!(matches!(
        eduframe_client::webhooks::parse(b"{}"),
        Err(Error::Decode(_))
    ));
}

#[tokio::test]
async fn documented_filters_filter() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let all: Vec<serde_json::Value> = c
        .list::<serde_json::Value>("enrollments")
        .per_page(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let filtered: Vec<serde_json::Value> = c
        .list::<serde_json::Value>("enrollments")
        .per_page(7)
        .query("planned_course_id", 3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!filtered.is_empty() && filtered.len() < all.len());
    assert!(filtered.iter().all(|e| e["planned_course_id"] == 3));
    let found: Vec<serde_json::Value> = c
        .list::<serde_json::Value>("leads")
        .query("search", "LEAD7@")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["email"], "lead7@example.nl");
}
