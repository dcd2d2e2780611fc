//! The class of a staged record and the decision taken on it, with their
//! text forms in one place: the stored (and serialised, and `Display`ed)
//! forms are the class labels (`Match`, `Potential Match`, `Non-Match`) and
//! the decision names (`Create`, `Merge`, `Update`, `Delete`); the labels
//! that reviewers see for a kind of record are [`Decision::label`], and
//! [`Decision::parse`] reads any of them back.

use serde::{Deserialize, Serialize};

use super::RecordKind;

/// The class of a staged record, from its best candidate's quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MatchClass {
    #[serde(rename = "Match")]
    Match,
    #[serde(rename = "Potential Match")]
    Potential,
    #[serde(rename = "Non-Match")]
    NonMatch,
}

impl MatchClass {
    /// Every class, surest first (the order a review walks them in).
    pub const ALL: [MatchClass; 3] = [MatchClass::Match, MatchClass::Potential, MatchClass::NonMatch];

    /// The name reviewers see, and the stored form.
    pub fn label(self) -> &'static str {
        match self {
            MatchClass::Match => "Match",
            MatchClass::Potential => "Potential Match",
            MatchClass::NonMatch => "Non-Match",
        }
    }

    /// Reads a class from its label (exactly as [`MatchClass::label`] writes it).
    pub fn parse(text: &str) -> Option<MatchClass> {
        MatchClass::ALL.into_iter().find(|c| c.label() == text)
    }

    /// What the system proposes for a record of this class: Merge with the
    /// best candidate for a Match, Create otherwise.
    pub fn proposed_action(self) -> Decision {
        match self {
            MatchClass::Match => Decision::Merge,
            MatchClass::Potential | MatchClass::NonMatch => Decision::Create,
        }
    }
}

impl std::fmt::Display for MatchClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

impl std::str::FromStr for MatchClass {
    type Err = UnknownText;
    fn from_str(text: &str) -> Result<MatchClass, UnknownText> {
        MatchClass::parse(text).ok_or_else(|| UnknownText { what: "match class", text: text.to_string() })
    }
}

/// What completing an import does with a staged record: proposed by
/// matching, chosen in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Decision {
    /// A new record (contacts: Create; leads: Create new lead).
    Create,
    /// Merged into a chosen existing (or earlier staged) record: the existing
    /// record's values win, except the profile's `importWins` fields (leads:
    /// Associate lead).
    Merge,
    /// The staged record's key equals an existing record's: that record is
    /// updated, the import's values winning (fields the import lacks stay).
    Update,
    /// Dropped from staging (contacts: Delete staged; leads: Discard lead).
    Delete,
}

impl Decision {
    /// Every decision.
    pub const ALL: [Decision; 4] = [Decision::Create, Decision::Merge, Decision::Update, Decision::Delete];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Create => "Create",
            Decision::Merge => "Merge",
            Decision::Update => "Update",
            Decision::Delete => "Delete",
        }
    }

    /// The name shown for this kind of record (leads: `Create new lead`,
    /// `Associate lead`, `Discard lead`).
    pub fn label(self, kind: RecordKind) -> &'static str {
        match (kind, self) {
            (_, Decision::Update) => "Update",
            (RecordKind::Contacts, Decision::Create) => "Create",
            (RecordKind::Contacts, Decision::Merge) => "Merge",
            (RecordKind::Contacts, Decision::Delete) => "Delete staged",
            (RecordKind::Leads, Decision::Create) => "Create new lead",
            (RecordKind::Leads, Decision::Merge) => "Associate lead",
            (RecordKind::Leads, Decision::Delete) => "Discard lead",
        }
    }

    /// Reads a decision from its stored form, its label for `kind` or a
    /// generic name (`create`, `merge`, `update`, `delete`, `discard`),
    /// ignoring case and surrounding blanks.
    pub fn parse(text: &str, kind: RecordKind) -> Option<Decision> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("discard") {
            return Some(Decision::Delete);
        }
        Decision::ALL
            .into_iter()
            .find(|d| t.eq_ignore_ascii_case(d.label(kind)) || t.eq_ignore_ascii_case(d.as_str()))
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Decision {
    type Err = UnknownText;
    /// The stored form, exactly.
    fn from_str(text: &str) -> Result<Decision, UnknownText> {
        Decision::ALL
            .into_iter()
            .find(|d| d.as_str() == text)
            .ok_or_else(|| UnknownText { what: "decision", text: text.to_string() })
    }
}

/// A text that is not the stored form of a class or a decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {what}")]
pub struct UnknownText {
    pub what: &'static str,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_read_back_and_serialise_as_stored() {
        for c in MatchClass::ALL {
            assert_eq!(c.to_string().parse::<MatchClass>(), Ok(c));
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.label()));
        }
        for d in Decision::ALL {
            assert_eq!(d.to_string().parse::<Decision>(), Ok(d));
            assert_eq!(serde_json::to_string(&d).unwrap(), format!("\"{}\"", d.as_str()));
        }
        assert_eq!(MatchClass::Potential.to_string(), "Potential Match");
        assert_eq!(MatchClass::NonMatch.to_string(), "Non-Match");
        assert!("Potential".parse::<MatchClass>().is_err());
        assert_eq!(
            "merge".parse::<Decision>().unwrap_err().to_string(),
            "`merge` is not a decision",
            "the stored form is exact"
        );
    }

    #[test]
    fn decisions_parse_from_labels_and_generic_names() {
        assert_eq!(Decision::parse("Associate lead", RecordKind::Leads), Some(Decision::Merge));
        assert_eq!(Decision::parse("discard", RecordKind::Leads), Some(Decision::Delete));
        assert_eq!(Decision::parse("discard lead", RecordKind::Leads), Some(Decision::Delete));
        assert_eq!(Decision::parse("Delete staged", RecordKind::Contacts), Some(Decision::Delete));
        assert_eq!(Decision::parse(" update ", RecordKind::Contacts), Some(Decision::Update));
        assert_eq!(Decision::parse("merge", RecordKind::Leads), Some(Decision::Merge));
        assert_eq!(Decision::parse("keep", RecordKind::Contacts), None);
        assert_eq!(Decision::parse("Associate lead", RecordKind::Contacts), None);
        for kind in [RecordKind::Contacts, RecordKind::Leads] {
            for d in Decision::ALL {
                assert_eq!(Decision::parse(d.as_str(), kind), Some(d));
                assert_eq!(Decision::parse(d.label(kind), kind), Some(d));
            }
        }
    }

    #[test]
    fn a_match_proposes_merge_and_the_others_create() {
        assert_eq!(MatchClass::Match.proposed_action(), Decision::Merge);
        assert_eq!(MatchClass::Potential.proposed_action(), Decision::Create);
        assert_eq!(MatchClass::NonMatch.proposed_action(), Decision::Create);
    }
}
