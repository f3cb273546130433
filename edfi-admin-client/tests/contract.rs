//! Contract tests: every operation of the 2.3 spec driven through the hand-written layer (and so
//! through the generated client) against the simulator, the state each one leaves checked, and the
//! error bodies of the resources beyond vendors and applications.
#![cfg(feature = "mock")]

mod support;

use std::collections::BTreeSet;

use edfi_admin_client::error::{AdminApiError, admin_error};
use edfi_admin_client::mock::Simulator;
use edfi_admin_client::resources::enabled_actions;
use edfi_admin_client::{Client, NewApplication, NewVendor, register, types};
use edu_common::Error;
use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};

const PROFILE: &str = r#"<Profile name="Read-Only Students"><Resource name="Student"><ReadContentType memberSelection="IncludeAll"/></Resource></Profile>"#;

/// The `(method, route)` of every operation in the kept spec, ids shown as `{}`.
fn spec_operations() -> BTreeSet<(String, String)> {
    let spec: serde_json::Value =
        serde_json::from_str(include_str!("../spec/admin-api-2.3.json")).unwrap();
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let route: Vec<String> = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "{}".to_owned()
                } else {
                    s.to_owned()
                }
            })
            .collect();
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), route.join("/")));
            }
        }
    }
    ops
}

async fn collect<T>(s: edu_common::paginate::ItemStream<T>) -> Vec<T> {
    s.try_collect().await.unwrap()
}

fn validation_keys(err: &Error) -> Vec<String> {
    match admin_error(err) {
        Some(AdminApiError::Validation { errors, .. }) => errors.into_keys().collect(),
        other => panic!("expected a validation error, got {other:?} from {err:?}"),
    }
}

