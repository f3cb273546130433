//! The Admin API lifecycle and error bodies against the simulator.
#![cfg(feature = "mock")]

use edfi_admin_client::error::{AdminApiError, admin_error};
use edfi_admin_client::mock::Simulator;
use edfi_admin_client::{Client, NewApplication, NewVendor, register, types};
use edu_common::Error;
use futures::TryStreamExt;
use secrecy::{ExposeSecret, SecretString};

#[tokio::test]
async fn full_lifecycle() {
    let sim = Simulator::start().await;
    // Register a new client (the secret rules are checked locally first), then use it.
    let secret = SecretString::from("Tour-Secret-0123456789-abcdefghij!");
    register(
        &sim.base_url(),
        "lifecycle-client",
        &secret,
        "Lifecycle test",
        None,
    )
    .await
    .unwrap();
    let client = Client::builder()
        .base_url(sim.base_url())
        .client_credentials("lifecycle-client", secret.expose_secret())
        .build()
        .unwrap();

    let info = client.information().await.unwrap();
    assert!(info.version.is_some());

    let vendor = client
        .vendors()
        .create(&NewVendor::new(
            "Acme Learning",
            "Ann Example",
            "ann@acme.example",
        ))
        .await
        .unwrap();
    assert_eq!(
        client
            .vendors()
            .get(vendor)
            .await
            .unwrap()
            .company
            .as_deref(),
        Some("Acme Learning")
    );

    let app = NewApplication::new("Acme SIS sync", vendor, "SIS Vendor", [255901], [1]);
    let creds = client.applications().create(&app).await.unwrap();
    assert!(!creds.key.is_empty());
    assert!(
        !format!("{creds:?}").contains(creds.secret.expose_secret()),
        "the secret is redacted"
    );
    assert_eq!(
        client.vendors().applications(vendor).await.unwrap().len(),
        1
    );
    let reset = client
        .applications()
        .reset_credential(creds.id)
        .await
        .unwrap();
    assert_ne!(reset.key, creds.key);
    assert_eq!(
        client
            .applications()
            .list()
            .stream()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );

    let sis = client
        .claim_sets()
        .by_name("SIS Vendor")
        .await
        .unwrap()
        .expect("a seeded claim set")
        .id
        .unwrap();
    assert!(
        client
            .claim_sets()
            .by_name("No Such Set")
            .await
            .unwrap()
            .is_none()
    );
    let copy = client
        .claim_sets()
        .copy(sis, "SIS Vendor (copy)")
        .await
        .unwrap();
    let exported = client.claim_sets().export(copy).await.unwrap();
    assert!(
        exported
            .resource_claims
            .as_ref()
            .is_some_and(|r| !r.is_empty())
    );
    let imported = client
        .claim_sets()
        .import("SIS Vendor (imported)", &exported)
        .await
        .unwrap();
    assert_ne!(imported, copy);

    client.claim_sets().delete(imported).await.unwrap();
    client.claim_sets().delete(copy).await.unwrap();
    client.applications().delete(creds.id).await.unwrap();
    client.vendors().delete(vendor).await.unwrap();
    assert!(
        client
            .vendors()
            .get(vendor)
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn lists_page_by_offset_and_order() {
    let sim = Simulator::start().await;
    let c = sim.client();
    for i in 0..230 {
        c.vendors()
            .create(&NewVendor::new(
                format!("Vendor {i:03}"),
                "X",
                "x@example.org",
            ))
            .await
            .unwrap();
    }
    let all: Vec<types::VendorModel> = c.vendors().list().stream().try_collect().await.unwrap();
    assert_eq!(all.len(), 230);
    assert!(
        all.windows(2).all(|w| w[0].company <= w[1].company),
        "ordered by company"
    );
    let first_page = c
        .vendors()
        .list()
        .order_by("id")
        .direction(types::SortDirection::Descending)
        .page_size(5)
        .pages()
        .try_next()
        .await
        .unwrap()
        .unwrap();
    let by_id_desc = first_page.items;
    assert_eq!(by_id_desc.len(), 5);
    assert!(by_id_desc[0].id > by_id_desc[4].id);
    let bad = c
        .vendors()
        .list()
        .order_by("shoeSize")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(
        matches!(admin_error(&bad), Some(AdminApiError::Validation { errors, .. }) if errors.contains_key("orderBy"))
    );
}

#[tokio::test]
async fn validation_not_found_and_reserved_errors_are_typed() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let err = c
        .vendors()
        .create(&NewVendor::new("", "Ann", ""))
        .await
        .unwrap_err();
    match admin_error(&err) {
        Some(AdminApiError::Validation { title, errors }) => {
            assert_eq!(title, "Validation failed");
            assert_eq!(errors["ContactEmailAddress"].len(), 2);
            assert!(errors.contains_key("Company"));
        }
        other => panic!("{other:?} from {err:?}"),
    }
    let err = c.applications().get(999).await.unwrap_err();
    assert!(err.is_not_found());
    match admin_error(&err) {
        Some(AdminApiError::NotFound { title }) => {
            assert!(title.contains("application with ID 999"))
        }
        other => panic!("{other:?}"),
    }
    let sets: Vec<types::ClaimSetModel> =
        c.claim_sets().list().stream().try_collect().await.unwrap();
    let reserved = sets
        .iter()
        .find(|s| s.is_system_reserved == Some(true))
        .unwrap()
        .id
        .unwrap();
    let err = c.claim_sets().delete(reserved).await.unwrap_err();
    assert!(matches!(
        admin_error(&err),
        Some(AdminApiError::Validation { .. })
    ));
}

#[tokio::test]
async fn registration_rules_are_checked_before_sending_and_bad_credentials_are_401() {
    let sim = Simulator::start().await;
    let err = register(
        &sim.base_url(),
        "weak",
        &SecretString::from("short"),
        "Weak",
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }));
    let bad = Client::builder()
        .base_url(sim.base_url())
        .client_credentials(sim.client_id(), "wrong")
        .build()
        .unwrap();
    let err = bad.vendors().get(1).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(err.to_string().contains("invalid_client"));
    assert!(
        Client::builder()
            .base_url(sim.base_url())
            .client_credentials("a", "b")
            .tenant("bad tenant!")
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn tokens_are_refreshed_when_they_expire() {
    let sim = Simulator::start_with_token_lifetime(std::time::Duration::from_secs(2)).await;
    let c = sim.client();
    c.vendors()
        .list()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    c.vendors()
        .list()
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert_eq!(sim.tokens_issued(), 2);
}
