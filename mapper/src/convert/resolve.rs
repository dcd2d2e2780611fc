//! Resolving a field mapping against the target: which field or subcollection
//! attribute it fills, and which converters suit which field types.

use super::Slot;
use super::value::list_values;
use crate::target::{Field, FieldType, TargetDefinition};
use crate::template::{ALL_CATEGORIES, Converter, FieldMapping, FileMapping};

/// Which converters serve which field types.
pub(super) fn converter_fits(converter: &Converter, field_type: FieldType) -> bool {
    matches!(
        (converter, field_type),
        (Converter::Text { .. }, FieldType::String | FieldType::Enum)
            | (Converter::Integer, FieldType::Integer)
            | (Converter::Decimal, FieldType::Decimal)
            | (Converter::Date { .. }, FieldType::Date)
            | (Converter::Timestamp { .. }, FieldType::Timestamp)
            | (Converter::Boolean { .. }, FieldType::Boolean)
            | (Converter::Enumeration { .. }, FieldType::Enum | FieldType::String)
            | (Converter::Phone { .. }, FieldType::String)
    )
}

/// The converter kind a field type asks for, for hints.
pub(super) fn converter_for(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::String => "text",
        FieldType::Integer => "integer",
        FieldType::Decimal => "decimal",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::Timestamp => "timestamp",
        FieldType::Enum => "enumeration",
    }
}

/// Resolves a mapping's target against the target definition.
pub(super) fn resolve_slot<'t>(
    target: &'t TargetDefinition,
    file: &FileMapping,
    m: &FieldMapping,
) -> Result<(Slot, &'t Field), String> {
    let in_category = |category: &str| file.category == ALL_CATEGORIES || file.category == category;
    let category_known = file.category == ALL_CATEGORIES || target.category(&file.category).is_some();
    match &m.subcollection {
        None => {
            if m.type_name.is_some() || m.type_from.is_some() {
                return Err(format!(
                    "`typeName` or `typeFrom` is set for field `{}`, which is not in a subcollection",
                    m.field
                ));
            }
            let Some(category) = target
                .categories
                .iter()
                .filter(|c| !c.subcollection)
                .find(|c| c.fields.iter().any(|f| f.name == m.field))
            else {
                let hint = if target
                    .categories
                    .iter()
                    .any(|c| c.subcollection && c.fields.iter().any(|f| f.name == m.field))
                {
                    " (it is a subcollection attribute: set `subcollection` and `typeName`)"
                } else {
                    ""
                };
                return Err(format!("target `{}` has no field `{}`{hint}", target.name, m.field));
            };
            if category_known && !in_category(&category.name) {
                return Err(format!(
                    "field `{}` is in category `{}`, not in the file's category `{}`",
                    m.field, category.name, file.category
                ));
            }
            let field = category.fields.iter().find(|f| f.name == m.field).expect("found above");
            Ok((Slot::Field(m.field.clone()), field))
        }
        Some(sub) => {
            let Some(category) = target.subcollection(sub) else {
                let known: Vec<&str> =
                    target.categories.iter().filter(|c| c.subcollection).map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "target `{}` has no subcollection `{sub}` (it has {})",
                    target.name,
                    list_values(known.into_iter())
                ));
            };
            if category_known && !in_category(&category.name) {
                return Err(format!(
                    "subcollection `{sub}` is not in the file's category `{}`",
                    file.category
                ));
            }
            // A subcollection without type names (UserField) takes any name.
            let check_type = |type_name: &str, what: &str| {
                if !category.type_names.is_empty() && !category.type_names.iter().any(|t| t == type_name) {
                    return Err(format!(
                        "subcollection `{sub}` has no type name `{type_name}`{what} (it has {})",
                        list_values(category.type_names.iter().map(String::as_str))
                    ));
                }
                Ok(())
            };
            if let Some(type_name) = &m.type_name {
                check_type(type_name, "")?;
            }
            let type_name = match (&m.type_from, &m.type_name) {
                // Told apart from fixed types, for duplicate mappings and instances.
                (Some(from), _) => {
                    for (value, type_name) in &from.values {
                        check_type(type_name, &format!(" (given for `{value}` in `typeFrom.values`)"))?;
                    }
                    format!("{{{}}}", from.column)
                }
                (None, Some(type_name)) => type_name.clone(),
                (None, None) => {
                    return Err(format!(
                        "subcollection `{sub}` needs a `typeName` (or a `typeFrom` column holding each row's type)"
                    ));
                }
            };
            let Some(field) = category.fields.iter().find(|f| f.name == m.field) else {
                return Err(format!(
                    "subcollection `{sub}` has no attribute `{}` (it has {})",
                    m.field,
                    list_values(category.fields.iter().map(|f| f.name.as_str()))
                ));
            };
            if m.instance == Some(0) {
                return Err("instance numbers start at 1".to_string());
            }
            Ok((
                Slot::Attribute {
                    subcollection: sub.clone(),
                    type_name: type_name.clone(),
                    instance: m.instance_number(),
                    attribute: m.field.clone(),
                },
                field,
            ))
        }
    }
}
