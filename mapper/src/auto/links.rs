//! Type-column and link detection: the column naming each row's type in a
//! long-format child table (`typeFrom`), and the parent links between files.

use std::collections::BTreeMap;

use crate::session::{SourceColumn, SourceFile};
use crate::target::TargetDefinition;
use crate::template::{ALL_CATEGORIES, MappingTemplate, ParentLink, TypeFrom};

use super::Guess;
use super::header::{google_parts, looks_like_id, normalize};
use super::subs::{ADDRESS_WORDS, PHONE_WORDS, label_type};

/// Type codes of long-format tables (`W`, `H`, `CELL`) per subcollection, beside
/// the words [`label_type`] knows and the type names themselves.
pub(super) const TYPE_CODES: &[(&str, &str, &str)] = &[
    ("Telcom", "w", "Business"),
    ("Telcom", "b", "Business"),
    ("Telcom", "h", "Home"),
    ("Telcom", "m", "Mobile"),
    ("Telcom", "c", "Mobile"),
    ("Telcom", "f", "Business Fax"),
    ("Telcom", "fax", "Business Fax"),
    ("Telcom", "p", "Pager"),
    ("Telcom", "e", "Email"),
    ("Telcom", "o", "Other"),
    ("Telcom", "bus", "Business"),
    ("Telcom", "biz", "Business"),
    ("Telcom", "wrk", "Business"),
    ("Telcom", "hm", "Home"),
    ("Telcom", "mob", "Mobile"),
    ("Telcom", "mbl", "Mobile"),
    ("Telcom", "cel", "Mobile"),
    ("Telcom", "bfax", "Business Fax"),
    ("Telcom", "hfax", "Home Fax"),
    ("Telcom", "email", "Email"),
    ("Telcom", "e-mail", "Email"),
    ("Telcom", "mail", "Email"),
    ("Telcom", "eml", "Email"),
    ("Telcom", "pgr", "Pager"),
    ("Address", "w", "Business"),
    ("Address", "b", "Business"),
    ("Address", "work", "Business"),
    ("Address", "office", "Business"),
    ("Address", "h", "Home"),
    ("Address", "m", "Mailing"),
    ("Address", "postal", "Mailing"),
    ("Address", "v", "Vacation"),
    ("Address", "o", "Other"),
    ("Address", "bus", "Business"),
    ("Address", "biz", "Business"),
    ("Address", "wrk", "Business"),
    ("Address", "hm", "Home"),
    ("Address", "res", "Home"),
    ("Address", "vac", "Vacation"),
    ("Address", "hol", "Vacation"),
    ("Address", "mail", "Mailing"),
    ("Address", "mailing", "Mailing"),
];

