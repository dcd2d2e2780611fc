//! Tests of `ferry demo`: the README's main command runs the whole pipeline.

use crate::util::{Sandbox, stderr};

#[test]
fn demo_runs_the_whole_pipeline_and_leaves_the_records_in_the_store() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["demo", "--dir", "scratch"]).output().unwrap();
    let talk = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{talk}");
    for step in [
        "$ ferry map",
        "$ ferry check",
        "$ ferry pack",
        "$ ferry import",
        "$ ferry match",
        "$ ferry complete",
        "$ ferry run",
    ] {
        assert!(talk.contains(step), "the demo did not run `{step}`:\n{talk}");
    }
    // The demo's own store, not the sandbox's, holds the records: export them again.
    let export = sb
        .ferry()
        .env("FERRY_DB", sb.join("scratch/ferry.db"))
        .args(["export", "contacts", "--out", "again.csv"])
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let mut rdr = csv::Reader::from_path(sb.join("again.csv")).unwrap();
    let rows = rdr.records().count();
    // 30 legacy contacts, of which the bundled example makes a few duplicates that merge.
    assert!(rows > 20 && rows < 30, "expected the duplicates merged, got {rows} contacts");
    assert!(sb.join("scratch/contacts.zip").exists());
    assert!(sb.join("scratch/review.csv").exists());
}

#[test]
fn demo_refuses_a_directory_that_already_holds_a_store() {
    let sb = Sandbox::new();
    sb.write("scratch/ferry.db", b"");
    let out = sb.ferry().args(["demo", "--dir", "scratch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already holds a store"), "{}", stderr(&out));
}
