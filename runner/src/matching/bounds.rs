//! Per-value blocking bounds of probabilistic profiles, and the blocking
//! plans (*templates*) derived from them.
//!
//! Every blocking variant of a value has a *kind*: the exact kind (the value
//! itself), the typo kind (the value and its one-character deletions, for a
//! field with a `typo` level), the phonetic code, the one-digit masks, the
//! day/month-swap canonical date and the year halves. A pair whose field
//! reaches a blockable level shares a variant of that level's kind, its
//! *witness* (equal values share the exact-kind variant, values one typo
//! apart a typo-kind one, a phonetic agreement the code, and so on; swapped
//! names share a pair of exact- or typo-kind variants, ordered so that only
//! names agreeing crosswise share it: see `Variants::chain_chosen`).
//!
//! Each variant gets a bound `b`: at least what the level its kind witnesses
//! can add beyond not agreeing. Only the exact kind's bound depends on the
//! value: term frequencies make agreeing on "smith" weigh less than on a
//! rare name, so its bound is the weight of agreeing on that value. Both
//! records of a pair compute the same bound for a shared witness: an
//! exact-kind witness is their common value, and the other kinds' bounds are
//! their level's. (The exact and typo kinds are kept apart for this: were a
//! deletion of "smith" that is also a rare value, "smit", of one kind with
//! the values, its bound would be the rare value's, and every two Smiths of
//! one gender would share a key.)
//!
//! A pair that reaches the potential threshold agrees on fields whose gains
//! add up to the needed bits, so the bounds of its witnesses add up to at
//! least that, and some subset of them is *minimal*: it reaches the needed
//! bits and no longer does without any one of them. Each record emits a key
//! for every minimal combination of its own variants, one per component of
//! a template (a set of (field, kind) components and swap pairs); both
//! records of the pair emit the key of the pair's minimal combination. A
//! common value's bound is low, so it only makes keys together with more
//! fields; a rare one stays as cheap as before.
//!
//! Bounds are counted in eighths of a bit, rounded up (never below the
//! weight), so sums are exact integers both records compute alike.

use rayon::prelude::*;

use super::candidates::{Component, MatchInput, Plan};
use super::compare::{Comparer, TYPO_MIN_LENGTH, hash32, is_ymd};
use super::keys::Walk;
use super::profile::Level;

/// The variant kinds, by index: the exact kind is the value alone, the typo
/// kind the value and its one-character deletions.
pub(super) const KINDS: [Level; 6] =
    [Level::Exact, Level::Typo, Level::Phonetic, Level::OneDigit, Level::DayMonthSwap, Level::YearOff];

/// More templates than this: candidate generation falls back to one bound
/// per field (the plans of [`super::candidates::plans`]).
const MAX_TEMPLATES: usize = 4096;

/// The index of a kind in [`KINDS`].
pub(super) fn kind_index(level: Level) -> u8 {
    KINDS.iter().position(|&k| k == level).unwrap_or(0) as u8
}

/// Bits in units of 1/8, rounded up; 255 stands for 31.875 bits or more and
/// counts as more than any threshold ([`units`]).
pub(super) fn quantize(bits: f64) -> u8 {
    if bits.is_nan() || bits <= 0.0 {
        return 0;
    }
    let q = (bits * 8.0 + 1e-9).ceil();
    if q >= 255.0 { u8::MAX } else { q as u8 }
}

/// What a quantized bound counts for in sums.
pub(super) fn units(q: u8) -> u32 {
    if q == u8::MAX { 1 << 16 } else { u32::from(q) }
}

/// The variants of a probabilistic profile's field `i` for value `v`, each
/// with its kind, in no particular order (possibly repeated).
pub(super) fn kinded_variants(c: &Comparer, i: usize, v: &str, out: &mut Vec<(u32, Level)>) {
    let has = |l: Level| c.level_bits(i, l).is_some();
    let whole = hash32(0, v.as_bytes());
    out.push((whole, Level::Exact));
    if has(Level::Typo) {
        let chars: Vec<char> = v.chars().collect();
        // Shorter values are never a typo apart.
        if chars.len() >= TYPO_MIN_LENGTH {
            // Two strings one edit apart share the string or one of these.
            out.push((whole, Level::Typo));
            let mut buf = String::with_capacity(v.len());
            for skip in 0..chars.len() {
                buf.clear();
                buf.extend(chars.iter().enumerate().filter(|(k, _)| *k != skip).map(|(_, c)| c));
                out.push((hash32(0, buf.as_bytes()), Level::Typo));
            }
        }
    }
    if has(Level::Phonetic) {
        use rphonetic::Encoder;
        let code = rphonetic::DoubleMetaphone::default().encode(v);
        if !code.is_empty() {
            out.push((hash32(3, code.as_bytes()), Level::Phonetic));
        }
    }
    let b = v.as_bytes();
    if has(Level::OneDigit) {
        let mut masked: Vec<u8> = b.to_vec();
        for pos in 0..b.len() {
            masked.copy_from_slice(b);
            masked[pos] = 0xff; // never in UTF-8 text
            out.push((hash32(1, &masked), Level::OneDigit));
        }
    }
    if is_ymd(b) {
        if has(Level::DayMonthSwap) {
            let (m, d) = (&b[4..6], &b[6..8]);
            let (lo, hi) = if m <= d { (m, d) } else { (d, m) };
            out.push((hash32(2, &[b[0], b[1], b[2], b[3], lo[0], lo[1], hi[0], hi[1]]), Level::DayMonthSwap));
        }
        if has(Level::YearOff) {
            // Years y and y + 1 share y / 2 or (y + 1) / 2.
            let year: u32 = v[..4].parse().unwrap_or(0);
            for half in [year / 2, year.div_ceil(2)] {
                let mut key = half.to_be_bytes().to_vec();
                key.extend_from_slice(&b[4..8]);
                out.push((hash32(4, &key), Level::YearOff));
            }
        }
    }
}

