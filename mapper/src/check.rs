//! `check`: a dry run of a mapping template over every row of a data
//! location, through the very conversion and validation code the runner uses.
//!
//! [`check`] compiles each file's mapping with [`FileConverter`], converts
//! every row, and assembles child files with their parent files the way an
//! import would: a child row whose parent id is absent is an orphan, and the
//! record-level rules ([`crate::convert::validate_record`]) see a parent
//! record together with the plain fields its child rows supply. Memory stays
//! small: the parent ids are kept (only for files that have child files), and
//! records only when they fail the rules on their own and a child file could
//! still supply the missing fields.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::Error;
use crate::convert::{ConvertOptions, FileConverter, find_column, rule_fields};
use crate::problem::{Problem, ProblemKind, Severity};
use crate::progress::{Reporter, Stage, Throttle};
use crate::read::{ReadOptions, Table};
use crate::record::Record;
use crate::target::TargetDefinition;
use crate::template::{FileMapping, MappingTemplate};
use unmapped::Unmapped;
pub use unmapped::UnmappedColumn;

mod unmapped;

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The data location holding the template's files.
    pub data_dir: PathBuf,
    pub template: MappingTemplate,
    pub target: TargetDefinition,
    /// How to read the legacy files (encoding, delimiter, header …).
    pub read: ReadOptions,
    /// How values are validated (`create_missing`).
    pub convert: ConvertOptions,
    /// Check only the first rows of each file.
    pub limit: Option<u64>,
}

/// The result of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub files: Vec<FileReport>,
    /// Every problem, in file then line order.
    pub problems: Vec<Problem>,
    pub errors: usize,
    pub warnings: usize,
}

/// Counts for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub name: String,
    pub rows: u64,
    /// Rows an error rejects.
    pub rejected: u64,
    /// Columns the template does not name that hold values: not imported.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmapped: Vec<UnmappedColumn>,
}

impl CheckReport {
    /// True when no problem is an error.
    pub fn is_clean(&self) -> bool {
        self.errors == 0
    }
}

/// What a parent file leaves behind for its child files.
#[derive(Default)]
struct ParentIds {
    /// Parent ids per id column, each with the first line it is on.
    ids: HashMap<String, HashMap<String, u64>>,
    /// Ids on more than one row, by (id column, id): every line they are on.
    /// Neither row is imported, nor any child row naming the id.
    twice: HashMap<(String, String), Vec<u64>>,
    /// Lines of rejected rows (kept only for files with child files).
    rejected: HashSet<u64>,
    /// False when the file was missing or cut short by `limit`: orphans cannot be told.
    complete: bool,
    /// Records that failed the rules on their own, by (id column, id): their
    /// line and the rule fields they hold, waiting for child rows.
    deferred: HashMap<(String, String), (u64, Record)>,
}

/// The columns of a root file that hold a legacy id kept as data (a header
/// that names the target's key, such as `ID`, mapped to another field or to
/// a user field), and the first line each id was seen on. Two rows with one
/// legacy id stay two records; the warning says so, so that nobody takes
/// them for one.
struct LegacyIds {
    /// (column, its index, first line per hash of the id).
    columns: Vec<(String, usize, HashMap<u64, u64>)>,
}

impl LegacyIds {
    fn new(
        target: &TargetDefinition,
        file: &FileMapping,
        headers: &[String],
        id_columns: &BTreeSet<&str>,
    ) -> LegacyIds {
        let Some(key) = target.key_field() else { return LegacyIds { columns: Vec::new() } };
        let mut columns: Vec<(String, usize, HashMap<u64, u64>)> = Vec::new();
        for m in &file.mappings {
            let is_key = m.subcollection.is_none() && m.field == key.name;
            if is_key
                || id_columns.contains(m.column.as_str())
                || columns.iter().any(|c| c.0 == m.column)
                || crate::auto::key_synonym(target, &crate::auto::normalize(&m.column)).is_none()
            {
                continue;
            }
            if let Some(i) = find_column(headers, &m.column) {
                columns.push((m.column.clone(), i, HashMap::new()));
            }
        }
        LegacyIds { columns }
    }

