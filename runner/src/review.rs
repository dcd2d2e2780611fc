//! Review of match results: listing a matched job's staged records with their
//! candidates, exporting them as CSV, and choosing actions (from a CSV, or in
//! bulk).
//!
//! Chosen actions start as the proposals of `ferry match`. The bulk choices:
//!
//! - accept all: every chosen action back to its proposal;
//! - accept the Matches at or above a quality: those keep (or get back) their
//!   proposal (Merge with the best candidate); Matches below it become Create,
//!   so only the surest matches are merged;
//! - apply a CSV (as [`export`] writes it, edited): each row's
//!   `chosen_action` with `match_record_id` (an existing record of the kind)
//!   or `match_staged_id` (an earlier staged record of the same job). Every
//!   row is checked first; one bad row applies nothing and the error names
//!   its line;
//! - the same choice for every record with the same values as a given one.

use std::path::Path;

use ferry_mapper::target::RecordKind;
use rusqlite::params;
use serde::Serialize;

use crate::csvout::ExcelCsv;
use crate::db::Tx;
use crate::job::{self, Job, Stage, Status};
use crate::matching::{Level, MatchClass};
use crate::matchjob::{Decision, decode_explanation};
use crate::store::Store;
use crate::{ChoiceProblem, Db, Error};

/// A candidate as reviewed.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewCandidate {
    /// An existing record's id, when the candidate is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<i64>,
    /// Another staged record's id (matching `--within`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staged_id: Option<i64>,
    pub legacy_id: Option<String>,
    pub quality: u32,
    /// The score field by field (empty for results matched before explanations were stored).
    pub explain: Vec<FieldExplanation>,
}

/// How one field of a candidate compared, and what it added to the score:
/// quality points (additive profiles) or bits of evidence (probabilistic ones).
#[derive(Debug, Clone, Serialize)]
pub struct FieldExplanation {
    pub field: String,
    pub label: String,
    pub level: Level,
    pub contribution: f64,
}

