//! Full names in one column: a file whose export writes `Name` or
//! `Full Name` (`Lee, Ann B.`) and no last-name column gets the column mapped
//! once per name part, each with a `name` converter
//! ([`crate::name::split`]), instead of a user field and a missing required
//! last name.

use super::Decision;
use super::header::normalize;
use crate::name::{NamePart, split};
use crate::session::{SourceColumn, SourceFile};
use crate::target::{FieldType, TargetDefinition};
use crate::template::{Converter, FieldMapping};

/// Headers that name a person's whole name.
const HEADERS: [&str; 16] = [
    "name",
    "full name",
    "fullname",
    "contact",
    "contact name",
    "display name",
    "person",
    "person name",
    "customer name",
    "client name",
    "member name",
    "donor name",
    "patient name",
    "student name",
    "attendee name",
    "lead name",
];

/// The part of a full name that goes to a field (`lastName` → last).
pub(crate) fn part_for(field: &str) -> Option<NamePart> {
    NamePart::ALL.into_iter().find(|p| field_of(*p) == field)
}

/// The target field each part goes to.
fn field_of(part: NamePart) -> &'static str {
    match part {
        NamePart::Title => "title",
        NamePart::First => "firstName",
        NamePart::Middle => "middleName",
        NamePart::Last => "lastName",
        NamePart::Suffix => "suffix",
    }
}

/// Maps a full-name column once per part (see the module), in place of what
/// the column was given, when the file maps nothing to the last name. Says
/// what it did in `notes`, and what is not kept where the target lacks a
/// part's field.
pub(super) fn split_full_names(
    target: &TargetDefinition,
    file: &SourceFile,
    mappings: &mut Vec<FieldMapping>,
    decisions: &mut [Decision],
    notes: &mut Vec<String>,
) {
    let maps_plain = |mappings: &[FieldMapping], field: &str| {
        mappings.iter().any(|m| m.subcollection.is_none() && m.field == field)
    };
    if target.field("lastName").is_none() || maps_plain(mappings, "lastName") {
        return;
    }
    let Some(column) =
        file.columns.iter().find(|c| HEADERS.contains(&normalize(&c.name).as_str()) && names(c))
    else {
        return;
    };
    // Only a column kept as a user field, or left unmapped, is taken over.
    if mappings.iter().any(|m| m.column == column.name && m.subcollection.as_deref() != Some("UserField")) {
        return;
    }
    let split_all: Vec<_> = column.distinct.iter().filter_map(|v| split(v).ok()).collect();
    let mut parts = Vec::new();
    let mut mapped = Vec::new();
    let mut lost = Vec::new();
    for part in NamePart::ALL {
        let seen = split_all.iter().filter(|n| !n.part(part).is_empty()).count();
        if seen == 0 && !matches!(part, NamePart::First | NamePart::Last) {
            continue;
        }
        let field = field_of(part);
        let fits =
            target.field(field).is_some_and(|f| matches!(f.field_type, FieldType::String | FieldType::Enum));
        if !fits || maps_plain(mappings, field) {
            if seen > 0 {
                lost.push(format!("{} names ({seen} values)", part.as_str()));
            }
            continue;
        }
        let mut m = FieldMapping::new(column.name.clone(), field);
        m.converter = Converter::Name { part };
        m.null_values = column.nulls.clone();
        parts.push(m);
        mapped.push(field);
    }
    // Where a part has nowhere to go, the whole name stays in its user field too.
    let kept_whole = !lost.is_empty() && mappings.iter().any(|m| m.column == column.name);
    if !kept_whole {
        mappings.retain(|m| m.column != column.name);
    }
    mappings.extend(parts);
    let unsplit = column.distinct.len() - split_all.len();
    for d in decisions.iter_mut().filter(|d| d.file == file.name && d.column == column.name) {
        d.target = Some(mapped.join(", ") + if kept_whole { ", UserField" } else { "" });
        d.confidence = 0.8;
        d.reason = "a full name: split into its parts (`Lee, Ann B.` and `Ann B. Lee` both read)".to_string();
    }
    let mut note = format!(
        "`{}` `{}`: full names, split into {} (`Lee, Ann B.`: the last name first; `Dr. Ann B. Lee Jr.`: in order); each part kept as written",
        file.name,
        column.name,
        mapped.join(", ")
    );
    if unsplit > 0 {
        note.push_str(&format!(
            "; {unsplit} of {} distinct values name two people or cannot be split: their rows get no name, with a warning (an error where a name part is required)",
            column.distinct.len()
        ));
    }
    if kept_whole {
        note.push_str(&format!(
            "; the target has no field left for the {}, so the whole name is also kept as a user field",
            lost.join(", ")
        ));
    } else if !lost.is_empty() {
        note.push_str(&format!(
            "; the target has no field left for the {}: they are not kept",
            lost.join(", ")
        ));
    }
    notes.push(note);
}

/// Whether a column's values read as people's names: most split, few hold digits.
fn names(column: &SourceColumn) -> bool {
    let values: Vec<&str> = column.distinct.iter().map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return false;
    }
    let split = values.iter().filter(|v| split(v).is_ok()).count();
    let digits = values.iter().filter(|v| v.chars().any(|c| c.is_ascii_digit())).count();
    let several = values.iter().filter(|v| v.split_whitespace().count() >= 2 || v.contains(',')).count();
    10 * split >= 8 * values.len() && 10 * digits <= values.len() && 2 * several >= values.len()
}
