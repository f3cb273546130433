//! Every endpoint against the simulator, plus token expiry, faults and paging behaviour.
#![cfg(feature = "mock")]

use std::time::Duration;

use datahub_client::mock::Simulator;
use datahub_client::{Client, Error, EventAction};
use edu_common::RetryConfig;
use futures::{StreamExt, TryStreamExt};

#[tokio::test]
async fn every_endpoint_answers() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let d = sim.district_id();

    // Districts (9).
    let districts: Vec<_> = c.districts().list().stream().try_collect().await.unwrap();
    assert_eq!(districts.len(), 1);
    assert_eq!(c.districts().get(&d).await.unwrap().id, d);
    let schools: Vec<_> = c
        .districts()
        .schools(&d)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(schools.len(), 3);
    assert_eq!(
        c.districts()
            .teachers(&d)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        12
    );
    assert_eq!(
        c.districts()
            .students(&d)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        240
    );
    assert_eq!(
        c.districts()
            .sections(&d)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        24
    );
    assert_eq!(
        c.districts()
            .admins(&d)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(c.districts().status(&d).await.unwrap()[0].id, d);
    assert!(
        !c.districts()
            .events(&d)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty()
    );

    // Teachers (8).
    let teachers: Vec<_> = c.teachers().list().stream().try_collect().await.unwrap();
    let t = &teachers[0].id;
    assert_eq!(&c.teachers().get(t).await.unwrap().id, t);
    c.teachers()
        .events(t)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    let t_sections: Vec<_> = c
        .teachers()
        .sections(t)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(t_sections.len(), 2);
    c.teachers().school(t).await.unwrap();
    assert_eq!(c.teachers().district(t).await.unwrap().id, d);
    assert_eq!(
        c.teachers()
            .students(t)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        20
    );
    assert!(!c.teachers().grade_levels(t).await.unwrap().is_empty());

    // Students (8).
    let students: Vec<_> = c
        .students()
        .list()
        .limit(50)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(students.len(), 240);
    let s = &students[0].id;
    assert_eq!(&c.students().get(s).await.unwrap().id, s);
    assert!(
        !c.students()
            .events(s)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        c.students()
            .sections(s)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    c.students().school(s).await.unwrap();
    c.students().district(s).await.unwrap();
    assert_eq!(
        c.students()
            .teachers(s)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        c.students()
            .contacts(s)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );

    // Sections (8).
    let sections: Vec<_> = c.sections().list().stream().try_collect().await.unwrap();
    let sec = &sections[0].id;
    assert_eq!(&c.sections().get(sec).await.unwrap().id, sec);
    c.sections()
        .events(sec)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    c.sections().school(sec).await.unwrap();
    c.sections().district(sec).await.unwrap();
    assert_eq!(
        c.sections()
            .students(sec)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        c.sections()
            .teachers(sec)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    c.sections().teacher(sec).await.unwrap();

    // Schools (7).
    let sc = &schools[0].id;
    assert_eq!(
        c.schools()
            .list()
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(&c.schools().get(sc).await.unwrap().id, sc);
    c.schools()
        .events(sc)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(
        c.schools()
            .teachers(sc)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        c.schools()
            .students(sc)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        80
    );
    c.schools()
        .sections(sc)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    c.schools().district(sc).await.unwrap();

    // Admins (2 + 3), events (2), contacts (4).
    let da: Vec<_> = c
        .district_admins()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    c.district_admins().get(&da[0].id).await.unwrap();
    let sa: Vec<_> = c
        .school_admins()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    c.school_admins().get(&sa[0].id).await.unwrap();
    assert_eq!(
        c.school_admins()
            .schools(&sa[0].id)
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    let events: Vec<_> = c.events().list().stream().try_collect().await.unwrap();
    assert_eq!(events.len(), 55);
    assert!(
        events
            .iter()
            .any(|e| e.kind.action == EventAction::Updated && e.data.previous_attributes.is_some())
    );
    c.events().get(&events[0].id).await.unwrap();
    let contacts: Vec<_> = c.contacts().list().stream().try_collect().await.unwrap();
    let ct = &contacts[0].id;
    c.contacts().get(ct).await.unwrap();
    assert_eq!(&c.contacts().student(ct).await.unwrap().id, s);
    c.contacts().district(ct).await.unwrap();
}

#[tokio::test]
async fn a_missing_record_is_not_found_and_bad_ids_never_reach_the_server() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let err = c
        .students()
        .get("ffffffffffffffffffffffff")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(
        err.http().unwrap().message.as_deref(),
        Some("Resource not found")
    );
    let before = sim.api_requests();
    let err = c.students().get("../districts").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let err = c
        .sections()
        .students("a/b")
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(sim.api_requests(), before);
}

#[tokio::test]
async fn an_expired_token_mid_listing_is_refreshed_and_the_listing_completes() {
    let sim = Simulator::builder().students(500).start().await;
    let c = sim.client();
    let mut stream = c.students().list().limit(50).stream();
    let mut seen = Vec::new();
    while let Some(s) = stream.try_next().await.unwrap() {
        seen.push(s.id);
        if seen.len() == 120 {
            sim.expire_tokens();
        }
    }
    assert_eq!(seen.len(), 500);
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), 500, "no record twice");
    assert_eq!(sim.tokens_issued(), 2);
}

#[tokio::test]
async fn concurrent_page_fetching_yields_the_same_records_in_order() {
    let sim = Simulator::builder().students(1_000).start().await;
    let c = sim.client();
    let sequential: Vec<_> = c
        .students()
        .list()
        .limit(75)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let concurrent: Vec<_> = c
        .students()
        .list()
        .limit(75)
        .concurrent(6)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sequential.len(), 1_000);
    assert_eq!(sequential, concurrent);
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried() {
    let sim = Simulator::start().await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(RetryConfig::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    sim.throttle_next(1, 1);
    sim.fail_next(2, 503);
    let schools: Vec<_> = c.schools().list().stream().try_collect().await.unwrap();
    assert_eq!(schools.len(), 3);
}

#[tokio::test]
async fn a_persistent_failure_ends_the_stream_with_the_error() {
    let sim = Simulator::start().await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let mut stream = c.students().list().limit(100).stream();
    for _ in 0..100 {
        stream.try_next().await.unwrap();
    }
    sim.fail_next(1, 500);
    let err = stream.try_next().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error() {
    let sim = Simulator::start().await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .client_credentials("someone", "wrong")
        .build()
        .unwrap();
    let err = c.districts().list().first_page().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid_client"));
    assert!(!format!("{c:?}").contains("wrong"));
}

#[tokio::test]
async fn limits_over_the_maximum_are_rejected_by_the_server() {
    let sim = Simulator::start().await;
    let err = sim
        .client()
        .students()
        .list()
        .limit(20_000)
        .first_page()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(413));
}

#[test]
fn from_env_reports_what_is_missing() {
    // SAFETY-free: only reads; the variables are not set in CI.
    if std::env::var("DATAHUB_BASE_URL").is_err() {
        let err = Client::from_env().unwrap_err();
        assert!(err.to_string().contains("DATAHUB_BASE_URL"));
    }
}

#[tokio::test]
async fn listings_honour_where_created_since_and_ending_before() {
    use futures::TryStreamExt;
    let sim = datahub_client::mock::Simulator::builder()
        .students(30)
        .start()
        .await;
    let c = sim.client();
    let all: Vec<datahub_client::Student> =
        c.students().list().stream().try_collect().await.unwrap();
    let school = all[0].school.clone().unwrap();
    let at_school: Vec<datahub_client::Student> = c
        .students()
        .list()
        .filter(&serde_json::json!({ "school": school }))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!at_school.is_empty() && at_school.len() < all.len());
    assert!(
        at_school
            .iter()
            .all(|s| s.school.as_deref() == Some(school.as_str()))
    );
    let named: Vec<datahub_client::Student> = c
        .students()
        .list()
        .filter(&serde_json::json!({ "id": {"$in": [all[3].id, all[7].id]} }))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(named.len(), 2);
    // The five records just before the tenth.
    let page = c
        .students()
        .list()
        .limit(5)
        .ending_before(&all[9].id)
        .first_page()
        .await
        .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
    let expected: Vec<&str> = all[4..9].iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, expected);
    // An unparsable filter is the API's 400 with its `error` text.
    let err = c
        .students()
        .list()
        .param("where", "{not json")
        .first_page()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("Could not parse where"), "{err}");
    let err = c
        .students()
        .list()
        .created_since("yesterday")
        .first_page()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("created_since"), "{err}");
    // Events since a date: only the later updates.
    let recent = c
        .events()
        .list()
        .created_since("2026-08-15T00:00:00Z")
        .first_page()
        .await
        .unwrap();
    assert_eq!(recent.items.len(), 5);
}

