//! Tests of `ferry diff`.

use crate::util::{Sandbox, repo_file, stderr, stdout};

fn diff(a: &str, b: &str, extra: &[&str]) -> std::process::Output {
    Sandbox::new()
        .ferry()
        .arg("diff")
        .args(extra)
        .arg(repo_file(&format!("test-data/diff/{a}")))
        .arg(repo_file(&format!("test-data/diff/{b}")))
        .output()
        .unwrap()
}

#[test]
fn changed_templates_show_each_change_and_exit_1() {
    let output = diff("old.json", "new.json", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = std::fs::read_to_string(repo_file("test-data/diff/expected.txt")).unwrap();
    assert_eq!(stdout(&output), expected);
}

#[test]
fn order_case_and_defaults_are_not_changes() {
    let output = diff("old.json", "old-reordered.json", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("the same"));
}

#[test]
fn json_diff_is_structured() {
    let output = diff("old.json", "new.json", &["--json", "--unified"]);
    assert_eq!(output.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(v["identical"], false);
    let file = &v["diff"]["files"][0];
    assert_eq!(file["name"], "TBL_CONTACT.csv");
    let hobby = file["mappings"].as_array().unwrap().iter().find(|m| m["column"] == "HOBBY").unwrap();
    assert_eq!(hobby["status"], "added");
    assert_eq!(hobby["target"], "UserField[Hobby].value");
    assert!(v["unified"].as_str().unwrap().contains("+          \"column\": \"HOBBY\","), "{}", v["unified"]);
}

#[test]
fn a_misspelt_key_fails_with_its_json_path() {
    let sb = Sandbox::new();
    let good = std::fs::read_to_string(repo_file("test-data/diff/old.json")).unwrap();
    sb.write("bad.json", good.replacen("\"parentColumn\"", "\"parentColum\"", 1));
    let output =
        sb.ferry().arg("diff").arg(repo_file("test-data/diff/old.json")).arg("bad.json").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("`bad.json` does not match its schema"), "{err}");
    assert!(err.contains("/files/1/parent"), "{err}");
    assert!(err.contains("parentColum"), "{err}");
}
