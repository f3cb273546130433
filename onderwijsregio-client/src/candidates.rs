//! Candidates: the shared fields typed, the region's custom fields in a map.

use std::sync::Arc;

use edu_common::{Error, Result};
use futures::StreamExt;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::envelope::Envelope;
use crate::interactions::Interaction;
use crate::schema::Operation;
use crate::wire::{check_id, to_value};
use crate::write::{Accepted, WriteOptions};

/// The most candidates one create or upsert request may carry.
pub const MAX_PER_REQUEST: usize = 10;

/// A candidate: the fields every region shares, plus the region's custom fields.
///
/// The v2 field names are defined by each region's live `/schema`; the shared ones below follow
/// its camelCase convention, and anything else (custom fields included) lives in `custom`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// The server's id (absent on new candidates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email address (the API matches it case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (the API ignores non-digits when matching).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Whether the candidate consented to the privacy statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_consent: Option<bool>,
    /// Interactions submitted with the candidate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<Interaction>,
    /// Region-specific custom fields and any field this client does not know.
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

impl Candidate {
    /// A candidate with a name and email.
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Candidate {
            first_name: Some(first_name.into()),
            last_name: Some(last_name.into()),
            email: Some(email.into()),
            ..Candidate::default()
        }
    }

    /// Sets a custom field.
    pub fn custom(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom.insert(name.into(), value.into());
        self
    }

    /// A new candidate with the fields every region requires: name, email, and the answer to
    /// the privacy statement, without which [`build`](CandidateBuilder::build) does not exist.
    ///
    /// ```
    /// use onderwijsregio_client::Candidate;
    /// let c = Candidate::builder("Ann", "de Vries", "ann@example.nl")
    ///     .phone("+31 6 1234 5678")
    ///     .custom("subjects", serde_json::json!(["wiskunde"]))
    ///     .privacy_consent(true)
    ///     .build();
    /// assert_eq!(c.privacy_consent, Some(true));
    /// ```
    ///
    /// Forgetting the consent does not compile:
    ///
    /// ```compile_fail
    /// let c = onderwijsregio_client::Candidate::builder("Ann", "de Vries", "ann@example.nl").build();
    /// ```
    pub fn builder(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> CandidateBuilder<ConsentMissing> {
        CandidateBuilder {
            candidate: Candidate::new(first_name, last_name, email),
            _consent: std::marker::PhantomData,
        }
    }
}

/// The state of a [`CandidateBuilder`] before the privacy consent is given.
#[derive(Debug)]
pub struct ConsentMissing;

/// The state of a [`CandidateBuilder`] once the privacy consent is given.
#[derive(Debug)]
pub struct ConsentGiven;

/// Builds a [`Candidate`] with the required fields; see [`Candidate::builder`].
#[derive(Debug)]
#[must_use]
pub struct CandidateBuilder<State> {
    candidate: Candidate,
    _consent: std::marker::PhantomData<State>,
}

impl<State> CandidateBuilder<State> {
    /// The phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.candidate.phone = Some(phone.into());
        self
    }

    /// A region-specific custom field.
    pub fn custom(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.candidate.custom.insert(name.into(), value.into());
        self
    }

    /// An interaction submitted with the candidate.
    pub fn interaction(mut self, interaction: Interaction) -> Self {
        self.candidate.interactions.push(interaction);
        self
    }

    /// The candidate's answer to the privacy statement (required by every region).
    pub fn privacy_consent(self, consent: bool) -> CandidateBuilder<ConsentGiven> {
        let mut candidate = self.candidate;
        candidate.privacy_consent = Some(consent);
        CandidateBuilder {
            candidate,
            _consent: std::marker::PhantomData,
        }
    }
}

impl CandidateBuilder<ConsentGiven> {
    /// The candidate.
    pub fn build(self) -> Candidate {
        self.candidate
    }
}

/// A field of an update: leave it, clear it (`null`), or set it. Arrays are replaced whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Patch<T> {
    /// Not sent: the field keeps its value.
    #[default]
    Unchanged,
    /// Sent as `null`: the field is cleared.
    Clear,
    /// Sent: the field takes this value (an array replaces the current one, it is not merged).
    Set(T),
}

impl<T> Patch<T> {
    /// True for [`Patch::Unchanged`].
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(s),
            // `Unchanged` is skipped by the containing struct; should it be serialised alone, it is null.
            Patch::Clear | Patch::Unchanged => s.serialize_none(),
        }
    }
}

/// A partial update (`PATCH /candidates/{id}`): only fields that are not `Unchanged` are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateUpdate {
    /// Given name.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub first_name: Patch<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub last_name: Patch<String>,
    /// Email.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub email: Patch<String>,
    /// Phone.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub phone: Patch<String>,
    /// Privacy consent.
    #[serde(skip_serializing_if = "Patch::is_unchanged")]
    pub privacy_consent: Patch<bool>,
    /// Custom fields: a value sets (arrays replace), `Value::Null` clears.
    #[serde(flatten)]
    pub custom: Map<String, Value>,
}