/// As the seed documents paging: `NEXT`/`SELF` links in upper case, next pages named by an
/// opaque `search_token` (`{page}.{pages}.{count}.FORWARD.{last id}`), which the client
/// follows to the end; a token the server did not write is a 400 naming it.
#[tokio::test]
async fn seed_paging_follows_search_tokens_to_the_end() {
    use serde_json::Value;
    let sim = Simulator::builder()
        .students(25)
        .starting_after(false)
        .start()
        .await;
    let c = sim.client();
    let first: Value = c
        .transport()
        .get("v1/students")
        .query("limit", 10)
        .send_json()
        .await
        .unwrap();
    let next = first["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "NEXT")
        .expect("a NEXT link, as the seed writes it");
    let uri = next["uri"].as_str().unwrap();
    let last = first["data"][9]["data"]["id"].as_str().unwrap();
    assert_eq!(
        uri,
        format!("/v1/students?search_token=2.3.25.FORWARD.{last}"),
        "page 2 of 3, 25 records, after the tenth"
    );
    let second: Value = c
        .transport()
        .get("v1/students")
        .query("limit", 10)
        .query("search_token", uri.split_once("search_token=").unwrap().1)
        .send_json()
        .await
        .unwrap();
    assert_eq!(second["paging"]["current"], 2);
    assert!(second["data"][0]["data"]["id"].as_str().unwrap() > last);
    // The client follows the tokens: every record once, in order.
    let all: Vec<datahub_client::Student> = c
        .students()
        .list()
        .limit(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 25);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let err = c
        .students()
        .list()
        .search_token("2.3.25.BACKWARD.x")
        .first_page()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("search_token"), "{err}");
}

