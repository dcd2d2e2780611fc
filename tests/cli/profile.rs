//! Tests of `ferry profile`.

use crate::util::{Sandbox, repo_file, stderr, stdout};

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

#[test]
fn a_directory_profiles_each_data_file_with_its_encoding_delimiter_and_rows() {
    let sandbox = Sandbox::new();
    let out = sandbox.ferry().arg("profile").arg(repo_file("test-data/readers/contacts")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "utf16le-unicode-text.txt: CSV, UTF-16LE with BOM, delimiter tab, 5 rows",
        "utf8-bom.csv: CSV, UTF-8 with BOM, delimiter `,`, 5 rows",
        "semicolon-1252.csv: CSV, windows-1252, delimiter `;`, 5 rows",
        "pipe-utf8.csv: CSV, UTF-8, delimiter `|`, 5 rows",
        "contacts.xlsx: XLSX, sheet `Contacts`, 5 rows",
        "contacts.xls: XLS, sheet `Contacts`, 5 rows",
        "mac-cr.csv: CSV, UTF-8, delimiter `,`, 5 rows",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
    assert_eq!(text.matches("Birth Date  date %Y-%m-%d").count(), 9, "{text}");
    assert!(text.contains("`José`, `Zoë`, `Renée`, `Ñandú`, `Françoise`"), "{text}");
}

#[test]
fn json_lists_identical_columns_for_the_same_contacts_in_every_format() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .ferry()
        .args(["--json", "profile"])
        .arg(repo_file("test-data/readers/contacts"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let profiles = json(&out);
    let profiles = profiles.as_array().unwrap();
    assert_eq!(profiles.len(), 9);
    let first = &profiles[0]["columns"];
    assert_eq!(first[4]["kind"], serde_json::json!({"kind": "phone"}));
    for profile in profiles {
        assert_eq!(profile["rows"], 5, "{}", profile["info"]["path"]);
        assert_eq!(&profile["columns"], first, "{}", profile["info"]["path"]);
    }
}

#[test]
fn an_all_ambiguous_day_first_date_column_is_reported_ambiguous() {
    let sandbox = Sandbox::new();
    let file = repo_file("test-data/readers/ambiguous-dates.csv");
    let out = sandbox.ferry().arg("profile").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = crate::util::squash(&stdout(&out));
    assert!(text.contains("Birth Date date %d/%m/%Y (ambiguous: day/month, or %m/%d/%Y) 0"), "{text}");
    assert!(text.contains("Joined date %d/%m/%Y 0"), "{text}");

    let out = sandbox.ferry().args(["profile", "--json"]).arg(&file).output().unwrap();
    let profiles = json(&out);
    assert_eq!(
        profiles[0]["columns"][1]["kind"],
        serde_json::json!({"kind": "date", "format": "%d/%m/%Y", "ambiguous": true, "alternative": "%m/%d/%Y"})
    );
}

#[test]
fn an_unknown_encoding_label_exits_2_with_a_hint() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .ferry()
        .args(["profile", "--input-encoding", "klingon"])
        .arg(repo_file("test-data/readers/contacts/utf8.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("error:") && err.contains("unknown encoding `klingon`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn options_override_detection() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("export.txt", "Mary Ann|x;y\nJosé|1;2\n");
    let out = sandbox
        .ferry()
        .args(["profile", "--json", "--no-header", "--delimiter", ";", "--input-encoding", "latin1"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let profile = &json(&out)[0];
    assert_eq!(profile["info"]["delimiter"], ";");
    assert_eq!(profile["info"]["encoding"], "windows-1252");
    assert_eq!(profile["rows"], 2);
    assert_eq!(profile["columns"][0]["name"], "column 1");
    // UTF-8 read as windows-1252: `é` is two characters.
    assert_eq!(profile["columns"][0]["samples"][1], "JosÃ©|1");
    assert_eq!(profile["columns"][1]["samples"][1], "2");

    let out = sandbox
        .ferry()
        .args(["profile", "--json", "--sheet", "Notes"])
        .arg(repo_file("test-data/readers/contacts/contacts.xlsx"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)[0]["columns"][0]["name"], "Note");

    let out = sandbox.ferry().args(["profile", "--delimiter", "ab"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`ab` is not a delimiter"), "{}", stderr(&out));
}

#[test]
fn a_wrong_encoding_is_warned_about_with_the_count_of_bad_bytes() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .ferry()
        .args(["profile", "--input-encoding", "utf-8"])
        .arg(repo_file("test-data/readers/contacts/windows-1252.csv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning:") && err.contains("undecodable byte sequences"), "{err}");
}

#[test]
fn no_count_stops_after_the_sample_records() {
    let sandbox = Sandbox::new();
    let mut text = String::from("id,name\n");
    for i in 0..3000 {
        text.push_str(&format!("{i},Name {i}\n"));
    }
    let file = sandbox.write("big.csv", text);
    let out = sandbox.ferry().args(["profile", "--no-count"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("more than 1000 rows (not counted)"), "{}", stdout(&out));
    let out = sandbox.ferry().args(["profile", "--json"]).arg(&file).output().unwrap();
    assert_eq!(json(&out)[0]["rows"], 3000);
}

#[test]
fn missing_paths_and_unreadable_sheets_are_errors_naming_them() {
    let sandbox = Sandbox::new();
    let out = sandbox.ferry().args(["profile", "nowhere.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`nowhere.csv`"), "{}", stderr(&out));

    let out = sandbox
        .ferry()
        .args(["profile", "--sheet", "Leads"])
        .arg(repo_file("test-data/readers/contacts/contacts.xlsx"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no sheet `Leads` (sheets: `Contacts`, `Notes`)") && err.contains("hint:"), "{err}");

    sandbox.write("empty/notes.md", "nothing");
    let out = sandbox.ferry().args(["profile", "empty"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("holds no data files"), "{}", stderr(&out));
}
