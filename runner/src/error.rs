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

    // What the user asked for names something that is not there.
    /// A staged record the job does not have (`what`: `staged record`, `unprocessed staged record`).
    #[error("job {job} has no {what} {id}")]
    UnknownRecord { job: i64, id: i64, what: &'static str },

    /// Staged records to delete that the job does not have: nothing was deleted.
    #[error("job {job} has no staged record {}; nothing was deleted", list(missing))]
    NothingDeleted { job: i64, missing: Vec<i64> },

    /// Text given as an id that is not a number.
    #[error("`{text}` is not a {what} id")]
    BadId { text: String, what: &'static str },

    #[error("unknown column `{name}` (columns: {})", known.join(", "))]
    UnknownColumn { name: String, known: Vec<String> },

    #[error("unknown field `{name}` (fields: {})", known.join(", "))]
    UnknownField { name: String, known: Vec<String> },

    /// A subcollection named where only a basic field can be.
    #[error("`{name}` is a subcollection; only basic fields can be edited")]
    NotEditable { name: String },

    #[error("there is no user `{0}` (`ferry users list` lists them)")]
    UnknownUser(String),

    // What the user gave does not do.
    /// A value typed for a field that it cannot hold.
    #[error("field `{field}`: `{value}` {why}")]
    BadValue { field: String, value: String, why: String },

    /// A staged record an edit would leave invalid.
    #[error("staged record {id} would be invalid: {}", errors.join("; "))]
    InvalidRecord { id: i64, errors: Vec<String> },

    #[error("`{0}` is not a date (`2026-11-21`) or a timestamp (`2026-11-21T17:00:00Z`)")]
    BadDate(String),

    #[error("`{0}` is not a user name (1 to 64 letters, digits, `.`, `_`, `-` or `@`)")]
    BadUserName(String),

    #[error("the password is shorter than 8 characters")]
    ShortPassword,

    #[error("there is a user `{0}` already (`ferry users passwd` changes the password)")]
    UserExists(String),

    #[error("no package to import")]
    NoPackage,

    /// One package named twice in one import.
    #[error("package `{}` is given twice (also as `{}`); its rows would be staged twice", path.display(), first.display())]
    PackageTwice { path: PathBuf, first: PathBuf },

    #[error("the description must not be empty")]
    EmptyDescription,

    /// Lead provenance options given to a job of another kind.
    #[error("`--source-type`, `--source` and `--owner` are stored on leads (the lead import dialog); this job imports {}: leave them out, or import with a lead target", kind.as_str())]
    ProvenanceOnLeads { kind: RecordKind },

    /// An option's value that does not fit (`option` is the option, `--owner` say).
    #[error("`{option}`: {message}")]
    BadOption { option: String, message: String },

    /// A parameter of a request (a query or form field of the web pages) that does not do.
    #[error("{message}")]
    BadParam { name: String, message: String },

    /// A chosen action for staged record `staged` that the store refutes.
    #[error("{problem}")]
    BadChoice { staged: i64, problem: ChoiceProblem },

    /// A row of a review answer file (`review --apply`) that cannot be applied.
    #[error("`{}`{}: {message}", file.display(), line.map_or_else(String::new, |l| format!(" line {l}")))]
    BadAnswer { file: PathBuf, line: Option<u64>, message: String },

    /// A matching profile of one record kind given to a job of another
    /// (`which`: `matching` or `base`).
    #[error("the {which} profile is for {}, but job {job} imports {}", profile.as_str(), kind.as_str())]
    ProfileKind { which: &'static str, profile: RecordKind, job: i64, kind: RecordKind },

    #[error(transparent)]
    Matching(#[from] crate::matching::Error),

    // A job's state forbids the step.
    /// A staged record whose decision `complete` cannot carry out.
    #[error("staged record {staged} of job {job} {problem}")]
    Undecided { job: i64, staged: i64, problem: Undecided },

    /// Records an undo would put back changed since the job wrote them.
    #[error("cannot undo job {job}: records it wrote changed since: {changed}")]
    UndoBlocked { job: i64, changed: String },

    #[error("job {job} has {staged} unprocessed staged records: too few to learn from")]
    TooFewToLearn { job: i64, staged: usize },

    #[error("job {job} cannot be matched inside its memory: {short}")]
    OverMemory { job: i64, short: crate::memory::TooLittle },

    // The store or ferry itself is at fault.
    /// Something the store holds that this ferry cannot read back (a damaged store).
    #[error("store `{}`: {what} is unreadable: {message}", path.display())]
    Unreadable { path: PathBuf, what: String, message: String },

    /// A broken invariant: a bug in ferry, not in the data.
    #[error("internal error: {0}")]
    Internal(Bug),

    /// A write based on a stale page: another user changed the staged record meanwhile.
    #[error(
        "staged record {staged} was changed by someone else since this page was loaded; reload the page and choose again"
    )]
    StaleChanged { staged: i64 },

    /// A write based on a stale page: the staged record was deleted meanwhile.
    #[error("staged record {staged} was deleted since this page was loaded; reload the page")]
    StaleDeleted { staged: i64 },

    /// A package that could not be staged: the job is recorded Failed, and
    /// `cause` is why, typed (the packager's own error for a bad package).
    #[error("import job {id} failed: {cause}")]
    ImportFailed {
        id: i64,
        #[source]
        cause: Box<Error>,
    },
}

/// Why `complete` cannot carry out a staged record's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// It has no action.
    NoAction,
    /// It is to be merged but names no record.
    NoMatch,
    /// It is to be merged into a record that was deleted since.
    MatchGone(i64),
}

