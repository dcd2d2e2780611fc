use std::collections::BTreeMap;

use super::*;
use crate::template::{
    ALL_CATEGORIES, Converter, FieldMapping, FileMapping, MappingTemplate, ParentLink, TextConverter,
};

fn leads() -> TargetDefinition {
    TargetDefinition::bundled("leads").unwrap()
}

fn contacts() -> TargetDefinition {
    TargetDefinition::bundled("contacts").unwrap()
}

fn map(column: &str, field: &str) -> FieldMapping {
    FieldMapping::new(column, field)
}

fn sub(column: &str, subcollection: &str, type_name: &str, field: &str) -> FieldMapping {
    FieldMapping {
        subcollection: Some(subcollection.into()),
        type_name: Some(type_name.into()),
        ..map(column, field)
    }
}

fn file(name: &str, mappings: Vec<FieldMapping>) -> FileMapping {
    FileMapping {
        name: name.into(),
        category: ALL_CATEGORIES.into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings,
    }
}

fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn row(line: u64, cells: &[&str]) -> Row {
    Row { line, cells: cells.iter().map(|s| s.to_string()).collect() }
}

fn lead_file() -> FileMapping {
    file(
        "leads.csv",
        vec![
            map("First", "firstName"),
            map("Last", "lastName"),
            map("Mail", "email"),
            map("Segment", "marketSegment"),
        ],
    )
}

fn compile(target: &TargetDefinition, f: &FileMapping, h: &[&str]) -> (FileConverter, Vec<Problem>) {
    FileConverter::new(target, f, &headers(h), &ConvertOptions::default())
}

#[test]
fn a_clean_row_converts_without_problems() {
    let (c, problems) = compile(&leads(), &lead_file(), &["First", "Last", "Mail", "Segment"]);
    assert_eq!(problems, []);
    let out = c.convert(&row(2, &["Ann", "Lee", "ann@example.com", "retirement"]));
    assert_eq!(out.problems, []);
    assert_eq!(out.record.fields["firstName"], Value::Text("Ann".into()));
    // Enumeration values match the target's spelling regardless of case.
    assert_eq!(out.record.fields["marketSegment"], Value::Text("Retirement".into()));
    assert!(validate_record(&leads(), &out.record, "leads.csv", 2).is_empty());
}

#[test]
fn over_long_values_are_truncated_by_characters_with_a_warning() {
    let (c, _) = compile(&leads(), &lead_file(), &["First", "Last", "Mail", "Segment"]);
    let long = "Ééééééééééééééééééééééééééé"; // 27 characters, more bytes
    let out = c.convert(&row(3, &[long, "Lee", "a@b.c", ""]));
    assert!(!out.is_rejected());
    assert_eq!(out.problems.len(), 1);
    let p = &out.problems[0];
    assert_eq!(
        (p.kind, p.severity, p.line, p.column.as_deref()),
        (ProblemKind::Truncated, Severity::Warning, Some(3), Some("First"))
    );
    assert_eq!(p.value.as_deref(), Some(long));
    assert_eq!(out.record.fields["firstName"].to_text().chars().count(), 25);
}

#[test]
fn unknown_enumeration_values_are_ignored_or_kept_with_create_missing() {
    let (c, _) = compile(&leads(), &lead_file(), &["First", "Last", "Mail", "Segment"]);
    let out = c.convert(&row(4, &["Ann", "Lee", "a@b.c", "Gold"]));
    assert!(!out.is_rejected());
    assert_eq!(out.problems[0].kind, ProblemKind::UnknownEnumValue);
    assert!(out.problems[0].message.ends_with("it will be ignored"), "{}", out.problems[0].message);
    assert!(!out.record.fields.contains_key("marketSegment"));

    let options = ConvertOptions { create_missing: true, ..Default::default() };
    let (c, _) =
        FileConverter::new(&leads(), &lead_file(), &headers(&["First", "Last", "Mail", "Segment"]), &options);
    let out = c.convert(&row(4, &["Ann", "Lee", "a@b.c", "Gold"]));
    assert_eq!(out.problems[0].kind, ProblemKind::UnknownEnumValue);
    assert!(out.problems[0].message.contains("it will be added"), "{}", out.problems[0].message);
    assert_eq!(out.record.fields["marketSegment"], Value::Text("Gold".into()));
}

