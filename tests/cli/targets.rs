//! Tests of `ferry targets` and `ferry template`.

use crate::util::{Sandbox, stderr, stdout};

#[test]
fn targets_lists_the_bundled_targets() {
    let output = Sandbox::new().ferry().arg("targets").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{out}");
    let contacts = lines.iter().find(|l| l.starts_with("contacts")).expect("contacts listed");
    assert!(contacts.contains("Address, Telcom, Category, CustomField, UserField"), "{contacts}");
    let leads = lines.iter().find(|l| l.starts_with("leads")).expect("leads listed");
    assert!(leads.split_whitespace().any(|w| w == "13"), "leads has 13 fields: {leads}");
}

#[test]
fn targets_json_carries_counts_and_rules() {
    let output = Sandbox::new().ferry().args(["targets", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let leads = v.as_array().unwrap().iter().find(|t| t["name"] == "leads").unwrap();
    assert_eq!(leads["kind"], "leads");
    assert_eq!(leads["fields"], 13);
    assert_eq!(leads["required"], serde_json::json!(["firstName", "lastName"]));
    assert_eq!(leads["subcollections"], serde_json::json!([]));
}

#[test]
fn template_writes_the_simple_lead_header() {
    let output = Sandbox::new().ferry().args(["template", "leads"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code\n"
    );
}

#[test]
fn template_out_writes_a_file_that_check_reads() {
    let sb = Sandbox::new();
    let output = sb.ferry().args(["template", "leads", "--out", "data/leads.csv"]).output().unwrap();
    // The directory does not exist: nothing is written, and the error names the path.
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("data/leads.csv"), "{}", stderr(&output));
    assert!(!sb.join("data").exists());

    std::fs::create_dir(sb.join("data")).unwrap();
    let output = sb.ferry().args(["template", "leads", "--out", "data/leads.csv"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let written = std::fs::read_to_string(sb.join("data/leads.csv")).unwrap();
    // For spreadsheets, as the other CSVs: BOM, quoted, CRLF.
    assert!(written.starts_with("\u{feff}\"ID\",\"First Name\",\"Last Name\","), "{written}");
    assert!(written.ends_with("\r\n"), "{written}");
    // The blank template checks clean against the bundled simple lead mapping: no rows, no problems.
    let output = sb
        .ferry()
        .args(["check", "--data", "data", "--mapping"])
        .arg(crate::util::repo_file("templates/mappings/simple-leads.json"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // A template filled in since is not written over without --force.
    std::fs::write(sb.join("data/leads.csv"), "ID,First Name\r\nL1,Ann\r\n").unwrap();
    let output = sb.ferry().args(["template", "leads", "--out", "data/leads.csv"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert!(std::fs::read_to_string(sb.join("data/leads.csv")).unwrap().contains("L1,Ann"));
    let output =
        sb.ferry().args(["template", "leads", "--out", "data/leads.csv", "--force"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!std::fs::read_to_string(sb.join("data/leads.csv")).unwrap().contains("L1,Ann"));
}

#[test]
fn template_of_an_unknown_target_fails_with_the_known_ones() {
    let output = Sandbox::new().ferry().args(["template", "accounts"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("unknown target `accounts`") && err.contains("contacts, leads"), "{err}");
}
