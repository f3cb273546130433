//! Verifying Eduframe webhook deliveries: each check refuses with its own error, a rotation
//! loses nothing, a replay is refused, and no error shows a secret or the body.

use std::sync::Arc;
use std::time::Duration;

use eduframe_client::webhooks::{
    MemoryReplayGuard, SIGNATURE_HEADER, SecretSlot, SignatureError, Signer, Verifier,
};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

const NOW: u64 = 1_700_000_000;
const BODY: &[u8] =
    br#"{"tenant_id":"3f0c","educator":"demo","event":"order.approved","event_data":{"id":7,"name":"Private Person"}}"#;

fn verifier(primary: &str) -> Verifier {
    Verifier::new(primary.to_owned()).with_clock(|| NOW)
}

#[tokio::test]
async fn a_signed_delivery_verifies_and_parses() {
    let headers = Signer::new("p1".to_owned()).sign(BODY, NOW - 10);
    let v = verifier("p1").verify(&headers, BODY).await.unwrap();
    assert_eq!(v.secret(), SecretSlot::Primary);
    assert_eq!(v.timestamp(), NOW - 10);
    assert_eq!(v.body(), BODY);
    let n = v.parse().unwrap();
    assert_eq!(
        (n.event.resource.as_str(), n.event.action.as_str()),
        ("order", "approved")
    );
}

#[tokio::test]
async fn a_rotation_mid_stream_loses_nothing() {
    // Before the rotation Eduframe signs with `old`; after it, with `new` and `old`.
    let before = Signer::new("old".to_owned());
    let after = Signer::new("new".to_owned()).secondary("old".to_owned());
    // A receiver still on the old secret, and one already given both.
    let lagging = verifier("old");
    let updated = verifier("new").secondary("old".to_owned());
    for (n, signer) in [(1u64, &before), (2, &after), (3, &before), (4, &after)] {
        let body = format!(
            r#"{{"tenant_id":"t","educator":"e","event":"lead.created","event_data":{{"id":{n}}}}}"#
        );
        let headers = signer.sign(body.as_bytes(), NOW - n);
        assert!(
            lagging.verify(&headers, body.as_bytes()).await.is_ok(),
            "delivery {n}, old secret"
        );
        let v = updated.verify(&headers, body.as_bytes()).await.unwrap();
        let slot = if n % 2 == 0 {
            SecretSlot::Primary
        } else {
            SecretSlot::Secondary
        };
        assert_eq!(v.secret(), slot, "delivery {n}");
    }
}

#[tokio::test]
async fn a_tampered_body_is_refused() {
    let headers = Signer::new("p1".to_owned()).sign(BODY, NOW);
    let mut tampered = BODY.to_vec();
    tampered[BODY.len() - 3] = b'8';
    assert_eq!(
        verifier("p1")
            .verify(&headers, &tampered)
            .await
            .unwrap_err(),
        SignatureError::NoMatch
    );
    // And a delivery signed with a secret the verifier does not have.
    let other = Signer::new("someone-else".to_owned()).sign(BODY, NOW);
    assert_eq!(
        verifier("p1").verify(&other, BODY).await.unwrap_err(),
        SignatureError::NoMatch
    );
}

