//! Telling a quoted field that holds line breaks from a quote that is missing.
//!
//! csv-core reads leniently: a quote that never closes swallows every row up
//! to the next quote (or the end of the file), and text after a closing
//! quote is glued to the field. [`QuoteWatch`] follows the raw text of each
//! record beside csv-core and says when a record looks like such an accident:
//!
//! - a quoted field runs to the end of the file;
//! - a closing quote is followed by text other than a delimiter or line end;
//! - a quoted field holds a line that looks like a row of its own: at least
//!   as many delimiters as the header has (`columns - 1`, for files of
//!   [`ROW_LIKE_MIN_COLUMNS`] columns or more);
//! - a quoted field spans more than [`MAX_QUOTED_LINES`] lines.
//!
//! Real multi-line values (Outlook notes, addresses) hold a few line breaks
//! and prose, which has far fewer delimiters a line than a row of a wide
//! export; swallowed rows keep every delimiter of a row.
//!
//! The watch keeps the text after the first line break of the record's last
//! quoted field ([`QuoteFault::rest`]), so that when that field is the fault,
//! the lines it swallowed are read again as rows of their own: only the line
//! where the quote opened is lost.

use crate::problem::ProblemKind;

/// A quoted field spanning more lines than this is taken for a missing quote.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// Files with fewer columns do not get the row-like-line rule (prose with a
/// comma or two would look like a row).
pub const ROW_LIKE_MIN_COLUMNS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: a doubled quote or the closing one.
    QuoteInQuoted,
    /// Spaces or tabs after a closing quote (`"Ann"  ,`): dropped, as a
    /// hand-aligned export writes them.
    SpaceAfterQuote,
}

/// Follows one record's raw text; see the module documentation.
pub(super) struct QuoteWatch {
    delimiter: u8,
    /// Delimiters a line must hold to look like a row (`None`: rule off).
    row_like: Option<usize>,
    state: State,
    line: u64,
    /// Line where the current quoted field opened.
    opened: u64,
    /// Delimiters on the current line inside a quoted field.
    inner_delimiters: usize,
    inner_line: bool,
    fault: Option<QuoteFault>,
    /// The field being read (0-based) and the one where the quote opened.
    field: usize,
    open_field: usize,
    /// Whether `rest` is being filled: from the first line break inside the
    /// current quoted field (or the faulty one, once there is a fault).
    capturing: bool,
    rest: Vec<u8>,
    /// Fields (0-based) of the record whose closing quote spaces follow,
    /// with how many bytes of them: csv-core keeps those spaces in the
    /// value, the reader cuts them off.
    padded: Vec<(usize, usize)>,
}

/// What looks wrong with a record's quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QuoteFault {
    pub kind: ProblemKind,
    /// The line where the quote opened.
    pub line: u64,
    pub message: String,
    /// The field (0-based) where the quote opened.
    pub field: usize,
    /// The record's text after the line where the quote opened, when the
    /// quoted field runs past it: the lines it swallowed, to read again.
    pub rest: Vec<u8>,
}

impl QuoteWatch {
    pub(super) fn new(delimiter: u8) -> QuoteWatch {
        QuoteWatch {
            delimiter,
            row_like: None,
            state: State::FieldStart,
            line: 1,
            opened: 1,
            inner_delimiters: 0,
            inner_line: false,
            fault: None,
            field: 0,
            open_field: 0,
            capturing: false,
            rest: Vec::new(),
            padded: Vec::new(),
        }
    }

    /// Turns the row-like-line rule on for a file of `columns` columns.
    pub(super) fn set_columns(&mut self, columns: usize) {
        self.row_like = (columns >= ROW_LIKE_MIN_COLUMNS).then(|| columns - 1);
    }

    /// A record starts at `line`.
    pub(super) fn start(&mut self, line: u64) {
        self.state = State::FieldStart;
        self.line = line;
        self.fault = None;
        self.field = 0;
        self.capturing = false;
        self.rest.clear();
        self.padded.clear();
    }

    /// The fields of the record read so far whose closing quote spaces
    /// follow (their values end with those spaces, which are not data).
    pub(super) fn padded(&self) -> &[(usize, usize)] {
        &self.padded
    }

