//! Tests of `ferry match`, `ferry complete` and `ferry undo` on the bundled
//! three-table example (which holds deliberate duplicates).

use serde_json::Value;

use crate::import::{pack, sql_i64};
use crate::util::{Sandbox, repo_file, stderr, stdout};

/// Packs the bundled example into the sandbox.
pub fn example_package(sb: &Sandbox) -> std::path::PathBuf {
    pack(
        sb,
        &repo_file("templates/examples/three-tables"),
        &repo_file("templates/mappings/three-tables.json"),
        "example.zip",
    )
}

/// Runs ferry, asserts success, returns stdout.
pub fn ok(sb: &Sandbox, args: &[&str]) -> String {
    let out = sb.ferry().args(args).output().unwrap();
    assert!(out.status.success(), "ferry {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Runs ferry with `--json`, asserts success, parses stdout.
pub fn json(sb: &Sandbox, args: &[&str]) -> Value {
    let text = ok(sb, &[args, &["--json"]].concat());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Imports the example as `description` and submits it.
pub fn import_submitted(sb: &Sandbox, description: &str) {
    example_package(sb);
    ok(sb, &["import", "example.zip", "--description", description]);
    ok(sb, &["staged", description, "--submit"]);
}

fn staged_action(sb: &Sandbox, legacy_id: &str, job: i64) -> String {
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    conn.query_row(
        "SELECT action FROM staged WHERE legacy_id = ?1 AND job_id = ?2",
        rusqlite::params![legacy_id, job],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn match_within_finds_the_deliberate_duplicates() {
    let sb = Sandbox::new();
    import_submitted(&sb, "first");
    let m = json(&sb, &["match", "first", "--within"]);
    assert_eq!(m["records"], 30);
    assert_eq!(m["existing"], 0);
    let total = m["matches"].as_u64().unwrap()
        + m["potential_matches"].as_u64().unwrap()
        + m["non_matches"].as_u64().unwrap();
    assert_eq!(total, 30);
    assert!(m["matches"].as_u64().unwrap() >= 2, "{m}");
    assert_eq!(m["job"]["stage"], "Review Match Results");
    assert_eq!(m["job"]["status"], "Waiting on User");
    // Jonathon Smith (C017) merges into the earlier Jonathan Smith (C001), not the reverse.
    assert_eq!(staged_action(&sb, "C017", 1), "Merge");
    assert_eq!(staged_action(&sb, "C001", 1), "Create");
    assert_eq!(
        sql_i64(
            &sb,
            "SELECT s.match_staged_id = o.id FROM staged s, staged o
             WHERE s.legacy_id = 'C017' AND o.legacy_id = 'C001'"
        ),
        1
    );
    // Candidates are stored best first.
    assert!(sql_i64(&sb, "SELECT count(*) FROM match_candidates") >= 4);
    // Without --within nothing matches an empty store.
    let again = json(&sb, &["match", "1"]);
    assert_eq!(again["non_matches"], 30);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM match_candidates"), 0);
    assert_eq!(staged_action(&sb, "C017", 1), "Create");
}

#[test]
fn match_refuses_an_unsubmitted_job_and_names_the_fix() {
    let sb = Sandbox::new();
    example_package(&sb);
    ok(&sb, &["import", "example.zip", "--description", "raw"]);
    let out = sb.ferry().args(["match", "raw"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--submit"), "{}", stderr(&out));
    let missing = sb.ferry().args(["match", "nope"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("`nope`"));
    let early = sb.ferry().args(["complete", "raw"]).output().unwrap();
    assert_eq!(early.status.code(), Some(2));
    assert!(stderr(&early).contains("ferry match"), "{}", stderr(&early));
}

#[test]
fn complete_then_a_second_import_updates_and_undo_restores() {
    let sb = Sandbox::new();
    import_submitted(&sb, "first");
    ok(&sb, &["match", "first", "--within"]);
    let done = json(&sb, &["complete", "first"]);
    let (created, merged) = (done["created"].as_u64().unwrap(), done["merged"].as_u64().unwrap());
    assert_eq!(created + merged, 30, "{done}");
    assert!(merged >= 2, "{done}");
    assert_eq!(done["job"]["stage"], "Completed");
    assert!(done["job"]["ended_at"].is_string());
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), created as i64);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE processed = 0"), 0);
    // The merged duplicate lent its address to the record it merged into.
    ok(&sb, &["export", "contacts", "--out", "contacts.csv"]);
    let csv = std::fs::read_to_string(sb.join("contacts.csv")).unwrap();
    assert_eq!(csv.lines().count() as u64, created + 1, "{csv}");
    assert!(!csv.contains("Jonathon"), "the duplicate was merged, not created");

    // The same package again: every record's key exists, so nothing is created.
    example_package(&sb);
    ok(&sb, &["import", "example.zip", "--description", "second"]);
    ok(&sb, &["staged", "second", "--submit"]);
    let m = json(&sb, &["match", "second"]);
    assert_eq!(m["existing"].as_u64().unwrap(), created);
    assert_eq!(m["proposed"]["Create"].as_u64().unwrap_or(0), 0, "{m}");
    let second = json(&sb, &["complete", "second"]);
    assert_eq!(second["created"], 0);
    assert_eq!(second["updated"].as_u64().unwrap() + second["merged"].as_u64().unwrap(), 30);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), created as i64);

    // Undoing the first import is refused: the second wrote its records since.
    let refused = sb.ferry().args(["undo", "first"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("changed since"), "{}", stderr(&refused));
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), created as i64);

    // Change a record by hand, then undo the second: the changed one is named.
    crate::import::sql_exec(
        &sb,
        "UPDATE records SET fields = json_set(fields, '$.jobTitle', json('{\"type\":\"text\",\"value\":\"Boss\"}')) WHERE legacy_id = 'C002'",
    );
    let named = sb.ferry().args(["undo", "second"]).output().unwrap();
    assert_eq!(named.status.code(), Some(2));
    assert!(stderr(&named).contains("`C002`"), "{}", stderr(&named));

    // In a fresh store, undoing in reverse order restores each state exactly.
    let sb2 = Sandbox::new();
    import_submitted(&sb2, "first");
    ok(&sb2, &["match", "first", "--within"]);
    ok(&sb2, &["complete", "first"]);
    ok(&sb2, &["export", "contacts", "--out", "contacts.csv"]);
    let first_export = std::fs::read(sb2.join("contacts.csv")).unwrap();
    example_package(&sb2);
    ok(&sb2, &["import", "example.zip", "--description", "second"]);
    ok(&sb2, &["staged", "second", "--submit"]);
    ok(&sb2, &["match", "second"]);
    ok(&sb2, &["complete", "second"]);
    let undone = json(&sb2, &["undo", "second"]);
    assert_eq!(undone["removed"], 0);
    assert!(undone["restored"].as_u64().unwrap() > 0);
    assert_eq!(undone["job"]["stage"], "Review Match Results");
    ok(&sb2, &["export", "contacts", "--out", "contacts.csv", "--force"]);
    assert_eq!(std::fs::read(sb2.join("contacts.csv")).unwrap(), first_export, "restored exactly");
    let undone_first = json(&sb2, &["undo", "first"]);
    assert_eq!(undone_first["removed"].as_u64().unwrap(), created);
    assert_eq!(sql_i64(&sb2, "SELECT count(*) FROM records"), 0);
    // An undone job can be completed again.
    let again = json(&sb2, &["complete", "first"]);
    assert_eq!(again["created"].as_u64().unwrap(), created);
}

#[test]
fn deleting_a_job_in_review_match_results_keeps_processed_records() {
    let sb = Sandbox::new();
    import_submitted(&sb, "first");
    ok(&sb, &["match", "first"]);
    ok(&sb, &["complete", "first"]);
    let records = sql_i64(&sb, "SELECT count(*) FROM records");
    assert_eq!(records, 30);
    example_package(&sb);
    ok(&sb, &["import", "example.zip", "--description", "second"]);
    ok(&sb, &["staged", "second", "--submit"]);
    ok(&sb, &["match", "second"]);
    ok(&sb, &["jobs", "delete", "second"]);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), records);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged"), 30, "only the first job's rows remain");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM match_candidates"), 0);
    // Deleting the completed job keeps its records too.
    ok(&sb, &["jobs", "delete", "first"]);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), records);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE job_id IS NOT NULL"), 0);
}

