//! Tests of `ferry map`: a whole session from piped answers, a session on a
//! pseudo-terminal, resuming a template unchanged, `--auto` against the
//! bundled Outlook and Google examples, and the ready templates checking clean.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{Sandbox, repo_file, stderr, stdout};

fn three_tables() -> std::path::PathBuf {
    repo_file("templates/examples/three-tables")
}

/// `ferry check` of a template over a data location: exits 0 with no errors.
fn assert_checks_clean(sandbox: &Sandbox, data: &Path, mapping: &Path) {
    let out =
        sandbox.ferry().arg("check").arg("--data").arg(data).arg("--mapping").arg(mapping).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("0 errors"), "{}", stdout(&out));
}

fn target_label(m: &serde_json::Value) -> String {
    let field = m["field"].as_str().unwrap();
    match (m["subcollection"].as_str(), m["typeName"].as_str()) {
        (Some(s), Some(t)) => match m["instance"].as_u64() {
            Some(n) if n > 1 => format!("{s}[{t} #{n}].{field}"),
            _ => format!("{s}[{t}].{field}"),
        },
        _ => field.to_string(),
    }
}

fn mappings_of<'a>(template: &'a serde_json::Value, file: &str) -> &'a Vec<serde_json::Value> {
    template["files"].as_array().unwrap().iter().find(|f| f["name"] == file).unwrap()["mappings"]
        .as_array()
        .unwrap()
}

#[test]
fn a_whole_session_from_piped_answers_saves_a_template_that_checks_clean() {
    let sb = Sandbox::new();
    let answers = std::fs::read(repo_file("test-data/map/three-tables.answers")).unwrap();
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "mapping.json", "--data"])
        .arg(three_tables())
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let talk = stderr(&out);
    assert!(talk.contains("addresses.csv  (9 columns"), "the files are listed with their columns:\n{talk}");
    assert!(talk.contains("e.g. `Jonathan`"), "choices show sample values:\n{talk}");
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("mapping.json")).unwrap()).unwrap();

    let contacts: BTreeMap<String, (String, serde_json::Value)> = mappings_of(&t, "contacts.csv")
        .iter()
        .map(|m| (m["column"].as_str().unwrap().to_string(), (target_label(m), m["converter"].clone())))
        .collect();
    let conv = |c: &str| contacts[c].1.clone();
    assert_eq!(conv("BIRTH_DATE"), serde_json::json!({"kind": "date", "format": "%d/%m/%Y"}));
    assert_eq!(
        conv("LAST_CONTACT"),
        serde_json::json!({"kind": "timestamp", "format": "%Y-%m-%d %H:%M", "timeZone": "America/Toronto"})
    );
    assert_eq!(conv("DO_NOT_CALL"), serde_json::json!({"kind": "boolean", "table": {"N": false, "Y": true}}));
    assert_eq!(
        conv("GENDER"),
        serde_json::json!({"kind": "enumeration", "table": {"F": "Female", "M": "Male", "U": "Unknown"}})
    );
    assert_eq!(conv("NOTES"), serde_json::json!({"kind": "text", "text": "rtf2plain"}));
    assert_eq!(conv("INCOME"), serde_json::json!({"kind": "decimal"}));
    assert_eq!(conv("CHILDREN"), serde_json::json!({"kind": "integer"}));
    assert_eq!(contacts["SPOUSE"].0, "UserField[Spouse].value");
    let company = mappings_of(&t, "contacts.csv").iter().find(|m| m["column"] == "COMPANY").unwrap();
    assert_eq!(company["nullValue"], "Independent");
    let contacts_file = t["files"].as_array().unwrap().iter().find(|f| f["name"] == "contacts.csv").unwrap();
    assert!(contacts_file.get("nullDefault").is_none(), "the default was erased");

    // the copied row joined the Home address; the deleted and re-added fax row came back
    let addresses: Vec<String> = mappings_of(&t, "addresses.csv").iter().map(target_label).collect();
    assert!(addresses.contains(&"Address[Home].primary".to_string()), "{addresses:?}");
    let primary = mappings_of(&t, "addresses.csv").iter().find(|m| m["field"] == "primary").unwrap();
    assert_eq!(
        primary["converter"],
        serde_json::json!({"kind": "boolean", "table": {"N": false, "Y": true}})
    );
    let phones: Vec<String> = mappings_of(&t, "phones.csv").iter().map(target_label).collect();
    assert_eq!(
        phones,
        [
            "Telcom[Business].value",
            "Telcom[Business].extension",
            "Telcom[Home].value",
            "Telcom[Mobile].value",
            "Telcom[Business Fax].value"
        ]
    );
    let phones_file = t["files"].as_array().unwrap().iter().find(|f| f["name"] == "phones.csv").unwrap();
    assert_eq!(
        phones_file["parent"],
        serde_json::json!({"file": "contacts.csv", "column": "CONTACT_ID", "parentColumn": "CONTACT_ID"})
    );
    assert_checks_clean(&sb, &three_tables(), &sb.join("mapping.json"));
}

