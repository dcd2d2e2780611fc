//! The Match and Potential Match thresholds a learned profile is given,
//! from the match probabilities of the staged records' best candidates.

use super::profile::Thresholds;

/// Match: the lowest quality (at least 50) above which the expected
/// precision (the mean probability of the records there) is at least
/// 0.995. Potential: the lowest (at least 10) where the records between it
/// and Match are, on average, at least one in four a match.
pub fn choose_thresholds(histogram: &[u64]) -> Thresholds {
    let p = |q: usize| if q >= 100 { 0.998 } else { q as f64 / 100.0 };
    let mut match_ = 100;
    for q in (50..=100).rev() {
        let (n, s) =
            (q..=100).fold((0u64, 0.0), |(n, s), k| (n + histogram[k], s + histogram[k] as f64 * p(k)));
        if n > 0 && s / n as f64 >= 0.995 {
            match_ = q;
        }
    }
    let mut potential = match_.min(10);
    for q in 10..match_ {
        let (n, s) =
            (q..match_).fold((0u64, 0.0), |(n, s), k| (n + histogram[k], s + histogram[k] as f64 * p(k)));
        if n == 0 || s / n as f64 >= 0.25 {
            potential = q;
            break;
        }
        potential = q + 1;
    }
    Thresholds { match_: match_ as u32, potential: potential.clamp(1, match_) as u32 }
}