#[test]
fn required_fields_and_one_of_groups_are_enforced() {
    let (c, _) = compile(&leads(), &lead_file(), &["First", "Last", "Mail", "Segment"]);
    let out = c.convert(&row(5, &["", "Lee", "", ""]));
    assert!(out.problems.is_empty());
    let problems = c.validate(&leads(), &out.record, 5);
    let kinds: Vec<_> = problems.iter().map(|p| (p.kind, p.column.as_deref())).collect();
    assert_eq!(
        kinds,
        [(ProblemKind::RequiredMissing, Some("First")), (ProblemKind::RequiredOneOfMissing, None)]
    );
    assert_eq!(problems[0].message, "required field `First Name` is empty");
    assert_eq!(problems[1].message, "one of `Email Address`, `Phone` must hold a value");
    assert!(problems.iter().all(|p| p.severity == Severity::Error && p.line == Some(5)));
    assert_eq!(validate_record(&leads(), &out.record, "leads.csv", 5).len(), 2);
}

#[test]
fn conversion_failures_drop_the_value_with_a_warning_and_keep_the_row() {
    let mut f = file(
        "contacts.csv",
        vec![
            map("Last", "lastName"),
            map("Born", "birthDate"),
            map("Kids", "numberOfChildren"),
            map("DNC", "doNotContact"),
        ],
    );
    f.mappings[1].converter = Converter::date("%d/%m/%Y");
    f.mappings[2].converter = Converter::Integer;
    f.mappings[3].converter =
        Converter::Boolean { table: BTreeMap::from([("Y".into(), true), ("N".into(), false)]) };
    let (c, problems) = compile(&contacts(), &f, &["Last", "Born", "Kids", "DNC"]);
    assert_eq!(problems, []);
    let out = c.convert(&row(7, &["Lee", "31/02/1987", "two", "Maybe"]));
    assert!(!out.is_rejected(), "{:?}", out.problems);
    let got: Vec<_> = out.problems.iter().map(|p| (p.kind, p.severity, p.column.clone().unwrap())).collect();
    assert_eq!(
        got,
        [
            (ProblemKind::Unparseable, Severity::Warning, "Born".to_string()),
            (ProblemKind::Unparseable, Severity::Warning, "Kids".to_string()),
            (ProblemKind::NotInBooleanTable, Severity::Warning, "DNC".to_string()),
        ]
    );
    assert!(out.problems[0].message.starts_with("`31/02/1987` is not a date in format `%d/%m/%Y`"));
    // Only the last name is kept; the three bad values are dropped.
    assert_eq!(out.record.fields.len(), 1);

    // `"onInvalid": "reject"` makes the bad value reject its row.
    f.mappings[1].on_invalid = crate::template::OnInvalid::Reject;
    let (c, _) = compile(&contacts(), &f, &["Last", "Born", "Kids", "DNC"]);
    let out = c.convert(&row(7, &["Lee", "31/02/1987", "2", "Y"]));
    assert!(out.is_rejected());
    assert_eq!(out.problems[0].severity, Severity::Error);
}

#[test]
fn subcollection_rows_build_instances() {
    let mut f = file(
        "contacts.csv",
        vec![
            map("Last", "lastName"),
            sub("Biz Line 1", "Address", "Business", "line1"),
            sub("Biz City", "Address", "Business", "city"),
            sub("Home City", "Address", "Home", "city"),
            sub("Phone", "Telcom", "Business", "value"),
            sub("Phone 2", "Telcom", "Business", "value"),
            sub("Hobby", "UserField", "Hobby", "value"),
        ],
    );
    f.mappings[5].instance = Some(2);
    let (c, problems) = compile(
        &contacts(),
        &f,
        &["Last", "Biz Line 1", "Biz City", "Home City", "Phone", "Phone 2", "Hobby"],
    );
    assert_eq!(problems, []);
    let out =
        c.convert(&row(2, &["Lee", "1 Main St", "Toronto", "", "416-555-0100", "416-555-0101", "chess"]));
    assert_eq!(out.problems, []);
    let got: Vec<_> = out
        .record
        .instances
        .iter()
        .map(|i| (i.subcollection.as_str(), i.type_name.as_str(), i.instance, i.attributes.len()))
        .collect();
    // The Home address has no values, so no instance.
    assert_eq!(
        got,
        [
            ("Address", "Business", 1, 2),
            ("Telcom", "Business", 1, 1),
            ("Telcom", "Business", 2, 1),
            ("UserField", "Hobby", 1, 1)
        ]
    );
}

