//! The printer: quiet, progress, colour and JSON decided once.
//!
//! stdout is data, stderr is talk. With `--json`, stdout holds only JSON.
//! Progress bars appear only on a terminal and never with `--quiet`.

use std::io::{IsTerminal, Write};

use crate::bar::Bar;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::failure::Failure;

/// Decides once how ferry talks.
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    color: bool,
    progress: bool,
}

impl Printer {
    pub fn new(global: &GlobalArgs) -> Printer {
        let stderr_tty = std::io::stderr().is_terminal();
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        };
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
        Printer { json: global.json, quiet: global.quiet, color, progress: stderr_tty && !global.quiet }
    }

    /// Writes data to stdout (a line of text).
    pub fn out(&self, line: impl std::fmt::Display) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        Ok(())
    }

    /// Writes a JSON document to stdout.
    pub fn json(&self, value: &impl serde::Serialize) -> anyhow::Result<()> {
        // Serialised first, so that a closed stdout is an `io::Error` (a broken pipe, exit 0).
        let mut bytes = serde_json::to_vec_pretty(value)?;
        bytes.push(b'\n');
        std::io::stdout().lock().write_all(&bytes)?;
        Ok(())
    }

    /// Writes bytes to stdout as they are (a generated script, a CSV).
    pub fn raw(&self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()?;
        Ok(())
    }

    /// Writes a table to stdout, a line at a time.
    pub fn table(&self, table: crate::table::Table) -> anyhow::Result<()> {
        for line in table.lines() {
            self.out(line)?;
        }
        Ok(())
    }

    /// Talk on stderr, unless `--quiet`.
    pub fn info(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A warning on stderr (shown even with `--quiet`).
    pub fn warn(&self, line: impl std::fmt::Display) {
        eprintln!("{}: {line}", self.paint("warning", console::Style::new().yellow().bold()));
    }

    /// An `error:` line on stderr (shown even with `--quiet`), for an error
    /// told in several lines ([`Printer::detail`], [`Printer::hint_line`]).
    pub fn error_line(&self, line: impl std::fmt::Display) {
        eprintln!("{}: {line}", self.paint("error", console::Style::new().red().bold()));
    }

    /// An indented line under an `error:` or `warning:` line.
    pub fn detail(&self, line: impl std::fmt::Display) {
        eprintln!("  {line}");
    }

    /// A `hint:` line: what to do.
    pub fn hint_line(&self, line: impl std::fmt::Display) {
        eprintln!("{}: {line}", self.paint("hint", console::Style::new().cyan().bold()));
    }

    /// Prints an error as `error:` / `caused by:` / `hint:` lines on stderr.
    pub fn error(&self, err: &anyhow::Error) {
        self.failure(&Failure::of(err));
    }

    /// Prints a failure as `error:` / `caused by:` / `hint:` lines on stderr.
    pub fn failure(&self, failure: &Failure) {
        let mut lines = failure.lines.iter();
        if let Some(first) = lines.next() {
            eprintln!("{}: {first}", self.paint("error", console::Style::new().red().bold()));
        }
        for rest in lines {
            eprintln!("  {}: {rest}", self.paint("caused by", console::Style::new().red()));
        }
        if let Some(h) = &failure.hint {
            eprintln!("{}: {h}", self.paint("hint", console::Style::new().cyan().bold()));
        }
    }

    /// Applies a style when colour is on.
    pub fn paint(&self, text: &str, style: console::Style) -> String {
        if self.color { style.apply_to(text).to_string() } else { text.to_string() }
    }

    /// A progress bar counting `unit`s, of `total` when known: hidden off a
    /// terminal and with `--quiet`.
    pub fn bar(&self, message: &str, unit: &str, total: Option<u64>) -> Bar {
        if self.progress { Bar::new(message, unit, total) } else { Bar::hidden() }
    }

    /// Whether progress bars are drawn (work done only for a bar can be skipped).
    pub fn draws_progress(&self) -> bool {
        self.progress
    }

    /// A spinner for work of unknown length, hidden off a terminal and with `--quiet`.
    pub fn spinner(&self, message: &str) -> Bar {
        self.bar(message, "", None)
    }
}

/// A number, thousands grouped: `12,345`.
pub fn number(n: u64) -> String {
    indicatif::HumanCount(n).to_string()
}

/// A count with its unit, thousands grouped: `1 row`, `12,345 rows`.
pub fn count(n: u64, unit: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{}{}{unit}{s}", indicatif::HumanCount(n), if unit.is_empty() { "" } else { " " })
}

/// A size in binary units, one decimal at most: `512 B`, `4.6 MiB`, `10 MiB`.
pub fn bytes(n: u64) -> String {
    let text = indicatif::HumanBytes(n).to_string();
    // indicatif writes two decimals (`4.60 MiB`); one is enough, none when whole.
    match text.split_once(' ') {
        Some((number, unit)) if number.contains('.') => {
            let rounded = number.parse::<f64>().map_or_else(|_| number.to_string(), |v| format!("{v:.1}"));
            format!("{} {unit}", rounded.trim_end_matches(".0"))
        }
        _ => text,
    }
}

/// A size against its cap: `4.6 MiB (46 % of 10 MiB)`.
pub fn share(size: u64, cap: u64) -> String {
    let percent = if cap == 0 { 0.0 } else { size as f64 * 100.0 / cap as f64 };
    format!("{} ({percent:.0} % of {})", bytes(size), bytes(cap))
}

/// `text` with its control characters other than line breaks and tabs
/// shown escaped (`\u{1b}`), for printing legacy values on a terminal: an
/// escape sequence in an export must not move the cursor or recolour it.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && !matches!(c, '\n' | '\t');
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if hidden(c) { c.escape_unicode().to_string() } else { c.to_string() })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_and_sizes_humanised() {
        assert_eq!(count(1, "row"), "1 row");
        assert_eq!(count(0, "row"), "0 rows");
        assert_eq!(count(1_234_567, "record"), "1,234,567 records");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(bytes(4_823_449), "4.6 MiB");
        assert_eq!(share(4_823_449, 10 * 1024 * 1024), "4.6 MiB (46 % of 10 MiB)");
        assert_eq!(share(1, 0), "1 B (0 % of 0 B)");
    }
}
