//! Reading the package's XML members, strictly (a package is untrusted).

use std::collections::BTreeMap;

use ferry_mapper::template::{Converter, FieldMapping, FileMapping, OnInvalid, TextConverter, TypeFrom};
use serde::Deserialize;

use super::*;

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
    let mut file_nulls = Vec::new();
    for f in doc.fields {
        mappings.push(match f {
            FieldXml::NullValue(n) => {
                file_nulls.push(n.value);
                continue;
            }
            FieldXml::Field(f) => {
                let at = |what: &str| Some(line_of(text, text.find(what).unwrap_or(0) as u64));
                let on_invalid = on_invalid_from_xml(f.on_invalid.as_deref(), &f.column, member, text)?;
                let mut converters = Vec::new();
                let mut null_values = Vec::new();
                for c in f.content {
                    match c {
                        ConverterXml::NullValue { value } => null_values.push(value),
                        other => converters.push(other),
                    }
                }
                let converter = one_converter(converters, "field", &f.column, member, at)?;
                FieldMapping {
                    type_from: None,
                    column: f.column,
                    field: f.target,
                    subcollection: None,
                    type_name: None,
                    instance: None,
                    converter: converter_from_xml(converter, member, text)?,
                    null_value: f.null_value,
                    null_values,
                    on_invalid,
                }
            }
            FieldXml::Subcollection(f) => {
                let at = |what: &str| Some(line_of(text, text.find(what).unwrap_or(0) as u64));
                let on_invalid = on_invalid_from_xml(f.on_invalid.as_deref(), &f.column, member, text)?;
                let mut converters = Vec::new();
                let mut values = BTreeMap::new();
                let mut null_values = Vec::new();
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
                        ConverterXml::NullValue { value } => null_values.push(value),
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
                let converter = one_converter(converters, "subcollectionField", &f.column, member, at)?;
                FieldMapping {
                    type_from: f.type_column.map(|column| TypeFrom { column, values }),
                    column: f.column,
                    field: f.attribute,
                    subcollection: Some(f.subcollection),
                    type_name: f.type_name,
                    instance: f.instance,
                    converter: converter_from_xml(converter, member, text)?,
                    null_value: f.null_value,
                    null_values,
                    on_invalid,
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
        null_values: file_nulls,
        mappings,
    })
}

/// The one converter among a field's child elements.
fn one_converter(
    converters: Vec<ConverterXml>,
    element: &str,
    column: &str,
    member: &str,
    at: impl Fn(&str) -> Option<u64>,
) -> Result<ConverterXml, XmlError> {
    match <[ConverterXml; 1]>::try_from(converters) {
        Ok([c]) => Ok(c),
        Err(found) => Err(XmlError {
            kind: Invalid::UnknownXml,
            member: member.to_string(),
            line: at(&format!("column=\"{column}\"")),
            message: format!("column `{column}`: a `{element}` holds one converter, not {}", found.len()),
        }),
    }
}

/// Reads an `onInvalid` attribute (absent: `drop`).
fn on_invalid_from_xml(
    value: Option<&str>,
    column: &str,
    member: &str,
    text: &str,
) -> Result<OnInvalid, XmlError> {
    match value {
        None | Some("drop") => Ok(OnInvalid::Drop),
        Some("reject") => Ok(OnInvalid::Reject),
        Some("keep") => Ok(OnInvalid::Keep),
        Some(other) => Err(XmlError {
            kind: Invalid::UnknownXml,
            member: member.to_string(),
            line: Some(line_of(text, text.find(&format!("onInvalid=\"{other}\"")).unwrap_or(0) as u64)),
            message: format!(
                "column `{column}`: unknown `onInvalid` `{other}` (expected `drop`, `reject` or `keep`)"
            ),
        }),
    }
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
        ConverterXml::Decimal { decimal_comma } => Converter::Decimal { comma: decimal_comma },
        ConverterXml::Date { format, or } => Converter::Date {
            formats: std::iter::once(format).chain(or.into_iter().map(|o| o.format)).collect(),
        },
        ConverterXml::Timestamp { format, time_zone, or } => Converter::Timestamp {
            formats: std::iter::once(format).chain(or.into_iter().map(|o| o.format)).collect(),
            time_zone,
        },
        ConverterXml::Phone { country } => Converter::Phone { country },
        ConverterXml::Email => Converter::Email,
        ConverterXml::Name { part } => match ferry_mapper::name::NamePart::parse(&part) {
            Some(part) => Converter::Name { part },
            None => {
                return Err(XmlError {
                    kind: Invalid::UnknownXml,
                    member: member.to_string(),
                    line: Some(line_of(text, text.find(&format!("part=\"{part}\"")).unwrap_or(0) as u64)),
                    message: format!(
                        "unknown name part `{part}` (expected `title`, `first`, `middle`, `last` or `suffix`)"
                    ),
                });
            }
        },
        ConverterXml::Boolean { values } => Converter::Boolean {
            table: values.into_iter().map(|v| (v.source, v.target)).collect::<BTreeMap<_, _>>(),
        },
        ConverterXml::Enumeration { values } => Converter::Enumeration {
            table: values.into_iter().map(|v| (v.source, v.target)).collect::<BTreeMap<_, _>>(),
        },
        ConverterXml::NullValue { value } => {
            return Err(XmlError {
                kind: Invalid::UnknownXml,
                member: member.to_string(),
                line: Some(line_of(text, text.find("<nullValue").unwrap_or(0) as u64)),
                message: format!("`nullValue` `{value}` stands where a converter belongs"),
            });
        }
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
