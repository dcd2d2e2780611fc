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
//!
//! The serde shapes of the members are in `xml`; [`write_file_mappings`] and
//! [`write_field_mappings`] (in `write`) check that every value is text XML
//! can carry; the strict reading (in `read`) is [`read_file_mappings`] and
//! [`read_field_mappings`].

mod read;
mod write;
mod xml;

pub use read::{read_field_mappings, read_file_mappings};
pub use write::{UnwritableXml, write_field_mappings, write_file_mappings};

use ferry_mapper::template::{MappingTemplate, ParentLink};

use crate::error::Invalid;

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
        files,
    })
}
