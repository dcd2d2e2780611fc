//! How often namesakes share a value: the `namesakeU` that [`super::learn`]
//! writes on e-mail fields (see [`MatchField::namesake_u`]).
//!
//! An e-mail address made of the names (`james.smith42@…`) is shared by two
//! different people with the same names far more often than by two random
//! records; counted as independent evidence, it would make such namesakes
//! a Match.

use std::collections::HashMap;

use rayon::prelude::*;

use super::candidates::MatchInput;
use super::compare::{Comparer, mix64};
use super::learn::Rng;
#[cfg(doc)]
use super::profile::MatchField;
use super::profile::{Level, MatchingProfile, Normalize};

/// Namesake pairs drawn per staged record, and staged records looked at.
const NAMESAKE_DRAWS: usize = 2;
const NAMESAKE_RECORDS: usize = 200_000;

/// The u of exact agreement on e-mail field `f` between namesakes (equal on
/// both fields of the profile's first swap pair), when it is far above the
/// field's own: from pairs of namesakes that every other field says are two
/// people (their score without `f` is below [`NAMESAKE_TWO_PEOPLE`] bits).
/// `None` for other fields (an address is what is made of the names; a
/// birth date or zip that namesakes share is mostly one person's), without a
/// swap pair, or when namesakes share `f` too rarely to tell.
pub(super) fn namesake_u(
    comparer: &Comparer,
    profile: &MatchingProfile,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    f: usize,
    seed: u64,
) -> Option<f64> {
    let &(i, j) = profile.swaps().first()?;
    let exact = profile.fields[f].levels.iter().find(|l| l.level == Level::Exact)?;
    if f == i || f == j || profile.fields[f].normalize != Normalize::Email {
        return None;
    }
    let within = existing.is_none();
    let existing = existing.unwrap_or(staged);
    fn names(r: &MatchInput, i: usize, j: usize) -> Option<(&str, &str)> {
        Some((r.prepared.values[i].as_deref()?, r.prepared.values[j].as_deref()?))
    }
    let mut by_name: HashMap<(&str, &str), Vec<u32>> = HashMap::new();
    for (k, r) in existing.iter().enumerate() {
        if let Some(key) = names(r, i, j).filter(|_| r.prepared.values[f].is_some()) {
            by_name.entry(key).or_default().push(k as u32);
        }
    }
    let step = staged.len().div_ceil(NAMESAKE_RECORDS).max(1);
    let (counted, equal) = (0..staged.len())
        .into_par_iter()
        .step_by(step)
        .map(|s| {
            let a = &staged[s];
            let Some(group) = names(a, i, j).and_then(|key| by_name.get(&key)) else { return (0u64, 0u64) };
            if a.prepared.values[f].is_none() {
                return (0, 0);
            }
            let mut rng = Rng(mix64(seed ^ 0x6e61_6d65 ^ s as u64));
            let (mut counted, mut equal) = (0, 0);
            for _ in 0..NAMESAKE_DRAWS.min(group.len()) {
                let e = group[rng.below(group.len())] as usize;
                if within && e == s {
                    continue;
                }
                let x = comparer.explain(&a.prepared, &existing[e].prepared);
                let without: f64 = x.prior.unwrap_or_default()
                    + x.fields
                        .iter()
                        .enumerate()
                        .filter(|&(g, _)| g != f)
                        .map(|(_, s)| s.contribution)
                        .sum::<f64>();
                if without < NAMESAKE_TWO_PEOPLE {
                    counted += 1;
                    equal += u64::from(x.fields[f].level == Level::Exact);
                }
            }
            (counted, equal)
        })
        .reduce(|| (0, 0), |x, y| (x.0 + y.0, x.1 + y.1));
    let u = (equal as f64 + 0.5) / (counted as f64 + 1.0);
    (equal >= NAMESAKE_MIN_EQUAL && u > NAMESAKE_MIN_RATIO * exact.u).then_some(u.min(1.0))
}

/// Namesakes equal on a field at least this often, and this many times as
/// often as random records, before the field weighs less between them.
const NAMESAKE_MIN_EQUAL: u64 = 20;
const NAMESAKE_MIN_RATIO: f64 = 10.0;

/// A namesake pair counts as two people when its score without the field
/// is below this many bits (odds of one person 1 in 16).
const NAMESAKE_TWO_PEOPLE: f64 = -4.0;
