//! Messy legacy data is kept (issue 11): a bad value is dropped with a
//! warning and its row kept, null values, ready-made templates on exports
//! that lack some columns, and `check` and `pack` agreeing on what they accept.

use crate::import::pack;
use crate::util::{Sandbox, repo_file, stderr, stdout};

/// A contacts template mapping `ID`, `Last`, `Born` (a `%d/%m/%Y` date) and
/// `Kids` (an integer); `born` and `file` are spliced into the `Born` mapping
/// and the file mapping.
fn template(born: &str, file: &str) -> String {
    format!(
        r#"{{
  "formatVersion": 1,
  "target": "contacts",
  "files": [{{
    "name": "contacts.csv"{file},
    "mappings": [
      {{ "column": "ID", "field": "externalId" }},
      {{ "column": "Last", "field": "lastName" }},
      {{ "column": "Born", "field": "birthDate", "converter": {{ "kind": "date", "format": "%d/%m/%Y" }}{born} }},
      {{ "column": "Kids", "field": "numberOfChildren", "converter": {{ "kind": "integer" }} }}
    ]
  }}]
}}"#
    )
}

const DATA: &str =
    "ID,Last,Born,Kids\n1,Ames,04/03/1980,2\n2,Baker,cat,1\n3,Cole,31/02/1987,two\n4,,01/01/1990,0\n";

fn check(sb: &Sandbox, json: bool) -> std::process::Output {
    let mut cmd = sb.ferry();
    cmd.arg("check");
    if json {
        cmd.arg("--json");
    }
    cmd.args(["--data", "data", "--mapping", "m.json"]).output().unwrap()
}

