//! The simulated token endpoint is as strict as a real OpenID Connect server (issue #13): an
//! assertion's `exp` at most 5 minutes ahead, no `iat` in the future, one client authentication
//! method per request, a form body only; ES256 keys as well as RS256.
#![cfg(feature = "mock")]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use edu_common::Transport;
use edu_common::auth::{ClientAssertion, ClientAuth, Credentials, OAuth2Config};
use eduv_education_client::auth::{AssertionClaims, PrivateKeyJwt};
use eduv_education_client::mock::{self, Simulator};
use secrecy::SecretString;
use url::Url;

#[derive(Debug)]
struct Fixed(String);

impl ClientAssertion for Fixed {
    fn assertion(&self, _: &str, _: &Url) -> edu_common::Result<SecretString> {
        Ok(SecretString::from(self.0.clone()))
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn assertion(sim: &Simulator, iat: u64, exp: u64, jti: &str) -> String {
    let claims = AssertionClaims {
        iss: sim.client_id().into(),
        sub: sim.client_id().into(),
        aud: sim.token_url(),
        jti: jti.into(),
        iat,
        exp,
    };
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(mock::TEST_PRIVATE_KEY_PEM.as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .unwrap()
}

async fn token_with(sim: &Simulator, auth: ClientAuth) -> edu_common::Result<()> {
    let t = Transport::builder(sim.base_url())
        .credentials(Credentials::oauth2(
            OAuth2Config::new(sim.token_url().parse().unwrap(), sim.client_id(), auth)
                .scope("eduv.education"),
        ))
        .build()
        .unwrap();
    t.get("organisations").send().await.map(|_| ())
}

#[tokio::test]
async fn es256_keys_are_accepted_as_well_as_rs256() {
    let sim = Simulator::start().await;
    for pem in [mock::TEST_PRIVATE_KEY_PEM, mock::TEST_EC_PRIVATE_KEY_PEM] {
        let signer = PrivateKeyJwt::from_pem(pem.as_bytes()).unwrap();
        token_with(&sim, ClientAuth::Assertion(Arc::new(signer)))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_exp_too_far_ahead_or_an_iat_in_the_future_is_refused() {
    let sim = Simulator::start().await;
    let far = assertion(&sim, now(), now() + 3600, "jti-far");
    let err = token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(far))))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exp is more than"), "{err}");
    let future = assertion(&sim, now() + 120, now() + 180, "jti-future");
    let err = token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(future))))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("iat is in the future"), "{err}");
    let fine = assertion(&sim, now(), now() + 240, "jti-fine");
    token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(fine))))
        .await
        .unwrap();
}

/// Raw token requests, as a client in another language might send them.
async fn raw_token(sim: &Simulator, basic: bool, form: &[(&str, &str)], json: bool) -> u16 {
    let t = Transport::builder(sim.base_url()).build().unwrap();
    let mut req = t.post(&sim.token_url());
    if basic {
        req = req.header(
            "authorization",
            "Basic ZWR1di1zaW0tY2xpZW50OmVkdXYtc2ltLXNlY3JldA==",
        );
    }
    let form: std::collections::BTreeMap<&str, &str> = form.iter().copied().collect();
    req = if json {
        req.json(&form)
    } else {
        req.form(&form)
    };
    req.send_raw().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn one_authentication_method_and_a_form_body_only() {
    let sim = Simulator::start().await;
    let base = [
        ("grant_type", "client_credentials"),
        ("scope", "eduv.education"),
    ];
    assert_eq!(raw_token(&sim, true, &base, false).await, 200);
    // Basic and a client_secret in the form: two methods.
    let mut both = base.to_vec();
    both.extend([
        ("client_id", sim.client_id()),
        ("client_secret", sim.client_secret()),
    ]);
    assert_eq!(raw_token(&sim, true, &both, false).await, 400);
    // The secret in the form alone is client_secret_post: accepted.
    assert_eq!(raw_token(&sim, false, &both, false).await, 200);
    // A JSON body is not a token request.
    assert_eq!(raw_token(&sim, true, &base, true).await, 400);
}
