//! Every parameter the kept spec documents is reachable through the typed API: for each
//! operation and each of its parameters, the setter that sends it, called against a recording
//! server. The table is checked against the spec, so a parameter a new spec adds fails here
//! until the typed API can send it.

use std::collections::BTreeSet;

use eduv_education_client::types::BoardIdType;
use eduv_education_client::{Client, OrgIdType, School, StudyCode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `(operation id, parameter)` for every parameter of every operation of the kept spec.
fn documented() -> BTreeSet<(String, String)> {
    let spec: Value =
        serde_json::from_str(include_str!("../spec/education-api-1.1.1.json")).unwrap();
    let mut out = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (m, op) in item.as_object().unwrap() {
            if m == "parameters" {
                continue;
            }
            let id = op["operationId"].as_str().unwrap();
            let params = op["parameters"].as_array().into_iter().flatten();
            for p in params.chain(item["parameters"].as_array().into_iter().flatten()) {
                out.insert((id.to_owned(), p["name"].as_str().unwrap().to_owned()));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_documented_parameter_has_a_setter_that_sends_it() {
    edu_common::install_crypto_provider();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"access_token": "t", "token_type": "Bearer", "expires_in": 300}),
            ),
        )
        .mount(&server)
        .await;
    // One offering of each kind, as the gets answer; every listing answers `[]`.
    for (kind, key) in [
        ("studyofferings", "studyOfferingId"),
        ("subjectofferings", "subjectOfferingId"),
    ] {
        let id = "00000000-0000-4000-8000-000000000001";
        Mock::given(method("GET"))
            .and(path(format!("/education/v1/{kind}/school/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ key: id })))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(format!("{}/education/v1", server.uri()))
        .token_url(format!("{}/oauth2/token", server.uri()))
        .client_id("id")
        .client_secret("secret")
        .build()
        .unwrap();
    let id = uuid::Uuid::parse_str("00000000-0000-4000-8000-000000000001").unwrap();
    let by_org = || School::org_id(OrgIdType::OieCode, "12AB");
    let code = StudyCode::new("1001").unwrap();
    // (operation, the parameters this call sends): each call is one setter at work.
    let mut sent: Vec<(&str, Vec<&str>)> = Vec::new();
    macro_rules! call {
        ($op:literal, [$($p:literal),*], $fut:expr) => {
            $fut.await.unwrap();
            sent.push(($op, vec![$($p),*]));
        };
    }
    call!(
        "get-organisations-by-school-search",
        ["orgMasterId"],
        c.organisations().school(School::master_id("m")).send()
    );
    call!(
        "get-organisations-by-school-search",
        ["orgId", "orgIdType"],
        c.organisations().school(by_org()).send()
    );
    call!(
        "get-organisations-by-school-search",
        ["boardMasterId"],
        c.organisations().board_master_id("b").send()
    );
    call!(
        "get-organisations-by-school-search",
        ["boardId", "boardIdType"],
        c.organisations().board_id("b", BoardIdType::BgeCode).send()
    );
    call!(
        "get-organisations-by-school-search",
        ["name"],
        c.organisations().name("n").send()
    );
    call!(
        "get-studyofferings-for-school",
        ["orgMasterId"],
        c.study_offerings(School::master_id("m")).send()
    );
    call!(
        "get-studyofferings-for-school",
        ["orgId", "orgIdType", "filterByOrgId"],
        c.study_offerings(by_org().filter_by_org_id(true)).send()
    );
    call!(
        "get-studyofferings-for-school",
        ["studyCode", "schoolPeriodId"],
        c.study_offerings(School::master_id("m"))
            .study_code(code.clone())
            .school_period_id("p")
            .send()
    );
    call!(
        "get-studyofferings",
        ["id", "orgMasterId"],
        c.study_offering(id, School::master_id("m"))
    );
    call!(
        "get-studyofferings",
        ["orgId", "orgIdType"],
        c.study_offering(id, by_org())
    );
    call!(
        "get-subjectofferings-for-school",
        [
            "orgMasterId",
            "subjectCode",
            "studyOfferingId",
            "schoolPeriodId"
        ],
        c.subject_offerings(School::master_id("m"))
            .subject_code("NE")
            .study_offering_id(id)
            .school_period_id("p")
            .send()
    );
    call!(
        "get-subjectofferings-for-school",
        ["orgId", "orgIdType", "filterByOrgId"],
        c.subject_offerings(by_org().filter_by_org_id(false)).send()
    );
    call!(
        "get-subjectoffering",
        ["id", "orgMasterId"],
        c.subject_offering(id, School::master_id("m"))
    );
    call!(
        "get-subjectoffering",
        ["orgId", "orgIdType"],
        c.subject_offering(id, by_org())
    );

    // Each call's request carried what its entry says (a path parameter: the id in the path).
    let requests: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().starts_with("/education/"))
        .collect();
    assert_eq!(requests.len(), sent.len());
    let mut covered = BTreeSet::new();
    for (req, (op, params)) in requests.iter().zip(&sent) {
        for p in params {
            let present = if *p == "id" {
                req.url.path().ends_with(&id.to_string())
            } else {
                req.url.query_pairs().any(|(k, _)| k == *p)
            };
            assert!(present, "{op}: `{p}` not sent in {}", req.url);
            covered.insert((op.to_string(), p.to_string()));
        }
    }
    let missing: Vec<_> = documented().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "documented parameters without a setter: {missing:?}"
    );
}