    /// The record's raw bytes, in order, as csv-core consumes them.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    fn byte(&mut self, b: u8) {
        let d = self.delimiter;
        if self.capturing {
            self.rest.push(b);
        }
        match self.state {
            State::FieldStart | State::Unquoted => {
                if b == b'"' && self.state == State::FieldStart {
                    self.state = State::Quoted;
                    if self.fault.is_none() {
                        self.opened = self.line;
                        self.open_field = self.field;
                        self.capturing = false;
                        self.rest.clear();
                    }
                    self.inner_line = false;
                } else if b == d || b == b'\n' || b == b'\r' {
                    self.state = State::FieldStart;
                    self.field += usize::from(b == d);
                } else {
                    self.state = State::Unquoted;
                }
            }
            State::Quoted => match b {
                b'"' => self.state = State::QuoteInQuoted,
                b'\n' => {
                    if !self.inner_line && self.fault.is_none() && self.opened == self.line {
                        self.capturing = true;
                    }
                    self.line += 1;
                    self.inner_line = true;
                    self.inner_delimiters = 0;
                    if self.line - self.opened >= MAX_QUOTED_LINES && self.fault.is_none() {
                        self.fault = Some(QuoteFault {
                            kind: ProblemKind::UnbalancedQuote,
                            line: self.opened,
                            field: self.open_field,
                            rest: Vec::new(),
                            message: format!(
                                "a quoted field opens on line {} and is still open {MAX_QUOTED_LINES} lines later: a closing quote is missing",
                                self.opened
                            ),
                        });
                    }
                }
                _ if b == d && self.inner_line => {
                    self.inner_delimiters += 1;
                    if self.row_like.is_some_and(|n| self.inner_delimiters == n) && self.fault.is_none() {
                        self.fault = Some(QuoteFault {
                            kind: ProblemKind::UnbalancedQuote,
                            line: self.opened,
                            field: self.open_field,
                            rest: Vec::new(),
                            message: format!(
                                "a quoted field opens on line {} and holds line {}, which looks like a row of its own ({} delimiters): a quote is missing on line {} (or one too many)",
                                self.opened, self.line, self.inner_delimiters, self.opened
                            ),
                        });
                    }
                }
                _ => {}
            },
            State::QuoteInQuoted | State::SpaceAfterQuote => {
                if b == b'"' && self.state == State::QuoteInQuoted {
                    self.state = State::Quoted;
                } else if b == d || b == b'\n' || b == b'\r' {
                    self.state = State::FieldStart;
                    self.field += usize::from(b == d);
                } else if b == b' ' || b == b'\t' {
                    match (self.state, self.padded.last_mut()) {
                        (State::SpaceAfterQuote, Some((_, n))) => *n += 1,
                        _ => self.padded.push((self.field, 1)),
                    }
                    self.state = State::SpaceAfterQuote;
                } else {
                    if self.fault.is_none() {
                        let closed = if self.line == self.opened {
                            format!("opens and closes on line {}", self.opened)
                        } else {
                            format!("opens on line {} and closes on line {}", self.opened, self.line)
                        };
                        self.fault = Some(QuoteFault {
                            kind: ProblemKind::UnbalancedQuote,
                            line: self.opened,
                            field: self.open_field,
                            rest: Vec::new(),
                            message: format!(
                                "a quoted field {closed}, and text follows its closing quote: a quote inside the field is not doubled (`\"\"`), or one is missing"
                            ),
                        });
                    }
                    self.state = State::Unquoted;
                }
            }
        }
    }

    /// The record ended; what was wrong with it, if anything.
    pub(super) fn finish(&mut self) -> Option<QuoteFault> {
        let mut fault = if self.state == State::Quoted {
            // csv-core ends a record inside quotes only at the end of the input.
            QuoteFault {
                kind: ProblemKind::UnbalancedQuote,
                line: self.opened,
                field: self.open_field,
                rest: Vec::new(),
                message: format!(
                    "a quoted field opens on line {} and never closes: it runs to the end of the file (line {})",
                    self.opened, self.line
                ),
            }
        } else {
            self.fault.take()?
        };
        if self.capturing {
            fault.rest = std::mem::take(&mut self.rest);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(text: &str, columns: usize) -> Option<QuoteFault> {
        let mut w = QuoteWatch::new(b',');
        w.set_columns(columns);
        w.start(2);
        w.feed(text.as_bytes());
        w.finish()
    }

    #[test]
    fn real_multiline_values_pass() {
        assert_eq!(fault("1,\"Ann, Lee\",\"line one\nline two, with a comma\nthree\"\n", 5), None);
        assert_eq!(fault("1,\"say \"\"hi\"\"\",x\n", 5), None);
    }

    #[test]
    fn accidents_are_told() {
        let swallowed =
            fault("5,Ann,Lee,\"Co 5 called, left msg\n6,Bob,Ray,x,y\n7,Cy,Moe,x,y\"\n", 5).unwrap();
        assert_eq!(swallowed.line, 2);
        assert!(swallowed.message.contains("holds line 3"), "{}", swallowed.message);
        // The swallowed lines, to read again, and the field where the quote opened.
        assert_eq!(swallowed.rest, b"6,Bob,Ray,x,y\n7,Cy,Moe,x,y\"\n");
        assert_eq!(swallowed.field, 3);
        let eof = fault("5,Ann,\"open\n6,Bob\n", 3).unwrap();
        assert!(eof.message.contains("never closes"), "{}", eof.message);
        let mut w = QuoteWatch::new(b',');
        w.start(2);
        w.feed(b"\"1001\"  ,\"Ann\" ,Lee,\"x\"\t\n");
        assert_eq!(w.padded(), [(0, 2), (1, 1), (3, 1)]);
        assert_eq!(w.finish(), None, "spaces after a closing quote are no fault");
        let glued = fault("5,\"Ann\" Lee,x\n", 3).unwrap();
        assert!(glued.message.contains("text follows its closing quote"), "{}", glued.message);
        assert!(glued.rest.is_empty(), "a quote on one line swallows nothing");
    }
}
