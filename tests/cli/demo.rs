//! Tests of `ferry demo`: the README's main command runs the whole pipeline,
//! one block a step, and says why the duplicates within the file were found.

use crate::util::{Sandbox, squash, stderr};

/// The demo's blocks, in order: the step each names and the command it runs.
const BLOCKS: &[(&str, &str)] = &[
    ("== 1. map:", "$ ferry map"),
    ("== 2. pack:", "$ ferry pack"),
    ("== 3. import:", "$ ferry import"),
    ("== 4. match:", "$ ferry match"),
    ("== 5. complete:", "$ ferry complete"),
];

#[test]
fn demo_runs_the_whole_pipeline_one_block_a_step_and_leaves_the_records_in_the_store() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["demo", "--dir", "scratch"]).output().unwrap();
    let talk = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{talk}");
    let mut from = 0;
    for (title, command) in BLOCKS {
        let at =
            talk[from..].find(title).unwrap_or_else(|| panic!("no block `{title}` after the last:\n{talk}"));
        let block = &talk[from + at..];
        let end = block[1..].find("\n== ").map_or(block.len(), |e| e + 1);
        assert!(block[..end].contains(command), "block `{title}` does not run `{command}`:\n{talk}");
        from += at + 1;
    }
    assert_eq!(talk.matches("\n== ").count(), BLOCKS.len(), "one block a step:\n{talk}");
    assert!(talk.lines().count() < 80, "the demo is short:\n{talk}");
    // Each step ends with its summary.
    let said = squash(&talk);
    assert!(said.contains("packed `data` into 1 package"), "{said}");
    assert!(said.contains("rows packed 93"), "{said}");
    assert!(said.contains("records staged 30 from 93 rows read"), "{said}");
    assert!(said.contains("Match 6"), "{said}");
    assert!(said.contains("job 1 completed: its records are in the store"), "{said}");
    assert!(said.contains("created 27") && said.contains("merged 3"), "{said}");
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
    assert!(sb.join("scratch/mapping.json").exists());
    assert!(sb.join("scratch/contacts-export.csv").exists());
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
fn demo_json_prints_one_document_with_every_step_and_the_pairs_found() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["demo", "--json", "--dir", "scratch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), BLOCKS.len(), "{v}");
    let matched =
        steps.iter().flat_map(|s| s["commands"].as_array().unwrap()).find(|c| c["args"][0] == "match");
    let matched = matched.expect("the match step ran");
    assert_eq!(matched["output"]["matches"], 6, "{matched}");
    let pairs = v["pairs"].as_array().unwrap();
    let jonathon = pairs.iter().find(|p| p["record"] == "C017 Jonathon Smith").expect("C017 paired");
    assert_eq!(jonathon["pair"], "C001 Jonathan Smith", "{jonathon}");
    assert_eq!(jonathon["class"], "Match", "{jonathon}");
    assert_eq!(jonathon["proposed"], "Merge", "{jonathon}");
    let agreed: Vec<&str> =
        jonathon["agreed"].as_array().unwrap().iter().filter_map(|a| a.as_str()).collect();
    assert!(agreed.contains(&"First Name (typo) +20") && agreed.contains(&"Last Name +30"), "{jonathon}");
    let priya = pairs.iter().find(|p| p["record"] == "C027 Priya Patel").expect("C027 paired");
    assert_eq!(
        (priya["class"].as_str(), priya["proposed"].as_str()),
        (Some("Potential Match"), Some("Create"))
    );
    assert_eq!(priya["differed"], serde_json::json!(["Birth Date"]), "{priya}");
    let score = priya["score"].as_u64().unwrap();
    assert!((50..75).contains(&score), "a Potential Match scores between the thresholds: {priya}");
}

#[test]
fn demo_says_why_the_duplicates_within_the_file_were_found() {
    let out = Sandbox::new().ferry().args(["demo"]).output().unwrap();
    let talk = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{talk}");
    let said = squash(&talk);
    assert!(said.contains("`--within` compares the records with each other"), "{said}");
    assert!(said.contains("a Match from 75, a Potential Match from 50"), "{said}");
    assert!(said.contains("C017 Jonathon Smith ~ C001 Jonathan Smith 100 Match merge"), "{said}");
    assert!(said.contains("C029 Bob Chen ~ C012 Robert Chen 80 Match merge"), "{said}");
    assert!(
        said.contains("C027 Priya Patel ~ C005 Priya Patel 70 Potential Match create: kept apart"),
        "{said}"
    );
    assert!(
        said.contains("C017 Jonathon Smith: agree on First Name (typo) +20, Last Name +30, Birth Date +30"),
        "{said}"
    );
    assert!(
        said.contains("C029 Bob Chen: agree on Last Name +30") && said.contains("differ: First Name"),
        "{said}"
    );
}
