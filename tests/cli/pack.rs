//! Tests of `ferry pack`.

use sha2::Digest;

use crate::util::{Sandbox, repo_file, stderr, stdout};

fn three_tables(s: &Sandbox, out: &str, max: &str) -> std::process::Output {
    s.ferry()
        .args(["pack", "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .arg("--mapping")
        .arg(repo_file("templates/mappings/three-tables.json"))
        .args(["--out", out, "--max-size", max])
        .output()
        .unwrap()
}

fn sha256(path: &std::path::Path) -> String {
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

fn csv_rows(pkg: &std::path::Path, member: &str) -> Vec<Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(pkg).unwrap()).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(member).unwrap(), &mut text).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn three_linked_tables_split_with_families_together_and_reproducibly() {
    let s = Sandbox::new();
    let out = three_tables(&s, "pkg.zip", "7KB");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "pkg-1.zip\npkg-2.zip\n");
    let first: Vec<String> = ["pkg-1.zip", "pkg-2.zip"].iter().map(|p| sha256(&s.join(p))).collect();

    let mut contacts = std::collections::HashSet::new();
    let mut children = 0;
    for p in ["pkg-1.zip", "pkg-2.zip"] {
        let path = s.join(p);
        assert!(std::fs::metadata(&path).unwrap().len() <= 7 * 1024);
        let here: std::collections::HashSet<String> =
            csv_rows(&path, "contacts.csv").into_iter().skip(1).map(|r| r[0].clone()).collect();
        for id in &here {
            assert!(contacts.insert(id.clone()), "contact {id} in two packages");
        }
        for member in ["addresses.csv", "phones.csv"] {
            let rows = csv_rows(&path, member);
            let link = rows[0].iter().position(|h| h == "CONTACT_ID").unwrap();
            for r in &rows[1..] {
                assert!(here.contains(&r[link]), "{member} row of {} is away from its contact", r[link]);
                children += 1;
            }
        }
    }
    // The example holds 30 contacts, 33 addresses and 30 phone rows.
    assert_eq!((contacts.len(), children), (30, 63));

    // An earlier run's packages are not replaced unasked.
    let again = three_tables(&s, "pkg.zip", "7KB");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("`pkg.zip` already exists")
            || stderr(&again).contains("pkg-1.zip` already exists"),
        "{}",
        stderr(&again)
    );
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    // Same input, same bytes; and the earlier names are the ones replaced.
    let again = s
        .ferry()
        .args(["pack", "--force", "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .arg("--mapping")
        .arg(repo_file("templates/mappings/three-tables.json"))
        .args(["--out", "pkg.zip", "--max-size", "7KB"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    let second: Vec<String> = ["pkg-1.zip", "pkg-2.zip"].iter().map(|p| sha256(&s.join(p))).collect();
    assert_eq!(first, second);
}

#[test]
fn a_cap_below_the_fixed_members_is_an_error_and_writes_nothing() {
    let s = Sandbox::new();
    let out = three_tables(&s, "pkg.zip", "2KB");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is too small"), "{}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(s.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().contains("pkg")), "{left:?}");
}

fn mapping(encoding: &str) -> String {
    format!(
        r#"{{
  "formatVersion": 1,
  "target": "contacts",
  "encoding": "{encoding}",
  "files": [
    {{
      "name": "people.csv",
      "mappings": [
        {{ "column": "ID", "field": "externalId" }},
        {{ "column": "First", "field": "firstName" }},
        {{ "column": "Last", "field": "lastName" }}
      ]
    }}
  ]
}}"#
    )
}

