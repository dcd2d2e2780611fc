//! Header heuristics: normalising header words, export noise, plain fields by
//! name (exact, respelled, close), identifiers, Google's numbered groups.

use crate::session::SourceColumn;
use crate::target::{Field, TargetDefinition};

use super::Guess;
use super::content::content_fits;

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

pub(super) fn compact(s: &str) -> String {
    normalize(s).replace(' ', "")
}

/// Export columns that carry nothing to keep (derived, or system noise).
pub(super) const NOISE: &[&str] = &[
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

/// `Phone 1 - Value` → (`Phone`, 1, `value`).
pub(super) fn google_parts(header: &str) -> Option<(String, u32, String)> {
    let (left, right) = header.rsplit_once(" - ")?;
    let (base, num) = left.trim().rsplit_once(' ')?;
    let slot: u32 = num.parse().ok()?;
    Some((base.trim().to_string(), slot, normalize(right)))
}

/// The names a header may use for `f`. A key field (which finds existing
/// records) answers to its own name and label only: a legacy id (`ID`,
/// `Contact ID`) is data, and mapping it to the key is the user's call.
pub(super) fn field_names(f: &Field) -> impl Iterator<Item = String> + '_ {
    let synonyms = if f.key { &[][..] } else { &f.synonyms[..] };
    [normalize(&f.name), normalize(&f.label)].into_iter().chain(synonyms.iter().map(|s| normalize(s)))
}

/// The key field whose synonym the header is (a legacy id), if any.
pub(crate) fn key_synonym<'t>(target: &'t TargetDefinition, norm: &str) -> Option<&'t Field> {
    target.key_field().filter(|f| f.synonyms.iter().any(|s| normalize(s) == norm))
}

pub(super) fn plain_by_name(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<Guess> {
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

pub(super) fn plain_fuzzy(target: &TargetDefinition, column: &SourceColumn, norm: &str) -> Option<Guess> {
    let squeezed = norm.replace(' ', "");
    if squeezed.len() < 5 {
        return None;
    }
    let mut best: Option<(f64, &Field)> = None;
    for f in target.plain_fields() {
        if f.key || !content_fits(f.field_type, column) {
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

pub(super) fn looks_like_id(name: &str) -> bool {
    let n = normalize(name);
    matches!(n.rsplit(' ').next().unwrap_or(""), "id" | "key" | "guid" | "uuid")
}
