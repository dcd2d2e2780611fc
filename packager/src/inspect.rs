//! Inspecting a package: what it holds and whether it is valid.
//!
//! [`inspect`] opens a package with [`Package::open_file`] (which validates
//! all of it, as `import` does, size cap included) and describes it: members and their sizes, rows per CSV, each file's
//! mappings in readable form, and the validation results, including the size
//! cap. A package that fails validation yields a report with the problem
//! rather than an error, so that `ferry inspect` can show it as data.

use std::path::{Path, PathBuf};

use ferry_mapper::template::{Converter, FieldMapping, TextConverter, show_formats};
use serde::Serialize;

use crate::read::{Limits, MemberSummary, Package};
use crate::{Error, Invalid};

/// What to inspect.
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// The size cap the package must respect.
    pub max_size: u64,
}

/// A package described.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub path: PathBuf,
    pub size: u64,
    pub max_size: u64,
    /// True when every check passed.
    pub valid: bool,
    /// The checks that ran, in order, with their outcome.
    pub checks: Vec<Check>,
    /// Set when the package is readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<Contents>,
}

/// One validation check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Invalid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What a readable package holds.
#[derive(Debug, Clone, Serialize)]
pub struct Contents {
    pub target: String,
    pub target_label: String,
    pub encoding: String,
    pub members: Vec<MemberSummary>,
    pub files: Vec<FileContents>,
}

/// One CSV member with its mapping.
#[derive(Debug, Clone, Serialize)]
pub struct FileContents {
    pub name: String,
    pub mappings_file: String,
    pub category: String,
    pub rows: u64,
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub null_default: Option<String>,
    pub mappings: Vec<MappingLine>,
}

/// One field mapping in words.
#[derive(Debug, Clone, Serialize)]
pub struct MappingLine {
    pub column: String,
    pub target: String,
    pub converter: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub null_value: Option<String>,
}

/// The names of the checks [`Package::open`] performs, in the order reported.
const CHECKS: &[&str] = &[
    "ZIP structure and member paths are safe",
    "every CSV has its mapping file, and the XML is valid",
    "every mapping fits the target (fields, parent links, converters)",
    "every mapped column exists in its CSV",
    "every CSV decodes in the declared encoding",
];

/// Describes and validates a package. I/O errors (a missing file) are errors;
/// an invalid package is a report with `valid: false`.
pub fn inspect(path: &Path, options: &InspectOptions) -> Result<InspectReport, Error> {
    let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    let mut checks = Vec::new();
    // The same validation as `import` ([`Package::open_with`]); over the cap,
    // the package is opened again without it, to report everything else.
    let open = |max_package: u64| {
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Package::open_file(file, path, Limits { max_package, ..Limits::default() })
    };
    let (opened, over_cap) = match open(options.max_size) {
        Err(e) if e.invalid_kind() == Some(Invalid::OverSizeCap) => (open(u64::MAX), Some(e.to_string())),
        other => (other, None),
    };
    let contents = match opened {
        Ok(p) => {
            checks.extend(CHECKS.iter().map(|c| Check {
                name: c.to_string(),
                ok: true,
                kind: None,
                message: None,
            }));
            Some(describe(&p))
        }
        Err(Error::Invalid { kind, message, .. }) => {
            let failed = match kind {
                Invalid::BadMapping => 2,
                Invalid::BadCsv => 3,
                Invalid::Encoding | Invalid::UnknownEncoding => 4,
                Invalid::NotZip
                | Invalid::PathEscapes
                | Invalid::AbsolutePath
                | Invalid::DriveLetter
                | Invalid::DuplicateMember
                | Invalid::TooLarge
                | Invalid::CompressionRatio
                | Invalid::BadMember
                | Invalid::LocalName
                | Invalid::OverSizeCap
                | Invalid::UnexpectedMember => 0,
                _ => 1,
            };
            for (i, c) in CHECKS.iter().enumerate().take(failed + 1) {
                let ok = i < failed;
                checks.push(Check {
                    name: c.to_string(),
                    ok,
                    kind: (!ok).then_some(kind),
                    message: (!ok).then(|| message.clone()),
                });
            }
            None
        }
        Err(e) => return Err(e),
    };
    checks.push(Check {
        name: format!("size is at most {} bytes", options.max_size),
        ok: over_cap.is_none(),
        kind: over_cap.is_some().then_some(Invalid::OverSizeCap),
        message: over_cap,
    });
    let valid = checks.iter().all(|c| c.ok);
    Ok(InspectReport { path: path.to_path_buf(), size, max_size: options.max_size, valid, checks, contents })
}

