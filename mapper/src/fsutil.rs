//! Small file-system helpers shared by the crates: outputs that appear whole
//! or not at all, and never replace a file unasked.
//!
//! An output is written to a scratch file beside it ([`scratch_beside`]),
//! named `.ferry-scratch-…`, locked for as long as the writing process holds
//! it and deleted when dropped; [`persist`] renames it into place. A run that
//! is killed cannot delete its scratch file, but it loses the lock: the next
//! run that writes into the same folder removes such leftovers. Errors name
//! the output the user asked for, never the scratch file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::Error;

/// The name every scratch file starts with.
pub const SCRATCH_PREFIX: &str = ".ferry-scratch-";

/// A leftover is only removed when no one has written it for this long (a
/// scratch file is locked a moment after it is created).
const LEFTOVER_AGE: Duration = Duration::from_secs(10);

/// The folder an output lands in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses to go on when `dest` exists and `force` is off.
pub fn refuse_existing(dest: &Path, force: bool) -> Result<(), Error> {
    if !force && std::fs::symlink_metadata(dest).is_ok() {
        return Err(Error::Exists { path: dest.to_path_buf() });
    }
    Ok(())
}

/// A locked scratch file in the folder of `dest`, for writing `dest`; leftovers
/// of killed runs in that folder are removed first.
pub fn scratch_beside(dest: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let dir = folder_of(dest);
    remove_leftovers(&dir);
    let tmp = tempfile::Builder::new()
        .prefix(SCRATCH_PREFIX)
        .tempfile_in(&dir)
        .map_err(|e| Error::io(dest, without_scratch_path(e)))?;
    tmp.as_file().try_lock().map_err(|e| Error::io(dest, std::io::Error::other(e.to_string())))?;
    Ok(tmp)
}

/// tempfile's errors name the scratch file (`… at path "/d/.ferry-scratch-x"`);
/// ours name the output instead.
fn without_scratch_path(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    match text.find(" at path ") {
        Some(at) => std::io::Error::new(e.kind(), text[..at].to_string()),
        None => e,
    }
}

/// Syncs a scratch file and gives it the name `dest`, replacing an existing
/// file only with `force` (checked again at the rename: no race replaces one).
pub fn persist(tmp: tempfile::NamedTempFile, dest: &Path, force: bool) -> Result<(), Error> {
    // Scratch files are private; an output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(dest, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(dest, e))?;
    let result = if force { tmp.persist(dest) } else { tmp.persist_noclobber(dest) };
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::Exists { path: dest.to_path_buf() })
        }
        Err(e) => Err(Error::io(dest, e.error)),
    }
}

/// Writes `bytes` to `path` whole or not at all (a scratch file, synced, then
/// renamed over `path`).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp = scratch_beside(path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    persist(tmp, path, true)
}

/// Removes the scratch files of runs that died: unlocked and not written lately.
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let old = SystemTime::now().checked_sub(LEFTOVER_AGE);
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(SCRATCH_PREFIX) {
            continue;
        }
        let path = entry.path();
        let Ok(file) = std::fs::OpenOptions::new().read(true).write(true).open(&path) else { continue };
        let stale = file.metadata().and_then(|m| m.modified()).is_ok_and(|m| old.is_some_and(|old| m <= old));
        // The lock is held by a live writer; taking it means the writer is gone.
        if stale && file.try_lock().is_ok() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_file_is_replaced_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x.csv");
        std::fs::write(&out, "old").unwrap();
        assert!(matches!(refuse_existing(&out, false), Err(Error::Exists { .. })));
        let tmp = scratch_beside(&out).unwrap();
        assert!(matches!(persist(tmp, &out, false), Err(Error::Exists { .. })));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        write_atomic(&out, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no scratch file left");
    }

    #[test]
    fn leftovers_of_dead_runs_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(format!("{SCRATCH_PREFIX}dead"));
        std::fs::write(&dead, "half").unwrap();
        let past = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::options().write(true).open(&dead).unwrap().set_modified(past).unwrap();
        let live = scratch_beside(&dir.path().join("a.csv")).unwrap();
        live.as_file().set_modified(past).unwrap();
        let _again = scratch_beside(&dir.path().join("b.csv")).unwrap();
        assert!(!dead.exists(), "an unlocked, old leftover is removed");
        assert!(live.path().exists(), "a locked scratch file stays");
    }
}
