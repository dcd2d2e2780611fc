//! `diff`: what changed between two mapping templates.
//!
//! Both templates are first [`normalise`]d (files sorted by name, mappings by
//! column then target, defaults written out, encoding labels canonical) so
//! that order and spelling do not count as changes. [`diff`] then pairs the
//! files by name and, within a file, the mappings by column (or by column and
//! target when a column feeds several targets), and says per pair what
//! changed: the target, the converter (format, time zone, each table entry),
//! the null value; per file its settings (category, parent link, id column,
//! null default). [`unified`] renders the normalised JSON of both as a
//! unified text diff, for those who prefer to read JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::template::{Converter, FieldMapping, FileMapping, MappingTemplate, TextConverter};

/// What happened to a file or mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

/// One setting that differs; `None` means unset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed (`category`, `format`, `table `Y``).
    pub what: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// A mapping added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingDiff {
    pub status: Status,
    pub column: String,
    /// The target (`firstName`, `Telcom[Business].value`); the new one when it changed.
    pub target: String,
    /// The converter, described (`date %d/%m/%Y`).
    pub converter: String,
    /// For changed mappings: what changed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// A file added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    pub name: String,
    pub status: Status,
    /// File-level settings that changed (for added and removed files: all that are set).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Change>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<MappingDiff>,
}

/// Everything that differs between two templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateDiff {
    /// Template-level settings (target, encoding, format version).
    pub settings: Vec<Change>,
    pub files: Vec<FileDiff>,
}

impl TemplateDiff {
    /// True when the two templates mean the same.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty() && self.files.is_empty()
    }
}

/// An encoding label in its canonical spelling (`utf8` → `UTF-8`).
fn canonical_encoding(label: &str) -> String {
    crate::read::encoding_for_label(label).map_or_else(|| label.to_string(), |e| e.name().to_string())
}

/// The template in a canonical form: files by name, mappings by column then
/// target, instance numbers and encoding written out, no `$schema`.
pub fn normalise(template: &MappingTemplate) -> MappingTemplate {
    let mut t = template.clone();
    t.schema = None;
    t.encoding = canonical_encoding(&t.encoding);
    t.files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in &mut t.files {
        for m in &mut f.mappings {
            m.instance = m.subcollection.as_ref().map(|_| m.instance_number());
            if m.null_value.as_deref() == Some("") {
                m.null_value = None;
            }
        }
        if f.null_default.as_deref() == Some("") {
            f.null_default = None;
        }
        f.mappings.sort_by(|a, b| (&a.column, a.target_label()).cmp(&(&b.column, b.target_label())));
    }
    t
}

/// A converter in a few words.
pub fn describe(converter: &Converter) -> String {
    match converter {
        Converter::Text { text: TextConverter::None } => "text".to_string(),
        Converter::Text { text: TextConverter::Rtf2plain } => "text rtf2plain".to_string(),
        Converter::Integer => "integer".to_string(),
        Converter::Decimal { comma: false } => "decimal".to_string(),
        Converter::Decimal { comma: true } => "decimal (decimal comma)".to_string(),
        Converter::Date { formats } => format!("date {}", formats.join(", then ")),
        Converter::Timestamp { formats, time_zone } => {
            format!("timestamp {} in {time_zone}", formats.join(", then "))
        }
        Converter::Boolean { table } => format!("boolean ({} values)", table.len()),
        Converter::Enumeration { table } => format!("enumeration ({} values)", table.len()),
        Converter::Phone { country: Some(c) } => format!("phone {c}"),
        Converter::Phone { country: None } => "phone".to_string(),
        Converter::Email => "email".to_string(),
        Converter::Name { part } => format!("name ({})", part.as_str()),
    }
}

fn change(what: impl Into<String>, old: Option<String>, new: Option<String>) -> Option<Change> {
    (old != new).then(|| Change { what: what.into(), old, new })
}

/// Per-entry changes of two tables.
fn table_changes<V: PartialEq>(
    old: &BTreeMap<String, V>,
    new: &BTreeMap<String, V>,
    show: impl Fn(&V) -> String,
) -> Vec<Change> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter_map(|k| change(format!("table `{k}`"), old.get(k).map(&show), new.get(k).map(&show)))
        .collect()
}

