//! The starting profile of [`super::learn`]: comparison levels per field,
//! chosen by how each field is normalised, with starting m and u.

use super::profile::{
    Level, LevelWeight, MatchField, MatchingProfile, Normalize, PrimarySource, Probabilistic, RecordKind,
    Source, Thresholds,
};

/// A profile with comparison levels for every field of `base`: the base's
/// own levels when it is probabilistic, else levels chosen by how each
/// field is normalised. Contacts also compare e-mail and phone when the base
/// does not. Its probabilities are starting points for [`learn`](super::learn::learn).
pub fn skeleton(base: &MatchingProfile) -> MatchingProfile {
    let mut p = base.clone();
    if p.probabilistic.is_some() {
        return p;
    }
    if p.kind == RecordKind::Contacts {
        let has_email = p.fields.iter().any(|f| f.normalize == Normalize::Email);
        let has_phone = p.fields.iter().any(|f| f.normalize == Normalize::Phone);
        let telcom = |name: &str, label: &str, normalize: Normalize, types: &[&str]| MatchField {
            name: name.into(),
            label: label.into(),
            weight: 0,
            tolerant_weight: None,
            source: Source::Primary(PrimarySource {
                subcollection: "Telcom".into(),
                attribute: "value".into(),
                fallback_type: None,
                types: types.iter().map(|t| t.to_string()).collect(),
            }),
            normalize,
            agree: Default::default(),
            missing_values: Vec::new(),
            swap_with: None,
            levels: Vec::new(),
            term_frequency: false,
            namesake_u: None,
        };
        if !has_email && p.fields.len() < 16 {
            p.fields.push(telcom("email", "Email", Normalize::Email, &["Email", "Personal Email"]));
        }
        if !has_phone && p.fields.len() < 16 {
            p.fields.push(telcom(
                "phone",
                "Phone",
                Normalize::Phone,
                &["Home", "Mobile", "Business", "Other"],
            ));
        }
    }
    let partners: Vec<bool> = {
        let swaps = p.swaps();
        (0..p.fields.len()).map(|i| swaps.iter().any(|&(a, b)| a == i || b == i)).collect()
    };
    for (i, f) in p.fields.iter_mut().enumerate() {
        use Level::*;
        let (kinds, tf): (Vec<(Level, f64)>, bool) = match f.normalize {
            Normalize::Name => {
                let mut k = vec![(Exact, 0.85)];
                if partners[i] {
                    k.push((Swapped, 0.03));
                }
                k.extend([(Typo, 0.04), (Phonetic, 0.02), (Initial, 0.01)]);
                (k, true)
            }
            Normalize::Date => {
                (vec![(Exact, 0.85), (DayMonthSwap, 0.02), (YearOff, 0.01), (OneDigit, 0.03)], false)
            }
            Normalize::Phone => (vec![(Exact, 0.85), (OneDigit, 0.02)], false),
            // An address one character off is another mailbox, and addresses are
            // made of the names: nearly equal ones mostly repeat the name fields.
            // Equal ones weigh by their frequency: namesakes' addresses
            // (first.last7@…) and shared ones (a household's, an office's)
            // repeat, which the names' own agreement already told.
            Normalize::Email => (vec![(Exact, 0.85)], true),
            Normalize::Code => (vec![(Exact, 0.85), (Typo, 0.02)], true),
            Normalize::Text | Normalize::None => (vec![(Exact, 0.9)], false),
        };
        let used: f64 = kinds.iter().map(|(_, m)| m).sum();
        f.levels = kinds.into_iter().map(|(level, m)| LevelWeight { level, m, u: 0.5 }).collect();
        f.levels.push(LevelWeight { level: Else, m: (1.0 - used).max(0.01), u: 0.5 });
        f.term_frequency = tf;
        f.weight = 0;
        f.tolerant_weight = None;
    }
    p.probabilistic = Some(Probabilistic { prior: 1e-4 });
    p.thresholds = Thresholds { match_: 50, potential: 10 };
    p
}