#[tokio::test]
async fn every_operation_in_the_spec_is_driven_through_the_handlers() {
    let sim = Simulator::start().await;
    let secret = SecretString::from("Contract-Secret-0123456789-abcdef!");
    register(&sim.base_url(), "contract", &secret, "Contract tests", None)
        .await
        .unwrap();
    let c = Client::builder()
        .base_url(sim.base_url())
        .client_credentials("contract", secret.expose_secret())
        .build()
        .unwrap();

    assert_eq!(
        c.information().await.unwrap().version.as_deref(),
        Some("2.0")
    );

    // The security model.
    let actions = collect(c.security().actions().stream()).await;
    assert!(
        actions
            .iter()
            .any(|a| a.name.as_deref() == Some("ReadChanges"))
    );
    let strategies = collect(c.security().authorization_strategies().stream()).await;
    assert!(
        strategies
            .iter()
            .any(|s| s.name.as_deref() == Some("NoFurtherAuthorizationRequired"))
    );
    let roots = collect(c.security().resource_claims().stream()).await;
    let people = roots
        .iter()
        .find(|r| r.name.as_deref() == Some("people"))
        .unwrap();
    let student = people
        .children
        .iter()
        .flatten()
        .find(|r| r.name.as_deref() == Some("student"))
        .unwrap();
    let student_id = student.id.unwrap();
    let one = c.security().resource_claim(student_id).await.unwrap();
    assert_eq!(one.parent_name.as_deref(), Some("people"));
    let claim_actions = collect(c.security().resource_claim_actions().stream()).await;
    assert!(
        claim_actions
            .iter()
            .any(|a| a.resource_claim_id == Some(student_id))
    );
    let defaults = collect(
        c.security()
            .resource_claim_action_auth_strategies()
            .stream(),
    )
    .await;
    assert!(!defaults.is_empty());

    let tenants = c.tenants().list().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(
        c.tenants()
            .get("default")
            .await
            .unwrap()
            .tenant_name
            .as_deref(),
        Some("default")
    );

    // Vendors.
    let vendor = c
        .vendors()
        .create(&NewVendor::new(
            "Contract Co",
            "Ann",
            "ann@contract.example",
        ))
        .await
        .unwrap();
    let edit = types::EditVendorRequest::try_from(
        types::EditVendorRequest::builder()
            .company("Contract Company")
            .contact_name("Ann")
            .contact_email_address("ann@contract.example")
            .namespace_prefixes(Some("uri://contract.example".into())),
    )
    .unwrap();
    c.vendors().update(vendor, &edit).await.unwrap();
    assert_eq!(
        c.vendors().get(vendor).await.unwrap().company.as_deref(),
        Some("Contract Company")
    );
    assert_eq!(collect(c.vendors().list().stream()).await.len(), 1);

    // Profiles.
    let profile = c
        .profiles()
        .create("Read-Only Students", PROFILE)
        .await
        .unwrap();
    c.profiles()
        .update(
            profile,
            "Read-Only Students",
            PROFILE.replace("IncludeAll", "IncludeOnly"),
        )
        .await
        .unwrap();
    assert!(
        c.profiles()
            .get(profile)
            .await
            .unwrap()
            .definition
            .unwrap()
            .contains("IncludeOnly")
    );
    assert_eq!(collect(c.profiles().list().stream()).await.len(), 1);

    // ODS instances, contexts and derivatives.
    let instance = c
        .ods_instances()
        .create(
            &types::AddOdsInstanceRequest::try_from(
                types::AddOdsInstanceRequest::builder()
                    .name("District 2026")
                    .instance_type(Some("DistrictSpecific".into()))
                    .connection_string("Host=db;Database=EdFi_Ods_2026;Username=app"),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    c.ods_instances()
        .update(
            instance,
            &types::EditOdsInstanceRequest::try_from(
                types::EditOdsInstanceRequest::builder()
                    .name(Some("District 2026-27".into()))
                    .instance_type(Some("DistrictSpecific".into())),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let context = c
        .ods_instance_contexts()
        .create(
            &types::AddOdsInstanceContextRequest::try_from(
                types::AddOdsInstanceContextRequest::builder()
                    .ods_instance_id(instance)
                    .context_key("schoolYear")
                    .context_value("2026"),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    c.ods_instance_contexts()
        .update(
            context,
            &types::EditOdsInstanceContextRequest::try_from(
                types::EditOdsInstanceContextRequest::builder()
                    .ods_instance_id(instance)
                    .context_key("schoolYear")
                    .context_value("2027"),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        c.ods_instance_contexts()
            .get(context)
            .await
            .unwrap()
            .context_value
            .as_deref(),
        Some("2027")
    );
    assert_eq!(
        collect(c.ods_instance_contexts().list().stream())
            .await
            .len(),
        1
    );
    let derivative = c
        .ods_instance_derivatives()
        .create(
            &types::AddOdsInstanceDerivativeRequest::try_from(
                types::AddOdsInstanceDerivativeRequest::builder()
                    .ods_instance_id(instance)
                    .derivative_type("ReadReplica")
                    .connection_string("Host=replica;Database=EdFi_Ods_2026"),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    c.ods_instance_derivatives()
        .update(
            derivative,
            &types::EditOdsInstanceDerivativeRequest::try_from(
                types::EditOdsInstanceDerivativeRequest::builder()
                    .ods_instance_id(Some(instance))
                    .derivative_type(Some("Snapshot".into())),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        c.ods_instance_derivatives()
            .get(derivative)
            .await
            .unwrap()
            .derivative_type
            .as_deref(),
        Some("Snapshot")
    );
    assert_eq!(
        collect(c.ods_instance_derivatives().list().stream())
            .await
            .len(),
        1
    );
    let detail = c.ods_instances().get(instance).await.unwrap();
    assert_eq!(detail.name.as_deref(), Some("District 2026-27"));
    assert_eq!(detail.ods_instance_contexts.map(|v| v.len()), Some(1));
    assert_eq!(detail.ods_instance_derivatives.map(|v| v.len()), Some(1));
    assert_eq!(
        collect(c.ods_instances().list().stream()).await.len(),
        2,
        "the seeded instance and ours"
    );

    // Claim sets and their resource claims.
    let set = c.claim_sets().create("Contract Claims").await.unwrap();
    c.claim_sets()
        .rename(set, "Contract Claim Set")
        .await
        .unwrap();
    c.claim_sets()
        .add_resource_claim(set, people.id.unwrap(), enabled_actions(["Read", "Update"]))
        .await
        .unwrap();
    c.claim_sets()
        .add_resource_claim(set, student_id, enabled_actions(["Read"]))
        .await
        .unwrap();
    c.claim_sets()
        .update_resource_claim(set, student_id, enabled_actions(["Read", "Update"]))
        .await
        .unwrap();
    // A second override of the same action replaces the first.
    for strategy in ["NamespaceBased", "NoFurtherAuthorizationRequired"] {
        c.claim_sets()
            .override_authorization_strategy(set, student_id, "Read", [strategy])
            .await
            .unwrap();
    }
    let got = c.claim_sets().get(set).await.unwrap();
    assert_eq!(got.name.as_deref(), Some("Contract Claim Set"));
    let claims = got.resource_claims.unwrap();
    let on_student = &claims[0].children.as_ref().unwrap()[0];
    assert_eq!(
        on_student.id,
        Some(student_id),
        "the child sits under its parent"
    );
    assert_eq!(on_student.actions.as_ref().unwrap().len(), 2);
    let overrides = on_student
        .authorization_strategy_overrides_for_crud
        .as_ref()
        .unwrap();
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    let strategies = overrides[0].authorization_strategies.as_ref().unwrap();
    assert_eq!(strategies.len(), 1, "the override replaced the first");
    assert_eq!(
        strategies[0].auth_strategy_name.as_deref(),
        Some("NoFurtherAuthorizationRequired")
    );
    c.claim_sets()
        .reset_authorization_strategies(set, student_id)
        .await
        .unwrap();
    let exported = c.claim_sets().export(set).await.unwrap();
    let on_student = &exported.resource_claims.as_ref().unwrap()[0]
        .children
        .as_ref()
        .unwrap()[0];
    assert!(
        on_student
            .authorization_strategy_overrides_for_crud
            .as_ref()
            .unwrap()
            .is_empty()
    );
    let imported = c
        .claim_sets()
        .import("Contract Claim Set (imported)", &exported)
        .await
        .unwrap();
    let copied = c
        .claim_sets()
        .copy(imported, "Contract Claim Set (copy)")
        .await
        .unwrap();
    c.claim_sets()
        .remove_resource_claim(set, student_id)
        .await
        .unwrap();
    let after = c
        .claim_sets()
        .get(set)
        .await
        .unwrap()
        .resource_claims
        .unwrap();
    assert!(after[0].children.as_ref().unwrap().is_empty());
    assert_eq!(collect(c.claim_sets().list().stream()).await.len(), 6);

    // Applications and their API clients.
    let app = NewApplication {
        profile_ids: Some(vec![profile]),
        ..NewApplication::new(
            "Contract SIS",
            vendor,
            "Contract Claim Set",
            [255901],
            [instance],
        )
    };
    let creds = c.applications().create(&app).await.unwrap();
    let mut edit = types::EditApplicationRequest::try_from(
        types::EditApplicationRequest::builder()
            .application_name("Contract SIS sync")
            .claim_set_name(app.claim_set_name.clone())
            .education_organization_ids(vec![255901, 255902])
            .ods_instance_ids(vec![instance])
            .vendor_id(vendor)
            .enabled(Some(true)),
    )
    .unwrap();
    c.applications().update(creds.id, &edit).await.unwrap();
    assert_eq!(
        c.applications()
            .get(creds.id)
            .await
            .unwrap()
            .education_organization_ids
            .map(|ids| ids.len()),
        Some(2)
    );
    assert_eq!(collect(c.applications().list().stream()).await.len(), 1);
    assert_eq!(c.vendors().applications(vendor).await.unwrap().len(), 1);
    assert_eq!(
        c.ods_instances()
            .applications(instance)
            .await
            .unwrap()
            .len(),
        1
    );
    let reset = c.applications().reset_credential(creds.id).await.unwrap();
    assert_ne!(reset.key, creds.key);
    let clients = c.api_clients().list(creds.id).await.unwrap();
    assert_eq!(clients.len(), 1, "an application comes with one API client");
    assert_eq!(
        clients[0].key.as_deref(),
        Some(reset.key.as_str()),
        "holding the current key"
    );
    let extra = c
        .api_clients()
        .create(
            &types::AddApiClientRequest::try_from(
                types::AddApiClientRequest::builder()
                    .application_id(creds.id)
                    .name("Contract SIS (second key)")
                    .is_approved(Some(true))
                    .ods_instance_ids(vec![instance]),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    c.api_clients()
        .update(
            extra.id,
            &types::EditApiClientRequest::try_from(
                types::EditApiClientRequest::builder()
                    .application_id(creds.id)
                    .name("Contract SIS (spare key)")
                    .is_approved(Some(false))
                    .ods_instance_ids(vec![instance]),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let spare = c.api_clients().get(extra.id).await.unwrap();
    assert_eq!(
        (spare.name.as_deref(), spare.is_approved),
        (Some("Contract SIS (spare key)"), Some(false))
    );
    let rotated = c.api_clients().reset_credential(extra.id).await.unwrap();
    assert_ne!(rotated.key, extra.key);
    assert_ne!(rotated.secret.expose_secret(), extra.secret.expose_secret());
    c.api_clients().delete(extra.id).await.unwrap();
    assert_eq!(c.api_clients().list(creds.id).await.unwrap().len(), 1);

    // Tear down, each delete checked.
    edit.claim_set_name = "SIS Vendor".into();
    c.applications().update(creds.id, &edit).await.unwrap();
    for id in [set, imported, copied] {
        c.claim_sets().delete(id).await.unwrap();
    }
    c.applications().delete(creds.id).await.unwrap();
    c.ods_instance_contexts().delete(context).await.unwrap();
    c.ods_instance_derivatives()
        .delete(derivative)
        .await
        .unwrap();
    c.ods_instances().delete(instance).await.unwrap();
    c.profiles().delete(profile).await.unwrap();
    c.vendors().delete(vendor).await.unwrap();
    assert!(
        c.ods_instances()
            .get(instance)
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(c.profiles().get(profile).await.unwrap_err().is_not_found());

    let missing: Vec<_> = spec_operations()
        .difference(&sim.served_routes())
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "operations never answered with a 2xx: {missing:#?}"
    );
    assert_eq!(spec_operations().len(), 63);
    let extra: Vec<_> = sim
        .served_routes()
        .difference(&spec_operations())
        .cloned()
        .collect();
    assert!(extra.is_empty(), "served outside the spec: {extra:#?}");
}

#[tokio::test]
async fn ods_instance_rules_and_bodies() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let bad = types::AddOdsInstanceRequest::try_from(
        types::AddOdsInstanceRequest::builder()
            .name("EdFi_Ods")
            .connection_string("not a connection string"),
    )
    .unwrap();
    let err = c.ods_instances().create(&bad).await.unwrap_err();
    assert_eq!(validation_keys(&err), ["ConnectionString", "Name"]);

    // A context for an unknown instance is a 404 naming the instance, not a 400.
    let err = c
        .ods_instance_contexts()
        .create(
            &types::AddOdsInstanceContextRequest::try_from(
                types::AddOdsInstanceContextRequest::builder()
                    .ods_instance_id(999)
                    .context_key("k")
                    .context_value("v"),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(admin_error(&err), Some(AdminApiError::NotFound { title }) if title.contains("odsInstance with ID 999"))
    );

    let err = c
        .ods_instance_derivatives()
        .create(
            &types::AddOdsInstanceDerivativeRequest::try_from(
                types::AddOdsInstanceDerivativeRequest::builder()
                    .ods_instance_id(1)
                    .derivative_type("Mirror")
                    .connection_string("Host=x"),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["DerivativeType"]);
    // Every rule reports, as FluentValidation does: an instance id of 0 does not hide the
    // derivative type or the connection string.
    let err = c
        .ods_instance_derivatives()
        .create(
            &types::AddOdsInstanceDerivativeRequest::try_from(
                types::AddOdsInstanceDerivativeRequest::builder()
                    .ods_instance_id(0)
                    .derivative_type("Mirror")
                    .connection_string("not a connection string"),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        validation_keys(&err),
        ["ConnectionString", "DerivativeType", "OdsInstanceId"]
    );
    // The combined keys' uniqueness is a rule on the whole request: the empty key.
    let snapshot = types::AddOdsInstanceDerivativeRequest::try_from(
        types::AddOdsInstanceDerivativeRequest::builder()
            .ods_instance_id(1)
            .derivative_type("Snapshot")
            .connection_string("Host=x"),
    )
    .unwrap();
    c.ods_instance_derivatives()
        .create(&snapshot)
        .await
        .unwrap();
    let err = c
        .ods_instance_derivatives()
        .create(&snapshot)
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), [""]);

    // An instance in use cannot be deleted.
    c.ods_instance_contexts()
        .create(
            &types::AddOdsInstanceContextRequest::try_from(
                types::AddOdsInstanceContextRequest::builder()
                    .ods_instance_id(1)
                    .context_key("schoolYear")
                    .context_value("2026"),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let err = c
        .ods_instance_contexts()
        .create(
            &types::AddOdsInstanceContextRequest::try_from(
                types::AddOdsInstanceContextRequest::builder()
                    .ods_instance_id(1)
                    .context_key("SCHOOLYEAR")
                    .context_value("2027"),
            )
            .unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), [""], "keys compare without case");
    let err = c.ods_instances().delete(1).await.unwrap_err();
    match admin_error(&err) {
        Some(AdminApiError::Validation { errors, .. }) => {
            assert!(
                errors["Id"][0].contains("OdsInstanceContexts"),
                "{errors:?}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn claim_set_and_profile_rules_and_bodies() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let err = c
        .profiles()
        .create("Other Name", PROFILE)
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["Definition"]);
    // The definition is checked against the profile schema, on create and on replace.
    let misplaced = r#"<Profile name="Bad"><Resource name="Student"><test/></Resource></Profile>"#;
    let good = c
        .profiles()
        .create("Read-Only Students", PROFILE)
        .await
        .unwrap();
    for err in [
        c.profiles().create("Bad", misplaced).await.unwrap_err(),
        c.profiles()
            .update(good, "Bad", misplaced)
            .await
            .unwrap_err(),
    ] {
        match admin_error(&err) {
            Some(AdminApiError::Validation { errors, .. }) => {
                let msgs = &errors["Definition"];
                assert_eq!(msgs.len(), 1, "{msgs:?}");
                assert!(
                    msgs[0].contains("'test'") && msgs[0].contains("ReadContentType"),
                    "{msgs:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    let sets = collect(c.claim_sets().list().stream()).await;
    let sis = c
        .claim_sets()
        .by_name("SIS Vendor")
        .await
        .unwrap()
        .unwrap()
        .id
        .unwrap();
    let first_reserved = sets
        .iter()
        .find(|s| s.is_system_reserved == Some(true))
        .unwrap();
    assert_eq!(
        first_reserved.name.as_deref(),
        Some("AB Connect"),
        "a real EdFi_Admin database's order"
    );
    let reserved = first_reserved.id.unwrap();
    let err = c
        .claim_sets()
        .rename(reserved, "Mine now")
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["id"]);
    match admin_error(&c.claim_sets().delete(reserved).await.unwrap_err()) {
        Some(AdminApiError::Validation { errors, .. }) => {
            assert!(errors["id"][0].contains("(AB Connect) is system reserved"))
        }
        other => panic!("{other:?}"),
    }
    // The server keys a system-reserved refusal of a resource-claim change as each endpoint
    // spells it: `ClaimSetId` on add, modify and override, `claimSetId` on reset and delete.
    let sets_api = c.claim_sets();
    let read = || enabled_actions(["Read"]);
    let add = sets_api.add_resource_claim(reserved, 4, read());
    assert_eq!(validation_keys(&add.await.unwrap_err()), ["ClaimSetId"]);
    let modify = sets_api.update_resource_claim(reserved, 1, read());
    assert_eq!(validation_keys(&modify.await.unwrap_err()), ["ClaimSetId"]);
    let over = sets_api.override_authorization_strategy(reserved, 1, "Read", ["NamespaceBased"]);
    assert_eq!(validation_keys(&over.await.unwrap_err()), ["ClaimSetId"]);
    let reset = sets_api.reset_authorization_strategies(reserved, 1);
    assert_eq!(validation_keys(&reset.await.unwrap_err()), ["claimSetId"]);
    let remove = sets_api.remove_resource_claim(reserved, 1);
    assert_eq!(validation_keys(&remove.await.unwrap_err()), ["claimSetId"]);
    let err = c.claim_sets().create("sis vendor").await.unwrap_err();
    assert_eq!(
        validation_keys(&err),
        ["Name"],
        "names are unique regardless of case"
    );

    // Adding a claim the set already has sets its actions (the server runs one command for
    // add and modify); a claim that is not in the system is named before the action rules.
    c.claim_sets()
        .add_resource_claim(sis, 4, enabled_actions(["Read"]))
        .await
        .unwrap();
    let err = c
        .claim_sets()
        .add_resource_claim(sis, 99_999, enabled_actions([]))
        .await
        .unwrap_err();
    match admin_error(&err) {
        Some(AdminApiError::Validation { errors, .. }) => {
            let msgs = &errors["ResourceClaimActions"];
            assert_eq!(msgs.len(), 2, "{msgs:?}");
            assert!(msgs[0].contains("which is not in the system"), "{msgs:?}");
            assert!(msgs[1].contains("Actions can not be empty"), "{msgs:?}");
        }
        other => panic!("{other:?}"),
    }
    let err = c
        .claim_sets()
        .add_resource_claim(sis, 10, enabled_actions(["Read", "Read", "Fly"]))
        .await
        .unwrap_err();
    match admin_error(&err) {
        Some(AdminApiError::Validation { errors, .. }) => {
            let msgs = &errors["ResourceClaimActions"];
            assert!(
                msgs.contains(&"Read action is duplicated.".to_owned()),
                "{msgs:?}"
            );
            assert!(
                msgs.contains(&"Fly is not a valid action.".to_owned()),
                "{msgs:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Overriding an action the claim does not have enabled (SIS Vendor has Read only on 1).
    let err = c
        .claim_sets()
        .override_authorization_strategy(sis, 1, "Delete", ["NamespaceBased"])
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["Action"]);
    let err = c
        .claim_sets()
        .override_authorization_strategy(sis, 1, "Read", ["NoSuchStrategy"])
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["AuthorizationStrategies"]);
    let err = c
        .claim_sets()
        .reset_authorization_strategies(sis, 10)
        .await
        .unwrap_err();
    assert!(err.is_not_found());

    // A claim set in use by an application cannot be deleted.
    let vendor = c
        .vendors()
        .create(&NewVendor::new("V", "N", "n@v.example"))
        .await
        .unwrap();
    let app = NewApplication {
        profile_ids: Some(vec![42]),
        ..NewApplication::new("Uses SIS", vendor, "SIS Vendor", [1], [1])
    };
    let err = c.applications().create(&app).await.unwrap_err();
    assert_eq!(
        validation_keys(&err),
        ["ProfileIds"],
        "unknown profile ids are named"
    );
    c.applications()
        .create(&NewApplication {
            profile_ids: None,
            ..app
        })
        .await
        .unwrap();
    let err = c.claim_sets().delete(sis).await.unwrap_err();
    match admin_error(&err) {
        Some(AdminApiError::Validation { errors, .. }) => {
            assert!(errors["id"][0].contains("1 associated application(s)"))
        }
        other => panic!("{other:?}"),
    }
    let listed = collect(c.claim_sets().list().stream()).await;
    let sis_listed = listed.iter().find(|s| s.id == Some(sis)).unwrap();
    assert_eq!(sis_listed.applications.as_ref().map(Vec::len), Some(1));
}

#[tokio::test]
async fn filters_and_ordering_through_paged() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for (company, prefix) in [
        ("Beta", "uri://b"),
        ("Alpha", "uri://a,uri://shared"),
        ("Gamma", "uri://shared"),
    ] {
        let mut v = NewVendor::new(company, "N", "n@x.example");
        v.namespace_prefixes = Some(prefix.into());
        c.vendors().create(&v).await.unwrap();
    }
    let shared: Vec<types::VendorModel> = c
        .vendors()
        .list()
        .namespace_prefixes("uri://shared")
        .order_by("company")
        .direction(types::SortDirection::Descending)
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = shared.iter().filter_map(|v| v.company.as_deref()).collect();
    assert_eq!(names, ["Gamma", "Alpha"]);

    // `ids` must be integers; the error names the parameter.
    let err = c
        .applications()
        .list()
        .ids("1,x")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["ids"]);
}

#[tokio::test]
async fn disabled_reset_endpoint_and_registration() {
    let sim = Simulator::builder()
        .application_reset(false)
        .registration(false)
        .start()
        .await;
    let c = sim.client();
    let vendor = c
        .vendors()
        .create(&NewVendor::new("V", "N", "n@v.example"))
        .await
        .unwrap();
    let app = NewApplication::new("App", vendor, "SIS Vendor", [1], [1]);
    let creds = c.applications().create(&app).await.unwrap();
    let err = c
        .applications()
        .reset_credential(creds.id)
        .await
        .unwrap_err();
    assert_eq!(validation_keys(&err), ["Application"]);
    let err = register(
        &sim.base_url(),
        "late",
        &SecretString::from("Late-Secret-0123456789-abcdefghij!"),
        "Late",
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

#[tokio::test]
async fn tenants_have_their_own_data_clients_and_tokens() {
    let sim = Simulator::builder()
        .tenants(["tenant1", "tenant2"])
        .start()
        .await;
    let one = sim.tenant_client("tenant1");
    let two = sim.tenant_client("tenant2");
    one.vendors()
        .create(&NewVendor::new("Only In One", "N", "n@x.example"))
        .await
        .unwrap();
    assert_eq!(collect(one.vendors().list().stream()).await.len(), 1);
    assert!(collect(two.vendors().list().stream()).await.is_empty());
    assert_eq!(sim.tokens_issued(), 2, "one token per tenant");
    let names: Vec<_> = one
        .tenants()
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|t| t.tenant_name)
        .collect();
    assert_eq!(names, ["tenant1", "tenant2"]);

    // Registration is per tenant too.
    let secret = SecretString::from("Tenant-Secret-0123456789-abcdefgh!");
    register(&sim.base_url(), "t2-only", &secret, "T2", Some("tenant2"))
        .await
        .unwrap();
    let in_one = Client::builder()
        .base_url(sim.base_url())
        .client_credentials("t2-only", secret.expose_secret())
        .tenant("tenant1")
        .build()
        .unwrap();
    let err = in_one.vendors().get(1).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");

    // Without the header, or with an unknown tenant, the server answers 400 naming `Tenant`.
    let none = Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), sim.client_secret())
        .build()
        .unwrap();
    let err = none.vendors().get(1).await.unwrap_err();
    assert!(err.to_string().contains("Tenant"), "{err}");
    let err = sim
        .tenant_client("tenant3")
        .vendors()
        .get(1)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Tenant not found"), "{err}");
}

#[tokio::test]
async fn forbidden_and_unauthorized_are_told_apart() {
    use wiremock::matchers::path;
    use wiremock::{Mock, ResponseTemplate};
    // A token without the full-access scope (from an external identity provider, say) is a 403;
    // a missing or refused token is a 401.
    let (server, c) = support::token_server().await;
    Mock::given(path("/v2/vendors/1"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    Mock::given(path("/v2/vendors/2"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let forbidden = c.vendors().get(1).await.unwrap_err();
    assert!(forbidden.is_forbidden(), "{forbidden:?}");
    assert!(!forbidden.is_unauthorized());
    let unauthorized = c.vendors().get(2).await.unwrap_err();
    assert!(unauthorized.is_unauthorized(), "{unauthorized:?}");
    assert!(!unauthorized.is_forbidden());
    let forbidden_calls = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/v2/vendors/1")
        .count();
    assert_eq!(forbidden_calls, 1, "a 403 is not retried");
}

#[tokio::test]
async fn the_simulator_answers_malformed_json_and_expired_tokens_like_the_server() {
    let sim = Simulator::start_with_token_lifetime(std::time::Duration::from_secs(1)).await;
    edu_common::install_crypto_provider();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/connect/token", sim.base_url()))
        .form(&[
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("grant_type", "client_credentials"),
            ("scope", edfi_admin_client::SCOPE),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let post = |body: &'static str| {
        http.post(format!("{}/v2/vendors", sim.base_url()))
            .header("authorization", &bearer)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let r = post("{\"company\": ").await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("malformed JSON"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = post("{}").await.unwrap();
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap();
    assert!(challenge.contains("invalid_token"), "{challenge}");
}

#[tokio::test]
async fn an_override_keeps_only_strategies_other_than_the_actions_default() {
    // As the server does (`OverrideDefaultAuthorizationStrategyCommand`): a strategy equal to
    // the action's default is not stored as an override.
    let sim = Simulator::start().await;
    let c = sim.client();
    let set = c.claim_sets().create("Override Baseline").await.unwrap();
    // `educationOrganizations` (4) defaults to `NoFurtherAuthorizationRequired` for every action.
    c.claim_sets()
        .add_resource_claim(set, 4, enabled_actions(["Create", "Read"]))
        .await
        .unwrap();
    c.claim_sets()
        .override_authorization_strategy(
            set,
            4,
            "create",
            [
                "RelationshipsWithStudentsOnly",
                "NoFurtherAuthorizationRequired",
            ],
        )
        .await
        .unwrap();
    let got = c.claim_sets().get(set).await.unwrap();
    let claims = got.resource_claims.unwrap();
    let overrides = claims[0]
        .authorization_strategy_overrides_for_crud
        .as_ref()
        .unwrap();
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    assert_eq!(overrides[0].action_name.as_deref(), Some("Create"));
    let names: Vec<_> = overrides[0]
        .authorization_strategies
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|s| s.auth_strategy_name.as_deref())
        .collect();
    assert_eq!(
        names,
        ["RelationshipsWithStudentsOnly"],
        "the default is left out"
    );

    // Overriding with the default alone leaves no override for the action.
    c.claim_sets()
        .override_authorization_strategy(set, 4, "Create", ["NoFurtherAuthorizationRequired"])
        .await
        .unwrap();
    let got = c.claim_sets().get(set).await.unwrap();
    let overrides = got.resource_claims.unwrap()[0]
        .authorization_strategy_overrides_for_crud
        .clone()
        .unwrap_or_default();
    assert!(overrides.is_empty(), "{overrides:?}");

    // TPDM's `candidate` has its own default, so the strategies listing finds it by name.
    let found: Vec<_> = c
        .security()
        .resource_claim_action_auth_strategies()
        .resource_name("candidate")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].resource_name.as_deref(), Some("candidate"));
}
