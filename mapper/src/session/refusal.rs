//! Why the session refuses an answer: [`Refusal`], whose text is the message
//! shown before the same question is asked again.

/// An answer the session cannot take (or a line that is no answer at all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A select answer's option index is past the end of its options.
    #[error("option {number} does not exist")]
    NoSuchOption {
        /// The 1-based number of the option picked.
        number: usize,
    },
    /// A multi-select answer picks an option past the end.
    #[error("an option picked does not exist")]
    NoSuchPick,
    /// The answer is of another kind than the question (a text for a select …).
    #[error("that kind of answer does not fit this question")]
    WrongKind,
    /// The session saved or quit: it takes no more answers.
    #[error("the session is over")]
    SessionOver,
    /// The file picked is not one of the session's files.
    #[error("no such file")]
    NoSuchFile,
    /// The row picked is not one of the file's mappings.
    #[error("no such row")]
    NoSuchRow,
    /// A user field was given an empty name.
    #[error("a user field needs a name")]
    NoName,
    /// A typed date or timestamp format holds no `%` directive.
    #[error("`{format}` is not a strftime format (such as `%d/%m/%Y`)")]
    NotAFormat {
        /// The format typed.
        format: String,
    },
    /// A typed format does not read the column's sample value.
    #[error("format `{format}` does not read the sample value `{sample}`")]
    FormatMisreads {
        /// The format typed.
        format: String,
        /// The column's sample value.
        sample: String,
    },
    /// A typed time zone is not in the IANA database.
    #[error("`{zone}` is not an IANA time zone (such as `UTC`, `America/Toronto`, `Europe/Paris`)")]
    NotATimeZone {
        /// The zone typed.
        zone: String,
    },
    /// A number that is out of the options' range (and no option's key).
    #[error("`{text}` is not an option number (1 to {count})")]
    NotAnOptionNumber {
        /// The line's text.
        text: String,
        /// How many options there are.
        count: usize,
    },
    /// A line that names no option by number, key or label.
    #[error("`{text}` is not one of the options ({}{}); answer with a number or a name", keys_shown(.keys), if *.more { ", …" } else { "" })]
    NotAnOption {
        /// The line's text.
        text: String,
        /// The first option keys (at most 12), to show.
        keys: Vec<String>,
        /// Whether there are more options than `keys`.
        more: bool,
    },
    /// A line that is not yes or no, for a confirm.
    #[error("`{text}` is not an answer to a yes/no question (answer `y` or `n`)")]
    NotYesNo {
        /// The line's text.
        text: String,
    },
}

fn keys_shown(keys: &[String]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}
