//! Matching an import job: scoring its staged records against the store's
//! records (and, with `within`, against each other), keeping the best few
//! candidates of each, classifying them and proposing an action.
//!
//! [`match_job`] runs in one transaction. A job must be in Review Match
//! Results, Queued (never matched) or Waiting on User (matched before: the
//! earlier results of its unprocessed records are replaced). Afterwards it is
//! in Review Match Results / Waiting on User.
//!
//! What is stored, per unprocessed staged record:
//!
//! - `match_candidates` rows (best first, `rank` from 0): an existing record
//!   (`record_id`) or, with `within`, another staged record of the job
//!   (`staged_other_id`), with the quality and the agreeing-field bits;
//! - in `staged`: `class` (the label of [`MatchClass`]), `quality` (the best
//!   candidate's), `proposed` and `action` (the chosen action, initially the
//!   proposed one; see [`Decision`]), `match_record_id` or `match_staged_id`:
//!   the record to merge with (Match) or the best candidate shown to a
//!   reviewer (Potential Match, proposed Create).
//!
//! Within the job, a pair of duplicates is merged one way only: the later
//! staged record (higher id) merges into the earlier one, which is created (or
//! itself merged), so the proposals never form a cycle and `complete` can
//! carry them out in id order. The candidate lists of both records still
//! show each other. Candidates among existing records come before staged ones
//! of equal quality, then lower ids.
//!
//! A staged record whose key (its external id) equals an existing record's
//! is an [`Decision::Update`] of that record, whatever its score.

use std::collections::HashMap;
use std::path::Path;

use ferry_mapper::record::{Instance, Record};
use ferry_mapper::target::RecordKind;
use rayon::prelude::*;
use rusqlite::params;
use serde::Serialize;

use crate::db::Tx;
use crate::job::{self, Job, Stage, Status};
use crate::matching::learn::{self, LearnOptions, LearnReport};
use crate::matching::{
    self, Comparer, Explanation, FieldScore, Level, Limits, MatchClass, MatchInput, MatchingProfile,
};
use crate::store::Store;
use crate::{Db, Error};

pub use crate::matching::Decision;

/// A stored class or decision is read through its `FromStr`: a text that
/// is not one is an error of the store naming the text.
fn from_stored<T: std::str::FromStr<Err = crate::matching::UnknownText>>(
    value: rusqlite::types::ValueRef<'_>,
) -> rusqlite::types::FromSqlResult<T> {
    value.as_str()?.parse().map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
}

impl rusqlite::types::FromSql for Decision {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Decision> {
        from_stored(value)
    }
}

impl rusqlite::types::FromSql for MatchClass {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<MatchClass> {
        from_stored(value)
    }
}

/// What to match and how.
#[derive(Debug, Clone, Default)]
pub struct MatchOptions {
    /// Also match the job's staged records against each other.
    pub within: bool,
    /// The matching profile; `None`: the bundled one of the job's kind.
    pub profile: Option<MatchingProfile>,
    /// Bytes the run may use ([`crate::memory`]); `None`: half the machine's memory.
    pub memory: Option<u64>,
}

/// The result of matching a job.
#[derive(Debug, Clone, Serialize)]
pub struct MatchSummary {
    pub job: Job,
    /// Staged records matched.
    pub records: u64,
    /// Existing records compared against.
    pub existing: u64,
    pub matches: u64,
    pub potential_matches: u64,
    pub non_matches: u64,
    /// Records whose key equals an existing record's (proposed Update).
    pub updates: u64,
    /// Proposed actions: Create, Merge, Update, Delete.
    pub proposed: std::collections::BTreeMap<&'static str, u64>,
    /// Blocks too large to compare in full, split on a stricter key.
    pub split_blocks: u64,
    /// Pairs of those blocks that were not scored (an upper bound on the
    /// candidates this could miss); 0 when no block was split.
    pub uncompared_pairs: u64,
}

/// A candidate as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    quality: u32,
    agreeing: u32,
    /// Existing record id, or staged id when `staged`.
    id: i64,
    staged: bool,
    /// Index in the staged or existing inputs.
    index: usize,
}

