//! Phones (issue 11, point 6): the `phone`
//! converter validates a number for a country and writes it in
//! international form (004: "+ countryCode nationalDestinationCode
//! subscriberNumber"); a number invalid for its country is kept as entered,
//! with a warning, and marked `Unspecified` where the target has a field for
//! its country; `map --auto` proposes the converter with the data's country.

use crate::import::pack;
use crate::util::{Sandbox, stderr, stdout};

#[test]
fn valid_numbers_of_four_countries_become_international_and_invalid_ones_are_kept_with_a_warning() {
    let sb = Sandbox::new();
    sb.write(
        "data/contacts.csv",
        "Last,CA,US,GB,DE\n\
         Ames,(416) 555-0123,212-555-0199,020 7946 0958,030 1234567\n\
         Baker,416 555,1234,07946,+49 30\n",
    );
    let phone = |column: &str, type_name: &str, country: &str| {
        format!(
            r#"{{"column": "{column}", "subcollection": "Telcom", "typeName": "{type_name}", "field": "value", "converter": {{"kind": "phone", "country": "{country}"}}}}"#
        )
    };
    sb.write(
        "m.json",
        format!(
            r#"{{"formatVersion": 1, "target": "contacts", "files": [{{"name": "contacts.csv", "mappings": [
                {{"column": "Last", "field": "lastName"}}, {}, {}, {}, {}]}}]}}"#,
            phone("CA", "Business", "CA"),
            phone("US", "Home", "US"),
            phone("GB", "Mobile", "GB"),
            phone("DE", "Other", "DE")
        ),
    );
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("line 3, column `CA`: `416 555` is not a valid phone number for CA; it is kept as entered, with no country (`Unspecified`)"),
        "{text}"
    );
    assert!(text.contains("column `DE`: `+49 30` is not a valid phone number for DE"), "{text}");
    assert!(text.contains("2 rows, 0 rejected"), "{text}");
    assert!(text.contains("4 warnings"), "{text}");

    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let inspect = stdout(&sb.ferry().args(["inspect", "p.zip"]).output().unwrap());
    assert!(inspect.contains("phone, for `GB`"), "{inspect}");
    let run = sb.ferry().args(["import", "p.zip", "--description", "phones"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let mut stmt = conn.prepare("SELECT record FROM staged ORDER BY line").unwrap();
    let records: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    for international in ["+1 416-555-0123", "+1 212-555-0199", "+44 20 7946 0958", "+49 30 1234567"] {
        assert!(records[0].contains(international), "{international}: {}", records[0]);
    }
    for as_entered in ["416 555", "1234", "07946", "+49 30"] {
        assert!(records[1].contains(&format!("\"{as_entered}\"")), "{as_entered}: {}", records[1]);
    }
    // Each Telcom carries its number's country (004: "the Country field"),
    // `Unspecified` for a number kept as entered.
    let telcoms = |record: &str| -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_str(record).unwrap();
        let mut out = Vec::new();
        // Instances are `[subcollection, type name, instance, attributes]`.
        for i in v["i"].as_array().unwrap().iter().filter(|i| i[0] == "Telcom") {
            out.push((
                i[1].as_str().unwrap().to_string(),
                i[3]["country"].as_str().unwrap_or("-").to_string(),
            ));
        }
        out.sort();
        out
    };
    let pairs =
        |p: &[(&str, &str)]| p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    assert_eq!(
        telcoms(&records[0]),
        pairs(&[("Business", "CA"), ("Home", "US"), ("Mobile", "GB"), ("Other", "DE")]),
        "{}",
        records[0]
    );
    assert_eq!(
        telcoms(&records[1]),
        pairs(&[
            ("Business", "Unspecified"),
            ("Home", "Unspecified"),
            ("Mobile", "Unspecified"),
            ("Other", "Unspecified")
        ]),
        "{}",
        records[1]
    );
}

