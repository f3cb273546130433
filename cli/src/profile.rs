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

/// What a profile gave: the variables to read ahead of the environment, and warnings about
/// the file for standard error.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The variables.
    pub vars: Vec<(String, String)>,
    /// What the user should know (a profile file others can read).
    pub warnings: Vec<String>,
    /// Where the variables came from, for `check`: `profile `sim` of /path/config.toml`.
    pub source: Option<String>,
}

/// The variables to read ahead of the environment: the named profile's, or the default
/// profile's that the environment does not set.
pub fn variables(name: Option<&str>) -> Result<Loaded, ProfileError> {
    let Some(path) = config_path() else {
        return Ok(Loaded::default());
    };
    let shown = path.display().to_string();
    let (file, warnings): (ConfigFile, Vec<String>) = match std::fs::read_to_string(&path) {
        Ok(text) => {
            let file = toml::from_str(&text).map_err(|e| ProfileError::Invalid {
                path: shown.clone(),
                reason: parse_failure(&e, &text),
            })?;
            (file, readable_by_others(&path).into_iter().collect())
        }
        // A file named by EDU_CONFIG is one the user means: its absence is an error, as a
        // missing `--profile` is.
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::env::var_os("EDU_CONFIG").is_some() =>
        {
            return Err(ProfileError::Invalid {
                path: shown,
                reason: "EDU_CONFIG names this file, which does not exist; create it, or unset EDU_CONFIG".into(),
            });
        }
        Err(_) if name.is_none() => return Ok(Loaded::default()),
        Err(e) => {
            return Err(ProfileError::Invalid {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let vars = select(&file, name, &shown)?;
    let mut warnings = warnings;
    warnings.extend(unknown_names(&vars, &shown));
    let source =
        (!vars.is_empty()).then(|| format!("profile `{}` of {shown}", name.unwrap_or("default")));
    Ok(Loaded {
        vars,
        warnings,
        source,
    })
}

/// Every variable a client, the shared state or a receiver reads: what a profile sets.
const KNOWN: &[&str] = &[
    "DATAHUB_BASE_URL",
    "DATAHUB_CLIENT_ID",
    "DATAHUB_CLIENT_SECRET",
    "EDFI_ADMIN_BASE_URL",
    "EDFI_ADMIN_CLIENT_ID",
    "EDFI_ADMIN_CLIENT_SECRET",
    "EDFI_ADMIN_TENANT",
    "EDUFRAME_API_KEY",
    "EDUFRAME_BASE_URL",
    "EDUFRAME_WEBHOOK_SECRET",
    "EDUFRAME_WEBHOOK_SECRET_SECONDARY",
    "EDUV_BASE_URL",
    "EDUV_CLIENT_ID",
    "EDUV_CLIENT_SECRET",
    "EDUV_PRIVATE_KEY_PEM",
    "EDUV_TOKEN_URL",
    "EDU_REDIS_CA_CERT",
    "EDU_REDIS_URL",
    "ONDERWIJSREGIO_API_KEY",
    "ONDERWIJSREGIO_BASE_URL",
    "ONDERWIJSREGIO_SIGNING_SECRET",
    "ONDERWIJSREGIO_SIGNING_SECRET_SECONDARY",
];

/// A warning for each variable of the profile that nothing reads (a typo is silently ignored
/// otherwise), with the name it most likely meant.
fn unknown_names(vars: &[(String, String)], shown: &str) -> Vec<String> {
    vars.iter()
        .map(|(k, _)| k)
        .filter(|k| !KNOWN.contains(&k.as_str()))
        .map(|k| {
            let near = KNOWN
                .iter()
                .map(|known| (edit_distance(k, known), known))
                .filter(|(d, _)| *d <= 3)
                .min();
            let name = crate::terminal::printable(k);
            match near {
                Some((_, known)) => format!(
                    "{shown}: `{name}` is not a variable edu reads; did you mean `{known}`?"
                ),
                None => format!("{shown}: `{name}` is not a variable edu reads (it is ignored)"),
            }
        })
        .collect()
}

/// The Levenshtein distance between two names (short ASCII names: the simple table will do).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Why the file does not parse, and on which line, without a value from it: the parser's own
/// display quotes the offending line, and its message may quote a value (`invalid type:
/// integer `12345`, expected a string`): anything it quotes is left out.
fn parse_failure(e: &toml::de::Error, text: &str) -> String {
    let mut message = String::new();
    let mut quoted = false;
    for c in e.message().chars() {
        match c {
            '`' => {
                quoted = !quoted;
                if quoted {
                    message.push_str("a value");
                }
            }
            _ if quoted => {}
            c => message.push(c),
        }
    }
    if message.contains("invalid type") {
        message.push_str("; every value must be a quoted string, such as KEY = \"value\"");
    }
    match e.span() {
        Some(at) => format!(
            "{message} (line {})",
            text.as_bytes()[..at.start.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        ),
        None => message,
    }
}

/// A warning when the profile file can be read by its group or others (it holds credentials),
/// as ssh warns about keys.
fn readable_by_others(path: &std::path::Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "{} holds credentials and can be read by others (mode {mode:03o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The named profile's variables, or the default profile's that the environment leaves unset.
fn select(
    file: &ConfigFile,
    name: Option<&str>,
    shown: &str,
) -> Result<Vec<(String, String)>, ProfileError> {
    let shown = shown.to_owned();
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_misspelt_variable_is_named_with_the_one_meant() {
        let vars = vec![
            ("EDUFRAM_API_KEY".to_owned(), "k".to_owned()),
            ("EDUFRAME_BASE_URL".to_owned(), "u".to_owned()),
            ("SOMETHING_ELSE_ENTIRELY".to_owned(), "x".to_owned()),
        ];
        let w = super::unknown_names(&vars, "config.toml");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("did you mean `EDUFRAME_API_KEY`"), "{w:?}");
        assert!(
            w[1].contains("ignored") && !w[1].contains("did you mean"),
            "{w:?}"
        );
        assert_eq!(super::edit_distance("kitten", "sitting"), 3);
    }
}
