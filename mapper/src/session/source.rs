//! What the session knows of the data location: per file its columns, with a
//! sample value, the distinct values and the inferred kind of each (from the
//! first [`crate::profile::SAMPLE_RECORDS`] records).

use std::path::Path;

use crate::Error;
use crate::profile::{DateFormats, FileProfile, InferredKind, ProfileOptions};
use crate::read::ReadOptions;

/// Most distinct values kept per column: enough for any boolean or enumeration table.
pub const DISTINCT_CAP: usize = 200;

/// One column of a legacy file, as the session shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceColumn {
    pub name: String,
    /// A non-empty value from the first records, if any.
    pub sample: Option<String>,
    /// A few non-empty values, first seen first.
    pub samples: Vec<String>,
    /// Distinct non-empty values, first seen first.
    pub distinct: Vec<String>,
    /// More distinct values exist than `distinct` holds.
    pub distinct_capped: bool,
    pub kind: InferredKind,
    /// The date formats of a date column (see [`crate::profile::DateFormats`]).
    pub dates: Option<DateFormats>,
    /// The values meaning "no value" seen in the column, as written (`N/A`).
    pub nulls: Vec<String>,
}

impl SourceColumn {
    /// A column from its name, a few values and their kind; for tests and callers without a profile.
    pub fn from_values(name: &str, values: &[&str], kind: InferredKind) -> SourceColumn {
        let mut distinct: Vec<String> = Vec::new();
        let mut nulls: Vec<String> = Vec::new();
        for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            let seen = if crate::profile::is_null_token(v) { &mut nulls } else { &mut distinct };
            if !seen.iter().any(|d| d == v) {
                seen.push(v.to_string());
            }
        }
        SourceColumn {
            name: name.to_string(),
            sample: distinct.first().cloned(),
            samples: distinct.iter().take(5).cloned().collect(),
            distinct,
            distinct_capped: false,
            dates: crate::profile::date_formats(&kind, values),
            kind,
            nulls,
        }
    }

    /// True when no sampled value holds anything.
    pub fn is_empty(&self) -> bool {
        self.sample.is_none()
    }
}

/// One legacy file of the data location.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// The file name inside the data location.
    pub name: String,
    /// Data rows, when counted.
    pub rows: Option<u64>,
    pub columns: Vec<SourceColumn>,
}

impl SourceFile {
    /// The session's view of a profiled file.
    pub fn from_profile(name: &str, profile: &FileProfile) -> SourceFile {
        // Cells of ragged rows past the header are no column to map.
        let columns = profile
            .columns
            .iter()
            .filter(|c| !c.past_header)
            .map(|c| SourceColumn {
                name: c.name.clone(),
                sample: c.samples.first().cloned(),
                samples: c.samples.clone(),
                distinct: c.distinct.clone(),
                distinct_capped: c.distinct_capped,
                kind: c.kind.clone(),
                dates: c.dates.clone(),
                nulls: c.nulls.iter().map(|n| n.value.clone()).collect(),
            })
            .collect();
        SourceFile { name: name.to_string(), rows: profile.rows, columns }
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&SourceColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Profiles every legacy file of `dir` (the first records of each) for the session.
pub fn load_data(dir: &Path, read: &ReadOptions) -> Result<Vec<SourceFile>, Error> {
    let options = ProfileOptions { samples: 5, distinct_cap: DISTINCT_CAP, count_rows: false };
    let mut files = Vec::new();
    for path in crate::read::data_files(dir)? {
        let profile = crate::profile::profile_file(&path, read, &options)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        files.push(SourceFile::from_profile(&name, &profile));
    }
    Ok(files)
}