fn converter_changes(old: &Converter, new: &Converter) -> Vec<Change> {
    match (old, new) {
        (Converter::Text { text: a }, Converter::Text { text: b }) => {
            let name = |t: &TextConverter| match t {
                TextConverter::None => "none".to_string(),
                TextConverter::Rtf2plain => "rtf2plain".to_string(),
            };
            change("text converter", Some(name(a)), Some(name(b))).into_iter().collect()
        }
        (Converter::Date { formats: a }, Converter::Date { formats: b }) => {
            change("format", Some(a.join(", then ")), Some(b.join(", then "))).into_iter().collect()
        }
        (
            Converter::Timestamp { formats: fa, time_zone: za },
            Converter::Timestamp { formats: fb, time_zone: zb },
        ) => change("format", Some(fa.join(", then ")), Some(fb.join(", then ")))
            .into_iter()
            .chain(change("time zone", Some(za.clone()), Some(zb.clone())))
            .collect(),
        (Converter::Boolean { table: a }, Converter::Boolean { table: b }) => {
            table_changes(a, b, |v| v.to_string())
        }
        (Converter::Enumeration { table: a }, Converter::Enumeration { table: b }) => {
            table_changes(a, b, |v| v.clone().unwrap_or_else(|| "(ignored)".to_string()))
        }
        (a, b) if a == b => Vec::new(),
        (a, b) => change("converter", Some(describe(a)), Some(describe(b))).into_iter().collect(),
    }
}

