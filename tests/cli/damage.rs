//! What spreadsheets and Latin-1 steps do to an export before ferry reads it,
//! through the real binary: text once read as Windows-1252 (`JosÃ©`), numbers
//! shortened to scientific notation (`4.16556E+09`), error values (`#VALUE!`),
//! flags spelled several ways, and codes `map --auto` cannot place.

use crate::bad_input::contacts_template;
use crate::util::{Sandbox, stderr, stdout};

fn run(s: &Sandbox, verb: &str, args: &[&str]) -> std::process::Output {
    s.ferry().args([verb, "--data", "data", "--mapping", "m.json"]).args(args).output().unwrap()
}

/// An attribute of a staged record's first instance of `subcollection` (empty when none).
fn attribute(record: &serde_json::Value, subcollection: &str, key: &str) -> String {
    record["i"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i[0] == subcollection)
        .map_or(String::new(), |i| i[3][key].as_str().unwrap_or("").to_string())
}

fn import(s: &Sandbox) -> std::process::Output {
    s.ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "t"])
        .output()
        .unwrap()
}

#[test]
fn text_once_read_as_windows_1252_is_stored_repaired_with_a_warning() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\n1,JosÃ©,MuÃ±oz,from MontrÃ©al\n2,José,Müller,Zoë\n3,Ægir,Ørsted,naïve\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 2, column `First`: `JosÃ©` is UTF-8 text once read as Windows-1252 (mojibake): it is stored repaired, as `José`"),
        "{text}"
    );
    assert_eq!(text.matches("(mojibake)").count(), 3, "one per damaged cell, none for real accents: {text}");
    assert_eq!(import(&s).status.code(), Some(0));
    let names: Vec<(String, String, String)> = s
        .staged_records()
        .into_iter()
        .map(|(_, r)| {
            let f = |k: &str| r["f"][k].as_str().unwrap_or("").to_string();
            (f("firstName"), f("lastName"), f("notes"))
        })
        .collect();
    let own = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        names,
        vec![
            own("José", "Muñoz", "from Montréal"),
            own("José", "Müller", "Zoë"),
            own("Ægir", "Ørsted", "naïve")
        ]
    );
}

#[test]
fn numbers_a_spreadsheet_shortened_are_flagged_and_a_shortened_key_rejects_its_row() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note,Phone\n1.23457E+11,Ann,Lee,4.16556E+09,4.16556E+09\n1002,Bob,Roe,1.5E+2 cm,416-555-0101\n",
    );
    let template = serde_json::json!({
        "formatVersion": 1, "target": "contacts", "country": "CA",
        "files": [{ "name": "contacts.csv", "mappings": [
            { "column": "ID", "field": "externalId" },
            { "column": "First", "field": "firstName" },
            { "column": "Last", "field": "lastName" },
            { "column": "Note", "field": "notes" },
            { "column": "Phone", "field": "value", "subcollection": "Telcom", "typeName": "Business",
              "converter": { "kind": "phone" } }
        ]}]
    });
    s.write("m.json", template.to_string());
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let lost = "is a number a spreadsheet wrote in scientific notation: its last digits are lost; export the column formatted as text";
    // The key would name another record: the row is refused.
    assert!(
        text.contains(&format!("error: `contacts.csv` line 2, column `ID`: `1.23457E+11` {lost}; a key that may name another record: the row is rejected")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "warning: `contacts.csv` line 2, column `Note`: `4.16556E+09` {lost}; it is kept as written"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "warning: `contacts.csv` line 2, column `Phone`: `4.16556E+09` {lost}; it is kept as entered"
        )),
        "{text}"
    );
    // `1.5E+2 cm` is no number; the second row is clean.
    assert!(!text.contains("line 3"), "{text}");
    assert!(text.contains("`contacts.csv`: 2 rows, 1 rejected"), "{text}");
}

