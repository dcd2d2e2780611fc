//! Full names in one column (`Lee, Ann`, `Dr. Ann B. Lee Jr.`): the one rule
//! that splits them into a title, first, middle and last name and a suffix,
//! shared by the `name` converter and `map --auto`'s choice of it.
//!
//! Two orders are read. With a comma, the last name comes first (`Lee, Ann
//! B.`, `Lee Jr., Ann`), unless all that follows the comma is suffixes
//! (`Ann Lee, PhD`). Without one, the last word is the last name, with the
//! particles before it (`Ludwig van Beethoven`, `Juan de la Cruz`), the first
//! word the first name and the words between the middle name. Titles (`Mr`,
//! `Dr.`) lead and suffixes (`Jr.`, `III`, `PhD`) trail in either order. Each
//! part is kept as written (`RAY, BOB` stays in capitals); a title the target
//! knows is written as the target writes it (`dr` → `Dr.`). One word is a
//! last name. A cell naming two people (`Ann & Bob Lee`, `Ann and Bob Lee`)
//! is refused: splitting it would blend them into one person.

use serde::{Deserialize, Serialize};

/// A part of a full name, as a `name` converter picks it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum NamePart {
    /// `Dr.`
    Title,
    /// `Ann`
    First,
    /// `B.` (several words joined by a space)
    Middle,
    /// `Lee`, `van Beethoven`
    Last,
    /// `Jr.`, `PhD` (several joined by a space)
    Suffix,
}

impl NamePart {
    /// Every part, in the order a name is written.
    pub const ALL: [NamePart; 5] =
        [NamePart::Title, NamePart::First, NamePart::Middle, NamePart::Last, NamePart::Suffix];

    /// The part as templates and packages write it (`last`).
    pub fn as_str(self) -> &'static str {
        match self {
            NamePart::Title => "title",
            NamePart::First => "first",
            NamePart::Middle => "middle",
            NamePart::Last => "last",
            NamePart::Suffix => "suffix",
        }
    }

    /// The part of that name (`last`), if it is one.
    pub fn parse(text: &str) -> Option<NamePart> {
        NamePart::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// A full name split into its parts; a part the name lacks is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FullName {
    pub title: String,
    pub first: String,
    pub middle: String,
    pub last: String,
    pub suffix: String,
}

impl FullName {
    /// The text of one part (empty when the name lacks it).
    pub fn part(&self, part: NamePart) -> &str {
        match part {
            NamePart::Title => &self.title,
            NamePart::First => &self.first,
            NamePart::Middle => &self.middle,
            NamePart::Last => &self.last,
            NamePart::Suffix => &self.suffix,
        }
    }
}

/// Why a cell cannot be split into one person's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// `Ann & Bob Lee`: two people in one cell.
    #[error("names more than one person (`{joiner}`); give each person a row of their own")]
    Several {
        /// The word or sign that joins them.
        joiner: String,
    },
    /// Commas in an order no rule reads (`Lee, Ann, Bob`).
    #[error("has commas in no order a name is written in (`Last, First` or `First Last, Suffix`)")]
    Commas,
    /// No name is left once titles and suffixes are taken off (`Dr.`).
    #[error("holds no name, only a title or suffix")]
    NoName,
}

/// Titles, by their folded form, and how the contacts target writes the
/// ones it knows.
const TITLES: [(&str, Option<&str>); 14] = [
    ("mr", Some("Mr.")),
    ("mrs", Some("Mrs.")),
    ("ms", Some("Ms.")),
    ("miss", Some("Miss")),
    ("dr", Some("Dr.")),
    ("prof", Some("Prof.")),
    ("mx", None),
    ("rev", None),
    ("fr", None),
    ("sir", None),
    ("dame", None),
    ("hon", None),
    ("mme", None),
    ("mlle", None),
];

const SUFFIXES: [&str; 15] =
    ["jr", "sr", "ii", "iii", "iv", "v", "phd", "md", "dds", "esq", "cpa", "rn", "jd", "mba", "qc"];

