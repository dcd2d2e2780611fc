//! The mapper's error type: every error says what and where.

use std::path::{Path, PathBuf};

/// An error of the mapper crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot access `{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("`{}` line {line}, column {column}: not valid JSON: {message}", path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },

    #[error("`{}` does not match its schema:{}", path.display(), render_schema_errors(errors))]
    Schema { path: PathBuf, errors: Vec<SchemaError> },

    #[error("`{}`: {message}", path.display())]
    Invalid { path: PathBuf, message: String },

    #[error("unknown target `{name}`{} (bundled targets: {}; or give a path to a target definition file)", crate::suggest::suffix(name, known.iter().map(String::as_str)), known.join(", "))]
    UnknownTarget { name: String, known: Vec<String> },

    #[error("`{}` line {line}: {message}", path.display())]
    Read { path: PathBuf, line: u64, message: String },

    #[error("`{}`: unknown encoding `{label}` (use a WHATWG label such as `UTF-8`, `windows-1252`, `UTF-16LE`)", path.display())]
    UnknownEncoding { path: PathBuf, label: String },

    #[error("`{}`: {message}", path.display())]
    Spreadsheet { path: PathBuf, message: String },

    /// A row that cannot be read as it stands; the rows after it still can.
    #[error("{0}")]
    BadRow(Box<crate::read::BadRow>),

    #[error("`{}` already exists", path.display())]
    Exists { path: PathBuf },

    #[error("mapping of `{file}`: {message}")]
    Mapping { file: String, message: String },

    /// An error of a table's own source that is not the mapper's (a package
    /// member the packager reads), kept whole so that the caller can downcast
    /// it back to its typed kind.
    #[error(transparent)]
    Source(Box<dyn std::error::Error + Send + Sync>),
}

/// One schema violation, at a JSON path (`/files/0/mappings/2/colum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub json_path: String,
    pub message: String,
}

fn render_schema_errors(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(|e| {
            let at = if e.json_path.is_empty() { "/" } else { e.json_path.as_str() };
            format!("\n  at `{at}`: {}", e.message)
        })
        .collect()
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io { path: path.to_path_buf(), source }
    }
}