impl CandidateUpdate {
    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self.first_name.is_unchanged()
            && self.last_name.is_unchanged()
            && self.email.is_unchanged()
            && self.phone.is_unchanged()
            && self.privacy_consent.is_unchanged()
            && self.custom.is_empty()
    }
}

/// What happened to one candidate of a batch.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Its request was accepted (shared by the up to ten candidates of that request).
    Accepted(Arc<Accepted>),
    /// It was not sent: it breaks the region's schema.
    Invalid(String),
    /// Its request failed.
    Failed(String),
}

/// The per-candidate result of [`Candidates::create_batch`], in input order.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// One outcome per input candidate.
    pub outcomes: Vec<Outcome>,
}

impl BatchReport {
    /// The report when every candidate was accepted; otherwise an [`Error::InvalidInput`] that
    /// names each rejected position and why, so `?` catches a partly rejected batch.
    ///
    /// ```no_run
    /// # async fn demo(c: onderwijsregio_client::Client, cs: Vec<onderwijsregio_client::Candidate>) -> onderwijsregio_client::Result<()> {
    /// use onderwijsregio_client::WriteOptions;
    /// let report = c.candidates().create_batch(cs, 4, &WriteOptions::default()).await?.into_result()?;
    /// println!("{} accepted", report.accepted());
    /// # Ok(()) }
    /// ```
    pub fn into_result(self) -> Result<BatchReport> {
        let rejected = self.rejected();
        if rejected.is_empty() {
            return Ok(self);
        }
        let shown: Vec<String> = rejected
            .iter()
            .take(10)
            .map(|(i, why)| format!("#{i}: {why}"))
            .collect();
        let more = rejected.len().saturating_sub(shown.len());
        Err(Error::invalid_input(
            Some("candidates"),
            format!(
                "{} of {} candidates were not accepted ({}{}); fix them and send those again",
                rejected.len(),
                self.outcomes.len(),
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            ),
        ))
    }

    /// How many candidates were accepted.
    pub fn accepted(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Accepted(_)))
            .count()
    }

    /// The input positions that were not accepted, with the reason.
    pub fn rejected(&self) -> Vec<(usize, &str)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Outcome::Accepted(_) => None,
                Outcome::Invalid(r) | Outcome::Failed(r) => Some((i, r.as_str())),
            })
            .collect()
    }
}

/// `/candidates`.
#[derive(Debug, Clone, Copy)]
pub struct Candidates<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// Candidates.
    pub fn candidates(&self) -> Candidates<'_> {
        Candidates { client: self }
    }
}

