//! Import jobs: their stages and statuses, finding, listing and deleting them.
//!
//! A job moves through four stages, each with its statuses:
//!
//! | stage | statuses | how it gets there |
//! |---|---|---|
//! | Import into Staging | Running, Failed | `ferry import` (Running only inside the staging transaction; Failed is committed with its error) |
//! | Review Staged Data | Waiting on User | contacts, once staged |
//! | Review Match Results | Queued | leads once staged (leads skip Review Staged Data; `ferry import` then matches them at once, so they are Queued only if that matching fails), contacts after `ferry staged --submit`: ready for `ferry match` |
//! | Review Match Results | Running, Waiting on User | `ferry match` (the matching part of the runner) |
//! | Completed | Completed | `ferry complete` |
//!
//! Staging is one transaction, so other processes never see a job Queued or
//! Running in Import into Staging: they see nothing, then the staged job (or
//! the Failed one). A job can be deleted when it is Failed, Completed,
//! Waiting on User, or Queued (ferry has no background worker, so a Queued job
//! waits for the user just as Waiting on User does); never while Running.
//! Deleting removes the job with its staged, rejected and problem rows; the
//! records that `complete` already wrote to the store stay (their `job_id`
//! becomes null): deleting a job never removes records it already processed.

use std::path::{Path, PathBuf};

use ferry_mapper::target::RecordKind;
use rusqlite::{Row, params};
use serde::Serialize;

use crate::db::Tx;
use crate::store::{self, Store};
use crate::{Db, Error};

/// The stage of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Stage {
    #[serde(rename = "Import into Staging")]
    ImportIntoStaging,
    #[serde(rename = "Review Staged Data")]
    ReviewStagedData,
    #[serde(rename = "Review Match Results")]
    ReviewMatchResults,
    #[serde(rename = "Completed")]
    Completed,
}

impl Stage {
    pub const ALL: [Stage; 4] =
        [Stage::ImportIntoStaging, Stage::ReviewStagedData, Stage::ReviewMatchResults, Stage::Completed];

    /// The label stored and shown (`Review Staged Data`).
    pub fn label(self) -> &'static str {
        match self {
            Stage::ImportIntoStaging => "Import into Staging",
            Stage::ReviewStagedData => "Review Staged Data",
            Stage::ReviewMatchResults => "Review Match Results",
            Stage::Completed => "Completed",
        }
    }

    /// Parses a label, case-insensitively, with or without spaces or dashes.
    pub fn parse(text: &str) -> Option<Stage> {
        let key = squash(text);
        Stage::ALL.into_iter().find(|s| squash(s.label()) == key)
    }
}

/// The status of a job within its stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Queued,
    Running,
    Failed,
    #[serde(rename = "Waiting on User")]
    WaitingOnUser,
    Completed,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Queued, Status::Running, Status::Failed, Status::WaitingOnUser, Status::Completed];

    /// The label stored and shown (`Waiting on User`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Queued => "Queued",
            Status::Running => "Running",
            Status::Failed => "Failed",
            Status::WaitingOnUser => "Waiting on User",
            Status::Completed => "Completed",
        }
    }

    /// Parses a label, case-insensitively, with or without spaces or dashes.
    pub fn parse(text: &str) -> Option<Status> {
        let key = squash(text);
        Status::ALL.into_iter().find(|s| squash(s.label()) == key)
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Parses a record kind (`contacts`, `leads`, singular accepted).
pub fn parse_kind(text: &str) -> Option<RecordKind> {
    match squash(text).as_str() {
        "contacts" | "contact" => Some(RecordKind::Contacts),
        "leads" | "lead" => Some(RecordKind::Leads),
        _ => None,
    }
}

/// An import job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: RecordKind,
    pub description: String,
    pub stage: Stage,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub staged_at: Option<String>,
    pub ended_at: Option<String>,
    pub counts: Counts,
    /// Why the job failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A job's counts. `rows_read = rows_staged + rows_rejected` always holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Data rows read from the packages (all files, header rows excluded).
    pub rows_read: u64,
    /// Rows that became (part of) a staged record.
    pub rows_staged: u64,
    /// Rows rejected (they are in the error report).
    pub rows_rejected: u64,
    /// Records staged (a record is a main row plus its child rows).
    pub records_staged: u64,
    /// Warnings: values truncated, enumeration values ignored or added.
    pub warnings: u64,
    /// Staged records now in the store (after deletions by the user).
    pub records_remaining: u64,
    /// Values dropped because they could not be converted (a warning each;
    /// `ferry warnings JOB` lists them).
    pub values_dropped: u64,
}

