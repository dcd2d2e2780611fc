//! Learning a probabilistic profile from the data, without labelled pairs
//! (Fellegi–Sunter).
//!
//! [`skeleton`] turns a base profile into one with comparison levels per
//! field (the base's own when it is probabilistic already). [`learn`] then
//! estimates, from the records to be matched:
//!
//! - **u** (the probability of each level for two different people) from
//!   random pairs, which are almost all different people;
//! - **m** (the same for one person twice) and the share of matches by
//!   expectation–maximisation ([`em`]) over candidate pairs. Each EM session
//!   takes the pairs that agree exactly on one selective field (or two) and
//!   leaves that field out, so every field's m comes from pairs that were
//!   not chosen for agreeing on it;
//! - the **prior** (the probability that two random records match) from the
//!   matches each session found and the share of matches it could see;
//! - the **thresholds**, from the match probabilities of each staged
//!   record's best candidate under the learned model.
//!
//! Pairs are never all held: sessions sample at most
//! [`LearnOptions::em_pairs`] pairs and keep only counts of comparison
//! patterns.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use ferry_mapper::progress::Stage;

use super::Reporter;
use super::candidates::{Limits, MatchInput, find_candidates_within, sample};
use super::compare::{Comparer, hash32, mix64};
use super::namesakes;
use super::profile::{Level, LevelWeight, MatchingProfile, Probabilistic, Thresholds};
pub use super::skeleton::skeleton;
pub use super::thresholds::choose_thresholds;
use ferry_mapper::progress::NoReporter;

/// How much of the data learning looks at.
#[derive(Debug, Clone, Copy)]
pub struct LearnOptions {
    /// Random pairs for the u-probabilities.
    pub random_pairs: usize,
    /// Pairs sampled per EM session at most.
    pub em_pairs: usize,
    pub seed: u64,
    /// What candidate generation (for the thresholds) holds at once.
    pub limits: Limits,
    /// Staged records whose best candidates choose the thresholds at most
    /// (a seeded random sample of them when there are more; matching
    /// within a job always takes all).
    pub threshold_sample: usize,
}

impl Default for LearnOptions {
    fn default() -> Self {
        LearnOptions {
            random_pairs: 2_000_000,
            em_pairs: 2_000_000,
            seed: 7,
            limits: Limits::default(),
            threshold_sample: 20_000,
        }
    }
}

/// What learning found, besides the profile.
#[derive(Debug, Clone, Serialize)]
pub struct LearnReport {
    pub staged: u64,
    pub existing: u64,
    pub random_pairs: u64,
    pub sessions: Vec<Session>,
    pub prior: f64,
    pub fields: Vec<FieldReport>,
    /// `histogram[q]`: staged records whose best candidate has quality `q`
    /// (0–100); records without a candidate at 10 or above count under 0.
    /// Of the sampled staged records only, when `histogram_records` < `staged`.
    pub histogram: Vec<u64>,
    /// Staged records the histogram counts (all, or a random sample).
    pub histogram_records: u64,
    pub thresholds: Thresholds,
    /// Pairs of blocks too large to compare in full that were not scored
    /// while choosing the thresholds (0 when no block was split).
    pub uncompared_pairs: u64,
}

/// One EM session.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// The fields its pairs agree on exactly (left out of its estimates).
    pub blocked_on: Vec<String>,
    /// Pairs that agree on them, and how many of them were sampled.
    pub pairs: u64,
    pub sampled: u64,
    /// The share of matches among its pairs.
    pub match_share: f64,
    pub iterations: u32,
}

/// The learned probabilities of one field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    pub name: String,
    pub label: String,
    pub levels: Vec<LevelReport>,
    /// Exact agreement between namesakes, when it is far more common than
    /// between random records (see [`MatchField::namesake_u`](super::profile::MatchField::namesake_u)).
    pub namesakes: Option<LevelReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelReport {
    pub level: Level,
    pub m: f64,
    pub u: f64,
    pub weight: f64,
}

