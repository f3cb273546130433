//! Why `edu` failed, and the exit code a script can act on.

use edu_common::Error;

/// A failed run.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The API call (or building the client) failed: the library's error.
    #[error("{0}")]
    Api(#[from] Error),
    /// A step of `edu <api> check` failed.
    #[error("{step}: {error}")]
    Step {
        /// Which step.
        step: &'static str,
        /// Why.
        error: Error,
    },
    /// The command line asked for something that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// Writing the output failed.
    #[error("{0}")]
    Io(String),
    /// The `--jq` filter failed on a record (its own `error`, a type mismatch).
    #[error("{0}")]
    Filter(String),
    /// Ctrl-C stopped a listing (exit 130, as a shell reports SIGINT).
    #[error("{0}")]
    Interrupted(String),
    /// A lookup found nothing (exit 4, as a `get` of a missing record).
    #[error("{0}")]
    NoMatch(String),
    /// Whoever read the output stopped reading (a closed pipe).
    #[error("the output was closed")]
    Closed,
    /// The resume file cannot be used.
    #[error(transparent)]
    Resume(#[from] crate::resume::ResumeError),
    /// The profile cannot be applied.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Io(format!("writing the output: {e}"))
        }
    }
}

impl Failure {
    /// Usage 2, authentication 3, not found 4, rate-limited after retries 5, anything else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Resume(_) | Failure::Profile(_) => 2,
            Failure::Io(_) | Failure::Filter(_) => 1,
            Failure::NoMatch(_) => 4,
            Failure::Interrupted(_) => 130,
            Failure::Closed => 0,
            Failure::Api(e) | Failure::Step { error: e, .. } => match e {
                Error::Config(_) | Error::InvalidInput { .. } => 2,
                e if e.is_rate_limited() => 5,
                e if e.is_credentials_refused() => 3,
                e if e.is_not_found() => 4,
                _ => 1,
            },
        }
    }

    /// The message: one line.
    pub fn line(&self) -> String {
        for_shell(&self.to_string().replace('\n', " "))
    }
}

/// The library's advice in a shell user's terms: what they change is a variable, a profile or a
/// flag, never a Rust builder or one of its settings.
fn for_shell(line: &str) -> String {
    const SWAPS: [(&str, &str); 3] = [
        (
            "set it, or build the client with `Client::builder()` instead of `from_env()`",
            "export it, or put it in a profile of the config file (`edu --profile NAME`; `edu <api> check` shows what is used)",
        ),
        (
            "try again later or raise `max_retry_after`",
            "try again later",
        ),
        (
            "or build the client with `Client::builder()`",
            "or put it in a profile of the config file (`edu --profile NAME`)",
        ),
    ];
    SWAPS
        .iter()
        .fold(line.to_owned(), |text, (from, to)| text.replace(from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_user_is_told_about_variables_and_profiles_not_builders() {
        let unset = Failure::Api(edu_common::env::required("EDU_TEST_UNSET_VARIABLE").unwrap_err());
        let line = unset.line();
        assert!(
            line.contains("EDU_TEST_UNSET_VARIABLE") && line.contains("--profile"),
            "{line}"
        );
        assert!(
            !line.contains("builder") && !line.contains("from_env"),
            "{line}"
        );
    }

    #[test]
    fn each_kind_of_failure_has_its_exit_code() {
        let http = |status: u16| {
            Failure::Api(Error::Http(Box::new(edu_common::HttpError::new(
                http::StatusCode::from_u16(status).unwrap(),
                None,
                "op",
                &http::HeaderMap::new(),
                b"",
            ))))
        };
        assert_eq!(http(401).exit_code(), 3);
        assert_eq!(http(403).exit_code(), 3);
        assert_eq!(http(404).exit_code(), 4);
        assert_eq!(http(429).exit_code(), 5);
        assert_eq!(http(500).exit_code(), 1);
        assert_eq!(Failure::Usage("x".into()).exit_code(), 2);
        assert_eq!(Failure::NoMatch("x".into()).exit_code(), 4);
        assert_eq!(Failure::Interrupted("x".into()).exit_code(), 130);
        assert_eq!(Failure::Api(Error::Config("x".into())).exit_code(), 2);
    }
}
