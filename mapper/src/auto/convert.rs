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
        FieldType::Decimal => Converter::Decimal { comma: writes_decimal_commas(column) },
        FieldType::Date => Converter::Date {
            formats: match &column.kind {
                InferredKind::Date { format, .. } => vec![format.clone()],
                // A spreadsheet's date cells saved as day numbers (`22666`).
                InferredKind::Integer if super::content::excel_serials(column) => {
                    vec![crate::convert::serial::EXCEL.to_string()]
                }
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

/// Whether a column of decimal numbers writes `,` as the decimal point: some
/// of its values read only so (`12,5`, `1.234,50`) and none only with `.`
/// (`12.5`, `1,234.50`). Values that read both ways (`1.234`) decide nothing.
fn writes_decimal_commas(column: &SourceColumn) -> bool {
    use crate::convert::value::parse_decimal_in;
    let (mut comma, mut point) = (0, 0);
    for v in column.distinct.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match (parse_decimal_in(v, true).is_ok(), parse_decimal_in(v, false).is_ok()) {
            (true, false) => comma += 1,
            (false, true) => point += 1,
            _ => {}
        }
    }
    comma > 0 && point == 0
}

/// A plain field that holds a phone number (`phone`, `mobilePhone`, `fax`).
pub(super) fn names_a_phone(field: &str) -> bool {
    let f = field.to_lowercase();
    ["phone", "mobile", "fax", "cell"].iter().any(|w| f.contains(w))
}

/// A Telcom type name that holds no phone number (`Email`, `Personal Email`, `Web`).
pub(super) fn names_a_phone_free(type_name: &str) -> bool {
    let t = type_name.to_lowercase();
    ["email", "e-mail", "web", "url"].iter().any(|w| t.contains(w))
}

/// The phone converter for a column of phone numbers, with what it says:
/// the numbers are read for `country` (the data's) and written in
/// international form. `None` when the column does not hold phones, or when
/// no country is known and most numbers lack a `+` (the converter could read
/// none of them).
pub(super) fn phone_converter(column: &SourceColumn, country: Option<&str>) -> Option<(Converter, String)> {
    if column.dates.is_some() || column.is_empty() {
        return None;
    }
    let values: Vec<&str> = column.distinct.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    let phoneish =
        values.iter().filter(|v| crate::profile::infer_kind(&[v], "phone") == InferredKind::Phone).count();
    if values.is_empty() || (phoneish as f64) < 0.8 * values.len() as f64 {
        return None;
    }
    let plus = values.iter().filter(|v| v.starts_with('+')).count();
    if country.is_none() && (plus as f64) < 0.8 * values.len() as f64 {
        return None;
    }
    let default = country.and_then(crate::phone::country);
    let invalid = values.iter().filter(|v| crate::phone::parse(v, default).is_none()).count();
    let whose = match country {
        Some(c) => format!("read as numbers of {c} (the data's country) unless they carry `+`"),
        None => "read by their `+` prefix (no country is known)".to_string(),
    };
    let mut note = format!(
        "`{}`: phone numbers, {whose}, and written in international form (`+1 416-555-0123`)",
        column.name
    );
    if invalid > 0 {
        note.push_str(&format!(
            "; {invalid} of {} distinct numbers seen are not valid: they are kept as entered, with a warning and no country",
            values.len()
        ));
    }
    // The template's country is the converter's: it names none itself.
    Some((Converter::Phone { country: None }, note))
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
