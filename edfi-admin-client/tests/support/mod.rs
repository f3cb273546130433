//! Shared by the tests that stand a canned server in for the Admin API.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A canned server whose token endpoint issues a 30-minute token, and a client of it; the test
/// mounts the API's answers.
pub async fn token_server() -> (MockServer, edfi_admin_client::Client) {
    edu_common::install_crypto_provider();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"access_token": "t", "token_type": "Bearer", "expires_in": 1800}),
        ))
        .mount(&server)
        .await;
    let client = edfi_admin_client::Client::builder()
        .base_url(server.uri())
        .client_credentials("id", "secret")
        .build()
        .expect("a client of the canned server");
    (server, client)
}
