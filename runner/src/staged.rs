//! Review of staged data: list, edit, delete staged records; submit them for matching.
//!
//! Staged records can be changed while matching has not run: in Review Staged
//! Data, or in Review Match Results while Queued (leads right after import,
//! contacts right after `--submit`). Only plain fields can be edited
//! (addresses, communications and other subcollections can be reviewed but
//! not updated in staging); each value is checked against the job's target (type,
//! length, enumeration values) and the record against the target's rules.
//! Deleting a staged record cannot be undone.

use ferry_mapper::convert::validate_record;
use ferry_mapper::problem::Severity;
use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::{Field, FieldType, RecordKind, TargetDefinition};
use rusqlite::params;
use serde::Serialize;

use crate::db::Tx;
use crate::flat::{self, FLAT_COLUMNS, Flat};
use crate::job::{self, Job, Stage, Status};
use crate::store::{self, Store};
use crate::{Db, Error};

/// Columns that are not target fields.
const META_COLUMNS: &[&str] = &["id", "file", "line", "rows", "class", "quality", "action"];

/// The default columns of a listing.
pub fn default_columns(kind: RecordKind) -> Vec<String> {
    let names: &[&str] = match kind {
        RecordKind::Contacts => &[
            "id",
            "file",
            "line",
            "externalId",
            "firstName",
            "lastName",
            "birthDate",
            "gender",
            "zip",
            "email",
            "phone",
        ],
        RecordKind::Leads => &[
            "id",
            "file",
            "line",
            "legacyId",
            "firstName",
            "lastName",
            "email",
            "phone",
            "marketSegment",
            "salesConcept",
            "sourceType",
            "source",
            "owner",
        ],
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// A listing request.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Columns to show; empty: [`default_columns`].
    pub columns: Vec<String>,
    /// Sort column (`-name` for descending); `None`: by id.
    pub sort: Option<String>,
    /// At most this many records (a page); `None`: all.
    pub limit: Option<u64>,
    /// Records skipped before the first listed, in the sort order.
    pub offset: u64,
}

/// A staged record as listed.
#[derive(Debug, Clone, Serialize)]
pub struct StagedRow {
    pub id: i64,
    /// One value per listed column (empty when absent).
    pub values: Vec<String>,
}

/// A listing.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub job: Job,
    pub columns: Vec<String>,
    pub rows: Vec<StagedRow>,
    /// Staged records in the job (the listing may be one page of them).
    pub total: u64,
    /// Records before the first listed.
    pub offset: u64,
}

/// The job's target definition, as it was staged with.
pub fn job_target(db: Db<'_>, job_id: i64) -> Result<TargetDefinition, Error> {
    let text: String = db.query_row("SELECT target FROM jobs WHERE id = ?1", [job_id], |r| r.get(0))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::unreadable(db.path(), format!("the target of job {job_id}"), e))
}

/// Resolves a column name: a meta column, a flat column, or a plain field
/// (by name or label, case-insensitively). Returns its canonical name.
fn resolve_column(target: &TargetDefinition, name: &str) -> Result<String, Error> {
    let lower = name.trim().to_lowercase();
    if let Some(m) = META_COLUMNS.iter().find(|m| **m == lower) {
        return Ok(m.to_string());
    }
    if let Some(f) =
        target.plain_fields().find(|f| f.name.to_lowercase() == lower || f.label.to_lowercase() == lower)
    {
        return Ok(f.name.clone());
    }
    if let Some(flat) = ["zip", "email", "phone"].iter().find(|f| **f == lower) {
        return Ok(flat.to_string());
    }
    let known: Vec<String> = META_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(target.plain_fields().map(|f| f.name.clone()))
        .collect();
    Err(Error::UnknownColumn { name: name.to_string(), known })
}