/// A job's records prepared for matching.
struct Inputs {
    staged: Vec<MatchInput>,
    /// The staged records' keys (external ids).
    staged_keys: Vec<Option<String>>,
    existing: Vec<MatchInput>,
}

/// Prepares a job's unprocessed staged records and the store's records of
/// its kind; only their prepared values (and the staged keys) are kept.
fn load_inputs(db: Db<'_>, job: &Job, comparer: &Comparer) -> Result<Inputs, Error> {
    // A job imported with `--no-update` proposes no update by key.
    let target = crate::staged::job_target(db, job.id)?;
    let by_key = crate::keys::updates_by_key(db, job.id)?;
    let (mut staged, mut staged_keys) = (Vec::new(), Vec::new());
    let mut after = 0;
    loop {
        let chunk = staged_chunk(db, job.id, after, STAGED_CHUNK)?;
        let Some(last) = chunk.last() else { break };
        after = last.0;
        staged.par_extend(
            chunk.par_iter().map(|(id, r)| MatchInput { id: *id, prepared: comparer.prepare(r) }),
        );
        for (_, record) in &chunk {
            staged_keys.push(if by_key { crate::keys::key_of(&target, record) } else { None });
        }
    }
    // Records are read one by one and prepared a batch at a time on every core.
    let mut existing: Vec<MatchInput> = Vec::new();
    let mut batch: Vec<(i64, Record)> = Vec::with_capacity(STAGED_CHUNK);
    let prepare = |batch: &mut Vec<(i64, Record)>, existing: &mut Vec<MatchInput>| {
        existing
            .par_extend(batch.par_drain(..).map(|(id, r)| MatchInput { id, prepared: comparer.prepare(&r) }));
    };
    for_each_record(db, job.kind, |id, r| {
        batch.push((id, r));
        if batch.len() == STAGED_CHUNK {
            prepare(&mut batch, &mut existing);
        }
    })?;
    prepare(&mut batch, &mut existing);
    Ok(Inputs { staged, staged_keys, existing })
}

/// A candidate's explanation as stored: per field its level (one byte) and
/// its contribution in hundredths (two bytes, little-endian).
pub fn encode_explanation(e: &Explanation) -> Vec<u8> {
    let mut out = Vec::with_capacity(3 * e.fields.len());
    for f in &e.fields {
        out.push(f.level as u8);
        let c = (f.contribution * 100.0).round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
        out.extend_from_slice(&c.to_le_bytes());
    }
    out
}

/// Reads [`encode_explanation`] back (unknown levels read as `else`).
pub fn decode_explanation(bytes: &[u8]) -> Vec<FieldScore> {
    bytes
        .chunks_exact(3)
        .map(|c| FieldScore {
            level: Level::ALL.get(usize::from(c[0])).copied().unwrap_or(Level::Else),
            contribution: f64::from(i16::from_le_bytes([c[1], c[2]])) / 100.0,
        })
        .collect()
}

/// The profile a job was matched with (stored at match time), else the
/// bundled one of its kind.
pub fn job_profile(db: Db<'_>, job: &Job) -> Result<MatchingProfile, Error> {
    let text: Option<String> =
        db.query_row("SELECT matching_profile FROM jobs WHERE id = ?1", [job.id], |r| r.get(0))?;
    match text {
        Some(t) => MatchingProfile::from_json(&t, Path::new(&format!("job {} matching profile", job.id)))
            .map_err(Error::Matching),
        None => Ok(MatchingProfile::for_kind(job.kind)),
    }
}

