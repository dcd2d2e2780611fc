//! The compact JSON form of a staged [`Record`] (`staged.record`).
//!
//! A staged record is written once per imported row, so its size is most of
//! the store's size and of the time an import spends writing. The compact
//! form drops the per-value `{"type":…,"value":…}` wrapper of [`Value`]'s
//! own JSON and the instance keys, and stays JSON so `sqlite3` shows it:
//!
//! ```json
//! {"f":{"birthDate":{"d":"1950-01-01"},"firstName":"Ann","score":7,"vip":true},
//!  "i":[["Telcom","Email",1,{"value":"ann@example.com"}]]}
//! ```
//!
//! - `f`: the fields; `i`: the instances as `[subcollection, type name,
//!   instance number, attributes]` (left out when there are none);
//! - a text value is a JSON string, an integer a JSON number, a boolean a
//!   JSON boolean; a decimal is `{"n":"12.50"}`, a date `{"d":"YYYY-MM-DD"}`,
//!   a timestamp `{"t":"…Z"}` (RFC 3339, UTC).
//!
//! [`decode`] also reads the long form (`{"fields":…,"instances":…}` with
//! `{"type":…,"value":…}` values), which stores written before the compact
//! form hold.

use std::collections::BTreeMap;
use std::fmt;

use ferry_mapper::record::{Instance, Record, Value};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// The compact JSON of `record`.
pub fn encode(record: &Record) -> String {
    // Room for a typical record, so the buffer does not grow (and copy) per row.
    let mut buf = Vec::with_capacity(512);
    serde_json::to_writer(&mut buf, &CompactRecord(record)).expect("records serialize");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// A record from its stored JSON, compact or long form.
pub fn decode(json: &str) -> Result<Record, serde_json::Error> {
    serde_json::from_str::<StoredRecord>(json).map(|r| r.0)
}

struct CompactRecord<'a>(&'a Record);
struct CompactFields<'a>(&'a BTreeMap<String, Value>);
struct CompactValue<'a>(&'a Value);
struct CompactInstances<'a>(&'a [Instance]);
struct CompactInstance<'a>(&'a Instance);

impl Serialize for CompactRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let with_instances = !self.0.instances.is_empty();
        let mut map = s.serialize_map(Some(1 + usize::from(with_instances)))?;
        map.serialize_entry("f", &CompactFields(&self.0.fields))?;
        if with_instances {
            map.serialize_entry("i", &CompactInstances(&self.0.instances))?;
        }
        map.end()
    }
}

impl Serialize for CompactFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &CompactValue(value))?;
        }
        map.end()
    }
}

impl Serialize for CompactValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Text(t) => s.serialize_str(t),
            Value::Integer(i) => s.serialize_i64(*i),
            Value::Boolean(b) => s.serialize_bool(*b),
            Value::Decimal(d) => tagged(s, "n", d),
            Value::Date(d) => tagged(s, "d", d),
            Value::Timestamp(t) => tagged(s, "t", t),
        }
    }
}

fn tagged<S: Serializer, T: fmt::Display>(s: S, tag: &str, value: T) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(1))?;
    map.serialize_entry(tag, &Displayed(value))?;
    map.end()
}

/// A value written as the string its `Display` gives, straight into the
/// output (no `String` per date or decimal).
struct Displayed<T>(T);

impl<T: fmt::Display> Serialize for Displayed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl Serialize for CompactInstances<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for inst in self.0 {
            seq.serialize_element(&CompactInstance(inst))?;
        }
        seq.end()
    }
}

impl Serialize for CompactInstance<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let i = self.0;
        let mut seq = s.serialize_seq(Some(4))?;
        seq.serialize_element(&i.subcollection)?;
        seq.serialize_element(&i.type_name)?;
        seq.serialize_element(&i.instance)?;
        seq.serialize_element(&CompactFields(&i.attributes))?;
        seq.end()
    }
}

struct StoredRecord(Record);
struct StoredValue(Value);
struct StoredInstance(Instance);
struct StoredFields(BTreeMap<String, Value>);

/// An object key of the stored forms, read without allocating (records are
/// decoded by the million in `match` and `complete`).
#[derive(PartialEq, Eq)]
enum Key {
    F,
    I,
    N,
    D,
    T,
    Type,
    Value,
    Subcollection,
    TypeName,
    Instance,
    Attributes,
    Other(String),
}

