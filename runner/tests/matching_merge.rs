//! Merge semantics: the existing record wins, empty fields fill, lacking
//! subcollection entries are added, `importWins` fields take the import.

use std::collections::BTreeMap;

use ferry_mapper::record::{Instance, Record, Value};
use ferry_runner::matching::merge::merge;

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn record(fields: &[(&str, &str)], instances: Vec<Instance>) -> Record {
    Record { fields: fields.iter().map(|(k, v)| (k.to_string(), text(v))).collect(), instances }
}

fn inst(sub: &str, ty: &str, n: u32, attrs: &[(&str, Value)]) -> Instance {
    let attributes: BTreeMap<String, Value> = attrs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    Instance { subcollection: sub.into(), type_name: ty.into(), instance: n, attributes }
}

#[test]
fn empty_fields_fill_and_differing_values_stay() {
    let existing = record(&[("firstName", "Anna"), ("lastName", "Roy"), ("company", "Acme")], vec![]);
    let staged = record(
        &[("firstName", "ANNA "), ("lastName", "Roy"), ("company", "Globex"), ("jobTitle", "CFO")],
        vec![],
    );
    let (merged, report) = merge(&existing, &staged, &[]);
    assert_eq!(
        merged.fields["firstName"],
        text("Anna"),
        "case-only differences keep the existing value silently"
    );
    assert_eq!(merged.fields["company"], text("Acme"));
    assert_eq!(merged.fields["jobTitle"], text("CFO"));
    assert_eq!(report.filled, vec!["jobTitle".to_string()]);
    assert_eq!(report.kept, vec![("company".to_string(), text("Acme"), text("Globex"))]);
    assert!(report.replaced.is_empty());
    assert!(report.changed());
}

#[test]
fn import_wins_fields_take_the_imported_value() {
    let existing = record(&[("email", "old@example.com"), ("company", "Acme")], vec![]);
    let staged = record(&[("email", "new@example.com"), ("company", "Globex")], vec![]);
    let (merged, report) = merge(&existing, &staged, &["email".to_string()]);
    assert_eq!(merged.fields["email"], text("new@example.com"));
    assert_eq!(merged.fields["company"], text("Acme"));
    assert_eq!(report.replaced, vec!["email".to_string()]);
}

#[test]
fn lacking_entries_are_added_and_the_existing_primary_stays_primary() {
    let home = inst("Address", "Home", 1, &[("zip", text("K1A 0B1")), ("primary", Value::Boolean(true))]);
    let existing = record(&[("lastName", "Roy")], vec![home.clone()]);
    let staged = record(
        &[("lastName", "Roy")],
        vec![
            inst("Address", "Home", 1, &[("zip", text("H2X 1Y4")), ("primary", Value::Boolean(true))]),
            inst("Telcom", "Mobile", 1, &[("value", text("+14165550100"))]),
        ],
    );
    let (merged, report) = merge(&existing, &staged, &[]);
    assert_eq!(merged.instances.len(), 3);
    assert_eq!(merged.instances[0], home);
    let moved = &merged.instances[1];
    assert_eq!((moved.type_name.as_str(), moved.instance), ("Home", 2));
    assert_eq!(moved.attributes["primary"], Value::Boolean(false));
    assert_eq!(report.added, vec![("Address".into(), "Home".into()), ("Telcom".into(), "Mobile".into())]);
}

#[test]
fn the_same_entry_is_completed_not_duplicated() {
    let existing = record(&[], vec![inst("Address", "Home", 1, &[("zip", text("K1A 0B1"))])]);
    let staged =
        record(&[], vec![inst("Address", "Home", 1, &[("zip", text("k1a 0b1 ")), ("city", text("Ottawa"))])]);
    let (merged, report) = merge(&existing, &staged, &[]);
    assert_eq!(merged.instances.len(), 1);
    assert_eq!(merged.instances[0].attributes["city"], text("Ottawa"));
    assert_eq!(merged.instances[0].attributes["zip"], text("K1A 0B1"));
    assert_eq!(report.completed, 1);
}

#[test]
fn merging_an_identical_record_changes_nothing() {
    let r = record(
        &[("firstName", "Li")],
        vec![inst("Telcom", "Email", 1, &[("value", text("li@example.com"))])],
    );
    let (merged, report) = merge(&r, &r, &[]);
    assert_eq!(merged, r);
    assert!(!report.changed());
}
