//! The JSON Schemas in `schemas/` are generated from the types: this test fails
//! when they drift. Run with `FERRY_BLESS=1` to rewrite them.

use std::path::PathBuf;

fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

#[test]
fn schemas_are_fresh() {
    let bless = std::env::var_os("FERRY_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, content) in ferry_mapper::schema::all_schemas() {
        let path = schemas_dir().join(name);
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        if on_disk != content {
            if bless {
                std::fs::write(&path, &content).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `FERRY_BLESS=1 cargo test -p ferry-mapper --test schemas`"
    );
}

#[test]
fn bundled_targets_validate() {
    for (name, _) in ferry_mapper::target::BUNDLED_TARGETS {
        let path =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../templates/targets/{name}.json"));
        let t = ferry_mapper::target::TargetDefinition::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&t.name, name);
    }
}

#[test]
fn lead_target_carries_the_seed_rules() {
    let t = ferry_mapper::target::TargetDefinition::bundled("leads").unwrap();
    let limit = |n: &str| t.field(n).unwrap().max_length;
    assert_eq!(limit("firstName"), Some(25));
    assert_eq!(limit("lastName"), Some(60));
    assert_eq!(limit("email"), Some(80));
    assert_eq!(limit("phone"), Some(80));
    assert_eq!(limit("company"), Some(60));
    assert_eq!(limit("position"), Some(100));
    assert_eq!(limit("zip"), Some(15));
    assert!(t.field("firstName").unwrap().required && t.field("lastName").unwrap().required);
    assert_eq!(t.require_one_of, vec![vec!["email".to_string(), "phone".to_string()]]);
    assert_eq!(t.field("marketSegment").unwrap().values, ["Starting Out", "Pre-Retirement", "Retirement"]);
    assert_eq!(t.field("salesConcept").unwrap().values.len(), 5);
}

#[test]
fn misspelt_template_key_names_its_json_path() {
    let text = r#"{"formatVersion": 1, "target": "leads",
        "files": [{"name": "leads.csv", "mappings": [{"colum": "First", "field": "firstName"}]}]}"#;
    let err =
        ferry_mapper::template::MappingTemplate::from_json(text, std::path::Path::new("t.json")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("/files/0/mappings/0"), "{msg}");
    assert!(msg.contains("colum"), "{msg}");
}
