//! The CSV reader: delimiter sniffing and a streaming row iterator.
//!
//! The bytes go `File → DecodingReader (UTF-8) → csv_core::Reader`, so memory
//! stays at a few fixed buffers whatever the file's size. csv-core keeps quoted
//! fields (with delimiters, doubled quotes and line breaks) whole; we count the
//! physical line where each record starts.

use std::fs::File;
use std::io::{BufRead, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use super::decode::{self, DecodingReader, PREFIX_LEN};
use super::quotes::QuoteWatch;
use super::ragged::{Break, Piece, Ragged, RawRows};
use super::{BadRow, FileFormat, ReadOptions, Row, RowFault, Table, TableInfo, Warnings, column_name};
use crate::Error;
use crate::problem::ProblemKind;

/// Delimiters we recognise, in order of preference on a tie.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records the delimiter sniffer looks at.
const SNIFF_RECORDS: usize = 50;

type Source = Unread<DecodingReader<std::io::Chain<Cursor<Vec<u8>>, File>>>;

/// A reader that can be handed back text it gave out (the lines a faulty
/// quote swallowed), to give it out again before the rest.
struct Unread<R> {
    front: Vec<u8>,
    at: usize,
    inner: R,
}

impl<R: BufRead> Unread<R> {
    fn new(inner: R) -> Unread<R> {
        Unread { front: Vec::new(), at: 0, inner }
    }

    /// `text`, which was read last, is read again next.
    fn unread(&mut self, mut text: Vec<u8>) {
        text.extend_from_slice(&self.front[self.at..]);
        self.front = text;
        self.at = 0;
    }
}

impl<R: BufRead> Read for Unread<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let buf = self.fill_buf()?;
            let n = buf.len().min(out.len());
            out[..n].copy_from_slice(&buf[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Unread<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.at < self.front.len() { Ok(&self.front[self.at..]) } else { self.inner.fill_buf() }
    }

    fn consume(&mut self, amount: usize) {
        if self.at < self.front.len() {
            self.at += amount;
            if self.at >= self.front.len() {
                self.front.clear();
                self.at = 0;
            }
        } else {
            self.inner.consume(amount);
        }
    }
}

pub(super) fn open(path: &Path, mut file: File, options: &ReadOptions) -> Result<Table, Error> {
    let mut prefix = Vec::with_capacity(PREFIX_LEN);
    (&mut file).take(PREFIX_LEN as u64).read_to_end(&mut prefix).map_err(|e| Error::io(path, e))?;
    let complete = prefix.len() < PREFIX_LEN;
    // An ASCII prefix says nothing of the encoding: the first bytes past it
    // that are not ASCII do (a Windows-1252 export whose first accent is on
    // row 2,000).
    let late = if !complete && options.encoding.is_none() && prefix.is_ascii() {
        first_non_ascii(&mut file).map_err(|e| Error::io(path, e))?
    } else {
        None
    };
    let detected = match &late {
        Some((window, complete)) => decode::detect(window, *complete, None),
        None => decode::detect(&prefix, complete, options.encoding),
    };
    let (text, _) = detected.encoding.decode_without_bom_handling(&prefix[detected.bom_len..]);
    // Excel writes `sep=;` as the first line of a CSV to name its delimiter.
    let sep_line = sep_line(&text);
    let delimiter = match (options.delimiter, sep_line) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => sniff_delimiter(&text, complete),
    };
    // Title lines above the header (a report's name, its date): one value
    // each over a file of several columns.
    let titles = if options.has_header {
        title_lines(after_sep_line(&text, sep_line.is_some()), delimiter)
    } else {
        0
    };
    // Classic Mac OS files break lines with a bare CR: no LF anywhere in the prefix.
    let cr_breaks = text.contains('\r') && !text.contains('\n');

    let replaced = Arc::new(AtomicU64::new(0));
    let body = Cursor::new(prefix.split_off(detected.bom_len)).chain(file);
    let source =
        Unread::new(DecodingReader::new(body, detected.encoding, replaced.clone()).with_cr_breaks(cr_breaks));
    let warnings = Warnings::default();
    let mut rows = CsvRows {
        path: path.to_path_buf(),
        source,
        core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
        fields: vec![0; 4096],
        ends: vec![0; 64],
        done: false,
        watch: QuoteWatch::new(delimiter),
        headers: Vec::new(),
        encoding: detected.encoding.name(),
        replaced: replaced.clone(),
        replace_invalid: options.replace_invalid,
        warnings: warnings.clone(),
        located: 0,
        end: Break::End,
    };

    if sep_line.is_some() {
        rows.raw().map(|piece| piece.row).transpose()?;
    }
    for _ in 0..titles {
        if let Some(title) = rows.raw().map(|piece| piece.row).transpose()? {
            let value = title.cells.iter().find(|c| !c.trim().is_empty()).map_or("", |c| c.trim());
            let message = format!(
                "`{value}` is the only value of this line, above a header of several columns: read as a title line, and skipped"
            );
            warnings.push(ProblemKind::RaggedRow, RowFault { line: title.line, column: None, message });
        }
    }
    let first = rows.raw().map(|piece| piece.row).transpose()?;
    // The file's rows end as its first line does.
    let rows_end = rows.end;
    let (headers, pending) = match (first, options.has_header) {
        (None, true) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                line: 1,
                message: "the file is empty: expected a header row (or read it with no header)".into(),
            });
        }
        (None, false) => (Vec::new(), None),
        (Some(row), true) => (header_names(&row.cells), None),
        (Some(row), false) => ((1..=row.cells.len()).map(column_name).collect(), Some(row)),
    };
    rows.watch.set_columns(headers.len());
    rows.headers = headers.clone();

    let info = TableInfo {
        path: path.to_path_buf(),
        format: FileFormat::Csv,
        encoding: detected.encoding.name().to_string(),
        bom: detected.bom_len > 0,
        delimiter: Some(char::from(delimiter)),
        has_header: options.has_header,
        sheet: None,
    };
    let rows = Ragged::new(rows, path.to_path_buf(), headers.clone(), rows_end, warnings.clone());
    let rows = pending.map(Ok).into_iter().chain(rows);
    let mut table = Table::from_parts(info, headers, Box::new(rows));
    table.undecodable = Some(replaced);
    table.warnings = warnings;
    Ok(table)
}