/// One line: `First Name exact +20, Last Name typo +30, Zip missing 0`.
pub fn explain_line(fields: &[FieldExplanation]) -> String {
    fields
        .iter()
        .map(|f| {
            let c = if f.contribution == 0.0 {
                "0".to_string()
            } else if f.contribution.fract() == 0.0 {
                format!("{:+}", f.contribution)
            } else {
                format!("{:+.2}", f.contribution)
            };
            format!("{} {} {c}", f.label, f.level.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl ReviewCandidate {
    fn describe(&self) -> String {
        let what = match (self.record_id, self.staged_id) {
            (Some(r), _) => format!("record {r}"),
            (None, Some(s)) => format!("staged {s}"),
            (None, None) => "?".into(),
        };
        match &self.legacy_id {
            Some(l) => format!("{what} ({l}) quality {}", self.quality),
            None => format!("{what} quality {}", self.quality),
        }
    }
}

/// A staged record with its match results.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    pub staged_id: i64,
    pub file: String,
    pub line: u64,
    pub legacy_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Leads: the import dialog's source type, source and owner, as stored
    /// on the lead (`--source-type`, `--source`, `--owner`, or its own columns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub class: Option<MatchClass>,
    pub quality: Option<u32>,
    pub proposed: Option<Decision>,
    pub chosen: Option<Decision>,
    pub match_record_id: Option<i64>,
    pub match_legacy_id: Option<String>,
    pub match_staged_id: Option<i64>,
    pub processed: bool,
    /// Best first.
    pub candidates: Vec<ReviewCandidate>,
}

impl ReviewRow {
    /// Whether a review walks this record: unprocessed ones only.
    pub fn to_review(&self) -> bool {
        !self.processed
    }

    /// The candidates this record may merge with, with their index in
    /// [`ReviewRow::candidates`]: existing records, and staged records
    /// before it (a lower id). Within a job the later record merges into
    /// the earlier one, never the other way, so merges never form a cycle
    /// (the rule matching `within` proposes by, and [`apply`] checks).
    pub fn mergeable(&self) -> impl Iterator<Item = (usize, &ReviewCandidate)> {
        self.candidates.iter().enumerate().filter(|(_, c)| match (c.record_id, c.staged_id) {
            (Some(_), _) => true,
            (None, Some(s)) => s < self.staged_id,
            (None, None) => false,
        })
    }
}

/// The order of a review walk: the records to review ([`ReviewRow::to_review`]),
/// the surest class first (Match, Potential Match, then Non-Match and
/// unmatched records), each class in staged-id order.
pub fn walk_order(mut rows: Vec<ReviewRow>) -> Vec<ReviewRow> {
    let rank = |r: &ReviewRow| match r.class {
        Some(MatchClass::Match) => 0,
        Some(MatchClass::Potential) => 1,
        Some(MatchClass::NonMatch) | None => 2,
    };
    rows.retain(ReviewRow::to_review);
    rows.sort_by_key(|r| (rank(r), r.staged_id));
    rows
}

/// The CSV columns of [`export`] for contacts; leads add [`LEAD_COLUMNS`]
/// after `last_name` (see [`export_columns`]).
pub const EXPORT_COLUMNS: &[&str] = &[
    "staged_id",
    "file",
    "line",
    "legacy_id",
    "first_name",
    "last_name",
    "class",
    "quality",
    "proposed_action",
    "chosen_action",
    "match_record_id",
    "match_legacy_id",
    "match_staged_id",
    "explanation",
    "other_candidates",
];

/// The lead's source fields in a review export.
pub const LEAD_COLUMNS: &[&str] = &["source_type", "source", "owner"];

/// The CSV columns of [`export`] for a job of `kind`.
pub fn export_columns(kind: RecordKind) -> Vec<&'static str> {
    let mut columns = EXPORT_COLUMNS.to_vec();
    if kind == RecordKind::Leads {
        let at = columns.iter().position(|c| *c == "last_name").map_or(columns.len(), |i| i + 1);
        columns.splice(at..at, LEAD_COLUMNS.iter().copied());
    }
    columns
}

/// The SQL of a text field of a staged record (compact or long form JSON).
fn record_text(field: &str) -> String {
    format!(
        "coalesce(json_extract(s.record, '$.f.{field}'), json_extract(s.record, '$.fields.{field}.value'))"
    )
}

fn matched_job(db: Db<'_>, job: &str) -> Result<Job, Error> {
    let found = job::find(db, job)?;
    if found.stage == Stage::ReviewMatchResults && found.status == Status::WaitingOnUser
        || found.stage == Stage::Completed
    {
        return Ok(found);
    }
    let message = if found.stage == Stage::ReviewMatchResults {
        format!("match it first (`ferry match {}`)", found.id)
    } else {
        "only a matched job can be reviewed".to_string()
    };
    Err(Error::WrongState {
        id: found.id,
        stage: found.stage.to_string(),
        status: found.status.to_string(),
        message,
    })
}

/// A matched job's staged records with their results, in staged-id order.
pub fn rows(store: &Store, job: &str) -> Result<(Job, Vec<ReviewRow>), Error> {
    let mut out = Vec::new();
    let found = for_each_row(store, job, |row| {
        out.push(row);
        Ok(())
    })?;
    Ok((found, out))
}

/// Calls `each` with every staged record of a matched job and its results,
/// in staged-id order, holding one record's candidates at a time (a job may
/// have millions): records and candidates are read side by side, both in
/// staged-id order.
pub fn for_each_row(
    store: &Store,
    job: &str,
    mut each: impl FnMut(ReviewRow) -> Result<(), Error>,
) -> Result<Job, Error> {
    let db = store.db();
    let found = matched_job(store.db(), job)?;
    let profile = crate::matchjob::job_profile(store.db(), &found)?;
    let explain = |bytes: Option<Vec<u8>>| -> Vec<FieldExplanation> {
        let scores = bytes.map(|b| decode_explanation(&b)).unwrap_or_default();
        profile
            .fields
            .iter()
            .zip(scores)
            .map(|(f, s)| FieldExplanation {
                field: f.name.clone(),
                label: f.label.clone(),
                level: s.level,
                contribution: s.contribution,
            })
            .collect()
    };
    let mut cst = db.prepare(
        "SELECT c.staged_id, c.record_id, c.staged_other_id, c.quality,
                    coalesce(r.legacy_id, o.legacy_id), c.explain
             FROM match_candidates c JOIN staged s ON s.id = c.staged_id
             LEFT JOIN records r ON r.id = c.record_id
             LEFT JOIN staged o ON o.id = c.staged_other_id
             WHERE s.job_id = ?1 ORDER BY c.staged_id, c.rank",
    )?;
    let mut cq = cst.query([found.id])?;
    let mut next_candidate = || -> Result<Option<(i64, ReviewCandidate)>, Error> {
        let Some(r) = cq.next()? else { return Ok(None) };
        Ok(Some((
            r.get(0)?,
            ReviewCandidate {
                record_id: r.get(1)?,
                staged_id: r.get(2)?,
                quality: r.get(3)?,
                legacy_id: r.get(4)?,
                explain: explain(r.get(5)?),
            },
        )))
    };
    let mut pending = next_candidate()?;
    let mut st = db.prepare(&format!(
        "SELECT s.id, f.file, s.line, s.legacy_id, s.first_name, s.last_name, s.class, s.quality,
                        s.proposed, s.action, s.match_record_id, r.legacy_id, s.match_staged_id, s.processed,
                        {}, {}, {}
                 FROM staged s JOIN job_files f ON f.id = s.file_id
                 LEFT JOIN records r ON r.id = s.match_record_id
                 WHERE s.job_id = ?1 ORDER BY s.id",
        record_text("sourceType"),
        record_text("source"),
        record_text("owner")
    ))?;
    let mut q = st.query([found.id])?;
    while let Some(r) = q.next()? {
        let id: i64 = r.get(0)?;
        let mut candidates = Vec::new();
        // Candidates of records listed before (none: both are in id order) are skipped.
        while let Some((staged_id, _)) = &pending
            && *staged_id <= id
        {
            let (staged_id, c) = pending.take().expect("checked");
            if staged_id == id {
                candidates.push(c);
            }
            pending = next_candidate()?;
        }
        let quality: Option<f64> = r.get(7)?;
        each(ReviewRow {
            staged_id: id,
            file: r.get(1)?,
            line: r.get(2)?,
            legacy_id: r.get(3)?,
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            source_type: r.get(14)?,
            source: r.get(15)?,
            owner: r.get(16)?,
            class: r.get(6)?,
            quality: quality.map(|q| q as u32),
            proposed: r.get(8)?,
            chosen: r.get(9)?,
            match_record_id: r.get(10)?,
            match_legacy_id: r.get(11)?,
            match_staged_id: r.get(12)?,
            processed: r.get::<_, i64>(13)? != 0,
            candidates,
        })?;
    }
    Ok(found)
}

/// Writes a matched job's review as CSV ([`export_columns`]), streaming; returns the rows written.
/// An existing `out` is replaced only with `force`.
pub fn export(store: &Store, job: &str, out: &Path, force: bool) -> Result<(Job, u64), Error> {
    let kind = matched_job(store.db(), job)?.kind;
    let mut csv = ExcelCsv::create(out, force)?;
    csv.row(export_columns(kind))?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let label = |a: Option<Decision>| a.map(|d| d.label(kind).to_string());
    let mut written = 0u64;
    let found = for_each_row(store, job, |r| {
        // The chosen match is in its own columns; the others are listed.
        let others: Vec<String> = r
            .candidates
            .iter()
            .filter(|c| {
                !(c.record_id.is_some() && c.record_id == r.match_record_id
                    || c.staged_id.is_some() && c.staged_id == r.match_staged_id)
            })
            .map(ReviewCandidate::describe)
            .collect();
        // The shown match's score, field by field (else the best candidate's).
        let shown = r
            .candidates
            .iter()
            .find(|c| {
                c.record_id.is_some() && c.record_id == r.match_record_id
                    || c.staged_id.is_some() && c.staged_id == r.match_staged_id
            })
            .or(r.candidates.first());
        let explanation = shown.map(|c| explain_line(&c.explain)).unwrap_or_default();
        written += 1;
        let mut cells = vec![
            r.staged_id.to_string(),
            r.file.clone(),
            r.line.to_string(),
            text(&r.legacy_id),
            text(&r.first_name),
            text(&r.last_name),
        ];
        if kind == RecordKind::Leads {
            cells.extend([text(&r.source_type), text(&r.source), text(&r.owner)]);
        }
        cells.extend([
            r.class.map(|c| c.label().to_string()).unwrap_or_default(),
            r.quality.map(|q| q.to_string()).unwrap_or_default(),
            label(r.proposed).unwrap_or_default(),
            label(r.chosen).unwrap_or_default(),
            num(r.match_record_id),
            text(&r.match_legacy_id),
            num(r.match_staged_id),
            explanation,
            others.join("; "),
        ]);
        csv.row(cells)?;
        Ok(())
    })?;
    csv.finish()?;
    Ok((found, written))
}

fn waiting_job(db: Db<'_>, job: &str) -> Result<Job, Error> {
    let found = matched_job(db, job)?;
    if found.stage == Stage::Completed {
        return Err(Error::WrongState {
            id: found.id,
            stage: found.stage.to_string(),
            status: found.status.to_string(),
            message: "its actions were carried out already (`ferry undo` reverts it)".into(),
        });
    }
    Ok(found)
}

/// Sets every chosen action back to its proposal; returns how many changed.
pub fn accept_all(store: &mut Store, job: &str) -> Result<(Job, u64), Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = waiting_job(db, job)?;
    let n = db.execute(
        "UPDATE staged SET action = proposed WHERE job_id = ?1 AND processed = 0
             AND action IS NOT proposed",
        [found.id],
    )?;
    tx.commit()?;
    Ok((found, n as u64))
}

/// Matches at or above `quality` get their proposal, Matches below become
/// Create; returns (accepted, set to Create).
pub fn accept_matches_above(store: &mut Store, job: &str, quality: u32) -> Result<(Job, u64, u64), Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = waiting_job(db, job)?;
    let class = crate::matching::MatchClass::Match.label();
    let accepted = db.execute(
        "UPDATE staged SET action = proposed WHERE job_id = ?1 AND processed = 0 AND class = ?2
             AND quality >= ?3",
        params![found.id, class, quality as f64],
    )?;
    let created = db.execute(
        "UPDATE staged SET action = 'Create' WHERE job_id = ?1 AND processed = 0 AND class = ?2
             AND quality < ?3 AND action = 'Merge'",
        params![found.id, class, quality as f64],
    )?;
    tx.commit()?;
    Ok((found, accepted as u64, created as u64))
}

