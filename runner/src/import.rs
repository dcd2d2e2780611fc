//! Import: stage packages as one import job.
//!
//! [`import`] opens each package through [`ferry_packager::read::Package`]
//! (the only way the runner reads a package), then [`stage`] does the work in
//! ONE write transaction, so a crash or a kill at any instant leaves the store
//! as it was and the import can simply be run again:
//!
//! 1. the job row goes in as Import into Staging / Running;
//! 2. for each package, its files in parent-before-child order: every row is
//!    converted with its file's [`FileConverter`]; a row of a top-level file
//!    becomes a staged record, a child row (its file has a [`ParentLink`]) is
//!    added to its parent's record ([`Record::absorb`]);
//! 3. each assembled record is validated ([`validate_record`]);
//! 4. the job moves on (contacts: Review Staged Data / Waiting on User; leads
//!    skip that stage: Review Match Results / Queued, ready for `ferry match`)
//!    with its counts, and the transaction commits.
//!
//! Rules (DESIGN.md "Rules for bad input"): a row with a conversion error (a
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

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ferry_mapper::convert::{ConvertOptions, FileConverter, validate_record};
use ferry_mapper::problem::{Problem, Severity};
use ferry_mapper::read::{Row, Table};
use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::{FieldType, RecordKind, TargetDefinition};
use ferry_mapper::template::{FileMapping, MappingTemplate};
use rayon::prelude::*;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::Error;
use crate::error::SqlResult;
use crate::flat::Flat;
use crate::job::{self, Job, Stage, Status};
use crate::store::{self, Store};

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
}

/// Progress of an import; the binary draws it.
pub trait ImportReporter {
    /// A package is being opened and checked.
    fn on_package(&self, _path: &Path) {}
    /// Staging of a file of a package starts.
    fn on_file(&self, _package: &Path, _file: &str) {}
    /// Rows read so far in the job (called every few thousand rows).
    fn on_rows(&self, _rows_read: u64) {}
    /// Records are being validated (files with child files).
    fn on_validate(&self) {}
}

/// A reporter that reports nothing.
pub struct NoReporter;
impl ImportReporter for NoReporter {}

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
}

/// Opens the packages and stages them as one job.
pub fn import(
    store: &mut Store,
    options: &ImportOptions,
    reporter: &dyn ImportReporter,
) -> Result<ImportSummary, Error> {
    if options.packages.is_empty() {
        return Err(Error::Invalid("no package to import".into()));
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
            return Err(Error::Invalid(format!(
                "package `{}` is given twice (also as `{}`); its rows would be staged twice",
                path.display(),
                first.display()
            )));
        }
    }
    let description = match &options.description {
        Some(d) if d.trim().is_empty() => {
            return Err(Error::Invalid("the description must not be empty".into()));
        }
        Some(d) => d.trim().to_string(),
        None => default_description(store, &options.packages[0])?,
    };
    check_description(store.conn(), store.path(), &description)?;
    let mut packages = Vec::new();
    for path in &options.packages {
        reporter.on_package(path);
        let limits = ferry_packager::read::Limits {
            max_package: options.max_size.unwrap_or(ferry_packager::write::DEFAULT_MAX_SIZE),
            ..Default::default()
        };
        match ferry_packager::read::Package::open_streaming(path, limits) {
            Ok(p) => packages.push(p),
            Err(e) => {
                let kind = options.kind.or(packages.first().map(|p| p.target.kind));
                let id = record_failure(store, &description, options, kind, &e.to_string())?;
                return Err(Error::ImportFailed { id, message: e.to_string() });
            }
        }
    }
    stage(store, &description, &packages, options, reporter)
}

fn default_description(store: &Store, first: &Path) -> Result<String, Error> {
    let name = first.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    let base = format!("{name} {}", store::now());
    let mut candidate = base.clone();
    let mut n = 2;
    while description_owner(store.conn(), store.path(), &candidate)?.is_some() {
        candidate = format!("{base} ({n})");
        n += 1;
    }
    Ok(candidate)
}

fn description_owner(
    conn: &rusqlite::Connection,
    path: &Path,
    description: &str,
) -> Result<Option<Job>, Error> {
    let id: Option<i64> = conn
        .query_row("SELECT id FROM jobs WHERE description = ?1", [description], |r| r.get(0))
        .optional()
        .db(path)?;
    match id {
        Some(id) => job::get(conn, path, id),
        None => Ok(None),
    }
}

/// Refuses a description in use, unless its job failed in staging (it will be replaced).
fn check_description(conn: &rusqlite::Connection, path: &Path, description: &str) -> Result<(), Error> {
    match description_owner(conn, path, description)? {
        Some(j) if !(j.stage == Stage::ImportIntoStaging && j.status == Status::Failed) => {
            Err(Error::DuplicateDescription { description: description.to_string(), id: j.id })
        }
        _ => Ok(()),
    }
}

/// Removes a Failed job with this description (a re-run replaces it).
fn replace_failed(tx: &Transaction<'_>, path: &Path, description: &str) -> Result<(), Error> {
    if let Some(j) = description_owner(tx, path, description)? {
        if j.stage == Stage::ImportIntoStaging && j.status == Status::Failed {
            tx.execute("DELETE FROM jobs WHERE id = ?1", [j.id]).db(path)?;
        } else {
            return Err(Error::DuplicateDescription { description: description.to_string(), id: j.id });
        }
    }
    Ok(())
}

/// Records a job that failed in Import into Staging, with its error.
fn record_failure(
    store: &mut Store,
    description: &str,
    options: &ImportOptions,
    kind: Option<RecordKind>,
    message: &str,
) -> Result<i64, Error> {
    let path = store.path().to_path_buf();
    let kind = kind.unwrap_or(RecordKind::Contacts);
    let target =
        TargetDefinition::bundled(kind.as_str()).map(|t| serde_json::to_string(&t).expect("serializes"));
    let tx = store.write()?;
    replace_failed(&tx, &path, description)?;
    let now = store::now();
    tx.execute(
        "INSERT INTO jobs (kind, description, source_type, source, owner, stage, status, created_at, started_at,
                           ended_at, create_missing, target, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9, ?10, ?11)",
        params![
            kind.as_str(),
            description,
            options.source_type,
            options.source,
            options.owner,
            Stage::ImportIntoStaging.label(),
            Status::Failed.label(),
            now,
            options.create_missing,
            target.unwrap_or_else(|| "{}".into()),
            message
        ],
    )
    .db(&path)?;
    let id = tx.last_insert_rowid();
    for (seq, p) in options.packages.iter().enumerate() {
        tx.execute(
            "INSERT INTO job_packages (job_id, seq, path) VALUES (?1, ?2, ?3)",
            params![id, seq as i64, p.display().to_string()],
        )
        .db(&path)?;
    }
    tx.commit().db(&path)?;
    Ok(id)
}

