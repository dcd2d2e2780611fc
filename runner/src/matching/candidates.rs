//! Candidate generation: every pair whose quality reaches the potential
//! threshold, without comparing all pairs.
//!
//! A pair reaches the threshold only if the fields it agrees on weigh enough
//! together, so it agrees on at least one *minimal* set of fields whose weights
//! reach the threshold. For each such set a [`Plan`] builds conjunctive
//! blocking keys from the fields' variants (see [`Comparer::variants`]): two
//! agreeing values always share a variant, so two records that agree on every
//! field of the set always share a key. A field whose tolerant agreement
//! weighs less than equality (a birth date one digit off) enters the sets
//! that need it equal by its exact value alone. Swapped fields (first and last name)
//! enter a key as an unordered pair, which is the same in either order. Pairs
//! that share a key are scored; those below the threshold are dropped.
//!
//! Keys are joined by sorting (no hash maps), one plan and one slice of the
//! key space at a time, and the pairs of a slice are scored in batches, so
//! memory grows with the records, not with the square of a block ([`Limits`]);
//! both cores generate keys, sort and score through rayon.
//!
//! A block too large to compare in full (more than
//! [`Limits::max_block_pairs`] pairs share one key) is split on a stricter
//! key: only its pairs that also agree exactly on one more field (the most
//! varied one outside the plan) are scored. The pairs this leaves out are
//! counted ([`Found::uncompared`]) and reported, never silently dropped.

use std::collections::BTreeSet;

use ferry_mapper::progress::{Reporter, Stage};
use rayon::prelude::*;

use super::bounds::Bounds;
use super::compare::{Comparer, Prepared, hash32, mix64};
use super::join::{LeftOut, Split, huge_blocks, join_into, segments};
use super::keys::{Part, Variants, Walk};
use super::{coarsen, refine};

/// A blocking plan: the conjunction of components that make one key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Plan {
    pub components: Vec<Component>,
}

/// One part of a conjunctive key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Component {
    /// A variant of this field's value.
    Field(usize),
    /// Variants of two swappable fields, as an unordered pair (in a
    /// probabilistic profile's template: of the exact and typo kinds, as a
    /// pair ordered so that only fields agreeing crosswise share it).
    Pair(usize, usize),
    /// A probabilistic profile's variants of this field of one kind (see
    /// `super::bounds`).
    Kind(usize, super::profile::Level),
    /// This field's exact value (see `super::refine`).
    Exact(usize),
    /// The exact values of two swappable fields, as an unordered pair.
    ExactPair(usize, usize),
}

/// The blocking plans of a profile at its potential threshold.
pub fn plans(comparer: &Comparer) -> Vec<Plan> {
    let profile = comparer.profile();
    // What agreeing on a field can add at most (a tolerant agreement adds at
    // most that), so sets derived from it never miss a pair.
    let (weights, threshold) = comparer.block_bounds(None);
    let swaps = profile.swaps();
    let n = weights.len();
    let swapped = |i: usize| swaps.iter().any(|&(a, b)| a == i || b == i);
    // In an additive profile, a field whose tolerant agreement (a typo, a
    // swapped day and month) weighs less than equality enters a set in one
    // of two ways: equal, for its weight (one key, its exact value), or
    // agreeing at all, for its tolerant weight (all its variants). A set
    // that reaches the threshold only with the field equal then keys on
    // the exact value, not on every variant of it.
    let tolerant: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let f = &profile.fields[i];
            match (profile.probabilistic, f.tolerant_weight) {
                (None, Some(t)) if t < f.weight && !swapped(i) && n <= 12 => Some(f64::from(t)),
                _ => None,
            }
        })
        .collect();
    // Per field: 0 absent, 1 agreeing (its tolerant weight when split), 2 equal.
    let value = |i: usize, c: u8| match c {
        0 => 0.0,
        1 => tolerant[i].unwrap_or(weights[i]),
        _ => weights[i],
    };
    let mut minimal = Vec::new();
    let mut choice = vec![0u8; n];
    loop {
        let s: f64 = (0..n).map(|i| value(i, choice[i])).sum();
        let reaches = s >= threshold;
        let each_needed = (0..n).all(|i| choice[i] == 0 || s - value(i, choice[i]) < threshold);
        // Equal where agreeing would do is not minimal either.
        let equal_needed = (0..n).all(|i| choice[i] != 2 || s - value(i, 2) + value(i, 1) < threshold);
        if reaches && each_needed && equal_needed {
            let mask = (0..n).filter(|&i| choice[i] != 0).fold(0u32, |m, i| m | 1 << i);
            let equal = (0..n).filter(|&i| choice[i] == 2).fold(0u32, |m, i| m | 1 << i);
            minimal.push((mask, equal));
        }
        // The next choice (an odometer: 3 positions for split fields, else 2).
        let mut i = 0;
        while i < n {
            let top = if tolerant[i].is_some() { 2 } else { 1 };
            if choice[i] < top {
                choice[i] += 1;
                break;
            }
            choice[i] = 0;
            i += 1;
        }
        if i == n {
            break;
        }
    }
    let mut plans = BTreeSet::new();
    for &(m, equal) in &minimal {
        // A pair may agree on the swap partners crosswise; then it agrees on
        // both, so close the set over every subset of the swaps it touches.
        let touched: Vec<(usize, usize)> =
            swaps.iter().copied().filter(|&(i, j)| m & ((1 << i) | (1 << j)) != 0).collect();
        for sub in 0u32..(1 << touched.len()) {
            let mut set = m;
            for (k, &(i, j)) in touched.iter().enumerate() {
                if sub & (1 << k) != 0 {
                    set |= (1 << i) | (1 << j);
                }
            }
            let mut components = Vec::new();
            let mut used = 0u32;
            for &(i, j) in &swaps {
                if set & (1 << i) != 0 && set & (1 << j) != 0 {
                    components.push(Component::Pair(i.min(j), i.max(j)));
                    used |= (1 << i) | (1 << j);
                }
            }
            for i in 0..n {
                if set & (1 << i) != 0 && used & (1 << i) == 0 {
                    components.push(if equal & (1 << i) != 0 {
                        Component::Exact(i)
                    } else {
                        Component::Field(i)
                    });
                }
            }
            components.sort();
            plans.insert(Plan { components });
        }
    }
    // A plan whose components imply another plan's finds nothing more.
    let all: Vec<Plan> = plans.into_iter().collect();
    all.iter()
        .filter(|p| !all.iter().any(|q| q != *p && q.components.iter().all(|c| implies(p, c))))
        .cloned()
        .collect()
}

