//! The package's XML maps exactly onto mapping templates: read(write(t)) == t.

use std::collections::BTreeMap;

use ferry_mapper::template::{
    Converter, FieldMapping, FileMapping, MappingTemplate, OnInvalid, ParentLink, TextConverter, TypeFrom,
};
use ferry_packager::format::{template_from_xml, template_to_xml};
use proptest::prelude::*;

/// Text XML can hold in attributes: no control characters, but markup, quotes,
/// entities-looking text, non-ASCII and surrogate-plane characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9 _.-]{0,12}",
        "[ -~]{0,10}",
        "[\u{e9}\u{fc}\u{2603}\u{1F600}<>&\"' ]{0,6}",
        Just(String::new()),
        Just("&amp; <tag/> \"q\" 'a'".to_string()),
    ]
}

fn converter() -> impl Strategy<Value = Converter> {
    prop_oneof![
        Just(Converter::Text { text: TextConverter::None }),
        Just(Converter::Text { text: TextConverter::Rtf2plain }),
        Just(Converter::Integer),
        any::<bool>().prop_map(|comma| Converter::Decimal { comma }),
        prop::option::of(text()).prop_map(|country| Converter::Phone { country }),
        Just(Converter::Email),
        prop::sample::select(ferry_mapper::name::NamePart::ALL.to_vec())
            .prop_map(|part| Converter::Name { part }),
        prop::collection::vec(text(), 1..4).prop_map(|formats| Converter::Date { formats }),
        (prop::collection::vec(text(), 1..4), text())
            .prop_map(|(formats, time_zone)| Converter::Timestamp { formats, time_zone }),
        prop::collection::btree_map(text(), any::<bool>(), 0..4)
            .prop_map(|table| Converter::Boolean { table }),
        prop::collection::btree_map(text(), prop::option::of(text()), 0..4)
            .prop_map(|table: BTreeMap<String, Option<String>>| Converter::Enumeration { table }),
    ]
}

fn nulls() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 0..3)
}

fn on_invalid() -> impl Strategy<Value = OnInvalid> {
    prop_oneof![Just(OnInvalid::Drop), Just(OnInvalid::Reject), Just(OnInvalid::Keep)]
}

fn field_mapping() -> impl Strategy<Value = FieldMapping> {
    let one_to_one = (text(), text(), converter(), prop::option::of(text()), nulls(), on_invalid()).prop_map(
        |(column, field, converter, null_value, null_values, on_invalid)| FieldMapping {
            type_from: None,
            column,
            field,
            subcollection: None,
            type_name: None,
            instance: None,
            converter,
            null_value,
            null_values,
            on_invalid,
        },
    );
    let many_to_one = (
        text(),
        text(),
        text(),
        prop::option::of(text()),
        prop::option::of(1u32..5),
        converter(),
        prop::option::of(text()),
        prop::option::of((text(), prop::collection::btree_map(text(), text(), 0..4))),
        nulls(),
        on_invalid(),
    )
        .prop_map(
            |(
                column,
                field,
                sub,
                type_name,
                instance,
                converter,
                null_value,
                type_from,
                null_values,
                on_invalid,
            )| {
                FieldMapping {
                    type_from: type_from.map(|(column, values)| TypeFrom { column, values }),
                    column,
                    field,
                    subcollection: Some(sub),
                    type_name,
                    instance,
                    converter,
                    null_value,
                    null_values,
                    on_invalid,
                }
            },
        );
    prop_oneof![one_to_one, many_to_one]
}

fn template() -> impl Strategy<Value = MappingTemplate> {
    let file = (
        "[A-Za-z][A-Za-z0-9_]{0,8}",
        text(),
        prop::option::of((text(), text())),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::collection::vec(field_mapping(), 0..6),
        nulls(),
    );
    (
        text(),
        prop_oneof![Just("UTF-8".to_string()), Just("windows-1252".to_string())],
        prop::collection::vec(file, 0..4),
    )
        .prop_map(|(target, encoding, files)| {
            let names: Vec<String> =
                files.iter().enumerate().map(|(i, f)| format!("{}{i}.csv", f.0)).collect();
            let files = files
                .into_iter()
                .enumerate()
                .map(|(i, (_, category, parent, id_column, null_default, mappings, null_values))| {
                    FileMapping {
                        name: names[i].clone(),
                        category,
                        // A parent link points at the first file.
                        parent: parent.filter(|_| i > 0).map(|(column, parent_column)| ParentLink {
                            file: names[0].clone(),
                            column,
                            parent_column,
                        }),
                        id_column,
                        null_default,
                        null_values,
                        mappings,
                    }
                })
                .collect();
            MappingTemplate {
                schema: None,
                format_version: 1,
                target,
                encoding,
                ready_made: false,
                country: None,
                files,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn read_of_write_is_identity(t in template()) {
        let xml = template_to_xml(&t).expect("writable");
        let back = template_from_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml:#?}")))?;
        prop_assert_eq!(back, t);
    }
}

#[test]
fn the_json_schema_pointer_is_not_carried() {
    let mut t = MappingTemplate::new("contacts");
    assert!(t.schema.is_some());
    let back = template_from_xml(&template_to_xml(&t).unwrap()).unwrap();
    t.schema = None;
    assert_eq!(back, t);
}

/// `typeValue` elements only make sense after the converter of a
/// `subcollectionField` with a `typeColumn`; elsewhere, or doubled, or with a
/// second converter, the mapping file is refused with its reason and line.
#[test]
fn misplaced_type_values_are_refused_with_their_line() {
    use ferry_packager::format::{FileEntry, read_field_mappings};
    let entry = FileEntry { csv: "p.csv".into(), mappings: "p_mappings.xml".into(), rows: 0, parent: None };
    let read = |body: &str| {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<fieldMappings version=\"1\" csv=\"p.csv\" category=\"All\">\n{body}\n</fieldMappings>\n"
        );
        read_field_mappings(&xml, &entry).map(|_| ()).map_err(|e| (e.line, e.to_string()))
    };
    let typed = |attrs: &str, children: &str| {
        format!(
            "<subcollectionField column=\"N\" subcollection=\"Telcom\" attribute=\"value\"{attrs}>\n{children}\n</subcollectionField>"
        )
    };
    assert_eq!(
        read(&typed(
            " typeColumn=\"K\"",
            "<text converter=\"none\"/><typeValue source=\"W\" typeName=\"Business\"/>"
        )),
        Ok(())
    );
    let cases = [
        (typed("", "<text converter=\"none\"/>\n<typeValue source=\"W\" typeName=\"Business\"/>"), "belong to a field with a `typeColumn`"),
        (
            typed(
                " typeColumn=\"K\"",
                "<text converter=\"none\"/>\n<typeValue source=\"W\" typeName=\"Business\"/>\n<typeValue source=\"W\" typeName=\"Home\"/>",
            ),
            "`typeValue` `W` is given twice",
        ),
        (typed(" typeColumn=\"K\"", "<text converter=\"none\"/>\n<integer/>"), "holds one converter, not 2"),
        (typed(" typeColumn=\"K\"", "<typeValue source=\"W\" typeName=\"Business\"/>"), "holds one converter, not 0"),
        (
            "<field column=\"N\" target=\"lastName\">\n<typeValue source=\"W\" typeName=\"Business\"/>\n</field>".to_string(),
            "stands where a converter belongs",
        ),
    ];
    for (body, expect) in cases {
        let (line, message) = read(&body).expect_err(&body);
        assert!(message.contains(expect), "{body}: `{message}` lacks `{expect}`");
        assert!(line.is_some_and(|l| l >= 3), "{body}: line {line:?}");
    }
}
