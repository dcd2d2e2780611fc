//! Tests of `ferry learn`, `ferry match --profile` with a learned profile, and
//! the per-field explanations of `ferry review`.

use ferry_runner::matching::{Level, MatchingProfile};
use ferry_synth::{self as synth, SynthOptions};
use serde_json::Value;

use crate::import::sql_i64;
use crate::matching::{json, ok};
use crate::util::{Sandbox, repo_file, stderr};

/// Generated people: `existing` in the store (completed), `staged` imported
/// and submitted as job `staged` (rows without a last name rejected).
fn generated_job(sb: &Sandbox, existing: usize, staged: usize) {
    let data = synth::generate(&SynthOptions { existing, staged, duplicate_rate: 0.3, seed: 3 });
    let mapping = repo_file("test-data/matching/synth-contacts.json");
    for (name, records) in [("existing", &data.existing), ("staged", &data.staged)] {
        std::fs::create_dir_all(sb.join(name)).unwrap();
        synth::write_csv(records, &sb.join(&format!("{name}/contacts.csv"))).unwrap();
        let zip = format!("{name}.zip");
        let out = sb
            .ferry()
            .args(["pack", "--allow-errors", "--data", name, "--out", &zip, "--mapping"])
            .arg(&mapping)
            .output()
            .unwrap();
        assert!(sb.join(&zip).exists(), "{}", stderr(&out));
    }
    ok(sb, &["run", "--description", "existing", "existing.zip"]);
    ok(sb, &["import", "--description", "staged", "staged.zip"]);
    ok(sb, &["staged", "staged", "--submit"]);
}

#[test]
fn learn_writes_a_profile_that_match_uses_and_review_explains() {
    let sb = Sandbox::new();
    generated_job(&sb, 1200, 1200);
    let out = ok(&sb, &["learn", "staged", "--out", "learned.json"]);
    // Per field and level: m, u and weight; then the histogram and thresholds.
    for want in
        ["First Name", "Birth Date", "dayMonthSwap", "phonetic", "missing", "weight", "thresholds: Match at"]
    {
        assert!(out.contains(want), "`{want}` missing from:\n{out}");
    }
    assert!(out.lines().any(|l| l.starts_with("100    %") && l.contains('█')), "{out}");
    let learned = MatchingProfile::load(&sb.join("learned.json")).unwrap();
    assert!(learned.probabilistic.is_some());
    assert!(learned.field_index("email").is_some(), "contacts learn e-mail when the data has it");
    let t = learned.thresholds;
    assert!(t.potential <= t.match_ && t.match_ <= 100 && t.potential >= 1, "{t:?}");
    assert!(out.contains(&format!("Match at {} %, Potential Match at {} %", t.match_, t.potential)));

    let m = json(&sb, &["match", "staged", "--profile", "learned.json"]);
    let matches = m["matches"].as_i64().unwrap();
    assert!(matches > 250, "{m}");
    // Quality is the match probability in percent.
    assert_eq!(sql_i64(&sb, "SELECT count(*) FROM staged WHERE quality > 100 OR quality < 0"), 0);
    assert_eq!(
        sql_i64(
            &sb,
            &format!("SELECT count(*) FROM staged WHERE class = 'Match' AND quality < {}", t.match_)
        ),
        0
    );

    // review --json: every candidate explains its score field by field.
    let listing = json(&sb, &["review", "staged"]);
    let rows = listing["rows"].as_array().unwrap();
    let with: Vec<&Value> = rows.iter().filter(|r| !r["candidates"].as_array().unwrap().is_empty()).collect();
    assert!(!with.is_empty());
    for r in &with {
        let explain = r["candidates"][0]["explain"].as_array().unwrap();
        assert_eq!(explain.len(), learned.fields.len(), "{r}");
        assert!(explain.iter().all(|f| f["level"].is_string() && f["contribution"].is_number()), "{r}");
    }
    let levels: Vec<&str> = with
        .iter()
        .flat_map(|r| r["candidates"][0]["explain"].as_array().unwrap())
        .map(|f| f["level"].as_str().unwrap())
        .collect();
    assert!(levels.contains(&"exact") && levels.contains(&"else"), "{levels:?}");
    // An exact birth date adds evidence; a different one takes it away.
    let dob = |level: &str| {
        with.iter()
            .map(|r| &r["candidates"][0]["explain"][learned.field_index("birthDate").unwrap()])
            .find(|f| f["level"] == level)
            .map(|f| f["contribution"].as_f64().unwrap())
    };
    assert!(dob("exact").unwrap() > 5.0);
    if let Some(other) = dob("else") {
        assert!(other < 0.0);
    }

    // --list and --export show the same explanation.
    let list = ok(&sb, &["review", "staged", "--list"]);
    assert!(list.lines().any(|l| l.contains("best") && l.contains("Birth Date exact +")), "{list}");
    ok(&sb, &["review", "staged", "--export", "review.csv"]);
    let text = std::fs::read_to_string(sb.join("review.csv")).unwrap();
    assert!(text.lines().next().unwrap().contains("explanation"));
    assert!(text.contains("Last Name exact +"), "{text}");
    let _ = Level::Exact;

    // `ferry diff` reads the learned profile against the shipped default one.
    let seed = repo_file("templates/matching/contacts.json");
    let out = sb.ferry().arg("diff").arg(&seed).arg("learned.json").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = crate::util::stdout(&out);
    assert!(text.contains(&format!("~ Match threshold: `75` → `{}`", t.match_)), "{text}");
    assert!(text.contains("+ field `email` (added)"), "{text}");
    assert!(
        text.contains("~ field `birthDate` (changed)") && text.contains("+ level dayMonthSwap: (none) → m "),
        "{text}"
    );
    let same = sb.ferry().args(["diff", "learned.json", "learned.json"]).output().unwrap();
    assert_eq!(same.status.code(), Some(0), "{}", crate::util::stdout(&same));
}

#[test]
fn review_explains_the_seed_profile_in_quality_points() {
    let sb = Sandbox::new();
    crate::matching::import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    let list = ok(&sb, &["review", "job", "--list"]);
    // Jonathon Smith (C017) against Jonathan Smith (C001): a typo in the first name.
    assert!(list.contains("First Name typo +20") && list.contains("Last Name exact +30"), "{list}");
    let answers = "keep\n".repeat(40);
    let out = sb.ferry().args(["review", "job", "-i"]).write_stdin(answers).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let talk = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(talk.contains("candidate 1 (quality") && talk.contains("Last Name exact +30"), "{talk}");
}

#[test]
fn learn_refuses_a_profile_of_another_kind_and_writes_nothing() {
    let sb = Sandbox::new();
    crate::matching::import_submitted(&sb, "job");
    let out = sb
        .ferry()
        .args(["learn", "job", "--out", "p.json", "--profile"])
        .arg(repo_file("templates/matching/leads.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("for leads"), "{}", stderr(&out));
    assert!(!sb.join("p.json").exists());
}
