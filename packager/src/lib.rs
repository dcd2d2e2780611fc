//! ferry's packager: import packages, written and read.
//!
//! A package is a ZIP holding `fileMappings.xml`, `target.json`, and per
//! legacy file a CSV (in the declared encoding, header row first, the mapped
//! columns only) with its `<csv stem>_mappings.xml`:
//!
//! - [`format`]: the XML vocabulary (versioned), written from and read into a
//!   [`ferry_mapper::template::MappingTemplate`];
//! - [`write`]: `pack`: reads legacy files, splits rows into size-capped
//!   packages (a parent row with all its child rows), reproducible and atomic;
//! - [`read`]: [`read::Package`], the only way anything (the runner included)
//!   reads a package; it treats the package as hostile input, with the
//!   checks of [`validate`] (size cap, local names, mapping against target);
//! - [`encode`]: the package encoding; [`zipfile`]: the ZIP container.
//!
//! The packager knows nothing of the store or of matching.

pub mod encode;
pub mod format;
pub mod inspect;
pub mod read;
pub mod validate;
pub mod write;
pub mod zipfile;

mod error;
pub use error::{Error, Invalid};