/// The bytes of `file` from its first byte that is not ASCII (at most
/// [`PREFIX_LEN`] of them, and whether they run to the end of the file), or
/// `None` when the rest of the file is ASCII. The file's position is kept.
fn first_non_ascii(file: &mut File) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let start = file.stream_position()?;
    let mut chunk = vec![0u8; 1 << 20];
    let mut found = None;
    loop {
        let n = super::read_full(file, &mut chunk)?;
        if n == 0 {
            break;
        }
        if chunk[..n].is_ascii() {
            continue;
        }
        let at = chunk[..n].iter().position(|b| !b.is_ascii()).unwrap_or(0);
        let mut window = chunk[at..n.min(at + PREFIX_LEN)].to_vec();
        if window.len() < PREFIX_LEN {
            let want = (PREFIX_LEN - window.len()) as u64;
            (&mut *file).take(want).read_to_end(&mut window)?;
        }
        let complete = window.len() < PREFIX_LEN;
        found = Some((window, complete));
        break;
    }
    file.seek(SeekFrom::Start(start))?;
    Ok(found)
}

/// The delimiter a first line `sep=X` names (Excel writes it; `sep` in any case).
fn sep_line(text: &str) -> Option<u8> {
    let line = text.split(['\r', '\n']).next()?.as_bytes();
    match line {
        [s, e, p, b'=', d] if [*s, *e, *p].eq_ignore_ascii_case(b"sep") => {
            (d.is_ascii_punctuation() && *d != b'"' || *d == b'\t').then_some(*d)
        }
        _ => None,
    }
}

