//! Every operation and parameter rule against the simulator, and both token methods.
#![cfg(feature = "mock")]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use edu_common::auth::{ClientAssertion, ClientAuth, OAuth2Config};
use edu_common::{Credentials, Error, Transport, Url};
use eduv_education_client::auth::{AssertionClaims, PrivateKeyJwt};
use eduv_education_client::error::{FunctionalCode, status_response, www_authenticate};
use eduv_education_client::mock::{self, Simulator};
use eduv_education_client::types;
use eduv_education_client::{Client, Lifecycle, OrgIdType, School, StudyCode};
use secrecy::SecretString;

#[tokio::test]
async fn organisations_by_school_board_and_name() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let all = c.organisations().send().await.unwrap();
    assert_eq!(all.value.len(), 3);
    assert_eq!(all.api_version.as_deref(), Some("1.1.1"));
    let one = c
        .organisations()
        .school(School::master_id(mock::PRIMARY_MASTER_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(
        one.value[0].organisation_master_identifier.as_deref(),
        Some(mock::PRIMARY_MASTER_ID)
    );
    let by_brin = c
        .organisations()
        .school(School::org_id(OrgIdType::OieCode, mock::SECONDARY_OIE_CODE))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_brin.value[0].name.as_deref(),
        Some("Het Stedelijk Lyceum")
    );
    let named = c
        .organisations()
        .name("Het Stedelijk Lyceum")
        .board_master_id(mock::BOARD_MASTER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(named.value.len(), 1);
    // A board by its secondary id and that id's type (boardId with boardIdType).
    let by_bge = c
        .organisations()
        .board_id(mock::BOARD_BGE_CODE, types::BoardIdType::BgeCode)
        .send()
        .await
        .unwrap();
    assert_eq!(by_bge.value.len(), 3);
    let other_board = c
        .organisations()
        .board_id("99999", types::BoardIdType::BgeCode)
        .send()
        .await
        .unwrap();
    assert!(other_board.value.is_empty());
    let other_master = c
        .organisations()
        .board_master_id("99999")
        .send()
        .await
        .unwrap();
    assert!(other_master.value.is_empty());
}

#[tokio::test]
async fn study_offerings_follow_the_sector_default_for_filter_by_org_id() {
    let sim = Simulator::start().await;
    let c = sim.client_with_private_key_jwt();
    // Primary school: filtered to the location by default; the whole school with filter=false.
    let po = c
        .study_offerings(School::org_id(OrgIdType::OieCode, mock::PRIMARY_OIE_CODE))
        .send()
        .await
        .unwrap();
    let po_all = c
        .study_offerings(
            School::org_id(OrgIdType::OieCode, mock::PRIMARY_OIE_CODE).filter_by_org_id(false),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(po.value.len(), 3);
    assert_eq!(po_all.value.len(), 6);
    // Secondary school: the whole school by default; filtered with filter=true.
    let vo = c
        .study_offerings(School::org_id(OrgIdType::OieCode, mock::SECONDARY_OIE_CODE))
        .send()
        .await
        .unwrap();
    let vo_loc = c
        .study_offerings(
            School::org_id(OrgIdType::OieCode, mock::SECONDARY_OIE_CODE).filter_by_org_id(true),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(vo.value.len(), 4);
    assert_eq!(vo_loc.value.len(), 2);
    // By master id: the whole school.
    let master = c
        .study_offerings(School::master_id(mock::PRIMARY_MASTER_ID))
        .send()
        .await
        .unwrap();
    assert_eq!(master.value.len(), 6);
    assert!(
        master.value.iter().any(|o| !o.is_active()),
        "one offering is tobedeleted"
    );
    assert_eq!(
        master
            .value
            .iter()
            .filter(|o| eduv_education_client::is_active(*o))
            .count(),
        5
    );
}

#[tokio::test]
async fn study_code_and_single_offerings() {
    let sim = Simulator::start().await;
    let c = sim.client();
    let school = School::master_id(mock::PRIMARY_MASTER_ID);
    let by_code = c
        .study_offerings(school.clone())
        .study_code(StudyCode::new("1002").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(by_code.value.len(), 2);
    let id = by_code.value[0].study_offering_id;
    let one = c.study_offering(id, school.clone()).await.unwrap();
    assert_eq!(one.value.study_offering_id, id);
    assert_eq!(one.api_version.as_deref(), Some("1.1.1"));

    let subjects = c
        .subject_offerings(school.clone())
        .study_offering_id(id)
        .send()
        .await
        .unwrap();
    assert_eq!(subjects.value.len(), 2);
    let ne = c
        .subject_offerings(school.clone())
        .subject_code("NE")
        .school_period_id("2026")
        .send()
        .await
        .unwrap();
    assert_eq!(ne.value.len(), 6);
    let s = c
        .subject_offering(subjects.value[0].subject_offering_id, school.clone())
        .await
        .unwrap();
    assert_eq!(
        s.value.subject_offering_id,
        subjects.value[0].subject_offering_id
    );

    let missing = c
        .study_offering(uuid::Uuid::nil(), school)
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(
        status_response(&missing).unwrap().code,
        FunctionalCode::Other
    );
}

#[tokio::test]
async fn rule_violations_are_caught_before_sending() {
    assert!(StudyCode::new("12345").is_err());
    assert!(StudyCode::new("1000O002").is_err());
    let sim = Simulator::start().await;
    let c = sim.client();
    let err = c
        .study_offerings(School::master_id("  "))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    // Nothing was sent: no token was even requested.
    assert_eq!(sim.tokens_issued(), 0);
}

#[tokio::test]
async fn server_side_rules_answer_with_functional_codes() {
    let sim = Simulator::start().await;
    let c = sim.client();
    // A raw request the typed layer would not let through: filterByOrgId=true with orgMasterId.
    let err = c
        .transport()
        .get("studyofferings/school")
        .query("orgMasterId", mock::PRIMARY_MASTER_ID)
        .query("filterByOrgId", true)
        .send()
        .await
        .unwrap_err();
    let sr = status_response(&err).unwrap();
    assert_eq!(sr.code, FunctionalCode::SchemaIncorrect);
    assert_eq!(sr.number, 11);

    let unknown = c
        .study_offerings(School::master_id("000X000"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_response(&unknown).unwrap().code,
        FunctionalCode::EduOrgIdUnknown
    );
    assert_eq!(unknown.status().unwrap().as_u16(), 400);

    let consent = c
        .study_offerings(School::master_id(mock::NO_CONSENT_MASTER_ID))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        status_response(&consent).unwrap().code,
        FunctionalCode::ConsentRequired
    );
    assert_eq!(consent.status().unwrap().as_u16(), 403);

    // The body is the spec's `StatusResponse`: `status` an integer, as the spec types it.
    for err in [&err, &unknown, &consent] {
        let v = err.http().unwrap().body.clone().unwrap();
        assert!(v["status"].is_u64(), "{v}");
        assert!(v["statusMessage"].is_string(), "{v}");
    }
}

#[tokio::test]
async fn a_401_without_body_still_explains_itself() {
    let sim = Simulator::start().await;
    let c = sim.client();
    c.organisations().send().await.unwrap();
    // A token the server no longer accepts, twice in a row: refreshed once, then reported.
    sim.expire_tokens();
    c.organisations().send().await.unwrap();
    assert_eq!(sim.tokens_issued(), 2);
    let plain = Transport::builder(sim.base_url()).build().unwrap();
    let err = plain.get("organisations").send().await.unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 401);
    assert!(www_authenticate(&err).unwrap().contains("invalid_token"));
    assert!(err.to_string().contains("WWW-Authenticate"), "{err}");
}

#[tokio::test]
async fn wrong_client_secret_is_refused() {
    let sim = Simulator::start().await;
    let c = Client::builder()
        .base_url(sim.base_url())
        .token_url(sim.token_url())
        .client_id(sim.client_id())
        .client_secret(SecretString::from("nope"))
        .build()
        .unwrap();
    let err = c.organisations().send().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid_client"));
}

/// Sends a fixed, pre-made assertion, to test what the server does with bad ones.
#[derive(Debug)]
struct Fixed(String);

impl ClientAssertion for Fixed {
    fn assertion(&self, _: &str, _: &Url) -> edu_common::Result<SecretString> {
        Ok(SecretString::from(self.0.clone()))
    }
}

fn signed(claims: &AssertionClaims, pem: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        claims,
        &key,
    )
    .unwrap()
}

fn claims(sim: &Simulator, exp_offset: i64, jti: &str) -> AssertionClaims {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    AssertionClaims {
        iss: sim.client_id().into(),
        sub: sim.client_id().into(),
        aud: sim.token_url(),
        jti: jti.into(),
        iat: now as u64,
        exp: (now + exp_offset) as u64,
    }
}

async fn token_with(sim: &Simulator, assertion: ClientAuth) -> edu_common::Result<()> {
    let t = Transport::builder(sim.base_url())
        .credentials(Credentials::oauth2(
            OAuth2Config::new(sim.token_url().parse().unwrap(), sim.client_id(), assertion)
                .scope("eduv.education"),
        ))
        .build()
        .unwrap();
    t.get("organisations").send().await.map(|_| ())
}

#[tokio::test]
async fn assertions_signed_with_the_wrong_key_expired_or_replayed_are_refused() {
    let sim = Simulator::start().await;
    // Good, via the crate's own signer.
    let good = PrivateKeyJwt::from_pem(mock::TEST_PRIVATE_KEY_PEM.as_bytes()).unwrap();
    token_with(&sim, ClientAuth::Assertion(Arc::new(good)))
        .await
        .unwrap();
    // Wrong key.
    let wrong = PrivateKeyJwt::from_pem(mock::UNTRUSTED_PRIVATE_KEY_PEM.as_bytes()).unwrap();
    let err = token_with(&sim, ClientAuth::Assertion(Arc::new(wrong)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("InvalidSignature"), "{err}");
    // Expired.
    let expired = signed(
        &claims(&sim, -120, "jti-expired"),
        mock::TEST_PRIVATE_KEY_PEM,
    );
    let err = token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(expired))))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ExpiredSignature"), "{err}");
    // Wrong audience.
    let mut c = claims(&sim, 60, "jti-aud");
    c.aud = "https://elsewhere.example/token".into();
    let err = token_with(
        &sim,
        ClientAuth::Assertion(Arc::new(Fixed(signed(&c, mock::TEST_PRIVATE_KEY_PEM)))),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("InvalidAudience"), "{err}");
    // Replayed jti: the first use succeeds, the second is refused.
    let once = signed(&claims(&sim, 60, "jti-once"), mock::TEST_PRIVATE_KEY_PEM);
    token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(once.clone()))))
        .await
        .unwrap();
    let err = token_with(&sim, ClientAuth::Assertion(Arc::new(Fixed(once))))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("jti already used"), "{err}");
}

