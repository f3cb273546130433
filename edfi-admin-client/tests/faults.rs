//! Faults seen through the generated operations: the typed errors of `edu_common` arrive
//! whole, never flattened into text (issue #12, items 12, 14 and 15).

use std::time::Duration;

use edfi_admin_client::Client;
use edu_common::{Error, RateLimitReason};
use futures::StreamExt;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .client_credentials("client-1", "secret-never-shown")
        .operation_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn item14_15_a_refused_token_reaches_the_caller_typed_and_said_once() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            serde_json::json!({"error": "invalid_client", "error_description": "unknown client"}),
        ))
        .mount(&server)
        .await;
    let c = client(&server).await;
    let err = c
        .vendors()
        .list()
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(err.oauth_error(), Some("invalid_client"));
    assert!(err.is_unauthorized());
    let text = err.to_string();
    assert_eq!(text.matches("authentication failed").count(), 1, "{text}");
    assert_eq!(text.matches("check the client id").count(), 1, "{text}");
    assert!(!text.contains("secret-never-shown"));
}

#[tokio::test]
async fn item12_the_reason_a_throttled_call_gave_up_survives_the_generated_layer() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v2/vendors"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "60"))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server).await;
    let err = c
        .vendors()
        .list()
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        err.rate_limit_reason(),
        Some(RateLimitReason::Deadline),
        "{err:?}"
    );
}
