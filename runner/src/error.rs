//! The runner's error type: every error says what and where.

use std::path::{Path, PathBuf};

use ferry_mapper::target::RecordKind;

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

    /// A package of one record kind given to a job of another.
    #[error("package `{}` holds {} but the job imports {} (use `--type {}` or another package)", package.display(), holds.as_str(), wanted.as_str(), holds.as_str())]
    KindMismatch { package: PathBuf, holds: RecordKind, wanted: RecordKind },

    #[error("{0}")]
    Invalid(String),

    /// A write based on a stale page (another user changed the record meanwhile).
    #[error("{0}")]
    Stale(String),

    /// A package that could not be staged: the job is recorded Failed, and
    /// `cause` is why, typed (the packager's own error for a bad package).
    #[error("import job {id} failed: {cause}")]
    ImportFailed {
        id: i64,
        #[source]
        cause: Box<Error>,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }

    /// A table's read error, typed: the packager's own error when the table
    /// is a package member.
    pub fn from_table(e: ferry_mapper::Error) -> Error {
        match e {
            ferry_mapper::Error::Source(source) => match source.downcast::<ferry_packager::Error>() {
                Ok(p) => Error::Package(*p),
                Err(other) => Error::Mapper(ferry_mapper::Error::Source(other)),
            },
            other => Error::Mapper(other),
        }
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