/// One decision read from a review CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Choice {
    line: u64,
    staged_id: i64,
    decision: Decision,
    record_id: Option<i64>,
    staged_other: Option<i64>,
}

/// What applying a review CSV changed.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub job: Job,
    /// Rows read.
    pub rows: u64,
    /// Staged records whose chosen action or match changed.
    pub changed: u64,
}

fn cell(value: &str) -> &str {
    // `export` neutralises formula-like cells with a leading quote.
    let v = value.trim();
    v.strip_prefix('\'').unwrap_or(v).trim()
}

/// Applies the chosen actions of a review CSV (see the module docs).
pub fn apply(store: &mut Store, job: &str, csv_path: &Path) -> Result<Applied, Error> {
    // Read as `profile` reads a legacy file: a spreadsheet may save it again
    // with `;` or tabs, in windows-1252 or UTF-8 with or without a BOM.
    let answer =
        |line: Option<u64>, message: String| Error::BadAnswer { file: csv_path.to_path_buf(), line, message };
    let bad = |line: u64, message: String| answer(Some(line), message);
    let table = ferry_mapper::read::open(csv_path, &ferry_mapper::read::ReadOptions::default())
        .map_err(|e| answer(None, format!("cannot read it: {e}")))?;
    let column = |n: &str| table.headers.iter().position(|h| cell(h).eq_ignore_ascii_case(n));
    let (Some(id_col), Some(action_col)) = (column("staged_id"), column("chosen_action")) else {
        let found = table.headers.iter().take(6).map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ");
        return Err(answer(
            None,
            format!(
                "needs the columns `staged_id` and `chosen_action` (as `ferry review --export` writes them); \
                 its header, read as {} with `{}` between columns, has {found}",
                table.info.encoding,
                table.info.delimiter.map_or_else(|| "?".to_string(), |d| d.escape_default().to_string())
            ),
        ));
    };
    let record_col = column("match_record_id");
    let staged_col = column("match_staged_id");

    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = waiting_job(db, job)?;
    let kind = found.kind;
    let mut choices = Vec::new();
    for row in table {
        let row = row.map_err(|e| answer(None, e.to_string()))?;
        let line = row.line;
        let get =
            |c: Option<usize>| c.and_then(|c| row.cells.get(c)).map(|v| cell(v)).filter(|v| !v.is_empty());
        let id_text = get(Some(id_col)).unwrap_or("");
        let staged_id: i64 =
            id_text.parse().map_err(|_| bad(line, format!("`{id_text}` is not a staged record id")))?;
        let action_text = get(Some(action_col)).unwrap_or("");
        let decision = Decision::parse(action_text, kind).ok_or_else(|| {
            bad(
                line,
                format!(
                    "unknown action `{action_text}` (choose `{}`, `{}`, `{}` or `Update`)",
                    Decision::Create.label(kind),
                    Decision::Merge.label(kind),
                    Decision::Delete.label(kind)
                ),
            )
        })?;
        let number = |c: Option<usize>, what: &str| -> Result<Option<i64>, Error> {
            get(c)
                .map(|v| v.parse::<i64>().map_err(|_| bad(line, format!("`{v}` is not a {what} id"))))
                .transpose()
        };
        let record_id = number(record_col, "record")?;
        let staged_other = number(staged_col, "staged record")?;
        choices.push(Choice { line, staged_id, decision, record_id, staged_other });
    }
    let mut changed = 0u64;
    for c in &choices {
        check_choice(db, &found, kind, c).map_err(|e| match e {
            Error::BadChoice { problem, .. } => bad(c.line, problem.to_string()),
            other => other,
        })?;
        let (record_id, staged_other) = match c.decision {
            Decision::Merge | Decision::Update => (c.record_id, c.staged_other),
            // Create and Delete keep the match shown, for the record.
            Decision::Create | Decision::Delete => (c.record_id, c.staged_other),
        };
        changed += db
            .execute(
                "UPDATE staged SET action = ?2, match_record_id = ?3, match_staged_id = ?4
                 WHERE id = ?1 AND (action IS NOT ?2 OR match_record_id IS NOT ?3 OR match_staged_id IS NOT ?4)",
                params![c.staged_id, c.decision.as_str(), record_id, staged_other],
            )? as u64;
    }
    tx.commit()?;
    Ok(Applied { job: found, rows: choices.len() as u64, changed })
}

