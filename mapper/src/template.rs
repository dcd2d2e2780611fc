//! Mapping templates: how the columns of legacy files become target fields.
//!
//! A [`MappingTemplate`] names its target and package encoding and holds one
//! [`FileMapping`] per legacy file. A file mapping has a field category (which
//! limits the fields offered), an optional [`ParentLink`] (a child table such
//! as a separate address export), a null converter default, and its
//! [`FieldMapping`]s. A field mapping sends one source column either to a
//! plain field (one-to-one) or to an attribute of a subcollection instance
//! (many-to-one: the rows with the same subcollection, type name and instance
//! number form one instance), with the [`Converter`] its type needs.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The current format version of mapping templates.
pub const TEMPLATE_FORMAT_VERSION: u32 = 1;

/// The field category that offers every field.
pub const ALL_CATEGORIES: &str = "All";

/// A saved mapping: everything needed to turn a data location into a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("$id" = "https://ferry.dev/schemas/mapping.schema.json"))]
pub struct MappingTemplate {
    /// Where the JSON Schema of this file lives (ignored on load).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version of this file; `1`.
    pub format_version: u32,
    /// The target: a bundled target's name (`contacts`, `leads`) or a path.
    pub target: String,
    /// Encoding of the package's CSV files (WHATWG label, e.g. `UTF-8`, `windows-1252`).
    #[serde(default = "default_encoding")]
    pub encoding: String,
    /// Made for a family of exports (Outlook, Google …) rather than for one
    /// user's files: a mapped column that this export lacks is a warning and
    /// its mapping is skipped, instead of an error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ready_made: bool,
    /// The country of the data (ISO 3166 alpha-2, `CA`): which of day and
    /// month comes first in an ambiguous date, the default country of phone
    /// numbers. `map --auto` writes it (from `--country`, or guessed from the data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// One entry per legacy file.
    pub files: Vec<FileMapping>,
}

fn default_encoding() -> String {
    "UTF-8".to_string()
}

/// How one legacy file maps onto the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileMapping {
    /// File name inside the data location (`TBL_CONTACT.csv`): a plain name, with no
    /// folder, `..` or drive letter (anything else is refused on load).
    pub name: String,
    /// Field category of the file's data: `All` or one category's name.
    #[serde(default = "default_category")]
    pub category: String,
    /// For child tables: how a row finds its parent row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ParentLink>,
    /// The column that identifies a row of this file, when child files link to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    /// The null converter: the value an empty cell becomes, for every field of this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null_default: Option<String>,
    /// Source values that mean "empty" in every column of this file (`0/0/00`,
    /// `N/A`, `-`), matched ignoring case and surrounding spaces; a field's own
    /// `nullValues` add to this list. Such a cell is read as an empty cell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub null_values: Vec<String>,
    /// The field mappings; columns not mapped are not imported.
    #[serde(default)]
    pub mappings: Vec<FieldMapping>,
}

fn default_category() -> String {
    ALL_CATEGORIES.to_string()
}

/// How a child file's rows link to rows of a parent file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParentLink {
    /// The parent file's name.
    pub file: String,
    /// The column of this file that holds the parent's id.
    pub column: String,
    /// The parent file's id column.
    pub parent_column: String,
}

/// One source column sent to one target field or subcollection attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldMapping {
    /// Source column header (or `column N`, 1-based, for header-less files).
    pub column: String,
    /// Target field name; for subcollections, the attribute name.
    pub field: String,
    /// Set for many-to-one mappings: the subcollection (`Address`, `Telcom` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcollection: Option<String>,
    /// The instance's type name (`Business`, `Home` …); required with `subcollection`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// Distinguishes two instances of the same subcollection and type name (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<u32>,
    /// Each row's type name from a column, for tables with one row per phone,
    /// e-mail or address and a type column (`PHONE_TYPE`); `typeName` is then
    /// the type of rows whose type cell is blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_from: Option<TypeFrom>,
    /// The converter the field's type needs.
    #[serde(default, skip_serializing_if = "Converter::is_default")]
    pub converter: Converter,
    /// Per-field null converter: the value an empty cell becomes (overrides the
    /// file's `nullDefault`). `""` says "no null converter for this field": its
    /// empty cells stay empty, whatever the file's default. Absent: the file's
    /// default applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null_value: Option<String>,
    /// Source values that mean "empty" in this column, besides the file's
    /// `nullValues` (`0/0/00`, `N/A`), matched ignoring case and surrounding
    /// spaces. Such a cell is read as an empty cell, without a warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub null_values: Vec<String>,
    /// What a value the converter cannot read does to its row: `drop` (the
    /// default: the field is left empty, with a warning), `reject` (the row is
    /// rejected) or `keep` (the text is kept in the user field named after the
    /// column, `UserField[<column>]`, with a warning).
    #[serde(default, skip_serializing_if = "OnInvalid::is_default")]
    pub on_invalid: OnInvalid,
}

