//! ferry's runner: the store, import jobs, staging, review of staged data,
//! matching, review, completion, error reports and export.
//!
//! - [`store`]: the SQLite store, its schema and migrations, records;
//! - [`job`]: import jobs, their stages and statuses, listing and deleting;
//! - [`import`]: staging packages as a job, in one transaction;
//! - [`staged`]: listing, editing, deleting and submitting staged records;
//! - [`matching`]: matching profiles, scoring and candidate generation;
//! - [`matchjob`]: matching a job's staged records, storing candidates and
//!   proposed actions; review exports and decisions;
//! - [`complete`]: carrying out the chosen actions, undo;
//! - [`users`]: workspace users, sessions and the audit trail;
//! - [`views`]: what the command line's `--json` and `ferry serve`'s API both print;
//! - [`report`]: a job's error report (rejected rows in the upload's columns);
//! - [`export`]: records as CSV; [`csvout`]: spreadsheet-safe CSV writing;
//! - [`keys`]: record keys, duplicate keys within an import, `--no-update`;
//! - [`flat`]: the flat columns kept beside record JSON; [`codec`]: the
//!   compact JSON of staged records.
//!
//! The runner never prints: progress leaves through reporter traits
//! ([`import::ImportReporter`], [`export::ExportReporter`]).

pub mod codec;
pub mod complete;
pub use ferry_mapper::csvout;
mod error;
pub mod export;
pub mod flat;
pub mod import;
pub mod job;
pub mod keys;
pub mod matching;
pub mod matchjob;
pub mod report;
pub mod review;
pub mod staged;
pub mod store;
pub mod users;
pub mod views;

pub use error::Error;
