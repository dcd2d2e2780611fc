//! Legacy readers: CSV (any encoding and dialect), XLSX and XLS behind one row interface.
//!
//! [`open`] sniffs what it can (BOM, encoding by a detector, delimiter, header)
//! unless [`ReadOptions`] says otherwise, and returns a [`Table`]: its
//! [`TableInfo`], its headers, and an iterator of [`Row`]s that streams (memory
//! does not grow with the file).

use std::path::{Path, PathBuf};

use crate::Error;

/// How to read a legacy file; `None` means detect.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force this encoding (overrides the BOM and the detector).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Force this delimiter (CSV only).
    pub delimiter: Option<u8>,
    /// False: the first row is data, columns are named `column 1`, `column 2` …
    pub has_header: bool,
    /// Spreadsheets: the sheet to read (default: the first).
    pub sheet: Option<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { encoding: None, delimiter: None, has_header: true, sheet: None }
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
}

impl Table {
    /// A table from parts (used by the readers and by tests).
    pub fn from_parts(
        info: TableInfo,
        headers: Vec<String>,
        rows: Box<dyn Iterator<Item = Result<Row, Error>> + Send>,
    ) -> Table {
        Table { info, headers, rows }
    }
}

impl Iterator for Table {
    type Item = Result<Row, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Opens a legacy file (CSV by content, XLSX/XLS by extension).
pub fn open(path: &Path, options: &ReadOptions) -> Result<Table, Error> {
    let _ = (path, options);
    todo!("legacy readers")
}

/// The legacy files of a data location (`.csv`, `.txt`, `.tsv`, `.xlsx`, `.xls`), sorted by name.
pub fn data_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let _ = dir;
    todo!("legacy readers")
}
