//! One name for each thing: `--input-encoding` on every verb that reads legacy
//! files, `--mapping` for the template, global options under their own heading,
//! examples at the end of every verb's help.

use crate::util::{Sandbox, stderr, stdout};

const MAPPING: &str = r#"{"formatVersion": 1, "target": "leads", "files": [{"name": "people.csv", "mappings": [
    {"column": "First", "field": "firstName"}, {"column": "Last", "field": "lastName"},
    {"column": "Mail", "field": "email"}]}]}"#;

/// A windows-1252 file with `;`: `Jürgen Müller` only reads right when the encoding is given.
fn latin_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("data/people.csv", b"First;Last;Mail\nJ\xfcrgen;M\xfcller;j@example.com\n");
    sb.write("m.json", MAPPING);
    sb
}

#[test]
fn input_encoding_is_accepted_by_profile_check_pack_and_map() {
    let sb = latin_sandbox();
    let enc = ["--input-encoding", "windows-1252"];
    let profile = sb.ferry().args(["profile", "--json", "data/people.csv"]).args(enc).output().unwrap();
    assert!(profile.status.success(), "{}", stderr(&profile));
    assert!(stdout(&profile).contains("Jürgen"), "{}", stdout(&profile));
    let check =
        sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).args(enc).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let pack = sb
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip"])
        .args(enc)
        .output()
        .unwrap();
    assert_eq!(pack.status.code(), Some(0), "{}", stderr(&pack));
    let map = sb
        .ferry()
        .args(["map", "--auto", "--target", "leads", "--data", "data", "--out", "auto.json"])
        .args(enc)
        .output()
        .unwrap();
    assert_eq!(map.status.code(), Some(0), "{}", stderr(&map));
    let bad = sb.ferry().args(["profile", "data", "--input-encoding", "klingon"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("unknown encoding `klingon`"), "{}", stderr(&bad));
}

#[test]
fn the_cp_1252_spelling_names_windows_1252_on_every_reading_option() {
    let sb = latin_sandbox();
    let enc = ["--input-encoding", "CP-1252"];
    let profile = sb.ferry().args(["profile", "--json", "data/people.csv"]).args(enc).output().unwrap();
    assert!(profile.status.success(), "{}", stderr(&profile));
    assert!(stdout(&profile).contains("Jürgen"), "{}", stdout(&profile));
    let check =
        sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).args(enc).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    // The same spelling as a template's package encoding.
    sb.write(
        "m1252.json",
        MAPPING.replacen("\"formatVersion\": 1,", "\"formatVersion\": 1, \"encoding\": \"CP-1252\",", 1),
    );
    let pack = sb
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m1252.json", "--out", "p.zip"])
        .args(enc)
        .output()
        .unwrap();
    assert_eq!(pack.status.code(), Some(0), "{}", stderr(&pack));
}

#[test]
fn the_old_encoding_name_still_works_on_profile_and_check_with_a_warning() {
    let sb = latin_sandbox();
    let out = sb
        .ferry()
        .args(["check", "--data", "data", "--mapping", "m.json", "--encoding", "windows-1252"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("`--encoding` is now `--input-encoding`"), "{}", stderr(&out));
    let help = sb.ferry().args(["check", "--help"]).output().unwrap();
    assert!(!stdout(&help).contains("--encoding "), "hidden: {}", stdout(&help));
}

#[test]
fn map_takes_mapping_with_template_as_a_visible_alias() {
    let help = Sandbox::new().ferry().args(["map", "--help"]).output().unwrap();
    let text = stdout(&help);
    assert!(text.contains("--mapping <IN>"), "{text}");
    assert!(text.contains("[alias: --template]"), "{text}");
}

#[test]
fn global_options_have_their_own_heading_and_every_verb_has_examples() {
    let sb = Sandbox::new();
    let verbs = [
        "targets",
        "template",
        "profile",
        "map",
        "check",
        "diff",
        "pack",
        "inspect",
        "import",
        "jobs",
        "staged",
        "match",
        "review",
        "complete",
        "undo",
        "run",
        "export",
        "errors",
        "demo",
        "completions",
        "man",
        "schema",
        "serve",
        "users",
    ];
    for verb in verbs {
        let out = sb.ferry().args([verb, "--help"]).output().unwrap();
        assert!(out.status.success(), "{verb}: {}", stderr(&out));
        let help = stdout(&out);
        assert!(help.contains("Global options:\n"), "{verb}: {help}");
        let examples =
            help.rfind("Example").unwrap_or_else(|| panic!("{verb} --help has no examples: {help}"));
        assert!(help[examples..].contains(&format!("ferry {verb}")), "{verb}: {help}");
        assert!(help.trim_end().lines().last().unwrap().contains("ferry"), "{verb}: ends with an example");
    }
}
