//! The packager's error type: every error names the package and what is wrong.

use std::path::PathBuf;

/// An error of the packager crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot access `{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error(transparent)]
    Mapper(#[from] ferry_mapper::Error),

    #[error("package `{}`: {message}", path.display())]
    Package { path: PathBuf, message: String },
}
