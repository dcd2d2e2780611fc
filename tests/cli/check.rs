//! Tests of `ferry check`.

use std::collections::BTreeSet;

use crate::util::{Sandbox, repo_file, stderr, stdout};

/// The problem lines of a check's output.
fn problem_lines(out: &str) -> BTreeSet<String> {
    out.lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn planted_problems_are_reported_at_their_line_and_column_and_nothing_else() {
    let dir = repo_file("test-data/check/planted");
    let output = Sandbox::new()
        .ferry()
        .args(["check", "--data"])
        .arg(dir.join("data"))
        .arg("--mapping")
        .arg(dir.join("mapping.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected: BTreeSet<String> =
        std::fs::read_to_string(dir.join("expected.txt")).unwrap().lines().map(str::to_string).collect();
    let got = problem_lines(&stdout(&output));
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nextra: {extra:#?}");
    let out = stdout(&output);
    // Bad values are dropped with a warning; only the empty required field rejects its row.
    assert!(out.contains("`contacts.csv`: 14 rows, 1 rejected"), "{out}");
    assert!(out.contains("total: 14 rows, 1 rejected; 2 errors, 10 warnings"), "{out}");
    assert!(stderr(&output).contains("hint: "), "{}", stderr(&output));
}

#[test]
fn json_report_locates_each_problem() {
    let dir = repo_file("test-data/check/planted");
    let output = Sandbox::new()
        .ferry()
        .args(["check", "--json", "--data"])
        .arg(dir.join("data"))
        .arg("--mapping")
        .arg(dir.join("mapping.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"], 2);
    assert_eq!(report["warnings"], 10);
    let date = report["problems"].as_array().unwrap().iter().find(|p| p["kind"] == "unparseable").unwrap();
    assert_eq!(date["line"], 3);
    assert_eq!(date["column"], "Born");
    assert_eq!(date["value"], "31/02/1987");
    assert_eq!(date["severity"], "warning");
    assert_eq!(report["files"][0]["rows"], 14);
}

#[test]
fn limit_checks_only_the_first_rows() {
    let dir = repo_file("test-data/check/planted");
    let output = Sandbox::new()
        .ferry()
        .args(["check", "--limit", "2", "--data"])
        .arg(dir.join("data"))
        .arg("--mapping")
        .arg(dir.join("mapping.json"))
        .output()
        .unwrap();
    let out = stdout(&output);
    // Only the file-level problem and line 3 remain.
    assert_eq!(problem_lines(&out).len(), 2, "{out}");
    assert!(out.contains("`contacts.csv`: 2 rows, 0 rejected"), "{out}");
}

#[test]
fn the_bundled_simple_lead_example_is_clean() {
    let output = Sandbox::new()
        .ferry()
        .args(["check", "--data"])
        .arg(repo_file("templates/examples/simple-leads"))
        .arg("--mapping")
        .arg(repo_file("templates/mappings/simple-leads.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let out = stdout(&output);
    assert!(problem_lines(&out).is_empty(), "{out}");
    assert!(out.contains("`leads.csv`: 20 rows, 0 rejected"), "{out}");
    assert!(!stderr(&output).contains("note:"), "{}", stderr(&output));
}

#[test]
fn files_the_template_does_not_name_are_pointed_out() {
    let sb = Sandbox::new();
    let leads = std::fs::read(repo_file("templates/examples/simple-leads/leads.csv")).unwrap();
    sb.write("data/leads.csv", leads);
    sb.write("data/leads-2019.csv", "ID,First Name\n");
    let output = sb
        .ferry()
        .args(["check", "--data", "data", "--mapping"])
        .arg(repo_file("templates/mappings/simple-leads.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output)
            .contains("note: `leads-2019.csv` is not in the template, so it is neither checked nor imported"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn simple_lead_rules_of_the_seed_hold() {
    // Over-long names are truncated, unknown segments ignored (warnings); a lead
    // without email and phone, or without a last name, is rejected.
    let sb = Sandbox::new();
    sb.write(
        "data/leads.csv",
        "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code\n\
         1,Ann,Lee,ann@example.com,,Retirement,,,,\n\
         2,Bartholomew-Maximilian Jr.,Yu,,555-0100,Gold,,,,\n\
         3,Cy,,cy@example.com,,,,,,\n\
         4,Di,Ng,,,,,,,\n",
    );
    let output = sb
        .ferry()
        .args(["check", "--data", "data", "--mapping"])
        .arg(repo_file("templates/mappings/simple-leads.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let got: Vec<String> = problem_lines(&stdout(&output)).into_iter().collect();
    let located: Vec<&str> = got.iter().map(|l| l.split(':').take(2).collect::<Vec<_>>()[1]).collect();
    assert_eq!(
        located,
        [
            " `leads.csv` line 4, column `Last Name`",
            " `leads.csv` line 5",
            " `leads.csv` line 3, column `First Name`",
            " `leads.csv` line 3, column `Market Segment`",
        ],
        "{got:#?}"
    );
    assert!(stdout(&output).contains("4 rows, 2 rejected"));
}

#[test]
fn a_misspelt_template_key_is_named_by_its_json_path() {
    let sb = Sandbox::new();
    sb.write("data/leads.csv", "First\nAnn\n");
    sb.write(
        "bad.json",
        r#"{"formatVersion": 1, "target": "leads",
            "files": [{"name": "leads.csv", "mappings": [{"column": "First", "feild": "firstName"}]}]}"#,
    );
    let output = sb.ferry().args(["check", "--data", "data", "--mapping", "bad.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("/files/0/mappings/0"), "{err}");
    assert!(err.contains("feild"), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

#[test]
fn a_missing_data_location_or_file_is_reported() {
    let sb = Sandbox::new();
    let mapping = repo_file("templates/mappings/simple-leads.json");
    let output = sb.ferry().args(["check", "--data", "nowhere", "--mapping"]).arg(&mapping).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`nowhere` is not a directory"), "{}", stderr(&output));

    std::fs::create_dir(sb.join("empty")).unwrap();
    let output = sb.ferry().args(["check", "--data", "empty", "--mapping"]).arg(&mapping).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("error: `leads.csv`: the data location `empty` has no file `leads.csv`"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn reader_options_are_passed_on() {
    let sb = Sandbox::new();
    // No header, semicolons, windows-1252: column names are `column N`.
    let mut bytes = b"1;Ren\xe9e;Lef\xe8vre;renee@example.com\n".to_vec();
    bytes.extend_from_slice(b"2;Zo\xeb;;zoe@example.com\n");
    sb.write("data/leads.txt", bytes);
    sb.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "leads", "files": [{"name": "leads.txt", "mappings": [
            {"column": "column 2", "field": "firstName"}, {"column": "column 3", "field": "lastName"},
            {"column": "column 4", "field": "email"}]}]}"#,
    );
    let output = sb
        .ferry()
        .args(["check", "--json", "--no-header", "--delimiter", ";", "--input-encoding", "windows-1252"])
        .args(["--data", "data", "--mapping", "m.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["line"], 2);
    assert_eq!(problems[0]["column"], "column 3");

    let output = sb
        .ferry()
        .args(["check", "--input-encoding", "klingon", "--data", "data", "--mapping", "m.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown encoding `klingon`"));
}

#[test]
fn columns_the_template_does_not_name_are_reported_with_the_rows_that_hold_a_value() {
    let s = Sandbox::new();
    // A template made on one version of an export, checked on a newer one with two more columns.
    s.write(
        "data/contacts.csv",
        "ID,Last,Mobile,Spare,Notes\n1,Lee,416-555-0101,,x\n2,Ray,,,\n3,Roe,416-555-0103, ,y\n",
    );
    s.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "contacts", "files": [{"name": "contacts.csv", "mappings": [
            {"column": "ID", "field": "externalId"}, {"column": "Last", "field": "lastName"}]}]}"#,
    );
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    // `Spare` holds only spaces: nothing is lost there, so it is not named.
    assert!(
        text.contains("  not in the template, so not imported: `Mobile` (2 rows with a value), `Notes` (2 rows with a value); map them (`ferry map --mapping …`) if they should be"),
        "{text}"
    );
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json["files"][0]["unmapped"],
        serde_json::json!([{"column": "Mobile", "rows": 2}, {"column": "Notes", "rows": 2}]),
        "{json}"
    );
    // `pack` (and `import --data`, which packs the same way) says so too.
    let out =
        s.ferry().args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: `contacts.csv`: not in the template, so not packed: `Mobile` (2 rows with a value), `Notes` (2 rows with a value)"),
        "{}",
        stderr(&out)
    );
    let out = s
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m.json", "--out", "q.zip", "--quiet"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("not in the template, so not packed"),
        "a warning, still shown with --quiet"
    );
}
