//! CSV rows with fewer fields than the header, as real exports write them,
//! read without ever shifting or blending values.
//!
//! - **A row split by a line break inside an unquoted value** (an address
//!   typed on two lines, exported without quotes): when the break is *bare*
//!   (a line end other than the one the file's rows end in: an LF inside a
//!   CRLF file, as Excel and Outlook write a line typed in a cell) and the
//!   pieces up to the next true row end have exactly the header's field count
//!   together, they are rejoined into one row, the value keeping its line
//!   break, with a warning naming the lines. A bare break that cannot be
//!   rejoined so rejects its row, and a short row after it.
//! - **Two short rows that would make one row together, with no bare break
//!   between them**, cannot be told from two rows that lack fields: both are
//!   rejected, naming both lines and what to do.
//! - **Any other short row** is an export that leaves out trailing empty
//!   fields: kept, its missing trailing fields read as empty, with a warning
//!   naming them.
//!
//! - **A report's footer** (`Total records: 2`): one value on the file's last
//!   line, below a blank line after a whole row, is skipped with a warning.
//!
//! Rows with more fields than the header are left to the converter (empty
//! extra fields, a trailing delimiter, are kept; others are an error).

use std::collections::VecDeque;
use std::path::PathBuf;

use super::{BadRow, Row, RowFault, Warnings};
use crate::Error;
use crate::problem::ProblemKind;

/// How a physical line (and so a record) ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Break {
    Crlf,
    Lf,
    Cr,
    /// The end of the file.
    End,
}

impl Break {
    fn name(self) -> &'static str {
        match self {
            Break::Crlf => "CRLF",
            Break::Lf => "LF",
            Break::Cr => "CR",
            Break::End => "the end of the file",
        }
    }
}

/// One record as read, and how its last line ended.
pub(super) struct Piece {
    pub row: Result<Row, Error>,
    pub end: Break,
}

/// A source of records, one physical record at a time.
pub(super) trait RawRows {
    fn raw(&mut self) -> Option<Piece>;
}

/// At most this many lines are rejoined into one row.
const MAX_PIECES: usize = 8;

/// The row stream over a [`RawRows`]; see the module documentation.
pub(super) struct Ragged<R> {
    inner: R,
    path: PathBuf,
    headers: Vec<String>,
    /// How the file's rows end: as its first line (the header) does.
    rows_end: Break,
    /// The line ends rows end with: the header's, and any a row of all the
    /// header's fields (or more) ends with as read (a file whose rows end
    /// in CRLF and LF alike has no bare line break).
    row_ends: Vec<Break>,
    /// Whether the row just made was rejoined from pieces.
    joined: bool,
    ahead: VecDeque<Piece>,
    /// A short row still to come that is rejected for the row before it: its line and why.
    reject: Option<(u64, String)>,
    /// The line of the row just read, when it had all the header's fields.
    last_full: Option<u64>,
    warnings: Warnings,
}

impl<R: RawRows> Ragged<R> {
    pub(super) fn new(
        inner: R,
        path: PathBuf,
        headers: Vec<String>,
        rows_end: Break,
        warnings: Warnings,
    ) -> Self {
        Ragged {
            inner,
            path,
            headers,
            rows_end,
            row_ends: vec![rows_end],
            joined: false,
            ahead: VecDeque::new(),
            reject: None,
            last_full: None,
            warnings,
        }
    }

    /// A line end that is not the file's row end.
    fn bare(&self, end: Break) -> bool {
        end != Break::End && !self.row_ends.contains(&end)
    }

    /// `end` ends a whole row as read: it is a row end of the file.
    fn row_end(&mut self, end: Break) {
        if !self.row_ends.contains(&end) {
            self.row_ends.push(end);
        }
    }

    /// Makes `ahead` hold `n` pieces, if the file has them.
    fn fill(&mut self, n: usize) -> bool {
        while self.ahead.len() < n {
            match self.inner.raw() {
                Some(piece) => self.ahead.push_back(piece),
                None => return false,
            }
        }
        true
    }

    fn bad(&self, row: Row, message: String) -> Error {
        Error::BadRow(Box::new(BadRow {
            path: self.path.clone(),
            line: row.line,
            kind: ProblemKind::RaggedRow,
            faults: vec![RowFault { line: row.line, column: None, message }],
            cells: row.cells,
        }))
    }

    /// The short row at `index` of `ahead`, with its field count, if it is one.
    fn short_ahead(&self, index: usize) -> Option<(u64, usize, Break)> {
        let piece = self.ahead.get(index)?;
        let row = piece.row.as_ref().ok()?;
        (row.cells.len() < self.headers.len()).then_some((row.line, row.cells.len(), piece.end))
    }

