//! The client, its builder, and the five operations.

use std::sync::Arc;

use edu_common::auth::{ClientAuth, OAuth2Config};
use edu_common::{
    ApiResponse, Credentials, Error, RequestBuilder, Result, Transport, TransportOptions,
};
use secrecy::SecretString;

use crate::auth::PrivateKeyJwt;
use crate::generated::types::{self, Organisation, StudyOffering, SubjectOffering};
use crate::school::{School, StudyCode};

/// The scope of the Education API.
pub const SCOPE: &str = "eduv.education";

/// A value with the `API-Version` the server reported.
#[derive(Debug, Clone)]
pub struct Versioned<T> {
    /// The value.
    pub value: T,
    /// The full API version from the `API-Version` response header, when sent.
    pub api_version: Option<String>,
}

impl<T> Versioned<T> {
    fn from(answer: ApiResponse<T>) -> Self {
        let api_version = answer
            .headers
            .get("api-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Versioned {
            value: answer.value,
            api_version,
        }
    }
}

/// A client for the Edu-V Education API. Cheap to clone; clones share the token cache.
///
/// ```no_run
/// # async fn demo() -> edu_common::Result<()> {
/// use eduv_education_client::{Client, OrgIdType, School};
/// let client = Client::builder()
///     .base_url("https://las.example.nl/education/v1")
///     .token_url("https://las.example.nl/oauth2/token")
///     .client_id("my-client")
///     .private_key_pem_file("client-key.pem")?
///     .build()?;
/// let offerings = client.study_offerings(School::org_id(OrgIdType::OieCode, "12AB")).send().await?;
/// for o in offerings.value.iter().filter(|o| eduv_education_client::is_active(*o)) {
///     println!("{}", o.study_offering_name.as_deref().unwrap_or("(no name)"));
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    secret: Option<SecretString>,
    private_key: Option<PrivateKeyJwt>,
    options: TransportOptions,
}

impl ClientBuilder {
    /// The API base, including the major version path if the supplier uses one.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token endpoint (the spec's is a placeholder; every supplier has its own).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The client id.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self
    }

    /// Authenticates with a client secret (HTTP Basic).
    pub fn client_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// The OAuth2 client id and secret (HTTP Basic), the same name as on every client of this
    /// workspace. For `private_key_jwt`, set [`client_id`](Self::client_id) and a key instead.
    pub fn client_credentials(
        self,
        client_id: impl Into<String>,
        secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id(client_id).client_secret(secret)
    }

    /// Authenticates with `private_key_jwt`.
    pub fn private_key_jwt(mut self, signer: PrivateKeyJwt) -> Self {
        self.private_key = Some(signer);
        self
    }

    /// Authenticates with `private_key_jwt`, reading the PEM from a file.
    pub fn private_key_pem_file(self, path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(self.private_key_jwt(PrivateKeyJwt::from_pem_file(path)?))
    }

    edu_common::transport_option_setters!();

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let base = self
            .base_url
            .ok_or_else(|| Error::Config("eduv: set base_url".into()))?;
        let token_url = self
            .token_url
            .ok_or_else(|| Error::Config("eduv: set token_url".into()))?;
        let token_url = token_url.parse().map_err(|e| {
            Error::Config(format!("eduv: token URL `{token_url}` is not valid: {e}"))
        })?;
        let client_id = self
            .client_id
            .ok_or_else(|| Error::Config("eduv: set client_id".into()))?;
        let auth = match (self.private_key, self.secret) {
            (Some(pk), _) => ClientAuth::Assertion(Arc::new(pk)),
            (None, Some(secret)) => ClientAuth::Basic(secret),
            (None, None) => {
                return Err(Error::Config(
                    "eduv: set a client secret or a private key".into(),
                ));
            }
        };
        let mut b = Transport::builder(base)
            .credentials(Credentials::oauth2(
                OAuth2Config::new(token_url, client_id, auth).scope(SCOPE),
            ))
            .product(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
            .api_name("eduv");
        b = b.options(self.options);
        Ok(Client {
            transport: b.build()?,
        })
    }
}

