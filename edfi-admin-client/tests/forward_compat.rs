//! The API adds values and fields; the SDK keeps them (issue #14): an unknown string enum value
//! decodes as `Other(value)`, and an unknown field lands in `extra` and is sent back as it came.

use edfi_admin_client::types::{SortDirection, VendorModel};

#[test]
fn an_unknown_enum_value_and_an_unknown_field_are_kept() {
    let d: SortDirection = serde_json::from_value(serde_json::json!("Sideways")).unwrap();
    assert_eq!(d, SortDirection::Other("Sideways".into()));
    assert_eq!(serde_json::to_value(&d).unwrap(), "Sideways");

    let record = serde_json::json!({
        "id": 3, "company": "Acme", "namespacePrefixes": "uri://acme.example",
        "contactName": "Ann", "contactEmailAddress": "ann@acme.example",
        "region": {"name": "North"}
    });
    let v: VendorModel = serde_json::from_value(record.clone()).unwrap();
    assert_eq!(v.company.as_deref(), Some("Acme"));
    assert_eq!(v.extra["region"], record["region"]);
    assert_eq!(
        serde_json::to_value(&v).unwrap()["region"],
        record["region"]
    );
}
