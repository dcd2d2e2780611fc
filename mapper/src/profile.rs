//! Profiling legacy files: encoding, delimiter, rows, columns, and per column
//! samples, distinct values, empties and the inferred kind.
//!
//! Samples and distinct values come from the first [`SAMPLE_RECORDS`] records;
//! counts (rows, empties) cover the whole file, unless
//! [`ProfileOptions::count_rows`] is off: then reading stops after the sample
//! records, which is what makes profiling a 1 GB export take a blink.
//! [`infer_kind`] (in `infer`) tells what a column's values look like; the
//! mapping session uses it too.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::read::{self, ReadOptions, TableInfo};

mod dates;
mod infer;

pub use dates::{Ambiguity, DATE_SHARE, DateFormats, FormatCount, Proposal, month_first};
pub use infer::{infer_kind, truth};

/// How many records samples and distinct values are taken from.
pub const SAMPLE_RECORDS: usize = 1000;

/// Choices for profiling.
#[derive(Debug, Clone)]
pub struct ProfileOptions {
    /// Most sample values kept per column.
    pub samples: usize,
    /// Most distinct values kept per column (beyond it, `distinct_capped` is set).
    pub distinct_cap: usize,
    /// False: stop after the sample records (no full row count).
    pub count_rows: bool,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions { samples: 5, distinct_cap: 50, count_rows: true }
    }
}

/// The profile of one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileProfile {
    pub info: TableInfo,
    /// Data rows (the header excluded); `None` when not counted.
    pub rows: Option<u64>,
    /// Undecodable byte sequences met (each read as U+FFFD); more than zero
    /// usually means the encoding is wrong.
    pub undecodable: u64,
    pub columns: Vec<ColumnProfile>,
}

/// The profile of one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnProfile {
    pub name: String,
    /// Up to `samples` non-empty values from the first records, first seen first.
    pub samples: Vec<String>,
    /// Distinct non-empty values of the first records, first seen first, up to the cap.
    pub distinct: Vec<String>,
    /// True when there were more distinct values than the cap.
    pub distinct_capped: bool,
    /// Empty cells (over the rows counted).
    pub empty: u64,
    pub kind: InferredKind,
    /// For a column of dates (in one format or several): every format seen,
    /// with counts, and the day/month ambiguity per pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dates: Option<DateFormats>,
    /// Values of the sample records that exports write for "no value"
    /// (`N/A`, `NULL`, `-`, `0/0/00` …, see [`NULL_TOKENS`]), as written,
    /// with their counts. They are left out of the samples, the distinct
    /// values and the kind's inference; `map --auto` proposes them as the
    /// mapping's `nullValues`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nulls: Vec<NullSeen>,
    /// Cells past the header's last column, of ragged rows: no column a
    /// template can name (the rows are refused until they are fixed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub past_header: bool,
    /// Sampled values an export damaged before ferry read them, by kind.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub damaged: Vec<DamageSeen>,
}

/// Values of one kind of damage in a column: `mojibake` (UTF-8 once read as
/// Windows-1252, `JosÃ©`, which conversion repairs) or `lostDigits` (a
/// number a spreadsheet shortened, `4.16556E+09`, which nothing can).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DamageSeen {
    pub kind: &'static str,
    pub count: u64,
    /// The first value seen.
    pub example: String,
}

/// A value meaning "no value", as a column writes it, and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NullSeen {
    pub value: String,
    pub count: u64,
}

/// What exports write for "no value", compared ignoring case: spreadsheet
/// and database placeholders, a spreadsheet's error values (`#VALUE!`), a
/// lone `?`, dashes, and the zero dates of Outlook and of other exports. A
/// word such as `none` or `unknown` is not among them: it can be a value (a
/// gender, a title).
pub const NULL_TOKENS: &[&str] = &[
    "n/a",
    "#n/a",
    "#value!",
    "#ref!",
    "#name?",
    "#div/0!",
    "#num!",
    "#null!",
    "?",
    "null",
    "(null)",
    "(none)",
    "-",
    "--",
    "0/0/00",
    "00/00/00",
    "00/00/0000",
    "00.00.0000",
    "0000-00-00",
];

/// True when `value` (trimmed) is one of [`NULL_TOKENS`].
pub fn is_null_token(value: &str) -> bool {
    let value = value.trim();
    NULL_TOKENS.iter().any(|t| t.eq_ignore_ascii_case(value))
}

/// What a column's values look like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum InferredKind {
    /// Dates in `format` (strftime); `ambiguous` when day and month could be swapped
    /// (every value has both ≤ 12), with the other reading in `alternative`.
    Date {
        format: String,
        ambiguous: bool,
        alternative: Option<String>,
    },
    Timestamp {
        format: String,
    },
    Integer,
    Decimal,
    Boolean,
    Email,
    Phone,
    Zip,
    Text,
    /// Every sampled value was empty.
    Empty,
}

