//! The API adds values and fields; the SDK keeps them (issue #14): an unknown string enum value
//! decodes as `Other(value)`, and an unknown field lands in `extra` and is sent back as it came.

mod support;

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

/// Sparse records decode through every typed listing and get: the published responses require
/// no property, and the workspace's rule (only identifiers required) keeps it so, so a server
/// that leaves every property out (`{}`) still decodes.
#[tokio::test]
async fn every_typed_listing_and_get_decodes_sparse_records() {
    use futures::TryStreamExt;
    use wiremock::matchers::{method, path_regex};
    use wiremock::{Mock, ResponseTemplate};
    let (server, c) = support::token_server().await;
    // A record by id (a path ending in a number or a tenant's name): one empty object.
    Mock::given(method("GET"))
        .and(path_regex(r"^/v2/[A-Za-z]+/[^/]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    // A listing: one empty record (a short page, so the last).
    Mock::given(method("GET"))
        .and(path_regex(r"^/v2/[A-Za-z]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([{}])))
        .mount(&server)
        .await;
    macro_rules! one {
        ($listing:expr) => {{
            let items: Vec<_> = $listing.stream().try_collect().await.unwrap();
            assert_eq!(items.len(), 1, "{}", stringify!($listing));
        }};
    }
    let s = c.security();
    one!(s.actions());
    one!(s.authorization_strategies());
    one!(s.resource_claims());
    one!(s.resource_claim_actions());
    one!(s.resource_claim_action_auth_strategies());
    one!(c.vendors().list());
    one!(c.applications().list());
    one!(c.api_clients().list(1));
    one!(c.claim_sets().list());
    one!(c.profiles().list());
    one!(c.ods_instances().list());
    one!(c.ods_instance_contexts().list());
    one!(c.ods_instance_derivatives().list());
    one!(c.tenants().list());
    assert!(c.vendors().get(1).await.unwrap().company.is_none());
    assert!(
        c.applications()
            .get(1)
            .await
            .unwrap()
            .application_name
            .is_none()
    );
    assert!(c.api_clients().get(1).await.unwrap().name.is_none());
    assert!(c.claim_sets().get(1).await.unwrap().name.is_none());
    assert!(c.profiles().get(1).await.unwrap().name.is_none());
    assert!(c.ods_instances().get(1).await.unwrap().name.is_none());
    assert!(
        c.ods_instance_contexts()
            .get(1)
            .await
            .unwrap()
            .context_key
            .is_none()
    );
    assert!(
        c.ods_instance_derivatives()
            .get(1)
            .await
            .unwrap()
            .derivative_type
            .is_none()
    );
    assert!(s.resource_claim(1).await.unwrap().name.is_none());
    assert!(c.tenants().get("t").await.unwrap().tenant_name.is_none());
}