fn mapping_changes(old: &FieldMapping, new: &FieldMapping) -> Vec<Change> {
    let mut out: Vec<Change> =
        change("target", Some(old.target_label()), Some(new.target_label())).into_iter().collect();
    out.extend(converter_changes(&old.converter, &new.converter));
    out.extend(change("null value", old.null_value.clone(), new.null_value.clone()));
    if old.type_from.is_some() || new.type_from.is_some() {
        let values = |m: &FieldMapping| {
            m.type_from.as_ref().filter(|f| !f.values.is_empty()).map(|f| {
                f.values
                    .iter()
                    .map(|(value, type_name)| format!("`{value}` → {type_name}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        let blank = |m: &FieldMapping| m.type_from.as_ref().and(m.type_name.clone());
        out.extend(change("type values", values(old), values(new)));
        out.extend(change("type of blank rows", blank(old), blank(new)));
    }
    out
}

fn one_sided(status: Status, m: &FieldMapping) -> MappingDiff {
    let mut changes = Vec::new();
    if let Some(null) = &m.null_value {
        let (old, new) =
            if status == Status::Added { (None, Some(null.clone())) } else { (Some(null.clone()), None) };
        changes.push(Change { what: "null value".to_string(), old, new });
    }
    MappingDiff {
        status,
        column: m.column.clone(),
        target: m.target_label(),
        converter: describe(&m.converter),
        changes,
    }
}

fn file_settings(f: &FileMapping) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("category", Some(f.category.clone())),
        (
            "parent",
            f.parent
                .as_ref()
                .map(|l| format!("column {} links to {} column {}", l.column, l.file, l.parent_column)),
        ),
        ("id column", f.id_column.clone()),
        ("null default", f.null_default.clone()),
    ]
}

fn diff_mappings(old: &[FieldMapping], new: &[FieldMapping]) -> Vec<MappingDiff> {
    let by_column = |ms: &[FieldMapping]| -> BTreeMap<String, Vec<FieldMapping>> {
        let mut map: BTreeMap<String, Vec<FieldMapping>> = BTreeMap::new();
        for m in ms {
            map.entry(m.column.clone()).or_default().push(m.clone());
        }
        map
    };
    let (old, new) = (by_column(old), by_column(new));
    let columns: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let empty = Vec::new();
    let mut out = Vec::new();
    for column in columns {
        let (a, b) = (old.get(column).unwrap_or(&empty), new.get(column).unwrap_or(&empty));
        if let ([a], [b]) = (&a[..], &b[..]) {
            // A column mapped once on both sides: the same mapping, perhaps retargeted.
            let changes = mapping_changes(a, b);
            if !changes.is_empty() {
                out.push(MappingDiff {
                    status: Status::Changed,
                    column: column.clone(),
                    target: b.target_label(),
                    converter: describe(&b.converter),
                    changes,
                });
            }
            continue;
        }
        let mut unmatched_new: Vec<&FieldMapping> = b.iter().collect();
        for m in a {
            match unmatched_new.iter().position(|n| n.target_label() == m.target_label()) {
                Some(i) => {
                    let n = unmatched_new.remove(i);
                    let changes = mapping_changes(m, n);
                    if !changes.is_empty() {
                        out.push(MappingDiff {
                            status: Status::Changed,
                            column: column.clone(),
                            target: n.target_label(),
                            converter: describe(&n.converter),
                            changes,
                        });
                    }
                }
                None => out.push(one_sided(Status::Removed, m)),
            }
        }
        out.extend(unmatched_new.into_iter().map(|n| one_sided(Status::Added, n)));
    }
    out
}

/// What changed from `old` to `new`.
pub fn diff(old: &MappingTemplate, new: &MappingTemplate) -> TemplateDiff {
    let (old, new) = (normalise(old), normalise(new));
    let mut settings = Vec::new();
    settings.extend(change(
        "format version",
        Some(old.format_version.to_string()),
        Some(new.format_version.to_string()),
    ));
    settings.extend(change("target", Some(old.target.clone()), Some(new.target.clone())));
    settings.extend(change("encoding", Some(old.encoding.clone()), Some(new.encoding.clone())));

    let names: BTreeSet<&String> = old.files.iter().chain(new.files.iter()).map(|f| &f.name).collect();
    let mut files = Vec::new();
    for name in names {
        let (a, b) = (old.file(name), new.file(name));
        let (status, settings, mappings) = match (a, b) {
            (Some(a), Some(b)) => {
                let settings: Vec<Change> = file_settings(a)
                    .into_iter()
                    .zip(file_settings(b))
                    .filter_map(|((what, x), (_, y))| change(what, x, y))
                    .collect();
                (Status::Changed, settings, diff_mappings(&a.mappings, &b.mappings))
            }
            (Some(a), None) => (
                Status::Removed,
                file_settings(a).into_iter().filter_map(|(what, x)| change(what, x, None)).collect(),
                a.mappings.iter().map(|m| one_sided(Status::Removed, m)).collect(),
            ),
            (None, Some(b)) => (
                Status::Added,
                file_settings(b).into_iter().filter_map(|(what, y)| change(what, None, y)).collect(),
                b.mappings.iter().map(|m| one_sided(Status::Added, m)).collect(),
            ),
            (None, None) => unreachable!("the name comes from one of the two"),
        };
        if status != Status::Changed || !settings.is_empty() || !mappings.is_empty() {
            files.push(FileDiff { name: name.clone(), status, settings, mappings });
        }
    }
    TemplateDiff { settings, files }
}

fn show(v: &Option<String>) -> String {
    v.as_ref().map_or_else(|| "(none)".to_string(), |s| format!("`{s}`"))
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} → {}", self.what, show(&self.old), show(&self.new))
    }
}

impl fmt::Display for TemplateDiff {
    /// One line per change: `+` added, `-` removed, `~` changed; details indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.settings {
            writeln!(f, "~ {c}")?;
        }
        for file in &self.files {
            let (mark, word) = match file.status {
                Status::Added => ("+", "added"),
                Status::Removed => ("-", "removed"),
                Status::Changed => ("~", "changed"),
            };
            writeln!(f, "{mark} file `{}` ({word})", file.name)?;
            for c in &file.settings {
                writeln!(f, "    {c}")?;
            }
            for m in &file.mappings {
                let mark = match m.status {
                    Status::Added => "+",
                    Status::Removed => "-",
                    Status::Changed => "~",
                };
                writeln!(f, "  {mark} column `{}` → `{}` ({})", m.column, m.target, m.converter)?;
                for c in &m.changes {
                    writeln!(f, "      {c}")?;
                }
            }
        }
        Ok(())
    }
}