    /// Warns when the row's legacy id was on an earlier row.
    fn see(&mut self, row: &crate::read::Row, file: &FileMapping, problems: &mut Vec<Problem>) {
        for (column, index, seen) in &mut self.columns {
            let id = row.cell(*index).trim();
            if id.is_empty() {
                continue;
            }
            let mut h = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(id, &mut h);
            let first = *seen.entry(std::hash::Hasher::finish(&h)).or_insert(row.line);
            if first != row.line {
                problems.push(Problem {
                    severity: Severity::Warning,
                    kind: ProblemKind::DuplicateId,
                    file: file.name.clone(),
                    line: Some(row.line),
                    column: Some(column.clone()),
                    value: Some(id.to_string()),
                    message: format!(
                        "legacy id `{id}` is on line {first} too: the two rows stay two records \
                         (if they are one person, `ferry match` proposes merging them; \
                         if the id should find existing records, map `{column}` to the key)"
                    ),
                });
            }
        }
    }
}

/// Runs the template over every row and reports every problem.
pub fn check(options: &CheckOptions, reporter: &dyn Reporter) -> Result<CheckReport, Error> {
    let open = |path: &Path| {
        if path.is_file() { crate::read::open(path, &options.read).map(Some) } else { Ok(None) }
    };
    check_with(options, reporter, &open)
}

/// Opens a file of the data location; `None` when it is missing.
type Opener<'a> = dyn Fn(&Path) -> Result<Option<Table>, Error> + 'a;

/// [`check`] with the files opened by `open` (tests hand in tables).
fn check_with(options: &CheckOptions, reporter: &dyn Reporter, open: &Opener) -> Result<CheckReport, Error> {
    let target = &options.target;
    let template = &options.template;
    let mut problems = crate::convert::check_template(target, template);
    let mut reports: BTreeMap<String, FileReport> = BTreeMap::new();

    let tree = template.tree();
    let rules = rule_fields(target);

    for branch in &tree.branches {
        let root = &template.files[branch.main];
        let children: Vec<&FileMapping> = branch.children.iter().map(|&c| &template.files[c]).collect();
        // Rule fields a child file can supply: failing records wait for the children.
        let child_supplied: BTreeSet<&str> = children
            .iter()
            .flat_map(|c| c.mappings.iter())
            .filter(|m| m.subcollection.is_none() && rules.contains(&m.field))
            .map(|m| m.field.as_str())
            .collect();
        let id_columns: BTreeSet<&str> =
            children.iter().filter_map(|c| c.parent.as_ref()).map(|l| l.parent_column.as_str()).collect();

        let mut parent = ParentIds::default();
        let (report, converter) = check_root(
            options,
            open,
            root,
            &id_columns,
            &child_supplied,
            &mut parent,
            &mut problems,
            reporter,
        )?;
        let mut report = report;

        for child in &children {
            let child_report = check_child(options, open, child, root, &mut parent, &mut problems, reporter)?;
            reports.insert(child.name.clone(), child_report);
        }

        // Records that waited for their children meet the rules now, or fail them.
        if let Some(converter) = converter {
            let mut deferred: Vec<(u64, Record)> = parent.deferred.into_values().collect();
            deferred.sort_by_key(|(line, _)| *line);
            for (line, record) in deferred {
                let found = converter.validate(target, &record, line);
                if found.iter().any(|p| p.severity == Severity::Error) {
                    report.rejected += 1;
                }
                problems.extend(found);
            }
        }
        reports.insert(root.name.clone(), report);
    }
    // Child files whose link breaks the tree's rule were reported by
    // `check_template`; their rows are still converted.
    let unlinked: Vec<&FileMapping> = tree
        .broken
        .iter()
        .map(|(i, _)| &template.files[*i])
        .filter(|f| !reports.contains_key(&f.name))
        .collect();
    for orphan_file in unlinked {
        let mut none = ParentIds::default();
        let report =
            check_child(options, open, orphan_file, orphan_file, &mut none, &mut problems, reporter)?;
        reports.insert(orphan_file.name.clone(), report);
    }

    let order: HashMap<&str, usize> =
        template.files.iter().enumerate().map(|(i, f)| (f.name.as_str(), i)).collect();
    problems.sort_by_key(|p| (order.get(p.file.as_str()).copied().unwrap_or(usize::MAX), p.line));
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    let files = template.files.iter().filter_map(|f| reports.remove(&f.name)).collect();
    Ok(CheckReport { files, problems, errors, warnings })
}

