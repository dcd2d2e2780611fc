//! Tests of `ferry schema` and of the `$schema` written templates carry.

use crate::util::{Sandbox, repo_file, stderr, stdout};

#[test]
fn schema_prints_each_schema_with_its_id_as_in_schemas() {
    for (name, file) in [
        ("mapping", "schemas/mapping.schema.json"),
        ("target", "schemas/target.schema.json"),
        ("matching", "schemas/matching.schema.json"),
    ] {
        let out = Sandbox::new().ferry().args(["schema", name]).output().unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed["$id"], format!("https://ferry.dev/schemas/{name}.schema.json"), "{name}");
        assert_eq!(stdout(&out), std::fs::read_to_string(repo_file(file)).unwrap(), "{name}");
    }
}

#[test]
fn schema_out_dash_is_stdout_and_out_writes_a_file() {
    let sb = Sandbox::new();
    let out = sb.ferry().args(["schema", "mapping", "--out", "-"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"$id\""));
    assert!(!sb.join("-").exists(), "`--out -` is stdout, not a file named `-`");
    let out = sb.ferry().args(["schema", "target", "-o", "t.schema.json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read_to_string(sb.join("t.schema.json")).unwrap().contains("target.schema.json"));
}

fn auto_template(sb: &Sandbox, out: &str) -> serde_json::Value {
    let run = sb
        .ferry()
        .args(["map", "--auto", "--target", "contacts", "--out", out, "--data"])
        .arg(repo_file("templates/examples/three-tables"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    serde_json::from_str(&std::fs::read_to_string(sb.join(out)).unwrap()).unwrap()
}

#[test]
fn written_templates_point_at_a_schema_an_editor_resolves() {
    let sb = Sandbox::new();
    // No schema near: the `$id`, which the README says how to map.
    assert_eq!(auto_template(&sb, "m.json")["$schema"], "https://ferry.dev/schemas/mapping.schema.json");
    // The schema beside the template, or in a `schemas/` folder above it: a relative path.
    std::fs::create_dir_all(sb.join("schemas")).unwrap();
    let wrote = sb.ferry().args(["schema", "mapping", "-o", "schemas/mapping.schema.json"]).output().unwrap();
    assert!(wrote.status.success(), "{}", stderr(&wrote));
    std::fs::create_dir_all(sb.join("mappings")).unwrap();
    assert_eq!(auto_template(&sb, "mappings/m.json")["$schema"], "../schemas/mapping.schema.json");
    assert_eq!(auto_template(&sb, "m.json")["$schema"], "./schemas/mapping.schema.json");
}
