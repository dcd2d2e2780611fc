//! Every JSON file under `templates/` loads through its schema: target
//! definitions in `targets/`, mapping templates in `mappings/` (which must
//! also map every required field of their target). Other folders hold files
//! the mapper does not own (matching profiles); they must still be JSON.

use std::path::{Path, PathBuf};

use ferry_mapper::problem::Severity;
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;

fn templates_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_bundled_json_file_validates() {
    let root = templates_dir();
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    let mut checked = 0;
    for path in &files {
        let rel = path.strip_prefix(&root).unwrap();
        match rel.components().next().unwrap().as_os_str().to_str().unwrap() {
            "targets" => {
                TargetDefinition::load(path).unwrap_or_else(|e| panic!("{e}"));
            }
            "mappings" => {
                let template = MappingTemplate::load(path).unwrap_or_else(|e| panic!("{e}"));
                let target = TargetDefinition::resolve(&template.target).unwrap_or_else(|e| panic!("{e}"));
                let errors: Vec<String> = ferry_mapper::convert::check_template(&target, &template)
                    .into_iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(|p| p.to_string())
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:#?}", rel.display());
            }
            _ => {
                let text = std::fs::read_to_string(path).unwrap();
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{}: not JSON: {e}", rel.display()));
            }
        }
        checked += 1;
    }
    // contacts.json, leads.json and simple-leads.json at least.
    assert!(checked >= 3, "only {checked} files under {}", root.display());
}

#[test]
fn a_misspelt_key_in_a_target_names_its_json_path() {
    let text = std::fs::read_to_string(templates_dir().join("targets/leads.json")).unwrap();
    let bad = text.replacen("\"maxLength\": 25", "\"maxLenght\": 25", 1);
    assert_ne!(bad, text);
    let err = TargetDefinition::from_json(&bad, Path::new("leads.json")).unwrap_err().to_string();
    assert!(err.contains("/categories/0/fields/1"), "{err}");
    assert!(err.contains("maxLenght"), "{err}");
}
