//! The `--json` promise across verbs: a closed stdout is quiet and exits 0,
//! and an error is one JSON object on stdout.

use std::process::Stdio;

use serde_json::Value;

use crate::import::stage_bad_example;
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
