//! JSON Schemas of the user-edited files, and loading JSON through them.
//!
//! The schemas are generated from the Rust types with schemars; `schemas/`
//! holds the generated files and a test fails when they drift. Every
//! user-edited file is validated with jsonschema on load, so an error names
//! the JSON path of what is wrong.

use std::path::Path;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;

use crate::error::{Error, SchemaError};

/// The `$id` of the mapping template schema (a name, not a place: no server
/// answers it; `schema_ref` writes a relative path when the file is near).
pub const MAPPING_SCHEMA_REF: &str = "https://ferry.dev/schemas/mapping.schema.json";

/// The `$id` of the target definition schema.
pub const TARGET_SCHEMA_REF: &str = "https://ferry.dev/schemas/target.schema.json";

/// The `$schema` a file written at `written` should carry for the schema
/// `file_name` (`mapping.schema.json`) whose `$id` is `id`: a path relative to
/// the written file when the schema is beside it, in a `schemas/` folder beside
/// it, or in one of those in a parent folder (an editor resolves it); else the `$id`.
pub fn schema_ref(written: &Path, file_name: &str, id: &str) -> String {
    let dir = match written.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let Ok(dir) = std::path::absolute(&dir) else { return id.to_string() };
    for (up, ancestor) in dir.ancestors().enumerate() {
        for sub in ["", "schemas/"] {
            if ancestor.join(sub).join(file_name).is_file() {
                let prefix = if up == 0 { "./".to_string() } else { "../".repeat(up) };
                return format!("{prefix}{sub}{file_name}");
            }
        }
    }
    id.to_string()
}

/// The schema of `T` as pretty JSON with a trailing newline (the form in `schemas/`).
pub fn schema_json<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut s = serde_json::to_string_pretty(schema.as_value()).expect("schemas serialize");
    s.push('\n');
    s
}

/// Every generated schema: file name in `schemas/` and its content.
pub fn all_schemas() -> Vec<(&'static str, String)> {
    vec![
        ("mapping.schema.json", schema_json::<crate::template::MappingTemplate>()),
        ("target.schema.json", schema_json::<crate::target::TargetDefinition>()),
    ]
}

/// The names of every `properties` object in a schema, recursively.
fn property_names<'a>(schema: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match schema {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().map(String::as_str));
            }
            map.values().for_each(|v| property_names(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| property_names(v, out)),
        _ => {}
    }
}

/// Parses `text` as JSON, validates it against `T`'s schema, then deserializes it.
/// `path` names the file in errors.
pub fn load_json<T: DeserializeOwned + JsonSchema>(text: &str, path: &Path) -> Result<T, Error> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let schema = schemars::schema_for!(T);
    let validator = jsonschema::validator_for(schema.as_value()).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        message: format!("internal error: the schema does not compile: {e}"),
    })?;
    let mut errors: Vec<SchemaError> = validator
        .iter_errors(&value)
        .map(|e| {
            let mut message = e.to_string();
            // A typo'd key: the nearest name the schema knows anywhere.
            if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } = e.kind() {
                let mut known = Vec::new();
                property_names(schema.as_value(), &mut known);
                for key in unexpected {
                    if let Some(near) = crate::suggest::did_you_mean(key, known.iter().copied()) {
                        message.push_str(&format!("; did you mean `{near}` instead of `{key}`?"));
                    }
                }
            }
            SchemaError { json_path: e.instance_path().to_string(), message }
        })
        .collect();
    if !errors.is_empty() {
        errors.sort_by(|a, b| a.json_path.cmp(&b.json_path).then(a.message.cmp(&b.message)));
        errors.dedup();
        return Err(Error::Schema { path: path.to_path_buf(), errors });
    }
    serde_json::from_value(value)
        .map_err(|e| Error::Invalid { path: path.to_path_buf(), message: e.to_string() })
}
