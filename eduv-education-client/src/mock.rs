//! A stateful simulator of an Edu-V Education API supplier (feature `mock`).
//!
//! Three schools: a primary school (PO, `filterByOrgId` defaults to true), a secondary school
//! (VO, defaults to false) and a school that has not given consent (answers `0022`). Each has
//! locations with secondary ids, study offerings (one marked `tobedeleted`) and subject
//! offerings. The token endpoint is as strict as a real OpenID Connect server: it takes only a
//! form body, one client authentication method per request (HTTP Basic, `client_secret` in the
//! form, or a `private_key_jwt` assertion), and verifies assertions signed with either of the
//! client's registered keys (RS256 or ES256): signature, `aud`, `exp` (at most 5 minutes ahead),
//! `iat` (not in the future), `iss`/`sub` and `jti` reuse. Errors are `StatusResponse` bodies; a 401 has no body and a `WWW-Authenticate` header.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use edu_common::mock::{Request, Respond, Response};
use edu_common::mock::{TokenDesk, bearer};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::Client;
use crate::auth::{AssertionClaims, PrivateKeyJwt};

const CLIENT_ID: &str = "eduv-sim-client";
const CLIENT_SECRET: &str = "eduv-sim-secret";
/// The test-only private key the simulator trusts (see `testdata/README.md`).
pub const TEST_PRIVATE_KEY_PEM: &str = include_str!("../testdata/client-test-key.pem");
const TEST_PUBLIC_KEY_PEM: &str = include_str!("../testdata/client-test-key.pub.pem");
/// An EC P-256 private key (ES256) the simulator also trusts: test use only.
pub const TEST_EC_PRIVATE_KEY_PEM: &str = include_str!("../testdata/client-test-key-ec.pem");
const TEST_EC_PUBLIC_KEY_PEM: &str = include_str!("../testdata/client-test-key-ec.pub.pem");
/// How far ahead an assertion's `exp` may be, as strict OpenID Connect servers require.
const MAX_ASSERTION_LIFETIME_SECS: u64 = 300;
/// A test-only private key the simulator does not trust.
pub const UNTRUSTED_PRIVATE_KEY_PEM: &str = include_str!("../testdata/other-test-key.pem");

/// The primary school's master id.
pub const PRIMARY_MASTER_ID: &str = "104A158";
/// The primary school's BRIN (OIE_CODE) of its main location.
pub const PRIMARY_OIE_CODE: &str = "12AB";
/// The secondary school's master id.
pub const SECONDARY_MASTER_ID: &str = "205B269";
/// The secondary school's BRIN (OIE_CODE) of its main location.
pub const SECONDARY_OIE_CODE: &str = "34CD";
/// A school whose data service has not been activated (consent required).
pub const NO_CONSENT_MASTER_ID: &str = "999Z999";
/// The master id (`OnderwijsbestuurId`) of the board every simulated school belongs to.
pub const BOARD_MASTER_ID: &str = "40001";
/// That board's BGE code (`boardId` with `boardIdType=BGE_CODE`).
pub const BOARD_BGE_CODE: &str = "41234";

struct SchoolFixture {
    master: &'static str,
    name: &'static str,
    primary: bool,
    consent: bool,
    /// (orgIdType, orgId) of each location; offerings belong to one location.
    locations: Vec<(&'static str, &'static str)>,
}