/// Why staging stopped: the package is bad (the job is recorded Failed), or
/// the store failed (nothing is recorded).
enum Stop {
    Package(String),
    Store(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        match e {
            Error::Sqlite { .. } | Error::Io { .. } | Error::StoreTooNew { .. } => Stop::Store(e),
            other => Stop::Package(other.to_string()),
        }
    }
}

/// Stages opened packages as one job, in one transaction (see the module docs).
pub fn stage<S: PackageSource>(
    store: &mut Store,
    description: &str,
    packages: &[S],
    options: &ImportOptions,
    reporter: &dyn ImportReporter,
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
    reporter: &dyn ImportReporter,
) -> Result<ImportSummary, Error> {
    let Some(first) = packages.first() else {
        return Err(Error::Invalid("no package to import".into()));
    };
    let kind = options.kind.unwrap_or(first.target().kind);
    let path = store.path().to_path_buf();
    let added_before = store::added_values(store.conn(), &path, kind)?;
    let outcome = {
        let tx = store.write()?;
        let mut staging = Staging::new(&tx, &path, kind, options, added_before);
        match staging.run(description, packages, reporter) {
            Ok(job_id) => {
                let added = std::mem::take(&mut staging.added);
                let warnings = std::mem::take(&mut staging.file_warnings);
                drop(staging);
                tx.commit().db(&path)?;
                Ok((job_id, added, warnings))
            }
            Err(stop) => Err(stop), // the transaction rolls back when dropped
        }
    };
    match outcome {
        Ok((job_id, added, file_warnings)) => {
            let job = job::get(store.conn(), &path, job_id)?.expect("just committed");
            Ok(ImportSummary { job, added_values: added, file_warnings })
        }
        Err(Stop::Store(e)) => Err(e),
        Err(Stop::Package(message)) => {
            let id = record_failure(store, description, options, Some(kind), &message)?;
            Err(Error::ImportFailed { id, message })
        }
    }
}

/// Where a parent key leads: a staged record, or a rejected row.
#[derive(Clone, Copy)]
enum Parent {
    Staged(i64),
    Rejected { line: u64 },
}

struct Staging<'t> {
    tx: &'t Transaction<'t>,
    path: &'t Path,
    kind: RecordKind,
    options: &'t ImportOptions,
    /// Values added before and during this job, per field.
    known_added: HashMap<String, BTreeSet<String>>,
    added: Vec<AddedValue>,
    file_warnings: Vec<String>,
    job_id: i64,
    rows_read: u64,
    rows_rejected: u64,
    warnings: u64,
    /// Some records were assembled from rows of several files.
    assembled: bool,
}

