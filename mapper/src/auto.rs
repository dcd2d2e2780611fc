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
//! Converters come from [`converter_for`]: date formats from profiling,
//! boolean and enumeration tables from the distinct values.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::profile::InferredKind;
use crate::session::{SourceColumn, SourceFile};
use crate::target::{Field, FieldType, TargetDefinition};
use crate::template::{
    ALL_CATEGORIES, Converter, FieldMapping, FileMapping, MappingTemplate, ParentLink, TextConverter,
    TypeFrom,
};

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
}

/// Suggests a template for `files` against `target`; `target_ref` is written as the template's target.
pub fn suggest(target: &TargetDefinition, target_ref: &str, files: &[SourceFile]) -> Suggestion {
    let mut template = MappingTemplate::new(target_ref);
    let mut decisions = Vec::new();
    for file in files {
        let (mapping, mut d) = suggest_file(target, file);
        template.files.push(mapping);
        decisions.append(&mut d);
    }
    for (file, column, parent) in link_children(&mut template, files) {
        for d in decisions.iter_mut().filter(|d| d.file == file && d.column == column) {
            d.target = None;
            d.confidence = 0.0;
            d.reason = format!("links each row to its parent row in `{parent}`");
        }
    }
    Suggestion { template, decisions }
}

/// Suggests the mapping of one file (without a parent link).
pub fn suggest_file(target: &TargetDefinition, file: &SourceFile) -> (FileMapping, Vec<Decision>) {
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
                    converter: converter_for(f, column),
                    null_value: None,
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
                    converter: converter_for(f, column),
                    null_value: None,
                };
                decisions.push(decision(Some(m.target_label()), s.confidence, &s.reason));
                mappings.push(m);
            }
            Guess::Skip(reason) => decisions.push(decision(None, 0.0, reason)),
        }
    }
    let mapping = FileMapping {
        name: file.name.clone(),
        category: ALL_CATEGORIES.to_string(),
        parent: None,
        id_column: None,
        null_default: None,
        mappings,
    };
    (mapping, decisions)
}

/// The converter a field's type needs, filled from what the column holds.
pub fn converter_for(field: &Field, column: &SourceColumn) -> Converter {
    match field.field_type {
        FieldType::String => {
            let rtf = column.samples.iter().chain(column.sample.iter()).any(|s| is_rtf(s));
            Converter::Text { text: if rtf { TextConverter::Rtf2plain } else { TextConverter::None } }
        }
        FieldType::Integer => Converter::Integer,
        FieldType::Decimal => Converter::Decimal,
        FieldType::Date => Converter::Date {
            format: match &column.kind {
                InferredKind::Date { format, .. } => format.clone(),
                _ => "%Y-%m-%d".to_string(),
            },
        },
        FieldType::Timestamp => Converter::Timestamp {
            format: match &column.kind {
                InferredKind::Timestamp { format } => format.clone(),
                _ => "%Y-%m-%d %H:%M:%S".to_string(),
            },
            time_zone: "UTC".to_string(),
        },
        FieldType::Boolean => {
            Converter::Boolean { table: column.distinct.iter().map(|v| (v.clone(), is_truthy(v))).collect() }
        }
        FieldType::Enum => Converter::Enumeration {
            table: column.distinct.iter().map(|v| (v.clone(), guess_enum_value(v, &field.values))).collect(),
        },
    }
}

/// True for text that is RTF.
pub fn is_rtf(s: &str) -> bool {
    s.trim_start().starts_with("{\\rtf")
}

/// Source values that usually mean true.
pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "y" | "yes"
            | "true"
            | "t"
            | "1"
            | "x"
            | "on"
            | "oui"
            | "o"
            | "ja"
            | "j"
            | "si"
            | "sí"
            | "-1"
            | "checked"
    )
}

/// The target value a source value most likely means, if any.
pub fn guess_enum_value(value: &str, targets: &[String]) -> Option<String> {
    let v = compact(value);
    if v.is_empty() {
        return None;
    }
    if let Some(t) = targets.iter().find(|t| compact(t) == v) {
        return Some(t.clone());
    }
    let unknownish = ["unspecified", "notspecified", "na", "none", "unknown", "undisclosed", "other"];
    if unknownish.contains(&v.as_str())
        && let Some(t) = targets.iter().find(|t| compact(t) == "unknown")
    {
        return Some(t.clone());
    }
    let prefixed: Vec<&String> = targets.iter().filter(|t| compact(t).starts_with(&v)).collect();
    if prefixed.len() == 1 {
        return Some(prefixed[0].clone());
    }
    let extended: Vec<&String> = targets.iter().filter(|t| v.starts_with(&compact(t))).collect();
    if extended.len() == 1 {
        return Some(extended[0].clone());
    }
    None
}

