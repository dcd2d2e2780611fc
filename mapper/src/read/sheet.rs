//! The spreadsheet reader (XLSX, XLS) through calamine.
//!
//! XLSX streams: a worker thread walks the sheet's XML with calamine's cell
//! reader and hands rows over a bounded channel, so memory holds the shared
//! strings and a few hundred rows, not the sheet. XLS (a compound binary file)
//! has no streaming reader: calamine loads the sheet into a `Range` and rows
//! are turned into text one at a time.
//!
//! Cells read the way a user would see them in a CSV export: dates as
//! `YYYY-MM-DD` (with ` HH:MM:SS` when there is a time), integral numbers
//! without `.0`, booleans as `TRUE`/`FALSE`, errors as Excel shows them.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, Range, Reader, Sheets};

use super::{FileFormat, ReadOptions, Row, Table, TableInfo, column_name};
use crate::Error;

pub(super) fn open(
    path: &Path,
    file: File,
    format: FileFormat,
    options: &ReadOptions,
) -> Result<Table, Error> {
    let spreadsheet_error = |message: String| Error::Spreadsheet { path: path.to_path_buf(), message };
    let reader = BufReader::new(file);
    let opened = match format {
        FileFormat::Xls => calamine::Xls::new(reader).map(Sheets::Xls).map_err(|e| e.to_string()),
        _ => calamine::Xlsx::new(reader).map(Sheets::Xlsx).map_err(|e| e.to_string()),
    };
    let workbook = opened.map_err(|e| spreadsheet_error(format!("cannot open the workbook: {e}")))?;
    let names = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(wanted) => names.iter().find(|n| *n == wanted).cloned().ok_or_else(|| {
            let list = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            spreadsheet_error(format!("no sheet `{wanted}` (sheets: {list})"))
        })?,
        None => {
            names.first().cloned().ok_or_else(|| spreadsheet_error("the workbook has no sheets".into()))?
        }
    };
    let mut rows: Box<dyn Iterator<Item = Result<Row, Error>> + Send> = match workbook {
        Sheets::Xlsx(xlsx) => Box::new(stream_xlsx(path, xlsx, sheet.clone())),
        mut other => {
            let range = other
                .worksheet_range(&sheet)
                .map_err(|e| spreadsheet_error(format!("cannot read sheet `{sheet}`: {e}")))?;
            Box::new(SheetRows::new(range))
        }
    };
    let first = rows.next().transpose()?;
    let (headers, pending) = match (first, options.has_header) {
        (None, true) => {
            return Err(spreadsheet_error(format!("sheet `{sheet}` is empty: expected a header row")));
        }
        (None, false) => (Vec::new(), None),
        (Some(row), true) => (super::csv::header_names(&row.cells), None),
        (Some(row), false) => ((1..=row.cells.len()).map(column_name).collect(), Some(row)),
    };
    let info = TableInfo {
        path: path.to_path_buf(),
        format,
        encoding: "UTF-8".into(),
        bom: false,
        delimiter: None,
        has_header: options.has_header,
        sheet: Some(sheet),
    };
    // A sheet keeps no trailing empty cells: give them back, so that only a
    // CSV row can be short of cells.
    let width = headers.len();
    let rows = pending.map(Ok).into_iter().chain(rows).map(move |row| {
        row.map(|mut row| {
            if row.cells.len() < width {
                row.cells.resize(width, String::new());
            }
            row
        })
    });
    Ok(Table::from_parts(info, headers, Box::new(rows)))
}