impl Candidates<'_> {
    /// `GET /candidates/find?email=`.
    pub async fn find_by_email(&self, email: &str) -> Result<Option<Candidate>> {
        self.find("email", email).await
    }

    /// `GET /candidates/find?phone=`.
    pub async fn find_by_phone(&self, phone: &str) -> Result<Option<Candidate>> {
        self.find("phone", phone).await
    }

    async fn find(&self, key: &str, value: &str) -> Result<Option<Candidate>> {
        if value.trim().is_empty() {
            return Err(Error::invalid_input(Some(key), format!("{key} is empty")));
        }
        let result: Result<Envelope<Value>> = self
            .client
            .request(http::Method::GET, "candidates/find")
            .operation("findCandidate")
            .query(key, value)
            .send_json()
            .await;
        match result {
            Ok(env) => {
                let first = match env.data {
                    Value::Array(mut a) if !a.is_empty() => a.swap_remove(0),
                    Value::Array(_) | Value::Null => return Ok(None),
                    other => other,
                };
                serde_json::from_value(first).map(Some).map_err(|e| {
                    Error::Decode(Box::new(edu_common::DecodeError::new(
                        "findCandidate",
                        "data",
                        e.to_string(),
                        b"",
                    )))
                })
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /candidates/{id}`.
    pub async fn get(&self, id: &str) -> Result<Candidate> {
        let env: Envelope<Candidate> = self
            .client
            .request(http::Method::GET, &format!("candidates/{}", check_id(id)?))
            .operation("getCandidate")
            .send_json()
            .await?;
        Ok(env.data)
    }

    /// `POST /candidates` with up to ten candidates, each validated against the region's schema first.
    pub async fn create(
        &self,
        candidates: &[Candidate],
        options: &WriteOptions,
    ) -> Result<Accepted> {
        self.submit("candidates", "createCandidates", candidates, options)
            .await
    }

    /// `POST /candidates/upsert`: updates the candidate with the same email or phone, else creates one.
    pub async fn upsert(
        &self,
        candidates: &[Candidate],
        options: &WriteOptions,
    ) -> Result<Accepted> {
        self.submit("candidates/upsert", "upsertCandidates", candidates, options)
            .await
    }

    /// Checks one candidate against the region's live schema (fetched once and cached), as
    /// every write does before sending; the error names the field and the rule it breaks.
    pub async fn validate(&self, candidate: &Candidate) -> Result<()> {
        let schema = self.client.schema(Operation::Create).await?;
        schema.check(&to_value(candidate)?, "candidate")
    }

    async fn submit(
        &self,
        path: &str,
        op: &'static str,
        candidates: &[Candidate],
        options: &WriteOptions,
    ) -> Result<Accepted> {
        if candidates.is_empty() || candidates.len() > MAX_PER_REQUEST {
            return Err(Error::invalid_input(
                Some("candidates"),
                format!(
                    "send 1 to {MAX_PER_REQUEST} candidates per request (got {}); use create_batch for more",
                    candidates.len()
                ),
            ));
        }
        let schema = self.client.schema(Operation::Create).await?;
        for (i, c) in candidates.iter().enumerate() {
            schema.check(&to_value(c)?, &format!("candidate {i}"))?;
        }
        self.client
            .write(
                http::Method::POST,
                path,
                op,
                Some(&to_value(candidates)?),
                options,
            )
            .await
    }

    /// Creates any number of candidates: invalid ones are reported and not sent, the rest go in
    /// requests of ten, `concurrency` at a time. Every input gets an [`Outcome`]; nothing is dropped.
    /// Each request gets its own idempotency key (derived from `options`' key when one is given).
    pub async fn create_batch(
        &self,
        candidates: Vec<Candidate>,
        concurrency: usize,
        options: &WriteOptions,
    ) -> Result<BatchReport> {
        let schema = self.client.schema(Operation::Create).await?;
        let mut outcomes: Vec<Option<Outcome>> = vec![None; candidates.len()];
        let mut valid: Vec<(usize, Candidate)> = Vec::new();
        for (i, c) in candidates.into_iter().enumerate() {
            match to_value(&c).and_then(|v| schema.check(&v, &format!("candidate {i}"))) {
                Ok(()) => valid.push((i, c)),
                Err(e) => outcomes[i] = Some(Outcome::Invalid(e.to_string())),
            }
        }
        let chunks: Vec<Vec<(usize, Candidate)>> =
            valid.chunks(MAX_PER_REQUEST).map(<[_]>::to_vec).collect();
        let results: Vec<(Vec<usize>, Result<Accepted>)> =
            futures::stream::iter(chunks.into_iter().enumerate())
                .map(|(n, chunk)| {
                    let opts = WriteOptions {
                        idempotency_key: options
                            .idempotency_key
                            .as_ref()
                            .map(|k| format!("{k}-{n}")),
                        callback_url: options.callback_url.clone(),
                    };
                    async move {
                        let idx: Vec<usize> = chunk.iter().map(|(i, _)| *i).collect();
                        let body: Vec<Candidate> = chunk.into_iter().map(|(_, c)| c).collect();
                        let r = match to_value(&body) {
                            Ok(v) => {
                                self.client
                                    .write(
                                        http::Method::POST,
                                        "candidates",
                                        "createCandidates",
                                        Some(&v),
                                        &opts,
                                    )
                                    .await
                            }
                            Err(e) => Err(e),
                        };
                        (idx, r)
                    }
                })
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
        for (idx, r) in results {
            let outcome = match r {
                Ok(a) => Outcome::Accepted(Arc::new(a)),
                Err(e) => Outcome::Failed(e.to_string()),
            };
            for i in idx {
                outcomes[i] = Some(outcome.clone());
            }
        }
        Ok(BatchReport {
            outcomes: outcomes
                .into_iter()
                .map(|o| o.unwrap_or_else(|| Outcome::Failed("not processed".into())))
                .collect(),
        })
    }

    /// `PATCH /candidates/{id}`, validated against the region's update schema first.
    pub async fn update(
        &self,
        id: &str,
        update: &CandidateUpdate,
        options: &WriteOptions,
    ) -> Result<Accepted> {
        if update.is_empty() {
            return Err(Error::invalid_input(
                None,
                "an update must change at least one field",
            ));
        }
        let body = to_value(update)?;
        self.client
            .schema(Operation::Update)
            .await?
            .check(&body, "the update")?;
        let path = format!("candidates/{}", check_id(id)?);
        self.client
            .write(
                http::Method::PATCH,
                &path,
                "updateCandidate",
                Some(&body),
                options,
            )
            .await
    }

    /// `DELETE /candidates/{id}` (the path is inferred from the API's conventions; it is not published).
    pub async fn delete(&self, id: &str, options: &WriteOptions) -> Result<Accepted> {
        let path = format!("candidates/{}", check_id(id)?);
        self.client
            .write(
                http::Method::DELETE,
                &path,
                "deleteCandidate",
                None,
                options,
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_sends_only_what_changes_and_null_clears() {
        let u = CandidateUpdate {
            phone: Patch::Clear,
            first_name: Patch::Set("Ada".into()),
            custom: Map::from_iter([("interests".to_owned(), serde_json::json!(["po"]))]),
            ..CandidateUpdate::default()
        };
        let v = serde_json::to_value(&u).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"firstName": "Ada", "phone": null, "interests": ["po"]})
        );
        assert!(CandidateUpdate::default().is_empty());
    }
}
