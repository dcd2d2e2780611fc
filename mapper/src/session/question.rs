//! Questions the session asks and the answers it takes.
//!
//! A [`Question`] carries its prompt, notes to show before it, and its
//! [`QuestionKind`]: a select from [`Choice`]s, a multi-select, a text input
//! with a default, or a confirm. [`Question::parse`] reads an answer written
//! as a line of text (the answers-file format), so every prompter, and every
//! test, answers through the same rules.

use super::Refusal;

/// One option of a select: `key` is what a line answer may name, `label` what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub key: String,
    pub label: String,
}

impl Choice {
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Choice {
        Choice { key: key.into(), label: label.into() }
    }
}

/// What kind of answer a question wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    /// Pick one option; `default` is an index into `options`.
    Select { options: Vec<Choice>, default: usize },
    /// Pick any number of options; `defaults[i]` is whether option `i` starts picked.
    MultiSelect { options: Vec<Choice>, defaults: Vec<bool> },
    /// Free text; an empty answer takes `default` (or the empty string).
    Text { default: Option<String> },
    /// Yes or no.
    Confirm { default: bool },
}

/// A question of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// Lines to show before the prompt (file lists, reviews, reports).
    pub notes: Vec<String>,
    pub prompt: String,
    pub kind: QuestionKind,
}

/// An answer to a [`Question`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The index of the option picked.
    Select(usize),
    /// The indexes of the options picked, ascending.
    MultiSelect(Vec<usize>),
    Text(String),
    Confirm(bool),
}

impl Question {
    pub(crate) fn select(prompt: impl Into<String>, options: Vec<Choice>, default: usize) -> Question {
        debug_assert!(default < options.len());
        Question { notes: Vec::new(), prompt: prompt.into(), kind: QuestionKind::Select { options, default } }
    }

    pub(crate) fn multi(prompt: impl Into<String>, options: Vec<Choice>, defaults: Vec<bool>) -> Question {
        Question {
            notes: Vec::new(),
            prompt: prompt.into(),
            kind: QuestionKind::MultiSelect { options, defaults },
        }
    }

    pub(crate) fn text(prompt: impl Into<String>, default: Option<String>) -> Question {
        Question { notes: Vec::new(), prompt: prompt.into(), kind: QuestionKind::Text { default } }
    }

    pub(crate) fn confirm(prompt: impl Into<String>, default: bool) -> Question {
        Question { notes: Vec::new(), prompt: prompt.into(), kind: QuestionKind::Confirm { default } }
    }

    /// The answer an empty line gives.
    pub fn default_answer(&self) -> Answer {
        match &self.kind {
            QuestionKind::Select { default, .. } => Answer::Select(*default),
            QuestionKind::MultiSelect { defaults, .. } => Answer::MultiSelect(
                defaults.iter().enumerate().filter(|(_, d)| **d).map(|(i, _)| i).collect(),
            ),
            QuestionKind::Text { default } => Answer::Text(default.clone().unwrap_or_default()),
            QuestionKind::Confirm { default } => Answer::Confirm(*default),
        }
    }

    /// Reads a line answer. An empty line takes the default. A select takes the
    /// option's number (1-based), its key or its label; a multi-select takes such
    /// items separated by commas, or `none`; a confirm takes `y`/`yes`/`n`/`no`.
    pub fn parse(&self, line: &str) -> Result<Answer, Refusal> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(self.default_answer());
        }
        match &self.kind {
            QuestionKind::Select { options, .. } => find_option(options, line).map(Answer::Select),
            QuestionKind::MultiSelect { options, .. } => {
                if line.eq_ignore_ascii_case("none") || line == "-" {
                    return Ok(Answer::MultiSelect(Vec::new()));
                }
                // A key may itself hold a comma: try the whole line first.
                if let Ok(i) = find_option(options, line) {
                    return Ok(Answer::MultiSelect(vec![i]));
                }
                let mut picked = Vec::new();
                for item in line.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let i = find_option(options, item)?;
                    if !picked.contains(&i) {
                        picked.push(i);
                    }
                }
                picked.sort_unstable();
                Ok(Answer::MultiSelect(picked))
            }
            QuestionKind::Text { .. } => Ok(Answer::Text(line.to_string())),
            QuestionKind::Confirm { .. } => match line.to_ascii_lowercase().as_str() {
                "y" | "yes" | "true" => Ok(Answer::Confirm(true)),
                "n" | "no" | "false" => Ok(Answer::Confirm(false)),
                _ => Err(Refusal::NotYesNo { text: line.to_string() }),
            },
        }
    }
}

