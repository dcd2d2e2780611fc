//! The package's XML vocabulary (format version 1), written and read.
//!
//! `fileMappings.xml` lists every CSV member with its mapping file, its row
//! count and its parent link, under `<mapping encodingType="…">`; each
//! `<csv stem>_mappings.xml` holds one file's category, id column, null
//! converter and field mappings. Together they map exactly onto a
//! [`MappingTemplate`] (see `docs/package-format.md`).
//!
//! Reading is strict because a package is untrusted: a lexical pass refuses
//! DOCTYPEs, processing instructions and entities other than the five
//! predefined ones before serde (with `deny_unknown_fields`) refuses unknown
//! elements and attributes. Every error names the member and the line.

mod reading;
mod writing;

use ferry_mapper::template::{MappingTemplate, OnInvalid, ParentLink};
use serde::{Deserialize, Serialize};

use crate::error::Invalid;

pub use reading::{read_field_mappings, read_file_mappings};
pub use writing::{UnwritableXml, write_field_mappings, write_file_mappings};

/// The package format version this ferry writes and reads.
pub const FORMAT_VERSION: &str = "1";
/// The member that lists the package's files.
pub const FILE_MAPPINGS: &str = "fileMappings.xml";
/// The member holding the target definition.
pub const TARGET_JSON: &str = "target.json";
/// The last column of a CSV member that ferry writes: each row's physical line
/// in the original legacy file (a reader takes it as the row's line, not as data).
pub const LINE_COLUMN: &str = "ferry:line";

/// The mapping member of a CSV member: `TBL_CONTACT.csv` → `TBL_CONTACT_mappings.xml`.
pub fn mappings_member(csv: &str) -> String {
    let stem = csv.strip_suffix(".csv").unwrap_or(csv);
    format!("{stem}_mappings.xml")
}

/// An XML problem: which member, which line, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub kind: Invalid,
    pub member: String,
    pub line: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.member)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One `<file>` entry of `fileMappings.xml`, beyond what the template holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The CSV member.
    pub csv: String,
    /// Its mapping member.
    pub mappings: String,
    /// Data rows in the CSV member (the header not counted).
    pub rows: u64,
    pub parent: Option<ParentLink>,
}

/// What `fileMappings.xml` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMappingsDoc {
    pub target: String,
    pub template_version: u32,
    pub encoding: String,
    pub files: Vec<FileEntry>,
}

