//! Target definitions: the CRM's data model as JSON.
//!
//! A [`TargetDefinition`] holds [`Category`]s, which hold [`Field`]s. Plain
//! categories (`Name`, `Birth`, …) hold the record's own fields; subcollection
//! categories (`Address`, `Telcom`, `Category`, `CustomField`, `UserField`) hold
//! the attributes of repeatable instances, each tagged with one of the
//! category's type names (Business, Home, …). Field names are unique across the
//! plain categories, and unique within each subcollection.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The current format version of target definition files.
pub const TARGET_FORMAT_VERSION: u32 = 1;

/// A CRM data model that templates map legacy columns onto.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("$id" = "https://ferry.dev/schemas/target.schema.json"))]
pub struct TargetDefinition {
    /// Where the JSON Schema of this file lives (ignored on load).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version of this file; `1`.
    pub format_version: u32,
    /// Short name used on the command line (`contacts`, `leads`).
    pub name: String,
    /// Human name.
    pub label: String,
    /// Which kind of record a target creates.
    pub kind: RecordKind,
    /// Field categories, plain and subcollection.
    pub categories: Vec<Category>,
    /// Groups of fields of which at least one must hold a value
    /// (leads: `[["email", "phone"]]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require_one_of: Vec<Vec<String>>,
    /// Column headers of the simple-import CSV that `ferry template` writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub simple_import_columns: Vec<String>,
}

/// The kind of record a target creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Contacts,
    Leads,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Contacts => "contacts",
            RecordKind::Leads => "leads",
        }
    }
}

/// A group of fields; a subcollection category describes repeatable instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Category {
    /// Name used in templates (`Name`, `Address`, `Telcom`).
    pub name: String,
    /// Human name.
    pub label: String,
    /// True for subcollections (Address, Telcom, Category, CustomField, UserField).
    #[serde(default)]
    pub subcollection: bool,
    /// For subcollections: the type names an instance may have (Business, Home …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub type_names: Vec<String>,
    /// The fields (for subcollections: the attributes of one instance).
    pub fields: Vec<Field>,
}

/// One field of a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Field {
    /// Name used in templates and the store (`firstName`).
    pub name: String,
    /// Human name (`First Name`).
    pub label: String,
    /// The value type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Longest value kept; longer values are truncated with a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// A record without this field is rejected.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Identifies an existing record (external id): equal keys mean an update.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key: bool,
    /// For `enum` fields: the values the target knows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Other names legacy exports use for this field (for `map --auto`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
}

/// The value type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Integer,
    Decimal,
    Boolean,
    Date,
    Timestamp,
    Enum,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Timestamp => "timestamp",
            FieldType::Enum => "enum",
        }
    }
}

/// The bundled target definitions, by name, as JSON text.
pub const BUNDLED_TARGETS: &[(&str, &str)] = &[
    ("contacts", include_str!("../../templates/targets/contacts.json")),
    ("leads", include_str!("../../templates/targets/leads.json")),
    ("leads-ilm", include_str!("../../templates/targets/leads-ilm.json")),
];

impl TargetDefinition {
    /// A bundled target (`contacts`, `leads`).
    pub fn bundled(name: &str) -> Option<TargetDefinition> {
        BUNDLED_TARGETS.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            crate::schema::load_json::<TargetDefinition>(text, Path::new(n))
                .expect("bundled target definitions are valid (tested)")
        })
    }

    /// Resolves `name_or_path`: a bundled target's name, else a JSON file.
    pub fn resolve(name_or_path: &str) -> Result<TargetDefinition, Error> {
        if let Some(t) = Self::bundled(name_or_path) {
            return Ok(t);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(Error::UnknownTarget {
                name: name_or_path.to_string(),
                known: BUNDLED_TARGETS.iter().map(|(n, _)| n.to_string()).collect(),
            });
        }
        Self::load(path)
    }

    /// Loads and validates a target definition file.
    pub fn load(path: &Path) -> Result<TargetDefinition, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text, path)
    }

    /// Parses and validates target definition JSON; `path` names it in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<TargetDefinition, Error> {
        let t: TargetDefinition = crate::schema::load_json(text, path)?;
        t.check(path)?;
        Ok(t)
    }

    /// Checks what the schema cannot: unique names, enum values, known rules.
    fn check(&self, path: &Path) -> Result<(), Error> {
        let bad = |message: String| Error::Invalid { path: path.to_path_buf(), message };
        if self.format_version != TARGET_FORMAT_VERSION {
            return Err(bad(format!(
                "format version `{}` is not supported (this ferry reads version {TARGET_FORMAT_VERSION})",
                self.format_version
            )));
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.categories {
            let mut in_cat = std::collections::BTreeSet::new();
            for f in &c.fields {
                let fresh = if c.subcollection { in_cat.insert(&f.name) } else { seen.insert(&f.name) };
                if !fresh {
                    return Err(bad(format!("field `{}` is defined twice (category `{}`)", f.name, c.name)));
                }
                if f.field_type == FieldType::Enum && f.values.is_empty() {
                    return Err(bad(format!("enum field `{}` lists no values", f.name)));
                }
            }
        }
        for group in &self.require_one_of {
            for name in group {
                if self.field(name).is_none() {
                    return Err(bad(format!("`requireOneOf` names `{name}`, which is not a field")));
                }
            }
        }
        Ok(())
    }

    /// A plain (non-subcollection) field by name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.categories
            .iter()
            .filter(|c| !c.subcollection)
            .flat_map(|c| c.fields.iter())
            .find(|f| f.name == name)
    }

    /// A category by name.
    pub fn category(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// A subcollection category by name.
    pub fn subcollection(&self, name: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.subcollection && c.name == name)
    }

    /// An attribute of a subcollection.
    pub fn attribute(&self, subcollection: &str, name: &str) -> Option<&Field> {
        self.subcollection(subcollection)?.fields.iter().find(|f| f.name == name)
    }

    /// All plain fields, in definition order.
    pub fn plain_fields(&self) -> impl Iterator<Item = &Field> {
        self.categories.iter().filter(|c| !c.subcollection).flat_map(|c| c.fields.iter())
    }

    /// The key field (external id), if the target has one.
    pub fn key_field(&self) -> Option<&Field> {
        self.plain_fields().find(|f| f.key)
    }
}
