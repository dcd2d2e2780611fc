//! The files a pack gives names to: the packages (`PKG.zip`, or `PKG-1.zip`,
//! `PKG-2.zip` …) and the error CSV of each file with rejected rows
//! (`PKG.<file>.errors.csv`, through the spreadsheet-safe
//! [`ferry_mapper::csvout::ExcelCsv`]). An existing output is replaced only
//! with `force`; scratch files are [`ferry_mapper::fsutil`]'s, so a killed
//! pack leaves nothing behind that a later run does not remove.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ferry_mapper::csvout::ExcelCsv;
use ferry_mapper::fsutil;

use super::{FileRows, PackOptions, PackReport, PackageReport, RejectedReport, Run};
use crate::Error;

/// `PKG` and `zip` of `--out PKG.zip`.
fn stem_and_ext(out: &Path) -> (String, String) {
    let stem = out.file_stem().map_or_else(|| "package".to_string(), |s| s.to_string_lossy().into_owned());
    let ext = out.extension().map_or_else(|| "zip".to_string(), |s| s.to_string_lossy().into_owned());
    (stem, ext)
}

/// The error CSV of a legacy file: `PKG.<file stem>.errors.csv` beside the package.
fn error_csv_path(out: &Path, file: &str) -> PathBuf {
    let (stem, _) = stem_and_ext(out);
    let file_stem =
        Path::new(file).file_stem().map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.{file_stem}.errors.csv"))
}

/// Numbered packages of an earlier run, from `PKG-1.zip` up to the first gap.
fn numbered_from(out: &Path, first: usize) -> Vec<PathBuf> {
    let (stem, ext) = stem_and_ext(out);
    (first..).map(|n| out.with_file_name(format!("{stem}-{n}.{ext}"))).take_while(|p| p.exists()).collect()
}

/// Without `force`, refuses to start when a file this pack may write or
/// replace exists already.
pub fn refuse_existing(options: &PackOptions) -> Result<(), Error> {
    if options.force {
        return Ok(());
    }
    let out = &options.out;
    let mut names = vec![out.clone()];
    names.extend(numbered_from(out, 1));
    names.extend(options.template.files.iter().map(|f| error_csv_path(out, &f.name)));
    for name in names {
        fsutil::refuse_existing(&name, false)?;
    }
    Ok(())
}

impl Run<'_> {
    /// Writes a rejected row to its file's error CSV: the row's cells, its line
    /// and why it was rejected.
    pub(super) fn reject(
        &mut self,
        file: &str,
        headers: &[String],
        row: &ferry_mapper::read::Row,
        reason: &str,
    ) -> Result<(), Error> {
        if !self.errors.contains_key(file) {
            let path = error_csv_path(&self.options.out, file);
            let mut csv = ExcelCsv::create(&path, self.options.force)?;
            let mut header: Vec<String> = headers.to_vec();
            for extra in ["line", "error"] {
                let mut name = extra.to_string();
                while header.contains(&name) {
                    name.push_str(" (ferry)");
                }
                header.push(name);
            }
            csv.row(&header)?;
            self.errors.insert(file.to_string(), (csv, 0));
        }
        let (csv, n) = self.errors.get_mut(file).expect("inserted");
        let mut record: Vec<&str> = row.cells.iter().map(String::as_str).collect();
        record.resize(headers.len().max(record.len()), "");
        let line = row.line.to_string();
        record.push(&line);
        record.push(reason);
        csv.row(&record)?;
        *n += 1;
        Ok(())
    }

    /// A row as read; a row the reader could not read goes to the error CSV
    /// when `check` rejected it (`None`), and fails the pack otherwise.
    pub(super) fn readable(
        &mut self,
        row: Result<ferry_mapper::read::Row, ferry_mapper::Error>,
        file: &str,
        headers: &[String],
    ) -> Result<Option<ferry_mapper::read::Row>, Error> {
        match row {
            Ok(row) => Ok(Some(row)),
            Err(ferry_mapper::Error::BadRow(bad)) => {
                let rejected = self.options.rejected.get(file);
                let reason = rejected.and_then(|r| {
                    std::iter::once(bad.line).chain(bad.faults.iter().map(|f| f.line)).find_map(|l| r.get(&l))
                });
                match reason {
                    Some(reason) => {
                        let reason = reason.clone();
                        let row = ferry_mapper::read::Row { line: bad.line, cells: bad.cells };
                        self.reject(file, headers, &row, &reason)?;
                        Ok(None)
                    }
                    None => Err(ferry_mapper::Error::BadRow(bad).into()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives the verified packages and error CSVs their names.
    pub(super) fn publish(self) -> Result<PackReport, Error> {
        let out = &self.options.out;
        let force = self.options.force;
        let (stem, ext) = stem_and_ext(out);
        let split = self.finished.len() > 1;
        let names: Vec<PathBuf> = if split {
            (1..=self.finished.len()).map(|n| out.with_file_name(format!("{stem}-{n}.{ext}"))).collect()
        } else {
            vec![out.clone()]
        };
        // All copies are made before any rename, so that a failure leaves the old packages.
        let mut staged = Vec::new();
        for (f, name) in self.finished.iter().zip(&names) {
            staged.push((stage_copy(&f.file, name)?, name.clone()));
        }
        for (tmp, name) in staged {
            fsutil::persist(tmp, &name, force)?;
        }
        let mut rejected = Vec::new();
        let mut error_files: Vec<_> = self.errors.into_iter().collect();
        error_files.sort_by(|a, b| a.0.cmp(&b.0));
        for (file, (csv, n)) in error_files {
            let path = csv.path().to_path_buf();
            csv.finish()?;
            rejected.push(RejectedReport { file, rows: n, path });
        }
        // Names of an earlier run that no longer belong to this one (only
        // with `force`: without it, an existing name refused the pack).
        let mut removed = Vec::new();
        let mut stale: Vec<PathBuf> = Vec::new();
        if split {
            stale.push(out.clone());
        }
        stale.extend(numbered_from(out, if split { self.finished.len() + 1 } else { 1 }));
        for p in stale {
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                removed.push(p);
            }
        }
        let packages = self
            .finished
            .iter()
            .zip(names)
            .map(|(f, path)| PackageReport {
                path,
                size: f.size,
                files: self
                    .template
                    .files
                    .iter()
                    .zip(&f.rows)
                    .map(|(t, r)| FileRows { name: t.name.clone(), rows: *r })
                    .collect(),
            })
            .collect();
        Ok(PackReport {
            packages,
            rejected,
            removed,
            encoding: self.encoding.name().to_string(),
            max_size: self.options.max_size,
        })
    }
}

/// Copies an unnamed scratch file into a scratch file beside `dest`.
fn stage_copy(scratch: &File, dest: &Path) -> Result<tempfile::NamedTempFile, Error> {
    let mut src = scratch.try_clone().map_err(|e| Error::io(dest, e))?;
    src.seek(SeekFrom::Start(0)).map_err(|e| Error::io(dest, e))?;
    let mut tmp = fsutil::scratch_beside(dest)?;
    std::io::copy(&mut src, tmp.as_file_mut()).map_err(|e| Error::io(dest, e))?;
    Ok(tmp)
}