impl<'t> Staging<'t> {
    fn new(
        tx: &'t Transaction<'t>,
        path: &'t Path,
        kind: RecordKind,
        options: &'t ImportOptions,
        added_before: Vec<(String, String)>,
    ) -> Staging<'t> {
        let mut known_added: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (field, value) in added_before {
            known_added.entry(field).or_default().insert(value);
        }
        Staging {
            tx,
            path,
            kind,
            options,
            known_added,
            added: Vec::new(),
            file_warnings: Vec::new(),
            job_id: 0,
            rows_read: 0,
            rows_rejected: 0,
            warnings: 0,
            assembled: false,
        }
    }

    fn run<S: PackageSource>(
        &mut self,
        description: &str,
        packages: &[S],
        reporter: &dyn ImportReporter,
    ) -> Result<i64, Stop> {
        let (tx, path) = (self.tx, self.path);
        replace_failed(tx, path, description)?;
        let now = store::now();
        let first_target = serde_json::to_string(packages[0].target()).expect("serializes");
        tx.execute(
            "INSERT INTO jobs (kind, description, source_type, source, owner, stage, status, created_at, started_at,
                               create_missing, target, no_update)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
            params![
                self.kind.as_str(),
                description,
                self.options.source_type,
                self.options.source,
                self.options.owner,
                Stage::ImportIntoStaging.label(),
                Status::Running.label(),
                now,
                self.options.create_missing,
                first_target,
                self.options.no_update
            ],
        )
        .db(path)?;
        self.job_id = tx.last_insert_rowid();
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_links (
                 file TEXT NOT NULL, key TEXT NOT NULL, staged_id INTEGER, rejected_line INTEGER,
                 PRIMARY KEY (file, key)) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS import_rows (
                 staged_id INTEGER NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL, cells TEXT NOT NULL,
                 child TEXT);
             CREATE INDEX IF NOT EXISTS temp.import_rows_staged ON import_rows(staged_id);
             DELETE FROM import_links; DELETE FROM import_rows;",
        )
        .db(path)?;

        let mut last_target = None;
        for (seq, package) in packages.iter().enumerate() {
            let target = self.package_target(package)?;
            self.stage_package(seq, package, &target, reporter)?;
            last_target = Some(target);
        }
        let target = last_target.expect("at least one package");
        let unstaged = crate::keys::reject_duplicates(tx, path, self.job_id, &target, packages)?;
        self.rows_rejected += unstaged.rows;
        self.warnings -= unstaged.warnings;

        let (stage, status) = match self.kind {
            RecordKind::Contacts => (Stage::ReviewStagedData, Status::WaitingOnUser),
            RecordKind::Leads => (Stage::ReviewMatchResults, Status::Queued),
        };
        let (rows_staged, records): (u64, u64) = if self.assembled {
            tx.query_row(
                "SELECT coalesce(sum(rows), 0), count(*) FROM staged WHERE job_id = ?1",
                [self.job_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .db(path)?
        } else {
            // Every record is one row (the insert leaves `rows` at 1), so the
            // records are counted from the job index alone, not a million rows.
            let records: u64 = tx
                .query_row("SELECT count(*) FROM staged WHERE job_id = ?1", [self.job_id], |r| r.get(0))
                .db(path)?;
            (records, records)
        };
        if rows_staged + self.rows_rejected != self.rows_read {
            return Err(Stop::Store(Error::Invalid(format!(
                "internal error: {} rows read but {rows_staged} staged and {} rejected",
                self.rows_read, self.rows_rejected
            ))));
        }
        tx.execute(
            "UPDATE jobs SET stage = ?2, status = ?3, staged_at = ?4, rows_read = ?5, rows_staged = ?6,
                    rows_rejected = ?7, records_staged = ?8, warnings = ?9, target = ?10
             WHERE id = ?1",
            params![
                self.job_id,
                stage.label(),
                status.label(),
                store::now(),
                self.rows_read,
                rows_staged,
                self.rows_rejected,
                records,
                self.warnings,
                serde_json::to_string(&target).expect("serializes"),
            ],
        )
        .db(path)?;
        tx.execute_batch("DELETE FROM import_links; DELETE FROM import_rows;").db(path)?;
        Ok(self.job_id)
    }

    /// The package's target, with the values added by `--create-missing` so far.
    fn package_target<S: PackageSource>(&self, package: &S) -> Result<TargetDefinition, Stop> {
        let mut target = package.target().clone();
        if target.kind != self.kind {
            return Err(Stop::Package(format!(
                "package `{}` holds {} but the job imports {} (use `--type {}` or another package)",
                package.path().display(),
                target.kind.as_str(),
                self.kind.as_str(),
                target.kind.as_str()
            )));
        }
        for (field, values) in &self.known_added {
            if let Some(f) = field_mut(&mut target, field) {
                for v in values {
                    if !f.values.contains(v) {
                        f.values.push(v.clone());
                    }
                }
            }
        }
        Ok(target)
    }

    fn stage_package<S: PackageSource>(
        &mut self,
        seq: usize,
        package: &S,
        target: &TargetDefinition,
        reporter: &dyn ImportReporter,
    ) -> Result<(), Stop> {
        let (tx, path) = (self.tx, self.path);
        let template = package.template();
        tx.execute(
            "INSERT INTO job_packages (job_id, seq, path, template) VALUES (?1, ?2, ?3, ?4)",
            params![self.job_id, seq as i64, package.path().display().to_string(), template.to_json()],
        )
        .db(path)?;
        let order = file_order(template)
            .map_err(|m| Stop::Package(format!("package `{}`: {m}", package.path().display())))?;
        let deferred = template.files.iter().any(|f| f.parent.is_some());
        self.assembled |= deferred;
        let parents: BTreeSet<&str> =
            template.files.iter().filter_map(|f| f.parent.as_ref().map(|p| p.file.as_str())).collect();
        let options = ConvertOptions { create_missing: self.options.create_missing, ..Default::default() };
        for file in order {
            reporter.on_file(package.path(), &file.name);
            let table = package.rows(&file.name)?;
            let headers = table.headers.clone();
            tx.execute(
                "INSERT INTO job_files (job_id, package_seq, file, headers) VALUES (?1, ?2, ?3, ?4)",
                params![
                    self.job_id,
                    seq as i64,
                    file.name,
                    serde_json::to_string(&headers).expect("serializes")
                ],
            )
            .db(path)?;
            let file_id = tx.last_insert_rowid();
            let (converter, problems) = FileConverter::new(target, file, &headers, &options);
            let errors: Vec<String> =
                problems.iter().filter(|p| p.severity == Severity::Error).map(|p| p.to_string()).collect();
            if !errors.is_empty() {
                return Err(Stop::Package(format!(
                    "package `{}`: the mapping does not fit the data: {}",
                    package.path().display(),
                    errors.join("; ")
                )));
            }
            for p in problems {
                self.file_warnings.push(p.to_string());
            }
            let column = |name: &str, what: &str| -> Result<usize, Stop> {
                ferry_mapper::convert::find_column(&headers, name).ok_or_else(|| {
                    Stop::Package(format!(
                        "package `{}`, file `{}`: the {what} column `{name}` is missing",
                        package.path().display(),
                        file.name
                    ))
                })
            };
            let id_index = match (&file.id_column, parents.contains(file.name.as_str())) {
                (Some(c), true) => Some(column(c, "id")?),
                (None, true) => {
                    return Err(Stop::Package(format!(
                        "package `{}`: file `{}` has child files but no id column",
                        package.path().display(),
                        file.name
                    )));
                }
                _ => None,
            };
            let link_index = match &file.parent {
                Some(link) => Some(column(&link.column, "parent link")?),
                None => None,
            };
            let file_ctx = FileCtx { file, file_id, headers: &headers, id_index, link_index, deferred };
            if !deferred && !self.options.create_missing {
                let rows =
                    self.stage_simple(&file_ctx, target, table, converter, package.path(), reporter)?;
                tx.execute("UPDATE job_files SET rows = ?2 WHERE id = ?1", params![file_id, rows])
                    .db(path)?;
                continue;
            }
            let mut rows = 0u64;
            for row in table {
                let row =
                    row.map_err(|e| Stop::Package(format!("package `{}`: {e}", package.path().display())))?;
                rows += 1;
                self.rows_read += 1;
                if self.rows_read.is_multiple_of(4096) {
                    reporter.on_rows(self.rows_read);
                }
                let converted = converter.convert(&row);
                self.stage_row(&file_ctx, target, &row, converted.record, converted.problems)?;
            }
            reporter.on_rows(self.rows_read);
            tx.execute("UPDATE job_files SET rows = ?2 WHERE id = ?1", params![file_id, rows]).db(path)?;
        }
        if deferred {
            reporter.on_validate();
            self.validate_deferred(target)?;
        }
        tx.execute_batch("DELETE FROM import_links; DELETE FROM import_rows;").db(path)?;
        Ok(())
    }

    /// Stages a file whose rows are whole records (no child files, no
    /// `--create-missing`): a second thread converts and validates while this
    /// one writes, so both cores work.
    fn stage_simple(
        &mut self,
        ctx: &FileCtx<'_>,
        target: &TargetDefinition,
        table: Table,
        converter: FileConverter,
        package: &Path,
        reporter: &dyn ImportReporter,
    ) -> Result<u64, Stop> {
        let kind = self.kind;
        let file_name = ctx.file.name.clone();
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<Prepared>, String>>(16);
            // Written batches come back to be freed here: the writer is the
            // slower thread, and freeing another thread's allocations is the
            // dear kind of free.
            let (done_sender, done) = std::sync::mpsc::channel::<Vec<Prepared>>();
            scope.spawn(move || {
                // Rows are read here and converted in parallel, a batch at a
                // time (rayon keeps their order): converting is the dearer half.
                let convert = |rows: &mut Vec<Row>| -> Vec<Prepared> {
                    rows.par_drain(..).map(|row| prepare(kind, target, &converter, &file_name, row)).collect()
                };
                let mut rows = Vec::with_capacity(BATCH);
                for row in table {
                    let row = match row {
                        Ok(row) => row,
                        Err(e) => {
                            let _ = sender.send(Err(e.to_string()));
                            return;
                        }
                    };
                    rows.push(row);
                    if rows.len() == BATCH {
                        if sender.send(Ok(convert(&mut rows))).is_err() {
                            return; // the writer stopped
                        }
                        while let Ok(written) = done.try_recv() {
                            drop(written);
                        }
                    }
                }
                if !rows.is_empty() {
                    let _ = sender.send(Ok(convert(&mut rows)));
                }
            });
            // The statements are prepared once for the whole file: looking a
            // statement up in the cache hashes its SQL, a cost paid per row.
            let (tx, path, job_id, file_id) = (self.tx, self.path, self.job_id, ctx.file_id);
            let mut insert_staged = tx.prepare_cached(INSERT_STAGED).db(path)?;
            let mut insert_rejected = tx.prepare_cached(INSERT_REJECTED).db(path)?;
            let mut rows = 0u64;
            for message in receiver {
                let batch =
                    message.map_err(|e| Stop::Package(format!("package `{}`: {e}", package.display())))?;
                for p in &batch {
                    rows += 1;
                    self.rows_read += 1;
                    if self.rows_read.is_multiple_of(4096) {
                        reporter.on_rows(self.rows_read);
                    }
                    match &p.outcome {
                        Err((cells, reason)) => {
                            insert_rejected
                                .execute(params![job_id, file_id, p.line, cells, reason])
                                .db(path)?;
                            self.rows_rejected += 1;
                        }
                        Ok(ToStage { json, flat, key, warnings, cells }) => {
                            let staged_id = insert_staged
                                .insert(params![
                                    job_id,
                                    file_id,
                                    p.line,
                                    flat.legacy_id,
                                    flat.first_name,
                                    flat.last_name,
                                    flat.birth_date,
                                    flat.gender,
                                    flat.zip,
                                    flat.email,
                                    flat.phone,
                                    json,
                                    key
                                ])
                                .db(path)?;
                            if !warnings.is_empty() {
                                self.insert_warnings(staged_id, file_id, warnings, cells)?;
                            }
                        }
                    }
                }
                let _ = done_sender.send(batch);
            }
            reporter.on_rows(self.rows_read);
            Ok(rows)
        })
    }

    fn stage_row(
        &mut self,
        ctx: &FileCtx<'_>,
        target: &TargetDefinition,
        row: &Row,
        record: Record,
        problems: Vec<Problem>,
    ) -> Result<(), Stop> {
        let rejected = problems.iter().any(|p| p.severity == Severity::Error);
        let key = ctx.id_index.map(|i| row.cell(i).trim().to_string()).filter(|k| !k.is_empty());
        let Some(link_index) = ctx.link_index else {
            // A top-level row: a record of its own.
            if rejected {
                self.reject(ctx.file_id, row, &reason(&problems))?;
                if let Some(key) = key {
                    self.link(&ctx.file.name, &key, Parent::Rejected { line: row.line }, row)?;
                }
                return Ok(());
            }
            if !ctx.deferred {
                let errors: Vec<Problem> = validate_record(target, &record, &ctx.file.name, row.line)
                    .into_iter()
                    .filter(|p| p.severity == Severity::Error)
                    .collect();
                if !errors.is_empty() {
                    self.reject(ctx.file_id, row, &reason(&errors))?;
                    return Ok(());
                }
            }
            if self.options.create_missing {
                self.note_added(target, &record)?;
            }
            if let Some(key) = &key
                && self.find_link(&ctx.file.name, key)?.is_some()
            {
                let message = format!(
                    "column `{}`: the id `{key}` appears on an earlier row too, so child rows could not tell them apart",
                    ctx.file.id_column.as_deref().unwrap_or_default()
                );
                self.reject(ctx.file_id, row, &message)?;
                return Ok(());
            }
            let staged_id = self.insert_staged(target, ctx.file_id, row.line, &record)?;
            self.insert_warnings(staged_id, ctx.file_id, &problems, &cells_json(&row.cells))?;
            if ctx.deferred {
                self.keep_row(staged_id, ctx.file_id, row, None)?;
                if let Some(key) = key {
                    self.link(&ctx.file.name, &key, Parent::Staged(staged_id), row)?;
                }
            }
            return Ok(());
        };
        // A child row: part of its parent's record.
        let link = ctx.file.parent.as_ref().expect("child files have a parent link");
        let parent_key = row.cell(link_index).trim().to_string();
        let parent = if parent_key.is_empty() { None } else { self.find_link(&link.file, &parent_key)? };
        match parent {
            None => {
                let message = if parent_key.is_empty() {
                    format!("column `{}`: no parent id, so the row belongs to no record", link.column)
                } else {
                    format!(
                        "column `{}`: no row of `{}` has `{}` = `{parent_key}` (the parent row is absent)",
                        link.column, link.file, link.parent_column
                    )
                };
                self.reject(ctx.file_id, row, &message)?;
                if let Some(key) = key {
                    self.link(&ctx.file.name, &key, Parent::Rejected { line: row.line }, row)?;
                }
            }
            Some(Parent::Rejected { line }) => {
                let message = format!("its parent row (`{}` line {line}) was rejected", link.file);
                self.reject(ctx.file_id, row, &message)?;
                if let Some(key) = key {
                    self.link(&ctx.file.name, &key, Parent::Rejected { line: row.line }, row)?;
                }
            }
            Some(Parent::Staged(staged_id)) => {
                if rejected {
                    // The child row alone is bad: the parent keeps its other rows.
                    self.reject(ctx.file_id, row, &reason(&problems))?;
                    if let Some(key) = key {
                        self.link(&ctx.file.name, &key, Parent::Rejected { line: row.line }, row)?;
                    }
                    return Ok(());
                }
                if self.options.create_missing {
                    self.note_added(target, &record)?;
                }
                self.insert_warnings(staged_id, ctx.file_id, &problems, &cells_json(&row.cells))?;
                self.keep_row(staged_id, ctx.file_id, row, Some(&record))?;
                if let Some(key) = key {
                    self.link(&ctx.file.name, &key, Parent::Staged(staged_id), row)?;
                }
            }
        }
        Ok(())
    }

    fn reject(&mut self, file_id: i64, row: &Row, reason: &str) -> Result<(), Stop> {
        self.tx
            .prepare_cached(
                "INSERT INTO rejected (job_id, file_id, line, cells, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .db(self.path)?
            .execute(params![self.job_id, file_id, row.line, cells_json(&row.cells), reason])
            .db(self.path)?;
        self.rows_rejected += 1;
        Ok(())
    }

    fn insert_staged(
        &mut self,
        target: &TargetDefinition,
        file_id: i64,
        line: u64,
        record: &Record,
    ) -> Result<i64, Stop> {
        let flat = Flat::of(self.kind, record);
        let json = crate::codec::encode(record);
        let key = crate::keys::key_of(target, record);
        self.tx
            .prepare_cached(INSERT_STAGED)
            .db(self.path)?
            .execute(params![
                self.job_id,
                file_id,
                line,
                flat.legacy_id,
                flat.first_name,
                flat.last_name,
                flat.birth_date,
                flat.gender,
                flat.zip,
                flat.email,
                flat.phone,
                json,
                key
            ])
            .db(self.path)?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records the warnings of a staged row, with the row's cells (`cells`, JSON) for `ferry warnings`.
    fn insert_warnings(
        &mut self,
        staged_id: i64,
        file_id: i64,
        problems: &[Problem],
        cells: &str,
    ) -> Result<(), Stop> {
        for p in problems.iter().filter(|p| p.severity == Severity::Warning) {
            insert_problem(self.tx, self.path, self.job_id, Some(staged_id), file_id, p, cells)?;
            self.warnings += 1;
        }
        Ok(())
    }

    /// Keeps a row of record `staged_id` for the error report; a child row
    /// also keeps its converted record, absorbed when the record is validated.
    fn keep_row(
        &mut self,
        staged_id: i64,
        file_id: i64,
        row: &Row,
        child: Option<&Record>,
    ) -> Result<(), Stop> {
        self.tx
            .prepare_cached(
                "INSERT INTO temp.import_rows (staged_id, file_id, line, cells, child) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .db(self.path)?
            .execute(params![staged_id, file_id, row.line, cells_json(&row.cells), child.map(crate::codec::encode)])
            .db(self.path)?;
        Ok(())
    }

    fn link(&mut self, file: &str, key: &str, parent: Parent, _row: &Row) -> Result<(), Stop> {
        let (staged_id, rejected_line) = match parent {
            Parent::Staged(id) => (Some(id), None),
            Parent::Rejected { line } => (None, Some(line)),
        };
        // The first row with a key wins; a later duplicate was rejected above.
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO temp.import_links (file, key, staged_id, rejected_line) VALUES (?1, ?2, ?3, ?4)",
            )
            .db(self.path)?
            .execute(params![file, key, staged_id, rejected_line])
            .db(self.path)?;
        Ok(())
    }

    fn find_link(&self, file: &str, key: &str) -> Result<Option<Parent>, Stop> {
        let found: Option<(Option<i64>, Option<u64>)> = self
            .tx
            .prepare_cached(
                "SELECT staged_id, rejected_line FROM temp.import_links WHERE file = ?1 AND key = ?2",
            )
            .db(self.path)?
            .query_row(params![file, key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .db(self.path)?;
        // A staged parent may have been dropped since (its record was rejected).
        Ok(found.map(|(staged, line)| match staged {
            Some(id) => Parent::Staged(id),
            None => Parent::Rejected { line: line.unwrap_or(0) },
        }))
    }

    /// Validates the records assembled from several files; a rejected record
    /// takes all its rows to the error report.
    fn validate_deferred(&mut self, target: &TargetDefinition) -> Result<(), Stop> {
        let (tx, path) = (self.tx, self.path);
        // In pages of records (this package's: those with kept rows), so
        // memory stays flat however many records the package assembles.
        let mut after = 0i64;
        loop {
            let page: Vec<(i64, String, String, u64)> = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT s.id, s.record, f.file, s.line FROM staged s JOIN job_files f ON f.id = s.file_id
                         WHERE s.job_id = ?1 AND s.id > ?2
                           AND EXISTS (SELECT 1 FROM temp.import_rows r WHERE r.staged_id = s.id)
                         ORDER BY s.id LIMIT 4096",
                    )
                    .db(path)?;
                let rows = st
                    .query_map(params![self.job_id, after], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .db(path)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().db(path)?
            };
            let Some(last) = page.last() else { break };
            after = last.0;
            self.validate_page(target, page)?;
        }
        Ok(())
    }

    fn validate_page(
        &mut self,
        target: &TargetDefinition,
        page: Vec<(i64, String, String, u64)>,
    ) -> Result<(), Stop> {
        let (tx, path) = (self.tx, self.path);
        for (staged_id, json, file, line) in page {
            let unreadable = |e: serde_json::Error| {
                Stop::Store(Error::Invalid(format!("staged record {staged_id} is unreadable: {e}")))
            };
            let mut record: Record = crate::codec::decode(&json).map_err(unreadable)?;
            // Its child rows' records, in the order they were read.
            let children: Vec<String> = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT child FROM temp.import_rows WHERE staged_id = ?1 AND child IS NOT NULL ORDER BY rowid",
                    )
                    .db(path)?;
                let rows = st.query_map([staged_id], |r| r.get(0)).db(path)?;
                rows.collect::<rusqlite::Result<_>>().db(path)?
            };
            let rows = 1 + children.len() as u64;
            for child in children {
                record.absorb(crate::codec::decode(&child).map_err(unreadable)?);
            }
            let errors: Vec<Problem> = validate_record(target, &record, &file, line)
                .into_iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            if errors.is_empty() {
                let flat = Flat::of(self.kind, &record);
                tx.prepare_cached(
                    "UPDATE staged SET legacy_id = ?2, first_name = ?3, last_name = ?4, birth_date = ?5, gender = ?6,
                            zip = ?7, email = ?8, phone = ?9, record = ?10, rows = ?11, record_key = ?12
                     WHERE id = ?1",
                )
                .db(path)?
                .execute(params![
                    staged_id,
                    flat.legacy_id,
                    flat.first_name,
                    flat.last_name,
                    flat.birth_date,
                    flat.gender,
                    flat.zip,
                    flat.email,
                    flat.phone,
                    crate::codec::encode(&record),
                    rows,
                    crate::keys::key_of(target, &record)
                ])
                .db(path)?;
                continue;
            }
            let main_reason = reason(&errors);
            let rows: Vec<(i64, u64, String)> = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT file_id, line, cells FROM temp.import_rows WHERE staged_id = ?1 ORDER BY rowid",
                    )
                    .db(path)?;
                let rows = st.query_map([staged_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).db(path)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().db(path)?
            };
            for (i, (file_id, row_line, cells)) in rows.into_iter().enumerate() {
                let why = if i == 0 {
                    main_reason.clone()
                } else {
                    format!("its record (`{file}` line {line}) was rejected: {main_reason}")
                };
                tx.prepare_cached(
                    "INSERT INTO rejected (job_id, file_id, line, cells, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .db(path)?
                .execute(params![self.job_id, file_id, row_line, cells, why])
                .db(path)?;
                self.rows_rejected += 1;
            }
            let dropped_warnings: u64 = tx
                .query_row("SELECT count(*) FROM problems WHERE staged_id = ?1", [staged_id], |r| r.get(0))
                .db(path)?;
            self.warnings -= dropped_warnings;
            tx.execute("DELETE FROM staged WHERE id = ?1", [staged_id]).db(path)?;
        }
        Ok(())
    }

    /// Records the enumeration values of `record` the target does not know.
    fn note_added(&mut self, target: &TargetDefinition, record: &Record) -> Result<(), Stop> {
        let mut fresh = Vec::new();
        for (name, value) in &record.fields {
            if let Some(f) = target.field(name)
                && f.field_type == FieldType::Enum
            {
                fresh.push((name.clone(), value, &f.values));
            }
        }
        for inst in &record.instances {
            for (name, value) in &inst.attributes {
                if let Some(f) = target.attribute(&inst.subcollection, name)
                    && f.field_type == FieldType::Enum
                {
                    fresh.push((format!("{}.{name}", inst.subcollection), value, &f.values));
                }
            }
        }
        for (field, value, values) in fresh {
            let Value::Text(text) = value else { continue };
            if values.contains(text) || self.known_added.get(&field).is_some_and(|s| s.contains(text)) {
                continue;
            }
            self.known_added.entry(field.clone()).or_default().insert(text.clone());
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO target_values (kind, field, value, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .db(self.path)?
                .execute(params![self.kind.as_str(), field, text, self.job_id, store::now()])
                .db(self.path)?;
            self.added.push(AddedValue { field, value: text.clone() });
        }
        Ok(())
    }
}

const INSERT_STAGED: &str = "INSERT INTO staged (job_id, file_id, line, legacy_id, first_name, last_name,
                                                  birth_date, gender, zip, email, phone, record, record_key)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
