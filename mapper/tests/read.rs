//! Tests of the legacy readers against fixture files: the csv-spectrum suite and
//! the same contacts in every encoding and dialect (`test-data/readers/`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ferry_mapper::Error;
use ferry_mapper::read::{self, FileFormat, ReadOptions, Row, Table};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn rows(table: Table) -> Vec<Row> {
    table.collect::<Result<Vec<_>, _>>().expect("rows read")
}

/// Records as header → value maps, the shape of the expected JSON files.
fn records(table: Table) -> Vec<BTreeMap<String, String>> {
    let headers = table.headers.clone();
    rows(table)
        .into_iter()
        .map(|row| headers.iter().enumerate().map(|(i, h)| (h.clone(), row.cell(i).to_string())).collect())
        .collect()
}

fn expected_records(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    match serde_json::from_str::<serde_json::Value>(&text).unwrap() {
        serde_json::Value::Array(items) => {
            items.into_iter().map(|v| serde_json::from_value(v).unwrap()).collect()
        }
        // One csv-spectrum file holds a single object instead of a list.
        object => vec![serde_json::from_value(object).unwrap()],
    }
}

/// The csv-spectrum suite lives in the shared test data beside the repository;
/// worktrees sit one level deeper than the main checkout, so look upwards.
fn csv_spectrum() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FERRY_CSV_SPECTRUM") {
        return Some(PathBuf::from(dir));
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/testdata/csv-spectrum"))
        .find(|p| p.join("csvs").is_dir())
}

#[test]
fn csv_spectrum_files_read_to_their_expected_records() {
    let Some(dir) = csv_spectrum() else {
        eprintln!(
            "skipped: csv-spectrum not found in any `shared/testdata/csv-spectrum` above the repository"
        );
        return;
    };
    let files = read::data_files(&dir.join("csvs")).unwrap();
    assert!(files.len() >= 10, "csv-spectrum looks incomplete: {files:?}");
    for csv in files {
        let stem = csv.file_stem().unwrap().to_str().unwrap();
        let mut expected = expected_records(&dir.join("json").join(format!("{stem}.json")));
        let mut got = records(read::open(&csv, &ReadOptions::default()).unwrap());
        if stem == "location_coordinates" {
            // The suite's own JSON has a different phone number than its CSV
            // (`1234567890` against `2095257564`): compare the other columns.
            for record in expected.iter_mut().chain(got.iter_mut()) {
                record.remove("Contact Phone Number");
            }
        }
        assert_eq!(got, expected, "{}", csv.display());
    }
}

fn contacts_dir() -> PathBuf {
    repo_file("test-data/readers/contacts")
}

#[test]
fn the_same_contacts_read_identically_in_every_encoding_and_dialect() {
    let expected = expected_records(&repo_file("test-data/readers/contacts.expected.json"));
    let files = read::data_files(&contacts_dir()).unwrap();
    let names: Vec<_> = files.iter().map(|f| f.file_name().unwrap().to_str().unwrap().to_string()).collect();
    assert_eq!(
        names,
        [
            "contacts.xls",
            "contacts.xlsx",
            "mac-cr.csv",
            "pipe-utf8.csv",
            "semicolon-1252.csv",
            "utf16le-unicode-text.txt",
            "utf8-bom.csv",
            "utf8.csv",
            "windows-1252.csv"
        ]
    );
    for file in &files {
        let table = read::open(file, &ReadOptions::default()).unwrap();
        assert_eq!(table.undecodable(), 0, "{}", file.display());
        assert_eq!(records(table), expected, "{}", file.display());
    }
}

#[test]
fn detection_reports_encoding_bom_and_delimiter() {
    let cases = [
        ("utf8.csv", "UTF-8", false, Some(',')),
        ("utf8-bom.csv", "UTF-8", true, Some(',')),
        ("utf16le-unicode-text.txt", "UTF-16LE", true, Some('\t')),
        ("windows-1252.csv", "windows-1252", false, Some(',')),
        ("semicolon-1252.csv", "windows-1252", false, Some(';')),
        ("pipe-utf8.csv", "UTF-8", false, Some('|')),
        ("contacts.xlsx", "UTF-8", false, None),
    ];
    for (name, encoding, bom, delimiter) in cases {
        let table = read::open(&contacts_dir().join(name), &ReadOptions::default()).unwrap();
        assert_eq!(
            (table.info.encoding.as_str(), table.info.bom, table.info.delimiter),
            (encoding, bom, delimiter),
            "{name}"
        );
    }
}

