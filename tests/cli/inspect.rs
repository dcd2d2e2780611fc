//! Tests of `ferry inspect`.

use crate::util::{Sandbox, repo_file, stderr, stdout};

#[test]
fn a_valid_package_is_listed_with_rows_mappings_and_checks() {
    let s = Sandbox::new();
    let out = s.ferry().arg("inspect").arg(repo_file("test-data/packages/valid.zip")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("contacts.csv (2 rows, category All, mappings in contacts_mappings.xml)"),
        "{text}"
    );
    assert!(text.contains("LAST                     → lastName"), "{text}");
    assert!(text.contains("encoding UTF-8"), "{text}");
    assert!(text.contains("ok   every CSV decodes in the declared encoding"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[test]
fn json_output_and_the_size_cap() {
    let s = Sandbox::new();
    let out = s
        .ferry()
        .args(["inspect", "--json", "--max-size", "1KB"])
        .arg(repo_file("test-data/packages/valid.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["contents"]["files"][0]["rows"], 2);
    let last = v["checks"].as_array().unwrap().last().unwrap();
    assert_eq!(last["ok"], false);
    assert!(last["message"].as_str().unwrap().contains("above the cap of 1024"));
}

#[test]
fn hostile_packages_are_reported_invalid_with_their_reason() {
    let s = Sandbox::new();
    for (file, reason) in [
        ("zip-slip.zip", "escapes the package (zip slip)"),
        ("compression-bomb.zip", "a ZIP bomb?"),
        ("doctype-entities.zip", "`fileMappings.xml` line 2: a DOCTYPE is not allowed"),
        ("wrong-encoding.zip", "`contacts.csv` line 2: bytes that are not valid in the declared encoding"),
    ] {
        let out =
            s.ferry().arg("inspect").arg(repo_file(&format!("test-data/packages/{file}"))).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stdout(&out).contains("FAIL"), "{file}");
        assert!(stderr(&out).contains(reason), "{file}: {}", stderr(&out));
    }
    let out = s.ferry().args(["inspect", "missing.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot access `missing.zip`"), "{}", stderr(&out));
}