/// Header words: `camelCase` split, lower case, `e-mail` as `email`, apostrophes dropped,
/// other punctuation as spaces.
pub fn normalize(s: &str) -> String {
    let mut spaced = String::with_capacity(s.len() + 4);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if let Some(p) = prev
            && ((c.is_uppercase() && p.is_lowercase())
                || (c.is_ascii_digit() && p.is_alphabetic())
                || (c.is_alphabetic() && p.is_ascii_digit()))
        {
            spaced.push(' ');
        }
        spaced.push(c);
        prev = Some(c);
    }
    let lower = spaced.to_lowercase().replace(['\'', '’'], "");
    let lower = lower.replace("e-mail", "email").replace("e mail", "email").replace("e_mail", "email");
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.join(" ")
}

fn compact(s: &str) -> String {
    normalize(s).replace(' ', "")
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

/// Export columns that carry nothing to keep (derived, or system noise).
const NOISE: &[&str] = &[
    "initials",
    "internet free busy",
    "directory server",
    "billing information",
    "mileage",
    "sensitivity",
    "priority",
    "private",
    "file as",
    "photo",
];

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
    if looks_like_id(&column.name) {
        return Guess::Skip("an identifier with no matching field".to_string());
    }
    let sub = match &google {
        Some((base, slot, part)) => google_sub(target, file, column, base, *slot, part),
        None => named_sub(target, column, &norm),
    };
    if let Some(s) = sub {
        return Guess::Sub(s);
    }
    if let Some(s) = single_type_sub(target, &norm) {
        return Guess::Sub(s);
    }
    if !column.is_empty() {
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

/// `Phone 1 - Value` → (`Phone`, 1, `value`).
fn google_parts(header: &str) -> Option<(String, u32, String)> {
    let (left, right) = header.rsplit_once(" - ")?;
    let (base, num) = left.trim().rsplit_once(' ')?;
    let slot: u32 = num.parse().ok()?;
    Some((base.trim().to_string(), slot, normalize(right)))
}

/// Does the column's content fit a field of this type?
fn content_fits(field_type: FieldType, column: &SourceColumn) -> bool {
    if column.is_empty() {
        return true;
    }
    match field_type {
        FieldType::Date => matches!(column.kind, InferredKind::Date { .. } | InferredKind::Empty),
        FieldType::Timestamp => {
            matches!(
                column.kind,
                InferredKind::Timestamp { .. } | InferredKind::Date { .. } | InferredKind::Empty
            )
        }
        FieldType::Integer => matches!(column.kind, InferredKind::Integer | InferredKind::Empty),
        FieldType::Decimal => {
            matches!(column.kind, InferredKind::Integer | InferredKind::Decimal | InferredKind::Empty)
        }
        FieldType::Boolean => matches!(column.kind, InferredKind::Boolean) || column.distinct.len() <= 3,
        FieldType::String | FieldType::Enum => true,
    }
}

fn field_names(f: &Field) -> impl Iterator<Item = String> + '_ {
    [normalize(&f.name), normalize(&f.label)].into_iter().chain(f.synonyms.iter().map(|s| normalize(s)))
}

fn plain_by_name(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<Guess> {
    let squeezed = norm.replace(' ', "");
    let mut best: Option<(f64, &Field)> = None;
    for f in target.plain_fields() {
        let score = if field_names(f).any(|n| n == norm) {
            0.95
        } else if field_names(f).any(|n| n.replace(' ', "") == squeezed) {
            0.85
        } else {
            continue;
        };
        if !content_fits(f.field_type, column) {
            continue;
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, f));
        }
    }
    best.map(|(confidence, f)| Guess::Field {
        field: f.name.clone(),
        confidence,
        reason: if confidence > 0.9 { "name matches" } else { "name matches, spelled differently" }
            .to_string(),
    })
}

