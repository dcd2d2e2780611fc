//! Where a job's leads came from: the import dialog's source type, source
//! and owner (`--source-type`, `--source`, `--owner`).
//!
//! Rules:
//! - they are for lead jobs; a contacts job given any of them is refused;
//! - each must be a field of the job's target (`sourceType`, `source`,
//!   `owner`); the source type is one of the target's values, matched without
//!   regard to case and stored in the target's spelling (with
//!   `create_missing`, an unknown one is kept and added to the values, as an
//!   unknown enumeration value of a row is); a value must fit the field's
//!   `maxLength`;
//! - when the store has workspace users (`ferry users`), the owner is one of
//!   them: the owner is "the user assigned to the leads"; a store without
//!   users takes any name;
//! - they are stored on the job and on every lead of it, before the lead is
//!   validated (so a target that requires a source type is satisfied by
//!   `--source-type`); a lead whose own columns hold a value keeps it.

use std::collections::{BTreeSet, HashMap};

use ferry_mapper::record::{Record, Value};
use ferry_mapper::target::{FieldType, RecordKind, TargetDefinition};

use crate::{Db, Error};

/// The checked source type, source and owner of a job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Provenance {
    pub source_type: Option<String>,
    pub source: Option<String>,
    pub owner: Option<String>,
}

impl Provenance {
    /// Checks the values given for a job of `kind` mapped onto `target`
    /// (see the module docs); `added` holds the values `--create-missing`
    /// added to the target's fields before.
    pub(super) fn check(
        db: Db<'_>,
        kind: RecordKind,
        target: &TargetDefinition,
        added: &HashMap<String, BTreeSet<String>>,
        given: [Option<&str>; 3],
        create_missing: bool,
    ) -> Result<Provenance, Error> {
        let [source_type, source, owner] = given.map(|v| v.map(str::trim).filter(|v| !v.is_empty()));
        if source_type.is_none() && source.is_none() && owner.is_none() {
            return Ok(Provenance::default());
        }
        if kind != RecordKind::Leads {
            return Err(Error::ProvenanceOnLeads { kind });
        }
        let bad = |option: &str, message: String| Error::BadOption { option: option.to_string(), message };
        let field = |name: &str, option: &str, value: &str| {
            let Some(f) = target.field(name) else {
                return Err(bad(
                    option,
                    format!(
                        "the target `{}` has no `{name}` field to hold `{value}` \
                         (the bundled `leads` and `leads-ilm` targets have one)",
                        target.name
                    ),
                ));
            };
            if let Some(max) = f.max_length
                && value.chars().count() > max
            {
                return Err(bad(
                    option,
                    format!("`{value}` is longer than the {max} characters `{name}` holds; shorten it"),
                ));
            }
            Ok(f)
        };
        let source_type = match source_type {
            None => None,
            Some(value) => {
                let f = field("sourceType", "--source-type", value)?;
                if f.field_type != FieldType::Enum {
                    Some(value.to_string())
                } else {
                    let extra = added.get("sourceType").into_iter().flatten();
                    let known: Vec<&String> = f.values.iter().chain(extra).collect();
                    match known.iter().find(|v| v.eq_ignore_ascii_case(value)) {
                        Some(v) => Some(v.to_string()),
                        None if create_missing => Some(value.to_string()),
                        None => {
                            let list: Vec<String> = known.iter().map(|v| format!("`{v}`")).collect();
                            return Err(bad(
                                "--source-type",
                                format!(
                                    "`{value}` is not a source type of the target `{}`; \
                                     give one of {} (or add it with `--create-missing`)",
                                    target.name,
                                    list.join(", ")
                                ),
                            ));
                        }
                    }
                }
            }
        };
        if let Some(value) = source {
            field("source", "--source", value)?;
        }
        if let Some(value) = owner {
            field("owner", "--owner", value)?;
            let users: Vec<String> =
                db.query_vec("SELECT name FROM users ORDER BY name", [], |r| r.get(0))?;
            if !users.is_empty() && !users.iter().any(|u| u == value) {
                return Err(bad(
                    "--owner",
                    format!(
                        "`{value}` is not a user of this store (users: {}); \
                         give one of them, or add the user first (`ferry users add {value}`)",
                        users.join(", ")
                    ),
                ));
            }
        }
        Ok(Provenance { source_type, source: source.map(str::to_string), owner: owner.map(str::to_string) })
    }

    /// Stores the values on `record`, where it holds none of its own.
    pub(super) fn apply(&self, record: &mut Record) {
        for (name, value) in
            [("sourceType", &self.source_type), ("source", &self.source), ("owner", &self.owner)]
        {
            let Some(value) = value else { continue };
            let empty = match record.fields.get(name) {
                None => true,
                Some(Value::Text(t)) => t.trim().is_empty(),
                Some(_) => false,
            };
            if empty {
                record.fields.insert(name.to_string(), Value::Text(value.clone()));
            }
        }
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.source_type.is_none() && self.source.is_none() && self.owner.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("ferry.db")).unwrap();
        (dir, store)
    }

    fn check(
        store: &crate::store::Store,
        kind: RecordKind,
        given: [Option<&str>; 3],
    ) -> Result<Provenance, Error> {
        let target = TargetDefinition::bundled("leads").unwrap();
        Provenance::check(store.db(), kind, &target, &HashMap::new(), given, false)
    }

    #[test]
    fn source_types_take_the_targets_spelling_and_unknown_ones_are_refused() {
        let (_dir, store) = store();
        let p = check(&store, RecordKind::Leads, [Some(" vendor list "), Some("Expo"), Some("ann")]).unwrap();
        assert_eq!(p.source_type.as_deref(), Some("Vendor List"));
        assert_eq!((p.source.as_deref(), p.owner.as_deref()), (Some("Expo"), Some("ann")));
        let err = check(&store, RecordKind::Leads, [Some("Billboard"), None, None]).unwrap_err().to_string();
        assert!(err.contains("`Billboard` is not a source type") && err.contains("`Conference`"), "{err}");
        let err = check(&store, RecordKind::Contacts, [None, Some("Expo"), None]).unwrap_err().to_string();
        assert!(err.contains("this job imports contacts"), "{err}");
        assert!(check(&store, RecordKind::Contacts, [None, Some("  "), None]).unwrap().is_empty());
    }

    #[test]
    fn a_record_keeps_its_own_values() {
        let p =
            Provenance { source_type: Some("Conference".into()), source: Some("Expo".into()), owner: None };
        let mut r = Record::default();
        r.fields.insert("source".into(), Value::Text("Web".into()));
        p.apply(&mut r);
        assert_eq!(r.fields.get("sourceType"), Some(&Value::Text("Conference".into())));
        assert_eq!(r.fields.get("source"), Some(&Value::Text("Web".into())));
        assert!(!r.fields.contains_key("owner"));
    }
}
