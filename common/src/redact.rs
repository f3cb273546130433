//! Keeping credentials out of `Debug`, spans and errors that show a URL or its query.
//!
//! Some APIs accept a credential in the query string (datahub documents `?access_token=…`), and
//! any query may carry a signature or key. Everything in this workspace that shows a query runs
//! it through here first.
//!
//! ```
//! use edu_common::redact;
//! assert!(redact::is_secret_param("Access_Token"));
//! let url: url::Url = "https://h.example/v1/students?limit=2&access_token=abc".parse().unwrap();
//! assert_eq!(redact::url(&url), "https://h.example/v1/students?limit=2&access_token=[REDACTED]");
//! ```

use std::fmt;

/// Query parameter names whose values are credentials (compared case-insensitively).
pub const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "token",
    "api_key",
    "apikey",
    "key",
    "secret",
    "password",
    "client_secret",
    "client_assertion",
    "signature",
    "sig",
    "refresh_token",
    "id_token",
];

/// The text shown instead of a secret value.
pub const REDACTED: &str = "[REDACTED]";

/// True when a parameter of this name carries a credential.
pub fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// `url` as text, with the values of credential parameters replaced by `[REDACTED]` and any
/// user name and password left out.
///
/// ```
/// let url: url::Url = "https://me:pw@h.example/v1?key=k".parse().unwrap();
/// assert_eq!(edu_common::redact::url(&url), "https://h.example/v1?key=[REDACTED]");
/// ```
pub fn url(url: &url::Url) -> String {
    if !url.username().is_empty() || url.password().is_some() {
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        return self::url(&bare);
    }
    match url.query() {
        None => url.to_string(),
        Some(_) => {
            let mut shown = url.clone();
            let pairs: Vec<(String, String)> = url
                .query_pairs()
                .map(|(k, v)| {
                    let v = if is_secret_param(&k) {
                        REDACTED.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            shown.set_query(None);
            let mut text = shown.to_string();
            text.push('?');
            let mut first = true;
            for (k, v) in pairs {
                if !first {
                    text.push('&');
                }
                first = false;
                // Shown, not sent: keep the marker readable.
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                text.push_str(&enc(&k));
                text.push('=');
                if v == REDACTED {
                    text.push_str(REDACTED);
                } else {
                    text.push_str(&enc(&v));
                }
            }
            text
        }
    }
}

/// Query pairs for `Debug`: credential values replaced by `[REDACTED]`.
pub struct Query<'a>(pub &'a [(String, String)]);

impl fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, v)| {
                let v: &str = if is_secret_param(k) { REDACTED } else { v };
                (k.as_str(), v)
            }))
            .finish()
    }
}