/// A small deterministic generator (splitmix64).
pub(super) struct Rng(pub(super) u64);
impl Rng {
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        (mix64(self.0) % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        (mix64(self.0) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A pair's comparison pattern: each field's level, 4 bits each.
type Pattern = u64;

fn pattern(c: &Comparer, a: &MatchInput, b: &MatchInput, skip: u32) -> Pattern {
    let mut p = 0u64;
    for i in 0..a.prepared.values.len() {
        let level = if skip & (1 << i) != 0 { Level::Missing } else { c.level(i, &a.prepared, &b.prepared) };
        p |= (level as u64) << (4 * i);
    }
    p
}

fn level_at(p: Pattern, i: usize) -> usize {
    ((p >> (4 * i)) & 0xf) as usize
}

/// Counts of patterns.
type Patterns = HashMap<Pattern, f64>;

/// The result of one EM run.
#[derive(Debug, Clone)]
pub struct EmResult {
    /// The share of matches among the pairs.
    pub lambda: f64,
    /// `m[field][level]` (levels as in [`Level::ALL`]).
    pub m: Vec<Vec<f64>>,
    /// The expected number of matches among the pairs counted.
    pub matches: f64,
    pub iterations: u32,
}

/// Expectation–maximisation of λ and m over counted patterns, u fixed.
/// `m` and `u` are indexed `[field][level]`; fields whose level is `Missing`
/// in a pattern are left out of it. `free[f]`: whether field f's m is estimated.
#[allow(clippy::needless_range_loop)] // m and u are tables indexed by field and level
pub fn em(
    patterns: &[(Pattern, f64)],
    u: &[Vec<f64>],
    m0: &[Vec<f64>],
    free: &[bool],
    lambda0: f64,
) -> EmResult {
    let n = u.len();
    let missing = Level::Missing as usize;
    let mut m = m0.to_vec();
    let mut lambda = lambda0;
    let total: f64 = patterns.iter().map(|(_, c)| c).sum();
    let mut iterations = 0;
    let mut matches = 0.0;
    for it in 0..200 {
        iterations = it + 1;
        let mut acc = vec![vec![0.0; Level::ALL.len()]; n];
        let mut sum_w = 0.0;
        for &(p, c) in patterns {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for f in 0..n {
                let l = level_at(p, f);
                if l == missing {
                    continue;
                }
                lm += m[f][l].max(1e-12).ln();
                lu += u[f][l].max(1e-12).ln();
            }
            let w = 1.0 / (1.0 + (lu - lm).exp());
            sum_w += c * w;
            for (f, a) in acc.iter_mut().enumerate() {
                a[level_at(p, f)] += c * w;
            }
        }
        matches = sum_w;
        let new_lambda = (sum_w / total.max(1.0)).clamp(1e-9, 1.0 - 1e-9);
        let mut delta = (new_lambda - lambda).abs();
        lambda = new_lambda;
        for f in 0..n {
            if !free[f] {
                continue;
            }
            let present: Vec<usize> =
                (0..Level::ALL.len()).filter(|&l| l != missing && u[f][l] > 0.0).collect();
            let denom: f64 = present.iter().map(|&l| acc[f][l]).sum();
            if denom <= 0.0 {
                continue;
            }
            for &l in &present {
                let v = ((acc[f][l] + 1e-3) / (denom + 1e-3 * present.len() as f64)).max(1e-6);
                delta = delta.max((v - m[f][l]).abs());
                m[f][l] = v;
            }
        }
        if delta < 1e-6 {
            break;
        }
    }
    EmResult { lambda, m, matches, iterations }
}

/// Learns a profile from `skeleton` (see [`skeleton`]) and the records:
/// `staged` against `existing`, or against each other when it is `None`.
/// The inputs must be prepared with a comparer of `skeleton`.
pub fn learn(
    skeleton: &MatchingProfile,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    options: &LearnOptions,
) -> (MatchingProfile, LearnReport) {
    learn_reporting(skeleton, staged, existing, options, &NoReporter)
}

/// [`learn`], reporting its steps: the random pairs drawn
/// ([`Stage::RandomPairs`]), the EM sessions sampled ([`Stage::EmSessions`]),
/// the EM rounds ([`Stage::EmRounds`]) and the candidates of the thresholds
/// ([`Stage::Candidates`]).
#[allow(clippy::needless_range_loop)] // m and u are tables indexed by field and level
pub fn learn_reporting(
    skeleton: &MatchingProfile,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    options: &LearnOptions,
    reporter: &(dyn Reporter + Sync),
) -> (MatchingProfile, LearnReport) {
    let within = existing.is_none();
    let existing = existing.unwrap_or(staged);
    let n = skeleton.fields.len();
    let comparer = Comparer::new(skeleton);
    let total_pairs = if within {
        (staged.len() as f64) * (staged.len() as f64 - 1.0)
    } else {
        staged.len() as f64 * existing.len() as f64
    };
    let mut present_levels = vec![vec![false; Level::ALL.len()]; n];
    for (i, f) in skeleton.fields.iter().enumerate() {
        for l in &f.levels {
            present_levels[i][l.level as usize] = true;
        }
    }

    // u from random pairs: the exact level's from value frequencies (below),
    // the rarer levels from fewer draws when the data is small.
    let draws = if staged.is_empty() || existing.len() < 2 {
        0
    } else {
        let enough = 25 * (staged.len() + if within { 0 } else { existing.len() });
        options.random_pairs.min(enough.max(MIN_RANDOM_PAIRS)).min(total_pairs as usize)
    };
    let chunks = 64usize;
    reporter.on_stage(Stage::RandomPairs, Some(draws as u64));
    let drawn = std::sync::atomic::AtomicU64::new(0);
    let counts: Vec<Vec<Vec<f64>>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = Rng(mix64(options.seed ^ (c as u64 + 1)));
            let mut counts = vec![vec![0.0; Level::ALL.len()]; n];
            for _ in 0..draws.div_ceil(chunks) {
                let (s, e) = (rng.below(staged.len()), rng.below(existing.len()));
                if within && s == e {
                    continue;
                }
                let p = pattern(&comparer, &staged[s], &existing[e], 0);
                for (f, row) in counts.iter_mut().enumerate() {
                    row[level_at(p, f)] += 1.0;
                }
            }
            let per_chunk = draws.div_ceil(chunks) as u64;
            let done = drawn.fetch_add(per_chunk, std::sync::atomic::Ordering::Relaxed) + per_chunk;
            reporter.on_progress(done.min(draws as u64));
            counts
        })
        .collect();
    let mut u = vec![vec![0.0; Level::ALL.len()]; n];
    for c in &counts {
        for f in 0..n {
            for l in 0..Level::ALL.len() {
                u[f][l] += c[f][l];
            }
        }
    }
    for f in 0..n {
        let listed: Vec<usize> = (0..Level::ALL.len()).filter(|&l| present_levels[f][l]).collect();
        let seen: f64 = listed.iter().map(|&l| u[f][l]).sum();
        for l in 0..Level::ALL.len() {
            u[f][l] =
                if present_levels[f][l] { (u[f][l] + 0.5) / (seen + 0.5 * listed.len() as f64) } else { 0.0 };
        }
        // Exact agreement (the first level) of two random records, counted
        // from the values' frequencies rather than sampled: selective fields
        // agree too rarely for random pairs to measure it.
        if skeleton.fields[f].levels.first().is_some_and(|l| l.level == Level::Exact)
            && let Some(q) = exact_share(staged, if within { None } else { Some(existing) }, f)
        {
            let exact = Level::Exact as usize;
            let q = q.clamp(1e-9, 1.0 - 1e-6);
            let rest = (1.0 - q) / (1.0 - u[f][exact]).max(1e-12);
            for l in 0..Level::ALL.len() {
                if l != exact {
                    u[f][l] *= rest;
                }
            }
            u[f][exact] = q;
        }
    }
    let mut m: Vec<Vec<f64>> = (0..n)
        .map(|f| {
            let mut row = vec![0.0; Level::ALL.len()];
            for l in &skeleton.fields[f].levels {
                row[l.level as usize] = l.m;
            }
            row
        })
        .collect();
    // Share of records with a value, per side.
    let share = |records: &[MatchInput], f: usize| {
        records.iter().filter(|r| r.prepared.values[f].is_some()).count() as f64 / records.len().max(1) as f64
    };
    let present: Vec<(f64, f64)> = (0..n).map(|f| (share(staged, f), share(existing, f))).collect();

    // EM sessions, blocked on selective fields.
    let exact_u = |f: usize| u[f][Level::Exact as usize];
    let mut singles: Vec<usize> =
        (0..n).filter(|&f| exact_u(f) <= 0.005 && present[f].0 > 0.3 && present[f].1 > 0.3).collect();
    singles.sort_by(|&a, &b| exact_u(a).total_cmp(&exact_u(b)));
    let mut blocks: Vec<u32> = singles.iter().take(4).map(|&f| 1u32 << f).collect();
    if blocks.len() < 3 {
        let mut doubles: Vec<(f64, u32)> = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                let q = exact_u(a) * exact_u(b);
                if q <= 0.001 && !singles.contains(&a) && !singles.contains(&b) {
                    doubles.push((q, (1 << a) | (1 << b)));
                }
            }
        }
        doubles.sort_by(|x, y| x.0.total_cmp(&y.0));
        blocks.extend(doubles.into_iter().take(3 - blocks.len()).map(|(_, mask)| mask));
    }
    // Each session's patterns are counted once; the estimates are then refined
    // in rounds, each taking the matches among the random pairs out of u.
    let mut counted = Vec::new();
    reporter.on_stage(Stage::EmSessions, Some(blocks.len() as u64));
    for (k, &mask) in blocks.iter().enumerate() {
        let (patterns, pairs, sampled) =
            session_patterns(&comparer, staged, existing, within, mask, options, options.seed + k as u64);
        if sampled > 0 {
            counted.push((mask, patterns, pairs, sampled));
        }
        reporter.on_progress(k as u64 + 1);
    }
    let observed = u.clone();
    let most = staged.len().min(existing.len()).max(1) as f64 * if within { 2.0 } else { 1.0 };
    let mut prior = 1.0 / total_pairs.max(1.0);
    // A session blocked on a field also leaves its swap partner's m to the
    // others: pairs equal on a last name are never its swapped copies, so
    // they would show the first name swapped too rarely.
    let swaps = skeleton.swaps();
    let fixed: Vec<u32> = counted
        .iter()
        .map(|(mask, ..)| {
            swaps.iter().fold(*mask, |fixed, &(i, j)| {
                if mask & ((1 << i) | (1 << j)) != 0 { fixed | (1 << i) | (1 << j) } else { fixed }
            })
        })
        .collect();
    let mut results: Vec<(u32, EmResult, f64)> = Vec::new();
    reporter.on_stage(Stage::EmRounds, Some(ROUNDS as u64));
    for round in 0..ROUNDS {
        results = counted
            .iter()
            .zip(&fixed)
            .map(|((mask, patterns, pairs, sampled), fixed)| {
                let free: Vec<bool> = (0..n).map(|f| fixed & (1 << f) == 0).collect();
                (*mask, em(patterns, &u, &m, &free, 0.1), *pairs as f64 / *sampled as f64)
            })
            .collect();
        m = combine_m(&results, &fixed, &m);
        prior = estimate_prior(&results, &m, &present, most, total_pairs);
        u = without_matches(&observed, &m, prior);
        reporter.on_progress(round as u64 + 1);
    }
    let sessions = counted
        .iter()
        .zip(&results)
        .map(|((mask, _, pairs, sampled), (_, r, _))| Session {
            blocked_on: (0..n)
                .filter(|f| mask & (1 << f) != 0)
                .map(|f| skeleton.fields[f].name.clone())
                .collect(),
            pairs: *pairs,
            sampled: *sampled,
            match_share: r.lambda,
            iterations: r.iterations,
        })
        .collect();

    let mut profile = skeleton.clone();
    profile.schema = Some(super::profile::MATCHING_SCHEMA_REF.into());
    profile.probabilistic = Some(Probabilistic { prior: round_sig(prior) });
    for (f, field) in profile.fields.iter_mut().enumerate() {
        // No level other than `exact` weighs more than it: a level seen too
        // rarely among random pairs would otherwise weigh whatever its
        // pseudo-count says.
        let exact = |l: &LevelWeight| l.level == Level::Exact;
        let ratio = field.levels.iter().find(|l| exact(l)).map(|l| {
            let (m, u) = (m[f][l.level as usize].max(1e-3), u[f][l.level as usize]);
            m / u
        });
        for l in &mut field.levels {
            // A difference is never impossible for one person (typing errors).
            let floor = if l.level == Level::Else { 1e-3 } else { 1e-6 };
            let (lm, lu) =
                (m[f][l.level as usize].clamp(floor, 1.0), u[f][l.level as usize].clamp(1e-9, 1.0));
            let lm = match ratio {
                Some(r) if !exact(l) => lm.min(r * lu),
                _ => lm,
            };
            l.m = round_sig(lm);
            l.u = round_sig(lu);
        }
    }
    // Thresholds from the best candidates' probabilities.
    profile.thresholds = Thresholds { match_: 50, potential: 10 };
    let mut comparer = Comparer::new(&profile);
    comparer.count_terms(staged.iter().chain(if within { &[][..] } else { existing }).map(|r| &r.prepared));
    // Fields that namesakes share more often than random records (an
    // e-mail address made of the names) weigh less between namesakes.
    let others = if within { None } else { Some(existing) };
    for f in 0..n {
        if let Some(u) = namesakes::namesake_u(&comparer, &profile, staged, others, f, options.seed) {
            profile.fields[f].namesake_u = Some(round_sig(u));
            comparer.set_namesake_u(f, round_sig(u));
        }
    }
    // The thresholds depend on the histogram's shares, not its counts: a
    // sample of the staged records chooses them, with pairs to score that
    // grow with the sample, not with the job.
    let sample = (!within).then(|| sample(staged, options.threshold_sample, options.seed)).flatten();
    let chosen = sample.as_deref().unwrap_or(staged);
    let found = find_candidates_within(
        &comparer,
        chosen,
        if within { None } else { Some(existing) },
        reporter,
        &options.limits,
    );
    let best = found.lists;
    let mut histogram = vec![0u64; 101];
    for list in &best {
        histogram[list.first().map_or(0, |c| c.quality as usize).min(100)] += 1;
    }
    profile.thresholds = choose_thresholds(&histogram);
    let fields = profile
        .fields
        .iter()
        .map(|f| FieldReport {
            name: f.name.clone(),
            label: f.label.clone(),
            levels: f
                .levels
                .iter()
                .map(|l| LevelReport { level: l.level, m: l.m, u: l.u, weight: l.weight() })
                .collect(),
            namesakes: f.namesake_u.and_then(|u| {
                let exact = f.levels.iter().find(|l| l.level == Level::Exact)?;
                Some(LevelReport { level: Level::Exact, m: exact.m, u, weight: (exact.m / u).log2() })
            }),
        })
        .collect();
    let report = LearnReport {
        staged: staged.len() as u64,
        existing: if within { 0 } else { existing.len() as u64 },
        random_pairs: draws as u64,
        sessions,
        prior: round_sig(prior),
        fields,
        histogram,
        histogram_records: chosen.len() as u64,
        thresholds: profile.thresholds,
        uncompared_pairs: found.uncompared,
    };
    (profile, report)
}

