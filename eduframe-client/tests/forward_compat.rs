//! The API adds values and fields; the SDK keeps working (issue #14, forward-compatible types):
//! a string enum value the spec does not list decodes as `Other(value)` and serialises back as
//! sent, and a field the spec does not list is kept in `extra` (and sent back as it came).

use eduframe_client::types::{Enrollment, EnrollmentStatus};

#[test]
fn an_unknown_enrollment_status_and_an_unknown_field_decode() {
    let record = serde_json::json!({
        "id": 7, "planned_course_id": 3, "student_id": 12,
        "created_at": "2026-08-01T08:00:00Z", "updated_at": "2026-08-01T08:00:00Z",
        "start_date": "2026-09-01", "end_date": null, "order_id": null,
        "graduation_state": "not_graduated",
        "status": "waitlisted_for_next_term",
        "a_field_added_later": {"nested": true}
    });
    let e: Enrollment = serde_json::from_value(record.clone()).unwrap();
    assert_eq!(
        e.extra["a_field_added_later"],
        serde_json::json!({"nested": true})
    );
    // A read-modify-write keeps what this client does not know.
    let back = serde_json::to_value(&e).unwrap();
    assert_eq!(back["a_field_added_later"], record["a_field_added_later"]);
    assert_eq!(back["status"], "waitlisted_for_next_term");
    assert_eq!(
        e.status,
        Some(EnrollmentStatus::Other("waitlisted_for_next_term".into()))
    );
    assert_eq!(
        e.status.as_ref().unwrap().to_string(),
        "waitlisted_for_next_term"
    );
    assert_eq!(
        serde_json::to_value(e.status.as_ref().unwrap()).unwrap(),
        "waitlisted_for_next_term"
    );
    // Known values are still typed, from JSON and from text.
    let known: EnrollmentStatus = serde_json::from_value(serde_json::json!("canceled")).unwrap();
    assert_eq!(known, EnrollmentStatus::Canceled);
    assert_eq!(
        "completed".parse::<EnrollmentStatus>().unwrap(),
        EnrollmentStatus::Completed
    );
}

/// A body whose every field may be left out has `Default` (typify derives it), so a partial
/// update names only what it changes, and only that goes on the wire. A body with a required
/// field does not (`UpdateAccountBody` needs its `name`).
#[test]
fn a_partial_update_names_only_what_it_changes() {
    let body = eduframe_client::types::UpdateAffiliationByIdBody {
        key_contact: Some(true),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        serde_json::json!({ "key_contact": true })
    );
}
