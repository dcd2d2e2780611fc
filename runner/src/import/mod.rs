//! Import: stage packages as one import job.
//!
//! [`import`] opens each package through [`ferry_packager::read::Package`]
//! (the only way the runner reads a package), then [`stage`] does the work in
//! ONE write transaction, so a crash or a kill at any instant leaves the store
//! as it was and the import can simply be run again:
//!
//! 1. the job row goes in as Import into Staging / Running;
//! 2. for each package, each main file with its child files (the template's
//!    [`ferry_mapper::tree::FileTree`]): every file goes through one pipeline
//!    (`pipeline`: rows read and converted with the file's `FileConverter`
//!    on the worker pool while this thread writes them in order). A main file
//!    of a package without links is staged record by record; in a package
//!    with links, the child rows (their file has a `ParentLink`) are read
//!    first and wait by parent id, then each main row is joined by its child
//!    rows (`Record::absorb`) and written once (`assemble`);
//! 3. each record is validated (`validate_record`) before it is written;
//! 4. the job moves on (contacts: Review Staged Data / Waiting on User; leads
//!    skip that stage: Review Match Results / Queued) with its counts, and the
//!    transaction commits;
//! 5. a lead job is then matched (its own transaction, [`crate::matchjob`]) and
//!    waits in Review Match Results / Waiting on User, ready for review.
//!
//! A lead job's `--source-type`, `--source` and `--owner` are checked and
//! stored on every lead (see `provenance`).
//!
//! Rules for bad input: a row with a conversion error (a
//! value of the wrong type) or a record missing required fields is rejected
//! with its reason; over-long values are truncated and unknown enumeration
//! values ignored by the converter, with a warning; with `create_missing` an
//! unknown enumeration value is kept and added to the kind's values
//! (`target_values`); a child row whose parent row is absent, or was rejected,
//! is rejected; a record rejected at validation takes its child rows with it.
//! Every row read ends up staged or rejected: `rows_read = rows_staged +
//! rows_rejected`.
//!
//! When the package itself is bad (it cannot be opened, a file cannot be
//! read, a column the mapping names is missing), the staging transaction is
//! rolled back and the job is recorded as Import into Staging / Failed with
//! the error, in a transaction of its own. Importing again with the same
//! description replaces a Failed job; any other existing description is
//! refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use ferry_mapper::progress::{NoReporter, Reporter};
use ferry_mapper::read::Table;
use ferry_mapper::target::{RecordKind, TargetDefinition};
use ferry_mapper::template::MappingTemplate;
use serde::Serialize;

use crate::Error;
use crate::db::Tx;
use crate::job::{self, Job, NewJob};
use crate::store::{self, Store};

use provenance::Provenance;
use stage::Staging;

/// A package to stage: what [`ferry_packager::read::Package`] offers.
pub trait PackageSource {
    /// Where the package came from (shown and stored).
    fn path(&self) -> &Path;
    /// The mapping it was packed with (one file mapping per CSV member).
    fn template(&self) -> &MappingTemplate;
    /// The target it was mapped against.
    fn target(&self) -> &TargetDefinition;
    /// The rows of a CSV member.
    fn rows(&self, file: &str) -> Result<Table, Error>;
}

impl PackageSource for ferry_packager::read::Package {
    fn path(&self) -> &Path {
        &self.path
    }
    fn template(&self) -> &MappingTemplate {
        &self.template
    }
    fn target(&self) -> &TargetDefinition {
        &self.target
    }
    fn rows(&self, file: &str) -> Result<Table, Error> {
        Ok(ferry_packager::read::Package::rows(self, file)?)
    }
}

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The packages of one job (the parts of a split set, or several packages).
    pub packages: Vec<PathBuf>,
    /// The job's type; `None`: the packages' target kind.
    pub kind: Option<RecordKind>,
    /// Unique description; `None`: the first package's file name and the time.
    pub description: Option<String>,
    pub source_type: Option<String>,
    pub source: Option<String>,
    pub owner: Option<String>,
    /// Add unknown enumeration values to the target instead of ignoring them.
    pub create_missing: bool,
    /// Leave the records that the staged records' keys find unchanged: such
    /// records go through ordinary matching instead (see [`crate::keys`]).
    pub no_update: bool,
    /// The size cap a package must respect; `None`: 10 MB, as `pack` writes.
    pub max_size: Option<u64>,
    /// How a lead job is matched once staged (leads go straight to Review
    /// Match Results: [`import`] matches them itself).
    pub matching: crate::matchjob::MatchOptions,
}

/// An enumeration value added with `--create-missing`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AddedValue {
    /// `marketSegment`, or `Subcollection.attribute`.
    pub field: String,
    pub value: String,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub job: Job,
    /// Values added to the target with `--create-missing`.
    pub added_values: Vec<AddedValue>,
    /// File-level warnings (the converter's remarks about a file's mapping).
    pub file_warnings: Vec<String>,
    /// A lead job's matching, run right after staging.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<crate::matchjob::MatchSummary>,
}