/// The store's state as far as completing touches it: (records, processed staged rows, job stage).
fn completion_state(sb: &Sandbox) -> (i64, i64, String) {
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    let stage: String = conn.query_row("SELECT stage FROM jobs WHERE id = 1", [], |r| r.get(0)).unwrap();
    (n("SELECT count(*) FROM records"), n("SELECT count(*) FROM staged WHERE processed = 1"), stage)
}

#[test]
fn complete_killed_at_random_moments_leaves_the_store_untouched_or_completed() {
    use std::os::unix::process::ExitStatusExt;

    const ROWS: usize = 1_500;
    let sb = Sandbox::new();
    crate::import::write_big_contacts(&sb.join("big"), ROWS);
    pack(&sb, &sb.join("big"), &repo_file("test-data/runner/simple-contacts.json"), "big.zip");
    ok(&sb, &["import", "big.zip", "--description", "big"]);
    ok(&sb, &["staged", "big", "--submit"]);
    ok(&sb, &["match", "big"]);
    let untouched = completion_state(&sb);
    assert_eq!(untouched, (0, 0, "Review Match Results".to_string()));

    // How long a whole completion takes here, to spread the kills over it.
    let started = std::time::Instant::now();
    ok(&sb, &["complete", "big"]);
    let took = started.elapsed().as_micros() as u64;
    let completed = completion_state(&sb);
    assert_eq!(completed, (ROWS as i64, ROWS as i64, "Completed".to_string()));
    ok(&sb, &["undo", "big"]);
    assert_eq!(completion_state(&sb), untouched);

    let mut seed =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let (mut killed, mut finished) = (0, 0);
    for trial in 0..20u64 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = (seed >> 33) % (took + took / 4 + 1);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
            .current_dir(sb.path())
            .env("FERRY_DB", sb.join("ferry.db"))
            .args(["complete", "big", "--quiet"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let state = completion_state(&sb);
        if status.signal() == Some(9) {
            killed += 1;
        } else {
            finished += 1;
        }
        assert!(
            state == untouched || state == completed,
            "trial {trial} (killed after {delay} µs): the store is half-completed: {state:?}"
        );
        if state == completed {
            ok(&sb, &["undo", "big"]);
        }
        assert_eq!(completion_state(&sb), untouched);
    }
    assert!(killed >= 6, "most trials killed `complete` midway ({killed} killed, {finished} finished)");
    // After all that, complete runs to the same end state.
    let done = json(&sb, &["complete", "big"]);
    assert_eq!(done["created"], ROWS as u64);
    assert_eq!(completion_state(&sb), completed);
}

#[test]
fn match_with_a_profile_file_scores_with_its_fields_and_thresholds() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    // Only the last name counts: every record sharing its last name with
    // another staged record is a Match at 60, whatever else differs.
    sb.write(
        "surname.json",
        r#"{
  "formatVersion": 1,
  "kind": "contacts",
  "fields": [
    { "name": "lastName", "label": "Last Name", "weight": 60,
      "source": { "field": "lastName" }, "normalize": "name" }
  ],
  "thresholds": { "match": 60, "potential": 30 }
}"#,
    );
    let m = json(&sb, &["match", "job", "--within", "--profile", "surname.json"]);
    let sharing = sql_i64(
        &sb,
        "SELECT count(*) FROM staged s WHERE EXISTS (SELECT 1 FROM staged o
           WHERE o.id <> s.id AND lower(o.last_name) = lower(s.last_name))",
    );
    assert!(sharing >= 2);
    // (At least: names also agree across case, accents and spacing.)
    assert!(m["matches"].as_i64().unwrap() >= sharing, "{m}");
    assert_eq!(m["potential_matches"], 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE class = 'Match' AND quality <> 60"), 0);
    // The job keeps the profile it was matched with.
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let stored: String =
        conn.query_row("SELECT matching_profile FROM jobs WHERE id = 1", [], |r| r.get(0)).unwrap();
    assert!(stored.contains("\"weight\": 60") && !stored.contains("birthDate"), "{stored}");
    // The bundled profile again: its weights, not the file's.
    let seed = json(&sb, &["match", "job", "--within"]);
    assert_ne!(seed["matches"], m["matches"], "{seed}");
}

#[test]
fn match_refuses_a_bad_profile_file_naming_where_and_what() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    let leads = repo_file("templates/matching/leads.json");
    let out = sb.ferry().args(["match", "job", "--profile"]).arg(&leads).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("for leads"), "{}", stderr(&out));
    let text = std::fs::read_to_string(repo_file("templates/matching/contacts.json")).unwrap();
    sb.write(
        "typo.json",
        text.replace(
            "\"weight\": 30,\n      \"tolerantWeight\"",
            "\"wieght\": 30,\n      \"tolerantWeight\"",
        ),
    );
    let out = sb.ferry().args(["match", "job", "--profile", "typo.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("typo.json") && err.contains("/fields/2") && err.contains("wieght"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE class IS NOT NULL"), 0, "nothing matched");
}