/// Per field of a probabilistic profile, the most it can add to a pair of
/// these records (`staged` against `existing`, or within `staged`) when it
/// does not agree at a blockable level: its best non-blockable level that
/// can occur between them. A missing value (0 bits) occurs only when some
/// record lacks the field, and an initial only when some value is one
/// character long; a field every record has, with no initials, adds at most
/// its `else` weight, which is below 0 and raises what the other fields
/// must reach. (A field without an `else` level adds 0 when no level holds.)
fn bases(comparer: &Comparer, staged: &[MatchInput], existing: Option<&[MatchInput]>) -> Vec<f64> {
    let fields = &comparer.profile().fields;
    // Per field: some value missing, some value one character long.
    let seen = |records: &[MatchInput]| -> Vec<(bool, bool)> {
        records
            .par_iter()
            .fold(
                || vec![(false, false); fields.len()],
                |mut acc, r| {
                    for (f, a) in acc.iter_mut().enumerate() {
                        match r.prepared.values.get(f).and_then(|v| v.as_deref()) {
                            None => a.0 = true,
                            Some(v) => a.1 |= v.chars().nth(1).is_none(),
                        }
                    }
                    acc
                },
            )
            .reduce(
                || vec![(false, false); fields.len()],
                |a, b| a.iter().zip(&b).map(|(x, y)| (x.0 | y.0, x.1 | y.1)).collect(),
            )
    };
    let mut seen_all = seen(staged);
    if let Some(e) = existing {
        for (a, b) in seen_all.iter_mut().zip(seen(e)) {
            *a = (a.0 | b.0, a.1 | b.1);
        }
    }
    fields
        .iter()
        .zip(seen_all)
        .map(|(f, (missing, one_char))| {
            let has_else = f.levels.iter().any(|l| l.level == Level::Else);
            let start = if missing || !has_else { 0.0 } else { f64::NEG_INFINITY };
            f.levels
                .iter()
                .filter(|l| match l.level {
                    Level::Else => true,
                    Level::Initial => one_char,
                    Level::Missing => missing,
                    _ => false,
                })
                .map(|l| l.weight())
                .fold(start, f64::max)
        })
        .collect()
}

/// The bounds of one probabilistic profile.
pub(super) struct Bounds {
    /// The needed units: a pair reaches the potential threshold only if its
    /// witnesses' bounds add up to at least this.
    pub need: u32,
    /// Per field and kind: the kind's bound (for the exact kind, which
    /// depends on the value, unused).
    konst: Vec<[u8; KINDS.len()]>,
    /// Per field: whether it has an `exact` level.
    has_exact: Vec<bool>,
    /// Per field: the most it adds to a pair of these records without
    /// agreeing at a blockable level (see [`bases`]).
    bases: Vec<f64>,
    /// Per swap `(i, j)` (`i < j`): the bound of a swap pair (the most both
    /// fields can add, whatever their levels).
    pairs: Vec<((usize, usize), u8)>,
}

impl Bounds {
    /// The bounds of `comparer`'s probabilistic profile; `None` for additive
    /// profiles.
    /// `staged` against `existing`, or within `staged`, set the [`bases`].
    pub(super) fn new(
        comparer: &Comparer,
        staged: &[MatchInput],
        existing: Option<&[MatchInput]>,
    ) -> Option<Bounds> {
        let profile = comparer.profile();
        profile.probabilistic?;
        let bases = bases(comparer, staged, existing);
        let (field_max, needed) = comparer.block_bounds(Some(&bases));
        let need = ((needed * 8.0).ceil().max(1.0)) as u32;
        let n = profile.fields.len();
        let mut konst = vec![[0u8; KINDS.len()]; n];
        let mut has_exact = Vec::with_capacity(n);
        for i in 0..n {
            let base = bases[i];
            let gain = |l: Level| comparer.level_bits(i, l).map_or(0, |w| quantize(w - base));
            konst[i] = KINDS.map(|k| if k == Level::Exact { 0 } else { gain(k) });
            has_exact.push(comparer.level_bits(i, Level::Exact).is_some());
        }
        let pairs = profile
            .swaps()
            .into_iter()
            .map(|(i, j)| ((i.min(j), i.max(j)), quantize(field_max[i] + field_max[j])))
            .collect();
        Some(Bounds { need, konst, has_exact, bases, pairs })
    }