    /// How many pieces after `row` (ended by a bare `end`) make one row with
    /// it: the pieces up to the first that ends as rows do, when their fields
    /// add up to the header's.
    fn split_pieces(&mut self, fields: usize, mut end: Break) -> Option<usize> {
        let width = self.headers.len();
        let mut count = fields;
        let mut k = 0;
        while self.bare(end) {
            if k + 1 >= MAX_PIECES || !self.fill(k + 1) {
                return None;
            }
            let (_, n, next_end) = self.short_ahead(k)?;
            count += n - 1;
            k += 1;
            end = next_end;
            // Past the last column only empty fields of the last piece (a
            // trailing delimiter), as for any row.
            if count > width && (self.bare(end) || !self.empty_tail(k - 1, count - width)) {
                return None;
            }
        }
        (count >= width).then_some(k)
    }

    /// Whether the last `n` fields of the piece at `index` of `ahead`, its
    /// first field aside, are empty.
    fn empty_tail(&self, index: usize, n: usize) -> bool {
        let Some(Ok(row)) = self.ahead.get(index).map(|p| p.row.as_ref()) else { return false };
        n < row.cells.len() && row.cells[row.cells.len() - n..].iter().all(|c| c.trim().is_empty())
    }

    /// A row of at most the header's fields: rejoined with the lines after
    /// it, rejected, padded or as it is.
    fn fit(&mut self, row: Row, end: Break) -> Result<Row, Error> {
        let width = self.headers.len();
        let fields = row.cells.len();
        if self.bare(end) {
            if let Some(k) = self.split_pieces(fields, end) {
                return Ok(self.rejoin(row, k));
            }
            if fields == width {
                return Ok(row);
            }
            if let Some((next, _, _)) = self.fill(1).then(|| self.short_ahead(0)).flatten() {
                self.reject = Some((
                    next,
                    format!(
                        "line {} before it ends in a bare {} inside a row (the file's rows end in {}) and cannot be rejoined with it: this line may be the rest of that row; put the value with the line break in quotes (`\"…\"`) or remove the break, and run again",
                        row.line,
                        end.name(),
                        self.rows_end.name()
                    ),
                ));
            }
            let message = format!(
                "the row has {fields} of the header's {width} fields and ends in a bare {} (the file's rows end in {}), a line break inside an unquoted value, but the lines after it do not complete it to {width} fields: put the value with the line break in quotes (`\"…\"`) or remove the break, and run again",
                end.name(),
                self.rows_end.name()
            );
            return Err(self.bad(row, message));
        }
        if fields == width {
            return Ok(row);
        }
        if fields == 1
            && let Some(full) = self.last_full
        {
            // The rest of the last value of the full row before, or a row of one field?
            let column = self.headers.last().map_or("", String::as_str);
            self.warnings.push(
                ProblemKind::RaggedRow,
                RowFault {
                    line: full,
                    column: Some(column.to_string()),
                    message: format!(
                        "line {} after this row holds one field, which may be the rest of this row's last value split by a line break; this row is read as it stands",
                        row.line
                    ),
                },
            );
            let message = format!(
                "the row has 1 of the header's {width} fields, after line {full} with all {width}: it may be the rest of that row's last value (`{column}`) split by a line break inside an unquoted value, or a row short of fields, and that cannot be told, so it is not read: put the value with the line break in quotes (`\"…\"`), or complete the row, and run again"
            );
            return Err(self.bad(row, message));
        }
        if self.fill(1)
            && let Some((next, n, _)) = self.short_ahead(0)
            && fields + n - 1 == width
        {
            let both = format!(
                "lines {} and {next} have {fields} and {n} of the header's {width} fields, {width} together if a line break inside an unquoted value split one row; that cannot be told from two rows (the second short of fields), so neither is read: put the value with the line break in quotes (`\"…\"`), or complete the rows, and run again",
                row.line
            );
            self.reject = Some((next, both.clone()));
            return Err(self.bad(row, both));
        }
        let missing: Vec<String> = self.headers[fields..].iter().map(|h| format!("`{h}`")).collect();
        self.warnings.push(
            ProblemKind::RaggedRow,
            RowFault {
                line: row.line,
                column: None,
                message: format!(
                    "the row has {fields} of the header's {width} fields: {} {} read as empty (exports that leave out trailing empty fields write such rows); if a value is missing before them instead, the values after it are in the wrong columns: fix the line",
                    missing.join(", "),
                    if missing.len() == 1 { "is" } else { "are" }
                ),
            },
        );
        let mut row = row;
        row.cells.resize(width, String::new());
        Ok(row)
    }

