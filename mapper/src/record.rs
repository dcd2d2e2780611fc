//! Converted records: what a row becomes after its mapping is applied.
//!
//! A [`Record`] holds plain field values and subcollection [`Instance`]s. It is
//! what `check` validates, what the packager's reader hands the runner (after
//! the runner converts package rows with [`crate::convert`]), and what the
//! store keeps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A typed value of a target field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Text(String),
    Integer(i64),
    /// A decimal in canonical text form (`-12.5`), kept exact.
    Decimal(String),
    Boolean(bool),
    Date(jiff::civil::Date),
    /// A point in time, in UTC.
    Timestamp(jiff::Timestamp),
}

impl Value {
    /// The value as text, in the form written to package CSVs and exports:
    /// dates `YYYY-MM-DD`, timestamps RFC 3339 in UTC, booleans `true`/`false`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Text(s) | Value::Decimal(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Boolean(b) => b.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Timestamp(t) => t.to_string(),
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// One instance of a subcollection (one Business address, one Home phone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Instance {
    pub subcollection: String,
    pub type_name: String,
    /// Distinguishes two instances of the same subcollection and type name (1-based).
    pub instance: u32,
    pub attributes: BTreeMap<String, Value>,
}

/// A converted record: plain fields and subcollection instances.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub fields: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<Instance>,
}

impl Record {
    /// The instance with this subcollection, type name and number, created if absent.
    pub fn instance_mut(&mut self, subcollection: &str, type_name: &str, instance: u32) -> &mut Instance {
        let pos = self.instances.iter().position(|i| {
            i.subcollection == subcollection && i.type_name == type_name && i.instance == instance
        });
        match pos {
            Some(p) => &mut self.instances[p],
            None => {
                self.instances.push(Instance {
                    subcollection: subcollection.to_string(),
                    type_name: type_name.to_string(),
                    instance,
                    attributes: BTreeMap::new(),
                });
                self.instances.last_mut().expect("just pushed")
            }
        }
    }

    /// Adds the instances of `child` (a child file's row) to this record.
    pub fn absorb(&mut self, child: Record) {
        for (k, v) in child.fields {
            self.fields.entry(k).or_insert(v);
        }
        for inst in child.instances {
            // A child row's instances are new instances of the parent: renumber after existing ones.
            let next = self
                .instances
                .iter()
                .filter(|i| i.subcollection == inst.subcollection && i.type_name == inst.type_name)
                .map(|i| i.instance)
                .max()
                .map_or(inst.instance, |m| m + 1);
            self.instances.push(Instance { instance: next, ..inst });
        }
    }
}
