//! ferry's mapper: everything between a legacy export and a mapping template.
//!
//! Which module owns which rule:
//!
//! - [`target`]: the CRM's data model (fields and their types, enumeration
//!   values, required fields and one-of groups, subcollections and their type
//!   names) and the bundled targets;
//! - [`template`]: mapping templates, saved and loaded as JSON: file
//!   categories, parent links, field mappings, converters, null converters;
//! - [`schema`]: JSON Schemas generated from those types, and loading through
//!   them (unknown fields refused, errors with their JSON path);
//! - [`read`]: legacy readers (CSV in any encoding and dialect, XLSX, XLS),
//!   the one encoding-label rule ([`read::encoding_for_label`]) and the one
//!   decoder to UTF-8 ([`read::DecodingReader`], strict for packages);
//! - [`convert`]: what a legacy value becomes in a field of each type, and
//!   the record-level rules; shared by `check` and the runner's staging;
//! - [`record`], [`problem`]: what conversion produces, and what it finds;
//! - [`profile`]: profiling legacy files (kinds, samples, distinct values,
//!   the date formats of a column);
//! - [`mojibake`]: UTF-8 text once read as Windows-1252 (`JosÃ©`), repaired;
//! - [`phone`]: the one rule that reads phone numbers (international form,
//!   E.164 for matching);
//! - [`country`]: the country of the data, given or guessed;
//! - [`check`]: the dry run of a template over every row, child rows
//!   assembled with their parents as an import would;
//! - [`diff`]: what changed between two templates;
//! - [`reuse`]: a template applied to another export (the file with the same columns);
//! - [`session`], [`auto`]: the interactive mapping session (a state machine)
//!   and its suggestions;
//! - [`fsutil`]: outputs whole or absent (a scratch file beside the output,
//!   renamed into place; an existing file replaced only with `force`);
//! - [`csvout`]: the one writer of CSVs for people, safe in spreadsheets;
//! - [`progress`]: the one [`progress::Reporter`] every long operation of
//!   every crate reports to;
//! - [`suggest`]: "did you mean …?" for mistyped names.
//!
//! The mapper knows nothing of ZIP, XML or the store.

pub mod auto;
pub mod check;
pub mod convert;
pub mod country;
pub mod csvout;
pub mod diff;
pub mod email;
mod error;
pub mod fsutil;
pub mod mojibake;
pub mod name;
pub mod phone;
pub mod problem;
pub mod profile;
pub mod progress;
pub mod read;
pub mod record;
pub mod reuse;
pub mod schema;
pub mod session;
pub mod suggest;
pub mod target;
pub mod template;
pub mod tree;

pub use error::{Error, SchemaError};