    /// A row at `line` of `fields` fields ending in `end` is rejected: the
    /// short row after it is rejected too when it may be that row's rest (the
    /// row ends in a bare break, or their fields would make one row), so that
    /// no piece of a row is read as a row of its own.
    fn follows_rejected(&mut self, line: u64, fields: usize, end: Break) {
        let width = self.headers.len();
        if width < 2 || !self.fill(1) {
            return;
        }
        let Some((next, n, _)) = self.short_ahead(0) else { return };
        if self.bare(end) || fields + n - 1 == width {
            self.reject = Some((
                next,
                format!(
                    "line {line} before it is rejected and this line may be the rest of that row (split by a line break inside an unquoted value), so it is not read either: fix line {line}, and put a value with a line break in quotes (`\"…\"`)"
                ),
            ));
        }
    }

    /// `row` and the next `k` pieces as one row, each break kept in its value.
    fn rejoin(&mut self, mut row: Row, k: usize) -> Row {
        self.joined = true;
        let first = row.line;
        let mut last = first;
        let mut columns = Vec::new();
        for piece in self.ahead.drain(..k) {
            let Ok(next) = piece.row else { continue };
            last = next.line;
            let mut cells = next.cells.into_iter();
            let column = format!(
                "`{}`",
                self.headers.get(row.cells.len().saturating_sub(1)).map_or("", String::as_str)
            );
            if let (Some(tail), Some(head)) = (row.cells.last_mut(), cells.next()) {
                if !columns.contains(&column) {
                    columns.push(column);
                }
                tail.push('\n');
                tail.push_str(&head);
            }
            row.cells.extend(cells);
        }
        let lines =
            if k == 1 { format!("lines {first} and {last}") } else { format!("lines {first} to {last}") };
        self.warnings.push(
            ProblemKind::RaggedRow,
            RowFault {
                line: first,
                column: None,
                message: format!(
                    "{lines} are one row split by a bare line break inside the unquoted value of {} (the file's rows end in {}): read as one row, the value keeping its line break",
                    columns.join(", "),
                    self.rows_end.name()
                ),
            },
        );
        row
    }
}