impl Key {
    fn name(&self) -> &str {
        match self {
            Key::F => "f",
            Key::I => "i",
            Key::N => "n",
            Key::D => "d",
            Key::T => "t",
            Key::Type => "type",
            Key::Value => "value",
            Key::Subcollection => "subcollection",
            Key::TypeName => "typeName",
            Key::Instance => "instance",
            Key::Attributes => "attributes",
            Key::Other(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "f" | "fields" => Key::F,
                    "i" | "instances" => Key::I,
                    "n" => Key::N,
                    "d" => Key::D,
                    "t" => Key::T,
                    "type" => Key::Type,
                    "value" => Key::Value,
                    "subcollection" => Key::Subcollection,
                    "typeName" => Key::TypeName,
                    "instance" => Key::Instance,
                    "attributes" => Key::Attributes,
                    other => Key::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

/// A value parsed from a JSON string without keeping the string.
struct Parsed<T>(T);

impl<'de, T: std::str::FromStr<Err: fmt::Display>> Deserialize<'de> for Parsed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: std::str::FromStr<Err: fmt::Display>> Visitor<'de> for V<T> {
            type Value = Parsed<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Parsed<T>, E> {
                parse(s).map(Parsed)
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for StoredRecord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredRecord;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredRecord, A::Error> {
                let mut record = Record::default();
                let mut seen_fields = false;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::F => {
                            record.fields = map.next_value::<StoredFields>()?.0;
                            seen_fields = true;
                        }
                        Key::I => {
                            record.instances =
                                map.next_value::<Vec<StoredInstance>>()?.into_iter().map(|i| i.0).collect();
                        }
                        other => return Err(de::Error::unknown_field(other.name(), &["f", "i"])),
                    }
                }
                if !seen_fields {
                    return Err(de::Error::missing_field("f"));
                }
                Ok(StoredRecord(record))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for StoredFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredFields, A::Error> {
                let mut fields = BTreeMap::new();
                while let Some((name, value)) = map.next_entry::<String, StoredValue>()? {
                    fields.insert(name, value.0);
                }
                Ok(StoredFields(fields))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for StoredValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value (string, number, boolean, or {\"d\"|\"t\"|\"n\": text})")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::Text(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::Text(s)))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::Integer(i)))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<StoredValue, E> {
                i64::try_from(u)
                    .map(|i| StoredValue(Value::Integer(i)))
                    .map_err(|_| E::custom(format!("integer {u} is out of range")))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<StoredValue, E> {
                Ok(StoredValue(Value::Boolean(b)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredValue, A::Error> {
                let Some(tag) = map.next_key::<Key>()? else {
                    return Err(de::Error::custom("an empty object is not a value"));
                };
                let value = match tag {
                    Key::N => Value::Decimal(map.next_value()?),
                    Key::D => Value::Date(map.next_value::<Parsed<_>>()?.0),
                    Key::T => Value::Timestamp(map.next_value::<Parsed<_>>()?.0),
                    Key::Type => {
                        // The long form: {"type": "...", "value": ...}.
                        let kind: Key =
                            map.next_value::<Key>().map_err(|_| de::Error::custom("a type name"))?;
                        match map.next_key::<Key>()? {
                            Some(Key::Value) => {}
                            _ => return Err(de::Error::missing_field("value")),
                        }
                        match kind.name() {
                            "text" => Value::Text(map.next_value()?),
                            "integer" => Value::Integer(map.next_value()?),
                            "decimal" => Value::Decimal(map.next_value()?),
                            "boolean" => Value::Boolean(map.next_value()?),
                            "date" => Value::Date(map.next_value()?),
                            "timestamp" => Value::Timestamp(map.next_value()?),
                            other => {
                                return Err(de::Error::unknown_variant(
                                    other,
                                    &["text", "integer", "decimal", "boolean", "date", "timestamp"],
                                ));
                            }
                        }
                    }
                    other => return Err(de::Error::unknown_field(other.name(), &["n", "d", "t"])),
                };
                if map.next_key::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("a value object has one key"));
                }
                Ok(StoredValue(value))
            }
        }
        d.deserialize_any(V)
    }
}

fn parse<T: std::str::FromStr<Err: fmt::Display>, E: de::Error>(s: &str) -> Result<T, E> {
    s.parse().map_err(|e| E::custom(format!("`{s}`: {e}")))
}

impl<'de> Deserialize<'de> for StoredInstance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredInstance;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an instance: [subcollection, type name, number, attributes]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredInstance, A::Error> {
                let missing = |i| de::Error::invalid_length(i, &"4 elements");
                let subcollection = seq.next_element()?.ok_or_else(|| missing(0))?;
                let type_name = seq.next_element()?.ok_or_else(|| missing(1))?;
                let instance = seq.next_element()?.ok_or_else(|| missing(2))?;
                let attributes = seq.next_element::<StoredFields>()?.ok_or_else(|| missing(3))?.0;
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(5, &"4 elements"));
                }
                Ok(StoredInstance(Instance { subcollection, type_name, instance, attributes }))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredInstance, A::Error> {
                // The long form, as `Instance` serializes itself.
                let (mut sub, mut type_name, mut number, mut attributes) = (None, None, None, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Subcollection => sub = Some(map.next_value()?),
                        Key::TypeName => type_name = Some(map.next_value()?),
                        Key::Instance => number = Some(map.next_value()?),
                        Key::Attributes => attributes = Some(map.next_value::<StoredFields>()?.0),
                        other => {
                            return Err(de::Error::unknown_field(
                                other.name(),
                                &["subcollection", "typeName", "instance", "attributes"],
                            ));
                        }
                    }
                }
                Ok(StoredInstance(Instance {
                    subcollection: sub.ok_or_else(|| de::Error::missing_field("subcollection"))?,
                    type_name: type_name.ok_or_else(|| de::Error::missing_field("typeName"))?,
                    instance: number.ok_or_else(|| de::Error::missing_field("instance"))?,
                    attributes: attributes.unwrap_or_default(),
                }))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Record {
        let mut r = Record::default();
        r.fields.insert("firstName".into(), Value::Text("Ann \"Q\" ☃".into()));
        r.fields.insert("birthDate".into(), Value::Date(jiff::civil::date(1950, 1, 31)));
        r.fields.insert("score".into(), Value::Integer(-7));
        r.fields.insert("vip".into(), Value::Boolean(true));
        r.fields.insert("balance".into(), Value::Decimal("12.50".into()));
        r.fields.insert("seen".into(), Value::Timestamp("2024-03-01T12:00:00Z".parse().unwrap()));
        let home = r.instance_mut("Address", "Home", 1);
        home.attributes.insert("city".into(), Value::Text("Toronto".into()));
        home.attributes.insert("primary".into(), Value::Boolean(false));
        r.instance_mut("Telcom", "Email", 2).attributes.insert("value".into(), Value::Text("a@b.c".into()));
        r
    }

