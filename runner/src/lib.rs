//! ferry's runner: the store, import jobs, staging, review of staged data,
//! matching, review, completion, error reports and export.
//!
//! Which module owns which rule:
//!
//! - [`store`]: the SQLite store, its schema and migrations (from
//!   `user_version`, newer stores refused), records; [`db`]: a connection,
//!   its transactions ([`db::Tx`]), statements and rows ([`db::Stmt`]), each
//!   with the store's path, which every SQLite error names;
//! - `error`: the one [`Error`] type and its stable `kind` words (the
//!   `--json` and web API `kind`);
//! - [`job`]: import jobs, their stages and statuses, listing and deleting;
//! - [`import`]: staging packages as a job, in one transaction (a job is
//!   staged whole or not at all);
//! - [`staged`]: listing, editing, deleting and submitting staged records;
//! - [`matching`]: matching profiles, comparing and scoring, candidate generation;
//! - [`matchjob`]: matching a job's staged records, storing candidates and
//!   proposed actions;
//! - [`review`]: match results listed and exported, and the chosen actions
//!   (accepted in bulk, by quality, or from an edited CSV);
//! - [`complete`]: carrying out the chosen actions, undo;
//! - [`users`]: workspace users, sessions and the audit trail;
//! - [`views`]: what the command line's `--json` and `ferry serve`'s API both print;
//! - [`report`]: a job's error report (rejected rows in the upload's columns);
//! - [`export`]: records as CSV (through [`csvout`], mapper's spreadsheet-safe writer);
//! - [`keys`]: record keys, duplicate keys within an import, `--no-update`;
//! - [`memory`]: the memory budget of matching and learning (`--memory`),
//!   refused before anything loads when it cannot fit;
//! - [`flat`]: the flat columns kept beside record JSON; [`codec`]: the
//!   compact JSON of staged records.
//!
//! The runner never prints: progress leaves through the one
//! [`ferry_mapper::progress::Reporter`] (import, matching, export).

pub mod codec;
pub mod complete;
pub mod db;
pub use ferry_mapper::csvout;
mod error;
pub mod export;
pub mod flat;
pub mod import;
pub mod job;
pub mod keys;
pub mod matching;
pub mod matchjob;
pub mod memory;
pub mod report;
pub mod review;
pub mod staged;
pub mod store;
pub mod users;
pub mod views;

pub use db::Db;
pub use error::{Bug, ChoiceProblem, Error, Undecided};
