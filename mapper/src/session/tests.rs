//! Tests of the session state machine: sessions driven by line answers.

use super::*;
use crate::target::TargetDefinition;
use crate::template::{ParentLink, TextConverter, TypeFrom};

fn date(format: &str) -> InferredKind {
    InferredKind::Date { format: format.to_string(), ambiguous: false, alternative: None }
}

fn data() -> Vec<SourceFile> {
    let col = SourceColumn::from_values;
    vec![
        SourceFile {
            name: "contacts.csv".into(),
            rows: Some(3),
            columns: vec![
                col("ID", &["1", "2", "3"], InferredKind::Integer),
                col("FIRST", &["Ann", "Bob", "Cy"], InferredKind::Text),
                col("LAST", &["Lee", "Ng", "Ode"], InferredKind::Text),
                col("BDAY", &["31/12/1980", "01/02/1990", ""], date("%d/%m/%Y")),
                col("SEX", &["M", "F", "U"], InferredKind::Text),
                col("VIP", &["Y", "N", "N"], InferredKind::Boolean),
                col(
                    "UPDATED",
                    &["2024-03-15 14:30", "2024-01-02 08:00", ""],
                    InferredKind::Timestamp { format: "%Y-%m-%d %H:%M".into() },
                ),
                col("NOTES", &[r"{\rtf1\ansi Hello\par}", "", ""], InferredKind::Text),
            ],
        },
        SourceFile {
            name: "phones.csv".into(),
            rows: Some(2),
            columns: vec![
                col("CID", &["1", "2"], InferredKind::Integer),
                col("WORK", &["416-555-0100", "416-555-0101"], InferredKind::Phone),
                col("EXT", &["12", ""], InferredKind::Integer),
            ],
        },
    ]
}

fn contacts() -> TargetDefinition {
    TargetDefinition::bundled("contacts").unwrap()
}

/// Answers each question with a line; panics naming the line that was refused.
/// Lines starting with `!` must be refused (the same question is asked again).
fn drive(s: &mut Session, lines: &[&str]) -> Step {
    for (n, line) in lines.iter().enumerate() {
        let Step::Ask(q) = s.step() else { panic!("line {}: `{line}`: the session already ended", n + 1) };
        let (refuse, text) = match line.strip_prefix('!') {
            Some(t) => (true, t),
            None => (false, *line),
        };
        let result = q.parse(text).and_then(|a| s.answer(a));
        match (refuse, result) {
            (false, Err(e)) => panic!("line {} `{line}` refused at `{}`: {e}", n + 1, q.prompt),
            (true, Ok(())) => panic!("line {} `{line}` was taken at `{}`", n + 1, q.prompt),
            _ => {}
        }
    }
    s.step()
}

fn session(start: MappingTemplate) -> Session {
    Session::new(contacts(), data(), start, SessionOptions::default())
}

