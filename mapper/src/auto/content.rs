//! Content heuristics: whether a column's values fit a field's type, and
//! what a column holds when its name says nothing (e-mails, phones, zips, genders).

use crate::profile::{InferredKind, infer_kind};
use crate::session::SourceColumn;
use crate::target::{FieldType, TargetDefinition};

use super::header::normalize;
use super::subs::has_type;
use super::{Guess, SubGuess};

/// Does the column's content fit a field of this type?
pub(super) fn content_fits(field_type: FieldType, column: &SourceColumn) -> bool {
    if column.is_empty() {
        return true;
    }
    match field_type {
        FieldType::Date => {
            matches!(column.kind, InferredKind::Date { .. } | InferredKind::Empty)
                || mostly_dates(column)
                || excel_serials(column)
        }
        FieldType::Timestamp => {
            matches!(
                column.kind,
                InferredKind::Timestamp { .. } | InferredKind::Date { .. } | InferredKind::Empty
            ) || mostly_dates(column)
        }
        FieldType::Integer => matches!(column.kind, InferredKind::Integer | InferredKind::Empty),
        FieldType::Decimal => {
            matches!(column.kind, InferredKind::Integer | InferredKind::Decimal | InferredKind::Empty)
        }
        FieldType::Boolean => {
            matches!(column.kind, InferredKind::Boolean) || column.distinct.len() <= 3 || mostly_flags(column)
        }
        FieldType::String | FieldType::Enum => true,
    }
}

/// A column whose distinct values are words for true and false (`Y`, `no`,
/// `TRUE`, `0`) but for a few strays (`Unknown`), which its boolean table
/// then leaves out.
fn mostly_flags(column: &SourceColumn) -> bool {
    let values = column.distinct.iter().filter(|v| !v.trim().is_empty());
    let (known, stray) = values
        .fold((0, 0), |(k, s), v| if crate::profile::truth(v).is_some() { (k + 1, s) } else { (k, s + 1) });
    known >= 2 && stray * 4 <= known
}

/// A column of whole numbers that are all plausible Excel serial dates
/// (`22666`): a spreadsheet's date cells saved without their format. Only a
/// date field named so takes them.
pub(super) fn excel_serials(column: &SourceColumn) -> bool {
    column.kind == InferredKind::Integer
        && !column.distinct.is_empty()
        && column.distinct.iter().all(|v| crate::convert::serial::plausible(v.trim()))
}

/// The content decides: e-mails, phones, zips and genders.
pub(super) fn by_content(target: &TargetDefinition, column: &SourceColumn) -> Option<Guess> {
    let sub = |sub: &str, type_name: &str, attr: &str, what: &str| {
        (has_type(target, sub, type_name) && target.attribute(sub, attr).is_some()).then(|| {
            Guess::Sub(SubGuess {
                assumed: true,
                type_from: None,
                sub: sub.to_string(),
                type_name: type_name.to_string(),
                attr: attr.to_string(),
                group: format!("content {}", column.name),
                slot: 1,
                rank: 1,
                confidence: 0.5,
                reason: format!("its values look like {what}"),
            })
        })
    };
    if mostly_dates(column) {
        // Dates in several formats pass for phone numbers (`19800304`, `04.03.1980`).
        return None;
    }
    match column.kind {
        InferredKind::Email => sub("Telcom", "Email", "value", "e-mail addresses"),
        InferredKind::Phone => sub("Telcom", "Business", "value", "phone numbers"),
        _ if phones_and_emails(column) => {
            sub("Telcom", "Business", "value", "phone numbers and e-mail addresses")
        }
        InferredKind::Zip => sub("Address", "Home", "zip", "postal codes"),
        _ => {
            let gender = target
                .plain_fields()
                .find(|f| f.field_type == FieldType::Enum && normalize(&f.name) == "gender")?;
            let gendery = ["m", "f", "u", "male", "female", "unknown", "man", "woman", "x"];
            let all = !column.distinct_capped
                && !column.distinct.is_empty()
                && column.distinct.iter().all(|v| gendery.contains(&v.trim().to_lowercase().as_str()));
            all.then(|| Guess::Field {
                field: gender.name.clone(),
                confidence: 0.6,
                reason: "its values look like genders".to_string(),
            })
        }
    }
}

/// Values that stand for no value in exports (`0/0/00` is Outlook's empty date).
const NULLISH: &[&str] = &[
    "n/a",
    "na",
    "-",
    "--",
    "none",
    "null",
    "nil",
    "unknown",
    "0/0/00",
    "00/00/0000",
    "00.00.0000",
    "0000-00-00",
];

/// The column's distinct values, blanks and null stand-ins left out.
fn values(column: &SourceColumn) -> impl Iterator<Item = &str> {
    column
        .distinct
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty() && !NULLISH.contains(&v.to_lowercase().as_str()))
}

/// At least `share` of the values pass `test` (and there is one).
fn most(column: &SourceColumn, share: f64, mut test: impl FnMut(&str) -> bool) -> bool {
    let (mut all, mut fit) = (0usize, 0usize);
    for v in values(column) {
        all += 1;
        fit += usize::from(test(v));
    }
    all > 0 && fit as f64 >= share * all as f64
}

/// Dates, each value in some format (a mixed-format column the profile calls text or phones).
pub(super) fn mostly_dates(column: &SourceColumn) -> bool {
    !matches!(column.kind, InferredKind::Empty)
        && most(column, 0.8, |v| matches!(infer_kind(&[v], ""), InferredKind::Date { .. }))
}

/// Phone numbers and e-mail addresses in one column (a long-format Telcom table's value).
fn phones_and_emails(column: &SourceColumn) -> bool {
    let kind = |v: &str| infer_kind(&[v], "phone");
    let (mut phones, mut emails) = (false, false);
    let fits = most(column, 0.9, |v| match kind(v) {
        InferredKind::Phone => {
            phones = true;
            true
        }
        InferredKind::Email => {
            emails = true;
            true
        }
        _ => false,
    });
    fits && phones && emails
}
