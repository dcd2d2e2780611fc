//! Legacy readers: CSV (any encoding and dialect), XLSX and XLS behind one row interface.
//!
//! [`open`] sniffs what it can (BOM, encoding by a detector, delimiter)
//! unless [`ReadOptions`] says otherwise, and returns a [`Table`]: its
//! [`TableInfo`], its headers, and an iterator of [`Row`]s that streams (memory
//! does not grow with the file).
//!
//! - `decode`: encoding detection and the streaming decoder to UTF-8
//!   ([`DecodingReader`], which the packager also reads CSV members with,
//!   strictly);
//! - `csv`: delimiter sniffing and the CSV row stream;
//! - `sheet`: XLSX and XLS through calamine, cells rendered as text.
//!
//! Files are told apart by content first (a ZIP is XLSX, an OLE compound file is
//! XLS), then by extension, so a workbook saved as `.csv` still reads.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Error;

mod csv;
mod decode;
mod quotes;
mod ragged;
mod sheet;

pub use self::quotes::{MAX_QUOTED_LINES, ROW_LIKE_MIN_COLUMNS};

pub use self::csv::{repeated_header, sniff_delimiter};
pub use self::decode::{DecodingReader, Undecodable};

/// How to read a legacy file; `None` means detect.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force this encoding (overrides the detector; a byte-order mark still wins,
    /// being unambiguous).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Force this delimiter (CSV only).
    pub delimiter: Option<u8>,
    /// False: the first row is data, columns are named `column 1`, `column 2` …
    pub has_header: bool,
    /// Spreadsheets: the sheet to read (default: the first).
    pub sheet: Option<String>,
    /// Bytes that are not valid in the encoding are read as U+FFFD, each cell
    /// a warning ([`Table::take_warnings`]), instead of making the row a
    /// [`BadRow`].
    pub replace_invalid: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { encoding: None, delimiter: None, has_header: true, sheet: None, replace_invalid: false }
    }
}

/// A row that cannot be read as it stands (an unbalanced quote, bytes that
/// are not the encoding): what is wrong where, and its cells as read (for an
/// error report). The rows after it are read on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub path: PathBuf,
    /// The physical line where the row starts.
    pub line: u64,
    pub kind: crate::problem::ProblemKind,
    /// At least one.
    pub faults: Vec<RowFault>,
    pub cells: Vec<String>,
}

/// One thing wrong with a row, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFault {
    /// The physical line (header = line 1).
    pub line: u64,
    /// The column, when the fault lies in one cell.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first = &self.faults[0];
        write!(f, "`{}` line {}", self.path.display(), first.line)?;
        if let Some(c) = &first.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": {}", first.message)?;
        if self.faults.len() > 1 {
            write!(f, " (and {} more in this row)", self.faults.len() - 1)?;
        }
        Ok(())
    }
}

impl BadRow {
    /// The faults as problems of `file` (its name in the template).
    pub fn problems(&self, file: &str) -> Vec<crate::problem::Problem> {
        self.faults
            .iter()
            .map(|f| RowFault::problem(f, file, self.kind, crate::problem::Severity::Error))
            .collect()
    }

    /// True when a fault or the row's start is on one of `lines`.
    pub fn is_on(&self, lines: impl Fn(u64) -> bool) -> bool {
        lines(self.line) || self.faults.iter().any(|f| lines(f.line))
    }
}

impl RowFault {
    /// The fault as a problem of `file`.
    pub fn problem(
        &self,
        file: &str,
        kind: crate::problem::ProblemKind,
        severity: crate::problem::Severity,
    ) -> crate::problem::Problem {
        crate::problem::Problem {
            severity,
            kind,
            file: file.to_string(),
            line: Some(self.line),
            column: self.column.clone(),
            value: None,
            message: self.message.clone(),
        }
    }
}

/// Warnings a reader leaves for its consumer, drained with [`Table::take_warnings`].
/// At most this many wait; a consumer that never drains them loses the rest.
const MAX_PENDING_WARNINGS: usize = 4096;

/// Warnings shared between a reader and its [`Table`].
#[derive(Debug, Default, Clone)]
pub(crate) struct Warnings(Arc<std::sync::Mutex<Vec<(crate::problem::ProblemKind, RowFault)>>>);

impl Warnings {
    pub(crate) fn push(&self, kind: crate::problem::ProblemKind, fault: RowFault) {
        let mut pending = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pending.len() < MAX_PENDING_WARNINGS {
            pending.push((kind, fault));
        }
    }

    fn take(&self) -> Vec<(crate::problem::ProblemKind, RowFault)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The kind of a legacy file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
    Xls,
}

