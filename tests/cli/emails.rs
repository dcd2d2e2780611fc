//! E-mail addresses as exports write them: the `email` converter reads the
//! address out of spaces, capitals, a `mailto:` link, a display name and a
//! list's trailing `;`, and stores it in lower case; text that is no single
//! address is kept as entered, with a warning; `map --auto` proposes the
//! converter for a column of addresses only; matching compares addresses
//! stored as text the same way.

use crate::util::{Sandbox, stderr, stdout};

/// The e-mail addresses (Telcom `Email` values) of each staged record, in line order.
fn emails(s: &Sandbox) -> Vec<Vec<String>> {
    s.staged_records()
        .into_iter()
        .map(|(_, v)| {
            // Instances are `[subcollection, type name, instance, attributes]`.
            v["i"]
                .as_array()
                .map(|a| a.as_slice())
                .unwrap_or_default()
                .iter()
                .filter(|i| i[0] == "Telcom" && i[1] == "Email")
                .map(|i| i[3]["value"].as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

const EXPORT: &str = "ID,First,Last,Email,Phone\n\
    1,José,Muñoz, JOSE.MUNOZ@EXAMPLE.COM ,416-555-0101\n\
    2,Renée,Côté,mailto:renee.cote@example.com,416-555-0102\n\
    3,Jürgen,Müller,jurgen.muller@example.com;,416-555-0103\n\
    4,Zoe,O'Brien,\"Zoe O'Brien <zoe.obrien@example.com>\",416-555-0104\n\
    5,Ann,Lee,ann.lee@example.com,416-555-0105\n\
    6,Bo,Ray,\"bo@example.com; bo.ray@example.org\",416-555-0106\n\
    7,Cy,Oh,cy at example dot com,416-555-0107\n";

#[test]
fn addresses_are_read_out_of_their_wrapping_and_the_rest_kept_as_entered_with_a_warning() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", EXPORT);
    let out = s.map_auto("contacts");
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains("`Email`: e-mail addresses, written in lower case"), "{said}");
    assert!(
        said.contains("1 of 7 hold several addresses: each is stored as an e-mail of its own where the field is a list (`Telcom`), else kept as entered, with a warning; 1 of 7 are no single address: they are kept as entered, with a warning"),
        "{said}"
    );
    let template: serde_json::Value = s.template();
    let email =
        template["files"][0]["mappings"].as_array().unwrap().iter().find(|m| m["column"] == "Email").cloned();
    assert_eq!(email.unwrap()["converter"], serde_json::json!({"kind": "email"}));

    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("warning: `contacts.csv` line 7, column `Email`: `bo@example.com; bo.ray@example.org` holds 2 e-mail addresses: the first is stored here, `bo.ray@example.org` as further `Telcom[Email]` instances (from instance 2)"),
        "{text}"
    );
    assert!(
        text.contains("line 8, column `Email`: `cy at example dot com` is not an e-mail address (no `@`); it is kept as entered"),
        "{text}"
    );
    assert!(text.contains("7 rows, 0 rejected"), "{text}");

    let out = s
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let want: Vec<Vec<String>> = [
        "jose.munoz@example.com",
        "renee.cote@example.com",
        "jurgen.muller@example.com",
        "zoe.obrien@example.com",
        "ann.lee@example.com",
        "bo@example.com bo.ray@example.org",
        "cy at example dot com",
    ]
    .iter()
    .map(
        |e| if e.contains(" at ") { vec![e.to_string()] } else { e.split(' ').map(str::to_string).collect() },
    )
    .collect();
    assert_eq!(emails(&s), want);
}

#[test]
fn a_column_under_an_email_header_that_holds_no_addresses_stays_text() {
    let s = Sandbox::new();
    s.write("data/contacts.csv", "Last,Email\nLee,416-555-0101\nRay,416-555-0102\nOh,cy@example.com\n");
    s.map_auto("contacts");
    let text = std::fs::read_to_string(s.join("m.json")).unwrap();
    assert!(!text.contains("\"email\""), "{text}");
}

#[test]
fn a_plain_email_field_has_room_for_one_address_so_a_cell_of_two_is_kept_as_entered() {
    let s = Sandbox::new();
    s.write(
        "data/leads.csv",
        "First,Last,Email\nBo,Ray,\"bo@example.com; bo.ray@example.org\"\nCy,Oh,cy@example.com\n",
    );
    let template = serde_json::json!({"formatVersion": 1, "target": "leads", "files": [{"name": "leads.csv", "mappings": [
        {"column": "First", "field": "firstName"},
        {"column": "Last", "field": "lastName"},
        {"column": "Email", "field": "email", "converter": {"kind": "email"}}]}]});
    s.write("m.json", template.to_string());
    let out = s.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("warning: `leads.csv` line 2, column `Email`: `bo@example.com; bo.ray@example.org` holds 2 addresses; a field holds one (map the others to other fields, or split the column); it is kept as entered"),
        "{text}"
    );
    assert!(!text.contains("as further"), "{text}");
}
