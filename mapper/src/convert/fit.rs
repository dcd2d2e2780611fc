//! Fitting converted values to their target field: truncation of over-long
//! text, enumeration values the target does not know, and null values.

use super::value::{self, ValueConverter, list_values, show};
use crate::problem::{ProblemKind, Severity};
use crate::record::Value;
use crate::target::{Field, FieldType};

/// Reads a null value in the canonical text of the field's type (the form
/// `Value::to_text` writes), for null values not written in the column's format.
fn canonical_value(field: &Field, text: &str) -> Option<Value> {
    Some(match field.field_type {
        FieldType::String | FieldType::Enum => Value::Text(text.to_string()),
        FieldType::Integer => Value::Integer(value::parse_integer(text.trim()).ok()?),
        FieldType::Decimal => Value::Decimal(value::parse_decimal(text.trim()).ok()?),
        FieldType::Boolean => Value::Boolean(text.trim().parse().ok()?),
        FieldType::Date => Value::Date(text.trim().parse().ok()?),
        FieldType::Timestamp => Value::Timestamp(text.trim().parse().ok()?),
    })
}

/// A value checked against its field.
pub(super) struct Fitted {
    pub(super) value: Option<Value>,
    pub(super) problem: Option<(Severity, ProblemKind, String)>,
}

/// Fits a converted value to its field: truncation of over-long text, enumeration values.
pub(super) fn fit(field: &Field, value: Value, create_missing: bool) -> Fitted {
    match value {
        Value::Text(text) if field.field_type == FieldType::Enum => {
            if field.values.contains(&text) {
                return Fitted { value: Some(Value::Text(text)), problem: None };
            }
            let folded = text.trim().to_lowercase();
            if let Some(known) = field.values.iter().find(|v| v.to_lowercase() == folded) {
                return Fitted { value: Some(Value::Text(known.clone())), problem: None };
            }
            if create_missing {
                let message =
                    format!("`{}` is not a value of `{}`; it will be added", show(&text), field.label);
                Fitted {
                    value: Some(Value::Text(text)),
                    problem: Some((Severity::Warning, ProblemKind::UnknownEnumValue, message)),
                }
            } else {
                let message = format!(
                    "`{}` is not a value of `{}` (it knows {}); it will be ignored",
                    show(&text),
                    field.label,
                    list_values(field.values.iter().map(String::as_str))
                );
                Fitted {
                    value: None,
                    problem: Some((Severity::Warning, ProblemKind::UnknownEnumValue, message)),
                }
            }
        }
        Value::Text(text) => match field.max_length {
            Some(max) if text.len() > max && text.chars().count() > max => {
                let cut: String = text.chars().take(max).collect();
                let message = format!(
                    "`{}` is longer than {max} characters ({}); it will be truncated to `{}`",
                    show(&text),
                    text.chars().count(),
                    show(&cut)
                );
                Fitted {
                    value: Some(Value::Text(cut)),
                    problem: Some((Severity::Warning, ProblemKind::Truncated, message)),
                }
            }
            _ => Fitted { value: Some(Value::Text(text)), problem: None },
        },
        other => Fitted { value: Some(other), problem: None },
    }
}

/// Why a mapping's null value cannot stand in for an empty cell.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NullValueError {
    /// Neither the column's converter nor the type's canonical form reads it.
    #[error("the null value `{}` is not a valid {field_type} for `{field}`", show(.text))]
    Invalid { text: String, field_type: &'static str, field: String },
    /// It reads, but does not fit the field (why, as the fitting says).
    #[error("null value: {0}")]
    Unfit(String),
}

/// The null value of a mapping, fitted to its field. The text is read as the
/// column's text would be, else in the canonical form of the field's type.
/// `Ok((value, Some(warning)))` when the value needed changing.
pub(super) fn null_value(
    field: &Field,
    converter: &ValueConverter,
    text: &str,
    create_missing: bool,
) -> Result<(Option<Value>, Option<String>), NullValueError> {
    if text.is_empty() {
        return Ok((None, None));
    }
    let value = match converter.convert(text) {
        Ok(v) => v,
        Err(_) => Some(canonical_value(field, text).ok_or_else(|| NullValueError::Invalid {
            text: text.to_string(),
            field_type: field.field_type.as_str(),
            field: field.name.clone(),
        })?),
    };
    let Some(value) = value else { return Ok((None, None)) };
    let fitted = fit(field, value, create_missing);
    match fitted.problem {
        None => Ok((fitted.value, None)),
        Some((_, ProblemKind::Truncated, message)) => {
            Ok((fitted.value, Some(format!("null value: {message}"))))
        }
        Some((_, _, message)) => Err(NullValueError::Unfit(message)),
    }
}