#[test]
fn file_level_problems_name_the_column() {
    let mut f = file(
        "contacts.csv",
        vec![
            map("Last", "lastName"),
            map("Nick", "nickName"),
            map("Born", "birthDate"),
            sub("Fax", "Telcom", "Carrier Pigeon", "value"),
            sub("Street", "Adress", "Home", "line1"),
            map("Gone", "firstName"),
            map("Last", "lastName"),
            map("Seen", "lastContacted"),
        ],
    );
    f.mappings[7].converter = Converter::timestamp("%Y-%m-%d %H:%M", "Toronto");
    let (c, problems) = compile(&contacts(), &f, &["Last", "Nick", "Born", "Fax", "Street", "Seen"]);
    let got: Vec<_> = problems.iter().map(|p| (p.column.as_deref().unwrap(), p.kind, p.line)).collect();
    assert_eq!(
        got,
        [
            ("Nick", ProblemKind::UnknownField, None),
            ("Born", ProblemKind::BadConverter, None),
            ("Fax", ProblemKind::UnknownField, None),
            ("Street", ProblemKind::UnknownField, None),
            ("Gone", ProblemKind::ColumnMissing, None),
            ("Last", ProblemKind::DuplicateMapping, None),
            ("Seen", ProblemKind::BadConverter, None),
        ]
    );
    assert!(problems.iter().all(|p| p.severity == Severity::Error));
    assert_eq!(
        problems[1].message,
        "`birthDate` is a date field; map it with a `date` converter, not `text`"
    );
    assert!(problems[2].message.contains("no type name `Carrier Pigeon`"), "{}", problems[2].message);
    assert!(problems[6].message.contains("unknown time zone `Toronto`"), "{}", problems[6].message);
    // The good mapping still converts.
    let out = c.convert(&row(2, &["Lee", "x", "y", "z", "w", "v"]));
    assert_eq!(out.record.fields.keys().collect::<Vec<_>>(), ["lastName"]);
}

#[test]
fn category_limits_the_fields_of_a_file() {
    let mut f = file("addr.csv", vec![sub("City", "Address", "Home", "city"), map("Last", "lastName")]);
    f.category = "Address".into();
    let (_, problems) = compile(&contacts(), &f, &["City", "Last"]);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].column.as_deref(), Some("Last"));
    assert!(problems[0].message.contains("not in the file's category `Address`"), "{}", problems[0].message);
}

#[test]
fn null_converters_fill_empty_cells() {
    let mut f = lead_file();
    f.null_default = Some("n/a".into());
    f.mappings[3].null_value = Some("Starting Out".into());
    let (c, problems) = compile(&leads(), &f, &["First", "Last", "Mail", "Segment"]);
    assert_eq!(problems, []);
    let out = c.convert(&row(2, &["Ann", "Lee", " ", ""]));
    assert_eq!(out.record.fields["email"], Value::Text("n/a".into()));
    assert_eq!(out.record.fields["marketSegment"], Value::Text("Starting Out".into()));
    // A value that is present is converted as usual.
    let out = c.convert(&row(3, &["Ann", "Lee", "a@b.c", "Retirement"]));
    assert_eq!(out.record.fields["email"], Value::Text("a@b.c".into()));
}

#[test]
fn null_values_are_read_in_the_column_format_or_canonically() {
    let mut f = file(
        "c.csv",
        vec![map("Last", "lastName"), map("Born", "birthDate"), map("Kids", "numberOfChildren")],
    );
    f.mappings[1].converter = Converter::date("%d/%m/%Y");
    f.mappings[1].null_value = Some("01/01/1900".into());
    f.mappings[2].converter = Converter::Integer;
    f.null_default = Some("unknown".into());
    let (c, problems) = compile(&contacts(), &f, &["Last", "Born", "Kids"]);
    // `unknown` suits the text column but not the integer one: a warning, and empty stays empty.
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].severity, problems[0].column.as_deref()), (Severity::Warning, Some("Kids")));
    let out = c.convert(&row(2, &["", "", ""]));
    assert_eq!(out.record.fields["birthDate"], Value::Date(jiff::civil::date(1900, 1, 1)));
    assert_eq!(out.record.fields["lastName"], Value::Text("unknown".into()));
    assert!(!out.record.fields.contains_key("numberOfChildren"));

    let mut f = file("c.csv", vec![map("Born", "birthDate")]);
    f.mappings[0].converter = Converter::date("%d/%m/%Y");
    f.mappings[0].null_value = Some("never".into());
    let (_, problems) = compile(&contacts(), &f, &["Born"]);
    assert_eq!(problems[0].severity, Severity::Error);
    assert_eq!(problems[0].message, "the null value `never` is not a valid date for `birthDate`");
}

