//! Tests of `ferry jobs`: listing with filters, `show` with the audit, `delete` per stage.

use serde_json::Value;

use crate::import::{sql_exec, sql_i64, stage_bad_example};
use crate::util::{Sandbox, stderr, stdout};

fn jobs_json(sb: &Sandbox, args: &[&str]) -> Vec<Value> {
    let out = sb.ferry().arg("jobs").args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<Value>(&stdout(&out)).unwrap().as_array().unwrap().clone()
}

#[test]
fn show_prints_stage_status_and_the_audit() {
    let sb = Sandbox::new();
    let id = stage_bad_example(&sb, "bad example");
    let out = sb.ferry().args(["jobs", "show", "bad example"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = crate::util::squash(&stdout(&out));
    assert!(text.contains(&format!("job {id}: bad example")), "{text}");
    assert!(text.contains("stage Review Staged Data"), "{text}");
    assert!(text.contains("status Waiting on User"), "{text}");
    assert!(text.contains("rows 18 read = 7 staged + 11 rejected"), "{text}");
    assert!(text.contains("records 2 staged"), "{text}");
    assert!(text.contains("warnings 1"), "{text}");

    let json = sb.ferry().args(["jobs", "show", &id.to_string(), "--json"]).output().unwrap();
    let job: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let c = &job["counts"];
    assert_eq!(c["rows_read"], 18);
    assert_eq!(
        c["rows_read"].as_u64().unwrap(),
        c["rows_staged"].as_u64().unwrap() + c["rows_rejected"].as_u64().unwrap()
    );
    assert_eq!(job["stage"], "Review Staged Data");
    assert_eq!(job["type"], "contacts");
}

#[test]
fn filters_select_jobs() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "monday contacts");
    stage_bad_example(&sb, "tuesday contacts");
    sql_exec(&sb, "UPDATE jobs SET stage = 'Import into Staging', status = 'Failed' WHERE id = 2");
    assert_eq!(jobs_json(&sb, &[]).len(), 2);
    assert_eq!(jobs_json(&sb, &["--type", "contacts"]).len(), 2);
    assert_eq!(jobs_json(&sb, &["--type", "leads"]).len(), 0);
    let failed = jobs_json(&sb, &["--status", "failed"]);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["description"], "tuesday contacts");
    assert_eq!(jobs_json(&sb, &["--stage", "review-staged-data"]).len(), 1);
    assert_eq!(jobs_json(&sb, &["--search", "MONDAY"]).len(), 1);
    assert_eq!(jobs_json(&sb, &["--since", "2000-01-01"]).len(), 2);
    assert_eq!(jobs_json(&sb, &["--until", "2000-01-01"]).len(), 0);
    let bad = sb.ferry().args(["jobs", "--since", "last week"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("`last week`"));
    let table = sb.ferry().arg("jobs").output().unwrap();
    assert!(stdout(&table).contains("monday contacts"));
}

#[test]
fn delete_in_review_staged_data_removes_all_its_data() {
    let sb = Sandbox::new();
    let id = stage_bad_example(&sb, "to delete");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 2);
    let out = sb.ferry().args(["jobs", "delete", &id.to_string()]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 staged records and 11 rejected rows removed"), "{}", stdout(&out));
    for table in ["jobs", "staged", "rejected", "problems", "job_files", "job_packages"] {
        assert_eq!(sql_i64(&sb, &format!("SELECT count(*) FROM {table}")), 0, "{table}");
    }
    let again = sb.ferry().args(["jobs", "delete", &id.to_string()]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("no import job"));
}

#[test]
fn delete_in_import_into_staging_removes_the_failed_job() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "failed one");
    sql_exec(&sb, "UPDATE jobs SET stage = 'Import into Staging', status = 'Failed'");
    let out = sb.ferry().args(["jobs", "delete", "failed one"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM jobs"), 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM rejected"), 0);
}

#[test]
fn delete_in_review_match_results_keeps_processed_records() {
    let sb = Sandbox::new();
    let id = stage_bad_example(&sb, "matched");
    let submit = sb.ferry().args(["staged", "matched", "--submit"]).output().unwrap();
    assert!(submit.status.success(), "{}", stderr(&submit));
    // What `complete` does for a processed record: the record is in the store, the staged one marked.
    sql_exec(
        &sb,
        &format!(
            "UPDATE jobs SET status = 'Waiting on User' WHERE id = {id};
             UPDATE staged SET processed = 1 WHERE id = (SELECT min(id) FROM staged);
             INSERT INTO records (kind, fields, last_name, job_id, created_at, updated_at)
             VALUES ('contacts', '{{}}', 'Smith', {id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
        ),
    );
    let out = sb.ferry().args(["jobs", "delete", "matched", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let deleted: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(deleted["staged_removed"], 1, "only the unprocessed record counts as removed");
    assert_eq!(deleted["records_kept"], 1);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM jobs"), 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE job_id IS NULL AND last_name = 'Smith'"), 1);
}

#[test]
fn delete_in_completed_keeps_records_and_running_jobs_are_refused() {
    let sb = Sandbox::new();
    let id = stage_bad_example(&sb, "done");
    sql_exec(
        &sb,
        &format!(
            "UPDATE jobs SET stage = 'Completed', status = 'Completed' WHERE id = {id};
             INSERT INTO records (kind, fields, job_id, created_at, updated_at)
             VALUES ('contacts', '{{}}', {id}, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');"
        ),
    );
    let running = stage_bad_example(&sb, "busy");
    sql_exec(
        &sb,
        &format!("UPDATE jobs SET stage = 'Review Match Results', status = 'Running' WHERE id = {running}"),
    );
    let refused = sb.ferry().args(["jobs", "delete", "busy"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("Review Match Results / Running"), "{}", stderr(&refused));
    assert_eq!(sql_i64(&sb, &format!("SELECT count(*) FROM staged WHERE job_id = {running}")), 2);

    let out = sb.ferry().args(["jobs", "delete", "done"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), 1);
    assert_eq!(sql_i64(&sb, &format!("SELECT count(*) FROM jobs WHERE id = {id}")), 0);
}