/// The school's parameters: `orgMasterId`, or `orgId` with `orgIdType`.
fn with_school(r: RequestBuilder, school: &School) -> RequestBuilder {
    match school {
        School::MasterId(id) => r.query_value("orgMasterId", id),
        School::OrgId(o) => r
            .query_value("orgId", &o.id)
            .query_value("orgIdType", &o.id_type),
    }
}

/// `filterByOrgId`, where the school is named by a secondary id and the caller set it.
fn with_filter(r: RequestBuilder, school: &School) -> RequestBuilder {
    match school {
        School::OrgId(o) => r.query_value("filterByOrgId", &o.filter_by_org_id),
        School::MasterId(_) => r,
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from `EDUV_BASE_URL`, `EDUV_TOKEN_URL`, `EDUV_CLIENT_ID`, and either
    /// `EDUV_PRIVATE_KEY_PEM` (a path; preferred) or `EDUV_CLIENT_SECRET`.
    ///
    /// [`ClientBuilder::from_env`] with nothing added: `Client::from_env()` is
    /// `ClientBuilder::from_env()?.build()`.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The underlying transport.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `GET path` as operation `op`, answered with the API version.
    fn get(&self, op: &'static str, path: &str) -> RequestBuilder {
        self.transport.get(path).operation(op)
    }

    /// `GET /organisations`: the organisations of a school or board.
    pub fn organisations(&self) -> OrganisationsRequest<'_> {
        OrganisationsRequest {
            client: self,
            school: None,
            board_master_id: None,
            board_id: None,
            name: None,
        }
    }

    /// `GET /studyofferings/school`: a school's study offerings.
    pub fn study_offerings(&self, school: impl Into<School>) -> StudyOfferingsRequest<'_> {
        StudyOfferingsRequest {
            client: self,
            school: school.into(),
            study_code: None,
            school_period_id: None,
        }
    }

    /// `GET /studyofferings/school/{id}`: one study offering.
    pub async fn study_offering(
        &self,
        id: uuid::Uuid,
        school: impl Into<School>,
    ) -> Result<Versioned<StudyOffering>> {
        let school = school.into();
        school.check()?;
        let path = format!("/studyofferings/school/{id}");
        let r = with_school(self.get("get-studyofferings", &path), &school);
        r.send_json_with_meta().await.map(Versioned::from)
    }

    /// `GET /subjectofferings/school`: a school's subject offerings.
    pub fn subject_offerings(&self, school: impl Into<School>) -> SubjectOfferingsRequest<'_> {
        SubjectOfferingsRequest {
            client: self,
            school: school.into(),
            subject_code: None,
            study_offering_id: None,
            school_period_id: None,
        }
    }

    /// `GET /subjectofferings/school/{id}`: one subject offering.
    pub async fn subject_offering(
        &self,
        id: uuid::Uuid,
        school: impl Into<School>,
    ) -> Result<Versioned<SubjectOffering>> {
        let school = school.into();
        school.check()?;
        let path = format!("/subjectofferings/school/{id}");
        let r = with_school(self.get("get-subjectoffering", &path), &school);
        r.send_json_with_meta().await.map(Versioned::from)
    }
}

/// `GET /organisations`.
#[derive(Debug)]
#[must_use]
pub struct OrganisationsRequest<'a> {
    client: &'a Client,
    school: Option<School>,
    board_master_id: Option<String>,
    board_id: Option<(String, types::BoardIdType)>,
    name: Option<String>,
}

impl OrganisationsRequest<'_> {
    /// Only this school.
    pub fn school(mut self, school: impl Into<School>) -> Self {
        self.school = Some(school.into());
        self
    }

    /// Only schools of this board (its OnderwijsbestuurId).
    pub fn board_master_id(mut self, id: impl Into<String>) -> Self {
        self.board_master_id = Some(id.into());
        self
    }

    /// Only schools of the board with this secondary identifier of this type (`boardId` with
    /// `boardIdType`, sent together), for when its master id is not known:
    /// `.board_id("41234", BoardIdType::BgeCode)`.
    pub fn board_id(mut self, id: impl Into<String>, id_type: types::BoardIdType) -> Self {
        self.board_id = Some((id.into(), id_type));
        self
    }

    /// Only schools with this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Versioned<Vec<Organisation>>> {
        let mut r = self
            .client
            .get("get-organisations-by-school-search", "/organisations");
        if let Some(school) = &self.school {
            school.check()?;
            r = with_school(r, school);
        }
        r = r.query_value("boardMasterId", &self.board_master_id);
        if let Some((id, id_type)) = &self.board_id {
            r = r
                .query_value("boardId", id)
                .query_value("boardIdType", id_type);
        }
        r = r.query_value("name", &self.name);
        r.send_json_with_meta().await.map(Versioned::from)
    }
}

