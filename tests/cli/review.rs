//! Tests of `ferry review`: export, apply, bulk acceptance.

use crate::import::sql_i64;
use crate::matching::{import_submitted, json, ok};
use crate::util::{Sandbox, stderr};

fn action(sb: &Sandbox, legacy_id: &str) -> String {
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    conn.query_row("SELECT action FROM staged WHERE legacy_id = ?1", [legacy_id], |r| r.get(0)).unwrap()
}

/// Reads the exported CSV (BOM stripped) as rows of cells.
fn read_csv(sb: &Sandbox, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(sb.join(name)).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).expect("a BOM for spreadsheets");
    let mut r = csv::Reader::from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|row| row.unwrap().iter().map(String::from).collect()).collect();
    (headers, rows)
}

fn write_csv(sb: &Sandbox, name: &str, headers: &[String], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(sb.join(name)).unwrap();
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn export_lists_results_and_apply_reads_choices_back() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    ok(&sb, &["review", "job", "--export", "review.csv"]);
    let (headers, mut rows) = read_csv(&sb, "review.csv");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(rows.len(), 30);
    let find = |rows: &[Vec<String>], id: &str| rows.iter().position(|r| r[col("legacy_id")] == id).unwrap();
    let c17 = find(&rows, "C017");
    assert_eq!(rows[c17][col("class")], "Match");
    assert_eq!(rows[c17][col("proposed_action")], "Merge");
    assert_eq!(rows[c17][col("file")], "contacts.csv");
    let c001_staged = rows[find(&rows, "C001")][col("staged_id")].clone();
    assert_eq!(rows[c17][col("match_staged_id")], c001_staged);
    assert!(rows[find(&rows, "C001")][col("other_candidates")].contains("(C017)"));

    // Choose: C002 deleted from staging, C017 created after all.
    let c002 = find(&rows, "C002");
    rows[c002][col("chosen_action")] = "Delete staged".into();
    rows[c17][col("chosen_action")] = "Create".into();
    write_csv(&sb, "edited.csv", &headers, &rows);
    let applied = json(&sb, &["review", "job", "--apply", "edited.csv"]);
    assert_eq!(applied["rows"], 30);
    assert_eq!(applied["changed"], 2);
    assert_eq!(action(&sb, "C002"), "Delete");
    assert_eq!(action(&sb, "C017"), "Create");

    // A merge without a record to merge with: the line is named and nothing changes.
    rows[c002][col("chosen_action")] = "Merge".into();
    rows[c002][col("match_record_id")] = String::new();
    rows[c002][col("match_staged_id")] = String::new();
    rows[c17][col("chosen_action")] = "Merge".into();
    write_csv(&sb, "bad.csv", &headers, &rows);
    let bad = sb.ferry().args(["review", "job", "--apply", "bad.csv"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(err.contains(&format!("line {}", c002 + 2)), "{err}");
    assert!(err.contains("match_record_id"), "{err}");
    assert_eq!(action(&sb, "C017"), "Create", "nothing applied");
    // A record id that does not exist is refused too.
    rows[c002][col("match_record_id")] = "999".into();
    write_csv(&sb, "bad.csv", &headers, &rows);
    let bad = sb.ferry().args(["review", "job", "--apply", "bad.csv"]).output().unwrap();
    assert!(stderr(&bad).contains("no existing contacts record 999"), "{}", stderr(&bad));

    let accepted = json(&sb, &["review", "job", "--accept-all"]);
    assert_eq!(accepted["changed"], 2);
    assert_eq!(action(&sb, "C017"), "Merge");
    assert_eq!(action(&sb, "C002"), "Create");

    let done = json(&sb, &["complete", "job"]);
    assert!(done["merged"].as_u64().unwrap() >= 1);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE legacy_id = 'C017'"), 0);
}

#[test]
fn accept_matches_above_keeps_only_sure_merges() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    let merges = sql_i64(&sb, "SELECT count(*) FROM staged WHERE action = 'Merge'");
    assert!(merges >= 2);
    let top = sql_i64(&sb, "SELECT CAST(max(quality) AS INTEGER) FROM staged WHERE action = 'Merge'");
    let r = json(&sb, &["review", "job", "--accept-matches-above", &(top + 1).to_string()]);
    assert_eq!(r["create"].as_i64().unwrap(), merges);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE action = 'Merge'"), 0);
    let r = json(&sb, &["review", "job", "--accept-matches-above", &top.to_string()]);
    assert!(r["accepted"].as_i64().unwrap() >= 1);
    assert!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE action = 'Merge'") >= 1);
    let listing = json(&sb, &["review", "job"]);
    assert_eq!(listing["rows"].as_array().unwrap().len(), 30);
}

#[test]
fn review_needs_a_matched_job() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    let out = sb.ferry().args(["review", "job", "--export", "r.csv"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ferry match"), "{}", stderr(&out));
    assert!(!sb.join("r.csv").exists());
}

#[test]
fn interactive_walk_reads_one_answer_per_line() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    // The walk starts with the Matches: C001 kept, C008 deleted, then the rest accepted.
    let out =
        sb.ferry().args(["review", "job", "-i"]).write_stdin("keep\ndelete\naccept-rest\n").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let talk = stderr(&out);
    assert!(talk.contains("[1/30] staged"), "{talk}");
    assert!(crate::util::squash(&talk).contains("≠ firstName"), "differing fields are marked: {talk}");
    assert!(crate::util::stdout(&out).contains("1 choices made"));
    assert_eq!(action(&sb, "C001"), "Create");
    assert_eq!(action(&sb, "C008"), "Delete");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE action IS NOT proposed"), 1);

    // The six Matches kept, then the Potential Matches: C005 kept, C027 merged with its
    // candidate, the earlier C005.
    let walk = "keep\n".repeat(7) + "merge1\n";
    let out = sb.ferry().args(["review", "job", "-i"]).write_stdin(walk).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(action(&sb, "C027"), "Merge");
    assert_eq!(
        sql_i64(
            &sb,
            "SELECT s.match_staged_id = o.id FROM staged s, staged o WHERE s.legacy_id = 'C027' AND o.legacy_id = 'C005'"
        ),
        1
    );
    // An unknown answer stops a script, naming it.
    let bad = sb.ferry().args(["review", "job", "-i"]).write_stdin("keep\nshrug\n").output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("shrug"), "{}", stderr(&bad));
}

#[test]
fn same_as_copies_a_choice_to_records_with_the_same_values() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job"]);
    // C027 becomes a copy of C005 (in the flat values compared), and C005 is to be deleted.
    crate::import::sql_exec(
        &sb,
        "UPDATE staged SET (first_name, last_name, birth_date, gender, zip, email, phone) =
             (SELECT first_name, last_name, birth_date, gender, zip, email, phone FROM staged WHERE legacy_id = 'C005')
         WHERE legacy_id = 'C027';
         UPDATE staged SET action = 'Delete' WHERE legacy_id = 'C005';",
    );
    let id = sql_i64(&sb, "SELECT id FROM staged WHERE legacy_id = 'C005'").to_string();
    let r = json(&sb, &["review", "job", "--same-as", &id]);
    assert_eq!(r["changed"], 1);
    assert_eq!(action(&sb, "C027"), "Delete");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE action = 'Delete'"), 2);
    let missing = sb.ferry().args(["review", "job", "--same-as", "999"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("999"));
}
