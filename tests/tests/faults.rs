//! The same faults give the same typed errors through every client: they all stand on edu-common.

use std::time::Duration;

use edu_common::Error;
use secrecy::SecretString;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn token_server(server: &MockServer, token_path: &str) {
    Mock::given(method("POST"))
        .and(path(token_path))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"access_token": "t", "expires_in": 600})),
        )
        .mount(server)
        .await;
}

fn datahub(server: &MockServer) -> datahub_client::Client {
    datahub_client::Client::builder()
        .base_url(server.uri())
        .client_credentials("id", "secret")
        .retry(edu_common::RetryConfig::default().max_retry_after(Duration::from_secs(30)))
        .build()
        .unwrap()
}

fn onderwijsregio(server: &MockServer) -> onderwijsregio_client::Client {
    onderwijsregio_client::Client::builder()
        .base_url(format!("{}/api/v2", server.uri()))
        .api_key("k")
        .build()
        .unwrap()
}

fn eduv(server: &MockServer) -> eduv_education_client::Client {
    eduv_education_client::Client::builder()
        .base_url(server.uri())
        .token_url(format!("{}/oauth2/token", server.uri()))
        .client_id("id")
        .client_secret(SecretString::from("s"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error_everywhere() {
    let server = MockServer::start().await;
    token_server(&server, "/datahub/oauth/token").await;
    token_server(&server, "/oauth2/token").await;
    Mock::given(method("GET"))
        .and(path_regex(
            "^/(datahub/services/v1/students/.*|api/v2/candidates/.*|studyofferings/school)$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"data\": {\"id\": 5"))
        .mount(&server)
        .await;
    let e1 = datahub(&server).students().get("abc").await.unwrap_err();
    let e2 = onderwijsregio(&server)
        .candidates()
        .get("abc")
        .await
        .unwrap_err();
    let e3 = eduv(&server)
        .study_offerings(eduv_education_client::School::master_id("104A158"))
        .send()
        .await
        .unwrap_err();
    for e in [e1, e2, e3] {
        assert!(matches!(e, Error::Decode(_)), "{e:?}");
    }
}

#[tokio::test]
async fn a_long_retry_after_is_a_rate_limited_error_everywhere() {
    let server = MockServer::start().await;
    token_server(&server, "/datahub/oauth/token").await;
    token_server(&server, "/oauth2/token").await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let e1 = datahub(&server).students().get("abc").await.unwrap_err();
    let e2 = onderwijsregio(&server)
        .candidates()
        .get("abc")
        .await
        .unwrap_err();
    let e3 = eduv(&server).organisations().send().await.unwrap_err();
    for e in [e1, e2, e3] {
        match e {
            Error::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3600)))
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn credentials_never_leave_for_another_origin() {
    // A datahub `next` link pointing elsewhere ends the listing with CrossOrigin; the other host sees nothing.
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    token_server(&server, "/datahub/oauth/token").await;
    Mock::given(path("/datahub/services/v1/students"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"data": {"id": "s1"}, "uri": "/v1/students/s1"}],
            "links": [{"rel": "next", "uri": format!("{}/v1/students?starting_after=s1", elsewhere.uri())}]
        })))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    use futures::StreamExt;
    let out: Vec<_> = datahub(&server).students().list().stream().collect().await;
    assert_eq!(out.len(), 2);
    assert!(
        matches!(out[1], Err(Error::CrossOrigin { .. })),
        "{:?}",
        out[1]
    );
}
