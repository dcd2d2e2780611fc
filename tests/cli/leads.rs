//! Tests of leads as the lead import dialog and Integrated Lead Management
//! describe them: source type, source and owner on every lead, the
//! `leads-ilm` target, and a lead job matched as it is imported.

use crate::util::{Sandbox, repo_file, stderr, stdout};

const LEADS: &str = "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Company,Position,Zip Code\n\
     1,Ann,Lee,ann@example.com,,Retirement,,,,\n\
     2,Bob,Ray,,555-0100,,Mortgage Needs,,,\n";

fn import_leads(sb: &Sandbox, extra: &[&str]) -> std::process::Output {
    sb.write("data/leads.csv", LEADS);
    sb.ferry()
        .args(["import", "--data", "data", "--mapping"])
        .arg(repo_file("templates/mappings/simple-leads.json"))
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_import_dialog_values_are_on_every_lead_and_the_job_waits_for_review() {
    let sb = Sandbox::new();
    let out = import_leads(&sb, &["--source-type", "vendor list", "--source", "Expo 2026", "--owner", "ann"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("matched: 0 Match") && err.contains("ferry review 1"), "{err}");

    // The job went on to matching by itself: Review Match Results / Waiting on User.
    let show = sb.ferry().args(["--json", "jobs", "show", "1"]).output().unwrap();
    let job: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let job = if job.get("job").is_some() { job["job"].clone() } else { job };
    assert_eq!(job["stage"], "Review Match Results", "{job}");
    assert_eq!(job["status"], "Waiting on User", "{job}");
    assert_eq!(job["source_type"], "Vendor List", "stored in the target's spelling: {job}");
    let show = sb.ferry().args(["jobs", "show", "1"]).output().unwrap();
    assert!(stdout(&show).contains("Waiting on User"), "{}", stdout(&show));

    let staged = sb.ferry().args(["staged", "1"]).output().unwrap();
    let listing = stdout(&staged);
    assert_eq!(listing.matches("Vendor List").count(), 2, "{listing}");
    assert_eq!(listing.matches("Expo 2026").count(), 2, "{listing}");

    let review = sb.ferry().args(["review", "1", "--list"]).output().unwrap();
    assert!(review.status.success(), "{}", stderr(&review));
    assert_eq!(stdout(&review).matches("source type Vendor List, source Expo 2026, owner ann").count(), 2);
    let out = sb.ferry().args(["review", "1", "--export", "review.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = std::fs::read_to_string(sb.join("review.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().contains(r#""last_name","source_type","source","owner","class""#),
        "{csv}"
    );
    assert_eq!(csv.matches(r#""Vendor List","Expo 2026","ann""#).count(), 2, "{csv}");

    let out = sb.ferry().args(["complete", "1"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sb.ferry().args(["export", "leads", "--columns", "all", "--out", "all.csv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let all = std::fs::read_to_string(sb.join("all.csv")).unwrap();
    let header = all.lines().next().unwrap();
    assert!(header.contains("Source Type") && header.contains("Owner"), "{header}");
    assert_eq!(all.matches("Vendor List").count(), 2, "{all}");
}

#[test]
fn bad_dialog_values_are_refused_before_any_job() {
    let sb = Sandbox::new();
    let out = import_leads(&sb, &["--source-type", "Billboard"]);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("`Billboard` is not a source type") && err.contains("`Vendor List`"), "{err}");
    let jobs = sb.ferry().args(["--json", "jobs"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&jobs.stdout).unwrap(), serde_json::json!([]));

    // Contacts carry no lead source.
    let out = sb
        .ferry()
        .args(["import", "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .arg("--mapping")
        .arg(repo_file("templates/mappings/three-tables.json"))
        .args(["--source", "Expo"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("this job imports contacts"), "{}", stderr(&out));
}

#[test]
fn the_leads_ilm_target_requires_sales_concept_and_source_type() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["--json", "targets"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ilm = v.as_array().unwrap().iter().find(|t| t["name"] == "leads-ilm").expect("leads-ilm listed");
    assert_eq!(ilm["kind"], "leads");
    assert_eq!(ilm["required"], serde_json::json!(["firstName", "lastName", "salesConcept", "sourceType"]));

    let mapping = std::fs::read_to_string(repo_file("templates/mappings/simple-leads.json"))
        .unwrap()
        .replace("\"target\": \"leads\"", "\"target\": \"leads-ilm\"")
        .replace("\"column\": \"Company\"", "\"column\": \"Source Type\"")
        .replace("\"field\": \"company\"", "\"field\": \"sourceType\"");
    sb.write("ilm.json", mapping);
    sb.write(
        "data/leads.csv",
        "ID,First Name,Last Name,Email Address,Phone,Market Segment,Sales Concept,Source Type,Position,Zip Code\n\
         1,Ann,Lee,ann@example.com,,,General Interest,Conference,,\n\
         2,Bob,Ray,bob@example.com,,,,Conference,,\n\
         3,Cy,Oh,,,,Mortgage Needs,Conference,,\n",
    );
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "ilm.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let report = format!("{}{}", stdout(&out), stderr(&out));
    assert!(report.contains("line 3") && report.contains("Sales Concept"), "{report}");
    assert!(report.contains("line 4"), "email or phone: {report}");
    assert!(!report.contains("line 2"), "{report}");
}
