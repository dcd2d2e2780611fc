//! What changed between two matching profiles (`ferry diff a.json b.json`):
//! profile settings (kind, thresholds, candidates, prior, …), fields added
//! or removed, and per field its settings and, for probabilistic profiles,
//! each comparison level's m, u and weight.

use std::fmt;

use ferry_mapper::diff::{Change, Status};
use serde::Serialize;

use super::profile::{LevelWeight, MatchField, MatchingProfile};

/// The differences between two profiles; empty when they mean the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileDiff {
    /// Profile-level settings.
    pub settings: Vec<Change>,
    pub fields: Vec<FieldDiff>,
}

/// A field added, removed or changed (fields are matched by name).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldDiff {
    pub name: String,
    pub status: Status,
    /// Settings that changed (for added and removed fields: the weight or levels only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Change>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<LevelDiff>,
}

/// A comparison level added, removed or with other probabilities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelDiff {
    /// The level's name in profile files (`dayMonthSwap`).
    pub level: &'static str,
    pub status: Status,
    pub old: Option<LevelValues>,
    pub new: Option<LevelValues>,
}

/// A level's probabilities and weight (log2(m / u), in bits).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LevelValues {
    pub m: f64,
    pub u: f64,
    pub weight: f64,
}

impl From<&LevelWeight> for LevelValues {
    fn from(l: &LevelWeight) -> Self {
        LevelValues { m: l.m, u: l.u, weight: l.weight() }
    }
}

impl ProfileDiff {
    /// True when the two profiles mean the same.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty() && self.fields.is_empty()
    }
}

fn change(what: &str, old: Option<String>, new: Option<String>) -> Option<Change> {
    (old != new).then(|| Change { what: what.to_string(), old, new })
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The differences from `old` to `new`.
pub fn diff(old: &MatchingProfile, new: &MatchingProfile) -> ProfileDiff {
    let prior = |p: &MatchingProfile| p.probabilistic.map(|p| p.prior.to_string());
    let order = |p: &MatchingProfile| p.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>().join(", ");
    let settings = [
        change("format version", Some(old.format_version.to_string()), Some(new.format_version.to_string())),
        change("kind", Some(old.kind.as_str().into()), Some(new.kind.as_str().into())),
        change(
            "Match threshold",
            Some(old.thresholds.match_.to_string()),
            Some(new.thresholds.match_.to_string()),
        ),
        change(
            "Potential Match threshold",
            Some(old.thresholds.potential.to_string()),
            Some(new.thresholds.potential.to_string()),
        ),
        change("candidates", Some(old.candidates.to_string()), Some(new.candidates.to_string())),
        change("default country", old.default_country.clone(), new.default_country.clone()),
        change(
            "import wins",
            (!old.import_wins.is_empty()).then(|| old.import_wins.join(", ")),
            (!new.import_wins.is_empty()).then(|| new.import_wins.join(", ")),
        ),
        change("prior (probabilistic)", prior(old), prior(new)),
        change("field order", Some(order(old)), Some(order(new))),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut fields = Vec::new();
    for f in &old.fields {
        match new.fields.iter().find(|g| g.name == f.name) {
            None => fields.push(FieldDiff {
                name: f.name.clone(),
                status: Status::Removed,
                settings: field_changes(f, None),
                levels: level_changes(&f.levels, &[]),
            }),
            Some(g) => {
                let settings = field_changes(f, Some(g));
                let levels = level_changes(&f.levels, &g.levels);
                if !settings.is_empty() || !levels.is_empty() {
                    fields.push(FieldDiff {
                        name: f.name.clone(),
                        status: Status::Changed,
                        settings,
                        levels,
                    });
                }
            }
        }
    }
    for g in new.fields.iter().filter(|g| !old.fields.iter().any(|f| f.name == g.name)) {
        fields.push(FieldDiff {
            name: g.name.clone(),
            status: Status::Added,
            settings: field_changes_added(g),
            levels: level_changes(&[], &g.levels),
        });
    }
    // The field order is reported once, not as a change of every field.
    let mut diff = ProfileDiff { settings, fields };
    if old.fields.len() != new.fields.len()
        || old.fields.iter().any(|f| !new.fields.iter().any(|g| g.name == f.name))
    {
        diff.settings.retain(|c| c.what != "field order");
    }
    diff
}

/// The settings of a field that changed (`new` = `None`: the field was
/// removed; its weight is listed).
fn field_changes(f: &MatchField, new: Option<&MatchField>) -> Vec<Change> {
    let Some(g) = new else {
        return (f.levels.is_empty())
            .then(|| change("weight", Some(f.weight.to_string()), None))
            .flatten()
            .into_iter()
            .collect();
    };
    let tolerant = |x: &MatchField| x.tolerant_weight.map(|w| w.to_string());
    let list = |v: &[String]| (!v.is_empty()).then(|| v.join(", "));
    let levels = |x: &MatchField| {
        (!x.levels.is_empty())
            .then(|| x.levels.iter().map(|l| l.level.as_str()).collect::<Vec<_>>().join(", "))
    };
    [
        change("label", Some(f.label.clone()), Some(g.label.clone())),
        change("weight", Some(f.weight.to_string()), Some(g.weight.to_string())),
        change("tolerant weight", tolerant(f), tolerant(g)),
        change("source", Some(json(&f.source)), Some(json(&g.source))),
        change("normalize", Some(json(&f.normalize)), Some(json(&g.normalize))),
        change("agree", Some(json(&f.agree)), Some(json(&g.agree))),
        change("missing values", list(&f.missing_values), list(&g.missing_values)),
        change("swap with", f.swap_with.clone(), g.swap_with.clone()),
        change("term frequency", Some(f.term_frequency.to_string()), Some(g.term_frequency.to_string())),
        change("namesake u", f.namesake_u.map(|u| u.to_string()), g.namesake_u.map(|u| u.to_string())),
        change("level order", levels(f), levels(g)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn field_changes_added(g: &MatchField) -> Vec<Change> {
    if g.levels.is_empty() {
        change("weight", None, Some(g.weight.to_string())).into_iter().collect()
    } else {
        Vec::new()
    }
}

/// Levels matched by kind: added, removed, or with other m or u.
fn level_changes(old: &[LevelWeight], new: &[LevelWeight]) -> Vec<LevelDiff> {
    let mut out = Vec::new();
    for l in old {
        match new.iter().find(|k| k.level == l.level) {
            None => out.push(LevelDiff {
                level: l.level.as_str(),
                status: Status::Removed,
                old: Some(l.into()),
                new: None,
            }),
            Some(k) if k.m != l.m || k.u != l.u => out.push(LevelDiff {
                level: l.level.as_str(),
                status: Status::Changed,
                old: Some(l.into()),
                new: Some(k.into()),
            }),
            Some(_) => {}
        }
    }
    for k in new.iter().filter(|k| !old.iter().any(|l| l.level == k.level)) {
        out.push(LevelDiff {
            level: k.level.as_str(),
            status: Status::Added,
            old: None,
            new: Some(k.into()),
        });
    }
    out
}

fn mark(status: &Status) -> &'static str {
    match status {
        Status::Added => "+",
        Status::Removed => "-",
        Status::Changed => "~",
    }
}

fn values(v: &Option<LevelValues>) -> String {
    v.map_or_else(|| "(none)".to_string(), |v| format!("m {} u {} weight {:+.2}", v.m, v.u, v.weight))
}

impl fmt::Display for LevelDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Some(o), Some(n)) => write!(
                f,
                "level {}: m {} → {}, u {} → {}, weight {:+.2} → {:+.2} bits",
                self.level, o.m, n.m, o.u, n.u, o.weight, n.weight
            ),
            _ => write!(f, "level {}: {} → {}", self.level, values(&self.old), values(&self.new)),
        }
    }
}

