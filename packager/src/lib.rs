//! ferry's packager: import packages, written and read.
//!
//! A package is a ZIP holding `fileMappings.xml`, `target.json`, and per
//! legacy file a CSV (in the declared encoding, header row first, the mapped
//! columns only) with its `<csv stem>_mappings.xml`:
//!
//! Which module owns which rule:
//!
//! - [`format`]: the XML vocabulary (versioned), written from and read into a
//!   [`ferry_mapper::template::MappingTemplate`]; values XML cannot carry are
//!   refused when written, DOCTYPEs, entities and unknown elements when read;
//! - [`write`]: `pack`: reads legacy files, splits rows into size-capped
//!   packages (a parent row never leaves its child rows), reproducible and
//!   atomic (built, read back and checked, then named);
//! - [`checked`]: the flow of `ferry pack`: the check beside the packing,
//!   and which errors refuse the data or are packed around;
//! - [`read`]: [`read::Package`], the only way anything (the runner included)
//!   reads a package; it treats the package as hostile input, with the
//!   checks of [`validate`] (size cap, local names, mapping against target);
//! - [`inspect`]: what a package holds and whether it is valid;
//! - [`encode`]: writing rows in the package encoding (which encodings
//!   packages are written in); [`zipfile`]: the ZIP container.
//!
//! The packager knows nothing of the store or of matching.

pub mod checked;
pub mod encode;
pub mod format;
pub mod inspect;
pub mod read;
pub mod validate;
pub mod write;
pub mod zipfile;

mod error;
pub use error::{Error, Invalid};
