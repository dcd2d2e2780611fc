//! Tests of staging, on packages held in memory.

use super::*;
use crate::job::{Stage, Status};
use ferry_mapper::read::{FileFormat, Row, TableInfo};
use ferry_mapper::record::Record;
use ferry_mapper::template::{Converter, FieldMapping, FileMapping, ParentLink};

/// A package held in memory: file name → CSV text (comma-separated, no quoting).
struct MemPackage {
    path: PathBuf,
    template: MappingTemplate,
    target: TargetDefinition,
    files: Vec<(String, String)>,
}

impl PackageSource for MemPackage {
    fn path(&self) -> &Path {
        &self.path
    }
    fn template(&self) -> &MappingTemplate {
        &self.template
    }
    fn target(&self) -> &TargetDefinition {
        &self.target
    }
    fn rows(&self, file: &str) -> Result<Table, Error> {
        let text = &self.files.iter().find(|(n, _)| n == file).expect("file in package").1;
        let mut lines = text.lines();
        let headers: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
        let rows: Vec<Result<Row, ferry_mapper::Error>> = lines
            .enumerate()
            .map(|(i, l)| Ok(Row { line: i as u64 + 2, cells: l.split(',').map(str::to_string).collect() }))
            .collect();
        let info = TableInfo {
            path: PathBuf::from(file),
            format: FileFormat::Csv,
            encoding: "UTF-8".into(),
            bom: false,
            delimiter: Some(','),
            has_header: true,
            sheet: None,
        };
        Ok(Table::from_parts(info, headers, Box::new(rows.into_iter())))
    }
}

fn map(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
}

fn sub(column: &str, subcollection: &str, type_name: &str, field: &str) -> FieldMapping {
    FieldMapping {
        subcollection: Some(subcollection.into()),
        type_name: Some(type_name.into()),
        ..map(column, field)
    }
}

fn file(name: &str, mappings: Vec<FieldMapping>) -> FileMapping {
    FileMapping {
        name: name.into(),
        category: "All".into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings,
    }
}

fn contacts_package() -> MemPackage {
    let mut main = file(
        "contacts.csv",
        vec![
            map("ID", "externalId"),
            map("First", "firstName"),
            map("Last", "lastName"),
            FieldMapping { converter: Converter::date("%Y-%m-%d"), ..map("Born", "birthDate") },
            map("Title", "title"),
        ],
    );
    main.id_column = Some("ID".into());
    let mut phones = file("phones.csv", vec![sub("Number", "Telcom", "Business", "value")]);
    phones.parent = Some(ParentLink {
        file: "contacts.csv".into(),
        column: "Contact".into(),
        parent_column: "ID".into(),
    });
    let mut template = MappingTemplate::new("contacts");
    template.files = vec![main, phones];
    MemPackage {
        path: PathBuf::from("mem.zip"),
        template,
        target: TargetDefinition::bundled("contacts").unwrap(),
        files: vec![
            (
                "contacts.csv".into(),
                [
                    "ID,First,Last,Born,Title",
                    "1,Ann,Smith,1980-01-02,Dr.",
                    "2,Bob,,1970-03-04,Mr.", // no last name: rejected with its phone
                    "3,Cy,Young,not-a-date,Mr.", // wrong type: the value is dropped with a warning
                    &format!("4,{},Long,1990-05-06,Sir", "x".repeat(60)), // truncated, title ignored
                ]
                .join("\n"),
            ),
            (
                "phones.csv".into(),
                ["Contact,Number", "1,555-0001", "2,555-0002", "3,555-0003", "9,555-0009", "1,555-0011"]
                    .join("\n"),
            ),
        ],
    }
}

fn counts(store: &Store, job_id: i64) -> (u64, u64, u64, u64) {
    let job = job::get(store.db(), job_id).unwrap().unwrap();
    (job.counts.rows_read, job.counts.rows_staged, job.counts.rows_rejected, job.counts.warnings)
}

/// Assembled records are validated in pages: across several pages every
/// record is judged, and a bad one takes its child rows along.
#[test]
fn assembled_records_are_validated_across_pages() {
    let mut package = contacts_package();
    let n = 10_000;
    let contacts: Vec<String> = std::iter::once("ID,First,Last,Born,Title".to_string())
        .chain((0..n).map(|i| {
            // Every 1000th contact lacks its last name.
            let last = if i % 1000 == 7 { String::new() } else { format!("L{i}") };
            format!("{i},F{i},{last},1980-01-02,Dr.")
        }))
        .collect();
    let phones: Vec<String> = std::iter::once("Contact,Number".to_string())
        .chain((0..n).map(|i| format!("{i},555-{i:04}")))
        .collect();
    package.files =
        vec![("contacts.csv".into(), contacts.join("\n")), ("phones.csv".into(), phones.join("\n"))];
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let job = stage(&mut store, "paged", &[package], &ImportOptions::default(), &NoReporter).unwrap().job;
    let bad = n / 1000;
    let (read, staged, rejected, _) = counts(&store, job.id);
    assert_eq!((read, staged, rejected), (2 * n, 2 * (n - bad), 2 * bad));
    assert_eq!(job.counts.records_staged, n - bad);
    let phone_of_last: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM staged WHERE legacy_id = '9999' AND phone = '555-9999'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(phone_of_last, 1, "the last page's records are validated and flattened too");
}

