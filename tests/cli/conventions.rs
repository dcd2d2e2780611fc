//! The conventions of cargo, uv, rg and Excel users (issue 14): `--out -` is
//! stdout on every writer, `--db` only where a store is opened (and never
//! creates one by mistake), files people edit are read in any dialect and
//! encoding, files for Excel get a BOM and CRLF.

use crate::matching::{import_submitted, ok};
use crate::util::{Sandbox, repo_file, stderr, stdout};

const LATIN_MAPPING: &str = r#"{"formatVersion": 1, "target": "leads", "files": [{"name": "people.csv", "mappings": [
    {"column": "First", "field": "firstName"}, {"column": "Last", "field": "lastName"},
    {"column": "Mail", "field": "email"}]}]}"#;

#[test]
fn out_dash_is_stdout_on_template_export_errors_review_and_map() {
    let sb = Sandbox::new();
    // template: the bytes `-o FILE` writes, on stdout; no file named `-`.
    let file = sb.ferry().args(["template", "leads", "-o", "leads.csv"]).output().unwrap();
    assert!(file.status.success(), "{}", stderr(&file));
    let piped = sb.ferry().args(["template", "leads", "-o", "-"]).output().unwrap();
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(piped.stdout, std::fs::read(sb.join("leads.csv")).unwrap());
    assert!(!sb.join("-").exists());

    // review --export -, export -o -, errors -o -.
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    ok(&sb, &["review", "job", "--export", "review.csv"]);
    let review = sb.ferry().args(["review", "job", "--export", "-"]).output().unwrap();
    assert!(review.status.success(), "{}", stderr(&review));
    assert_eq!(review.stdout, std::fs::read(sb.join("review.csv")).unwrap());
    assert!(stderr(&review).contains("to stdout"), "{}", stderr(&review));
    ok(&sb, &["complete", "job"]);
    let export = sb.ferry().args(["export", "contacts", "-o", "-"]).output().unwrap();
    assert!(export.status.success(), "{}", stderr(&export));
    let text = stdout(&export);
    assert!(text.starts_with("\u{feff}\"ID\""), "{text}");
    assert!(text.lines().count() > 20, "{text}");
    let errors = sb.ferry().args(["errors", "job", "--out", "-"]).output().unwrap();
    assert!(errors.status.success(), "{}", stderr(&errors));
    assert!(errors.stdout.starts_with(b"\xEF\xBB\xBF"), "{}", stdout(&errors));
    assert!(!sb.join("-").exists(), "no file named `-`");
    // Both on stdout: refused.
    let both = sb.ferry().args(["export", "contacts", "-o", "-", "--json"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert!(stdout(&both).contains("both print on stdout"), "{}", stdout(&both));

    // map --out -: the template on stdout, its $schema the $id; the table goes to stderr.
    let map = sb
        .ferry()
        .args(["map", "--auto", "--target", "contacts", "--out", "-", "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .output()
        .unwrap();
    assert!(map.status.success(), "{}", stderr(&map));
    let template: serde_json::Value = serde_json::from_slice(&map.stdout).unwrap();
    assert_eq!(template["$schema"], "https://ferry.dev/schemas/mapping.schema.json");
    assert_eq!(template["target"], "contacts");
    assert!(stderr(&map).contains("saved the suggested template to stdout"), "{}", stderr(&map));
}

#[test]
fn pack_refuses_stdout_clearly() {
    let sb = Sandbox::new();
    let out = sb
        .ferry()
        .args(["pack", "--out", "-", "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .arg("--mapping")
        .arg(repo_file("templates/mappings/three-tables.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("`pack` cannot write to stdout (`--out -`)"), "{err}");
    assert!(err.contains("hint: give a file"), "{err}");
    assert_eq!(std::fs::read_dir(sb.path()).unwrap().count(), 0, "nothing written");
}

#[test]
fn db_is_offered_only_by_the_verbs_that_open_the_store() {
    let sb = Sandbox::new();
    for verb in ["profile", "check", "map", "pack", "inspect", "template", "targets", "schema", "diff", "man"]
    {
        let help = stdout(&sb.ferry().args([verb, "--help"]).output().unwrap());
        assert!(!help.contains("--db"), "{verb} offers --db: {help}");
        let used = sb.ferry().args([verb, "--db", "x.db"]).output().unwrap();
        assert_eq!(used.status.code(), Some(2), "{verb}");
        assert!(stderr(&used).contains("unexpected argument '--db'"), "{verb}: {}", stderr(&used));
    }
    for verb in
        ["import", "jobs", "staged", "match", "review", "complete", "export", "errors", "serve", "users"]
    {
        let help = stdout(&sb.ferry().args([verb, "--help"]).output().unwrap());
        assert!(help.contains("--db <PATH>"), "{verb} lacks --db: {help}");
        assert!(help.contains("[env: FERRY_DB="), "{verb}: {help}");
    }
    // Below a verb too, and the store it names is the one used.
    let jobs = sb.ferry().args(["jobs", "show", "1", "--db", "other.db"]).output().unwrap();
    assert!(stderr(&jobs).contains("no store at `other.db`"), "{}", stderr(&jobs));
}

#[test]
fn a_mistyped_db_creates_no_store_for_the_verbs_that_read_it() {
    let sb = Sandbox::new();
    for args in [
        &["jobs"][..],
        &["jobs", "show", "1"],
        &["staged", "1"],
        &["review", "1", "--list"],
        &["export", "contacts", "-o", "c.csv"],
        &["errors", "1", "-o", "e.csv"],
        &["match", "1"],
        &["complete", "1"],
        &["users", "list"],
    ] {
        let out = sb.ferry().args(args).args(["--db", "fery.db"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("error: no store at `fery.db`"), "{args:?}: {err}");
        assert!(err.contains("run `ferry import`") && err.contains("check `--db PATH`"), "{err}");
        assert!(!sb.join("fery.db").exists(), "{args:?} created a store");
    }
    // FERRY_DB names the store as before; import creates it.
    let pkg = crate::matching::example_package(&sb);
    let out = sb.ferry().arg("import").arg(&pkg).env("FERRY_DB", sb.join("env.db")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let jobs = sb.ferry().args(["jobs", "--json"]).env("FERRY_DB", sb.join("env.db")).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[test]
fn import_data_takes_the_reading_options() {
    let sb = Sandbox::new();
    sb.write("data/people.csv", b"First;Last;Mail\nJ\xfcrgen;M\xfcller;j@example.com\n");
    sb.write("m.json", LATIN_MAPPING);
    let out = sb
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--input-encoding", "windows-1252"])
        .args(["--delimiter", ";", "--description", "latin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let staged = ok(&sb, &["staged", "latin", "--json"]);
    assert!(staged.contains("Jürgen") && staged.contains("Müller"), "{staged}");
}

#[test]
fn a_review_file_saved_again_by_european_excel_applies() {
    let sb = Sandbox::new();
    import_submitted(&sb, "job");
    ok(&sb, &["match", "job", "--within"]);
    ok(&sb, &["review", "job", "--export", "review.csv"]);
    let bytes = std::fs::read(sb.join("review.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    // Excel in Germany: `;`, windows-1252, no BOM, quotes only where needed, CRLF.
    let mut text = headers.join(";") + "\r\n";
    let mut changed = None;
    for row in reader.records() {
        let mut cells: Vec<String> = row.unwrap().iter().map(String::from).collect();
        if changed.is_none() && cells[col("chosen_action")] != "Create" {
            cells[col("chosen_action")] = "Create".into();
            cells[col("first_name")] = "Jürgen".into();
            changed = Some(cells[col("staged_id")].clone());
        }
        let quoted: Vec<String> =
            cells
                .iter()
                .map(|c| {
                    if c.contains([';', '"']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c.clone() }
                })
                .collect();
        text.push_str(&(quoted.join(";") + "\r\n"));
    }
    let (latin, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    assert!(latin.contains(&0xfc), "a windows-1252 ü");
    sb.write("excel.csv", &latin);
    let out = sb.ferry().args(["review", "job", "--apply", "excel.csv", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let applied: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(applied["rows"], 30);
    assert_eq!(applied["changed"], 1);
    let staged = changed.unwrap();
    let action = crate::import::sql_i64(
        &sb,
        &format!("SELECT count(*) FROM staged WHERE id = {staged} AND action = 'Create'"),
    );
    assert_eq!(action, 1);

    // Tabs work too; a file without the columns says what it read.
    sb.write("tabs.csv", text.replace(';', "\t"));
    ok(&sb, &["review", "job", "--apply", "tabs.csv"]);
    sb.write("other.csv", "id;action\r\n1;Create\r\n");
    let bad = sb.ferry().args(["review", "job", "--apply", "other.csv"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(err.contains("needs the columns `staged_id` and `chosen_action`"), "{err}");
    assert!(err.contains("with `;` between columns, has `id`, `action`"), "{err}");
}

#[test]
fn the_template_csv_has_the_bom_and_crlf_of_the_other_csvs() {
    let sb = Sandbox::new();
    ok(&sb, &["template", "leads", "-o", "leads.csv"]);
    let bytes = std::fs::read(sb.join("leads.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF\""), "{bytes:?}");
    assert!(bytes.ends_with(b"\"\r\n"), "{bytes:?}");
    assert_eq!(bytes.iter().filter(|b| **b == b'\n').count(), 1);
}

#[test]
fn messages_say_what_where_and_what_to_do() {
    let sb = Sandbox::new();
    // inspect of a non-zip: an error, not a warning, and no ZIP library words.
    sb.write("notes.zip", "just text");
    let out = sb.ferry().args(["inspect", "notes.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: `notes.zip` is not an import package: it is not a ZIP archive"), "{err}");
    assert!(!err.contains("EOCD") && !err.contains("warning"), "{err}");
    assert!(err.contains("hint: give a package written by `ferry pack`"), "{err}");
    // A mistyped target.
    let out = sb.ferry().args(["template", "contax"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown target `contax` (did you mean `contacts`?)"), "{}", stderr(&out));
    // A template with a typo'd key.
    sb.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "leads", "files": [{"name": "p.csv", "mappings": [{"colum": "First", "field": "firstName"}]}]}"#,
    );
    sb.write("data/p.csv", "First\nAnn\n");
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `column` instead of `colum`?"), "{}", stderr(&out));
    // pack's refusal is one error with the problems under it, not warnings.
    sb.write(
        "bad.json",
        r#"{"formatVersion": 1, "target": "leads", "files": [{"name": "p.csv", "mappings": [{"column": "First", "field": "lastName"}, {"column": "First", "field": "birthDate", "converter": {"kind": "date", "format": "%Y-%m-%d"}}]}]}"#,
    );
    let out =
        sb.ferry().args(["pack", "--data", "data", "--mapping", "bad.json", "-o", "p.zip"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: nothing packed: `ferry check` finds 5 errors in `data`:\n  `p.csv`"),
        "{err}"
    );
    assert!(!err.contains("warning:"), "{err}");
    assert!(err.trim_end().lines().last().unwrap().starts_with("hint: "), "{err}");
}
