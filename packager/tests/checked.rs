//! The check beside the pack (`checked::check_and_pack`): clean data is
//! packed, row errors refuse the data unless `allow_errors` packs around
//! them, and a file-level error refuses it always. Real legacy files,
//! read through `ferry_mapper::read`; real ZIPs.

use std::collections::HashMap;
use std::path::Path;

use ferry_mapper::read::ReadOptions;
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FieldMapping, FileMapping, MappingTemplate};
use ferry_packager::checked::{CheckedPack, CheckedPackOptions, check_and_pack};
use ferry_packager::read::Package;
use ferry_packager::write::{NoReporter, PackOptions};

fn field(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
}

/// contacts.csv mapped onto `contacts`, `column` as the last name (required).
fn options(dir: &Path, last_column: &str, allow_errors: bool) -> CheckedPackOptions {
    let mut template = MappingTemplate::new("contacts");
    template.files = vec![FileMapping {
        name: "contacts.csv".into(),
        category: "All".into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings: vec![field("First", "firstName"), field(last_column, "lastName")],
    }];
    CheckedPackOptions {
        pack: PackOptions {
            data_dir: dir.join("data"),
            template,
            target: TargetDefinition::bundled("contacts").expect("bundled contacts"),
            read: ReadOptions::default(),
            out: dir.join("out").join("contacts.zip"),
            max_size: ferry_packager::write::DEFAULT_MAX_SIZE,
            encoding: None,
            replace: false,
            rejected: HashMap::new(),
            force: false,
        },
        allow_errors,
    }
}

/// A data location whose second row lacks its (required) last name.
fn data(dir: &Path, rows: &str) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("data").join("contacts.csv"), rows).unwrap();
}

fn out_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn rows_in(package: &Path) -> u64 {
    let package = Package::open(package).unwrap();
    package.files.iter().map(|f| f.rows).sum()
}

#[test]
fn clean_data_is_packed() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), "First,Last,Spare\nAda,Lovelace,x\nAlan,Turing,\n");
    let CheckedPack::Packed { report, warnings, unmapped } =
        check_and_pack(&options(dir.path(), "Last", false), &NoReporter).unwrap()
    else {
        panic!("clean data refused")
    };
    assert_eq!(warnings, 0);
    // The template leaves `Spare` out: it is named, with its one value.
    assert_eq!(unmapped.len(), 1, "{unmapped:?}");
    assert_eq!(unmapped[0].0, "contacts.csv");
    assert_eq!(
        unmapped[0].1.iter().map(|u| (u.column.as_str(), u.rows)).collect::<Vec<_>>(),
        vec![("Spare", 1)]
    );
    assert!(report.rejected.is_empty());
    assert_eq!(out_files(dir.path()), ["contacts.zip"]);
    assert_eq!(rows_in(&report.packages[0].path), 2);
}

#[test]
fn row_errors_refuse_the_data_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), "First,Last\nAda,Lovelace\nAlan,\nGrace,Hopper\n");
    let CheckedPack::Refused { check, file_level } =
        check_and_pack(&options(dir.path(), "Last", false), &NoReporter).unwrap()
    else {
        panic!("data with an error packed")
    };
    assert!(!file_level);
    assert_eq!(check.errors, 1);
    assert_eq!(check.problems[0].line, Some(3));
    assert!(out_files(dir.path()).is_empty(), "{:?}", out_files(dir.path()));
}

#[test]
fn allow_errors_packs_the_rows_that_pass_and_writes_the_others_aside() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), "First,Last\nAda,Lovelace\nAlan,\nGrace,Hopper\n");
    let CheckedPack::Packed { report, .. } =
        check_and_pack(&options(dir.path(), "Last", true), &NoReporter).unwrap()
    else {
        panic!("allow_errors refused row errors")
    };
    assert_eq!(rows_in(&report.packages[0].path), 2);
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].rows, 1);
    let aside = std::fs::read_to_string(&report.rejected[0].path).unwrap();
    assert!(aside.contains("Alan"), "{aside}");
    assert!(aside.contains("line 3"), "{aside}");
    assert!(!aside.contains("Grace"), "{aside}");
}

#[test]
fn a_file_level_error_refuses_even_with_allow_errors() {
    let dir = tempfile::tempdir().unwrap();
    data(dir.path(), "First,Last\nAda,Lovelace\n");
    let CheckedPack::Refused { check, file_level } =
        check_and_pack(&options(dir.path(), "Surname", true), &NoReporter).unwrap()
    else {
        panic!("a template naming a missing column packed")
    };
    assert!(file_level);
    assert!(check.problems.iter().any(|p| p.line.is_none() && p.message.contains("Surname")), "{check:?}");
    assert!(out_files(dir.path()).is_empty(), "{:?}", out_files(dir.path()));
}

#[test]
fn a_missing_file_refuses_even_with_allow_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let CheckedPack::Refused { check, file_level } =
        check_and_pack(&options(dir.path(), "Last", true), &NoReporter).unwrap()
    else {
        panic!("a data location without the template's file packed")
    };
    assert!(file_level);
    assert!(check.problems[0].message.contains("has no file `contacts.csv`"), "{check:?}");
    assert!(out_files(dir.path()).is_empty(), "{:?}", out_files(dir.path()));
}