#[test]
fn spreadsheet_error_values_are_read_as_empty_by_map_auto() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,City\n1,Ann,Lee,#VALUE!\n2,Bob,#REF!,Paris\n3,Cy,Roe,?\n4,Di,Fox,Lyon\n",
    );
    let out = s.map_auto("contacts");
    let text = stdout(&out) + &stderr(&out);
    assert!(
        text.contains(
            "`contacts.csv` column `City`: `#VALUE!`, `?` read as empty (`nullValues`), not as a bad value"
        ),
        "{text}"
    );
    let out = run(&s, "pack", &["--out", "p.zip", "--allow-errors"]);
    assert!(s.join("p.zip").exists(), "{}{}", stdout(&out), stderr(&out));
    let out = s.ferry().args(["import", "p.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let staged = s.staged_records();
    // `#REF!` for a last name is no last name: the row is rejected, not stored as `#REF!`.
    assert_eq!(staged.iter().map(|(line, _)| *line).collect::<Vec<_>>(), vec![2, 4, 5]);
    for (line, r) in &staged {
        let city =
            r["i"].as_array().unwrap().iter().find(|i| i[0] == "Address").map(|i| i[3]["city"].clone());
        assert!(
            matches!(city.as_ref().and_then(|c| c.as_str()), None | Some("Paris") | Some("Lyon")),
            "line {line}: {r}"
        );
    }
}

#[test]
fn a_flag_spelled_several_ways_is_read_and_a_word_that_is_no_flag_is_never_read_as_false() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,Do Not Call,Gender\n\
         1,Ann,Lee,Y,F\n2,Bob,Roe,no,M\n3,Cy,Fox,TRUE,1\n4,Di,Poe,0,Female\n5,Ed,Orr,Unknown,m\n6,Flo,Ash,yes,F\n7,Gus,Elm,N,M\n",
    );
    let out = s.map_auto("contacts");
    let text = stdout(&out) + &stderr(&out);
    let t = s.template();
    let flag =
        t["files"][0]["mappings"].as_array().unwrap().iter().find(|m| m["column"] == "Do Not Call").unwrap();
    assert_eq!(flag["field"], "doNotContact", "{t}");
    assert_eq!(
        flag["converter"]["table"],
        serde_json::json!({"Y": true, "no": false, "TRUE": true, "0": false, "yes": true, "N": false}),
        "`Unknown` stays out of the table: {t}"
    );
    assert!(
        text.contains("`contacts.csv` column `Do Not Call`: `Unknown` is no word for true or false: left out of the table"),
        "{text}"
    );
    assert!(text.contains("`contacts.csv` column `Gender`: `1` names no `gender` (it takes `Male`, `Female`, `Unknown`): left out of the table"), "{text}");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert!(
        text.contains(
            "warning: `contacts.csv` line 6, column `Do Not Call`: `Unknown` is not in the boolean table"
        ),
        "{text}"
    );
    assert!(
        text.contains("warning: `contacts.csv` line 4, column `Gender`: `1` is not in the enumeration table"),
        "{text}"
    );
    assert_eq!(import(&s).status.code(), Some(0));
    let flags: Vec<Option<bool>> =
        s.staged_records().iter().map(|(_, r)| r["f"]["doNotContact"].as_bool()).collect();
    assert_eq!(flags, vec![Some(true), Some(false), Some(true), Some(false), None, Some(true), Some(false)]);
}