const INSERT_REJECTED: &str =
    "INSERT INTO rejected (job_id, file_id, line, cells, reason) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Rows per batch handed from the converting thread to the writing one.
const BATCH: usize = 512;

/// A row converted and validated, ready to write.
struct Prepared {
    line: u64,
    /// Staged, or rejected: the row's cells as JSON and the reason.
    outcome: Result<ToStage, (String, String)>,
}

/// A converted row to stage: the record's JSON, its flat columns, its key, its warnings.
struct ToStage {
    json: String,
    flat: Flat,
    key: Option<String>,
    warnings: Vec<Problem>,
    /// The row's cells (JSON), when it has warnings.
    cells: String,
}

fn prepare(
    kind: RecordKind,
    target: &TargetDefinition,
    converter: &FileConverter,
    file: &str,
    row: Row,
) -> Prepared {
    let converted = converter.convert(&row);
    let errors: Vec<Problem> = if converted.is_rejected() {
        converted.problems.iter().filter(|p| p.severity == Severity::Error).cloned().collect()
    } else {
        validate_record(target, &converted.record, file, row.line)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect()
    };
    if !errors.is_empty() {
        return Prepared { line: row.line, outcome: Err((cells_json(&row.cells), reason(&errors))) };
    }
    let flat = Flat::of(kind, &converted.record);
    let json = crate::codec::encode(&converted.record);
    let key = crate::keys::key_of(target, &converted.record);
    let warnings: Vec<Problem> =
        converted.problems.into_iter().filter(|p| p.severity == Severity::Warning).collect();
    let cells = if warnings.is_empty() { String::new() } else { cells_json(&row.cells) };
    Prepared { line: row.line, outcome: Ok(ToStage { json, flat, key, warnings, cells }) }
}

