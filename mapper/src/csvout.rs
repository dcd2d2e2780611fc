//! CSV files that spreadsheets open correctly and safely: the one writer of
//! every CSV ferry writes for people (`export`, `errors`, `review --export`,
//! the error CSVs of `pack --allow-errors`).
//!
//! [`ExcelCsv`] writes UTF-8 with a byte-order mark (so Excel does not guess
//! a code page), CRLF line ends, every field quoted, and neutralises values a
//! spreadsheet would run as a formula by prefixing `'` ([`neutralise`]: those
//! starting with `=`, `@`, a tab or a carriage return, and those starting with
//! `+` or `-` unless they are a plain number or a phone written with spaces,
//! such as `-2` or `+1 416 555 0123`). It writes to a scratch file beside
//! the target ([`crate::fsutil::scratch_beside`]) and gives it its name on
//! [`ExcelCsv::finish`], so a report is whole or absent, and an existing file
//! is replaced only when asked.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::fsutil;

/// Neutralises a value a spreadsheet would evaluate as a formula, by a leading `'`.
///
/// `=`, `@`, a tab or a carriage return first: always. `+` or `-` first: unless
/// the rest holds only digits, spaces, `.`, `,` and parentheses, which a
/// spreadsheet reads as a number (`-2`, `+41`) or cannot compute at all (a
/// phone with spaces, `+1 416 555 0123`: the spaces are no operator between
/// numbers), so the value is shown as typed. Any letter (a function call), a
/// `|` or `!` (a link to another program or sheet) or an inner operator
/// (`+1-416-555-0123` would be summed) gets the `'`.
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    let mut chars = value.chars();
    let formula = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => {
            !chars.as_str().chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | ',' | '(' | ')'))
        }
        _ => false,
    };
    if formula { std::borrow::Cow::Owned(format!("'{value}")) } else { std::borrow::Cow::Borrowed(value) }
}

/// A CSV being written for spreadsheets.
pub struct ExcelCsv {
    writer: csv::Writer<BufWriter<tempfile::NamedTempFile>>,
    out: PathBuf,
    force: bool,
}

impl ExcelCsv {
    /// Starts writing `out` (through a scratch file beside it). Unless
    /// `force`, an existing `out` is an error, now and when it is finished.
    pub fn create(out: &Path, force: bool) -> Result<ExcelCsv, Error> {
        fsutil::refuse_existing(out, force)?;
        let mut buf = BufWriter::new(fsutil::scratch_beside(out)?);
        buf.write_all(b"\xEF\xBB\xBF").map_err(|e| Error::io(out, e))?;
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(buf);
        Ok(ExcelCsv { writer, out: out.to_path_buf(), force })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.out
    }

    /// Writes one row, neutralising formula-like values.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.writer.write_record(&cells).map_err(|e| self.csv_error(e))
    }

    fn csv_error(&self, e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(&self.out, io),
            other => Error::io(&self.out, std::io::Error::other(format!("{other:?}"))),
        }
    }

    /// Flushes and gives the file its name.
    pub fn finish(self) -> Result<(), Error> {
        let out = self.out;
        let buf = self.writer.into_inner().map_err(|e| Error::io(&out, e.into_error()))?;
        let tmp = buf.into_inner().map_err(|e| Error::io(&out, e.into_error()))?;
        fsutil::persist(tmp, &out, self.force)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_phones_and_numbers_are_not() {
        let cases = [
            // Formulas, links to programs, functions: neutralised.
            ("=SUM(A1)", "'=SUM(A1)"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("+HYPERLINK(\"http://x\")", "'+HYPERLINK(\"http://x\")"),
            ("-A1", "'-A1"),
            ("+Sheet1!A1", "'+Sheet1!A1"),
            // An inner operator: a spreadsheet would compute it.
            ("+1-416-555-0123", "'+1-416-555-0123"),
            ("-2*3", "'-2*3"),
            ("+1/2", "'+1/2"),
            // Phones with spaces and plain numbers: shown as typed.
            ("+1 416 555 0123", "+1 416 555 0123"),
            ("+1 (416) 555 0123", "+1 (416) 555 0123"),
            ("+44 20 7946 0958", "+44 20 7946 0958"),
            ("+41", "+41"),
            ("-2", "-2"),
            ("-1,5", "-1,5"),
            ("-0.25", "-0.25"),
            ("-", "-"),
            // Ordinary text.
            ("Smith", "Smith"),
            ("O'Brien", "O'Brien"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (value, written) in cases {
            assert_eq!(neutralise(value), written, "{value:?}");
        }
    }

    #[test]
    fn writes_bom_crlf_quoted_and_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.csv");
        let mut w = ExcelCsv::create(&out, false).unwrap();
        w.row(["a", "b \"q\""]).unwrap();
        w.row(["=1+1", "Zoë"]).unwrap();
        assert!(!out.exists(), "nothing appears before finish");
        w.finish().unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(bytes, "\u{feff}\"a\",\"b \"\"q\"\"\"\r\n\"'=1+1\",\"Zoë\"\r\n".as_bytes());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn an_unfinished_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.csv");
        let mut w = ExcelCsv::create(&out, false).unwrap();
        w.row(["a"]).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn an_existing_file_stays_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.csv");
        std::fs::write(&out, "mine").unwrap();
        let err = ExcelCsv::create(&out, false).err().unwrap();
        assert!(matches!(&err, Error::Exists { path } if *path == out), "{err}");
        let mut w = ExcelCsv::create(&out, true).unwrap();
        w.row(["a"]).unwrap();
        w.finish().unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"\xEF\xBB\xBF\"a\"\r\n");
    }
}
