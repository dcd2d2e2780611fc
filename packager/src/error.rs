//! The packager's error type: every error names the package (or the data
//! file) and what is wrong, and package validation errors carry an
//! [`Invalid`] kind so that callers and tests can tell them apart.

use std::path::PathBuf;

/// An error of the packager crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot access `{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error(transparent)]
    Mapper(#[from] ferry_mapper::Error),

    /// A package that is not a valid ferry package (hostile or broken).
    #[error("package `{}`: {message}", path.display())]
    Invalid { path: PathBuf, kind: Invalid, message: String },

    /// The check beside a pack could not run over the data location.
    #[error("cannot check `{}`", dir.display())]
    Check { dir: PathBuf, source: ferry_mapper::Error },

    /// Something that stops a package from being written.
    #[error("{message}")]
    Pack { message: String },

    /// A character the package encoding cannot hold.
    #[error("`{file}` line {line}, column `{column}`: `{character}` (U+{:04X}) cannot be written in `{encoding}`", *character as u32)]
    Unencodable { file: String, line: u64, column: String, character: char, encoding: String },
}

/// Why a package was rejected; each kind has a message of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Invalid {
    /// Not a ZIP archive, or a damaged one.
    NotZip,
    /// A member path with a `..` component.
    PathEscapes,
    /// A member path starting with `/` or `\`.
    AbsolutePath,
    /// A member path with a drive letter (`C:`).
    DriveLetter,
    /// A member in a folder, or with a name ferry does not write.
    UnexpectedMember,
    /// Two members with the same name.
    DuplicateMember,
    /// A member whose uncompressed size is above the limit.
    TooLarge,
    /// A member whose compression ratio is absurd (a ZIP bomb).
    CompressionRatio,
    /// Encrypted members, unknown compression methods, CRC mismatches.
    BadMember,
    /// `fileMappings.xml` is missing.
    MissingFileMappings,
    /// A CSV member or its mapping file listed in `fileMappings.xml` is missing.
    MissingMember,
    /// `target.json` is missing or invalid.
    BadTarget,
    /// XML with a DOCTYPE.
    Doctype,
    /// XML with an entity that is not one of the five predefined ones.
    Entity,
    /// XML that is not well formed, or a processing instruction.
    MalformedXml,
    /// An element or attribute ferry's vocabulary does not know, or a missing one.
    UnknownXml,
    /// A format version this ferry does not read.
    Version,
    /// The declared encoding is unknown.
    UnknownEncoding,
    /// A CSV member that does not decode in the declared encoding.
    Encoding,
    /// A CSV member that is not valid CSV, lacks a mapped column, or has a row count other than declared.
    BadCsv,
    /// Mapping files that contradict each other or fileMappings.xml.
    Inconsistent,
    /// A mapping that does not fit the package's target: an unknown field, a
    /// field mapped twice, a grandchild file, a parent cycle, a converter that
    /// does not suit its field.
    BadMapping,
    /// A member whose local header names it otherwise than the central directory.
    LocalName,
    /// A package larger than the size cap (10 MB unless raised).
    OverSizeCap,
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// The kind of an invalid-package error.
    pub fn invalid_kind(&self) -> Option<Invalid> {
        match self {
            Error::Invalid { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}
