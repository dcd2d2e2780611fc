//! Plans with fewer keys (additive profiles).
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

use super::candidates::{Plan, implies};
use super::keys::Variants;

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
    staged.keys_into(plan, None, seed, &all, None, &mut left);
    let mut left: Vec<u64> = left.into_iter().map(|k| k.0).collect();
    left.par_sort_unstable();
    let right = existing.map(|v| {
        let mut right = Vec::new();
        v.keys_into(plan, None, seed, &all, None, &mut right);
        let mut right: Vec<u64> = right.into_iter().map(|k| k.0).collect();
        right.par_sort_unstable();
        right
    });
    super::refine::equal_pairs(&left, right.as_deref().unwrap_or(&left))
}