/// The SQL expression that sorts by a column.
fn sort_expr(column: &str) -> String {
    match column {
        "id" => "s.id".into(),
        "file" => "f.file".into(),
        "line" => "s.line".into(),
        "rows" => "s.rows".into(),
        "class" | "quality" | "action" => format!("s.{column}"),
        "zip" | "email" | "phone" => format!("s.{column}"),
        field => {
            // The compact form (`crate::codec`): a tagged value's text, else the
            // value itself; then the long form of older stores.
            let f = field.replace(['"', '\''], "");
            format!(
                "coalesce(json_extract(s.record, '$.f.\"{f}\".d'), json_extract(s.record, '$.f.\"{f}\".t'), \
                 json_extract(s.record, '$.f.\"{f}\".n'), json_extract(s.record, '$.f.\"{f}\"'), \
                 json_extract(s.record, '$.fields.\"{f}\".value'))"
            )
        }
    }
}

/// Lists the staged records of a job.
pub fn list(store: &Store, job: &str, options: &ListOptions) -> Result<Listing, Error> {
    let db = store.db();
    let path = db.path();
    let job = job::find(db, job)?;
    let target = job_target(db, job.id)?;
    // The default columns the job's target has (a lead target of the user's
    // own may lack the import dialog's source fields).
    let requested = if options.columns.is_empty() {
        default_columns(job.kind).into_iter().filter(|c| resolve_column(&target, c).is_ok()).collect()
    } else {
        options.columns.clone()
    };
    let columns = requested.iter().map(|c| resolve_column(&target, c)).collect::<Result<Vec<_>, _>>()?;
    let order = match &options.sort {
        None => "s.id".to_string(),
        Some(s) => {
            let (name, desc) = match s.strip_prefix('-') {
                Some(n) => (n, true),
                None => (s.as_str(), false),
            };
            let expr = sort_expr(&resolve_column(&target, name)?);
            format!("{expr} IS NULL, {expr} {}, s.id", if desc { "DESC" } else { "ASC" })
        }
    };
    let sql = format!(
        "SELECT s.id, f.file, s.line, s.rows, s.class, s.quality, s.action, s.zip, s.email, s.phone, s.record
         FROM staged s JOIN job_files f ON f.id = s.file_id WHERE s.job_id = ?1 ORDER BY {order}
         LIMIT ?2 OFFSET ?3"
    );
    let total: u64 = db.query_row("SELECT count(*) FROM staged WHERE job_id = ?1", [job.id], |r| r.get(0))?;
    let limit = options.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let offset = i64::try_from(options.offset).unwrap_or(i64::MAX);
    let mut st = db.prepare(&sql)?;
    let mut rows = st.query(rusqlite::params![job.id, limit, offset])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let record: String = r.get(10)?;
        let record: Record = crate::codec::decode(&record)
            .map_err(|e| Error::unreadable(path, format!("staged record {id}"), e))?;
        let text = |i: usize| -> Result<String, Error> {
            let v: rusqlite::types::Value = r.get(i)?;
            Ok(match v {
                rusqlite::types::Value::Null => String::new(),
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Real(x) => x.to_string(),
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Blob(_) => String::new(),
            })
        };
        let mut values = Vec::with_capacity(columns.len());
        for c in &columns {
            values.push(match c.as_str() {
                "id" => id.to_string(),
                "file" => text(1)?,
                "line" => text(2)?,
                "rows" => text(3)?,
                "class" => text(4)?,
                "quality" => text(5)?,
                "action" => text(6)?,
                "zip" if !record.fields.contains_key("zip") => text(7)?,
                "email" if !record.fields.contains_key("email") => text(8)?,
                "phone" if !record.fields.contains_key("phone") => text(9)?,
                field => record.fields.get(field).map(Value::to_text).unwrap_or_default(),
            });
        }
        out.push(StagedRow { id, values });
    }
    Ok(Listing { job, columns, rows: out, total, offset: options.offset })
}

fn editable(job: &Job) -> Result<(), Error> {
    let ok = job.stage == Stage::ReviewStagedData
        || (job.stage == Stage::ReviewMatchResults && job.status == Status::Queued);
    if ok {
        Ok(())
    } else {
        Err(Error::WrongState {
            id: job.id,
            stage: job.stage.to_string(),
            status: job.status.to_string(),
            message: "staged records can be changed only before matching (Review Staged Data)".into(),
        })
    }
}

