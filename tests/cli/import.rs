//! Tests of `ferry import`, and the helpers the store verbs' tests share.

use std::path::{Path, PathBuf};

use ferry_mapper::read::{ReadOptions, Table};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;
use ferry_runner::import::{ImportOptions, NoReporter, PackageSource, stage};
use ferry_runner::store::Store;

use crate::util::{Sandbox, repo_file};

/// A data location read as if it were a package (the same mapping, the same
/// rows), for tests of the verbs that work on staged jobs.
pub struct DirPackage {
    path: PathBuf,
    template: MappingTemplate,
    target: TargetDefinition,
}

impl DirPackage {
    pub fn new(dir: &str, mapping: &str) -> DirPackage {
        let template = MappingTemplate::load(&repo_file(mapping)).expect("mapping loads");
        let target = TargetDefinition::resolve(&template.target).expect("target resolves");
        DirPackage { path: repo_file(dir), template, target }
    }
}

impl PackageSource for DirPackage {
    fn path(&self) -> &Path {
        &self.path
    }
    fn template(&self) -> &MappingTemplate {
        &self.template
    }
    fn target(&self) -> &TargetDefinition {
        &self.target
    }
    fn rows(&self, file: &str) -> Result<Table, ferry_runner::Error> {
        Ok(ferry_mapper::read::open(&self.path.join(file), &ReadOptions::default())?)
    }
}

/// Stages `test-data/runner/three-tables-bad` into the sandbox's store; returns the job id.
pub fn stage_bad_example(sb: &Sandbox, description: &str) -> i64 {
    let mut store = Store::open(&sb.join("ferry.db")).expect("store opens");
    let pkg = DirPackage::new("test-data/runner/three-tables-bad", "templates/mappings/three-tables.json");
    stage(&mut store, description, &[pkg], &ImportOptions::default(), &NoReporter).expect("stages").job.id
}

/// Runs SQL against the sandbox's store and returns the first column of the first row.
pub fn sql_i64(sb: &Sandbox, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Runs SQL statements against the sandbox's store.
pub fn sql_exec(sb: &Sandbox, sql: &str) {
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn a_missing_package_is_an_error_naming_it_and_creates_no_job() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["import", "nope.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = crate::util::stderr(&out);
    assert!(err.contains("`nope.zip`"), "{err}");
    let jobs = sb.ferry().args(["jobs", "--json"]).output().unwrap();
    assert_eq!(crate::util::stdout(&jobs).trim(), "[]");
}

#[test]
fn a_description_in_use_is_refused_with_a_hint() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "nightly");
    let pkg = sb.write("x.zip", b"not a zip");
    let out = sb.ferry().args(["import"]).arg(&pkg).args(["--description", "nightly"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = crate::util::stderr(&out);
    assert!(err.contains("`nightly` already exists (job 1)"), "{err}");
    assert!(err.contains("hint:"), "{err}");
}