#[test]
fn the_signer_sets_the_rfc7523_claims() {
    let signer = PrivateKeyJwt::from_pem(mock::TEST_PRIVATE_KEY_PEM.as_bytes())
        .unwrap()
        .key_id("k1");
    let url: Url = "https://id.example.nl/oauth2/token".parse().unwrap();
    let a = signer.assertion("client-9", &url).unwrap();
    let b = signer.assertion("client-9", &url).unwrap();
    use secrecy::ExposeSecret;
    let header = jsonwebtoken::decode_header(a.expose_secret()).unwrap();
    assert_eq!(header.kid.as_deref(), Some("k1"));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_audience(&[url.as_str()]);
    let ca = jsonwebtoken::decode::<AssertionClaims>(
        a.expose_secret(),
        &jsonwebtoken::DecodingKey::from_rsa_pem(include_bytes!(
            "../testdata/client-test-key.pub.pem"
        ))
        .unwrap(),
        &v,
    )
    .unwrap()
    .claims;
    let cb = jsonwebtoken::decode::<AssertionClaims>(
        b.expose_secret(),
        &jsonwebtoken::DecodingKey::from_rsa_pem(include_bytes!(
            "../testdata/client-test-key.pub.pem"
        ))
        .unwrap(),
        &v,
    )
    .unwrap()
    .claims;
    assert_eq!((ca.iss.as_str(), ca.sub.as_str()), ("client-9", "client-9"));
    assert_eq!(ca.aud, url.as_str());
    assert!(ca.exp > ca.iat && ca.exp - ca.iat <= 60);
    assert_ne!(ca.jti, cb.jti, "every assertion has a fresh jti");
    assert!(!format!("{signer:?}").contains("PRIVATE"));
}

