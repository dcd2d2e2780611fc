//! Prompters for the interactive parts: dialoguer on a terminal, plain line
//! answers otherwise (piped stdin or an answers file).
//!
//! A library state machine (such as `ferry_mapper::session`) hands out
//! [`Question`]s; a [`Prompter`] shows one and returns the [`Answer`]. The
//! [`TerminalPrompter`] draws dialoguer widgets on stderr. The
//! [`LinePrompter`] reads one answer per line through [`Question::parse`]
//! (a number, a key or a label; empty for the default; `#` starts a comment
//! line) and stops at the first answer that does not fit, naming its line:
//! a script's answers would be out of step after it.

use std::io::BufRead;

use anyhow::{Context, bail};
use console::Term;
use dialoguer::theme::ColorfulTheme;
use ferry_mapper::session::{Answer, Question, QuestionKind};

/// Asks questions and returns answers.
pub trait Prompter {
    /// Shows the question's notes and prompt and returns the answer.
    fn ask(&mut self, question: &Question) -> anyhow::Result<Answer>;
    /// The session refused the last answer; a terminal asks again, a script stops.
    fn refused(&mut self, question: &Question, message: &str) -> anyhow::Result<()>;
}

/// The end of the answers came before the session ended.
#[derive(Debug)]
pub struct EndOfAnswers {
    pub line: u64,
}

impl std::fmt::Display for EndOfAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the answers ended (after line {}) before the session did", self.line)
    }
}

impl std::error::Error for EndOfAnswers {}

/// dialoguer widgets on stderr.
pub struct TerminalPrompter {
    term: Term,
    theme: ColorfulTheme,
}

impl TerminalPrompter {
    pub fn new() -> TerminalPrompter {
        TerminalPrompter { term: Term::stderr(), theme: ColorfulTheme::default() }
    }
}

impl Prompter for TerminalPrompter {
    fn ask(&mut self, q: &Question) -> anyhow::Result<Answer> {
        for note in &q.notes {
            self.term.write_line(note).context("cannot write to the terminal")?;
        }
        let answer = match &q.kind {
            QuestionKind::Select { options, default } => dialoguer::Select::with_theme(&self.theme)
                .with_prompt(&q.prompt)
                .items(options.iter().map(|o| o.label.as_str()))
                .default(*default)
                .max_length(15)
                .interact_on(&self.term)
                .map(Answer::Select),
            QuestionKind::MultiSelect { options, defaults } => {
                dialoguer::MultiSelect::with_theme(&self.theme)
                    .with_prompt(format!("{} (space toggles, enter accepts)", q.prompt))
                    .items(options.iter().map(|o| o.label.as_str()))
                    .defaults(defaults)
                    .max_length(15)
                    .interact_on(&self.term)
                    .map(Answer::MultiSelect)
            }
            QuestionKind::Text { default } => {
                let mut input = dialoguer::Input::<String>::with_theme(&self.theme)
                    .with_prompt(&q.prompt)
                    .allow_empty(true);
                if let Some(d) = default {
                    input = input.default(d.clone());
                }
                input.interact_text_on(&self.term).map(|t| Answer::Text(t.trim().to_string()))
            }
            QuestionKind::Confirm { default } => dialoguer::Confirm::with_theme(&self.theme)
                .with_prompt(&q.prompt)
                .default(*default)
                .interact_on(&self.term)
                .map(Answer::Confirm),
        };
        match answer {
            Ok(a) => Ok(a),
            Err(e) => {
                let _ = self.term.show_cursor();
                Err(anyhow::Error::new(e).context("the prompt was interrupted"))
            }
        }
    }

    fn refused(&mut self, _q: &Question, message: &str) -> anyhow::Result<()> {
        self.term
            .write_line(&format!("{} {message}", console::style("✘").red()))
            .context("cannot write to the terminal")?;
        Ok(())
    }
}

/// One answer per line, from piped stdin or an answers file.
pub struct LinePrompter<R> {
    input: R,
    /// Where the answers come from, for messages (`stdin`, `answers.txt`).
    source: String,
    line: u64,
    /// Echo questions and answers on stderr.
    echo: bool,
}

impl<R: BufRead> LinePrompter<R> {
    pub fn new(input: R, source: &str, echo: bool) -> LinePrompter<R> {
        LinePrompter { input, source: source.to_string(), line: 0, echo }
    }

    /// The next answer line (comments skipped), or `None` at the end.
    fn next_line(&mut self) -> anyhow::Result<Option<String>> {
        loop {
            let mut buf = String::new();
            let n = self
                .input
                .read_line(&mut buf)
                .with_context(|| format!("cannot read the answers from {}", self.source))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let text = buf.trim_end_matches(['\n', '\r']);
            if text.trim_start().starts_with('#') {
                continue;
            }
            return Ok(Some(text.to_string()));
        }
    }
}

impl<R: BufRead> Prompter for LinePrompter<R> {
    fn ask(&mut self, q: &Question) -> anyhow::Result<Answer> {
        if self.echo {
            for note in &q.notes {
                eprintln!("{note}");
            }
            eprintln!("? {}", q.prompt);
            if let QuestionKind::Select { options, .. } | QuestionKind::MultiSelect { options, .. } = &q.kind
            {
                for (i, o) in options.iter().enumerate() {
                    eprintln!("  {:>2}. {}", i + 1, o.label);
                }
            }
        }
        let Some(line) = self.next_line()? else {
            return Err(anyhow::Error::new(EndOfAnswers { line: self.line }))
                .with_context(|| format!("no answer in {} to `{}`", self.source, q.prompt));
        };
        match q.parse(&line) {
            Ok(a) => {
                if self.echo {
                    eprintln!("> {}", line.trim());
                }
                Ok(a)
            }
            Err(e) => bail!("{} line {}: {e} (question: `{}`)", self.source, self.line, q.prompt),
        }
    }

    fn refused(&mut self, q: &Question, message: &str) -> anyhow::Result<()> {
        bail!("{} line {}: {message} (question: `{}`)", self.source, self.line, q.prompt)
    }
}
