//! Profiles: named sets of the same environment variables each client's `Client::from_env()`
//! reads, kept in `~/.config/edu/config.toml` (or `$EDU_CONFIG`, or `$XDG_CONFIG_HOME/edu/`):
//!
//! ```toml
//! [profiles.default]
//! EDUFRAME_BASE_URL = "https://school.eduframe.cloud/api/v1"
//! EDUFRAME_API_KEY = "…"
//!
//! [profiles.test]
//! DATAHUB_BASE_URL = "https://passport.example.com"
//! DATAHUB_CLIENT_ID = "…"
//! DATAHUB_CLIENT_SECRET = "…"
//! ```
//!
//! `--profile NAME` (or `EDU_PROFILE`) applies a profile ahead of the environment. Without one,
//! the `default` profile (if the file has one) fills in only what the environment leaves unset.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    profiles: BTreeMap<String, BTreeMap<String, String>>,
}

/// Why the profile could not be applied (a usage error: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file is not valid TOML of the expected shape.
    #[error("{path} is not a valid profile file: {reason}")]
    Invalid { path: String, reason: String },
    /// The named profile is not in the file.
    #[error("no profile `{name}` in {path}{known}")]
    Unknown {
        name: String,
        path: String,
        known: String,
    },
}

/// The profile file's path.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EDU_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("edu").join("config.toml"))
}

/// The variables to read ahead of the environment: the named profile's, or the default
/// profile's that the environment does not set.
pub fn variables(name: Option<&str>) -> Result<Vec<(String, String)>, ProfileError> {
    let Some(path) = config_path() else {
        return Ok(Vec::new());
    };
    let shown = path.display().to_string();
    let file: ConfigFile = match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| ProfileError::Invalid {
            path: shown.clone(),
            // The parser's own display quotes the offending line, which may hold a secret: only
            // its message and the line number are shown.
            reason: match e.span() {
                Some(at) => format!(
                    "{} (line {})",
                    e.message(),
                    text.as_bytes()[..at.start.min(text.len())]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count()
                        + 1
                ),
                None => e.message().to_owned(),
            },
        })?,
        Err(_) if name.is_none() => return Ok(Vec::new()),
        Err(e) => {
            return Err(ProfileError::Invalid {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    match name {
        Some(name) => match file.profiles.get(name) {
            Some(vars) => Ok(vars.clone().into_iter().collect()),
            None => Err(ProfileError::Unknown {
                name: name.to_owned(),
                path: shown,
                known: if file.profiles.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (it has: {})",
                        file.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                },
            }),
        },
        None => Ok(file
            .profiles
            .get("default")
            .into_iter()
            .flatten()
            .filter(|(k, _)| std::env::var_os(k).is_none_or(|v| v.is_empty()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()),
    }
}