    /// The bound of field `i`'s variant of kind `kind` for value `v`: the
    /// exact kind's is what agreeing on `v` itself adds (term frequencies
    /// make it the value's own), every other kind's its level's.
    pub(super) fn of(&self, comparer: &Comparer, i: usize, kind: Level, v: &str) -> u8 {
        match kind {
            Level::Exact if self.has_exact[i] => quantize(comparer.exact_bits(i, v) - self.bases[i]),
            Level::Exact => 0,
            _ => self.konst[i][kind_index(kind) as usize],
        }
    }

    /// The bound of the swap pair of fields `i < j`.
    pub(super) fn pair(&self, i: usize, j: usize) -> u8 {
        self.pairs.iter().find(|(p, _)| *p == (i, j)).map_or(0, |p| p.1)
    }

    /// The templates: every set of components (one kind per field, or a
    /// swap pair of two fields) that a minimal combination can use, given
    /// the least and largest bound (`ranges[field][kind]`, 0 when none) of
    /// the records' variants. `None` when there are too many.
    pub(super) fn templates(&self, ranges: &[[(u8, u8); KINDS.len()]]) -> Option<Vec<Plan>> {
        let n = ranges.len();
        // Per field, its components starting there with (least, largest) units.
        let mut comps: Vec<Vec<(Component, u32, u32)>> = vec![Vec::new(); n];
        for (i, kinds) in ranges.iter().enumerate() {
            for (k, &(lo, hi)) in kinds.iter().enumerate() {
                if hi > 0 {
                    comps[i].push((Component::Kind(i, KINDS[k]), units(lo), units(hi)));
                }
            }
        }
        for &((i, j), q) in &self.pairs {
            if q > 0 {
                comps[i].push((Component::Pair(i, j), units(q), units(q)));
            }
        }
        // The most the fields from `f` on can add.
        let mut rest = vec![0u32; n + 1];
        for f in (0..n).rev() {
            rest[f] = rest[f + 1] + comps[f].iter().map(|c| c.2).max().unwrap_or(0);
        }
        if n > 32 {
            return None; // more components than a walk holds
        }
        let mut out = Vec::new();
        let mut chosen = Vec::new();
        let ok = self.grow(&comps, &rest, 0, 0, &mut chosen, &mut out);
        ok.then_some(out)
    }

    /// The walk of template `plan` over the records' variants (`ranges` as
    /// for [`Bounds::templates`]).
    pub(super) fn walk<'p>(&self, plan: &'p Plan, ranges: &[[(u8, u8); KINDS.len()]]) -> Walk<'p> {
        let most = |c: &Component| match *c {
            Component::Pair(i, j) => units(self.pair(i, j)),
            Component::Kind(i, l) => units(ranges[i][kind_index(l) as usize].1),
            Component::Field(_) | Component::Exact(_) | Component::ExactPair(..) => 0,
        };
        let mut upper = vec![0u32; plan.components.len() + 1];
        for k in (0..plan.components.len()).rev() {
            upper[k] = upper[k + 1] + most(&plan.components[k]);
        }
        Walk { components: &plan.components, upper, skip: 0 }
    }

    /// Extends `chosen` (components with their least and largest units) from
    /// field `f` on; false when the templates are too many.
    fn grow(
        &self,
        comps: &[Vec<(Component, u32, u32)>],
        rest: &[u32],
        f: usize,
        used: u64,
        chosen: &mut Vec<(Component, u32, u32)>,
        out: &mut Vec<Plan>,
    ) -> bool {
        let least: u32 = chosen.iter().map(|c| c.1).sum();
        let most: u32 = chosen.iter().map(|c| c.2).sum();
        if !chosen.is_empty() && most >= self.need && chosen.iter().all(|c| least - c.1 < self.need) {
            out.push(Plan { components: chosen.iter().map(|c| c.0).collect() });
            if out.len() > MAX_TEMPLATES {
                return false;
            }
        }
        // More components: no longer minimal once the least already reaches.
        if least >= self.need || f >= comps.len() || most + rest[f] < self.need {
            return true;
        }
        for g in f..comps.len() {
            if used & (1 << g) != 0 {
                continue;
            }
            for &c in &comps[g] {
                let fields = match c.0 {
                    Component::Pair(i, j) | Component::ExactPair(i, j) => (1u64 << i) | (1 << j),
                    Component::Field(i) | Component::Kind(i, _) | Component::Exact(i) => 1 << i,
                };
                if used & fields != 0 {
                    continue;
                }
                chosen.push(c);
                let ok = self.grow(comps, rest, g + 1, used | fields, chosen, out);
                chosen.pop();
                if !ok {
                    return false;
                }
            }
        }
        true
    }
}
