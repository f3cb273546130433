//! Writes built field by field, with no struct literal and no JSON: each read back from the
//! simulator with the fields it set.
#![cfg(feature = "mock")]

use edfi_admin_client::mock::Simulator;
use edfi_admin_client::operations::PostClaimSetsResourceClaimActionsByClaimSetId;
use futures::TryStreamExt;

#[tokio::test]
async fn records_written_with_the_builders_read_back_with_their_fields() {
    let sim = Simulator::start().await;
    let client = sim.client();

    // A vendor, then the same vendor with its namespace prefixes cleared by an explicit null.
    let vendor = client
        .vendors()
        .create_with(|v| {
            v.company("Acme Learning")
                .contact_name("Ann Example")
                .contact_email_address("ann@acme.example")
                .namespace_prefixes("uri://acme.example")
        })
        .await
        .expect("a vendor");
    let got = client.vendors().get(vendor).await.expect("the vendor");
    assert_eq!(got.company.as_deref(), Some("Acme Learning"));
    assert_eq!(
        got.namespace_prefixes.as_deref(),
        Some("uri://acme.example")
    );
    sim.log_requests(true);
    client
        .vendors()
        .update_with(vendor, |v| {
            v.company("Acme Learning BV")
                .contact_name("Ann Example")
                .contact_email_address("ann@acme.example")
                .clear_namespace_prefixes()
        })
        .await
        .expect("the vendor replaced");
    let put = sim
        .requests()
        .into_iter()
        .find(|r| r.request.method == http::Method::PUT)
        .expect("the PUT was logged");
    let sent: serde_json::Value = serde_json::from_slice(&put.request.body).expect("a JSON body");
    assert_eq!(sent["namespacePrefixes"], serde_json::Value::Null, "{sent}");
    assert!(
        sent.as_object()
            .is_some_and(|b| b.contains_key("namespacePrefixes")),
        "{sent}"
    );
    let got = client.vendors().get(vendor).await.expect("the vendor");
    assert_eq!(got.company.as_deref(), Some("Acme Learning BV"));
    assert!(
        got.namespace_prefixes
            .as_deref()
            .unwrap_or_default()
            .is_empty(),
        "{got:?}"
    );

    // An ODS instance, then an application with lists of ids.
    let instance = client
        .ods_instances()
        .create_with(|i| {
            i.name("District A")
                .instance_type("OdsInstance")
                .connection_string("Host=db;Database=ods_a;")
        })
        .await
        .expect("an ODS instance");
    let got = client
        .ods_instances()
        .get(instance)
        .await
        .expect("the instance");
    assert_eq!(got.name.as_deref(), Some("District A"));
    assert_eq!(got.instance_type.as_deref(), Some("OdsInstance"));
    let app = client
        .applications()
        .create_with(|a| {
            a.application_name("SIS sync")
                .vendor_id(vendor)
                .claim_set_name("SIS Vendor")
                .education_organization_ids([255_901, 255_902])
                .ods_instance_ids([instance])
        })
        .await
        .expect("an application");
    let got = client
        .applications()
        .get(app.id)
        .await
        .expect("the application");
    assert_eq!(got.application_name.as_deref(), Some("SIS sync"));
    assert_eq!(got.education_organization_ids, Some(vec![255_901, 255_902]));
    assert_eq!(got.ods_instance_ids, Some(vec![instance]));

    // A claim set, and a resource claim on it with an action built as a nested item.
    let claim_set = client
        .claim_sets()
        .create("Writes test")
        .await
        .expect("a claim set");
    let resource = client
        .security()
        .resource_claims()
        .stream()
        .try_next()
        .await
        .expect("the resource claims")
        .expect("at least one resource claim");
    let resource_id = resource.id.expect("a resource claim's id");
    PostClaimSetsResourceClaimActionsByClaimSetId::new(&client, claim_set)
        .resource_claim_id(resource_id)
        .add_resource_claim_action(|a| a.name("Read").enabled(true))
        .add_resource_claim_action(|a| a.name("Create").enabled(false))
        .await
        .expect("the resource claim added");
    let got = client
        .claim_sets()
        .get(claim_set)
        .await
        .expect("the claim set");
    let claims = got.resource_claims.unwrap_or_default();
    let added = claims
        .iter()
        .find(|c| c.id == Some(resource_id))
        .unwrap_or_else(|| panic!("resource claim {resource_id} in {claims:?}"));
    let actions = added.actions.clone().unwrap_or_default();
    let enabled = |name: &str| {
        actions
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .and_then(|a| a.enabled)
    };
    assert_eq!(enabled("Read"), Some(true), "{actions:?}");
    assert_eq!(enabled("Create"), Some(false), "{actions:?}");
}
