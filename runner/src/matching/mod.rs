//! Weighted matching of staged records against existing ones.
//!
//! - [`profile`]: the matching profile (JSON): fields, weights, normalisation,
//!   agreement rules, thresholds.
//! - [`decision`]: [`MatchClass`] and [`Decision`] (the proposed and chosen
//!   actions), with their stored and shown text forms.
//! - [`compare`]: a [`Comparer`] normalises records into [`Prepared`] values,
//!   scores pairs (quality = sum of the weights of agreeing fields) and gives
//!   each value its blocking variants.
//! - [`candidates`]: blocking plans derived from the weights, the threshold
//!   and the agreement rules; finds every pair at or above the potential
//!   threshold without comparing all pairs, and keeps the best few.
//!   `bounds` gives probabilistic profiles' templates and per-value bounds
//!   (from the records at hand), `keys` each record's variants and keys,
//!   `join` the merge join of two key lists in bounded batches;
//!   `coarsen` leaves many-keyed components out of plans and templates where
//!   that is cheaper on the data; `refine` joins a plan's large blocks of equal
//!   values only where a pair could enter a list, and scans the rest.
//! - [`diff`]: what changed between two profiles (`ferry diff`).
//! - [`learn`]: a probabilistic (Fellegi–Sunter) profile estimated from the
//!   data without labels: u from random pairs, m and the prior by EM.
//!   `skeleton` gives its starting levels per field; `namesakes` how often
//!   namesakes share an e-mail address (`namesakeU`).
//! - [`merge`]: merging a staged record into the existing one it matches.
//!
//! [`match_records`] ties them together: records in, one [`MatchOutcome`]
//! per staged record out (candidates, class, proposed action).

mod bounds;
pub mod candidates;
mod coarsen;
pub mod compare;
pub mod decision;
pub mod diff;
mod join;
mod keys;
pub mod learn;
pub mod merge;
mod namesakes;
pub mod profile;
mod refine;
mod skeleton;
pub mod thresholds;

use std::path::PathBuf;

pub use candidates::{Candidate, Found, Limits, MatchInput, find_candidates};
pub use compare::{Comparer, Explanation, FieldScore, Prepared, Score};
pub use decision::{Decision, MatchClass, UnknownText};
pub use ferry_mapper::progress::Reporter;
pub use profile::{Level, MatchingProfile, RecordKind};

/// An error of matching.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read matching profile `{}`: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error(transparent)]
    Load(#[from] ferry_mapper::Error),

    /// A profile that breaks a rule its schema cannot say; `at` is where, a JSON pointer.
    #[error("matching profile `{}`: {message}", path.display())]
    Profile { path: PathBuf, at: String, message: String },
}

/// The matching result of one staged record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOutcome {
    /// Best first; all at or above the potential threshold.
    pub candidates: Vec<Candidate>,
    pub class: MatchClass,
    pub proposed: Decision,
    /// The candidate to merge with (the best one) when the proposal is Merge.
    pub merge_with: Option<usize>,
}

impl MatchOutcome {
    /// Classifies a best-first candidate list and proposes an action.
    pub fn from_candidates(profile: &MatchingProfile, candidates: Vec<Candidate>) -> MatchOutcome {
        let best = candidates.first().map_or(0, |c| c.quality);
        let class = profile.classify(best);
        let proposed = class.proposed_action();
        let merge_with = (proposed == Decision::Merge).then(|| candidates[0].index);
        MatchOutcome { candidates, class, proposed, merge_with }
    }
}

/// The outcomes of matching, and what candidate generation left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// One per staged record.
    pub outcomes: Vec<MatchOutcome>,
    /// Pairs of blocks too large to compare in full that were not scored
    /// ([`Found::uncompared`]); 0 when no block was split.
    pub uncompared: u64,
    pub split_blocks: u64,
    /// Candidate pairs scored ([`Found::compared`]) and the plans joined.
    pub compared: u64,
    pub plans: u64,
}

/// Matches staged records against existing ones (or, with `existing` =
/// `None`, against each other): candidates, class and proposed action each.
pub fn match_records(
    comparer: &Comparer,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    reporter: &(dyn Reporter + Sync),
) -> Matched {
    match_records_within(comparer, staged, existing, reporter, &Limits::default())
}

/// [`match_records`] within `limits`.
pub fn match_records_within(
    comparer: &Comparer,
    staged: &[MatchInput],
    existing: Option<&[MatchInput]>,
    reporter: &(dyn Reporter + Sync),
    limits: &Limits,
) -> Matched {
    let found = candidates::find_candidates_within(comparer, staged, existing, reporter, limits);
    Matched {
        outcomes: found
            .lists
            .into_iter()
            .map(|c| MatchOutcome::from_candidates(comparer.profile(), c))
            .collect(),
        uncompared: found.uncompared,
        split_blocks: found.split_blocks,
        compared: found.compared,
        plans: found.plans,
    }
}
