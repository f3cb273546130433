//! The Admin API's `application/problem+json` error bodies.

use std::collections::BTreeMap;

use edu_common::Error;
use serde::Deserialize;

/// What the server said about a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminApiError {
    /// 400: validation failed; messages by (PascalCase) property name.
    Validation {
        /// Usually "Validation failed".
        title: String,
        /// The messages, by property.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// 404: `Not found: vendor with ID 17. It may have been recently deleted.`
    NotFound {
        /// The title.
        title: String,
    },
    /// Other failures: `{"message": "..."}` (409 duplicates, 500s, malformed JSON).
    Message {
        /// The message.
        message: String,
    },
    /// 400: the `tenant` header names no tenant of a multi-tenant server, or is missing.
    UnknownTenant {
        /// The server's message (`Tenant not found with provided tenant id: X`).
        message: String,
    },
}

impl AdminApiError {
    /// The validation messages for `field`, matched ignoring case (the server's keys are not
    /// always PascalCase: `id`, `claimSetId`, `ClaimSetId` all occur).
    pub fn field_errors(&self, field: &str) -> Option<&[String]> {
        match self {
            AdminApiError::Validation { errors, .. } => errors
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(field))
                .map(|(_, v)| v.as_slice()),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    title: Option<String>,
    message: Option<String>,
    errors: Option<BTreeMap<String, Vec<String>>>,
}

/// The typed Admin API error behind `err`, when the server sent one.
///
/// ```
/// # use edfi_admin_client::error::{admin_error, AdminApiError};
/// let err = edu_common::Error::Http(Box::new(edu_common::HttpError::new(
///     http::StatusCode::BAD_REQUEST, None, "postVendors", &http::HeaderMap::new(),
///     br#"{"title":"Validation failed","errors":{"Company":["'Company' must not be empty."]}}"#,
/// )));
/// match admin_error(&err) {
///     Some(AdminApiError::Validation { errors, .. }) => assert_eq!(errors["Company"].len(), 1),
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn admin_error(err: &Error) -> Option<AdminApiError> {
    // A multi-tenant server refuses an unknown tenant already at the token endpoint.
    if let Error::Auth {
        status: Some(status),
        message,
        ..
    } = err
        && status.as_u16() == 400
        && let Some(at) = message.find("Tenant: ")
    {
        let text = &message[at + "Tenant: ".len()..];
        let text = text.split("; ").next().unwrap_or(text);
        return Some(AdminApiError::UnknownTenant {
            message: text.to_owned(),
        });
    }
    let http = err.http()?;
    let raw = Raw::deserialize(http.body.as_ref()?).ok()?;
    let tenant = raw.errors.as_ref().and_then(|e| {
        e.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("tenant"))
            .map(|(_, v)| v.join(" "))
    });
    if let Some(message) = tenant {
        return Some(AdminApiError::UnknownTenant { message });
    }
    Some(match (raw.errors, raw.title, raw.message) {
        (Some(errors), title, _) => AdminApiError::Validation {
            title: title.unwrap_or_else(|| "Validation failed".into()),
            errors,
        },
        (None, Some(title), _) if http.status.as_u16() == 404 => AdminApiError::NotFound { title },
        (None, _, Some(message)) => AdminApiError::Message { message },
        (None, Some(title), None) => AdminApiError::Message { message: title },
        (None, None, None) => return None,
    })
}