#[test]
fn stages_with_children_and_rejects_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let summary =
        stage(&mut store, "first", &[contacts_package()], &ImportOptions::default(), &NoReporter).unwrap();
    let job = summary.job;
    assert_eq!((job.stage, job.status), (Stage::ReviewStagedData, Status::WaitingOnUser));
    // 4 contact rows + 5 phone rows; staged: Ann (+2 phones), Cy (+1 phone; his bad birth date
    // dropped with a warning), the long one; rejected: Bob + phone, the orphan phone 9.
    assert_eq!(counts(&store, job.id), (9, 6, 3, 3));
    assert_eq!(job.counts.records_staged, 3);
    let reasons: Vec<(String, u64, String)> = {
        let mut st = store
            .conn()
            .prepare("SELECT f.file, r.line, r.reason FROM rejected r JOIN job_files f ON f.id = r.file_id ORDER BY r.id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    let find = |file: &str, line: u64| {
        reasons
            .iter()
            .find(|r| r.0 == file && r.1 == line)
            .unwrap_or_else(|| panic!("{file}:{line} in {reasons:?}"))
            .2
            .clone()
    };
    assert!(find("contacts.csv", 3).contains("Last Name"), "{reasons:?}");
    assert!(find("phones.csv", 3).contains("`contacts.csv` line 3"), "{reasons:?}");
    assert!(reasons.iter().all(|r| !(r.0 == "contacts.csv" && r.1 == 4)), "{reasons:?}");
    let (born, warned): (Option<String>, String) = store
        .conn()
        .query_row(
            "SELECT s.birth_date, p.column_name FROM staged s JOIN problems p ON p.staged_id = s.id
             WHERE s.legacy_id = '3' AND p.severity = 'warning'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (born, warned.as_str()),
        (None, "Born"),
        "the bad value is dropped with a warning at its column"
    );
    assert!(find("phones.csv", 5).contains("absent"), "{reasons:?}");

    let (json, rows): (String, u64) = store
        .conn()
        .query_row("SELECT record, rows FROM staged WHERE legacy_id = '1'", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let ann: Record = crate::codec::decode(&json).unwrap();
    assert_eq!(rows, 3);
    let phones: Vec<String> = ann.instances.iter().map(|i| i.attributes["value"].to_text()).collect();
    assert_eq!(phones, ["555-0001", "555-0011"]);
    let long: String = store
        .conn()
        .query_row("SELECT first_name FROM staged WHERE legacy_id = '4'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(long.chars().count(), 50);
}

#[test]
fn create_missing_adds_values_and_the_next_job_knows_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let options = ImportOptions { create_missing: true, ..ImportOptions::default() };
    let summary = stage(&mut store, "a", &[contacts_package()], &options, &NoReporter).unwrap();
    assert_eq!(summary.added_values, vec![AddedValue { field: "title".into(), value: "Sir".into() }]);
    let title: String =
        store.conn().query_row("SELECT record FROM staged WHERE legacy_id = '4'", [], |r| r.get(0)).unwrap();
    assert!(title.contains("Sir"));
    let second =
        stage(&mut store, "b", &[contacts_package()], &ImportOptions::default(), &NoReporter).unwrap();
    assert!(second.added_values.is_empty());
    // Known now: no warning for `Sir`, only the truncation and Cy's dropped birth date.
    assert_eq!(counts(&store, second.job.id).3, 2);
    // Deleting the job before matching takes its additions away.
    let deleted = job::delete(&mut store, "a").unwrap();
    assert_eq!(deleted.values_removed, 1);
}

#[test]
fn a_bad_package_fails_the_job_and_leaves_no_staged_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let mut pkg = contacts_package();
    pkg.files[0].1 = pkg.files[0].1.replace("ID,First", "Key,First");
    let err = stage(&mut store, "bad", &[pkg], &ImportOptions::default(), &NoReporter).unwrap_err();
    let Error::ImportFailed { id, cause } = err else { panic!("{err}") };
    // The cause stays typed: the package's own fault, in the packager's kind.
    let Error::Package(ferry_packager::Error::Invalid { kind, message, .. }) = *cause else {
        panic!("{cause}")
    };
    assert_eq!(kind, ferry_packager::Invalid::BadCsv);
    assert!(message.contains("ID"), "{message}");
    let job = job::get(store.db(), id).unwrap().unwrap();
    assert_eq!((job.stage, job.status), (Stage::ImportIntoStaging, Status::Failed));
    let staged: i64 = store.conn().query_row("SELECT count(*) FROM staged", [], |r| r.get(0)).unwrap();
    assert_eq!(staged, 0);
    // The same description again replaces the failed job.
    let again =
        stage(&mut store, "bad", &[contacts_package()], &ImportOptions::default(), &NoReporter).unwrap();
    assert_ne!(again.job.id, id);
    assert!(job::get(store.db(), id).unwrap().is_none());
    // A description in use by a job that did not fail is refused.
    let dup = stage(&mut store, "bad", &[contacts_package()], &ImportOptions::default(), &NoReporter);
    assert!(matches!(dup, Err(Error::DuplicateDescription { .. })));
}

