//! What the command line's `--json` prints and `ferry serve` answers: the
//! serialisable results of the operations, in one place so that the two
//! print the same documents; and the reads the workspace's pages need
//! (pages of match results and rejected rows, the quality histogram, the
//! fields of a staged record, a staged record's version).
//!
//! A staged record's [`version`] changes whenever its values or its chosen
//! action change; a write that names the version it was based on is refused
//! when the record has moved on (two reviewers at once).

use ferry_mapper::record::Record;
use ferry_mapper::target::FieldType;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Error;
use crate::job::{self, Job};
use crate::matching::MatchClass;
use crate::review::{self, ReviewRow};
use crate::store::Store;

/// A staged record as edited (`ferry staged JOB --edit`).
#[derive(Debug, Clone, Serialize)]
pub struct Edited {
    pub id: i64,
    pub record: Record,
}

/// Staged records deleted (`ferry staged JOB --delete`).
#[derive(Debug, Clone, Serialize)]
pub struct DeletedStaged {
    pub deleted: u64,
}

/// A job's match results (`ferry review JOB --list`).
#[derive(Debug, Clone, Serialize)]
pub struct ReviewList {
    pub job: i64,
    pub rows: Vec<ReviewRow>,
}

/// Choices changed in bulk (`--accept-all`, `--same-as`).
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    pub job: i64,
    pub changed: u64,
}

/// The match results of a job, as `ferry review --list --json` prints them.
pub fn review_list(store: &Store, job: &str) -> Result<ReviewList, Error> {
    let (job, rows) = review::rows(store, job)?;
    Ok(ReviewList { job: job.id, rows })
}

/// One page of a job's match results, optionally of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewPage {
    pub job: Job,
    /// Records of the class asked for (all classes: every record).
    pub total: u64,
    pub offset: u64,
    pub rows: Vec<ReviewRow>,
    /// Records per class: Match, Potential Match, Non-Match, unmatched.
    pub classes: [u64; 4],
}

fn class_index(class: Option<MatchClass>) -> usize {
    class.and_then(|c| MatchClass::ALL.iter().position(|&k| k == c)).unwrap_or(MatchClass::ALL.len())
}

/// The class names of [`ReviewPage::classes`].
pub const CLASSES: [&str; 3] = ["Match", "Potential Match", "Non-Match"];

/// A page of match results: `limit` rows from `offset`, of `class` when given.
pub fn review_page(
    store: &Store,
    job: &str,
    class: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<ReviewPage, Error> {
    let (mut total, mut rows, mut classes) = (0u64, Vec::new(), [0u64; 4]);
    let found = review::for_each_row(store, job, |row| {
        classes[class_index(row.class)] += 1;
        if class.is_none_or(|c| row.class.map(MatchClass::label) == Some(c)) {
            if total >= offset && (rows.len() as u64) < limit {
                rows.push(row);
            }
            total += 1;
        }
        Ok(())
    })?;
    Ok(ReviewPage { job: found, total, offset, rows, classes })
}

/// One staged record's match results, with its version.
pub fn review_row(store: &Store, job: &str, staged_id: i64) -> Result<(Job, ReviewRow, String), Error> {
    let mut found = None;
    let job = review::for_each_row(store, job, |row| {
        if row.staged_id == staged_id {
            found = Some(row);
        }
        Ok(())
    })?;
    let row = found.ok_or(Error::UnknownRecord { job: job.id, id: staged_id, what: "staged record" })?;
    let v = version(store, staged_id)?.unwrap_or_default();
    Ok((job, row, v))
}

/// How many of a job's staged records have a best quality in each tenth
/// (0–9, 10–19, … 90–99) and at 100: eleven counts.
pub fn quality_histogram(store: &Store, job_id: i64) -> Result<[u64; 11], Error> {
    let mut st = store.db().prepare(
        "SELECT min(CAST(quality / 10 AS INTEGER), 10), count(*) FROM staged
             WHERE job_id = ?1 AND quality IS NOT NULL GROUP BY 1",
    )?;
    let rows = st.query_map([job_id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, u64>(1)?)))?;
    let mut out = [0u64; 11];
    for row in rows {
        let (bucket, n) = row?;
        out[bucket.clamp(0, 10) as usize] += n;
    }
    Ok(out)
}

