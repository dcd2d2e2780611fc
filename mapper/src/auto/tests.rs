use super::*;
use crate::profile::InferredKind as K;
use crate::template::Converter;

fn contacts() -> TargetDefinition {
    TargetDefinition::bundled("contacts").unwrap()
}

fn file(name: &str, columns: &[(&str, &[&str], K)]) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        rows: None,
        columns: columns.iter().map(|(n, v, k)| SourceColumn::from_values(n, v, k.clone())).collect(),
    }
}

fn targets(s: &Suggestion, file: &str) -> Vec<(String, Option<String>)> {
    s.decisions.iter().filter(|d| d.file == file).map(|d| (d.column.clone(), d.target.clone())).collect()
}

fn t(column: &str, target: Option<&str>) -> (String, Option<String>) {
    (column.to_string(), target.map(str::to_string))
}

#[test]
fn a_type_column_types_the_rows_of_a_long_format_table() {
    let phones = file(
        "phones.csv",
        &[
            ("CONTACT_ID", &["C1", "C1", "C2", "C3"], K::Text),
            ("PHONE_TYPE", &["W", "cell", "Home", "Beeper"], K::Text),
            ("NUMBER", &["416-555-0100", "416-555-0101", "416-555-0102", "416-555-0103"], K::Phone),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[phones]);
    assert_eq!(
        targets(&s, "phones.csv"),
        vec![
            t("CONTACT_ID", Some("UserField[CONTACT_ID].value")),
            t("PHONE_TYPE", None),
            t("NUMBER", Some("Telcom[type in PHONE_TYPE].value")),
        ]
    );
    let number = s.template.files[0].mappings.iter().find(|m| m.column == "NUMBER").unwrap();
    let from = number.type_from.as_ref().unwrap();
    // `Home` is a type name already; `Beeper` is left to the user (rows with it are errors).
    assert_eq!(
        from.values,
        [("W", "Business"), ("cell", "Mobile")].into_iter().map(|(k, v)| (k.into(), v.into())).collect()
    );
    assert_eq!(number.type_name, None);

    // A column named like a type that holds no type names is kept as data.
    let other = file(
        "phones.csv",
        &[("NUMBER", &["416-555-0100", "416-555-0101"], K::Phone), ("KIND", &["gold", "silver"], K::Text)],
    );
    let s = suggest(&contacts(), "contacts", &[other]);
    assert_eq!(
        targets(&s, "phones.csv"),
        vec![t("NUMBER", Some("Telcom[Business].value")), t("KIND", Some("UserField[KIND].value"))]
    );
}

#[test]
fn normalize_splits_case_digits_and_punctuation() {
    assert_eq!(normalize("FirstName"), "first name");
    assert_eq!(normalize("E-mail 2 Address"), "email 2 address");
    assert_eq!(normalize("STREET1"), "street 1");
    assert_eq!(normalize("Manager's Name"), "managers name");
    assert_eq!(normalize("TTY/TDD Phone"), "tty tdd phone");
}

#[test]
fn enumeration_values_are_guessed() {
    let genders: Vec<String> = ["Male", "Female", "Unknown"].map(String::from).to_vec();
    assert_eq!(guess_enum_value("M", &genders).as_deref(), Some("Male"));
    assert_eq!(guess_enum_value("f", &genders).as_deref(), Some("Female"));
    assert_eq!(guess_enum_value("Unspecified", &genders).as_deref(), Some("Unknown"));
    assert_eq!(guess_enum_value("Q", &genders), None);
    let titles: Vec<String> = ["Mr.", "Mrs.", "Ms.", "Miss"].map(String::from).to_vec();
    assert_eq!(guess_enum_value("MRS", &titles).as_deref(), Some("Mrs."));
    assert_eq!(guess_enum_value("Mi", &titles).as_deref(), Some("Miss"));
}

#[test]
fn names_synonyms_and_content_decide() {
    let f = file(
        "people.csv",
        &[
            ("CONTACT_ID", &["C1", "C2"], K::Text),
            ("FName", &["Ann", "Bob"], K::Text),
            ("Surname", &["Lee", "Ng"], K::Text),
            (
                "DOB",
                &["31/12/1980"],
                K::Date { format: "%d/%m/%Y".into(), ambiguous: false, alternative: None },
            ),
            ("Children", &["Anna, Ben"], K::Text),
            ("col7", &["M", "F", "F"], K::Text),
            ("contact", &["ann@example.com"], K::Email),
            ("Internet Free Busy", &["x"], K::Text),
            ("Shoe Size", &["42"], K::Integer),
            ("Fax Number", &[], K::Empty),
            ("Car Phone", &[], K::Empty),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[f]);
    assert_eq!(
        targets(&s, "people.csv"),
        vec![
            t("CONTACT_ID", Some("UserField[CONTACT_ID].value")),
            t("FName", Some("firstName")),
            t("Surname", Some("lastName")),
            t("DOB", Some("birthDate")),
            t("Children", Some("UserField[Children].value")),
            t("col7", Some("gender")),
            t("contact", Some("Telcom[Email].value")),
            t("Internet Free Busy", None),
            t("Shoe Size", Some("UserField[Shoe Size].value")),
            t("Fax Number", Some("Telcom[Business Fax].value")),
            t("Car Phone", None),
        ]
    );
    let m = &s.template.files[0].mappings;
    assert_eq!(m[3].converter, Converter::date("%d/%m/%Y"));
    let gender = m.iter().find(|m| m.field == "gender").unwrap();
    assert_eq!(
        gender.converter,
        Converter::Enumeration {
            table: [
                ("F".to_string(), Some("Female".to_string())),
                ("M".to_string(), Some("Male".to_string()))
            ]
            .into()
        }
    );
    let conf = |c: &str| s.decisions.iter().find(|d| d.column == c).unwrap().confidence;
    assert!(conf("FName") > conf("col7") && conf("col7") > conf("Shoe Size"));
}

#[test]
fn child_files_link_and_group_their_columns_into_instances() {
    let contacts_file =
        file("contacts.csv", &[("CONTACT_ID", &["C1"], K::Text), ("LAST_NAME", &["Lee"], K::Text)]);
    let phones = file(
        "phones.csv",
        &[
            ("PHONE_ID", &["P1"], K::Text),
            ("CONTACT_ID", &["C1"], K::Text),
            ("WORK_PHONE", &["416-555-0100"], K::Phone),
            ("WORK_EXT", &["12"], K::Integer),
            ("HOME_PHONE", &["416-555-0101"], K::Phone),
            ("HOME_PHONE_2", &["416-555-0102"], K::Phone),
        ],
    );
    let addresses = file(
        "addresses.csv",
        &[
            ("CONTACT_ID", &["C1"], K::Text),
            ("STREET1", &["1 Main St"], K::Text),
            ("POSTAL_CODE", &["M5V 2T6"], K::Zip),
            ("IS_PRIMARY", &["Y", "N"], K::Boolean),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[contacts_file, phones, addresses]);
    assert_eq!(s.template.files[0].id_column.as_deref(), Some("CONTACT_ID"));
    let p = &s.template.files[1];
    assert_eq!(p.parent.as_ref().map(|l| l.column.as_str()), Some("CONTACT_ID"));
    assert_eq!(p.category, "Telcom");
    assert_eq!(
        targets(&s, "phones.csv"),
        vec![
            t("PHONE_ID", None),
            t("CONTACT_ID", None),
            t("WORK_PHONE", Some("Telcom[Business].value")),
            t("WORK_EXT", Some("Telcom[Business].extension")),
            t("HOME_PHONE", Some("Telcom[Home].value")),
            t("HOME_PHONE_2", Some("Telcom[Home #2].value")),
        ]
    );
    assert_eq!(
        targets(&s, "addresses.csv"),
        vec![
            t("CONTACT_ID", None),
            t("STREET1", Some("Address[Home].line1")),
            t("POSTAL_CODE", Some("Address[Home].zip")),
            t("IS_PRIMARY", Some("Address[Home].primary")),
        ]
    );
    assert_eq!(s.template.files[2].category, "Address");
}

#[test]
fn a_child_links_by_the_parents_entity_or_by_its_ids() {
    let people = || {
        file(
            "contacts.csv",
            &[
                ("ID", &["1001", "1002", "1003"], K::Integer),
                ("First Name", &["Ann"], K::Text),
                ("Last Name", &["Lee"], K::Text),
            ],
        )
    };
    // `CONTACT_ID` names the parent by its file, not by its id column `ID`.
    let phones = file(
        "phones.csv",
        &[
            ("CONTACT_ID", &["1001", "1001", "1002", "9999"], K::Integer),
            ("TYPE", &["H", "W", "M", "X"], K::Text),
            ("NUMBER", &["416-555-0101", "416-555-0201"], K::Phone),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[people(), phones]);
    assert_eq!(s.template.files[0].id_column.as_deref(), Some("ID"));
    let p = &s.template.files[1];
    assert_eq!(
        p.parent.as_ref().map(|l| (l.column.as_str(), l.parent_column.as_str())),
        Some(("CONTACT_ID", "ID"))
    );
    assert_eq!(targets(&s, "phones.csv")[2], t("NUMBER", Some("Telcom[type in TYPE].value")));

    // `OWNER_ID` names nothing, but its values are the contacts' ids.
    let addresses = file(
        "addresses.csv",
        &[
            ("ADDRESS_ID", &["A1", "A2", "A3"], K::Text),
            ("OWNER_ID", &["1001", "1003", "1003"], K::Integer),
            ("STREET1", &["1 Main St"], K::Text),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[people(), addresses]);
    assert_eq!(s.template.files[1].parent.as_ref().map(|l| l.column.as_str()), Some("OWNER_ID"));

    // A file's own id (`ORDER_ID` of orders.csv, first) is never a link, whatever its values.
    let orders = file(
        "orders.csv",
        &[("ORDER_ID", &["1001", "1002"], K::Integer), ("ACCOUNT_ID", &["7", "8"], K::Integer)],
    );
    let s = suggest(&contacts(), "contacts", &[people(), orders]);
    assert!(s.template.files[1].parent.is_none(), "{:?}", s.template.files[1].parent);
}

#[test]
fn google_groups_take_their_type_from_the_label_column() {
    let f = file(
        "google.csv",
        &[
            ("Phone 1 - Label", &["Mobile", "Work"], K::Text),
            ("Phone 1 - Value", &["+1 416-555-0100"], K::Phone),
            ("E-mail 1 - Label", &["* Home"], K::Text),
            ("E-mail 1 - Value", &["a@example.com"], K::Email),
            ("Address 1 - Label", &["Work"], K::Text),
            ("Address 1 - Formatted", &["1 Main St\nToronto"], K::Text),
            ("Address 1 - City", &["Toronto"], K::Text),
            ("Custom Field 1 - Label", &["Tier"], K::Text),
            ("Custom Field 1 - Value", &["Gold"], K::Text),
            ("Website 1 - Value", &["https://example.com"], K::Text),
        ],
    );
    let s = suggest(&contacts(), "contacts", &[f]);
    assert_eq!(
        targets(&s, "google.csv"),
        vec![
            t("Phone 1 - Label", None),
            t("Phone 1 - Value", Some("Telcom[Mobile].value")),
            t("E-mail 1 - Label", None),
            t("E-mail 1 - Value", Some("Telcom[Personal Email].value")),
            t("Address 1 - Label", None),
            t("Address 1 - Formatted", None),
            t("Address 1 - City", Some("Address[Business].city")),
            t("Custom Field 1 - Label", Some("CustomField[Custom].name")),
            t("Custom Field 1 - Value", Some("CustomField[Custom].value")),
            t("Website 1 - Value", Some("UserField[Website 1].value")),
        ]
    );
}

#[test]
fn a_date_field_of_day_numbers_reads_excel_serials() {
    let f = file(
        "contacts.csv",
        &[("Last Name", &["Lee", "Ames"], K::Text), ("Birth Date", &["22666", "27457"], K::Integer)],
    );
    let s = suggest(&contacts(), "contacts", &[f]);
    let m = &s.template.files[0].mappings;
    let birth = m.iter().find(|m| m.field == "birthDate").expect("Birth Date is mapped");
    assert_eq!(birth.converter, Converter::date("excel"));
    let c = crate::convert::value::ValueConverter::compile(&birth.converter).unwrap();
    assert_eq!(c.convert("22666").unwrap(), Some(crate::record::Value::Date(jiff::civil::date(1962, 1, 20))));
}
