//! `check`: a dry run of a mapping template over every row of a data
//! location, through the very conversion and validation code the runner uses.

use std::path::PathBuf;

use serde::Serialize;

use crate::Error;
use crate::problem::Problem;
use crate::read::ReadOptions;
use crate::target::TargetDefinition;
use crate::template::MappingTemplate;

/// What to check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The data location holding the template's files.
    pub data_dir: PathBuf,
    pub template: MappingTemplate,
    pub target: TargetDefinition,
    /// How to read the legacy files (encoding, delimiter, header …).
    pub read: ReadOptions,
}

/// Progress of a check, reported by the library and drawn by the binary.
pub trait CheckReporter {
    /// A file is about to be read.
    fn on_file(&self, _name: &str) {}
    /// `rows` more rows were checked.
    fn on_rows(&self, _rows: u64) {}
}

/// A reporter that reports nothing.
pub struct NoReporter;
impl CheckReporter for NoReporter {}

/// The result of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub files: Vec<FileReport>,
    /// Every problem, in file then line order.
    pub problems: Vec<Problem>,
    pub errors: usize,
    pub warnings: usize,
}

/// Counts for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub name: String,
    pub rows: u64,
    /// Rows an error rejects.
    pub rejected: u64,
}

impl CheckReport {
    /// True when no problem is an error.
    pub fn is_clean(&self) -> bool {
        self.errors == 0
    }
}

/// Runs the template over every row and reports every problem.
pub fn check(options: &CheckOptions, reporter: &dyn CheckReporter) -> Result<CheckReport, Error> {
    let _ = (options, reporter);
    todo!("check")
}
