//! Tests of `ferry run`: import, match and complete in one command.

use crate::import::sql_i64;
use crate::matching::{example_package, json, ok};
use crate::util::{Sandbox, stderr, stdout};

#[test]
fn run_imports_matches_and_completes() {
    let sb = Sandbox::new();
    example_package(&sb);
    let out = sb.ferry().args(["run", "example.zip", "--within", "--description", "one"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = crate::util::squash(&stderr(&out));
    for label in ["created", "merged", "updated", "rejected", "discarded"] {
        assert!(
            text.lines().any(|l| l.starts_with(label) && l[label.len()..].trim().parse::<u64>().is_ok()),
            "{label}: {text}"
        );
    }
    let created = sql_i64(&sb, "SELECT count(*) FROM records");
    assert!(created > 0 && created < 30, "duplicates merged: {created}");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM jobs WHERE stage = 'Completed'"), 1);

    // Again: the keys exist, so every record is an update or a merge.
    let again = json(&sb, &["run", "example.zip", "--description", "two"]);
    assert_eq!(again["created"], 0);
    assert_eq!(again["rejected"], 0);
    assert_eq!(again["updated"].as_u64().unwrap() + again["merged"].as_u64().unwrap(), 30);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), created);
}

/// Copies a package, changing every CSV member.
fn rewrite(src: &std::path::Path, dst: &std::path::Path, change: impl Fn(&str, String) -> String) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        text = change(&name, text);
        zout.start_file(name, options).unwrap();
        zout.write_all(text.as_bytes()).unwrap();
    }
    zout.finish().unwrap();
}

#[test]
fn run_exits_1_when_rows_were_rejected() {
    let sb = Sandbox::new();
    let pkg = example_package(&sb);
    // C002's last name blanked: its rows are rejected at import.
    rewrite(&pkg, &sb.join("bad.zip"), |name, text| {
        if name == "contacts.csv" { text.replacen("Emily,Tremblay,", "Emily,,", 1) } else { text }
    });
    let out = sb.ferry().args(["run", "bad.zip", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(summary["rejected"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(summary["created"].as_u64().unwrap(), 29);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), 29);
    assert!(stderr(&out).contains("ferry errors"), "{}", stderr(&out));
}

#[test]
fn the_same_people_under_other_ids_are_merged_not_created() {
    let sb = Sandbox::new();
    let pkg = example_package(&sb);
    ok(&sb, &["run", "example.zip", "--within", "--description", "one"]);
    let records = sql_i64(&sb, "SELECT count(*) FROM records");
    // Another legacy system's export of the same people, under other ids.
    rewrite(&pkg, &sb.join("other.zip"), |_, text| text.replace(",C0", ",X0").replace("\nC0", "\nX0"));
    let other = json(&sb, &["run", "other.zip", "--description", "two"]);
    assert_eq!(other["created"], 0, "{other}");
    assert_eq!(other["updated"], 0, "{other}");
    assert_eq!(other["merged"], 30, "{other}");
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records"), records);
    // The existing values won: the records keep their first ids.
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE legacy_id LIKE 'X%'"), 0);
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM records WHERE job_id = 2"), records);
}