impl std::fmt::Display for Undecided {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Undecided::NoAction => write!(f, "has no action (match the job again)"),
            Undecided::NoMatch => {
                write!(f, "is to be merged but has no matched record (choose one with `ferry review`)")
            }
            Undecided::MatchGone(target) => write!(
                f,
                "is to be merged into record {target}, which no longer exists (match the job again)"
            ),
        }
    }
}

/// Why a chosen action (a row of `review --apply`, a choice on the review
/// page) cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceProblem {
    /// The staged record is not one of the job's.
    NotInJob { job: i64, staged: i64 },
    /// The staged record was carried out already.
    Processed { staged: i64 },
    /// The record to merge with or update is not there (`kind`: `contacts`, `leads`).
    NoRecord { kind: RecordKind, id: i64 },
    /// The staged record to merge with is not one of the job's.
    NoStagedToMerge { job: i64, other: i64 },
    /// A merge with a later staged record (only an earlier one can be merged into).
    LaterStaged { staged: i64, other: i64 },
    /// A merge that names no record (`label`: the kind's name of Merge).
    MergeNeedsTarget { label: &'static str },
    /// A merge that names both an existing and a staged record.
    MergeBoth,
    /// An update that names no record.
    UpdateNeedsRecord,
}

impl std::fmt::Display for ChoiceProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChoiceProblem::NotInJob { job, staged } => write!(f, "job {job} has no staged record {staged}"),
            ChoiceProblem::Processed { staged } => write!(f, "staged record {staged} was processed already"),
            ChoiceProblem::NoRecord { kind, id } => {
                write!(f, "there is no existing {} record {id}", kind.as_str())
            }
            ChoiceProblem::NoStagedToMerge { job, other } => {
                write!(f, "job {job} has no staged record {other} to merge with")
            }
            ChoiceProblem::LaterStaged { staged, other } => write!(
                f,
                "staged record {staged} can merge only with an earlier staged record (a lower id), not {other}; \
                 merge {other} into {staged} instead"
            ),
            ChoiceProblem::MergeNeedsTarget { label } => {
                write!(
                    f,
                    "`{label}` needs the record to merge with in `match_record_id` (or `match_staged_id`)"
                )
            }
            ChoiceProblem::MergeBoth => {
                write!(f, "give either `match_record_id` or `match_staged_id`, not both")
            }
            ChoiceProblem::UpdateNeedsRecord => {
                write!(f, "`Update` needs the record to update in `match_record_id`")
            }
        }
    }
}

fn list(ids: &[i64]) -> String {
    ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
}