/// Parses `value` for `field` as a user typed it (an empty value clears it).
pub fn parse_value(field: &Field, value: &str) -> Result<Option<Value>, Error> {
    let bad_value =
        |why: String| Error::BadValue { field: field.name.clone(), value: value.to_string(), why };
    let bad = |what: &str| bad_value(format!("is not {what}"));
    if value.is_empty() {
        return Ok(None);
    }
    let v = match field.field_type {
        FieldType::String => {
            let len = value.chars().count();
            if let Some(max) = field.max_length
                && len > max
            {
                return Err(bad_value(format!("is {len} characters long; it holds at most {max}")));
            }
            Value::Text(value.to_string())
        }
        FieldType::Integer => Value::Integer(value.trim().parse().map_err(|_| bad("a whole number"))?),
        FieldType::Decimal => {
            let t = value.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            let ok = !digits.is_empty()
                && digits.split('.').count() <= 2
                && digits.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(bad("a decimal number (like `-12.5`)"));
            }
            Value::Decimal(t.to_string())
        }
        FieldType::Boolean => match value.trim().to_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Value::Boolean(true),
            "false" | "no" | "n" | "0" => Value::Boolean(false),
            _ => return Err(bad("a boolean (`true` or `false`)")),
        },
        FieldType::Date => Value::Date(value.trim().parse().map_err(|_| bad("a date (`YYYY-MM-DD`)"))?),
        FieldType::Timestamp => {
            Value::Timestamp(value.trim().parse().map_err(|_| bad("a timestamp (`2026-11-21T17:00:00Z`)"))?)
        }
        FieldType::Enum => {
            let known =
                field.values.iter().find(|v| v.eq_ignore_ascii_case(value.trim())).ok_or_else(|| {
                    let list: Vec<String> = field.values.iter().map(|v| format!("`{v}`")).collect();
                    bad_value(format!("is not a value ({})", list.join(", ")))
                })?;
            Value::Text(known.clone())
        }
    };
    Ok(Some(v))
}

/// Edits plain fields of a staged record; returns the record as saved.
pub fn edit(
    store: &mut Store,
    job: &str,
    id: i64,
    assignments: &[(String, String)],
) -> Result<Record, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let path = db.path();
    let job = job::find(db, job)?;
    editable(&job)?;
    let target = job_target(db, job.id)?;
    let found: Option<(String, String, u64)> = db.query_opt(
        "SELECT s.record, f.file, s.line FROM staged s JOIN job_files f ON f.id = s.file_id
         WHERE s.id = ?1 AND s.job_id = ?2",
        params![id, job.id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let Some((json, file, line)) = found else {
        return Err(Error::UnknownRecord { job: job.id, id, what: "staged record" });
    };
    let mut record: Record =
        crate::codec::decode(&json).map_err(|e| Error::unreadable(path, format!("staged record {id}"), e))?;
    for (name, value) in assignments {
        let field = target
            .plain_fields()
            .find(|f| {
                f.name == *name || f.label.eq_ignore_ascii_case(name) || f.name.eq_ignore_ascii_case(name)
            })
            .ok_or_else(|| {
                let is_sub =
                    target.categories.iter().any(|c| c.subcollection && c.name.eq_ignore_ascii_case(name));
                if is_sub {
                    Error::NotEditable { name: name.to_string() }
                } else {
                    let known = target.plain_fields().map(|f| f.name.clone()).collect();
                    Error::UnknownField { name: name.to_string(), known }
                }
            })?;
        match parse_value(field, value)? {
            Some(v) => record.fields.insert(field.name.clone(), v),
            None => record.fields.remove(&field.name),
        };
    }
    let errors: Vec<String> = validate_record(&target, &record, &file, line)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.message)
        .collect();
    if !errors.is_empty() {
        return Err(Error::InvalidRecord { id, errors });
    }
    let flat = Flat::of(job.kind, &record);
    let sql = format!(
        "UPDATE staged SET record = ?2, {}, edited_at = ?{}, record_key = ?{} WHERE id = ?1",
        flat::sql::assignments(3),
        3 + FLAT_COLUMNS.len(),
        4 + FLAT_COLUMNS.len()
    );
    let json = crate::codec::encode(&record);
    let key = crate::keys::key_of(&target, &record);
    db.execute(&sql, flat.params(&[&id, &json], &[&store::now(), &key]))?;
    tx.commit()?;
    Ok(record)
}

