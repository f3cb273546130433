//! Attachments: a CV and other files, by public URL or uploaded as base64.

use base64::Engine as _;
use edu_common::{Error, Result, Url};
use serde::Serialize;

use crate::client::Client;
use crate::wire::{check_id, to_value};
use crate::write::{Accepted, WriteOptions};

/// The most files per field.
pub const MAX_PER_FIELD: usize = 5;

/// One file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Attachment {
    /// A file the server downloads from a public URL.
    Url {
        /// The URL.
        url: String,
    },
    /// A file uploaded inline.
    Upload {
        /// The file name.
        filename: String,
        /// The content, base64-encoded.
        base64: String,
    },
}

impl Attachment {
    /// A file at a public URL.
    pub fn url(url: &Url) -> Self {
        Attachment::Url {
            url: url.to_string(),
        }
    }

    /// A file from bytes.
    pub fn bytes(filename: impl Into<String>, bytes: &[u8]) -> Self {
        Attachment::Upload {
            filename: filename.into(),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    /// A file read from disk.
    pub fn file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::invalid_input(
                Some("file"),
                format!("could not read {}: {e}", path.display()),
            )
        })?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("attachment");
        Ok(Attachment::bytes(name, &bytes))
    }
}

/// Files to add to a candidate (attachments are append-only).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAttachments {
    /// CVs (at most 5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curriculum_vitae: Vec<Attachment>,
    /// Other files (at most 5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_attachments: Vec<Attachment>,
}

/// `/candidates/{id}/attachments`.
#[derive(Debug, Clone, Copy)]
pub struct Attachments<'a> {
    pub(crate) client: &'a Client,
}

impl Client {
    /// Attachments of candidates.
    pub fn attachments(&self) -> Attachments<'_> {
        Attachments { client: self }
    }
}

impl Attachments<'_> {
    /// `POST /candidates/{id}/attachments`.
    pub async fn add(
        &self,
        candidate_id: &str,
        files: &NewAttachments,
        options: &WriteOptions,
    ) -> Result<Accepted> {
        for (field, list) in [
            ("curriculumVitae", &files.curriculum_vitae),
            ("otherAttachments", &files.other_attachments),
        ] {
            if list.len() > MAX_PER_FIELD {
                return Err(Error::invalid_input(
                    Some(field),
                    format!(
                        "at most {MAX_PER_FIELD} files per field (got {})",
                        list.len()
                    ),
                ));
            }
        }
        if files.curriculum_vitae.is_empty() && files.other_attachments.is_empty() {
            return Err(Error::invalid_input(None, "no files to add"));
        }
        let path = format!("candidates/{}/attachments", check_id(candidate_id)?);
        self.client
            .write(
                http::Method::POST,
                &path,
                "addAttachments",
                Some(&to_value(files)?),
                options,
            )
            .await
    }
}
