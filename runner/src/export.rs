//! Export: the store's contacts or leads as CSV for spreadsheets.
//!
//! Two column sets, "Visible Columns" and "All Columns": [`Columns::Visible`]
//! writes the record id and the fields a list shows (names, birth date,
//! gender, company, e-mail, phone, zip, and for leads market segment and
//! sales concept); [`Columns::All`] writes every plain field of the target,
//! fields the records hold beyond it, the creation and update times, and one
//! column per subcollection attribute for each subcollection instance present
//! (`Address Home Zip Code`, `Telcom Business 2 Communication Value`). Values go through
//! [`crate::csvout::ExcelCsv`], which neutralises formulas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ferry_mapper::progress::Stage;
pub use ferry_mapper::progress::{NoReporter, Reporter};
use ferry_mapper::record::Value;
use ferry_mapper::target::{RecordKind, TargetDefinition};
use serde::Serialize;

use crate::Error;
use crate::csvout::ExcelCsv;
use crate::store::{self, Store};

/// Which columns to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Columns {
    #[default]
    Visible,
    All,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub kind: RecordKind,
    pub out: String,
    pub records: u64,
    pub columns: Vec<String>,
}

const VISIBLE_FIELDS: &[&str] = &[
    "externalId",
    "legacyId",
    "title",
    "firstName",
    "lastName",
    "birthDate",
    "gender",
    "company",
    "jobTitle",
    "position",
    "email",
    "phone",
    "zip",
    "marketSegment",
    "salesConcept",
    "sourceType",
];

