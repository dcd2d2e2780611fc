//! Completing an import job (carrying out each staged record's chosen
//! action) and undoing a completed one.
//!
//! [`complete`] is one transaction: a crash leaves the store as before it or
//! as after it. In staged-id order, each unprocessed record's action
//! ([`Decision`]) is carried out:
//!
//! - Create: a new record (when its key is already taken, it updates that
//!   record instead; not in a job imported with `--no-update`, where the new
//!   record keeps the key as data only, see [`crate::keys`]);
//! - Merge: [`merge::merge`] into the chosen existing record, or into the
//!   record that an earlier staged record of the job became (`--within`);
//!   the existing values win except the profile's `importWins` fields;
//! - Update (key equal): a merge in which the import wins every field it
//!   has; fields and subcollection entries it lacks stay;
//! - Delete: nothing reaches the store.
//!
//! Every record written gets a before-image (its JSON before, or none when
//! created) and an after-image; the staged rows are marked processed and the
//! job goes to Completed / Completed with its end time.
//!
//! [`undo`] reverts a completed job from its before-images in one
//! transaction: created records are deleted, merged and updated ones
//! restored. It refuses, naming them, when any of those records changed since
//! (its current JSON differs from the after-image, another job wrote it
//! since, or it is gone). The job
//! goes back to Review Match Results / Waiting on User with its staged
//! records unprocessed and their chosen actions kept, so it can be reviewed
//! and completed again (or deleted).

use std::collections::HashMap;

use ferry_mapper::progress::{self, NoReporter, Reporter, Throttle};
use ferry_mapper::record::Record;
use rusqlite::params;
use serde::Serialize;

use crate::db::Tx;
use crate::error::Undecided;
use crate::job::{self, Job, Stage, Status};
use crate::keys;
use crate::matching::merge;
use crate::matchjob::{Decision, STAGED_CHUNK, job_profile, staged_chunk};
use crate::store::{self, Store};
use crate::{Db, Error};

/// What completing a job did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompleteSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    pub created: u64,
    pub merged: u64,
    pub updated: u64,
    pub discarded: u64,
}

fn record_json(record: &Record) -> String {
    serde_json::to_string(record).expect("records serialize")
}

fn external_key_owner(db: Db<'_>, kind: &str, key: &str) -> Result<Option<i64>, Error> {
    db.prepare_cached("SELECT id FROM records WHERE kind = ?1 AND external_key = ?2")?
        .query_opt([kind, key], |r| r.get(0))
}

/// `key` when no record other than `me` holds it, else none: a record's key
/// stays unique (with `--no-update`, a record created beside the key's owner
/// keeps the key as data only).
fn free_key(db: Db<'_>, kind: &str, key: Option<String>, me: Option<i64>) -> Result<Option<String>, Error> {
    let Some(k) = key else { return Ok(None) };
    Ok(match external_key_owner(db, kind, &k)? {
        Some(owner) if Some(owner) != me => None,
        _ => Some(k),
    })
}

/// Carries out a job's chosen actions (see the module docs), as one large
/// write ([`Store::bulk`]).
pub fn complete(store: &mut Store, job: &str) -> Result<CompleteSummary, Error> {
    complete_reporting(store, job, &NoReporter)
}

/// [`complete`], reporting the staged records carried out ([`Stage::Completing`](progress::Stage::Completing)).
pub fn complete_reporting(
    store: &mut Store,
    job: &str,
    reporter: &dyn Reporter,
) -> Result<CompleteSummary, Error> {
    store.bulk(|store| complete_in_one_transaction(store, job, reporter))?.0
}