#[test]
fn rows_carry_the_physical_line_where_they_start() {
    // Record 2 and record 3 each hold a line break inside quotes.
    for name in ["utf8.csv", "semicolon-1252.csv", "utf16le-unicode-text.txt", "mac-cr.csv"] {
        let lines: Vec<u64> = rows(read::open(&contacts_dir().join(name), &ReadOptions::default()).unwrap())
            .iter()
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, [2, 3, 5, 7, 8], "{name}");
    }
    let lines: Vec<u64> =
        rows(read::open(&contacts_dir().join("contacts.xlsx"), &ReadOptions::default()).unwrap())
            .iter()
            .map(|r| r.line)
            .collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
}

#[test]
fn a_forced_encoding_is_used_and_undecodable_bytes_are_counted() {
    let path = contacts_dir().join("windows-1252.csv");
    // Without `replace_invalid`, such a row cannot be read; the error locates each cell.
    let strict = ReadOptions { encoding: Some(encoding_rs::UTF_8), ..ReadOptions::default() };
    let Err(Error::BadRow(bad)) = read::open(&path, &strict).unwrap().next().unwrap() else {
        panic!("a bad row")
    };
    assert_eq!((bad.line, bad.faults[0].line, bad.faults[0].column.as_deref()), (2, 2, Some("First Name")));
    let forced = ReadOptions { replace_invalid: true, ..strict };
    let mut table = read::open(&path, &forced).unwrap();
    assert_eq!(table.info.encoding, "UTF-8");
    let first = table.next().unwrap().unwrap();
    assert_eq!(first.cell(1), "Jos\u{FFFD}");
    assert_eq!(table.take_warnings().len(), 2, "one warning per cell");
    let rest = rows(table);
    assert_eq!(rest.len(), 4);

    // Count on a fresh table: every accented character of the file is one bad byte.
    let table = read::open(&path, &forced).unwrap();
    let count = {
        let mut table = table;
        while table.next().is_some() {}
        table.undecodable()
    };
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(count, bytes.iter().filter(|b| **b >= 0x80).count() as u64);
}

#[test]
fn no_header_mode_names_columns_by_position() {
    let options = ReadOptions { has_header: false, ..ReadOptions::default() };
    let table = read::open(&contacts_dir().join("utf8.csv"), &options).unwrap();
    assert_eq!(table.headers[0], "column 1");
    assert_eq!(table.headers[7], "column 8");
    let all = rows(table);
    assert_eq!(all.len(), 6);
    assert_eq!((all[0].line, all[0].cell(1)), (1, "First Name"));

    let table = read::open(&contacts_dir().join("contacts.xlsx"), &options).unwrap();
    assert_eq!(table.headers.len(), 8);
    assert_eq!(rows(table)[0].cell(0), "ID");
}

#[test]
fn ragged_rows_are_kept_and_short_rows_pad() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    std::fs::write(&path, "a,b,c\n1,2\n3,4,5,6\n\n7,8,9\n").unwrap();
    let table = read::open(&path, &ReadOptions::default()).unwrap();
    let rows = rows(table);
    assert_eq!(rows.len(), 3, "the blank line is skipped, no row is dropped");
    assert_eq!(rows[0].cells, ["1", "2", ""], "the missing trailing field is read as empty");
    assert_eq!(rows[1].cells, ["3", "4", "5", "6"]);
    assert_eq!(rows[2].line, 5);
}

#[test]
fn an_empty_file_is_an_error_naming_it_unless_there_is_no_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.csv");
    std::fs::write(&path, "").unwrap();
    let err = read::open(&path, &ReadOptions::default()).err().expect("an error");
    assert!(matches!(err, Error::Read { line: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("empty.csv"), "{err}");
    let options = ReadOptions { has_header: false, ..ReadOptions::default() };
    let table = read::open(&path, &options).unwrap();
    assert!(table.headers.is_empty());
    assert_eq!(rows(table).len(), 0);
}

#[test]
fn a_missing_file_or_directory_is_an_error_naming_it() {
    let err = read::open(Path::new("no/such/file.csv"), &ReadOptions::default()).err().unwrap();
    assert!(err.to_string().contains("no/such/file.csv"), "{err}");
    let err = read::data_files(Path::new("no/such/dir")).unwrap_err();
    assert!(err.to_string().contains("no/such/dir"), "{err}");
}

#[test]
fn data_files_lists_only_data_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.csv", "a.TXT", "c.tsv", "notes.md", "~$book.xlsx", "d.xlsx", "mapping.json"] {
        std::fs::write(dir.path().join(name), "x\n").unwrap();
    }
    std::fs::create_dir(dir.path().join("sub.csv")).unwrap();
    let names: Vec<_> = read::data_files(dir.path())
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["a.TXT", "b.csv", "c.tsv", "d.xlsx"]);
}

