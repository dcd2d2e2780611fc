//! Large blocks of records that agree exactly, without scoring every pair
//! (additive profiles).
//!
//! By the contacts profile's weights the same first and last name is a
//! potential match on its own, so the plan on names makes one block of
//! every group of namesakes, and all its pairs reach the threshold. Only
//! the best `candidates` of each staged record are kept, so most of those
//! pairs need not be scored. A plan `P` whose blocks of equal values make
//! many pairs is *refined*: its pairs are found in three parts.
//!
//! 1. **Values not all equal** (one typo apart, day and month swapped):
//!    `P`'s own join, leaving out the pairs whose values on `P` are equal.
//! 2. **Equal on `P`, agreeing on another field `f`**: joined in full on
//!    `P`'s exact values and `f`'s variants (one join per such field;
//!    swap partners also as an unordered pair).
//! 3. **Equal on `P` and agreeing on no other field but low-variety ones**
//!    (gender): such a pair's quality is at most what `P`'s fields and the
//!    low-variety fields it agrees on weigh (its *tier*). For each tier,
//!    best first, a staged record's block of records equal on `P` and on
//!    the tier's fields is scanned in the order that breaks ties (lower id
//!    first), and the scan stops as soon as the record's list holds
//!    `candidates` that rank above what the unscanned records could reach.
//!
//! Every pair of part 3 that could enter a list is scored, so the lists are
//! the lists of scoring every pair (the property tests hold them to that),
//! but for two different values whose 64-bit hashes are equal (about 3
//! chances in 10^8 per plan among a million distinct values): part 1 takes
//! such a pair for an equal one.
//!
//! A pair that agrees on swap partners crosswise (first name against last
//! name) is found by a plan with both as an unordered pair (see
//! [`super::candidates::plans`]), which is joined (or scanned with both
//! names' weights) before any scan: when a scan stops, such a pair is in
//! the list or ranks below it.

use rayon::prelude::*;

use super::candidates::{Candidate, Component, MatchInput, Plan, insert};
use super::compare::Comparer;
use super::keys::Variants;
use super::profile::Agreement;

/// Low-variety fields have at most this many distinct values.
const LOW_VARIETY: usize = 16;

/// How a plan is refined.
pub(super) struct Refined {
    /// Part 2: the plans joined in full (exact values of the plan, one
    /// other field's variants).
    pub joins: Vec<Plan>,
    /// Part 3: per tier, best first, the exact components to scan by and
    /// the most a pair of the tier can reach.
    pub scans: Vec<(Vec<Component>, u32)>,
    /// Per staged record, the key of its exact values on the plan (0: none);
    /// part 1 leaves out pairs whose keys are equal.
    pub staged_keys: Vec<u64>,
    /// The same for the existing records (empty when matching within).
    pub existing_keys: Vec<u64>,
}

impl Refined {
    /// The exact keys of the staged and the existing side.
    pub fn keys(&self) -> (&[u64], &[u64]) {
        let existing = if self.existing_keys.is_empty() { &self.staged_keys } else { &self.existing_keys };
        (&self.staged_keys, existing)
    }
}

/// Where part 1's exact keys are seeded (apart from every plan's keys).
const EXACT_SEED: usize = 1 << 40;
/// Where part 3's scan keys are seeded.
const SCAN_SEED: usize = 1 << 41;

