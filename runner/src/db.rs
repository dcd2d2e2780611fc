//! [`Db`]: a connection, or a transaction on it, with the path of its store,
//! so that every error it returns names the store (one value in place of
//! `(conn, path)` pairs).
//!
//! [`crate::store::Store::db`] gives the store's own; [`Tx::begin`] starts a
//! write transaction that carries the path, and [`Tx::db`] is its handle.
//! What a `Db` prepares is a [`Stmt`], whose rows ([`Rows`], [`Row`]) also
//! name the store in their errors: no SQLite error leaves the runner without
//! the path of its store.

use std::path::{Path, PathBuf};

use rusqlite::types::{FromSql, ToSql};
use rusqlite::{
    CachedStatement, Connection, OptionalExtension, Params, RowIndex, Statement, Transaction,
    TransactionBehavior,
};

use crate::Error;
use crate::error::SqlResult;
use crate::store::Store;

/// A connection (or a transaction, which derefs to one) and its store's path.
#[derive(Clone, Copy)]
pub struct Db<'a> {
    conn: &'a Connection,
    path: &'a Path,
}

impl<'a> Db<'a> {
    pub fn new(conn: &'a Connection, path: &'a Path) -> Db<'a> {
        Db { conn, path }
    }

    /// The connection, for what this handle does not wrap.
    pub fn conn(self) -> &'a Connection {
        self.conn
    }

    /// The store's path (errors name it).
    pub fn path(self) -> &'a Path {
        self.path
    }

    /// Runs one statement; returns the rows changed.
    pub fn execute(self, sql: &str, params: impl Params) -> Result<usize, Error> {
        self.conn.execute(sql, params).db(self.path)
    }

    /// The first row of a query, which must have one.
    pub fn query_row<T>(
        self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        self.conn.query_row(sql, params, f).db(self.path)
    }

    /// The first row of a query, if it has one.
    pub fn query_opt<T>(
        self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, Error> {
        self.conn.query_row(sql, params, f).optional().db(self.path)
    }

    /// Every row of a query, each mapped by `f`.
    pub fn query_vec<T>(
        self,
        sql: &str,
        params: impl Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, Error> {
        self.prepare(sql)?.query_vec(params, f)
    }

    /// Runs several statements (a migration, say).
    pub fn execute_batch(self, sql: &str) -> Result<(), Error> {
        self.conn.execute_batch(sql).db(self.path)
    }

    /// Sets a pragma.
    pub fn pragma_update(self, name: &str, value: impl ToSql) -> Result<(), Error> {
        self.conn.pragma_update(None, name, value).db(self.path)
    }

    /// The value of a pragma.
    pub fn pragma_value<T: FromSql>(self, name: &str) -> Result<T, Error> {
        self.conn.pragma_query_value(None, name, |r| r.get(0)).db(self.path)
    }

    /// An SQLite error met outside this handle's methods (one that the
    /// caller looked at first, a busy store say), naming the store.
    pub fn error(self, source: rusqlite::Error) -> Error {
        Error::sqlite(self.path, source)
    }

    /// The rowid of the last row inserted on the connection.
    pub fn last_insert_rowid(self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// A prepared statement, whose errors name the store too.
    pub fn prepare(self, sql: &str) -> Result<Stmt<'a>, Error> {
        Ok(Stmt { st: Prepared::Plain(self.conn.prepare(sql).db(self.path)?), path: self.path })
    }

    /// A prepared statement from the connection's cache (for a statement run
    /// once per row of a loop elsewhere).
    pub fn prepare_cached(self, sql: &str) -> Result<Stmt<'a>, Error> {
        Ok(Stmt { st: Prepared::Cached(self.conn.prepare_cached(sql).db(self.path)?), path: self.path })
    }
}

/// Opens the SQLite file at `path` (creating it when missing).
pub(crate) fn open(path: &Path) -> Result<Connection, Error> {
    Connection::open(path).db(path)
}

/// Starts a transaction on `conn` that takes the write lock at once.
pub(crate) fn begin_immediate<'c>(conn: &'c mut Connection, path: &Path) -> Result<Transaction<'c>, Error> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate).db(path)
}

/// A write transaction with its store's path: [`Tx::db`] runs statements in
/// it, [`Tx::commit`] ends it (dropping it rolls back).
pub struct Tx<'a> {
    tx: Transaction<'a>,
    path: PathBuf,
}

