//! Normalising values and judging agreement.
//!
//! A [`Comparer`] is built once from a profile. It turns a record into a
//! [`Prepared`] one (the normalised value of each profile field, or nothing),
//! scores two prepared records ([`Comparer::score`]), and lists the blocking
//! variants of a value ([`Comparer::variants`]): hashes that any two agreeing
//! values share at least one of, which is what lets candidate generation skip
//! the all-pairs comparison without losing a pair.

use std::collections::HashMap;

use ferry_mapper::record::{Record, Value};
use rphonetic::Encoder;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::profile::{Agreement, Level, MatchingProfile, Normalize, Source};

/// A record reduced to the normalised values its profile compares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prepared {
    /// One entry per profile field; `None` when the value is missing.
    pub values: Vec<Option<Box<str>>>,
    /// Per field, a hash of the value's phonetic code when the field has a
    /// `phonetic` level (0: none).
    pub codes: Vec<u32>,
    /// Per field, the weight (bits) of exact agreement on this value, once
    /// [`Comparer::weigh`] has looked its term frequency up (empty before:
    /// scoring then looks it up pair by pair).
    pub exact: Box<[f64]>,
}

/// How one field of a pair compared: its level and what it added (quality
/// points in additive profiles, bits of evidence in probabilistic ones).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FieldScore {
    pub level: Level,
    pub contribution: f64,
}

/// A pair's score, field by field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    pub quality: u32,
    /// Probabilistic profiles: the prior's bits (log2 odds), which every pair starts from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prior: Option<f64>,
    /// One per profile field.
    pub fields: Vec<FieldScore>,
}

/// Per field of a probabilistic profile: each level's weight (bits).
#[derive(Debug, Clone)]
struct LevelBits {
    bits: [f64; Level::ALL.len()],
    present: [bool; Level::ALL.len()],
    /// log2(m) of `exact`, and its u: term frequencies replace the u.
    exact_m_log: f64,
    exact_u: f64,
    /// What `exact` weighs at most between namesakes (see
    /// [`MatchField::namesake_u`](super::profile::MatchField::namesake_u)).
    namesake_bits: Option<f64>,
}

/// How often each value of a field occurs in the data being matched.
#[derive(Debug, Clone, Default)]
pub struct TermCounts {
    counts: HashMap<Box<str>, u32>,
    total: u64,
}

/// A value at most this many times rarer than the field's average earns more.
const TF_MAX_BOOST: f64 = 16.0;

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
    country: Option<ferry_mapper::phone::Country>,
    swaps: Vec<(usize, usize)>,
    /// Per field, its swap partner.
    partner: Vec<Option<usize>>,
    /// Probabilistic profiles: per field, its levels' weights.
    levels: Vec<LevelBits>,
    /// Per field with `termFrequency`, the counts of its values.
    terms: Vec<Option<TermCounts>>,
    /// Probabilistic profiles: per field `i`, the most fields `i..` can add
    /// together (bits, never below 0), for stopping a hopeless pair early.
    rest_max: Vec<f64>,
}

/// log2 odds of a probability.
pub fn logit2(p: f64) -> f64 {
    (p / (1.0 - p)).log2()
}

/// The quality (0–100) of a pair with `bits` of evidence: its match probability in percent.
pub fn quality_of_bits(bits: f64) -> u32 {
    let p = 1.0 / (1.0 + (-bits).exp2());
    (100.0 * p).round().clamp(0.0, 100.0) as u32
}

/// What a probabilistic pair that agrees on no field at a blockable level
/// can reach at most (bits): the prior plus every field's best
/// non-blockable level (an initial, a difference, a missing value).
pub fn nonagreeing_bits(profile: &MatchingProfile) -> Option<f64> {
    let prior = logit2(profile.probabilistic?.prior);
    Some(prior + profile.fields.iter().map(|f| nonagreeing(&f.levels)).sum::<f64>())
}

