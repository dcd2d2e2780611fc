//! Mapping suggestions: `ferry map --auto`, and where interactive sessions start.
//!
//! [`suggest`] looks at each column of each [`SourceFile`] and decides, in order:
//! 1. known export noise (`Initials`, `Sensitivity`, phonetic names, label
//!    columns, formatted addresses) is left unmapped;
//! 2. a header equal to a plain field's name, label or one of its `synonyms`
//!    (after normalising case, punctuation, `camelCase` and `e-mail`) maps to
//!    that field, if the column's content fits the field's type;
//! 3. headers that name a phone, fax, e-mail or address part become
//!    subcollection attributes, their type name guessed from the words
//!    (`Business Phone` → Telcom/Business, `Home City` → Address/Home) or, for
//!    Google's `Phone 1 - Value`, from the sibling label column;
//! 4. where the name says nothing, the content decides (e-mails, phones, zips, genders);
//! 5. anything else with data is kept as a user field; empty columns stay unmapped;
//! 6. a table with a row per phone or address and a column naming its type
//!    (`PHONE_TYPE`, `KIND`: most values type names or codes such as `W`,
//!    `cell`) types each row from that column (`typeFrom`) where the type was
//!    only assumed.
//!
//! Each column gets a [`Decision`] with a confidence between 0 and 1.
//! Converters come from [`converter_for`]: date formats from profiling (a
//! column of mixed formats gets the list, ambiguous day/month pairs ordered by
//! the values above 12, else by the data's country: [`crate::country`]),
//! boolean and enumeration tables from the distinct values.

mod content;
mod convert;
mod header;
mod links;
mod names;
mod subs;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use convert::{converter_for, converter_in, guess_enum_value, is_rtf, is_truthy};
pub(crate) use header::key_synonym;
pub use header::normalize;
pub(crate) use names::part_for as name_part_for;

use crate::country::CountryChoice;
use crate::session::{SourceColumn, SourceFile};
use crate::target::TargetDefinition;
use crate::template::{ALL_CATEGORIES, FieldMapping, FileMapping, MappingTemplate, TypeFrom};
use content::by_content;
use header::{NOISE, compact, google_parts, looks_like_id, plain_by_name, plain_fuzzy};
use links::{link_children, type_column};
use subs::{attach_primary, google_sub, named_sub, single_type_sub, split_compounds};

/// What `--auto` decided for one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub file: String,
    pub column: String,
    /// The target (`firstName`, `Telcom[Business].value`); `None` when left unmapped.
    pub target: Option<String>,
    /// How sure the suggestion is, from 0 to 1.
    pub confidence: f64,
    /// Why, in a few words.
    pub reason: String,
}

/// A suggested template and the decision behind every column.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub template: MappingTemplate,
    pub decisions: Vec<Decision>,
    /// The country of the data, given or guessed, and why.
    pub country: Option<CountryChoice>,
    /// Converter choices worth saying (the formats of a mixed date column and their order).
    pub notes: Vec<String>,
}

/// Suggests a template for `files` against `target`; `target_ref` is written as the template's target.
pub fn suggest(target: &TargetDefinition, target_ref: &str, files: &[SourceFile]) -> Suggestion {
    suggest_in(target, target_ref, files, None)
}

/// [`suggest`] for data of `country` (alpha-2, checked by the caller); without
/// one the country is guessed from the data ([`crate::country::guess`]). The
/// country is written into the template.
pub fn suggest_in(
    target: &TargetDefinition,
    target_ref: &str,
    files: &[SourceFile],
    country: Option<&str>,
) -> Suggestion {
    let country = match country {
        Some(c) => Some(CountryChoice { code: c.to_string(), reason: "given with `--country`".to_string() }),
        None => crate::country::guess(files),
    };
    let mut template = MappingTemplate::new(target_ref);
    template.country = country.as_ref().map(|c| c.code.clone());
    let mut decisions = Vec::new();
    let mut notes = Vec::new();
    for file in files {
        let (mapping, mut d, mut n) = suggest_file_in(target, file, template.country.as_deref());
        template.files.push(mapping);
        decisions.append(&mut d);
        notes.append(&mut n);
    }
    for (file, column, parent) in link_children(&mut template, files) {
        for d in decisions.iter_mut().filter(|d| d.file == file && d.column == column) {
            d.target = None;
            d.confidence = 0.0;
            d.reason = format!("links each row to its parent row in `{parent}`");
        }
    }
    Suggestion { template, decisions, country, notes }
}

/// Suggests the mapping of one file (without a parent link).
pub fn suggest_file(target: &TargetDefinition, file: &SourceFile) -> (FileMapping, Vec<Decision>) {
    let (mapping, decisions, _) = suggest_file_in(target, file, None);
    (mapping, decisions)
}

