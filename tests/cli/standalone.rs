//! Tests of the stand-alone CSV import (seed 000, "Importing CSV files"):
//! `ferry import --data DIR --mapping M` and `ferry run --data DIR --mapping M`
//! go through pack then import, with the same checks, job and counts, and
//! leave no package behind.

use std::path::Path;

use crate::import::pack;
use crate::util::{Sandbox, repo_file, stderr, stdout};

fn example() -> (std::path::PathBuf, std::path::PathBuf) {
    (repo_file("templates/examples/three-tables"), repo_file("templates/mappings/three-tables.json"))
}

/// A job's counts and its staged records (as stored), from the store `db`.
fn job_and_records(db: &Path) -> (serde_json::Value, Vec<String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let counts: (i64, i64, i64, i64, String, String) = conn
        .query_row(
            "SELECT rows_read, rows_staged, rows_rejected, records_staged, stage, status FROM jobs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    let mut st = conn.prepare("SELECT line, record FROM staged ORDER BY id").unwrap();
    let records = st
        .query_map([], |r| Ok(format!("{}:{}", r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (serde_json::json!(counts), records)
}

/// Files left anywhere under `dir` (recursively).
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn import_data_with_a_mapping_is_pack_then_import_and_leaves_no_package() {
    let (data, mapping) = example();
    // Pack, then import: the reference.
    let by_hand = Sandbox::new();
    let pkg = pack(&by_hand, &data, &mapping, "example.zip");
    let out = by_hand.ferry().arg("import").arg(&pkg).args(["--description", "legacy"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("tmp")).unwrap();
    let out = sb
        .ferry()
        .env("TMPDIR", sb.join("tmp"))
        .args(["import", "--data"])
        .arg(&data)
        .arg("--mapping")
        .arg(&mapping)
        .args(["--description", "legacy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = crate::util::squash(&stderr(&out));
    assert!(
        said.contains("records staged 30 from 93 rows read") && said.contains("rows rejected 0"),
        "{said}"
    );
    assert_eq!(job_and_records(&sb.join("ferry.db")), job_and_records(&by_hand.join("ferry.db")));
    assert_eq!(files_under(&sb.join("tmp")), Vec::<std::path::PathBuf>::new(), "the scratch package is gone");
    let left: Vec<_> = files_under(sb.path())
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("ferry.db"))
        .collect();
    assert!(left.is_empty(), "nothing but the store is written: {left:?}");
}

#[test]
fn import_data_refused_by_the_check_creates_no_job() {
    let sb = Sandbox::new();
    sb.write(
        "data/leads.csv",
        "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code\n\
         1,Ann,Lee,ann@example.com,,,,,,\n\
         2,Bob,,bob@example.com,,,,,,\n",
    );
    let out = sb
        .ferry()
        .args(["import", "--data", "data", "--mapping"])
        .arg(repo_file("templates/mappings/simple-leads.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 3") && err.contains("nothing imported"), "{err}");
    let jobs = sb.ferry().args(["--json", "jobs"]).output().unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&stdout(&jobs)).unwrap(), serde_json::json!([]));
}

#[test]
fn run_data_with_a_mapping_imports_matches_and_completes() {
    let (data, mapping) = example();
    let sb = Sandbox::new();
    let out = sb
        .ferry()
        .args(["--json", "run", "--data"])
        .arg(&data)
        .arg("--mapping")
        .arg(&mapping)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("only JSON on stdout");
    assert_eq!(summary["staged"], 30);
    assert_eq!(summary["created"].as_u64().unwrap() + summary["merged"].as_u64().unwrap(), 30);
}

#[test]
fn packages_and_data_do_not_mix() {
    let (data, mapping) = example();
    let sb = Sandbox::new();
    let out = sb
        .ferry()
        .args(["import", "x.zip", "--data"])
        .arg(&data)
        .arg("--mapping")
        .arg(&mapping)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sb.ferry().args(["import", "--data"]).arg(&data).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--data needs --mapping");
}
