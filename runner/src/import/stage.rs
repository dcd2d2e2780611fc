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
use rusqlite::params;

use super::pipeline;
use super::provenance::Provenance;
use super::{AddedValue, ImportOptions, PackageSource, Reporter, Stop};
use crate::db::Stmt;
use crate::flat::{self, FLAT_COLUMNS, Flat};
use crate::job::{self, Counts};
use crate::store;
use crate::{Bug, Db, Error};

/// A package's own fault, in the packager's vocabulary.
fn bad_package(path: &Path, kind: Invalid, message: String) -> Stop {
    let path = path.to_path_buf();
    Stop::Package(Error::Package(ferry_packager::Error::Invalid { path, kind, message }))
}

/// One job's staging, inside its transaction.
pub(super) struct Staging<'t> {
    /// The job's transaction (its errors name the store).
    pub(super) db: Db<'t>,
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
        db: Db<'t>,
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
            db,
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
        let db = self.db;
        let first_target = serde_json::to_string(packages[0].target()).expect("serializes");
        let job = super::new_job(self.kind, description, self.options, &first_target);
        self.job_id = job::insert_running(db, &job)?;
        // Child rows wait here for their parent row, by id, in the order
        // they were read (file, then line); the main rows' ids are kept to find
        // duplicates and orphans (see `assemble`). Both hold one branch of
        // the file tree at a time (its children all link to its main file),
        // in one B-tree each. Temporary: they never reach the store's file.
        db.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_children (
                 key TEXT NOT NULL, file_id INTEGER NOT NULL, line INTEGER NOT NULL, cells BLOB NOT NULL,
                 PRIMARY KEY (key, file_id, line)) WITHOUT ROWID;
             CREATE TEMP TABLE IF NOT EXISTS import_keys (key TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
             PRAGMA temp.cache_size = -8192;
             DELETE FROM temp.import_children; DELETE FROM temp.import_keys;",
        )?;

        let mut last_target = None;
        for (seq, package) in packages.iter().enumerate() {
            let target = self.package_target(package)?;
            self.stage_package(seq, package, &target, reporter)?;
            last_target = Some(target);
        }
        let target = last_target.expect("at least one package");
        let unstaged = crate::keys::reject_duplicates(db, self.job_id, &target, packages)?;
        self.rows_rejected += unstaged.rows;
        self.warnings -= unstaged.warnings;

        let (rows_staged, records): (u64, u64) = if self.assembled {
            db.query_row(
                "SELECT coalesce(sum(rows), 0), count(*) FROM staged WHERE job_id = ?1",
                [self.job_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?
        } else {
            // Every record is one row (the insert leaves `rows` at 1), so the
            // records are counted from the job index alone, not a million rows.
            let records: u64 =
                db.query_row("SELECT count(*) FROM staged WHERE job_id = ?1", [self.job_id], |r| r.get(0))?;
            (records, records)
        };
        if rows_staged + self.rows_rejected != self.rows_read {
            return Err(Stop::Store(Error::Internal(Bug::RowsLost {
                read: self.rows_read,
                staged: rows_staged,
                rejected: self.rows_rejected,
            })));
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
        job::record_staged(db, self.job_id, self.kind, &counts, &target)?;
        db.execute_batch("DELETE FROM temp.import_children; DELETE FROM temp.import_keys;")?;
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
        let db = self.db;
        let template = package.template();
        db.execute(
            "INSERT INTO job_packages (job_id, seq, path, template) VALUES (?1, ?2, ?3, ?4)",
            params![self.job_id, seq as i64, package.path().display().to_string(), template.to_json()],
        )?;
        let tree = template.tree().strict().map_err(|m| {
            bad_package(package.path(), Invalid::BadMapping, format!("file `{}`: {m}", m.file()))
        })?;
        let linked = template.files.iter().any(|f| f.parent.is_some());
        self.assembled |= linked;
        for branch in &tree.branches {
            // The branch's files are opened in the tree's order (their ids
            // order the error report); a main file's children are read
            // first, so each of its rows meets its children when it is read.
            let mut files = Vec::with_capacity(1 + branch.children.len());
            for &i in std::iter::once(&branch.main).chain(&branch.children) {
                let has_children = i == branch.main && !branch.children.is_empty();
                files.push(self.open_file(seq, package, &tree.files[i], target, has_children)?);
            }
            let main = files.remove(0);
            let mut children = Vec::with_capacity(files.len());
            for child in files {
                self.stage_file(
                    &child.ctx,
                    child.table,
                    &child.converter,
                    &[],
                    package,
                    target,
                    linked,
                    reporter,
                )?;
                children.push(ChildFile {
                    file_id: child.ctx.file_id,
                    file: child.ctx.file,
                    converter: child.converter,
                });
            }
            self.stage_file(
                &main.ctx,
                main.table,
                &main.converter,
                &children,
                package,
                target,
                linked,
                reporter,
            )?;
            if !children.is_empty() {
                self.reject_orphans(&children)?;
            }
            db.execute_batch("DELETE FROM temp.import_children; DELETE FROM temp.import_keys;")?;
        }
        Ok(())
    }

    /// Opens a file of a package, records it, and sets up its converter.
    fn open_file<'f, S: PackageSource>(
        &mut self,
        seq: usize,
        package: &S,
        file: &'f FileMapping,
        target: &TargetDefinition,
        has_children: bool,
    ) -> Result<OpenFile<'f>, Stop> {
        let db = self.db;
        let table = package.rows(&file.name)?;
        let headers = table.headers.clone();
        db.execute(
            "INSERT INTO job_files (job_id, package_seq, file, headers) VALUES (?1, ?2, ?3, ?4)",
            params![self.job_id, seq as i64, file.name, serde_json::to_string(&headers).expect("serializes")],
        )?;
        let file_id = db.last_insert_rowid();
        let options = ConvertOptions { create_missing: self.options.create_missing, ..Default::default() };
        let (converter, problems) = FileConverter::new(target, file, &headers, &options);
        let errors: Vec<&Problem> = problems.iter().filter(|p| p.severity == Severity::Error).collect();
        if !errors.is_empty() {
            // Columns missing or repeated are the CSV's fault, as the packager says.
            let csv =
                |p: &&Problem| matches!(p.kind, ProblemKind::ColumnMissing | ProblemKind::DuplicateColumn);
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
        let id_index = match (&file.id_column, has_children) {
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
        Ok(OpenFile { ctx: FileCtx { file, file_id, id_index, link_index }, table, converter })
    }

    /// Stages one file through the pipeline: a file of a package without
    /// links is staged record by record; a child file waits for its parents
    /// ([`Staging::keep_children`]); a main file of a linked package is
    /// assembled with them ([`Staging::assemble_batch`]).
    #[allow(clippy::too_many_arguments)]
    fn stage_file<S: PackageSource>(
        &mut self,
        ctx: &FileCtx<'_>,
        table: Table,
        converter: &FileConverter,
        children: &[ChildFile<'_>],
        package: &S,
        target: &TargetDefinition,
        linked: bool,
        reporter: &dyn Reporter,
    ) -> Result<(), Stop> {
        reporter.on_stage(
            ferry_mapper::progress::Stage::Staging { package: package.path(), file: &ctx.file.name },
            None,
        );
        let before = self.rows_read;
        let (kind, provenance, create_missing) =
            (self.kind, self.provenance.clone(), self.options.create_missing);
        let provenance = &provenance;
        let progress = |staging: &mut Staging<'_>, n: usize| {
            let was = staging.rows_read;
            staging.rows_read += n as u64;
            if was / 4096 != staging.rows_read / 4096 {
                reporter.on_progress(staging.rows_read);
            }
        };
        if ctx.link_index.is_some() {
            pipeline::run(
                table,
                |row| super::assemble::prepare_child(ctx, row),
                |batch| {
                    progress(self, batch.len());
                    self.keep_children(ctx, batch)
                },
            )?;
        } else if linked {
            pipeline::run(
                table,
                |row| super::assemble::prepare_main(ctx, converter, provenance, create_missing, target, row),
                |batch| {
                    progress(self, batch.len());
                    self.assemble_batch(ctx, target, children, batch)
                },
            )?;
        } else {
            let mut insert_staged = self.db.prepare_cached(&INSERT_STAGED)?;
            pipeline::run(
                table,
                |row| prepare(kind, target, converter, provenance, create_missing, &ctx.file.name, row),
                |batch| {
                    progress(self, batch.len());
                    self.write_records(ctx, &mut insert_staged, batch)
                },
            )?;
        }
        reporter.on_progress(self.rows_read);
        let rows = self.rows_read - before;
        self.db.execute("UPDATE job_files SET rows = ?2 WHERE id = ?1", params![ctx.file_id, rows])?;
        Ok(())
    }

    /// Writes a batch of whole records: staged, or rejected with the reason.
    fn write_records(
        &mut self,
        ctx: &FileCtx<'_>,
        insert_staged: &mut Stmt<'_>,
        batch: &[Prepared],
    ) -> Result<(), Stop> {
        let (job_id, file_id) = (self.job_id, ctx.file_id);
        for p in batch.iter() {
            match &p.outcome {
                Err((cells, reason)) => self.reject_cells(file_id, p.line, cells, reason)?,
                Ok(staged) => {
                    if !staged.fresh.is_empty() {
                        self.note_added(&staged.fresh)?;
                    }
                    let rows = 1u64;
                    let staged_id = insert_staged.insert(
                        staged
                            .flat
                            .params(&[&job_id, &file_id, &p.line, &rows], &[&staged.json, &staged.key]),
                    )?;
                    if !staged.warnings.is_empty() {
                        self.insert_warnings(staged_id, file_id, &staged.warnings, &staged.cells)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Rejects a row with `reason`; `cells` is the row's cells as JSON.
    pub(super) fn reject_cells(
        &mut self,
        file_id: i64,
        line: u64,
        cells: &str,
        reason: &str,
    ) -> Result<(), Stop> {
        self.db.prepare_cached(INSERT_REJECTED)?.execute(params![
            self.job_id,
            file_id,
            line,
            cells,
            reason
        ])?;
        self.rows_rejected += 1;
        Ok(())
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
            let kind = serde_json::to_value(p.kind).expect("serializes");
            self.db
                .prepare_cached(
                    "INSERT INTO problems (job_id, staged_id, file_id, line, severity, kind, column_name, value, message, cells)
                     VALUES (?1, ?2, ?3, ?4, 'warning', ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    self.job_id,
                    staged_id,
                    file_id,
                    p.line,
                    kind.as_str(),
                    p.column,
                    p.value,
                    p.message,
                    cells
                ])?;
            self.warnings += 1;
        }
        Ok(())
    }

    /// Records the enumeration values the target does not know (`fresh`,
    /// from [`fresh_values`]) that this job has not added yet.
    pub(super) fn note_added(&mut self, fresh: &[(String, String)]) -> Result<(), Stop> {
        for (field, text) in fresh {
            if self.known_added.get(field).is_some_and(|s| s.contains(text)) {
                continue;
            }
            self.known_added.entry(field.clone()).or_default().insert(text.clone());
            self.db
                .prepare_cached(
                    "INSERT OR IGNORE INTO target_values (kind, field, value, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![self.kind.as_str(), field, text, self.job_id, store::now()])?;
            self.added.push(AddedValue { field: field.clone(), value: text.clone() });
        }
        Ok(())
    }
}

/// The enumeration values of `record` that `target` does not know, as
/// (`field` or `Subcollection.attribute`, value), in the record's order.
pub(super) fn fresh_values(target: &TargetDefinition, record: &Record) -> Vec<(String, String)> {
    let mut fresh = Vec::new();
    for (name, value) in &record.fields {
        if let Some(f) = target.field(name)
            && f.field_type == FieldType::Enum
            && let Value::Text(text) = value
            && !f.values.contains(text)
        {
            fresh.push((name.clone(), text.clone()));
        }
    }
    for inst in &record.instances {
        for (name, value) in &inst.attributes {
            if let Some(f) = target.attribute(&inst.subcollection, name)
                && f.field_type == FieldType::Enum
                && let Value::Text(text) = value
                && !f.values.contains(text)
            {
                fresh.push((format!("{}.{name}", inst.subcollection), text.clone()));
            }
        }
    }
    fresh
}

/// The insert of a staged row: job, file, line, rows, the flat columns
/// ([`crate::flat::sql`]), record, key; bound with [`Flat::params`].
pub(super) static INSERT_STAGED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO staged (job_id, file_id, line, rows, {}, record, record_key) VALUES (?1, ?2, ?3, ?4, {}, ?{}, ?{})",
        flat::sql::columns(),
        flat::sql::placeholders(5),
        5 + FLAT_COLUMNS.len(),
        6 + FLAT_COLUMNS.len(),
    )
});

pub(super) const INSERT_REJECTED: &str =
    "INSERT INTO rejected (job_id, file_id, line, cells, reason) VALUES (?1, ?2, ?3, ?4, ?5)";

/// A row converted and validated, ready to write.
pub(super) struct Prepared {
    line: u64,
    /// Staged, or rejected: the row's cells as JSON and the reason.
    outcome: Result<ToStage, (String, String)>,
}

/// A record to stage: its JSON, its flat columns, its key, its warnings.
/// (The record itself is dropped on the worker pool, by the thread that
/// made it: kept to the writer, it cost more in cross-thread frees and
/// memory than the flat values' copies.)
pub(super) struct ToStage {
    pub(super) json: String,
    pub(super) flat: Flat<'static>,
    pub(super) key: Option<String>,
    pub(super) warnings: Vec<Problem>,
    /// The row's cells (JSON), when it has warnings.
    pub(super) cells: String,
    /// Enumeration values the target does not know (`--create-missing`).
    pub(super) fresh: Vec<(String, String)>,
}

impl ToStage {
    /// The record's stored forms.
    pub(super) fn of(
        kind: RecordKind,
        target: &TargetDefinition,
        record: &Record,
        warnings: Vec<Problem>,
        cells: String,
    ) -> ToStage {
        ToStage {
            json: crate::codec::encode(record),
            flat: Flat::of(kind, record).into_owned(),
            key: crate::keys::key_of(target, record),
            warnings,
            cells,
            fresh: Vec::new(),
        }
    }
}

/// Converts and validates a row of a file whose rows are whole records.
fn prepare(
    kind: RecordKind,
    target: &TargetDefinition,
    converter: &FileConverter,
    provenance: &Provenance,
    create_missing: bool,
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
    let warnings: Vec<Problem> =
        converted.problems.into_iter().filter(|p| p.severity == Severity::Warning).collect();
    let cells = if warnings.is_empty() { String::new() } else { cells_json(&row.cells) };
    let mut staged = ToStage::of(kind, target, &converted.record, warnings, cells);
    if create_missing {
        staged.fresh = fresh_values(target, &converted.record);
    }
    Prepared { line: row.line, outcome: Ok(staged) }
}

/// A file being staged: its mapping, its row in `job_files`, and the
/// columns of its own id and of its parent link.
pub(super) struct FileCtx<'a> {
    pub(super) file: &'a FileMapping,
    pub(super) file_id: i64,
    pub(super) id_index: Option<usize>,
    pub(super) link_index: Option<usize>,
}

/// A child file of the branch being staged: its rows are converted when
/// their parent row is read.
pub(super) struct ChildFile<'a> {
    pub(super) file_id: i64,
    pub(super) file: &'a FileMapping,
    pub(super) converter: FileConverter,
}

/// A file opened to be staged.
struct OpenFile<'a> {
    ctx: FileCtx<'a>,
    table: Table,
    converter: FileConverter,
}

pub(super) fn cells_json(cells: &[String]) -> String {
    serde_json::to_string(cells).expect("strings serialize")
}

/// The reason of a rejection: each error with its column.
pub(super) fn reason(problems: &[Problem]) -> String {
    Rejection::text(problems)
}

/// Why a row is rejected: its errors. Displayed as the reason stored with
/// the row (`column `x`: message; …`, or `rejected` when none is told).
#[derive(Debug)]
pub(super) struct Rejection(Vec<Problem>);

impl Rejection {
    /// The rejection for `problems` (only its errors are kept).
    pub(super) fn new(mut problems: Vec<Problem>) -> Rejection {
        problems.retain(|p| p.severity == Severity::Error);
        Rejection(problems)
    }

    fn text(problems: &[Problem]) -> String {
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
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Rejection::text(&self.0))
    }
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