#[test]
fn a_whole_session_builds_every_kind_of_mapping() {
    let mut s = session(MappingTemplate::new("contacts"));
    let step = drive(
        &mut s,
        &[
            // contacts.csv
            "All",
            "no: a main file",
            "map",
            "externalId",
            "ID",
            "",
            "map",
            "firstName",
            "FIRST",
            "none",
            "map",
            "lastName",
            "3",
            "",
            "map",
            "birthDate",
            "BDAY",
            "other",
            "!31-12-1980",
            "!%Y-%m-%d",
            "%d/%m/%Y",
            "map",
            "gender",
            "SEX",
            "Male",
            "Female",
            "(ignore)",
            "map",
            "doNotContact",
            "VIP",
            "Y",
            "map",
            "lastContacted",
            "UPDATED",
            "%Y-%m-%d %H:%M",
            "!Mars/Olympus",
            "America/Toronto",
            "map",
            "notes",
            "NOTES",
            "rtf2plain",
            "null",
            "default",
            "n/a",
            "apply",
            "field",
            "FIRSTNAME ← FIRST",
            "?",
            "back",
            "next",
            // phones.csv
            "Telcom",
            "contacts.csv",
            "CID",
            "ID",
            "add",
            "Telcom",
            "Business",
            "value",
            "WORK",
            "",
            "copy",
            "Telcom[Business].value ← WORK",
            "extension",
            "EXT",
            "",
            "add",
            "Telcom",
            "Business",
            "value",
            "WORK",
            "",
            "delete",
            "Telcom[Business #2].value ← WORK",
            "review",
            "next",
            "save",
        ],
    );
    let Step::Save(t) = step else { panic!("expected a save, got {step:?}") };
    let c = t.file("contacts.csv").unwrap();
    assert_eq!(c.id_column.as_deref(), Some("ID"));
    assert_eq!(c.null_default.as_deref(), Some("n/a"));
    let by_field = |f: &str| c.mappings.iter().find(|m| m.field == f).unwrap();
    assert_eq!(by_field("birthDate").converter, Converter::date("%d/%m/%Y"));
    assert_eq!(
        by_field("gender").converter,
        Converter::Enumeration {
            table: [("F", Some("Female")), ("M", Some("Male")), ("U", None)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect()
        }
    );
    assert_eq!(
        by_field("doNotContact").converter,
        Converter::Boolean { table: [("N".to_string(), false), ("Y".to_string(), true)].into() }
    );
    assert_eq!(
        by_field("lastContacted").converter,
        Converter::timestamp("%Y-%m-%d %H:%M", "America/Toronto")
    );
    assert_eq!(by_field("notes").converter, Converter::Text { text: TextConverter::Rtf2plain });
    assert_eq!(by_field("firstName").null_value.as_deref(), Some("?"));
    assert_eq!(by_field("lastName").null_value.as_deref(), Some("n/a"));

    let p = t.file("phones.csv").unwrap();
    assert_eq!(p.category, "Telcom");
    assert_eq!(
        p.parent,
        Some(ParentLink { file: "contacts.csv".into(), column: "CID".into(), parent_column: "ID".into() })
    );
    let rows: Vec<(String, String)> =
        p.mappings.iter().map(|m| (m.column.clone(), m.target_label())).collect();
    assert_eq!(
        rows,
        vec![
            ("WORK".to_string(), "Telcom[Business].value".to_string()),
            ("EXT".to_string(), "Telcom[Business].extension".to_string()),
        ]
    );
}

#[test]
fn resuming_and_accepting_every_default_changes_nothing() {
    let mut s = session(MappingTemplate::new("contacts"));
    let step = drive(
        &mut s,
        &[
            "All",
            "1",
            "map",
            "lastName",
            "LAST",
            "",
            "map",
            "gender",
            "SEX",
            "",
            "",
            "",
            "next",
            "Address",
            "contacts.csv",
            "CID",
            "ID",
            "add",
            "Address",
            "Home",
            "zip",
            "WORK",
            "",
            "next",
            "save",
        ],
    );
    let Step::Save(first) = step else { panic!("expected a save") };
    let mut again = session(first.clone());
    let mut answered = 0;
    let end = loop {
        match again.step() {
            Step::Ask(q) => {
                again.answer(q.default_answer()).unwrap();
                answered += 1;
                assert!(answered < 50, "defaults never reach the end");
            }
            other => break other,
        }
    };
    assert_eq!(end, Step::Save(first.clone()));
    assert_eq!(first.file("contacts.csv").unwrap().id_column.as_deref(), Some("ID"));
}

#[test]
fn resuming_reports_what_the_data_lacks() {
    let mut start = MappingTemplate::new("contacts");
    start.files.push(FileMapping {
        name: "contacts.csv".into(),
        category: "All".into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings: vec![new_mapping("FAX_NO", "lastName", None, None)],
    });
    start.files.push(FileMapping {
        name: "gone.csv".into(),
        category: "All".into(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings: vec![],
    });
    let mut s = session(start);
    let Step::Ask(q) = s.step() else { panic!() };
    let notes = q.notes.join("\n");
    assert!(notes.contains("`contacts.csv` lacks: `FAX_NO`"), "{notes}");
    assert!(notes.contains("`gone.csv`, which the data location lacks"), "{notes}");
    assert!(notes.contains("contacts.csv  (8 columns, 3 rows)"), "{notes}");
    // the file kept as is, the data file it lacked added
    assert!(s.template().file("gone.csv").is_some());
    assert!(s.template().file("phones.csv").is_some());
}

#[test]
fn choices_mark_mapped_columns_and_plugged_fields() {
    for (ascii, mapped, plugged) in
        [(false, "✓ FIRST", "● First Name"), (true, "[x] FIRST", "(*) First Name")]
    {
        let mut s =
            Session::new(contacts(), data(), MappingTemplate::new("contacts"), SessionOptions { ascii });
        drive(&mut s, &["All", "1", "map", "firstName", "FIRST", "", "map"]);
        let Step::Ask(q) = s.step() else { panic!() };
        let QuestionKind::Select { options, .. } = &q.kind else { panic!() };
        assert!(
            options.iter().any(|o| o.label.starts_with(plugged) && o.label.ends_with("← FIRST")),
            "{options:?}"
        );
        s.answer(q.parse("lastName").unwrap()).unwrap();
        let Step::Ask(q) = s.step() else { panic!() };
        let QuestionKind::Select { options, .. } = &q.kind else { panic!() };
        let first = options.iter().find(|o| o.key == "FIRST").unwrap();
        assert!(first.label.starts_with(mapped) && first.label.contains("e.g. `Ann`"), "{}", first.label);
        assert!(first.label.ends_with("→ firstName"), "{}", first.label);
    }
}

#[test]
fn a_category_limits_the_fields_offered() {
    let mut s = session(MappingTemplate::new("contacts"));
    drive(&mut s, &["Name", "1"]);
    let Step::Ask(menu) = s.step() else { panic!() };
    let QuestionKind::Select { options, .. } = &menu.kind else { panic!() };
    assert!(!options.iter().any(|o| o.key == "add"), "Name is not a subcollection: {options:?}");
    s.answer(menu.parse("map").unwrap()).unwrap();
    let Step::Ask(q) = s.step() else { panic!() };
    let QuestionKind::Select { options, .. } = &q.kind else { panic!() };
    let keys: Vec<&str> = options.iter().map(|o| o.key.as_str()).collect();
    assert!(keys.contains(&"firstName") && !keys.contains(&"birthDate"), "{keys:?}");
}

#[test]
fn quitting_saves_nothing_and_user_fields_take_a_typed_name() {
    let mut s = session(MappingTemplate::new("contacts"));
    let step = drive(
        &mut s,
        &[
            "All",
            "1",
            "add",
            "UserField",
            "value",
            "FIRST",
            "Work number",
            "",
            "next",
            "All",
            "1",
            "next",
            "quit",
        ],
    );
    assert_eq!(step, Step::Quit);
    let m = &s.template().file("contacts.csv").unwrap().mappings;
    assert_eq!(m[0].target_label(), "UserField[Work number].value");
}

/// Every bundled mapping template loads, names only what its target knows, and
/// names only columns its example data has.
#[test]
fn bundled_templates_fit_their_targets_and_examples() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (template, example) in [
        ("outlook-contacts.json", "outlook"),
        ("google-contacts.json", "google"),
        ("three-tables.json", "three-tables"),
    ] {
        let path = root.join("templates/mappings").join(template);
        let t = MappingTemplate::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let target = TargetDefinition::resolve(&t.target).unwrap();
        for fm in &t.files {
            let data = root.join("templates/examples").join(example).join(&fm.name);
            let headers = crate::read::open(&data, &Default::default()).unwrap().headers;
            for m in &fm.mappings {
                assert!(
                    headers.contains(&m.column),
                    "{template}: `{}` is not a column of {}",
                    m.column,
                    fm.name
                );
                match (&m.subcollection, &m.type_name) {
                    (Some(sub), Some(type_name)) => {
                        let c = target.subcollection(sub).expect("known subcollection");
                        assert!(
                            c.type_names.is_empty() || c.type_names.contains(type_name),
                            "{template}: {type_name}"
                        );
                        assert!(
                            target.attribute(sub, &m.field).is_some(),
                            "{template}: {}",
                            m.target_label()
                        );
                    }
                    (None, None) => assert!(target.field(&m.field).is_some(), "{template}: {}", m.field),
                    _ => panic!("{template}: {} has a subcollection without a type name", m.column),
                }
            }
            if let Some(p) = &fm.parent {
                assert!(headers.contains(&p.column), "{template}: link column {}", p.column);
                assert_eq!(
                    t.file(&p.file).and_then(|f| f.id_column.as_deref()),
                    Some(p.parent_column.as_str())
                );
            }
        }
        // the saved form is the canonical one: loading and saving changes nothing
        assert_eq!(t.to_json(), std::fs::read_to_string(&path).unwrap(), "{template} is not in saved form");
    }
}

#[test]
fn a_type_column_is_mapped_with_a_type_per_value() {
    let col = SourceColumn::from_values;
    let phones = vec![SourceFile {
        name: "phones.csv".into(),
        rows: Some(5),
        columns: vec![
            col("CID", &["1", "1", "2", "2", "3"], InferredKind::Integer),
            col("KIND", &["W", "cell", "home", "X", ""], InferredKind::Text),
            col("NUMBER", &["555-0100", "555-0101", "555-0102", "555-0103", "555-0104"], InferredKind::Phone),
            col("EXT", &["12", "", "", "", ""], InferredKind::Integer),
        ],
    }];
    let mut s = Session::new(contacts(), phones, MappingTemplate::new("contacts"), SessionOptions::default());
    let step = drive(
        &mut s,
        &[
            "All",
            "add",
            "Telcom",
            "from-column",
            "KIND",
            // `home` is a type name already; W, cell and X are asked, in order.
            "!Bogus",
            "Business",
            "Mobile",
            "none",
            // rows with a blank KIND
            "Other",
            "value",
            "NUMBER",
            "",
            "copy",
            "Telcom[type in KIND].value ← NUMBER",
            "extension",
            "EXT",
            "",
            "next",
            "save",
        ],
    );
    let Step::Save(t) = step else { panic!("expected a save, got {step:?}") };
    let p = t.file("phones.csv").unwrap();
    let from = TypeFrom {
        column: "KIND".into(),
        values: [("W", "Business"), ("cell", "Mobile")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    };
    let rows: Vec<(&str, &str)> = p.mappings.iter().map(|m| (m.column.as_str(), m.field.as_str())).collect();
    assert_eq!(rows, [("NUMBER", "value"), ("EXT", "extension")]);
    for m in &p.mappings {
        assert_eq!(
            (m.type_name.as_deref(), m.type_from.as_ref(), m.instance),
            (Some("Other"), Some(&from), None)
        );
    }
    // The template converts: the value and the extension share the row's instance.
    let headers: Vec<String> = ["CID", "KIND", "NUMBER", "EXT"].iter().map(|s| s.to_string()).collect();
    let (c, problems) = crate::convert::FileConverter::new(&contacts(), p, &headers, &Default::default());
    assert_eq!(problems, []);
    let row = crate::read::Row { line: 2, cells: ["1", "W", "555-0100", "12"].map(String::from).to_vec() };
    let out = c.convert(&row);
    assert_eq!(out.problems, []);
    assert_eq!(
        (
            out.record.instances.len(),
            out.record.instances[0].type_name.as_str(),
            out.record.instances[0].attributes.len()
        ),
        (1, "Business", 2)
    );
}
