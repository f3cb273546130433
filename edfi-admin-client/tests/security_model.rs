//! The simulator's security model is an ODS's (issue #13): by default the resource-claim
//! hierarchy of an ODS/API 7.x deployment, or one a test loads through the builder, so claim-set
//! import, resource-claim filters and their errors behave as on that deployment.
#![cfg(feature = "mock")]

use edfi_admin_client::error::{AdminApiError, admin_error};
use edfi_admin_client::mock::{ResourceClaim, Simulator};
use futures::TryStreamExt;
use serde_json::{Value, json};

async fn claims(c: &edfi_admin_client::Client, query: &str) -> Vec<Value> {
    c.transport()
        .get(&format!("v2/resourceClaims{query}"))
        .send_json()
        .await
        .unwrap()
}

/// Imports a claim set from raw JSON; the validation messages when refused.
async fn import(c: &edfi_admin_client::Client, body: Value) -> Result<(), Vec<String>> {
    match c
        .transport()
        .post("v2/claimSets/import")
        .json(&body)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(err) => match admin_error(&err) {
            Some(AdminApiError::Validation { errors, .. }) => {
                Err(errors.into_values().flatten().collect())
            }
            other => panic!("expected a validation error, got {other:?}"),
        },
    }
}

#[tokio::test]
async fn the_default_hierarchy_is_an_ods_7_deployments() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let roots = claims(&c, "?limit=100").await;
    let names: Vec<&str> = roots.iter().filter_map(|r| r["name"].as_str()).collect();
    for domain in [
        "systemDescriptors",
        "educationOrganizations",
        "people",
        "educationStandards",
        "primaryRelationships",
        "tpdm",
    ] {
        assert!(names.contains(&domain), "{domain} in {names:?}");
    }
    let standards = claims(&c, "?name=educationStandards").await;
    assert_eq!(standards.len(), 1);
    let children: Vec<&str> = standards[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(children.contains(&"learningStandard"), "{children:?}");
    let descriptor = c.security().resource_claim(214).await.unwrap();
    assert_eq!(
        descriptor.name.as_deref(),
        Some("publicationStatusDescriptor")
    );
    assert_eq!(descriptor.parent_name.as_deref(), Some("systemDescriptors"));
    let candidate = c.security().resource_claim(380).await.unwrap();
    assert_eq!(candidate.parent_name.as_deref(), Some("people"));
    let actions: Vec<_> = c
        .security()
        .resource_claim_actions()
        .resource_name("candidate")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(
        actions[0].claim_name.as_deref(),
        Some("http://ed-fi.org/ods/identity/claims/tpdm/candidate")
    );
}

#[tokio::test]
async fn claim_set_import_follows_the_hierarchy() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let read = json!([{"name": "Read", "enabled": true}]);
    import(
        &c,
        json!({"name": "Standards reader", "resourceClaims": [
            {"name": "educationStandards", "actions": read, "children": [
                {"name": "learningStandard", "actions": read}
            ]}
        ]}),
    )
    .await
    .unwrap();
    let messages = import(
        &c,
        json!({"name": "Misplaced", "resourceClaims": [
            {"name": "people", "actions": read, "children": [
                {"name": "learningStandard", "actions": read}
            ]},
            {"name": "shoeSizes", "actions": read}
        ]}),
    )
    .await
    .unwrap_err();
    assert!(
        messages.iter().any(|m| m
            == "Child resource: 'learningStandard' added to the wrong parent resource. Correct parent resource is: 'educationStandards'."),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("not in the system") && m.contains("'shoeSizes'")),
        "{messages:?}"
    );
    // The server's order for one claim: a name given twice among its siblings (said once),
    // the actions, a claim the system lacks, a strategy the system lacks.
    let none: Value = json!([{"name": "Read", "enabled": false}]);
    let messages = import(
        &c,
        json!({"name": "Ordered", "resourceClaims": [
            {"name": "shoeSizes", "actions": none, "authorizationStrategyOverridesForCRUD": [
                {"actionName": "Read", "authorizationStrategies": [{"authStrategyName": "ByShoeSize"}]}
            ]},
            {"name": "shoeSizes", "actions": read}
        ]}),
    )
    .await
    .unwrap_err();
    assert_eq!(messages.len(), 5, "{messages:?}");
    assert!(
        messages[0].contains("duplicate resource: 'shoeSizes'"),
        "{messages:?}"
    );
    assert!(messages[1].contains("at least one action"), "{messages:?}");
    assert!(messages[2].contains("not in the system"), "{messages:?}");
    assert!(
        messages[3].contains("Authorization strategy: 'ByShoeSize'"),
        "{messages:?}"
    );
    assert!(messages[4].contains("not in the system"), "{messages:?}");
}

#[tokio::test]
async fn a_test_loads_its_own_hierarchy() {
    // As `GET /v2/resourceClaims` answers on the deployment the test stands in for.
    let exported = json!([
        {"id": 1, "name": "domainOne", "children": [
            {"id": 2, "name": "leafA", "children": []},
            {"id": 3, "name": "leafB", "children": []}
        ]},
        {"id": 10, "name": "domainTwo", "children": []}
    ]);
    let hierarchy = ResourceClaim::from_tree(&exported).unwrap();
    let extra = ResourceClaim::new(20, "changes")
        .actions(["Read", "ReadChanges"])
        .default_strategy("NamespaceBased");
    let sim = Simulator::builder()
        .resource_claims(hierarchy.into_iter().chain([extra]))
        .start()
        .await;
    let c = sim.client();
    let roots = claims(&c, "").await;
    let names: Vec<&str> = roots.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(
        names,
        ["changes", "domainOne", "domainTwo"],
        "ordered by name"
    );
    assert_eq!(roots[1]["children"].as_array().unwrap().len(), 2);
    let changes = c
        .transport()
        .get("v2/resourceClaimActionAuthStrategies?resourceName=changes")
        .send_json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        changes[0]["authorizationStrategiesForActions"][1]["authorizationStrategies"][0]["authStrategyName"],
        "NamespaceBased"
    );
    // The seeded claim sets are built from this hierarchy.
    let sandbox = c
        .claim_sets()
        .by_name("Ed-Fi Sandbox")
        .await
        .unwrap()
        .unwrap();
    let detail = c.claim_sets().get(sandbox.id.unwrap()).await.unwrap();
    assert_eq!(detail.resource_claims.unwrap().len(), 3);
    // Import follows it: a resource of the default hierarchy is not in this one.
    let messages = import(
        &c,
        json!({"name": "Wrong system", "resourceClaims": [
            {"name": "educationStandards", "actions": [{"name": "Read", "enabled": true}]}
        ]}),
    )
    .await
    .unwrap_err();
    assert!(messages[0].contains("'educationStandards'"), "{messages:?}");
}

#[tokio::test]
async fn a_hierarchy_with_a_missing_parent_is_refused_at_start() {
    let err = Simulator::builder()
        .resource_claims([ResourceClaim::new(2, "orphan").parent(1)])
        .try_start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("parent 1"), "{err}");
    assert!(ResourceClaim::from_tree(&json!({"not": "a tree"})).is_err());
    assert!(ResourceClaim::from_tree(&json!([{"id": 1}])).is_err());
}
