//! Credentials, the OAuth2 token cache, and keeping secrets secret.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use edu_common::auth::{ClientAssertion, ClientAuth, OAuth2Config};
use edu_common::{Credentials, Error, Transport};
use secrecy::SecretString;
use support::{Sequence, fast};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn token(value: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": value, "token_type": "bearer", "expires_in": expires_in
    }))
}

fn oauth(server: &MockServer, auth: ClientAuth) -> OAuth2Config {
    OAuth2Config::new(
        format!("{}/oauth/token", server.uri()).parse().unwrap(),
        "client-1",
        auth,
    )
}

/// Issues `tok-1`, `tok-2`, ... in turn.
#[derive(Clone, Default)]
struct Issuer {
    issued: Arc<AtomicUsize>,
    expires_in: u64,
}

impl Respond for Issuer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        token(&format!("tok-{n}"), self.expires_in)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("authorization", "Basic Y2xpZW50LTE6czNjcjN0")) // client-1:s3cr3t
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("scope=read"))
        .respond_with(token("tok-1", 3600).set_delay(Duration::from_millis(200)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(150)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(
            oauth(&server, ClientAuth::Basic(SecretString::from("s3cr3t"))).scope("read"),
        ))
        .build()
        .unwrap();
    let calls = (0..150).map(|_| {
        let t = t.clone();
        tokio::spawn(async move { t.get("x").send().await })
    });
    for c in futures::future::join_all(calls).await {
        c.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_401_invalidates_the_token_and_retries_once_with_a_fresh_one() {
    let server = MockServer::start().await;
    let issuer = Issuer {
        expires_in: 3600,
        ..Issuer::default()
    };
    Mock::given(path("/oauth/token"))
        .respond_with(issuer.clone())
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Form(SecretString::from("pw")),
        )))
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
    assert_eq!(issuer.issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_reported_not_looped() {
    let server = MockServer::start().await;
    let issuer = Issuer {
        expires_in: 3600,
        ..Issuer::default()
    };
    Mock::given(path("/oauth/token"))
        .respond_with(issuer.clone())
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
        )
        .expect(2)
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Form(SecretString::from("pw")),
        )))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(err.to_string().contains("invalid_token"), "{err}");
    assert_eq!(issuer.issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_token_request_is_reported_and_not_cached() {
    let server = MockServer::start().await;
    // The token request is retried (3 attempts) before the failure is reported.
    let seq = Sequence::new(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(503),
        ResponseTemplate::new(503),
        token("tok-ok", 3600),
    ]);
    Mock::given(path("/oauth/token"))
        .respond_with(seq.clone())
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok-ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Basic(SecretString::from("pw")),
        )))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                transient: true,
                ..
            }
        ),
        "{err:?}"
    );
    t.get("x").send().await.unwrap();
    assert_eq!(seq.count(), 4);
}

#[tokio::test]
async fn a_slow_token_endpoint_times_out_with_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token("late", 3600).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let mut cfg = oauth(&server, ClientAuth::Basic(SecretString::from("pw")));
    cfg.timeout = Duration::from_millis(200);
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(cfg))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: edu_common::TimeoutKind::Token,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn refused_credentials_give_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "unknown client"
        })))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Form(SecretString::from("very-secret-value")),
        )))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        matches!(
            err,
            Error::Auth {
                transient: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(text.contains("invalid_client: unknown client"), "{text}");
    assert!(!text.contains("very-secret-value"));
    assert!(!format!("{t:?}").contains("very-secret-value"));
}

#[tokio::test]
async fn a_token_response_without_a_token_is_an_auth_error_that_echoes_nothing() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"acces_token\":\"leaky\"}"))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Basic(SecretString::from("pw")),
        )))
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(!err.to_string().contains("leaky"));
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let server = MockServer::start().await;
    let issuer = Issuer {
        expires_in: 4,
        ..Issuer::default()
    };
    Mock::given(path("/oauth/token"))
        .respond_with(issuer.clone())
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Basic(SecretString::from("pw")),
        )))
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
    t.get("x").send().await.unwrap();
    assert_eq!(issuer.issued.load(Ordering::SeqCst), 1);
    // A 4 s token is refreshed 1 to 1.5 s before it expires: at 3.1 s it must be renewed.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    t.get("x").send().await.unwrap();
    assert_eq!(issuer.issued.load(Ordering::SeqCst), 2);
}