#[test]
fn resuming_a_template_and_accepting_every_default_writes_an_identical_file() {
    let sb = Sandbox::new();
    let original = repo_file("templates/mappings/three-tables.json");
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "again.json", "--data"])
        .arg(three_tables())
        .arg("--template")
        .arg(&original)
        .write_stdin("\n".repeat(40))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Identical but for `$schema`: the original's relative path would not resolve from the copy.
    let again = std::fs::read_to_string(sb.join("again.json")).unwrap();
    let original = std::fs::read_to_string(&original).unwrap();
    assert!(original.contains("\"$schema\": \"../../schemas/mapping.schema.json\""));
    assert!(again.contains("\"$schema\": \"https://ferry.dev/schemas/mapping.schema.json\""), "{again}");
    assert_eq!(
        again.replace("https://ferry.dev/schemas/mapping.schema.json", "../../schemas/mapping.schema.json"),
        original
    );
}

#[test]
fn resuming_reports_columns_the_data_lacks() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "CONTACT_ID,LAST_NAME\nC1,Lee\n");
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "m.json", "--data", "data", "--template"])
        .arg(repo_file("templates/mappings/three-tables.json"))
        .write_stdin("\n".repeat(40))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let talk = stderr(&out);
    assert!(
        talk.contains("the template names columns that `contacts.csv` lacks: `SALUTATION`, `FIRST_NAME`"),
        "{talk}"
    );
    assert!(talk.contains("the template maps `addresses.csv`, which the data location lacks"), "{talk}");
}

#[test]
fn too_few_answers_write_nothing_and_exit_2() {
    let sb = Sandbox::new();
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "m.json", "--data"])
        .arg(three_tables())
        .write_stdin("Address\ncontacts.csv\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let talk = stderr(&out);
    assert!(talk.contains("the answers ended (after line 2) before the session did"), "{talk}");
    assert!(talk.contains("hint: nothing was written"), "{talk}");
    assert!(!sb.join("m.json").exists());
}

#[test]
fn an_answer_that_does_not_fit_names_its_line() {
    let sb = Sandbox::new();
    sb.write(
        "answers.txt",
        "# addresses.csv\nAll\nno: a main file\nnext\n# contacts.csv\nAll\n1\nmap\nbirthDate\nBIRTH_DATE\nother\n%Y-%m-%d\n",
    );
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "m.json", "--answers", "answers.txt", "--data"])
        .arg(three_tables())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let talk = stderr(&out);
    assert!(
        talk.contains("answers.txt` line 12: format `%Y-%m-%d` does not read the sample value"),
        "{talk}"
    );
    assert!(!sb.join("m.json").exists());
}

#[test]
fn help_documents_the_answer_format() {
    let out = Sandbox::new().ferry().args(["map", "--help"]).output().unwrap();
    let help = stdout(&out);
    assert!(help.contains("one answer per line"), "{help}");
    assert!(help.contains("an empty line takes the default"), "{help}");
}

