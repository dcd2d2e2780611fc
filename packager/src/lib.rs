//! ferry's packager: import packages, written and read.
//!
//! A package is a ZIP holding `fileMappings.xml`, the CSVs (in the declared
//! encoding, header row first), one `<csv stem>_mappings.xml` per CSV and
//! `target.json`. The [`read`] side is the only way anything (the runner
//! included) reads a package, and treats it as hostile input.
//!
//! The packager knows nothing of the store or of matching.

pub mod read;

mod error;
pub use error::Error;
