//! The store: one SQLite file holding import jobs, their staged and rejected
//! rows, and the existing contacts and leads with their subcollections.
//!
//! [`Store::open`] creates the file when missing, opens it safely (WAL
//! journal, `synchronous = NORMAL`, a busy timeout, foreign keys on) and
//! brings its schema up to date: `PRAGMA user_version` counts the entries of
//! [`MIGRATIONS`] applied, each in its own transaction. A newer store than
//! this ferry knows is refused rather than guessed at. To change the schema,
//! append an entry to [`MIGRATIONS`]; never edit an applied one.
//!
//! # Bulk writes
//!
//! In WAL mode every page a transaction writes is written twice: to the
//! log, then by the checkpoint into the file. For a large import that is
//! most of its time (a million staged rows are about 400 MB).
//! [`Store::bulk`] runs such a transaction under SQLite's rollback journal
//! instead, where pages added at the end of the file are written once and
//! nothing else is journaled twice; commits are as atomic and as durable
//! (`synchronous = FULL` while it lasts), and a crash midway leaves a hot
//! journal that the next open rolls back. It switches only when no other
//! connection has the store open (SQLite refuses otherwise, and the write
//! stays in WAL), and switches back to WAL when the write ends. While it
//! lasts, other ferry processes wait for the busy timeout instead of
//! reading the state before the import.
//!
//! # Schema (version 1)
//!
//! | table | one row per | notes |
//! |---|---|---|
//! | `jobs` | import job | `id` never reused; `kind` `contacts`/`leads`; `description` unique; `stage`/`status` hold the labels of [`crate::job::Stage`] and [`crate::job::Status`]; counts `rows_read = rows_staged + rows_rejected`; `target` is the target definition JSON the job was staged with; `error` why it failed |
//! | `job_packages` | package of a job | `seq` from 0, `path`, the package's `template` JSON |
//! | `job_files` | CSV member of a package | `headers` JSON array (the upload's own columns, for the error report), `rows` read |
//! | `staged` | staged record | `file_id`/`line`: the record's main row; `rows` package rows it was assembled from (main row plus child rows); `record`: the [`Record`] in the compact JSON of [`crate::codec`]; flat copies for listing, sorting and matching: `legacy_id`, `first_name`, `last_name`, `birth_date` (`YYYY-MM-DD`), `gender`, `zip`, `email`, `phone` (see [`crate::flat`]); for matching: `class`, `quality`, `action`, `match_record_id`, `processed` (0/1) |
//! | `rejected` | rejected package row | `file_id`, `line`, `cells` JSON array (in the file's `headers` order), `reason` |
//! | `problems` | warning of a staged record | `staged_id`, `file_id`, `line`, `severity`, `kind`, `column_name`, `value`, `message` |
//! | `records` | existing contact or lead | `kind`; `external_key` (the target's key field, unique per kind when set); `fields` JSON (the [`Record`]'s plain fields, as in `Record::fields`); the same flat columns as `staged`; `job_id` of the job that last wrote it (set null when that job is deleted: processed records stay); `created_at`, `updated_at` |
//! | `record_instances` | subcollection instance of a record | `subcollection`, `type_name`, `instance`, `attributes` JSON (as in [`ferry_mapper::record::Instance`]) |
//! | `target_values` | enumeration value added by `--create-missing` | `kind`, `field` (`marketSegment`, or `Subcollection.attribute`), `value`, `job_id` |
//!
//! # Schema (version 2)
//!
//! | table / column | notes |
//! |---|---|
//! | `jobs.matching_profile`, `jobs.matched_at` | the matching profile JSON a job was last matched with, and when |
//! | `staged.proposed`, `staged.match_staged_id` | the proposed action (the chosen one is `action`); the earlier staged record of the same job to merge into (`--within`) |
//! | `match_candidates` | candidate of a staged record: `rank` from 0 (best first), `record_id` (existing) or `staged_other_id` (same job), `quality`, `agreeing` (bit per profile field), `explain` (level and contribution per field) |
//! | `before_images` | record a completed job touched: `seq` order of writing, `action`, `before` (the record JSON before, null when the job created it), `before_job_id`, `after` (the record JSON as the job left it, to see later changes) |
//!
//! # Schema (version 3)
//!
//! | table / column | notes |
//! |---|---|
//! | `staged.record_key` | the record's key (the value of the target's `key` field, see [`crate::keys`]); indexed per job to find keys two staged records share |
//! | `jobs.no_update` | 1 for a job imported with `--no-update`: its keys update no existing record |
//!
//! # Schema (version 4)
//!
//! | table | one row per | notes |
//! |---|---|---|
//! | `users` | workspace user | `name`, `role` `view`/`manage`, `password` (argon2id PHC string) |
//! | `sessions` | signed-in browser | `token_hash` (SHA-256 of the cookie token), `user_name`, `csrf`, `expires_at` |
//! | `audit` | change to a job | `job_id` (kept when the job is deleted), `at`, `user_name`, `action`, `detail` |
//!
//! Times are UTC text `YYYY-MM-DDTHH:MM:SSZ` (they sort as text). Deleting a
//! job cascades to its packages, files, staged, rejected and problem rows.
//!
//! The matching part of the runner adds its own tables (candidates, before
//! images) by appending to [`MIGRATIONS`], and reads and writes records with
//! [`insert_record`], [`load_record`], [`replace_record`] and [`delete_record`].

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use ferry_mapper::record::{Instance, Record, Value};
use ferry_mapper::target::RecordKind;
use rusqlite::{Connection, params};