#[test]
fn a_bad_value_is_dropped_with_a_warning_at_its_line_and_column_and_the_row_is_kept() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", DATA);
    sb.write("m.json", template("", ""));
    let out = check(&sb, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 3, column `Born`: `cat` is not a date in format `%d/%m/%Y`; the value is dropped (the field is left empty)"),
        "{text}"
    );
    assert!(text.contains("warning: `contacts.csv` line 4, column `Born`: `31/02/1987`"), "{text}");
    assert!(
        text.contains("warning: `contacts.csv` line 4, column `Kids`: `two` is not a whole number"),
        "{text}"
    );
    // Only the empty required field rejects its row.
    assert!(
        text.contains("error: `contacts.csv` line 5, column `Last`: required field `Last Name` is empty"),
        "{text}"
    );
    assert!(text.contains("`contacts.csv`: 4 rows, 1 rejected"), "{text}");
    assert!(text.contains("1 error, 3 warnings"), "{text}");

    let json: serde_json::Value = serde_json::from_slice(&check(&sb, true).stdout).unwrap();
    assert_eq!(json["warnings"], 3);
    let cat = json["problems"].as_array().unwrap().iter().find(|p| p["value"] == "cat").unwrap();
    assert_eq!((cat["severity"].as_str(), cat["line"].as_u64()), (Some("warning"), Some(3)));

    // The import keeps rows 2 and 3 without the bad values, and counts them.
    let run = sb
        .ferry()
        .args([
            "pack",
            "--quiet",
            "--allow-errors",
            "--data",
            "data",
            "--mapping",
            "m.json",
            "--out",
            "p.zip",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let run = sb.ferry().args(["import", "p.zip", "--description", "messy"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let show = sb.ferry().args(["jobs", "show", "messy"]).output().unwrap();
    let show = crate::util::squash(&stdout(&show));
    assert!(show.contains("3 read = 3 staged + 0 rejected"), "{show}");
    assert!(show.contains("values dropped 3"), "{show}");
    let run = sb.ferry().args(["warnings", "messy", "--out", "w.csv"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let csv = std::fs::read_to_string(sb.join("w.csv")).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], r#""ID","Last","Born","Kids","file","line","column","warning""#, "{csv}");
    assert!(
        lines[1].starts_with(r#""2","Baker","cat","1","contacts.csv","3","Born","`cat` is not a date"#),
        "{csv}"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    // An existing report is replaced only with `--force`.
    let again = sb.ferry().args(["warnings", "messy", "--out", "w.csv"]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    let list = sb.ferry().args(["warnings", "messy"]).output().unwrap();
    assert!(
        stdout(&list).contains("`contacts.csv` line 4, column `Kids`: `two` is not a whole number"),
        "{}",
        stdout(&list)
    );
}

#[test]
fn on_invalid_reject_rejects_the_row_and_keep_keeps_the_text_in_a_user_field() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "ID,Last,Born,Kids\n1,Ames,cat,2\n");
    sb.write("m.json", template(r#", "onInvalid": "reject""#, ""));
    let text = stdout(&check(&sb, false));
    assert!(text.contains("error: `contacts.csv` line 2, column `Born`: `cat` is not a date in format `%d/%m/%Y`; the template rejects such rows (`onInvalid`: `reject`)"), "{text}");
    assert!(text.contains("1 rejected"), "{text}");

    sb.write("m.json", template(r#", "onInvalid": "keep""#, ""));
    let out = check(&sb, false);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 errors, 0 warnings"), "{}", stdout(&out));
    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let run = sb.ferry().args(["import", "p.zip", "--description", "kept"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    // The staged record keeps the raw text in the user field `Born`.
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let record: String = conn.query_row("SELECT record FROM staged", [], |r| r.get(0)).unwrap();
    assert!(record.contains("UserField") && record.contains("Born") && record.contains("cat"), "{record}");
}

#[test]
fn null_values_per_field_and_per_file_are_empty_cells_not_warnings() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "ID,Last,Born,Kids\n1,Ames,0/0/00,N/A\n2,Baker, n/a ,-\n3,Cole,,1\n");
    sb.write(
        "m.json",
        template(
            r#", "nullValues": ["0/0/00"], "nullValue": "01/01/1900""#,
            r#", "nullValues": ["N/A", "-"]"#,
        ),
    );
    let out = check(&sb, false);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("total: 3 rows, 0 rejected; 0 errors, 0 warnings"), "{text}");
    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let run = sb.ferry().args(["import", "p.zip", "--description", "nulls"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let staged = stdout(&sb.ferry().args(["staged", "nulls", "--json"]).output().unwrap());
    // The null value (`nullValue`) is what an empty cell, and a listed null value, becomes.
    assert!(staged.contains("1900-01-01"), "{staged}");
    assert!(!staged.contains("0/0/00"), "{staged}");
}

#[test]
fn a_ready_made_template_skips_a_column_the_export_lacks_and_a_users_template_does_not() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "ID,Last,Born\n1,Ames,04/03/1980\n");
    sb.write("m.json", template("", ""));
    let text = stdout(&check(&sb, false));
    assert!(text.contains("error: `contacts.csv`, column `Kids`: the file has no column `Kids`"), "{text}");

    let ready = template("", "").replacen(
        r#""target": "contacts","#,
        r#""target": "contacts", "readyMade": true,"#,
        1,
    );
    sb.write("m.json", ready);
    let out = check(&sb, false);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("warning: `contacts.csv`, column `Kids`: this export has no `Kids` column, so its mapping is skipped"), "{text}");
    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let run = sb.ferry().args(["import", "p.zip", "--description", "ready"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&sb.ferry().args(["jobs", "show", "ready"]).output().unwrap()).contains("1 read = 1 staged")
    );
}

#[test]
fn the_bundled_outlook_and_google_templates_read_their_exports_no_date_and_year_less_birthdays() {
    let sb = Sandbox::new();
    for (example, template) in [("outlook", "outlook-contacts.json"), ("google", "google-contacts.json")] {
        let out = sb
            .ferry()
            .args(["check", "--data"])
            .arg(repo_file(&format!("templates/examples/{example}")))
            .arg("--mapping")
            .arg(repo_file(&format!("templates/mappings/{template}")))
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(out.status.success(), "{example}: {text}");
        assert!(text.contains(" 0 rejected; 0 errors, 0 warnings"), "{example}: {text}");
    }
    let outlook = std::fs::read_to_string(repo_file("templates/examples/outlook/contacts.csv")).unwrap();
    assert!(
        outlook.contains("\"0/0/00\"") && outlook.contains("\"1/1/4501\""),
        "the example shows Outlook's no-birthday values"
    );
    let google = std::fs::read_to_string(repo_file("templates/examples/google/contacts.csv")).unwrap();
    assert!(google.contains(",--05-21,"), "the example shows a year-less birthday");
}

#[test]
fn check_refuses_what_pack_cannot_carry_a_control_character_and_a_50_mb_line() {
    let sb = Sandbox::new();
    // A control character in `nullValue`: `check` names the template path; `pack` refuses alike.
    sb.write("data/contacts.csv", "ID,Last,Born,Kids\n1,Ames,04/03/1980,2\n");
    sb.write("m.json", template(r#", "nullValue": "\u0001""#, ""));
    let out = check(&sb, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("`files[0].mappings[2].nullValue`"), "{text}");
    let packed = sb
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip"])
        .output()
        .unwrap();
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(stderr(&packed).contains("`files[0].mappings[2].nullValue`"), "{}", stderr(&packed));
    assert!(!sb.join("p.zip").exists());

    // A 50 MB value: `check` rejects its row, naming line and column; `pack --allow-errors` packs the rest.
    let mut data = String::from("ID,Last,Born,Kids\n1,Ames,04/03/1980,2\n2,");
    data.push_str(&"x".repeat(50 << 20));
    data.push_str(",04/03/1980,1\n");
    sb.write("data/contacts.csv", data);
    sb.write("m.json", template("", ""));
    let out = check(&sb, false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: `contacts.csv` line 3, column `Last`: the row's mapped values are"),
        "{text}"
    );
    let packed = sb
        .ferry()
        .args(["pack", "--allow-errors", "--data", "data", "--mapping", "m.json", "--out", "p.zip"])
        .output()
        .unwrap();
    assert_eq!(packed.status.code(), Some(1), "{}", stderr(&packed));
    assert!(sb.join("p.zip").exists(), "{}", stderr(&packed));
    assert!(!stderr(&packed).contains("ZIP bomb"), "{}", stderr(&packed));
}

#[test]
fn pack_finds_a_column_as_check_does_ignoring_case() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "id,LAST,born,Kids\n1,Ames,04/03/1980,2\n");
    sb.write("m.json", template("", ""));
    assert!(check(&sb, false).status.success());
    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let run = sb.ferry().args(["import", "p.zip", "--description", "case"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}
