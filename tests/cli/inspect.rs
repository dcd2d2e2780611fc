//! Tests of `ferry inspect`.

use crate::util::{Sandbox, repo_file, stderr, stdout};

#[test]
fn a_valid_package_is_listed_with_rows_mappings_and_checks() {
    let s = Sandbox::new();
    let out = s.ferry().arg("inspect").arg(repo_file("test-data/packages/valid.zip")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("contacts.csv (2 rows, category All, mappings in contacts_mappings.xml)"),
        "{text}"
    );
    assert!(crate::util::squash(&text).contains("LAST → lastName"), "{text}");
    assert!(text.contains("encoding UTF-8"), "{text}");
    assert!(text.contains("ok   every CSV decodes in the declared encoding"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[test]
fn json_output_and_the_size_cap() {
    let s = Sandbox::new();
    let out = s
        .ferry()
        .args(["inspect", "--json", "--max-size", "1KB"])
        .arg(repo_file("test-data/packages/valid.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["contents"]["files"][0]["rows"], 2);
    let last = v["checks"].as_array().unwrap().last().unwrap();
    assert_eq!(last["ok"], false);
    assert!(last["message"].as_str().unwrap().contains("larger than the cap of 1024 bytes"));
}

#[test]
fn hostile_packages_are_reported_invalid_with_their_reason() {
    let s = Sandbox::new();
    for (file, reason) in [
        ("zip-slip.zip", "escapes the package (zip slip)"),
        ("compression-bomb.zip", "a ZIP bomb?"),
        ("doctype-entities.zip", "`fileMappings.xml` line 2: a DOCTYPE is not allowed"),
        ("wrong-encoding.zip", "`contacts.csv` line 2: bytes that are not valid in the declared encoding"),
    ] {
        let out =
            s.ferry().arg("inspect").arg(repo_file(&format!("test-data/packages/{file}"))).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stdout(&out).contains("FAIL"), "{file}");
        assert!(stderr(&out).contains(reason), "{file}: {}", stderr(&out));
    }
    let out = s.ferry().args(["inspect", "missing.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot access `missing.zip`"), "{}", stderr(&out));
}

/// `ferry import` of the package, as one job of its own: did it stage?
fn imports(s: &Sandbox, package: &std::path::Path, extra: &[&str]) -> (bool, String) {
    let out = s.ferry().arg("import").arg(package).args(extra).output().unwrap();
    (out.status.success(), stderr(&out))
}

/// `ferry inspect` of the package: is it valid?
fn inspects_valid(s: &Sandbox, package: &std::path::Path, extra: &[&str]) -> bool {
    let out = s.ferry().arg("inspect").arg(package).args(extra).output().unwrap();
    // Not a ZIP at all is an error (exit 2), anything else a report.
    let not_zip = out.status.code() == Some(2) && stderr(&out).contains("is not an import package");
    assert!(matches!(out.status.code(), Some(0 | 1)) || not_zip, "{}", stderr(&out));
    out.status.success()
}

/// Every package of the hostile corpus (mappings that do not fit the target,
/// a grandchild file, a parent cycle, a local header naming another member
/// included): `inspect` calls it valid exactly when `import` stages it.
#[test]
fn inspect_and_import_agree_on_every_package_of_the_corpus() {
    let s = Sandbox::new();
    let dir = repo_file("test-data/packages");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    let mut valid = 0;
    for package in names.iter().filter(|p| p.extension().is_some_and(|e| e == "zip")) {
        let inspected = inspects_valid(&s, package, &[]);
        let (imported, talk) = imports(&s, package, &[]);
        assert_eq!(
            inspected,
            imported,
            "{}: inspect valid {inspected}, import {imported}: {talk}",
            package.display()
        );
        valid += inspected as u32;
    }
    assert_eq!(valid, 1, "only valid.zip is valid");
}

/// Writes `contacts.csv` of `rows` rows, each with a 2,000-character note.
fn write_noted_contacts(dir: &std::path::Path, rows: usize) {
    use std::io::Write;
    std::fs::create_dir_all(dir).unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("contacts.csv")).unwrap());
    writeln!(f, "ID,LAST,NOTES").unwrap();
    let note = "call back about the renewal; ".repeat(69);
    for i in 0..rows {
        writeln!(f, "C{i},Last{i},{note}").unwrap();
    }
}

const NOTED_MAPPING: &str = r#"{
  "formatVersion": 1,
  "target": "contacts",
  "files": [
    {
      "name": "contacts.csv",
      "mappings": [
        { "column": "LAST", "field": "lastName" },
        { "column": "NOTES", "field": "notes" }
      ]
    }
  ]
}
"#;

/// Copies a package with every member stored (not compressed), as another
/// tool might write it: the same content, a larger file.
fn store_uncompressed(src: &std::path::Path, dst: &std::path::Path) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        zout.start_file(name, options).unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
}

/// A package over 10 MB (001: "Packages larger than 10MB cannot be
/// imported"): `inspect` and `import` both refuse it, naming both sizes,
/// until `--max-size` raises the cap.
#[test]
fn a_package_over_the_cap_is_refused_by_import_too_unless_max_size_raises_it() {
    let s = Sandbox::new();
    write_noted_contacts(&s.join("big"), 5_500);
    s.write("noted.json", NOTED_MAPPING);
    crate::import::pack(&s, &s.join("big"), &s.join("noted.json"), "small.zip");
    store_uncompressed(&s.join("small.zip"), &s.join("big.zip"));
    let big = s.join("big.zip");
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size > 10 * 1024 * 1024, "{size}");

    assert!(!inspects_valid(&s, &big, &[]));
    let (imported, talk) = imports(&s, &big, &["--description", "big"]);
    assert!(!imported, "{talk}");
    assert!(talk.contains(&format!("the package is {size} bytes")), "{talk}");
    assert!(talk.contains("larger than the cap of 10485760 bytes"), "{talk}");
    assert_eq!(crate::import::sql_i64(&s, "SELECT count(*) FROM staged"), 0);

    assert!(inspects_valid(&s, &big, &["--max-size", "20MB"]));
    let (imported, talk) = imports(&s, &big, &["--max-size", "20MB", "--description", "big"]);
    assert!(imported, "{talk}");
    assert_eq!(crate::import::sql_i64(&s, "SELECT count(*) FROM staged"), 5_500);
}

#[test]
fn the_same_package_twice_in_one_import_is_refused() {
    let s = Sandbox::new();
    let valid = repo_file("test-data/packages/valid.zip");
    std::fs::copy(&valid, s.join("p.zip")).unwrap();
    for second in ["p.zip", "./p.zip"] {
        let out = s.ferry().args(["import", "p.zip", second]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("is given twice"), "{}", stderr(&out));
    }
    let jobs = s.ferry().args(["jobs", "--json"]).output().unwrap();
    assert_eq!(stdout(&jobs).trim(), "[]");
}
