//! ferry's mapper: everything between a legacy export and a mapping template.
//!
//! - [`target`]: target definitions (the CRM's data model) and the bundled ones;
//! - [`template`]: mapping templates, saved and loaded as JSON;
//! - [`schema`]: JSON Schemas generated from those types, and loading through them;
//! - [`read`]: legacy readers (CSV in any encoding and dialect, XLSX, XLS);
//! - [`convert`]: converters and validation, shared by `check` and the runner;
//! - [`record`], [`problem`]: what conversion produces;
//! - [`profile`]: profiling legacy files;
//! - [`check`]: the dry run of a template over every row;
//! - [`diff`]: what changed between two templates;
//! - [`reuse`]: a template applied to another export (the file with the same columns);
//! - [`session`], [`auto`]: the interactive mapping session and its suggestions.
//!
//! The mapper knows nothing of ZIP, XML or the store.

pub mod auto;
pub mod check;
pub mod convert;
pub mod csvout;
pub mod diff;
mod error;
pub mod fsutil;
pub mod problem;
pub mod profile;
pub mod read;
pub mod record;
pub mod reuse;
pub mod schema;
pub mod session;
pub mod target;
pub mod template;

pub use error::{Error, SchemaError};