/// Rounds of EM and u correction.
const ROUNDS: usize = 3;

/// The u of a level is never taken below this share of what the random
/// pairs showed, however many matches they are estimated to hold.
const U_FLOOR_SHARE: f64 = 1.0 / 64.0;

/// m: the sessions' estimates of each field they left free (not in their
/// `fixed` mask), weighted by their matches (`m` itself for a field no
/// session left free).
#[allow(clippy::needless_range_loop)] // m is a table indexed by field and level
fn combine_m(results: &[(u32, EmResult, f64)], fixed: &[u32], m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = m.to_vec();
    for f in 0..m.len() {
        let mut sum = vec![0.0; Level::ALL.len()];
        let mut weight = 0.0;
        for ((_, r, _), mask) in results.iter().zip(fixed) {
            if mask & (1 << f) == 0 {
                for l in 0..Level::ALL.len() {
                    sum[l] += r.m[f][l] * r.matches;
                }
                weight += r.matches;
            }
        }
        if weight > 0.0 {
            for l in 0..Level::ALL.len() {
                out[f][l] = sum[l] / weight;
            }
        }
    }
    out
}

/// The prior: each session saw the matches that agree exactly on its
/// fields, a share of all of them that `m` and the fields' presence tell;
/// the median of the sessions' totals, over all pairs.
fn estimate_prior(
    results: &[(u32, EmResult, f64)],
    m: &[Vec<f64>],
    present: &[(f64, f64)],
    most: f64,
    total_pairs: f64,
) -> f64 {
    let mut estimates: Vec<f64> = results
        .iter()
        .map(|(mask, r, scale)| {
            let seen: f64 = (0..m.len())
                .filter(|f| mask & (1 << f) != 0)
                .map(|f| m[f][Level::Exact as usize] * present[f].0 * present[f].1)
                .product();
            r.matches * scale / seen.max(1e-9)
        })
        .collect();
    estimates.sort_by(f64::total_cmp);
    let matches = estimates.get(estimates.len() / 2).copied().unwrap_or(1.0).clamp(1.0, most);
    (matches / total_pairs.max(1.0)).clamp(1e-12, 0.5)
}

