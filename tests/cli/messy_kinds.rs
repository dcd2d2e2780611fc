//! Shapes of real exports that `bench/messy_kinds.py` makes, through the real
//! binary: Excel's `sep=;` first line, title lines above the header, and the
//! encoding hint of bytes that are not the detected encoding. Each test checks
//! what is stored for every row, so no row is lost, shifted or blended.

use crate::bad_input::contacts_template;
use crate::util::{Sandbox, stderr, stdout};

/// `ferry VERB --data data --mapping m.json ARGS…`.
fn run(s: &Sandbox, verb: &str, args: &[&str]) -> std::process::Output {
    s.ferry().args([verb, "--data", "data", "--mapping", "m.json"]).args(args).output().unwrap()
}

/// (line, first name, last name, note) of each staged record, in line order.
fn staged(s: &Sandbox) -> Vec<(u64, String, String, String)> {
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let mut stmt = conn.prepare("SELECT line, record FROM staged ORDER BY line").unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|r| {
            let (line, record) = r.unwrap();
            let record: serde_json::Value = serde_json::from_str(&record).unwrap();
            let field = |name: &str| record["f"][name].as_str().unwrap_or("").to_string();
            (line, field("firstName"), field("lastName"), field("notes"))
        })
        .collect()
}

fn import(s: &Sandbox) -> std::process::Output {
    s.ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "t"])
        .output()
        .unwrap()
}

fn row(line: u64, first: &str, last: &str, note: &str) -> (u64, String, String, String) {
    (line, first.into(), last.into(), note.into())
}

#[test]
fn an_excel_sep_line_names_the_delimiter_and_is_not_the_header() {
    let s = Sandbox::new();
    // A European Excel export: `sep=;`, decimal commas in a note, CRLF.
    s.write("data/contacts.csv", "sep=;\r\nID;First;Last;Note\r\n1;Ann;Lee;2,5 kg\r\n2;Bob;Roe;a, b\r\n");
    s.write("m.json", contacts_template("contacts.csv"));
    let profile = s.ferry().args(["profile", "data"]).output().unwrap();
    let text = stdout(&profile);
    assert!(text.contains("delimiter `;`, 2 rows"), "{text}{}", stderr(&profile));
    assert!(!text.contains("sep="), "{text}");
    let out = run(&s, "check", &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s), vec![row(3, "Ann", "Lee", "2,5 kg"), row(4, "Bob", "Roe", "a, b")]);

    // `--delimiter` still wins; `SEP=|` is read too; the sep line alone is never a header.
    s.write("data/contacts.csv", "SEP=|\nID|First|Last|Note\n1|Ann|Lee|x;y\n");
    let text = stdout(&s.ferry().args(["profile", "data"]).output().unwrap());
    assert!(text.contains("delimiter `|`, 1 rows") || text.contains("delimiter `|`, 1 row"), "{text}");
    let text = stdout(&s.ferry().args(["profile", "data", "--delimiter", ";"]).output().unwrap());
    assert!(text.contains("delimiter `;`"), "{text}");
}

#[test]
fn title_lines_above_the_header_are_skipped_with_a_warning_naming_them() {
    let s = Sandbox::new();
    // A report's name and date above the header, the second padded with
    // delimiters as a spreadsheet writes a title cell.
    s.write(
        "data/contacts.csv",
        "Contacts export\r\n2024-05-01,,,\r\nID,First,Last,Note\r\n1,Ann,Lee,x\r\n2,Bob,Roe,y\r\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 1: `Contacts export` is the only value of this line, above a header of several columns: read as a title line, and skipped"),
        "{text}"
    );
    assert!(text.contains("warning: `contacts.csv` line 2: `2024-05-01` is the only value"), "{text}");
    assert!(text.contains("`contacts.csv`: 2 rows, 0 rejected"), "{text}");
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s), vec![row(4, "Ann", "Lee", "x"), row(5, "Bob", "Roe", "y")]);
}