/// What a value that cannot be converted does to its row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnInvalid {
    /// The field is left empty, with a warning; the row is kept.
    #[default]
    Drop,
    /// The row is rejected.
    Reject,
    /// The source text is kept in the user field `UserField[<column>]`, with a warning.
    Keep,
}

impl OnInvalid {
    fn is_default(&self) -> bool {
        *self == OnInvalid::Drop
    }

    /// As written in templates.
    pub fn as_str(self) -> &'static str {
        match self {
            OnInvalid::Drop => "drop",
            OnInvalid::Reject => "reject",
            OnInvalid::Keep => "keep",
        }
    }
}

impl FieldMapping {
    /// A plain mapping of `column` to the field `field`, with the default
    /// converter and nothing else set.
    pub fn new(column: impl Into<String>, field: impl Into<String>) -> FieldMapping {
        FieldMapping {
            column: column.into(),
            field: field.into(),
            subcollection: None,
            type_name: None,
            instance: None,
            type_from: None,
            converter: Converter::default(),
            null_value: None,
            null_values: Vec::new(),
            on_invalid: OnInvalid::default(),
        }
    }

    /// The instance number, 1 when not given.
    pub fn instance_number(&self) -> u32 {
        self.instance.unwrap_or(1)
    }

    /// A readable name of the target: `firstName`, `Telcom[Business].value`.
    pub fn target_label(&self) -> String {
        if let (Some(s), Some(from)) = (&self.subcollection, &self.type_from) {
            return format!("{s}[type in {}].{}", from.column, self.field);
        }
        match (&self.subcollection, &self.type_name) {
            (Some(s), Some(t)) if self.instance_number() == 1 => format!("{s}[{t}].{}", self.field),
            (Some(s), Some(t)) => format!("{s}[{t} #{}].{}", self.instance_number(), self.field),
            (Some(s), None) => format!("{s}.{}", self.field),
            _ => self.field.clone(),
        }
    }
}

/// Where a subcollection mapping finds each row's type name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TypeFrom {
    /// The column holding the type (`PHONE_TYPE`).
    pub column: String,
    /// Values of the column and the type names they stand for (`"W": "Business"`),
    /// matched ignoring case and surrounding spaces; a value that is itself one
    /// of the subcollection's type names needs no entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
}

/// What a field's type needs to turn source text into a value.
// Saved as `ConverterJson`: a date or timestamp with one format keeps the
// `format` key of earlier templates, one with several writes `formats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "ConverterJson", into = "ConverterJson")]
pub enum Converter {
    /// Text: kept as is (`none`) or RTF turned into plain text (`rtf2plain`).
    Text { text: TextConverter },
    /// A whole number.
    Integer,
    /// A decimal number: `.` as the decimal point, or `,` when `comma`
    /// (`1.234,50`; then `.` groups thousands).
    Decimal { comma: bool },
    /// A date in strftime-style formats, tried in order (never empty).
    Date { formats: Vec<String> },
    /// A date and time in strftime-style formats tried in order (never
    /// empty), read in an IANA time zone, stored as UTC.
    Timestamp { formats: Vec<String>, time_zone: String },
    /// Every distinct source value → true or false.
    Boolean { table: BTreeMap<String, bool> },
    /// Every distinct source value → a target value, or null to ignore it.
    Enumeration { table: BTreeMap<String, Option<String>> },
    /// A phone number, validated for a country and written in international form.
    Phone { country: Option<String> },
    /// An e-mail address, read out of its wrapping and written in lower case.
    Email,
    /// One part of a full name held in one column (`Lee, Ann B.`).
    Name { part: crate::name::NamePart },
}

