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
            | (Converter::Decimal { .. }, FieldType::Decimal)
            | (Converter::Date { .. }, FieldType::Date)
            | (Converter::Timestamp { .. }, FieldType::Timestamp)
            | (Converter::Boolean { .. }, FieldType::Boolean)
            | (Converter::Enumeration { .. }, FieldType::Enum | FieldType::String)
            | (Converter::Phone { .. } | Converter::Email, FieldType::String)
            | (Converter::Name { .. }, FieldType::String | FieldType::Enum)
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

/// Why a field mapping names no field or attribute of the target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum SlotError {
    #[error("`typeName` or `typeFrom` is set for field `{field}`, which is not in a subcollection")]
    TypeOutsideSubcollection { field: String },
    #[error("target `{target}` has no field `{field}`{}", if *.is_attribute { " (it is a subcollection attribute: set `subcollection` and `typeName`)" } else { "" })]
    NoField { target: String, field: String, is_attribute: bool },
    #[error("field `{field}` is in category `{category}`, not in the file's category `{file_category}`")]
    FieldOutOfCategory { field: String, category: String, file_category: String },
    #[error("target `{target}` has no subcollection `{sub}` (it has {})", list(.known))]
    NoSubcollection { target: String, sub: String, known: Vec<String> },
    #[error("subcollection `{sub}` is not in the file's category `{file_category}`")]
    SubcollectionOutOfCategory { sub: String, file_category: String },
    #[error("subcollection `{sub}` has no type name `{type_name}`{} (it has {})", given_for(.value.as_deref()), list(.known))]
    NoTypeName { sub: String, type_name: String, value: Option<String>, known: Vec<String> },
    #[error("subcollection `{sub}` needs a `typeName` (or a `typeFrom` column holding each row's type)")]
    NeedsTypeName { sub: String },
    #[error("subcollection `{sub}` has no attribute `{attribute}` (it has {})", list(.known))]
    NoAttribute { sub: String, attribute: String, known: Vec<String> },
    #[error("instance numbers start at 1")]
    InstanceZero,
}

/// Why a row's type cell names no type of its subcollection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum RowTypeError {
    #[error("the type column `{column}` is empty (give the mapping a `typeName` for such rows)")]
    Blank { column: String },
    #[error("`{value}` is not a type of `{subcollection}` ({}); map it to one in the mapping's `typeFrom.values`", list(.known))]
    Unknown { value: String, subcollection: String, known: Vec<String> },
}

fn list(known: &[String]) -> String {
    list_values(known.iter().map(String::as_str))
}

/// ` (given for `home` in `typeFrom.values`)` for a type name given in a `typeFrom` table.
fn given_for(value: Option<&str>) -> String {
    value.map(|v| format!(" (given for `{v}` in `typeFrom.values`)")).unwrap_or_default()
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names.map(str::to_string).collect()
}

/// Resolves a mapping's target against the target definition.
pub(super) fn resolve_slot<'t>(
    target: &'t TargetDefinition,
    file: &FileMapping,
    m: &FieldMapping,
) -> Result<(Slot, &'t Field), SlotError> {
    let in_category = |category: &str| file.category == ALL_CATEGORIES || file.category == category;
    let category_known = file.category == ALL_CATEGORIES || target.category(&file.category).is_some();
    match &m.subcollection {
        None => {
            if m.type_name.is_some() || m.type_from.is_some() {
                return Err(SlotError::TypeOutsideSubcollection { field: m.field.clone() });
            }
            let Some(category) = target
                .categories
                .iter()
                .filter(|c| !c.subcollection)
                .find(|c| c.fields.iter().any(|f| f.name == m.field))
            else {
                let is_attribute = target
                    .categories
                    .iter()
                    .any(|c| c.subcollection && c.fields.iter().any(|f| f.name == m.field));
                return Err(SlotError::NoField {
                    target: target.name.clone(),
                    field: m.field.clone(),
                    is_attribute,
                });
            };
            if category_known && !in_category(&category.name) {
                return Err(SlotError::FieldOutOfCategory {
                    field: m.field.clone(),
                    category: category.name.clone(),
                    file_category: file.category.clone(),
                });
            }
            let field = category.fields.iter().find(|f| f.name == m.field).expect("found above");
            Ok((Slot::Field(m.field.clone()), field))
        }
        Some(sub) => {
            let Some(category) = target.subcollection(sub) else {
                let known =
                    names(target.categories.iter().filter(|c| c.subcollection).map(|c| c.name.as_str()));
                return Err(SlotError::NoSubcollection {
                    target: target.name.clone(),
                    sub: sub.clone(),
                    known,
                });
            };
            if category_known && !in_category(&category.name) {
                return Err(SlotError::SubcollectionOutOfCategory {
                    sub: sub.clone(),
                    file_category: file.category.clone(),
                });
            }
            // A subcollection without type names (UserField) takes any name.
            let check_type = |type_name: &str, value: Option<&str>| {
                if !category.type_names.is_empty() && !category.type_names.iter().any(|t| t == type_name) {
                    return Err(SlotError::NoTypeName {
                        sub: sub.clone(),
                        type_name: type_name.to_string(),
                        value: value.map(str::to_string),
                        known: category.type_names.clone(),
                    });
                }
                Ok(())
            };
            if let Some(type_name) = &m.type_name {
                check_type(type_name, None)?;
            }
            let type_name = match (&m.type_from, &m.type_name) {
                // Told apart from fixed types, for duplicate mappings and instances.
                (Some(from), _) => {
                    for (value, type_name) in &from.values {
                        check_type(type_name, Some(value))?;
                    }
                    format!("{{{}}}", from.column)
                }
                (None, Some(type_name)) => type_name.clone(),
                (None, None) => {
                    return Err(SlotError::NeedsTypeName { sub: sub.clone() });
                }
            };
            let Some(field) = category.fields.iter().find(|f| f.name == m.field) else {
                return Err(SlotError::NoAttribute {
                    sub: sub.clone(),
                    attribute: m.field.clone(),
                    known: names(category.fields.iter().map(|f| f.name.as_str())),
                });
            };
            if m.instance == Some(0) {
                return Err(SlotError::InstanceZero);
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