#[test]
fn a_header_that_only_looks_like_a_title_stays_the_header() {
    let s = Sandbox::new();
    // One named column over numbered data: the data row is no header.
    s.write("data/a.csv", "ID,,,\n1,a,b,c\n");
    // A one-column file: every line holds one value.
    s.write("data/b.csv", "Name\nAnn\nBob\n");
    let out = s.ferry().args(["profile", "data"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("a.csv: CSV, UTF-8, delimiter `,`, 1 row"), "{text}{}", stderr(&out));
    assert!(text.contains("b.csv: CSV, UTF-8, delimiter `,`, 2 rows"), "{text}");
    // `--no-header`: the first line is data, title or not.
    s.write("data/contacts.csv", "Contacts export\nID,First,Last,Note\n1,Ann,Lee,x\n");
    let text = stdout(&s.ferry().args(["profile", "data/contacts.csv", "--no-header"]).output().unwrap());
    assert!(text.contains("3 rows"), "{text}");
}

#[test]
fn bytes_not_in_the_detected_encoding_name_the_reading_option_that_fixes_them() {
    let s = Sandbox::new();
    // ASCII for more than the detector's 64 KiB, then a Windows-1252 accent:
    // the first bytes that are not ASCII name the encoding.
    let mut data = b"ID,First,Last,Note\r\n".to_vec();
    for i in 0..6000 {
        data.extend_from_slice(format!("{i},Ann,Lee,x\r\n").as_bytes());
    }
    let late = b"6000,Ren\xe9e,C\xf4t\xe9,x\r\n";
    let mut only_late = data.clone();
    only_late.extend_from_slice(late);
    s.write("data/contacts.csv", &only_late);
    s.write("m.json", contacts_template("contacts.csv"));
    let out = s.ferry().args(["import", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s).last(), Some(&row(6002, "Renée", "Côté", "x")));
    // A UTF-8 accent first (row 3,001), the Windows-1252 one after it: the
    // file reads as UTF-8, and the bytes that are not are an error whose hint
    // names the option that reads them.
    let at = data.len() / 2;
    let at = at + data[at..].iter().position(|b| *b == b'\n').unwrap() + 1;
    data.splice(at..at, "9999,Zoë,Lee,x\r\n".bytes());
    data.extend_from_slice(late);
    s.write("data/contacts.csv", &data);
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("line 6003, column `First`: a byte sequence not valid `UTF-8`: fix the bytes, name the file's encoding with `--input-encoding`"), "{text}");
    // The option the hint names reads the row in every verb, pack included.
    let out = run(&s, "check", &["--input-encoding", "windows-1252"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = s
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--input-encoding", "windows-1252"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s).last(), Some(&row(6003, "Renée", "Côté", "x")));
}

#[test]
fn two_digit_years_are_read_as_such_and_never_as_the_first_century() {
    let s = Sandbox::new();
    // A US export with two-digit years: `%m/%d/%Y` used to read `11/14/81` as
    // the year 81, and `%y` reads `04/24/65` as 2065.
    let mut data = String::from("ID,First,Last,Birth Date\n");
    for (i, born) in ["11/14/81", "04/24/65", "01/23/88", "12/31/99", "02/03/04"].iter().enumerate() {
        data.push_str(&format!("{i},Ann,Lee{i},{born}\n"));
    }
    s.write("data/contacts.csv", &data);
    let out = s
        .ferry()
        .args(["map", "--data", "data", "--target", "contacts", "--out", "m.json", "--auto"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let template: serde_json::Value = s.template();
    let born = template["files"][0]["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["column"] == "Birth Date")
        .unwrap()
        .clone();
    assert_eq!(born["field"], "birthDate", "{born}");
    assert_eq!(born["converter"]["format"], "%m/%d/%y", "{born}");
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let mut stmt =
        conn.prepare("SELECT json_extract(record, '$.f.birthDate.d') FROM staged ORDER BY line").unwrap();
    let dates: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(dates, ["1981-11-14", "1965-04-24", "1988-01-23", "1999-12-31", "2004-02-03"]);

    // A hand-made template with `%m/%d/%Y` drops them with a warning instead of storing the year 81.
    s.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "contacts", "files": [{"name": "contacts.csv", "mappings": [
            {"column": "Last", "field": "lastName"},
            {"column": "Birth Date", "field": "birthDate", "converter": {"kind": "date", "format": "%m/%d/%Y"}}]}]}"#,
    );
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains(
            "line 2, column `Birth Date`: `11/14/81` is not a date in format `%m/%d/%Y`; the value is dropped"
        ),
        "{text}"
    );
}

#[test]
fn a_legacy_id_on_two_rows_keeps_both_people_and_check_and_pack_say_so() {
    let s = Sandbox::new();
    // `ID` kept as data (a user field), as `map --auto` proposes: 1001 is on
    // lines 2 and 4, two different people.
    s.write("data/contacts.csv", "ID,First,Last,Note\n1001,Ann,Lee,\n1002,Bob,Roe,\n1001,Cy,Ng,\n");
    let template = contacts_template("contacts.csv").replace(
        r#"{"column":"ID","field":"externalId"}"#,
        r#"{"column":"ID","field":"value","subcollection":"UserField","typeName":"ID"}"#,
    );
    assert!(template.contains("UserField"), "{template}");
    s.write("m.json", template);
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 4, column `ID`: legacy id `1001` is on line 2 too: the two rows stay two records"),
        "{text}"
    );
    let out =
        s.ferry().args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 warning: values dropped, truncated or ignored, or a legacy id on two rows"),
        "{}",
        stderr(&out)
    );
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s), vec![row(2, "Ann", "Lee", ""), row(3, "Bob", "Roe", ""), row(4, "Cy", "Ng", "")]);
}