struct State {
    schools: Vec<SchoolFixture>,
    study: Vec<(usize, &'static str, Value)>,
    subject: Vec<(usize, &'static str, Value)>,
    tokens: TokenDesk,
    seen_jti: HashSet<String>,
    token_url: String,
    /// Answers carry only identifiers ([`SimulatorBuilder::sparse`]).
    sparse: bool,
}

fn uuid_for(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

impl State {
    fn new(token_url: String) -> State {
        let schools = vec![
            SchoolFixture {
                master: PRIMARY_MASTER_ID,
                name: "Basisschool De Regenboog",
                primary: true,
                consent: true,
                locations: vec![("OIE_CODE", PRIMARY_OIE_CODE), ("V_ID", "12AB01")],
            },
            SchoolFixture {
                master: SECONDARY_MASTER_ID,
                name: "Het Stedelijk Lyceum",
                primary: false,
                consent: true,
                locations: vec![("OIE_CODE", SECONDARY_OIE_CODE), ("V_ID", "34CD01")],
            },
            SchoolFixture {
                master: NO_CONSENT_MASTER_ID,
                name: "School zonder toestemming",
                primary: true,
                consent: false,
                locations: vec![("OIE_CODE", "99ZZ")],
            },
        ];
        let ts = "2026-08-15T09:30:00Z";
        let mut study = Vec::new();
        let mut subject = Vec::new();
        let mut n = 1;
        for (si, s) in schools.iter().enumerate() {
            for (li, (_, loc)) in s.locations.iter().enumerate() {
                let years: Vec<i64> = if s.primary { vec![1, 2, 3] } else { vec![1, 2] };
                for year in years {
                    let id = uuid_for(n);
                    let status = if n % 5 == 4 { "tobedeleted" } else { "active" };
                    let code = if s.primary {
                        format!("{:04}", 1000 + year)
                    } else {
                        format!("20{:02}O00{:02}", li, year)
                    };
                    study.push((
                        si,
                        *loc,
                        json!({
                            "studyOfferingId": id, "studyOfferingName": format!("{} groep {year} ({loc})", if s.primary { "PO" } else { "VWO" }),
                            "studyName": if s.primary { "Basisonderwijs" } else { "VWO" }, "studyCode": code,
                            "studyYear": year, "status": status, "dateCreated": ts, "dateLastModified": ts,
                            "studyLevel": {"studyLevelId": uuid_for(900 + year as u32), "studyLevelPrefix": "0001", "studyLevelName": format!("Niveau {year}")}
                        }),
                    ));
                    for (k, (abbr, name)) in
                        [("ne", "Nederlands"), ("re", "Rekenen")].iter().enumerate()
                    {
                        subject.push((
                            si,
                            *loc,
                            json!({
                                "subjectOfferingId": uuid_for(10_000 + n * 10 + k as u32), "subjectOfferingName": format!("{name} jaar {year}"),
                                "subjectOfferingAbbr": abbr, "subjectCode": abbr.to_uppercase(), "studyOfferings": [id],
                                "status": "active", "dateCreated": ts, "dateLastModified": ts
                            }),
                        ));
                    }
                    n += 1;
                }
            }
        }
        State {
            schools,
            study,
            subject,
            tokens: TokenDesk::new("eduv-token", Duration::from_secs(300)),
            seen_jti: HashSet::new(),
            token_url,
            sparse: false,
        }
    }

    fn organisation(&self, i: usize) -> Value {
        let s = &self.schools[i];
        json!({
            "organisationMasterIdentifier": s.master,
            "organisationIds": s.locations.iter().map(|(t, id)| json!({"organisationId": id, "organisationIdType": t})).collect::<Vec<_>>(),
            "name": s.name, "status": "active",
            "boards": [{"organisationMasterIdentifier": BOARD_MASTER_ID, "name": "Stichting Demo"}],
            "locations": s.locations.iter().map(|(_, id)| json!({"locationMasterIdentifier": id, "name": format!("Locatie {id}")})).collect::<Vec<_>>(),
            "dateCreated": "2026-01-01T00:00:00Z", "dateLastModified": "2026-08-01T00:00:00Z"
        })
    }
}

fn status(http: u16, code: u16, message: &str) -> Response {
    Response::new(http)
        .set_body_json(json!({ "status": code, "statusMessage": message }))
        .insert_header("api-version", "1.1.1")
}

/// Which school and location(s) the query selects; `Err` is the error response.
fn select(
    state: &State,
    q: &HashMap<String, String>,
    filter_allowed: bool,
) -> Result<(usize, Option<&'static str>), Box<Response>> {
    let master = q.get("orgMasterId");
    let org_id = q.get("orgId");
    let org_type = q.get("orgIdType");
    let filter = match q.get("filterByOrgId").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. filterByOrgId must be a boolean",
            )));
        }
    };
    if filter.is_some() && !filter_allowed {
        return Err(Box::new(status(
            400,
            11,
            "Schema incorrect. filterByOrgId is not a parameter of this operation",
        )));
    }
    let school = match (master, org_id, org_type) {
        (Some(m), None, None) => {
            if filter == Some(true) {
                return Err(Box::new(status(
                    400,
                    11,
                    "Schema incorrect. filterByOrgId must be absent or false with orgMasterId",
                )));
            }
            let i = state.schools.iter().position(|s| s.master == m.as_str());
            return match i {
                Some(i) if !state.schools[i].consent => {
                    Err(Box::new(status(403, 22, "consent required")))
                }
                Some(i) => Ok((i, None)),
                None => Err(Box::new(status(400, 23, "edu_org_id unknown"))),
            };
        }
        (None, Some(id), Some(t)) => state.schools.iter().enumerate().find_map(|(i, s)| {
            s.locations
                .iter()
                .find(|(lt, lid)| lt == t && lid == id)
                .map(|(_, lid)| (i, *lid))
        }),
        (None, None, None) => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. name a school by orgMasterId or orgId with orgIdType",
            )));
        }
        _ => {
            return Err(Box::new(status(
                400,
                11,
                "Schema incorrect. use orgMasterId, or orgId together with orgIdType",
            )));
        }
    };
    match school {
        None => Err(Box::new(status(400, 23, "edu_org_id unknown"))),
        Some((i, _)) if !state.schools[i].consent => {
            Err(Box::new(status(403, 22, "consent required")))
        }
        Some((i, loc)) => {
            // The sector default: primary schools filter to the location, secondary schools do not.
            let filtered = filter.unwrap_or(state.schools[i].primary);
            Ok((i, filtered.then_some(loc)))
        }
    }
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, req: &Request) -> Response {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let path = req.url.path().to_owned();
        if path == "/oauth2/token" {
            return token(&mut state, req);
        }
        let Some(rest) = path.strip_prefix("/education/v1") else {
            return Response::new(404);
        };
        if !state.tokens.check(bearer(&req.headers)).is_valid() {
            return Response::new(401).insert_header(
                "www-authenticate",
                r#"Bearer realm="eduv", error="invalid_token", scope="eduv.education""#,
            );
        }
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let sparse = state.sparse;
        let ok = |body: Value| {
            Response::new(200)
                .set_body_json(if sparse { sparse_record(body) } else { body })
                .insert_header("api-version", "1.1.1")
        };
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["organisations"] => {
                if q.contains_key("orgMasterId")
                    || q.contains_key("orgId")
                    || q.contains_key("orgIdType")
                {
                    match select(&state, &q, false) {
                        Ok((i, _)) => ok(json!([state.organisation(i)])),
                        Err(e) => *e,
                    }
                } else {
                    // A board by its master id, or by a secondary id with its type (both or
                    // neither, as the spec documents them).
                    let board = match (
                        q.get("boardMasterId"),
                        q.get("boardId"),
                        q.get("boardIdType"),
                    ) {
                        (Some(m), None, None) => Some(m.as_str() == BOARD_MASTER_ID),
                        (None, Some(id), Some(t)) => {
                            Some(t == "BGE_CODE" && id.as_str() == BOARD_BGE_CODE)
                        }
                        (None, None, None) => None,
                        _ => {
                            return status(
                                400,
                                11,
                                "Schema incorrect. name a board by boardMasterId, or boardId together with boardIdType",
                            );
                        }
                    };
                    let all: Vec<Value> = (0..state.schools.len())
                        .filter(|_| board.unwrap_or(true))
                        .map(|i| state.organisation(i))
                        .filter(|o| q.get("name").is_none_or(|n| o["name"] == n.as_str()))
                        .collect();
                    ok(Value::Array(all))
                }
            }
            [kind @ ("studyofferings" | "subjectofferings"), "school"] => {
                if let Some(code) = q.get("studyCode")
                    && crate::StudyCode::new(code).is_err()
                {
                    return status(
                        400,
                        11,
                        "Schema incorrect. studyCode does not match the pattern",
                    );
                }
                let (i, loc) = match select(&state, &q, true) {
                    Ok(s) => s,
                    Err(e) => return *e,
                };
                let source = if *kind == "studyofferings" {
                    &state.study
                } else {
                    &state.subject
                };
                let items: Vec<Value> = source
                    .iter()
                    .filter(|(si, l, v)| {
                        *si == i
                            && loc.is_none_or(|loc| loc == *l)
                            && q.get("studyCode")
                                .is_none_or(|c| v["studyCode"] == c.as_str())
                            && q.get("subjectCode")
                                .is_none_or(|c| v["subjectCode"] == c.as_str())
                            && q.get("studyOfferingId").is_none_or(|id| {
                                v["studyOfferings"]
                                    .as_array()
                                    .is_some_and(|a| a.iter().any(|x| x == id.as_str()))
                            })
                    })
                    .map(|(_, _, v)| v.clone())
                    .collect();
                ok(Value::Array(items))
            }
            [kind @ ("studyofferings" | "subjectofferings"), "school", id] => {
                let (i, _) = match select(&state, &q, false) {
                    Ok(s) => s,
                    Err(e) => return *e,
                };
                let (source, key) = if *kind == "studyofferings" {
                    (&state.study, "studyOfferingId")
                } else {
                    (&state.subject, "subjectOfferingId")
                };
                match source.iter().find(|(si, _, v)| *si == i && v[key] == *id) {
                    Some((_, _, v)) => ok(v.clone()),
                    None => status(404, 99, "object not found"),
                }
            }
            _ => Response::new(404),
        }
    }
}