/// Rows from an XLSX sheet, read by a worker thread.
///
/// The worker ends each sheet with `End`; a channel that closes without it
/// means the worker died (a panic in the parser), which must not pass for the
/// end of the data.
fn stream_xlsx(
    path: &Path,
    mut workbook: calamine::Xlsx<BufReader<File>>,
    sheet: String,
) -> impl Iterator<Item = Result<Row, Error>> + Send + use<> {
    enum Message {
        Row(Result<Row, Error>),
        End,
    }
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Message>(256);
    let error_path = path.to_path_buf();
    let worker_path = path.to_path_buf();
    let worker = move || {
        let fail =
            |message: String| Message::Row(Err(Error::Spreadsheet { path: worker_path.clone(), message }));
        let mut cells = match workbook.worksheet_cells_reader(&sheet) {
            Ok(cells) => cells,
            Err(e) => {
                let _ = sender.send(fail(format!("cannot read sheet `{sheet}`: {e}")));
                return;
            }
        };
        let first_column = cells.dimensions().start.1;
        let mut current: Option<(u32, Vec<String>)> = None;
        let flush = |current: &mut Option<(u32, Vec<String>)>| -> bool {
            match current.take() {
                Some((row, cells)) if !cells.is_empty() => {
                    sender.send(Message::Row(Ok(Row { line: u64::from(row) + 1, cells }))).is_ok()
                }
                _ => true,
            }
        };
        loop {
            match cells.next_cell() {
                Ok(Some(cell)) => {
                    let (row, column) = cell.get_position();
                    let text = cell_text(&Data::from(cell.get_value().clone()));
                    if current.as_ref().is_some_and(|(r, _)| *r != row) && !flush(&mut current) {
                        return; // the reader was dropped
                    }
                    if text.is_empty() {
                        continue;
                    }
                    let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
                    let index = column.saturating_sub(first_column) as usize;
                    if values.len() <= index {
                        values.resize(index + 1, String::new());
                    }
                    values[index] = text;
                }
                Ok(None) => {
                    if flush(&mut current) {
                        let _ = sender.send(Message::End);
                    }
                    return;
                }
                Err(e) => {
                    let _ = sender.send(fail(format!("cannot read sheet `{sheet}`: {e}")));
                    return;
                }
            }
        }
    };
    let spawned = std::thread::Builder::new().name("ferry-xlsx".into()).spawn(worker);
    let mut failed = spawned.err().map(|e| Error::Spreadsheet {
        path: error_path.clone(),
        message: format!("cannot start reading: {e}"),
    });
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        if let Some(err) = failed.take() {
            done = true;
            return Some(Err(err));
        }
        match receiver.recv() {
            Ok(Message::Row(row)) => {
                done = row.is_err();
                Some(row)
            }
            Ok(Message::End) => {
                done = true;
                None
            }
            Err(_) => {
                done = true;
                Some(Err(Error::Spreadsheet {
                    path: error_path.clone(),
                    message: "reading the sheet stopped unexpectedly (the workbook may be damaged)".into(),
                }))
            }
        }
    })
}

struct SheetRows {
    range: Range<Data>,
    /// Sheet row number (1-based) of the range's first row.
    first_line: u64,
    next: usize,
}

impl SheetRows {
    fn new(range: Range<Data>) -> SheetRows {
        let first_line = range.start().map_or(1, |(row, _)| u64::from(row) + 1);
        SheetRows { range, first_line, next: 0 }
    }
}

impl Iterator for SheetRows {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let (height, width) = self.range.get_size();
        while self.next < height {
            let index = self.next;
            self.next += 1;
            let mut cells: Vec<String> = (0..width)
                .map(|col| self.range.get((index, col)).map_or_else(String::new, cell_text))
                .collect();
            // Trailing empty cells are formatting leftovers, not columns.
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            if cells.is_empty() {
                // A blank sheet row, skipped as the CSV reader skips blank lines.
                continue;
            }
            return Some(Ok(Row { line: self.first_line + index as u64, cells }));
        }
        None
    }
}

/// The text of a cell as a CSV export would show it.
pub(crate) fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => float_text(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            // Round to the second: Excel stores times as day fractions, so
            // 12:00:00 can arrive as 11:59:59.999.
            if ms >= 500 {
                let civil =
                    jiff::civil::DateTime::new(y as i16, mo as i8, d as i8, h as i8, mi as i8, s as i8, 0);
                if let Ok(t) = civil.and_then(|c| c.checked_add(jiff::Span::new().seconds(1))) {
                    return datetime_text(
                        t.year() as u16,
                        t.month() as u8,
                        t.day() as u8,
                        t.hour() as u8,
                        t.minute() as u8,
                        t.second() as u8,
                    );
                }
            }
            datetime_text(y, mo, d, h, mi, s)
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

fn datetime_text(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> String {
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 { format!("{f:.0}") } else { f.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_a_csv_export_shows_them() {
        assert_eq!(cell_text(&Data::Float(42.0)), "42");
        assert_eq!(cell_text(&Data::Float(-3.25)), "-3.25");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        let date = ExcelDateTime::new(45943.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2025-10-13");
        let noon = ExcelDateTime::new(45943.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(noon)), "2025-10-13 12:00:00");
        let almost =
            ExcelDateTime::new(45943.0 + 86_399.999_6 / 86_400.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(almost)), "2025-10-14");
    }
}
