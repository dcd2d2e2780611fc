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
                    "; {} no format reads ({}) {} dropped with a warning",
                    if dates.unreadable == 1 {
                        "1 value".to_string()
                    } else {
                        format!("{} values", dates.unreadable)
                    },
                    crate::convert::value::list_values(dates.unreadable_examples.iter().map(String::as_str)),
                    if dates.unreadable == 1 { "is" } else { "are" }
                ));
            }
            s
        });
        if !p.formats.is_empty() {
            return (Converter::Date { formats: p.formats }, note);
        }
    }
    let converter = converter_of_type(field, column);
    if matches!(converter, Converter::Decimal { .. })
        && let Some(note) = currencies(column)
    {
        return (converter, Some(note));
    }
    let note = unplaced(&converter, column).map(|values| {
        let list = crate::convert::value::list_values(values.iter().map(String::as_str));
        let what = if matches!(converter, Converter::Boolean { .. }) {
            format!("{list} {} no word for true or false", if values.len() == 1 { "is" } else { "are" })
        } else {
            let allowed: Vec<String> = field.values.iter().map(|v| format!("`{v}`")).collect();
            format!(
                "{list} {} no `{}` (it takes {})",
                if values.len() == 1 { "names" } else { "name" },
                field.name,
                allowed.join(", ")
            )
        };
        format!(
            "column `{}`: {what}: left out of the table, so each such value is dropped with a warning; \
             give its meaning in the template's table (`null` for none)",
            column.name
        )
    });
    (converter, note)
}

/// What to say of a column of amounts in more than one currency (`$12`,
/// `1,50 €`): the converter stores plain numbers, which would mix them.
fn currencies(column: &SourceColumn) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for c in column.distinct.iter().filter_map(|v| crate::convert::value::currency_of(v)) {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    (seen.len() > 1).then(|| {
        format!(
            "column `{}`: amounts in {} currencies ({}): each is stored as a plain number, so they would be mixed; \
             split the export by currency, or convert the amounts to one currency, before importing",
            column.name,
            seen.len(),
            seen.join(", ")
        )
    })
}