/// What was detected (or forced) about a file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableInfo {
    pub path: PathBuf,
    pub format: FileFormat,
    /// WHATWG name of the encoding (`UTF-8`, `UTF-16LE`, `windows-1252`); `UTF-8` for spreadsheets.
    pub encoding: String,
    /// True when the file starts with a byte-order mark.
    pub bom: bool,
    /// The delimiter, for CSV.
    pub delimiter: Option<char>,
    pub has_header: bool,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
}

/// One data row: its cells and the 1-based physical line where it starts
/// (for spreadsheets, the row number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell at `index`, or `""` for a short row.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// An open legacy file: headers plus a stream of rows.
pub struct Table {
    pub info: TableInfo,
    pub headers: Vec<String>,
    rows: Box<dyn Iterator<Item = Result<Row, Error>> + Send>,
    /// Undecodable byte sequences met so far (CSV only).
    undecodable: Option<Arc<AtomicU64>>,
    warnings: Warnings,
}

impl Table {
    /// A table from parts (used by the readers and by tests).
    pub fn from_parts(
        info: TableInfo,
        headers: Vec<String>,
        rows: Box<dyn Iterator<Item = Result<Row, Error>> + Send>,
    ) -> Table {
        Table { info, headers, rows, undecodable: None, warnings: Warnings::default() }
    }

    /// The warnings of the rows read since the last call, each with its kind:
    /// bytes read as U+FFFD with [`ReadOptions::replace_invalid`]
    /// ([`crate::problem::ProblemKind::InvalidBytes`]), a short CSV row read
    /// with its missing trailing fields empty or a row split by a line break
    /// rejoined ([`crate::problem::ProblemKind::RaggedRow`]).
    pub fn take_warnings(&self) -> Vec<(crate::problem::ProblemKind, RowFault)> {
        self.warnings.take()
    }

    /// How many undecodable byte sequences the rows read so far held; each
    /// became U+FFFD. A non-zero count usually means a wrong encoding.
    pub fn undecodable(&self) -> u64 {
        self.undecodable.as_ref().map_or(0, |n| n.load(Ordering::Relaxed))
    }
}

impl Iterator for Table {
    type Item = Result<Row, Error>;
    /// The next row; a row whose every cell is empty (`,,,`, a spreadsheet's
    /// formatted but empty rows) holds no data and is skipped, as a blank line
    /// is; a row that repeats the header (exports joined one after another)
    /// is no person and is skipped with a warning. Cells written for a
    /// spreadsheet to keep as text (`="00123"`, `'02134`) are read as the text.
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let mut next = self.rows.next()?;
            // A byte-order mark inside the data starts a second export joined to the first.
            if let Ok(row) = &mut next
                && let Some(first) = row.cells.first_mut()
                && let Some(rest) = first.strip_prefix('\u{feff}')
            {
                *first = rest.to_string();
            }
            match next {
                Ok(row) if row.cells.len() > 1 && row.cells.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(row) if repeats_header(&self.headers, &row) => {
                    let message = "the row repeats the header (two exports joined one after the other?): read as a header, not as a record, and skipped".to_string();
                    self.warnings.push(
                        crate::problem::ProblemKind::RepeatedHeader,
                        RowFault { line: row.line, column: None, message },
                    );
                }
                Ok(mut row) => {
                    row.cells.iter_mut().for_each(unwrap_spreadsheet_text);
                    return Some(Ok(row));
                }
                other => return Some(other),
            }
        }
    }
}

/// A cell as an export wrote it for a spreadsheet to keep as text, turned
/// back into the text: `="00123"` (a formula whose value is the text, so
/// that Excel keeps the leading zeros) becomes `00123`, and a leading `'`
/// before a digit or `+` (Excel's mark for a number kept as text: `'02134`,
/// `'+1 416…`) is taken off. Other text is left as it is (`O'Brien`, `'Tis`).
pub fn unwrap_spreadsheet_text(cell: &mut String) {
    let trimmed = cell.trim();
    if let Some(inner) = trimmed.strip_prefix("=\"").and_then(|r| r.strip_suffix('"'))
        && !inner.contains('"')
    {
        *cell = inner.to_string();
    } else if let Some(rest) = trimmed.strip_prefix('\'')
        && rest.starts_with(|c: char| c.is_ascii_digit() || c == '+')
    {
        *cell = rest.to_string();
    }
}

/// Whether a row writes the header's names again: every value is its
/// column's name (ignoring case and spaces), and at least half the columns
/// have one.
fn repeats_header(headers: &[String], row: &Row) -> bool {
    let mut named = 0;
    for (cell, header) in row.cells.iter().zip(headers) {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        // A repeated name is read as `Last (column 3)`.
        let name = header.rsplit_once(" (column ").map_or(header.as_str(), |(name, _)| name);
        if !cell.eq_ignore_ascii_case(name) {
            return false;
        }
        named += 1;
    }
    named >= 2 && 2 * named >= headers.len()
}