fn plain_fuzzy(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<Guess> {
    let squeezed = norm.replace(' ', "");
    if squeezed.len() < 5 {
        return None;
    }
    let mut best: Option<(f64, &Field)> = None;
    for f in target.plain_fields() {
        if !content_fits(f.field_type, column) {
            continue;
        }
        for n in field_names(f) {
            let sim = strsim::jaro_winkler(&squeezed, &n.replace(' ', ""));
            if sim >= 0.93 && best.is_none_or(|(s, _)| sim > s) {
                best = Some((sim, f));
            }
        }
    }
    best.map(|(sim, f)| Guess::Field {
        field: f.name.clone(),
        confidence: (sim - 0.3).clamp(0.4, 0.7),
        reason: "name is close to the field's".to_string(),
    })
}

/// Words that name a subcollection instance's type, with the type they mean.
const TYPE_WORDS: &[(&str, &str)] = &[
    ("business", "Business"),
    ("work", "Business"),
    ("office", "Business"),
    ("company", "Business"),
    ("home", "Home"),
    ("personal", "Home"),
    ("residence", "Home"),
    ("mobile", "Mobile"),
    ("cell", "Mobile"),
    ("cellular", "Mobile"),
    ("vacation", "Vacation"),
    ("holiday", "Vacation"),
    ("cottage", "Vacation"),
    ("mailing", "Mailing"),
    ("other", "Other"),
    ("alternate", "Other"),
];

const PHONE_WORDS: &[&str] =
    &["phone", "telephone", "tel", "fax", "pager", "email", "ext", "extension", "mobile", "cell"];
const ADDRESS_WORDS: &[&str] = &[
    "street", "address", "addr", "line", "city", "town", "state", "province", "region", "zip", "postal",
    "postcode", "country", "extended",
];
/// Words that say nothing about which instance a column belongs to.
const FILLER: &[&str] = &["number", "no", "nr", "num", "value", "code", "the", "of"];

fn has_type(target: &TargetDefinition, sub: &str, type_name: &str) -> bool {
    target.subcollection(sub).is_some_and(|c| c.type_names.iter().any(|t| t == type_name))
}

/// Guesses Telcom and Address attributes from a header's words.
fn named_sub(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<SubGuess> {
    let words: Vec<&str> = norm.split(' ').collect();
    let type_word = words.iter().find_map(|w| TYPE_WORDS.iter().find(|(tw, _)| tw == w).map(|(_, t)| *t));
    let number = words.iter().find_map(|w| w.parse::<u32>().ok());
    let is_phone = words.iter().any(|w| PHONE_WORDS.contains(w));
    let is_address = words.iter().any(|w| ADDRESS_WORDS.contains(w));
    if is_phone && target.subcollection("Telcom").is_some() {
        let email = words.contains(&"email");
        let fax = words.contains(&"fax");
        let pager = words.contains(&"pager");
        let ext = words.iter().any(|w| *w == "ext" || *w == "extension");
        let (type_name, defaulted) = if email {
            match type_word {
                Some("Home") => ("Personal Email", false),
                _ => ("Email", false),
            }
        } else if fax {
            match type_word {
                Some("Home") => ("Home Fax", false),
                Some("Other") => ("Other", false),
                Some(_) => ("Business Fax", false),
                None => ("Business Fax", true),
            }
        } else if pager {
            ("Pager", false)
        } else if let Some(t) = type_word {
            (t, false)
        } else {
            ("Business", true)
        };
        let type_name = if has_type(target, "Telcom", type_name) { type_name } else { "Other" };
        if !has_type(target, "Telcom", type_name) {
            return None;
        }
        let qualifiers: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| {
                !PHONE_WORDS.contains(w)
                    && !FILLER.contains(w)
                    && !TYPE_WORDS.iter().any(|(tw, _)| tw == w)
                    && w.parse::<u32>().is_err()
                    && *w != "address"
            })
            .collect();
        // A bare qualifier with no type word (`Car Phone`) is a weak guess: only worth it with data.
        if defaulted && !qualifiers.is_empty() && column.is_empty() {
            return None;
        }
        let attr = if ext { "extension" } else { "value" };
        target.attribute("Telcom", attr)?;
        let slot = number.unwrap_or(1);
        // A fax filed under a type that does not say so (`Other Fax`) is its own instance.
        let mut group_words = qualifiers.clone();
        if fax && !type_name.contains("Fax") {
            group_words.push("fax");
        }
        return Some(SubGuess {
            assumed: defaulted,
            type_from: None,
            sub: "Telcom".to_string(),
            type_name: type_name.to_string(),
            attr: attr.to_string(),
            group: format!("{}#{}", group_words.join(" "), slot),
            slot,
            rank: u8::from(!qualifiers.is_empty()),
            confidence: if defaulted { 0.6 } else { 0.9 },
            reason: match (defaulted, email) {
                (true, _) => "names a phone; type name assumed".to_string(),
                (false, true) => format!("names an e-mail address of type {type_name}"),
                (false, false) => format!("names a number of type {type_name}"),
            },
        });
    }
    if is_address && target.subcollection("Address").is_some() {
        let attr = address_attr(&words)?;
        target.attribute("Address", attr)?;
        let (type_name, defaulted) = match type_word {
            Some(t) if has_type(target, "Address", t) => (t, false),
            _ if has_type(target, "Address", "Home") => ("Home", true),
            _ => (target.subcollection("Address")?.type_names.first()?.as_str(), true),
        };
        let bare_address = !words.iter().any(|w| ["street", "line", "addr"].contains(w)) && attr == "line1";
        return Some(SubGuess {
            assumed: defaulted,
            type_from: None,
            sub: "Address".to_string(),
            type_name: type_name.to_string(),
            attr: attr.to_string(),
            group: String::new(),
            slot: 1,
            rank: 0,
            confidence: match (defaulted, bare_address) {
                (false, false) => 0.9,
                (true, false) => 0.7,
                (_, true) => 0.55,
            },
            reason: if defaulted {
                "names an address part; type name assumed".to_string()
            } else {
                format!("names a part of an address of type {type_name}")
            },
        });
    }
    None
}

/// The Address attribute an address header's words name.
fn address_attr(words: &[&str]) -> Option<&'static str> {
    let has = |w: &str| words.contains(&w);
    if has("po") && has("box") || has("pobox") {
        return None;
    }
    if has("city") || has("town") {
        return Some("city");
    }
    if has("state") || has("province") || has("region") || has("county") {
        return Some("state");
    }
    if has("zip") || has("postal") || has("postcode") {
        return Some("zip");
    }
    if has("country") {
        return Some("country");
    }
    if has("extended") {
        return Some("line2");
    }
    // `Street 2`, `Address Line 3`: the number after the line word is the line.
    let line_no = words
        .iter()
        .position(|w| ["street", "line", "address", "addr"].contains(w))
        .and_then(|p| words[p + 1..].iter().find_map(|w| w.parse::<u32>().ok()));
    match line_no {
        Some(2) => Some("line2"),
        Some(3) => Some("line3"),
        Some(1) | None if words.iter().any(|w| ["street", "line", "address", "addr"].contains(w)) => {
            Some("line1")
        }
        _ => None,
    }
}