/// `include` on a record: the related records it names, as their sub-resources answer them,
/// beside the record; a name the record has no relation by is a 400 that lists the known ones.
#[tokio::test]
async fn include_adds_the_named_related_records() {
    use serde_json::Value;
    let sim = Simulator::start().await;
    let c = sim.client();
    let students: Vec<datahub_client::Student> = c
        .students()
        .list()
        .limit(3)
        .first_page()
        .await
        .unwrap()
        .items;
    let id = &students[0].id;
    let got: Value = c
        .transport()
        .get(&format!("v1/students/{id}"))
        .query("include", "school,sections")
        .send_json()
        .await
        .unwrap();
    assert_eq!(got["data"]["id"], id.as_str());
    assert_eq!(got["included"]["school"]["id"], got["data"]["school"]);
    let sections = got["included"]["sections"].as_array().unwrap();
    let listed = c
        .students()
        .sections(id)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(!sections.is_empty());
    assert_eq!(sections.len(), listed.len());
    assert!(sections.iter().all(|s| {
        s["students"]
            .as_array()
            .unwrap()
            .contains(&Value::from(id.as_str()))
    }));
    // Without `include`, nothing is added.
    let plain: Value = c
        .transport()
        .get(&format!("v1/students/{id}"))
        .send_json()
        .await
        .unwrap();
    assert!(plain.get("included").is_none());
    // Only where the API documents `include` (districts, teachers, students, school admins):
    // elsewhere the parameter is ignored, as an unknown one is.
    let section = sections[0]["id"].as_str().unwrap().to_owned();
    let on_section: Value = c
        .transport()
        .get(&format!("v1/sections/{section}"))
        .query("include", "homework")
        .send_json()
        .await
        .unwrap();
    assert!(on_section.get("included").is_none());
    let err = c
        .transport()
        .get(&format!("v1/students/{id}"))
        .query("include", "homework")
        .send_json::<Value>()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let text = err.to_string();
    assert!(
        text.contains("homework") && text.contains("sections"),
        "{text}"
    );
}