/// `text` after its first line when `skip` (the `sep=` line).
fn after_sep_line(text: &str, skip: bool) -> &str {
    if !skip {
        return text;
    }
    let rest = &text[text.find(['\r', '\n']).unwrap_or(text.len())..];
    rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix(['\r', '\n'])).unwrap_or(rest)
}

/// How many leading records of `text` are title lines above the header: each
/// holds at most one value, while the record after them (the header) names
/// at least two columns, none of them a number. Zero when `text` shows no
/// such header.
fn title_lines(text: &str, delimiter: u8) -> usize {
    const MAX_TITLES: usize = 5;
    let records = prefix_records(text, delimiter, MAX_TITLES + 1);
    let filled = |r: &Vec<String>| r.iter().filter(|c| !c.trim().is_empty()).count();
    let titles = records.iter().take_while(|r| filled(r) <= 1).count();
    match records.get(titles) {
        Some(header)
            if titles > 0
                && filled(header) >= 2
                && header.iter().all(|c| c.trim().parse::<f64>().is_err()) =>
        {
            titles
        }
        _ => 0,
    }
}

/// The first `limit` records of `text`, as cells (a record cut by the end of
/// `text` included: only its emptiness counts).
fn prefix_records(text: &str, delimiter: u8, limit: usize) -> Vec<Vec<String>> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut input = text.as_bytes();
    let mut records = Vec::new();
    let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 64]);
    let (mut out_len, mut ends_len) = (0, 0);
    while records.len() < limit {
        let (result, read, written, ended) =
            reader.read_record(input, &mut out[out_len..], &mut ends[ends_len..]);
        input = &input[read..];
        out_len += written;
        ends_len += ended;
        match result {
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::Record => {
                let mut start = 0;
                let cells = ends[..ends_len]
                    .iter()
                    .map(|&end| {
                        let cell = String::from_utf8_lossy(&out[start..end]).into_owned();
                        start = end;
                        cell
                    })
                    .collect();
                records.push(cells);
                (out_len, ends_len) = (0, 0);
            }
            csv_core::ReadRecordResult::End => break,
        }
    }
    records
}

/// Header cells as column names: trimmed, `column N` where a header is blank,
/// and `NAME (column N)` for each of the columns a repeated name heads, so no
/// mapping binds one of them by a name that heads two
/// ([`repeated_header`] tells a mapping that names the bare name).
pub(super) fn header_names(cells: &[String]) -> Vec<String> {
    let names: Vec<&str> = cells.iter().map(|cell| cell.trim()).collect();
    names
        .iter()
        .enumerate()
        .map(|(i, &name)| {
            if name.is_empty() {
                column_name(i + 1)
            } else if names.iter().filter(|&&other| other == name).count() > 1 {
                repeat_name(name, i + 1)
            } else {
                name.to_string()
            }
        })
        .collect()
}

/// The name of the column at 1-based `position` whose header `name` heads
/// other columns too.
fn repeat_name(name: &str, position: usize) -> String {
    format!("{name} ({})", column_name(position))
}

/// The columns a repeated header `name` heads, as [`header_names`] names
/// them, with their 1-based positions (empty unless `name` was repeated).
pub fn repeated_header(headers: &[String], name: &str) -> Vec<(usize, String)> {
    headers
        .iter()
        .enumerate()
        .filter(|&(i, h)| *h == repeat_name(name, i + 1))
        .map(|(i, h)| (i + 1, h.clone()))
        .collect()
}

