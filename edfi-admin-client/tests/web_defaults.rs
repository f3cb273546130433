//! The simulator reads requests as the real server (ASP.NET Core, web defaults) does, for
//! requests a non-Rust client sends: mixed-case paths and a trailing slash, PascalCase
//! properties, numbers as JSON strings, action and tenant names in any case; a `/v1` route on a
//! v2 server is 400; validation reports every failure of a request at once (issue #13).
#![cfg(feature = "mock")]

use edfi_admin_client::error::{AdminApiError, admin_error};
use edfi_admin_client::mock::Simulator;
use edu_common::Error;
use serde_json::{Value, json};

async fn get(c: &edfi_admin_client::Client, path: &str) -> edu_common::Result<Value> {
    c.transport().get(path).send_json().await
}

/// POSTs raw JSON; returns the id in the `Location` header.
async fn post(c: &edfi_admin_client::Client, path: &str, body: Value) -> edu_common::Result<i64> {
    let resp = c.transport().post(path).json(&body).send().await?;
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(location
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or(0))
}

#[tokio::test]
async fn routing_ignores_case_and_a_trailing_slash() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for path in [
        "V2/vendors",
        "v2/Profiles/",
        "v2/OdsInstanceContexts/",
        "v2/CLAIMSETS",
        "v2/claimsets/1",
    ] {
        get(&c, path)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[tokio::test]
async fn properties_match_in_any_case_and_numbers_may_be_strings() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let vendor = post(
        &c,
        "v2/vendors",
        json!({"Company": "Acme", "ContactName": "Ann", "CONTACTEMAILADDRESS": "ann@acme.example", "namespaceprefixes": "uri://acme.org"}),
    )
    .await
    .unwrap();
    let v = get(&c, &format!("v2/vendors/{vendor}")).await.unwrap();
    assert_eq!(v["company"], "Acme");
    assert_eq!(v["contactEmailAddress"], "ann@acme.example");
    let app = post(
        &c,
        "v2/applications",
        json!({
            "ApplicationName": "Web SIS",
            "VendorId": vendor.to_string(),
            "ClaimSetName": "SIS Vendor",
            "EducationOrganizationIds": ["255901"],
            "OdsInstanceIds": ["1"],
        }),
    )
    .await
    .unwrap();
    let a = get(&c, &format!("v2/applications/{app}")).await.unwrap();
    assert_eq!(a["applicationName"], "Web SIS");
    assert_eq!(a["vendorId"], vendor);
}

#[tokio::test]
async fn action_names_match_in_any_case() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let set = post(&c, "v2/claimSets", json!({"Name": "Web Test Set"}))
        .await
        .unwrap();
    let claims = get(&c, "v2/resourceClaims").await.unwrap();
    let claim = claims[0]["id"].as_i64().unwrap();
    c.transport()
        .post(&format!("v2/claimSets/{set}/resourceClaimActions"))
        .json(&json!({"ResourceClaimId": claim, "ResourceClaimActions": [{"Name": "READ", "Enabled": true}]}))
        .send()
        .await
        .unwrap();
    let s = get(&c, &format!("v2/claimSets/{set}")).await.unwrap();
    let shown = s["resourceClaims"].to_string();
    assert!(shown.contains("\"Read\""), "{shown}");
}

#[tokio::test]
async fn tenant_names_match_in_any_case() {
    let sim = Simulator::builder()
        .tenants(["Tenant1", "Tenant2"])
        .start()
        .await;
    let c = sim.tenant_client("tenant1");
    get(&c, "v2/vendors").await.unwrap();
    // The tenants endpoint too: asked for `tenant2`, it answers `Tenant2`.
    let t = get(&c, "v2/tenants/tenant2").await.unwrap();
    assert!(t.to_string().contains("Tenant2"), "{t}");
    assert!(get(&c, "v2/tenants/tenant3").await.is_err());
}

#[tokio::test]
async fn an_unknown_tenant_is_a_typed_error() {
    let sim = Simulator::builder().tenants(["Tenant1"]).start().await;
    let err = get(&sim.tenant_client("nope"), "v2/vendors")
        .await
        .unwrap_err();
    assert!(
        matches!(admin_error(&err), Some(AdminApiError::UnknownTenant { ref message }) if message.contains("nope")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_v1_route_on_a_v2_server_is_400() {
    let sim = Simulator::start().await;
    let err = get(&sim.client(), "v1/vendors").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        matches!(admin_error(&err), Some(AdminApiError::Message { ref message }) if message == "Wrong API version for this instance mode."),
        "{err:?}"
    );
}

#[tokio::test]
async fn validation_reports_every_failure_at_once() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let set = post(&c, "v2/claimSets", json!({"name": "Override Set"}))
        .await
        .unwrap();
    let err: Error = c
        .transport()
        .post(&format!(
            "v2/claimSets/{set}/resourceClaimActions/999999/overrideAuthorizationStrategy"
        ))
        .json(&json!({"actionName": "Fly", "authorizationStrategies": ["NoSuchStrategy"]}))
        .send()
        .await
        .unwrap_err();
    let e = admin_error(&err).unwrap();
    for key in ["ResourceClaim", "actionname", "AuthorizationStrategies"] {
        assert!(e.field_errors(key).is_some(), "{key} missing in {e:?}");
    }
}

/// Deleting a claim set or an ODS instance that an application uses is refused, however the
/// application named them (another case, ids as strings, PascalCase properties).
#[tokio::test]
async fn deletes_of_what_an_application_uses_are_refused_however_it_was_created() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let vendor = post(
        &c,
        "v2/vendors",
        json!({"Company": "Acme", "ContactName": "Ann", "ContactEmailAddress": "ann@acme.example"}),
    )
    .await
    .unwrap();
    let set = post(&c, "v2/claimSets", json!({"Name": "Mixed Case Set"}))
        .await
        .unwrap();
    let instance = post(
        &c,
        "v2/odsInstances",
        json!({"Name": "Second", "InstanceType": "OdsInstance", "ConnectionString": "host=x"}),
    )
    .await
    .unwrap();
    post(
        &c,
        "v2/applications",
        json!({
            "ApplicationName": "Uses both",
            "VendorId": vendor.to_string(),
            "ClaimSetName": "mixed case set",
            "EducationOrganizationIds": ["255901"],
            "OdsInstanceIds": [instance.to_string()],
        }),
    )
    .await
    .unwrap();
    for path in [
        format!("v2/claimSets/{set}"),
        format!("v2/odsInstances/{instance}"),
    ] {
        let err = c.transport().delete(&path).send().await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{path}: {err}");
    }
}