use crate::db::Tx;
use crate::flat::{self, FLAT_COLUMNS, Flat};
use crate::{Db, Error};

/// Schema migrations, in order; entry `i` takes the store to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: jobs, staging, records.
    r#"
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('contacts', 'leads')),
    description TEXT NOT NULL UNIQUE,
    source_type TEXT,
    source TEXT,
    owner TEXT,
    stage TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    staged_at TEXT,
    ended_at TEXT,
    rows_read INTEGER NOT NULL DEFAULT 0,
    rows_staged INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    records_staged INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    create_missing INTEGER NOT NULL DEFAULT 0,
    target TEXT NOT NULL,
    error TEXT
);
CREATE INDEX jobs_started ON jobs(started_at);

CREATE TABLE job_packages (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    path TEXT NOT NULL,
    template TEXT,
    PRIMARY KEY (job_id, seq)
);

CREATE TABLE job_files (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    package_seq INTEGER NOT NULL,
    file TEXT NOT NULL,
    headers TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX job_files_job ON job_files(job_id);

CREATE TABLE staged (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL,
    line INTEGER NOT NULL,
    rows INTEGER NOT NULL DEFAULT 1,
    legacy_id TEXT,
    first_name TEXT,
    last_name TEXT,
    birth_date TEXT,
    gender TEXT,
    zip TEXT,
    email TEXT,
    phone TEXT,
    record TEXT NOT NULL,
    class TEXT,
    quality REAL,
    action TEXT,
    match_record_id INTEGER,
    processed INTEGER NOT NULL DEFAULT 0,
    edited_at TEXT
);
CREATE INDEX staged_job ON staged(job_id);

CREATE TABLE rejected (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL,
    line INTEGER NOT NULL,
    cells TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX rejected_job ON rejected(job_id);

CREATE TABLE problems (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    staged_id INTEGER REFERENCES staged(id) ON DELETE CASCADE,
    file_id INTEGER,
    line INTEGER,
    severity TEXT NOT NULL,
    kind TEXT NOT NULL,
    column_name TEXT,
    value TEXT,
    message TEXT NOT NULL
);
CREATE INDEX problems_job ON problems(job_id);
CREATE INDEX problems_staged ON problems(staged_id);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('contacts', 'leads')),
    external_key TEXT,
    fields TEXT NOT NULL,
    legacy_id TEXT,
    first_name TEXT,
    last_name TEXT,
    birth_date TEXT,
    gender TEXT,
    zip TEXT,
    email TEXT,
    phone TEXT,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX records_key ON records(kind, external_key) WHERE external_key IS NOT NULL;
CREATE INDEX records_kind ON records(kind, id);
CREATE INDEX records_job ON records(job_id);

CREATE TABLE record_instances (
    id INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    subcollection TEXT NOT NULL,
    type_name TEXT NOT NULL,
    instance INTEGER NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX record_instances_record ON record_instances(record_id);

CREATE TABLE target_values (
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, field, value)
);
"#,
    // 2: matching results, before-images for undo (see `crate::matchjob`, `crate::complete`).
    r#"
ALTER TABLE jobs ADD COLUMN matching_profile TEXT;
ALTER TABLE jobs ADD COLUMN matched_at TEXT;
ALTER TABLE staged ADD COLUMN proposed TEXT;
ALTER TABLE staged ADD COLUMN match_staged_id INTEGER;

CREATE TABLE match_candidates (
    staged_id INTEGER NOT NULL REFERENCES staged(id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    record_id INTEGER,
    staged_other_id INTEGER,
    quality INTEGER NOT NULL,
    agreeing INTEGER NOT NULL,
    PRIMARY KEY (staged_id, rank)
);

CREATE TABLE before_images (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    record_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    before_job_id INTEGER,
    after TEXT NOT NULL,
    PRIMARY KEY (job_id, record_id)
);
"#,
    // 3: record keys of staged records, `--no-update` (see `crate::keys`).
    r#"
ALTER TABLE staged ADD COLUMN record_key TEXT;
CREATE INDEX staged_key ON staged(job_id, record_key) WHERE record_key IS NOT NULL;
ALTER TABLE jobs ADD COLUMN no_update INTEGER NOT NULL DEFAULT 0;
"#,
    // 4: the workspace's users, sessions and audit trail (see `crate::users`).
    r#"
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('view', 'manage')),
    password TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_name TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX audit_job ON audit(job_id);
"#,
    // 5: each candidate's score field by field (see `crate::matchjob::encode_explanation`).
    r#"
ALTER TABLE match_candidates ADD COLUMN explain BLOB;
"#,
    // 6: a warned row's cells, for `ferry warnings` (see `crate::report`).
    r#"
ALTER TABLE problems ADD COLUMN cells TEXT;
"#,
];

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating when missing) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "its directory does not exist"),
            ));
        }
        let conn = crate::db::open(path)?;
        let db = Db::new(&conn, path);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db.error(e))?;
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => {}
            // Another ferry holds the store for a bulk write (see the module's
            // notes): go on in its journal mode; it switches back to WAL.
            Err(e) if is_busy(&e) => {}
            Err(e) => return Err(db.error(e)),
        }
        db.pragma_update("synchronous", "NORMAL")?;
        db.pragma_update("foreign_keys", "ON")?;
        // A bounded page cache keeps memory flat however large an import is.
        db.pragma_update("cache_size", -32768)?;
        // The default cache of 16 statements is too small for a job's import
        // and matching, which would parse some again and again.
        conn.set_prepared_statement_cache_capacity(64);
        let mut store = Store { conn, path: path.to_path_buf() };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let known = MIGRATIONS.len() as i64;
        let found: i64 = self.db().pragma_value("user_version")?;
        if found > known {
            return Err(Error::StoreTooNew { path, found, known });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let tx = Tx::new(crate::db::begin_immediate(&mut self.conn, &path)?, path.clone());
            // Another process may have migrated while we waited for the lock.
            let now: i64 = tx.db().pragma_value("user_version")?;
            if now > i as i64 {
                continue;
            }
            tx.db().execute_batch(sql)?;
            tx.db().pragma_update("user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The store's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of this store.
    pub fn version(&self) -> Result<i64, Error> {
        self.db().pragma_value("user_version")
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The connection with the store's path, for reads.
    pub fn db(&self) -> crate::Db<'_> {
        crate::Db::new(&self.conn, &self.path)
    }

    /// The connection, for transactions.
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Starts a write transaction that takes the write lock at once (so a
    /// concurrent writer waits for the busy timeout instead of failing late).
    pub fn write(&mut self) -> Result<rusqlite::Transaction<'_>, Error> {
        crate::db::begin_immediate(&mut self.conn, &self.path)
    }

    /// Runs `work` (one large write) under the rollback journal when this is
    /// the store's only connection, else in WAL (see the module's notes);
    /// the store is back in WAL afterwards, whatever `work` returned.
    pub fn bulk<T>(&mut self, work: impl FnOnce(&mut Store) -> T) -> Result<(T, Journal), Error> {
        let journal = self.enter_bulk()?;
        let out = work(self);
        if journal == Journal::Rollback {
            // Best effort: `work` has committed or rolled back, so the store is
            // whole either way, and the next open sets WAL when this cannot.
            let _ = self.leave_bulk();
        }
        Ok((out, journal))
    }

    fn enter_bulk(&mut self) -> Result<Journal, Error> {
        let mode: rusqlite::Result<String> =
            self.conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0));
        match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
                self.db().pragma_update("synchronous", "FULL")?;
                Ok(Journal::Rollback)
            }
            Ok(_) => Ok(Journal::Wal),
            Err(e) if is_busy(&e) => Ok(Journal::Wal),
            Err(e) => Err(self.db().error(e)),
        }
    }

    fn leave_bulk(&mut self) -> Result<(), Error> {
        // A process that opened the store meanwhile keeps it from switching
        // back; then the next open (by anyone) sets WAL again.
        match self.conn.pragma_update(None, "journal_mode", "WAL") {
            Ok(()) => {}
            Err(e) if is_busy(&e) => {}
            Err(e) => return Err(self.db().error(e)),
        }
        self.db().pragma_update("synchronous", "NORMAL")
    }

    /// The journal mode the store's file is in now (`wal`, `delete`, …).
    pub fn journal_mode(&self) -> Result<String, Error> {
        self.db().pragma_value("journal_mode")
    }
}

