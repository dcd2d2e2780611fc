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

use std::collections::BTreeMap;

use ferry_mapper::template::{
    Converter, FieldMapping, FileMapping, MappingTemplate, ParentLink, TextConverter, TypeFrom,
};
use serde::{Deserialize, Serialize};

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
    #[serde(rename = "$value")]
    converter: ConverterXml,
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
    /// The converter, then (with a `typeColumn`) `typeValue` elements.
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
    #[serde(rename = "decimal")]
    Decimal,
    #[serde(rename = "date")]
    Date {
        #[serde(rename = "@format")]
        format: String,
    },
    #[serde(rename = "timestamp")]
    Timestamp {
        #[serde(rename = "@format")]
        format: String,
        #[serde(rename = "@timeZone")]
        time_zone: String,
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

// ---- writing -----------------------------------------------------------------

/// A value that XML 1.0 cannot hold, found while writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwritableXml {
    pub what: String,
    pub value: String,
}

fn xml_char_ok(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn check_text(what: &str, value: &str) -> Result<(), UnwritableXml> {
    // Tabs and line breaks are allowed by XML but normalised away in attribute values by
    // conforming parsers, so they would not survive a round trip through other tools.
    if value.chars().all(|c| xml_char_ok(c) && !matches!(c, '\t' | '\n' | '\r')) {
        Ok(())
    } else {
        Err(UnwritableXml { what: what.to_string(), value: value.to_string() })
    }
}

fn serialize<T: Serialize>(value: &T) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut ser = quick_xml::se::Serializer::new(&mut out);
    ser.indent(' ', 2);
    value.serialize(ser).expect("package XML shapes serialize");
    out.push('\n');
    out
}

/// Writes `fileMappings.xml`; `rows` holds the data row count of each file, in template order.
pub fn write_file_mappings(template: &MappingTemplate, rows: &[u64]) -> Result<String, UnwritableXml> {
    check_text("target", &template.target)?;
    check_text("encoding", &template.encoding)?;
    let mut files = Vec::new();
    for (i, f) in template.files.iter().enumerate() {
        check_text("file name", &f.name)?;
        let parent = match &f.parent {
            Some(p) => {
                check_text("parent file", &p.file)?;
                check_text("parent link column", &p.column)?;
                check_text("parent column", &p.parent_column)?;
                Some(ParentXml {
                    file: p.file.clone(),
                    column: p.column.clone(),
                    parent_column: p.parent_column.clone(),
                })
            }
            None => None,
        };
        files.push(FileEntryXml {
            csv: f.name.clone(),
            mappings: mappings_member(&f.name),
            rows: rows.get(i).copied().unwrap_or(0),
            parent,
        });
    }
    let doc = FileMappingsXml {
        version: FORMAT_VERSION.to_string(),
        target: template.target.clone(),
        template_version: template.format_version,
        mapping: MappingXml { encoding_type: template.encoding.clone(), files },
    };
    Ok(serialize(&doc))
}

/// Writes the `<csv stem>_mappings.xml` of one file.
pub fn write_field_mappings(file: &FileMapping) -> Result<String, UnwritableXml> {
    let name = &file.name;
    check_text("category", &file.category)?;
    for v in [&file.id_column, &file.null_default].into_iter().flatten() {
        check_text("file attribute", v)?;
    }
    let mut fields = Vec::new();
    for m in &file.mappings {
        check_text("column", &m.column)?;
        check_text("field", &m.field)?;
        for v in [&m.null_value, &m.type_name, &m.subcollection].into_iter().flatten() {
            check_text("field attribute", v)?;
        }
        let converter = converter_to_xml(&m.converter)?;
        match &m.subcollection {
            Some(sub) => {
                let mut content = vec![converter];
                if let Some(from) = &m.type_from {
                    check_text("type column", &from.column)?;
                    for (source, type_name) in &from.values {
                        check_text("type value", source)?;
                        check_text("type name", type_name)?;
                        content.push(ConverterXml::TypeValue {
                            source: source.clone(),
                            type_name: type_name.clone(),
                        });
                    }
                }
                fields.push(FieldXml::Subcollection(SubcollectionXml {
                    column: m.column.clone(),
                    subcollection: sub.clone(),
                    type_name: m.type_name.clone(),
                    type_column: m.type_from.as_ref().map(|f| f.column.clone()),
                    instance: m.instance,
                    attribute: m.field.clone(),
                    null_value: m.null_value.clone(),
                    content,
                }))
            }
            None => {
                if m.type_name.is_some() || m.instance.is_some() || m.type_from.is_some() {
                    return Err(UnwritableXml {
                        what: format!(
                            "mapping of column `{}` in `{name}` (a type name without a subcollection)",
                            m.column
                        ),
                        value: m.type_name.clone().unwrap_or_default(),
                    });
                }
                fields.push(FieldXml::Field(OneToOneXml {
                    column: m.column.clone(),
                    target: m.field.clone(),
                    null_value: m.null_value.clone(),
                    converter,
                }))
            }
        }
    }
    let doc = FieldMappingsXml {
        version: FORMAT_VERSION.to_string(),
        csv: name.clone(),
        category: file.category.clone(),
        id_column: file.id_column.clone(),
        null_default: file.null_default.clone(),
        fields,
    };
    Ok(serialize(&doc))
}