const JOB_COLUMNS: &str =
    "id, kind, description, stage, status, source_type, source, owner, created_at, started_at,
    staged_at, ended_at, rows_read, rows_staged, rows_rejected, records_staged, warnings, error,
    (SELECT count(*) FROM staged s WHERE s.job_id = jobs.id),
    (SELECT count(*) FROM problems p WHERE p.job_id = jobs.id AND p.severity = 'warning'
        AND p.kind IN ('unparseable', 'not-in-boolean-table', 'not-in-enumeration-table', 'bad-rtf'))";

fn job_from_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown job {what}").into(),
        )
    };
    let kind = parse_kind(&text(1)?).ok_or_else(|| bad(1, "type"))?;
    let stage = Stage::parse(&text(3)?).ok_or_else(|| bad(3, "stage"))?;
    let status = Status::parse(&text(4)?).ok_or_else(|| bad(4, "status"))?;
    Ok(Job {
        id: row.get(0)?,
        kind,
        description: row.get(2)?,
        stage,
        status,
        source_type: row.get(5)?,
        source: row.get(6)?,
        owner: row.get(7)?,
        created_at: row.get(8)?,
        started_at: row.get(9)?,
        staged_at: row.get(10)?,
        ended_at: row.get(11)?,
        counts: Counts {
            rows_read: row.get(12)?,
            rows_staged: row.get(13)?,
            rows_rejected: row.get(14)?,
            records_staged: row.get(15)?,
            warnings: row.get(16)?,
            records_remaining: row.get(18)?,
            values_dropped: row.get(19)?,
        },
        error: row.get(17)?,
    })
}

/// Loads a job by id.
pub fn get(db: Db<'_>, id: i64) -> Result<Option<Job>, Error> {
    db.query_opt(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job_from_row)
}

/// Finds a job by id (a number) or description.
pub fn find(db: Db<'_>, job: &str) -> Result<Job, Error> {
    if let Ok(id) = job.trim().parse::<i64>()
        && let Some(found) = get(db, id)?
    {
        return Ok(found);
    }
    db.query_opt(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE description = ?1"), [job], job_from_row)?
        .ok_or_else(|| Error::NoSuchJob(job.to_string()))
}

/// Sets a job's stage and status.
pub fn set_state(db: Db<'_>, id: i64, stage: Stage, status: Status) -> Result<(), Error> {
    db.execute(
        "UPDATE jobs SET stage = ?2, status = ?3 WHERE id = ?1",
        params![id, stage.label(), status.label()],
    )?;
    Ok(())
}

/// Filters of `ferry jobs`; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    pub kind: Option<RecordKind>,
    pub stage: Option<Stage>,
    pub status: Option<Status>,
    /// Case-insensitive text in the description, source or owner.
    pub search: Option<String>,
    /// Jobs started at or after this time (stored form, see [`parse_time_bound`]).
    pub since: Option<String>,
    /// Jobs started before this time.
    pub until: Option<String>,
}

/// Jobs matching `filter`, newest first.
pub fn list(db: Db<'_>, filter: &JobFilter) -> Result<Vec<Job>, Error> {
    let mut sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE 1");
    let mut args: Vec<String> = Vec::new();
    let mut arg = |value: String| {
        args.push(value);
        format!("?{}", args.len())
    };
    if let Some(kind) = filter.kind {
        sql.push_str(&format!(" AND kind = {}", arg(kind.as_str().to_string())));
    }
    if let Some(stage) = filter.stage {
        sql.push_str(&format!(" AND stage = {}", arg(stage.label().to_string())));
    }
    if let Some(status) = filter.status {
        sql.push_str(&format!(" AND status = {}", arg(status.label().to_string())));
    }
    if let Some(text) = &filter.search {
        let n = arg(format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        sql.push_str(&format!(
            " AND (description LIKE {n} ESCAPE '\\' OR coalesce(source, '') LIKE {n} ESCAPE '\\'
                   OR coalesce(owner, '') LIKE {n} ESCAPE '\\')"
        ));
    }
    if let Some(since) = &filter.since {
        sql.push_str(&format!(" AND coalesce(started_at, created_at) >= {}", arg(since.clone())));
    }
    if let Some(until) = &filter.until {
        sql.push_str(&format!(" AND coalesce(started_at, created_at) < {}", arg(until.clone())));
    }
    sql.push_str(" ORDER BY coalesce(started_at, created_at) DESC, id DESC");
    let mut st = db.prepare(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(args.iter()), job_from_row)?;
    rows.collect::<Result<Vec<_>, Error>>()
}

