//! Every record's blocking variants, and the keys a plan makes of them.
//!
//! Additive profiles' plans chain one variant per component (see
//! [`super::candidates`]). Probabilistic profiles' templates (see
//! [`super::bounds`]) also carry each variant's kind and bound, and a record
//! makes a template's key only from a combination of its variants whose
//! bounds reach the needed units and no longer do without any one of them.

use rayon::prelude::*;

use super::bounds::{Bounds, KINDS, kind_index, kinded_variants, units};
use super::candidates::{Component, MatchInput, Plan};
use super::compare::{Comparer, hash32, mix64};
use super::profile::Level;

/// Every record's blocking variants per field, flattened.
pub(super) struct Variants<'b> {
    fields: usize,
    /// `offsets[r * fields + f] .. offsets[r * fields + f + 1]` index `hashes`.
    offsets: Vec<u32>,
    hashes: Vec<u32>,
    /// `exact[r * fields + f]`: a 64-bit hash of the record's exact value
    /// (0: missing), for [`Component::Exact`] and [`Component::ExactPair`].
    exact: Vec<u64>,
    /// Probabilistic profiles: per variant its kind (index in [`KINDS`]) and
    /// bound, each record's field sorted by kind, then bound; empty otherwise.
    kinds: Vec<u8>,
    bounds: Vec<u8>,
    limits: Option<&'b Bounds>,
}

/// A template's components with the most the ones from each position on
/// can add (`upper[k]`: components `k..`).
pub(super) struct Walk<'p> {
    pub components: &'p [Component],
    pub upper: Vec<u32>,
    /// Bit `k` set: component `k` still chooses which combinations make a
    /// key, but its variant is left out of the key (see
    /// [`super::coarsen::coarsen_templates`]).
    pub skip: u32,
}

/// A slice of a template's key space chosen by the variant of one of its
/// components (a field's kind) rather than by the key: two records share a
/// key only through equal variants of every component, so they meet in the
/// same slice, and a record skips the variants of other slices before
/// making their keys.
#[derive(Clone, Copy)]
pub(super) struct Part<'k> {
    /// The component's position in the template.
    pub component: usize,
    /// Whether a variant of it is in this slice.
    pub keep: &'k (dyn Fn(u32) -> bool + Sync),
}

/// The stretch of a record's field variants a chosen component uses (for a
/// swap pair: the exact- and typo-kind variants of both fields).
type Chosen = [(u32, u32); 2];