#[tokio::test]
async fn every_listing_and_get_decodes_sparse_records() {
    let sim = Simulator::builder().sparse(true).start().await;
    let c = sim.client();
    let school = School::master_id(mock::SECONDARY_MASTER_ID);
    let orgs = c.organisations().send().await.unwrap().value;
    assert_eq!(orgs.len(), 3);
    assert!(orgs.iter().all(|o| o.name.is_none() && o.status.is_none()));
    assert!(
        orgs.iter().all(eduv_education_client::is_active),
        "no status: active"
    );
    let study = c
        .study_offerings(school.clone())
        .send()
        .await
        .unwrap()
        .value;
    assert!(!study.is_empty());
    assert!(study.iter().all(|o| o.study_offering_name.is_none()));
    let one = c
        .study_offering(study[0].study_offering_id, school.clone())
        .await
        .unwrap()
        .value;
    assert_eq!(one.study_offering_id, study[0].study_offering_id);
    assert!(one.date_created.is_none());
    let subject = c
        .subject_offerings(school.clone())
        .send()
        .await
        .unwrap()
        .value;
    assert!(!subject.is_empty());
    assert!(subject.iter().all(|o| o.subject_offering_name.is_none()));
    let one = c
        .subject_offering(subject[0].subject_offering_id, school)
        .await
        .unwrap()
        .value;
    assert_eq!(one.subject_offering_id, subject[0].subject_offering_id);
}