#[derive(Debug)]
struct FakeAssertion;

impl ClientAssertion for FakeAssertion {
    fn assertion(&self, client_id: &str, token_url: &url::Url) -> edu_common::Result<SecretString> {
        Ok(SecretString::from(format!(
            "signed-for-{client_id}-at-{}",
            token_url.path()
        )))
    }
}

#[tokio::test]
async fn client_assertions_are_sent_as_rfc7523_form_fields() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .and(body_string_contains("client_assertion=signed-for-client-1-at-%2Foauth%2Ftoken"))
        .and(body_string_contains(
            "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
        ))
        .and(body_string_contains("client_id=client-1"))
        .respond_with(token("tok", 60))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Assertion(Arc::new(FakeAssertion)),
        )))
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
}

#[tokio::test]
async fn static_keys_go_in_their_header() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .and(header("x-api-key", "k-123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/y"))
        .and(header("authorization", "Bearer b-456"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let k = fast(&server.uri())
        .credentials(Credentials::api_key("x-api-key", SecretString::from("k-123")).unwrap())
        .build()
        .unwrap();
    k.get("x").send().await.unwrap();
    let b = fast(&server.uri())
        .credentials(Credentials::bearer(SecretString::from("b-456")))
        .build()
        .unwrap();
    b.get("y").send().await.unwrap();
    assert!(Credentials::api_key("bad header", SecretString::from("x")).is_err());
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&elsewhere)
        .await;
    let t = fast(&server.uri())
        .credentials(Credentials::api_key("x-api-key", SecretString::from("k-123")).unwrap())
        .build()
        .unwrap();
    let err = t.get("x").send().await.unwrap_err();
    // Reported as the refused redirect it is, naming where it pointed (issue #25; it was the
    // bare 302 before).
    assert!(err.is_redirect(), "{err:?}");
    assert!(err.to_string().contains(&elsewhere.uri()), "{err}");
}

#[tokio::test]
async fn the_user_agent_names_the_client_and_common() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .and(header(
            "user-agent",
            format!("my-client/9.9 edu-common/{}", env!("CARGO_PKG_VERSION")).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder(server.uri())
        .product("my-client", "9.9")
        .build()
        .unwrap();
    t.get("x").send().await.unwrap();
}

#[tokio::test]
async fn a_dry_run_transport_answers_with_the_request_and_sends_nothing_not_even_for_a_token() {
    let server = MockServer::start().await;
    let mut options = edu_common::TransportOptions::default();
    options.dry_run = true;
    let t = fast(&server.uri())
        .credentials(Credentials::oauth2(oauth(
            &server,
            ClientAuth::Basic(SecretString::from("s3cr3t")),
        )))
        .options(options)
        .build()
        .unwrap();
    let err = t
        .post("students/7")
        .query("expand", "school")
        .json(&serde_json::json!({"name": "Ada"}))
        .send()
        .await
        .unwrap_err();
    let Error::NotSent { preview } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(preview.method, http::Method::POST);
    assert_eq!(preview.url.path(), "/students/7");
    assert_eq!(preview.url.query(), Some("expand=school"));
    let (body, content_type) = preview.body.clone().expect("the body");
    assert_eq!(content_type, "application/json");
    assert_eq!(&body[..], br#"{"name":"Ada"}"#);
    assert!(
        err.to_string().contains("not sent (dry run): POST"),
        "{err}"
    );
    assert!(!format!("{err:?}").contains("s3cr3t"));
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "a dry run reached the server"
    );
}
