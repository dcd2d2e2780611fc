//! Writing the package's XML members from a template.

use ferry_mapper::template::{Converter, FileMapping, MappingTemplate, TextConverter};
use serde::Serialize;

use super::*;

/// A value that XML 1.0 cannot hold, found while writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnwritableXml {
    pub what: String,
    pub value: String,
}

fn check_text(what: &str, value: &str) -> Result<(), UnwritableXml> {
    // Tabs and line breaks are allowed by XML but normalised away in attribute values by
    // conforming parsers, so they would not survive a round trip through other tools.
    if ferry_mapper::template::packable_text(value) {
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
    for v in &file.null_values {
        check_text("null value", v)?;
    }
    for m in &file.mappings {
        check_text("column", &m.column)?;
        check_text("field", &m.field)?;
        for v in [&m.null_value, &m.type_name, &m.subcollection].into_iter().flatten() {
            check_text("field attribute", v)?;
        }
        for v in &m.null_values {
            check_text("null value", v)?;
        }
        let nulls = m.null_values.iter().map(|v| ConverterXml::NullValue { value: v.clone() });
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
                content.extend(nulls);
                fields.push(FieldXml::Subcollection(SubcollectionXml {
                    column: m.column.clone(),
                    subcollection: sub.clone(),
                    type_name: m.type_name.clone(),
                    type_column: m.type_from.as_ref().map(|f| f.column.clone()),
                    instance: m.instance,
                    attribute: m.field.clone(),
                    null_value: m.null_value.clone(),
                    on_invalid: on_invalid_attr(m.on_invalid),
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
                    on_invalid: on_invalid_attr(m.on_invalid),
                    content: std::iter::once(converter).chain(nulls).collect(),
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
        fields: file
            .null_values
            .iter()
            .map(|v| FieldXml::NullValue(NullValueXml { value: v.clone() }))
            .chain(fields)
            .collect(),
    };
    Ok(serialize(&doc))
}

/// The first format as the attribute, the others as `<or format=…/>` children.
fn formats_to_xml(what: &str, formats: &[String]) -> Result<(String, Vec<OrFormatXml>), UnwritableXml> {
    for f in formats {
        check_text(what, f)?;
    }
    // No format at all (only built in code) is written as an empty one, which
    // a reader refuses like any other unusable format.
    let first = formats.first().cloned().unwrap_or_default();
    Ok((first, formats.iter().skip(1).map(|f| OrFormatXml { format: f.clone() }).collect()))
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
        Converter::Decimal { comma } => ConverterXml::Decimal { decimal_comma: *comma },
        Converter::Date { formats } => {
            let (format, or) = formats_to_xml("date format", formats)?;
            ConverterXml::Date { format, or }
        }
        Converter::Timestamp { formats, time_zone } => {
            let (format, or) = formats_to_xml("timestamp format", formats)?;
            check_text("time zone", time_zone)?;
            ConverterXml::Timestamp { format, time_zone: time_zone.clone(), or }
        }
        Converter::Phone { country } => {
            if let Some(c) = country {
                check_text("phone country", c)?;
            }
            ConverterXml::Phone { country: country.clone() }
        }
        Converter::Email => ConverterXml::Email,
        Converter::Name { part } => ConverterXml::Name { part: part.as_str().to_string() },
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
