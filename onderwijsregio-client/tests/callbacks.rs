//! Callback verification: valid, tampered, old, replayed, rotated; never panics; verifying apart
//! from parsing.

use std::sync::Arc;
use std::time::Duration;

use onderwijsregio_client::callbacks::{
    MemoryReplayGuard, NONCE_HEADER, SIGNATURE_HEADER, SecretSlot, SignatureError, Signer,
    TIMESTAMP_HEADER, Verifier, parse,
};
use proptest::prelude::*;

const NOW: u64 = 1_800_000_000;
const PATH: &str = "/hooks/onderwijsregio?region=rotterdam";
const BODY: &[u8] = br#"{"mutationId":"mut1","idempotencyKey":"k-42","status":"succeeded"}"#;

fn verifier(primary: &str) -> Verifier {
    Verifier::new(primary.to_owned()).with_clock(|| NOW)
}

#[tokio::test]
async fn a_valid_callback_is_accepted_then_parsed() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW - 3, "n-1");
    let v = verifier("s1").verify(PATH, &h, BODY).await.unwrap();
    assert_eq!(
        (v.timestamp(), v.nonce(), v.secret()),
        (NOW - 3, "n-1", SecretSlot::Primary)
    );
    assert_eq!(v.body(), BODY);
    let cb = v.parse().unwrap();
    assert_eq!(cb.idempotency_key.as_deref(), Some("k-42"));
    assert_eq!(cb.status.as_deref(), Some("succeeded"));
    assert_eq!(cb.raw["mutationId"], "mut1");
    // The same bytes parsed later, from a queue.
    assert_eq!(parse(BODY).unwrap(), cb);
}

#[tokio::test]
async fn a_tampered_body_is_refused() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    let tampered = br#"{"mutationId":"mut1","idempotencyKey":"k-42","status":"failed"}"#;
    assert_eq!(
        verifier("s1").verify(PATH, &h, tampered).await.unwrap_err(),
        SignatureError::NoMatch
    );
}

#[tokio::test]
async fn a_tampered_path_or_query_is_refused() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    let v = verifier("s1");
    for path in [
        "/hooks/onderwijsregio?region=utrecht",
        "/hooks/other?region=rotterdam",
    ] {
        assert_eq!(
            v.verify(path, &h, BODY).await.unwrap_err(),
            SignatureError::NoMatch
        );
    }
}

#[tokio::test]
async fn an_old_or_future_timestamp_is_refused() {
    let s = Signer::new("s1");
    let v = verifier("s1");
    let old = s.sign(PATH, BODY, NOW - 301, "n-old");
    assert_eq!(
        v.verify(PATH, &old, BODY).await.unwrap_err(),
        SignatureError::OutsideTolerance {
            skew_secs: 301,
            tolerance_secs: 300
        }
    );
    let future = s.sign(PATH, BODY, NOW + 400, "n-future");
    assert!(matches!(
        v.verify(PATH, &future, BODY).await,
        Err(SignatureError::OutsideTolerance { .. })
    ));
    let narrow = verifier("s1").tolerance(Duration::from_secs(10));
    let eleven_ago = s.sign(PATH, BODY, NOW - 11, "n-narrow");
    assert!(matches!(
        narrow.verify(PATH, &eleven_ago, BODY).await,
        Err(SignatureError::OutsideTolerance { .. })
    ));
}