/// Opens the packages and stages them as one job.
pub fn import(
    store: &mut Store,
    options: &ImportOptions,
    reporter: &dyn Reporter,
) -> Result<ImportSummary, Error> {
    if options.packages.is_empty() {
        return Err(Error::NoPackage);
    }
    let mut seen = HashMap::new();
    for path in &options.packages {
        if !path.is_file() {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such package file"),
            ));
        }
        let canonical = path.canonicalize().map_err(|e| Error::io(path, e))?;
        if let Some(first) = seen.insert(canonical, path) {
            return Err(Error::PackageTwice { path: path.clone(), first: first.clone() });
        }
    }
    let description = match &options.description {
        Some(d) if d.trim().is_empty() => {
            return Err(Error::EmptyDescription);
        }
        Some(d) => d.trim().to_string(),
        None => job::default_description(store, &options.packages[0])?,
    };
    job::check_description(store.db(), &description)?;
    let mut packages = Vec::new();
    for path in &options.packages {
        reporter.on_stage(ferry_mapper::progress::Stage::Package(path), None);
        let limits = ferry_packager::read::Limits {
            max_package: options.max_size.unwrap_or(ferry_packager::write::DEFAULT_MAX_SIZE),
            ..Default::default()
        };
        match ferry_packager::read::Package::open_streaming(path, limits) {
            Ok(p) => packages.push(p),
            Err(e) => {
                let kind = options.kind.or(packages.first().map(|p| p.target.kind));
                let cause = Error::Package(e);
                let id = record_failure(store, &description, options, kind, &cause.to_string())?;
                return Err(Error::ImportFailed { id, cause: Box::new(cause) });
            }
        }
    }
    let mut summary = stage(store, &description, &packages, options, reporter)?;
    // Leads skip Review Staged Data: the import matches them, and the job
    // waits in Review Match Results / Waiting on User. (Matching is its own
    // transaction: if it fails, the job stays Queued there for `ferry match`.)
    if summary.job.kind == RecordKind::Leads {
        // Matching reports to a `Sync` reporter of its own; the import's
        // reporter only learns that candidate generation starts.
        reporter.on_stage(ferry_mapper::progress::Stage::Candidates, None);
        let matched = crate::matchjob::match_job(
            store,
            &summary.job.id.to_string(),
            &options.matching,
            &ferry_mapper::progress::NoReporter,
        )?;
        summary.job = matched.job.clone();
        summary.matched = Some(matched);
    }
    Ok(summary)
}

/// Records the job as Failed in Import into Staging, with its error.
fn record_failure(
    store: &mut Store,
    description: &str,
    options: &ImportOptions,
    kind: Option<RecordKind>,
    message: &str,
) -> Result<i64, Error> {
    let kind = kind.unwrap_or(RecordKind::Contacts);
    let target =
        TargetDefinition::bundled(kind.as_str()).map(|t| serde_json::to_string(&t).expect("serializes"));
    let target = target.unwrap_or_else(|| "{}".into());
    let job = new_job(kind, description, options, &target);
    job::record_failure(store, &job, &options.packages, message)
}

/// The job an import records.
fn new_job<'a>(
    kind: RecordKind,
    description: &'a str,
    options: &'a ImportOptions,
    target: &'a str,
) -> NewJob<'a> {
    NewJob {
        kind,
        description,
        source_type: options.source_type.as_deref(),
        source: options.source.as_deref(),
        owner: options.owner.as_deref(),
        create_missing: options.create_missing,
        no_update: options.no_update,
        target,
    }
}

/// Why staging stopped: the package is bad (the job is recorded Failed), or
/// the store failed (nothing is recorded).
enum Stop {
    Package(Error),
    Store(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        match e {
            Error::Sqlite { .. } | Error::Io { .. } | Error::StoreTooNew { .. } => Stop::Store(e),
            other => Stop::Package(other),
        }
    }
}

/// Stages opened packages as one job, in one transaction (see the module docs).
pub fn stage<S: PackageSource>(
    store: &mut Store,
    description: &str,
    packages: &[S],
    options: &ImportOptions,
    reporter: &dyn Reporter,
) -> Result<ImportSummary, Error> {
    // One large write: under the rollback journal when the store is ours alone.
    let (summary, _journal) =
        store.bulk(|store| stage_in_one_transaction(store, description, packages, options, reporter))?;
    summary
}

fn stage_in_one_transaction<S: PackageSource>(
    store: &mut Store,
    description: &str,
    packages: &[S],
    options: &ImportOptions,
    reporter: &dyn Reporter,
) -> Result<ImportSummary, Error> {
    let Some(first) = packages.first() else {
        return Err(Error::NoPackage);
    };
    let kind = options.kind.unwrap_or(first.target().kind);
    let added_before = store::added_values(store.db(), kind)?;
    let mut known: HashMap<String, std::collections::BTreeSet<String>> = HashMap::new();
    for (field, value) in &added_before {
        known.entry(field.clone()).or_default().insert(value.clone());
    }
    let provenance = Provenance::check(
        store.db(),
        kind,
        first.target(),
        &known,
        [options.source_type.as_deref(), options.source.as_deref(), options.owner.as_deref()],
        options.create_missing,
    )?;
    // The job keeps the values in the target's spelling.
    let options = &ImportOptions {
        source_type: provenance.source_type.clone(),
        source: provenance.source.clone(),
        owner: provenance.owner.clone(),
        ..options.clone()
    };
    let outcome = {
        let tx = Tx::begin(store)?;
        let mut staging = Staging::new(tx.db(), kind, options, added_before, provenance);
        match staging.run(description, packages, reporter) {
            Ok(job_id) => {
                let added = std::mem::take(&mut staging.added);
                let warnings = std::mem::take(&mut staging.file_warnings);
                drop(staging);
                tx.commit()?;
                Ok((job_id, added, warnings))
            }
            Err(stop) => Err(stop), // the transaction rolls back when dropped
        }
    };
    match outcome {
        Ok((job_id, added, file_warnings)) => {
            let job = job::get(store.db(), job_id)?.expect("just committed");
            Ok(ImportSummary { job, added_values: added, file_warnings, matched: None })
        }
        Err(Stop::Store(e)) => Err(e),
        Err(Stop::Package(cause)) => {
            let id = record_failure(store, description, options, Some(kind), &cause.to_string())?;
            Err(Error::ImportFailed { id, cause: Box::new(cause) })
        }
    }
}

mod assemble;
mod pipeline;
mod provenance;
mod stage;
#[cfg(test)]
mod tests;