#[test]
fn rtf_cells_become_plain_text_and_bad_rtf_is_dropped_with_a_warning() {
    let mut f = file("c.csv", vec![map("Last", "lastName"), map("Notes", "notes")]);
    f.mappings[1].converter = Converter::Text { text: TextConverter::Rtf2plain };
    let (c, _) = compile(&contacts(), &f, &["Last", "Notes"]);
    let out = c.convert(&row(2, &["Lee", r"{\rtf1\ansi Call {\b back}\par}"]));
    assert_eq!(out.record.fields["notes"], Value::Text("Call back".into()));
    let out = c.convert(&row(3, &["Lee", r"{\rtf1\ansi {oops"]));
    assert_eq!(out.problems[0].kind, ProblemKind::BadRtf);
    assert_eq!(out.problems[0].severity, Severity::Warning);
    assert!(!out.is_rejected());
    assert!(!out.record.fields.contains_key("notes"));
}

#[test]
fn rows_longer_than_the_header_are_errors_unless_the_extra_cells_are_empty_and_short_rows_are_errors() {
    let (c, _) = compile(&leads(), &lead_file(), &["First", "Last", "Mail", "Segment"]);
    assert!(c.convert(&row(2, &["Ann", "Lee", "a@b.c", "", "", " "])).problems.is_empty());
    let out = c.convert(&row(3, &["Ann", "Lee", "a@b.c", "", "spill"]));
    assert_eq!(out.problems[0].kind, ProblemKind::RaggedRow);
    // A short row lost a delimiter (or a line break split it): its cells cannot be placed.
    let out = c.convert(&row(4, &["Ann", "Lee"]));
    assert_eq!(out.problems[0].kind, ProblemKind::RaggedRow);
    assert!(out.is_rejected());
}

#[test]
fn columns_match_exactly_then_ignoring_case_and_spaces() {
    let h = headers(&["First Name ", "first name", "EMAIL"]);
    assert_eq!(find_column(&h, "first name"), Some(1));
    assert_eq!(find_column(&h, "Email"), Some(2));
    // Two loose matches are ambiguous.
    assert_eq!(find_column(&h, "FIRST NAME"), None);
}

#[test]
fn templates_must_map_required_fields() {
    let t = leads();
    let mut template = MappingTemplate::new("leads");
    template.files.push(file("leads.csv", vec![map("First", "firstName")]));
    let problems = check_template(&t, &template);
    let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "required field `Last Name` (`lastName`) is not mapped from any column",
            "none of `Email Address`, `Phone` is mapped; every record needs one of them",
        ]
    );
    assert!(problems.iter().all(|p| p.kind == ProblemKind::RequiredUnmapped && p.file == "leads.csv"));

    template.files[0].mappings.extend([map("Last", "lastName"), map("Phone", "phone")]);
    assert_eq!(check_template(&t, &template), []);
}