/// The conversion options, with the template's `readyMade`.
fn convert_options(options: &CheckOptions) -> ConvertOptions {
    ConvertOptions {
        ready_made: options.template.ready_made,
        country: options.template.country.clone(),
        ..options.convert.clone()
    }
}

fn missing_file(options: &CheckOptions, file: &FileMapping) -> Problem {
    Problem {
        severity: Severity::Error,
        kind: ProblemKind::FileMissing,
        file: file.name.clone(),
        line: None,
        column: None,
        value: None,
        message: format!("the data location `{}` has no file `{}`", options.data_dir.display(), file.name),
    }
}

/// A row as read, with the reader's warnings filed as problems; `None` for a
/// row that cannot be read (its problems filed, the row counted rejected).
fn readable(
    row: Result<crate::read::Row, Error>,
    file: &FileMapping,
    table: &Table,
    report: &mut FileReport,
    problems: &mut Vec<Problem>,
) -> Result<Option<crate::read::Row>, Error> {
    for (kind, warning) in table.take_warnings() {
        problems.push(warning.problem(&file.name, kind, Severity::Warning));
    }
    match row {
        Ok(row) => Ok(Some(row)),
        Err(Error::BadRow(bad)) => {
            report.rejected += 1;
            problems.extend(bad.problems(&file.name));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Rows of a file, counted for the reporter, cut at `limit`. The flag says
/// whether rows were left unread.
struct Rows {
    table: Table,
    limit: Option<u64>,
    seen: u64,
    truncated: bool,
    done: bool,
}

impl Rows {
    fn next(&mut self, reporter: &dyn Reporter) -> Option<Result<crate::read::Row, Error>> {
        if self.done {
            return None;
        }
        let row = if self.limit.is_some_and(|l| self.seen >= l) {
            // Peek once: a file cut short cannot vouch for its children's parents.
            self.truncated = self.table.next().is_some();
            None
        } else {
            self.table.next()
        };
        if row.is_some() {
            self.seen += 1;
            if self.seen.is_multiple_of(Throttle::EVERY) {
                reporter.on_progress(self.seen);
            }
        } else {
            self.done = true;
            reporter.on_progress(self.seen);
        }
        row
    }
}

#[allow(clippy::too_many_arguments)]
fn check_root(
    options: &CheckOptions,
    open: &Opener,
    file: &FileMapping,
    id_columns: &BTreeSet<&str>,
    child_supplied: &BTreeSet<&str>,
    parent: &mut ParentIds,
    problems: &mut Vec<Problem>,
    reporter: &dyn Reporter,
) -> Result<(FileReport, Option<FileConverter>), Error> {
    let mut report = FileReport { name: file.name.clone(), rows: 0, rejected: 0, unmapped: Vec::new() };
    let path = options.data_dir.join(&file.name);
    let Some(table) = open(&path)? else {
        problems.push(missing_file(options, file));
        return Ok((report, None));
    };
    reporter.on_stage(Stage::File(&file.name), None);
    let (converter, file_problems) =
        FileConverter::new(&options.target, file, &table.headers, &convert_options(options));
    problems.extend(file_problems);

    let mut id_indexes = Vec::new();
    for column in id_columns {
        match find_column(&table.headers, column) {
            Some(i) => {
                id_indexes.push((column.to_string(), i));
                parent.ids.insert(column.to_string(), HashMap::new());
            }
            None => problems.push(Problem {
                severity: Severity::Error,
                kind: ProblemKind::BadParentLink,
                file: file.name.clone(),
                line: None,
                column: Some(column.to_string()),
                value: None,
                message: format!("child files link to column `{column}`, which the file does not have"),
            }),
        }
    }

    let mut legacy = LegacyIds::new(&options.target, file, &table.headers, id_columns);
    let rules = rule_fields(&options.target);
    let used: Vec<&str> = id_columns.iter().copied().collect();
    let mut unmapped = Unmapped::new(&table.headers, file, &used);
    let mut rows = Rows { table, limit: options.limit, seen: 0, truncated: false, done: false };
    while let Some(row) = rows.next(reporter) {
        report.rows += 1;
        let Some(row) = readable(row, file, &rows.table, &mut report, problems)? else { continue };
        unmapped.see(&row);
        let converted = converter.convert(&row);
        let mut rejected = converted.is_rejected();
        problems.extend(converted.problems);

        legacy.see(&row, file, problems);
        let mut first_id = None;
        for (column, index) in &id_indexes {
            let id = row.cell(*index).trim();
            if id.is_empty() {
                continue;
            }
            let seen = parent.ids.get_mut(column).expect("inserted above");
            let first = *seen.entry(id.to_string()).or_insert(row.line);
            if first != row.line {
                rejected = true;
                let twice = |line: u64, other: u64| Problem {
                    severity: Severity::Error,
                    kind: ProblemKind::DuplicateId,
                    file: file.name.clone(),
                    line: Some(line),
                    column: Some(column.clone()),
                    value: Some(id.to_string()),
                    message: format!(
                        "id `{id}` is on line {other} too; child rows cannot tell the two apart, so neither row is imported (give each its own id)"
                    ),
                };
                let lines = parent.twice.entry((column.clone(), id.to_string())).or_default();
                if lines.is_empty() {
                    lines.push(first);
                    // The first row was taken as good: reject it now, and
                    // stop it waiting for child rows.
                    parent.deferred.retain(|_, (line, _)| *line != first);
                    if parent.rejected.insert(first) {
                        report.rejected += 1;
                    }
                    problems.push(twice(first, row.line));
                }
                lines.push(row.line);
                problems.push(twice(row.line, first));
            }
            first_id.get_or_insert((column.clone(), id.to_string()));
        }

        let found = converter.validate(&options.target, &converted.record, row.line);
        // A record that fails only for want of fields a child file maps waits for its children.
        let waits = !found.is_empty()
            && first_id.is_some()
            && !rejected
            && found
                .iter()
                .all(|p| matches!(p.kind, ProblemKind::RequiredMissing | ProblemKind::RequiredOneOfMissing))
            && !child_supplied.is_empty();
        if waits {
            let kept = Record {
                fields: converted.record.fields.into_iter().filter(|(k, _)| rules.contains(k)).collect(),
                ..Record::default()
            };
            let key = first_id.expect("checked above");
            parent.deferred.insert(key, (row.line, kept));
        } else {
            rejected |= found.iter().any(|p| p.severity == Severity::Error);
            problems.extend(found);
        }
        if rejected {
            report.rejected += 1;
            if !id_indexes.is_empty() {
                parent.rejected.insert(row.line);
            }
        }
    }
    last_warnings(file, &rows.table, problems);
    report.unmapped = unmapped.finish();
    parent.complete = !rows.truncated;
    Ok((report, Some(converter)))
}

/// The reader's warnings on what it read after the last row (a footer).
fn last_warnings(file: &FileMapping, table: &Table, problems: &mut Vec<Problem>) {
    for (kind, warning) in table.take_warnings() {
        problems.push(warning.problem(&file.name, kind, Severity::Warning));
    }
}

#[allow(clippy::too_many_arguments)]
fn check_child(
    options: &CheckOptions,
    open: &Opener,
    file: &FileMapping,
    root: &FileMapping,
    parent: &mut ParentIds,
    problems: &mut Vec<Problem>,
    reporter: &dyn Reporter,
) -> Result<FileReport, Error> {
    let mut report = FileReport { name: file.name.clone(), rows: 0, rejected: 0, unmapped: Vec::new() };
    let path = options.data_dir.join(&file.name);
    let Some(table) = open(&path)? else {
        problems.push(missing_file(options, file));
        return Ok(report);
    };
    reporter.on_stage(Stage::File(&file.name), None);
    let (converter, file_problems) =
        FileConverter::new(&options.target, file, &table.headers, &convert_options(options));
    problems.extend(file_problems);

    let link = file.parent.as_ref().expect("child files have a parent link");
    let link_index = find_column(&table.headers, &link.column);
    let ids = parent.ids.get(&link.parent_column).filter(|_| parent.complete);
    // Parent ids by the number they write, for the hint of an orphan whose id is written otherwise.
    let mut canon: Option<HashMap<String, String>> = None;
    let rules = rule_fields(&options.target);
    let mut unmapped = Unmapped::new(&table.headers, file, &[]);
    let mut rows = Rows { table, limit: options.limit, seen: 0, truncated: false, done: false };
    while let Some(row) = rows.next(reporter) {
        report.rows += 1;
        let Some(row) = readable(row, file, &rows.table, &mut report, problems)? else { continue };
        unmapped.see(&row);
        let converted = converter.convert(&row);
        let mut rejected = converted.is_rejected();
        problems.extend(converted.problems);

        if let (Some(index), Some(ids)) = (link_index, ids) {
            let id = row.cell(index).trim();
            let orphan = |message: String| Problem {
                severity: Severity::Error,
                kind: ProblemKind::OrphanRow,
                file: file.name.clone(),
                line: Some(row.line),
                column: Some(link.column.clone()),
                value: (!id.is_empty()).then(|| id.to_string()),
                message,
            };
            if id.is_empty() {
                rejected = true;
                problems.push(orphan("the row names no parent".to_string()));
            } else if let Some(lines) = parent.twice.get(&(link.parent_column.clone(), id.to_string())) {
                rejected = true;
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                problems.push(Problem {
                    kind: ProblemKind::DuplicateId,
                    ..orphan(format!(
                        "parent `{id}` is on {} rows of `{}` (lines {}): which one this row belongs to cannot be told, so it is not imported",
                        lines.len(),
                        root.name,
                        lines.join(", ")
                    ))
                });
            } else if !ids.contains_key(id) {
                rejected = true;
                let canon = canon.get_or_insert_with(|| {
                    let mut by: HashMap<String, String> = HashMap::new();
                    for known in ids.keys() {
                        by.entry(canonical_id(known)).or_insert_with(|| known.clone());
                    }
                    by
                });
                let hint = match canon.get(&canonical_id(id)) {
                    Some(known) => format!(
                        "; `{known}` is, the same number written otherwise (a spreadsheet drops leading zeros and writes `.0`): write the ids of both files alike"
                    ),
                    None => String::new(),
                };
                problems.push(orphan(format!(
                    "parent `{id}` is not in `{}` (column `{}`){hint}",
                    root.name, link.parent_column
                )));
            } else if !rejected
                && let Some((_, record)) =
                    parent.deferred.get_mut(&(link.parent_column.clone(), id.to_string()))
            {
                for (k, v) in converted.record.fields {
                    if rules.contains(&k) {
                        record.fields.entry(k).or_insert(v);
                    }
                }
            }
        }
        if rejected {
            report.rejected += 1;
        }
    }
    last_warnings(file, &rows.table, problems);
    report.unmapped = unmapped.finish();
    Ok(report)
}

#[cfg(test)]
mod tests;

/// An id as the number it writes, when it writes one (`00123`, `123.0` and
/// `123` are all `123`); any other id as it is.
fn canonical_id(id: &str) -> String {
    let id = id.trim();
    let whole = crate::convert::value::whole_of(id);
    if !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = whole.trim_start_matches('0');
        if trimmed.is_empty() { "0".to_string() } else { trimmed.to_string() }
    } else {
        id.to_string()
    }
}