/// A converter as a template writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum ConverterJson {
    /// Text: kept as is (`none`) or RTF turned into plain text (`rtf2plain`).
    Text {
        #[serde(default)]
        text: TextConverter,
    },
    /// A whole number.
    Integer,
    /// A decimal number: `.` as the decimal point and `,`, `'` or a space
    /// grouping thousands (`1,234.50`), or with `"decimalComma": true`, `,`
    /// as the decimal point and `.`, `'` or a space grouping thousands
    /// (`1.234,50`).
    Decimal {
        #[serde(rename = "decimalComma", default, skip_serializing_if = "std::ops::Not::not")]
        decimal_comma: bool,
    },
    /// A date in a strftime-style format (`"format": "%d/%m/%Y"`), or in
    /// several tried in order, each value read by the first that fits
    /// (`"formats": ["%Y-%m-%d", "%d.%m.%Y"]`). Give one of the two keys.
    #[schemars(extend("oneOf" = [{"required": ["format"]}, {"required": ["formats"]}]))]
    Date {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(with = "String")]
        format: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(min = 1))]
        formats: Vec<String>,
    },
    /// A date and time in a strftime-style format (`format`), or in several
    /// tried in order (`formats`), read in an IANA time zone, stored as UTC.
    /// Give one of `format` and `formats`.
    #[schemars(extend("oneOf" = [{"required": ["format"]}, {"required": ["formats"]}]))]
    Timestamp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(with = "String")]
        format: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(min = 1))]
        formats: Vec<String>,
        #[serde(rename = "timeZone")]
        time_zone: String,
    },
    /// Every distinct source value → true or false.
    Boolean { table: BTreeMap<String, bool> },
    /// Every distinct source value → a target value, or null to ignore it.
    Enumeration { table: BTreeMap<String, Option<String>> },
    /// A phone number, validated for `country` (ISO 3166 alpha-2; absent: the
    /// template's `country`; neither: numbers must carry `+`) and written in
    /// international form, `+1 416-555-0123`. Where the file maps an
    /// address's `country` and a row's names one (`Germany`, `DE`), that
    /// row's numbers are read for it instead. A number invalid for its
    /// country is kept as entered, with a warning, and marked as having no
    /// country (`Unspecified`) where the target has a field for it.
    Phone {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country: Option<String>,
    },
    /// An e-mail address, written in lower case: spaces, `mailto:`, a
    /// display name (`Ann Smith <ann@example.com>`) and a list's trailing
    /// `;` or `,` are taken off. Text that is no address, or that holds
    /// two, is kept as entered, with a warning.
    Email,
    /// One part (`title`, `first`, `middle`, `last`, `suffix`) of a full
    /// name held in one column, `Lee, Ann B.` or `Dr. Ann B. Lee Jr.`: map
    /// the column once per part. Each part is kept as written; a cell naming
    /// two people (`Ann & Bob Lee`) gives no part, with a warning (an error
    /// where the field is required).
    Name { part: crate::name::NamePart },
}

/// A date or timestamp converter whose `format`/`formats` is given wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatsError {
    /// Both `format` and `formats` are given.
    #[error(
        "a {kind} converter has both `format` and `formats`: keep one (`formats` lists several, tried in order)"
    )]
    Both {
        /// `date` or `timestamp`.
        kind: &'static str,
    },
    /// Neither is given.
    #[error("a {kind} converter needs `format` (or `formats`, a list tried in order)")]
    Neither {
        /// `date` or `timestamp`.
        kind: &'static str,
    },
}

/// `format` or `formats`, as one list.
fn one_of(
    kind: &'static str,
    format: Option<String>,
    formats: Vec<String>,
) -> Result<Vec<String>, FormatsError> {
    match (format, formats.is_empty()) {
        (Some(f), true) => Ok(vec![f]),
        (None, false) => Ok(formats),
        (Some(_), false) => Err(FormatsError::Both { kind }),
        (None, true) => Err(FormatsError::Neither { kind }),
    }
}

/// One format as `format`, several as `formats`.
fn split_formats(mut formats: Vec<String>) -> (Option<String>, Vec<String>) {
    if formats.len() == 1 { (formats.pop(), Vec::new()) } else { (None, formats) }
}

impl TryFrom<ConverterJson> for Converter {
    type Error = FormatsError;

    fn try_from(c: ConverterJson) -> Result<Converter, FormatsError> {
        Ok(match c {
            ConverterJson::Text { text } => Converter::Text { text },
            ConverterJson::Integer => Converter::Integer,
            ConverterJson::Decimal { decimal_comma } => Converter::Decimal { comma: decimal_comma },
            ConverterJson::Date { format, formats } => {
                Converter::Date { formats: one_of("date", format, formats)? }
            }
            ConverterJson::Timestamp { format, formats, time_zone } => {
                Converter::Timestamp { formats: one_of("timestamp", format, formats)?, time_zone }
            }
            ConverterJson::Boolean { table } => Converter::Boolean { table },
            ConverterJson::Enumeration { table } => Converter::Enumeration { table },
            ConverterJson::Phone { country } => Converter::Phone { country },
            ConverterJson::Email => Converter::Email,
            ConverterJson::Name { part } => Converter::Name { part },
        })
    }
}

