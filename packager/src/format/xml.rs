//! The serde shapes of the package's XML members (format version 1).
//!
//! Every shape denies unknown fields, so an unknown element or attribute is
//! refused when read; optional attributes that are present but empty are
//! `Some("")` ([`present`]), not absent.

use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fileMappings", deny_unknown_fields)]
pub(super) struct FileMappingsXml {
    #[serde(rename = "@version")]
    pub(super) version: String,
    #[serde(rename = "@target")]
    pub(super) target: String,
    #[serde(rename = "@templateVersion")]
    pub(super) template_version: u32,
    pub(super) mapping: MappingXml,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MappingXml {
    #[serde(rename = "@encodingType")]
    pub(super) encoding_type: String,
    #[serde(rename = "file", default)]
    pub(super) files: Vec<FileEntryXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileEntryXml {
    #[serde(rename = "@csv")]
    pub(super) csv: String,
    #[serde(rename = "@mappings")]
    pub(super) mappings: String,
    #[serde(rename = "@rows")]
    pub(super) rows: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) parent: Option<ParentXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParentXml {
    #[serde(rename = "@file")]
    pub(super) file: String,
    #[serde(rename = "@column")]
    pub(super) column: String,
    #[serde(rename = "@parentColumn")]
    pub(super) parent_column: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fieldMappings", deny_unknown_fields)]
pub(super) struct FieldMappingsXml {
    #[serde(rename = "@version")]
    pub(super) version: String,
    #[serde(rename = "@csv")]
    pub(super) csv: String,
    #[serde(rename = "@category")]
    pub(super) category: String,
    #[serde(
        rename = "@idColumn",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) id_column: Option<String>,
    #[serde(
        rename = "@nullDefault",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) null_default: Option<String>,
    #[serde(rename = "$value", default)]
    pub(super) fields: Vec<FieldXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) enum FieldXml {
    #[serde(rename = "field")]
    Field(OneToOneXml),
    #[serde(rename = "subcollectionField")]
    Subcollection(SubcollectionXml),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OneToOneXml {
    #[serde(rename = "@column")]
    pub(super) column: String,
    #[serde(rename = "@target")]
    pub(super) target: String,
    #[serde(
        rename = "@nullValue",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) null_value: Option<String>,
    #[serde(rename = "$value")]
    pub(super) converter: ConverterXml,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SubcollectionXml {
    #[serde(rename = "@column")]
    pub(super) column: String,
    #[serde(rename = "@subcollection")]
    pub(super) subcollection: String,
    #[serde(
        rename = "@typeName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) type_name: Option<String>,
    #[serde(
        rename = "@typeColumn",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) type_column: Option<String>,
    #[serde(rename = "@instance", default, skip_serializing_if = "Option::is_none")]
    pub(super) instance: Option<u32>,
    #[serde(rename = "@attribute")]
    pub(super) attribute: String,
    #[serde(
        rename = "@nullValue",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) null_value: Option<String>,
    /// The converter, then (with a `typeColumn`) `typeValue` elements.
    #[serde(rename = "$value")]
    pub(super) content: Vec<ConverterXml>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) enum ConverterXml {
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
pub(super) struct BooleanValueXml {
    #[serde(rename = "@source")]
    pub(super) source: String,
    #[serde(rename = "@target")]
    pub(super) target: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnumValueXml {
    #[serde(rename = "@source")]
    pub(super) source: String,
    /// Absent: the value is ignored (a null enumeration target).
    #[serde(
        rename = "@target",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub(super) target: Option<String>,
}

/// An optional attribute whose presence alone makes it `Some` (even when empty).
pub(super) fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}
