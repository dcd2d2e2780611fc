use std::cell::RefCell;
use std::collections::HashMap;

use super::*;
use crate::progress::{NoReporter, Reporter, Stage};
use crate::read::{FileFormat, Row, TableInfo};
use crate::template::{FieldMapping, ParentLink};

/// Tables from simple comma-separated text (no quoting), by file name.
fn tables(files: &[(&str, &str)]) -> HashMap<String, String> {
    files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect()
}

fn table(path: &Path, text: &str) -> Table {
    let mut lines = text.lines();
    let headers: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    let rows: Vec<Result<Row, Error>> = lines
        .enumerate()
        .map(|(i, l)| Ok(Row { line: i as u64 + 2, cells: l.split(',').map(str::to_string).collect() }))
        .collect();
    let info = TableInfo {
        path: path.to_path_buf(),
        format: FileFormat::Csv,
        encoding: "UTF-8".into(),
        bom: false,
        delimiter: Some(','),
        has_header: true,
        sheet: None,
    };
    Table::from_parts(info, headers, Box::new(rows.into_iter()))
}

fn map(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
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

fn child(
    name: &str,
    parent: &str,
    column: &str,
    parent_column: &str,
    mappings: Vec<FieldMapping>,
) -> FileMapping {
    FileMapping {
        parent: Some(ParentLink {
            file: parent.into(),
            column: column.into(),
            parent_column: parent_column.into(),
        }),
        ..file(name, mappings)
    }
}

/// A template of `files`; files that children link to get the `idColumn` the links name.
fn options(target: &str, mut files: Vec<FileMapping>) -> CheckOptions {
    let links: Vec<ParentLink> = files.iter().filter_map(|f| f.parent.clone()).collect();
    for link in links {
        if let Some(parent) = files.iter_mut().find(|f| f.name == link.file) {
            parent.id_column = Some(link.parent_column);
        }
    }
    let mut template = MappingTemplate::new(target);
    template.files = files;
    CheckOptions {
        data_dir: PathBuf::from("data"),
        template,
        target: TargetDefinition::bundled(target).unwrap(),
        read: ReadOptions::default(),
        convert: ConvertOptions::default(),
        limit: None,
    }
}

#[derive(Default)]
struct Recorder {
    files: RefCell<Vec<String>>,
    counts: RefCell<Vec<u64>>,
}

impl Reporter for Recorder {
    fn on_stage(&self, stage: Stage<'_>, _total: Option<u64>) {
        if let Stage::File(name) = stage {
            self.files.borrow_mut().push(name.to_string());
            self.counts.borrow_mut().push(0);
        }
    }
    fn on_progress(&self, done: u64) {
        // A running count per file.
        if let Some(last) = self.counts.borrow_mut().last_mut() {
            *last = done;
        }
    }
}

impl Recorder {
    /// Rows reported, over all files.
    fn rows(&self) -> u64 {
        self.counts.borrow().iter().sum()
    }
}

fn run(options: &CheckOptions, data: &HashMap<String, String>, reporter: &dyn Reporter) -> CheckReport {
    let open = |path: &Path| -> Result<Option<Table>, Error> {
        let name = path.file_name().unwrap().to_str().unwrap();
        Ok(data.get(name).map(|text| table(path, text)))
    };
    check_with(options, reporter, &open).unwrap()
}

/// `(file, line, column, kind)` of each problem.
fn located(report: &CheckReport) -> Vec<(String, Option<u64>, Option<String>, ProblemKind)> {
    report.problems.iter().map(|p| (p.file.clone(), p.line, p.column.clone(), p.kind)).collect()
}

fn lead_mappings() -> Vec<FieldMapping> {
    vec![map("ID", "legacyId"), map("First", "firstName"), map("Last", "lastName"), map("Mail", "email")]
}

#[test]
fn every_row_is_checked_and_counted() {
    let o = options("leads", vec![file("leads.csv", lead_mappings())]);
    let data = tables(&[(
        "leads.csv",
        "ID,First,Last,Mail\n1,Ann,Lee,a@b.c\n2,,Lee,b@b.c\n3,Bo,Yu,\n4,Cy,Ng,c@d.e",
    )]);
    let recorder = Recorder::default();
    let report = run(&o, &data, &recorder);
    assert_eq!(
        located(&report),
        [
            ("leads.csv".into(), Some(3), Some("First".into()), ProblemKind::RequiredMissing),
            ("leads.csv".into(), Some(4), None, ProblemKind::RequiredOneOfMissing),
        ]
    );
    assert_eq!((report.files[0].rows, report.files[0].rejected), (4, 2));
    assert_eq!((report.errors, report.warnings), (2, 0));
    assert!(!report.is_clean());
    assert_eq!(*recorder.files.borrow(), ["leads.csv"]);
    assert_eq!(recorder.rows(), 4);
}

#[test]
fn a_missing_file_is_an_error() {
    let o = options("leads", vec![file("leads.csv", lead_mappings())]);
    let report = run(&o, &tables(&[]), &NoReporter);
    assert_eq!(located(&report), [("leads.csv".into(), None, None, ProblemKind::FileMissing)]);
    assert_eq!(report.files[0].rows, 0);
}

#[test]
fn child_rows_need_their_parent_and_supply_its_fields() {
    // The lead's email lives in a child file: a lead with an email there passes
    // the email-or-phone rule; one without fails at its own line.
    let o = options(
        "leads",
        vec![
            file(
                "leads.csv",
                vec![map("ID", "legacyId"), map("First", "firstName"), map("Last", "lastName")],
            ),
            child("mails.csv", "leads.csv", "LeadID", "ID", vec![map("Mail", "email")]),
        ],
    );
    let data = tables(&[
        ("leads.csv", "ID,First,Last\n1,Ann,Lee\n2,Bo,Yu\n3,Cy,Ng\n3,Di,Ox"),
        ("mails.csv", "LeadID,Mail\n1,ann@x.org\n9,nobody@x.org\n,empty@x.org\n3,cy@x.org"),
    ]);
    let report = run(&o, &data, &NoReporter);
    assert_eq!(
        located(&report),
        [
            ("leads.csv".into(), Some(3), None, ProblemKind::RequiredOneOfMissing),
            // Id 3 is on two rows: both are rejected, the first no longer
            // waiting for its child rows, and so is the child row naming it.
            ("leads.csv".into(), Some(4), Some("ID".into()), ProblemKind::DuplicateId),
            ("leads.csv".into(), Some(5), Some("ID".into()), ProblemKind::DuplicateId),
            // A rejected row does not wait for child rows, which could not tell it apart anyway.
            ("leads.csv".into(), Some(5), None, ProblemKind::RequiredOneOfMissing),
            ("mails.csv".into(), Some(3), Some("LeadID".into()), ProblemKind::OrphanRow),
            ("mails.csv".into(), Some(4), Some("LeadID".into()), ProblemKind::OrphanRow),
            ("mails.csv".into(), Some(5), Some("LeadID".into()), ProblemKind::DuplicateId),
        ]
    );
    assert_eq!(
        report.problems[1].message,
        "id `3` is on line 5 too; child rows cannot tell the two apart, so neither row is imported (give each its own id)"
    );
    assert_eq!(report.problems[2].message.split(';').next(), Some("id `3` is on line 4 too"));
    assert_eq!(report.problems[4].message, "parent `9` is not in `leads.csv` (column `ID`)");
    assert_eq!(report.problems[5].message, "the row names no parent");
    assert_eq!(
        report.problems[6].message,
        "parent `3` is on 2 rows of `leads.csv` (lines 4, 5): which one this row belongs to cannot be told, so it is not imported"
    );
    let counts: Vec<_> = report.files.iter().map(|f| (f.name.as_str(), f.rows, f.rejected)).collect();
    assert_eq!(counts, [("leads.csv", 4, 3), ("mails.csv", 4, 3)]);
}

#[test]
fn a_legacy_id_kept_as_data_on_two_rows_is_a_warning_and_both_rows_stay() {
    let mut id = map("ID", "value");
    id.subcollection = Some("UserField".into());
    id.type_name = Some("ID".into());
    let o = options("contacts", vec![file("people.csv", vec![id, map("Last", "lastName")])]);
    let data = tables(&[("people.csv", "ID,Last\n1001,Lee\n1002,Yu\n 1001 ,Ng\n,Ox\n,Oz")]);
    let report = run(&o, &data, &NoReporter);
    // Blank ids are no ids; ` 1001 ` is `1001`.
    assert_eq!(
        located(&report),
        [("people.csv".into(), Some(4), Some("ID".into()), ProblemKind::DuplicateId)]
    );
    let p = &report.problems[0];
    assert_eq!(p.severity, Severity::Warning);
    assert!(
        p.message.starts_with("legacy id `1001` is on line 2 too: the two rows stay two records"),
        "{}",
        p.message
    );
    let counts: Vec<_> = report.files.iter().map(|f| (f.name.as_str(), f.rows, f.rejected)).collect();
    assert_eq!(counts, [("people.csv", 5, 0)]);
    assert!(report.is_clean());

    // Mapped to the key, the id finds existing records: the key's own rule
    // (both rows rejected at import) applies, not this warning.
    let o =
        options("contacts", vec![file("people.csv", vec![map("ID", "externalId"), map("Last", "lastName")])]);
    let report = run(&o, &data, &NoReporter);
    assert_eq!(located(&report), []);
}

#[test]
fn subcollection_child_files_link_to_contacts() {
    let mut phone = map("Number", "value");
    phone.subcollection = Some("Telcom".into());
    phone.type_name = Some("Home".into());
    let o = options(
        "contacts",
        vec![
            file("people.csv", vec![map("ID", "externalId"), map("Last", "lastName")]),
            child("phones.csv", "people.csv", "PID", "PersonID", vec![phone]),
        ],
    );
    let data = tables(&[
        ("people.csv", "ID,Last\n1,Lee\n2,Yu"),
        ("phones.csv", "PID,Number\n1,555-0100\n2,555-0101"),
    ]);
    let report = run(&o, &data, &NoReporter);
    // The parent file lacks the id column the link names: said once, and orphans cannot be told.
    assert_eq!(
        located(&report),
        [("people.csv".into(), None, Some("PersonID".into()), ProblemKind::BadParentLink)]
    );
}

#[test]
fn limit_checks_only_the_first_rows_and_skips_orphan_checks() {
    let mut o = options(
        "leads",
        vec![
            file(
                "leads.csv",
                vec![
                    map("ID", "legacyId"),
                    map("First", "firstName"),
                    map("Last", "lastName"),
                    map("Mail", "email"),
                ],
            ),
            child("mails.csv", "leads.csv", "LeadID", "ID", vec![map("Mail", "phone")]),
        ],
    );
    o.limit = Some(2);
    let data = tables(&[
        ("leads.csv", "ID,First,Last,Mail\n1,Ann,Lee,a@x\n2,Bo,Yu,b@x\n3,,Ng,c@x"),
        ("mails.csv", "LeadID,Mail\n3,555\n1,556\n2,557"),
    ]);
    let recorder = Recorder::default();
    let report = run(&o, &data, &recorder);
    assert_eq!(located(&report), []);
    assert_eq!(recorder.rows(), 4);
    let counts: Vec<_> = report.files.iter().map(|f| (f.rows, f.rejected)).collect();
    assert_eq!(counts, [(2, 0), (2, 0)]);
}

#[test]
fn template_level_problems_come_first() {
    let o = options(
        "leads",
        vec![file("leads.csv", vec![map("First", "firstName"), map("Mail", "email"), map("Zip", "zipCode")])],
    );
    let data = tables(&[("leads.csv", "First,Mail,Zip\nAnn,a@b.c,1")]);
    let report = run(&o, &data, &NoReporter);
    let kinds: Vec<_> = report.problems.iter().map(|p| (p.line, p.kind)).collect();
    assert_eq!(
        kinds,
        [
            (None, ProblemKind::RequiredUnmapped),
            (None, ProblemKind::UnknownField),
            (Some(2), ProblemKind::RequiredMissing),
        ]
    );
}
