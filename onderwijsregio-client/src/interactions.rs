//! Interactions: contact moments with a candidate.

use edu_common::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::envelope::Envelope;
use crate::wire::{check_id, to_value};
use crate::write::{Accepted, WriteOptions};

/// The most interactions one request may add.
pub const MAX_PER_REQUEST: usize = 10;

/// An interaction. `type` and `performedAt` are required by the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interaction {
    /// The server's id (absent on new interactions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The kind of interaction (one of the region's values).
    #[serde(rename = "type")]
    pub kind: String,
    /// When it took place (ISO 8601).
    pub performed_at: String,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Other fields.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Interaction {
    /// An interaction of `kind` at `performed_at`.
    pub fn new(kind: impl Into<String>, performed_at: impl Into<String>) -> Self {
        Interaction {
            id: None,
            kind: kind.into(),
            performed_at: performed_at.into(),
            notes: None,
            extra: Map::new(),
        }
    }
}

/// `/candidates/{id}/interactions`.
#[derive(Debug, Clone, Copy)]
pub struct Interactions<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// Interactions of candidates.
    pub fn interactions(&self) -> Interactions<'_> {
        Interactions { client: self }
    }
}

impl Interactions<'_> {
    /// `GET /candidates/{id}/interactions` (up to 100 records).
    pub async fn list(&self, candidate_id: &str) -> Result<Vec<Interaction>> {
        let env: Envelope<Vec<Interaction>> = self
            .client
            .request(
                http::Method::GET,
                &format!("candidates/{}/interactions", check_id(candidate_id)?),
            )
            .operation("listInteractions")
            .send_json()
            .await?;
        Ok(env.data)
    }

    /// `POST /candidates/{id}/interactions` with 1 to 10 interactions.
    pub async fn add(
        &self,
        candidate_id: &str,
        interactions: &[Interaction],
        options: &WriteOptions,
    ) -> Result<Accepted> {
        if interactions.is_empty() || interactions.len() > MAX_PER_REQUEST {
            return Err(Error::invalid_input(
                Some("interactions"),
                format!(
                    "send 1 to {MAX_PER_REQUEST} interactions per request (got {})",
                    interactions.len()
                ),
            ));
        }
        for (i, it) in interactions.iter().enumerate() {
            if it.kind.trim().is_empty() || it.performed_at.trim().is_empty() {
                return Err(Error::invalid_input(
                    Some(&format!("/{i}")),
                    "type and performedAt are required",
                ));
            }
        }
        let path = format!("candidates/{}/interactions", check_id(candidate_id)?);
        self.client
            .write(
                http::Method::POST,
                &path,
                "addInteractions",
                Some(&to_value(interactions)?),
                options,
            )
            .await
    }
}
