//! The printer: quiet, progress, colour and JSON decided once.
//!
//! stdout is data, stderr is talk. With `--json`, stdout holds only JSON.
//! Progress bars appear only on a terminal and never with `--quiet`.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{ColorChoice, GlobalArgs};

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
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
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

    /// Prints an error as `error:` / `caused by:` / `hint:` lines.
    pub fn error(&self, err: &anyhow::Error) {
        let mut hint = None;
        let mut lines = Vec::new();
        for cause in err.chain() {
            // A hinted error displays as the error it wraps: keep its text too.
            if let Some(h) = cause.downcast_ref::<crate::Hinted>() {
                hint.get_or_insert_with(|| h.hint.clone());
            }
            if cause.downcast_ref::<ferry_runner::Error>().is_some_and(ferry_runner::Error::is_busy) {
                hint.get_or_insert_with(|| {
                    "another ferry is writing to the store (a large import holds it until it commits); run this again when it has finished".to_string()
                });
            }
            let text = cause.to_string();
            if lines.last() != Some(&text) && !lines.iter().any(|l: &String| l.contains(&text)) {
                lines.push(text);
            }
        }
        let mut lines = lines.into_iter();
        if let Some(first) = lines.next() {
            eprintln!("{}: {first}", self.paint("error", console::Style::new().red().bold()));
        }
        for rest in lines {
            eprintln!("  {}: {rest}", self.paint("caused by", console::Style::new().red()));
        }
        if let Some(h) = hint {
            eprintln!("{}: {h}", self.paint("hint", console::Style::new().cyan().bold()));
        }
    }

    /// Applies a style when colour is on.
    pub fn paint(&self, text: &str, style: console::Style) -> String {
        if self.color { style.apply_to(text).to_string() } else { text.to_string() }
    }

    /// A progress bar of `len` steps, hidden off a terminal and with `--quiet`.
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} ({eta})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A spinner for work of unknown length, hidden off a terminal and with `--quiet`.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}
