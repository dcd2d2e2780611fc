//! Step summaries: every step that changes something (pack, import, run,
//! match, learn, review --apply, complete, undo) ends with a few lines that
//! say what it did, as counts (created, updated, merged, rejected, values
//! dropped …), and where its reports are.
//!
//! A summary is talk: it goes to stderr, not under `--quiet`, and not under
//! `--json`, where the same facts are fields of the JSON object.

use crate::printer::{Printer, number};
use crate::table::Table;

/// What a step did.
pub struct Summary {
    head: String,
    counts: Vec<[String; 3]>,
    lines: Vec<String>,
}

impl Summary {
    /// A summary under its first line (`job 1 completed`).
    pub fn new(head: impl Into<String>) -> Summary {
        Summary { head: head.into(), counts: Vec::new(), lines: Vec::new() }
    }

    /// A count: `created  27`.
    pub fn count(&mut self, label: &str, n: u64) -> &mut Summary {
        self.count_with(label, n, "")
    }

    /// A count with a note after it: `rejected  2  (ferry errors 1)`.
    pub fn count_with(&mut self, label: &str, n: u64, note: impl Into<String>) -> &mut Summary {
        self.counts.push([label.to_string(), number(n), note.into()]);
        self
    }

    /// A line under the counts (where a report is, what was written).
    pub fn line(&mut self, text: impl Into<String>) -> &mut Summary {
        self.lines.push(text.into());
        self
    }

    /// The summary's lines.
    pub fn lines(self) -> Vec<String> {
        let mut t = Table::plain().indent(2).right(&[1]);
        for row in &self.counts {
            t.row(row);
        }
        let mut out = vec![self.head];
        out.extend(t.lines());
        out.extend(self.lines.into_iter().map(|l| format!("  {l}")));
        out
    }

    /// Prints it on stderr (neither under `--quiet` nor under `--json`).
    pub fn print(self, printer: &Printer) {
        if printer.json {
            return;
        }
        for line in self.lines() {
            printer.info(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_line_up_under_the_head_and_lines_follow() {
        let mut s = Summary::new("job 1 completed");
        s.count("created", 1234).count_with("rejected", 2, "`ferry errors 1`").line("reports: here");
        assert_eq!(
            s.lines(),
            vec![
                "job 1 completed",
                "  created   1,234",
                "  rejected      2  `ferry errors 1`",
                "  reports: here"
            ]
        );
    }
}