// ---- the serde shapes --------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fileMappings", deny_unknown_fields)]
struct FileMappingsXml {
    #[serde(rename = "@version")]
    version: String,
    #[serde(rename = "@target")]
    target: String,
    #[serde(rename = "@templateVersion")]
    template_version: u32,
    mapping: MappingXml,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingXml {
    #[serde(rename = "@encodingType")]
    encoding_type: String,
    #[serde(rename = "file", default)]
    files: Vec<FileEntryXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntryXml {
    #[serde(rename = "@csv")]
    csv: String,
    #[serde(rename = "@mappings")]
    mappings: String,
    #[serde(rename = "@rows")]
    rows: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent: Option<ParentXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParentXml {
    #[serde(rename = "@file")]
    file: String,
    #[serde(rename = "@column")]
    column: String,
    #[serde(rename = "@parentColumn")]
    parent_column: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fieldMappings", deny_unknown_fields)]
struct FieldMappingsXml {
    #[serde(rename = "@version")]
    version: String,
    #[serde(rename = "@csv")]
    csv: String,
    #[serde(rename = "@category")]
    category: String,
    #[serde(
        rename = "@idColumn",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    id_column: Option<String>,
    #[serde(
        rename = "@nullDefault",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    null_default: Option<String>,
    #[serde(rename = "$value", default)]
    fields: Vec<FieldXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
enum FieldXml {
    #[serde(rename = "field")]
    Field(OneToOneXml),
    #[serde(rename = "subcollectionField")]
    Subcollection(SubcollectionXml),
    /// A source value that means "empty" in every column of the file.
    #[serde(rename = "nullValue")]
    NullValue(NullValueXml),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NullValueXml {
    #[serde(rename = "@value")]
    value: String,
}

/// `onInvalid` as an attribute: absent means `drop`.
fn on_invalid_attr(on_invalid: OnInvalid) -> Option<String> {
    (on_invalid != OnInvalid::Drop).then(|| on_invalid.as_str().to_string())
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OneToOneXml {
    #[serde(rename = "@column")]
    column: String,
    #[serde(rename = "@target")]
    target: String,
    #[serde(
        rename = "@nullValue",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    null_value: Option<String>,
    #[serde(rename = "@onInvalid", default, skip_serializing_if = "Option::is_none")]
    on_invalid: Option<String>,
    /// The converter, then `nullValue` elements.
    #[serde(rename = "$value")]
    content: Vec<ConverterXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubcollectionXml {
    #[serde(rename = "@column")]
    column: String,
    #[serde(rename = "@subcollection")]
    subcollection: String,
    #[serde(
        rename = "@typeName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    type_name: Option<String>,
    #[serde(
        rename = "@typeColumn",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    type_column: Option<String>,
    #[serde(rename = "@instance", default, skip_serializing_if = "Option::is_none")]
    instance: Option<u32>,
    #[serde(rename = "@attribute")]
    attribute: String,
    #[serde(
        rename = "@nullValue",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    null_value: Option<String>,
    #[serde(rename = "@onInvalid", default, skip_serializing_if = "Option::is_none")]
    on_invalid: Option<String>,
    /// The converter, then (with a `typeColumn`) `typeValue` elements, then `nullValue` elements.
    #[serde(rename = "$value")]
    content: Vec<ConverterXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
enum ConverterXml {
    #[serde(rename = "text")]
    Text {
        #[serde(rename = "@converter")]
        converter: String,
    },
    #[serde(rename = "integer")]
    Integer,
    /// `<decimal/>`, or `<decimal decimalComma="true"/>` for `1.234,50`.
    #[serde(rename = "decimal")]
    Decimal {
        #[serde(rename = "@decimalComma", default, skip_serializing_if = "std::ops::Not::not")]
        decimal_comma: bool,
    },
    /// `<date format="%Y-%m-%d"><or format="%d.%m.%Y"/></date>`: the
    /// first format, then the others tried in order.
    #[serde(rename = "date")]
    Date {
        #[serde(rename = "@format")]
        format: String,
        #[serde(rename = "or", default, skip_serializing_if = "Vec::is_empty")]
        or: Vec<OrFormatXml>,
    },
    #[serde(rename = "timestamp")]
    Timestamp {
        #[serde(rename = "@format")]
        format: String,
        #[serde(rename = "@timeZone")]
        time_zone: String,
        #[serde(rename = "or", default, skip_serializing_if = "Vec::is_empty")]
        or: Vec<OrFormatXml>,
    },
    /// `<phone country="CA"/>`: phone numbers of that country (absent: they carry `+`).
    #[serde(rename = "phone")]
    Phone {
        #[serde(rename = "@country", default, skip_serializing_if = "Option::is_none")]
        country: Option<String>,
    },
    /// `<email/>`: e-mail addresses, written in lower case.
    #[serde(rename = "email")]
    Email,
    /// `<name part="last"/>`: one part of a full name.
    #[serde(rename = "name")]
    Name {
        #[serde(rename = "@part")]
        part: String,
    },
    #[serde(rename = "boolean")]
    Boolean {
        #[serde(rename = "value", default)]
        values: Vec<BooleanValueXml>,
    },
    #[serde(rename = "enumeration")]
    Enumeration {
        #[serde(rename = "value", default)]
        values: Vec<EnumValueXml>,
    },
    /// Not a converter: in a `subcollectionField` with a `typeColumn`, the
    /// type name a value of that column stands for.
    #[serde(rename = "typeValue")]
    TypeValue {
        #[serde(rename = "@source")]
        source: String,
        #[serde(rename = "@typeName")]
        type_name: String,
    },
    /// Not a converter: a source value that means "empty" in this column.
    #[serde(rename = "nullValue")]
    NullValue {
        #[serde(rename = "@value")]
        value: String,
    },
}

/// A further format of a date or timestamp converter.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrFormatXml {
    #[serde(rename = "@format")]
    format: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BooleanValueXml {
    #[serde(rename = "@source")]
    source: String,
    #[serde(rename = "@target")]
    target: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnumValueXml {
    #[serde(rename = "@source")]
    source: String,
    /// Absent: the value is ignored (a null enumeration target).
    #[serde(
        rename = "@target",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    target: Option<String>,
}

/// An optional attribute whose presence alone makes it `Some` (even when empty).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// Writes a template as the package's XML members: `fileMappings.xml` first,
/// then one mapping member per file (row counts zero). For tests and tools.
pub fn template_to_xml(template: &MappingTemplate) -> Result<Vec<(String, String)>, UnwritableXml> {
    let mut out = vec![(FILE_MAPPINGS.to_string(), write_file_mappings(template, &[])?)];
    for f in &template.files {
        out.push((mappings_member(&f.name), write_field_mappings(f)?));
    }
    Ok(out)
}

/// Reads a template back from XML members (as [`template_to_xml`] writes them).
pub fn template_from_xml(members: &[(String, String)]) -> Result<MappingTemplate, XmlError> {
    let missing = |name: &str| XmlError {
        kind: Invalid::MissingMember,
        member: name.to_string(),
        line: None,
        message: "missing".to_string(),
    };
    let get = |name: &str| members.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str());
    let doc = read_file_mappings(get(FILE_MAPPINGS).ok_or_else(|| missing(FILE_MAPPINGS))?)?;
    let mut files = Vec::new();
    for entry in &doc.files {
        files
            .push(read_field_mappings(get(&entry.mappings).ok_or_else(|| missing(&entry.mappings))?, entry)?);
    }
    Ok(MappingTemplate {
        schema: None,
        format_version: doc.template_version,
        target: doc.target,
        encoding: doc.encoding,
        ready_made: false,
        country: None,
        files,
    })
}