#[test]
fn cells_written_for_a_spreadsheet_to_keep_as_text_are_read_as_the_text_and_us_zips_get_their_zeros_back() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,Zip,Phone,Country\n\
         =\"00123\",Ann,O'Brien,=\"02134\",=\"6175550101\",USA\n\
         '00124,Bob,'Tis,'02134-1234,'+1 617 555 0102,US\n\
         125,Cy,Fox,2134,617-555-0103,United States\n\
         126,Di,Poe,501,617-555-0104,\n\
         128,Flo,Ash,501,617-555-0105,usa\n\
         127,Ed,Orr,1010,01 42 68 53 00,Austria\n",
    );
    let out = s.ferry().args(["--json", "profile", "data"]).output().unwrap();
    assert!(stdout(&out).contains("6175550101"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("=\\\"00123"), "{}", stdout(&out));
    let out = s.map_auto("contacts");
    let text = stdout(&out) + &stderr(&out);
    assert!(text.contains("country of the data: US"), "{text}");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert!(
        text.contains("warning: `contacts.csv` line 4, column `Zip`: `2134` is a US ZIP code whose leading zero a spreadsheet dropped (ZIP codes have five digits): it is stored as `02134`"),
        "{text}"
    );
    // Only a row whose address names the US: Austria's codes have four digits,
    // and a row naming no country may be of any.
    assert!(!text.contains("line 5, column `Zip`"), "{text}");
    assert!(!text.contains("line 7, column `Zip`"), "{text}");
    assert!(text.contains("line 6, column `Zip`: `501`"), "{text}");
    assert_eq!(import(&s).status.code(), Some(0));
    let rows: Vec<(String, String, String, String)> = s
        .staged_records()
        .iter()
        .map(|(_, r)| {
            let sub = |name: &str, key: &str| attribute(r, name, key);
            let last = r["f"]["lastName"].as_str().unwrap().to_string();
            (sub("UserField", "value"), last, sub("Address", "zip"), sub("Telcom", "value"))
        })
        .collect();
    let own =
        |a: &str, b: &str, c: &str, d: &str| (a.to_string(), b.to_string(), c.to_string(), d.to_string());
    assert_eq!(
        rows,
        vec![
            own("00123", "O'Brien", "02134", "+1 617-555-0101"),
            own("00124", "'Tis", "02134-1234", "+1 617-555-0102"),
            own("125", "Fox", "02134", "+1 617-555-0103"),
            own("126", "Poe", "501", "+1 617-555-0104"),
            own("128", "Ash", "00501", "+1 617-555-0105"),
            own("127", "Orr", "1010", "+43 1 42685300"),
        ]
    );
}

#[test]
fn nul_characters_are_removed_with_a_warning_and_a_joined_exports_byte_order_mark_is_no_person() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Note\r\n1,Ann,Ro\u{0}e,one\u{b}two\r\n\u{feff}ID,First,Last,Note\r\n2,Bob,Lee,\u{7}bell\r\n",
    );
    s.write("m.json", contacts_template("contacts.csv"));
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: `contacts.csv` line 2, column `Last`: `Ro\\u{0}e` holds NUL characters (U+0000), which no text has (a fixed-width field's padding): they are removed, `Roe` is stored"),
        "{text}"
    );
    assert!(text.contains("warning: `contacts.csv` line 3: the row repeats the header"), "{text}");
    // Other control characters stay as exported (shown escaped).
    assert!(!text.contains("line 4"), "{text}");
    assert_eq!(import(&s).status.code(), Some(0));
    let rows: Vec<(i64, String, String)> = s
        .staged_records()
        .into_iter()
        .map(|(line, r)| {
            (line, r["f"]["lastName"].as_str().unwrap().into(), r["f"]["notes"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(rows, vec![(2, "Roe".into(), "one\ntwo".into()), (4, "Lee".into(), "\u{7}bell".into())]);
}

#[test]
fn map_auto_says_when_a_column_of_amounts_mixes_currencies() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,Last Name,Income\n1,Ames,$1200\n2,Baker,\"1.234,50 €\"\n3,Cole,USD 900\n",
    );
    let out = s.map_auto("contacts");
    let text = stdout(&out) + &stderr(&out);
    assert!(
        text.contains("`contacts.csv` column `Income`: amounts in 2 currencies (USD, EUR): each is stored as a plain number, so they would be mixed"),
        "{text}"
    );
    // One currency, written two ways, is no mix.
    s.write("data/contacts.csv", "ID,Last Name,Income\n1,Ames,$1200\n2,Baker,USD 900\n");
    let out = s.map_auto("contacts");
    assert!(!(stdout(&out) + &stderr(&out)).contains("currencies"), "{}", stdout(&out));
}

#[test]
fn a_child_row_whose_parent_id_lost_its_zeros_is_refused_with_the_id_it_meant() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "ID,First Name,Last Name\n00123,Ann,Lee\n00124,Bob,Roe\n125,Cy,Fox\n");
    s.write("data/phones.csv", "CONTACT_ID,TYPE,NUMBER\n123,h,416-555-0101\n124.0,W,416-555-0102\n00123,M,416-555-0104\n99,H,416-555-0199\n");
    s.map_auto("contacts");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let hint = "the same number written otherwise (a spreadsheet drops leading zeros and writes `.0`): write the ids of both files alike";
    assert!(
        text.contains(&format!("error: `phones.csv` line 2, column `CONTACT_ID`: parent `123` is not in `contacts.csv` (column `ID`); `00123` is, {hint}")),
        "{text}"
    );
    assert!(
        text.contains(&format!("parent `124.0` is not in `contacts.csv` (column `ID`); `00124` is, {hint}")),
        "{text}"
    );
    // An id no parent writes in any form gets no such hint.
    assert!(text.contains("parent `99` is not in `contacts.csv` (column `ID`)\n"), "{text}");
    assert!(text.contains("`phones.csv`: 4 rows, 3 rejected"), "{text}");
}

