//! Writes that read as prose: records written with the request builders only (no struct
//! literal, no JSON), read back from the simulator with the fields set; a nested object, a list
//! of items and an explicit `null` included; a missing required field refused before anything
//! is sent.
#![cfg(feature = "mock")]

use edu_common::Error;
use eduframe_client::mock::Simulator;
use eduframe_client::types;

fn city(address: &Option<types::Address>) -> Option<String> {
    address.as_ref()?.0.as_ref()?.city.clone()
}

#[tokio::test]
async fn an_account_with_a_nested_address_a_list_and_a_custom_field() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let created = c
        .accounts()
        .create()
        .name("Acme")
        .email("billing@acme.nl")
        .label_ids([1, 2])
        .address_attributes(|a| {
            a.address("Stationsplein 1")
                .postal_code("3511 ED")
                .city("Utrecht")
                .country(types::Country::Nl)
        })
        .await
        .unwrap();
    let read = c.accounts().get(created.id).await.unwrap();
    assert_eq!(read.name.as_deref(), Some("Acme"));
    assert_eq!(read.email.as_deref(), Some("billing@acme.nl"));
    assert_eq!(read.label_ids, [1, 2]);
    assert_eq!(city(&read.address).as_deref(), Some("Utrecht"));
}

#[tokio::test]
async fn an_update_clears_a_field_with_an_explicit_null_and_leaves_the_others() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let account = c
        .accounts()
        .create()
        .name("Acme")
        .phone("030 123 4567")
        .email("info@acme.nl")
        .await
        .unwrap();
    // The record's own name passes straight to the update (types that meet).
    let name = account.name.clone().unwrap();
    let before = sim.requests().len();
    c.accounts()
        .update(account.id)
        .name(name)
        .clear_phone()
        .await
        .unwrap();
    let sent: serde_json::Value =
        serde_json::from_slice(&sim.requests()[before].request.body).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"name": "Acme", "phone": null}),
        "absent, null and a value"
    );
    let read = c.accounts().get(account.id).await.unwrap();
    assert_eq!(read.phone, None, "cleared");
    assert_eq!(
        read.email.as_deref(),
        Some("info@acme.nl"),
        "not sent, kept"
    );
}

#[tokio::test]
async fn a_lead_with_a_list_of_nested_items() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let lead = c
        .leads()
        .create()
        .first_name("Ada")
        .last_name("de Vries")
        .email("ada@example.nl")
        .add_lead_product(|p| p.catalog_product_id(1).catalog_variant_id(2))
        .add_lead_product(|p| p.catalog_product_id(3))
        .wants_newsletter(true)
        .await
        .unwrap();
    let read = c.leads().get(lead.id).await.unwrap();
    assert_eq!(read.first_name.as_deref(), Some("Ada"));
    assert_eq!(read.wants_newsletter, Some(true));
    let products: Vec<i64> = read
        .lead_products
        .iter()
        .filter_map(|p| p.catalog_product_id)
        .collect();
    assert_eq!(products, [1, 3]);
}

#[tokio::test]
async fn an_order_with_typed_enums_and_a_list_of_ids() {
    use futures::TryStreamExt;
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    // A record's enum passes to a body's enum of the same values.
    let scheme: types::CostScheme = types::CostScheme::Order;
    let order = c
        .orders()
        .create()
        .catalog_variant_id(1)
        .creator_id(1)
        .cost_scheme(scheme)
        .planned_course_id(1)
        .student_ids([1, 2])
        .approve(true)
        .await
        .unwrap();
    let read = c.orders().get(order.id).await.unwrap();
    assert_eq!(read.cost_scheme, Some(types::CostScheme::Order));
    assert_eq!(
        read.status.map(|s| s.to_string()).as_deref(),
        Some("active")
    );
    // The list of ids arrived: each student is enrolled by the approved order.
    let mut enrolled: Vec<i64> = c
        .enrollments()
        .list()
        .stream()
        .try_collect::<Vec<types::EnrollmentWithIncludes>>()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.order_id == Some(order.id))
        .filter_map(|e| e.student_id)
        .collect();
    enrolled.sort_unstable();
    assert_eq!(enrolled, [1, 2]);
}