/// `GET /studyofferings/school`.
#[derive(Debug)]
#[must_use]
pub struct StudyOfferingsRequest<'a> {
    client: &'a Client,
    school: School,
    study_code: Option<StudyCode>,
    school_period_id: Option<String>,
}

impl StudyOfferingsRequest<'_> {
    /// Only offerings with this study code.
    pub fn study_code(mut self, code: StudyCode) -> Self {
        self.study_code = Some(code);
        self
    }

    /// Only offerings in this school period.
    pub fn school_period_id(mut self, id: impl Into<String>) -> Self {
        self.school_period_id = Some(id.into());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Versioned<Vec<StudyOffering>>> {
        self.school.check()?;
        let r = self
            .client
            .get("get-studyofferings-for-school", "/studyofferings/school");
        let r = with_filter(with_school(r, &self.school), &self.school)
            .query_value(
                "studyCode",
                &self.study_code.as_ref().map(StudyCode::as_str),
            )
            .query_value("schoolPeriodId", &self.school_period_id);
        r.send_json_with_meta().await.map(Versioned::from)
    }
}

/// `GET /subjectofferings/school`.
#[derive(Debug)]
#[must_use]
pub struct SubjectOfferingsRequest<'a> {
    client: &'a Client,
    school: School,
    subject_code: Option<String>,
    study_offering_id: Option<uuid::Uuid>,
    school_period_id: Option<String>,
}

impl SubjectOfferingsRequest<'_> {
    /// Only offerings with this subject code.
    pub fn subject_code(mut self, code: impl Into<String>) -> Self {
        self.subject_code = Some(code.into());
        self
    }

    /// Only offerings of this study offering.
    pub fn study_offering_id(mut self, id: uuid::Uuid) -> Self {
        self.study_offering_id = Some(id);
        self
    }

    /// Only offerings in this school period.
    pub fn school_period_id(mut self, id: impl Into<String>) -> Self {
        self.school_period_id = Some(id.into());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Versioned<Vec<SubjectOffering>>> {
        self.school.check()?;
        let r = self.client.get(
            "get-subjectofferings-for-school",
            "/subjectofferings/school",
        );
        let r = with_filter(with_school(r, &self.school), &self.school)
            .query_value("subjectCode", &self.subject_code)
            .query_value("studyOfferingId", &self.study_offering_id)
            .query_value("schoolPeriodId", &self.school_period_id);
        r.send_json_with_meta().await.map(Versioned::from)
    }
}

impl ClientBuilder {
    /// A builder from `EDUV_BASE_URL`, `EDUV_TOKEN_URL`, `EDUV_CLIENT_ID`, and either
    /// `EDUV_PRIVATE_KEY_PEM` (a path; preferred) or `EDUV_CLIENT_SECRET`.
    ///
    /// Add options before `build()` (`.user_agent(…)`, `.retry(…)`, `.dry_run()`); the
    /// settings read here are the ones [`Client::from_env`] reads.
    pub fn from_env() -> Result<ClientBuilder> {
        use edu_common::env::{optional, required};
        let mut b = ClientBuilder::default()
            .base_url(edu_common::env::required_url("EDUV_BASE_URL")?)
            .token_url(edu_common::env::required_url("EDUV_TOKEN_URL")?)
            .client_id(required("EDUV_CLIENT_ID")?);
        b = match (
            optional("EDUV_PRIVATE_KEY_PEM"),
            optional("EDUV_CLIENT_SECRET"),
        ) {
            (Some(path), _) => b.private_key_pem_file(path)?,
            (None, Some(secret)) => b.client_secret(secret),
            _ => {
                return Err(Error::Config(
                    "set EDUV_PRIVATE_KEY_PEM or EDUV_CLIENT_SECRET".into(),
                ));
            }
        };
        b.shared_state_from_env()
    }
}