/// How [`Store::bulk`] journaled its write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    /// WAL: another connection had the store open.
    Wal,
    /// The rollback journal: pages written once.
    Rollback,
}

/// How long a connection waits for a lock another holds.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// The current time as stored: `YYYY-MM-DDTHH:MM:SSZ` in UTC.
pub fn now() -> String {
    format_time(jiff::Timestamp::now())
}

/// A timestamp as stored.
pub fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Serializes plain fields as stored in `records.fields`.
fn fields_json(record: &Record) -> String {
    serde_json::to_string(&record.fields).expect("values serialize")
}

/// The insert of a record: kind, key, fields, the flat columns
/// ([`crate::flat::sql`]), job, time (created and updated).
static INSERT_RECORD: LazyLock<String> = LazyLock::new(|| {
    let n = FLAT_COLUMNS.len();
    format!(
        "INSERT INTO records (kind, external_key, fields, {}, job_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, {}, ?{}, ?{}, ?{})",
        flat::sql::columns(),
        flat::sql::placeholders(4),
        4 + n,
        5 + n,
        5 + n,
    )
});

/// The update of a record: id, key, fields, the flat columns, job, time.
static REPLACE_RECORD: LazyLock<String> = LazyLock::new(|| {
    let n = FLAT_COLUMNS.len();
    format!(
        "UPDATE records SET external_key = ?2, fields = ?3, {}, job_id = ?{}, updated_at = ?{} WHERE id = ?1",
        flat::sql::assignments(4),
        4 + n,
        5 + n,
    )
});

