//! Parent/child assembly, in one place. A branch of the file tree (a main
//! file and its child files) is staged children first: each child row waits
//! in a temporary table under its parent file and id. Then the main file is
//! read; each of its rows takes the child rows that name its id, in the order
//! they were read, and the record they make is validated and staged once —
//! or rejected with all its rows. Conversion runs on the worker pool for
//! both, and so does the assembly (absorbing, validating, encoding) of each
//! batch of main rows.
//!
//! The rules: a child row without a parent id, or whose parent row is
//! absent or was rejected, is rejected; a child row with a conversion error
//! is rejected alone (its parent keeps its other rows); a main row whose id
//! an earlier row of its file has is rejected (child rows could not tell
//! them apart; the first row keeps them); a record rejected at validation
//! takes its child rows with it.

use std::collections::HashMap;

use ferry_mapper::convert::{FileConverter, validate_record};
use ferry_mapper::problem::{Problem, Severity};
use ferry_mapper::read::Row;
use ferry_mapper::record::Record;
use ferry_mapper::target::{RecordKind, TargetDefinition};
use rayon::prelude::*;
use rusqlite::params;

use super::Stop;
use super::provenance::Provenance;
use super::stage::{
    ChildFile, FileCtx, INSERT_STAGED, Rejection, Staging, ToStage, cells_json, fresh_values,
};
use crate::{Bug, Error};

/// A child row, read: the id of its parent and its cells. It is converted
/// when its parent row is read, with the record it joins.
pub(super) struct ChildRow {
    line: u64,
    parent_key: String,
    /// The row's cells ([`pack_cells`]).
    cells: Vec<u8>,
}

/// Reads a row of a child file (on the worker pool).
pub(super) fn prepare_child(ctx: &FileCtx<'_>, row: Row) -> ChildRow {
    let parent_key = ctx.link_index.map(|i| row.cell(i).trim().to_string()).unwrap_or_default();
    ChildRow { line: row.line, parent_key, cells: pack_cells(&row.cells) }
}

/// A child row's cells as they wait: each cell's length (4 bytes, little
/// endian) and its UTF-8 bytes. Smaller and quicker both ways than JSON;
/// [`unpack_cells`] reads them back.
fn pack_cells(cells: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cells.iter().map(|c| 4 + c.len()).sum());
    for c in cells {
        // A cell is far below 4 GB (a package member is at most a few hundred MB).
        out.extend_from_slice(&u32::try_from(c.len()).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(c.as_bytes());
    }
    out
}

/// The cells [`pack_cells`] packed.
fn unpack_cells(mut bytes: &[u8]) -> Result<Vec<String>, Stop> {
    let bad = || Stop::Store(Error::Internal(Bug::ChildCells));
    let mut cells = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(bad)?;
        let len = u32::from_le_bytes(*len) as usize;
        if rest.len() < len {
            return Err(bad());
        }
        let (cell, rest) = rest.split_at(len);
        cells.push(std::str::from_utf8(cell).map_err(|_| bad())?.to_string());
        bytes = rest;
    }
    Ok(cells)
}

/// A main row of a linked package, converted.
pub(super) struct MainRow {
    line: u64,
    cells: Vec<String>,
    /// Its id (the file's id column), when it has one.
    key: Option<String>,
    /// The record, or why the row is rejected.
    converted: Result<MainRecord, Rejection>,
}

pub(super) struct MainRecord {
    record: Record,
    warnings: Vec<Problem>,
    /// Enumeration values the target does not know (`--create-missing`).
    fresh: Vec<(String, String)>,
}

/// Converts a row of a main file of a linked package (on the worker pool).
pub(super) fn prepare_main(
    ctx: &FileCtx<'_>,
    converter: &FileConverter,
    provenance: &Provenance,
    create_missing: bool,
    target: &TargetDefinition,
    row: Row,
) -> MainRow {
    let key = ctx.id_index.map(|i| row.cell(i).trim().to_string()).filter(|k| !k.is_empty());
    let mut converted = converter.convert(&row);
    let converted = if converted.is_rejected() {
        Err(Rejection::new(converted.problems))
    } else {
        provenance.apply(&mut converted.record);
        let fresh = if create_missing { fresh_values(target, &converted.record) } else { Vec::new() };
        let warnings = converted.problems.into_iter().filter(|p| p.severity == Severity::Warning).collect();
        Ok(MainRecord { record: converted.record, warnings, fresh })
    };
    MainRow { line: row.line, cells: row.cells, key, converted }
}

/// A child row as it waited for its parent.
struct KeptChild {
    file_id: i64,
    line: u64,
    cells: Vec<String>,
}

/// A child row joined to its parent: kept, or rejected for its own reason.
struct Joined {
    row: KeptChild,
    /// Its warnings (kept), or the reason it is rejected.
    problems: Result<Vec<Problem>, Rejection>,
}

/// A main row with its children, to assemble.
struct Work {
    line: u64,
    cells: Vec<String>,
    main: MainRecord,
    children: Vec<KeptChild>,
}

