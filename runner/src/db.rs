//! [`Db`]: a connection, or a transaction on it, with the path of its store,
//! so that every error it returns names the store (one value in place of
//! `(conn, path)` pairs).
//!
//! [`crate::store::Store::db`] gives the store's own; inside a transaction,
//! `Db::new(&tx, path)`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Params, Row, Statement};

use crate::Error;
use crate::error::SqlResult;

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
        f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T, Error> {
        self.conn.query_row(sql, params, f).db(self.path)
    }

    /// The first row of a query, if it has one.
    pub fn query_opt<T>(
        self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>, Error> {
        self.conn.query_row(sql, params, f).optional().db(self.path)
    }

    /// A prepared statement (its own errors still need the path: `.db(db.path())`).
    pub fn prepare(self, sql: &str) -> Result<Statement<'a>, Error> {
        self.conn.prepare(sql).db(self.path)
    }
}