#[test]
fn templates_with_unknown_categories_and_parents_are_reported() {
    let mut template = MappingTemplate::new("contacts");
    template.files.push(file("main.csv", vec![map("Last", "lastName")]));
    let mut child = file("phones.csv", vec![sub("Number", "Telcom", "Home", "value")]);
    child.category = "Telecom".into();
    child.parent =
        Some(ParentLink { file: "people.csv".into(), column: "PID".into(), parent_column: "ID".into() });
    template.files.push(child);
    let problems = check_template(&contacts(), &template);
    let got: Vec<_> = problems.iter().map(|p| (p.file.as_str(), p.kind)).collect();
    assert_eq!(got, [("phones.csv", ProblemKind::UnknownField), ("phones.csv", ProblemKind::BadParentLink)]);
    assert!(
        problems[0].message.starts_with("target `contacts` has no category `Telecom`"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_parent_file_names_the_id_column_its_children_link_to() {
    let mut template = MappingTemplate::new("contacts");
    template.files.push(file("people.csv", vec![map("Last", "lastName")]));
    let mut child = file("phones.csv", vec![sub("Number", "Telcom", "Home", "value")]);
    child.parent =
        Some(ParentLink { file: "people.csv".into(), column: "PID".into(), parent_column: "ID".into() });
    template.files.push(child);
    let problems = check_template(&contacts(), &template);
    assert_eq!(problems.len(), 1);
    assert_eq!((problems[0].file.as_str(), problems[0].kind), ("people.csv", ProblemKind::BadParentLink));
    assert!(problems[0].message.contains("names no `idColumn` (set it to `ID`)"), "{}", problems[0].message);

    template.files[0].id_column = Some("PersonID".into());
    let problems = check_template(&contacts(), &template);
    assert_eq!(
        problems[0].message,
        "the parent link names column `ID` of `people.csv`, whose `idColumn` is `PersonID`"
    );

    template.files[0].id_column = Some("ID".into());
    assert_eq!(check_template(&contacts(), &template), []);
}

/// A long-format phone table: one row per number, its type in a column.
fn typed_phones(values: &[(&str, &str)], blank: Option<&str>) -> FileMapping {
    let from = crate::template::TypeFrom {
        column: "KIND".into(),
        values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    let typed = |column: &str, field: &str| FieldMapping {
        subcollection: Some("Telcom".into()),
        type_name: blank.map(str::to_string),
        type_from: Some(from.clone()),
        ..map(column, field)
    };
    file("phones.csv", vec![map("Last", "lastName"), typed("NUMBER", "value"), typed("EXT", "extension")])
}

#[test]
fn a_type_column_names_each_rows_instance() {
    let f = typed_phones(&[("W", "Business"), (" cell ", "Mobile")], Some("Other"));
    let (c, problems) = compile(&contacts(), &f, &["Last", "KIND", "NUMBER", "EXT"]);
    assert_eq!(problems, []);
    let typed = |cells: &[&str]| {
        let out = c.convert(&row(2, cells));
        assert_eq!(out.problems, [], "{cells:?}");
        let inst = &out.record.instances;
        assert_eq!(inst.len(), 1, "{cells:?}: {inst:?}");
        (inst[0].type_name.clone(), inst[0].attributes.len())
    };
    assert_eq!(typed(&["Lee", "w", "555-1", "12"]), ("Business".to_string(), 2), "a listed value, any case");
    assert_eq!(typed(&["Lee", "CELL", "555-1", ""]), ("Mobile".to_string(), 1), "listed values are trimmed");
    assert_eq!(typed(&["Lee", " home fax ", "555-1", ""]), ("Home Fax".to_string(), 1), "a type name itself");
    assert_eq!(typed(&["Lee", "", "555-1", ""]), ("Other".to_string(), 1), "blank: the typeName");
}

#[test]
fn an_unknown_row_type_rejects_the_row_once_naming_the_value_and_the_fix() {
    let f = typed_phones(&[("W", "Business")], None);
    let (c, problems) = compile(&contacts(), &f, &["Last", "KIND", "NUMBER", "EXT"]);
    assert_eq!(problems, []);
    let out = c.convert(&row(7, &["Lee", "Beeper", "555-1", "12"]));
    assert!(out.is_rejected());
    assert_eq!(out.problems.len(), 1, "one problem for the row, not one per typed value: {:?}", out.problems);
    let p = &out.problems[0];
    assert_eq!(
        (p.kind, p.line, p.column.as_deref(), p.value.as_deref()),
        (ProblemKind::UnknownTypeName, Some(7), Some("KIND"), Some("Beeper"))
    );
    assert!(
        p.message.contains("`Beeper` is not a type of `Telcom`") && p.message.contains("typeFrom.values"),
        "{}",
        p.message
    );
    let blank = c.convert(&row(8, &["Lee", " ", "555-1", ""]));
    assert!(blank.problems[0].message.contains("the type column `KIND` is empty"), "{:?}", blank.problems);
    // An empty number needs no type.
    assert_eq!(c.convert(&row(9, &["Lee", "Beeper", "", ""])).problems, []);
}

#[test]
fn type_columns_and_their_values_are_checked_against_file_and_target() {
    let f = typed_phones(&[("W", "Work")], None);
    let (_, problems) = compile(&contacts(), &f, &["Last", "KIND", "NUMBER", "EXT"]);
    assert!(
        problems.iter().any(|p| p.kind == ProblemKind::UnknownField
            && p.message.contains("no type name `Work` (given for `W` in `typeFrom.values`)")),
        "{problems:?}"
    );
    let f = typed_phones(&[], None);
    let (_, problems) = compile(&contacts(), &f, &["Last", "NUMBER", "EXT"]);
    assert!(
        problems.iter().any(|p| p.kind == ProblemKind::ColumnMissing
            && p.column.as_deref() == Some("KIND")
            && p.message.contains("the type column of `Telcom[type in KIND].value`")),
        "{problems:?}"
    );
    let mut plain = map("Last", "lastName");
    plain.type_from = Some(crate::template::TypeFrom { column: "KIND".into(), values: BTreeMap::new() });
    let (_, problems) = compile(&contacts(), &file("p.csv", vec![plain]), &["Last", "KIND"]);
    assert!(problems.iter().any(|p| p.message.contains("not in a subcollection")), "{problems:?}");
}