/// Creates a record of `kind` with its instances; returns its id.
pub fn insert_record(
    db: Db<'_>,
    kind: RecordKind,
    record: &Record,
    key: Option<&str>,
    job_id: Option<i64>,
) -> Result<i64, Error> {
    let flat = Flat::of(kind, record);
    let now = now();
    db.prepare_cached(&INSERT_RECORD)?
        .execute(flat.params(&[&kind.as_str(), &key, &fields_json(record)], &[&job_id, &now]))?;
    let id = db.last_insert_rowid();
    insert_instances(db, id, &record.instances)?;
    Ok(id)
}

fn insert_instances(db: Db<'_>, id: i64, instances: &[Instance]) -> Result<(), Error> {
    let mut st = db.prepare_cached(
        "INSERT INTO record_instances (record_id, subcollection, type_name, instance, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for inst in instances {
        let attributes = serde_json::to_string(&inst.attributes).expect("values serialize");
        st.execute(params![id, inst.subcollection, inst.type_name, inst.instance, attributes])?;
    }
    Ok(())
}

/// Replaces a record's fields and instances (its id, kind and creation time stay).
pub fn replace_record(
    db: Db<'_>,
    id: i64,
    kind: RecordKind,
    record: &Record,
    key: Option<&str>,
    job_id: Option<i64>,
) -> Result<(), Error> {
    let flat = Flat::of(kind, record);
    db.prepare_cached(&REPLACE_RECORD)?
        .execute(flat.params(&[&id, &key, &fields_json(record)], &[&job_id, &now()]))?;
    db.prepare_cached("DELETE FROM record_instances WHERE record_id = ?1")?.execute([id])?;
    insert_instances(db, id, &record.instances)
}

/// Deletes a record and its instances.
pub fn delete_record(db: Db<'_>, id: i64) -> Result<(), Error> {
    db.prepare_cached("DELETE FROM records WHERE id = ?1")?.execute([id])?;
    Ok(())
}

