//! The `--json` promise across verbs: a closed stdout is quiet and exits 0,
//! and an error is one JSON object on stdout.

use std::process::Stdio;

use serde_json::Value;

use crate::import::{pack_example, stage_bad_example, tamper};
use crate::util::{Sandbox, repo_file, stdout};

/// Runs `ferry ARGS` with a stdout whose reading end is already closed.
fn with_closed_stdout(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.current_dir(sb.path())
        .env("NO_COLOR", "1")
        .env("FERRY_DB", sb.join("ferry.db"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped());
    cmd.output().unwrap()
}

#[test]
fn a_closed_stdout_is_quiet_and_exits_0() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "piped");
    sb.write("data/people.csv", "id,name\n1,Ann\n2,Bob\n");
    let examples = repo_file("templates/examples/three-tables").display().to_string();
    for args in [
        vec!["jobs", "--json"],
        vec!["jobs"],
        vec!["jobs", "show", "piped", "--json"],
        vec!["profile", "--json", "data/people.csv"],
        vec!["profile", &examples],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["targets", "--json"],
    ] {
        let out = with_closed_stdout(&sb, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "ferry {args:?}: {err}");
        assert!(!err.contains("Broken pipe") && !err.contains("panicked"), "ferry {args:?}: {err}");
    }
}

#[test]
fn an_error_under_json_is_one_object_on_stdout() {
    let sb = Sandbox::new();
    sb.write("bad.json", "{\n  \"target\": \"contacts\",\n  oops\n}\n");
    sb.write("data/a.csv", "id\n1\n");
    let out =
        sb.ferry().args(["check", "--json", "--data", "data", "--mapping", "bad.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object on stdout");
    assert_eq!(v["kind"], "json", "{v}");
    assert!(v["file"].as_str().unwrap().ends_with("bad.json"), "{v}");
    assert_eq!(v["line"], 3, "{v}");
    assert!(v["column"].is_string(), "{v}");
    assert!(v["message"].as_str().unwrap().contains("not valid JSON"), "{v}");
    assert!(v["hint"].as_str().unwrap().contains("ferry map"), "{v}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error:"), "people still read stderr");
}

