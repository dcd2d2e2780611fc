//! Plans with fewer keys: additive profiles' plans ([`coarsen`]) and
//! probabilistic profiles' templates ([`coarsen_templates`]).
//!
//! A plan's keys multiply: first name × birth date × zip makes 7 × 9 × 1
//! keys per record (a name's typo variants, a date's one-digit masks and
//! its day-month swap). Leaving a component out of a plan finds every pair
//! it found and more (the extra pairs are scored and dropped), so a plan
//! whose other components make few pairs on their own is cheaper without
//! it. Each plan is weighed against the same plan without each of its
//! many-keyed components, by the keys both sides make and the pairs the
//! smaller plan's blocks make, counted on the data; the cheaper one is kept.
//! Plans that another kept plan then implies are dropped.

use rayon::prelude::*;

use super::candidates::{Component, Plan, implies};
use super::compare::mix64;
use super::keys::{Variants, Walk};

/// What scoring a pair costs against keying a record once.
const PAIR_COST: u64 = 2;
/// Where the trial keys are seeded (apart from every plan's keys).
const TRIAL_SEED: usize = 1 << 42;

/// The plans, each with its many-keyed components left out where that is
/// cheaper on these records.
pub(super) fn coarsen(
    plans: Vec<Plan>,
    staged: &Variants<'_>,
    existing: Option<&Variants<'_>>,
    records: (usize, usize),
) -> Vec<Plan> {
    let keys = |plan: &Plan| {
        staged.total_keys(plan, records.0) + existing.map_or(0, |v| v.total_keys(plan, records.1))
    };
    let mut out: Vec<Plan> = Vec::new();
    for (no, plan) in plans.iter().enumerate() {
        let full = keys(plan);
        let mut best = (full, plan.clone());
        if plan.components.len() >= 2 {
            for c in &plan.components {
                let rest = Plan { components: plan.components.iter().filter(|d| *d != c).copied().collect() };
                let fewer = keys(&rest);
                // Only a component that multiplies the keys is worth a trial.
                if fewer * 2 > full {
                    continue;
                }
                let cost = fewer + PAIR_COST * block_pairs(&rest, TRIAL_SEED + no, staged, existing);
                if cost < best.0 {
                    best = (cost, rest);
                }
            }
        }
        out.push(best.1);
    }
    out.sort();
    out.dedup();
    let all = out.clone();
    out.into_iter()
        .filter(|p| !all.iter().any(|q| q != p && q.components.iter().all(|c| implies(p, c))))
        .collect()
}

/// The pairs (with repeats, as the join makes them) of `plan`'s blocks.
fn block_pairs(plan: &Plan, seed: usize, staged: &Variants<'_>, existing: Option<&Variants<'_>>) -> u64 {
    let all = |_: u64| true;
    let mut left = Vec::new();
    staged.keys_into(plan, None, seed, &all, None, false, &mut left);
    let mut left: Vec<u64> = left.into_iter().map(|k| k.0).collect();
    left.par_sort_unstable();
    let right = existing.map(|v| {
        let mut right = Vec::new();
        v.keys_into(plan, None, seed, &all, None, false, &mut right);
        let mut right: Vec<u64> = right.into_iter().map(|k| k.0).collect();
        right.par_sort_unstable();
        right
    });
    super::refine::equal_pairs(&left, right.as_deref().unwrap_or(&left))
}

/// What a pair of a shorter key costs against keying a record once, in
/// templates: it is joined, sorted and checked against the left-out
/// components' variants, and only the pairs that share them (which the
/// full key would have made too) are scored.
const TEMPLATE_PAIR_COST: u64 = 2;
/// Records of each side the keys of a trial are counted on, at most.
const KEY_SAMPLE: usize = 4096;
/// Records and keys of each side a trial's pairs are estimated on, at most.
const PAIR_SAMPLE: (usize, u64) = (8 << 10, 2 << 20);
/// Templates with fewer keys than this are left as they are (too cheap to
/// be worth a trial).
const FEW_KEYS: u64 = 4 << 20;

