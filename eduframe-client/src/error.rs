//! Eduframe's error body `{errors, code, message}`, for every status it is sent with
//! (400, 401, 403, 404, 409, 412, 422, 429, 500).

use edu_common::Error;
use serde::Deserialize;
use serde_json::Value;

/// A decoded Eduframe error body.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EduframeError {
    /// Every error, including failed model validations (its structure is not specified).
    #[serde(default)]
    pub errors: Value,
    /// The HTTP status the server reports.
    #[serde(default)]
    pub code: Option<u16>,
    /// A human-readable message.
    #[serde(default)]
    pub message: Option<String>,
}

/// The Eduframe error behind `err`, when the server sent one.
///
/// ```
/// # use eduframe_client::error::eduframe_error;
/// let err = edu_common::Error::Http(Box::new(edu_common::HttpError::new(
///     http::StatusCode::UNPROCESSABLE_ENTITY, None, "createLead", &http::HeaderMap::new(),
///     br#"{"errors":{"email":["is invalid"]},"code":422,"message":"Validation failed"}"#,
/// )));
/// let e = eduframe_error(&err).unwrap();
/// assert_eq!(e.code, Some(422));
/// assert_eq!(e.errors["email"][0], "is invalid");
/// ```
pub fn eduframe_error(err: &Error) -> Option<EduframeError> {
    let body = err.http()?.body.as_ref()?;
    let e = EduframeError::deserialize(body).ok()?;
    (e.message.is_some() || e.code.is_some()).then_some(e)
}