/// Loads a record (fields and instances), or `None` when there is no such id.
pub fn load_record(db: Db<'_>, id: i64) -> Result<Option<Record>, Error> {
    let path = db.path();
    let fields: Option<String> =
        db.prepare_cached("SELECT fields FROM records WHERE id = ?1")?.query_opt([id], |r| r.get(0))?;
    let Some(fields) = fields else { return Ok(None) };
    let fields = serde_json::from_str(&fields)
        .map_err(|e| Error::unreadable(path, format!("the fields of record {id}"), e))?;
    let mut st = db.prepare_cached(
        "SELECT subcollection, type_name, instance, attributes FROM record_instances
             WHERE record_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut instances = Vec::new();
    for row in rows {
        let (subcollection, type_name, instance, attributes) = row?;
        let attributes: std::collections::BTreeMap<String, Value> = serde_json::from_str(&attributes)
            .map_err(|e| Error::unreadable(path, format!("the instances of record {id}"), e))?;
        instances.push(Instance { subcollection, type_name, instance, attributes });
    }
    Ok(Some(Record { fields, instances }))
}

/// Enumeration values added by `--create-missing` for `kind`: (field, value).
pub fn added_values(db: Db<'_>, kind: RecordKind) -> Result<Vec<(String, String)>, Error> {
    db.prepare_cached("SELECT field, value FROM target_values WHERE kind = ?1 ORDER BY rowid")?
        .query_vec([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn opens_migrates_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ferry.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.version().unwrap(), MIGRATIONS.len() as i64);
        let mode: String = store.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store.conn().pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        drop(store);
        let again = Store::open(&path).unwrap();
        assert_eq!(again.version().unwrap(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn a_bulk_write_alone_uses_the_rollback_journal_then_returns_to_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ferry.db");
        let mut store = Store::open(&path).unwrap();
        let ((inside, seen_by_other), journal) = store
            .bulk(|s| {
                let inside = s.journal_mode().unwrap();
                let tx = s.write().unwrap();
                tx.execute("INSERT INTO target_values (kind, field, value, created_at) VALUES ('leads', 'f', 'v', 'now')", [])
                    .unwrap();
                tx.commit().unwrap();
                // Another ferry opening the store meanwhile waits for nothing and reads.
                let other = Store::open(&path).unwrap();
                let seen: i64 =
                    other.conn().query_row("SELECT count(*) FROM target_values", [], |r| r.get(0)).unwrap();
                (inside, seen)
            })
            .unwrap();
        assert_eq!((journal, inside.as_str(), seen_by_other), (Journal::Rollback, "delete", 1));
        assert_eq!(store.journal_mode().unwrap(), "wal");
        assert!(!dir.path().join("ferry.db-journal").exists());

        // With another connection open, SQLite refuses the switch: the write stays in WAL.
        let other = Store::open(&path).unwrap();
        let (inside, journal) = store.bulk(|s| s.journal_mode().unwrap()).unwrap();
        assert_eq!((journal, inside.as_str()), (Journal::Wal, "wal"));
        assert_eq!(other.journal_mode().unwrap(), "wal");
        drop(other);

        // A store opened between bulk writes (no lock held) sets WAL itself;
        // both connections go on writing.
        let (late, journal) = store.bulk(|_| Store::open(&path).unwrap()).unwrap();
        assert_eq!((journal, late.journal_mode().unwrap().as_str()), (Journal::Rollback, "wal"));
        let tx = store.write().unwrap();
        tx.execute("DELETE FROM target_values", []).unwrap();
        tx.commit().unwrap();
        let left: i64 =
            late.conn().query_row("SELECT count(*) FROM target_values", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn refuses_a_newer_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ferry.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(&path).err().expect("a newer store is refused");
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn missing_directory_names_the_path() {
        let err = Store::open(Path::new("/nonexistent-dir/ferry.db")).err().unwrap();
        assert!(err.to_string().contains("/nonexistent-dir/ferry.db"), "{err}");
    }

    #[test]
    fn records_round_trip_with_instances() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let mut record = Record::default();
        record.fields.insert("externalId".into(), text("C-1"));
        record.fields.insert("lastName".into(), text("Smith"));
        record.instance_mut("Address", "Home", 1).attributes.insert("zip".into(), text("M5V 1A1"));
        let id = insert_record(store.db(), RecordKind::Contacts, &record, Some("C-1"), None).unwrap();
        assert_eq!(load_record(store.db(), id).unwrap().unwrap(), record);
        let (key, zip): (String, String) = store
            .conn()
            .query_row("SELECT external_key, zip FROM records WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((key.as_str(), zip.as_str()), ("C-1", "M5V 1A1"));

        record.fields.insert("firstName".into(), text("Ann"));
        record.instances.clear();
        replace_record(store.db(), id, RecordKind::Contacts, &record, Some("C-1"), None).unwrap();
        assert_eq!(load_record(store.db(), id).unwrap().unwrap(), record);

        // The key is unique per kind.
        let dup = insert_record(store.db(), RecordKind::Contacts, &record, Some("C-1"), None);
        assert!(dup.is_err());
        delete_record(store.db(), id).unwrap();
        assert!(load_record(store.db(), id).unwrap().is_none());
    }
}