/// The refinement of `plan` (number `no` among the refined), if its blocks
/// of equal values make more than `above` pairs (`None`: more pairs, counted
/// once per key they share, than the refining joins make keys).
#[allow(clippy::too_many_arguments)]
pub(super) fn refine(
    comparer: &Comparer,
    plan: &Plan,
    no: usize,
    distinct: &[usize],
    staged: &Variants<'_>,
    existing: Option<&Variants<'_>>,
    records: (usize, usize),
    above: Option<u64>,
) -> Option<Refined> {
    let profile = comparer.profile();
    if profile.probabilistic.is_some() {
        return None;
    }
    let fields = &profile.fields;
    let mut inside = vec![false; fields.len()];
    let mut exact = Vec::new();
    for c in &plan.components {
        match *c {
            Component::Field(i) => {
                inside[i] = true;
                exact.push(Component::Exact(i));
            }
            Component::Pair(i, j) => {
                inside[i] = true;
                inside[j] = true;
                exact.push(Component::ExactPair(i, j));
            }
            Component::Exact(i) => {
                inside[i] = true;
                exact.push(Component::Exact(i));
            }
            _ => return None,
        }
    }
    let keys = |v: &Variants<'_>, n: usize| -> Vec<u64> {
        (0..n).into_par_iter().map(|r| v.exact_key(&exact, EXACT_SEED + no, r).unwrap_or(0)).collect()
    };
    let staged_keys = keys(staged, records.0);
    let existing_keys = existing.map(|v| keys(v, records.1)).unwrap_or_default();
    let pairs = equal_pairs(&staged_keys, if existing.is_some() { &existing_keys } else { &staged_keys });
    if above.is_some_and(|above| pairs <= above) || pairs == 0 {
        return None;
    }

    let swaps = profile.swaps();
    let partner = |f: usize| swaps.iter().find_map(|&(i, j)| (i == f).then_some(j).or((j == f).then_some(i)));
    // Low-variety fields (agreeing only when equal) make tiers; at most two.
    let mut low: Vec<usize> = (0..fields.len())
        .filter(|&f| {
            !inside[f]
                && fields[f].weight > 0
                && partner(f).is_none()
                && fields[f].agree == Agreement::Exact
                && distinct[f] <= LOW_VARIETY
        })
        .collect();
    low.sort_by_key(|&f| (distinct[f], f));
    low.truncate(2);
    let full = |f: usize| fields[f].weight.max(fields[f].tolerant_weight.unwrap_or(0));
    let base: u32 = (0..fields.len()).filter(|&f| inside[f]).map(full).sum();
    let mut tiers: Vec<(Vec<usize>, u32)> = (0u32..1 << low.len())
        .map(|m| {
            let t: Vec<usize> =
                low.iter().enumerate().filter(|(k, _)| m & (1 << k) != 0).map(|(_, &f)| f).collect();
            let w = t.iter().map(|&f| full(f)).sum::<u32>();
            (t, base + w)
        })
        .collect();
    tiers.sort_by_key(|(t, w)| (std::cmp::Reverse(*w), std::cmp::Reverse(t.len())));
    let scans = tiers
        .into_iter()
        .map(|(t, w)| {
            let mut c = exact.clone();
            c.extend(t.into_iter().map(Component::Exact));
            (c, w)
        })
        .collect();

    let mut joins = Vec::new();
    let join = |c: Component| {
        let mut components = exact.clone();
        components.push(c);
        Plan { components }
    };
    for f in 0..fields.len() {
        if inside[f]
            || fields[f].weight == 0 && fields[f].tolerant_weight.unwrap_or(0) == 0
            || low.contains(&f)
        {
            continue;
        }
        joins.push(join(Component::Field(f)));
        if let Some(p) = partner(f).filter(|&p| p > f && !inside[p]) {
            joins.push(join(Component::Pair(f, p)));
        }
    }
    if above.is_none() {
        // Worth it when the equal pairs, made once per key they share,
        // outnumber the keys the refining joins make.
        let keys = |plan: &Plan| {
            staged.total_keys(plan, records.0) + existing.map_or(0, |v| v.total_keys(plan, records.1))
        };
        let per_record = keys(plan) as f64 / (records.0 + records.1).max(1) as f64;
        let joined: u64 = joins.iter().map(keys).sum();
        if (pairs as f64) * (1.0 + per_record) <= joined as f64 {
            return None;
        }
    }
    Some(Refined { joins, scans, staged_keys, existing_keys })
}