/// Checks one choice against the store; the message says what is wrong.
fn check_choice(db: Db<'_>, job: &Job, kind: RecordKind, c: &Choice) -> Result<(), Error> {
    let bad = |problem: ChoiceProblem| Err(Error::BadChoice { staged: c.staged_id, problem });
    let processed: Option<i64> = db.query_opt(
        "SELECT processed FROM staged WHERE id = ?1 AND job_id = ?2",
        [c.staged_id, job.id],
        |r| r.get(0),
    )?;
    match processed {
        None => return bad(ChoiceProblem::NotInJob { job: job.id, staged: c.staged_id }),
        Some(1) => return bad(ChoiceProblem::Processed { staged: c.staged_id }),
        Some(_) => {}
    }
    let record_ok = |id: i64| -> Result<bool, Error> {
        db.query_row(
            "SELECT count(*) FROM records WHERE id = ?1 AND kind = ?2",
            params![id, kind.as_str()],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
    };
    if let Some(id) = c.record_id
        && !record_ok(id)?
    {
        return bad(ChoiceProblem::NoRecord { kind, id });
    }
    if let Some(other) = c.staged_other {
        let ok: i64 = db.query_row(
            "SELECT count(*) FROM staged WHERE id = ?1 AND job_id = ?2",
            [other, job.id],
            |r| r.get(0),
        )?;
        if ok == 0 {
            return bad(ChoiceProblem::NoStagedToMerge { job: job.id, other });
        }
        if other >= c.staged_id {
            return bad(ChoiceProblem::LaterStaged { staged: c.staged_id, other });
        }
    }
    match c.decision {
        Decision::Merge if c.record_id.is_none() && c.staged_other.is_none() => {
            bad(ChoiceProblem::MergeNeedsTarget { label: Decision::Merge.label(kind) })
        }
        Decision::Merge if c.record_id.is_some() && c.staged_other.is_some() => bad(ChoiceProblem::MergeBoth),
        Decision::Update if c.record_id.is_none() => bad(ChoiceProblem::UpdateNeedsRecord),
        _ => Ok(()),
    }
}

/// Sets one staged record's chosen action (checked as [`apply`] checks a row).
pub fn choose(
    store: &mut Store,
    job: &str,
    staged_id: i64,
    decision: Decision,
    record_id: Option<i64>,
    staged_other: Option<i64>,
) -> Result<(), Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = waiting_job(db, job)?;
    let c = Choice { line: 0, staged_id, decision, record_id, staged_other };
    check_choice(db, &found, found.kind, &c)?;
    db.execute(
        "UPDATE staged SET action = ?2, match_record_id = ?3, match_staged_id = ?4 WHERE id = ?1",
        params![staged_id, decision.as_str(), record_id, staged_other],
    )?;
    tx.commit()?;
    Ok(())
}

