//! Merging a staged record into the existing record it matches.
//!
//! The existing record wins by default: its empty fields are filled from the
//! staged record, its differing values stay (unless the profile lists the
//! field in `importWins`), and subcollection entries it lacks are added. An
//! entry of the same subcollection and type whose shared attributes agree is
//! the same entry: its missing attributes are filled instead.

use ferry_mapper::record::{Instance, Record, Value};

/// What a merge changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Fields the existing record lacked, now filled.
    pub filled: Vec<String>,
    /// Fields whose existing value the import replaced (`importWins`).
    pub replaced: Vec<String>,
    /// Fields whose differing existing value stayed: (field, kept, offered).
    pub kept: Vec<(String, Value, Value)>,
    /// Subcollection entries added: (subcollection, type name).
    pub added: Vec<(String, String)>,
    /// Subcollection entries that gained attributes.
    pub completed: usize,
}

impl MergeReport {
    /// Whether the merge changed the existing record.
    pub fn changed(&self) -> bool {
        !self.filled.is_empty() || !self.replaced.is_empty() || !self.added.is_empty() || self.completed > 0
    }
}

/// Merges `staged` into `existing`; `import_wins` lists the fields whose
/// imported value replaces a differing existing one.
pub fn merge(existing: &Record, staged: &Record, import_wins: &[String]) -> (Record, MergeReport) {
    let mut out = existing.clone();
    let mut report = MergeReport::default();
    for (name, value) in &staged.fields {
        match out.fields.get(name) {
            None => {
                out.fields.insert(name.clone(), value.clone());
                report.filled.push(name.clone());
            }
            Some(old) if same(old, value) => {}
            Some(old) => {
                if import_wins.iter().any(|f| f == name) {
                    out.fields.insert(name.clone(), value.clone());
                    report.replaced.push(name.clone());
                } else {
                    report.kept.push((name.clone(), old.clone(), value.clone()));
                }
            }
        }
    }
    for inst in &staged.instances {
        let twin = out.instances.iter_mut().find(|e| {
            e.subcollection == inst.subcollection
                && e.type_name == inst.type_name
                && inst
                    .attributes
                    .iter()
                    .filter(|(k, _)| k.as_str() != "primary")
                    .all(|(k, v)| e.attributes.get(k).is_none_or(|ev| same(ev, v)))
        });
        if let Some(twin) = twin {
            let mut grew = false;
            for (k, v) in &inst.attributes {
                if !twin.attributes.contains_key(k) && k != "primary" {
                    twin.attributes.insert(k.clone(), v.clone());
                    grew = true;
                }
            }
            report.completed += usize::from(grew);
            continue;
        }
        let number = out
            .instances
            .iter()
            .filter(|e| e.subcollection == inst.subcollection && e.type_name == inst.type_name)
            .map(|e| e.instance)
            .max()
            .map_or(1, |m| m + 1);
        let mut added = Instance { instance: number, ..inst.clone() };
        // The existing record's primary entry stays primary.
        let has_primary = out.instances.iter().any(|e| {
            e.subcollection == inst.subcollection
                && matches!(e.attributes.get("primary"), Some(Value::Boolean(true)))
        });
        if has_primary && added.attributes.contains_key("primary") {
            added.attributes.insert("primary".into(), Value::Boolean(false));
        }
        report.added.push((added.subcollection.clone(), added.type_name.clone()));
        out.instances.push(added);
    }
    (out, report)
}

/// Values that differ only in case or surrounding spaces are the same.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => x.trim().to_lowercase() == y.trim().to_lowercase(),
        _ => a == b,
    }
}