#[test]
fn a_terminal_session_uses_dialoguer_prompts_and_ctrl_c_writes_nothing() {
    let sb = Sandbox::new();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.current_dir(sb.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("FERRY_DB", sb.join("ferry.db"))
        .args(["map", "--target", "contacts", "--out", "m.json", "--data"])
        .arg(three_tables());
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    p.exp_string("type of data in `addresses.csv`").unwrap();
    // Down, Enter: the widget moves off the suggested `Address` and takes the next category.
    p.send("\x1b[B").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("children of another file").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert!(!sb.join("m.json").exists(), "an interrupted session writes nothing");
}

/// The mapping a person would make of the bundled Outlook example (`-`: not imported).
const OUTLOOK: &[(&str, &str)] = &[
    ("First Name", "firstName"),
    ("Middle Name", "middleName"),
    ("Last Name", "lastName"),
    ("Title", "title"),
    ("Suffix", "suffix"),
    ("Initials", "-"),
    ("Web Page", "UserField[Web Page].value"),
    ("Gender", "gender"),
    ("Birthday", "birthDate"),
    ("Anniversary", "UserField[Anniversary].value"),
    ("Location", "-"),
    ("Language", "language"),
    ("Internet Free Busy", "-"),
    ("Notes", "notes"),
    ("E-mail Address", "Telcom[Email].value"),
    ("E-mail 2 Address", "Telcom[Email #2].value"),
    ("E-mail 3 Address", "Telcom[Email #3].value"),
    ("Primary Phone", "Telcom[Business #3].value"),
    ("Home Phone", "Telcom[Home].value"),
    ("Home Phone 2", "Telcom[Home #2].value"),
    ("Mobile Phone", "Telcom[Mobile].value"),
    ("Pager", "Telcom[Pager].value"),
    ("Home Fax", "Telcom[Home Fax].value"),
    ("Home Address", "-"),
    ("Home Street", "Address[Home].line1"),
    ("Home Street 2", "Address[Home].line2"),
    ("Home Street 3", "Address[Home].line3"),
    ("Home Address PO Box", "-"),
    ("Home City", "Address[Home].city"),
    ("Home State", "Address[Home].state"),
    ("Home Postal Code", "Address[Home].zip"),
    ("Home Country", "Address[Home].country"),
    ("Spouse", "UserField[Spouse].value"),
    ("Children", "UserField[Children].value"),
    ("Manager's Name", "UserField[Manager's Name].value"),
    ("Assistant's Name", "UserField[Assistant's Name].value"),
    ("Referred By", "UserField[Referred By].value"),
    ("Company Main Phone", "Telcom[Business #4].value"),
    ("Business Phone", "Telcom[Business].value"),
    ("Business Phone 2", "Telcom[Business #2].value"),
    ("Business Fax", "Telcom[Business Fax].value"),
    ("Assistant's Phone", "Telcom[Business #5].value"),
    ("Company", "company"),
    ("Job Title", "jobTitle"),
    ("Department", "department"),
    ("Office Location", "UserField[Office Location].value"),
    ("Organizational ID Number", "-"),
    ("Profession", "UserField[Profession].value"),
    ("Account", "-"),
    ("Business Address", "-"),
    ("Business Street", "Address[Business].line1"),
    ("Business Street 2", "Address[Business].line2"),
    ("Business Street 3", "Address[Business].line3"),
    ("Business Address PO Box", "-"),
    ("Business City", "Address[Business].city"),
    ("Business State", "Address[Business].state"),
    ("Business Postal Code", "Address[Business].zip"),
    ("Business Country", "Address[Business].country"),
    ("Other Phone", "Telcom[Other].value"),
    ("Other Fax", "Telcom[Other #2].value"),
    ("Other Address", "-"),
    ("Other Street", "Address[Other].line1"),
    ("Other Street 2", "Address[Other].line2"),
    ("Other Street 3", "Address[Other].line3"),
    ("Other Address PO Box", "-"),
    ("Other City", "Address[Other].city"),
    ("Other State", "Address[Other].state"),
    ("Other Postal Code", "Address[Other].zip"),
    ("Other Country", "Address[Other].country"),
    ("Callback", "-"),
    ("Car Phone", "-"),
    ("ISDN", "-"),
    ("Radio Phone", "-"),
    ("TTY/TDD Phone", "-"),
    ("Telex", "-"),
    ("User 1", "UserField[User 1].value"),
    ("User 2", "-"),
    ("User 3", "-"),
    ("User 4", "-"),
    ("Keywords", "-"),
    ("Mileage", "-"),
    ("Hobby", "UserField[Hobby].value"),
    ("Billing Information", "-"),
    ("Directory Server", "-"),
    ("Sensitivity", "-"),
    ("Priority", "-"),
    ("Private", "-"),
    ("Categories", "Category[Category].name"),
];

/// The mapping a person would make of the bundled Google Contacts example.
const GOOGLE: &[(&str, &str)] = &[
    ("First Name", "firstName"),
    ("Middle Name", "middleName"),
    ("Last Name", "lastName"),
    ("Phonetic First Name", "-"),
    ("Phonetic Middle Name", "-"),
    ("Phonetic Last Name", "-"),
    ("Name Prefix", "title"),
    ("Name Suffix", "suffix"),
    ("Nickname", "nickname"),
    ("File As", "-"),
    ("Organization Name", "company"),
    ("Organization Title", "jobTitle"),
    ("Organization Department", "department"),
    ("Birthday", "birthDate"),
    ("Notes", "notes"),
    ("Photo", "-"),
    ("Labels", "Category[Category].name"),
    ("E-mail 1 - Label", "-"),
    ("E-mail 1 - Value", "Telcom[Email].value"),
    ("E-mail 2 - Label", "-"),
    ("E-mail 2 - Value", "Telcom[Personal Email].value"),
    ("Phone 1 - Label", "-"),
    ("Phone 1 - Value", "Telcom[Mobile].value"),
    ("Phone 2 - Label", "-"),
    ("Phone 2 - Value", "Telcom[Business].value"),
    ("Phone 3 - Label", "-"),
    ("Phone 3 - Value", "Telcom[Home].value"),
    ("Address 1 - Label", "-"),
    ("Address 1 - Formatted", "-"),
    ("Address 1 - Street", "Address[Home].line1"),
    ("Address 1 - City", "Address[Home].city"),
    ("Address 1 - PO Box", "-"),
    ("Address 1 - Region", "Address[Home].state"),
    ("Address 1 - Postal Code", "Address[Home].zip"),
    ("Address 1 - Country", "Address[Home].country"),
    ("Address 1 - Extended Address", "Address[Home].line2"),
    ("Address 2 - Label", "-"),
    ("Address 2 - Formatted", "-"),
    ("Address 2 - Street", "Address[Business].line1"),
    ("Address 2 - City", "Address[Business].city"),
    ("Address 2 - PO Box", "-"),
    ("Address 2 - Region", "Address[Business].state"),
    ("Address 2 - Postal Code", "Address[Business].zip"),
    ("Address 2 - Country", "Address[Business].country"),
    ("Address 2 - Extended Address", "Address[Business].line2"),
    ("Website 1 - Label", "-"),
    ("Website 1 - Value", "UserField[Website 1].value"),
    ("Relation 1 - Label", "-"),
    ("Relation 1 - Value", "UserField[Relation 1].value"),
    ("Custom Field 1 - Label", "CustomField[Custom].name"),
    ("Custom Field 1 - Value", "CustomField[Custom].value"),
];

/// `--auto` over an example: at least 90 % of all columns, and of the columns a
/// person maps, get the expected decision; the suggested template checks clean.
fn auto_matches(example: &str, expected: &[(&str, &str)]) {
    let sb = Sandbox::new();
    let data = repo_file(&format!("templates/examples/{example}"));
    let out = sb
        .ferry()
        .args(["--json", "map", "--auto", "--target", "contacts", "--out", "auto.json", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("--json prints only JSON");
    let mut got: BTreeMap<String, String> = BTreeMap::new();
    for d in report["mapped"].as_array().unwrap().iter().chain(report["unmapped"].as_array().unwrap()) {
        assert!(d["confidence"].as_f64().is_some_and(|c| (0.0..=1.0).contains(&c)), "{d}");
        got.insert(
            d["column"].as_str().unwrap().to_string(),
            d["target"].as_str().unwrap_or("-").to_string(),
        );
    }
    assert_eq!(got.len(), expected.len(), "every column gets a decision");
    let wrong: Vec<String> = expected
        .iter()
        .filter(|(c, t)| got.get(*c).map(String::as_str) != Some(*t))
        .map(|(c, t)| format!("`{c}`: expected {t}, got {}", got.get(*c).map_or("nothing", String::as_str)))
        .collect();
    let mapped_total = expected.iter().filter(|(_, t)| *t != "-").count();
    let mapped_right =
        expected.iter().filter(|(c, t)| *t != "-" && got.get(*c).map(String::as_str) == Some(*t)).count();
    assert!(wrong.len() * 10 <= expected.len(), "{example}: more than 10 % wrong:\n{}", wrong.join("\n"));
    assert!(
        mapped_right * 10 >= mapped_total * 9,
        "{example}: {mapped_right} of {mapped_total} mapped right:\n{}",
        wrong.join("\n")
    );
    assert_checks_clean(&sb, &data, &sb.join("auto.json"));
}

#[test]
fn auto_maps_the_outlook_example() {
    auto_matches("outlook", OUTLOOK);
}

#[test]
fn auto_maps_the_google_example() {
    auto_matches("google", GOOGLE);
}

#[test]
fn auto_prints_a_table_of_decisions() {
    let sb = Sandbox::new();
    let out = sb
        .ferry()
        .args(["map", "--auto", "--target", "contacts", "--out", "auto.json", "--data"])
        .arg(three_tables())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    let line = table.lines().find(|l| l.contains("BIRTH_DATE")).unwrap();
    assert!(line.contains("birthDate") && line.contains("95%"), "{line}");
    let line = table.lines().find(|l| l.starts_with("phones.csv") && l.contains("PHONE_ID")).unwrap();
    assert!(line.contains("an identifier with no matching field"), "{line}");
    assert!(stderr(&out).contains("mapped 27 of 31 columns (4 left unmapped)"), "{}", stderr(&out));
}

#[test]
fn the_ready_templates_check_clean_on_their_examples() {
    let sb = Sandbox::new();
    for (template, example) in [
        ("outlook-contacts.json", "outlook"),
        ("google-contacts.json", "google"),
        ("three-tables.json", "three-tables"),
    ] {
        assert_checks_clean(
            &sb,
            &repo_file(&format!("templates/examples/{example}")),
            &repo_file(&format!("templates/mappings/{template}")),
        );
    }
}

#[test]
fn a_terminal_session_taking_every_suggestion_saves_the_suggested_template() {
    let sb = Sandbox::new();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"));
    cmd.current_dir(sb.path())
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .env("FERRY_DB", sb.join("ferry.db"))
        .args(["map", "--target", "contacts", "--out", "m.json", "--data"])
        .arg(three_tables());
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    for prompt in [
        "type of data in `addresses.csv`",
        "children of another file",
        "which column of `addresses.csv` holds the parent's id?",
        "which column of `contacts.csv` does `CONTACT_ID` refer to?",
        "`addresses.csv`: what next?",
        "type of data in `contacts.csv`",
        "children of another file",
        "`contacts.csv`: what next?",
        "type of data in `phones.csv`",
        "children of another file",
        "holds the parent's id?",
        "does `CONTACT_ID` refer to?",
        "`phones.csv`: what next?",
        "what now?",
    ] {
        p.exp_string(prompt).unwrap();
        p.send("\r").unwrap();
        p.flush().unwrap();
    }
    p.exp_eof().unwrap();
    let auto = sb
        .ferry()
        .args(["map", "--auto", "--target", "contacts", "--out", "auto.json", "--data"])
        .arg(three_tables())
        .output()
        .unwrap();
    assert_eq!(auto.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(sb.join("m.json")).unwrap(),
        std::fs::read_to_string(sb.join("auto.json")).unwrap()
    );
}

#[test]
fn pack_writes_the_package_once_the_session_saves() {
    let sb = Sandbox::new();
    let answers = std::fs::read(repo_file("test-data/map/three-tables.answers")).unwrap();
    let out = sb
        .ferry()
        .args(["map", "--target", "contacts", "--out", "mapping.json", "--pack", "pkg.zip", "--data"])
        .arg(three_tables())
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(sb.join("mapping.json").exists());
    let zip = zip::ZipArchive::new(std::fs::File::open(sb.join("pkg.zip")).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    for member in ["fileMappings.xml", "contacts.csv", "addresses.csv", "phones.csv", "contacts_mappings.xml"]
    {
        assert!(names.iter().any(|n| n == member), "{member} missing from {names:?}");
    }
}

/// A file default applied to every field, then Email and Phone set to none:
/// the template says so (`"nullValue": ""`), and the staged leads keep those
/// empty cells empty while Company takes the default.
#[test]
fn a_field_set_to_no_null_converter_beats_the_file_default() {
    let sb = Sandbox::new();
    sb.write(
        "data/leads.csv",
        "First Name,Last Name,Email Address,Phone,Company\n\
         Ann,Lee,ann@example.com,,\n\
         Bob,Ray,,555-0101,Acme\n",
    );
    let answers = "All\nnull\ndefault\nUnknown Co\napply\nfield\nemail ← Email Address\n-\n\
                   field\nphone ← Phone\n-\nback\nreview\nnext\nsave\n";
    let out = sb
        .ferry()
        .args(["map", "--target", "leads", "--out", "m.json", "--data", "data"])
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("email  [email]  null → none"), "the review shows none:\n{}", stderr(&out));
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("m.json")).unwrap()).unwrap();
    let null_of = |field: &str| {
        mappings_of(&t, "leads.csv").iter().find(|m| m["field"] == field).unwrap()["nullValue"].clone()
    };
    assert_eq!(null_of("email"), "");
    assert_eq!(null_of("phone"), "");
    assert_eq!(null_of("company"), "Unknown Co");

    crate::import::pack(&sb, &sb.join("data"), &sb.join("m.json"), "leads.zip");
    let out = sb.ferry().args(["import", "leads.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let staged = |sql: &str| {
        let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
        conn.query_row(sql, [], |r| r.get::<_, Option<String>>(0)).unwrap()
    };
    assert_eq!(staged("SELECT phone FROM staged WHERE last_name = 'Lee'"), None);
    assert_eq!(staged("SELECT email FROM staged WHERE last_name = 'Ray'"), None);
    assert_eq!(
        staged("SELECT json_extract(record, '$.f.company') FROM staged WHERE last_name = 'Lee'").as_deref(),
        Some("Unknown Co"),
        "{:?}",
        staged("SELECT record FROM staged WHERE last_name = 'Lee'")
    );
}
