//! The merge join of two key-sorted lists: the pairs of records that share
//! a key, in batches of a bounded size, with blocks too large to compare in
//! full split on a stricter key, and the pairs of a template's shorter key
//! checked against the components it leaves out (see [`super::candidates`]).

use rayon::prelude::*;

use super::keys::{Variants, Walk};
use super::refine;

/// How the join treats blocks too large to compare in full.
pub(super) struct Split<'a> {
    /// The keys of the blocks to split, sorted.
    pub(super) keys: &'a [u64],
    /// The stricter keys of the staged and the existing records, if the
    /// plan leaves a field to split on.
    pub(super) sub: Option<(&'a [u32], &'a [u32])>,
    /// A refined plan's keys of equal values, staged and existing: pairs
    /// whose keys are equal are left to the refinement.
    pub(super) same: Option<(&'a [u64], &'a [u64])>,
    /// A template whose key leaves components out: the variants to check
    /// them on.
    pub(super) left_out: Option<LeftOut<'a>>,
    /// Whether the join checks the left-out components (a shorter key of
    /// about one per record, whose pairs are rarely made twice), rather than
    /// the scoring, once per pair after the batch's pairs are deduplicated
    /// (a many-keyed one, whose pairs share many keys).
    pub(super) join_filter: bool,
}

/// The components a template's key leaves out, and both sides' variants.
pub(super) struct LeftOut<'a> {
    pub(super) walk: &'a Walk<'a>,
    pub(super) staged: &'a Variants<'a>,
    pub(super) existing: &'a Variants<'a>,
}

impl Split<'_> {
    /// Whether the pair is left to the plan's refinement.
    fn leaves(&self, l: u32, r: u32) -> bool {
        self.same.is_some_and(|(a, b)| a[l as usize] == b[r as usize])
    }

    /// [`Split::keeps`], when the join is to check it.
    fn keeps_in_join(&self, l: u32, r: u32) -> bool {
        !self.join_filter || self.keeps(l, r)
    }

    /// Whether the pair shares a variant of each component its template's
    /// key leaves out (else it shares no full key, and is not scored).
    pub(super) fn keeps(&self, l: u32, r: u32) -> bool {
        self.left_out.as_ref().is_none_or(|o| {
            o.walk.components.iter().enumerate().all(|(k, c)| {
                o.walk.skip & (1 << k) == 0 || o.staged.shares(l as usize, o.existing, r as usize, c)
            })
        })
    }
}

/// The blocks of two key-sorted lists: per key both hold, its stretch in
/// `left` and in `right` (a merge join, in key order).
pub(super) fn blocks(
    left: &[(u64, u32)],
    right: &[(u64, u32)],
) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    while i < left.len() && j < right.len() {
        let (a, b) = (left[i].0, right[j].0);
        if a < b {
            i += 1;
        } else if a > b {
            j += 1;
        } else {
            let i_end = i + left[i..].iter().take_while(|x| x.0 == a).count();
            let j_end = j + right[j..].iter().take_while(|x| x.0 == a).count();
            out.push((i..i_end, j..j_end));
            (i, j) = (i_end, j_end);
        }
    }
    out
}

/// The keys whose blocks make more than `max` pairs, sorted.
pub(super) fn huge_blocks(left: &[(u64, u32)], right: &[(u64, u32)], max: u64) -> Vec<u64> {
    blocks(left, right)
        .into_iter()
        .filter(|(l, r)| (l.len() as u64) * (r.len() as u64) > max)
        .map(|(l, _)| left[l.start].0)
        .collect()
}

/// Cuts `left` (sorted keys) into stretches whose joins with `right` make at
/// most about `cap` pairs each (a single record's pairs are never cut).
pub(super) fn segments(left: &[(u64, u32)], right: &[(u64, u32)], cap: u64) -> Vec<std::ops::Range<usize>> {
    let cap = cap.max(1);
    let (mut out, mut start, mut acc) = (Vec::new(), 0usize, 0u64);
    let (mut i, mut j) = (0usize, 0usize);
    while i < left.len() {
        let key = left[i].0;
        let i_end = i + left[i..].iter().take_while(|x| x.0 == key).count();
        while j < right.len() && right[j].0 < key {
            j += 1;
        }
        let r = right[j..].iter().take_while(|x| x.0 == key).count() as u64;
        let mut p = i;
        while r > 0 && p < i_end {
            let room = cap.saturating_sub(acc) / r;
            let take = (if acc == 0 { room.max(1) } else { room }).min((i_end - p) as u64) as usize;
            if take == 0 {
                out.push(start..p);
                (start, acc) = (p, 0);
                continue;
            }
            p += take;
            acc += take as u64 * r;
        }
        i = i_end;
    }
    out.push(start..left.len());
    out
}