/// The row stream, on csv-core directly rather than the csv crate: blank
/// lines and the `\n` of a CRLF are skipped here, before a record starts,
/// so each row's line number is that of its first character (the csv crate's
/// position lags by one after CRLF endings and blank lines).
struct CsvRows {
    path: PathBuf,
    source: Source,
    core: csv_core::Reader,
    fields: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
    watch: QuoteWatch,
    /// Column names, once the header is read.
    headers: Vec<String>,
    encoding: &'static str,
    replaced: Arc<AtomicU64>,
    replace_invalid: bool,
    warnings: Warnings,
    /// Replaced sequences found in rows so far.
    located: u64,
    /// How the last record read ended.
    end: Break,
}

impl CsvRows {
    fn read_error(&mut self, err: std::io::Error) -> Error {
        // After an I/O error the stream's state is unknown: stop rather than
        // risk repeating or skipping rows.
        self.done = true;
        Error::Read {
            path: self.path.clone(),
            line: self.core.line(),
            message: format!("cannot read: {err}"),
        }
    }

    /// Consumes line terminators before a record, counting its line breaks.
    fn skip_blank_lines(&mut self) -> Result<(), Error> {
        loop {
            let buf = match self.source.fill_buf() {
                Ok(buf) => buf,
                Err(e) => return Err(self.read_error(e)),
            };
            let len = buf.len();
            let skip = buf.iter().position(|b| *b != b'\r' && *b != b'\n').unwrap_or(len);
            let breaks = buf[..skip].iter().filter(|b| **b == b'\n').count() as u64;
            self.source.consume(skip);
            self.core.set_line(self.core.line() + breaks);
            if skip < len || len == 0 {
                return Ok(());
            }
        }
    }

    fn read_row(&mut self) -> Result<Option<Row>, Error> {
        self.skip_blank_lines()?;
        let line = self.core.line();
        self.watch.start(line);
        let (mut out_len, mut ends_len) = (0, 0);
        let mut last = None;
        loop {
            let input = match self.source.fill_buf() {
                Ok(input) => input,
                Err(e) => return Err(self.read_error(e)),
            };
            let (result, read, written, ended) =
                self.core.read_record(input, &mut self.fields[out_len..], &mut self.ends[ends_len..]);
            self.watch.feed(&input[..read]);
            if read > 0 {
                last = Some(input[read - 1]);
            }
            self.source.consume(read);
            out_len += written;
            ends_len += ended;
            match result {
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record => {
                    // csv-core ends a record on its terminator's first byte.
                    self.end = match last {
                        Some(b'\n') => Break::Lf,
                        Some(b'\r') => match self.source.fill_buf() {
                            Ok(next) if next.first() == Some(&b'\n') => Break::Crlf,
                            Ok(_) => Break::Cr,
                            Err(e) => return Err(self.read_error(e)),
                        },
                        _ => Break::End,
                    };
                    let mut start = 0;
                    let mut cells: Vec<String> = self.ends[..ends_len]
                        .iter()
                        .map(|&end| {
                            // Fields split at ASCII delimiters of valid UTF-8, so
                            // this never replaces anything; it just cannot panic.
                            let cell = String::from_utf8_lossy(&self.fields[start..end]).into_owned();
                            start = end;
                            cell
                        })
                        .collect();
                    for &(field, spaces) in self.watch.padded() {
                        if let Some(cell) = cells.get_mut(field) {
                            cell.truncate(cell.len().saturating_sub(spaces));
                        }
                    }
                    // The decoder runs ahead of the records: while it has replaced
                    // more sequences than rows have shown, look for them.
                    let invalid = self.replaced.load(std::sync::atomic::Ordering::Relaxed) > self.located;
                    return self.checked(Row { line, cells }, invalid).map(Some);
                }
                csv_core::ReadRecordResult::End => {
                    self.done = true;
                    return Ok(None);
                }
            }
        }
    }
}

