//! The error report of a job: its rejected rows, in the upload's own columns,
//! plus where each came from and what is wrong; and its warning report: each
//! warning of a staged row (a value dropped, truncated or ignored) with the
//! row, in the same columns plus `column` and `warning`.
//!
//! Columns: the headers of the files that have rejected rows (a column name
//! shared by two files is one column), then `package` (only when the job has
//! several packages), `file`, `line` (the physical line of the legacy file,
//! header = line 1, as `check`, `staged` and `review` name it) and `error`.
//! Written with [`crate::csvout::ExcelCsv`] (UTF-8 with BOM, CRLF, quoted,
//! formulas neutralised).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::Error;
use crate::csvout::ExcelCsv;
use crate::job::{self, Job};
use crate::store::Store;

/// What [`write_errors`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    pub job: Job,
    pub out: String,
    pub rows: u64,
    pub columns: Vec<String>,
}

/// Writes the rejected rows of `job` to `out` (an existing `out` is replaced only with `force`).
pub fn write_errors(store: &Store, job: &str, out: &Path, force: bool) -> Result<ErrorReport, Error> {
    write_rows(store, job, out, force, Rows::Rejected)
}

/// Writes each warning of `job` with its row to `out`: the upload's columns,
/// then `file`, `line`, `column` and `warning` (an existing `out` is replaced
/// only with `force`).
pub fn write_warnings(store: &Store, job: &str, out: &Path, force: bool) -> Result<ErrorReport, Error> {
    write_rows(store, job, out, force, Rows::Warnings)
}

/// Which rows a report holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// The rejected rows, each with its reason (`ferry errors`).
    Rejected,
    /// Each warning of a staged row, with its column (`ferry warnings`).
    Warnings,
}

fn write_rows(store: &Store, job: &str, out: &Path, force: bool, which: Rows) -> Result<ErrorReport, Error> {
    let db = store.db();
    let job = job::find(db, job)?;
    let packages: i64 =
        db.query_row("SELECT count(*) FROM job_packages WHERE job_id = ?1", [job.id], |r| r.get(0))?;

    // The files with rejected rows, their headers, and the shared column list.
    let mut files: HashMap<i64, (String, String, Vec<usize>)> = HashMap::new();
    let mut columns: Vec<String> = Vec::new();
    {
        let has_rows = match which {
            Rows::Rejected => "EXISTS (SELECT 1 FROM rejected r WHERE r.file_id = f.id)",
            Rows::Warnings => {
                "EXISTS (SELECT 1 FROM problems w WHERE w.file_id = f.id AND w.cells IS NOT NULL)"
            }
        };
        let mut st = db.prepare(&format!(
            "SELECT f.id, f.file, f.headers, coalesce(p.path, '') FROM job_files f
                 LEFT JOIN job_packages p ON p.job_id = f.job_id AND p.seq = f.package_seq
                 WHERE f.job_id = ?1 AND {has_rows} ORDER BY f.id"
        ))?;
        let rows = st.query_map([job.id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        for row in rows {
            let (id, file, headers, package) = row?;
            let headers: Vec<String> = serde_json::from_str(&headers).map_err(|e| {
                Error::unreadable(db.path(), format!("the headers of `{file}` of job {}", job.id), e)
            })?;
            let mut positions = Vec::with_capacity(headers.len());
            for h in headers {
                let pos = match columns.iter().position(|c| *c == h) {
                    Some(p) => p,
                    None => {
                        columns.push(h);
                        columns.len() - 1
                    }
                };
                positions.push(pos);
            }
            let package_name =
                Path::new(&package).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(package);
            files.insert(id, (file, package_name, positions));
        }
    }
    let data_columns = columns.len();
    let mut extra = Vec::new();
    if packages > 1 {
        extra.push("package");
    }
    match which {
        Rows::Rejected => extra.extend(["file", "line", "error"]),
        Rows::Warnings => extra.extend(["file", "line", "column", "warning"]),
    }
    for name in extra {
        let mut name = name.to_string();
        while columns.contains(&name) {
            name.push_str(" (ferry)");
        }
        columns.push(name);
    }

    let mut csv = ExcelCsv::create(out, force)?;
    csv.row(&columns)?;
    let sql = match which {
        Rows::Rejected => {
            "SELECT file_id, line, cells, reason, NULL FROM rejected WHERE job_id = ?1 ORDER BY file_id, line, id"
        }
        Rows::Warnings => {
            "SELECT file_id, line, cells, message, coalesce(column_name, '') FROM problems
             WHERE job_id = ?1 AND severity = 'warning' AND cells IS NOT NULL ORDER BY file_id, line, id"
        }
    };
    let mut st = db.prepare(sql)?;
    let mut rows = st.query([job.id])?;
    let mut count = 0;
    while let Some(r) = rows.next()? {
        let file_id: i64 = r.get(0)?;
        let line: u64 = r.get(1)?;
        let cells: String = r.get(2)?;
        let reason: String = r.get(3)?;
        let column: Option<String> = r.get(4)?;
        let cells: Vec<String> = serde_json::from_str(&cells)
            .map_err(|e| Error::unreadable(db.path(), format!("a rejected row of job {}", job.id), e))?;
        let (file, package, positions) = files.get(&file_id).expect("file listed above");
        let mut out_row = vec![String::new(); data_columns];
        let mut extra_cells = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            match positions.get(i) {
                Some(pos) => out_row[*pos] = cell,
                None => extra_cells.push(cell),
            }
        }
        // A ragged row's surplus cells have no column: keep them in the reason.
        let reason = if extra_cells.is_empty() {
            reason
        } else {
            format!("{reason} (cells beyond the header: {})", extra_cells.join(" | "))
        };
        if packages > 1 {
            out_row.push(package.clone());
        }
        out_row.push(file.clone());
        out_row.push(line.to_string());
        if let Some(column) = column {
            out_row.push(column);
        }
        out_row.push(reason);
        csv.row(&out_row)?;
        count += 1;
    }
    csv.finish()?;
    Ok(ErrorReport { job, out: out.display().to_string(), rows: count, columns })
}

/// One warning of a job: where, and why.
#[derive(Debug, Clone, Serialize)]
pub struct JobWarning {
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub kind: String,
    pub warning: String,
}

/// The warnings of `job` (values dropped, truncated, ignored), in file and line order.
pub fn warnings(store: &Store, job: &str) -> Result<(Job, Vec<JobWarning>), Error> {
    let db = store.db();
    let job = job::find(db, job)?;
    let mut st = db.prepare(
        "SELECT coalesce(f.file, ''), p.line, p.column_name, p.value, p.kind, p.message FROM problems p
             LEFT JOIN job_files f ON f.id = p.file_id
             WHERE p.job_id = ?1 AND p.severity = 'warning' ORDER BY p.file_id, p.line, p.id",
    )?;
    let rows = st.query_map([job.id], |r| {
        Ok(JobWarning {
            file: r.get(0)?,
            line: r.get(1)?,
            column: r.get(2)?,
            value: r.get(3)?,
            kind: r.get(4)?,
            warning: r.get(5)?,
        })
    })?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?);
    }
    Ok((job, out))
}