/// The option a line names: by number, key or label (case-insensitive).
fn find_option(options: &[Choice], text: &str) -> Result<usize, Refusal> {
    if let Ok(n) = text.parse::<usize>() {
        if (1..=options.len()).contains(&n) {
            return Ok(n - 1);
        }
        if !options.iter().any(|o| o.key == text) {
            return Err(Refusal::NotAnOptionNumber { text: text.to_string(), count: options.len() });
        }
    }
    options
        .iter()
        .position(|o| o.key == text)
        .or_else(|| options.iter().position(|o| o.key.eq_ignore_ascii_case(text)))
        .or_else(|| options.iter().position(|o| o.label.trim().eq_ignore_ascii_case(text)))
        .ok_or_else(|| Refusal::NotAnOption {
            text: text.to_string(),
            keys: options.iter().take(12).map(|o| o.key.clone()).collect(),
            more: options.len() > 12,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> Question {
        Question::select(
            "pick",
            vec![
                Choice::new("All", "All fields"),
                Choice::new("Name", "Name (7 fields)"),
                Choice::new("12", "twelve"),
            ],
            1,
        )
    }

    #[test]
    fn select_by_number_key_label_and_default() {
        assert_eq!(q().parse("1"), Ok(Answer::Select(0)));
        assert_eq!(q().parse("name"), Ok(Answer::Select(1)));
        assert_eq!(q().parse("All fields"), Ok(Answer::Select(0)));
        assert_eq!(q().parse("  "), Ok(Answer::Select(1)));
        // a key that looks like a number is reached by number first, by key when out of range
        assert_eq!(q().parse("12"), Ok(Answer::Select(2)));
        assert_eq!(q().parse("4"), Err(Refusal::NotAnOptionNumber { text: "4".into(), count: 3 }));
        assert_eq!(
            q().parse("Address").map_err(|e| e.to_string()),
            Err("`Address` is not one of the options (`All`, `Name`, `12`); answer with a number or a name"
                .into())
        );
    }

    #[test]
    fn multi_select_lists_and_none() {
        let q = Question::multi(
            "true?",
            vec![Choice::new("Y", "Y"), Choice::new("N", "N"), Choice::new("1, 2", "1, 2")],
            vec![true, false, false],
        );
        assert_eq!(q.parse(""), Ok(Answer::MultiSelect(vec![0])));
        assert_eq!(q.parse("n, 1"), Ok(Answer::MultiSelect(vec![0, 1])));
        assert_eq!(q.parse("none"), Ok(Answer::MultiSelect(vec![])));
        assert_eq!(q.parse("1, 2"), Ok(Answer::MultiSelect(vec![2])));
        assert!(q.parse("Y, maybe").is_err());
    }

    #[test]
    fn text_and_confirm() {
        let t = Question::text("zone", Some("UTC".into()));
        assert_eq!(t.parse(""), Ok(Answer::Text("UTC".into())));
        assert_eq!(t.parse(" Europe/Paris "), Ok(Answer::Text("Europe/Paris".into())));
        let c = Question::confirm("save?", true);
        assert_eq!(c.parse(""), Ok(Answer::Confirm(true)));
        assert_eq!(c.parse("No"), Ok(Answer::Confirm(false)));
        assert!(c.parse("maybe").is_err());
    }
}
