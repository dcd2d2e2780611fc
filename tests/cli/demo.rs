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

#[test]
fn demo_json_prints_one_document_with_every_step() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["demo", "--json", "--dir", "scratch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 8, "{v}");
    let matched =
        steps.iter().flat_map(|s| s["commands"].as_array().unwrap()).find(|c| c["args"][0] == "match");
    let matched = matched.expect("the match step ran");
    assert_eq!(matched["output"]["matches"], 6, "{matched}");
}

#[test]
fn demo_says_why_the_duplicates_within_the_file_were_found() {
    let out = Sandbox::new().ferry().args(["demo"]).output().unwrap();
    let talk = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{talk}");
    assert!(talk.contains("compares the records with each other"), "{talk}");
    assert!(talk.contains("Jonathon Smith"), "{talk}");
}