fn converter_to_xml(c: &Converter) -> Result<ConverterXml, UnwritableXml> {
    Ok(match c {
        Converter::Text { text } => ConverterXml::Text {
            converter: match text {
                TextConverter::None => "none",
                TextConverter::Rtf2plain => "rtf2plain",
            }
            .to_string(),
        },
        Converter::Integer => ConverterXml::Integer,
        Converter::Decimal => ConverterXml::Decimal,
        Converter::Date { format } => {
            check_text("date format", format)?;
            ConverterXml::Date { format: format.clone() }
        }
        Converter::Timestamp { format, time_zone } => {
            check_text("timestamp format", format)?;
            check_text("time zone", time_zone)?;
            ConverterXml::Timestamp { format: format.clone(), time_zone: time_zone.clone() }
        }
        Converter::Boolean { table } => {
            let mut values = Vec::new();
            for (k, v) in table {
                check_text("boolean source value", k)?;
                values.push(BooleanValueXml { source: k.clone(), target: *v });
            }
            ConverterXml::Boolean { values }
        }
        Converter::Enumeration { table } => {
            let mut values = Vec::new();
            for (k, v) in table {
                check_text("enumeration source value", k)?;
                if let Some(v) = v {
                    check_text("enumeration target value", v)?;
                }
                values.push(EnumValueXml { source: k.clone(), target: v.clone() });
            }
            ConverterXml::Enumeration { values }
        }
    })
}

// ---- reading -----------------------------------------------------------------

fn line_of(text: &str, pos: u64) -> u64 {
    let end = (pos as usize).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// The lexical pass: refuses what serde would not see or would resolve.
fn scan(text: &str, member: &str) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let err = |kind, pos: u64, message: String| XmlError {
        kind,
        member: member.to_string(),
        line: Some(line_of(text, pos)),
        message,
    };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            err(Invalid::MalformedXml, reader.error_position(), format!("not well-formed XML: {e}"))
        })?;
        if let Event::Start(_) = event {
            depth += 1;
        }
        match event {
            Event::Eof => return Ok(()),
            Event::DocType(_) => {
                return Err(err(
                    Invalid::Doctype,
                    before,
                    "a DOCTYPE is not allowed (package XML may not declare entities or external references)"
                        .to_string(),
                ));
            }
            Event::PI(_) => {
                return Err(err(
                    Invalid::MalformedXml,
                    before,
                    "processing instructions are not allowed".to_string(),
                ));
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    return Err(err(
                        Invalid::MalformedXml,
                        before,
                        format!("the XML declaration says encoding `{}`; package XML is UTF-8", enc),
                    ));
                }
            }
            Event::GeneralRef(r) => {
                let predefined = matches!(&*r, "lt" | "gt" | "amp" | "apos" | "quot");
                if !r.is_char_ref() && !predefined {
                    return Err(err(Invalid::Entity, before, format!("entity `&{};` is not allowed", &*r)));
                }
                if r.is_char_ref() && !matches!(r.resolve_char_ref(), Ok(Some(_))) {
                    return Err(err(
                        Invalid::MalformedXml,
                        before,
                        "invalid character reference".to_string(),
                    ));
                }
            }
            Event::Start(e) | Event::Empty(e) => {
                if depth >= 16 {
                    return Err(err(
                        Invalid::MalformedXml,
                        before,
                        "elements are nested too deeply".to_string(),
                    ));
                }
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| {
                        err(Invalid::MalformedXml, before, format!("not well-formed XML: {e}"))
                    })?;
                    if let Err(e) = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                        let kind = if matches!(
                            e,
                            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(..))
                        ) {
                            Invalid::Entity
                        } else {
                            Invalid::MalformedXml
                        };
                        return Err(err(kind, before, format!("attribute `{}`: {e}", attr.key.as_ref())));
                    }
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