/// [`suggest_file`] for data of `country`, with the notes on its converters.
fn suggest_file_in(
    target: &TargetDefinition,
    file: &SourceFile,
    country: Option<&str>,
) -> (FileMapping, Vec<Decision>, Vec<String>) {
    let mut notes = Vec::new();
    let row_country = crate::country::row_column(file);
    let mut conv = |f: &crate::target::Field, column: &SourceColumn, holds: convert::Holds| {
        let special = match holds {
            convert::Holds::Phone => convert::phone_converter(column, country, row_country),
            convert::Holds::Email => convert::email_converter(column),
            convert::Holds::Text => None,
        };
        let (c, note) = match special {
            Some((c, note)) => (c, Some(note)),
            None => converter_in(f, column, country),
        };
        notes.extend(note.map(|n| format!("`{}` {n}", file.name)));
        c
    };
    let guesses: Vec<Guess> = file.columns.iter().map(|c| guess_column(target, file, c)).collect();
    let guesses = type_column(target, file, attach_primary(target, file, resolve_conflicts(guesses)));
    let mut mappings = Vec::new();
    let mut decisions = Vec::new();
    let instances = number_instances(&guesses);
    for (i, (column, guess)) in file.columns.iter().zip(&guesses).enumerate() {
        let decision = |target: Option<String>, confidence: f64, reason: &str| Decision {
            file: file.name.clone(),
            column: column.name.clone(),
            target,
            confidence,
            reason: reason.to_string(),
        };
        match guess {
            Guess::Field { field, confidence, reason } => {
                let f = target.field(field).expect("guessed from the target");
                let m = FieldMapping {
                    type_from: None,
                    column: column.name.clone(),
                    field: field.clone(),
                    subcollection: None,
                    type_name: None,
                    instance: None,
                    converter: conv(f, column, convert::field_holds(field)),
                    null_value: None,
                    null_values: column.nulls.clone(),
                    on_invalid: Default::default(),
                };
                decisions.push(decision(Some(m.target_label()), *confidence, reason));
                mappings.push(m);
            }
            Guess::Sub(s) => {
                let f = target.attribute(&s.sub, &s.attr).expect("guessed from the target");
                let instance = instances[i];
                let m = FieldMapping {
                    type_from: s.type_from.clone(),
                    column: column.name.clone(),
                    field: s.attr.clone(),
                    subcollection: Some(s.sub.clone()),
                    type_name: s.type_from.is_none().then(|| s.type_name.clone()),
                    instance: (instance != 1).then_some(instance),
                    converter: conv(
                        f,
                        column,
                        if s.sub == "Telcom" && s.attr == "value" {
                            convert::telcom_holds(&s.type_name)
                        } else {
                            convert::Holds::Text
                        },
                    ),
                    null_value: None,
                    null_values: column.nulls.clone(),
                    on_invalid: Default::default(),
                };
                decisions.push(decision(Some(m.target_label()), s.confidence, &s.reason));
                mappings.push(m);
            }
            Guess::Skip(reason) => decisions.push(decision(None, 0.0, reason)),
        }
    }
    names::split_full_names(target, file, &mut mappings, &mut decisions, &mut notes);
    let mut told = std::collections::HashSet::new();
    for m in mappings.iter().filter(|m| !m.null_values.is_empty() && told.insert(m.column.clone())) {
        let values: Vec<String> = m.null_values.iter().map(|v| format!("`{v}`")).collect();
        notes.push(format!(
            "`{}` column `{}`: {} read as empty (`nullValues`), not as a bad value",
            file.name,
            m.column,
            values.join(", ")
        ));
    }
    for m in mappings.iter_mut() {
        if let Some(column) = file.columns.iter().find(|c| c.name == m.column) {
            for v in convert::placeholder_dates(&m.converter, column) {
                notes.push(format!(
                    "`{}` column `{}`: `{v}` is a date legacy systems write for no date: read as empty (`nullValues`)",
                    file.name, m.column
                ));
                m.null_values.push(v);
            }
        }
    }
    let mapping = FileMapping {
        name: file.name.clone(),
        category: ALL_CATEGORIES.to_string(),
        parent: None,
        id_column: None,
        null_default: None,
        null_values: Vec::new(),
        mappings,
    };
    (mapping, decisions, notes)
}

/// A subcollection guess: which instance a column feeds.
#[derive(Debug, Clone)]
struct SubGuess {
    sub: String,
    type_name: String,
    attr: String,
    /// Columns with the same sub, type and group form one instance.
    group: String,
    /// The export's own number for the instance (`Phone 2`), 1 when none.
    slot: u32,
    /// 0 for a plain name (`Business Phone`), 1 for a qualified one (`Company Main Phone`).
    rank: u8,
    confidence: f64,
    reason: String,
    /// The type name was assumed (nothing in the header said it).
    assumed: bool,
    /// Each row's type from a column of the file (see [`type_column`]).
    type_from: Option<TypeFrom>,
}

#[derive(Debug, Clone)]
enum Guess {
    Field { field: String, confidence: f64, reason: String },
    Sub(SubGuess),
    Skip(String),
}