struct FileCtx<'a> {
    file: &'a FileMapping,
    file_id: i64,
    #[allow(dead_code)]
    headers: &'a [String],
    id_index: Option<usize>,
    link_index: Option<usize>,
    deferred: bool,
}

fn insert_problem(
    tx: &Transaction<'_>,
    path: &Path,
    job_id: i64,
    staged_id: Option<i64>,
    file_id: i64,
    p: &Problem,
    cells: &str,
) -> Result<(), Error> {
    let severity = serde_json::to_value(p.severity).expect("serializes");
    let kind = serde_json::to_value(p.kind).expect("serializes");
    tx.prepare_cached(
        "INSERT INTO problems (job_id, staged_id, file_id, line, severity, kind, column_name, value, message, cells)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .db(path)?
    .execute(params![
        job_id,
        staged_id,
        file_id,
        p.line,
        severity.as_str(),
        kind.as_str(),
        p.column,
        p.value,
        p.message,
        cells
    ])
    .db(path)?;
    Ok(())
}

fn cells_json(cells: &[String]) -> String {
    serde_json::to_string(cells).expect("strings serialize")
}

/// The reason of a rejection: each error with its column.
fn reason(problems: &[Problem]) -> String {
    let parts: Vec<String> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| match &p.column {
            Some(c) => format!("column `{c}`: {}", p.message),
            None => p.message.clone(),
        })
        .collect();
    if parts.is_empty() { "rejected".to_string() } else { parts.join("; ") }
}

