//! Matching profiles: which values of a record are compared, how they are
//! normalised, when two values agree, what each agreement weighs, and the
//! thresholds that turn a quality into a class.
//!
//! Profiles are user-edited JSON (`templates/matching/contacts.json`,
//! `leads.json`), validated against `schemas/matching.schema.json` on load and
//! then checked for meaning ([`MatchingProfile::check`]).

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Error, MatchClass};

/// What is wrong with a matching profile, and where: a JSON pointer
/// (`/fields/2/weight`, `/thresholds/potential`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub at: String,
    pub message: String,
}

/// The `$schema` reference written into matching profiles.
pub const MATCHING_SCHEMA_REF: &str = "https://ferry.dev/schemas/matching.schema.json";

/// The bundled matching profiles, by kind, as JSON text.
pub const BUNDLED_PROFILES: &[(&str, &str)] = &[
    ("contacts", include_str!("../../../templates/matching/contacts.json")),
    ("leads", include_str!("../../../templates/matching/leads.json")),
];

/// A matching profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("$id" = "https://ferry.dev/schemas/matching.schema.json"))]
pub struct MatchingProfile {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Version of this file format (1).
    pub format_version: u32,
    /// The kind of record the profile matches: `contacts` or `leads`.
    pub kind: RecordKind,
    /// The compared values, in display order.
    pub fields: Vec<MatchField>,
    pub thresholds: Thresholds,
    /// How many candidates each staged record keeps, best first.
    #[serde(default = "default_candidates")]
    pub candidates: usize,
    /// Country whose numbering plan reads phone numbers written without a
    /// country code (CLDR id such as `CA`, `US`, `DE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
    /// Target fields whose imported value replaces the existing record's
    /// differing value when the two are merged (otherwise the existing value stays).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_wins: Vec<String>,
    /// Fellegi–Sunter scoring (profiles written by `ferry learn`): each field
    /// lists its comparison `levels` with their m- and u-probabilities, and
    /// the quality is the match probability in percent. Absent: the quality
    /// is the sum of the weights of the agreeing fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probabilistic: Option<Probabilistic>,
}

/// The parts of a Fellegi–Sunter model that belong to no single field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probabilistic {
    /// The probability that two records picked at random are the same
    /// person (λ, the prior), as estimated from the data.
    pub prior: f64,
}

/// One comparison level of a field with its probabilities; its weight (in
/// bits) is log2(m / u).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LevelWeight {
    pub level: Level,
    /// The probability of this level when the two records are the same person.
    pub m: f64,
    /// The probability of this level when they are not (from random pairs).
    pub u: f64,
}

impl LevelWeight {
    /// log2(m / u): what reaching this level adds to a pair's evidence.
    pub fn weight(&self) -> f64 {
        (self.m / self.u).log2()
    }
}

/// How two values of a field compare, from the closest to the farthest.
/// A field's `levels` are tried in order; the first that holds is the pair's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    /// Equal after normalisation (phones as E.164, e-mails lower-cased).
    Exact,
    /// First and last name swapped (with at most one typo each); needs `swapWith`.
    Swapped,
    /// One typo apart (both at least 4 characters).
    Typo,
    /// The same phonetic code (Double Metaphone).
    Phonetic,
    /// One value is a single letter, the initial of the other.
    Initial,
    /// A date with day and month swapped.
    DayMonthSwap,
    /// A date whose year is one off, month and day equal.
    YearOff,
    /// One character (digit) differs, the lengths equal.
    OneDigit,
    /// Any other difference.
    Else,
    /// Missing on either side: weighs nothing (never listed in a profile).
    Missing,
}

impl Level {
    /// Every level, in display order.
    pub const ALL: [Level; 10] = [
        Level::Exact,
        Level::Swapped,
        Level::Typo,
        Level::Phonetic,
        Level::Initial,
        Level::DayMonthSwap,
        Level::YearOff,
        Level::OneDigit,
        Level::Else,
        Level::Missing,
    ];

