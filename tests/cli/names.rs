//! Full names in one column (`Lee, Ann B.`, `Dr. Ann B. Lee Jr.`): the
//! `name` converter gives each part to its field, `map --auto` maps such a
//! column once per part where no column feeds the last name, an interactive
//! session offers the converter, and a cell naming two people is refused,
//! never blended into one.

use crate::util::{Sandbox, stderr, stdout};

/// (line, the record's plain fields as `name=value` pairs) of each staged record.
fn staged(s: &Sandbox) -> Vec<(i64, Vec<String>)> {
    s.staged_records()
        .into_iter()
        .map(|(line, v)| {
            let fields = ["title", "firstName", "middleName", "lastName", "suffix"]
                .iter()
                .filter_map(|f| v["f"][f].as_str().map(|x| format!("{f}={x}")))
                .collect();
            (line, fields)
        })
        .collect()
}

fn fields(pairs: &[&str]) -> Vec<String> {
    pairs.iter().map(|p| p.to_string()).collect()
}

#[test]
fn map_auto_splits_a_full_name_column_and_refuses_a_cell_naming_two_people() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "Contact ID,Full Name,City\n\
         1,\"Lee, Ann B.\",Toronto\n\
         2,Dr. Zoë O'Brien Jr.,Dublin\n\
         3,\"RAY, BOB\",Ottawa\n\
         4,Ann & Bob Smith,Halifax\n\
         5,Ludwig van Beethoven,Bonn\n",
    );
    let out = s.map_auto("contacts");
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("`Full Name`: full names, split into title, firstName, middleName, lastName, suffix"),
        "{said}"
    );
    assert!(said.contains("1 of 5 distinct values name two people or cannot be split"), "{said}");
    let template: serde_json::Value = s.template();
    let parts: Vec<(String, String)> = template["files"][0]["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["column"] == "Full Name")
        .map(|m| {
            (m["field"].as_str().unwrap().to_string(), m["converter"]["part"].as_str().unwrap().to_string())
        })
        .collect();
    let want = [
        ("title", "title"),
        ("firstName", "first"),
        ("middleName", "middle"),
        ("lastName", "last"),
        ("suffix", "suffix"),
    ]
    .map(|(f, p)| (f.to_string(), p.to_string()));
    assert_eq!(parts, want);

    // The household row is rejected once, saying why; every other row keeps its parts as written.
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let household: Vec<&str> = text.lines().filter(|l| l.contains("names more than one person")).collect();
    assert_eq!(
        household,
        [
            "error: `contacts.csv` line 5, column `Full Name`: `Ann & Bob Smith` names more than one person (`&`); give each person a row of their own; the field is required, so the row is rejected"
        ],
        "{text}"
    );
    assert!(text.contains("5 rows, 1 rejected"), "{text}");
    let out = s
        .ferry()
        .args(["pack", "--data", "data", "--mapping", "m.json", "--out", "p.zip", "--allow-errors"])
        .output()
        .unwrap();
    // Packed without the rejected row, which exits 1 to say so.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let inspect = stdout(&s.ferry().args(["inspect", "p.zip"]).output().unwrap());
    assert!(inspect.contains("the last name of a full name"), "{inspect}");
    let out = s.ferry().args(["import", "p.zip", "--description", "names"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        staged(&s),
        vec![
            (2, fields(&["firstName=Ann", "middleName=B.", "lastName=Lee"])),
            (3, fields(&["title=Dr.", "firstName=Zoë", "lastName=O'Brien", "suffix=Jr."])),
            (4, fields(&["firstName=BOB", "lastName=RAY"])),
            (6, fields(&["firstName=Ludwig", "lastName=van Beethoven"])),
        ]
    );
}

#[test]
fn a_file_with_a_last_name_column_keeps_its_name_column_as_it_was() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "Last Name,Name\nLee,Ann Lee\nRay,Bob Ray\n");
    s.map_auto("contacts");
    let text = std::fs::read_to_string(s.join("m.json")).unwrap();
    assert!(!text.contains("\"kind\": \"name\""), "{text}");
}

#[test]
fn an_interactive_session_offers_the_name_part_of_the_field_it_maps() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "Who\n\"Lee, Ann\"\nBob Ray\n");
    let answers = "All\nmap\nlastName\nWho\nname\nmap\nfirstName\nWho\nname\nnext\nsave\n";
    let out = s
        .ferry()
        .args(["map", "--target", "contacts", "--out", "m.json", "--data", "data"])
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let talk = stderr(&out);
    assert!(talk.contains("name: the last name of a full name"), "{talk}");
    assert!(talk.contains("Who → firstName  [first name]"), "{talk}");
    let out = s
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        staged(&s),
        vec![
            (2, fields(&["firstName=Ann", "lastName=Lee"])),
            (3, fields(&["firstName=Bob", "lastName=Ray"]))
        ]
    );
}

#[test]
fn a_first_name_naming_a_household_is_kept_with_a_warning() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "First,Last\nAnn & Bob,Smith\nAnderson,Lee\nMary and John,Roe\n");
    s.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "contacts", "files": [{"name": "contacts.csv", "mappings": [
            {"column": "First", "field": "firstName"}, {"column": "Last", "field": "lastName"}]}]}"#,
    );
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let warned: Vec<&str> = text.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(
        warned,
        [
            "warning: `contacts.csv` line 2, column `First`: `Ann & Bob` names more than one person (`&`), a household: it is kept as written, as one person's name; give each person a row of their own",
            "warning: `contacts.csv` line 4, column `First`: `Mary and John` names more than one person (`and`), a household: it is kept as written, as one person's name; give each person a row of their own",
        ],
        "{text}"
    );
}
