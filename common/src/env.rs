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

/// A secret from `name`, kept in a [`SecretString`] from the start (see [`required`]).
pub fn required_secret(name: &str) -> Result<SecretString> {
    required(name).map(SecretString::from)
}

/// The value of `name`, or `None` when it is unset, empty or not UTF-8.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
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
        assert!(err.contains("Client::builder()"), "{err}");
        assert!(optional("PATH").is_some());
    }
}