pub(super) fn nonagreeing(levels: &[super::profile::LevelWeight]) -> f64 {
    levels.iter().filter(|l| !l.level.blockable()).map(|l| l.weight()).fold(0.0, f64::max)
}

/// What exact agreement weighs at most between namesakes, for a field that
/// is not itself a name (`partner`: its swap partner).
fn namesake_bits(lb: &LevelBits, u: f64, partner: Option<usize>, swaps: &[(usize, usize)]) -> Option<f64> {
    (partner.is_none() && !swaps.is_empty()).then(|| lb.exact_m_log - u.log2())
}

impl Comparer {
    /// A comparer for a checked profile.
    pub fn new(profile: &MatchingProfile) -> Comparer {
        let swaps = profile.swaps();
        let mut partner = vec![None; profile.fields.len()];
        for &(i, j) in &swaps {
            partner[i] = Some(j);
            partner[j] = Some(i);
        }
        let levels = profile
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mut lb = LevelBits {
                    bits: [0.0; Level::ALL.len()],
                    present: [false; Level::ALL.len()],
                    exact_m_log: 0.0,
                    exact_u: 1.0,
                    namesake_bits: None,
                };
                for l in &f.levels {
                    lb.bits[l.level as usize] = l.weight();
                    lb.present[l.level as usize] = true;
                    if l.level == Level::Exact {
                        lb.exact_m_log = l.m.log2();
                        lb.exact_u = l.u;
                    }
                }
                lb.namesake_bits = f.namesake_u.and_then(|u| namesake_bits(&lb, u, partner[i], &swaps));
                lb
            })
            .collect();
        Comparer {
            country: profile.default_country.as_deref().and_then(ferry_mapper::phone::country),
            swaps,
            partner,
            levels,
            terms: vec![None; profile.fields.len()],
            rest_max: Vec::new(),
            profile: profile.clone(),
        }
        .with_rest_max()
    }

    /// Sets `rest_max` from the levels and the term counts.
    fn with_rest_max(mut self) -> Comparer {
        self.rest_max = self.rest_max_bits();
        self
    }

    fn rest_max_bits(&self) -> Vec<f64> {
        let n = self.profile.fields.len();
        let mut rest = vec![0.0; n + 1];
        for i in (0..n).rev() {
            let best = self.profile.fields[i]
                .levels
                .iter()
                .map(|l| if l.level == Level::Exact { self.max_exact_bits(i) } else { l.weight() })
                .fold(0.0, f64::max);
            rest[i] = rest[i + 1] + best;
        }
        rest
    }

    /// Counts the values of the fields with `termFrequency` among `records`
    /// (all records being matched, both sides), for the exact level's weight.
    pub fn count_terms<'a>(&mut self, records: impl Iterator<Item = &'a Prepared>) {
        let tf: Vec<usize> = (0..self.profile.fields.len())
            .filter(|&i| self.profile.probabilistic.is_some() && self.profile.fields[i].term_frequency)
            .collect();
        if tf.is_empty() {
            return;
        }
        let mut counts: Vec<TermCounts> = tf.iter().map(|_| TermCounts::default()).collect();
        for r in records {
            for (k, &i) in tf.iter().enumerate() {
                if let Some(v) = &r.values[i] {
                    let c = &mut counts[k];
                    c.total += 1;
                    match c.counts.get_mut(v) {
                        Some(n) => *n += 1,
                        None => {
                            c.counts.insert(v.clone(), 1);
                        }
                    }
                }
            }
        }
        for (k, c) in tf.into_iter().zip(counts) {
            self.terms[k] = Some(c);
        }
        self.rest_max = self.rest_max_bits();
    }

    /// The weight (bits) of exact agreement of field `i` on value `v`.
    pub(super) fn exact_bits(&self, i: usize, v: &str) -> f64 {
        let lb = &self.levels[i];
        match &self.terms[i] {
            Some(t) if t.total > 0 => {
                let n = t.counts.get(v).copied().unwrap_or(1);
                let tf = (f64::from(n) / t.total as f64).clamp(lb.exact_u / TF_MAX_BOOST, 1.0);
                lb.exact_m_log - tf.log2()
            }
            _ => lb.bits[Level::Exact as usize],
        }
    }

    /// The weight (bits) of field `i`'s `level` when the profile lists it.
    pub(super) fn level_bits(&self, i: usize, level: Level) -> Option<f64> {
        let lb = &self.levels[i];
        lb.present[level as usize].then_some(lb.bits[level as usize])
    }

    /// The largest weight exact agreement of field `i` can have.
    fn max_exact_bits(&self, i: usize) -> f64 {
        let lb = &self.levels[i];
        match &self.terms[i] {
            Some(t) if t.total > 0 => {
                let rarest = t.counts.values().copied().min().unwrap_or(1);
                let tf = (f64::from(rarest) / t.total as f64).clamp(lb.exact_u / TF_MAX_BOOST, 1.0);
                lb.exact_m_log - tf.log2()
            }
            _ => lb.bits[Level::Exact as usize],
        }
    }

    /// For candidate generation: what agreeing on each field can add at most
    /// beyond not agreeing, and the total the agreeing fields must reach for
    /// a pair to score at or above the potential threshold.
    /// `bases[i]`: the most field `i` adds to the records at hand when it
    /// does not agree at a blockable level (see `super::bounds::bases`);
    /// `None`: the most it can add to any records. Additive profiles ignore it.
    pub fn block_bounds(&self, bases: Option<&[f64]>) -> (Vec<f64>, f64) {
        let profile_bases: Vec<f64> = self.profile.fields.iter().map(|f| nonagreeing(&f.levels)).collect();
        let bases = bases.unwrap_or(&profile_bases);
        let p = &self.profile;
        let Some(prior) = p.probabilistic.map(|q| logit2(q.prior)) else {
            return (
                p.fields.iter().map(|f| f64::from(f.weight)).collect(),
                f64::from(p.thresholds.potential),
            );
        };
        let base = prior + bases.iter().sum::<f64>();
        let gains = p
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let best = f
                    .levels
                    .iter()
                    .filter(|l| l.level.blockable())
                    .map(|l| if l.level == Level::Exact { self.max_exact_bits(i) } else { l.weight() })
                    .fold(f64::NEG_INFINITY, f64::max);
                (best - bases[i]).max(0.0)
            })
            .collect();
        let needed = logit2((f64::from(p.thresholds.potential) - 0.5) / 100.0) - base;
        // A hair lower, so rounding in the sums never loses a pair.
        (gains, needed - 1e-6)
    }

    /// The profile it compares with.
    pub fn profile(&self) -> &MatchingProfile {
        &self.profile
    }

    /// The record's normalised values.
    pub fn prepare(&self, record: &Record) -> Prepared {
        let values: Vec<Option<Box<str>>> = self
            .profile
            .fields
            .iter()
            .map(|f| {
                let raw = source_value(record, &f.source)?;
                let v = self.normalize(f.normalize, &raw)?;
                if f.missing_values.iter().any(|m| self.normalize(f.normalize, m).as_deref() == Some(&v)) {
                    return None;
                }
                Some(v.into_boxed_str())
            })
            .collect();
        let codes = if self.profile.probabilistic.is_some() {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Some(v) if self.levels[i].present[Level::Phonetic as usize] => {
                        let code = rphonetic::DoubleMetaphone::default().encode(v);
                        if code.is_empty() { 0 } else { hash32(3, code.as_bytes()).max(1) }
                    }
                    _ => 0,
                })
                .collect()
        } else {
            Vec::new()
        };
        Prepared { values, codes, exact: Box::default() }
    }

    /// Looks up, once per record, the weight of exact agreement on each of
    /// its values (term frequencies make it depend on the value), so that
    /// scoring a pair need not (call after [`Comparer::count_terms`]).
    pub fn weigh(&self, p: &mut Prepared) {
        if self.profile.probabilistic.is_none() || self.terms.iter().all(Option::is_none) {
            return;
        }
        p.exact = p
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v.as_deref().map_or(0.0, |v| self.exact_bits(i, v)))
            .collect();
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
            // An address stored as text (`mailto:…`, `Ann <…>`) compares as the address.
            Normalize::Email => ferry_mapper::email::parse(raw).unwrap_or_else(|_| raw.trim().to_lowercase()),
        };
        if out.is_empty() { None } else { Some(out) }
    }

    /// Whether field `i`'s values `a` and `b` agree.
    pub fn agree(&self, i: usize, a: &str, b: &str) -> bool {
        agree(self.profile.fields[i].agree, a, b)
    }

    /// [`Comparer::score`] of a pair whose quality reaches `threshold`, else
    /// `None`. A probabilistic profile stops comparing as soon as the fields
    /// left cannot lift the pair to `threshold` (the same score otherwise).
    pub fn score_reaching(&self, a: &Prepared, b: &Prepared, threshold: u32) -> Option<Score> {
        let Some(p) = self.profile.probabilistic else {
            return Some(self.score(a, b)).filter(|s| s.quality >= threshold);
        };
        if threshold == 0 || threshold > 100 || self.rest_max.len() != a.values.len() + 1 {
            return Some(self.score(a, b)).filter(|s| s.quality >= threshold);
        }
        // quality ≥ threshold ⇔ 100 p ≥ threshold − ½ (rounded half up); a
        // hair lower, so rounding in the sums never loses a pair.
        let needed = logit2((f64::from(threshold) - 0.5) / 100.0) - 1e-6;
        let mut bits = logit2(p.prior);
        let (mut agreeing, mut straight) = (0u32, 0u32);
        for i in 0..a.values.len() {
            if bits + self.rest_max[i] < needed {
                return None;
            }
            let (level, w) = self.level_of(i, a, b);
            bits += w;
            mark_agreement(level, w, i, &mut agreeing, &mut straight);
        }
        let quality = quality_of_bits(bits);
        (quality >= threshold).then_some(Score { quality, agreeing, straight })
    }

    /// Scores a pair.
    pub fn score(&self, a: &Prepared, b: &Prepared) -> Score {
        if let Some(p) = self.profile.probabilistic {
            let mut bits = logit2(p.prior);
            let (mut agreeing, mut straight) = (0u32, 0u32);
            for i in 0..a.values.len() {
                let (level, w) = self.level_of(i, a, b);
                bits += w;
                mark_agreement(level, w, i, &mut agreeing, &mut straight);
            }
            return Score { quality: quality_of_bits(bits), agreeing, straight };
        }
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

    /// The level of field `i` of a pair under a probabilistic profile's levels.
    pub fn level(&self, i: usize, a: &Prepared, b: &Prepared) -> Level {
        self.level_of(i, a, b).0
    }

    /// The level of field `i` of a pair (probabilistic profiles) and its weight in bits.
    fn level_of(&self, i: usize, a: &Prepared, b: &Prepared) -> (Level, f64) {
        let (Some(x), Some(y)) = (&a.values[i], &b.values[i]) else { return (Level::Missing, 0.0) };
        let lb = &self.levels[i];
        let equal = same(x, y);
        for l in &self.profile.fields[i].levels {
            let holds = match l.level {
                Level::Exact => equal,
                Level::Swapped => self.crosswise(i, a, b),
                Level::Typo => typo_apart(x, y),
                Level::Phonetic => a.codes[i] != 0 && a.codes[i] == b.codes[i],
                Level::Initial => initial_of(x, y) || initial_of(y, x),
                Level::DayMonthSwap => {
                    let (a, b) = (x.as_bytes(), y.as_bytes());
                    is_ymd(a) && is_ymd(b) && a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6]
                }
                Level::YearOff => year_off(x.as_bytes(), y.as_bytes()),
                Level::OneDigit => one_char_apart(x, y),
                Level::Else => true,
                Level::Missing => false,
            };
            if holds {
                let w = match a.exact.get(i) {
                    _ if l.level != Level::Exact => lb.bits[l.level as usize],
                    Some(w) => *w,
                    None => self.exact_bits(i, x),
                };
                let w = match lb.namesake_bits {
                    Some(most) if l.level == Level::Exact && self.namesakes(a, b) => w.min(most),
                    _ => w,
                };
                return (l.level, w);
            }
        }
        (Level::Else, 0.0)
    }

    /// Sets field `i`'s [`MatchField::namesake_u`](super::profile::MatchField::namesake_u)
    /// (`ferry learn`, once it has estimated it), keeping the term counts.
    pub fn set_namesake_u(&mut self, i: usize, u: f64) {
        self.profile.fields[i].namesake_u = Some(u);
        self.levels[i].namesake_bits = namesake_bits(&self.levels[i], u, self.partner[i], &self.swaps);
    }

    /// Whether the two records are namesakes: equal on both fields of the
    /// first swap pair (the first and last name).
    fn namesakes(&self, a: &Prepared, b: &Prepared) -> bool {
        let Some(&(i, j)) = self.swaps.first() else { return false };
        let equal = |f: usize| matches!((&a.values[f], &b.values[f]), (Some(x), Some(y)) if x == y);
        equal(i) && equal(j)
    }

    /// Whether field `i` and its swap partner agree crosswise (equal, or one
    /// typo apart when both fields have a `typo` level).
    fn crosswise(&self, i: usize, a: &Prepared, b: &Prepared) -> bool {
        let Some(j) = self.partner[i] else { return false };
        let typo =
            self.levels[i].present[Level::Typo as usize] && self.levels[j].present[Level::Typo as usize];
        let close = |p: usize, q: usize| match (&a.values[p], &b.values[q]) {
            (Some(x), Some(y)) => x == y || (typo && typo_apart(x, y)),
            _ => false,
        };
        close(i, j) && close(j, i)
    }

    /// A pair's score field by field: each field's level and what it added.
    pub fn explain(&self, a: &Prepared, b: &Prepared) -> Explanation {
        let n = a.values.len();
        if let Some(p) = self.profile.probabilistic {
            let fields: Vec<FieldScore> = (0..n)
                .map(|i| {
                    let (level, contribution) = self.level_of(i, a, b);
                    FieldScore { level, contribution }
                })
                .collect();
            let prior = logit2(p.prior);
            let bits = prior + fields.iter().map(|f| f.contribution).sum::<f64>();
            return Explanation { quality: quality_of_bits(bits), prior: Some(prior), fields };
        }
        let score = self.score(a, b);
        let fields = (0..n)
            .map(|i| {
                let f = &self.profile.fields[i];
                let (x, y) = (&a.values[i], &b.values[i]);
                let level = match (x, y) {
                    _ if score.agreeing & (1 << i) != 0 && score.straight & (1 << i) == 0 => Level::Swapped,
                    (Some(x), Some(y)) if x == y => Level::Exact,
                    (Some(x), Some(y)) if score.agreeing & (1 << i) != 0 => match f.agree {
                        Agreement::Date { .. } => {
                            let (a, b) = (x.as_bytes(), y.as_bytes());
                            if a[..4] == b[..4] && a[4..6] == b[6..8] && a[6..8] == b[4..6] {
                                Level::DayMonthSwap
                            } else {
                                Level::OneDigit
                            }
                        }
                        _ => Level::Typo,
                    },
                    (Some(_), Some(_)) => Level::Else,
                    _ => Level::Missing,
                };
                let contribution = match level {
                    Level::Exact | Level::Swapped => f.weight,
                    Level::Typo | Level::DayMonthSwap | Level::OneDigit => {
                        f.tolerant_weight.unwrap_or(f.weight)
                    }
                    _ => 0,
                };
                FieldScore { level, contribution: f64::from(contribution) }
            })
            .collect();
        Explanation { quality: score.quality, prior: None, fields }
    }

    /// Appends to `out` the blocking variants of field `i`'s value `v`: any
    /// value that agrees with `v` under the field's rule (or, in a
    /// probabilistic profile, at any of its blockable levels) shares at least one.
    pub fn variants(&self, i: usize, v: &str, out: &mut Vec<u32>) {
        let start = out.len();
        if self.profile.probabilistic.is_some() {
            let mut kinded = Vec::new();
            super::bounds::kinded_variants(self, i, v, &mut kinded);
            let mut tail: Vec<u32> = kinded.into_iter().map(|(h, _)| h).collect();
            tail.sort_unstable();
            tail.dedup();
            out.extend(tail);
            return;
        }
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

/// The shortest values the `typo` level tolerates a typo in.
pub(super) const TYPO_MIN_LENGTH: usize = 4;

fn typo_apart(a: &str, b: &str) -> bool {
    agree(Agreement::Typo { min_length: TYPO_MIN_LENGTH }, a, b)
}

/// `short` is one letter, the first of `long`.
fn initial_of(short: &str, long: &str) -> bool {
    let mut s = short.chars();
    matches!((s.next(), s.next()), (Some(_), None)) && long.chars().count() > 1 && long.starts_with(short)
}

fn year_off(a: &[u8], b: &[u8]) -> bool {
    if !is_ymd(a) || !is_ymd(b) || a[4..] != b[4..] {
        return false;
    }
    let year = |x: &[u8]| x[..4].iter().fold(0i32, |n, d| n * 10 + i32::from(d - b'0'));
    (year(a) - year(b)).abs() == 1
}

/// Same length, exactly one character different.
fn one_char_apart(a: &str, b: &str) -> bool {
    let (mut x, mut y) = (a.chars(), b.chars());
    let mut diff = 0;
    loop {
        match (x.next(), y.next()) {
            (None, None) => return diff == 1,
            (Some(p), Some(q)) => diff += usize::from(p != q),
            _ => return false,
        }
    }
}

/// `a == b`, deciding most unequal pairs on their length and first byte
/// (short values: the call to compare them would cost more than that).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b
}