impl CsvRows {
    /// The row, or a [`BadRow`] when its quotes look wrong or it holds bytes
    /// that are not the encoding (`invalid`; warnings instead with `replace_invalid`).
    fn checked(&mut self, row: Row, invalid: bool) -> Result<Row, Error> {
        let bad = |kind, faults, row: Row| {
            Err(Error::BadRow(Box::new(BadRow {
                path: self.path.clone(),
                line: row.line,
                kind,
                faults,
                cells: row.cells,
            })))
        };
        if let Some(fault) = self.watch.finish() {
            let mut row = row;
            let mut message = fault.message;
            if !fault.rest.is_empty() {
                // Only the line where the quote opened is lost: the lines
                // the quoted field swallowed are read again, as rows.
                let again = fault.line + 1;
                let body = fault.rest.trim_ascii_end();
                let last = again + body.iter().filter(|b| **b == b'\n').count() as u64;
                row.cells.truncate(fault.field + 1);
                if let Some(cell) = row.cells.get_mut(fault.field)
                    && let Some(at) = cell.find('\n')
                {
                    cell.truncate(at);
                    if cell.ends_with('\r') {
                        cell.pop();
                    }
                }
                let lines =
                    if again >= last { format!("line {again}") } else { format!("lines {again} to {last}") };
                message.push_str(&format!(
                    "; line {} is rejected, and {lines}, which the quote swallowed, are read again as rows of their own",
                    fault.line
                ));
                self.source.unread(fault.rest);
                self.core.reset();
                self.core.set_line(again);
            }
            let faults = vec![RowFault { line: fault.line, column: None, message }];
            return bad(fault.kind, faults, row);
        }
        if !invalid {
            return Ok(row);
        }
        let mut faults = Vec::new();
        let mut line = row.line;
        for (i, cell) in row.cells.iter().enumerate() {
            if let Some(at) = cell.find('\u{FFFD}') {
                let count = cell.matches('\u{FFFD}').count();
                self.located += count as u64;
                let column = self.headers.get(i).cloned().unwrap_or_else(|| column_name(i + 1));
                let what = if count == 1 {
                    "a byte sequence".to_string()
                } else {
                    format!("{count} byte sequences")
                };
                let message = if self.replace_invalid {
                    format!("{what} not valid `{}`, read as `\u{FFFD}`", self.encoding)
                } else {
                    format!(
                        "{what} not valid `{}`: fix the bytes, name the file's encoding with `--input-encoding`, or pass `--replace` to read them as `\u{FFFD}`",
                        self.encoding
                    )
                };
                let here = line + cell[..at].matches('\n').count() as u64;
                faults.push(RowFault { line: here, column: Some(column), message });
            }
            line += cell.matches('\n').count() as u64;
        }
        if faults.is_empty() {
            return Ok(row);
        }
        if self.replace_invalid {
            for fault in faults {
                self.warnings.push(ProblemKind::InvalidBytes, fault);
            }
            return Ok(row);
        }
        bad(ProblemKind::InvalidBytes, faults, row)
    }
}

impl RawRows for CsvRows {
    fn raw(&mut self) -> Option<Piece> {
        if self.done {
            return None;
        }
        let row = self.read_row().transpose()?;
        Some(Piece { row, end: self.end })
    }
}

/// Picks the delimiter of CSV text: the candidate that splits the first records
/// into the same number of fields most consistently (counting outside quotes).
///
/// `complete` says whether `text` is the whole file; if not, its last record
/// may be cut and is ignored.
pub fn sniff_delimiter(text: &str, complete: bool) -> u8 {
    let mut records = quote_aware_counts(text);
    if !complete && records.len() > 1 {
        records.pop();
    }
    records.truncate(SNIFF_RECORDS);
    if records.is_empty() {
        return b',';
    }
    let mut best: Option<(u8, (u64, bool, usize))> = None;
    for (index, &candidate) in CANDIDATES.iter().enumerate() {
        let counts: Vec<usize> = records.iter().map(|r| r[index]).collect();
        let mode = mode(&counts);
        if mode == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&c| c == mode).count();
        // Consistency first (per mille, so a tie is a tie), then a header that
        // has the delimiter too, then more fields.
        let score = ((agreeing as u64 * 1000) / counts.len() as u64, counts[0] > 0, mode);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map_or(b',', |(d, _)| d)
}