/// Whether `plan`'s key implies component `c`: it has `c`, or the exact
/// value of the field that `c` lets agree.
pub(super) fn implies(plan: &Plan, c: &Component) -> bool {
    plan.components
        .iter()
        .any(|d| d == c || matches!((c, d), (Component::Field(i), Component::Exact(j)) if i == j))
}

/// A candidate of a staged record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the candidate in the compared-against slice.
    pub index: usize,
    pub quality: u32,
    /// Bit `i` set: profile field `i` agrees.
    pub agreeing: u32,
}

/// A record to match: its prepared values and the id that breaks ties
/// between candidates of equal quality (lower first).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchInput {
    pub id: i64,
    pub prepared: Prepared,
}

/// How much candidate generation holds at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Keys of one plan held at once per side, and pairs per batch (the
    /// result does not depend on it; tests make it small).
    pub keys_per_slice: usize,
    /// Pairs one block (records sharing a key) may make before it is split
    /// on a stricter key.
    pub max_block_pairs: u64,
    /// Pairs of equal values under one plan above which the plan is
    /// refined (see `super::refine`); `None`: 8 per record. The result
    /// does not depend on it; tests vary it.
    pub refine_above: Option<u64>,
    /// A seed that leaves a random choice of each template's components out
    /// of its keys, in place of the choice counted on the data (see
    /// `super::coarsen::coarsen_templates`); `None`: counted. The result
    /// does not depend on it; tests vary it.
    pub left_out: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { keys_per_slice: 12 << 20, max_block_pairs: 32 << 20, refine_above: None, left_out: None }
    }
}

impl Limits {
    /// Bytes the working buffers take at most besides the records (keys of
    /// both sides, one side's keys for a moment twice while a template's are
    /// made, the pairs of a batch and their scores).
    pub const BYTES_PER_KEY: u64 = 3 * 16 + 8 + 16;
}

/// Mixed into a variant's hash to choose its slice (see [`Part`]).
const SLICE_SEED: u64 = 0x736c_6963_6573;

/// The candidates of every staged record, and what was not compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Per staged record, best first.
    pub lists: Vec<Vec<Candidate>>,
    /// Pairs of blocks split on a stricter key that were not scored (an
    /// upper bound on the pairs at or above the threshold this could lose;
    /// 0 when no block was split).
    pub uncompared: u64,
    /// Blocks split on a stricter key.
    pub split_blocks: u64,
    /// Pairs scored (a pair sharing keys of several plans once per plan).
    pub compared: u64,
    /// Blocking plans (for probabilistic profiles: templates) joined.
    pub plans: u64,
}

