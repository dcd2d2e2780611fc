//! Converting and validating rows: the code `check` runs and the runner stages with.
//!
//! A [`FileConverter`] is built once per file from the target, the file's
//! mapping and the file's headers (resolving columns and converters, and
//! reporting file-level problems), then turns each [`Row`] into a
//! [`Record`] plus the [`Problem`]s found. [`validate_record`] applies the
//! record-level rules (required fields, one-of groups) once a record is
//! assembled from its file and its child files.

use crate::problem::Problem;
use crate::read::Row;
use crate::record::Record;
use crate::target::TargetDefinition;
use crate::template::{FileMapping, MappingTemplate};

/// Choices that change how values are validated.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Enumeration values the target does not know are added to it (with a
    /// warning) instead of ignored.
    pub create_missing: bool,
}

/// The result of converting one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    pub record: Record,
    /// Errors reject the row; warnings keep it (truncated, value ignored).
    pub problems: Vec<Problem>,
}

impl Converted {
    /// True when a problem rejects the row.
    pub fn is_rejected(&self) -> bool {
        self.problems.iter().any(|p| p.severity == crate::problem::Severity::Error)
    }
}

/// A file mapping compiled against a target and a file's headers.
pub struct FileConverter {
    _private: (),
}

impl FileConverter {
    /// Compiles `file` for a file with `headers`; the problems are file-level
    /// (a column the template names is missing, an unknown field or type name).
    pub fn new(
        target: &TargetDefinition,
        file: &FileMapping,
        headers: &[String],
        options: &ConvertOptions,
    ) -> (FileConverter, Vec<Problem>) {
        let _ = (target, file, headers, options);
        todo!("converters")
    }

    /// Converts one row: values through their converters, null converters,
    /// truncation and enumeration checks.
    pub fn convert(&self, row: &Row) -> Converted {
        let _ = row;
        todo!("converters")
    }
}

/// Record-level rules: required fields and one-of groups. `file` and `line`
/// locate the record's main row.
pub fn validate_record(target: &TargetDefinition, record: &Record, file: &str, line: u64) -> Vec<Problem> {
    let _ = (target, record, file, line);
    todo!("converters")
}

/// Template-level problems: required target fields that no column maps to,
/// files whose category or parent link is unknown.
pub fn check_template(target: &TargetDefinition, template: &MappingTemplate) -> Vec<Problem> {
    let _ = (target, template);
    todo!("converters")
}
