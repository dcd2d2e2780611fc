//! Tests of `ferry map --auto` on real-shaped exports: long-format child tables
//! typed by their values, columns named by their content, sibling files.

use std::collections::BTreeMap;
use std::path::Path;

use crate::import::pack;
use crate::util::{Sandbox, stderr, stdout};

/// `map --auto --json` over `data`: column → (target or `-`, reason), per `file/column`.
fn auto(sb: &Sandbox, data: &Path) -> BTreeMap<String, (String, String)> {
    let out = sb
        .ferry()
        .args(["--json", "map", "--auto", "--target", "contacts", "--out", "auto.json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("--json prints only JSON");
    let mut got = BTreeMap::new();
    for d in report["mapped"].as_array().unwrap().iter().chain(report["unmapped"].as_array().unwrap()) {
        let c = d["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{d}");
        assert!(!d["reason"].as_str().unwrap().is_empty(), "{d}");
        got.insert(
            format!("{}/{}", d["file"].as_str().unwrap(), d["column"].as_str().unwrap()),
            (d["target"].as_str().unwrap_or("-").to_string(), d["reason"].as_str().unwrap().to_string()),
        );
    }
    got
}

fn target<'a>(got: &'a BTreeMap<String, (String, String)>, key: &str) -> &'a str {
    &got.get(key).unwrap_or_else(|| panic!("no decision for {key}: {got:?}")).0
}

/// The three-table export: contacts, addresses typed BUS/HOME/VAC, and
/// one table of phones and e-mails typed BUS/HOME/CELL/FAX/EMAIL.
fn three_table_export(sb: &Sandbox) -> std::path::PathBuf {
    sb.write(
        "data/contacts.csv",
        "CONTACT_ID,FIRST_NAME,LAST_NAME\nC1,Ann,Lee\nC2,Bob,Ng\nC3,Cy,Roy\nC4,Di,Fox\n",
    );
    sb.write(
        "data/TBL_ADDRESS.csv",
        "CONTACT_ID,TYPE,STREET,CITY,ZIP\n\
         C1,BUS,1 Main St,Toronto,M5V 2T6\n\
         C1,HOME,2 Oak Ave,Toronto,M4C 1B5\n\
         C2,VAC,3 Lake Rd,Muskoka,P1H 2J6\n\
         C3,HOME,4 Elm St,Ottawa,K1P 5J2\n\
         C4,BUS,5 Bay St,Toronto,M5J 2R8\n\
         C4,VAC,6 Pine Rd,Muskoka,P1H 1A1\n",
    );
    sb.write(
        "data/TBL_PHONE.csv",
        "CONTACT_ID,KIND,VALUE\n\
         C1,BUS,416-555-0100\n\
         C1,EMAIL,ann@example.com\n\
         C2,HOME,416-555-0101\n\
         C2,CELL,647-555-0102\n\
         C3,FAX,416-555-0103\n\
         C3,EMAIL,cy@example.com\n\
         C4,CELL,647-555-0104\n\
         C4,BUS,416-555-0105\n",
    )
    .parent()
    .unwrap()
    .to_path_buf()
}

