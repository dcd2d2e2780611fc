//! Normalising values and judging agreement.
//!
//! A [`Comparer`] is built once from a profile. It turns a record into a
//! [`Prepared`] one (the normalised value of each profile field, or nothing),
//! scores two prepared records ([`Comparer::score`]), and lists the blocking
//! variants of a value ([`Comparer::variants`]): hashes that any two agreeing
//! values share at least one of, which is what lets candidate generation skip
//! the all-pairs comparison without losing a pair.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ferry_mapper::record::{Record, Value};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::profile::{Agreement, MatchingProfile, Normalize, Source};

/// A record reduced to the normalised values its profile compares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// One entry per profile field; `None` when the value is missing.
    pub values: Vec<Option<Box<str>>>,
}

/// The agreement of two prepared records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    /// The sum of the weights of the agreeing fields.
    pub quality: u32,
    /// Bit `i` set: field `i` agrees (straight or through a swap).
    pub agreeing: u32,
    /// Bit `i` set: field `i` agrees with the same field of the other record.
    pub straight: u32,
}

/// Normalises, scores and derives blocking variants for one profile.
#[derive(Debug, Clone)]
pub struct Comparer {
    profile: MatchingProfile,
    country: Option<phonenumber::country::Id>,
    swaps: Vec<(usize, usize)>,
}

impl Comparer {
    /// A comparer for a checked profile.
    pub fn new(profile: &MatchingProfile) -> Comparer {
        Comparer {
            country: profile.default_country.as_deref().and_then(|c| c.parse().ok()),
            swaps: profile.swaps(),
            profile: profile.clone(),
        }
    }

    /// The profile it compares with.
    pub fn profile(&self) -> &MatchingProfile {
        &self.profile
    }

    /// The record's normalised values.
    pub fn prepare(&self, record: &Record) -> Prepared {
        Prepared {
            values: self
                .profile
                .fields
                .iter()
                .map(|f| {
                    let raw = source_value(record, &f.source)?;
                    let v = self.normalize(f.normalize, &raw)?;
                    if f.missing_values.iter().any(|m| self.normalize(f.normalize, m).as_deref() == Some(&v))
                    {
                        return None;
                    }
                    Some(v.into_boxed_str())
                })
                .collect(),
        }
    }

    /// Normalises one text value; `None` when nothing is left.
    pub fn normalize(&self, how: Normalize, raw: &str) -> Option<String> {
        let out = match how {
            Normalize::None => raw.to_string(),
            Normalize::Text => {
                let folded = fold(raw);
                folded.split_whitespace().collect::<Vec<_>>().join(" ")
            }
            Normalize::Name => fold(raw).chars().filter(|c| c.is_alphanumeric()).collect(),
            Normalize::Code => {
                raw.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
            }
            Normalize::Date => normalize_date(raw),
            Normalize::Phone => normalize_phone(raw, self.country),
            Normalize::Email => raw.trim().to_lowercase(),
        };
        if out.is_empty() { None } else { Some(out) }
    }

    /// Whether field `i`'s values `a` and `b` agree.
    pub fn agree(&self, i: usize, a: &str, b: &str) -> bool {
        agree(self.profile.fields[i].agree, a, b)
    }

    /// Scores a pair.
    pub fn score(&self, a: &Prepared, b: &Prepared) -> Score {
        let mut straight = 0u32;
        let mut equal = 0u32;
        for (i, (x, y)) in a.values.iter().zip(&b.values).enumerate() {
            if let (Some(x), Some(y)) = (x, y) {
                if x == y {
                    equal |= 1 << i;
                    straight |= 1 << i;
                } else if self.agree(i, x, y) {
                    straight |= 1 << i;
                }
            }
        }
        let mut agreeing = straight;
        for &(i, j) in &self.swaps {
            let both = (1 << i) | (1 << j);
            if agreeing & both == both {
                continue;
            }
            let crosswise = |p: usize, q: usize| match (&a.values[p], &b.values[q]) {
                (Some(x), Some(y)) => self.agree(p, x, y),
                _ => false,
            };
            if crosswise(i, j) && crosswise(j, i) {
                // Swapped names are the same names: they earn the full weight.
                agreeing |= both;
                equal |= both;
            }
        }
        let quality = self
            .profile
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| agreeing & (1 << i) != 0)
            .map(
                |(i, f)| if equal & (1 << i) != 0 { f.weight } else { f.tolerant_weight.unwrap_or(f.weight) },
            )
            .sum();
        Score { quality, agreeing, straight }
    }

    /// Appends to `out` the blocking variants of field `i`'s value `v`: any
    /// value that agrees with `v` under the field's rule shares at least one.
    pub fn variants(&self, i: usize, v: &str, out: &mut Vec<u32>) {
        let start = out.len();
        match self.profile.fields[i].agree {
            Agreement::Exact => out.push(hash32(0, v.as_bytes())),
            Agreement::Typo { min_length } => {
                out.push(hash32(0, v.as_bytes()));
                let chars: Vec<char> = v.chars().collect();
                if chars.len() >= min_length {
                    // Symmetric deletion: two strings one edit apart share the
                    // string itself or one of their one-character deletions.
                    let mut buf = String::with_capacity(v.len());
                    for skip in 0..chars.len() {
                        buf.clear();
                        buf.extend(chars.iter().enumerate().filter(|(k, _)| *k != skip).map(|(_, c)| c));
                        out.push(hash32(0, buf.as_bytes()));
                    }
                }
            }
            Agreement::Date { day_month_swap, one_digit } => {
                let b = v.as_bytes();
                if !is_ymd(b) {
                    out.push(hash32(0, b));
                } else {
                    if one_digit {
                        // One key per masked position: dates one digit apart share the mask of that digit.
                        let mut masked = [0u8; 8];
                        for pos in 0..8 {
                            masked.copy_from_slice(b);
                            masked[pos] = b'?';
                            out.push(hash32(1, &masked));
                        }
                    } else {
                        out.push(hash32(0, b));
                    }
                    if day_month_swap {
                        let (m, d) = (&b[4..6], &b[6..8]);
                        let (lo, hi) = if m <= d { (m, d) } else { (d, m) };
                        let canonical = [b[0], b[1], b[2], b[3], lo[0], lo[1], hi[0], hi[1]];
                        out.push(hash32(2, &canonical));
                    }
                }
            }
        }
        let mut tail = out.split_off(start);
        tail.sort_unstable();
        tail.dedup();
        out.extend(tail);
    }
}

