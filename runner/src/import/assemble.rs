//! Parent/child assembly: a child row (its file has a parent link) joins its
//! parent's staged record, through the keys of the parent file's id column;
//! assembled records are validated once all their files are read.

use ferry_mapper::convert::validate_record;
use ferry_mapper::problem::{Problem, Severity};
use ferry_mapper::read::Row;
use ferry_mapper::record::Record;
use ferry_mapper::target::TargetDefinition;
use rusqlite::{OptionalExtension, params};

use super::Stop;
use super::stage::{FileCtx, INSERT_REJECTED, Staging, UPDATE_ASSEMBLED, cells_json, reason, staged_params};
use crate::Error;
use crate::error::SqlResult;
use crate::flat::Flat;

/// Where a parent key leads: a staged record, or a rejected row.
#[derive(Clone, Copy)]
enum Parent {
    Staged(i64),
    Rejected { line: u64 },
}

impl Staging<'_> {
    pub(super) fn stage_row(
        &mut self,
        ctx: &FileCtx<'_>,
        target: &TargetDefinition,
        row: &Row,
        mut record: Record,
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
            self.provenance.apply(&mut record);
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
    pub(super) fn validate_deferred(&mut self, target: &TargetDefinition) -> Result<(), Stop> {
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
                Stop::Store(Error::unreadable(self.path, format!("staged record {staged_id}"), e))
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
                let json = crate::codec::encode(&record);
                let key = crate::keys::key_of(target, &record);
                tx.prepare_cached(&UPDATE_ASSEMBLED)
                    .db(path)?
                    .execute(staged_params(&[&staged_id], &flat, &[&json, &rows, &key]))
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
                tx.prepare_cached(INSERT_REJECTED)
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
}