/// u from the level shares among random pairs (`observed`), which hold a
/// `prior` share of matches distributed as `m`: (observed − prior·m) / (1 −
/// prior), at least [`U_FLOOR_SHARE`] of what was observed, rescaled to sum to one.
fn without_matches(observed: &[Vec<f64>], m: &[Vec<f64>], prior: f64) -> Vec<Vec<f64>> {
    observed
        .iter()
        .zip(m)
        .map(|(q, m)| {
            let row: Vec<f64> = q
                .iter()
                .zip(m)
                .map(
                    |(&q, &m)| {
                        if q > 0.0 { ((q - prior * m) / (1.0 - prior)).max(q * U_FLOOR_SHARE) } else { 0.0 }
                    },
                )
                .collect();
            let sum: f64 = row.iter().sum();
            row.iter().map(|v| if sum > 0.0 { v / sum } else { *v }).collect()
        })
        .collect()
}

/// Random pairs drawn for u at least (when the data has that many pairs).
const MIN_RANDOM_PAIRS: usize = 250_000;

/// The probability that field `f` of two random records (a staged and an
/// existing one, or two staged ones when `existing` is `None`) is equal,
/// among pairs where both have it; `None` when no such pair exists.
fn exact_share(staged: &[MatchInput], existing: Option<&[MatchInput]>, f: usize) -> Option<f64> {
    let mut counts: HashMap<&str, (u64, u64)> = HashMap::new();
    let (mut left, mut right) = (0u64, 0u64);
    for r in staged {
        if let Some(v) = r.prepared.values[f].as_deref() {
            counts.entry(v).or_default().0 += 1;
            left += 1;
        }
    }
    if let Some(existing) = existing {
        for r in existing {
            if let Some(v) = r.prepared.values[f].as_deref() {
                counts.entry(v).or_default().1 += 1;
                right += 1;
            }
        }
    }
    let (same, all) = match existing {
        Some(_) => (counts.values().map(|&(a, b)| (a * b) as f64).sum::<f64>(), (left * right) as f64),
        None => (
            counts.values().map(|&(a, _)| (a * a.saturating_sub(1)) as f64).sum::<f64>(),
            (left * left.saturating_sub(1)) as f64,
        ),
    };
    (all > 0.0).then(|| same / all)
}