/// Words that belong to the last name that follows them.
const PARTICLES: [&str; 20] = [
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le", "dos", "das",
    "ten", "ter", "bin", "ibn", "st",
];

/// A word folded for the lists above: lower case, without dots (`Ph.D.` → `phd`).
fn fold(word: &str) -> String {
    word.chars().filter(|c| *c != '.').flat_map(char::to_lowercase).collect()
}

fn is_title(word: &str) -> bool {
    let w = fold(word);
    TITLES.iter().any(|(t, _)| *t == w)
}

fn is_suffix(word: &str) -> bool {
    SUFFIXES.contains(&fold(word.trim_end_matches(',')).as_str())
}

/// The title as the target writes it when it knows it (`dr` → `Dr.`).
fn title_text(word: &str) -> String {
    let w = fold(word);
    TITLES
        .iter()
        .find(|(t, _)| *t == w)
        .and_then(|(_, known)| *known)
        .map_or(word.to_string(), str::to_string)
}

/// The warning for a plain name that names a household (`Ann & Bob`), if it does.
pub fn household_warning(text: &str) -> Option<String> {
    joiner(text).map(|joiner| {
        format!(
            "`{}` names more than one person (`{joiner}`), a household: it is kept as written, as one person's name; give each person a row of their own",
            crate::convert::value::show(text)
        )
    })
}

/// The word that joins two people in a name (`&` in `Ann & Bob`), if any.
pub fn joiner(text: &str) -> Option<&str> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 3 {
        return None;
    }
    words[1..words.len() - 1]
        .iter()
        .copied()
        .find(|w| matches!(fold(w).as_str(), "&" | "and" | "+" | "und" | "et"))
}

