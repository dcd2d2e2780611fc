//! Tests of how steps talk: progress bars with totals and labelled units on
//! a terminal (under a real pty) and none off it, step summaries that are
//! talk (not under `--quiet`, facts of the JSON under `--json`), and tables
//! whose columns line up.

use crate::matching::{example_package, import_submitted, ok};
use crate::util::{Sandbox, repo_file, squash, stderr, stdout};

/// Runs `ferry ARGS` on a pseudo-terminal and returns all it printed.
fn on_a_terminal(sb: &Sandbox, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.current_dir(sb.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .env("FERRY_DB", sb.join("ferry.db"))
        .args(args);
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    p.exp_eof().unwrap()
}

/// Every `DONE/TOTAL UNIT` a bar drew, as (done, total).
fn counts_of(text: &str, unit: &str) -> Vec<(u64, u64)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices(&format!(" {unit}")) {
        let before = &text[..at];
        let start =
            before.rfind(|c: char| !(c.is_ascii_digit() || c == '/' || c == ',')).map_or(0, |i| i + 1);
        let Some((done, total)) = before[start..].split_once('/') else { continue };
        let n = |s: &str| s.replace(',', "").parse::<u64>().ok();
        if let (Some(d), Some(t)) = (n(done), n(total)) {
            found.push((d, t));
        }
    }
    found
}

#[test]
fn bars_on_a_terminal_show_the_totals_the_data_declares() {
    let sb = Sandbox::new();
    let data = repo_file("templates/examples/three-tables");
    let mapping = repo_file("templates/mappings/three-tables.json");
    let data = data.to_str().unwrap();
    let mapping = mapping.to_str().unwrap();
    // pack: the rows of the legacy files (93 data rows in the three CSVs).
    let packed = on_a_terminal(&sb, &["pack", "--data", data, "--mapping", mapping, "--out", "p.zip"]);
    let rows = counts_of(&packed, "rows");
    assert!(rows.iter().any(|&(_, total)| total == 93), "{packed}");
    assert!(rows.iter().all(|&(done, total)| done <= total), "{packed}");
    assert!(packed.contains("ETA"), "{packed}");
    // import: the rows the package's fileMappings.xml declares.
    let imported = on_a_terminal(&sb, &["import", "p.zip", "--description", "tty"]);
    assert!(counts_of(&imported, "rows").iter().any(|&(_, total)| total == 93), "{imported}");
    ok(&sb, &["staged", "tty", "--submit"]);
    // match: labelled units, never a full bar at 0/0.
    let matched = on_a_terminal(&sb, &["match", "tty", "--within"]);
    let passes = counts_of(&matched, "blocking passes");
    assert!(!passes.is_empty(), "{matched}");
    assert!(passes.iter().all(|&(_, total)| total > 0), "no bar at 0/0: {matched}");
    assert!(!matched.contains("0/0"), "{matched}");
    // learn: each step its units and total (pairs drawn, EM rounds), not a spinner.
    let learned = on_a_terminal(&sb, &["learn", "tty", "--out", "learned.json"]);
    let pairs = counts_of(&learned, "pairs");
    assert!(pairs.iter().any(|&(_, total)| total > 0), "{learned}");
    assert!(pairs.iter().all(|&(done, total)| done <= total), "{learned}");
    assert!(counts_of(&learned, "rounds").iter().any(|&(_, total)| total == 3), "{learned}");
    assert!(learned.contains("ETA"), "{learned}");
    // complete: the job's staged records.
    let completed = on_a_terminal(&sb, &["complete", "tty"]);
    let records = counts_of(&completed, "records");
    assert!(records.iter().any(|&(_, total)| total == 30), "{completed}");
    assert!(records.iter().all(|&(done, total)| done <= total), "{completed}");
    assert!(squash(&completed).contains("created 27"), "the summary follows the bar: {completed}");
}

#[test]
fn off_a_terminal_no_bar_is_drawn() {
    let sb = Sandbox::new();
    let pkg = example_package(&sb);
    let out = sb.ferry().arg("import").arg(&pkg).args(["--description", "pipe"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let talk = stderr(&out);
    assert!(!talk.contains("ETA") && !talk.contains("/93"), "{talk}");
    assert!(squash(&talk).contains("records staged 30 from 93 rows read"), "{talk}");
}

#[test]
fn summaries_are_talk_not_under_quiet_and_facts_of_the_json() {
    let sb = Sandbox::new();
    import_submitted(&sb, "s");
    ok(&sb, &["match", "s", "--within"]);
    let quiet = sb.ferry().args(["complete", "s", "-q"]).output().unwrap();
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "", "no summary under --quiet");
    assert_eq!(stdout(&quiet), "", "a summary is not data");
    let undo = sb.ferry().args(["undo", "s"]).output().unwrap();
    let said = squash(&stderr(&undo));
    assert!(said.contains("job 1 undone") && said.contains("removed 27"), "{said}");
    let json = sb.ferry().args(["complete", "s", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is the JSON alone");
    assert_eq!((v["created"].as_u64(), v["merged"].as_u64()), (Some(27), Some(3)), "{v}");
    assert!(!stderr(&json).contains("created"), "{}", stderr(&json));
}

#[test]
fn a_run_ends_with_what_it_created_updated_merged_and_rejected() {
    let sb = Sandbox::new();
    let pkg = example_package(&sb);
    let out = sb.ferry().arg("run").arg(&pkg).args(["--description", "r", "--within"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let said = squash(&stderr(&out));
    for fact in ["job 1 completed", "created 27", "updated 0", "merged 3", "rejected 0", "values dropped 0"] {
        assert!(said.contains(fact), "`{fact}` missing:\n{said}");
    }
    let json = sb.ferry().arg("run").arg(&pkg).args(["--description", "again", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((v["updated"].as_u64(), v["values_dropped"].as_u64()), (Some(27), Some(0)), "{v}");
}

#[test]
fn tables_line_up_their_columns() {
    let sb = Sandbox::new();
    import_submitted(&sb, "a job with a long description");
    ok(&sb, &["match", "a job with a long description", "--within"]);
    let jobs = ok(&sb, &["jobs"]);
    let lines: Vec<&str> = jobs.lines().collect();
    assert_eq!(lines.len(), 2, "{jobs}");
    let at = |line: &str, word: &str| line.find(word).unwrap_or_else(|| panic!("no `{word}` in {line}"));
    assert_eq!(at(lines[0], "description"), at(lines[1], "a job with"), "{jobs}");
    // Numbers are right-aligned: `rejected` ends where its count ends.
    assert_eq!(at(lines[0], "rejected") + "rejected".len(), at(lines[1], "0  a job") + 1, "{jobs}");
    let review = ok(&sb, &["review", "1", "--list"]);
    let header = review.lines().next().unwrap();
    let c017 = review.lines().find(|l| l.contains("C017")).unwrap();
    assert_eq!(at(header, "class"), at(c017, "Match"), "{review}");
    assert!(review.contains("best 100: First Name typo +20"), "{review}");
    let targets = ok(&sb, &["targets"]);
    let t: Vec<&str> = targets.lines().collect();
    assert_eq!(Some(at(t[0], "KIND")), t[1].rfind("contacts"), "the kind column: {targets}");
}
