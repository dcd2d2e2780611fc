//! Record-level rules: required fields and one-of groups, checked once a
//! record is assembled from its file and its child files.

use std::collections::BTreeSet;

use super::value::list_values;
use crate::problem::{Problem, ProblemKind, Severity};
use crate::record::Record;
use crate::target::TargetDefinition;

/// A broken record-level rule.
pub(super) struct Violation {
    kind: ProblemKind,
    /// The fields the rule is about.
    pub(super) fields: Vec<String>,
    message: String,
}

impl Violation {
    pub(super) fn into_problem(self, file: &str, line: u64, column: Option<&str>) -> Problem {
        Problem {
            severity: Severity::Error,
            kind: self.kind,
            file: file.to_string(),
            line: Some(line),
            column: column.map(str::to_string),
            value: None,
            message: self.message,
        }
    }
}

pub(super) fn label_of<'t>(target: &'t TargetDefinition, name: &'t str) -> &'t str {
    target.field(name).map_or(name, |f| f.label.as_str())
}

pub(super) fn violations(target: &TargetDefinition, record: &Record) -> Vec<Violation> {
    let mut out = Vec::new();
    for f in target.plain_fields().filter(|f| f.required) {
        if !record.fields.contains_key(&f.name) {
            out.push(Violation {
                kind: ProblemKind::RequiredMissing,
                fields: vec![f.name.clone()],
                message: format!("required field `{}` is empty", f.label),
            });
        }
    }
    for group in &target.require_one_of {
        if !group.iter().any(|name| record.fields.contains_key(name)) {
            let labels: Vec<&str> = group.iter().map(|n| label_of(target, n)).collect();
            out.push(Violation {
                kind: ProblemKind::RequiredOneOfMissing,
                fields: group.clone(),
                message: format!("one of {} must hold a value", list_values(labels.into_iter())),
            });
        }
    }
    out
}

/// The plain fields the record-level rules look at (required fields and one-of groups).
pub fn rule_fields(target: &TargetDefinition) -> BTreeSet<String> {
    let mut out: BTreeSet<String> =
        target.plain_fields().filter(|f| f.required).map(|f| f.name.clone()).collect();
    out.extend(target.require_one_of.iter().flatten().cloned());
    out
}

/// Record-level rules: required fields and one-of groups. `file` and `line`
/// locate the record's main row.
pub fn validate_record(target: &TargetDefinition, record: &Record, file: &str, line: u64) -> Vec<Problem> {
    violations(target, record).into_iter().map(|v| v.into_problem(file, line, None)).collect()
}

impl super::FileConverter {
    /// [`validate_record`], with each problem placed at the column that maps
    /// the field when this file maps it.
    pub fn validate(&self, target: &TargetDefinition, record: &Record, line: u64) -> Vec<Problem> {
        violations(target, record)
            .into_iter()
            .map(|v| {
                let column = match &v.fields[..] {
                    [one] => self.column_of(one),
                    _ => None,
                };
                v.into_problem(&self.file, line, column)
            })
            .collect()
    }
}
