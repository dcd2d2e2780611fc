//! Staging: the rows of a package's files become staged or rejected rows.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::LazyLock;

use ferry_mapper::convert::{ConvertOptions, FileConverter, validate_record};
use ferry_mapper::problem::{Problem, ProblemKind, Severity};
use ferry_mapper::read::{Row, Table};
use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::{FieldType, RecordKind, TargetDefinition};
use ferry_mapper::template::FileMapping;
use ferry_packager::Invalid;
use rayon::prelude::*;
use rusqlite::types::ToSql;
use rusqlite::{ParamsFromIter, Transaction, params, params_from_iter};

use super::provenance::Provenance;
use super::{AddedValue, ImportOptions, PackageSource, Reporter, Stop};
use crate::Error;
use crate::error::SqlResult;
use crate::flat::{FLAT_COLUMNS, Flat};
use crate::job::{self, Counts};
use crate::store;

/// A package's own fault, in the packager's vocabulary.
fn bad_package(path: &Path, kind: Invalid, message: String) -> Stop {
    let path = path.to_path_buf();
    Stop::Package(Error::Package(ferry_packager::Error::Invalid { path, kind, message }))
}

/// One job's staging, inside its transaction.
pub(super) struct Staging<'t> {
    pub(super) tx: &'t Transaction<'t>,
    pub(super) path: &'t Path,
    pub(super) kind: RecordKind,
    pub(super) options: &'t ImportOptions,
    /// Values added before and during this job, per field.
    pub(super) known_added: HashMap<String, BTreeSet<String>>,
    pub(super) added: Vec<AddedValue>,
    pub(super) file_warnings: Vec<String>,
    pub(super) job_id: i64,
    pub(super) rows_read: u64,
    pub(super) rows_rejected: u64,
    pub(super) warnings: u64,
    /// Some records were assembled from rows of several files.
    pub(super) assembled: bool,
    /// The job's source type, source and owner, stored on every lead.
    pub(super) provenance: Provenance,
}

