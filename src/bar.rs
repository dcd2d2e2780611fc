//! Progress bars, drawn by indicatif on stderr when it is a terminal (never
//! with `--quiet`). A bar counts labelled units (`rows`, `blocking passes`);
//! with a known total it shows the bar, the count of the total and an ETA, without one
//! (or with a total of 0) a spinner with the running count and the time spent.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of labelled units.
pub struct Bar {
    bar: ProgressBar,
    /// Whether it counts units (it has a unit); a spinner without one shows the time only.
    counts: AtomicBool,
}

impl Bar {
    /// A bar that draws nothing (off a terminal, under `--quiet`).
    pub fn hidden() -> Bar {
        Bar { bar: ProgressBar::hidden(), counts: AtomicBool::new(false) }
    }

    /// A drawn bar: `message`, counting `unit`s, of `total` when known.
    pub fn new(message: &str, unit: &str, total: Option<u64>) -> Bar {
        let counts = !unit.is_empty();
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden())
            .with_style(style(None, counts))
            .with_prefix(unit.to_string())
            .with_message(message.to_string());
        bar.set_draw_target(ProgressDrawTarget::stderr());
        let shown = Bar { bar, counts: AtomicBool::new(counts) };
        shown.set_total(total);
        shown.bar.enable_steady_tick(Duration::from_millis(120));
        shown
    }

    /// Sets the total (a bar with an ETA) or forgets it (a spinner with a
    /// count); a total of 0 is no total, so a bar is never full at `0/0`.
    /// The bar is drawn at once, so that even a short step shows its total.
    pub fn set_total(&self, total: Option<u64>) {
        let total = total.filter(|&t| t > 0);
        if let Some(t) = total {
            self.bar.set_length(t);
        }
        self.bar.set_style(style(total, self.counts.load(Ordering::Relaxed)));
        self.bar.force_draw();
    }

    /// What the bar is doing now (`staging contacts.csv`).
    pub fn set_message(&self, message: impl Into<String>) {
        self.bar.set_message(message.into());
    }

    /// What the bar counts from now on (`pairs`; `""`: nothing); takes effect
    /// with the next [`Bar::set_total`].
    pub fn set_unit(&self, unit: &str) {
        self.counts.store(!unit.is_empty(), Ordering::Relaxed);
        self.bar.set_prefix(unit.to_string());
    }

    /// Units done so far.
    pub fn set_position(&self, done: u64) {
        self.bar.set_position(done);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar's look: with a total, the bar, the count and an ETA; without one,
/// a spinner with the count (when it counts units) and the time spent.
fn style(total: Option<u64>, counts: bool) -> ProgressStyle {
    let template = match (total, counts) {
        (Some(_), _) => "{spinner} {msg} [{bar:20}] {human_pos}/{human_len} {prefix} (ETA {eta})",
        (None, true) => "{spinner} {msg}: {human_pos} {prefix} ({elapsed})",
        (None, false) => "{spinner} {msg} ({elapsed})",
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
}

impl Drop for Bar {
    fn drop(&mut self) {
        if !self.bar.is_finished() {
            self.bar.finish_and_clear();
        }
    }
}
