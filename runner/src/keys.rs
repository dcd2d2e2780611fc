//! Record keys: which value identifies an existing record.
//!
//! Only the field a target marks `key` (an external id), mapped by the
//! template, is a record's key ([`key_of`]); a legacy row id mapped to a
//! plain field is data (a key must be an id the CRM gave). Equal keys mean an
//! update at `complete`, so within one import two records with the same key
//! would be blended into one: `reject_duplicates` rejects every row of each
//! such record, naming the other lines, and none of them is staged.
//!
//! A job imported with `--no-update` ([`updates_by_key`] false) leaves the
//! records its keys find unchanged: matching proposes no update by key, and
//! its records go through ordinary matching instead.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::TargetDefinition;
use rusqlite::params;

use crate::import::PackageSource;
use crate::{Bug, Db, Error};

/// The key of `record`: the value of the target's key field, when it has one.
pub fn key_of(target: &TargetDefinition, record: &Record) -> Option<String> {
    let field = target.key_field()?;
    match record.fields.get(&field.name)? {
        Value::Text(s) if s.trim().is_empty() => None,
        v => Some(v.to_text()),
    }
}

/// Does this job let a record's key update the existing record with that key?
/// (False for a job imported with `--no-update`.)
pub fn updates_by_key(db: Db<'_>, job_id: i64) -> Result<bool, Error> {
    let no_update: bool = db.query_row("SELECT no_update FROM jobs WHERE id = ?1", [job_id], |r| r.get(0))?;
    Ok(!no_update)
}

/// A staged record whose key another staged record of the job shares.
struct Holder {
    staged_id: i64,
    file_id: i64,
    line: u64,
    rows: u64,
    package_seq: usize,
    file: String,
}

/// What `reject_duplicates` moved to the error report.
#[derive(Debug, Default)]
pub(crate) struct Unstaged {
    pub rows: u64,
    pub warnings: u64,
}