    #[test]
    fn the_compact_form_is_the_documented_one() {
        let mut r = Record::default();
        r.fields.insert("firstName".into(), Value::Text("Ann".into()));
        r.fields.insert("birthDate".into(), Value::Date(jiff::civil::date(1950, 1, 1)));
        r.instance_mut("Telcom", "Email", 1).attributes.insert("value".into(), Value::Text("a@b.c".into()));
        assert_eq!(
            encode(&r),
            r#"{"f":{"birthDate":{"d":"1950-01-01"},"firstName":"Ann"},"i":[["Telcom","Email",1,{"value":"a@b.c"}]]}"#
        );
        assert_eq!(encode(&Record::default()), r#"{"f":{}}"#);
    }

    #[test]
    fn compact_and_long_forms_both_decode() {
        let r = sample();
        assert_eq!(decode(&encode(&r)).unwrap(), r);
        let long = serde_json::to_string(&r).unwrap();
        assert!(long.contains(r#""type":"text""#), "{long}");
        assert_eq!(decode(&long).unwrap(), r);
        assert!(encode(&r).len() * 2 < long.len(), "{} vs {}", encode(&r), long);
    }

    #[test]
    fn damaged_json_is_an_error_not_a_guess() {
        for bad in [
            r#"{"i":[]}"#,
            r#"{"f":{"a":{"x":"1"}}}"#,
            r#"{"f":{"a":{"d":"1950-13-01"}}}"#,
            r#"{"f":{"a":{}}}"#,
            r#"{"f":{"a":{"d":"1950-01-01","t":"x"}}}"#,
            r#"{"f":{},"i":[["Telcom","Email"]]}"#,
            r#"{"f":{"a":{"type":"colour","value":"red"}}}"#,
            r#"{"f":{"a":null}}"#,
            r#"{"f":{"a":1.5}}"#,
            r#"{"f":{},"x":1}"#,
        ] {
            assert!(decode(bad).is_err(), "{bad} decoded");
        }
    }

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            ".{0,12}".prop_map(Value::Text),
            any::<i64>().prop_map(Value::Integer),
            "-?[0-9]{1,6}\\.[0-9]{1,3}".prop_map(Value::Decimal),
            any::<bool>().prop_map(Value::Boolean),
            (1i16..9999, 1i8..13, 1i8..29).prop_map(|(y, m, d)| Value::Date(jiff::civil::date(y, m, d))),
            (0i64..4_000_000_000).prop_map(|s| Value::Timestamp(jiff::Timestamp::from_second(s).unwrap())),
        ]
    }

    proptest! {
        #[test]
        fn round_trip(
            fields in prop::collection::btree_map("[a-zA-Z]{1,8}", value(), 0..6),
            instances in prop::collection::vec(
                ("[A-Z][a-z]{0,6}", "[A-Z][a-z]{0,6}", 1u32..4,
                 prop::collection::btree_map("[a-z]{1,6}", value(), 0..4)),
                0..4,
            ),
        ) {
            let record = Record {
                fields,
                instances: instances
                    .into_iter()
                    .map(|(subcollection, type_name, instance, attributes)| Instance {
                        subcollection, type_name, instance, attributes,
                    })
                    .collect(),
            };
            prop_assert_eq!(&decode(&encode(&record)).unwrap(), &record);
            prop_assert_eq!(&decode(&serde_json::to_string(&record).unwrap()).unwrap(), &record);
        }
    }
}