/// A long-format table (a row per phone or address, its type in a column
/// such as `PHONE_TYPE` or `KIND`): the subcollection columns whose type was
/// only assumed take each row's type from that column instead, when most of
/// its values name a type. The type column itself is then not mapped.
pub(super) fn type_column(
    target: &TargetDefinition,
    file: &SourceFile,
    mut guesses: Vec<Guess>,
) -> Vec<Guess> {
    let is_type_name = |c: &SourceColumn| {
        let norm = normalize(&c.name);
        matches!(norm.rsplit(' ').next(), Some("type" | "kind"))
    };
    let assumed_subs: Vec<&str> = guesses
        .iter()
        .zip(&file.columns)
        .filter_map(|(g, c)| match g {
            Guess::Sub(s) if s.assumed && !is_type_name(c) => Some(s.sub.as_str()),
            _ => None,
        })
        .collect();
    let found = file.columns.iter().enumerate().find_map(|(i, column)| {
        let words: Vec<String> = normalize(&column.name).split(' ').map(str::to_string).collect();
        let last = words.last().map(String::as_str);
        // Not mapped, kept as a user field, or taken for a phone or address
        // part by a word of its name (`PHONE_TYPE`).
        let free = match &guesses[i] {
            Guess::Skip(_) => true,
            Guess::Sub(s) => s.sub == "UserField" || s.assumed,
            Guess::Field { .. } => false,
        };
        // A type column is named so (`PHONE_TYPE`, `KIND`), or holds nothing
        // but a few type codes (`BUS`, `HOME`, `VAC`) whatever its name.
        let named_type = matches!(last, Some("type" | "kind"));
        if !free
            || google_parts(&column.name).is_some()
            || column.distinct_capped
            || column.distinct.is_empty()
            || column.distinct.len() > 20
        {
            return None;
        }
        let named = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        let sub = if named(PHONE_WORDS) {
            "Telcom"
        } else if named(ADDRESS_WORDS) {
            "Address"
        } else {
            // An unnamed type column types the file's one assumed subcollection.
            let first = *assumed_subs.first()?;
            if !assumed_subs.iter().all(|s| *s == first) {
                return None;
            }
            first
        };
        let names = &target.subcollection(sub)?.type_names;
        let mut values = BTreeMap::new();
        let mut known = 0;
        for value in &column.distinct {
            let v = value.trim();
            let folded = v.to_lowercase();
            if names.iter().any(|t| t.to_lowercase() == folded) {
                known += 1;
                continue;
            }
            let coded =
                TYPE_CODES.iter().find(|(s, code, _)| *s == sub && *code == folded).map(|(_, _, t)| *t);
            let worded = if sub == "Telcom" { label_type(v, false) } else { None };
            if let Some(t) = coded.or(worded).filter(|t| names.iter().any(|n| n == t)) {
                values.insert(v.to_string(), t.to_string());
                known += 1;
            }
        }
        let enough = if named_type {
            known * 2 >= column.distinct.len()
        } else {
            column.distinct.len() <= 12 && known * 5 >= column.distinct.len() * 4
        };
        enough.then(|| (i, sub.to_string(), named_type, TypeFrom { column: column.name.clone(), values }))
    });
    let Some((at, sub, named_type, from)) = found else { return guesses };
    let mut typed = 0;
    for (i, g) in guesses.iter_mut().enumerate() {
        if let Guess::Sub(s) = g
            && i != at
            && s.assumed
            && s.sub == sub
        {
            s.type_from = Some(from.clone());
            s.confidence = if named_type { 0.75 } else { 0.7 };
            s.reason = format!("{sub} of a row per instance: type name from column `{}`", from.column);
            typed += 1;
        }
    }
    if typed > 0 {
        let table: Vec<String> = from.values.iter().map(|(k, v)| format!("{k} → {v}")).collect();
        let by = if named_type { "its name and values" } else { "its values: a few type codes" };
        let table = if table.is_empty() { String::new() } else { format!(": {}", table.join(", ")) };
        guesses[at] = Guess::Skip(format!("names the {sub} type of each row (typeFrom, by {by}){table}"));
    }
    guesses
}

/// The files have the same columns (names compared as header words, in any order).
pub(super) fn same_header(a: &SourceFile, b: &SourceFile) -> bool {
    let names = |f: &SourceFile| {
        let mut n: Vec<String> = f.columns.iter().map(|c| normalize(&c.name)).collect();
        n.sort();
        n
    };
    a.columns.len() == b.columns.len() && names(a) == names(b)
}

/// A child's column that names the parent by its entity rather than by the
/// parent's id column (`CONTACT_ID` or `ContactKey` beside `contacts.csv`'s
/// `ID`; `CUST_ID` beside `customers.csv`'s `CUSTOMER_KEY`), or whose values
/// are the parent's ids: an id-like column (not the child's first, not named
/// after the child's own file) whose values are nearly all found in the
/// parent's id column, when both lists of values are whole.
fn refers_to(
    column: &SourceColumn,
    at: usize,
    child: &SourceFile,
    parent: &SourceFile,
    id: &SourceColumn,
) -> bool {
    if !looks_like_id(&column.name) {
        return false;
    }
    let name = normalize(&column.name);
    let mut words: Vec<&str> = name.split(' ').collect();
    words.pop();
    if names_entity_of(&words, child) {
        return false;
    }
    if names_entity_of(&words, parent) {
        return true;
    }
    if at == 0 || column.distinct_capped || id.distinct_capped || column.distinct.is_empty() {
        return false;
    }
    let found = column.distinct.iter().filter(|v| id.distinct.iter().any(|p| p.trim() == v.trim())).count();
    found * 10 >= column.distinct.len() * 8
}

