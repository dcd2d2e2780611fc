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

/// The staged records of the sandbox's store: (line, record JSON), in line order.
fn staged(s: &Sandbox) -> Vec<(u64, serde_json::Value)> {
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let mut stmt = conn.prepare("SELECT line, record FROM staged ORDER BY line").unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (line, record) = r.unwrap();
            (line, serde_json::from_str(&record).unwrap())
        })
        .collect()
}

/// Packs and imports `data/contacts.csv` with `m.json`; the staged records.
fn pack_and_import(s: &Sandbox) -> Vec<(u64, serde_json::Value)> {
    crate::import::pack(s, &s.join("data"), &s.join("m.json"), "p.zip");
    let run = s.ferry().args(["import", "p.zip", "--description", "ragged"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    staged(s)
}

#[test]
fn a_row_short_of_trailing_fields_is_kept_with_them_empty_and_a_warning() {
    let s = Sandbox::new();
    // Line 3 leaves out its empty `Note`; line 4 ends in a trailing delimiter.
    s.write("data/contacts.csv", "ID,First,Last,Note\r\n1,Ann,Lee,hi\r\n2,Bob,Ray\r\n3,Cy,Moe,,\r\n");
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "`contacts.csv` line 3: the row has 3 of the header's 4 fields: `Note` is read as empty"
        ),
        "{text}"
    );
    assert!(text.contains("total: 3 rows, 0 rejected"), "{text}");
    let records = pack_and_import(&s);
    let lines: Vec<u64> = records.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 3, 4]);
    assert_eq!(records[1].1["f"]["lastName"], "Ray", "{}", records[1].1);
    assert!(records[1].1["f"].get("notes").is_none(), "{}", records[1].1);

    // A row with a value past the last column is refused, with what to do.
    s.write("data/contacts.csv", "ID,First,Last,Note\r\n1,Ann,Lee,hi,there\r\n2,Bob,Ray,\r\n");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("line 2: the row has 5 cells but the header has 4"), "{text}");
    assert!(text.contains("needs quotes"), "{text}");
}

#[test]
fn a_row_split_by_a_bare_line_break_is_rejoined_naming_both_lines() {
    let s = Sandbox::new();
    // CRLF rows; line 3's note was typed on two lines and exported unquoted (a bare LF).
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\r\n1,Ann,Lee,hi\r\n2,Bob,Ray,call Tue\nor Wed\r\n3,Cy,Moe,\r\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("`contacts.csv` line 3: lines 3 and 4 are one row split by a bare line break inside the unquoted value of `Note` (the file's rows end in CRLF)"),
        "{text}"
    );
    assert!(text.contains("total: 3 rows, 0 rejected"), "{text}");
    let records = pack_and_import(&s);
    let lines: Vec<u64> = records.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 3, 5], "the row after the split keeps its physical line");
    assert_eq!(records[1].1["f"]["notes"], "call Tue\nor Wed", "{}", records[1].1);
    assert_eq!(records[2].1["f"]["firstName"], "Cy", "{}", records[2].1);

    // The same break in a file whose rows end in LF cannot be told from a row
    // short of fields: the line is rejected, the row before it told, and
    // nothing is blended.
    s.write("data/contacts.csv", "ID,First,Last,Note\n1,Ann,Lee,hi\n2,Bob,Ray,call Tue\nor Wed\n3,Cy,Moe,\n");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`contacts.csv` line 4: the row has 1 of the header's 4 fields, after line 3 with all 4: it may be the rest of that row's last value (`Note`)"),
        "{text}"
    );
    assert!(
        text.contains("`contacts.csv` line 3, column `Note`: line 4 after this row holds one field"),
        "{text}"
    );
    assert!(text.contains("put the value with the line break in quotes"), "{text}");
    assert!(text.contains("total: 4 rows, 1 rejected"), "{text}");
    let packed = run(&s, "pack", &["--out", "p2.zip"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(stderr(&packed).contains("line 4"), "{}", stderr(&packed));
    assert!(!s.join("p2.zip").exists());

    // Two short lines that would make one row, with no bare break: both rejected.
    s.write("data/contacts.csv", "ID,First,Last,Note\n1,Ann,Lee,hi\n2,Bob,Ray\nx,y\n3,Cy,Moe,\n");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    for line in [3, 4] {
        assert!(
            text.contains(&format!(
                "`contacts.csv` line {line}: lines 3 and 4 have 3 and 2 of the header's 4 fields"
            )),
            "{text}"
        );
    }
    assert!(text.contains("total: 4 rows, 2 rejected"), "{text}");

    // A row that cannot be read (a byte that is not UTF-8) takes the rest of
    // its split with it: no piece of it is read as a row of its own.
    s.write(
        "data/contacts.csv",
        b"ID,First,Last,Note\r\n1,Zo\xc3\xab,C\xc3\xb4t\xc3\xa9,hi\r\n2,B\xe9b,Ray,call Tue\nor Wed\r\n3,Cy,Moe,\r\n",
    );
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("line 3, column `First`: a byte sequence not valid `UTF-8`"), "{text}");
    assert!(
        text.contains("line 4: line 3 before it is rejected and this line may be the rest of that row"),
        "{text}"
    );
    assert!(text.contains("total: 4 rows, 2 rejected"), "{text}");

    // A bare break whose lines do not make a row: both rejected, never padded.
    s.write("data/contacts.csv", "ID,First,Last,Note\r\n1,Ann\nLee\r\n2,Bob,Ray,\r\n");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("line 2: the row has 2 of the header's 4 fields and ends in a bare LF"), "{text}");
    assert!(text.contains("line 3: line 2 before it ends in a bare LF"), "{text}");
    assert!(text.contains("total: 3 rows, 2 rejected"), "{text}");
}

