//! Flat copies of a record's most used values, kept beside its JSON in the
//! `staged` and `records` tables for listing, sorting and matching.
//!
//! Leads carry these as plain fields; contacts keep zip, e-mail and phone in
//! subcollections, so the primary instance is chosen (the one marked
//! `primary`, else the first of the preferred type names, else the first).

use std::borrow::Cow;

use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::RecordKind;
use rusqlite::types::ToSql;
use rusqlite::{ParamsFromIter, params_from_iter};

/// The flat columns of a record, borrowed from it where they are its text
/// (no allocation per value: the import binds a million of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flat<'a> {
    pub legacy_id: Option<Cow<'a, str>>,
    pub first_name: Option<Cow<'a, str>>,
    pub last_name: Option<Cow<'a, str>>,
    pub birth_date: Option<Cow<'a, str>>,
    pub gender: Option<Cow<'a, str>>,
    pub zip: Option<Cow<'a, str>>,
    pub email: Option<Cow<'a, str>>,
    pub phone: Option<Cow<'a, str>>,
}

/// The flat column names, as in the store.
pub const FLAT_COLUMNS: &[&str] =
    &["legacy_id", "first_name", "last_name", "birth_date", "gender", "zip", "email", "phone"];

/// The one place the flat columns meet SQL: an INSERT's columns and
/// placeholders, an UPDATE's assignments, and the parameters in that order
/// ([`Flat::params`]). `staged` (import, edit) and `records` (complete) use them.
pub mod sql {
    use super::FLAT_COLUMNS;

    /// `legacy_id, first_name, …` (for an INSERT's column list).
    pub fn columns() -> String {
        FLAT_COLUMNS.join(", ")
    }

    /// `?first, ?first+1, …`: a placeholder per flat column, numbered from `first`.
    pub fn placeholders(first: usize) -> String {
        let values: Vec<String> = (first..first + FLAT_COLUMNS.len()).map(|i| format!("?{i}")).collect();
        values.join(", ")
    }

    /// `legacy_id = ?first, first_name = ?first+1, …` (for an UPDATE's SET).
    pub fn assignments(first: usize) -> String {
        let set: Vec<String> =
            FLAT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ?{}", first + i)).collect();
        set.join(", ")
    }
}

/// An empty text is no value; other kinds always show something.
fn blank(value: &Value) -> bool {
    matches!(value, Value::Text(s) | Value::Decimal(s) if s.is_empty())
}

/// A value as its flat text: borrowed when it is text already.
fn text(value: &Value) -> Cow<'_, str> {
    match value {
        Value::Text(s) | Value::Decimal(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_text()),
    }
}

fn field<'a>(record: &'a Record, name: &str) -> Option<Cow<'a, str>> {
    record.fields.get(name).filter(|v| !blank(v)).map(text)
}

/// The attribute of the best instance of `subcollection`: the first primary
/// one, else the first whose type name comes first in `preferred`, else the
/// first. (Run for every staged row: one pass, and it allocates only the
/// text it returns.)
fn instance_value<'a>(
    record: &'a Record,
    subcollection: &str,
    preferred: &[&str],
    attribute: &str,
) -> Option<Cow<'a, str>> {
    let mut best: Option<((u8, usize), &Value)> = None;
    for i in &record.instances {
        if i.subcollection != subcollection {
            continue;
        }
        let rank = if preferred.is_empty() {
            0
        } else {
            match preferred.iter().position(|t| *t == i.type_name) {
                Some(p) => p,
                None => continue,
            }
        };
        let Some(value) = i.attributes.get(attribute).filter(|v| !blank(v)) else { continue };
        let key = if matches!(i.attributes.get("primary"), Some(Value::Boolean(true))) {
            (0, 0)
        } else {
            (1, rank)
        };
        // Strictly better only: the first of equals stays.
        if best.is_none_or(|(k, _)| key < k) {
            best = Some((key, value));
        }
    }
    best.map(|(_, v)| text(v))
}