/// The most common value (the larger one on a tie).
fn mode(counts: &[usize]) -> usize {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let (mut best, mut best_run, mut run) = (0, 0, 0);
    for (i, &c) in sorted.iter().enumerate() {
        run = if i > 0 && sorted[i - 1] == c { run + 1 } else { 1 };
        if run >= best_run {
            best = c;
            best_run = run;
        }
    }
    best
}

/// For each record of `text` (line breaks inside quotes do not end a record),
/// how often each candidate delimiter occurs outside quotes. Blank lines are
/// skipped, as the csv reader skips them.
fn quote_aware_counts(text: &str) -> Vec<[usize; 4]> {
    let mut records = Vec::new();
    let mut counts = [0usize; 4];
    let mut in_quotes = false;
    let mut blank = true;
    for byte in text.bytes() {
        match byte {
            b'"' => {
                in_quotes = !in_quotes;
                blank = false;
            }
            b'\n' | b'\r' if !in_quotes => {
                if !blank {
                    records.push(counts);
                }
                counts = [0; 4];
                blank = true;
            }
            _ if !in_quotes => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == byte) {
                    counts[i] += 1;
                }
                blank = false;
            }
            _ => {}
        }
    }
    if !blank {
        records.push(counts);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_each_delimiter() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2,5;3\n4;5,1;6\n", true), b';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n", true), b'\t');
        assert_eq!(sniff_delimiter("a|b|c\n1|2|3\n", true), b'|');
    }

    #[test]
    fn delimiters_inside_quotes_do_not_count() {
        let text = "name;note\n\"Doe, John\";\"a, b, c\nd, e\"\n\"Roe, Jane\";x\n";
        assert_eq!(sniff_delimiter(text, true), b';');
    }

    #[test]
    fn a_single_column_defaults_to_comma() {
        assert_eq!(sniff_delimiter("name\nAnn\nBob\n", true), b',');
        assert_eq!(sniff_delimiter("", true), b',');
    }

    #[test]
    fn decimal_commas_lose_to_semicolons() {
        let text = "id;amount;rate\n1;2,50;0,1\n2;3,75;0,2\n3;1;0\n";
        assert_eq!(sniff_delimiter(text, true), b';');
    }

    #[test]
    fn sep_lines_name_one_delimiter() {
        assert_eq!(sep_line("sep=;\r\na;b\r\n"), Some(b';'));
        assert_eq!(sep_line("SEP=|\na|b"), Some(b'|'));
        assert_eq!(sep_line("sep=\t\n"), Some(b'\t'));
        assert_eq!(sep_line("sep=,"), Some(b','));
        assert_eq!(sep_line("sep=x\n"), None);
        assert_eq!(sep_line("sep=;;\n"), None);
        assert_eq!(sep_line("separator,b\n"), None);
        assert_eq!(after_sep_line("sep=;\r\na;b\r\n", true), "a;b\r\n");
    }

    #[test]
    fn title_lines_are_single_values_above_a_header_of_names() {
        assert_eq!(title_lines("Report\r\nID,Name\r\n1,Ann\r\n", b','), 1);
        assert_eq!(title_lines("Report\r\n2024-05-01,,\r\nID,Name,X\r\n", b','), 2);
        assert_eq!(title_lines("ID,Name\r\n1,Ann\r\n", b','), 0);
        assert_eq!(title_lines("Name\nAnn\nBob\n", b','), 0);
        assert_eq!(title_lines("ID,,\n1,2,3\n", b','), 0);
        assert_eq!(title_lines("a\nb\nc\nd\ne\nf\nID,Name\n", b','), 0);
    }
}