#[test]
fn a_header_naming_a_column_twice_is_read_as_two_columns_the_template_must_tell_apart() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First,Last,Last,Note\n1,Ann,Lee,Smith,\n");
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "column `Last`: the header names column `Last` more than once (columns 3, 4), so they are read as `Last (column 3)`, `Last (column 4)`; name the one you mean in the template (`\"column\": \"Last (column 3)\"`)"
        ),
        "{text}"
    );
    let packed = run(&s, "pack", &["--out", "p.zip", "--allow-errors"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(!s.join("p.zip").exists());

    // Named as the reader names them, the second `Last` is the last name.
    s.write("m.json", contacts_template("contacts.csv").replace("\"Last\"", "\"Last (column 4)\""));
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let packed = run(&s, "pack", &["--out", "p.zip"]);
    assert_eq!(packed.status.code(), Some(0), "{}", stderr(&packed));
    let imported = s.ferry().args(["import", "p.zip"]).output().unwrap();
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let last: String = rusqlite::Connection::open(s.join("ferry.db"))
        .unwrap()
        .query_row("SELECT last_name FROM staged", [], |r| r.get(0))
        .unwrap();
    assert_eq!(last, "Smith");

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
    drop(ferry_runner::store::Store::open(&s.join("ferry.db")).unwrap());
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

/// 30 contacts, one a line, with a `Note` column; `note(n)` gives row `n`'s note cell.
fn thirty_contacts(note: impl Fn(u32) -> String) -> String {
    let mut text = String::from("ID,First,Last,Company,Note\r\n");
    for n in 1..=30 {
        text.push_str(&format!("{n},First{n},Last{n},Co {n},{}\r\n", note(n)));
    }
    text
}

#[test]
fn a_quote_that_swallows_rows_is_an_error_naming_where_it_opens_and_closes() {
    let s = Sandbox::new();
    // Data row 5 (line 6) opens a quote that row 9 (line 10) closes: rows 6–8 are swallowed.
    let text = thirty_contacts(|n| match n {
        5 => "\"called, left msg".to_string(),
        9 => "see above\"".to_string(),
        _ => String::new(),
    });
    s.write("data/contacts.csv", text);
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`contacts.csv` line 6: a quoted field opens on line 6 and holds line 7"),
        "{text}"
    );
    // Only the line where the quote opened is lost: the rows it swallowed are read again.
    assert!(
        text.contains("line 6 is rejected, and lines 7 to 10, which the quote swallowed, are read again as rows of their own"),
        "{text}"
    );
    assert!(text.contains("total: 30 rows, 1 rejected"), "{text}");
    let packed = run(&s, "pack", &["--out", "p.zip"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(stderr(&packed).contains("line 6: a quoted field opens on line 6"), "{}", stderr(&packed));
    assert!(!s.join("p.zip").exists());
    let packed = run(&s, "pack", &["--out", "p.zip", "--allow-errors", "--quiet"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    let errors = std::fs::read_to_string(s.join("p.contacts.errors.csv")).unwrap();
    assert!(errors.contains("\"called, left msg\",\"6\""), "only line 6 is rejected: {errors}");
    assert!(!errors.contains("First6"), "{errors}");
    let run_import = s.ferry().args(["import", "p.zip", "--description", "quotes"]).output().unwrap();
    assert!(run_import.status.success(), "{}", stderr(&run_import));
    let lines: Vec<u64> = staged(&s).iter().map(|(l, _)| *l).collect();
    assert_eq!(lines.len(), 29, "{lines:?}");
    assert!(lines.contains(&7) && lines.contains(&10) && !lines.contains(&6), "{lines:?}");

    // A quote that never closes runs to the end of the file.
    s.write("data/contacts.csv", thirty_contacts(|n| if n == 28 { "\"open".into() } else { String::new() }));
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("line 29: a quoted field opens on line 29 and never closes: it runs to the end of the file (line 32)"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("lines 30 to 31, which the quote swallowed, are read again"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("total: 30 rows, 1 rejected"), "{}", stdout(&out));

    // Text after a closing quote.
    s.write(
        "data/contacts.csv",
        thirty_contacts(|n| if n == 3 { "\"Ann\" said hi".into() } else { String::new() }),
    );
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(
            "line 4: a quoted field opens and closes on line 4, and text follows its closing quote"
        ),
        "{}",
        stdout(&out)
    );

    // Notes that really hold line breaks (and commas) read as before.
    let notes = thirty_contacts(|n| {
        if n % 3 == 0 {
            "\"Called Bob, left msg.\r\nCall back Tue, or Wed.\r\n\r\n-- sent from Outlook\"".into()
        } else {
            String::new()
        }
    });
    s.write("data/contacts.csv", notes);
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("total: 30 rows, 0 rejected"), "{}", stdout(&out));
}

#[test]
fn bytes_that_are_not_the_encoding_are_located_and_rejected_unless_replaced() {
    let s = Sandbox::new();
    let mut bytes = Vec::new();
    bytes.extend_from_slice("ID,First,Last,Company,Note\n".as_bytes());
    for n in 1..=5000u32 {
        bytes.extend_from_slice(format!("{n},Zoë{n},Côté,Montréal {n},").as_bytes());
        if n == 2500 {
            bytes.extend_from_slice(b"bad \xF4 byte");
        }
        bytes.push(b'\n');
    }
    s.write("data/contacts.csv", &bytes);
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`contacts.csv` line 2501, column `Note`: a byte sequence not valid `UTF-8`"),
        "{text}"
    );
    assert!(text.contains("total: 5,000 rows, 1 rejected"), "{text}");
    let packed = run(&s, "pack", &["--out", "p.zip"]);
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));

    let out = run(&s, "check", &["--replace"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("warning: `contacts.csv` line 2501, column `Note`"), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 errors, 1 warning"), "{}", stdout(&out));

    // A file that is UTF-8 but for one byte is read as UTF-8, not as windows-1252.
    let mut one =
        b"ID,First,Last,Company,Note\n1,C\xC3\xB4t\xC3\xA9,Lee,Qu\xC3\xA9bec,\n2,Bob,Ray,\xFF,\n".to_vec();
    one.extend_from_slice("3,Zoë,Müller,Zürich,\n".as_bytes());
    s.write("data/contacts.csv", &one);
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("line 3, column `Company`: a byte sequence not valid `UTF-8`"),
        "{}",
        stdout(&out)
    );
    let packed = run(&s, "pack", &["--out", "p.zip", "--replace"]);
    assert!(packed.status.success(), "{}", stderr(&packed));
    let inspect = s.ferry().args(["import", "p.zip", "--description", "one"]).output().unwrap();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let first: String =
        conn.query_row("SELECT first_name FROM staged ORDER BY id LIMIT 1", [], |r| r.get(0)).unwrap();
    assert_eq!(first, "Côté");
}

/// Rewrites member `name` of the package at `path` with `edit`.
fn edit_member(path: &std::path::Path, name: &str, edit: impl Fn(String) -> String) {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut members = Vec::new();
    for i in 0..zip.len() {
        let mut m = zip.by_index(i).unwrap();
        let member = m.name().unwrap().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut m, &mut text).unwrap();
        let text = if member == name { edit(text) } else { text };
        members.push((member, text));
    }
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in members {
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut out, text.as_bytes()).unwrap();
    }
    out.finish().unwrap();
}