#[test]
fn a_usage_error_under_json_is_one_object_on_stdout() {
    let out = Sandbox::new().ferry().args(["jobs", "--json", "--colour"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object on stdout");
    assert_eq!(v["kind"], "usage", "{v}");
    assert!(v["message"].as_str().unwrap().contains("--colour"), "{v}");
    for key in ["file", "line", "column", "hint"] {
        assert!(v.get(key).is_some(), "{key} is always there: {v}");
    }
}

#[test]
fn a_failed_import_tells_the_packages_own_kind_and_file() {
    let sb = Sandbox::new();
    let pkg = pack_example(&sb);
    let extra = sb.join("extra.zip");
    tamper(&pkg, &extra, "phones.csv", |t| format!("{t}C001,Mobile,+1 416 555 0199\r\n"));
    let out = sb.ferry().args(["import", "--json", "--description", "extra"]).arg(&extra).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object on stdout");
    // The packager's kind, as `inspect` reports it, not a generic import failure.
    assert_eq!(v["kind"], "bad-csv", "{v}");
    assert_eq!(v["file"].as_str(), Some(extra.to_str().unwrap()), "{v}");
    let message = v["message"].as_str().unwrap();
    assert!(message.starts_with("import job 1 failed: package `"), "{v}");
    assert!(message.contains("`phones.csv` holds 31 rows but `fileMappings.xml` declares 30"), "{v}");
    // Said once: no package named twice, no line 0 of a wrapper.
    assert_eq!(message.matches("extra.zip").count(), 1, "{v}");
    assert!(v["hint"].as_str().unwrap().contains("ferry jobs show 1"), "{v}");

    // A package of the wrong kind for the job is a kind of its own, naming the package.
    let out = sb
        .ferry()
        .args(["import", "--json", "--type", "leads", "--description", "wrong"])
        .arg(&pkg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object on stdout");
    assert_eq!(v["kind"], "kind-mismatch", "{v}");
    assert_eq!(v["file"].as_str(), Some(pkg.to_str().unwrap()), "{v}");
    assert!(v["message"].as_str().unwrap().contains("holds contacts but the job imports leads"), "{v}");
}

/// Runs `ferry ARGS` expecting exit 2 and one error object on stdout.
fn error_object(sb: &Sandbox, args: &[&str]) -> Value {
    let out = sb.ferry().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "ferry {args:?}: {}", crate::util::stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("one JSON object on stdout")
}

#[test]
fn a_runner_error_under_json_names_its_kind_and_where() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "kinds");
    let id = crate::import::sql_i64(&sb, "SELECT id FROM staged WHERE legacy_id = 'C001'").to_string();
    // A field the target does not have: its name is the column.
    let v = error_object(&sb, &["staged", "kinds", "--json", "--edit", &id, "shoeSize=9"]);
    assert_eq!((v["kind"].as_str(), v["column"].as_str()), (Some("unknown-field"), Some("shoeSize")), "{v}");
    assert!(v["message"].as_str().unwrap().contains("(fields: "), "{v}");
    // A value the field cannot hold: the field is the column, and the message names it first.
    let v = error_object(&sb, &["staged", "kinds", "--json", "--edit", &id, "gender=Maybe"]);
    assert_eq!((v["kind"].as_str(), v["column"].as_str()), (Some("bad-value"), Some("gender")), "{v}");
    assert!(v["message"].as_str().unwrap().starts_with("field `gender`: `Maybe` is not a value ("), "{v}");
    // A staged record the job does not have.
    let v = error_object(&sb, &["staged", "kinds", "--json", "--delete", "999999"]);
    assert_eq!(v["kind"], "unknown-record", "{v}");
    assert!(
        v["message"].as_str().unwrap().contains("has no staged record `999999`; nothing was deleted"),
        "{v}"
    );
    assert!(v["hint"].as_str().unwrap().contains("`ferry staged 1 --columns id,line`"), "{v}");

    // A review answer file: its own kind, the file and the line of the bad row.
    for args in
        [&["staged", "kinds", "--submit"][..], &["match", "kinds"], &["review", "kinds", "--export", "r.csv"]]
    {
        let out = sb.ferry().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", crate::util::stderr(&out));
    }
    let review = std::fs::read_to_string(sb.join("r.csv")).unwrap();
    // The first row's chosen action (it follows the proposed one).
    sb.write("bad.csv", review.replacen("\"Create\",\"Create\"", "\"Create\",\"Shred\"", 1));
    let v = error_object(&sb, &["review", "kinds", "--json", "--apply", "bad.csv"]);
    assert_eq!(v["kind"], "bad-answer", "{v}");
    assert!(v["file"].as_str().unwrap().ends_with("bad.csv"), "{v}");
    assert_eq!(v["line"], 2, "{v}");
    assert!(v["message"].as_str().unwrap().contains("unknown action `Shred`"), "{v}");
}

#[test]
fn a_bad_matching_profile_under_json_names_the_file_and_the_json_path() {
    let sb = Sandbox::new();
    stage_bad_example(&sb, "profiled");
    let mut profile: Value = serde_json::from_str(
        &std::fs::read_to_string(repo_file("templates/matching/contacts.json")).unwrap(),
    )
    .unwrap();
    profile["thresholds"]["match"] = Value::from(profile["thresholds"]["potential"].as_u64().unwrap() - 1);
    sb.write("p.json", serde_json::to_string_pretty(&profile).unwrap());
    let v = error_object(&sb, &["match", "profiled", "--json", "--profile", "p.json"]);
    assert_eq!(v["kind"], "bad-profile", "{v}");
    assert!(v["file"].as_str().unwrap().ends_with("p.json"), "{v}");
    assert_eq!(v["column"], "/thresholds/match", "{v}");
    assert!(v["message"].as_str().unwrap().contains("is below `thresholds.potential`"), "{v}");
}