/// A record assembled from a main row and its children.
struct Assembled {
    line: u64,
    /// The main row's cells (JSON), when it has warnings or is rejected.
    cells: String,
    /// The children: absorbed (or rejected with the record), or rejected
    /// for their own reason; in order.
    children: Vec<Joined>,
    /// The children's enumeration values the target does not know.
    fresh: Vec<(String, String)>,
    /// Staged, or rejected with the reason.
    outcome: Result<ToStage, Rejection>,
}

impl Staging<'_> {
    /// Keeps a batch of child rows until their parents are read; a row
    /// without a parent id is rejected now.
    pub(super) fn keep_children(&mut self, ctx: &FileCtx<'_>, batch: &[ChildRow]) -> Result<(), Stop> {
        let db = self.db;
        let link = ctx.file.parent.as_ref().expect("child files have a parent link");
        let mut insert = db.prepare_cached(
            "INSERT INTO temp.import_children (key, file_id, line, cells) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for c in batch.iter() {
            if c.parent_key.is_empty() {
                let why = format!("column `{}`: no parent id, so the row belongs to no record", link.column);
                self.reject_cells(ctx.file_id, c.line, &cells_json(&unpack_cells(&c.cells)?), &why)?;
                continue;
            }
            insert.execute(params![c.parent_key, ctx.file_id, c.line, c.cells])?;
        }
        Ok(())
    }

    /// The child rows waiting for the main rows with the ids `keys`, by id,
    /// in the order they were read (one query for a batch of rows).
    fn children(&self, keys: &[&str]) -> Result<HashMap<String, Vec<KeptChild>>, Stop> {
        let mut out: HashMap<String, Vec<KeptChild>> = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let keys = serde_json::to_string(keys).expect("strings serialize");
        let mut st = self.db.prepare_cached(
            "SELECT key, file_id, line, cells FROM temp.import_children
                 WHERE key IN (SELECT value FROM json_each(?1)) ORDER BY key, file_id, line",
        )?;
        let mut rows = st.query(params![keys])?;
        while let Some(r) = rows.next()? {
            let key = r.get_str(0)?;
            let cells = r.get_blob(3)?;
            let child = KeptChild { file_id: r.get(1)?, line: r.get(2)?, cells: unpack_cells(cells)? };
            match out.get_mut(key) {
                Some(list) => list.push(child),
                None => {
                    out.insert(key.to_string(), vec![child]);
                }
            }
        }
        Ok(out)
    }

    /// Stages a batch of main rows of a linked package, each with its children.
    pub(super) fn assemble_batch(
        &mut self,
        ctx: &FileCtx<'_>,
        target: &TargetDefinition,
        files: &[ChildFile<'_>],
        batch: &mut Vec<MainRow>,
    ) -> Result<(), Stop> {
        let db = self.db;
        let file = ctx.file.name.as_str();
        let mut claim = db.prepare_cached("INSERT OR IGNORE INTO temp.import_keys (key) VALUES (?1)")?;
        // The first row with an id is the one its child rows join.
        let mut first = Vec::with_capacity(batch.len());
        for row in batch.iter() {
            first.push(match &row.key {
                Some(key) => claim.execute([key])? == 1,
                None => false,
            });
        }
        let keys: Vec<&str> =
            batch.iter().zip(&first).filter(|(_, f)| **f).filter_map(|(r, _)| r.key.as_deref()).collect();
        let mut children = self.children(&keys)?;
        let mut work = Vec::with_capacity(batch.len());
        for (row, first) in batch.drain(..).zip(first) {
            let mine = match (&row.key, first) {
                (Some(key), true) => children.remove(key.as_str()).unwrap_or_default(),
                _ => Vec::new(),
            };
            match row.converted {
                Err(why) => {
                    self.reject_cells(ctx.file_id, row.line, &cells_json(&row.cells), &why.to_string())?;
                    let why = format!("its parent row (`{file}` line {}) was rejected", row.line);
                    for c in mine {
                        self.reject_cells(c.file_id, c.line, &cells_json(&c.cells), &why)?;
                    }
                }
                Ok(main) => {
                    if !main.fresh.is_empty() {
                        self.note_added(&main.fresh)?;
                    }
                    if let (Some(key), false) = (&row.key, first) {
                        let message = format!(
                            "column `{}`: the id `{key}` appears on an earlier row too, so child rows could not tell them apart",
                            ctx.file.id_column.as_deref().unwrap_or_default()
                        );
                        self.reject_cells(ctx.file_id, row.line, &cells_json(&row.cells), &message)?;
                        continue;
                    }
                    work.push(Work { line: row.line, cells: row.cells, main, children: mine });
                }
            }
        }
        let (kind, create_missing) = (self.kind, self.options.create_missing);
        let assembled: Vec<Assembled> = work
            .into_par_iter()
            .map(|w| assemble(kind, target, file, files, create_missing, w))
            .collect::<Result<_, Stop>>()?;
        let mut insert_staged = db.prepare_cached(&INSERT_STAGED)?;
        for a in assembled {
            for c in &a.children {
                if let Err(why) = &c.problems {
                    self.reject_cells(
                        c.row.file_id,
                        c.row.line,
                        &cells_json(&c.row.cells),
                        &why.to_string(),
                    )?;
                }
            }
            if !a.fresh.is_empty() {
                self.note_added(&a.fresh)?;
            }
            let kept = a.children.iter().filter_map(|c| c.problems.as_ref().ok().map(|p| (&c.row, p)));
            match a.outcome {
                Ok(staged) => {
                    let rows = 1 + kept.clone().count() as u64;
                    let staged_id = insert_staged.insert(staged.flat.params(
                        &[&self.job_id, &ctx.file_id, &a.line, &rows],
                        &[&staged.json, &staged.key],
                    ))?;
                    if !staged.warnings.is_empty() {
                        self.insert_warnings(staged_id, ctx.file_id, &staged.warnings, &a.cells)?;
                    }
                    for (row, warnings) in kept {
                        if !warnings.is_empty() {
                            self.insert_warnings(staged_id, row.file_id, warnings, &cells_json(&row.cells))?;
                        }
                    }
                }
                Err(main_reason) => {
                    let main_reason = main_reason.to_string();
                    self.reject_cells(ctx.file_id, a.line, &a.cells, &main_reason)?;
                    let why = format!("its record (`{file}` line {}) was rejected: {main_reason}", a.line);
                    for (row, _) in kept {
                        self.reject_cells(row.file_id, row.line, &cells_json(&row.cells), &why)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Rejects the child rows of the branch whose parent row is absent, once
    /// its main file is read (`children`: the child files and their ids).
    pub(super) fn reject_orphans(&mut self, children: &[ChildFile<'_>]) -> Result<(), Stop> {
        let orphans: Vec<(i64, u64, Vec<u8>, String)> = self
            .db
            .prepare_cached(
                "SELECT c.file_id, c.line, c.cells, c.key FROM temp.import_children c
                     WHERE NOT EXISTS (SELECT 1 FROM temp.import_keys k WHERE k.key = c.key)
                     ORDER BY c.file_id, c.line",
            )?
            .query_vec([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        for (file_id, line, cells, key) in orphans {
            let Some(link) =
                children.iter().find(|c| c.file_id == file_id).and_then(|c| c.file.parent.as_ref())
            else {
                continue;
            };
            let why = format!(
                "column `{}`: no row of `{}` has `{}` = `{key}` (the parent row is absent)",
                link.column, link.file, link.parent_column
            );
            self.reject_cells(file_id, line, &cells_json(&unpack_cells(&cells)?), &why)?;
        }
        Ok(())
    }
}

/// Converts a main row's children and absorbs them into its record, then
/// validates it (on the worker pool).
fn assemble(
    kind: RecordKind,
    target: &TargetDefinition,
    file: &str,
    files: &[ChildFile<'_>],
    create_missing: bool,
    w: Work,
) -> Result<Assembled, Stop> {
    let Work { line, cells, main, children: rows } = w;
    let mut record = main.record;
    let (mut children, mut fresh) = (Vec::with_capacity(rows.len()), Vec::new());
    for row in rows {
        let converter = &files
            .iter()
            .find(|f| f.file_id == row.file_id)
            .ok_or_else(|| Stop::Store(Error::Internal(Bug::NoChildFile(row.file_id))))?
            .converter;
        let KeptChild { file_id, line: child_line, cells } = row;
        let read = Row { line: child_line, cells };
        let converted = converter.convert(&read);
        let row = KeptChild { file_id, line: child_line, cells: read.cells };
        if converted.is_rejected() {
            children.push(Joined { row, problems: Err(Rejection::new(converted.problems)) });
            continue;
        }
        if create_missing {
            fresh.extend(fresh_values(target, &converted.record));
        }
        record.absorb(converted.record);
        let warnings = converted.problems.into_iter().filter(|p| p.severity == Severity::Warning).collect();
        children.push(Joined { row, problems: Ok(warnings) });
    }
    let errors: Vec<Problem> = validate_record(target, &record, file, line)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        let outcome = Err(Rejection::new(errors));
        return Ok(Assembled { line, cells: cells_json(&cells), children, fresh, outcome });
    }
    let cells = if main.warnings.is_empty() { String::new() } else { cells_json(&cells) };
    let staged = ToStage::of(kind, target, &record, main.warnings, String::new());
    Ok(Assembled { line, cells, children, fresh, outcome: Ok(staged) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_cells_read_back_as_they_were() {
        let cells: Vec<String> = ["C1", "", "Zoë, \"the\" café", "line\nbreak", "\u{0}\u{1f}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(unpack_cells(&pack_cells(&cells)).ok(), Some(cells));
        assert_eq!(unpack_cells(&pack_cells(&[])).ok(), Some(Vec::new()));
        // Cut short or not UTF-8: an error, not a guess.
        let packed = pack_cells(&["abc".to_string()]);
        assert!(unpack_cells(&packed[..packed.len() - 1]).is_err());
        assert!(unpack_cells(&[1, 0, 0, 0, 0xff]).is_err());
    }
}