#[test]
fn every_verb_names_the_physical_line_of_the_legacy_file() {
    let s = Sandbox::new();
    let data = "ID,First,Last,Note\r\n1,Ann,Lee,\"first\r\nsecond\r\nthird\"\r\n2,Bob,Ray,\r\n3,Dan,,\r\n4,Cy,Moe,\r\n";
    s.write("data/contacts.csv", data);
    s.write("m.json", contacts_template("contacts.csv"));
    let check = run(&s, "check", &[]);
    assert!(stdout(&check).contains("`contacts.csv` line 6, column `Last`"), "{}", stdout(&check));
    let pack = run(&s, "pack", &["--out", "p.zip", "--allow-errors"]);
    assert_eq!(pack.status.code(), Some(1), "{}", stderr(&pack));
    let errors = std::fs::read_to_string(s.join("p.contacts.errors.csv")).unwrap();
    assert!(errors.contains(r#""3","Dan","","","6","#), "{errors}");

    // Staged records and the review name the lines `check` names.
    let import = s.ferry().args(["import", "p.zip", "--description", "one"]).output().unwrap();
    assert!(import.status.success(), "{}", stderr(&import));
    let staged = s.ferry().args(["staged", "one", "--columns", "line,externalId"]).output().unwrap();
    let listed = stdout(&staged);
    for (line, id) in [("2", "1"), ("5", "2"), ("7", "4")] {
        assert!(listed.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == [line, id]), "{listed}");
    }
    for args in [
        &["staged", "one", "--submit"][..],
        &["match", "one"][..],
        &["review", "one", "--export", "r.csv"][..],
    ] {
        let out = s.ferry().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let review = std::fs::read_to_string(s.join("r.csv")).unwrap();
    let lines: Vec<&str> = review.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(lines, ["\"2\"", "\"5\"", "\"7\""], "{review}");
    // `review --apply` names the lines of the file it reads (CRLF, as exported).
    let bad = review.replacen("\"Create\"", "\"Shred\"", 3);
    s.write("bad.csv", bad);
    let apply = s.ferry().args(["review", "one", "--apply", "bad.csv"]).output().unwrap();
    assert!(stderr(&apply).contains("`bad.csv` line 2: unknown action `Shred`"), "{}", stderr(&apply));

    // A row the import rejects is named by its line in the legacy file too.
    edit_member(&s.join("p.zip"), "contacts.csv", |t| t.replace("4,Cy,Moe,", "4,Cy,,"));
    let import = s.ferry().args(["import", "p.zip", "--description", "two"]).output().unwrap();
    assert_eq!(import.status.code(), Some(1), "{}", stderr(&import));
    let out = s.ferry().args(["errors", "two", "--out", "e.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = std::fs::read_to_string(s.join("e.csv")).unwrap();
    assert!(report.contains(r#""file","line","error""#), "{report}");
    assert!(report.contains(r#""4","Cy","","","contacts.csv","7","#), "{report}");
}

#[test]
fn control_characters_of_legacy_values_are_shown_escaped_on_the_terminal() {
    let s = Sandbox::new();
    s.write("data/c.csv", "ID,First,Last,Born\n1,\u{1b}[31mAnn,Lee,\u{1b}[2J1980\n2,Bob,Ng,1981-02-03\n");
    s.write(
        "m.json",
        serde_json::json!({"formatVersion": 1, "target": "contacts", "files": [{"name": "c.csv", "mappings": [
            {"column": "First", "field": "firstName"},
            {"column": "Last", "field": "lastName"},
            {"column": "Born", "field": "birthDate", "converter": {"kind": "date", "format": "%Y-%m-%d"}}]}]})
        .to_string(),
    );
    let check = run(&s, "check", &[]);
    let text = stdout(&check);
    assert!(text.contains("`\\u{1b}[2J1980` is not a date"), "{text}");
    assert!(!text.contains('\u{1b}'), "an escape sequence reached the terminal: {text:?}");
    let staged_records = pack_and_import(&s);
    // The value itself is kept as it was exported.
    let record = staged_records[0].1.to_string();
    assert!(record.contains("\\u001b[31mAnn"), "{record}");
    let shown = s.ferry().args(["staged", "ragged"]).output().unwrap();
    let text = stdout(&shown);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(text.contains("\\u{1b}[31mAnn"), "{text}");
    assert!(!text.contains('\u{1b}'), "an escape sequence reached the terminal: {text:?}");
}
