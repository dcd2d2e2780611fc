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
    // The bundled template with `"onInvalid": "reject"` on every mapping, so each planted bad
    // value rejects its row (by default it would be dropped with a warning).
    let pkg =
        DirPackage::new("test-data/runner/three-tables-bad", "test-data/runner/three-tables-bad-strict.json");
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

/// Packs `data` with `mapping` into `out` with the real `ferry pack`.
pub fn pack(sb: &Sandbox, data: &Path, mapping: &Path, out: &str) -> PathBuf {
    let run = sb
        .ferry()
        .args(["pack", "--quiet", "--data"])
        .arg(data)
        .arg("--mapping")
        .arg(mapping)
        .args(["--out", out, "--force"])
        .output()
        .unwrap();
    assert!(run.status.success(), "pack: {}", crate::util::stderr(&run));
    sb.join(out)
}

/// Copies a package, changing one CSV member (a package somebody else produced).
pub fn tamper(src: &Path, dst: &Path, member: &str, change: impl Fn(String) -> String) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        if name == member {
            text = change(text);
        }
        zout.start_file(name, options).unwrap();
        zout.write_all(text.as_bytes()).unwrap();
    }
    zout.finish().unwrap();
}

/// The bundled three-table example, packed as `example.zip`.
pub fn pack_example(sb: &Sandbox) -> PathBuf {
    pack(
        sb,
        &repo_file("templates/examples/three-tables"),
        &repo_file("templates/mappings/three-tables.json"),
        "example.zip",
    )
}