enum Col {
    Id,
    Created,
    Updated,
    Field(String),
    Flat(&'static str),
    Attribute { subcollection: String, type_name: String, instance: u32, attribute: String },
}

/// Exports the records of `kind` to `out` (an existing `out` is replaced only with `force`).
pub fn export(
    store: &Store,
    kind: RecordKind,
    columns: Columns,
    out: &Path,
    force: bool,
    reporter: &dyn Reporter,
) -> Result<ExportSummary, Error> {
    let db = store.db();
    let total: u64 =
        db.query_row("SELECT count(*) FROM records WHERE kind = ?1", [kind.as_str()], |r| r.get(0))?;
    reporter.on_stage(Stage::Exporting, Some(total));
    let target = TargetDefinition::bundled(kind.as_str()).expect("bundled targets exist");
    let mut cols: Vec<(String, Col)> = vec![("ID".into(), Col::Id)];
    match columns {
        Columns::Visible => {
            for f in target.plain_fields().filter(|f| VISIBLE_FIELDS.contains(&f.name.as_str())) {
                cols.push((f.label.clone(), Col::Field(f.name.clone())));
            }
            // Contacts keep e-mail, phone and zip in subcollections: show the primary ones.
            for (label, flat) in [("Email", "email"), ("Phone", "phone"), ("Zip", "zip")] {
                if target.field(flat).is_none() {
                    cols.push((label.into(), Col::Flat(flat)));
                }
            }
        }
        Columns::All => {
            for f in target.plain_fields() {
                cols.push((f.label.clone(), Col::Field(f.name.clone())));
            }
            let known: BTreeSet<String> = target.plain_fields().map(|f| f.name.clone()).collect();
            let mut extra = BTreeSet::new();
            let mut st = db
                .prepare("SELECT DISTINCT j.key FROM records, json_each(records.fields) j WHERE kind = ?1")?;
            for name in st.query_map([kind.as_str()], |r| r.get::<_, String>(0))? {
                let name = name?;
                if !known.contains(&name) {
                    extra.insert(name);
                }
            }
            for name in extra {
                cols.push((name.clone(), Col::Field(name)));
            }
            cols.push(("Created".into(), Col::Created));
            cols.push(("Updated".into(), Col::Updated));
            let mut st = db.prepare(
                "SELECT DISTINCT i.subcollection, i.type_name, i.instance, j.key
                     FROM record_instances i JOIN records r ON r.id = i.record_id, json_each(i.attributes) j
                     WHERE r.kind = ?1",
            )?;
            let mut present = Vec::new();
            for row in st.query_map([kind.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, u32>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })? {
                present.push(row?);
            }
            // Target order: subcollection, type name, instance, attribute; unknown ones after, by name.
            let rank = |sub: &str, type_name: &str, attr: &str| {
                let ci = target.categories.iter().position(|c| c.name == sub).unwrap_or(usize::MAX);
                let cat = target.categories.get(ci);
                let ti =
                    cat.and_then(|c| c.type_names.iter().position(|t| t == type_name)).unwrap_or(usize::MAX);
                let ai = cat.and_then(|c| c.fields.iter().position(|f| f.name == attr)).unwrap_or(usize::MAX);
                (ci, ti, ai)
            };
            present.sort_by(|a, b| {
                let (ra, rb) = (rank(&a.0, &a.1, &a.3), rank(&b.0, &b.1, &b.3));
                (ra.0, &a.0, ra.1, &a.1, a.2, ra.2, &a.3).cmp(&(rb.0, &b.0, rb.1, &b.1, b.2, rb.2, &b.3))
            });
            for (subcollection, type_name, instance, attribute) in present {
                let label_attr = target
                    .attribute(&subcollection, &attribute)
                    .map(|f| f.label.clone())
                    .unwrap_or_else(|| attribute.clone());
                let label = if instance == 1 {
                    format!("{subcollection} {type_name} {label_attr}")
                } else {
                    format!("{subcollection} {type_name} {instance} {label_attr}")
                };
                cols.push((label, Col::Attribute { subcollection, type_name, instance, attribute }));
            }
        }
    }

    let mut csv = ExcelCsv::create(out, force)?;
    let header: Vec<String> = cols.iter().map(|(l, _)| l.clone()).collect();
    csv.row(&header)?;
    let mut st = db
        .prepare(
            "SELECT id, fields, created_at, updated_at, email, phone, zip FROM records WHERE kind = ?1 ORDER BY id",
        )?;
    let mut rows = st.query([kind.as_str()])?;
    let needs_instances = cols.iter().any(|(_, c)| matches!(c, Col::Attribute { .. }));
    let mut count: u64 = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let fields: String = r.get(1)?;
        let fields: BTreeMap<String, Value> = serde_json::from_str(&fields)
            .map_err(|e| Error::unreadable(db.path(), format!("record {id}"), e))?;
        let record = if needs_instances { store::load_record(db, id)? } else { None };
        let mut line = Vec::with_capacity(cols.len());
        for (_, col) in &cols {
            let text = match col {
                Col::Id => id.to_string(),
                Col::Created => r.get(2)?,
                Col::Updated => r.get(3)?,
                Col::Field(name) => fields.get(name).map(Value::to_text).unwrap_or_default(),
                Col::Flat(name) => {
                    let i = match *name {
                        "email" => 4,
                        "phone" => 5,
                        _ => 6,
                    };
                    r.get::<_, Option<String>>(i)?.unwrap_or_default()
                }
                Col::Attribute { subcollection, type_name, instance, attribute } => record
                    .as_ref()
                    .and_then(|rec| {
                        rec.instances.iter().find(|i| {
                            i.subcollection == *subcollection
                                && i.type_name == *type_name
                                && i.instance == *instance
                        })
                    })
                    .and_then(|i| i.attributes.get(attribute))
                    .map(Value::to_text)
                    .unwrap_or_default(),
            };
            line.push(text);
        }
        csv.row(&line)?;
        count += 1;
        if count.is_multiple_of(1024) {
            reporter.on_progress(count);
        }
    }
    reporter.on_progress(count);
    csv.finish()?;
    Ok(ExportSummary { kind, out: out.display().to_string(), records: count, columns: header })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_mapper::record::Record;

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn exports_visible_and_all_columns_with_formulas_neutralised() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("ferry.db")).unwrap();
        let mut r = Record::default();
        r.fields.insert("externalId".into(), text("C1"));
        r.fields.insert("firstName".into(), text("=HYPERLINK(\"x\")"));
        r.fields.insert("lastName".into(), text("Smith"));
        r.fields.insert("birthDate".into(), Value::Date("1980-05-06".parse().unwrap()));
        r.instance_mut("Telcom", "Business", 1).attributes.insert("value".into(), text("+1 416 555 0100"));
        r.instance_mut("Address", "Home", 1).attributes.insert("zip".into(), text("M5V"));
        store::insert_record(store.db(), RecordKind::Contacts, &r, None, None).unwrap();
        let mut lead = Record::default();
        lead.fields.insert("lastName".into(), text("Lead"));
        store::insert_record(store.db(), RecordKind::Leads, &lead, None, None).unwrap();

        let out = dir.path().join("visible.csv");
        let summary =
            export(&store, RecordKind::Contacts, Columns::Visible, &out, false, &NoReporter).unwrap();
        assert_eq!(summary.records, 1);
        let text = std::fs::read_to_string(&out).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
        let header = lines.next().unwrap();
        assert!(header.starts_with("\"ID\",\"External ID\""), "{header}");
        assert!(header.ends_with("\"Email\",\"Phone\",\"Zip\""), "{header}");
        let row = lines.next().unwrap();
        assert!(row.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{row}");
        assert!(row.contains("\"1980-05-06\""), "{row}");
        assert!(row.contains("\"+1 416 555 0100\""), "a phone is no formula: {row}");
        assert!(row.contains("\"M5V\""), "{row}");

        let all = dir.path().join("all.csv");
        let summary = export(&store, RecordKind::Contacts, Columns::All, &all, false, &NoReporter).unwrap();
        assert!(summary.columns.contains(&"Address Home Zip Code".to_string()), "{:?}", summary.columns);
        assert!(
            summary.columns.contains(&"Telcom Business Communication Value".to_string()),
            "{:?}",
            summary.columns
        );
        assert!(summary.columns.contains(&"Notes".to_string()));

        let leads = dir.path().join("leads.csv");
        assert_eq!(
            export(&store, RecordKind::Leads, Columns::Visible, &leads, false, &NoReporter).unwrap().records,
            1
        );
    }
}