#[test]
fn leads_skip_review_of_staged_data_and_check_email_or_phone() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let mut template = MappingTemplate::new("leads");
    template.files = vec![file(
        "leads.csv",
        vec![
            map("First", "firstName"),
            map("Last", "lastName"),
            map("Email", "email"),
            map("Phone", "phone"),
        ],
    )];
    let pkg = MemPackage {
        path: "leads.zip".into(),
        template,
        target: TargetDefinition::bundled("leads").unwrap(),
        files: vec![("leads.csv".into(), "First,Last,Email,Phone\nA,B,a@b.c,\nC,D,,\nE,F,,555".into())],
    };
    let summary = stage(&mut store, "leads", &[pkg], &ImportOptions::default(), &NoReporter).unwrap();
    assert_eq!((summary.job.stage, summary.job.status), (Stage::ReviewMatchResults, Status::Queued));
    assert_eq!(counts(&store, summary.job.id), (3, 2, 1, 0));
    // A contacts job cannot take a leads package.
    let mut template = MappingTemplate::new("leads");
    template.files = vec![file("leads.csv", vec![map("First", "firstName")])];
    let pkg = MemPackage {
        path: "leads.zip".into(),
        template,
        target: TargetDefinition::bundled("leads").unwrap(),
        files: vec![("leads.csv".into(), "First\nA".into())],
    };
    let options = ImportOptions { kind: Some(RecordKind::Contacts), ..ImportOptions::default() };
    let err = stage(&mut store, "mixed", &[pkg], &options, &NoReporter).unwrap_err();
    assert!(err.to_string().contains("holds leads"), "{err}");
}

/// Child rows are read before their parents and join the first main row with
/// their parent's id; every other child row is rejected with why.
#[test]
fn child_rows_join_the_first_row_with_their_parent_id() {
    let mut package = contacts_package();
    let born = &mut package.template.files[0].mappings[3];
    born.on_invalid = ferry_mapper::template::OnInvalid::Reject;
    package.files = vec![
        (
            "contacts.csv".into(),
            [
                "ID,First,Last,Born,Title",
                "1,Ann,Smith,1980-01-02,Dr.",
                "1,Ann,Again,1980-01-02,Dr.", // the same id: rejected, Ann keeps the phones
                "5,Eve,Stone,bad-date,Ms.",   // rejected, and its phone with it
                ",Nid,Less,1980-01-02,Mr.",   // no id: a record without children
            ]
            .join("\n"),
        ),
        (
            "phones.csv".into(),
            ["Contact,Number", "1,555-0001", "5,555-0005", ",555-0000", "7,555-0007", "1,555-0011"]
                .join("\n"),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
    let job = stage(&mut store, "ids", &[package], &ImportOptions::default(), &NoReporter).unwrap().job;
    assert_eq!(counts(&store, job.id), (9, 4, 5, 0));
    assert_eq!(job.counts.records_staged, 2);
    let reasons: Vec<(String, u64, String)> = {
        let mut st = store
            .conn()
            .prepare("SELECT f.file, r.line, r.reason FROM rejected r JOIN job_files f ON f.id = r.file_id ORDER BY f.id, r.line")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
    };
    let lines: Vec<(&str, u64)> = reasons.iter().map(|r| (r.0.as_str(), r.1)).collect();
    assert_eq!(
        lines,
        [("contacts.csv", 3), ("contacts.csv", 4), ("phones.csv", 3), ("phones.csv", 4), ("phones.csv", 5)],
        "{reasons:?}"
    );
    assert!(reasons[0].2.contains("the id `1` appears on an earlier row too"), "{reasons:?}");
    assert!(reasons[1].2.contains("Born"), "{reasons:?}");
    assert_eq!(reasons[2].2, "its parent row (`contacts.csv` line 4) was rejected");
    assert!(reasons[3].2.contains("no parent id"), "{reasons:?}");
    assert!(reasons[4].2.contains("has `ID` = `7` (the parent row is absent)"), "{reasons:?}");
    let (json, rows, line): (String, u64, u64) = store
        .conn()
        .query_row("SELECT record, rows, line FROM staged WHERE legacy_id = '1'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    let ann: Record = crate::codec::decode(&json).unwrap();
    let phones: Vec<String> = ann.instances.iter().map(|i| i.attributes["value"].to_text()).collect();
    assert_eq!((rows, line, phones), (3, 2, vec!["555-0001".to_string(), "555-0011".to_string()]));
}