/// The type a Google label value names (`* Work` → Business).
fn label_type(label: &str, email: bool) -> Option<&'static str> {
    let l = normalize(label);
    Some(match l.as_str() {
        "work" | "main" | "business" | "office" if email => "Email",
        "home" | "personal" | "private" if email => "Personal Email",
        _ if email => "Email",
        "work fax" | "business fax" => "Business Fax",
        "home fax" => "Home Fax",
        "work" | "main" | "business" | "office" | "company main" => "Business",
        "home" => "Home",
        "mobile" | "cell" | "iphone" => "Mobile",
        "pager" => "Pager",
        "other" | "google voice" => "Other",
        _ => return None,
    })
}

/// Google's numbered groups: `Phone 1 - Value`, `Address 2 - City`, `Custom Field 1 - Label`.
fn google_sub(
    target: &TargetDefinition,
    file: &SourceFile,
    column: &SourceColumn,
    base: &str,
    slot: u32,
    part: &str,
) -> Option<SubGuess> {
    let base_norm = normalize(base);
    let label = || {
        file.column(&format!("{base} {slot} - Label"))
            .or_else(|| file.column(&format!("{base} {slot} - Type")))
            .and_then(|c| c.distinct.first())
            .map(|v| v.trim_start_matches('*').trim().to_string())
    };
    let guess = |sub: &str, type_name: &str, attr: &str, from_label: bool| {
        Some(SubGuess {
            assumed: false,
            type_from: None,
            sub: sub.to_string(),
            type_name: type_name.to_string(),
            attr: attr.to_string(),
            group: format!("{base_norm}#{slot}"),
            slot,
            rank: 0,
            confidence: if from_label { 0.85 } else { 0.7 },
            reason: if from_label {
                format!("{base_norm} {slot}, type name from its label column")
            } else {
                format!("{base_norm} {slot}, type name assumed")
            },
        })
    };
    match base_norm.as_str() {
        "email" | "phone" => {
            if part != "value" || target.subcollection("Telcom").is_none() {
                return None;
            }
            let email = base_norm == "email";
            let found = label().and_then(|l| label_type(&l, email)).filter(|t| has_type(target, "Telcom", t));
            let fallback = if email { "Email" } else { "Business" };
            guess("Telcom", found.unwrap_or(fallback), "value", found.is_some())
        }
        "address" => {
            let attr = match part {
                "street" => "line1",
                "extended address" => "line2",
                "city" => "city",
                "region" => "state",
                "postal code" => "zip",
                "country" => "country",
                _ => return None,
            };
            let found =
                label().and_then(|l| label_type(&l, false)).filter(|t| has_type(target, "Address", t));
            guess("Address", found.unwrap_or("Home"), attr, found.is_some())
        }
        "custom field" => {
            let c = target.subcollection("CustomField")?;
            let attr = match part {
                "label" => c.fields.first()?,
                "value" => c.fields.get(1)?,
                _ => return None,
            };
            let _ = column;
            guess("CustomField", c.type_names.first()?, &attr.name, true).map(|mut g| {
                g.confidence = 0.8;
                g.reason = format!("custom field {slot}: its {part}");
                g
            })
        }
        _ => None,
    }
}