#[test]
fn a_lead_phone_takes_the_templates_country_and_an_invalid_one_is_unspecified() {
    let sb = Sandbox::new();
    sb.write(
        "data/leads.csv",
        "ID,First,Last,Phone,Concept,Source\n\
         1,Ann,Lee,416-555-0123,General Interest,Conference\n\
         2,Bob,Ray,555-01,General Interest,Conference\n\
         3,Cy,Oh,+44 20 7946 0958,General Interest,Conference\n",
    );
    sb.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "leads-ilm", "country": "CA", "files": [{"name": "leads.csv", "mappings": [
            {"column": "ID", "field": "legacyId"},
            {"column": "First", "field": "firstName"},
            {"column": "Last", "field": "lastName"},
            {"column": "Phone", "field": "phone", "converter": {"kind": "phone"}},
            {"column": "Concept", "field": "salesConcept"},
            {"column": "Source", "field": "sourceType"}]}]}"#,
    );
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("`555-01` is not a valid phone number for CA; it is kept as entered"), "{text}");
    assert!(text.contains("3 rows, 0 rejected"), "{text}");
    pack(&sb, &sb.join("data"), &sb.join("m.json"), "p.zip");
    let run = sb.ferry().args(["import", "p.zip", "--description", "leads"]).output().unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let mut stmt = conn.prepare("SELECT record FROM staged ORDER BY line").unwrap();
    let records: Vec<serde_json::Value> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| serde_json::from_str(&r.unwrap()).unwrap())
        .collect();
    let field = |i: usize, name: &str| records[i]["f"][name].as_str().map(str::to_string);
    assert_eq!(field(0, "phone").as_deref(), Some("+1 416-555-0123"), "{}", records[0]);
    assert_eq!(field(0, "phoneCountry").as_deref(), Some("CA"), "{}", records[0]);
    assert_eq!(field(1, "phone").as_deref(), Some("555-01"), "{}", records[1]);
    assert_eq!(field(1, "phoneCountry").as_deref(), Some("Unspecified"), "{}", records[1]);
    // A number with `+` carries its own country.
    assert_eq!(field(2, "phoneCountry").as_deref(), Some("GB"), "{}", records[2]);
}

