//! What a phone converter puts beside the number: its country in the
//! target's country field (`phoneCountry` beside `phone`, a Telcom's
//! `country`), and its extension in the target's extension field (a Telcom's
//! `extension`), the number then written without it.

use super::value::ValueConverter;
use super::{Compiled, Slot, UNSPECIFIED_COUNTRY};
use crate::record::Value;
use crate::target::TargetDefinition;

/// The country of a phone converted to international form (`CA`), or
/// [`UNSPECIFIED_COUNTRY`] when its plan names none.
pub(super) fn phone_country(value: &Value) -> String {
    crate::phone::parse(&value.to_text(), None)
        .and_then(|p| p.country)
        .unwrap_or_else(|| UNSPECIFIED_COUNTRY.to_string())
}

/// A phone converted to international form with an extension
/// (`+1 416-555-0101 ext. 23`), split into the number and the extension
/// (`+1 416-555-0101`, `23`); `None` when it has no extension.
pub(super) fn split_extension(value: &Value) -> Option<(Value, Value)> {
    let text = value.to_text();
    let extension = crate::phone::parse(&text, None)?.extension?;
    let number = text.strip_suffix(extension.as_str())?.trim_end_matches(|c: char| !c.is_ascii_digit());
    Some((Value::Text(number.to_string()), Value::Text(extension)))
}

/// Where a phone's country goes, when the target has a field for it: the
/// plain field `<field>Country` beside a plain field (`phoneCountry`), the
/// attribute `country` beside a subcollection's value.
pub(super) fn country_slot(target: &TargetDefinition, slot: &Slot) -> Option<Slot> {
    beside(target, slot, "Country", "country")
}

/// Where a phone's extension goes, when the target has a field for it: the
/// plain field `<field>Extension`, the attribute `extension` beside a
/// subcollection's value.
pub(super) fn extension_slot(target: &TargetDefinition, slot: &Slot) -> Option<Slot> {
    beside(target, slot, "Extension", "extension")
}

fn beside(target: &TargetDefinition, slot: &Slot, suffix: &str, attribute: &str) -> Option<Slot> {
    match slot {
        Slot::Field(name) => {
            let at = format!("{name}{suffix}");
            target.plain_fields().any(|f| f.name == at).then_some(Slot::Field(at))
        }
        Slot::Attribute { subcollection, type_name, instance, attribute: own } if own != attribute => {
            target.attribute(subcollection, attribute).map(|_| Slot::Attribute {
                subcollection: subcollection.clone(),
                type_name: type_name.clone(),
                instance: *instance,
                attribute: attribute.to_string(),
            })
        }
        Slot::Attribute { .. } => None,
    }
}

/// The column of the first mapping to an address's `country` (`Address[Home].country`).
pub(super) fn address_country(mappings: &[Compiled]) -> Option<usize> {
    mappings
        .iter()
        .find(|m| {
            matches!(&m.slot, Slot::Attribute { subcollection, attribute, .. }
                if subcollection == "Address" && attribute == "country")
        })
        .map(|m| m.index)
}

/// A phone converter for the row's country, when it differs from the
/// converter's: a number written without `+` is a number of the country its
/// person lives in, so an export of several countries reads each row's
/// numbers right. `None`: the converter as compiled serves (no phone, no
/// country known, or the same).
pub(super) fn for_country(converter: &ValueConverter, country: Option<&str>) -> Option<ValueConverter> {
    let ValueConverter::Phone(own) = converter else { return None };
    let named = crate::phone::country(country?)?;
    (Some(named) != *own).then_some(ValueConverter::Phone(Some(named)))
}
