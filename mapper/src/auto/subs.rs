//! Subcollection guessing: Telcom and Address attributes and their type names
//! from a header's words, Google's numbered groups, single-type subcollections,
//! and primary flags.

use crate::session::{SourceColumn, SourceFile};
use crate::target::TargetDefinition;

use super::content::content_fits;
use super::header::{field_names, normalize};
use super::{Guess, SubGuess};

/// Words that name a subcollection instance's type, with the type they mean.
pub(super) const TYPE_WORDS: &[(&str, &str)] = &[
    ("business", "Business"),
    ("bus", "Business"),
    ("biz", "Business"),
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

pub(super) const PHONE_WORDS: &[&str] =
    &["phone", "telephone", "tel", "fax", "pager", "email", "ext", "extension", "mobile", "cell"];
pub(super) const ADDRESS_WORDS: &[&str] = &[
    "street", "address", "addr", "line", "city", "town", "state", "province", "region", "zip", "postal",
    "postcode", "country", "extended",
];
/// Words that say nothing about which instance a column belongs to.
pub(super) const FILLER: &[&str] = &["number", "no", "nr", "num", "value", "code", "the", "of"];

pub(super) fn has_type(target: &TargetDefinition, sub: &str, type_name: &str) -> bool {
    target.subcollection(sub).is_some_and(|c| c.type_names.iter().any(|t| t == type_name))
}

/// Header words run together (`HOMEPHONE`, `BUSADDR`, `WORKFAX`) split into the
/// words that name a type, a phone or an address part; other words stay whole.
pub(super) fn split_compounds(norm: &str) -> String {
    fn known(w: &str) -> bool {
        TYPE_WORDS.iter().any(|(t, _)| *t == w)
            || PHONE_WORDS.contains(&w)
            || ADDRESS_WORDS.contains(&w)
            || FILLER.contains(&w)
    }
    fn split(w: &str) -> Option<Vec<&str>> {
        if known(w) {
            return Some(vec![w]);
        }
        (2..w.len().saturating_sub(1)).filter(|&i| w.is_char_boundary(i)).find_map(|i| {
            let (left, right) = w.split_at(i);
            if !known(left) {
                return None;
            }
            let mut rest = split(right)?;
            rest.insert(0, left);
            Some(rest)
        })
    }
    let words: Vec<String> = norm
        .split(' ')
        .map(|w| match split(w) {
            Some(parts) if parts.len() > 1 => parts.join(" "),
            _ => w.to_string(),
        })
        .collect();
    words.join(" ")
}

/// Guesses Telcom and Address attributes from a header's words.
pub(super) fn named_sub(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<SubGuess> {
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
pub(super) fn address_attr(words: &[&str]) -> Option<&'static str> {
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
pub(super) fn label_type(label: &str, email: bool) -> Option<&'static str> {
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
pub(super) fn google_sub(
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
pub(super) fn single_type_sub(target: &TargetDefinition, norm: &str) -> Option<SubGuess> {
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

/// A `Primary`/`IS_PRIMARY` flag belongs to the file's only subcollection instance, when it has one.
pub(super) fn attach_primary(
    target: &TargetDefinition,
    file: &SourceFile,
    mut guesses: Vec<Guess>,
) -> Vec<Guess> {
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
