//! Every query parameter the kept spec documents is reachable through the typed API: each
//! listing is called with every setter set, and the simulator's request log must show each
//! parameter in the query. The table is checked against the spec, so a parameter a new spec
//! adds fails here until the typed API can send it.
#![cfg(feature = "mock")]

use std::collections::BTreeSet;

use edfi_admin_client::mock::Simulator;
use edfi_admin_client::types::SortDirection;
use futures::TryStreamExt;
use serde_json::Value;

/// `(operation id, query parameter)` for every query parameter of the kept spec.
fn documented() -> BTreeSet<(String, String)> {
    let spec: Value = serde_json::from_str(include_str!("../spec/admin-api-2.3.json")).unwrap();
    let mut out = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (m, op) in item.as_object().unwrap() {
            if m == "parameters" {
                continue;
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query" {
                    out.insert((
                        op["operationId"].as_str().unwrap().to_owned(),
                        p["name"].as_str().unwrap().to_owned(),
                    ));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn every_documented_query_parameter_has_a_setter_that_sends_it() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let mut covered = BTreeSet::new();
    let mut failures = Vec::new();
    // Each listing with all its filters (values that match nothing are fine: the request is
    // what is checked), then the first request it sent.
    macro_rules! sent {
        ($op:literal, [$($p:literal),*], $listing:expr) => {{
            let before = sim.requests().len();
            let listed: Result<Vec<_>, _> = $listing.page_size(5).stream().try_collect().await;
            if let Err(e) = listed {
                failures.push(format!("{}: {e}", $op));
            }
            let log = sim.requests();
            let first = log[before..]
                .iter()
                .find(|r| r.request.url.path().contains("/v2/"));
            for p in ["offset", "limit", $($p),*] {
                match first {
                    Some(r) if r.request.url.query_pairs().any(|(k, _)| k == p) => {
                        covered.insert(($op.to_owned(), p.to_owned()));
                    }
                    _ => failures.push(format!("{}: `{p}` not sent", $op)),
                }
            }
        }};
    }
    let by = || SortDirection::Descending;
    let s = c.security();
    sent!(
        "listActions",
        ["orderBy", "direction", "id", "name"],
        s.actions()
            .order_by("id")
            .direction(by())
            .id(1)
            .name("Read")
    );
    sent!(
        "listAuthorizationStrategies",
        ["orderBy", "direction"],
        s.authorization_strategies().order_by("id").direction(by())
    );
    sent!(
        "listResourceClaims",
        ["orderBy", "direction", "id", "name"],
        s.resource_claims()
            .order_by("id")
            .direction(by())
            .id(1)
            .name("types")
    );
    sent!(
        "listResourceClaimActions",
        ["orderBy", "direction", "resourceName"],
        s.resource_claim_actions()
            .order_by("resourceName")
            .direction(by())
            .resource_name("types")
    );
    sent!(
        "listResourceClaimActionAuthStrategies",
        ["orderBy", "direction", "resourceName"],
        s.resource_claim_action_auth_strategies()
            .order_by("id")
            .direction(by())
            .resource_name("types")
    );
    sent!(
        "listClaimSets",
        ["orderBy", "direction", "id", "name"],
        c.claim_sets()
            .list()
            .order_by("name")
            .direction(by())
            .id(1)
            .name("SIS Vendor")
    );
    sent!(
        "listVendors",
        [
            "orderBy",
            "direction",
            "id",
            "company",
            "namespacePrefixes",
            "contactName",
            "contactEmailAddress"
        ],
        c.vendors()
            .list()
            .order_by("company")
            .direction(by())
            .id(1)
            .company("C")
            .namespace_prefixes("uri://x")
            .contact_name("N")
            .contact_email_address("n@x.example")
    );
    sent!(
        "listApplications",
        [
            "orderBy",
            "direction",
            "id",
            "applicationName",
            "claimsetName",
            "ids"
        ],
        c.applications()
            .list()
            .order_by("id")
            .direction(by())
            .id(1)
            .application_name("A")
            .claimset_name("SIS Vendor")
            .ids("1,2")
    );
    sent!(
        "listOdsInstances",
        ["orderBy", "direction", "id", "name", "instanceType"],
        c.ods_instances()
            .list()
            .order_by("name")
            .direction(by())
            .id(1)
            .name("EdFi_Ods")
            .instance_type("OdsInstance")
    );
    sent!(
        "listOdsInstanceContexts",
        ["orderBy", "direction"],
        c.ods_instance_contexts()
            .list()
            .order_by("id")
            .direction(by())
    );
    sent!(
        "listOdsInstanceDerivatives",
        ["orderBy", "direction"],
        c.ods_instance_derivatives()
            .list()
            .order_by("id")
            .direction(by())
    );
    sent!(
        "listProfiles",
        ["orderBy", "direction", "id", "name"],
        c.profiles()
            .list()
            .order_by("name")
            .direction(by())
            .id(1)
            .name("P")
    );
    // `GET /v2/apiclients` pages nothing: its one parameter is the application.
    let before = sim.requests().len();
    if let Err(e) = c
        .api_clients()
        .list(1)
        .stream()
        .try_collect::<Vec<_>>()
        .await
    {
        failures.push(format!("listApiclients: {e}"));
    }
    let log = sim.requests();
    if log[before..].iter().any(|r| {
        r.request.url.path().ends_with("/v2/apiclients")
            && r.request
                .url
                .query_pairs()
                .any(|(k, v)| k == "applicationid" && v == "1")
    }) {
        covered.insert(("listApiclients".to_owned(), "applicationid".to_owned()));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let missing: Vec<_> = documented().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "documented query parameters without a setter: {missing:?}"
    );
}
