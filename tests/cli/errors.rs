//! Tests of `ferry errors` (the error report) and `ferry export`.

use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::RecordKind;
use ferry_runner::store::{Store, insert_record};

use crate::import::stage_bad_example;
use crate::util::{Sandbox, stderr, stdout};

fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'), "CRLF line ends");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let rows = rdr.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (headers, rows)
}

#[test]
fn the_error_report_has_the_upload_columns_and_the_reasons() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "bad");
    let out = sb.ferry().args(["errors", "bad", "--out", "errors.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("wrote 11 rejected rows"), "{}", stdout(&out));
    let (headers, rows) = read_csv(&sb.join("errors.csv"));
    assert_eq!(headers[0], "CONTACT_ID");
    assert!(headers.contains(&"POSTAL_CODE".to_string()) && headers.contains(&"WORK_PHONE".to_string()));
    assert_eq!(&headers[headers.len() - 3..], ["file", "line", "error"]);
    assert_eq!(rows.len(), 11);
    let get = |row: &Vec<String>, h: &str| row[headers.iter().position(|x| x == h).unwrap()].clone();
    let c002 = rows.iter().find(|r| get(r, "file") == "contacts.csv" && get(r, "line") == "3").unwrap();
    assert_eq!(get(c002, "CONTACT_ID"), "C002");
    assert!(get(c002, "error").contains("Last Name"), "{c002:?}");
    let c003 =
        rows.iter().find(|r| get(r, "CONTACT_ID") == "C003" && get(r, "file") == "contacts.csv").unwrap();
    assert!(get(c003, "error").contains("column `BIRTH_DATE`"), "{c003:?}");
    let orphan = rows.iter().find(|r| get(r, "file") == "phones.csv" && get(r, "line") == "7").unwrap();
    assert!(get(orphan, "error").contains("absent"), "{orphan:?}");
    let child =
        rows.iter().find(|r| get(r, "file") == "addresses.csv" && get(r, "CONTACT_ID") == "C005").unwrap();
    assert!(get(child, "error").contains("was rejected"), "{child:?}");

    let json = sb.ferry().args(["errors", "1", "--out", "e2.csv", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["rows"], 11);
}

#[test]
fn export_writes_records_with_formulas_neutralised() {
    let sb = Sandbox::new();
    let store = Store::open(&sb.join("ferry.db")).unwrap();
    let mut r = Record::default();
    r.fields.insert("externalId".into(), Value::Text("C1".into()));
    r.fields.insert("lastName".into(), Value::Text("Smith".into()));
    r.fields.insert("company".into(), Value::Text("=HYPERLINK(\"http://x\")".into()));
    r.instance_mut("Telcom", "Business", 1)
        .attributes
        .insert("value".into(), Value::Text("+1 416 555 0100".into()));
    insert_record(store.db(), RecordKind::Contacts, &r, Some("C1"), None).unwrap();
    drop(store);

    let out = sb.ferry().args(["export", "contacts", "--out", "c.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (headers, rows) = read_csv(&sb.join("c.csv"));
    assert_eq!(rows.len(), 1);
    let get = |h: &str| {
        rows[0][headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {headers:?}"))].clone()
    };
    assert_eq!(get("Last Name"), "Smith");
    assert_eq!(get("Company"), "'=HYPERLINK(\"http://x\")");
    // A phone with spaces is no formula: written as typed.
    assert_eq!(get("Phone"), "+1 416 555 0100");

    let all = sb
        .ferry()
        .args(["export", "contacts", "--out", "all.csv", "--columns", "all", "--json"])
        .output()
        .unwrap();
    assert!(all.status.success(), "{}", stderr(&all));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&all)).unwrap();
    assert_eq!(summary["records"], 1);
    let (headers, _) = read_csv(&sb.join("all.csv"));
    assert!(headers.contains(&"Telcom Business Communication Value".to_string()), "{headers:?}");

    let leads = sb.ferry().args(["export", "leads", "--out", "l.csv"]).output().unwrap();
    assert!(leads.status.success());
    assert_eq!(read_csv(&sb.join("l.csv")).1.len(), 0);
}
