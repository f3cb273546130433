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
        c.courses()
            .list()
            .per_page(7)
            .stream()
            .try_collect::<Vec<types::CourseWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.planned_courses()
            .list()
            .stream()
            .try_collect::<Vec<types::PlannedCourseWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.enrollments()
            .list()
            .per_page(100)
            .stream()
            .try_collect::<Vec<types::EnrollmentWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.users()
            .list()
            .stream()
            .try_collect::<Vec<types::UserWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.leads()
            .list()
            .stream()
            .try_collect::<Vec<types::LeadWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    assert_eq!(
        c.accounts()
            .list()
            .stream()
            .try_collect::<Vec<types::AccountWithIncludes>>()
            .await
            .unwrap()
            .len(),
        60
    );
    let contacts: Vec<Contact> = c
        .organization_contacts()
        .list()
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
        .courses()
        .list()
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
            .courses()
            .list()
            .per_page(n)
            .stream()
            .try_collect::<Vec<types::CourseWithIncludes>>()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    }
    assert_eq!(sim.api_requests(), 0, "nothing was sent");
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
        .courses()
        .list()
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
        .courses()
        .list()
        .per_page(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 100);
    let (requests, throttled) = (sim.api_requests(), sim.throttled());
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
        .courses()
        .list()
        .per_page(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 60);
    let (_, throttled) = (sim.api_requests(), sim.throttled());
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
async fn untyped_filters_filter_too() {
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

/// The simulator keeps state for every resource of the spec: a record created by POST is read
/// back, changed by a partial PATCH, listed, and gone after DELETE.
#[tokio::test]
async fn a_created_record_can_be_read_changed_listed_and_deleted() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let created = c.tasks().create().name("Call the school").await.unwrap();
    assert_eq!(created.id, 4, "ids continue after the seeded records");
    assert_eq!(created.name.as_deref(), Some("Call the school"));
    let read = c.tasks().get(created.id).await.unwrap();
    assert_eq!(read.name.as_deref(), Some("Call the school"));
    let changed = c.tasks().update(created.id).starred(true).await.unwrap();
    assert_eq!(changed.starred, Some(true));
    assert_eq!(
        changed.name.as_deref(),
        Some("Call the school"),
        "a PATCH is partial"
    );
    let all: Vec<_> = c.tasks().list().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 4);
    c.tasks().delete(created.id).await.unwrap();
    let err = c.tasks().get(created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// Filters the spec documents are honoured, typed on the listing: a filtered listing gets
/// filtered data, across pages.
#[tokio::test]
async fn typed_filters_filter() {
    use eduframe_client::types::GetEnrollmentsStatusItem as S;
    let sim = Simulator::builder().records(40).start().await;
    let c = sim.client();
    let all: Vec<_> = c.enrollments().list().stream().try_collect().await.unwrap();
    let completed: Vec<_> = c
        .enrollments()
        .list()
        .status(vec![S::Completed])
        .page_size(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!completed.is_empty() && completed.len() < all.len());
    assert!(
        completed
            .iter()
            .all(|e| e.status.as_ref().map(ToString::to_string).as_deref() == Some("completed"))
    );
    let of_student: Vec<_> = c
        .enrollments()
        .list()
        .student_id(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!of_student.is_empty() && of_student.iter().all(|e| e.student_id == Some(3)));
}

/// A nested collection is filtered by its parent.
#[tokio::test]
async fn nested_collections_are_filtered_by_their_parent() {
    let sim = Simulator::builder().records(30).start().await;
    let c = sim.client();
    let of_course: Vec<_> = c
        .planned_courses()
        .list_for_course(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(of_course.len(), 3);
    assert!(of_course.iter().all(|p| p.course_id == Some(2)));
    let one = c
        .planned_courses()
        .get_for_course(2, of_course[0].id)
        .await
        .unwrap();
    assert_eq!(one.id, of_course[0].id);
    let elsewhere = c
        .planned_courses()
        .get_for_course(3, of_course[0].id)
        .await
        .unwrap_err();
    assert!(elsewhere.is_not_found());
}

/// Requests are validated against the spec: a body missing a required field, of the wrong type,
/// or with a value outside an enum is answered 422 with Eduframe's error body naming each field;
/// a query parameter of the wrong type 400; an unknown path 404.
#[tokio::test]
async fn requests_are_validated_against_the_spec() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let err = c
        .transport()
        .post("accounts")
        .json(&serde_json::json!({"account_type": "galactic", "email": 7}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    let body = eduframe_error(&err).unwrap();
    let fields: Vec<&String> = body.errors.as_object().unwrap().keys().collect();
    assert!(fields.contains(&&"name".to_string()), "{fields:?}");
    assert!(fields.contains(&&"email".to_string()), "{fields:?}");
    let err = c
        .transport()
        .post("leads")
        .json(&serde_json::json!({"title": "x", "status": "galactic"}))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{err}");
    assert!(
        eduframe_error(&err).unwrap().errors.get("status").is_some(),
        "{err}"
    );
    let err = c
        .transport()
        .get("enrollments?student_id=abc")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
    let err = c
        .transport()
        .get("no_such_things")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

/// A path id that is not an integer finds no record (Rails answers 404), and a boolean sent
/// leniently as `0` or `"1"` is stored and answered as a boolean, as the spec types it.
#[tokio::test]
async fn path_ids_are_typed_and_lenient_booleans_are_answered_as_booleans() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for path in [
        "invoices/null,null/pdf",
        "planned_courses/%1B/teacher_enrollments",
        "courses/abc",
        "courses/1.5",
    ] {
        let err = c.transport().get(path).send().await.unwrap_err();
        assert!(err.is_not_found(), "{path}: {err}");
    }
    assert!(c.transport().get("invoices/1/pdf").send().await.is_ok());
    for (sent, stored) in [
        (serde_json::json!(0), false),
        (serde_json::json!("1"), true),
        (serde_json::json!(true), true),
    ] {
        let v: serde_json::Value = c
            .transport()
            .patch("affiliations/1")
            .json(&serde_json::json!({ "key_contact": sent }))
            .send_json()
            .await
            .unwrap();
        assert_eq!(v["key_contact"], serde_json::json!(stored), "{sent}: {v}");
    }
}

/// Nested bodies are validated like the rest: a wrong shape or a wrong field type inside
/// `address_attributes` or `invoice_items_attributes` is a 422 naming the nested field.
#[tokio::test]
async fn nested_bodies_are_validated() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for (path, body, field) in [
        (
            "leads",
            serde_json::json!({"title": "x", "address_attributes": [1]}),
            "address_attributes",
        ),
        (
            "leads",
            serde_json::json!({"title": "x", "address_attributes": {"address": "a", "city": 5, "country": "NL", "postal_code": "1234AB"}}),
            "address_attributes.city",
        ),
        (
            "invoices",
            serde_json::json!({"account_id": 1, "invoice_items_attributes": [{"name": "n", "unit_price": 1, "units": "many"}]}),
            "invoice_items_attributes[0].units",
        ),
    ] {
        let err = c
            .transport()
            .post(path)
            .json(&body)
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(422), "{body}: {err}");
        let errors = eduframe_error(&err).unwrap().errors;
        assert!(errors.get(field).is_some(), "{body}: {errors}");
    }
}

/// Actions change the record's state: cancelling an enrollment cancels it.
#[tokio::test]
async fn actions_change_state() {
    let sim = Simulator::builder().records(5).start().await;
    let c = sim.client();
    let cancelled = c.enrollments().cancel(1).await.unwrap();
    assert_eq!(cancelled.status.unwrap().to_string(), "canceled");
    assert_eq!(
        c.enrollments()
            .get(1)
            .await
            .unwrap()
            .status
            .unwrap()
            .to_string(),
        "canceled"
    );
}

/// A full sync with default settings asks for the API's largest page: 10,000 records are 100
/// requests, not the 400 the API's own default page size of 25 would take (issue #15, P8).
#[tokio::test]
async fn a_full_sync_with_default_settings_is_one_request_per_hundred_records() {
    let sim = Simulator::builder().records(10_000).start().await;
    let c = sim.client();
    let before = sim.api_requests();
    let n = c
        .planned_courses()
        .list()
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await
        .unwrap();
    assert_eq!(n, 10_000);
    assert_eq!(sim.api_requests() - before, 100);
}

#[tokio::test]
async fn sparse_records_carry_only_identifiers_and_still_decode() {
    let sim = Simulator::builder().records(3).sparse(true).start().await;
    let raw: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/courses/2", sim.base_url()))
        .bearer_auth(sim.api_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        raw,
        serde_json::json!({"id": 2}),
        "a sparse record is its id"
    );
    let c = sim.client();
    let course = c.courses().get(2).await.unwrap();
    assert_eq!(
        (course.id, course.name, course.label_ids),
        (2, None, vec![])
    );
    let listed: Vec<_> = c.courses().list().stream().try_collect().await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(
        listed
            .iter()
            .all(|c| c.custom.is_empty() && c.created_at.is_none())
    );
    // Off by default: the same record whole.
    let whole = Simulator::builder().records(3).start().await;
    let course = whole.client().courses().get(2).await.unwrap();
    assert!(course.name.is_some() && course.created_at.is_some());
}

#[tokio::test]
async fn an_order_created_with_approve_is_active_and_without_it_requested() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for (approve, status) in [
        (Some(true), "active"),
        (Some(false), "requested"),
        (None, "requested"),
    ] {
        let mut order = c
            .orders()
            .create()
            .catalog_variant_id(1)
            .creator_id(1)
            .cost_scheme(types::CostScheme::Order);
        if let Some(a) = approve {
            order = order.approve(a);
        }
        let created = order.await.unwrap();
        let read = c.orders().get(created.id).await.unwrap();
        for order in [
            serde_json::to_value(&created).unwrap(),
            serde_json::to_value(&read).unwrap(),
        ] {
            assert_eq!(order["status"], status, "approve: {approve:?}");
        }
        // The field the request set is what the record holds.
        assert_eq!(serde_json::to_value(&read).unwrap()["cost_scheme"], "order");
    }
}