impl<R: RawRows> Iterator for Ragged<R> {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let Piece { row, end } = match self.ahead.pop_front() {
            Some(piece) => piece,
            None => self.inner.raw()?,
        };
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                self.last_full = None;
                if let Error::BadRow(bad) = &e {
                    self.follows_rejected(bad.line, bad.cells.len(), end);
                }
                return Some(Err(e));
            }
        };
        if let Some((line, why)) = self.reject.take() {
            if line == row.line {
                self.last_full = None;
                self.follows_rejected(row.line, row.cells.len(), end);
                return Some(Err(self.bad(row, why)));
            }
            self.reject = Some((line, why));
        }
        // A report's footer (`Total records: 2`): one value on the file's last
        // line, a blank line below the last row, so it is no piece of a row.
        if row.cells.len() == 1
            && self.headers.len() >= 2
            && self.last_full.is_some_and(|full| row.line > full + 1)
            && !self.fill(1)
        {
            let value = row.cells[0].trim();
            let message = format!(
                "`{value}` is the only value of the file's last line, below a blank line after the rows: read as a footer, and skipped"
            );
            self.warnings.push(ProblemKind::RaggedRow, RowFault { line: row.line, column: None, message });
            return None;
        }
        if self.headers.len() < 2 || row.cells.len() > self.headers.len() {
            self.last_full = None;
            self.row_end(end);
            return Some(Ok(row));
        }
        let whole = row.cells.len() == self.headers.len();
        self.joined = false;
        let fitted = self.fit(row, end);
        if whole && fitted.is_ok() && !self.joined {
            self.row_end(end);
        }
        self.last_full = match &fitted {
            Ok(row)
                if row.cells.len() == self.headers.len() && !row.cells.iter().any(|c| c.contains('\n')) =>
            {
                Some(row.line)
            }
            _ => None,
        };
        Some(fitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lines(VecDeque<Piece>);

    impl RawRows for Lines {
        fn raw(&mut self) -> Option<Piece> {
            self.0.pop_front()
        }
    }

    /// Rows of `text` split at `,`; `|` ends a line with a bare LF, `;` with CRLF.
    fn read(text: &str) -> (Vec<Result<Row, String>>, Vec<RowFault>) {
        let mut pieces = VecDeque::new();
        let mut line = 2;
        let mut rest = text;
        while let Some(at) = rest.find(['|', ';']) {
            let end = if rest.as_bytes()[at] == b'|' { Break::Lf } else { Break::Crlf };
            let cells = rest[..at].split(',').map(str::to_string).collect();
            pieces.push_back(Piece { row: Ok(Row { line, cells }), end });
            line += 1;
            rest = &rest[at + 1..];
        }
        let headers = ["a", "b", "c", "d"].map(String::from).to_vec();
        let warnings = Warnings::default();
        let ragged = Ragged::new(Lines(pieces), "f.csv".into(), headers, Break::Crlf, warnings.clone());
        let rows = ragged
            .map(|r| {
                r.map_err(|e| match e {
                    Error::BadRow(b) => format!("{}: {}", b.line, b.faults[0].message),
                    e => e.to_string(),
                })
            })
            .collect();
        (rows, warnings.take().into_iter().map(|(_, f)| f).collect())
    }

    #[test]
    fn a_row_split_by_a_bare_break_is_rejoined() {
        let (rows, warnings) = read("1,x,12 Main|Apt 4,z;2,y,q,r;");
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.cells, ["1", "x", "12 Main\nApt 4", "z"]);
        assert_eq!(row.line, 2);
        assert_eq!(rows[1].as_ref().unwrap().line, 4);
        assert!(warnings[0].message.starts_with("lines 2 and 3 are one row"), "{:?}", warnings[0]);
        assert!(warnings[0].message.contains("`c`"), "{:?}", warnings[0]);
        // Three lines.
        let (rows, warnings) = read("1,a|b|c,d,e;");
        assert_eq!(rows[0].as_ref().unwrap().cells, ["1", "a\nb\nc", "d", "e"]);
        assert!(warnings[0].message.starts_with("lines 2 to 4 are one row"), "{:?}", warnings[0]);
        // And a trailing delimiter after the row's last piece.
        let (rows, _) = read("1,x,12 Main|Apt 4,z,;2,y,q,r;");
        assert_eq!(rows[0].as_ref().unwrap().cells, ["1", "x", "12 Main\nApt 4", "z", ""]);
        let (rows, _) = read("1,x,12 Main|Apt 4,z,w;2,y,q,r;");
        assert!(rows[0].is_err(), "a value past the last column: {rows:?}");
        // A break in the last value: the first line has all its fields.
        let (rows, _) = read("1,x,y,note|more;2,a,b,c;");
        assert_eq!(rows[0].as_ref().unwrap().cells, ["1", "x", "y", "note\nmore"]);
        assert_eq!(rows[1].as_ref().unwrap().line, 4);
    }

    #[test]
    fn short_rows_without_a_bare_break_are_padded_unless_they_would_make_a_row() {
        let (rows, warnings) = read("1,x;2,y,z,w;");
        assert_eq!(rows[0].as_ref().unwrap().cells, ["1", "x", "", ""]);
        assert!(warnings[0].message.contains("`c`, `d` are read as empty"), "{:?}", warnings[0]);
        let (rows, _) = read("1,x,y;z,w;3,a,b,c;");
        assert!(rows[0].as_ref().unwrap_err().starts_with("2: lines 2 and 3 have 3 and 2"), "{rows:?}");
        assert!(rows[1].as_ref().unwrap_err().starts_with("3: lines 2 and 3"), "{rows:?}");
        assert_eq!(rows[2].as_ref().unwrap().line, 4);
        // A line of one field after a full row: the rest of its last value, or a row?
        let (rows, warnings) = read("1,x,y,note;more;2,a,b,c;");
        assert_eq!(rows[0].as_ref().unwrap().cells, ["1", "x", "y", "note"]);
        assert!(
            rows[1]
                .as_ref()
                .unwrap_err()
                .starts_with("3: the row has 1 of the header's 4 fields, after line 2"),
            "{rows:?}"
        );
        assert_eq!(rows[2].as_ref().unwrap().line, 4);
        assert_eq!((warnings[0].line, warnings[0].column.as_deref()), (2, Some("d")), "{warnings:?}");
    }

    #[test]
    fn a_file_whose_rows_end_in_crlf_and_lf_alike_has_no_bare_break() {
        // Line 3 is a whole row ending in LF: LF ends rows too, so line 4 is
        // padded, not taken for the piece of a split.
        let (rows, warnings) = read("1,a,b,c;2,a,b,c|3,x|4,y,z,w;");
        assert_eq!(rows[2].as_ref().unwrap().cells, ["3", "x", "", ""]);
        assert!(warnings[0].message.contains("read as empty"), "{warnings:?}");
    }

    #[test]
    fn a_bare_break_that_does_not_complete_a_row_rejects_it_and_a_short_row_after_it() {
        let (rows, _) = read("1,x|y;3,a,b,c;");
        assert!(rows[0].as_ref().unwrap_err().contains("ends in a bare LF"), "{rows:?}");
        assert!(rows[1].as_ref().unwrap_err().starts_with("3: line 2 before it"), "{rows:?}");
        assert_eq!(rows[2].as_ref().unwrap().line, 4);
    }
}