#[test]
fn long_format_child_tables_are_typed_by_their_values_and_land_where_they_belong() {
    let sb = Sandbox::new();
    let data = three_table_export(&sb);
    let got = auto(&sb, &data);
    assert_eq!(target(&got, "TBL_ADDRESS.csv/TYPE"), "-");
    assert!(got["TBL_ADDRESS.csv/TYPE"].1.contains("BUS → Business"), "{got:?}");
    assert_eq!(target(&got, "TBL_ADDRESS.csv/STREET"), "Address[type in TYPE].line1");
    assert_eq!(target(&got, "TBL_PHONE.csv/KIND"), "-");
    assert_eq!(target(&got, "TBL_PHONE.csv/VALUE"), "Telcom[type in KIND].value");

    // Packed and imported: every address and phone under its type.
    let pkg = pack(&sb, &data, &sb.join("auto.json"), "pkg.zip");
    let out = sb.ferry().args(["--json", "import"]).arg(&pkg).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(sb.join("ferry.db")).unwrap();
    let mut st = conn.prepare("SELECT record FROM staged ORDER BY id").unwrap();
    let records: Vec<String> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    let mut typed: BTreeMap<String, usize> = BTreeMap::new();
    for r in &records {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        // The legacy `CONTACT_ID` is kept as data (a user field), not counted here.
        for i in v["i"].as_array().into_iter().flatten().filter(|i| i[0] != "UserField") {
            *typed.entry(format!("{}/{}", i[0].as_str().unwrap(), i[1].as_str().unwrap())).or_default() += 1;
        }
    }
    let expected: BTreeMap<String, usize> = [
        ("Address/Business", 2),
        ("Address/Home", 2),
        ("Address/Vacation", 2),
        ("Telcom/Business", 2),
        ("Telcom/Business Fax", 1),
        ("Telcom/Email", 2),
        ("Telcom/Home", 1),
        ("Telcom/Mobile", 2),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(typed, expected, "{records:?}");
}

#[test]
fn a_column_of_a_few_type_codes_types_the_rows_whatever_its_name() {
    let sb = Sandbox::new();
    sb.write("data/contacts.csv", "CONTACT_ID,LAST_NAME\nC1,Lee\nC2,Ng\n");
    sb.write(
        "data/phones.csv",
        "CONTACT_ID,CODE,NUMBER\nC1,W,416-555-0100\nC1,H,416-555-0101\nC2,M,647-555-0102\nC2,W,416-555-0103\n",
    );
    let got = auto(&sb, &sb.join("data"));
    assert_eq!(target(&got, "phones.csv/NUMBER"), "Telcom[type in CODE].value");
    assert!(got["phones.csv/CODE"].1.contains("type codes"), "{got:?}");
}

#[test]
fn columns_are_named_by_their_content_and_a_mixed_date_column_is_no_phone() {
    let sb = Sandbox::new();
    sb.write(
        "data/export.csv",
        "ID,FIRST_NAME,LAST_NAME,BIRTH_DATE,HOMEPHONE,BUS_ADDR1,STREET,WHEN\n\
         1,Ann,Lee,1980-03-04,416-555-0100,1 Bay St,2 Oak Ave,1980-03-04\n\
         2,Bob,Ng,04.03.1981,416-555-0101,3 Bay St,4 Oak Ave,04.03.1981\n\
         3,Cy,Roy,19800304,416-555-0102,5 Bay St,6 Oak Ave,19800304\n\
         4,Di,Fox,0/0/00,416-555-0103,7 Bay St,8 Oak Ave,12/31/1979\n\
         5,Ed,Orr,12/31/1979,416-555-0104,9 Bay St,10 Oak Ave,N/A\n",
    );
    let got = auto(&sb, &sb.join("data"));
    assert_eq!(target(&got, "export.csv/BIRTH_DATE"), "birthDate");
    assert_eq!(target(&got, "export.csv/HOMEPHONE"), "Telcom[Home].value");
    assert_eq!(target(&got, "export.csv/BUS_ADDR1"), "Address[Business].line1");
    assert_eq!(target(&got, "export.csv/STREET"), "Address[Home].line1");
    assert!(!target(&got, "export.csv/WHEN").starts_with("Telcom"), "{got:?}");
}

#[test]
fn files_with_the_same_header_are_siblings_not_parent_and_child() {
    let sb = Sandbox::new();
    let header = "CONTACT_ID,FIRST_NAME,LAST_NAME\n";
    sb.write("data/contacts_a.csv", format!("{header}C1,Ann,Lee\n"));
    sb.write("data/contacts_b.csv", format!("{header}C2,Bob,Ng\n"));
    auto(&sb, &sb.join("data"));
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("auto.json")).unwrap()).unwrap();
    for f in template["files"].as_array().unwrap() {
        assert!(f.get("parent").is_none_or(|p| p.is_null()), "{f}");
        assert!(
            f["mappings"].as_array().unwrap().iter().any(|m| m["field"] == "firstName"),
            "both files keep their data: {f}"
        );
    }
}