fn describe(p: &Package) -> Contents {
    let files = p
        .template
        .files
        .iter()
        .zip(&p.files)
        .map(|(f, csv)| FileContents {
            name: f.name.clone(),
            mappings_file: csv.mappings.clone(),
            category: f.category.clone(),
            rows: csv.rows,
            columns: csv.headers.clone(),
            parent: f
                .parent
                .as_ref()
                .map(|l| format!("{}.{} = {}.{}", f.name, l.column, l.file, l.parent_column)),
            id_column: f.id_column.clone(),
            null_default: f.null_default.clone(),
            mappings: f.mappings.iter().map(describe_mapping).collect(),
        })
        .collect();
    Contents {
        target: p.template.target.clone(),
        target_label: p.target.label.clone(),
        encoding: p.encoding.name().to_string(),
        members: p.members.clone(),
        files,
    }
}

fn describe_mapping(m: &FieldMapping) -> MappingLine {
    let converter = match &m.converter {
        Converter::Text { text: TextConverter::None } => "text".to_string(),
        Converter::Text { text: TextConverter::Rtf2plain } => "text, rtf2plain".to_string(),
        Converter::Integer => "integer".to_string(),
        Converter::Decimal { comma: false } => "decimal".to_string(),
        Converter::Decimal { comma: true } => "decimal (decimal comma)".to_string(),
        Converter::Date { formats } => format!("date {}", show_formats(formats)),
        Converter::Timestamp { formats, time_zone } => {
            format!("timestamp {} in `{time_zone}`", show_formats(formats))
        }
        Converter::Phone { country: Some(c) } => format!("phone, for `{c}`"),
        Converter::Phone { country: None } => "phone".to_string(),
        Converter::Email => "e-mail address".to_string(),
        Converter::Name { part } => format!("the {} name of a full name", part.as_str()),
        Converter::Boolean { table } => format!(
            "boolean: {}",
            table.iter().map(|(k, v)| format!("`{k}` → {v}")).collect::<Vec<_>>().join(", ")
        ),
        Converter::Enumeration { table } => format!(
            "enumeration: {}",
            table
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("`{k}` → `{v}`"),
                    None => format!("`{k}` → ignored"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    MappingLine {
        column: m.column.clone(),
        target: m.target_label(),
        converter,
        null_value: m.null_value.clone(),
    }
}

/// A size that [`parse_size`] cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("`{0}` is not a size (try `10MB`, `512KB`, `1048576`)")]
    NotANumber(String),
    #[error("unknown size unit `{unit}` in `{text}` (use B, KB, MB or GB)")]
    UnknownUnit { unit: String, text: String },
    #[error("`{0}` is out of range (1 byte to 4 GB)")]
    OutOfRange(String),
}

/// Parses a size: `10MB`, `10 MiB`, `512KB`, `1.5GB`, `1048576` (units are
/// 1024-based: KB = KiB = 1024 bytes, MB = MiB = 1024 × 1024 bytes).
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num.parse().map_err(|_| SizeError::NotANumber(text.to_string()))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(SizeError::UnknownUnit { unit: other.to_string(), text: text.to_string() }),
    };
    let bytes = (num * mult as f64).round();
    if !(1.0..=(u32::MAX as f64)).contains(&bytes) {
        return Err(SizeError::OutOfRange(text.to_string()));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("10 MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("1.5kb"), Ok(1536));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5XB").unwrap_err().to_string().contains("unknown size unit `xb`"));
        assert!(parse_size("8GB").is_err());
    }
}