/// Splits a full name (see the module's rules).
pub fn split(text: &str) -> Result<FullName, NameError> {
    if let Some(joiner) = joiner(text) {
        return Err(NameError::Several { joiner: joiner.to_string() });
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    let pieces: Vec<&str> = text.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let mut name = FullName::default();
    let mut suffixes: Vec<&str> = Vec::new();
    let (given, family): (Vec<&str>, Option<Vec<&str>>) = match pieces.as_slice() {
        [] => return Err(NameError::NoName),
        [one] => (one.split(' ').collect(), None),
        [main, rest @ ..] if rest.iter().all(|p| p.split(' ').all(is_suffix)) => {
            suffixes.extend(rest.iter().flat_map(|p| p.split(' ')));
            (main.split(' ').collect(), None)
        }
        [last, first] => (first.split(' ').collect(), Some(last.split(' ').collect())),
        [last, first, rest @ ..] if rest.iter().all(|p| p.split(' ').all(is_suffix)) => {
            suffixes.extend(rest.iter().flat_map(|p| p.split(' ')));
            (first.split(' ').collect(), Some(last.split(' ').collect()))
        }
        _ => return Err(NameError::Commas),
    };
    if family.is_none() && given.iter().all(|w| is_title(w)) {
        return Err(NameError::NoName);
    }
    let mut given: &[&str] = &given;
    let mut titles = Vec::new();
    while let [word, rest @ ..] = given
        && is_title(word)
        && (!rest.is_empty() || family.is_some())
    {
        titles.push(title_text(word));
        given = rest;
    }
    // Trailing suffixes of the words read in order (`Ann Lee Jr.`), or of the
    // family part (`Lee Jr., Ann`); a lone `V` after one word is an initial.
    let mut family: Option<&[&str]> = family.as_deref();
    let mut trailing = Vec::new();
    match &mut family {
        Some(f) => {
            while let [rest @ .., word] = *f
                && !rest.is_empty()
                && is_suffix(word)
            {
                trailing.push(*word);
                *f = rest;
            }
            while let [rest @ .., word] = given
                && is_suffix(word)
                && !rest.is_empty()
            {
                trailing.push(*word);
                given = rest;
            }
        }
        None => {
            while let [rest @ .., word] = given
                && rest.len() >= 2
                && is_suffix(word)
            {
                trailing.push(*word);
                given = rest;
            }
        }
    }
    trailing.reverse();
    suffixes.splice(0..0, trailing);
    name.title = titles.join(" ");
    name.suffix = suffixes.iter().map(|s| s.trim_end_matches(',')).collect::<Vec<_>>().join(" ");
    match family {
        Some(f) => {
            name.last = f.join(" ");
            if let [first, middle @ ..] = given {
                name.first = first.to_string();
                name.middle = middle.join(" ");
            }
        }
        None => match given {
            [] => return Err(NameError::NoName),
            [only] => name.last = only.to_string(),
            [first, rest @ ..] => {
                // The last name starts at the particles before the last word.
                let mut start = rest.len() - 1;
                while start > 0 && PARTICLES.contains(&fold(rest[start - 1]).as_str()) {
                    start -= 1;
                }
                name.first = first.to_string();
                name.middle = rest[..start].join(" ");
                name.last = rest[start..].join(" ");
            }
        },
    }
    if name.last.is_empty() && name.first.is_empty() {
        return Err(NameError::NoName);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> [String; 5] {
        let n = split(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        [n.title, n.first, n.middle, n.last, n.suffix]
    }

    fn want(p: [&str; 5]) -> [String; 5] {
        p.map(str::to_string)
    }

    #[test]
    fn both_orders_titles_suffixes_and_particles() {
        for (text, expected) in [
            ("Ann Lee", ["", "Ann", "", "Lee", ""]),
            ("Lee, Ann", ["", "Ann", "", "Lee", ""]),
            ("  Lee ,  Ann  B. ", ["", "Ann", "B.", "Lee", ""]),
            ("RAY, BOB J.", ["", "BOB", "J.", "RAY", ""]),
            ("Dr. Ann B. Lee Jr.", ["Dr.", "Ann", "B.", "Lee", "Jr."]),
            ("dr ann lee", ["Dr.", "ann", "", "lee", ""]),
            ("Ann Lee, PhD", ["", "Ann", "", "Lee", "PhD"]),
            ("Ann Lee, Jr., MD", ["", "Ann", "", "Lee", "Jr. MD"]),
            ("Lee Jr., Ann", ["", "Ann", "", "Lee", "Jr."]),
            ("Lee, Ann, Jr.", ["", "Ann", "", "Lee", "Jr."]),
            ("Lee, Mrs. Ann", ["Mrs.", "Ann", "", "Lee", ""]),
            ("Ludwig van Beethoven", ["", "Ludwig", "", "van Beethoven", ""]),
            ("Juan Carlos de la Cruz", ["", "Juan", "Carlos", "de la Cruz", ""]),
            ("Rev. Martin Luther King Jr.", ["Rev.", "Martin", "Luther", "King", "Jr."]),
            ("Zoë O'Brien", ["", "Zoë", "", "O'Brien", ""]),
            ("Cher", ["", "", "", "Cher", ""]),
            ("Ann V", ["", "Ann", "", "V", ""]),
            ("Henry Ford III", ["", "Henry", "", "Ford", "III"]),
            ("Mr Smith", ["Mr.", "", "", "Smith", ""]),
        ] {
            assert_eq!(parts(text), want(expected), "{text:?}");
        }
    }

    #[test]
    fn two_people_or_unreadable_commas_are_refused() {
        assert_eq!(split("Ann & Bob Lee"), Err(NameError::Several { joiner: "&".into() }));
        assert_eq!(split("Ann and Bob Lee"), Err(NameError::Several { joiner: "and".into() }));
        assert_eq!(split("Lee, Ann, Bob"), Err(NameError::Commas));
        assert_eq!(split("Dr."), Err(NameError::NoName));
        assert_eq!(split(" , "), Err(NameError::NoName));
        assert_eq!(joiner("Ann & Bob"), Some("&"));
        assert_eq!(joiner("Ann and Bob"), Some("and"));
        assert_eq!(joiner("Anderson"), None);
        assert_eq!(joiner("& Co"), None);
    }
}
