//! Tests of `ferry staged`: listing, sorting, columns, edits, deletions, submit.

use serde_json::Value;

use crate::import::{sql_i64, stage_bad_example};
use crate::util::{Sandbox, stderr, stdout};

fn listing(sb: &Sandbox, args: &[&str]) -> Value {
    let out = sb.ferry().args(["staged", "1", "--json"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn column(list: &Value, name: &str) -> Vec<String> {
    let i = list["columns"].as_array().unwrap().iter().position(|c| c == name).unwrap();
    list["rows"].as_array().unwrap().iter().map(|r| r["values"][i].as_str().unwrap().to_string()).collect()
}

#[test]
fn lists_sorts_and_chooses_columns() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "review");
    let list = listing(&sb, &[]);
    assert_eq!(column(&list, "externalId"), ["C001", "C004"]);
    assert_eq!(column(&list, "lastName"), ["Smith", "Lefebvre"]);
    assert_eq!(column(&list, "zip")[0], "M5V 2T6", "the primary address");
    let sorted = listing(&sb, &["--sort", "Last Name"]);
    assert_eq!(column(&sorted, "lastName"), ["Lefebvre", "Smith"]);
    let desc = listing(&sb, &["--sort", "-externalId"]);
    assert_eq!(column(&desc, "externalId"), ["C004", "C001"]);
    // Pages, in the sort order, with the job's total.
    let page = listing(&sb, &["--limit", "1"]);
    assert_eq!((column(&page, "externalId"), page["total"].as_u64()), (vec!["C001".to_string()], Some(2)));
    let page = listing(&sb, &["--limit", "1", "--offset", "1"]);
    assert_eq!(column(&page, "externalId"), ["C004"]);
    let page = listing(&sb, &["--sort", "-externalId", "--limit", "1"]);
    assert_eq!(column(&page, "externalId"), ["C004"]);
    let text = sb.ferry().args(["staged", "1", "--offset", "1"]).output().unwrap();
    assert!(stderr(&text).contains("records 2–2 of 2 staged records in job 1"), "{}", stderr(&text));
    let cols = listing(&sb, &["--columns", "id,First Name,company"]);
    assert_eq!(cols["columns"], serde_json::json!(["id", "firstName", "company"]));
    assert_eq!(column(&cols, "firstName")[1].chars().count(), 50, "truncated at import");

    let text = sb.ferry().args(["staged", "review"]).output().unwrap();
    assert!(stdout(&text).lines().next().unwrap().starts_with("id"), "{}", stdout(&text));
    let bad = sb.ferry().args(["staged", "1", "--sort", "shoe"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown column `shoe`"));
}

#[test]
fn edits_are_validated_against_the_target() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "review");
    let id = sql_i64(&sb, "SELECT id FROM staged WHERE legacy_id = 'C001'").to_string();
    let ok = sb
        .ferry()
        .args(["staged", "1", "--edit", &id, "firstName=Jon", "Birth Date=1985-03-13", "gender=male"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    let list = listing(&sb, &["--columns", "firstName,birthDate,gender"]);
    assert_eq!(list["rows"][0]["values"], serde_json::json!(["Jon", "1985-03-13", "Male"]));
    assert_eq!(
        sql_i64(&sb, "SELECT count(*) FROM staged WHERE first_name = 'Jon' AND birth_date = '1985-03-13'"),
        1
    );

    for (assignment, message) in [
        ("firstName=".to_string() + &"x".repeat(51), "at most 50"),
        ("birthDate=13/03/1985".to_string(), "not a date"),
        ("lastName=".to_string(), "Last Name"),
        ("gender=Maybe".to_string(), "`Maybe` is not a value"),
        ("Address=x".to_string(), "subcollection"),
        ("shoeSize=9".to_string(), "unknown field `shoeSize`"),
    ] {
        let out = sb.ferry().args(["staged", "1", "--edit", &id, &assignment]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{assignment}");
        assert!(stderr(&out).contains(message), "{assignment}: {}", stderr(&out));
    }
    // Nothing of the refused edits reached the store.
    let list = listing(&sb, &["--columns", "firstName,lastName,gender"]);
    assert_eq!(list["rows"][0]["values"], serde_json::json!(["Jon", "Smith", "Male"]));
}

#[test]
fn deletes_some_or_all_and_submits() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "review");
    let first = sql_i64(&sb, "SELECT min(id) FROM staged").to_string();
    let unknown = sb.ferry().args(["staged", "1", "--delete", &first, "999"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`999`"));
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 2, "all or nothing");
    let out = sb.ferry().args(["staged", "1", "--delete", &first]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 1);
    let show = sb.ferry().args(["jobs", "show", "1", "--json"]).output().unwrap();
    let job: Value = serde_json::from_str(&stdout(&show)).unwrap();
    assert_eq!(job["counts"]["records_remaining"], 1);
    assert_eq!(job["counts"]["records_staged"], 2, "the audit keeps what was staged");

    let all = sb.ferry().args(["staged", "1", "--delete-all"]).output().unwrap();
    assert!(all.status.success());
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 0);

    let submit = sb.ferry().args(["staged", "1", "--submit", "--json"]).output().unwrap();
    assert!(submit.status.success(), "{}", stderr(&submit));
    let job: Value = serde_json::from_str(&stdout(&submit)).unwrap();
    assert_eq!(
        (job["stage"].as_str(), job["status"].as_str()),
        (Some("Review Match Results"), Some("Queued"))
    );
    let twice = sb.ferry().args(["staged", "1", "--submit"]).output().unwrap();
    assert_eq!(twice.status.code(), Some(2));
    assert!(stderr(&twice).contains("only a job in Review Staged Data"));
}