#[test]
fn integers_a_program_wrote_as_floats_are_read_as_integers() {
    let s = Sandbox::new();
    // pandas writes a column of integers with empty cells as floats.
    s.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,Phone,Zip,Children,Country\n\
         1.0,Ann,Lee,6175550101.0,2134.0,2.0,USA\n2.0,Bob,Roe,,90210.0,,USA\n3.0,Cy,Fox,6175550103.0,,1.0,USA\n",
    );
    s.map_auto("contacts");
    let out = run(&s, "check", &[]);
    let text = stdout(&out);
    assert!(!text.contains("is not a valid phone number"), "{text}");
    assert_eq!(import(&s).status.code(), Some(0));
    let rows: Vec<(Option<i64>, String, String)> = s
        .staged_records()
        .iter()
        .map(|(_, r)| {
            let sub = |name: &str, key: &str| attribute(r, name, key);
            (r["f"]["numberOfChildren"].as_i64(), sub("Telcom", "value"), sub("Address", "zip"))
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (Some(2), "+1 617-555-0101".to_string(), "02134".to_string()),
            (None, String::new(), "90210".to_string()),
            (Some(1), "+1 617-555-0103".to_string(), String::new()),
        ]
    );
}

#[test]
fn profile_names_the_damage_before_a_template_is_made() {
    let s = Sandbox::new();
    s.write(
        "data/contacts.csv",
        "ID,First,Last,Phone\n1,JosÃ©,Lee,4.16556E+09\n2,RenÃ©e,Roe,4.16556E+09\n3,Zoë,Fox,416-555-0101\n",
    );
    let out = s.ferry().args(["profile", "data"]).output().unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("  `First`: 2 values are UTF-8 text once read as Windows-1252 (`JosÃ©` for `José`): check and import store them repaired"),
        "{text}"
    );
    assert!(
        text.contains("  `Phone`: 2 values are numbers a spreadsheet wrote in scientific notation (`4.16556E+09`): the last digits are lost"),
        "{text}"
    );
    assert!(!text.contains("`Last`:"), "{text}");
    let out = s.ferry().args(["--json", "profile", "data"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json[0]["columns"][1]["damaged"],
        serde_json::json!([{"kind": "mojibake", "count": 2, "example": "JosÃ©"}]),
        "{json}"
    );
    assert!(json[0]["columns"][2].get("damaged").is_none(), "{json}");
}