fn complete_in_one_transaction(
    store: &mut Store,
    job: &str,
    reporter: &dyn Reporter,
) -> Result<CompleteSummary, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = job::find(db, job)?;
    if !(found.stage == Stage::ReviewMatchResults && found.status == Status::WaitingOnUser) {
        let message = match (found.stage, found.status) {
            (Stage::ReviewMatchResults, Status::Queued) => {
                format!("match it first (`ferry match {}`)", found.id)
            }
            (Stage::ReviewStagedData, _) => format!(
                "submit and match it first (`ferry staged {} --submit`, then `ferry match {}`)",
                found.id, found.id
            ),
            (Stage::Completed, _) => "it is completed already".to_string(),
            _ => "only a matched job (Review Match Results / Waiting on User) can be completed".to_string(),
        };
        return Err(Error::WrongState {
            id: found.id,
            stage: found.stage.to_string(),
            status: found.status.to_string(),
            message,
        });
    }
    let kind = found.kind;
    let profile = job_profile(db, &found)?;
    let target_def = crate::staged::job_target(db, found.id)?;
    let by_key = keys::updates_by_key(db, found.id)?;
    let mut summary = CompleteSummary::default();
    // The record each processed staged record became, for `--within` merges.
    let mut became: HashMap<i64, i64> = HashMap::new();
    let mut seq = 0i64;
    reporter.on_stage(progress::Stage::Completing, Some(found.counts.records_remaining));
    let mut done = Throttle::new(reporter, 0);
    {
        let mut choice =
            db.prepare("SELECT action, match_record_id, match_staged_id FROM staged WHERE id = ?1")?;
        // The first write of a record keeps its before-image; every write
        // sets the after-image, so the last leaves the record as the job left it.
        let mut image = db.prepare(
            "INSERT INTO before_images (job_id, record_id, seq, action, before, before_job_id, after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (job_id, record_id) DO UPDATE SET after = excluded.after",
        )?;
        let mut writer_of = db.prepare("SELECT job_id FROM records WHERE id = ?1")?;
        let mut processed = db.prepare("UPDATE staged SET processed = 1 WHERE id = ?1")?;
        // Pages of staged records, so memory stays bounded on big jobs.
        let mut page = Vec::new();
        let mut last = 0;
        loop {
            if page.is_empty() {
                page = staged_chunk(db, found.id, last, STAGED_CHUNK)?;
                page.reverse();
            }
            let Some((staged_id, record)) = page.pop() else { break };
            done.tick();
            last = staged_id;
            let (staged_id, record) = (&staged_id, &record);
            let (action, record_id, staged_other): (Option<String>, Option<i64>, Option<i64>) =
                choice.query_row([staged_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let decision =
                action.as_deref().and_then(|a| Decision::parse(a, kind)).ok_or(Error::Undecided {
                    job: found.id,
                    staged: *staged_id,
                    problem: Undecided::NoAction,
                })?;
            let key = keys::key_of(&target_def, record);
            let key_owner = match &key {
                Some(k) if by_key => external_key_owner(db, kind.as_str(), k)?,
                _ => None,
            };
            // Create with a taken key, and Update, write into the key's owner.
            let (decision, target) = match decision {
                Decision::Delete => {
                    summary.discarded += 1;
                    processed.execute([staged_id])?;
                    continue;
                }
                Decision::Create | Decision::Update if key_owner.is_some() => (Decision::Update, key_owner),
                Decision::Update => (Decision::Update, record_id),
                Decision::Create => (Decision::Create, None),
                Decision::Merge => {
                    let target = match (record_id, staged_other) {
                        (Some(id), _) => Some(id),
                        (None, Some(other)) => became.get(&other).copied(),
                        (None, None) => None,
                    };
                    match target {
                        Some(t) => (Decision::Merge, Some(t)),
                        // Its staged partner was dropped: nothing to merge into.
                        None if staged_other.is_some() => (Decision::Create, None),
                        None => {
                            return Err(Error::Undecided {
                                job: found.id,
                                staged: *staged_id,
                                problem: Undecided::NoMatch,
                            });
                        }
                    }
                }
            };
            let id = match (decision, target) {
                (Decision::Create, _) => {
                    let key = free_key(db, kind.as_str(), key, None)?;
                    let id = store::insert_record(db, kind, record, key.as_deref(), Some(found.id))?;
                    image.execute(params![
                        found.id,
                        id,
                        seq,
                        "Create",
                        None::<String>,
                        None::<i64>,
                        record_json(record)
                    ])?;
                    summary.created += 1;
                    id
                }
                (_, Some(target)) => {
                    let existing = store::load_record(db, target)?.ok_or(Error::Undecided {
                        job: found.id,
                        staged: *staged_id,
                        problem: Undecided::MatchGone(target),
                    })?;
                    let before_job: Option<i64> = writer_of.query_row([target], |r| r.get(0))?;
                    let wins: Vec<String> = if decision == Decision::Update {
                        record.fields.keys().cloned().collect()
                    } else {
                        profile.import_wins.clone()
                    };
                    let (merged, _report) = merge::merge(&existing, record, &wins);
                    image.execute(params![
                        found.id,
                        target,
                        seq,
                        decision.as_str(),
                        Some(record_json(&existing)),
                        before_job,
                        record_json(&merged)
                    ])?;
                    let key = free_key(db, kind.as_str(), keys::key_of(&target_def, &merged), Some(target))?;
                    store::replace_record(db, target, kind, &merged, key.as_deref(), Some(found.id))?;
                    if decision == Decision::Update {
                        summary.updated += 1;
                    } else {
                        summary.merged += 1;
                    }
                    target
                }
                (_, None) => unreachable!("merges and updates have a target"),
            };
            seq += 1;
            became.insert(*staged_id, id);
            processed.execute([staged_id])?;
        }
    }
    done.flush();
    db.execute(
        "UPDATE jobs SET stage = ?2, status = ?3, ended_at = ?4 WHERE id = ?1",
        params![found.id, Stage::Completed.label(), Status::Completed.label(), store::now()],
    )?;
    tx.commit()?;
    summary.job = job::get(store.db(), found.id)?;
    Ok(summary)
}

/// What undoing a job did.
#[derive(Debug, Clone, Serialize)]
pub struct UndoSummary {
    pub job: Job,
    /// Records the job had created, now deleted.
    pub removed: u64,
    /// Records the job had merged into or updated, now restored.
    pub restored: u64,
}

/// Reverts a completed job (see the module docs), as one large write
/// ([`Store::bulk`]).
pub fn undo(store: &mut Store, job: &str) -> Result<UndoSummary, Error> {
    store.bulk(|store| undo_in_one_transaction(store, job))?.0
}

fn undo_in_one_transaction(store: &mut Store, job: &str) -> Result<UndoSummary, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = job::find(db, job)?;
    if found.stage != Stage::Completed {
        return Err(Error::WrongState {
            id: found.id,
            stage: found.stage.to_string(),
            status: found.status.to_string(),
            message: "only a completed job can be undone".into(),
        });
    }
    // Images are read twice, streamed (a job may have written millions of
    // records): first to find records changed since, then to restore.
    let (mut changed, mut changed_count) = (Vec::new(), 0usize);
    {
        let mut images =
            db.prepare("SELECT record_id, after FROM before_images WHERE job_id = ?1 ORDER BY record_id")?;
        let mut meta = db.prepare("SELECT job_id, legacy_id FROM records WHERE id = ?1")?;
        let mut rows = images.query([found.id])?;
        while let Some(row) = rows.next()? {
            let (id, after): (i64, String) = (row.get(0)?, row.get(1)?);
            let now = store::load_record(db, id)?;
            let (writer, legacy): (Option<i64>, Option<String>) =
                meta.query_opt([id], |r| Ok((r.get(0)?, r.get(1)?)))?.unwrap_or_default();
            // Another job that wrote the record since (even the same values) owns it now.
            if now.as_ref().map(record_json).as_deref() != Some(after.as_str()) || writer != Some(found.id) {
                changed_count += 1;
                if changed.len() < 10 {
                    changed.push(match (now, legacy) {
                        (None, _) => format!("record {id} (deleted)"),
                        (Some(_), Some(l)) => format!("record {id} (`{l}`)"),
                        (Some(_), None) => format!("record {id}"),
                    });
                }
            }
        }
    }
    if !changed.is_empty() {
        let mut list = changed.join(", ");
        if changed_count > changed.len() {
            list.push_str(&format!(" and {} more", changed_count - changed.len()));
        }
        return Err(Error::UndoBlocked { job: found.id, changed: list });
    }
    let kind = found.kind;
    let target_def = crate::staged::job_target(db, found.id)?;
    let (mut removed, mut restored) = (0, 0);
    {
        let mut images = db.prepare(
            "SELECT record_id, before, before_job_id FROM before_images WHERE job_id = ?1 ORDER BY record_id",
        )?;
        let mut job_exists = db.prepare("SELECT id FROM jobs WHERE id = ?1")?;
        let mut rows = images.query([found.id])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let before: Option<String> = row.get(1)?;
            let before_job: Option<i64> = row.get(2)?;
            match before {
                None => {
                    store::delete_record(db, id)?;
                    removed += 1;
                }
                Some(json) => {
                    let record: Record = serde_json::from_str(&json).map_err(|e| {
                        Error::unreadable(
                            db.path(),
                            format!("job {}'s before-image of record {id}", found.id),
                            e,
                        )
                    })?;
                    // The job that wrote it before may have been deleted since.
                    let before_job = match before_job {
                        Some(j) => job_exists.query_opt([j], |r| r.get::<_, i64>(0))?,
                        None => None,
                    };
                    let key = free_key(db, kind.as_str(), keys::key_of(&target_def, &record), Some(id))?;
                    store::replace_record(db, id, kind, &record, key.as_deref(), before_job)?;
                    restored += 1;
                }
            }
        }
    }
    db.execute("DELETE FROM before_images WHERE job_id = ?1", [found.id])?;
    db.execute("UPDATE staged SET processed = 0 WHERE job_id = ?1", [found.id])?;
    db.execute("UPDATE jobs SET ended_at = NULL WHERE id = ?1", [found.id])?;
    job::set_state(db, found.id, Stage::ReviewMatchResults, Status::WaitingOnUser)?;
    tx.commit()?;
    let job = job::get(store.db(), found.id)?.expect("exists");
    Ok(UndoSummary { job, removed, restored })
}