/// A record's values as (name, text) pairs for a side-by-side view: plain
/// fields, then subcollection attributes as `Subcollection Type n.attribute`.
pub fn flatten(record: &ferry_mapper::record::Record) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        record.fields.iter().map(|(k, v)| (k.clone(), v.to_text())).collect();
    for inst in &record.instances {
        for (k, v) in &inst.attributes {
            out.push((
                format!("{} {} {}.{k}", inst.subcollection, inst.type_name, inst.instance),
                v.to_text(),
            ));
        }
    }
    out
}

/// The record a candidate stands for: an existing record or a staged one.
pub fn candidate_record(
    store: &Store,
    candidate: &ReviewCandidate,
) -> Result<Option<ferry_mapper::record::Record>, Error> {
    match (candidate.record_id, candidate.staged_id) {
        (Some(id), _) => crate::store::load_record(store.db(), id),
        (None, Some(id)) => staged_record(store, id),
        (None, None) => Ok(None),
    }
}

/// A staged record's values.
pub fn staged_record(store: &Store, id: i64) -> Result<Option<ferry_mapper::record::Record>, Error> {
    let json: Option<String> =
        store.db().query_opt("SELECT record FROM staged WHERE id = ?1", [id], |r| r.get(0))?;
    json.map(|j| {
        crate::codec::decode(&j)
            .map_err(|e| Error::unreadable(store.path(), format!("staged record {id}"), e))
    })
    .transpose()
}