/// The distinct values of a boolean or enumeration column that its table
/// leaves out: `map --auto` could not tell what they mean.
fn unplaced(converter: &Converter, column: &SourceColumn) -> Option<Vec<String>> {
    let placed = |v: &String| match converter {
        Converter::Boolean { table } => table.contains_key(v),
        Converter::Enumeration { table } => table.contains_key(v),
        _ => true,
    };
    let values: Vec<String> =
        column.distinct.iter().filter(|v| !v.trim().is_empty() && !placed(v)).cloned().collect();
    (!values.is_empty()).then_some(values)
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
        // Values that are no known word for true or false, and values that
        // name no allowed value, stay out of the table: each is then dropped
        // with a warning, never read as false or as empty unseen.
        FieldType::Boolean => Converter::Boolean {
            table: column
                .distinct
                .iter()
                .filter_map(|v| crate::profile::truth(v).map(|b| (v.clone(), b)))
                .collect(),
        },
        FieldType::Enum => Converter::Enumeration {
            table: column
                .distinct
                .iter()
                .filter_map(|v| guess_enum_value(v, &field.values).map(|t| (v.clone(), Some(t))))
                .collect(),
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

/// The values of a date column that its converter reads as a placeholder
/// for no date (`01/01/1900`), as written, to be read as empty.
pub(super) fn placeholder_dates(converter: &Converter, column: &SourceColumn) -> Vec<String> {
    use crate::convert::value::{is_placeholder_date, parse_date};
    let Converter::Date { formats } = converter else { return Vec::new() };
    column
        .distinct
        .iter()
        .filter(|v| {
            formats.iter().find_map(|f| parse_date(f, v.trim()).ok()).is_some_and(is_placeholder_date)
        })
        .cloned()
        .collect()
}

/// What a text field holds, for the converter `map --auto` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holds {
    Phone,
    Email,
    Text,
}

fn names_an_email(name: &str) -> bool {
    let n = name.to_lowercase();
    n.contains("email") || n.contains("e-mail")
}

/// What a plain field holds, by its name (`phone`, `mobilePhone`, `fax`: a
/// phone number; `email`: an address).
pub(super) fn field_holds(field: &str) -> Holds {
    let f = field.to_lowercase();
    if names_an_email(&f) {
        Holds::Email
    } else if ["phone", "mobile", "fax", "cell"].iter().any(|w| f.contains(w)) {
        Holds::Phone
    } else {
        Holds::Text
    }
}

/// What a Telcom value of a type holds (`Email`, `Personal Email`: an
/// address; `Web`, `URL`: text; the others: a phone number).
pub(super) fn telcom_holds(type_name: &str) -> Holds {
    let t = type_name.to_lowercase();
    if names_an_email(&t) {
        Holds::Email
    } else if t.contains("web") || t.contains("url") {
        Holds::Text
    } else {
        Holds::Phone
    }
}

/// The e-mail converter for a column of addresses, with what it says.
/// `None` when fewer than half its distinct values are addresses (a column
/// of something else under an e-mail header stays text).
pub(super) fn email_converter(column: &SourceColumn) -> Option<(Converter, String)> {
    let values: Vec<&str> = column.distinct.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    let read: Vec<(&str, Result<String, _>)> = values.iter().map(|v| (*v, crate::email::parse(v))).collect();
    let valid = read.iter().filter(|(_, r)| r.is_ok()).count();
    if values.is_empty() || 2 * valid < values.len() {
        return None;
    }
    let mut note = format!("`{}`: e-mail addresses, written in lower case", column.name);
    let cleaned = read.iter().filter(|(v, r)| r.as_ref().is_ok_and(|a| a != &v.to_lowercase())).count();
    if cleaned > 0 {
        note.push_str(&format!(
            "; {cleaned} of {} distinct values seen are read out of a `mailto:` link, a display name (`Ann <…>`) or a trailing `;`",
            values.len()
        ));
    }
    let several = read.iter().filter(|(v, r)| r.is_err() && crate::email::several(v).is_some()).count();
    if several > 0 {
        note.push_str(&format!(
            "; {several} of {} hold several addresses: each is stored as an e-mail of its own where the field is a list (`Telcom`), else kept as entered, with a warning",
            values.len()
        ));
    }
    let invalid = values.len() - valid - several;
    if invalid > 0 {
        note.push_str(&format!(
            "; {invalid} of {} are no single address: they are kept as entered, with a warning",
            values.len()
        ));
    }
    Some((Converter::Email, note))
}

/// The phone converter for a column of phone numbers, with what it says:
/// the numbers are read for `country` (the data's) and written in
/// international form. `None` when the column does not hold phones, or when
/// no country is known and most numbers lack a `+` (the converter could read
/// none of them).
pub(super) fn phone_converter(
    column: &SourceColumn,
    country: Option<&str>,
    row_country: Option<&str>,
) -> Option<(Converter, String)> {
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
    if country.is_none() && row_country.is_none() && (plus as f64) < 0.8 * values.len() as f64 {
        return None;
    }
    let default = country.and_then(crate::phone::country);
    // Each row's own country is not known here: `check` tells those numbers.
    let invalid = if row_country.is_some() {
        0
    } else {
        values.iter().filter(|v| crate::phone::parse(v, default).is_none()).count()
    };
    let whose = match (row_country, country) {
        (Some(column), Some(c)) => format!(
            "read as numbers of the row's country (`{column}`, else {c}, the data's) unless they carry `+`"
        ),
        (Some(column), None) => {
            format!("read as numbers of the row's country (`{column}`) unless they carry `+`")
        }
        (None, Some(c)) => format!("read as numbers of {c} (the data's country) unless they carry `+`"),
        (None, None) => "read by their `+` prefix (no country is known)".to_string(),
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
    crate::profile::truth(value) == Some(true)
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
