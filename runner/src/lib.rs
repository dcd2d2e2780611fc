//! ferry's runner: the store, import jobs, staging, matching, review,
//! completion and export.
//!
//! - [`matching`]: matching profiles, scoring and candidate generation.

pub mod matching;