#[test]
fn map_auto_proposes_the_phone_converter_with_the_given_or_guessed_country() {
    let sb = Sandbox::new();
    sb.write(
        "data/contacts.csv",
        "ID,Last,HOMEPHONE\n1,Ames,(416) 555-0123\n2,Baker,416-555-0199\n3,Cole,613 555 0100\n",
    );
    let map = |extra: &[&str]| {
        sb.ferry()
            .args(["map", "--data", "data", "--target", "contacts", "--auto", "--out", "m.json"])
            .args(extra)
            .output()
            .unwrap()
    };
    let home = || {
        let t: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(sb.join("m.json")).unwrap()).unwrap();
        let m = t["files"][0]["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["column"] == "HOMEPHONE")
            .cloned();
        (t["country"].clone(), m.unwrap())
    };
    let out = map(&["--country", "CA"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (country, m) = home();
    assert_eq!(country, "CA");
    assert_eq!(m["subcollection"], "Telcom");
    assert_eq!(m["converter"], serde_json::json!({"kind": "phone"}));
    assert!(
        stderr(&out).contains("`HOMEPHONE`: phone numbers, read as numbers of CA (the data's country)"),
        "{}",
        stderr(&out)
    );

    // No country and no `+`: the numbers stay text (a phone converter could read none).
    assert!(map(&[]).status.success());
    assert_eq!(home().1.get("converter"), None);

    // `+44` numbers tell the country.
    sb.write("data/contacts.csv", "ID,Last,HOMEPHONE\n1,Ames,+44 20 7946 0958\n2,Baker,+44 161 496 0000\n");
    let out = map(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("country of the data: GB (guessed from phone prefixes"),
        "{}",
        stderr(&out)
    );
    let (country, m) = home();
    assert_eq!((country.as_str(), m["converter"]["kind"].as_str()), (Some("GB"), Some("phone")));
    let check = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    assert!(check.status.success(), "{}", stdout(&check));
}

#[test]
fn a_phone_extension_goes_to_the_telcom_extension_and_an_explicit_one_wins() {
    let sb = Sandbox::new();
    sb.write(
        "data/contacts.csv",
        "Last,Phone,Ext\nAmes,416-555-0123 x23,\nBaker,(416) 555-0124 ext. 7,99\nCole,416-555-0125,\n",
    );
    sb.write(
        "m.json",
        r#"{"formatVersion": 1, "target": "contacts", "country": "CA", "files": [{"name": "contacts.csv", "mappings": [
            {"column": "Last", "field": "lastName"},
            {"column": "Phone", "subcollection": "Telcom", "typeName": "Business", "field": "value", "converter": {"kind": "phone"}},
            {"column": "Ext", "subcollection": "Telcom", "typeName": "Business", "field": "extension"}]}]}"#,
    );
    let run = sb
        .ferry()
        .args(["import", "--data", "data", "--mapping", "m.json", "--description", "ext"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let telcoms: Vec<(String, Option<String>)> = sb
        .staged_records()
        .into_iter()
        .map(|(_, v)| {
            let t = &v["i"].as_array().unwrap().iter().find(|i| i[0] == "Telcom").unwrap()[3];
            (t["value"].as_str().unwrap().to_string(), t["extension"].as_str().map(str::to_string))
        })
        .collect();
    assert_eq!(
        telcoms,
        vec![
            ("+1 416-555-0123".to_string(), Some("23".to_string())),
            ("+1 416-555-0124".to_string(), Some("99".to_string())),
            ("+1 416-555-0125".to_string(), None),
        ]
    );
}

#[test]
fn an_export_of_several_countries_reads_each_rows_phone_for_the_rows_own_country() {
    let sb = Sandbox::new();
    sb.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,Phone,City,Country\n\
         1,Ann,Lee,416-555-0101,Toronto,Canada\n\
         2,Bob,Roe,030 12345678,Berlin,Germany\n\
         3,Cy,Fox,020 7946 0958,London,UK\n\
         4,Di,Poe,(212) 555-0199,New York,USA\n\
         5,Ed,Orr,01 42 68 53 00,Paris,FR\n\
         6,Flo,Ash,+49 30 1234567,Ottawa,Canada\n\
         7,Gus,Elm,0201 234567,Atlantis,\n",
    );
    let out = sb.map_auto("contacts");
    let text = stdout(&out) + &stderr(&out);
    assert!(
        // The data's country, from the one number with `+`, serves the row that names none.
        text.contains("`contacts.csv` `Phone`: phone numbers, read as numbers of the row's country (`Country`, else DE, the data's) unless they carry `+`"),
        "{text}"
    );
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("0 errors, 0 warnings"), "{text}");
    let out = sb.ferry().args(["import", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let phones: Vec<(String, String)> = sb
        .staged_records()
        .iter()
        .map(|(_, r)| {
            let t = r["i"].as_array().unwrap().iter().find(|i| i[0] == "Telcom").unwrap();
            (t[3]["value"].as_str().unwrap().to_string(), t[3]["country"].as_str().unwrap().to_string())
        })
        .collect();
    let own = |v: &str, c: &str| (v.to_string(), c.to_string());
    assert_eq!(
        phones,
        vec![
            own("+1 416-555-0101", "CA"),
            own("+49 30 12345678", "DE"),
            own("+44 20 7946 0958", "GB"),
            own("+1 212-555-0199", "US"),
            own("+33 1 42 68 53 00", "FR"),
            own("+49 30 1234567", "DE"),
            own("+49 201 234567", "DE"),
        ]
    );
}