/// Profiles one legacy file.
pub fn profile_file(path: &Path, read: &ReadOptions, options: &ProfileOptions) -> Result<FileProfile, Error> {
    // A profile looks at what it can read: bad bytes as U+FFFD (counted), and
    // rows that cannot be read at all are left out.
    let read = ReadOptions { replace_invalid: true, ..read.clone() };
    let mut table = read::open(path, &read)?;
    let mut columns: Vec<ColumnState> = table.headers.iter().map(|h| ColumnState::new(h.clone())).collect();
    let headers = columns.len();
    let mut rows = 0u64;
    let mut complete = true;
    for row in table.by_ref() {
        if rows as usize == SAMPLE_RECORDS && !options.count_rows {
            complete = false;
            break;
        }
        let row = match row {
            Ok(row) => row,
            Err(Error::BadRow(_)) => continue,
            Err(e) => return Err(e),
        };
        rows += 1;
        // A ragged row wider than the header still shows its extra cells
        // (empty ones, a trailing delimiter, add no column).
        let width = row.cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1);
        while columns.len() < width {
            let mut extra = ColumnState::new(read::column_name(columns.len() + 1));
            extra.empty = rows - 1;
            extra.past_header = true;
            columns.push(extra);
        }
        let sampling = rows as usize <= SAMPLE_RECORDS;
        // A row wider than the header is refused until fixed: its values sit
        // under the wrong names, so they tell nothing of the header's columns.
        let shifted = width > headers;
        for (index, column) in columns.iter_mut().enumerate() {
            if shifted && index < headers {
                continue;
            }
            let value = row.cell(index).trim();
            if value.is_empty() {
                column.empty += 1;
            } else if sampling {
                column.sample(value, options);
            }
        }
    }
    let undecodable = table.undecodable();
    Ok(FileProfile {
        info: table.info,
        rows: complete.then_some(rows),
        undecodable,
        columns: columns.into_iter().map(ColumnState::finish).collect(),
    })
}

/// A column being profiled.
struct ColumnState {
    name: String,
    /// Every non-empty value of the sample records, for inference.
    values: Vec<String>,
    samples: Vec<String>,
    distinct: Vec<String>,
    seen: HashSet<String>,
    distinct_capped: bool,
    empty: u64,
    nulls: Vec<NullSeen>,
    past_header: bool,
    damaged: Vec<DamageSeen>,
}

impl ColumnState {
    fn new(name: String) -> ColumnState {
        ColumnState {
            past_header: false,
            damaged: Vec::new(),
            name,
            values: Vec::new(),
            samples: Vec::new(),
            distinct: Vec::new(),
            seen: HashSet::new(),
            distinct_capped: false,
            empty: 0,
            nulls: Vec::new(),
        }
    }

    fn sample(&mut self, value: &str, options: &ProfileOptions) {
        if is_null_token(value) {
            match self.nulls.iter_mut().find(|n| n.value == value) {
                Some(seen) => seen.count += 1,
                None => self.nulls.push(NullSeen { value: value.to_string(), count: 1 }),
            }
            return;
        }
        let damage = if crate::mojibake::repair(value).is_some() {
            Some("mojibake")
        } else if crate::convert::lost_digits(value) {
            Some("lostDigits")
        } else {
            None
        };
        if let Some(kind) = damage {
            match self.damaged.iter_mut().find(|d| d.kind == kind) {
                Some(seen) => seen.count += 1,
                None => self.damaged.push(DamageSeen { kind, count: 1, example: value.to_string() }),
            }
        }
        self.values.push(value.to_string());
        if self.seen.contains(value) {
            return;
        }
        // Samples are distinct: five copies of `Toronto` tell nothing.
        if self.samples.len() < options.samples {
            self.samples.push(value.to_string());
        }
        if self.distinct.len() < options.distinct_cap {
            self.distinct.push(value.to_string());
            self.seen.insert(value.to_string());
        } else {
            self.distinct_capped = true;
        }
    }

    fn finish(self) -> ColumnProfile {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        let kind = infer_kind(&values, &self.name);
        let dates = date_formats(&kind, &values);
        ColumnProfile {
            name: self.name,
            samples: self.samples,
            distinct: self.distinct,
            distinct_capped: self.distinct_capped,
            empty: self.empty,
            kind,
            dates,
            nulls: self.nulls,
            past_header: self.past_header,
            damaged: self.damaged,
        }
    }
}

/// The date formats of a column that holds dates, in one format or several.
pub fn date_formats(kind: &InferredKind, values: &[&str]) -> Option<DateFormats> {
    match kind {
        InferredKind::Empty
        | InferredKind::Boolean
        | InferredKind::Email
        | InferredKind::Timestamp { .. } => None,
        _ => DateFormats::of(values),
    }
}
