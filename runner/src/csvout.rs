//! CSV files that spreadsheets open correctly and safely.
//!
//! [`ExcelCsv`] writes UTF-8 with a byte-order mark (so Excel does not guess
//! a code page), CRLF line ends, every field quoted, and neutralises values a
//! spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return) by prefixing `'`. It writes to a temporary file
//! beside the target and renames it into place on [`ExcelCsv::finish`], so a
//! report is whole or absent.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// Neutralises a value a spreadsheet would evaluate as a formula.
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{value}")),
        _ => std::borrow::Cow::Borrowed(value),
    }
}

/// A CSV being written for spreadsheets.
pub struct ExcelCsv {
    writer: Option<csv::Writer<BufWriter<File>>>,
    temp: PathBuf,
    out: PathBuf,
}

impl ExcelCsv {
    /// Starts writing `out` (through a temporary file beside it).
    pub fn create(out: &Path) -> Result<ExcelCsv, Error> {
        let name =
            out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out.csv".into());
        let temp = out.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&temp).map_err(|e| Error::io(&temp, e))?;
        let mut buf = BufWriter::new(file);
        buf.write_all(b"\xEF\xBB\xBF").map_err(|e| Error::io(&temp, e))?;
        let writer = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Always)
            .terminator(csv::Terminator::CRLF)
            .from_writer(buf);
        Ok(ExcelCsv { writer: Some(writer), temp, out: out.to_path_buf() })
    }

    /// Writes one row, neutralising formula-like values.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        let writer = self.writer.as_mut().expect("open until finish");
        match writer.write_record(&cells) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.csv_error(e)),
        }
    }

    fn csv_error(&self, e: csv::Error) -> Error {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::io(&self.temp, io),
            other => Error::Invalid(format!("cannot write `{}`: {other:?}", self.temp.display())),
        }
    }

    /// Flushes and moves the file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        let writer = self.writer.take().expect("open until finish");
        let temp = self.temp.clone();
        let buf = writer.into_inner().map_err(|e| Error::io(&temp, e.into_error()))?;
        let file = buf.into_inner().map_err(|e| Error::io(&temp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&temp, e))?;
        drop(file);
        std::fs::rename(&temp, &self.out).map_err(|e| Error::io(&self.out, e))
    }
}

impl Drop for ExcelCsv {
    fn drop(&mut self) {
        // Only an unfinished file is still at the temporary path.
        let _ = std::fs::remove_file(&self.temp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+1 416 555 0100"), "'+1 416 555 0100");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("Smith"), "Smith");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn writes_bom_crlf_quoted_and_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.csv");
        let mut w = ExcelCsv::create(&out).unwrap();
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
        let mut w = ExcelCsv::create(&out).unwrap();
        w.row(["a"]).unwrap();
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
