//! The one table helper: every table the binary prints (jobs, staged, review
//! lists, targets, profile, inspect, learn's m/u table, step summaries) is
//! laid out here by comfy-table, without borders: columns two spaces apart,
//! numbers right-aligned, no trailing blanks.

use comfy_table::{CellAlignment, ContentArrangement, presets};

/// The longest cell a table of values shows ([`Table::cut`]; never in its
/// last column); longer values end in `…`.
pub const CELL_MAX: usize = 40;

/// A borderless table with a header row.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
    indent: usize,
    cut: bool,
}

impl Table {
    /// A table with these column titles.
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> Table {
        let header = header.into_iter().map(|h| h.as_ref().to_string()).collect();
        Table { header, rows: Vec::new(), right: Vec::new(), indent: 0, cut: false }
    }

    /// A table without a header row (label/value summaries).
    pub fn plain() -> Table {
        Table::new(std::iter::empty::<&str>())
    }

    /// Right-aligns these columns (0-based): counts, scores, sizes.
    pub fn right(mut self, columns: &[usize]) -> Table {
        self.right.extend_from_slice(columns);
        self
    }

    /// Cuts cells longer than [`CELL_MAX`] (a table of record values), but in the last column.
    pub fn cut(mut self) -> Table {
        self.cut = true;
        self
    }

    /// Indents every line by `n` spaces (a table under a heading line).
    pub fn indent(mut self, n: usize) -> Table {
        self.indent = n;
        self
    }

    /// Adds a row.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Table {
        self.rows.push(cells.into_iter().map(|c| c.as_ref().to_string()).collect());
        self
    }

    /// The table's lines, without trailing blanks: line breaks in cells become
    /// spaces, and with [`Table::cut`] long cells are cut.
    pub fn lines(self) -> Vec<String> {
        let count = self.rows.iter().map(Vec::len).chain([self.header.len()]).max().unwrap_or(0);
        let cut = |row: Vec<String>| -> Vec<String> {
            row.into_iter().enumerate().map(|(i, c)| fit(&c, self.cut && i + 1 < count)).collect()
        };
        let mut inner = comfy_table::Table::new();
        inner.load_style(presets::NOTHING).set_content_arrangement(ContentArrangement::Disabled);
        if self.header.iter().any(|t| !t.is_empty()) {
            inner.set_header(cut(self.header));
        }
        for row in self.rows {
            inner.add_row(cut(row));
        }
        for i in 0..count {
            if let Some(c) = inner.column_mut(i) {
                // Two spaces between columns: none before the first, two after each.
                c.set_padding((0, if i + 1 == count { 0 } else { 2 }));
                if self.right.contains(&i) {
                    c.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
        let pad = " ".repeat(self.indent);
        inner.lines().map(|l| format!("{pad}{}", l.trim_end())).collect()
    }
}

/// One line; at most [`CELL_MAX`] characters when `cut`. Line breaks and
/// tabs become spaces, and other control characters are shown escaped
/// (`\u{1b}`): a legacy value must not move the cursor or recolour the
/// terminal.
fn fit(text: &str, cut: bool) -> String {
    let one_line = crate::printer::visible(&text.replace(['\r', '\n', '\t'], " ")).into_owned();
    if cut && one_line.chars().count() > CELL_MAX {
        one_line.chars().take(CELL_MAX - 1).chain(['…']).collect()
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_numbers_align_right_and_long_cells_are_cut() {
        let mut t = Table::new(["name", "rows"]).right(&[1]).cut();
        t.row(["contacts.csv", "30"]).row(["a", "1,234"]);
        t.row(["x".repeat(50).as_str(), "7"]);
        let mut last = Table::new(["a", "why"]).cut();
        last.row(["b", "y".repeat(50).as_str()]);
        assert_eq!(last.lines()[1], format!("b  {}", "y".repeat(50)), "the last column is never cut");
        let lines = t.lines();
        assert_eq!(lines[0], format!("{:<40}   rows", "name"));
        assert_eq!(lines[1], format!("{:<40}     30", "contacts.csv"));
        assert_eq!(lines[2], format!("{:<40}  1,234", "a"));
        assert_eq!(lines[3], format!("{}…      7", "x".repeat(39)));
    }

    #[test]
    fn control_characters_in_cells_are_shown_escaped_and_breaks_as_spaces() {
        let mut t = Table::new(["value"]);
        t.row(["\u{1b}[31mred\tcell\r\nnext\u{7}"]);
        assert_eq!(t.lines()[1], "\\u{1b}[31mred cell  next\\u{7}");
    }

    #[test]
    fn a_plain_table_has_no_header_and_an_indent() {
        let mut t = Table::plain().indent(2).right(&[1]);
        t.row(["created", "27"]).row(["merged", "3"]);
        assert_eq!(t.lines(), vec!["  created  27", "  merged    3"]);
    }
}
