//! `--resume FILE`: a listing's position, saved after each page is written, so the same command
//! run again continues exactly where it stopped.
//!
//! The file holds the command it belongs to, the cursor of the next page, the records written so
//! far, and (with `--output`) the output's length when the page was saved: a resumed export first
//! cuts the output back to that length, so a page written but not yet saved is not written
//! twice. Saving is a write to a temporary file and a rename, so a kill never leaves half a file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A listing's saved position.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The command this position belongs to (its arguments, the resume file's left out).
    pub command: String,
    /// The cursor of the next page (`None` before the first page is done).
    pub next: Option<String>,
    /// Records written so far.
    pub records: u64,
    /// The output file's length when this was saved (`--output` only).
    pub output_bytes: Option<u64>,
    /// CSV columns, so a resumed CSV export keeps its header's.
    pub columns: Option<Vec<String>>,
    /// The listing ended: nothing is left to export.
    pub done: bool,
}

/// A resume file.
pub struct ResumeFile {
    path: PathBuf,
}

/// Why a resume file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    /// It was written by another command.
    #[error(
        "{path} holds the position of another command (`{theirs}`); use another file, or delete it to start over"
    )]
    OtherCommand { path: String, theirs: String },
    /// It is not a resume file.
    #[error("{path} is not a resume file ({reason}); delete it to start over")]
    Unreadable { path: String, reason: String },
    /// It could not be read or written.
    #[error("--resume {path}: {source}; give a file in a directory you can write to")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ResumeFile {
    /// The resume file at `path`.
    pub fn new(path: &Path) -> Self {
        ResumeFile {
            path: path.to_owned(),
        }
    }

    fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// The saved position for `command`, if this file holds one.
    pub fn load(&self, command: &str) -> Result<Option<Position>, ResumeError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ResumeError::Io {
                    path: self.shown(),
                    source,
                });
            }
        };
        let pos: Position = serde_json::from_str(&text).map_err(|e| ResumeError::Unreadable {
            path: self.shown(),
            reason: e.to_string(),
        })?;
        if pos.command != command {
            return Err(ResumeError::OtherCommand {
                path: self.shown(),
                theirs: pos.command,
            });
        }
        Ok(Some(pos))
    }

    /// Saves `pos` (atomically, owner-only: see [`crate::private_file::replace`]).
    pub fn save(&self, pos: &Position) -> Result<(), ResumeError> {
        let io = |source| ResumeError::Io {
            path: self.shown(),
            source,
        };
        let text = serde_json::to_string_pretty(pos).map_err(|e| io(e.into()))?;
        crate::private_file::replace(&self.path, text.as_bytes()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_round_trips_and_belongs_to_one_command() {
        let dir = std::env::temp_dir().join(format!("edu-resume-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = ResumeFile::new(&dir.join("pos.json"));
        assert_eq!(file.load("a").unwrap(), None);
        let pos = Position {
            command: "a".into(),
            next: Some("c1".into()),
            records: 3,
            ..Position::default()
        };
        file.save(&pos).unwrap();
        assert_eq!(file.load("a").unwrap(), Some(pos));
        assert!(matches!(
            file.load("b"),
            Err(ResumeError::OtherCommand { .. })
        ));
        std::fs::write(dir.join("pos.json"), "{").unwrap();
        assert!(matches!(
            file.load("a"),
            Err(ResumeError::Unreadable { .. })
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