/// The filters that are not fields of the record, as the spec describes them: `with_canceled`
/// (default true), `parents_published` (the course is published), `published_public`
/// (published, and planned or in progress), an enum filter in the API's spelling
/// (`variantable_type=planned_course` for `PlannedCourse`), a meeting's `start` and `end`.
#[tokio::test]
async fn filters_that_are_not_fields_are_honoured() {
    use serde_json::Value;
    let sim = Simulator::builder().records(40).start().await;
    let c = sim.client();
    let list = |path: &'static str, query: Vec<(&'static str, &'static str)>| {
        let c = c.clone();
        async move {
            let mut l = c.list::<Value>(path).per_page(100);
            for (k, v) in query {
                l = l.query(k, v);
            }
            l.stream().try_collect::<Vec<Value>>().await.unwrap()
        }
    };
    let all = list("enrollments", vec![]).await;
    let canceled = |v: &[Value]| v.iter().filter(|e| e["status"] == "canceled").count();
    assert!(canceled(&all) > 0, "the seed has canceled enrollments");
    assert_eq!(
        list("enrollments", vec![("with_canceled", "true")])
            .await
            .len(),
        all.len()
    );
    let without = list("enrollments", vec![("with_canceled", "false")]).await;
    assert_eq!(canceled(&without), 0);
    assert_eq!(without.len(), all.len() - canceled(&all));

    let courses = list("courses", vec![]).await;
    let published: Vec<&Value> = courses
        .iter()
        .filter(|c| c["is_published"] == true)
        .collect();
    assert!(
        !published.is_empty() && published.len() < courses.len(),
        "a mixed seed"
    );
    let planned = list("planned_courses", vec![]).await;
    let of_published = list(
        "planned_courses",
        vec![("parents_published", "parents_published")],
    )
    .await;
    assert!(!of_published.is_empty() && of_published.len() < planned.len());
    assert!(
        of_published
            .iter()
            .all(|p| published.iter().any(|c| c["id"] == p["course_id"]))
    );
    let public = list(
        "planned_courses",
        vec![("published_public", "published_public")],
    )
    .await;
    assert!(!public.is_empty() && public.len() < planned.len());
    assert!(public.iter().all(
        |p| p["is_published"] == true && (p["status"] == "planned" || p["status"] == "active")
    ));

    let variants = list(
        "catalog/variants",
        vec![("variantable_type", "planned_course")],
    )
    .await;
    assert!(!variants.is_empty());
    assert!(
        variants
            .iter()
            .all(|v| v["variantable_type"] == "PlannedCourse")
    );

    // Seeded meetings start and end at 2026-09-01 08:00 UTC; the bounds compare as instants.
    let meetings = list("meetings", vec![]).await;
    assert!(!meetings.is_empty());
    let with = |k: &'static str, v: &'static str| list("meetings", vec![(k, v)]);
    assert_eq!(
        with("end", "2026-09-01T08:00:00Z").await.len(),
        meetings.len()
    );
    assert!(with("end", "2026-09-01T07:59:59Z").await.is_empty());
    assert!(
        with("end", "2026-09-01T09:30:00+02:00").await.is_empty(),
        "07:30 UTC"
    );
    assert_eq!(
        with("start", "2026-09-01T07:00:00Z").await.len(),
        meetings.len()
    );
    assert!(
        meetings
            .iter()
            .all(|m| m["end_date_time"] == "2026-09-01T08:00:00.000Z")
    );
    assert_eq!(
        with("start", "2026-09-01T08:00:00Z").await.len(),
        meetings.len()
    );
    assert!(with("start", "2026-09-01T08:00:01Z").await.is_empty());
}