/// Parses `--since`/`--until`: a date (`2026-11-21`, midnight UTC) or an RFC
/// 3339 timestamp; returns the stored form.
pub fn parse_time_bound(text: &str) -> Result<String, Error> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Ok(crate::store::format_time(ts));
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let ts =
            date.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| Error::BadDate(text.to_string()))?.timestamp();
        return Ok(crate::store::format_time(ts));
    }
    Err(Error::BadDate(text.to_string()))
}

/// What deleting a job removed.
#[derive(Debug, Clone, Serialize)]
pub struct Deleted {
    pub job: Job,
    /// Staged records removed (unprocessed ones).
    pub staged_removed: u64,
    /// Rejected rows removed (with the error report).
    pub rejected_removed: u64,
    /// Records the job already wrote to the store, which stay.
    pub records_kept: u64,
    /// Enumeration values the job added with `--create-missing`, removed
    /// because nothing of the job reached the store.
    pub values_removed: u64,
}

/// Deletes a job as its stage allows (see the module docs).
pub fn delete(store: &mut Store, job: &str) -> Result<Deleted, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let job = find(db, job)?;
    let deletable =
        matches!(job.status, Status::Failed | Status::Completed | Status::WaitingOnUser | Status::Queued);
    if !deletable {
        return Err(Error::WrongState {
            id: job.id,
            stage: job.stage.to_string(),
            status: job.status.to_string(),
            message: "a job can be deleted only when it is Failed, Completed, Waiting on User or Queued"
                .into(),
        });
    }
    let count = |sql: &str| -> Result<u64, Error> { db.query_row(sql, [job.id], |r| r.get(0)) };
    let staged_removed = count("SELECT count(*) FROM staged WHERE job_id = ?1 AND processed = 0")?;
    let rejected_removed = count("SELECT count(*) FROM rejected WHERE job_id = ?1")?;
    let records_kept = count("SELECT count(*) FROM records WHERE job_id = ?1")?;
    // Before matching nothing reached the store, so the values the job added go too.
    let values_removed = if matches!(job.stage, Stage::ImportIntoStaging | Stage::ReviewStagedData) {
        db.execute("DELETE FROM target_values WHERE job_id = ?1", [job.id])? as u64
    } else {
        0
    };
    db.execute("DELETE FROM jobs WHERE id = ?1", [job.id])?;
    tx.commit()?;
    Ok(Deleted { job, staged_removed, rejected_removed, records_kept, values_removed })
}

/// A job about to be recorded by an import: what the user asked for.
pub(crate) struct NewJob<'a> {
    pub kind: RecordKind,
    pub description: &'a str,
    pub source_type: Option<&'a str>,
    pub source: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub create_missing: bool,
    pub no_update: bool,
    /// The target the job maps onto, as JSON.
    pub target: &'a str,
}

/// Records a job that starts staging (Import into Staging / Running), inside
/// the staging transaction; returns its id.
pub(crate) fn insert_running(db: Db<'_>, job: &NewJob<'_>) -> Result<i64, Error> {
    replace_failed(db, job.description)?;
    db.execute(
        "INSERT INTO jobs (kind, description, source_type, source, owner, stage, status, created_at, started_at,
                           create_missing, target, no_update)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11)",
        params![
            job.kind.as_str(),
            job.description,
            job.source_type,
            job.source,
            job.owner,
            Stage::ImportIntoStaging.label(),
            Status::Running.label(),
            store::now(),
            job.create_missing,
            job.target,
            job.no_update
        ],
    )?;
    Ok(db.last_insert_rowid())
}

/// Records a job that failed in Import into Staging, with its error and its
/// packages, in a transaction of its own (a Failed job of the same
/// description is replaced); returns its id.
pub(crate) fn record_failure(
    store: &mut Store,
    job: &NewJob<'_>,
    packages: &[PathBuf],
    message: &str,
) -> Result<i64, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    replace_failed(db, job.description)?;
    let now = store::now();
    db.execute(
        "INSERT INTO jobs (kind, description, source_type, source, owner, stage, status, created_at, started_at,
                           ended_at, create_missing, target, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9, ?10, ?11)",
        params![
            job.kind.as_str(),
            job.description,
            job.source_type,
            job.source,
            job.owner,
            Stage::ImportIntoStaging.label(),
            Status::Failed.label(),
            now,
            job.create_missing,
            job.target,
            message
        ],
    )?;
    let id = db.last_insert_rowid();
    for (seq, p) in packages.iter().enumerate() {
        db.execute(
            "INSERT INTO job_packages (job_id, seq, path) VALUES (?1, ?2, ?3)",
            params![id, seq as i64, p.display().to_string()],
        )?;
    }
    tx.commit()?;
    Ok(id)
}