impl<'a> Flat<'a> {
    /// Extracts the flat values of `record`.
    pub fn of(kind: RecordKind, record: &'a Record) -> Flat<'a> {
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

    /// The values owned, to outlive the record (the import extracts them
    /// on the worker pool, where the record is freed by the thread that made it).
    pub fn into_owned(self) -> Flat<'static> {
        let own = |v: Option<Cow<'a, str>>| v.map(|c| Cow::Owned(c.into_owned()));
        Flat {
            legacy_id: own(self.legacy_id),
            first_name: own(self.first_name),
            last_name: own(self.last_name),
            birth_date: own(self.birth_date),
            gender: own(self.gender),
            zip: own(self.zip),
            email: own(self.email),
            phone: own(self.phone),
        }
    }

    /// The values in [`FLAT_COLUMNS`] order.
    pub fn values(&self) -> [&Option<Cow<'a, str>>; 8] {
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

    /// The parameters of a statement: `head`, the flat values in
    /// [`FLAT_COLUMNS`] order (numbered as [`sql`] numbers them when
    /// `first` = `head.len() + 1`), then `tail`.
    pub fn params<'p>(
        &'p self,
        head: &'p [&'p dyn ToSql],
        tail: &'p [&'p dyn ToSql],
    ) -> ParamsFromIter<impl Iterator<Item = &'p dyn ToSql>> {
        // An iterator, not a Vec: no allocation per statement (the import
        // binds one per row).
        let values = self.values().into_iter().map(|v| v as &dyn ToSql);
        params_from_iter(head.iter().copied().chain(values).chain(tail.iter().copied()))
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

#[cfg(test)]
mod choice {
    use super::*;
    use ferry_mapper::record::Instance;
    use proptest::prelude::*;

    /// The rule spelled out: candidates in order; the first primary; else
    /// the first of the earliest preferred type; else the first.
    fn reference(record: &Record, sub: &str, preferred: &[&str], attribute: &str) -> Option<String> {
        let candidates: Vec<&Instance> = record
            .instances
            .iter()
            .filter(|i| i.subcollection == sub)
            .filter(|i| i.attributes.get(attribute).is_some_and(|v| !v.to_text().is_empty()))
            .filter(|i| preferred.is_empty() || preferred.contains(&i.type_name.as_str()))
            .collect();
        let primary =
            candidates.iter().find(|i| matches!(i.attributes.get("primary"), Some(Value::Boolean(true))));
        let chosen = primary.copied().or_else(|| {
            preferred
                .iter()
                .find_map(|t| candidates.iter().find(|i| i.type_name == *t).copied())
                .or_else(|| candidates.first().copied())
        });
        chosen.and_then(|i| i.attributes.get(attribute)).map(Value::to_text)
    }

    proptest! {
        #[test]
        fn one_pass_choice_equals_the_rule(
            instances in prop::collection::vec(
                (0..2usize, 0..4usize, prop::option::of(0..3usize), prop::option::of(any::<bool>())),
                0..7,
            ),
            with_preferred in any::<bool>(),
        ) {
            let subs = ["Telcom", "Address"];
            let types = ["Business", "Mobile", "Home", "Fax"];
            let values = ["", "555-1", "555-2"];
            let mut record = Record::default();
            for (n, (s, t, v, primary)) in instances.into_iter().enumerate() {
                let inst = record.instance_mut(subs[s], types[t], n as u32 + 1);
                if let Some(v) = v {
                    inst.attributes.insert("value".into(), Value::Text(values[v].into()));
                }
                if let Some(p) = primary {
                    inst.attributes.insert("primary".into(), Value::Boolean(p));
                }
            }
            let preferred: &[&str] = if with_preferred { &["Business", "Mobile", "Home"] } else { &[] };
            prop_assert_eq!(
                instance_value(&record, "Telcom", preferred, "value").map(Cow::into_owned),
                reference(&record, "Telcom", preferred, "value")
            );
        }
    }
}