#[test]
fn a_windows_1252_package_holds_windows_1252_bytes_and_says_so() {
    let s = Sandbox::new();
    s.write("data/people.csv", "ID,First,Last,Unused\n1,Jürgen,Müller,x\n2,Zoë,Café,y\n");
    s.write("map.json", mapping("windows-1252"));
    let out = s
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "map.json", "--out", "p.zip"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(s.join("p.zip")).unwrap()).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("people.csv").unwrap(), &mut bytes).unwrap();
    assert_eq!(bytes, b"ID,First,Last,ferry:line\r\n1,J\xfcrgen,M\xfcller,2\r\n2,Zo\xeb,Caf\xe9,3\r\n");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("fileMappings.xml").unwrap(), &mut xml).unwrap();
    assert!(xml.contains(r#"<mapping encodingType="windows-1252">"#), "{xml}");
}

#[test]
fn a_character_the_encoding_lacks_fails_with_line_and_column_unless_replaced() {
    let s = Sandbox::new();
    s.write("data/people.csv", "ID,First,Last\n1,Ann,Lee\n2,Snow ☃ Man,Frost\n");
    s.write("map.json", mapping("UTF-8"));
    let args =
        ["pack", "--data", "data", "--mapping", "map.json", "--out", "p.zip", "--encoding", "windows-1252"];
    let out = s.ferry().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: `people.csv` line 3, column `First`: `☃` (U+2603) cannot be written in `windows-1252`"
        ),
        "{err}"
    );
    assert!(err.contains("hint: pass `--replace`"), "{err}");
    assert!(!s.join("p.zip").exists());

    let out = s.ferry().args(args).arg("--replace").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(csv_rows(&s.join("p.zip"), "people.csv")[2], ["2", "Snow ? Man", "Frost", "3"]);
}