impl From<Converter> for ConverterJson {
    fn from(c: Converter) -> ConverterJson {
        match c {
            Converter::Text { text } => ConverterJson::Text { text },
            Converter::Integer => ConverterJson::Integer,
            Converter::Decimal { comma } => ConverterJson::Decimal { decimal_comma: comma },
            Converter::Date { formats } => {
                let (format, formats) = split_formats(formats);
                ConverterJson::Date { format, formats }
            }
            Converter::Timestamp { formats, time_zone } => {
                let (format, formats) = split_formats(formats);
                ConverterJson::Timestamp { format, formats, time_zone }
            }
            Converter::Boolean { table } => ConverterJson::Boolean { table },
            Converter::Enumeration { table } => ConverterJson::Enumeration { table },
            Converter::Phone { country } => ConverterJson::Phone { country },
            Converter::Email => ConverterJson::Email,
            Converter::Name { part } => ConverterJson::Name { part },
        }
    }
}

impl Default for Converter {
    fn default() -> Self {
        Converter::Text { text: TextConverter::None }
    }
}

impl Converter {
    fn is_default(&self) -> bool {
        *self == Converter::default()
    }

    /// A date converter with one format.
    pub fn date(format: &str) -> Converter {
        Converter::Date { formats: vec![format.to_string()] }
    }

    /// A timestamp converter with one format.
    pub fn timestamp(format: &str, time_zone: &str) -> Converter {
        Converter::Timestamp { formats: vec![format.to_string()], time_zone: time_zone.to_string() }
    }

    /// The converter's kind, as written in templates.
    pub fn kind(&self) -> &'static str {
        match self {
            Converter::Text { .. } => "text",
            Converter::Integer => "integer",
            Converter::Decimal { .. } => "decimal",
            Converter::Date { .. } => "date",
            Converter::Timestamp { .. } => "timestamp",
            Converter::Boolean { .. } => "boolean",
            Converter::Enumeration { .. } => "enumeration",
            Converter::Phone { .. } => "phone",
            Converter::Email => "email",
            Converter::Name { .. } => "name",
        }
    }
}

/// Formats as a template's reader sees them: `` `%Y-%m-%d` `` or
/// `` `%Y-%m-%d`, then `%d.%m.%Y` ``.
pub fn show_formats(formats: &[String]) -> String {
    formats.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", then ")
}

/// The text converter of a string field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TextConverter {
    /// Keep the text as it is.
    #[default]
    None,
    /// Parse RTF and keep its plain text.
    Rtf2plain,
}

impl MappingTemplate {
    /// An empty template for `target`.
    pub fn new(target: &str) -> MappingTemplate {
        MappingTemplate {
            schema: Some(crate::schema::MAPPING_SCHEMA_REF.to_string()),
            format_version: TEMPLATE_FORMAT_VERSION,
            target: target.to_string(),
            encoding: default_encoding(),
            ready_made: false,
            country: None,
            files: Vec::new(),
        }
    }

    /// Loads a template, validating it against its JSON Schema first.
    pub fn load(path: &Path) -> Result<MappingTemplate, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::from_json(&text, path)
    }

    /// Parses and validates template JSON; `path` names it in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<MappingTemplate, Error> {
        let t: MappingTemplate = crate::schema::load_json(text, path)?;
        if t.format_version != TEMPLATE_FORMAT_VERSION {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "format version `{}` is not supported (this ferry reads version {TEMPLATE_FORMAT_VERSION})",
                    t.format_version
                ),
            });
        }
        for (i, file) in t.files.iter().enumerate() {
            if let Err(why) = plain_file_name(&file.name) {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!(
                        "`files[{i}].name` is `{}`: {why}; a template names files inside the data location (`--data`) by their plain name, such as `contacts.csv`",
                        file.name.escape_debug()
                    ),
                });
            }
        }
        Ok(t)
    }

    /// The template as pretty JSON with a trailing newline (the saved form).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("templates serialize");
        s.push('\n');
        s
    }

    /// Saves atomically: a temporary file beside `path`, then a rename.
    /// Its `$schema` is set for where it is written (`schema::schema_ref`), so
    /// that a template copied from elsewhere keeps a reference an editor resolves.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let schema =
            crate::schema::schema_ref(path, "mapping.schema.json", crate::schema::MAPPING_SCHEMA_REF);
        let placed = MappingTemplate { schema: Some(schema), ..self.clone() };
        crate::fsutil::write_atomic(path, placed.to_json().as_bytes())
    }

    /// The mapping of a file, by name.
    pub fn file(&self, name: &str) -> Option<&FileMapping> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// True when `text` can travel in a package: XML 1.0 characters, and no tabs