/// Pairs (staged << 32 | existing) of records that share a key, into `out`;
/// returns the pairs of split blocks left out. `left` and `right` are
/// sorted (key, record) lists.
pub(super) fn join_into(
    left: &[(u64, u32)],
    right: &[(u64, u32)],
    within: bool,
    split: &Split<'_>,
    out: &mut Vec<u64>,
) -> u64 {
    // Split the left side at key boundaries so both cores join.
    let parts = rayon::current_num_threads().max(1) * 4;
    let mut bounds = vec![0usize];
    for p in 1..parts {
        let mut at = left.len() * p / parts;
        while at > 0 && at < left.len() && left[at].0 == left[at - 1].0 {
            at += 1;
        }
        if at > *bounds.last().expect("non-empty") {
            bounds.push(at.min(left.len()));
        }
    }
    bounds.push(left.len());
    bounds.dedup();
    let parts: Vec<&[(u64, u32)]> = bounds.windows(2).map(|w| &left[w[0]..w[1]]).collect();
    // Count, then fill each part's own stretch of `out` (no per-part vectors).
    let counts: Vec<(usize, u64)> = parts
        .par_iter()
        .map(|part| {
            let mut n = 0;
            let left_out = join_part(part, right, within, split, |_| n += 1);
            (n, left_out)
        })
        .collect();
    let left_out = counts.iter().map(|c| c.1).sum();
    let counts: Vec<usize> = counts.into_iter().map(|c| c.0).collect();
    fill(out, &counts, |p, slot| {
        let mut i = 0;
        join_part(parts[p], right, within, split, |pair| {
            slot[i] = pair;
            i += 1;
        });
    });
    left_out
}

/// The pairs of one stretch of the left side, in order; returns the pairs
/// of split blocks left out.
fn join_part(
    part: &[(u64, u32)],
    right: &[(u64, u32)],
    within: bool,
    split: &Split<'_>,
    mut emit: impl FnMut(u64),
) -> u64 {
    let mut left_out = 0u64;
    let mut i = 0;
    let mut j = right.partition_point(|r| r.0 < part.first().map_or(0, |f| f.0));
    while i < part.len() && j < right.len() {
        let (a, b) = (part[i].0, right[j].0);
        if a < b {
            i += 1;
        } else if a > b {
            j += 1;
        } else {
            let i_end = i + part[i..].iter().take_while(|x| x.0 == a).count();
            let j_end = j + right[j..].iter().take_while(|x| x.0 == a).count();
            if split.keys.binary_search(&a).is_ok() {
                left_out += join_split(&part[i..i_end], &right[j..j_end], within, split, &mut emit);
            } else {
                for l in &part[i..i_end] {
                    for r in &right[j..j_end] {
                        if !(within && l.1 == r.1 || split.leaves(l.1, r.1)) && split.keeps_in_join(l.1, r.1)
                        {
                            emit((u64::from(l.1) << 32) | u64::from(r.1));
                        }
                    }
                }
            }
            i = i_end;
            j = j_end;
        }
    }
    left_out
}

/// The pairs of one too-large block that also share the stricter key, in
/// the order of the left side; returns the block's pairs left out.
fn join_split(
    left: &[(u64, u32)],
    right: &[(u64, u32)],
    within: bool,
    split: &Split<'_>,
    emit: &mut impl FnMut(u64),
) -> u64 {
    // Matching within, a record on both sides makes no pair with itself
    // (`left` is a stretch of `right`'s block, or the block of the crossed
    // keys, where few records are).
    let selfs = if within {
        let mut ids: Vec<u32> = right.iter().map(|r| r.1).collect();
        ids.sort_unstable();
        left.iter().filter(|l| ids.binary_search(&l.1).is_ok()).count() as u64
    } else {
        0
    };
    let all = (left.len() as u64) * (right.len() as u64) - selfs;
    // Pairs left to the refinement are not left out.
    let left_over = split.same.map_or(0, |(a, b)| {
        let equal = refine::equal_pairs(
            &left.iter().map(|l| a[l.1 as usize]).collect::<Vec<_>>(),
            &right.iter().map(|r| b[r.1 as usize]).collect::<Vec<_>>(),
        );
        equal - selfs
    });
    let all = all - left_over;
    let Some((staged_sub, existing_sub)) = split.sub else { return all };
    let mut by_sub: Vec<(u32, u32)> = right.iter().map(|r| (existing_sub[r.1 as usize], r.1)).collect();
    by_sub.sort_unstable();
    let mut emitted = 0u64;
    for l in left {
        let k = staged_sub[l.1 as usize];
        let from = by_sub.partition_point(|x| x.0 < k);
        for r in by_sub[from..].iter().take_while(|x| x.0 == k) {
            if !(within && l.1 == r.1 || split.leaves(l.1, r.1)) {
                // A pair the left-out components rule out is decided, not lost.
                if split.keeps_in_join(l.1, r.1) {
                    emit((u64::from(l.1) << 32) | u64::from(r.1));
                }
                emitted += 1;
            }
        }
    }
    all - emitted
}

/// Sizes `out` to the sum of `counts` (reusing its allocation) and lets
/// `write(part, slot)` fill each part's stretch, in parallel.
pub(super) fn fill<T: Copy + Default + Send>(
    out: &mut Vec<T>,
    counts: &[usize],
    write: impl Fn(usize, &mut [T]) + Sync,
) {
    out.clear();
    out.resize(counts.iter().sum(), T::default());
    let mut slots = Vec::with_capacity(counts.len());
    let mut rest = &mut out[..];
    for &n in counts {
        let (slot, tail) = rest.split_at_mut(n);
        slots.push(slot);
        rest = tail;
    }
    slots.into_par_iter().enumerate().for_each(|(p, slot)| write(p, slot));
}