#[tokio::test]
async fn a_replayed_nonce_is_refused_and_clones_share_the_guard() {
    let h = Signer::new("s1").sign(PATH, BODY, NOW, "n-once");
    let v = verifier("s1");
    v.verify(PATH, &h, BODY).await.unwrap();
    assert_eq!(
        v.clone().verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
    // Two verifiers given one guard (two handlers of one service) refuse it across.
    let guard = Arc::new(MemoryReplayGuard::default());
    let a = verifier("s1").replay_guard(guard.clone());
    let b = verifier("s1").replay_guard(guard);
    a.verify(PATH, &h, BODY).await.unwrap();
    assert_eq!(
        b.verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
}

#[tokio::test]
async fn rotated_secrets_and_several_signatures_are_accepted() {
    // During a rotation the verifier knows the new secret and the retired one.
    let v = verifier("new-secret").secondary("old-secret".to_owned());
    let h = Signer::new("new-secret").sign(PATH, BODY, NOW, "n-rot-1");
    assert_eq!(
        v.verify(PATH, &h, BODY).await.unwrap().secret(),
        SecretSlot::Primary
    );
    // The header carries two v2 values, one of them by a secret unknown here.
    let a = Signer::new("old-secret").signature(PATH, BODY, NOW, "n-rot-2");
    let b = Signer::new("retired").signature(PATH, BODY, NOW, "n-rot-2");
    let mut h = Signer::new("x").sign(PATH, BODY, NOW, "n-rot-2");
    h.insert(SIGNATURE_HEADER, format!("v2={b}, v2={a}").parse().unwrap());
    assert_eq!(
        v.verify(PATH, &h, BODY).await.unwrap().secret(),
        SecretSlot::Secondary
    );
    // Neither secret known: refused.
    let h = Signer::new("new-secret").sign(PATH, BODY, NOW, "n-3");
    assert_eq!(
        verifier("other").verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::NoMatch
    );
}

#[tokio::test]
async fn a_rotation_callback_resent_with_one_signature_or_reordered_is_a_replay() {
    let v = verifier("new-secret").secondary("old-secret".to_owned());
    let new = Signer::new("new-secret").signature(PATH, BODY, NOW, "n-rot");
    let old = Signer::new("old-secret").signature(PATH, BODY, NOW, "n-rot");
    let with = |value: String| {
        let mut h = Signer::new("x").sign(PATH, BODY, NOW, "n-rot");
        h.insert(SIGNATURE_HEADER, value.parse().unwrap());
        h
    };
    v.verify(PATH, &with(format!("v2={new}, v2={old}")), BODY)
        .await
        .unwrap();
    for resent in [
        format!("v2={new}"),
        format!("v2={old}"),
        format!("v2={old}, v2={new}"),
    ] {
        assert_eq!(
            v.verify(PATH, &with(resent.clone()), BODY)
                .await
                .unwrap_err(),
            SignatureError::Replayed,
            "{resent}"
        );
    }
}

#[tokio::test]
async fn with_a_layout_that_leaves_the_nonce_out_a_new_nonce_is_still_a_replay() {
    // The guard is keyed on what was signed: a nonce outside the signed bytes is the
    // attacker's to change, so it cannot make a delivery new.
    let layout = |path: &str, body: &[u8], ts: &str, _nonce: &str| {
        [ts.as_bytes(), b"\n", path.as_bytes(), b"\n", body].concat()
    };
    let signer = Signer::new("s1").layout(layout);
    let v = verifier("s1").layout(layout);
    v.verify(PATH, &signer.sign(PATH, BODY, NOW, "n-1"), BODY)
        .await
        .unwrap();
    let mut h = signer.sign(PATH, BODY, NOW, "n-1");
    h.insert(NONCE_HEADER, "n-2".parse().unwrap());
    assert_eq!(
        v.verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
}

#[tokio::test]
async fn a_tolerance_of_duration_max_turns_the_window_off_without_panicking() {
    let v = verifier("s1").tolerance(Duration::MAX);
    for (t, nonce) in [(0, "a"), (NOW, "b"), (u64::MAX, "c")] {
        let h = Signer::new("s1").sign(PATH, BODY, t, nonce);
        v.verify(PATH, &h, BODY).await.unwrap();
        assert_eq!(
            v.verify(PATH, &h, BODY).await.unwrap_err(),
            SignatureError::Replayed
        );
    }
}

#[tokio::test]
async fn missing_headers_and_bad_values_are_reported_by_name() {
    let v = verifier("s1");
    let mut h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    h.remove(NONCE_HEADER);
    assert_eq!(
        v.verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::MissingHeader {
            header: NONCE_HEADER
        }
    );
    let mut h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    h.insert(TIMESTAMP_HEADER, "yesterday".parse().unwrap());
    assert!(matches!(
        v.verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::Malformed {
            header: TIMESTAMP_HEADER,
            ..
        }
    ));
    let mut h = Signer::new("s1").sign(PATH, BODY, NOW, "n-1");
    h.insert(SIGNATURE_HEADER, "v1=abc".parse().unwrap());
    assert!(matches!(
        v.verify(PATH, &h, BODY).await.unwrap_err(),
        SignatureError::Malformed {
            header: SIGNATURE_HEADER,
            ..
        }
    ));
}

#[tokio::test]
async fn a_signed_body_that_is_not_json_verifies_but_does_not_parse() {
    let body = b"not json";
    let h = Signer::new("s1").sign(PATH, body, NOW, "n-json");
    let v = verifier("s1").verify(PATH, &h, body).await.unwrap();
    let err = v.parse().unwrap_err();
    assert!(matches!(err, edu_common::Error::Decode(_)), "{err:?}");
}

proptest! {
    #[test]
    fn the_verifier_never_panics_and_accepts_nothing_unsigned(
        ts in ".{0,20}",
        nonce in ".{0,40}",
        sig in ".{0,120}",
        path in ".{0,60}",
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut h = http::HeaderMap::new();
        for (name, value) in [(TIMESTAMP_HEADER, ts), (NONCE_HEADER, nonce), (SIGNATURE_HEADER, sig)] {
            if let Ok(v) = http::HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        prop_assert!(rt.block_on(verifier("s1").verify(&path, &h, &body)).is_err());
    }

    #[test]
    fn any_signed_object_round_trips(secret in "[a-z0-9]{1,32}", nonce in "[a-zA-Z0-9-]{1,36}", key in "[a-z0-9-]{1,36}") {
        let body = serde_json::to_vec(&serde_json::json!({"idempotencyKey": key})).unwrap();
        let h = Signer::new(secret.clone()).sign(PATH, &body, NOW, &nonce);
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let v = rt.block_on(verifier(&secret).verify(PATH, &h, &body)).unwrap();
        prop_assert_eq!(v.parse().unwrap().idempotency_key, Some(key));
    }
}