    /// The level's name in profile files (`dayMonthSwap`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Exact => "exact",
            Level::Swapped => "swapped",
            Level::Typo => "typo",
            Level::Phonetic => "phonetic",
            Level::Initial => "initial",
            Level::DayMonthSwap => "dayMonthSwap",
            Level::YearOff => "yearOff",
            Level::OneDigit => "oneDigit",
            Level::Else => "else",
            Level::Missing => "missing",
        }
    }

    /// Whether blocking keys can find pairs at this level (an initial, any
    /// other difference and a missing value have no key).
    pub fn blockable(self) -> bool {
        !matches!(self, Level::Initial | Level::Else | Level::Missing)
    }
}

fn default_candidates() -> usize {
    5
}

pub use ferry_mapper::target::RecordKind;

/// Match quality thresholds, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Thresholds {
    /// At or above: Match (proposes Merge with the best candidate).
    #[serde(rename = "match")]
    pub match_: u32,
    /// At or above (and below `match`): Potential Match (proposes Create).
    pub potential: u32,
}

/// One compared value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MatchField {
    /// Short name, unique in the profile (used by `swapWith`).
    pub name: String,
    /// What reviewers see.
    pub label: String,
    /// Quality points the pair earns when the two values agree (additive
    /// profiles; 0 in probabilistic ones).
    #[serde(default)]
    pub weight: u32,
    /// Quality points when the values agree only through the rule's tolerance
    /// (a typo, a swapped day and month, a wrong digit) rather than being
    /// equal; `weight` when absent. At most `weight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerant_weight: Option<u32>,
    /// Where the value comes from in a record.
    pub source: Source,
    /// How the value is normalised before comparing.
    pub normalize: Normalize,
    /// When two normalised values agree.
    #[serde(default)]
    pub agree: Agreement,
    /// Normalised values that count as missing (such as `unknown`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_values: Vec<String>,
    /// Another field (such as `lastName` for `firstName`): when both values
    /// agree crosswise, the pair agrees on both fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swap_with: Option<String>,
    /// Probabilistic profiles: the comparison levels, tried in order, the
    /// last one `else`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelWeight>,
    /// Probabilistic profiles: agreeing exactly on a rare value weighs more
    /// than on a common one (the u of `exact` becomes the value's frequency
    /// in the data being matched, at most 16 times rarer than `u`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub term_frequency: bool,
    /// Probabilistic profiles: the u of `exact` between namesakes (two
    /// records whose swapped fields, the first and last name, are both
    /// equal). An e-mail address made of the names is shared by namesakes far
    /// more often than by two random records, so when both names are equal,
    /// exact agreement here weighs log2(m / max(u, namesakeU)) and the names
    /// are not counted twice. `ferry learn` estimates it from namesake pairs
    /// that differ elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namesake_u: Option<f64>,
}

/// Where a compared value is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Source {
    /// A plain field of the record (`firstName`).
    Field(String),
    /// An attribute of the record's primary subcollection instance, among
    /// those that hold the attribute: the one whose `primary` attribute is
    /// true, else the first of `fallbackType`, else the first.
    Primary(PrimarySource),
}

/// An attribute of the primary instance of a subcollection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrimarySource {
    /// `Address`, `Telcom`, …
    pub subcollection: String,
    /// `zip`, `value`, …
    pub attribute: String,
    /// The type name preferred when no instance is marked primary (`Home`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_type: Option<String>,
    /// Only instances of these type names (such as `Email` among `Telcom`
    /// instances); any type when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub types: Vec<String>,
}

/// How a value is normalised before comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Normalize {
    /// Compared as written.
    None,
    /// Case, accents and runs of spaces ignored.
    Text,
    /// Case and accents ignored; spaces, hyphens, apostrophes and dots dropped.
    Name,
    /// Upper case, letters and digits only (postal codes).
    Code,
    /// A date, as `YYYYMMDD`.
    Date,
    /// A phone number in E.164 (`+14165550100`), read with `defaultCountry`.
    Phone,
    /// An e-mail address, trimmed and lower-cased.
    Email,
}

/// When two normalised values agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(tag = "rule", rename_all = "camelCase", deny_unknown_fields)]
pub enum Agreement {
    /// Equal.
    #[default]
    Exact,
    /// Equal, or one typo apart (one character inserted, deleted, replaced, or
    /// two neighbours swapped) when both are at least `minLength` characters.
    #[serde(rename_all = "camelCase")]
    Typo { min_length: usize },
    /// Equal dates, or day and month swapped, or one wrong digit.
    #[serde(rename_all = "camelCase")]
    Date { day_month_swap: bool, one_digit: bool },
}