#[tokio::test]
async fn a_task_created_then_changed() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let task = c
        .tasks()
        .create()
        .name("Call the school")
        .description("About the intake")
        .await
        .unwrap();
    c.tasks().update(task.id).starred(true).await.unwrap();
    let read = c.tasks().get(task.id).await.unwrap();
    assert_eq!(read.name.as_deref(), Some("Call the school"));
    assert_eq!(read.description.as_deref(), Some("About the intake"));
    assert_eq!(read.starred, Some(true));
}

#[tokio::test]
async fn a_missing_required_field_is_refused_before_anything_is_sent() {
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let before = sim.requests().len();
    let err = c
        .accounts()
        .create()
        .email("x@example.nl")
        .await
        .unwrap_err();
    match &err {
        Error::InvalidInput { field, message } => {
            assert_eq!(field.as_deref(), Some("name"));
            assert!(message.contains(".name("), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // A nested object missing its own required fields is refused too.
    let err = c
        .accounts()
        .create()
        .name("Acme")
        .address_attributes(|a| a.city("Utrecht"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(err.to_string().contains("address"), "{err}");
    assert_eq!(sim.requests().len(), before, "nothing was sent");
}

/// As a newcomer writes it: a record's date passed to a date filter, its status to the status
/// filter as one value, and a record's name to its update, with no conversion by hand.
#[tokio::test]
async fn a_records_values_pass_straight_to_filters_and_updates() {
    use futures::TryStreamExt;
    let sim = Simulator::builder().records(12).start().await;
    let c = sim.client();
    let planned: Vec<types::PlannedCourseWithIncludes> = c
        .planned_courses()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let first = &planned[0];
    let (day, status) = (first.start_date.unwrap(), first.status.clone().unwrap());
    let same: Vec<types::PlannedCourseWithIncludes> = c
        .planned_courses()
        .list()
        .start_date_from(day)
        .start_date_until(day)
        .status(status.clone())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(same.iter().any(|p| p.id == first.id));
    // The filters act: a day later finds none of that day's, and the status filter leaves out
    // the other statuses.
    let later: Vec<types::PlannedCourseWithIncludes> = c
        .planned_courses()
        .list()
        .start_date_from(day.succ_opt().unwrap())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(later.iter().all(|p| p.start_date != Some(day)), "{later:?}");
    assert!(
        planned.iter().any(|p| p.status.as_ref() != Some(&status)),
        "the seed has other statuses"
    );
    assert!(
        same.iter()
            .all(|p| p.start_date == Some(day) && p.status.as_ref() == Some(&status))
    );
    let account = c.accounts().get(1).await.unwrap();
    let renamed = c
        .accounts()
        .update(account.id)
        .name(account.name.clone().unwrap_or_default() + " BV")
        .await
        .unwrap();
    assert!(renamed.name.unwrap().ends_with(" BV"));
}

/// Enrollments are made by the API, from orders (the enrollments handler's docs say so): an
/// approved order for a planned course enrolls each of its students, once.
#[tokio::test]
async fn an_approved_order_enrolls_its_students() {
    use futures::TryStreamExt;
    let sim = Simulator::builder().records(3).start().await;
    let c = sim.client();
    let of_student = |s: i64| {
        let c = c.clone();
        async move {
            c.enrollments()
                .list()
                .student_id(s)
                .stream()
                .try_collect::<Vec<types::EnrollmentWithIncludes>>()
                .await
                .unwrap()
        }
    };
    let before = of_student(2).await.len();
    let order = c
        .orders()
        .create()
        .catalog_variant_id(1)
        .creator_id(1)
        .planned_course_id(3)
        .student_ids([2])
        .await
        .unwrap();
    assert_eq!(
        of_student(2).await.len(),
        before,
        "a requested order enrolls nobody yet"
    );
    c.orders().approve(order.id).await.unwrap();
    c.orders().approve(order.id).await.unwrap();
    let after = of_student(2).await;
    assert_eq!(after.len(), before + 1, "enrolled once");
    let new = after.iter().find(|e| e.order_id == Some(order.id)).unwrap();
    assert_eq!(new.planned_course_id, Some(3));
}