/// Finds, for every staged record, its best candidates among `existing`
/// (at most `profile.candidates`, quality ≥ the potential threshold, best
/// first, equal qualities by lower id). With `existing` = `None` the staged
/// records are matched against each other (a record never matches itself).
pub fn find_candidates(
    comparer: &Comparer,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    reporter: &(dyn Reporter + Sync),
) -> Found {
    find_candidates_within(comparer, staged, existing, reporter, &Limits::default())
}

/// [`find_candidates`] within `limits`.
pub fn find_candidates_within(
    comparer: &Comparer,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    reporter: &(dyn Reporter + Sync),
    limits: &Limits,
) -> Found {
    let keys_per_slice = limits.keys_per_slice;
    let within = existing.is_none();
    let existing = existing.unwrap_or(staged);
    if staged.is_empty() || existing.is_empty() {
        return Found { lists: vec![Vec::new(); staged.len()], ..Found::default() }; // nothing to pair
    }
    let profile = comparer.profile();
    let keep = profile.candidates;
    let threshold = profile.thresholds.potential;
    let bounds = Bounds::new(comparer, staged, (!within).then_some(existing));
    let staged_variants = Variants::build(comparer, staged, bounds.as_ref());
    let existing_variants =
        if within { None } else { Some(Variants::build(comparer, existing, bounds.as_ref())) };
    let existing_variants = existing_variants.as_ref().unwrap_or(&staged_variants);
    // Probabilistic profiles: the templates of their per-value bounds (see
    // `bounds`), else one bound per field.
    let ranges = bounds.as_ref().map(|_| {
        let mut ranges = staged_variants.ranges();
        if !within {
            for (r, e) in ranges.iter_mut().zip(existing_variants.ranges()) {
                for (x, y) in r.iter_mut().zip(e) {
                    *x = match (*x, y) {
                        ((0, _), y) => y,
                        (x, (0, _)) => x,
                        (x, y) => (x.0.min(y.0), x.1.max(y.1)),
                    };
                }
            }
        }
        ranges
    });
    let templates = bounds.as_ref().zip(ranges.as_ref()).and_then(|(b, r)| b.templates(r));
    let plans = match &templates {
        Some(t) => t.clone(),
        None if bounds.is_none() => coarsen::coarsen(
            plans(comparer),
            &staged_variants,
            (!within).then_some(existing_variants),
            (staged.len(), existing.len()),
        ),
        None => plans(comparer),
    };
    let mut walks: Vec<Option<Walk<'_>>> = plans
        .iter()
        .map(|p| match (&templates, &bounds, &ranges) {
            (Some(_), Some(b), Some(r)) => Some(b.walk(p, r)),
            _ => None,
        })
        .collect();
    coarsen::coarsen_templates(
        &mut walks,
        &staged_variants,
        (!within).then_some(existing_variants),
        (staged.len(), existing.len()),
        limits.left_out,
    );

    let stricter = Stricter::new(comparer, staged, existing, within);
    // Plans whose blocks of equal values are large are refined: their
    // joins (the plan's own, leaving out equal values, and the plans that
    // refine it), then a scan of the equal values at the end, when the
    // lists are fullest.
    let mut refined = Vec::new();
    let mut jobs: Vec<(Plan, Option<&Walk<'_>>, Option<usize>)> = Vec::new();
    for (plan, walk) in plans.iter().zip(&walks) {
        let r = refine::refine(
            comparer,
            plan,
            refined.len(),
            &stricter.distinct,
            &staged_variants,
            (!within).then_some(existing_variants),
            (staged.len(), existing.len()),
            limits.refine_above,
        );
        match r {
            Some(r) => {
                jobs.extend(r.joins.iter().map(|p| (p.clone(), None, None)));
                jobs.push((plan.clone(), walk.as_ref(), Some(refined.len())));
                refined.push(r);
            }
            None => jobs.push((plan.clone(), walk.as_ref(), None)),
        }
    }
    let mut best: Vec<Vec<Candidate>> = vec![Vec::new(); staged.len()];
    let (mut uncompared, mut split_blocks, mut compared) = (0u64, 0u64, 0u64);
    // Buffers kept across slices and plans: their pages are touched once,
    // not faulted in (and zeroed by the kernel) again for every slice.
    let (mut right, mut left, mut pairs) = (Vec::new(), Vec::new(), Vec::new());
    let total = (jobs.len() + refined.len()) as u64;
    reporter.on_stage(Stage::Candidates, Some(total));
    for (plan_no, (plan, walk, refined_no)) in jobs.iter().enumerate() {
        let walk = *walk;
        // Both sides' keys of a slice are held at once: the larger side sets
        // the number of slices.
        let count = |variants: &Variants, records: usize| -> usize {
            (0..records).into_par_iter().map(|r| variants.key_count(plan, walk, r)).sum()
        };
        // A template's swap pairs are keyed straight on the staged side and
        // crossed on the other (see `Variants::chain_chosen`): the two lists
        // differ even when matching within.
        let crossed = walk.is_some() && plan.components.iter().any(|c| matches!(c, Component::Pair(..)));
        let right_count = count(existing_variants, existing.len());
        let left_count = if within { 0 } else { count(&staged_variants, staged.len()) };
        let slices = right_count.max(left_count).div_ceil(keys_per_slice.max(1)).max(1) as u64;
        // A template's slices go by the variant of its most varied field's
        // component, so a record makes only the keys of the slice at hand
        // (by the key itself, every key would be made once per slice). The
        // component must be in the key, and varied enough that the slices
        // are of about one size (not gender's three values).
        let part_of = walk.and_then(|w| {
            w.components
                .iter()
                .enumerate()
                .filter_map(|(k, c)| match *c {
                    Component::Kind(i, _)
                        if w.skip & (1 << k) == 0 && stricter.distinct[i] as u64 >= 64 * slices =>
                    {
                        Some((stricter.distinct[i], k))
                    }
                    _ => None,
                })
                .max()
                .map(|(_, k)| k)
        });
        for slice in 0..slices {
            let in_slice = |k: u64| k % slices == slice;
            let variant_in_slice = |v: u32| mix64(u64::from(v) ^ SLICE_SEED) % slices == slice;
            let all = |_: u64| true;
            let (wanted, part): (&(dyn Fn(u64) -> bool + Sync), _) = match part_of {
                Some(component) if slices > 1 => (&all, Some(Part { component, keep: &variant_in_slice })),
                _ => (&in_slice, None),
            };
            existing_variants.keys_into(plan, walk, plan_no, wanted, part, crossed, &mut right);
            right.par_sort_unstable();
            right.dedup();
            if !within || crossed {
                staged_variants.keys_into(plan, walk, plan_no, wanted, part, false, &mut left);
                left.par_sort_unstable();
                left.dedup();
            }
            let probe = if within && !crossed { &right } else { &left };
            let huge = huge_blocks(probe, &right, limits.max_block_pairs);
            split_blocks += huge.len() as u64;
            let field = stricter.field_for(plan);
            let same = refined_no.map(|r| refined[r].keys());
            let left_out = walk.filter(|w| w.skip != 0).map(|w| LeftOut {
                walk: w,
                staged: &staged_variants,
                existing: existing_variants,
            });
            let records = (staged.len() + if within { 0 } else { existing.len() }) as u64;
            let join_filter = ((left_count + right_count) as u64) <= 2 * records;
            let split =
                Split { keys: &huge, sub: field.map(|f| stricter.of(f)), same, left_out, join_filter };
            // The pairs of a slice come in batches of at most about
            // `keys_per_slice`, so one huge block (thousands of records
            // sharing a key) never holds all its pairs at once.
            for segment in segments(probe, &right, keys_per_slice as u64) {
                uncompared += join_into(&probe[segment], &right, within, &split, &mut pairs);
                pairs.par_sort_unstable();
                pairs.dedup();
                let scored: Vec<(u32, u32, u32, u32)> = pairs
                    .par_iter()
                    .filter_map(|&p| {
                        let (s, e) = ((p >> 32) as u32, p as u32);
                        // Only pairs that share the left-out components'
                        // variants (checked here, once per pair, when the
                        // join did not).
                        if !split.join_filter && !split.keeps(s, e) {
                            return None;
                        }
                        let (a, b) = (&staged[s as usize].prepared, &existing[e as usize].prepared);
                        let score = comparer.score_reaching(a, b, threshold)?;
                        Some((s, e, score.quality, score.agreeing))
                    })
                    .collect();
                compared += pairs.len() as u64;
                // A pair seen in an earlier batch again is inserted once.
                for (s, e, quality, agreeing) in scored {
                    insert(
                        &mut best[s as usize],
                        Candidate { index: e as usize, quality, agreeing },
                        existing,
                        keep,
                    );
                }
            }
        }
        reporter.on_progress(plan_no as u64 + 1);
    }
    for (no, r) in refined.iter().enumerate() {
        let variants = (&staged_variants, existing_variants);
        compared += refine::scan(comparer, r, no, staged, existing, variants, within, &mut best);
        reporter.on_progress((jobs.len() + no) as u64 + 1);
    }
    Found { lists: best, uncompared, split_blocks, compared, plans: total }
}

/// Per field, every record's stricter key: a hash of its exact value (0
/// when missing), for splitting blocks that are too large.
struct Stricter {
    /// `staged[field][record]`.
    staged: Vec<Vec<u32>>,
    /// `existing[field][record]` (empty when matching within).
    existing: Vec<Vec<u32>>,
    /// Distinct values per field (more: stricter).
    pub(super) distinct: Vec<usize>,
}

impl Stricter {
    fn new(comparer: &Comparer, staged: &[MatchInput], existing: &[MatchInput], within: bool) -> Stricter {
        let fields = comparer.profile().fields.len();
        let side = |records: &[MatchInput], f: usize| -> Vec<u32> {
            records
                .par_iter()
                .map(|r| r.prepared.values[f].as_deref().map_or(0, |v| hash32(1, v.as_bytes()) | 1))
                .collect()
        };
        let staged_keys: Vec<Vec<u32>> = (0..fields).map(|f| side(staged, f)).collect();
        let existing_keys: Vec<Vec<u32>> =
            if within { Vec::new() } else { (0..fields).map(|f| side(existing, f)).collect() };
        let distinct = (0..fields)
            .map(|f| {
                let mut v: Vec<u32> = staged_keys[f]
                    .iter()
                    .chain(existing_keys.get(f).into_iter().flatten())
                    .copied()
                    .filter(|&x| x != 0)
                    .collect();
                v.par_sort_unstable();
                v.dedup();
                v.len()
            })
            .collect();
        Stricter { staged: staged_keys, existing: existing_keys, distinct }
    }

    /// The field that splits `plan`'s large blocks: the most varied one it
    /// does not use.
    fn field_for(&self, plan: &Plan) -> Option<usize> {
        let used = |f: usize| {
            plan.components.iter().any(|c| match *c {
                Component::Field(i) | Component::Kind(i, _) | Component::Exact(i) => i == f,
                Component::Pair(i, j) | Component::ExactPair(i, j) => i == f || j == f,
            })
        };
        (0..self.staged.len()).filter(|&f| !used(f)).max_by_key(|&f| (self.distinct[f], std::cmp::Reverse(f)))
    }

    /// The staged and existing stricter keys of field `f`.
    fn of(&self, f: usize) -> (&[u32], &[u32]) {
        let existing = self.existing.get(f).unwrap_or(&self.staged[f]);
        (&self.staged[f], existing)
    }
}

/// Adds a candidate to a best-first list of at most `keep`, once per index.
pub(super) fn insert(list: &mut Vec<Candidate>, c: Candidate, existing: &[MatchInput], keep: usize) {
    if list.iter().any(|x| x.index == c.index) {
        return;
    }
    let rank = |x: &Candidate| (std::cmp::Reverse(x.quality), existing[x.index].id, x.index);
    let pos = list.partition_point(|x| rank(x) < rank(&c));
    if pos < keep {
        list.insert(pos, c);
        list.truncate(keep);
    }
}

/// A seeded random sample of `n` of `records` (at least 1), in their
/// order; `None` when there are no more than that.
pub fn sample(records: &[MatchInput], n: usize, seed: u64) -> Option<Vec<MatchInput>> {
    let n = n.max(1);
    if records.len() <= n {
        return None;
    }
    let mut order: Vec<(u64, usize)> =
        (0..records.len()).map(|i| (mix64(seed ^ mix64(i as u64 + 1)), i)).collect();
    order.sort_unstable();
    let mut picked: Vec<usize> = order.into_iter().take(n).map(|(_, i)| i).collect();
    picked.sort_unstable();
    Some(picked.into_iter().map(|i| records[i].clone()).collect())
}

/// Every candidate pair by brute force (all pairs scored): the reference the
/// property tests hold [`find_candidates`] to.
pub fn brute_force(
    comparer: &Comparer,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
) -> Vec<Vec<Candidate>> {
    let within = existing.is_none();
    let existing = existing.unwrap_or(staged);
    let profile = comparer.profile();
    staged
        .iter()
        .enumerate()
        .map(|(s, a)| {
            let mut list = Vec::new();
            for (e, b) in existing.iter().enumerate() {
                if within && s == e {
                    continue;
                }
                let score = comparer.score(&a.prepared, &b.prepared);
                if score.quality >= profile.thresholds.potential {
                    insert(
                        &mut list,
                        Candidate { index: e, quality: score.quality, agreeing: score.agreeing },
                        existing,
                        profile.candidates,
                    );
                }
            }
            list
        })
        .collect()
}