#[tokio::test]
async fn a_stale_or_future_timestamp_is_refused() {
    let signer = Signer::new("p1".to_owned());
    for (t, skew) in [(NOW - 301, 301), (NOW + 400, 400)] {
        let err = verifier("p1")
            .verify(&signer.sign(BODY, t), BODY)
            .await
            .unwrap_err();
        assert_eq!(
            err,
            SignatureError::OutsideTolerance {
                skew_secs: skew,
                tolerance_secs: 300
            }
        );
    }
    // A wider tolerance takes the old one.
    let wide = verifier("p1").tolerance(Duration::from_secs(600));
    assert!(
        wide.verify(&signer.sign(BODY, NOW - 301), BODY)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_replay_is_refused_by_its_own_error_and_clones_share_the_guard() {
    let headers = Signer::new("p1".to_owned()).sign(BODY, NOW);
    let v = verifier("p1");
    assert!(v.verify(&headers, BODY).await.is_ok());
    assert_eq!(
        v.verify(&headers, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
    assert_eq!(
        v.clone().verify(&headers, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
    // Another verifier given the same guard refuses it too; one with its own does not.
    let guard = Arc::new(MemoryReplayGuard::default());
    let a = verifier("p1").replay_guard(guard.clone());
    let b = verifier("p1").replay_guard(guard);
    assert!(a.verify(&headers, BODY).await.is_ok());
    assert_eq!(
        b.verify(&headers, BODY).await.unwrap_err(),
        SignatureError::Replayed
    );
}

/// The header a rotation's delivery carries, rewritten with only some of its signatures, or in
/// another order.
fn header_with(t: u64, signatures: &[String]) -> HeaderMap {
    let mut value = format!("t={t}");
    for s in signatures {
        value.push_str(&format!(", signature={s}"));
    }
    let mut headers = HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&value).unwrap());
    headers
}

/// The two signatures of a delivery signed during a rotation (primary `new`, secondary `old`).
fn rotation_signatures(t: u64) -> Vec<String> {
    let value = Signer::new("new".to_owned())
        .secondary("old".to_owned())
        .header_value(BODY, t);
    value
        .split(", ")
        .filter_map(|p| p.strip_prefix("signature="))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_rotation_delivery_resent_with_one_signature_or_reordered_is_a_replay() {
    let sigs = rotation_signatures(NOW);
    assert_eq!(sigs.len(), 2);
    let v = verifier("new").secondary("old".to_owned());
    assert!(v.verify(&header_with(NOW, &sigs), BODY).await.is_ok());
    for (what, resent) in [
        ("only the primary's", vec![sigs[0].clone()]),
        ("only the secondary's", vec![sigs[1].clone()]),
        ("in the other order", vec![sigs[1].clone(), sigs[0].clone()]),
    ] {
        assert_eq!(
            v.verify(&header_with(NOW, &resent), BODY)
                .await
                .unwrap_err(),
            SignatureError::Replayed,
            "resent with {what} signature"
        );
    }
}

#[tokio::test]
async fn the_header_as_eduframes_documentation_writes_it_verifies() {
    // Its example: `t = 1717747771, signature = <hex>, signature = <hex>`.
    let t = 1_717_747_771;
    let sigs = rotation_signatures(t);
    let value = format!("t = {t}, signature = {}, signature = {}", sigs[0], sigs[1]);
    let mut headers = HeaderMap::new();
    headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&value).unwrap());
    let v = Verifier::new("new".to_owned())
        .secondary("old".to_owned())
        .with_clock(move || t + 5);
    assert_eq!(
        v.verify(&headers, BODY).await.unwrap().secret(),
        SecretSlot::Primary
    );
}

#[tokio::test]
async fn a_tolerance_of_duration_max_turns_the_window_off_without_panicking() {
    let signer = Signer::new("p1".to_owned());
    let v = verifier("p1").tolerance(Duration::MAX);
    for t in [0, NOW - 86_400 * 365, NOW, u64::MAX] {
        let headers = signer.sign(BODY, t);
        assert!(v.verify(&headers, BODY).await.is_ok(), "t={t}");
        assert_eq!(
            v.verify(&headers, BODY).await.unwrap_err(),
            SignatureError::Replayed,
            "t={t}"
        );
    }
}

#[tokio::test]
async fn the_tolerance_boundary_is_inclusive() {
    let signer = Signer::new("p1".to_owned());
    for (t, ok) in [
        (NOW - 300, true),
        (NOW + 300, true),
        (NOW - 301, false),
        (NOW + 301, false),
    ] {
        let result = verifier("p1").verify(&signer.sign(BODY, t), BODY).await;
        assert_eq!(result.is_ok(), ok, "skew {}", NOW.abs_diff(t));
    }
}

#[tokio::test]
async fn a_missing_or_malformed_header_is_refused_by_name() {
    let err = verifier("p1")
        .verify(&HeaderMap::new(), BODY)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SignatureError::MissingHeader {
            header: SIGNATURE_HEADER
        }
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_static("t=1700000000, signature=zz"),
    );
    let err = verifier("p1").verify(&headers, BODY).await.unwrap_err();
    assert!(
        matches!(
            err,
            SignatureError::Malformed {
                header: SIGNATURE_HEADER,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn no_error_shows_a_secret_a_signature_or_the_body() {
    let signer = Signer::new("p1-secret-value".to_owned()).secondary("p0-secret-value".to_owned());
    let headers = signer.sign(BODY, NOW - 1000);
    let value = headers[SIGNATURE_HEADER].to_str().unwrap().to_owned();
    let v = verifier("p1-secret-value").secondary("p0-secret-value".to_owned());
    let mut texts = vec![format!("{v:?}"), format!("{signer:?}")];
    texts.push(v.verify(&headers, BODY).await.unwrap_err().to_string());
    texts.push(
        v.verify(&signer.sign(BODY, NOW), b"{}")
            .await
            .unwrap_err()
            .to_string(),
    );
    for text in texts {
        assert!(!text.contains("secret-value"), "{text}");
        assert!(!text.contains("Private Person"), "{text}");
        for sig in value.split("signature=").skip(1) {
            assert!(!text.contains(sig.trim_end_matches([',', ' '])), "{text}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever the header and body, nothing verifies without a signature made with the secret.
    #[test]
    fn nothing_is_accepted_without_a_matching_signature(
        value in "[ -~]{0,200}",
        sigs in prop::collection::vec(any::<[u8; 32]>(), 0..3),
        t in (NOW - 400)..(NOW + 400),
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let v = verifier("the-secret");
        let mut forged = format!("t={t}");
        for s in &sigs {
            forged.push_str(&format!(", signature={}", hex::encode(s)));
        }
        for text in [value, forged] {
            let mut headers = HeaderMap::new();
            if let Ok(h) = HeaderValue::from_str(&text) {
                headers.insert(SIGNATURE_HEADER, h);
            }
            prop_assert!(rt.block_on(v.verify(&headers, &body)).is_err(), "{}", text);
        }
    }
}
