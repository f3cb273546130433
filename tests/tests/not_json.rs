//! A `200` whose body is not JSON (a login page, a proxy's error page, a website at the base
//! URL) is reported as what it is, with the likely causes, on the generated layer (Eduframe),
//! a hand-written call (Onderwijsregio) and the hand-written listing (datahub's, through the
//! shared paging), not as "the API may have changed".

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>";

async fn answering(content_type: &str, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), content_type),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/datahub/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "t", "token_type": "bearer", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    server
}

fn says_html(err: &edu_common::Error) {
    let text = err.to_string();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err:?}");
    assert!(text.contains("is an HTML page"), "{text}");
    assert!(
        text.contains("login page") && text.contains("proxy") && text.contains("base URL"),
        "{text}"
    );
    assert!(!text.contains("the API may have changed"), "{text}");
    assert!(
        !text.contains("Sign in"),
        "the page itself is not shown: {text}"
    );
}

#[tokio::test]
async fn an_html_page_is_named_on_the_generated_layer() {
    let server = answering("text/html; charset=utf-8", LOGIN_PAGE).await;
    let client = eduframe_client::Client::builder()
        .base_url(format!("{}/api/v1", server.uri()))
        .api_key("key")
        .build()
        .unwrap();
    says_html(&client.courses().get(7).await.unwrap_err());
}

/// An Onderwijsregio client of `server`.
fn onderwijsregio(server: &MockServer) -> onderwijsregio_client::Client {
    onderwijsregio_client::Client::builder()
        .base_url(format!("{}/api/v2", server.uri()))
        .api_key("key")
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_html_page_is_named_on_a_hand_written_call() {
    let server = answering("text/html", LOGIN_PAGE).await;
    let client = onderwijsregio(&server);
    let err = client.candidates().get("cand1").await.unwrap_err();
    says_html(&err);
    assert!(err.to_string().contains("Content-Type: text/html"), "{err}");
}

#[tokio::test]
async fn an_html_page_is_named_on_a_hand_written_listing() {
    let server = answering("text/html", LOGIN_PAGE).await;
    let client = datahub_client::Client::builder()
        .base_url(server.uri())
        .client_credentials("id", "secret")
        .build()
        .unwrap();
    says_html(&client.districts().list().first_page().await.unwrap_err());
}

/// The message of the error an Onderwijsregio `candidates().get` of `server` fails with.
async fn candidate_error(server: &MockServer) -> String {
    onderwijsregio(server)
        .candidates()
        .get("cand1")
        .await
        .unwrap_err()
        .to_string()
}

#[tokio::test]
async fn another_content_type_that_is_not_json_is_named() {
    let server = answering("text/plain", "OK").await;
    let text = candidate_error(&server).await;
    assert!(
        text.contains("is not JSON (Content-Type: text/plain)"),
        "{text}"
    );
}

#[tokio::test]
async fn json_of_the_wrong_shape_still_names_the_path() {
    let server = answering("application/json", r#"{"data": {"id": 5}}"#).await;
    let text = candidate_error(&server).await;
    assert!(text.contains("could not decode the response"), "{text}");
    assert!(!text.contains("HTML"), "{text}");
}
