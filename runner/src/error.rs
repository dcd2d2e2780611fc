//! The runner's error type: every error says what and where.

use std::path::{Path, PathBuf};

/// An error of the runner crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("store `{}`: {source}", path.display())]
    Sqlite { path: PathBuf, source: rusqlite::Error },

    #[error("cannot access `{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("store `{}` has schema version {found}, newer than this ferry understands ({known})", path.display())]
    StoreTooNew { path: PathBuf, found: i64, known: i64 },

    #[error(transparent)]
    Package(#[from] ferry_packager::Error),

    #[error(transparent)]
    Mapper(#[from] ferry_mapper::Error),

    #[error("no import job `{0}` (give a job id or its description; `ferry jobs` lists them)")]
    NoSuchJob(String),

    #[error("an import job described `{description}` already exists (job {id})")]
    DuplicateDescription { description: String, id: i64 },

    #[error("job {id} is in {stage} / {status}: {message}")]
    WrongState { id: i64, stage: String, status: String, message: String },

    #[error("{0}")]
    Invalid(String),

    /// A write based on a stale page (another user changed the record meanwhile).
    #[error("{0}")]
    Stale(String),

    #[error("import job {id} failed: {message}")]
    ImportFailed { id: i64, message: String },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// The store stayed locked by another connection past the busy timeout
    /// (another ferry writing, an import under the rollback journal, say).
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Sqlite { source, .. } if matches!(
            source.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        ))
    }
}

/// Attaches the store's path to SQLite errors.
pub(crate) trait SqlResult<T> {
    fn db(self, path: &Path) -> Result<T, Error>;
}

impl<T> SqlResult<T> for rusqlite::Result<T> {
    fn db(self, path: &Path) -> Result<T, Error> {
        self.map_err(|source| Error::Sqlite { path: path.to_path_buf(), source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_and_locked_stores_are_told_apart_from_other_store_errors() {
        let sqlite = |code| Error::Sqlite {
            path: "ferry.db".into(),
            source: rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
        };
        assert!(sqlite(rusqlite::ffi::SQLITE_BUSY).is_busy());
        assert!(sqlite(rusqlite::ffi::SQLITE_LOCKED).is_busy());
        assert!(!sqlite(rusqlite::ffi::SQLITE_CORRUPT).is_busy());
        assert!(!Error::Invalid("x".into()).is_busy());
    }
}