/// Beyond `webhook_queue(n)` deliveries in flight, a delivery is not sent: its notification is
/// failed with the reason, and the receiver never sees it.
#[tokio::test]
async fn beyond_the_webhook_queue_a_delivery_is_failed_not_queued() {
    use serde_json::Value;
    let sim = Simulator::builder()
        .records(1)
        .no_rate_limit()
        .webhook_queue(1)
        .start()
        .await;
    // A receiver that reads the request and never answers: the first delivery holds the only
    // place in the queue for its whole timeout.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (arrived_tx, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut held = Vec::new();
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = arrived_tx.send(());
            held.push(sock);
        }
    });
    let c = sim.client();
    let id = c
        .webhooks()
        .create()
        .url(format!("http://{addr}/hook"))
        .events([types::WebhookEvent::AccountCreated])
        .await
        .unwrap()
        .id;
    c.accounts().create().name("first").await.unwrap();
    arrived.recv().await.unwrap();
    c.accounts().create().name("second").await.unwrap();
    c.accounts().create().name("third").await.unwrap();
    let failed = loop {
        let failed: Vec<Value> = c
            .list::<Value>(&format!("webhooks/{id}/notifications/failed"))
            .stream()
            .try_collect()
            .await
            .unwrap();
        if failed.len() >= 2 {
            break failed;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(failed.len(), 2, "{failed:?}");
    let names: Vec<&str> = failed
        .iter()
        .map(|n| n["data"]["event_data"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["second", "third"]);
    assert!(failed.iter().all(|n| n["status"] == "failed"));
    assert!(arrived.try_recv().is_err(), "only the first was sent");
}
