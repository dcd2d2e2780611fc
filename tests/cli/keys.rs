//! Tests of record keys: a legacy row id is data; only the target's key
//! field, mapped on purpose, finds an existing record; two rows of one import
//! with the same key are both rejected; `--no-update` updates nothing by key.

use crate::import::{pack, sql_i64};
use crate::matching::json;
use crate::util::{Sandbox, repo_file, stderr, stdout};

const LEAD_HEADER: &str =
    "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code\n";

/// Packs a simple-lead CSV with the bundled simple-leads template.
fn lead_package(sb: &Sandbox, name: &str, rows: &str) -> std::path::PathBuf {
    sb.write(&format!("{name}/leads.csv"), format!("{LEAD_HEADER}{rows}"));
    pack(sb, &sb.join(name), &repo_file("templates/mappings/simple-leads.json"), &format!("{name}.zip"))
}

#[test]
fn a_second_lead_file_numbering_its_leads_again_overwrites_nobody() {
    let sb = Sandbox::new();
    lead_package(
        &sb,
        "first",
        "1,Ann,Lee,ann@example.com,,,,Northwind,,\n2,Bob,Ray,bob@example.com,,,,Acme,,\n",
    );
    let first = json(&sb, &["run", "first.zip", "--description", "first"]);
    assert_eq!(first["created"], 2, "{first}");
    // Another export, numbered from 1 again, of other people.
    lead_package(
        &sb,
        "second",
        "1,Cy,Doe,cy@example.org,,,,Globex,,\n2,Di,Fox,di@example.org,,,,Initech,,\n",
    );
    let second = json(&sb, &["run", "second.zip", "--description", "second"]);
    assert_eq!((second["created"].as_u64(), second["updated"].as_u64()), (Some(2), Some(0)), "{second}");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE kind = 'leads'"), 4);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE last_name = 'Lee' AND legacy_id = '1'"), 1);
    // The ID is kept as data, not as a key.
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE external_key IS NOT NULL"), 0);
}

#[test]
fn two_leads_with_the_same_legacy_id_are_not_blended() {
    let sb = Sandbox::new();
    lead_package(&sb, "one", "1,Ann,Lee,ann@example.com,,,,Northwind,,\n1,Bob,Ray,bob@example.com,,,,,,\n");
    let done = json(&sb, &["run", "one.zip"]);
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(2), Some(0)), "{done}");
    // Bob Ray did not get Ann Lee's company.
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let company: Option<String> = conn
        .query_row(
            "SELECT json_extract(fields, '$.company.value') FROM records WHERE last_name = 'Ray'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(company, None);
}

const CONTACTS_MAPPING: &str = r#"{
  "formatVersion": 1,
  "target": "contacts",
  "files": [
    {
      "name": "contacts.csv",
      "mappings": [
        { "column": "ID", "field": "externalId" },
        { "column": "FIRST", "field": "firstName" },
        { "column": "LAST", "field": "lastName" },
        { "column": "COMPANY", "field": "company" }
      ]
    }
  ]
}
"#;

fn contacts_package(sb: &Sandbox, name: &str, rows: &str) -> std::path::PathBuf {
    sb.write(&format!("{name}/contacts.csv"), format!("ID,FIRST,LAST,COMPANY\n{rows}"));
    sb.write("contacts-mapping.json", CONTACTS_MAPPING);
    pack(sb, &sb.join(name), &sb.join("contacts-mapping.json"), &format!("{name}.zip"))
}

#[test]
fn two_rows_of_one_import_with_the_same_key_are_both_rejected() {
    let sb = Sandbox::new();
    contacts_package(&sb, "dup", "C1,Ann,Lee,Northwind\nC1,Bob,Ray,\nC2,Cy,Doe,Globex\n");
    let out = sb.ferry().args(["import", "dup.zip", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["job"]["counts"]["rows_rejected"], 2, "{summary}");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 1);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE legacy_id = 'C2'"), 1);
    let out = sb.ferry().args(["errors", "1", "--out", "errors.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report = std::fs::read_to_string(sb.join("errors.csv")).unwrap();
    for name in ["Ann", "Bob"] {
        let line = report.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name}: {report}"));
        assert!(line.contains("the key `C1` is on 2 rows (`contacts.csv` line "), "{line}");
        assert!(line.contains("none of them is staged"), "{line}");
    }
}

#[test]
fn no_update_leaves_the_records_a_key_finds_unchanged() {
    let sb = Sandbox::new();
    contacts_package(&sb, "first", "C1,Ann,Lee,Northwind\nC2,Bob,Ray,Acme\n");
    let first = json(&sb, &["run", "first.zip", "--description", "first"]);
    assert_eq!(first["created"], 2, "{first}");
    contacts_package(&sb, "again", "C1,Ann,Lee,Globex\nC2,Bob,Ray,Initech\n");
    let again = json(&sb, &["run", "again.zip", "--no-update", "--description", "again"]);
    assert_eq!(again["updated"], 0, "{again}");
    let company = |key: &str| -> String {
        let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
        conn.query_row(
            "SELECT json_extract(fields, '$.company.value') FROM records WHERE external_key = ?1",
            [key],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!((company("C1"), company("C2")), ("Northwind".to_string(), "Acme".to_string()));
    // Without it, the keys update the records.
    let updated = json(&sb, &["run", "again.zip", "--description", "updating"]);
    assert_eq!(updated["updated"], 2, "{updated}");
    assert_eq!(company("C1"), "Globex");
}

#[test]
fn map_auto_keeps_a_column_named_id_as_data_not_as_the_key() {
    let sb = Sandbox::new();
    sb.write("data/people.csv", "ID,First Name,Last Name\n1,Ann,Lee\n2,Bob,Ray\n");
    let out = sb
        .ferry()
        .args(["--json", "map", "--auto", "--target", "contacts", "--out", "auto.json", "--data", "data"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("auto.json")).unwrap()).unwrap();
    let mappings = t["files"][0]["mappings"].as_array().unwrap();
    assert!(!mappings.iter().any(|m| m["field"] == "externalId"), "{t}");
    let id = mappings.iter().find(|m| m["column"] == "ID").expect("the ID column is kept");
    assert_eq!(
        (id["subcollection"].as_str(), id["field"].as_str()),
        (Some("UserField"), Some("value")),
        "{id}"
    );
}