/// Four significant digits, so learned files read well and diff quietly.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// The counted patterns of the pairs that agree exactly on the fields of
/// `mask` (those fields left out), sampled down to about `em_pairs`; with
/// the number of such pairs and of those sampled.
fn session_patterns(
    c: &Comparer,
    staged: &[MatchInput],
    existing: &[MatchInput],
    within: bool,
    mask: u32,
    options: &LearnOptions,
    seed: u64,
) -> (Vec<(Pattern, f64)>, u64, u64) {
    let fields: Vec<usize> = (0..32).filter(|f| mask & (1 << f) != 0).collect();
    let key = |r: &MatchInput| -> Option<u64> {
        let mut h = 0u64;
        for &f in &fields {
            let v = r.prepared.values[f].as_deref()?;
            h = mix64(h ^ u64::from(hash32(0, v.as_bytes())) ^ ((f as u64) << 40));
        }
        Some(h)
    };
    let keyed = |records: &[MatchInput]| -> Vec<(u64, u32)> {
        let mut k: Vec<(u64, u32)> =
            records.par_iter().enumerate().filter_map(|(i, r)| key(r).map(|k| (k, i as u32))).collect();
        k.par_sort_unstable();
        k
    };
    let left = keyed(staged);
    let right = if within { left.clone() } else { keyed(existing) };
    // Groups: (left range, right range).
    let groups = super::join::blocks(&left, &right);
    // Within one side a record is in its own group once, never a pair.
    let pairs: u64 =
        groups.iter().map(|(l, r)| (l.len() * r.len() - if within { l.len() } else { 0 }) as u64).sum();
    let rate = (options.em_pairs as f64 / pairs.max(1) as f64).min(1.0);
    let counted: Vec<(Patterns, u64)> = groups
        .par_chunks(256)
        .enumerate()
        .map(|(k, chunk)| {
            let mut rng = Rng(mix64(seed ^ (k as u64 + 1).wrapping_mul(0x51_7cc1_b727_220a)));
            let mut patterns = Patterns::new();
            let mut sampled = 0u64;
            let add = |s: u32, e: u32, patterns: &mut Patterns| {
                if within && s == e {
                    return false;
                }
                let p = pattern(c, &staged[s as usize], &existing[e as usize], mask);
                *patterns.entry(p).or_insert(0.0) += 1.0;
                true
            };
            for (l, r) in chunk {
                let all = l.len() * r.len();
                if rate >= 1.0 {
                    for a in &left[l.clone()] {
                        for b in &right[r.clone()] {
                            sampled += u64::from(add(a.1, b.1, &mut patterns));
                        }
                    }
                    continue;
                }
                let want = all as f64 * rate;
                let take = want.floor() as usize + usize::from(rng.unit() < want.fract());
                for _ in 0..take {
                    let a = left[l.start + rng.below(l.len())].1;
                    let b = right[r.start + rng.below(r.len())].1;
                    sampled += u64::from(add(a, b, &mut patterns));
                }
            }
            (patterns, sampled)
        })
        .collect();
    let mut all = Patterns::new();
    let mut sampled = 0;
    for (p, s) in counted {
        sampled += s;
        for (k, v) in p {
            *all.entry(k).or_insert(0.0) += v;
        }
    }
    let mut list: Vec<(Pattern, f64)> = all.into_iter().collect();
    list.sort_by_key(|x| x.0);
    (list, pairs, sampled)
}