fn deserialize<T: for<'de> Deserialize<'de>>(text: &str, member: &str) -> Result<T, XmlError> {
    scan(text, member)?;
    let mut de = quick_xml::de::Deserializer::from_str(text);
    match T::deserialize(&mut de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let pos = de.get_ref().get_ref().buffer_position();
            let kind = match &e {
                quick_xml::DeError::InvalidXml(_) => Invalid::MalformedXml,
                _ => Invalid::UnknownXml,
            };
            Err(XmlError {
                kind,
                member: member.to_string(),
                line: Some(line_of(text, pos)),
                message: describe_de_error(&e),
            })
        }
    }
}

fn describe_de_error(e: &quick_xml::DeError) -> String {
    let text = e.to_string();
    // serde speaks of fields and variants; the package speaks of elements and attributes.
    let text = text
        .replace("unknown field `@", "unknown attribute `")
        .replace("missing field `@", "missing attribute `");
    let text = text.replace("unknown field", "unknown element").replace("missing field", "missing element");
    let text = text.replace("unknown variant", "unknown element");
    let text = text.replace(", `$value`", "").replace("`$value`", "a converter element").replace("`@", "`");
    format!("{text} (see docs/package-format.md)")
}

fn check_version(version: &str, member: &str, text: &str) -> Result<(), XmlError> {
    if version == FORMAT_VERSION {
        return Ok(());
    }
    Err(XmlError {
        kind: Invalid::Version,
        member: member.to_string(),
        line: Some(line_of(text, text.find("version=\"").map_or(0, |p| p as u64))),
        message: format!(
            "format version `{version}` is not supported (this ferry reads version {FORMAT_VERSION})"
        ),
    })
}

/// Reads `fileMappings.xml`.
pub fn read_file_mappings(text: &str) -> Result<FileMappingsDoc, XmlError> {
    let doc: FileMappingsXml = deserialize(text, FILE_MAPPINGS)?;
    check_version(&doc.version, FILE_MAPPINGS, text)?;
    Ok(FileMappingsDoc {
        target: doc.target,
        template_version: doc.template_version,
        encoding: doc.mapping.encoding_type,
        files: doc
            .mapping
            .files
            .into_iter()
            .map(|f| FileEntry {
                csv: f.csv,
                mappings: f.mappings,
                rows: f.rows,
                parent: f.parent.map(|p| ParentLink {
                    file: p.file,
                    column: p.column,
                    parent_column: p.parent_column,
                }),
            })
            .collect(),
    })
}