/// Deletes staged records (all of them with `ids = None`); returns how many.
/// Unknown ids delete nothing and are named in the error.
pub fn delete(store: &mut Store, job: &str, ids: Option<&[i64]>) -> Result<u64, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let job = job::find(db, job)?;
    editable(&job)?;
    let removed = match ids {
        None => db.execute("DELETE FROM staged WHERE job_id = ?1", [job.id])? as u64,
        Some(ids) => {
            let mut missing = Vec::new();
            let mut removed = 0;
            for id in ids {
                let n =
                    db.execute("DELETE FROM staged WHERE id = ?1 AND job_id = ?2", params![id, job.id])?;
                if n == 0 {
                    missing.push(*id);
                }
                removed += n as u64;
            }
            if !missing.is_empty() {
                return Err(Error::NothingDeleted { job: job.id, missing });
            }
            removed
        }
    };
    tx.commit()?;
    Ok(removed)
}

/// Submits a job's staged records for matching: Review Match Results / Queued.
pub fn submit(store: &mut Store, job: &str) -> Result<Job, Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let found = job::find(db, job)?;
    if found.stage != Stage::ReviewStagedData {
        return Err(Error::WrongState {
            id: found.id,
            stage: found.stage.to_string(),
            status: found.status.to_string(),
            message: "only a job in Review Staged Data can be submitted for matching".into(),
        });
    }
    job::set_state(db, found.id, Stage::ReviewMatchResults, Status::Queued)?;
    tx.commit()?;
    Ok(job::get(store.db(), found.id)?.expect("exists"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contacts() -> TargetDefinition {
        TargetDefinition::bundled("contacts").unwrap()
    }

    #[test]
    fn values_are_checked_against_the_field() {
        let t = contacts();
        let first = t.field("firstName").unwrap();
        assert_eq!(parse_value(first, "Ann").unwrap(), Some(Value::Text("Ann".into())));
        let long = "x".repeat(51);
        assert!(parse_value(first, &long).unwrap_err().to_string().contains("at most 50"));
        assert_eq!(parse_value(first, "").unwrap(), None);
        let birth = t.field("birthDate").unwrap();
        assert!(parse_value(birth, "31/02/1987").is_err());
        assert_eq!(
            parse_value(birth, "1987-02-03").unwrap(),
            Some(Value::Date("1987-02-03".parse().unwrap()))
        );
        let gender = t.field("gender").unwrap();
        assert_eq!(parse_value(gender, "female").unwrap(), Some(Value::Text("Female".into())));
        assert!(parse_value(gender, "F").unwrap_err().to_string().contains("`Male`"));
        let children = t.field("numberOfChildren").unwrap();
        assert!(parse_value(children, "two").is_err());
        let income = t.field("annualIncome").unwrap();
        assert_eq!(parse_value(income, "-12.5").unwrap(), Some(Value::Decimal("-12.5".into())));
        assert!(parse_value(income, "1.2.3").is_err());
    }

    #[test]
    fn columns_resolve_by_name_or_label() {
        let t = contacts();
        assert_eq!(resolve_column(&t, "First Name").unwrap(), "firstName");
        assert_eq!(resolve_column(&t, "ID").unwrap(), "id");
        assert_eq!(resolve_column(&t, "zip").unwrap(), "zip");
        assert!(resolve_column(&t, "shoeSize").unwrap_err().to_string().contains("`shoeSize`"));
    }
}