#[test]
fn a_template_made_on_one_export_applies_to_the_file_with_the_same_columns() {
    let sb = Sandbox::new();
    let header = "CONTACT_ID,FIRST_NAME,LAST_NAME,BIRTH_DATE\n";
    sb.write("client1/contacts.csv", format!("{header}C1,Ann,Lee,1980-03-04\n"));
    sb.write("client2/export_2024.csv", format!("{header}K7,Bob,Ng,1975-12-31\nK8,Cy,Roy,1990-01-02\n"));
    sb.write("client2/notes.csv", "NOTE\nhello\n");
    let out = sb
        .ferry()
        .args(["map", "--auto", "--target", "contacts", "--data", "client1", "--out", "t.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = "taking `export_2024.csv` for the template's `contacts.csv`";

    let out = sb.ferry().args(["check", "--data", "client2", "--mapping", "t.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    assert!(stdout(&out).contains("export_2024.csv"), "{}", stdout(&out));

    let out = sb
        .ferry()
        .args(["pack", "--data", "client2", "--mapping", "t.json", "--out", "pkg.zip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(said) && stderr(&out).contains("export_2024.csv 2 rows"),
        "{}",
        stderr(&out)
    );

    // `map --template` offers it too: the resumed template names the new file.
    let out = sb
        .ferry()
        .args([
            "map",
            "--target",
            "contacts",
            "--data",
            "client2",
            "--template",
            "t.json",
            "--out",
            "t2.json",
        ])
        .write_stdin("\n".repeat(40))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(said), "{}", stderr(&out));
    let t2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("t2.json")).unwrap()).unwrap();
    assert_eq!(t2["files"][0]["name"], "export_2024.csv");
}

#[test]
fn placeholders_for_no_value_are_proposed_as_null_values_and_check_clean() {
    let sb = Sandbox::new();
    let mut csv = String::from("ID,First Name,Last Name,Phone,Birthday\n");
    for i in 1..=30 {
        let phone = if i % 7 == 0 { "N/A".to_string() } else { format!("416-555-01{i:02}") };
        let birthday = if i % 9 == 0 { "0/0/00".to_string() } else { format!("1980-03-{i:02}") };
        csv.push_str(&format!("C{i},Ann{i},Lee{i},{phone},{birthday}\n"));
    }
    sb.write("data/contacts.csv", &csv);
    let got = auto(&sb, &sb.join("data"));
    // The placeholders do not hide what the columns hold.
    assert_eq!(target(&got, "contacts.csv/Birthday"), "birthDate");
    assert!(target(&got, "contacts.csv/Phone").starts_with("Telcom["), "{got:?}");
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.join("auto.json")).unwrap()).unwrap();
    let nulls = |column: &str| {
        template["files"][0]["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["column"] == column)
            .map(|m| m["nullValues"].clone())
            .unwrap_or_else(|| panic!("`{column}` is not mapped: {template}"))
    };
    assert_eq!(nulls("Phone"), serde_json::json!(["N/A"]));
    assert_eq!(nulls("Birthday"), serde_json::json!(["0/0/00"]));
    assert_eq!(nulls("First Name"), serde_json::Value::Null);
    // So the check drops nothing: no value was bad, only absent.
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "auto.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("0 warnings"), "{}", stdout(&out));
}

#[test]
fn a_ragged_row_wider_than_the_header_adds_no_column_to_the_template() {
    let sb = Sandbox::new();
    // The last row's date holds an unquoted comma: two cells past the header.
    sb.write(
        "data/contacts.csv",
        "ID,First Name,Last Name,Birth Date\n1,Ann,Lee,1980-12-31 00:00:00.000\n2,Bob,Roe,Dec 31 1980 12:00AM\n\
         3,Cy,Fox,\"December 31, 1980\"\n4,Di,Poe,Wednesday, December 31, 1980\n",
    );
    let out = sb.ferry().args(["profile", "data"]).output().unwrap();
    assert!(stdout(&out).contains("column 5"), "profile still shows the stray cells: {}", stdout(&out));
    let out = sb
        .ferry()
        .args(["map", "--data", "data", "--target", "contacts", "--auto", "--out", "m.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let template = std::fs::read_to_string(sb.join("m.json")).unwrap();
    assert!(!template.contains("column 5") && !template.contains("column 6"), "{template}");
    assert!(template.contains("\"field\": \"birthDate\""), "{template}");
    let out = sb.ferry().args(["check", "--data", "data", "--mapping", "m.json"]).output().unwrap();
    let text = stdout(&out);
    // The template is sound: only the ragged row is refused.
    assert!(
        text.contains("error: `contacts.csv` line 5: the row has 6 cells but the header has 4"),
        "{text}"
    );
    assert!(text.contains("4 rows, 1 rejected; 1 error"), "{text}");
}