#[test]
fn a_parent_id_on_two_rows_rejects_both_rows_and_their_child_rows() {
    let s = Sandbox::new();
    // Phones link by `CONTACT_ID`; 1001 is on two contacts, so its phones
    // belong to neither for sure: none of them may land on Ann.
    s.write("data/contacts.csv", "ID,First,Last\n1001,Ann,Lee\n1002,Bob,Roe\n1001,Cy,Ng\n");
    s.write(
        "data/phones.csv",
        "CONTACT_ID,NUMBER\n1001,416-555-0101\n1002,416-555-0302\n1001,416-555-0201\n",
    );
    s.write(
        "m.json",
        serde_json::json!({
            "formatVersion": 1,
            "target": "contacts",
            "files": [
                { "name": "contacts.csv", "idColumn": "ID", "mappings": [
                    { "column": "ID", "field": "value", "subcollection": "UserField", "typeName": "ID" },
                    { "column": "First", "field": "firstName" },
                    { "column": "Last", "field": "lastName" } ] },
                { "name": "phones.csv", "parent": { "file": "contacts.csv", "column": "CONTACT_ID", "parentColumn": "ID" },
                  "mappings": [ { "column": "NUMBER", "field": "value", "subcollection": "Telcom", "typeName": "Home" } ] }
            ]
        })
        .to_string(),
    );
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    for line in [
        "`contacts.csv` line 2, column `ID`: id `1001` is on line 4 too",
        "`contacts.csv` line 4, column `ID`: id `1001` is on line 2 too",
        "`phones.csv` line 2, column `CONTACT_ID`: parent `1001` is on 2 rows of `contacts.csv` (lines 2, 4)",
        "`phones.csv` line 4, column `CONTACT_ID`: parent `1001` is on 2 rows of `contacts.csv` (lines 2, 4)",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let out = s
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip", "--allow-errors"])
        .output()
        .unwrap();
    // 1: rows were rejected, and written to the error CSVs.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("rows rejected  4"), "{}", stderr(&out));
    let out = s.ferry().args(["import", "--description", "t", "p.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(s.join("ferry.db")).unwrap();
    let records: Vec<(i64, String)> = conn
        .prepare("SELECT line, record FROM staged ORDER BY line")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0].0, 3);
    assert!(records[0].1.contains("Bob") && records[0].1.contains("416-555-0302"), "{records:?}");
    assert!(!records[0].1.contains("416-555-0101") && !records[0].1.contains("416-555-0201"), "{records:?}");
}

/// The annual incomes of the staged records, in line order (`None`: no value).
fn incomes(s: &Sandbox) -> Vec<Option<String>> {
    s.staged_records()
        .into_iter()
        .map(|(_, r)| r["f"]["annualIncome"]["n"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn decimal_commas_are_read_when_the_converter_says_so_and_refused_with_a_hint_when_not() {
    let s = Sandbox::new();
    // A European export: decimal commas, `.` and no-break spaces grouping thousands.
    s.write(
        "data/contacts.csv",
        "ID;Last;Income\r\n1;Ames;1.234,50\r\n2;Baker;55\u{a0}000,75\r\n3;Cole;12,5\r\n4;Dunn;1.234\r\n",
    );
    s.map_auto("contacts");
    let template: serde_json::Value = s.template();
    let income = template["files"][0]["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["column"] == "Income")
        .unwrap()
        .clone();
    assert_eq!(income["field"], "annualIncome", "{income}");
    assert_eq!(income["converter"], serde_json::json!({"kind": "decimal", "decimalComma": true}));
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // `1.234` is one thousand two hundred and thirty-four in this file, not a little over one.
    let want = ["1234.5", "55000.75", "12.5", "1234"].map(|v| Some(v.to_string()));
    assert_eq!(incomes(&s), want);

    // Without the option, a value that only a decimal comma reads is not guessed at: it is
    // dropped with a warning that names the option.
    s.write(
        "m.json",
        std::fs::read_to_string(s.join("m.json"))
            .unwrap()
            .replace(",\n            \"decimalComma\": true", ""),
    );
    assert!(!std::fs::read_to_string(s.join("m.json")).unwrap().contains("decimalComma"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0 errors, 3 warnings"), "{text}");
    assert!(
        text.contains("warning: `contacts.csv` line 2, column `Income`: `1.234,50` is not a decimal number (it reads with `,` as the decimal point: if the column writes decimal commas (`12,5`, `1.234,50`), give the converter `\"decimalComma\": true`)"),
        "{text}"
    );
}

#[test]
fn rows_of_empty_cells_and_a_report_footer_are_no_rows_and_a_split_row_still_is_refused() {
    let s = Sandbox::new();
    // A report export: rows of empty cells Excel kept formatted, then a footer below a blank line.
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\r\n1,Ann,Lee,a\r\n,,,\r\n2,Bob,Roe,b\r\n , ,,\r\n\r\nTotal records: 2\r\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 7: `Total records: 2` is the only value of the file's last line, below a blank line after the rows: read as a footer, and skipped"),
        "{text}"
    );
    assert!(text.contains("`contacts.csv`: 2 rows, 0 rejected"), "{text}");
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(staged(&s), vec![row(2, "Ann", "Lee", "a"), row(4, "Bob", "Roe", "b")]);

    // Without the blank line, one value on the last line may be the rest of a
    // split row: refused as before, never skipped.
    s.write("data/contacts.csv", "ID,First,Last,Note\r\n1,Ann,Lee,a\r\n2,Bob,Roe,b\r\nTotal records: 2\r\n");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error: `contacts.csv` line 4: the row has 1 of the header's 4 fields"), "{text}");
}

#[test]
fn a_row_repeating_the_header_is_no_record() {
    let s = Sandbox::new();
    // Two exports joined one after the other: the second's header is in the data.
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\r\n1,Ann,Lee,a\r\nid , FIRST,Last,Note\r\n2,Bob,Roe,b\r\n3,Last,Note,c\r\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: `contacts.csv` line 3: the row repeats the header (two exports joined one after the other?): read as a header, not as a record, and skipped"),
        "{text}"
    );
    let out = import(&s);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A person whose names happen to be header words is still a person.
    assert_eq!(
        staged(&s),
        vec![row(2, "Ann", "Lee", "a"), row(4, "Bob", "Roe", "b"), row(5, "Last", "Note", "c")]
    );
}
