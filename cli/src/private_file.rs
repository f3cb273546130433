//! Files `edu` writes hold student records, tokens' owners' data and Ed-Fi secrets: they are
//! created readable and writable by their owner only (mode 0600 on Unix), and a file replaced
//! atomically is written to a temporary file of a fresh, unpredictable name created with
//! `O_EXCL` (never an existing file, never through a symlink someone planted at that name),
//! then renamed over the old one.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The options for a file only its owner may read.
fn owner_only(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Opens `path` for writing, creating it readable by its owner only; `truncate` empties it.
/// A file that existed keeps its content until then, and is made owner-only too (it is about to
/// hold what a new one would).
pub fn open_for_writing(path: &Path, truncate: bool) -> std::io::Result<File> {
    let file = owner_only(
        OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(truncate),
    )
    .open(path)?;
    restrict(&file)?;
    Ok(file)
}

/// Makes an open file owner-only (when it is a regular file: `-o /dev/stdout` stays as it is).
fn restrict(file: &File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file.metadata()?;
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Replaces `path` with `contents` atomically: a fresh temporary file beside it (created new,
/// owner-only, synced), renamed over it.
pub fn replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let (tmp, mut file) = fresh_beside(path)?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// A new file beside `path` of a name nobody could have guessed, created with `O_EXCL`.
fn fresh_beside(path: &Path) -> std::io::Result<(PathBuf, File)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "edu".into());
    let mut last = None;
    for _ in 0..8 {
        let tmp = path.with_file_name(format!(
            ".{name}.{}.{:016x}.tmp",
            std::process::id(),
            fastrand::u64(..)
        ));
        match owner_only(OpenOptions::new().write(true).create_new(true)).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no fresh temporary name")))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn scratch(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("edu-private-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_or_existing_output_file_is_owner_only() {
        let dir = scratch("output");
        let new = dir.join("new.csv");
        open_for_writing(&new, true).unwrap();
        assert_eq!(mode(&new), 0o600);
        let old = dir.join("old.csv");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        open_for_writing(&old, false).unwrap();
        assert_eq!(mode(&old), 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn replacing_never_writes_through_a_planted_symlink() {
        let dir = scratch("replace");
        let target = dir.join("pos.json");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        // The name the old code used for its temporary file, planted as a symlink.
        std::os::unix::fs::symlink(&victim, dir.join("pos.json.tmp")).unwrap();
        replace(&target, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
        assert_eq!(mode(&target), 0o600);
        // Nothing left behind but the file, the victim and the planted link.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