/// The last of an id column's other words (`contact` of `CONTACT_ID`) names
/// what the file holds, by its file name (`contacts.csv`, `tbl_contact.txt`;
/// `cust` for `customers.csv`).
fn names_entity_of(words: &[&str], file: &SourceFile) -> bool {
    let Some(word) = words.last().map(|w| singular(w)) else { return false };
    let stem = file.name.rsplit(['/', '\\']).next().unwrap_or(&file.name);
    let stem = stem.split('.').next().unwrap_or(stem);
    normalize(stem).split(' ').any(|entity| {
        let entity = singular(entity);
        word == entity || (word.len() >= 3 && entity.starts_with(&word))
    })
}

/// An English plural made singular, for comparing file names with column
/// names (`contacts` → `contact`, `addresses` → `address`, `people` → `person`).
fn singular(word: &str) -> String {
    if word == "people" {
        return "person".to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["sses", "shes", "ches", "xes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    match word.strip_suffix('s') {
        Some(stem) if !word.ends_with("ss") && stem.len() >= 2 => stem.to_string(),
        _ => word.to_string(),
    }
}

/// Child files: a file holding another file's first (id) column (not as its own
/// first column, unless the other file comes first).
/// Returns the links made: (child file, link column, parent file).
pub(super) fn link_children(
    template: &mut MappingTemplate,
    files: &[SourceFile],
) -> Vec<(String, String, String)> {
    let mut made = Vec::new();
    let mut links = Vec::new();
    let plain = |i: usize| {
        let first = files[i].columns.first().map(|c| c.name.as_str());
        template.files[i]
            .mappings
            .iter()
            .filter(|m| m.subcollection.is_none() && Some(m.column.as_str()) != first)
            .count()
    };
    for (ci, child) in files.iter().enumerate() {
        // The candidate parents; the one with the most plain fields wins, then the earliest.
        let mut best: Option<(usize, String, String)> = None;
        for (pi, parent) in files.iter().enumerate() {
            // Files with the same header are siblings (parts of one export), never parent and child.
            if ci == pi || same_header(child, parent) {
                continue;
            }
            let Some(id) = parent.columns.first() else { continue };
            if !looks_like_id(&id.name) {
                continue;
            }
            let Some(pos) =
                child.columns.iter().position(|c| normalize(&c.name) == normalize(&id.name)).or_else(|| {
                    (0..child.columns.len()).find(|&at| refers_to(&child.columns[at], at, child, parent, id))
                })
            else {
                continue;
            };
            // A shared first column: the parent is the file with more plain
            // fields (names, dates) beside it; when equal, the earlier file.
            if pos == 0 && (plain(pi), ci) < (plain(ci), pi) {
                continue;
            }
            if best.as_ref().is_none_or(|(b, _, _)| plain(pi) > plain(*b)) {
                best = Some((pi, child.columns[pos].name.clone(), id.name.clone()));
            }
        }
        if let Some((pi, column, parent_column)) = best {
            links.push((ci, pi, column, parent_column));
        }
    }
    for (ci, pi, column, parent_column) in links {
        // A parent that is itself a child would make a chain; keep links one level deep.
        if template.files[pi].parent.is_some() {
            continue;
        }
        let parent_name = template.files[pi].name.clone();
        template.files[pi].id_column = Some(parent_column.clone());
        let child = &mut template.files[ci];
        child.parent = Some(ParentLink { file: parent_name.clone(), column: column.clone(), parent_column });
        // The link column is not data of the child.
        child.mappings.retain(|m| m.column != column);
        made.push((child.name.clone(), column, parent_name));
        let cats: Vec<&str> =
            child.mappings.iter().map(|m| m.subcollection.as_deref().unwrap_or(ALL_CATEGORIES)).collect();
        if let Some(first) = cats.first()
            && *first != ALL_CATEGORIES
            && cats.iter().all(|c| c == first)
        {
            child.category = first.to_string();
        }
    }
    made
}