/// Subcollections with a single type name (Category) matched by their attributes' synonyms.
fn single_type_sub(target: &TargetDefinition, norm: &str) -> Option<SubGuess> {
    for c in target.categories.iter().filter(|c| c.subcollection && c.type_names.len() == 1) {
        for f in &c.fields {
            if field_names(f).any(|n| n == norm)
                && (f.synonyms.iter().any(|s| normalize(s) == norm) || normalize(&c.name) == norm)
            {
                return Some(SubGuess {
                    assumed: false,
                    type_from: None,
                    sub: c.name.clone(),
                    type_name: c.type_names[0].clone(),
                    attr: f.name.clone(),
                    group: norm.to_string(),
                    slot: 1,
                    rank: 0,
                    confidence: 0.85,
                    reason: format!("name matches a {} attribute", c.label.to_lowercase()),
                });
            }
        }
    }
    None
}

/// The content decides: e-mails, phones, zips and genders.
fn by_content(target: &TargetDefinition, column: &SourceColumn) -> Option<Guess> {
    let sub = |sub: &str, type_name: &str, attr: &str, what: &str| {
        (has_type(target, sub, type_name) && target.attribute(sub, attr).is_some()).then(|| {
            Guess::Sub(SubGuess {
                assumed: true,
                type_from: None,
                sub: sub.to_string(),
                type_name: type_name.to_string(),
                attr: attr.to_string(),
                group: format!("content {}", column.name),
                slot: 1,
                rank: 1,
                confidence: 0.5,
                reason: format!("its values look like {what}"),
            })
        })
    };
    match column.kind {
        InferredKind::Email => sub("Telcom", "Email", "value", "e-mail addresses"),
        InferredKind::Phone => sub("Telcom", "Business", "value", "phone numbers"),
        InferredKind::Zip => sub("Address", "Home", "zip", "postal codes"),
        _ => {
            let gender = target
                .plain_fields()
                .find(|f| f.field_type == FieldType::Enum && normalize(&f.name) == "gender")?;
            let gendery = ["m", "f", "u", "male", "female", "unknown", "man", "woman", "x"];
            let all = !column.distinct_capped
                && !column.distinct.is_empty()
                && column.distinct.iter().all(|v| gendery.contains(&v.trim().to_lowercase().as_str()));
            all.then(|| Guess::Field {
                field: gender.name.clone(),
                confidence: 0.6,
                reason: "its values look like genders".to_string(),
            })
        }
    }
}

/// Type codes of long-format tables (`W`, `H`, `CELL`) per subcollection, beside
/// the words [`label_type`] knows and the type names themselves.
const TYPE_CODES: &[(&str, &str, &str)] = &[
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
    ("Address", "w", "Business"),
    ("Address", "b", "Business"),
    ("Address", "work", "Business"),
    ("Address", "office", "Business"),
    ("Address", "h", "Home"),
    ("Address", "m", "Mailing"),
    ("Address", "postal", "Mailing"),
    ("Address", "v", "Vacation"),
    ("Address", "o", "Other"),
];

