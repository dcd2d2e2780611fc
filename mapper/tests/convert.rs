//! Conversion end to end: legacy files read by the readers, converted by a
//! bundled-style template, give the same records whatever their encoding,
//! dialect or format.

use std::path::PathBuf;

use ferry_mapper::convert::{ConvertOptions, FileConverter};
use ferry_mapper::read::{ReadOptions, open};
use ferry_mapper::record::Record;
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

#[test]
fn the_same_contacts_convert_identically_in_every_encoding_and_dialect() {
    let template = MappingTemplate::load(&repo_file("test-data/convert/contacts-mapping.json")).unwrap();
    let target = TargetDefinition::resolve(&template.target).unwrap();
    let dir = repo_file("test-data/readers/contacts");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");

    let mut first: Option<(String, Vec<Record>)> = None;
    for name in names {
        let table = open(&dir.join(&name), &ReadOptions::default()).unwrap();
        let (converter, problems) =
            FileConverter::new(&target, &template.files[0], &table.headers, &ConvertOptions::default());
        assert_eq!(problems, [], "{name}");
        let mut records = Vec::new();
        for row in table {
            let converted = converter.convert(&row.unwrap());
            assert_eq!(converted.problems, [], "{name}");
            assert_eq!(converter.validate(&target, &converted.record, 0), [], "{name}");
            records.push(converted.record);
        }
        match &first {
            None => first = Some((name, records)),
            Some((first_name, expected)) => {
                assert_eq!(&records, expected, "{name} differs from {first_name}")
            }
        }
    }
    let (_, records) = first.unwrap();
    // Accents survive every encoding, and the values are typed.
    let jose = &records[0];
    assert_eq!(jose.fields["lastName"].to_text(), "Núñez");
    assert_eq!(jose.fields["birthDate"].to_text(), "1987-03-15");
    let email = jose.instances.iter().find(|i| i.type_name == "Email").unwrap();
    assert_eq!(email.attributes["value"].to_text(), "jose.nunez@example.com");
}