/// Rejects every record of job `job_id` whose key another of its records
/// holds, with all the rows it was assembled from (read again from
/// `packages`, in the job's order). Runs once all packages are staged.
pub(crate) fn reject_duplicates<S: PackageSource>(
    db: Db<'_>,
    job_id: i64,
    target: &TargetDefinition,
    packages: &[S],
) -> Result<Unstaged, Error> {
    let Some(field) = target.key_field() else { return Ok(Unstaged::default()) };
    let mut groups: BTreeMap<String, Vec<Holder>> = BTreeMap::new();
    {
        let mut st = db.prepare(
            "SELECT s.record_key, s.id, s.file_id, s.line, s.rows, f.package_seq, f.file
                 FROM staged s JOIN job_files f ON f.id = s.file_id
                 WHERE s.job_id = ?1 AND s.record_key IN
                     (SELECT record_key FROM staged WHERE job_id = ?1 AND record_key IS NOT NULL
                      GROUP BY record_key HAVING count(*) > 1)
                 ORDER BY s.record_key, s.file_id, s.line",
        )?;
        let rows = st.query_map([job_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Holder {
                    staged_id: r.get(1)?,
                    file_id: r.get(2)?,
                    line: r.get(3)?,
                    rows: r.get(4)?,
                    package_seq: r.get::<_, i64>(5)? as usize,
                    file: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (key, holder) = row?;
            groups.entry(key).or_default().push(holder);
        }
    }
    if groups.is_empty() {
        return Ok(Unstaged::default());
    }
    let mut reasons: HashMap<i64, String> = HashMap::new();
    for (key, holders) in &groups {
        let lines: Vec<String> = holders.iter().map(|h| format!("`{}` line {}", h.file, h.line)).collect();
        let reason = format!(
            "column mapped to key `{}`: the key `{key}` is on {} rows ({}); records with the same key would be blended into one, so none of them is staged",
            field.name,
            holders.len(),
            lines.join(", ")
        );
        for h in holders {
            reasons.insert(h.staged_id, reason.clone());
        }
    }
    let holders: Vec<&Holder> = groups.values().flatten().collect();
    let rows = rows_of(db, job_id, &holders, packages)?;
    let mut unstaged = Unstaged::default();
    let mut insert = db.prepare_cached(
        "INSERT INTO rejected (job_id, file_id, line, cells, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for h in holders {
        let reason = &reasons[&h.staged_id];
        let mine = rows.get(&h.staged_id).map(Vec::as_slice).unwrap_or_default();
        for (file_id, line, cells) in mine {
            let why = if *file_id == h.file_id && *line == h.line {
                reason.clone()
            } else {
                format!("its record (`{}` line {}) was rejected: {reason}", h.file, h.line)
            };
            insert.execute(params![job_id, file_id, line, cells, why])?;
        }
        if mine.len() as u64 != h.rows {
            return Err(Error::Internal(Bug::RowsMissing {
                staged_id: h.staged_id,
                rows: h.rows,
                found: mine.len(),
            }));
        }
        unstaged.rows += h.rows;
        unstaged.warnings +=
            db.query_row("SELECT count(*) FROM problems WHERE staged_id = ?1", [h.staged_id], |r| {
                r.get::<_, u64>(0)
            })?;
        db.execute("DELETE FROM staged WHERE id = ?1", [h.staged_id])?;
    }
    Ok(unstaged)
}

/// A row of a record: its file id, line and cells JSON.
type KeptRow = (i64, u64, String);

/// The rows each holder was assembled from: its
/// main row, and the rows of child files that link to it and were not
/// rejected, read again from the packages.
fn rows_of<S: PackageSource>(
    db: Db<'_>,
    job_id: i64,
    holders: &[&Holder],
    packages: &[S],
) -> Result<HashMap<i64, Vec<KeptRow>>, Error> {
    let mut out: HashMap<i64, Vec<KeptRow>> = HashMap::new();
    let file_id = |seq: usize, file: &str| -> Result<i64, Error> {
        db.query_row(
            "SELECT id FROM job_files WHERE job_id = ?1 AND package_seq = ?2 AND file = ?3",
            params![job_id, seq as i64, file],
            |r| r.get(0),
        )
    };
    let mut by_file: BTreeMap<(usize, &str), Vec<&Holder>> = BTreeMap::new();
    for h in holders {
        by_file.entry((h.package_seq, h.file.as_str())).or_default().push(h);
    }
    for ((seq, file), wanted) in by_file {
        let Some(package) = packages.get(seq) else { continue };
        let template = package.template();
        let mapping = template.file(file);
        let lines: HashMap<u64, i64> = wanted.iter().map(|h| (h.line, h.staged_id)).collect();
        let table = package.rows(file)?;
        let id_index = mapping
            .and_then(|m| m.id_column.as_deref())
            .and_then(|c| ferry_mapper::convert::find_column(&table.headers, c));
        // The parent id of each holder, for its child rows.
        let mut ids: HashMap<String, i64> = HashMap::new();
        for row in table {
            let row = row?;
            if let Some(&staged_id) = lines.get(&row.line) {
                if let Some(i) = id_index {
                    ids.insert(row.cell(i).trim().to_string(), staged_id);
                }
                let id = wanted.iter().find(|h| h.staged_id == staged_id).map_or(0, |h| h.file_id);
                out.entry(staged_id).or_default().push((id, row.line, cells_json(&row.cells)));
            }
        }
        if ids.is_empty() {
            continue;
        }
        for child in template.files.iter().filter(|f| f.parent.as_ref().is_some_and(|p| p.file == file)) {
            let link = child.parent.as_ref().expect("filtered on the parent link");
            let child_id = file_id(seq, &child.name)?;
            let rejected: BTreeSet<u64> = {
                let mut st = db.prepare("SELECT line FROM rejected WHERE file_id = ?1")?;
                let rows = st.query_map([child_id], |r| r.get(0))?;
                rows.collect::<Result<_, Error>>()?
            };
            let table = package.rows(&child.name)?;
            let Some(link_index) = ferry_mapper::convert::find_column(&table.headers, &link.column) else {
                continue;
            };
            for row in table {
                let row = row?;
                if let Some(&staged_id) = ids.get(row.cell(link_index).trim())
                    && !rejected.contains(&row.line)
                {
                    out.entry(staged_id).or_default().push((child_id, row.line, cells_json(&row.cells)));
                }
            }
        }
    }
    Ok(out)
}

fn cells_json(cells: &[String]) -> String {
    serde_json::to_string(cells).expect("strings serialize")
}