/// or line breaks (conforming parsers normalise them away in attribute
/// values). `check` and `pack` both apply this rule to a template's text.
pub fn packable_text(text: &str) -> bool {
    text.chars().all(|c| matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
}

/// The template's texts that a package cannot carry ([`packable_text`]), each
/// with the JSON path that holds it (`files[0].mappings[2].nullValue`).
pub fn unpackable_texts(template: &MappingTemplate) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut see = |path: String, text: &str| {
        if !packable_text(text) {
            out.push((path, text.to_string()));
        }
    };
    see("target".into(), &template.target);
    see("encoding".into(), &template.encoding);
    for (i, f) in template.files.iter().enumerate() {
        let at = format!("files[{i}]");
        see(format!("{at}.category"), &f.category);
        if let Some(v) = &f.id_column {
            see(format!("{at}.idColumn"), v);
        }
        if let Some(v) = &f.null_default {
            see(format!("{at}.nullDefault"), v);
        }
        for (k, v) in f.null_values.iter().enumerate() {
            see(format!("{at}.nullValues[{k}]"), v);
        }
        if let Some(p) = &f.parent {
            see(format!("{at}.parent.column"), &p.column);
            see(format!("{at}.parent.parentColumn"), &p.parent_column);
        }
        for (j, m) in f.mappings.iter().enumerate() {
            let at = format!("{at}.mappings[{j}]");
            see(format!("{at}.column"), &m.column);
            see(format!("{at}.field"), &m.field);
            for (name, v) in [
                ("subcollection", &m.subcollection),
                ("typeName", &m.type_name),
                ("nullValue", &m.null_value),
            ] {
                if let Some(v) = v {
                    see(format!("{at}.{name}"), v);
                }
            }
            for (k, v) in m.null_values.iter().enumerate() {
                see(format!("{at}.nullValues[{k}]"), v);
            }
            if let Some(t) = &m.type_from {
                see(format!("{at}.typeFrom.column"), &t.column);
                for (k, v) in &t.values {
                    see(format!("{at}.typeFrom.values"), k);
                    see(format!("{at}.typeFrom.values.{k}"), v);
                }
            }
            let conv = format!("{at}.converter");
            // One format is saved as `format`, several as `formats`.
            let format_at = |formats: &[String], k: usize| {
                if formats.len() == 1 { format!("{conv}.format") } else { format!("{conv}.formats[{k}]") }
            };
            match &m.converter {
                Converter::Date { formats } => {
                    for (k, f) in formats.iter().enumerate() {
                        see(format_at(formats, k), f);
                    }
                }
                Converter::Timestamp { formats, time_zone } => {
                    for (k, f) in formats.iter().enumerate() {
                        see(format_at(formats, k), f);
                    }
                    see(format!("{conv}.timeZone"), time_zone);
                }
                Converter::Boolean { table } => {
                    for k in table.keys() {
                        see(format!("{conv}.table"), k);
                    }
                }
                Converter::Enumeration { table } => {
                    for (k, v) in table {
                        see(format!("{conv}.table"), k);
                        if let Some(v) = v {
                            see(format!("{conv}.table.{k}"), v);
                        }
                    }
                }
                Converter::Phone { country: Some(c) } => see(format!("{conv}.country"), c),
                _ => {}
            }
        }
    }
    out
}

/// Why `name` is not a plain file name (one path component, inside the
/// folder it is joined to), if it is not.
pub fn plain_file_name(name: &str) -> Result<(), &'static str> {
    let b = name.as_bytes();
    if name.trim().is_empty() {
        Err("an empty name")
    } else if name.contains(['/', '\\']) {
        Err("a path with folder separators")
    } else if name == "." || name == ".." {
        Err("not a file")
    } else if name.contains('\0') || name.chars().any(char::is_control) {
        Err("a name with control characters")
    } else if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        Err("a name with a drive letter")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::plain_file_name;

    #[test]
    fn only_plain_names_are_file_names() {
        for ok in ["contacts.csv", "TBL CONTACT.txt", "a..b.csv", ".hidden.csv"] {
            assert_eq!(plain_file_name(ok), Ok(()), "{ok}");
        }
        for bad in ["/etc/passwd", "../../x.csv", "sub/x.csv", "..", ".", "", "C:x.csv", "a\\b.csv", "a\nb"] {
            assert!(plain_file_name(bad).is_err(), "{bad}");
        }
    }
}