#[test]
fn spreadsheets_read_the_sheet_asked_for_and_name_the_sheets_otherwise() {
    let path = contacts_dir().join("contacts.xlsx");
    let table = read::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!((table.info.format, table.info.sheet.as_deref()), (FileFormat::Xlsx, Some("Contacts")));

    let notes = ReadOptions { sheet: Some("Notes".into()), ..ReadOptions::default() };
    let table = read::open(&path, &notes).unwrap();
    assert_eq!(table.headers, ["Note", "Count"]);
    assert_eq!(rows(table)[0].cells, ["second sheet", "2"]);

    let missing = ReadOptions { sheet: Some("Leads".into()), ..ReadOptions::default() };
    let err = read::open(&path, &missing).err().unwrap().to_string();
    assert!(
        err.contains("`Leads`") && err.contains("`Contacts`, `Notes`") && err.contains("contacts.xlsx"),
        "{err}"
    );

    let table = read::open(&contacts_dir().join("contacts.xls"), &ReadOptions::default()).unwrap();
    assert_eq!(table.info.format, FileFormat::Xls);
}

#[test]
fn a_workbook_saved_with_a_csv_name_is_read_as_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::copy(contacts_dir().join("contacts.xlsx"), &path).unwrap();
    let table = read::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(table.info.format, FileFormat::Xlsx);
    assert_eq!(table.headers[1], "First Name");
}

#[test]
fn a_corrupt_workbook_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.xlsx");
    std::fs::write(&path, b"PK\x03\x04 not really a zip").unwrap();
    let err = read::open(&path, &ReadOptions::default()).err().unwrap();
    assert!(matches!(err, Error::Spreadsheet { .. }), "{err:?}");
    assert!(err.to_string().contains("broken.xlsx"), "{err}");
}

#[test]
fn utf8_past_the_detection_prefix_is_still_decoded() {
    // Detection sees only the first 64 KiB; accents after it must still be right.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("late.csv");
    let mut text = String::from("name,city\n");
    while text.len() < 70_000 {
        text.push_str("Ann,Oslo\n");
    }
    text.push_str("Zoë,Zürich\n");
    std::fs::write(&path, &text).unwrap();
    let table = read::open(&path, &ReadOptions::default()).unwrap();
    let last = rows(table).pop().unwrap();
    assert_eq!(last.cells, ["Zoë", "Zürich"]);
}

#[test]
fn a_sheet_starting_past_a1_with_a_blank_row_keeps_its_row_numbers() {
    let table = read::open(&repo_file("test-data/readers/offset.xlsx"), &ReadOptions::default()).unwrap();
    assert_eq!(table.headers, ["Name", "Score"]);
    let rows = rows(table);
    let got: Vec<_> = rows.iter().map(|r| (r.line, r.cells.clone())).collect();
    assert_eq!(got, [(3, vec!["Ann".to_string(), "1.5".into()]), (5, vec!["Bob".to_string(), "2".into()])]);
}

#[test]
fn the_same_contacts_convert_to_identical_records_in_every_encoding_and_dialect() {
    use ferry_mapper::convert::{ConvertOptions, FileConverter};
    use ferry_mapper::target::TargetDefinition;
    use ferry_mapper::template::MappingTemplate;

    let template = MappingTemplate::load(&repo_file("test-data/readers/contacts-mapping.json")).unwrap();
    let target = TargetDefinition::resolve(&template.target).unwrap();
    let mut reference = None;
    for file in read::data_files(&contacts_dir()).unwrap() {
        let table = read::open(&file, &ReadOptions::default()).unwrap();
        let (converter, problems) =
            FileConverter::new(&target, &template.files[0], &table.headers, &ConvertOptions::default());
        assert!(problems.is_empty(), "{}: {problems:?}", file.display());
        let records: Vec<_> = rows(table)
            .iter()
            .map(|row| {
                let converted = converter.convert(row);
                assert!(
                    converted.problems.is_empty(),
                    "{} line {}: {:?}",
                    file.display(),
                    row.line,
                    converted.problems
                );
                converted.record
            })
            .collect();
        assert_eq!(records.len(), 5);
        match &reference {
            None => reference = Some(records),
            Some(expected) => assert_eq!(&records, expected, "{}", file.display()),
        }
    }
    let records = reference.unwrap();
    assert_eq!(records[2].fields["lastName"].to_text(), "O’Brien");
    assert_eq!(records[0].fields["birthDate"].to_text(), "1987-03-15");
}
