//! Callback verification: valid, tampered, old, replayed, rotated; never panics.

use std::time::Duration;

use onderwijsregio_client::callbacks::{CallbackError, SIGNATURE_HEADER, Signer, Verifier};
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000;
const PATH: &str = "/hooks/onderwijsregio?region=rotterdam";
const BODY: &[u8] = br#"{"mutationId":"mut1","idempotencyKey":"k-42","status":"succeeded"}"#;

fn verifier(secrets: &[&str]) -> Verifier {
    Verifier::new(secrets.iter().copied()).with_clock(|| NOW)
}

#[test]
fn a_valid_callback_is_accepted_and_typed() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW - 3, "n-1");
    let cb = verifier(&["s1"]).verify(PATH, &h, BODY).unwrap();
    assert_eq!(cb.idempotency_key.as_deref(), Some("k-42"));
    assert_eq!(cb.status.as_deref(), Some("succeeded"));
    assert_eq!(cb.raw["mutationId"], "mut1");
}

#[test]
fn a_tampered_body_is_refused() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    let tampered = br#"{"mutationId":"mut1","idempotencyKey":"k-42","status":"failed"}"#;
    assert_eq!(
        verifier(&["s1"]).verify(PATH, &h, tampered).unwrap_err(),
        CallbackError::BadSignature
    );
}

#[test]
fn a_tampered_path_or_query_is_refused() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    let v = verifier(&["s1"]);
    assert_eq!(
        v.verify("/hooks/onderwijsregio?region=utrecht", &h, BODY)
            .unwrap_err(),
        CallbackError::BadSignature
    );
    assert_eq!(
        v.verify("/hooks/other?region=rotterdam", &h, BODY)
            .unwrap_err(),
        CallbackError::BadSignature
    );
}

#[test]
fn an_old_or_future_timestamp_is_refused() {
    let s = Signer::new("s1");
    let v = verifier(&["s1"]);
    let old = s.sign(PATH, BODY, NOW - 301, "n-old");
    assert!(matches!(
        v.verify(PATH, &old, BODY),
        Err(CallbackError::OutsideWindow { skew_secs: 301, .. })
    ));
    let future = s.sign(PATH, BODY, NOW + 400, "n-future");
    assert!(matches!(
        v.verify(PATH, &future, BODY),
        Err(CallbackError::OutsideWindow { .. })
    ));
    let narrow = verifier(&["s1"]).window(Duration::from_secs(10));
    let ten_ago = s.sign(PATH, BODY, NOW - 11, "n-narrow");
    assert!(matches!(
        narrow.verify(PATH, &ten_ago, BODY),
        Err(CallbackError::OutsideWindow { .. })
    ));
}

#[test]
fn a_replayed_nonce_is_refused() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-once");
    let v = verifier(&["s1"]);
    v.verify(PATH, &h, BODY).unwrap();
    assert_eq!(
        v.clone().verify(PATH, &h, BODY).unwrap_err(),
        CallbackError::Replayed
    );
}

#[test]
fn rotated_secrets_and_several_signatures_are_accepted() {
    // The verifier knows the old and the new secret during a rotation.
    let v = verifier(&["old-secret", "new-secret"]);
    let h = Signer::new("new-secret").sign(PATH, BODY, NOW, "n-rot-1");
    v.verify(PATH, &h, BODY).unwrap();
    // The sender signs with both; the header carries two v2 values, one of them unknown here.
    let a = Signer::new("old-secret").signature(PATH, BODY, NOW, "n-rot-2");
    let b = Signer::new("retired").signature(PATH, BODY, NOW, "n-rot-2");
    let mut h = Signer::new("x").sign(PATH, BODY, NOW, "n-rot-2");
    h.insert(SIGNATURE_HEADER, format!("v2={b}, v2={a}").parse().unwrap());
    v.verify(PATH, &h, BODY).unwrap();
    // Neither secret known: refused.
    assert_eq!(
        verifier(&["other"])
            .verify(
                PATH,
                &Signer::new("new-secret").sign(PATH, BODY, NOW, "n-3"),
                BODY
            )
            .unwrap_err(),
        CallbackError::BadSignature
    );
}

#[test]
fn missing_headers_and_bad_timestamps_are_reported() {
    let v = verifier(&["s1"]);
    let mut h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    h.remove("x-mutationengine-nonce");
    assert!(matches!(
        v.verify(PATH, &h, BODY),
        Err(CallbackError::MissingHeader(_))
    ));
    let mut h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    h.insert("x-mutationengine-timestamp", "yesterday".parse().unwrap());
    assert_eq!(
        v.verify(PATH, &h, BODY).unwrap_err(),
        CallbackError::BadTimestamp
    );
}

#[test]
fn a_signed_body_that_is_not_json_is_a_payload_error() {
    let body = b"not json";
    let h = Signer::new("s1").sign(PATH, body, NOW, "n-json");
    assert!(matches!(
        verifier(&["s1"]).verify(PATH, &h, body),
        Err(CallbackError::Payload(_))
    ));
}

proptest! {
    #[test]
    fn the_verifier_never_panics(
        ts in ".{0,20}",
        nonce in ".{0,40}",
        sig in ".{0,120}",
        path in ".{0,60}",
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut h = http::HeaderMap::new();
        for (name, value) in [("x-mutationengine-timestamp", ts), ("x-mutationengine-nonce", nonce), ("x-mutationengine-signature", sig)] {
            if let Ok(v) = http::HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        let _ = verifier(&["s1"]).verify(&path, &h, &body);
    }

    #[test]
    fn any_signed_object_round_trips(secret in "[a-z0-9]{1,32}", nonce in "[a-zA-Z0-9-]{1,36}", key in "[a-z0-9-]{1,36}") {
        let body = serde_json::to_vec(&serde_json::json!({"idempotencyKey": key})).unwrap();
        let h = Signer::new(secret.clone()).sign(PATH, &body, NOW, &nonce);
        let cb = Verifier::new([secret]).with_clock(|| NOW).verify(PATH, &h, &body).unwrap();
        prop_assert_eq!(cb.idempotency_key, Some(key));
    }
}