fn show(sb: &Sandbox, job: &str) -> serde_json::Value {
    let out = sb.ferry().args(["jobs", "show", job, "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    serde_json::from_str(&crate::util::stdout(&out)).unwrap()
}

#[test]
fn imports_the_packed_example_end_to_end() {
    let sb = Sandbox::new();
    let pkg = pack_example(&sb);
    let out = sb.ferry().args(["import"]).arg(&pkg).args(["--description", "example"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", crate::util::stderr(&out));
    let summary = crate::util::squash(&crate::util::stderr(&out));
    assert!(summary.contains("job 1 `example` imported: Review Staged Data / Waiting on User"), "{summary}");
    assert!(summary.contains("records staged 30 from 93 rows read"), "{summary}");
    assert!(summary.contains("rows rejected 0"), "{summary}");
    let job = show(&sb, "example");
    assert_eq!(
        (job["stage"].as_str(), job["status"].as_str()),
        (Some("Review Staged Data"), Some("Waiting on User"))
    );
    assert_eq!(job["counts"]["records_staged"], 30);

    // The same package with C002's last name blanked and a phone of nobody: rejected, the rest staged.
    let bad = sb.join("bad.zip");
    tamper(&pkg, &bad, "contacts.csv", |t| t.replacen("Emily,Tremblay,", "Emily,,", 1));
    let tampered = sb.join("bad2.zip");
    tamper(&bad, &tampered, "phones.csv", |t| t.replacen("\nC030,", "\nC999,", 1));
    let out =
        sb.ferry().args(["import"]).arg(&tampered).args(["--description", "tampered"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "rejected rows are data problems: {}", crate::util::stderr(&out));
    let job = show(&sb, "tampered");
    let c = &job["counts"];
    // C002's contact, address and phone rows, and the orphan phone.
    assert_eq!(
        (c["rows_read"].as_u64(), c["rows_staged"].as_u64(), c["rows_rejected"].as_u64()),
        (Some(93), Some(89), Some(4))
    );
    assert_eq!(c["records_staged"], 29);

    // Review: edit and delete staged records.
    let id = crate::import::sql_i64(&sb, "SELECT id FROM staged WHERE job_id = 2 AND legacy_id = 'C001'")
        .to_string();
    let edit = sb.ferry().args(["staged", "tampered", "--edit", &id, "firstName=Jon"]).output().unwrap();
    assert!(edit.status.success(), "{}", crate::util::stderr(&edit));
    let del = sb.ferry().args(["staged", "tampered", "--delete", &id]).output().unwrap();
    assert!(del.status.success());
    assert_eq!(show(&sb, "tampered")["counts"]["records_remaining"], 28);

    // The error report: the upload's columns plus the reason.
    let rep = sb.ferry().args(["errors", "tampered", "--out", "errors.csv"]).output().unwrap();
    assert!(rep.status.success(), "{}", crate::util::stderr(&rep));
    let text = std::fs::read_to_string(sb.join("errors.csv")).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("\"C999\"") && text.contains("Last Name"), "{text}");

    // Deleting the job removes its data; the first job keeps its own.
    let del = sb.ferry().args(["jobs", "delete", "tampered"]).output().unwrap();
    assert!(del.status.success());
    assert_eq!(crate::import::sql_i64(&sb, "SELECT count(*) FROM staged"), 30);
    assert_eq!(crate::import::sql_i64(&sb, "SELECT count(*) FROM rejected"), 0);
}

/// A package whose last CSV member holds more rows than `fileMappings.xml`
/// says is found out while it is staged (the import reads each package once):
/// the job fails naming the member, and nothing of it stays staged.
#[test]
fn a_package_with_an_undeclared_row_fails_while_staging_and_stages_nothing() {
    let sb = Sandbox::new();
    let pkg = pack_example(&sb);
    let extra = sb.join("extra.zip");
    tamper(&pkg, &extra, "phones.csv", |t| format!("{t}C001,Mobile,+1 416 555 0199\r\n"));
    let out = sb.ferry().args(["import"]).arg(&extra).args(["--description", "extra"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", crate::util::stdout(&out));
    let err = crate::util::stderr(&out);
    assert!(err.contains("`phones.csv` holds 31 rows but `fileMappings.xml` declares 30"), "{err}");
    let job = show(&sb, "extra");
    assert_eq!(
        (job["stage"].as_str(), job["status"].as_str()),
        (Some("Import into Staging"), Some("Failed"))
    );
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM rejected"), 0);
}

/// Writes a contacts CSV of `rows` rows for the mapping `test-data/runner/simple-contacts.json`.
pub fn write_big_contacts(dir: &Path, rows: usize) {
    use std::io::Write;
    std::fs::create_dir_all(dir).unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("contacts.csv")).unwrap());
    writeln!(f, "ID,First Name,Last Name,Birth Date,Email,Phone,City,Zip").unwrap();
    for i in 0..rows {
        writeln!(
            f,
            "C{i},First{},Last{},19{}-0{}-1{},p{i}@example.com,+1 416 555 {:04},Toronto,M5V {:03}",
            i % 997,
            i % 1999,
            50 + i % 50,
            1 + i % 9,
            i % 9,
            i % 10000,
            i % 1000
        )
        .unwrap();
    }
}

fn table_counts(sb: &Sandbox) -> Vec<i64> {
    ["jobs", "staged", "rejected", "problems", "job_files", "job_packages", "records", "target_values"]
        .iter()
        .map(|t| sql_i64(sb, &format!("SELECT count(*) FROM {t}")))
        .collect()
}

#[test]
fn an_import_killed_midway_leaves_the_store_as_it_was_and_runs_again() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;

    let sb = Sandbox::new();
    write_big_contacts(&sb.join("big"), 30_000);
    let pkg = pack(&sb, &sb.join("big"), &repo_file("test-data/runner/simple-contacts.json"), "big.zip");
    assert!(pkg.is_file());
    stage_bad_example(&sb, "earlier job");
    let before = table_counts(&sb);

    let mut delay = 300u64;
    let mut killed = false;
    for _ in 0..6 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .current_dir(sb.path())
            .env("FERRY_DB", sb.join("ferry.db"))
            .env("NO_COLOR", "1")
            .args(["import", "big.zip", "--description", "big"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until staging of the CSV has begun, then a little more.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("staging `contacts.csv`") {
            line.clear();
        }
        std::thread::sleep(std::time::Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            killed = true;
            assert_eq!(table_counts(&sb), before, "a killed import changes nothing");
            let jobs = sb.ferry().args(["jobs", "--json"]).output().unwrap();
            let jobs: serde_json::Value = serde_json::from_str(&crate::util::stdout(&jobs)).unwrap();
            assert_eq!(jobs.as_array().unwrap().len(), 1, "only the earlier job");
            let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
            let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(ok, "ok");
            break;
        }
        // It finished before the kill: undo and try sooner.
        let _ = sb.ferry().args(["jobs", "delete", "big"]).output().unwrap();
        delay /= 3;
    }
    assert!(killed, "could not kill the import while it ran");

    let out = sb.ferry().args(["import", "big.zip", "--description", "big", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", crate::util::stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&crate::util::stdout(&out)).unwrap();
    let c = &summary["job"]["counts"];
    assert_eq!(
        (c["rows_read"].as_u64(), c["rows_staged"].as_u64(), c["rows_rejected"].as_u64()),
        (Some(30_000), Some(30_000), Some(0))
    );
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE legacy_id = 'C29999'"), 1);
}