/// Opens a legacy file (XLSX/XLS by content or extension, CSV otherwise).
pub fn open(path: &Path, options: &ReadOptions) -> Result<Table, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    match format_of(path, &mut file)? {
        FileFormat::Csv => csv::open(path, file, options),
        format => sheet::open(path, file, format, options),
    }
}

/// The legacy files of a data location (`.csv`, `.txt`, `.tsv`, `.xlsx`, `.xls`), sorted by name.
pub fn data_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let is_data = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| DATA_EXTENSIONS.iter().any(|d| d.eq_ignore_ascii_case(e)));
        // Office leaves `~$name.xlsx` lock files next to open workbooks.
        let is_lock = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("~$"));
        if is_data && !is_lock && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

const DATA_EXTENSIONS: [&str; 5] = ["csv", "txt", "tsv", "xlsx", "xls"];

/// The encoding a label names: a WHATWG label (`UTF-8`, `latin1`, `cp1252`,
/// `UTF-16LE` …) or a code page written `CP-1252` (as templates of the legacy
/// tool do). The one resolver of every encoding label ferry reads: reading
/// options, templates, packages. Labels WHATWG maps to its `replacement`
/// encoding (which decodes nothing) name none.
pub fn encoding_for_label(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let lower = label.trim().to_ascii_lowercase();
    let normalised = match lower.strip_prefix("cp-") {
        Some(rest) => format!("cp{rest}"),
        None => lower,
    };
    encoding_rs::Encoding::for_label(normalised.as_bytes()).filter(|e| *e != encoding_rs::REPLACEMENT)
}

/// The name of the column at 1-based `position` when the file has no header.
pub fn column_name(position: usize) -> String {
    format!("column {position}")
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn format_of(path: &Path, file: &mut File) -> Result<FileFormat, Error> {
    let mut magic = [0u8; 8];
    let filled = read_full(file, &mut magic).map_err(|e| Error::io(path, e))?;
    use std::io::Seek;
    file.rewind().map_err(|e| Error::io(path, e))?;
    let magic = &magic[..filled];
    if magic.starts_with(b"PK\x03\x04") {
        return Ok(FileFormat::Xlsx);
    }
    if magic.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(FileFormat::Xls);
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    Ok(match ext.as_deref() {
        Some("xlsx" | "xlsm") => FileFormat::Xlsx,
        Some("xls") => FileFormat::Xls,
        _ => FileFormat::Csv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_accent_far_past_the_prefix_still_names_the_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("late.csv");
        let mut bytes = b"ID,Name\r\n".to_vec();
        let mut n = 0;
        while bytes.len() < 3 * decode::PREFIX_LEN {
            n += 1;
            bytes.extend_from_slice(format!("{n},Ann Smith\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"9001,Jos\xe9 Mu\xf1oz\r\n9002,Ren\xe9e C\xf4t\xe9\r\n");
        std::fs::write(&path, &bytes).unwrap();
        let table = open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(table.info.encoding, "windows-1252");
        let rows: Vec<Row> = table.map(Result::unwrap).collect();
        assert_eq!(rows.len(), n + 2);
        assert_eq!(rows[n].cells, ["9001", "José Muñoz"]);
        assert_eq!(rows[n + 1].cells, ["9002", "Renée Côté"]);
        // All ASCII stays UTF-8, and the reader starts where the prefix ended.
        std::fs::write(&path, &bytes[..bytes.len() - 40]).unwrap();
        let table = open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(table.info.encoding, "UTF-8");
        assert_eq!(table.map(Result::unwrap).count(), n);
    }

    #[test]
    fn spaces_after_a_closing_quote_are_not_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("aligned.csv");
        std::fs::write(&path, "ID,First,Last\r\n\"1001\"  ,\"Ann  \" ,\"Lee\"\t\r\n1002,\"Bo\" x,Ray\r\n")
            .unwrap();
        let mut table = open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(table.next().unwrap().unwrap().cells, ["1001", "Ann  ", "Lee"]);
        // Text after the closing quote is still a fault.
        assert!(matches!(table.next(), Some(Err(Error::BadRow(_)))));
    }

    #[test]
    fn encoding_labels() {
        assert_eq!(encoding_for_label("CP-1252"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for_label(" cp-1252 "), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for_label("cp1252"), Some(encoding_rs::WINDOWS_1252));
        assert_eq!(encoding_for_label("utf8"), Some(encoding_rs::UTF_8));
        assert_eq!(encoding_for_label("klingon"), None);
        assert_eq!(encoding_for_label("replacement"), None);
    }
}