impl MatchingProfile {
    /// The bundled profile of a kind of record.
    pub fn for_kind(kind: RecordKind) -> MatchingProfile {
        Self::bundled(kind.as_str()).expect("a bundled profile for every kind")
    }

    /// A bundled profile (`contacts`, `leads`).
    pub fn bundled(kind: &str) -> Option<MatchingProfile> {
        BUNDLED_PROFILES.iter().find(|(n, _)| *n == kind).map(|(n, text)| {
            Self::from_json(text, Path::new(&format!("templates/matching/{n}.json")))
                .expect("bundled matching profiles are valid (tested)")
        })
    }

    /// Loads a profile file.
    pub fn load(path: &Path) -> Result<MatchingProfile, Error> {
        let text =
            std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Self::from_json(&text, path)
    }

    /// Parses profile JSON, validates it against its schema, then checks it; `path` names it in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<MatchingProfile, Error> {
        let profile: MatchingProfile = ferry_mapper::schema::load_json(text, path)?;
        profile.check().map_err(|ProfileProblem { at, message }| Error::Profile {
            path: path.to_path_buf(),
            at,
            message,
        })?;
        Ok(profile)
    }

    /// The profile as pretty JSON.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("profiles serialize");
        s.push('\n');
        s
    }

    /// Checks what the schema cannot: unique names, swap partners, thresholds.
    /// A problem names where it is as a JSON pointer (`/fields/2/weight`).
    pub fn check(&self) -> Result<(), ProfileProblem> {
        let bad = |at: String, message: String| Err(ProfileProblem { at, message });
        if self.format_version != 1 {
            return bad(
                "/formatVersion".into(),
                format!("unsupported `formatVersion` {} (this ferry reads 1)", self.format_version),
            );
        }
        if self.fields.is_empty() {
            return bad("/fields".into(), "`fields` is empty: a profile compares at least one value".into());
        }
        if self.fields.len() > 16 {
            return bad(
                "/fields".into(),
                format!("{} fields: a profile compares at most 16 values", self.fields.len()),
            );
        }
        let mut names = BTreeSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            if !names.insert(f.name.as_str()) {
                return bad(format!("/fields/{i}/name"), format!("field name `{}` appears twice", f.name));
            }
        }
        let t = self.thresholds;
        if t.potential == 0 {
            return bad(
                "/thresholds/potential".into(),
                "`thresholds.potential` is 0: it must be at least 1".into(),
            );
        }
        if t.match_ < t.potential {
            return bad(
                "/thresholds/match".into(),
                format!(
                    "`thresholds.match` ({}) is below `thresholds.potential` ({})",
                    t.match_, t.potential
                ),
            );
        }
        if self.candidates == 0 {
            return bad("/candidates".into(), "`candidates` is 0: keep at least one candidate".into());
        }
        if let Some(c) = &self.default_country
            && ferry_mapper::phone::country(c).is_none()
        {
            return bad(
                "/defaultCountry".into(),
                format!("`defaultCountry`: `{c}` is not a country id (such as `CA`, `US`, `DE`)"),
            );
        }
        for (i, f) in self.fields.iter().enumerate() {
            if let Some(t) = f.tolerant_weight
                && t > f.weight
            {
                return bad(
                    format!("/fields/{i}/tolerantWeight"),
                    format!("field `{}`: `tolerantWeight` {t} is above its `weight` {}", f.name, f.weight),
                );
            }
        }
        self.check_levels()?;
        if let Some(base) = super::compare::nonagreeing_bits(self) {
            if t.potential > 100 {
                return bad(
                    "/thresholds/potential".into(),
                    format!("`thresholds.potential` is {}: a probability is at most 100", t.potential),
                );
            }
            if super::compare::quality_of_bits(base) >= t.potential {
                return bad(
                    "/thresholds/potential".into(),
                    format!(
                        "a pair that agrees on no field reaches quality {} (≥ `thresholds.potential` {}): raise the threshold or lower `probabilistic.prior`",
                        super::compare::quality_of_bits(base),
                        t.potential
                    ),
                );
            }
        }
        let mut partnered = BTreeSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let Some(other) = &f.swap_with else { continue };
            let at = format!("/fields/{i}/swapWith");
            let Some(j) = self.field_index(other) else {
                return bad(
                    at,
                    format!("field `{}`: `swapWith` names `{other}`, which is not a field", f.name),
                );
            };
            let g = &self.fields[j];
            if i == j {
                return bad(at, format!("field `{}` swaps with itself", f.name));
            }
            if f.normalize != g.normalize || f.agree != g.agree || f.missing_values != g.missing_values {
                return bad(
                    at,
                    format!(
                        "fields `{}` and `{}` swap, so they need the same `normalize`, `agree` and `missingValues`",
                        f.name, g.name
                    ),
                );
            }
            if !partnered.insert(i) || !partnered.insert(j) {
                return bad(
                    at,
                    format!("field `{}` is in two swaps: each field swaps with at most one other", f.name),
                );
            }
        }
        Ok(())
    }

    /// Checks the levels of a probabilistic profile (and that an additive one has none).
    fn check_levels(&self) -> Result<(), ProfileProblem> {
        let bad = |at: String, message: String| Err(ProfileProblem { at, message });
        let Some(p) = self.probabilistic else {
            if let Some(i) = self
                .fields
                .iter()
                .position(|f| !f.levels.is_empty() || f.term_frequency || f.namesake_u.is_some())
            {
                return bad(
                    format!("/fields/{i}"),
                    format!(
                        "field `{}` has `levels`, `termFrequency` or `namesakeU`, which only a profile with `probabilistic` uses",
                        self.fields[i].name
                    ),
                );
            }
            return Ok(());
        };
        if !(p.prior > 0.0 && p.prior < 1.0) {
            return bad(
                "/probabilistic/prior".into(),
                format!("`probabilistic.prior` is {}: it must be between 0 and 1", p.prior),
            );
        }
        for (i, f) in self.fields.iter().enumerate() {
            if let Some(u) = f.namesake_u
                && !(u > 0.0 && u <= 1.0)
            {
                return bad(
                    format!("/fields/{i}/namesakeU"),
                    format!("field `{}`: `namesakeU` is {u}: it must be above 0 and at most 1", f.name),
                );
            }
            let Some(last) = f.levels.last() else {
                return bad(
                    format!("/fields/{i}"),
                    format!("field `{}` has no `levels` (a probabilistic profile needs them)", f.name),
                );
            };
            if last.level != Level::Else {
                return bad(
                    format!("/fields/{i}/levels/{}", f.levels.len() - 1),
                    format!("field `{}`: the last level must be `else`", f.name),
                );
            }
            let mut seen = BTreeSet::new();
            for (k, l) in f.levels.iter().enumerate() {
                let at = format!("/fields/{i}/levels/{k}");
                if !seen.insert(l.level) {
                    return bad(
                        at,
                        format!("field `{}`: level `{}` appears twice", f.name, l.level.as_str()),
                    );
                }
                if l.level == Level::Missing {
                    return bad(
                        at,
                        format!(
                            "field `{}`: `missing` is not listed (a missing value weighs nothing)",
                            f.name
                        ),
                    );
                }
                if l.level == Level::Swapped
                    && f.swap_with.is_none()
                    && !self.fields.iter().any(|g| g.swap_with.as_deref() == Some(&f.name))
                {
                    return bad(at, format!("field `{}`: level `swapped` needs `swapWith`", f.name));
                }
                for (what, v) in [("m", l.m), ("u", l.u)] {
                    if !(v > 0.0 && v <= 1.0) {
                        return bad(
                            format!("{at}/{what}"),
                            format!(
                                "field `{}`, level `{}`: `{what}` is {v}: it must be above 0 and at most 1",
                                f.name,
                                l.level.as_str()
                            ),
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// The index of the field named `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The swap partners, as pairs of field indexes (first, second).
    pub fn swaps(&self) -> Vec<(usize, usize)> {
        self.fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.swap_with.as_deref().and_then(|o| self.field_index(o)).map(|j| (i, j)))
            .collect()
    }

    /// The class of a pair quality.
    pub fn classify(&self, quality: u32) -> MatchClass {
        if quality >= self.thresholds.match_ {
            MatchClass::Match
        } else if quality >= self.thresholds.potential {
            MatchClass::Potential
        } else {
            MatchClass::NonMatch
        }
    }
}