impl Error {
    /// What went wrong, as a stable kebab-case word (`--json` error objects
    /// and the web API say it): one per variant, or the wrapped error's own.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Sqlite { .. } => "store",
            Error::Io { .. } => "io",
            Error::StoreTooNew { .. } => "store-too-new",
            Error::Package(_) => "package",
            Error::Mapper(_) => "mapper",
            Error::NoSuchJob(_) => "no-such-job",
            Error::DuplicateDescription { .. } => "duplicate-description",
            Error::WrongState { .. } => "wrong-state",
            Error::KindMismatch { .. } => "kind-mismatch",
            Error::UnknownRecord { .. } => "unknown-record",
            Error::NothingDeleted { .. } => "unknown-record",
            Error::BadId { .. } => "bad-id",
            Error::UnknownColumn { .. } => "unknown-column",
            Error::UnknownField { .. } => "unknown-field",
            Error::NotEditable { .. } => "not-editable",
            Error::UnknownUser(_) => "unknown-user",
            Error::BadValue { .. } => "bad-value",
            Error::InvalidRecord { .. } => "invalid-record",
            Error::BadDate(_) => "bad-date",
            Error::BadUserName(_) => "bad-user-name",
            Error::ShortPassword => "short-password",
            Error::UserExists(_) => "user-exists",
            Error::NoPackage => "no-package",
            Error::PackageTwice { .. } => "package-twice",
            Error::EmptyDescription => "empty-description",
            Error::ProvenanceOnLeads { .. } => "provenance-on-leads",
            Error::BadOption { .. } => "bad-option",
            Error::BadParam { .. } => "bad-param",
            Error::BadChoice { .. } => "bad-choice",
            Error::BadAnswer { .. } => "bad-answer",
            Error::ProfileKind { .. } => "profile-kind",
            Error::Matching(crate::matching::Error::Profile { .. }) => "bad-profile",
            Error::Matching(crate::matching::Error::Io { .. }) => "io",
            Error::Matching(crate::matching::Error::Load(_)) => "mapper",
            Error::Undecided { .. } => "undecided",
            Error::UndoBlocked { .. } => "undo-blocked",
            Error::TooFewToLearn { .. } => "too-few-to-learn",
            Error::OverMemory { .. } => "over-memory",
            Error::Unreadable { .. } => "unreadable",
            Error::Internal(_) => "internal",
            Error::StaleChanged { .. } | Error::StaleDeleted { .. } => "stale",
            Error::ImportFailed { cause, .. } => cause.kind(),
        }
    }

    /// An SQLite error on the store at `path`.
    pub(crate) fn sqlite(path: &Path, source: rusqlite::Error) -> Error {
        Error::Sqlite { path: path.to_path_buf(), source }
    }

    /// Something stored that cannot be read back: `what` of the store at `path`.
    pub(crate) fn unreadable(path: &Path, what: impl Into<String>, message: impl std::fmt::Display) -> Error {
        Error::Unreadable { path: path.to_path_buf(), what: what.into(), message: message.to_string() }
    }

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

/// What broke in an [`Error::Internal`]: a bug in ferry, not in the data.
#[derive(Debug, thiserror::Error)]
pub enum Bug {
    /// The password hasher failed.
    #[error("cannot hash the password: {0}")]
    PasswordHash(String),
    /// The rows an import read are not the rows it staged and rejected.
    #[error("{read} rows read but {staged} staged and {rejected} rejected")]
    RowsLost { read: u64, staged: u64, rejected: u64 },
    /// A staged record's rows, found again to reject a duplicate id, are not
    /// as many as it was assembled from.
    #[error("staged record {staged_id} was assembled from {rows} rows, {found} found again")]
    RowsMissing { staged_id: i64, rows: u64, found: usize },
    /// A child row kept during an import does not read back.
    #[error("a kept child row's cells are unreadable")]
    ChildCells,
    /// A kept child row names a file the import did not open.
    #[error("no child file {0}")]
    NoChildFile(i64),
}

/// Attaches the store's path to SQLite errors.
pub(crate) trait SqlResult<T> {
    fn db(self, path: &Path) -> Result<T, Error>;
}

impl<T> SqlResult<T> for rusqlite::Result<T> {
    fn db(self, path: &Path) -> Result<T, Error> {
        self.map_err(|source| Error::sqlite(path, source))
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
        assert!(!Error::NoPackage.is_busy());
    }

    #[test]
    fn typed_choice_and_stale_errors_say_what_the_user_does_next() {
        let later =
            Error::BadChoice { staged: 7, problem: ChoiceProblem::LaterStaged { staged: 7, other: 9 } };
        assert_eq!(
            later.to_string(),
            "staged record 7 can merge only with an earlier staged record (a lower id), not 9; merge 9 into 7 instead"
        );
        assert_eq!(later.kind(), "bad-choice");
        let changed = Error::StaleChanged { staged: 3 };
        let deleted = Error::StaleDeleted { staged: 3 };
        assert!(changed.to_string().ends_with("reload the page and choose again"), "{changed}");
        assert!(deleted.to_string().starts_with("staged record 3 was deleted"), "{deleted}");
        assert_eq!((changed.kind(), deleted.kind()), ("stale", "stale"));
    }
}
