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

#[test]
fn matching_profiles_show_thresholds_weights_and_levels() {
    let sb = Sandbox::new();
    let seed = std::fs::read_to_string(repo_file("templates/matching/contacts.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&seed).unwrap();
    v["$schema"] = serde_json::Value::Null;
    v.as_object_mut().unwrap().remove("$schema");
    v["thresholds"]["match"] = 80.into();
    v["fields"][1]["weight"] = 35.into();
    v["fields"].as_array_mut().unwrap().retain(|f| f["name"] != "gender");
    sb.write("edited.json", serde_json::to_string_pretty(&v).unwrap());
    let out = sb
        .ferry()
        .arg("diff")
        .arg(repo_file("templates/matching/contacts.json"))
        .arg("edited.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("~ Match threshold: `75` → `80`"), "{text}");
    assert!(text.contains("~ field `lastName` (changed)\n    weight: `30` → `35`"), "{text}");
    assert!(text.contains("- field `gender` (removed)\n    weight: `5` → (none)"), "{text}");

    let out = sb
        .ferry()
        .args(["diff", "--json"])
        .arg(repo_file("templates/matching/contacts.json"))
        .arg("edited.json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["identical"], false);
    assert_eq!(v["diff"]["fields"][0]["name"], "lastName");
    assert_eq!(v["diff"]["settings"][0]["new"], "80");

    // A profile against a template: refused, naming both.
    let out =
        sb.ferry().arg("diff").arg("edited.json").arg(repo_file("test-data/diff/old.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("`edited.json` is a matching profile but"), "{}", stderr(&out));
}