/// A unified diff of the two templates' normalised JSON (empty when they mean the same).
pub fn unified(old: &MappingTemplate, new: &MappingTemplate, old_name: &str, new_name: &str) -> String {
    let (a, b) = (normalise(old).to_json(), normalise(new).to_json());
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::ParentLink;

    fn template(json: &str) -> MappingTemplate {
        MappingTemplate::from_json(json, std::path::Path::new("t.json")).unwrap()
    }

    const BASE: &str = r#"{"formatVersion": 1, "target": "contacts", "files": [
        {"name": "people.csv", "mappings": [
            {"column": "Last", "field": "lastName"},
            {"column": "Born", "field": "birthDate", "converter": {"kind": "date", "format": "%d/%m/%Y"}},
            {"column": "DNC", "field": "doNotContact", "converter": {"kind": "boolean", "table": {"Y": true, "N": false}}},
            {"column": "Phone", "field": "value", "subcollection": "Telcom", "typeName": "Business"}
        ]}]}"#;

    #[test]
    fn order_and_spelling_do_not_count() {
        let a = template(BASE);
        let mut b = a.clone();
        b.files[0].mappings.reverse();
        b.encoding = "utf8".to_string();
        b.files[0].mappings[0].instance = Some(1);
        b.schema = Some("elsewhere".to_string());
        let d = diff(&a, &b);
        assert!(d.is_empty(), "{d}");
        assert_eq!(d.to_string(), "");
        assert_eq!(unified(&a, &b, "a", "b"), "");
    }

    #[test]
    fn mapping_changes_are_itemised() {
        let a = template(BASE);
        let mut b = a.clone();
        let f = &mut b.files[0];
        f.category = "Name".into();
        f.mappings[1].converter = Converter::date("%m/%d/%Y");
        f.mappings[2].converter = Converter::Boolean {
            table: BTreeMap::from([("Y".into(), true), ("N".into(), true), ("?".into(), false)]),
        };
        f.mappings[3].type_name = Some("Home".into());
        f.mappings.remove(0);
        f.mappings.push(FieldMapping {
            type_from: None,
            column: "First".into(),
            field: "firstName".into(),
            subcollection: None,
            type_name: None,
            instance: None,
            converter: Converter::default(),
            null_value: Some("unknown".into()),
            null_values: Vec::new(),
            on_invalid: Default::default(),
        });
        let d = diff(&a, &b);
        assert_eq!(
            d.to_string(),
            "~ file `people.csv` (changed)\n\
             \x20   category: `All` → `Name`\n\
             \x20 ~ column `Born` → `birthDate` (date %m/%d/%Y)\n\
             \x20     format: `%d/%m/%Y` → `%m/%d/%Y`\n\
             \x20 ~ column `DNC` → `doNotContact` (boolean (3 values))\n\
             \x20     table `?`: (none) → `false`\n\
             \x20     table `N`: `false` → `true`\n\
             \x20 + column `First` → `firstName` (text)\n\
             \x20     null value: (none) → `unknown`\n\
             \x20 - column `Last` → `lastName` (text)\n\
             \x20 ~ column `Phone` → `Telcom[Home].value` (text)\n\
             \x20     target: `Telcom[Business].value` → `Telcom[Home].value`\n"
        );
        let u = unified(&a, &b, "a.json", "b.json");
        assert!(u.starts_with("--- a.json\n+++ b.json\n"), "{u}");
        assert!(
            u.lines()
                .any(|l| l.starts_with('-') && l.trim_start_matches('-').trim() == r#""format": "%d/%m/%Y""#),
            "{u}"
        );
    }

    #[test]
    fn files_and_template_settings() {
        let a = template(BASE);
        let mut b = a.clone();
        b.target = "leads".into();
        b.encoding = "windows-1252".into();
        let mut child = b.files[0].clone();
        child.name = "phones.csv".into();
        child.mappings.truncate(1);
        child.parent =
            Some(ParentLink { file: "people.csv".into(), column: "PID".into(), parent_column: "ID".into() });
        b.files.push(child);
        let d = diff(&b, &a);
        let text = d.to_string();
        assert!(
            text.starts_with("~ target: `leads` → `contacts`\n~ encoding: `windows-1252` → `UTF-8`\n"),
            "{text}"
        );
        assert!(text.contains("- file `phones.csv` (removed)\n"), "{text}");
        assert!(text.contains("parent: `column PID links to people.csv column ID` → (none)"), "{text}");
        assert_eq!(d.files.len(), 1);
        assert_eq!(d.files[0].mappings[0].status, Status::Removed);
    }

    #[test]
    fn a_column_feeding_several_targets_pairs_by_target() {
        let a = template(
            r#"{"formatVersion": 1, "target": "contacts", "files": [{"name": "p.csv", "mappings": [
                {"column": "Mail", "field": "value", "subcollection": "Telcom", "typeName": "Email"},
                {"column": "Mail", "field": "notes"}]}]}"#,
        );
        let mut b = a.clone();
        b.files[0].mappings[1].converter = Converter::Text { text: TextConverter::Rtf2plain };
        let d = diff(&a, &b);
        assert_eq!(d.files[0].mappings.len(), 1);
        assert_eq!(d.files[0].mappings[0].changes[0].to_string(), "text converter: `none` → `rtf2plain`");
    }
}