/// Leaves many-keyed components out of the templates' keys where that is
/// cheaper on these records (probabilistic profiles).
///
/// First name (typo kind) + last name (typo kind) + birth date (one-digit
/// masks) makes about 8 × 9 × 8 keys per record, though two records sharing
/// both names' variants are rarely more than a few. A left-out component
/// still takes part in the walk (a record keys only its minimal
/// combinations), but its variant is not hashed into the key: records that
/// share the full key share the shorter one, so no pair is lost, and the
/// pairs the shorter key adds are scored and dropped. Each template is
/// weighed against itself without each of its many-keyed components, by the
/// keys both sides make and the pairs the shorter keys make, estimated on a
/// sample of both sides; the cheaper is kept, and so on while it gets
/// cheaper. The join scores only the pairs that share a variant of each
/// left-out component too (see `Variants::shares`), once per pair.
pub(super) fn coarsen_templates(
    walks: &mut [Option<Walk<'_>>],
    staged: &Variants<'_>,
    existing: Option<&Variants<'_>>,
    records: (usize, usize),
    random: Option<u64>,
) {
    if let Some(seed) = random {
        for (no, w) in walks.iter_mut().enumerate().filter_map(|(no, w)| Some((no, w.as_mut()?))) {
            let all = (1u32 << w.components.len()) - 1;
            let skip = mix64(seed ^ mix64(no as u64 + 1)) as u32 & all;
            // At least one component stays in the key.
            w.skip = if skip == all { skip & (skip - 1) } else { skip };
        }
        return;
    }
    let within = existing.is_none();
    // Keys counted on a sample of each side (every `stride`-th record).
    let count = |w: &Walk<'_>, v: &Variants<'_>, n: usize| -> u64 {
        let stride = n.div_ceil(KEY_SAMPLE).max(1);
        let sampled: Vec<usize> = (0..n).step_by(stride).collect();
        sampled.into_par_iter().map(|r| v.key_count_of(w, r) as u64).sum::<u64>() * stride as u64
    };
    let sides = |w: &Walk<'_>| (count(w, staged, records.0), existing.map_or(0, |v| count(w, v, records.1)));
    let keys = |w: &Walk<'_>| -> u64 {
        let (l, r) = sides(w);
        l + r
    };
    let all_records = (records.0 + if within { 0 } else { records.1 }) as u64;
    for (no, walk) in walks.iter_mut().enumerate() {
        let Some(w) = walk else { continue };
        if w.components.len() < 2 {
            continue;
        }
        let mut best = keys(w);
        // Few keys per record: nothing to save.
        if best < (2 * all_records).max(FEW_KEYS) {
            continue;
        }
        let mut current = best;
        loop {
            let mut choice = None;
            for k in 0..w.components.len() {
                let left_in = w.skip | (1 << k);
                if w.skip & (1 << k) != 0 || left_in.count_ones() as usize >= w.components.len() {
                    continue;
                }
                let trial = Walk { components: w.components, upper: w.upper.clone(), skip: left_in };
                let fewer = keys(&trial);
                // Only a component that multiplies the keys is worth a trial.
                if fewer * 2 > current {
                    continue;
                }
                let per_side = sides(&trial);
                let cost = fewer
                    + TEMPLATE_PAIR_COST * sample_pairs(&trial, no, staged, existing, records, per_side);
                if cost < best {
                    best = cost;
                    choice = Some((left_in, fewer));
                }
            }
            match choice {
                Some((skip, fewer)) => {
                    w.skip = skip;
                    current = fewer;
                }
                None => break,
            }
        }
    }
}

/// The pairs template `w`'s keys make (`keys` on each side), estimated on
/// every `stride`-th record of each side, a sample of at most
/// [`PAIR_SAMPLE`] records and keys.
fn sample_pairs(
    w: &Walk<'_>,
    no: usize,
    staged: &Variants<'_>,
    existing: Option<&Variants<'_>>,
    records: (usize, usize),
    keys: (u64, u64),
) -> u64 {
    let n = records.0.max(if existing.is_some() { records.1 } else { 0 });
    let most = keys.0.max(keys.1);
    let stride = n.div_ceil(PAIR_SAMPLE.0).max(most.div_ceil(PAIR_SAMPLE.1) as usize).max(1);
    let crossed = w.components.iter().any(|c| matches!(c, Component::Pair(..)));
    let seed = mix64((TRIAL_SEED + no) as u64);
    let left = staged.sample_keys(w, seed, stride, false);
    let right = existing.unwrap_or(staged).sample_keys(w, seed, stride, crossed);
    let mut pairs = super::refine::equal_pairs(&left, &right);
    if existing.is_none() && !crossed {
        pairs = pairs.saturating_sub(left.len() as u64); // each record with itself
    }
    pairs * (stride * stride) as u64
}
