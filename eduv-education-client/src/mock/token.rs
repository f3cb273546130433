//! The simulator's token endpoint: one client authentication method per request, and
//! `private_key_jwt` assertions checked as a strict OpenID Connect server checks them.

use std::collections::HashMap;

use base64::Engine as _;
use edu_common::mock::{Request, Response};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::json;

use crate::auth::AssertionClaims;

use super::state::State;

pub(super) const CLIENT_ID: &str = "eduv-sim-client";
pub(super) const CLIENT_SECRET: &str = "eduv-sim-secret";
/// The test-only private key the simulator trusts (see `testdata/README.md`).
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../../testdata/client-test-key.pem");
pub(super) const TEST_PUBLIC_KEY_PEM: &str = include_str!("../../testdata/client-test-key.pub.pem");
/// An EC P-256 private key (ES256) the simulator also trusts: test use only.
pub const TEST_EC_PRIVATE_KEY_PEM: &str = include_str!("../../testdata/client-test-key-ec.pem");
pub(super) const TEST_EC_PUBLIC_KEY_PEM: &str =
    include_str!("../../testdata/client-test-key-ec.pub.pem");
/// How far ahead an assertion's `exp` may be, as strict OpenID Connect servers require.
pub(super) const MAX_ASSERTION_LIFETIME_SECS: u64 = 300;
/// A test-only private key the simulator does not trust.
pub const UNTRUSTED_PRIVATE_KEY_PEM: &str = include_str!("../../testdata/other-test-key.pem");

pub(super) fn token(state: &mut State, req: &Request) -> Response {
    let fail = |code: u16, error: &str, description: &str| {
        Response::new(code).set_body_json(json!({"error": error, "error_description": description}))
    };
    let form_type = req
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return fail(
            400,
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded",
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&req.body)
        .into_owned()
        .collect();
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return fail(
            400,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    if !form
        .get("scope")
        .is_some_and(|s| s.split(' ').any(|s| s == crate::SCOPE))
    {
        return fail(400, "invalid_scope", "scope eduv.education is required");
    }
    let basic = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    // RFC 6749 2.3: a client uses one authentication method per request.
    let methods = [
        basic.is_some(),
        form.contains_key("client_secret"),
        form.contains_key("client_assertion"),
    ];
    if methods.iter().filter(|m| **m).count() > 1 {
        return fail(
            400,
            "invalid_request",
            "the client used more than one authentication method",
        );
    }
    let authenticated = if let Some(pair) = basic {
        if pair != format!("{CLIENT_ID}:{CLIENT_SECRET}") {
            return fail(401, "invalid_client", "client authentication failed");
        }
        true
    } else if let Some(secret) = form.get("client_secret") {
        if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) || secret != CLIENT_SECRET {
            return fail(401, "invalid_client", "client authentication failed");
        }
        true
    } else if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str)
            != Some(edu_common::auth::JWT_BEARER_ASSERTION_TYPE)
        {
            return fail(400, "invalid_request", "unsupported client_assertion_type");
        }
        match verify(state, assertion, form.get("client_id").map(String::as_str)) {
            Ok(()) => true,
            Err(why) => return fail(401, "invalid_client", &why),
        }
    } else {
        false
    };
    if !authenticated {
        return fail(401, "invalid_client", "no client authentication");
    }
    let token = state.tokens.issue(());
    let lifetime = state.tokens.lifetime().as_secs();
    Response::new(200).set_body_json(json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": crate::SCOPE}))
}

pub(super) fn verify(
    state: &mut State,
    assertion: &str,
    client_id: Option<&str>,
) -> Result<(), String> {
    // The client's registered keys: one RSA (RS256), one EC P-256 (ES256).
    let alg = jsonwebtoken::decode_header(assertion)
        .map_err(|e| format!("assertion rejected: {e}"))?
        .alg;
    let key = match alg {
        Algorithm::RS256 => DecodingKey::from_rsa_pem(TEST_PUBLIC_KEY_PEM.as_bytes()),
        Algorithm::ES256 => DecodingKey::from_ec_pem(TEST_EC_PUBLIC_KEY_PEM.as_bytes()),
        other => {
            return Err(format!(
                "assertion rejected: algorithm {other:?} is not accepted"
            ));
        }
    }
    .map_err(|e| format!("server key: {e}"))?;
    let mut validation = Validation::new(alg);
    validation.set_audience(&[state.token_url.as_str()]);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    let data = jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
        .map_err(|e| format!("assertion rejected: {e}"))?;
    let c = data.claims;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    if c.exp > now + MAX_ASSERTION_LIFETIME_SECS {
        return Err(format!(
            "assertion rejected: exp is more than {MAX_ASSERTION_LIFETIME_SECS} s ahead"
        ));
    }
    if c.iat > now + 5 {
        return Err("assertion rejected: iat is in the future".into());
    }
    if c.iss != CLIENT_ID || c.sub != CLIENT_ID || client_id.is_some_and(|id| id != CLIENT_ID) {
        return Err("assertion rejected: iss and sub must be the client id".into());
    }
    if !state.seen_jti.insert(c.jti) {
        return Err("assertion rejected: jti already used".into());
    }
    Ok(())
}