#[test]
fn data_with_errors_is_refused_unless_allowed_then_rejected_rows_go_to_an_error_csv() {
    let s = Sandbox::new();
    s.write("data/people.csv", "ID,First,Last\n1,Ann,Lee\n2,Bob,\n3,Cy,Ray\n");
    s.write("map.json", mapping("UTF-8"));
    let args = ["pack", "--data", "data", "--mapping", "map.json", "--out", "p.zip"];
    let out = s.ferry().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--allow-errors"), "{}", stderr(&out));
    // The packages were built while the check ran, and dropped unnamed.
    let left: Vec<String> = std::fs::read_dir(s.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('p') || n.starts_with(".ferry"))
        .collect();
    assert!(left.is_empty(), "refused data left {left:?}");

    let out = s.ferry().args(args).arg("--allow-errors").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ids: Vec<String> =
        csv_rows(&s.join("p.zip"), "people.csv").iter().skip(1).map(|r| r[0].clone()).collect();
    assert_eq!(ids, ["1", "3"]);
    let errors = std::fs::read_to_string(s.join("p.people.errors.csv")).unwrap();
    let mut lines = errors.strip_prefix('\u{feff}').expect("a BOM").split_terminator("\r\n");
    assert_eq!(lines.next(), Some(r#""ID","First","Last","line","error""#));
    let row = lines.next().unwrap();
    assert!(row.starts_with(r#""2","Bob","","3","#) && row.contains("line 3"), "{row}");
    assert_eq!(lines.next(), None);
}

/// A phone table with one row per number and its type in a column (`KIND`):
/// the template's `typeFrom` names each row's instance; a type it cannot
/// place is a row error in `check`, an error-CSV row with `--allow-errors`,
/// and the package carries the column and the value table to the import.
#[test]
fn a_type_column_types_each_phone_row_from_check_to_staging() {
    let s = Sandbox::new();
    let data = repo_file("test-data/runner/typed-phones");
    let mapping = repo_file("test-data/runner/typed-phones.json");
    let check =
        s.ferry().arg("check").arg("--data").arg(&data).arg("--mapping").arg(&mapping).output().unwrap();
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let report = stderr(&check) + &stdout(&check);
    assert!(
        report.contains("`phones.csv` line 5, column `KIND`: `Beeper` is not a type of `Telcom`"),
        "{report}"
    );

    let pack = s
        .ferry()
        .arg("pack")
        .arg("--data")
        .arg(&data)
        .arg("--mapping")
        .arg(&mapping)
        .args(["--out", "p.zip", "--allow-errors"])
        .output()
        .unwrap();
    assert_eq!(pack.status.code(), Some(1), "{}", stderr(&pack));
    assert_eq!(
        csv_rows(&s.join("p.zip"), "phones.csv"),
        [
            ["CONTACT", "KIND", "NUMBER", "ferry:line"],
            ["C1", "W", "+1 416 555 0101", "2"],
            ["C1", "cell", "+1 416 555 0102", "3"],
            ["C2", "", "+1 416 555 0103", "4"]
        ]
    );
    let errors = std::fs::read_to_string(s.join("p.phones.errors.csv")).unwrap();
    assert!(errors.lines().nth(1).unwrap().starts_with(r#""P4","C2","Beeper","#), "{errors}");
    let inspect = s.ferry().args(["inspect", "p.zip"]).output().unwrap();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    assert!(
        crate::util::squash(&stdout(&inspect)).contains("NUMBER → Telcom[type in KIND].value"),
        "{}",
        stdout(&inspect)
    );

    let import = s.ferry().args(["import", "p.zip", "--description", "typed"]).output().unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let mut st = conn.prepare("SELECT legacy_id, record FROM staged ORDER BY legacy_id").unwrap();
    let phones: Vec<(String, Vec<(String, String)>)> = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (id, json) = r.unwrap();
            let record = ferry_runner::codec::decode(&json).unwrap();
            let typed =
                record.instances.iter().map(|i| (i.type_name.clone(), i.attributes["value"].to_text()));
            (id, typed.collect())
        })
        .collect();
    let pair = |t: &str, n: &str| (t.to_string(), n.to_string());
    assert_eq!(
        phones,
        [
            ("C1".to_string(), vec![pair("Business", "+1 416 555 0101"), pair("Mobile", "+1 416 555 0102")]),
            ("C2".to_string(), vec![pair("Home", "+1 416 555 0103")])
        ]
    );
}

/// Three linked tables with a rejected contact and an orphan phone, packed
/// with `--allow-errors`: the contact's address and phone go with it to the
/// error CSVs (they are named as such), the orphan too, and the packages hold
/// every other row once.
#[test]
fn rows_of_a_rejected_parent_and_orphans_go_to_the_error_csvs() {
    let s = Sandbox::new();
    for name in ["contacts.csv", "addresses.csv", "phones.csv"] {
        let text = std::fs::read_to_string(repo_file("templates/examples/three-tables").join(name)).unwrap();
        let text = match name {
            "contacts.csv" => text.replacen("Emily,Tremblay,", "Emily,,", 1),
            "phones.csv" => text + "P999,C999,+1 416-555-9999,,,,\r\n",
            _ => text,
        };
        s.write(&format!("data/{name}"), text);
    }
    let out = s
        .ferry()
        .args(["pack", "--data", "data", "--mapping"])
        .arg(repo_file("templates/mappings/three-tables.json"))
        .args(["--out", "p.zip", "--allow-errors"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ids = |member: &str| -> Vec<String> {
        csv_rows(&s.join("p.zip"), member).iter().skip(1).map(|r| r[1].clone()).collect()
    };
    assert_eq!(ids("addresses.csv").len(), 32);
    assert!(!ids("addresses.csv").contains(&"C002".to_string()));
    assert_eq!(ids("phones.csv").len(), 29);
    assert!(!ids("phones.csv").iter().any(|c| c == "C002" || c == "C999"));
    let errors = |file: &str| std::fs::read_to_string(s.join(&format!("p.{file}.errors.csv"))).unwrap();
    let phones = errors("phones");
    assert!(
        phones.contains(r#""P002","C002","#)
            && phones.contains("its parent row in `contacts.csv` was rejected"),
        "{phones}"
    );
    assert!(
        phones.contains(r#""P999","C999","#) && phones.contains("`C999` is not in `contacts.csv`"),
        "{phones}"
    );
    assert!(errors("addresses").contains(r#""A002","C002","#), "{}", errors("addresses"));
    assert_eq!(errors("contacts").lines().count(), 2);
}
