//! Edu-V error bodies: `StatusResponse` with its functional codes.
//!
//! Servers send the code as a number (`11`) or as the documented zero-padded string (`"0011"`);
//! both are accepted. A 401 carries no body but a `WWW-Authenticate` header (EDUVRFC-61), which
//! `edu_common` puts in the error's message.

use edu_common::Error;
use serde::Deserialize;

/// The functional status codes of the Education API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FunctionalCode {
    /// 0011: the request did not match the schema.
    SchemaIncorrect,
    /// 0012: the receiver cannot process the schema version.
    SchemaVersionNotSupported,
    /// 0021: the client is not authorised for the scope.
    ScopeRequired,
    /// 0022: the data service is not activated (consent is required).
    ConsentRequired,
    /// 0023: the education organisation is unknown to the server.
    EduOrgIdUnknown,
    /// 0099: another reason, in the message.
    Other,
    /// A code this client does not know.
    Unknown(u32),
}

impl FunctionalCode {
    /// The code from its number.
    pub fn from_number(n: u32) -> Self {
        match n {
            11 => FunctionalCode::SchemaIncorrect,
            12 => FunctionalCode::SchemaVersionNotSupported,
            21 => FunctionalCode::ScopeRequired,
            22 => FunctionalCode::ConsentRequired,
            23 => FunctionalCode::EduOrgIdUnknown,
            99 => FunctionalCode::Other,
            n => FunctionalCode::Unknown(n),
        }
    }
}

/// A decoded `StatusResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusResponse {
    /// The code.
    pub code: FunctionalCode,
    /// The code as a number (`11` for `"0011"`).
    pub number: u32,
    /// The server's message.
    pub message: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    status: NumberOrText,
    #[serde(rename = "statusMessage", default)]
    status_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(u32),
    Text(String),
}

impl StatusResponse {
    /// Parses a body; `None` if it is not a `StatusResponse`.
    pub fn parse(body: &serde_json::Value) -> Option<StatusResponse> {
        let raw = Raw::deserialize(body).ok()?;
        let number = match raw.status {
            NumberOrText::Number(n) => n,
            NumberOrText::Text(t) => t.trim().parse().ok()?,
        };
        Some(StatusResponse {
            code: FunctionalCode::from_number(number),
            number,
            message: raw.status_message,
        })
    }
}

/// The `StatusResponse` behind an error, when the server sent one.
///
/// ```
/// # use eduv_education_client::error::{status_response, FunctionalCode};
/// let err = edu_common::Error::Http(Box::new(edu_common::HttpError::new(
///     http::StatusCode::BAD_REQUEST, None, "get-studyofferings-for-school",
///     &http::HeaderMap::new(), br#"{"status":"0023","statusMessage":"edu_org_id unknown"}"#,
/// )));
/// assert_eq!(status_response(&err).unwrap().code, FunctionalCode::EduOrgIdUnknown);
/// ```
pub fn status_response(err: &Error) -> Option<StatusResponse> {
    err.http()?.body.as_ref().and_then(StatusResponse::parse)
}

/// The `WWW-Authenticate` challenge of a 401, if any.
pub fn www_authenticate(err: &Error) -> Option<&str> {
    err.http()?.header("www-authenticate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_as_numbers_or_padded_strings() {
        let a = StatusResponse::parse(&serde_json::json!({"status": 11})).unwrap();
        let b = StatusResponse::parse(
            &serde_json::json!({"status": "0011", "statusMessage": "Schema incorrect."}),
        )
        .unwrap();
        assert_eq!(a.code, FunctionalCode::SchemaIncorrect);
        assert_eq!(b.code, FunctionalCode::SchemaIncorrect);
        assert_eq!(b.message.as_deref(), Some("Schema incorrect."));
        assert_eq!(
            StatusResponse::parse(&serde_json::json!({"status": "0022"}))
                .unwrap()
                .code,
            FunctionalCode::ConsentRequired
        );
        assert_eq!(
            StatusResponse::parse(&serde_json::json!({"status": 4242}))
                .unwrap()
                .code,
            FunctionalCode::Unknown(4242)
        );
        assert!(StatusResponse::parse(&serde_json::json!({"status": "x"})).is_none());
        assert!(StatusResponse::parse(&serde_json::json!({"message": "no"})).is_none());
    }
}