impl<'b> Variants<'b> {
    pub(super) fn build(
        comparer: &Comparer,
        records: &[MatchInput],
        limits: Option<&'b Bounds>,
    ) -> Variants<'b> {
        let fields = comparer.profile().fields.len();
        let per_record: Vec<Vec<Vec<(u32, u8, u8)>>> = records
            .par_iter()
            .map(|r| {
                (0..fields)
                    .map(|f| {
                        let Some(v) = &r.prepared.values[f] else { return Vec::new() };
                        let mut out = Vec::new();
                        if let Some(b) = limits {
                            let mut kinded = Vec::new();
                            kinded_variants(comparer, f, v, &mut kinded);
                            out.extend(
                                kinded.into_iter().map(|(h, k)| (h, kind_index(k), b.of(comparer, f, k, v))),
                            );
                            out.sort_unstable_by_key(|&(h, k, q)| (k, q, h));
                        } else {
                            let mut hashes = Vec::new();
                            comparer.variants(f, v, &mut hashes);
                            out.extend(hashes.into_iter().map(|h| (h, 0, 0)));
                        }
                        out.dedup();
                        out
                    })
                    .collect()
            })
            .collect();
        let exact: Vec<u64> = records
            .par_iter()
            .flat_map_iter(|r| r.prepared.values.iter().map(|v| v.as_deref().map_or(0, exact_hash)))
            .collect();
        let mut offsets = Vec::with_capacity(records.len() * fields + 1);
        let (mut hashes, mut kinds, mut bounds) = (Vec::new(), Vec::new(), Vec::new());
        offsets.push(0);
        for rec in per_record {
            for f in rec {
                for (h, k, q) in f {
                    hashes.push(h);
                    if limits.is_some() {
                        kinds.push(k);
                        bounds.push(q);
                    }
                }
                offsets.push(u32::try_from(hashes.len()).expect("fewer than 4 billion variants"));
            }
        }
        Variants { fields, offsets, hashes, exact, kinds, bounds, limits }
    }

    /// The one key of `record` for `components` that are all of the exact
    /// kind (`None` when a value is missing), as [`Variants::keys_into`]
    /// makes it for `plan_no`.
    pub(super) fn exact_key(&self, components: &[Component], plan_no: usize, record: usize) -> Option<u64> {
        let mut key = None;
        self.chain(components, mix64(plan_no as u64 + 1), record, &mut |k| key = Some(k));
        key
    }

    fn exact_of(&self, record: usize, field: usize) -> Option<u64> {
        Some(self.exact[record * self.fields + field]).filter(|&h| h != 0)
    }

    /// Per field and kind, the least positive and the largest bound of any
    /// record's variants ((0, 0) when none).
    pub(super) fn ranges(&self) -> Vec<[(u8, u8); KINDS.len()]> {
        let mut out = vec![[(0u8, 0u8); KINDS.len()]; self.fields];
        let records = self.offsets.len().saturating_sub(1) / self.fields.max(1);
        for r in 0..records {
            for (f, kinds) in out.iter_mut().enumerate() {
                let span = self.span(r, f);
                for e in span.0..span.1 {
                    let (k, q) = (self.kinds[e as usize] as usize, self.bounds[e as usize]);
                    if q > 0 {
                        let (lo, hi) = &mut kinds[k];
                        *lo = if *lo == 0 { q } else { (*lo).min(q) };
                        *hi = (*hi).max(q);
                    }
                }
            }
        }
        out
    }

    fn span(&self, record: usize, field: usize) -> (u32, u32) {
        let k = record * self.fields + field;
        (self.offsets[k], self.offsets[k + 1])
    }

    fn of(&self, record: usize, field: usize) -> &[u32] {
        let (a, b) = self.span(record, field);
        &self.hashes[a as usize..b as usize]
    }

    /// The stretch of `record`'s field `field` variants of kind `kind`.
    fn kind_span(&self, record: usize, field: usize, kind: u8) -> (u32, u32) {
        let (a, b) = self.span(record, field);
        let ks = &self.kinds[a as usize..b as usize];
        let from = ks.partition_point(|&k| k < kind) as u32;
        let to = ks.partition_point(|&k| k <= kind) as u32;
        (a + from, a + to)
    }

    /// The stretch of `record`'s field `field` variants a swap pair takes:
    /// the exact and typo kinds (the value, and its deletions when the field
    /// has a `typo` level), which sort first.
    fn pair_span(&self, record: usize, field: usize) -> (u32, u32) {
        let exact = self.kind_span(record, field, kind_index(Level::Exact));
        let typo = self.kind_span(record, field, kind_index(Level::Typo));
        (exact.0, if typo.0 < typo.1 { typo.1 } else { exact.1 })
    }

    /// The keys an additive `plan` makes of the first `records` records.
    pub(super) fn total_keys(&self, plan: &Plan, records: usize) -> u64 {
        (0..records).into_par_iter().map(|r| self.key_count(plan, None, r) as u64).sum()
    }

    /// Whether `record` and `other`'s record `o` share a variant of
    /// template component `c` (for a swap pair: crosswise, each field's
    /// exact- or typo-kind variants against the other's partner).
    pub(super) fn shares(&self, record: usize, other: &Variants<'_>, o: usize, c: &Component) -> bool {
        // A kind's variants sort by hash (their bound is the kind's; the
        // exact kind has one variant), so two stretches meet in one merge.
        let meet = |a: (u32, u32), b: (u32, u32)| {
            let (x, y) =
                (&self.hashes[a.0 as usize..a.1 as usize], &other.hashes[b.0 as usize..b.1 as usize]);
            let (mut i, mut j) = (0, 0);
            while i < x.len() && j < y.len() {
                match x[i].cmp(&y[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => return true,
                }
            }
            false
        };
        // A swap pair's stretch holds the exact and the typo kind, which
        // sort apart: compared in full.
        let any = |a: (u32, u32), b: (u32, u32)| {
            let (x, y) =
                (&self.hashes[a.0 as usize..a.1 as usize], &other.hashes[b.0 as usize..b.1 as usize]);
            x.iter().any(|h| y.contains(h))
        };
        let crosswise = |i: usize, j: usize| any(self.pair_span(record, i), other.pair_span(o, j));
        match *c {
            Component::Kind(i, level) => {
                let k = kind_index(level);
                meet(self.kind_span(record, i, k), other.kind_span(o, i, k))
            }
            Component::Pair(i, j) => crosswise(i, j) && crosswise(j, i),
            // Additive plans leave nothing out.
            Component::Field(_) | Component::Exact(_) | Component::ExactPair(..) => true,
        }
    }

    /// The keys of `record` for template `w`.
    pub(super) fn key_count_of(&self, w: &Walk<'_>, record: usize) -> usize {
        let mut n = 0usize;
        let mut chosen = [[(0, 0); 2]; 32];
        self.walk(w, 0, record, 0, u32::MAX, &mut chosen, &mut |c| {
            n += c
                .iter()
                .enumerate()
                .filter(|(k, _)| w.skip & (1 << k) == 0)
                .map(|(_, s)| ((s[0].1 - s[0].0) * (s[1].1 - s[1].0).max(1)) as usize)
                .product::<usize>()
        });
        n
    }

    pub(super) fn key_count(&self, plan: &Plan, walk: Option<&Walk<'_>>, record: usize) -> usize {
        if let Some(w) = walk {
            return self.key_count_of(w, record);
        }
        plan.components
            .iter()
            .map(|c| match *c {
                Component::Field(i) | Component::Kind(i, _) => self.of(record, i).len(),
                Component::Pair(i, j) => self.of(record, i).len() * self.of(record, j).len(),
                Component::Exact(i) => usize::from(self.exact_of(record, i).is_some()),
                Component::ExactPair(i, j) => {
                    usize::from(self.exact_of(record, i).is_some() && self.exact_of(record, j).is_some())
                }
            })
            .product()
    }

    /// The (key, record) list of `plan` for keys that `keep` accepts, into
    /// `out` (record order; counted first, then filled in parallel).
    /// `crossed`: a template's swap pairs are keyed in the crossed order,
    /// for the side whose keys are joined against the others' in the
    /// straight one (see [`Variants::chain_chosen`]).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn keys_into(
        &self,
        plan: &Plan,
        walk: Option<&Walk<'_>>,
        plan_no: usize,
        keep: &(dyn Fn(u64) -> bool + Sync),
        part: Option<Part<'_>>,
        crossed: bool,
        out: &mut Vec<(u64, u32)>,
    ) {
        const CHUNK: usize = 4096;
        let records = self.offsets.len().saturating_sub(1) / self.fields.max(1);
        let seed = mix64(plan_no as u64 + 1);
        let chunk = |c: usize| c * CHUNK..((c + 1) * CHUNK).min(records);
        if walk.is_some() {
            // A template's walk costs more than a copy: each chunk's keys
            // are made once, then copied into `out` (for a moment twice
            // the keys, which `Limits::BYTES_PER_KEY` counts).
            let parts: Vec<Vec<(u64, u32)>> = (0..records.div_ceil(CHUNK))
                .into_par_iter()
                .map(|c| {
                    let mut keys = Vec::new();
                    for r in chunk(c) {
                        self.each_key(plan, walk, part, crossed, seed, r, &mut |k| {
                            if keep(k) {
                                keys.push((k, r as u32));
                            }
                        });
                    }
                    keys
                })
                .collect();
            let counts: Vec<usize> = parts.iter().map(Vec::len).collect();
            return super::join::fill(out, &counts, |c, slot| slot.copy_from_slice(&parts[c]));
        }
        let counts: Vec<usize> = (0..records.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut n = 0;
                for r in chunk(c) {
                    self.each_key(plan, walk, part, crossed, seed, r, &mut |k| n += usize::from(keep(k)));
                }
                n
            })
            .collect();
        super::join::fill(out, &counts, |c, slot| {
            let mut i = 0;
            for r in chunk(c) {
                self.each_key(plan, walk, part, crossed, seed, r, &mut |k| {
                    if keep(k) {
                        slot[i] = (k, r as u32);
                        i += 1;
                    }
                });
            }
        });
    }

    /// The keys of every `stride`-th record for template `w` (a sample,
    /// for estimating its pairs), sorted, each record's keys once.
    pub(super) fn sample_keys(&self, w: &Walk<'_>, seed: u64, stride: usize, crossed: bool) -> Vec<u64> {
        let records = self.offsets.len().saturating_sub(1) / self.fields.max(1);
        let sampled: Vec<usize> = (0..records).step_by(stride.max(1)).collect();
        let mut keys: Vec<(u64, u32)> = sampled
            .par_iter()
            .flat_map_iter(|&r| {
                let mut out = Vec::new();
                let mut chosen = [[(0, 0); 2]; 32];
                self.walk(w, 0, r, 0, u32::MAX, &mut chosen, &mut |c| {
                    self.chain_chosen(w, c, 0, None, crossed, seed, &mut |k| out.push((k, r as u32)))
                });
                out
            })
            .collect();
        keys.par_sort_unstable();
        keys.dedup();
        keys.into_iter().map(|k| k.0).collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn each_key(
        &self,
        plan: &Plan,
        walk: Option<&Walk<'_>>,
        part: Option<Part<'_>>,
        crossed: bool,
        seed: u64,
        record: usize,
        f: &mut impl FnMut(u64),
    ) {
        match walk {
            None => self.chain(&plan.components, seed, record, f),
            Some(w) => {
                let mut chosen = [[(0, 0); 2]; 32];
                self.walk(w, 0, record, 0, u32::MAX, &mut chosen, &mut |c| {
                    self.chain_chosen(w, c, 0, part, crossed, seed, &mut *f)
                });
            }
        }
    }

    /// Calls `f` with every key of `record` for `components`, each a hash
    /// chained from `h` through one variant (or unordered pair) per component.
    fn chain(&self, components: &[Component], h: u64, record: usize, f: &mut impl FnMut(u64)) {
        match components.split_first() {
            None => f(h),
            Some((&(Component::Field(i) | Component::Kind(i, _)), rest)) => {
                for &v in self.of(record, i) {
                    self.chain(rest, mix64(h ^ u64::from(v)), record, f);
                }
            }
            Some((&Component::Exact(i), rest)) => {
                if let Some(x) = self.exact_of(record, i) {
                    self.chain(rest, mix64(h ^ x), record, f);
                }
            }
            Some((&Component::ExactPair(i, j), rest)) => {
                if let (Some(x), Some(y)) = (self.exact_of(record, i), self.exact_of(record, j)) {
                    let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
                    self.chain(rest, mix64(mix64(h ^ lo) ^ hi.rotate_left(29)), record, f);
                }
            }
            Some((&Component::Pair(i, j), rest)) => {
                for &x in self.of(record, i) {
                    for &y in self.of(record, j) {
                        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
                        self.chain(rest, mix64(h ^ ((u64::from(lo) << 32) | u64::from(hi))), record, f);
                    }
                }
            }
        }
    }

    /// Like [`Variants::chain`], through the chosen stretches only.
    /// (Component `depth` of `components` is the one `part` may filter.)
    ///
    /// A template's swap pair `(i, j)` witnesses crosswise agreement only
    /// (straight agreement has components of its own), so it is keyed as an
    /// ordered pair: `(i's variant, j's)` on one side and, `crossed`,
    /// `(j's, i's)` on the other. Records whose `i` agrees with the other's
    /// `j` and whose `j` with the other's `i` share such a key; namesakes,
    /// whose names agree straight, do not (unless a name equals the other).
    #[allow(clippy::too_many_arguments)]
    #[allow(clippy::too_many_arguments)]
    fn chain_chosen(
        &self,
        w: &Walk<'_>,
        chosen: &[Chosen],
        depth: usize,
        part: Option<Part<'_>>,
        crossed: bool,
        h: u64,
        f: &mut impl FnMut(u64),
    ) {
        let (Some(c), Some((s, srest))) = (w.components.get(depth), chosen.split_first()) else {
            return f(h);
        };
        let hashes = |(a, b): (u32, u32)| &self.hashes[a as usize..b as usize];
        if w.skip & (1 << depth) != 0 {
            return self.chain_chosen(w, srest, depth + 1, part, crossed, h, f);
        }
        match *c {
            Component::Pair(..) => {
                for &x in hashes(s[0]) {
                    for &y in hashes(s[1]) {
                        let (p, q) = if crossed { (y, x) } else { (x, y) };
                        let h = mix64(h ^ ((u64::from(p) << 32) | u64::from(q)));
                        self.chain_chosen(w, srest, depth + 1, part, crossed, h, f);
                    }
                }
            }
            _ => {
                for &v in hashes(s[0]) {
                    if part.is_some_and(|p| p.component == depth && !(p.keep)(v)) {
                        continue;
                    }
                    self.chain_chosen(w, srest, depth + 1, part, crossed, mix64(h ^ u64::from(v)), f);
                }
            }
        }
    }

    /// Calls `leaf` with every choice, per component from `k` on, of a
    /// stretch of `record`'s variants of one bound whose bounds (with `sum`
    /// so far, `least` the smallest chosen) make a minimal combination.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        w: &Walk<'_>,
        k: usize,
        record: usize,
        sum: u32,
        least: u32,
        chosen: &mut [Chosen],
        leaf: &mut dyn FnMut(&[Chosen]),
    ) {
        let Some(limits) = self.limits else { return };
        let need = limits.need;
        if k == w.components.len() {
            if sum >= need && sum - least < need {
                leaf(&chosen[..k]);
            }
            return;
        }
        let last = k + 1 == w.components.len();
        // A sum that reaches before the last component is not minimal.
        let fits = |q: u32| q > 0 && (last || sum + q < need) && sum + q + w.upper[k + 1] >= need;
        match w.components[k] {
            Component::Pair(i, j) => {
                let (a, b) = (self.pair_span(record, i), self.pair_span(record, j));
                let q = units(limits.pair(i, j));
                if a.0 < a.1 && b.0 < b.1 && fits(q) {
                    chosen[k] = [a, b];
                    self.walk(w, k + 1, record, sum + q, least.min(q), chosen, leaf);
                }
            }
            Component::Kind(i, level) => {
                let (a, b) = self.kind_span(record, i, kind_index(level));
                let mut at = a;
                while at < b {
                    let q = self.bounds[at as usize];
                    let mut end = at + 1;
                    while end < b && self.bounds[end as usize] == q {
                        end += 1;
                    }
                    let u = units(q);
                    if fits(u) {
                        chosen[k] = [(at, end), (0, 0)];
                        self.walk(w, k + 1, record, sum + u, least.min(u), chosen, leaf);
                    }
                    at = end;
                }
            }
            Component::Field(_) | Component::Exact(_) | Component::ExactPair(..) => {}
        }
    }
}

/// A 64-bit hash of an exact value, never 0 (0 is a missing value).
fn exact_hash(v: &str) -> u64 {
    let b = v.as_bytes();
    ((u64::from(hash32(5, b)) << 32) | u64::from(hash32(6, b))).max(1)
}