impl fmt::Display for ProfileDiff {
    /// One line per change: `+` added, `-` removed, `~` changed; details indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.settings {
            writeln!(f, "~ {c}")?;
        }
        for field in &self.fields {
            let word = match field.status {
                Status::Added => "added",
                Status::Removed => "removed",
                Status::Changed => "changed",
            };
            writeln!(f, "{} field `{}` ({word})", mark(&field.status), field.name)?;
            for c in &field.settings {
                writeln!(f, "    {c}")?;
            }
            for l in &field.levels {
                writeln!(f, "  {} {l}", mark(&l.status))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::learn::skeleton;

    #[test]
    fn a_profile_does_not_differ_from_itself() {
        let p = MatchingProfile::for_kind(crate::matching::RecordKind::Contacts);
        assert!(diff(&p, &p).is_empty());
        assert_eq!(diff(&p, &p).to_string(), "");
    }

    #[test]
    fn thresholds_weights_and_levels_are_listed() {
        let seed = MatchingProfile::for_kind(crate::matching::RecordKind::Contacts);
        let mut a = skeleton(&seed);
        let mut b = a.clone();
        b.thresholds.match_ = 87;
        b.fields[0].levels[0].m = 0.95;
        b.fields[0].levels[0].u = 0.001;
        let email = b.fields.iter().position(|f| f.name == "email").expect("email field");
        b.fields.remove(email);
        a.probabilistic = Some(crate::matching::profile::Probabilistic { prior: 1e-4 });
        b.probabilistic = Some(crate::matching::profile::Probabilistic { prior: 2e-5 });
        let d = diff(&a, &b);
        let text = d.to_string();
        assert!(text.contains("~ Match threshold: `50` → `87`"), "{text}");
        assert!(text.contains("~ prior (probabilistic): `0.0001` → `0.00002`"), "{text}");
        let first = &a.fields[0].name;
        assert!(text.contains(&format!("~ field `{first}` (changed)")), "{text}");
        assert!(text.contains("~ level exact: m 0.85 → 0.95, u 0.5 → 0.001"), "{text}");
        assert!(text.contains("- field `email` (removed)"), "{text}");
        assert!(text.contains("  - level exact: m 0.85 u 0.5 weight +0.77 → (none)"), "{text}");
        // The seed against its skeleton: every weight and every level.
        let text = diff(&seed, &a).to_string();
        assert!(text.contains("+ field `email` (added)"), "{text}");
        assert!(text.contains("    weight: `"), "{text}");
    }
}