/// Where a job of `kind` stands once staged: contacts wait in Review Staged
/// Data; leads skip that stage and are Queued in Review Match Results, ready
/// for `ferry match`.
pub(crate) fn after_staging(kind: RecordKind) -> (Stage, Status) {
    match kind {
        RecordKind::Contacts => (Stage::ReviewStagedData, Status::WaitingOnUser),
        RecordKind::Leads => (Stage::ReviewMatchResults, Status::Queued),
    }
}

/// Moves a staged job to the stage after staging with its counts and its
/// target (with the values `--create-missing` added), inside the staging
/// transaction.
pub(crate) fn record_staged(
    db: Db<'_>,
    id: i64,
    kind: RecordKind,
    counts: &Counts,
    target: &str,
) -> Result<(), Error> {
    let (stage, status) = after_staging(kind);
    db.execute(
        "UPDATE jobs SET stage = ?2, status = ?3, staged_at = ?4, rows_read = ?5, rows_staged = ?6,
                rows_rejected = ?7, records_staged = ?8, warnings = ?9, target = ?10
         WHERE id = ?1",
        params![
            id,
            stage.label(),
            status.label(),
            store::now(),
            counts.rows_read,
            counts.rows_staged,
            counts.rows_rejected,
            counts.records_staged,
            counts.warnings,
            target,
        ],
    )?;
    Ok(())
}

/// A description for a job given none: the first package's file name and the
/// time, numbered if that is taken.
pub(crate) fn default_description(store: &Store, first: &Path) -> Result<String, Error> {
    let name = first.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    let base = format!("{name} {}", store::now());
    let mut candidate = base.clone();
    let mut n = 2;
    while description_owner(store.db(), &candidate)?.is_some() {
        candidate = format!("{base} ({n})");
        n += 1;
    }
    Ok(candidate)
}

fn description_owner(db: Db<'_>, description: &str) -> Result<Option<Job>, Error> {
    let id: Option<i64> =
        db.query_opt("SELECT id FROM jobs WHERE description = ?1", [description], |r| r.get(0))?;
    match id {
        Some(id) => get(db, id),
        None => Ok(None),
    }
}

/// Refuses a description in use, unless its job failed in staging (it will be replaced).
pub(crate) fn check_description(db: Db<'_>, description: &str) -> Result<(), Error> {
    match description_owner(db, description)? {
        Some(j) if !(j.stage == Stage::ImportIntoStaging && j.status == Status::Failed) => {
            Err(Error::DuplicateDescription { description: description.to_string(), id: j.id })
        }
        _ => Ok(()),
    }
}

/// Removes a Failed job with this description (a re-run replaces it).
fn replace_failed(db: Db<'_>, description: &str) -> Result<(), Error> {
    if let Some(j) = description_owner(db, description)? {
        if j.stage == Stage::ImportIntoStaging && j.status == Status::Failed {
            db.execute("DELETE FROM jobs WHERE id = ?1", [j.id])?;
        } else {
            return Err(Error::DuplicateDescription { description: description.to_string(), id: j.id });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_loosely() {
        assert_eq!(Stage::parse("review-staged-data"), Some(Stage::ReviewStagedData));
        assert_eq!(Stage::parse("Review Match Results"), Some(Stage::ReviewMatchResults));
        assert_eq!(Status::parse("waiting-on-user"), Some(Status::WaitingOnUser));
        assert_eq!(Status::parse("nope"), None);
        assert_eq!(parse_kind("Lead"), Some(RecordKind::Leads));
    }

    #[test]
    fn time_bounds() {
        assert_eq!(parse_time_bound("2026-11-21").unwrap(), "2026-11-21T00:00:00Z");
        assert_eq!(parse_time_bound("2026-11-21T17:05:09+01:00").unwrap(), "2026-11-21T16:05:09Z");
        assert!(parse_time_bound("yesterday").unwrap_err().to_string().contains("`yesterday`"));
    }
}