fn token(state: &mut State, req: &Request) -> Response {
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

fn verify(state: &mut State, assertion: &str, client_id: Option<&str>) -> Result<(), String> {
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

/// `body` with every property of its records left out but their own identifiers
/// (`studyOfferingId`, `subjectOfferingId`): the sparsest answer the API could send.
fn sparse_record(body: Value) -> Value {
    match body {
        Value::Array(items) => items.into_iter().map(sparse_record).collect(),
        Value::Object(map) => map
            .into_iter()
            .filter(|(k, _)| k == "studyOfferingId" || k == "subjectOfferingId")
            .collect(),
        other => other,
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    server: edu_common::mock::SimServer,
    state: Arc<Mutex<State>>,
    faults: edu_common::mock::Faults,
}

/// Configures a [`Simulator`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SimulatorBuilder {
    port: Option<u16>,
    sparse: bool,
}

impl SimulatorBuilder {
    /// Sparse records: every answer leaves out each property but the record's own identifier
    /// (`studyOfferingId`, `subjectOfferingId`; an organisation keeps none), the sparsest
    /// record the API could send. Code that assumes a field is always there fails in tests
    /// rather than in production; the typed models decode sparse records. Off by default.
    pub fn sparse(mut self, sparse: bool) -> Self {
        self.sparse = sparse;
        self
    }

    edu_common::simulator_start_methods!();

    /// Starts the simulator, or says why it cannot listen.
    pub async fn try_start(self) -> std::io::Result<Simulator> {
        let bound = edu_common::mock::bind(self.port).await?;
        let mut state = State::new(format!("{}/oauth2/token", bound.uri()));
        state.sparse = self.sparse;
        let state = Arc::new(Mutex::new(state));
        let faults = edu_common::mock::Faults::default();
        let server = bound.serve(faults.wrap(
            Handler(state.clone()),
            |req| !req.url.path().ends_with("/oauth2/token"),
            |_, message| json!({"status": 99, "statusMessage": message}),
        ));
        Ok(Simulator {
            server,
            state,
            faults,
        })
    }
}

edu_common::simulator_common!();

impl Simulator {
    /// Starts the simulator on any free loopback port.
    pub async fn start() -> Simulator {
        SimulatorBuilder::default().start().await
    }

    /// The API base to give [`ClientBuilder::base_url`](crate::ClientBuilder::base_url).
    pub fn base_url(&self) -> String {
        format!("{}/education/v1", self.server.uri())
    }

    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.server.uri())
    }

    /// The client id it knows.
    pub fn client_id(&self) -> &'static str {
        CLIENT_ID
    }

    /// The client secret it accepts.
    pub fn client_secret(&self) -> &'static str {
        CLIENT_SECRET
    }

    /// The private key whose public half it trusts (test-only).
    pub fn private_key_pem(&self) -> &'static str {
        TEST_PRIVATE_KEY_PEM
    }

    /// Tokens issued so far.
    pub fn tokens_issued(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .issued()
    }

    /// Expires every issued token.
    pub fn expire_tokens(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .expire_all();
    }

    /// A client authenticating with the client secret.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .client_id(CLIENT_ID)
            .client_secret(SecretString::from(CLIENT_SECRET))
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }

    /// A client authenticating with `private_key_jwt` and the trusted test key.
    pub fn client_with_private_key_jwt(&self) -> Client {
        let signer = PrivateKeyJwt::from_pem(TEST_PRIVATE_KEY_PEM.as_bytes())
            .unwrap_or_else(|e| unreachable!("the bundled test key is valid: {e}"))
            .key_id("sim-key-1");
        Client::builder()
            .base_url(self.base_url())
            .token_url(self.token_url())
            .client_id(CLIENT_ID)
            .private_key_jwt(signer)
            .build()
            .unwrap_or_else(|e| unreachable!("the simulator's own settings are valid: {e}"))
    }
}