/// Reads one `<csv stem>_mappings.xml`; `entry` is its `fileMappings.xml` entry.
pub fn read_field_mappings(text: &str, entry: &FileEntry) -> Result<FileMapping, XmlError> {
    let member = entry.mappings.as_str();
    let doc: FieldMappingsXml = deserialize(text, member)?;
    check_version(&doc.version, member, text)?;
    if doc.csv != entry.csv {
        return Err(XmlError {
            kind: Invalid::Inconsistent,
            member: member.to_string(),
            line: Some(line_of(text, text.find("csv=\"").map_or(0, |p| p as u64))),
            message: format!(
                "it describes `{}`, but `{FILE_MAPPINGS}` lists it as the mapping file of `{}`",
                doc.csv, entry.csv
            ),
        });
    }
    let mut mappings = Vec::new();
    for f in doc.fields {
        mappings.push(match f {
            FieldXml::Field(f) => FieldMapping {
                type_from: None,
                column: f.column,
                field: f.target,
                subcollection: None,
                type_name: None,
                instance: None,
                converter: converter_from_xml(f.converter, member, text)?,
                null_value: f.null_value,
            },
            FieldXml::Subcollection(f) => {
                let at = |what: &str| Some(line_of(text, text.find(what).unwrap_or(0) as u64));
                let mut converters = Vec::new();
                let mut values = BTreeMap::new();
                for c in f.content {
                    match c {
                        ConverterXml::TypeValue { source, type_name } => {
                            if values.insert(source.clone(), type_name).is_some() {
                                return Err(XmlError {
                                    kind: Invalid::Inconsistent,
                                    member: member.to_string(),
                                    line: at(&format!("source=\"{source}\"")),
                                    message: format!(
                                        "column `{}`: `typeValue` `{source}` is given twice",
                                        f.column
                                    ),
                                });
                            }
                        }
                        other => converters.push(other),
                    }
                }
                if !values.is_empty() && f.type_column.is_none() {
                    return Err(XmlError {
                        kind: Invalid::Inconsistent,
                        member: member.to_string(),
                        line: at("<typeValue"),
                        message: format!(
                            "column `{}`: `typeValue` elements belong to a field with a `typeColumn`",
                            f.column
                        ),
                    });
                }
                let converter = match <[ConverterXml; 1]>::try_from(converters) {
                    Ok([c]) => c,
                    Err(found) => {
                        return Err(XmlError {
                            kind: Invalid::UnknownXml,
                            member: member.to_string(),
                            line: at(&format!("column=\"{}\"", f.column)),
                            message: format!(
                                "column `{}`: a `subcollectionField` holds one converter, not {}",
                                f.column,
                                found.len()
                            ),
                        });
                    }
                };
                FieldMapping {
                    type_from: f.type_column.map(|column| TypeFrom { column, values }),
                    column: f.column,
                    field: f.attribute,
                    subcollection: Some(f.subcollection),
                    type_name: f.type_name,
                    instance: f.instance,
                    converter: converter_from_xml(converter, member, text)?,
                    null_value: f.null_value,
                }
            }
        });
    }
    Ok(FileMapping {
        name: doc.csv,
        category: doc.category,
        parent: entry.parent.clone(),
        id_column: doc.id_column,
        null_default: doc.null_default,
        mappings,
    })
}

fn converter_from_xml(c: ConverterXml, member: &str, text: &str) -> Result<Converter, XmlError> {
    Ok(match c {
        ConverterXml::Text { converter } => Converter::Text {
            text: match converter.as_str() {
                "none" => TextConverter::None,
                "rtf2plain" => TextConverter::Rtf2plain,
                other => {
                    return Err(XmlError {
                        kind: Invalid::UnknownXml,
                        member: member.to_string(),
                        line: Some(line_of(
                            text,
                            text.find(&format!("converter=\"{other}\"")).unwrap_or(0) as u64,
                        )),
                        message: format!("unknown text converter `{other}` (expected `none` or `rtf2plain`)"),
                    });
                }
            },
        },
        ConverterXml::Integer => Converter::Integer,
        ConverterXml::Decimal => Converter::Decimal,
        ConverterXml::Date { format } => Converter::Date { format },
        ConverterXml::Timestamp { format, time_zone } => Converter::Timestamp { format, time_zone },
        ConverterXml::Boolean { values } => Converter::Boolean {
            table: values.into_iter().map(|v| (v.source, v.target)).collect::<BTreeMap<_, _>>(),
        },
        ConverterXml::Enumeration { values } => Converter::Enumeration {
            table: values.into_iter().map(|v| (v.source, v.target)).collect::<BTreeMap<_, _>>(),
        },
        ConverterXml::TypeValue { source, .. } => {
            return Err(XmlError {
                kind: Invalid::UnknownXml,
                member: member.to_string(),
                line: Some(line_of(text, text.find("<typeValue").unwrap_or(0) as u64)),
                message: format!(
                    "`typeValue` `{source}` stands where a converter belongs (it belongs to a `subcollectionField` with a `typeColumn`)"
                ),
            });
        }
    })
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