/// Whether two normalised values agree under `rule`.
pub fn agree(rule: Agreement, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match rule {
        Agreement::Exact => false,
        Agreement::Typo { min_length } => {
            if a.is_ascii() && b.is_ascii() {
                a.len() >= min_length && b.len() >= min_length && within_one_edit(a.as_bytes(), b.as_bytes())
            } else {
                let a: Vec<char> = a.chars().collect();
                let b: Vec<char> = b.chars().collect();
                a.len() >= min_length && b.len() >= min_length && within_one_edit(&a, &b)
            }
        }
        Agreement::Date { day_month_swap, one_digit } => {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            if !is_ymd(a) || !is_ymd(b) {
                return false;
            }
            (day_month_swap && a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6])
                || (one_digit && a.iter().zip(b).filter(|(x, y)| x != y).count() == 1)
        }
    }
}

/// Whether `a` and `b` are at most one edit apart: one insertion, deletion,
/// substitution, or transposition of two neighbours (optimal string alignment).
pub fn within_one_edit<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let Some(i) = short.iter().zip(long).position(|(x, y)| x != y) else { return true };
            if short[i + 1..] == long[i + 1..] {
                return true;
            }
            i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..]
        }
        1 => {
            let i = short.iter().zip(long).position(|(x, y)| x != y).unwrap_or(short.len());
            short[i..] == long[i + 1..]
        }
        _ => false,
    }
}

fn is_ymd(b: &[u8]) -> bool {
    b.len() == 8 && b.iter().all(u8::is_ascii_digit)
}

/// Lower case without accents (NFKD, combining marks dropped).
fn fold(raw: &str) -> String {
    raw.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// `YYYYMMDD` for a date written `YYYY-MM-DD` (the canonical form of dates
/// in records); other text is kept trimmed, so it only agrees when equal.
fn normalize_date(raw: &str) -> String {
    let t = raw.trim();
    match t.parse::<jiff::civil::Date>() {
        Ok(d) => format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()),
        Err(_) => t.to_string(),
    }
}

/// E.164 when the phone library can read the number, else its digits (with
/// a leading `+` if it had one), so unknown plans still compare sensibly.
fn normalize_phone(raw: &str, country: Option<phonenumber::country::Id>) -> String {
    let t = raw.trim();
    if t.is_empty() {
        return String::new();
    }
    // The phone library has panicked on crafted input before; imported data is untrusted.
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        let n = phonenumber::parse(country, t).ok()?;
        n.is_valid().then(|| n.format().mode(phonenumber::Mode::E164).to_string())
    }));
    if let Ok(Some(e164)) = parsed {
        return e164;
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        String::new()
    } else if t.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    }
}

/// The text of a record's value for `source`.
fn source_value(record: &Record, source: &Source) -> Option<String> {
    match source {
        Source::Field(name) => record.fields.get(name).map(Value::to_text),
        Source::Primary(p) => {
            let of_kind = || {
                record.instances.iter().filter(|i| {
                    i.subcollection == p.subcollection
                        && i.attributes.get(&p.attribute).is_some_and(|v| !v.to_text().trim().is_empty())
                })
            };
            let primary = of_kind()
                .find(|i| matches!(i.attributes.get("primary"), Some(Value::Boolean(true))))
                .or_else(|| p.fallback_type.as_ref().and_then(|t| of_kind().find(|i| &i.type_name == t)))
                .or_else(|| of_kind().next())?;
            primary.attributes.get(&p.attribute).map(Value::to_text)
        }
    }
}

/// A 32-bit hash of `bytes` in key space `space`. Collisions only add
/// candidates that scoring then discards; they never lose a pair.
pub fn hash32(space: u8, bytes: &[u8]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(space).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (mix64(h) >> 32) as u32
}

/// A strong 64-bit finaliser (splitmix64).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