/// The enum field named `field` (`name` or `Subcollection.attribute`).
fn field_mut<'a>(
    target: &'a mut TargetDefinition,
    field: &str,
) -> Option<&'a mut ferry_mapper::target::Field> {
    match field.split_once('.') {
        Some((sub, attr)) => target
            .categories
            .iter_mut()
            .find(|c| c.subcollection && c.name == sub)?
            .fields
            .iter_mut()
            .find(|f| f.name == attr),
        None => target
            .categories
            .iter_mut()
            .filter(|c| !c.subcollection)
            .flat_map(|c| c.fields.iter_mut())
            .find(|f| f.name == field),
    }
}

/// The template's files, every parent before its children.
fn file_order(template: &MappingTemplate) -> Result<Vec<&FileMapping>, String> {
    let mut done: Vec<&FileMapping> = Vec::new();
    let mut left: Vec<&FileMapping> = template.files.iter().collect();
    while !left.is_empty() {
        let before = left.len();
        let mut i = 0;
        while i < left.len() {
            let f = left[i];
            let ready = match &f.parent {
                None => true,
                Some(link) => {
                    if template.file(&link.file).is_none() {
                        return Err(format!(
                            "file `{}` names a parent file `{}` that it does not hold",
                            f.name, link.file
                        ));
                    }
                    done.iter().any(|d| d.name == link.file)
                }
            };
            if ready {
                done.push(left.remove(i));
            } else {
                i += 1;
            }
        }
        if left.len() == before {
            let names: Vec<String> = left.iter().map(|f| format!("`{}`", f.name)).collect();
            return Err(format!("the parent links of {} form a cycle", names.join(", ")));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_mapper::read::{FileFormat, TableInfo};
    use ferry_mapper::template::{Converter, FieldMapping, ParentLink};

    /// A package held in memory: file name → CSV text (comma-separated, no quoting).
    struct MemPackage {
        path: PathBuf,
        template: MappingTemplate,
        target: TargetDefinition,
        files: Vec<(String, String)>,
    }

    impl PackageSource for MemPackage {
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
            let text = &self.files.iter().find(|(n, _)| n == file).expect("file in package").1;
            let mut lines = text.lines();
            let headers: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
            let rows: Vec<Result<Row, ferry_mapper::Error>> = lines
                .enumerate()
                .map(|(i, l)| {
                    Ok(Row { line: i as u64 + 2, cells: l.split(',').map(str::to_string).collect() })
                })
                .collect();
            let info = TableInfo {
                path: PathBuf::from(file),
                format: FileFormat::Csv,
                encoding: "UTF-8".into(),
                bom: false,
                delimiter: Some(','),
                has_header: true,
                sheet: None,
            };
            Ok(Table::from_parts(info, headers, Box::new(rows.into_iter())))
        }
    }

    fn map(column: &str, field: &str) -> FieldMapping {
        FieldMapping {
            type_from: None,
            column: column.into(),
            field: field.into(),
            subcollection: None,
            type_name: None,
            instance: None,
            converter: Converter::default(),
            null_value: None,
            null_values: Vec::new(),
            on_invalid: Default::default(),
        }
    }

    fn sub(column: &str, subcollection: &str, type_name: &str, field: &str) -> FieldMapping {
        FieldMapping {
            subcollection: Some(subcollection.into()),
            type_name: Some(type_name.into()),
            ..map(column, field)
        }
    }

    fn file(name: &str, mappings: Vec<FieldMapping>) -> FileMapping {
        FileMapping {
            name: name.into(),
            category: "All".into(),
            parent: None,
            id_column: None,
            null_default: None,
            null_values: Vec::new(),
            mappings,
        }
    }

    fn contacts_package() -> MemPackage {
        let mut main = file(
            "contacts.csv",
            vec![
                map("ID", "externalId"),
                map("First", "firstName"),
                map("Last", "lastName"),
                FieldMapping {
                    converter: Converter::Date { format: "%Y-%m-%d".into() },
                    ..map("Born", "birthDate")
                },
                map("Title", "title"),
            ],
        );
        main.id_column = Some("ID".into());
        let mut phones = file("phones.csv", vec![sub("Number", "Telcom", "Business", "value")]);
        phones.parent = Some(ParentLink {
            file: "contacts.csv".into(),
            column: "Contact".into(),
            parent_column: "ID".into(),
        });
        let mut template = MappingTemplate::new("contacts");
        template.files = vec![main, phones];
        MemPackage {
            path: PathBuf::from("mem.zip"),
            template,
            target: TargetDefinition::bundled("contacts").unwrap(),
            files: vec![
                (
                    "contacts.csv".into(),
                    [
                        "ID,First,Last,Born,Title",
                        "1,Ann,Smith,1980-01-02,Dr.",
                        "2,Bob,,1970-03-04,Mr.", // no last name: rejected with its phone
                        "3,Cy,Young,not-a-date,Mr.", // wrong type: rejected
                        &format!("4,{},Long,1990-05-06,Sir", "x".repeat(60)), // truncated, title ignored
                    ]
                    .join("\n"),
                ),
                (
                    "phones.csv".into(),
                    ["Contact,Number", "1,555-0001", "2,555-0002", "3,555-0003", "9,555-0009", "1,555-0011"]
                        .join("\n"),
                ),
            ],
        }
    }

    fn counts(store: &Store, job_id: i64) -> (u64, u64, u64, u64) {
        let job = job::get(store.conn(), store.path(), job_id).unwrap().unwrap();
        (job.counts.rows_read, job.counts.rows_staged, job.counts.rows_rejected, job.counts.warnings)
    }

    /// Assembled records are validated in pages: across several pages every
    /// record is judged, and a bad one takes its child rows along.
    #[test]
    fn assembled_records_are_validated_across_pages() {
        let mut package = contacts_package();
        let n = 10_000;
        let contacts: Vec<String> = std::iter::once("ID,First,Last,Born,Title".to_string())
            .chain((0..n).map(|i| {
                // Every 1000th contact lacks its last name.
                let last = if i % 1000 == 7 { String::new() } else { format!("L{i}") };
                format!("{i},F{i},{last},1980-01-02,Dr.")
            }))
            .collect();
        let phones: Vec<String> = std::iter::once("Contact,Number".to_string())
            .chain((0..n).map(|i| format!("{i},555-{i:04}")))
            .collect();
        package.files =
            vec![("contacts.csv".into(), contacts.join("\n")), ("phones.csv".into(), phones.join("\n"))];
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let job = stage(&mut store, "paged", &[package], &ImportOptions::default(), &NoReporter).unwrap().job;
        let bad = n / 1000;
        let (read, staged, rejected, _) = counts(&store, job.id);
        assert_eq!((read, staged, rejected), (2 * n, 2 * (n - bad), 2 * bad));
        assert_eq!(job.counts.records_staged, n - bad);
        let phone_of_last: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM staged WHERE legacy_id = '9999' AND phone = '555-9999'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(phone_of_last, 1, "the last page's records are validated and flattened too");
    }

    #[test]
    fn stages_with_children_and_rejects_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let summary =
            stage(&mut store, "first", &[contacts_package()], &ImportOptions::default(), &NoReporter)
                .unwrap();
        let job = summary.job;
        assert_eq!((job.stage, job.status), (Stage::ReviewStagedData, Status::WaitingOnUser));
        // 4 contact rows + 5 phone rows; staged: Ann (+2 phones), the long one; rejected: Bob + phone,
        // Cy + phone, the orphan phone 9.
        assert_eq!(counts(&store, job.id), (9, 4, 5, 2));
        assert_eq!(job.counts.records_staged, 2);
        let reasons: Vec<(String, u64, String)> = {
            let mut st = store
                .conn()
                .prepare("SELECT f.file, r.line, r.reason FROM rejected r JOIN job_files f ON f.id = r.file_id ORDER BY r.id")
                .unwrap();
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
        };
        let find = |file: &str, line: u64| {
            reasons
                .iter()
                .find(|r| r.0 == file && r.1 == line)
                .unwrap_or_else(|| panic!("{file}:{line} in {reasons:?}"))
                .2
                .clone()
        };
        assert!(find("contacts.csv", 3).contains("Last Name"), "{reasons:?}");
        assert!(find("phones.csv", 3).contains("`contacts.csv` line 3"), "{reasons:?}");
        assert!(find("contacts.csv", 4).contains("column `Born`"), "{reasons:?}");
        assert!(find("phones.csv", 4).contains("was rejected"), "{reasons:?}");
        assert!(find("phones.csv", 5).contains("absent"), "{reasons:?}");

        let (json, rows): (String, u64) = store
            .conn()
            .query_row("SELECT record, rows FROM staged WHERE legacy_id = '1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        let ann: Record = crate::codec::decode(&json).unwrap();
        assert_eq!(rows, 3);
        let phones: Vec<String> = ann.instances.iter().map(|i| i.attributes["value"].to_text()).collect();
        assert_eq!(phones, ["555-0001", "555-0011"]);
        let long: String = store
            .conn()
            .query_row("SELECT first_name FROM staged WHERE legacy_id = '4'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(long.chars().count(), 50);
    }

    #[test]
    fn create_missing_adds_values_and_the_next_job_knows_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let options = ImportOptions { create_missing: true, ..ImportOptions::default() };
        let summary = stage(&mut store, "a", &[contacts_package()], &options, &NoReporter).unwrap();
        assert_eq!(summary.added_values, vec![AddedValue { field: "title".into(), value: "Sir".into() }]);
        let title: String = store
            .conn()
            .query_row("SELECT record FROM staged WHERE legacy_id = '4'", [], |r| r.get(0))
            .unwrap();
        assert!(title.contains("Sir"));
        let second =
            stage(&mut store, "b", &[contacts_package()], &ImportOptions::default(), &NoReporter).unwrap();
        assert!(second.added_values.is_empty());
        // Known now: no warning for `Sir`, only the truncation.
        assert_eq!(counts(&store, second.job.id).3, 1);
        // Deleting the job before matching takes its additions away.
        let deleted = job::delete(&mut store, "a").unwrap();
        assert_eq!(deleted.values_removed, 1);
    }

    #[test]
    fn a_bad_package_fails_the_job_and_leaves_no_staged_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let mut pkg = contacts_package();
        pkg.files[0].1 = pkg.files[0].1.replace("ID,First", "Key,First");
        let err = stage(&mut store, "bad", &[pkg], &ImportOptions::default(), &NoReporter).unwrap_err();
        let Error::ImportFailed { id, message } = err else { panic!("{err}") };
        assert!(message.contains("ID"), "{message}");
        let job = job::get(store.conn(), store.path(), id).unwrap().unwrap();
        assert_eq!((job.stage, job.status), (Stage::ImportIntoStaging, Status::Failed));
        let staged: i64 = store.conn().query_row("SELECT count(*) FROM staged", [], |r| r.get(0)).unwrap();
        assert_eq!(staged, 0);
        // The same description again replaces the failed job.
        let again =
            stage(&mut store, "bad", &[contacts_package()], &ImportOptions::default(), &NoReporter).unwrap();
        assert_ne!(again.job.id, id);
        assert!(job::get(store.conn(), store.path(), id).unwrap().is_none());
        // A description in use by a job that did not fail is refused.
        let dup = stage(&mut store, "bad", &[contacts_package()], &ImportOptions::default(), &NoReporter);
        assert!(matches!(dup, Err(Error::DuplicateDescription { .. })));
    }

    #[test]
    fn leads_skip_review_of_staged_data_and_check_email_or_phone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let mut template = MappingTemplate::new("leads");
        template.files = vec![file(
            "leads.csv",
            vec![
                map("First", "firstName"),
                map("Last", "lastName"),
                map("Email", "email"),
                map("Phone", "phone"),
            ],
        )];
        let pkg = MemPackage {
            path: "leads.zip".into(),
            template,
            target: TargetDefinition::bundled("leads").unwrap(),
            files: vec![("leads.csv".into(), "First,Last,Email,Phone\nA,B,a@b.c,\nC,D,,\nE,F,,555".into())],
        };
        let summary = stage(&mut store, "leads", &[pkg], &ImportOptions::default(), &NoReporter).unwrap();
        assert_eq!((summary.job.stage, summary.job.status), (Stage::ReviewMatchResults, Status::Queued));
        assert_eq!(counts(&store, summary.job.id), (3, 2, 1, 0));
        // A contacts job cannot take a leads package.
        let mut template = MappingTemplate::new("leads");
        template.files = vec![file("leads.csv", vec![map("First", "firstName")])];
        let pkg = MemPackage {
            path: "leads.zip".into(),
            template,
            target: TargetDefinition::bundled("leads").unwrap(),
            files: vec![("leads.csv".into(), "First\nA".into())],
        };
        let options = ImportOptions { kind: Some(RecordKind::Contacts), ..ImportOptions::default() };
        let err = stage(&mut store, "mixed", &[pkg], &options, &NoReporter).unwrap_err();
        assert!(err.to_string().contains("holds leads"), "{err}");
    }
}