impl<'a> Tx<'a> {
    /// Starts a write transaction on `store` (see [`Store::write`]).
    pub fn begin(store: &'a mut Store) -> Result<Tx<'a>, Error> {
        let path = store.path().to_path_buf();
        Ok(Tx { tx: store.write()?, path })
    }

    /// A transaction already started (the bulk write of an import, say).
    pub fn new(tx: Transaction<'a>, path: PathBuf) -> Tx<'a> {
        Tx { tx, path }
    }

    /// The handle that runs statements inside the transaction.
    pub fn db(&self) -> Db<'_> {
        Db { conn: &self.tx, path: &self.path }
    }

    /// The store's path (errors name it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Commits what the transaction wrote.
    pub fn commit(self) -> Result<(), Error> {
        self.tx.commit().db(&self.path)
    }
}

/// A prepared statement of a [`Db`]: every error names the store.
pub struct Stmt<'a> {
    st: Prepared<'a>,
    path: &'a Path,
}

enum Prepared<'a> {
    Plain(Statement<'a>),
    Cached(CachedStatement<'a>),
}

impl<'a> Stmt<'a> {
    fn st(&mut self) -> &mut Statement<'a> {
        match &mut self.st {
            Prepared::Plain(st) => st,
            Prepared::Cached(st) => st,
        }
    }

    /// Runs the statement; returns the rows changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize, Error> {
        let path = self.path;
        self.st().execute(params).db(path)
    }

    /// Inserts one row; returns its rowid.
    pub fn insert(&mut self, params: impl Params) -> Result<i64, Error> {
        let path = self.path;
        self.st().insert(params).db(path)
    }

    /// The first row, which must be there.
    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        let path = self.path;
        self.st().query_row(params, f).db(path)
    }

    /// The first row, if there is one.
    pub fn query_opt<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, Error> {
        let path = self.path;
        self.st().query_row(params, f).optional().db(path)
    }

    /// The rows, one at a time ([`Rows::next`]).
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_>, Error> {
        let path = self.path;
        Ok(Rows { rows: self.st().query(params).db(path)?, path })
    }

    /// The rows, each mapped by `f`, one at a time.
    pub fn query_map<'s, T, F>(
        &'s mut self,
        params: impl Params,
        f: F,
    ) -> Result<impl Iterator<Item = Result<T, Error>> + 's, Error>
    where
        F: FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T> + 's,
    {
        let path = self.path;
        let rows = self.st().query_map(params, f).db(path)?;
        Ok(rows.map(move |row| row.db(path)))
    }

    /// Every row, each mapped by `f`.
    pub fn query_vec<T>(
        &mut self,
        params: impl Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, Error> {
        self.query_map(params, f)?.collect()
    }
}

/// The rows of a [`Stmt`]'s query.
pub struct Rows<'s> {
    rows: rusqlite::Rows<'s>,
    path: &'s Path,
}

impl Rows<'_> {
    /// The next row, or `None` after the last. (Not an `Iterator`: the row
    /// borrows the cursor, as rusqlite's own `Rows::next`.)
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Row<'_>>, Error> {
        let path = self.path;
        Ok(self.rows.next().db(path)?.map(|row| Row { row, path }))
    }
}

/// A row of [`Rows`]: [`Row::get`] names the store when a column does not convert.
pub struct Row<'r> {
    row: &'r rusqlite::Row<'r>,
    path: &'r Path,
}

impl Row<'_> {
    /// The value of column `idx`.
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T, Error> {
        self.row.get(idx).db(self.path)
    }

    /// The text in column `idx`, borrowed from the row (no copy).
    pub fn get_str<I: RowIndex>(&self, idx: I) -> Result<&str, Error> {
        let value = self.row.get_ref(idx).db(self.path)?;
        value.as_str().map_err(rusqlite::Error::from).db(self.path)
    }

    /// The blob in column `idx`, borrowed from the row (no copy).
    pub fn get_blob<I: RowIndex>(&self, idx: I) -> Result<&[u8], Error> {
        let value = self.row.get_ref(idx).db(self.path)?;
        value.as_blob().map_err(rusqlite::Error::from).db(self.path)
    }
}