impl<'t> Staging<'t> {
    pub(super) fn new(
        tx: &'t Transaction<'t>,
        path: &'t Path,
        kind: RecordKind,
        options: &'t ImportOptions,
        added_before: Vec<(String, String)>,
        provenance: Provenance,
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
            provenance,
        }
    }

    pub(super) fn run<S: PackageSource>(
        &mut self,
        description: &str,
        packages: &[S],
        reporter: &dyn Reporter,
    ) -> Result<i64, Stop> {
        let (tx, path) = (self.tx, self.path);
        let first_target = serde_json::to_string(packages[0].target()).expect("serializes");
        let job = super::new_job(self.kind, description, self.options, &first_target);
        self.job_id = job::insert_running(tx, path, &job)?;
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
            return Err(Stop::Store(Error::Internal(format!(
                "{} rows read but {rows_staged} staged and {} rejected",
                self.rows_read, self.rows_rejected
            ))));
        }
        let counts = Counts {
            rows_read: self.rows_read,
            rows_staged,
            rows_rejected: self.rows_rejected,
            records_staged: records,
            warnings: self.warnings,
            records_remaining: records,
            // Counted from the job's warnings when the job is read back.
            values_dropped: 0,
        };
        let target = serde_json::to_string(&target).expect("serializes");
        job::record_staged(tx, path, self.job_id, self.kind, &counts, &target)?;
        tx.execute_batch("DELETE FROM import_links; DELETE FROM import_rows;").db(path)?;
        Ok(self.job_id)
    }

    /// The package's target, with the values added by `--create-missing` so far.
    fn package_target<S: PackageSource>(&self, package: &S) -> Result<TargetDefinition, Stop> {
        let mut target = package.target().clone();
        if target.kind != self.kind {
            return Err(Stop::Package(Error::KindMismatch {
                package: package.path().to_path_buf(),
                holds: target.kind,
                wanted: self.kind,
            }));
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
        reporter: &dyn Reporter,
    ) -> Result<(), Stop> {
        let (tx, path) = (self.tx, self.path);
        let template = package.template();
        tx.execute(
            "INSERT INTO job_packages (job_id, seq, path, template) VALUES (?1, ?2, ?3, ?4)",
            params![self.job_id, seq as i64, package.path().display().to_string(), template.to_json()],
        )
        .db(path)?;
        let tree = template.tree().strict().map_err(|m| {
            bad_package(package.path(), Invalid::BadMapping, format!("file `{}`: {m}", m.file()))
        })?;
        let order = tree.ordered();
        let deferred = template.files.iter().any(|f| f.parent.is_some());
        self.assembled |= deferred;
        let parents: BTreeSet<&str> =
            template.files.iter().filter_map(|f| f.parent.as_ref().map(|p| p.file.as_str())).collect();
        let options = ConvertOptions { create_missing: self.options.create_missing, ..Default::default() };
        for file in order {
            reporter.on_stage(
                ferry_mapper::progress::Stage::Staging { package: package.path(), file: &file.name },
                None,
            );
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
            let errors: Vec<&Problem> = problems.iter().filter(|p| p.severity == Severity::Error).collect();
            if !errors.is_empty() {
                // Columns missing or repeated are the CSV's fault, as the packager says.
                let csv = |p: &&Problem| {
                    matches!(p.kind, ProblemKind::ColumnMissing | ProblemKind::DuplicateColumn)
                };
                let kind = if errors.iter().all(csv) { Invalid::BadCsv } else { Invalid::BadMapping };
                let errors: Vec<String> = errors.iter().map(|p| p.to_string()).collect();
                return Err(bad_package(
                    package.path(),
                    kind,
                    format!("the mapping does not fit the data: {}", errors.join("; ")),
                ));
            }
            for p in problems {
                self.file_warnings.push(p.to_string());
            }
            let column = |name: &str, what: &str| -> Result<usize, Stop> {
                ferry_mapper::convert::find_column(&headers, name).ok_or_else(|| {
                    bad_package(
                        package.path(),
                        Invalid::BadCsv,
                        format!("file `{}`: the {what} column `{name}` is missing", file.name),
                    )
                })
            };
            let id_index = match (&file.id_column, parents.contains(file.name.as_str())) {
                (Some(c), true) => Some(column(c, "id")?),
                (None, true) => {
                    return Err(bad_package(
                        package.path(),
                        Invalid::BadMapping,
                        format!("file `{}` has child files but no id column", file.name),
                    ));
                }
                _ => None,
            };
            let link_index = match &file.parent {
                Some(link) => Some(column(&link.column, "parent link")?),
                None => None,
            };
            let file_ctx = FileCtx { file, file_id, headers: &headers, id_index, link_index, deferred };
            if !deferred && !self.options.create_missing {
                let rows = self.stage_simple(&file_ctx, target, table, converter, reporter)?;
                tx.execute("UPDATE job_files SET rows = ?2 WHERE id = ?1", params![file_id, rows])
                    .db(path)?;
                continue;
            }
            let mut rows = 0u64;
            for row in table {
                let row = row.map_err(|e| Stop::Package(Error::from_table(e)))?;
                rows += 1;
                self.rows_read += 1;
                if self.rows_read.is_multiple_of(4096) {
                    reporter.on_progress(self.rows_read);
                }
                let converted = converter.convert(&row);
                self.stage_row(&file_ctx, target, &row, converted.record, converted.problems)?;
            }
            reporter.on_progress(self.rows_read);
            tx.execute("UPDATE job_files SET rows = ?2 WHERE id = ?1", params![file_id, rows]).db(path)?;
        }
        if deferred {
            reporter.on_stage(ferry_mapper::progress::Stage::Validating, None);
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
        reporter: &dyn Reporter,
    ) -> Result<u64, Stop> {
        let kind = self.kind;
        let file_name = ctx.file.name.clone();
        let provenance = self.provenance.clone();
        let provenance = &provenance;
        std::thread::scope(|scope| {
            let (sender, receiver) =
                std::sync::mpsc::sync_channel::<Result<Vec<Prepared>, ferry_mapper::Error>>(16);
            // Written batches come back to be freed here: the writer is the
            // slower thread, and freeing another thread's allocations is the
            // dear kind of free.
            let (done_sender, done) = std::sync::mpsc::channel::<Vec<Prepared>>();
            scope.spawn(move || {
                // Rows are read here and converted in parallel, a batch at a
                // time (rayon keeps their order): converting is the dearer half.
                let convert = |rows: &mut Vec<Row>| -> Vec<Prepared> {
                    rows.par_drain(..)
                        .map(|row| prepare(kind, target, &converter, provenance, &file_name, row))
                        .collect()
                };
                let mut rows = Vec::with_capacity(BATCH);
                for row in table {
                    let row = match row {
                        Ok(row) => row,
                        Err(e) => {
                            let _ = sender.send(Err(e));
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
            let mut insert_staged = tx.prepare_cached(&INSERT_STAGED).db(path)?;
            let mut insert_rejected = tx.prepare_cached(INSERT_REJECTED).db(path)?;
            let mut rows = 0u64;
            for message in receiver {
                let batch = message.map_err(|e| Stop::Package(Error::from_table(e)))?;
                for p in &batch {
                    rows += 1;
                    self.rows_read += 1;
                    if self.rows_read.is_multiple_of(4096) {
                        reporter.on_progress(self.rows_read);
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
                                .insert(staged_params(&[&job_id, &file_id, &p.line], flat, &[json, key]))
                                .db(path)?;
                            if !warnings.is_empty() {
                                self.insert_warnings(staged_id, file_id, warnings, cells)?;
                            }
                        }
                    }
                }
                let _ = done_sender.send(batch);
            }
            reporter.on_progress(self.rows_read);
            Ok(rows)
        })
    }

    pub(super) fn reject(&mut self, file_id: i64, row: &Row, reason: &str) -> Result<(), Stop> {
        self.tx
            .prepare_cached(INSERT_REJECTED)
            .db(self.path)?
            .execute(params![self.job_id, file_id, row.line, cells_json(&row.cells), reason])
            .db(self.path)?;
        self.rows_rejected += 1;
        Ok(())
    }

    pub(super) fn insert_staged(
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
            .prepare_cached(&INSERT_STAGED)
            .db(self.path)?
            .execute(staged_params(&[&self.job_id, &file_id, &line], &flat, &[&json, &key]))
            .db(self.path)?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Records the warnings of a staged row, with the row's cells (`cells`, JSON) for `ferry warnings`.
    pub(super) fn insert_warnings(
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

    /// Records the enumeration values of `record` the target does not know.
    pub(super) fn note_added(&mut self, target: &TargetDefinition, record: &Record) -> Result<(), Stop> {
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

/// The insert of a staged row: job, file, line, the flat columns, record, key.
static INSERT_STAGED: LazyLock<String> = LazyLock::new(|| {
    let columns = FLAT_COLUMNS.join(", ");
    let values: Vec<String> = (1..=FLAT_COLUMNS.len() + 5).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO staged (job_id, file_id, line, {columns}, record, record_key) VALUES ({})",
        values.join(", ")
    )
});

/// The update of an assembled record: id, the flat columns, record, rows, key.
pub(super) static UPDATE_ASSEMBLED: LazyLock<String> = LazyLock::new(|| {
    let n = FLAT_COLUMNS.len();
    let set: Vec<String> =
        FLAT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", i + 2)).collect();
    format!(
        "UPDATE staged SET {}, record = ?{}, rows = ?{}, record_key = ?{} WHERE id = ?1",
        set.join(", "),
        n + 2,
        n + 3,
        n + 4
    )
});

/// The parameters of a staged row's statement: `head`, the flat columns in
/// [`FLAT_COLUMNS`] order, `tail`. The one place an import binds them.
pub(super) fn staged_params<'a>(
    head: &[&'a dyn ToSql],
    flat: &'a Flat,
    tail: &[&'a dyn ToSql],
) -> ParamsFromIter<Vec<&'a dyn ToSql>> {
    let values = flat.values().into_iter().map(|v| v as &dyn ToSql);
    params_from_iter(head.iter().copied().chain(values).chain(tail.iter().copied()).collect())
}

pub(super) const INSERT_REJECTED: &str =
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
    provenance: &Provenance,
    file: &str,
    row: Row,
) -> Prepared {
    let mut converted = converter.convert(&row);
    provenance.apply(&mut converted.record);
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

pub(super) struct FileCtx<'a> {
    pub(super) file: &'a FileMapping,
    pub(super) file_id: i64,
    #[allow(dead_code)]
    pub(super) headers: &'a [String],
    pub(super) id_index: Option<usize>,
    pub(super) link_index: Option<usize>,
    pub(super) deferred: bool,
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

pub(super) fn cells_json(cells: &[String]) -> String {
    serde_json::to_string(cells).expect("strings serialize")
}

/// The reason of a rejection: each error with its column.
pub(super) fn reason(problems: &[Problem]) -> String {
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