fn guess_column(target: &TargetDefinition, file: &SourceFile, column: &SourceColumn) -> Guess {
    let norm = normalize(&column.name);
    if NOISE.contains(&norm.as_str()) || norm.starts_with("phonetic ") {
        return Guess::Skip("export noise, not kept".to_string());
    }
    if column.samples.iter().chain(column.sample.iter()).any(|s| s.contains('\n')) && norm.contains("address")
    {
        return Guess::Skip("a formatted address (its parts are mapped)".to_string());
    }
    let google = google_parts(&column.name);
    if let Some((base, _, part)) = &google
        && matches!(part.as_str(), "label" | "type" | "formatted")
        && normalize(base) != "custom field"
    {
        return Guess::Skip(format!("the {part} of a numbered group (it sets the type name)"));
    }
    if let Some(g) = plain_by_name(target, column, &norm) {
        return g;
    }
    let legacy_id = key_synonym(target, &norm);
    if looks_like_id(&column.name) && legacy_id.is_none() {
        return Guess::Skip("an identifier with no matching field".to_string());
    }
    let sub = match &google {
        Some((base, slot, part)) => google_sub(target, file, column, base, *slot, part),
        None => named_sub(target, column, &split_compounds(&norm)),
    };
    if let Some(s) = sub {
        return Guess::Sub(s);
    }
    if let Some(s) = single_type_sub(target, &norm) {
        return Guess::Sub(s);
    }
    if !column.is_empty() {
        if let Some(key) = legacy_id
            && let Some(uf) = target.subcollection("UserField")
            && let Some(attr) = uf.fields.first()
        {
            return Guess::Sub(SubGuess {
                assumed: false,
                type_from: None,
                sub: uf.name.clone(),
                type_name: column.name.clone(),
                attr: attr.name.clone(),
                group: compact(&column.name),
                slot: 1,
                rank: 0,
                confidence: 0.5,
                reason: format!(
                    "a legacy id: kept as data (map it to the key `{}` only to update the records it names)",
                    key.name
                ),
            });
        }
        if let Some(g) = by_content(target, column) {
            return g;
        }
        if let Some(g) = plain_fuzzy(target, column, &norm) {
            return g;
        }
        if let Some(uf) = target.subcollection("UserField")
            && let Some(attr) = uf.fields.first()
        {
            let type_name = match &google {
                Some((base, slot, _)) => format!("{base} {slot}"),
                None => column.name.clone(),
            };
            return Guess::Sub(SubGuess {
                assumed: false,
                type_from: None,
                sub: uf.name.clone(),
                type_name: type_name.clone(),
                attr: attr.name.clone(),
                group: compact(&type_name),
                slot: 1,
                rank: 0,
                confidence: 0.3,
                reason: "no field matches its name: kept as a user field".to_string(),
            });
        }
    }
    Guess::Skip(if column.is_empty() {
        "no field matches its name and it holds no values".to_string()
    } else {
        "no field matches its name or content".to_string()
    })
}

/// One column per plain field and per instance attribute: the weaker guess gives way.
fn resolve_conflicts(mut guesses: Vec<Guess>) -> Vec<Guess> {
    let conf = |g: &Guess| match g {
        Guess::Field { confidence, .. } => *confidence,
        Guess::Sub(s) => s.confidence,
        Guess::Skip(_) => 0.0,
    };
    let key = |g: &Guess| match g {
        Guess::Field { field, .. } => Some(field.clone()),
        Guess::Sub(s) if s.sub != "UserField" => {
            Some(format!("{}/{}/{}/{}", s.sub, s.type_name, s.group, s.attr))
        }
        _ => None,
    };
    let mut winner: HashMap<String, usize> = HashMap::new();
    for (i, g) in guesses.iter().enumerate() {
        if let Some(k) = key(g) {
            match winner.get(&k) {
                Some(&j) if conf(&guesses[j]) >= conf(g) => {}
                _ => {
                    winner.insert(k, i);
                }
            }
        }
    }
    for (i, g) in guesses.iter_mut().enumerate() {
        if let Some(k) = key(g)
            && winner[&k] != i
        {
            *g = Guess::Skip(format!("another column maps to `{k}` with more confidence"));
        }
    }
    guesses
}

/// Instance numbers: per subcollection and type, groups numbered by rank, slot, then column order.
fn number_instances(guesses: &[Guess]) -> Vec<u32> {
    // Per (subcollection, type name): the groups, as (rank, slot, first column, group).
    type Groups = BTreeMap<(String, String), Vec<(u8, u32, usize, String)>>;
    let mut groups: Groups = BTreeMap::new();
    for (i, g) in guesses.iter().enumerate() {
        if let Guess::Sub(s) = g {
            let list = groups.entry((s.sub.clone(), s.type_name.clone())).or_default();
            if !list.iter().any(|(_, _, _, grp)| *grp == s.group) {
                list.push((s.rank, s.slot, i, s.group.clone()));
            }
        }
    }
    let mut number: HashMap<(String, String, String), u32> = HashMap::new();
    for ((sub, type_name), mut list) in groups {
        list.sort();
        for (n, (_, _, _, grp)) in list.into_iter().enumerate() {
            number.insert((sub.clone(), type_name.clone(), grp), n as u32 + 1);
        }
    }
    guesses
        .iter()
        .map(|g| match g {
            Guess::Sub(s) => number[&(s.sub.clone(), s.type_name.clone(), s.group.clone())],
            _ => 1,
        })
        .collect()
}