/// A long-format table (a row per phone or address, its type in a column
/// such as `PHONE_TYPE` or `KIND`): the subcollection columns whose type was
/// only assumed take each row's type from that column instead, when most of
/// its values name a type. The type column itself is then not mapped.
fn type_column(target: &TargetDefinition, file: &SourceFile, mut guesses: Vec<Guess>) -> Vec<Guess> {
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
        if !free
            || !matches!(last, Some("type" | "kind"))
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
        (known * 2 >= column.distinct.len())
            .then(|| (i, sub.to_string(), TypeFrom { column: column.name.clone(), values }))
    });
    let Some((at, sub, from)) = found else { return guesses };
    let mut typed = 0;
    for (i, g) in guesses.iter_mut().enumerate() {
        if let Guess::Sub(s) = g
            && i != at
            && s.assumed
            && s.sub == sub
        {
            s.type_from = Some(from.clone());
            s.confidence = 0.75;
            s.reason = format!("{sub} of a row per instance: type name from column `{}`", from.column);
            typed += 1;
        }
    }
    if typed > 0 {
        guesses[at] = Guess::Skip(format!("names the {sub} type of each row (typeFrom)"));
    }
    guesses
}

/// A `Primary`/`IS_PRIMARY` flag belongs to the file's only subcollection instance, when it has one.
fn attach_primary(target: &TargetDefinition, file: &SourceFile, mut guesses: Vec<Guess>) -> Vec<Guess> {
    let mut instances: Vec<(String, String, String, u8, u32)> = guesses
        .iter()
        .filter_map(|g| match g {
            Guess::Sub(s) if s.sub != "UserField" => {
                Some((s.sub.clone(), s.type_name.clone(), s.group.clone(), s.rank, s.slot))
            }
            _ => None,
        })
        .collect();
    instances.dedup();
    instances.sort();
    instances.dedup();
    let [(sub, type_name, group, rank, slot)] = instances.as_slice() else { return guesses };
    let Some(attr) = target.attribute(sub, "primary") else { return guesses };
    // The flag's instance type is as sure as the instance's own.
    let assumed = guesses.iter().any(|g| matches!(g, Guess::Sub(s) if s.sub == *sub && s.assumed));
    for (g, column) in guesses.iter_mut().zip(&file.columns) {
        let words = normalize(&column.name);
        let flag = words.split(' ').any(|w| w == "primary" || w == "preferred");
        if flag && matches!(g, Guess::Sub(s) if s.sub == "UserField") && content_fits(attr.field_type, column)
        {
            *g = Guess::Sub(SubGuess {
                assumed,
                type_from: None,
                sub: sub.clone(),
                type_name: type_name.clone(),
                attr: attr.name.clone(),
                group: group.clone(),
                slot: *slot,
                rank: *rank,
                confidence: 0.7,
                reason: "a primary flag of the file's only instance".to_string(),
            });
        }
    }
    guesses
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

fn looks_like_id(name: &str) -> bool {
    let n = normalize(name);
    matches!(n.rsplit(' ').next().unwrap_or(""), "id" | "key" | "guid" | "uuid")
}

/// Child files: a file holding another file's first (id) column (not as its own
/// first column, unless the other file comes first).
/// Returns the links made: (child file, link column, parent file).
fn link_children(template: &mut MappingTemplate, files: &[SourceFile]) -> Vec<(String, String, String)> {
    let mut made = Vec::new();
    let mut links = Vec::new();
    for (ci, child) in files.iter().enumerate() {
        for (pi, parent) in files.iter().enumerate() {
            if ci == pi {
                continue;
            }
            let Some(id) = parent.columns.first() else { continue };
            if !looks_like_id(&id.name) {
                continue;
            }
            let Some(pos) = child.columns.iter().position(|c| normalize(&c.name) == normalize(&id.name))
            else {
                continue;
            };
            // A shared first column says nothing of who is whose parent: take file order.
            if pos == 0 && pi > ci {
                continue;
            }
            links.push((ci, pi, child.columns[pos].name.clone(), id.name.clone()));
            break;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::InferredKind as K;

    fn contacts() -> TargetDefinition {
        TargetDefinition::bundled("contacts").unwrap()
    }

    fn file(name: &str, columns: &[(&str, &[&str], K)]) -> SourceFile {
        SourceFile {
            name: name.to_string(),
            rows: None,
            columns: columns.iter().map(|(n, v, k)| SourceColumn::from_values(n, v, k.clone())).collect(),
        }
    }

    fn targets(s: &Suggestion, file: &str) -> Vec<(String, Option<String>)> {
        s.decisions.iter().filter(|d| d.file == file).map(|d| (d.column.clone(), d.target.clone())).collect()
    }

    fn t(column: &str, target: Option<&str>) -> (String, Option<String>) {
        (column.to_string(), target.map(str::to_string))
    }

    #[test]
    fn a_type_column_types_the_rows_of_a_long_format_table() {
        let phones = file(
            "phones.csv",
            &[
                ("CONTACT_ID", &["C1", "C1", "C2", "C3"], K::Text),
                ("PHONE_TYPE", &["W", "cell", "Home", "Beeper"], K::Text),
                ("NUMBER", &["416-555-0100", "416-555-0101", "416-555-0102", "416-555-0103"], K::Phone),
            ],
        );
        let s = suggest(&contacts(), "contacts", &[phones]);
        assert_eq!(
            targets(&s, "phones.csv"),
            vec![
                t("CONTACT_ID", Some("externalId")),
                t("PHONE_TYPE", None),
                t("NUMBER", Some("Telcom[type in PHONE_TYPE].value")),
            ]
        );
        let number = s.template.files[0].mappings.iter().find(|m| m.column == "NUMBER").unwrap();
        let from = number.type_from.as_ref().unwrap();
        // `Home` is a type name already; `Beeper` is left to the user (rows with it are errors).
        assert_eq!(
            from.values,
            [("W", "Business"), ("cell", "Mobile")].into_iter().map(|(k, v)| (k.into(), v.into())).collect()
        );
        assert_eq!(number.type_name, None);

        // A column named like a type that holds no type names is kept as data.
        let other = file(
            "phones.csv",
            &[
                ("NUMBER", &["416-555-0100", "416-555-0101"], K::Phone),
                ("KIND", &["gold", "silver"], K::Text),
            ],
        );
        let s = suggest(&contacts(), "contacts", &[other]);
        assert_eq!(
            targets(&s, "phones.csv"),
            vec![t("NUMBER", Some("Telcom[Business].value")), t("KIND", Some("UserField[KIND].value"))]
        );
    }

    #[test]
    fn normalize_splits_case_digits_and_punctuation() {
        assert_eq!(normalize("FirstName"), "first name");
        assert_eq!(normalize("E-mail 2 Address"), "email 2 address");
        assert_eq!(normalize("STREET1"), "street 1");
        assert_eq!(normalize("Manager's Name"), "managers name");
        assert_eq!(normalize("TTY/TDD Phone"), "tty tdd phone");
    }

    #[test]
    fn enumeration_values_are_guessed() {
        let genders: Vec<String> = ["Male", "Female", "Unknown"].map(String::from).to_vec();
        assert_eq!(guess_enum_value("M", &genders).as_deref(), Some("Male"));
        assert_eq!(guess_enum_value("f", &genders).as_deref(), Some("Female"));
        assert_eq!(guess_enum_value("Unspecified", &genders).as_deref(), Some("Unknown"));
        assert_eq!(guess_enum_value("Q", &genders), None);
        let titles: Vec<String> = ["Mr.", "Mrs.", "Ms.", "Miss"].map(String::from).to_vec();
        assert_eq!(guess_enum_value("MRS", &titles).as_deref(), Some("Mrs."));
        assert_eq!(guess_enum_value("Mi", &titles).as_deref(), Some("Miss"));
    }

    #[test]
    fn names_synonyms_and_content_decide() {
        let f = file(
            "people.csv",
            &[
                ("CONTACT_ID", &["C1", "C2"], K::Text),
                ("FName", &["Ann", "Bob"], K::Text),
                ("Surname", &["Lee", "Ng"], K::Text),
                (
                    "DOB",
                    &["31/12/1980"],
                    K::Date { format: "%d/%m/%Y".into(), ambiguous: false, alternative: None },
                ),
                ("Children", &["Anna, Ben"], K::Text),
                ("col7", &["M", "F", "F"], K::Text),
                ("contact", &["ann@example.com"], K::Email),
                ("Internet Free Busy", &["x"], K::Text),
                ("Shoe Size", &["42"], K::Integer),
                ("Fax Number", &[], K::Empty),
                ("Car Phone", &[], K::Empty),
            ],
        );
        let s = suggest(&contacts(), "contacts", &[f]);
        assert_eq!(
            targets(&s, "people.csv"),
            vec![
                t("CONTACT_ID", Some("externalId")),
                t("FName", Some("firstName")),
                t("Surname", Some("lastName")),
                t("DOB", Some("birthDate")),
                t("Children", Some("UserField[Children].value")),
                t("col7", Some("gender")),
                t("contact", Some("Telcom[Email].value")),
                t("Internet Free Busy", None),
                t("Shoe Size", Some("UserField[Shoe Size].value")),
                t("Fax Number", Some("Telcom[Business Fax].value")),
                t("Car Phone", None),
            ]
        );
        let m = &s.template.files[0].mappings;
        assert_eq!(m[3].converter, Converter::Date { format: "%d/%m/%Y".into() });
        let gender = m.iter().find(|m| m.field == "gender").unwrap();
        assert_eq!(
            gender.converter,
            Converter::Enumeration {
                table: [
                    ("F".to_string(), Some("Female".to_string())),
                    ("M".to_string(), Some("Male".to_string()))
                ]
                .into()
            }
        );
        let conf = |c: &str| s.decisions.iter().find(|d| d.column == c).unwrap().confidence;
        assert!(conf("FName") > conf("col7") && conf("col7") > conf("Shoe Size"));
    }

    #[test]
    fn child_files_link_and_group_their_columns_into_instances() {
        let contacts_file =
            file("contacts.csv", &[("CONTACT_ID", &["C1"], K::Text), ("LAST_NAME", &["Lee"], K::Text)]);
        let phones = file(
            "phones.csv",
            &[
                ("PHONE_ID", &["P1"], K::Text),
                ("CONTACT_ID", &["C1"], K::Text),
                ("WORK_PHONE", &["416-555-0100"], K::Phone),
                ("WORK_EXT", &["12"], K::Integer),
                ("HOME_PHONE", &["416-555-0101"], K::Phone),
                ("HOME_PHONE_2", &["416-555-0102"], K::Phone),
            ],
        );
        let addresses = file(
            "addresses.csv",
            &[
                ("CONTACT_ID", &["C1"], K::Text),
                ("STREET1", &["1 Main St"], K::Text),
                ("POSTAL_CODE", &["M5V 2T6"], K::Zip),
                ("IS_PRIMARY", &["Y", "N"], K::Boolean),
            ],
        );
        let s = suggest(&contacts(), "contacts", &[contacts_file, phones, addresses]);
        assert_eq!(s.template.files[0].id_column.as_deref(), Some("CONTACT_ID"));
        let p = &s.template.files[1];
        assert_eq!(p.parent.as_ref().map(|l| l.column.as_str()), Some("CONTACT_ID"));
        assert_eq!(p.category, "Telcom");
        assert_eq!(
            targets(&s, "phones.csv"),
            vec![
                t("PHONE_ID", None),
                t("CONTACT_ID", None),
                t("WORK_PHONE", Some("Telcom[Business].value")),
                t("WORK_EXT", Some("Telcom[Business].extension")),
                t("HOME_PHONE", Some("Telcom[Home].value")),
                t("HOME_PHONE_2", Some("Telcom[Home #2].value")),
            ]
        );
        assert_eq!(
            targets(&s, "addresses.csv"),
            vec![
                t("CONTACT_ID", None),
                t("STREET1", Some("Address[Home].line1")),
                t("POSTAL_CODE", Some("Address[Home].zip")),
                t("IS_PRIMARY", Some("Address[Home].primary")),
            ]
        );
        assert_eq!(s.template.files[2].category, "Address");
    }

    #[test]
    fn google_groups_take_their_type_from_the_label_column() {
        let f = file(
            "google.csv",
            &[
                ("Phone 1 - Label", &["Mobile", "Work"], K::Text),
                ("Phone 1 - Value", &["+1 416-555-0100"], K::Phone),
                ("E-mail 1 - Label", &["* Home"], K::Text),
                ("E-mail 1 - Value", &["a@example.com"], K::Email),
                ("Address 1 - Label", &["Work"], K::Text),
                ("Address 1 - Formatted", &["1 Main St\nToronto"], K::Text),
                ("Address 1 - City", &["Toronto"], K::Text),
                ("Custom Field 1 - Label", &["Tier"], K::Text),
                ("Custom Field 1 - Value", &["Gold"], K::Text),
                ("Website 1 - Value", &["https://example.com"], K::Text),
            ],
        );
        let s = suggest(&contacts(), "contacts", &[f]);
        assert_eq!(
            targets(&s, "google.csv"),
            vec![
                t("Phone 1 - Label", None),
                t("Phone 1 - Value", Some("Telcom[Mobile].value")),
                t("E-mail 1 - Label", None),
                t("E-mail 1 - Value", Some("Telcom[Personal Email].value")),
                t("Address 1 - Label", None),
                t("Address 1 - Formatted", None),
                t("Address 1 - City", Some("Address[Business].city")),
                t("Custom Field 1 - Label", Some("CustomField[Custom].name")),
                t("Custom Field 1 - Value", Some("CustomField[Custom].value")),
                t("Website 1 - Value", Some("UserField[Website 1].value")),
            ]
        );
    }
}
