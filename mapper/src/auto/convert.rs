//! Converter helpers: the converter a field's type needs, boolean and
//! enumeration guesses from a column's distinct values.

use crate::profile::InferredKind;
use crate::session::SourceColumn;
use crate::target::{Field, FieldType};
use crate::template::{Converter, TextConverter};

use super::header::compact;

/// The converter a field's type needs, filled from what the column holds.
pub fn converter_for(field: &Field, column: &SourceColumn) -> Converter {
    converter_in(field, column, None).0
}

/// [`converter_for`] for data of `country` (it orders day and month in
/// ambiguous dates), with a sentence on the formats chosen for a date column
/// that holds several or an ambiguous one.
pub fn converter_in(
    field: &Field,
    column: &SourceColumn,
    country: Option<&str>,
) -> (Converter, Option<String>) {
    if field.field_type == FieldType::Date
        && let Some(dates) = &column.dates
    {
        let p = dates.proposal(country);
        let note = (dates.formats.len() > 1 || !p.reasons.is_empty()).then(|| {
            let seen: Vec<String> =
                dates.formats.iter().map(|f| format!("`{}` {}", f.format, f.count)).collect();
            let mut s = format!(
                "`{}`: dates in several formats ({} of {} values read; seen {}); tried in order {}",
                column.name,
                dates.values - dates.unreadable,
                dates.values,
                seen.join(", "),
                crate::template::show_formats(&p.formats)
            );
            for r in &p.reasons {
                s.push_str("; ");
                s.push_str(r);
            }
            if dates.unreadable > 0 {
                s.push_str(&format!(
                    "; {} values no format reads ({}) are dropped with a warning",
                    dates.unreadable,
                    crate::convert::value::list_values(dates.unreadable_examples.iter().map(String::as_str))
                ));
            }
            s
        });
        if !p.formats.is_empty() {
            return (Converter::Date { formats: p.formats }, note);
        }
    }
    (converter_of_type(field, column), None)
}

fn converter_of_type(field: &Field, column: &SourceColumn) -> Converter {
    match field.field_type {
        FieldType::String => {
            let rtf = column.samples.iter().chain(column.sample.iter()).any(|s| is_rtf(s));
            Converter::Text { text: if rtf { TextConverter::Rtf2plain } else { TextConverter::None } }
        }
        FieldType::Integer => Converter::Integer,
        FieldType::Decimal => Converter::Decimal,
        FieldType::Date => Converter::Date {
            formats: match &column.kind {
                InferredKind::Date { format, .. } => vec![format.clone()],
                _ => vec!["%Y-%m-%d".to_string()],
            },
        },
        FieldType::Timestamp => Converter::Timestamp {
            formats: match &column.kind {
                InferredKind::Timestamp { format } => vec![format.clone()],
                _ => vec!["%Y-%m-%d %H:%M:%S".to_string()],
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
