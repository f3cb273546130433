//! The API adds values and fields; the SDK keeps them (issue #14): a string enum value the spec
//! does not list decodes as `Other(value)`, a field it does not list lands in `extra`.

use eduv_education_client::types::BoardIdType;

#[test]
fn an_unknown_enum_value_is_kept() {
    let v: BoardIdType = serde_json::from_value(serde_json::json!("A_NEW_ID_TYPE")).unwrap();
    assert_eq!(v, BoardIdType::Other("A_NEW_ID_TYPE".into()));
    assert_eq!(v.to_string(), "A_NEW_ID_TYPE");
    assert_eq!(serde_json::to_value(&v).unwrap(), "A_NEW_ID_TYPE");
}

#[test]
fn an_unknown_field_is_kept() {
    let record = serde_json::json!({
        "organisationIdType": "A_NEW_ID_TYPE",
        "organisationId": "12AB",
        "addedIn2027": [1, 2]
    });
    let b: eduv_education_client::types::BoardReferenceOrganisationIdsItem =
        serde_json::from_value(record.clone()).unwrap();
    assert_eq!(b.extra["addedIn2027"], record["addedIn2027"]);
    assert_eq!(
        serde_json::to_value(&b).unwrap()["addedIn2027"],
        record["addedIn2027"]
    );
}
