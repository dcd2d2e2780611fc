//! Flat copies of a record's most used values, kept beside its JSON in the
//! `staged` and `records` tables for listing, sorting and matching.
//!
//! Leads carry these as plain fields; contacts keep zip, e-mail and phone in
//! subcollections, so the primary instance is chosen (the one marked
//! `primary`, else the first of the preferred type names, else the first).

use ferry_mapper::record::{Instance, Record, Value};
use ferry_mapper::target::RecordKind;

/// The flat columns of a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flat {
    pub legacy_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
    pub gender: Option<String>,
    pub zip: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The flat column names, as in the store.
pub const FLAT_COLUMNS: &[&str] =
    &["legacy_id", "first_name", "last_name", "birth_date", "gender", "zip", "email", "phone"];

/// An empty text is no value; other kinds always show something.
fn blank(value: &Value) -> bool {
    matches!(value, Value::Text(s) | Value::Decimal(s) if s.is_empty())
}

fn field(record: &Record, name: &str) -> Option<String> {
    record.fields.get(name).filter(|v| !blank(v)).map(Value::to_text)
}

/// The attribute of the best instance of `subcollection`: the primary one,
/// else the first whose type name comes first in `preferred`, else the first.
/// (Run for every staged row: it allocates only the text it returns.)
fn instance_value(
    record: &Record,
    subcollection: &str,
    preferred: &[&str],
    attribute: &str,
) -> Option<String> {
    let usable = |i: &&Instance| {
        i.subcollection == subcollection
            && i.attributes.get(attribute).is_some_and(|v| !blank(v))
            && (preferred.is_empty() || preferred.contains(&i.type_name.as_str()))
    };
    let candidates = || record.instances.iter().filter(usable);
    let primary = candidates().find(|i| matches!(i.attributes.get("primary"), Some(Value::Boolean(true))));
    let ranked = primary.or_else(|| {
        preferred
            .iter()
            .find_map(|t| candidates().find(|i| i.type_name == *t))
            .or_else(|| candidates().next())
    });
    ranked.and_then(|i| i.attributes.get(attribute)).map(Value::to_text)
}

impl Flat {
    /// Extracts the flat values of `record`.
    pub fn of(kind: RecordKind, record: &Record) -> Flat {
        let legacy_id = field(record, "externalId").or_else(|| field(record, "legacyId"));
        let mut flat = Flat {
            legacy_id,
            first_name: field(record, "firstName"),
            last_name: field(record, "lastName"),
            birth_date: field(record, "birthDate"),
            gender: field(record, "gender"),
            zip: field(record, "zip"),
            email: field(record, "email"),
            phone: field(record, "phone"),
        };
        if kind == RecordKind::Contacts || flat.zip.is_none() {
            flat.zip = flat.zip.or_else(|| instance_value(record, "Address", &[], "zip"));
        }
        flat.email =
            flat.email.or_else(|| instance_value(record, "Telcom", &["Email", "Personal Email"], "value"));
        flat.phone = flat
            .phone
            .or_else(|| instance_value(record, "Telcom", &["Business", "Mobile", "Home", "Other"], "value"));
        flat
    }

    /// The values in [`FLAT_COLUMNS`] order.
    pub fn values(&self) -> [&Option<String>; 8] {
        [
            &self.legacy_id,
            &self.first_name,
            &self.last_name,
            &self.birth_date,
            &self.gender,
            &self.zip,
            &self.email,
            &self.phone,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn contacts_take_zip_email_and_phone_from_primary_instances() {
        let mut r = Record::default();
        r.fields.insert("externalId".into(), text("7"));
        r.fields.insert("lastName".into(), text("Doe"));
        r.instance_mut("Address", "Home", 1).attributes.insert("zip".into(), text("11111"));
        let business = r.instance_mut("Address", "Business", 1);
        business.attributes.insert("zip".into(), text("22222"));
        business.attributes.insert("primary".into(), Value::Boolean(true));
        r.instance_mut("Telcom", "Home", 1).attributes.insert("value".into(), text("555-1"));
        r.instance_mut("Telcom", "Business", 1).attributes.insert("value".into(), text("555-2"));
        r.instance_mut("Telcom", "Email", 1).attributes.insert("value".into(), text("a@b.c"));
        let flat = Flat::of(RecordKind::Contacts, &r);
        assert_eq!(flat.legacy_id.as_deref(), Some("7"));
        assert_eq!(flat.zip.as_deref(), Some("22222"));
        assert_eq!(flat.phone.as_deref(), Some("555-2"));
        assert_eq!(flat.email.as_deref(), Some("a@b.c"));
        assert_eq!(flat.first_name, None);
    }

    #[test]
    fn leads_use_plain_fields() {
        let mut r = Record::default();
        r.fields.insert("legacyId".into(), text("L1"));
        r.fields.insert("email".into(), text("x@y.z"));
        r.fields.insert("zip".into(), text("90210"));
        let flat = Flat::of(RecordKind::Leads, &r);
        assert_eq!(flat.legacy_id.as_deref(), Some("L1"));
        assert_eq!(flat.email.as_deref(), Some("x@y.z"));
        assert_eq!(flat.zip.as_deref(), Some("90210"));
    }
}
