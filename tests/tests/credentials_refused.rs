//! One question on every client: were these credentials refused? Each API answers a wrong
//! credential its own way (Eduframe a 403 for an unknown key, Onderwijsregio a 401, the OAuth2
//! APIs through their token endpoints); `err.is_credentials_refused()` is true for all five, and
//! false for an answer that is about something else. The call's report reads as one line.

use edu_common::Error;

fn refused(api: &str, err: &Error) {
    assert!(err.is_credentials_refused(), "{api}: {err:?}");
    // The report travels with it, and reads as one line.
    if let Some(report) = err.report() {
        let line = report.to_string();
        assert!(
            !line.contains('\n') && line.contains(" -> "),
            "{api}: {line}"
        );
    }
}

#[tokio::test]
async fn a_wrong_credential_is_refused_on_every_client() {
    let eduframe = eduframe_client::mock::Simulator::builder()
        .no_rate_limit()
        .start()
        .await;
    let c = eduframe_client::Client::builder()
        .base_url(eduframe.base_url())
        .api_key("not-the-key")
        .build()
        .unwrap();
    refused("eduframe", &c.courses().get(1).await.unwrap_err());

    let edfi = edfi_admin_client::mock::Simulator::start().await;
    let c = edfi_admin_client::Client::builder()
        .base_url(edfi.base_url())
        .client_credentials(edfi.client_id(), "not-the-secret")
        .build()
        .unwrap();
    refused("edfi-admin", &c.vendors().get(1).await.unwrap_err());

    let eduv = eduv_education_client::mock::Simulator::builder()
        .start()
        .await;
    let c = eduv_education_client::Client::builder()
        .base_url(eduv.base_url())
        .token_url(eduv.token_url())
        .client_id(eduv.client_id())
        .client_secret("not-the-secret")
        .build()
        .unwrap();
    refused("eduv", &c.organisations().send().await.unwrap_err());

    let or = onderwijsregio_client::mock::Simulator::start().await;
    let c = onderwijsregio_client::Client::builder()
        .base_url(or.base_url())
        .api_key("not-the-key")
        .build()
        .unwrap();
    refused(
        "onderwijsregio",
        &c.candidates().get("cand1").await.unwrap_err(),
    );

    let datahub = datahub_client::mock::Simulator::builder().start().await;
    let c = datahub_client::Client::builder()
        .base_url(datahub.base_url())
        .client_credentials(datahub.client_id(), "not-the-secret")
        .build()
        .unwrap();
    refused(
        "datahub",
        &c.districts().list().first_page().await.unwrap_err(),
    );
}

#[tokio::test]
async fn an_answer_about_something_else_is_not_a_refusal() {
    let sim = datahub_client::mock::Simulator::builder().start().await;
    let err = sim
        .client()
        .students()
        .get("no-such-student")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(!err.is_credentials_refused());
    let line = err.report().expect("a report").to_string();
    assert!(line.starts_with("GET http://127.0.0.1:"), "{line}");
    assert!(
        line.contains("-> 404 in ") && line.contains(", 1 attempt"),
        "{line}"
    );
}
