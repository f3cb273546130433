//! A string enum value the spec does not list decodes as `Other(value)` (issue #14).

use eduv_education_client::types::BoardIdType;

#[test]
fn an_unknown_enum_value_is_kept() {
    let v: BoardIdType = serde_json::from_value(serde_json::json!("A_NEW_ID_TYPE")).unwrap();
    assert_eq!(v, BoardIdType::Other("A_NEW_ID_TYPE".into()));
    assert_eq!(v.to_string(), "A_NEW_ID_TYPE");
    assert_eq!(serde_json::to_value(&v).unwrap(), "A_NEW_ID_TYPE");
}
