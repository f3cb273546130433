//! Reading a client's settings from the environment, the same way for every `Client::from_env()`.

use secrecy::SecretString;

use crate::error::{Error, Result};

/// The value of `name`; an error that names the variable when it is unset, empty or not UTF-8.
pub fn required(name: &str) -> Result<String> {
    optional(name).ok_or_else(|| {
        Error::Config(format!(
            "{name} is not set; set it, or build the client with `Client::builder()` instead of `from_env()`"
        ))
    })
}

/// The URL in `name` (see [`required`]): an error names the variable when its value is not an
/// `http` or `https` URL, before anything is made from it.
pub fn required_url(name: &str) -> Result<String> {
    checked_url(name, required(name)?)
}

/// The URL in `name`, if set (see [`required_url`]).
pub fn optional_url(name: &str) -> Result<Option<String>> {
    optional(name).map(|v| checked_url(name, v)).transpose()
}

fn checked_url(name: &str, value: String) -> Result<String> {
    match url::Url::parse(&value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(value),
        Ok(u) => Err(Error::Config(format!(
            "{name} is `{}`, which is not an http or https URL",
            crate::redact::url(&u)
        ))),
        Err(e) => Err(Error::Config(format!(
            "{name} is not a URL ({e}); give the API's whole address, such as https://api.example.nl/v1"
        ))),
    }
}

/// A secret from `name`, kept in a [`SecretString`] from the start (see [`required`]).
pub fn required_secret(name: &str) -> Result<SecretString> {
    required(name).map(SecretString::from)
}

/// The value of `name`, or `None` when it is unset, empty or not UTF-8. Inside [`with_vars`],
/// the values given there come first.
pub fn optional(name: &str) -> Option<String> {
    let overlaid = OVERLAY.with(|o| {
        o.borrow()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    });
    overlaid
        .or_else(|| std::env::var(name).ok())
        .filter(|v| !v.is_empty())
}

thread_local! {
    static OVERLAY: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` (a `Client::from_env()`, typically) with `vars` read ahead of the process
/// environment, on this thread only: how a tool applies a profile of settings without changing
/// its environment. An empty value hides the variable as if it were unset.
///
/// ```
/// let vars = vec![("EDU_COMMON_DOC_VAR".to_owned(), "from-profile".to_owned())];
/// let seen = edu_common::env::with_vars(&vars, || edu_common::env::optional("EDU_COMMON_DOC_VAR"));
/// assert_eq!(seen.as_deref(), Some("from-profile"));
/// assert_eq!(edu_common::env::optional("EDU_COMMON_DOC_VAR"), None);
/// ```
pub fn with_vars<R>(vars: &[(String, String)], f: impl FnOnce() -> R) -> R {
    let previous = OVERLAY.with(|o| std::mem::replace(&mut *o.borrow_mut(), vars.to_vec()));
    // Restored even if `f` panics.
    struct Restore(Option<Vec<(String, String)>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(v) = self.0.take() {
                OVERLAY.with(|o| *o.borrow_mut() = v);
            }
        }
    }
    let _restore = Restore(Some(previous));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_variable_is_named_in_the_error() {
        let name = "EDU_COMMON_ENV_TEST_SURELY_UNSET";
        assert_eq!(optional(name), None);
        let err = required(name).unwrap_err().to_string();
        assert!(err.contains(name), "{err}");
        assert!(
            err.contains("Client::builder()"),
            "an SDK user is told about the builder: {err}"
        );
        assert!(optional("PATH").is_some());
    }

    #[test]
    fn a_url_variable_that_is_not_a_url_is_named() {
        for bad in ["not-a-url", "ftp://example.nl/x", "mailto:a@b.nl"] {
            let vars = vec![("EDU_COMMON_URL_TEST".to_owned(), bad.to_owned())];
            let err = with_vars(&vars, || required_url("EDU_COMMON_URL_TEST"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("EDU_COMMON_URL_TEST"), "{err}");
        }
        let vars = vec![(
            "EDU_COMMON_URL_TEST".to_owned(),
            "https://api.example.nl/v1".to_owned(),
        )];
        let ok = with_vars(&vars, || optional_url("EDU_COMMON_URL_TEST")).unwrap();
        assert_eq!(ok.as_deref(), Some("https://api.example.nl/v1"));
    }
}