/// Calls `f` with every record of `kind` (id order) with its instances,
/// one at a time (two cursors merged by id), so that memory holds only what
/// `f` keeps.
pub fn for_each_record(db: Db<'_>, kind: RecordKind, mut f: impl FnMut(i64, Record)) -> Result<(), Error> {
    let path = db.path();
    let unreadable = |id: i64, what: &str, e: serde_json::Error| {
        Error::unreadable(path, format!("the {what} of record {id}"), e)
    };
    let mut records = db.prepare("SELECT id, fields FROM records WHERE kind = ?1 ORDER BY id")?;
    let mut instances = db.prepare(
        // Ordered by the records' id (the order the kind index yields), so
        // SQLite sorts nothing.
        "SELECT i.record_id, i.subcollection, i.type_name, i.instance, i.attributes
             FROM records r JOIN record_instances i ON i.record_id = r.id
             WHERE r.kind = ?1 ORDER BY r.id, i.id",
    )?;
    let mut rows = records.query([kind.as_str()])?;
    let mut inst_rows = instances.query([kind.as_str()])?;
    // Rows are read as text one by one and their JSON parsed a batch at a
    // time on every core.
    struct Raw {
        id: i64,
        fields: String,
        instances: Vec<(String, String, u32, String)>,
    }
    let parse = |raw: &Raw| -> Result<Record, Error> {
        let fields = serde_json::from_str(&raw.fields).map_err(|e| unreadable(raw.id, "fields", e))?;
        let instances = raw
            .instances
            .iter()
            .map(|(subcollection, type_name, instance, attributes)| {
                Ok(Instance {
                    subcollection: subcollection.clone(),
                    type_name: type_name.clone(),
                    instance: *instance,
                    attributes: serde_json::from_str(attributes)
                        .map_err(|e| unreadable(raw.id, "instances", e))?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Record { fields, instances })
    };
    let mut flush = |batch: &mut Vec<Raw>| -> Result<(), Error> {
        let parsed: Vec<Result<Record, Error>> = batch.par_iter().map(parse).collect();
        for (raw, record) in batch.drain(..).zip(parsed) {
            f(raw.id, record?);
        }
        Ok(())
    };
    let mut batch: Vec<Raw> = Vec::with_capacity(STAGED_CHUNK);
    type RawInstance = (i64, (String, String, u32, String));
    let next_instance = |rows: &mut crate::db::Rows<'_>| -> Result<Option<RawInstance>, Error> {
        let Some(i) = rows.next()? else { return Ok(None) };
        Ok(Some((i.get(0)?, (i.get(1)?, i.get(2)?, i.get(3)?, i.get(4)?))))
    };
    let mut pending = next_instance(&mut inst_rows)?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let mut raw = Raw { id, fields: row.get(1)?, instances: Vec::new() };
        while let Some((owner, _)) = &pending {
            if *owner > id {
                break;
            }
            let (owner, instance) = pending.take().expect("checked");
            if owner == id {
                raw.instances.push(instance);
            }
            pending = next_instance(&mut inst_rows)?;
        }
        batch.push(raw);
        if batch.len() == STAGED_CHUNK {
            flush(&mut batch)?;
        }
    }
    flush(&mut batch)
}

/// Staged records read at once by [`staged_chunk`] (bounds memory on big jobs).
pub const STAGED_CHUNK: usize = 4096;

/// Up to `limit` of a job's unprocessed staged records with ids above
/// `after`, in id order (callers page through a job with the last id seen).
pub fn staged_chunk(db: Db<'_>, job_id: i64, after: i64, limit: usize) -> Result<Vec<(i64, Record)>, Error> {
    let mut st = db.prepare_cached(
        "SELECT id, record FROM staged WHERE job_id = ?1 AND processed = 0 AND id > ?2 ORDER BY id LIMIT ?3",
    )?;
    let rows = st.query_map(params![job_id, after, limit as i64], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    let raw: Vec<(i64, String)> = rows.collect::<Result<_, _>>()?;
    // Decoded on every core.
    let path = db.path();
    raw.into_par_iter()
        .map(|(id, json)| {
            let record: Record = crate::codec::decode(&json)
                .map_err(|e| Error::unreadable(path, format!("staged record {id}"), e))?;
            Ok((id, record))
        })
        .collect()
}

/// Checks that a job can be matched (or re-matched).
fn check_matchable(job: &Job) -> Result<(), Error> {
    let ok = job.stage == Stage::ReviewMatchResults
        && matches!(job.status, Status::Queued | Status::WaitingOnUser);
    if ok {
        return Ok(());
    }
    let message = match job.stage {
        Stage::ReviewStagedData => {
            format!("submit its staged records first (`ferry staged {} --submit`)", job.id)
        }
        Stage::Completed => "it is completed already".to_string(),
        _ => "only a job in Review Match Results (Queued or Waiting on User) can be matched".to_string(),
    };
    Err(Error::WrongState {
        id: job.id,
        stage: job.stage.to_string(),
        status: job.status.to_string(),
        message,
    })
}

/// Matches a job's unprocessed staged records (see the module docs), as one
/// large write ([`Store::bulk`]).
pub fn match_job(
    store: &mut Store,
    job: &str,
    options: &MatchOptions,
    reporter: &(dyn matching::Reporter + Sync),
) -> Result<MatchSummary, Error> {
    store.bulk(|store| match_in_one_transaction(store, job, options, reporter))?.0
}

fn match_in_one_transaction(
    store: &mut Store,
    job: &str,
    options: &MatchOptions,
    reporter: &(dyn matching::Reporter + Sync),
) -> Result<MatchSummary, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = job::find(db, job)?;
    check_matchable(&found)?;
    let kind = found.kind;
    let profile = options.profile.clone().unwrap_or_else(|| MatchingProfile::for_kind(kind));
    if profile.kind != kind {
        return Err(Error::ProfileKind { which: "matching", profile: profile.kind, job: found.id, kind });
    }
    let limits = limits_for(db, &found, options.memory, options.within)?;
    let mut comparer = Comparer::new(&profile);
    let keep = profile.candidates.max(1);
    let Inputs { staged: mut staged_inputs, staged_keys, existing: mut existing_inputs } =
        load_inputs(db, &found, &comparer)?;
    comparer.count_terms(staged_inputs.iter().chain(&existing_inputs).map(|r| &r.prepared));
    for r in staged_inputs.iter_mut().chain(existing_inputs.iter_mut()) {
        comparer.weigh(&mut r.prepared);
    }
    let keys: HashMap<String, i64> = {
        let mut st =
            db.prepare("SELECT external_key, id FROM records WHERE kind = ?1 AND external_key IS NOT NULL")?;
        let rows = st.query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, Error>>()?
    };

    let against =
        matching::match_records_within(&comparer, &staged_inputs, Some(&existing_inputs), reporter, &limits);
    let within = if options.within {
        Some(matching::match_records_within(&comparer, &staged_inputs, None, reporter, &limits))
    } else {
        None
    };
    let split_blocks = against.split_blocks + within.as_ref().map_or(0, |w| w.split_blocks);
    let uncompared_pairs = against.uncompared + within.as_ref().map_or(0, |w| w.uncompared);
    let against = against.outcomes;
    let within = within.map(|w| w.outcomes);

    db.execute(
        "DELETE FROM match_candidates WHERE staged_id IN
           (SELECT id FROM staged WHERE job_id = ?1 AND processed = 0)",
        [found.id],
    )?;
    let mut summary = MatchSummary {
        job: found.clone(),
        records: staged_inputs.len() as u64,
        existing: existing_inputs.len() as u64,
        matches: 0,
        potential_matches: 0,
        non_matches: 0,
        updates: 0,
        proposed: Default::default(),
        split_blocks,
        uncompared_pairs,
    };
    {
        let mut insert = db
            .prepare(
                "INSERT INTO match_candidates (staged_id, rank, record_id, staged_other_id, quality, agreeing, explain)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
        let mut update = db.prepare(
            "UPDATE staged SET class = ?2, quality = ?3, proposed = ?4, action = ?4,
                        match_record_id = ?5, match_staged_id = ?6
                 WHERE id = ?1",
        )?;
        // Each staged record's final list and its explanations, a chunk at a
        // time on every core, then written in order.
        let final_list = |i: usize| -> (Vec<Found>, Vec<Vec<u8>>) {
            let input = &staged_inputs[i];
            let mut list: Vec<Found> = against[i]
                .candidates
                .iter()
                .map(|c| Found {
                    quality: c.quality,
                    agreeing: c.agreeing,
                    id: existing_inputs[c.index].id,
                    staged: false,
                    index: c.index,
                })
                .collect();
            if let Some(within) = &within {
                list.extend(within[i].candidates.iter().map(|c| Found {
                    quality: c.quality,
                    agreeing: c.agreeing,
                    id: staged_inputs[c.index].id,
                    staged: true,
                    index: c.index,
                }));
            }
            list.sort_by(|a, b| {
                b.quality.cmp(&a.quality).then(a.staged.cmp(&b.staged)).then(a.id.cmp(&b.id))
            });
            list.truncate(keep);
            let explained = list
                .iter()
                .map(|c| {
                    let other = if c.staged { &staged_inputs[c.index] } else { &existing_inputs[c.index] };
                    encode_explanation(&comparer.explain(&input.prepared, &other.prepared))
                })
                .collect();
            (list, explained)
        };
        let mut lists = Vec::new();
        for (i, input) in staged_inputs.iter().enumerate() {
            if i % STAGED_CHUNK == 0 {
                let end = (i + STAGED_CHUNK).min(staged_inputs.len());
                lists.clear();
                lists.par_extend((i..end).into_par_iter().map(final_list));
            }
            let (list, explained) = &lists[i % STAGED_CHUNK];
            let staged_id = &input.id;
            for (rank, (c, explanation)) in list.iter().zip(explained).enumerate() {
                insert.execute(params![
                    staged_id,
                    rank as i64,
                    (!c.staged).then_some(c.id),
                    c.staged.then_some(c.id),
                    c.quality,
                    c.agreeing,
                    explanation
                ])?;
            }
            // Merge targets: the best existing record, or the best earlier staged one.
            let best = list.iter().find(|c| !c.staged || c.id < *staged_id).copied();
            let quality = list.first().map_or(0, |c| c.quality);
            let class = profile.classify(quality);
            let merge_class = best.map_or(MatchClass::NonMatch, |b| profile.classify(b.quality));
            let (decision, record_id, staged_other) = match staged_keys[i].as_ref().and_then(|k| keys.get(k))
            {
                Some(&id) => (Decision::Update, Some(id), None),
                // A Potential Match proposes Create but names its best
                // candidate, so a reviewer only has to change the action.
                None => {
                    let decision =
                        if merge_class == MatchClass::Match { Decision::Merge } else { Decision::Create };
                    match best {
                        Some(b) if b.staged => (decision, None, Some(b.id)),
                        Some(b) => (decision, Some(b.id), None),
                        None => (Decision::Create, None, None),
                    }
                }
            };
            match class {
                MatchClass::Match => summary.matches += 1,
                MatchClass::Potential => summary.potential_matches += 1,
                MatchClass::NonMatch => summary.non_matches += 1,
            }
            if decision == Decision::Update {
                summary.updates += 1;
            }
            *summary.proposed.entry(decision.as_str()).or_default() += 1;
            update.execute(params![
                staged_id,
                class.label(),
                list.first().map(|c| c.quality as f64),
                decision.as_str(),
                record_id,
                staged_other
            ])?;
        }
    }
    db.execute(
        "UPDATE jobs SET matching_profile = ?2, matched_at = ?3 WHERE id = ?1",
        params![found.id, profile.to_json(), crate::store::now()],
    )?;
    job::set_state(db, found.id, Stage::ReviewMatchResults, Status::WaitingOnUser)?;
    tx.commit()?;
    summary.job = job::get(store.db(), found.id)?.expect("exists");
    Ok(summary)
}

/// What `learn` starts from.
#[derive(Debug, Clone, Default)]
pub struct LearnJobOptions {
    /// The profile whose fields (and, when probabilistic, levels) are
    /// learned; `None`: the bundled one of the job's kind.
    pub base: Option<MatchingProfile>,
    pub learn: LearnOptions,
    /// Bytes the run may use ([`crate::memory`]); `None`: half the machine's memory.
    pub memory: Option<u64>,
}

/// The candidate-generation limits that keep matching `job` (its
/// unprocessed staged records against the store's records of its kind)
/// inside `memory`, checked before anything is loaded.
fn limits_for(db: Db<'_>, job: &Job, memory: Option<u64>, within: bool) -> Result<Limits, Error> {
    let count = |sql: &str, p: &dyn rusqlite::ToSql| -> Result<u64, Error> {
        db.query_row(sql, [p], |r| r.get::<_, i64>(0)).map(|n| n.max(0) as u64)
    };
    let staged = count("SELECT count(*) FROM staged WHERE job_id = ?1 AND processed = 0", &job.id)?;
    let existing = count("SELECT count(*) FROM records WHERE kind = ?1", &job.kind.as_str())?;
    // Matching within holds the staged records' variants once more.
    let records = staged + existing + if within { staged } else { 0 };
    let budget = memory.unwrap_or_else(crate::memory::default_budget);
    crate::memory::limits(budget, records).map_err(|short| Error::OverMemory { job: job.id, short })
}

/// Learns a probabilistic profile from a job's unprocessed staged records
/// and the store's records of its kind (or, when the store has none, from
/// the staged records against each other). Changes nothing in the store.
/// Its steps go to `reporter` (see [`learn::learn_reporting`]).
pub fn learn_job(
    store: &Store,
    job: &str,
    options: &LearnJobOptions,
    reporter: &(dyn matching::Reporter + Sync),
) -> Result<(Job, MatchingProfile, LearnReport), Error> {
    let db = store.db();
    let found = job::find(db, job)?;
    if found.stage == Stage::Completed || found.stage == Stage::ImportIntoStaging {
        return Err(Error::WrongState {
            id: found.id,
            stage: found.stage.to_string(),
            status: found.status.to_string(),
            message: "only a job with staged records to match can be learned from".into(),
        });
    }
    let base = options.base.clone().unwrap_or_else(|| MatchingProfile::for_kind(found.kind));
    if base.kind != found.kind {
        return Err(Error::ProfileKind {
            which: "base",
            profile: base.kind,
            job: found.id,
            kind: found.kind,
        });
    }
    let limits = limits_for(db, &found, options.memory, false)?;
    let skeleton = learn::skeleton(&base);
    let comparer = Comparer::new(&skeleton);
    let inputs = load_inputs(db, &found, &comparer)?;
    if inputs.staged.len() < 2 {
        return Err(Error::TooFewToLearn { job: found.id, staged: inputs.staged.len() });
    }
    let existing = (!inputs.existing.is_empty()).then_some(&inputs.existing[..]);
    let learn_options = LearnOptions { limits, ..options.learn };
    let (profile, report) =
        learn::learn_reporting(&skeleton, &inputs.staged, existing, &learn_options, reporter);
    Ok((found, profile, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{insert_record, load_record};
    use ferry_mapper::record::Value;

    #[test]
    fn records_stream_with_their_own_instances() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let db = store.db();
        let mut ids = Vec::new();
        for i in 0..5 {
            let mut r = Record::default();
            r.fields.insert("lastName".into(), Value::Text(format!("Name{i}")));
            // Records 1 and 3 have no instances; the others one or two.
            for n in 0..(i % 2 == 0) as u32 * (1 + i % 3) {
                r.instance_mut("Address", "Home", n + 1)
                    .attributes
                    .insert("zip".into(), Value::Text(format!("Z{i}{n}")));
            }
            ids.push(insert_record(db, RecordKind::Contacts, &r, None, None).unwrap());
        }
        let mut lead = Record::default();
        lead.fields.insert("lastName".into(), Value::Text("Lead".into()));
        lead.instance_mut("Address", "Home", 1).attributes.insert("zip".into(), Value::Text("L".into()));
        insert_record(db, RecordKind::Leads, &lead, None, None).unwrap();

        let mut seen = Vec::new();
        for_each_record(db, RecordKind::Contacts, |id, r| seen.push((id, r))).unwrap();
        assert_eq!(seen.len(), 5);
        for (id, r) in seen {
            assert_eq!(Some(r), load_record(db, id).unwrap(), "record {id}");
        }
    }
}