/// A rejected row as listed.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub reason: String,
}

/// One page of a job's rejected rows, in file and line order.
pub fn rejected_page(
    store: &Store,
    job_id: i64,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<RejectedRow>), Error> {
    let db = store.db();
    let total: u64 =
        db.query_row("SELECT count(*) FROM rejected WHERE job_id = ?1", [job_id], |r| r.get(0))?;
    let mut st = db.prepare(
        "SELECT f.file, r.line, r.reason FROM rejected r JOIN job_files f ON f.id = r.file_id
             WHERE r.job_id = ?1 ORDER BY r.file_id, r.line LIMIT ?2 OFFSET ?3",
    )?;
    let rows = st.query_map(rusqlite::params![job_id, limit as i64, offset as i64], |r| {
        Ok(RejectedRow { file: r.get(0)?, line: r.get(1)?, reason: r.get(2)? })
    })?;
    Ok((total, rows.collect::<Result<Vec<_>, Error>>()?))
}

/// A plain field of a staged record, for an edit form.
#[derive(Debug, Clone, Serialize)]
pub struct FieldValue {
    pub name: String,
    pub label: String,
    /// `string`, `date`, `enum` … as in the target definition.
    pub kind: String,
    /// The values an enumeration allows.
    pub values: Vec<String>,
    pub required: bool,
    pub value: String,
}

/// A staged record's plain fields (every field of the job's target, set or
/// not) and its version.
pub fn staged_fields(store: &Store, job: &str, id: i64) -> Result<(Job, Vec<FieldValue>, String), Error> {
    let found = job::find(store.db(), job)?;
    let target = crate::staged::job_target(store.db(), found.id)?;
    let record = staged_in_job(store, found.id, id)?;
    let fields = target
        .plain_fields()
        .map(|f| FieldValue {
            name: f.name.clone(),
            label: f.label.clone(),
            kind: f.field_type.as_str().to_string(),
            values: if f.field_type == FieldType::Enum { f.values.clone() } else { Vec::new() },
            required: f.required,
            value: record.fields.get(&f.name).map(|v| v.to_text()).unwrap_or_default(),
        })
        .collect();
    let v = version(store, id)?.unwrap_or_default();
    Ok((found, fields, v))
}

fn staged_in_job(store: &Store, job_id: i64, id: i64) -> Result<Record, Error> {
    let owner: Option<i64> =
        store.db().query_opt("SELECT job_id FROM staged WHERE id = ?1", [id], |r| r.get(0))?;
    if owner != Some(job_id) {
        return Err(Error::UnknownRecord { job: job_id, id, what: "staged record" });
    }
    Ok(review::staged_record(store, id)?.unwrap_or_default())
}

/// A staged record's version: a digest of its values and its chosen action
/// and match; `None` when there is no such record.
pub fn version(store: &Store, id: i64) -> Result<Option<String>, Error> {
    let found: Option<String> = store.db().query_opt(
        "SELECT record || char(1) || coalesce(action, '') || char(1) || coalesce(match_record_id, '')
                    || char(1) || coalesce(match_staged_id, '') || char(1) || processed
             FROM staged WHERE id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(found.map(|text| Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()))
}

/// Refuses a write based on a stale page: `seen` is the version the page
/// showed for staged record `id`.
pub fn check_version(store: &Store, id: i64, seen: &str) -> Result<(), Error> {
    match version(store, id)? {
        Some(now) if now == seen => Ok(()),
        Some(_) => Err(Error::StaleChanged { staged: id }),
        None => Err(Error::StaleDeleted { staged: id }),
    }
}