/// Whether two normalised values agree under `rule`.
pub fn agree(rule: Agreement, a: &str, b: &str) -> bool {
    if same(a, b) {
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

pub(super) fn is_ymd(b: &[u8]) -> bool {
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

/// Phones compare as E.164 when the phone library can read the number, else
/// as their digits: the mapper's one rule ([`ferry_mapper::phone::comparable`]).
fn normalize_phone(raw: &str, country: Option<ferry_mapper::phone::Country>) -> String {
    ferry_mapper::phone::comparable(raw, country)
}

/// The text of a record's value for `source`.
fn source_value(record: &Record, source: &Source) -> Option<String> {
    match source {
        Source::Field(name) => record.fields.get(name).map(Value::to_text),
        Source::Primary(p) => {
            let of_kind = || {
                record.instances.iter().filter(|i| {
                    i.subcollection == p.subcollection
                        && (p.types.is_empty() || p.types.contains(&i.type_name))
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

/// Marks field `i` of a probabilistic pair in the agreement masks: agreeing
/// when its level can block and adds weight, straight unless it is a swap.
#[inline]
fn mark_agreement(level: Level, w: f64, i: usize, agreeing: &mut u32, straight: &mut u32) {
    if level.blockable() && w > 0.0 {
        *agreeing |= 1 << i;
        if level != Level::Swapped {
            *straight |= 1 << i;
        }
    }
}

/// A strong 64-bit finaliser (splitmix64).
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
