//! Bad input that real exports and hostile files bring (issue 10): each test
//! builds its input, runs the real binary and checks that nothing is lost,
//! corrupted or blended without a word.

use crate::util::{Sandbox, stderr, stdout};

/// A one-file contacts template over `name`, mapping `ID`, `First`, `Last` and `Note`.
pub fn contacts_template(name: &str) -> String {
    serde_json::json!({
        "formatVersion": 1,
        "target": "contacts",
        "files": [{
            "name": name,
            "mappings": [
                { "column": "ID", "field": "externalId" },
                { "column": "First", "field": "firstName" },
                { "column": "Last", "field": "lastName" },
                { "column": "Note", "field": "notes" }
            ]
        }]
    })
    .to_string()
}

/// `ferry VERB --data data --mapping m.json ARGS…`.
fn run(s: &Sandbox, verb: &str, args: &[&str]) -> std::process::Output {
    s.ferry().args([verb, "--data", "data", "--mapping", "m.json"]).args(args).output().unwrap()
}

#[test]
fn template_file_names_outside_the_data_location_are_refused() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First,Last,Note\n1,Ann,Lee,\n");
    s.write("secret.csv", "ID,First,Last,Note\n9,Eve,Spy,\n");
    for (name, why) in
        [("/etc/passwd", "folder separators"), ("../secret.csv", "folder separators"), ("..", "not a file")]
    {
        s.write("m.json", contacts_template(name));
        for verb in ["check", "pack"] {
            let out = run(&s, verb, &["--out", "p.zip"][..if verb == "pack" { 2 } else { 0 }]);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{verb} {name}: {err}");
            assert!(err.contains("`files[0].name`") && err.contains(why), "{verb} {name}: {err}");
            assert!(!s.join("p.zip").exists());
        }
    }
}

#[test]
fn a_short_row_is_a_row_error_at_its_line() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First,Last,Note\r\n1,Ann,Lee,hi\r\n2,Bob,Ray\r\n3,Cy,Moe,\r\n");
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("`contacts.csv` line 3: the row has 3 cells but the header has 4"), "{text}");
    assert!(text.contains("total: 3 rows, 1 rejected"), "{text}");

    let packed = run(&s, "pack", &["--out", "p.zip"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(!s.join("p.zip").exists());
}

#[test]
fn a_header_naming_a_column_twice_is_an_error_unless_columns_go_by_position() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First,Last,Last,Note\n1,Ann,Lee,Smith,\n");
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("column `Last`: the header names column `Last` more than once (columns 3, 4)"),
        "{text}"
    );
    let packed = run(&s, "pack", &["--out", "p.zip", "--allow-errors"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(!s.join("p.zip").exists());

    // By position, the header row is data and the columns are told apart.
    let by_position = contacts_template("contacts.csv")
        .replace("\"ID\"", "\"column 1\"")
        .replace("\"First\"", "\"column 2\"")
        .replace("\"Last\"", "\"column 4\"")
        .replace("\"Note\"", "\"column 5\"");
    s.write("m.json", by_position);
    let out = run(&s, "check", &["--no-header"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("total: 2 rows, 0 rejected"), "{}", stdout(&out));
}

#[test]
fn the_error_csv_of_pack_is_safe_in_a_spreadsheet() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\n1,Ann,Lee,ok\n2,=HYPERLINK(\"http://x\"),,@SUM(A1)\n3,Cy,Moe,\"two\nlines\"\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "pack", &["--out", "p.zip", "--allow-errors"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let bytes = std::fs::read(s.join("p.contacts.errors.csv")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let body = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(body.ends_with("\r\n") && !body.replace("\r\n", "").contains('\n'), "CRLF: {body:?}");
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0][..5], ["2", "'=HYPERLINK(\"http://x\")", "", "'@SUM(A1)", "3"], "{body}");
}

#[test]
fn existing_outputs_are_replaced_only_with_force() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First,Last,Note\n1,Ann,Lee,\n");
    s.write("m.json", contacts_template("contacts.csv"));
    s.write("p.zip", "mine");
    let out = run(&s, "pack", &["--out", "p.zip"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`p.zip` already exists") && stderr(&out).contains("--force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(s.join("p.zip")).unwrap(), b"mine");
    let out = run(&s, "pack", &["--out", "p.zip", "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let import = s.ferry().args(["import", "p.zip", "--description", "one"]).output().unwrap();
    assert!(import.status.success(), "{}", stderr(&import));

    for args in [&["export", "contacts"][..], &["errors", "one"][..]] {
        s.write("out.csv", "mine");
        let out = s.ferry().args(args).args(["--out", "out.csv"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("`out.csv` already exists"), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("hint: pass `--force`"), "{args:?}: {}", stderr(&out));
        assert_eq!(std::fs::read(s.join("out.csv")).unwrap(), b"mine");
        let out = s.ferry().args(args).args(["--out", "out.csv", "--force"]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(std::fs::read(s.join("out.csv")).unwrap().starts_with(b"\xEF\xBB\xBF"));
    }
}

#[test]
fn scratch_files_of_killed_runs_are_cleaned_and_errors_name_the_output() {
    let s = Sandbox::new();
    // What a killed export leaves: a scratch file nobody holds any more.
    let leftover = s.write(".ferry-scratch-killed", "half a file");
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options().write(true).open(&leftover).unwrap().set_modified(past).unwrap();
    let out = s.ferry().args(["export", "contacts", "--out", "c.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let names: Vec<String> = std::fs::read_dir(s.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with('.')), "{names:?}");

    let out = s.ferry().args(["export", "contacts", "--out", "missing/c.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`missing/c.csv`") && !err.contains("scratch") && !err.contains(".tmp"), "{err}");
}
