//! Reading, writing and comparing spec and code files.

use std::path::Path;

use anyhow::{Context, Result};

/// Reads a JSON or YAML document.
pub fn read_any(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path)?;
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if is_yaml {
        serde_yaml::from_str(&text).context("parsing YAML")
    } else {
        serde_json::from_str(&text).context("parsing JSON")
    }
}

/// Pretty JSON with a trailing newline (stable: serde_json keeps key order).
pub fn to_pretty_json(value: &serde_json::Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Writes `text` to `path`, or with `check` compares them. Returns true if they differ in check mode.
pub fn write_or_check(path: &Path, text: &str, check: bool) -> Result<bool> {
    let current = std::fs::read_to_string(path).ok();
    if check {
        return Ok(current.as_deref() != Some(text));
    }
    if current.as_deref() != Some(text) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(false)
}