/// Copies the chosen action (and match) of staged record `staged_id` to every
/// other unprocessed record of the job with the same values (all flat
/// columns but the legacy id: name, birth date, gender, zip, e-mail, phone);
/// returns how many records were changed. A merge into an earlier staged
/// record is copied only to records after that one.
pub fn same_values(store: &mut Store, job: &str, staged_id: i64) -> Result<(Job, u64), Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = waiting_job(db, job)?;
    let exists: i64 = db.query_row(
        "SELECT count(*) FROM staged WHERE id = ?1 AND job_id = ?2 AND processed = 0",
        [staged_id, found.id],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Err(Error::UnknownRecord { job: found.id, id: staged_id, what: "unprocessed staged record" });
    }
    let n = db.execute(
        "UPDATE staged SET (action, match_record_id, match_staged_id) =
                 (SELECT action, match_record_id, match_staged_id FROM staged WHERE id = ?1)
             WHERE job_id = ?2 AND processed = 0 AND id <> ?1
               AND first_name IS (SELECT first_name FROM staged WHERE id = ?1)
               AND last_name IS (SELECT last_name FROM staged WHERE id = ?1)
               AND birth_date IS (SELECT birth_date FROM staged WHERE id = ?1)
               AND gender IS (SELECT gender FROM staged WHERE id = ?1)
               AND zip IS (SELECT zip FROM staged WHERE id = ?1)
               AND email IS (SELECT email FROM staged WHERE id = ?1)
               AND phone IS (SELECT phone FROM staged WHERE id = ?1)
               AND id > coalesce((SELECT match_staged_id FROM staged WHERE id = ?1), 0)",
        [staged_id, found.id],
    )?;
    tx.commit()?;
    Ok((found, n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(staged_id: i64, class: Option<MatchClass>, processed: bool) -> ReviewRow {
        ReviewRow {
            staged_id,
            file: "contacts.csv".into(),
            line: staged_id as u64 + 1,
            legacy_id: None,
            first_name: None,
            last_name: None,
            source_type: None,
            source: None,
            owner: None,
            class,
            quality: None,
            proposed: None,
            chosen: None,
            match_record_id: None,
            match_legacy_id: None,
            match_staged_id: None,
            processed,
            candidates: Vec::new(),
        }
    }

    fn candidate(record_id: Option<i64>, staged_id: Option<i64>) -> ReviewCandidate {
        ReviewCandidate { record_id, staged_id, legacy_id: None, quality: 80, explain: Vec::new() }
    }

    #[test]
    fn a_walk_takes_unprocessed_records_surest_class_first_then_by_id() {
        let rows = vec![
            row(1, Some(MatchClass::NonMatch), false),
            row(2, Some(MatchClass::Potential), false),
            row(3, None, false),
            row(4, Some(MatchClass::Match), true),
            row(5, Some(MatchClass::Match), false),
            row(6, Some(MatchClass::Potential), false),
            row(7, Some(MatchClass::Match), false),
        ];
        let order: Vec<i64> = walk_order(rows).iter().map(|r| r.staged_id).collect();
        assert_eq!(order, [5, 7, 2, 6, 1, 3]);
    }

    #[test]
    fn a_record_merges_with_existing_records_and_earlier_staged_ones_only() {
        let mut r = row(10, Some(MatchClass::Match), false);
        r.candidates = vec![
            candidate(None, Some(12)),
            candidate(Some(3), None),
            candidate(None, Some(9)),
            candidate(None, Some(10)),
            candidate(None, None),
        ];
        let mergeable: Vec<usize> = r.mergeable().map(|(i, _)| i).collect();
        assert_eq!(mergeable, [1, 2]);
    }
}
