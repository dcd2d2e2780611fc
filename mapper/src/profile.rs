//! Profiling legacy files: encoding, delimiter, rows, columns, and per column
//! samples, distinct values, empties and the inferred kind.
//!
//! Samples and distinct values come from the first [`SAMPLE_RECORDS`] records;
//! counts (rows, empties) cover the whole file.

use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::read::{ReadOptions, TableInfo};

/// How many records samples and distinct values are taken from.
pub const SAMPLE_RECORDS: usize = 1000;

/// Choices for profiling.
#[derive(Debug, Clone)]
pub struct ProfileOptions {
    /// Most sample values kept per column.
    pub samples: usize,
    /// Most distinct values kept per column (beyond it, `distinct_capped` is set).
    pub distinct_cap: usize,
    /// False: stop after the sample records (no full row count).
    pub count_rows: bool,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions { samples: 5, distinct_cap: 50, count_rows: true }
    }
}

/// The profile of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileProfile {
    pub info: TableInfo,
    /// Data rows (the header excluded); `None` when not counted.
    pub rows: Option<u64>,
    pub columns: Vec<ColumnProfile>,
}

/// The profile of one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnProfile {
    pub name: String,
    /// Up to `samples` non-empty values from the first records, first seen first.
    pub samples: Vec<String>,
    /// Distinct non-empty values of the first records, first seen first, up to the cap.
    pub distinct: Vec<String>,
    /// True when there were more distinct values than the cap.
    pub distinct_capped: bool,
    /// Empty cells (over the rows counted).
    pub empty: u64,
    pub kind: InferredKind,
}

/// What a column's values look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InferredKind {
    /// Dates in `format` (strftime); `ambiguous` when day and month could be swapped
    /// (every value has both ≤ 12), with the other reading in `alternative`.
    Date {
        format: String,
        ambiguous: bool,
        alternative: Option<String>,
    },
    Timestamp {
        format: String,
    },
    Integer,
    Decimal,
    Boolean,
    Email,
    Phone,
    Zip,
    Text,
    /// Every sampled value was empty.
    Empty,
}

/// Profiles one legacy file.
pub fn profile_file(path: &Path, read: &ReadOptions, options: &ProfileOptions) -> Result<FileProfile, Error> {
    let _ = (path, read, options);
    todo!("profiling")
}