/// Pairs (staged, existing) with equal non-zero keys.
pub(super) fn equal_pairs(left: &[u64], right: &[u64]) -> u64 {
    let sorted = |v: &[u64]| {
        let mut s: Vec<u64> = v.par_iter().copied().filter(|&k| k != 0).collect();
        s.par_sort_unstable();
        s
    };
    let (l, r) = (sorted(left), sorted(right));
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < l.len() && j < r.len() {
        if l[i] < r[j] {
            i += 1;
        } else if l[i] > r[j] {
            j += 1;
        } else {
            let k = l[i];
            let a = l[i..].iter().take_while(|&&x| x == k).count();
            let b = r[j..].iter().take_while(|&&x| x == k).count();
            n += (a * b) as u64;
            (i, j) = (i + a, j + b);
        }
    }
    n
}

/// Part 3 of a refined plan: the scans of its tiers into `best`; returns the
/// pairs scored.
#[allow(clippy::too_many_arguments)]
pub(super) fn scan(
    comparer: &Comparer,
    refined: &Refined,
    no: usize,
    staged: &[MatchInput],
    existing: &[MatchInput],
    variants: (&Variants<'_>, &Variants<'_>),
    within: bool,
    best: &mut [Vec<Candidate>],
) -> u64 {
    let profile = comparer.profile();
    let (keep, threshold) = (profile.candidates, profile.thresholds.potential);
    if keep == 0 {
        return 0;
    }
    // Ranks: the order that breaks ties between equal qualities.
    let sorted = existing.windows(2).all(|w| w[0].id <= w[1].id);
    let order: Vec<u32> = if sorted {
        Vec::new()
    } else {
        let mut o: Vec<u32> = (0..existing.len() as u32).collect();
        o.par_sort_unstable_by_key(|&e| (existing[e as usize].id, e));
        o
    };
    let mut rank_of = vec![0u32; if sorted { 0 } else { existing.len() }];
    for (r, &e) in order.iter().enumerate() {
        rank_of[e as usize] = r as u32;
    }
    let index = |rank: u32| if sorted { rank as usize } else { order[rank as usize] as usize };
    let rank = |e: usize| if sorted { e as u32 } else { rank_of[e] };
    let mut compared = 0u64;
    let mut right = Vec::new();
    for (t, (components, bound)) in refined.scans.iter().enumerate() {
        let seed = SCAN_SEED + no * 64 + t;
        // The last tier is the plan's own block of equal values: it is
        // keyed as part 1 keyed the pairs it left out.
        let last = t + 1 == refined.scans.len();
        let (staged_keys, existing_keys) = refined.keys();
        let key_of = |v: &Variants<'_>, keys: &[u64], r: usize| {
            if last { Some(keys[r]).filter(|&k| k != 0) } else { v.exact_key(components, seed, r) }
        };
        right.clear();
        right.par_extend(
            (0..existing.len())
                .into_par_iter()
                .filter_map(|e| key_of(variants.1, existing_keys, e).map(|k| (k, rank(e)))),
        );
        right.par_sort_unstable();
        compared += best
            .par_iter_mut()
            .enumerate()
            .map(|(s, list)| {
                let Some(key) = key_of(variants.0, staged_keys, s) else { return 0 };
                let mut n = 0u64;
                let from = right.partition_point(|x| x.0 < key);
                for &(_, r) in right[from..].iter().take_while(|x| x.0 == key) {
                    let e = index(r);
                    if within && e == s {
                        continue;
                    }
                    if let Some(worst) = list.get(keep - 1) {
                        let rank = |q: u32, i: usize| (std::cmp::Reverse(q), existing[i].id, i);
                        if rank(worst.quality, worst.index) < rank(*bound, e) {
                            break;
                        }
                    }
                    n += 1;
                    if let Some(score) =
                        comparer.score_reaching(&staged[s].prepared, &existing[e].prepared, threshold)
                    {
                        let c = Candidate { index: e, quality: score.quality, agreeing: score.agreeing };
                        insert(list, c, existing, keep);
                    }
                }
                n
            })
            .sum::<u64>();
    }
    compared
}
