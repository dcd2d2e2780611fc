//! Converter helpers: the converter a field's type needs, boolean and
//! enumeration guesses from a column's distinct values.

use crate::profile::InferredKind;
use crate::session::SourceColumn;
use crate::target::{Field, FieldType};
use crate::template::{Converter, TextConverter};

use super::header::compact;

/// The converter a field's type needs, filled from what the column holds.
pub fn converter_for(field: &Field, column: &SourceColumn) -> Converter {
    match field.field_type {
        FieldType::String => {
            let rtf = column.samples.iter().chain(column.sample.iter()).any(|s| is_rtf(s));
            Converter::Text { text: if rtf { TextConverter::Rtf2plain } else { TextConverter::None } }
        }
        FieldType::Integer => Converter::Integer,
        FieldType::Decimal => Converter::Decimal,
        FieldType::Date => Converter::Date {
            format: match &column.kind {
                InferredKind::Date { format, .. } => format.clone(),
                _ => "%Y-%m-%d".to_string(),
            },
        },
        FieldType::Timestamp => Converter::Timestamp {
            format: match &column.kind {
                InferredKind::Timestamp { format } => format.clone(),
                _ => "%Y-%m-%d %H:%M:%S".to_string(),
            },
            time_zone: "UTC".to_string(),
        },
        FieldType::Boolean => {
            Converter::Boolean { table: column.distinct.iter().map(|v| (v.clone(), is_truthy(v))).collect() }
        }
        FieldType::Enum => Converter::Enumeration {
            table: column.distinct.iter().map(|v| (v.clone(), guess_enum_value(v, &field.values))).collect(),
        },
    }
}

/// True for text that is RTF.
pub fn is_rtf(s: &str) -> bool {
    s.trim_start().starts_with("{\\rtf")
}

/// Source values that usually mean true.
pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "y" | "yes"
            | "true"
            | "t"
            | "1"
            | "x"
            | "on"
            | "oui"
            | "o"
            | "ja"
            | "j"
            | "si"
            | "sí"
            | "-1"
            | "checked"
    )
}

/// The target value a source value most likely means, if any.
pub fn guess_enum_value(value: &str, targets: &[String]) -> Option<String> {
    let v = compact(value);
    if v.is_empty() {
        return None;
    }
    if let Some(t) = targets.iter().find(|t| compact(t) == v) {
        return Some(t.clone());
    }
    let unknownish = ["unspecified", "notspecified", "na", "none", "unknown", "undisclosed", "other"];
    if unknownish.contains(&v.as_str())
        && let Some(t) = targets.iter().find(|t| compact(t) == "unknown")
    {
        return Some(t.clone());
    }
    let prefixed: Vec<&String> = targets.iter().filter(|t| compact(t).starts_with(&v)).collect();
    if prefixed.len() == 1 {
        return Some(prefixed[0].clone());
    }
    let extended: Vec<&String> = targets.iter().filter(|t| v.starts_with(&compact(t))).collect();
    if extended.len() == 1 {
        return Some(extended[0].clone());
    }
    None
}
