//! Writing packages: `ferry pack`.
//!
//! [`pack`] reads the legacy files of a template (through
//! `ferry_mapper::read`), keeps the mapped columns (raw values: the runner
//! converts), encodes them in the package encoding and writes one or more
//! packages, each at most `max_size` bytes:
//!
//! 1. child files (those with a parent link) are read first; their encoded
//!    rows go to a scratch file, indexed by the parent id they point at;
//! 2. parent files are read in order; each parent row and its child rows
//!    form a *group*, appended to a chunk of about `max_size / 8` bytes;
//! 3. a full chunk is compressed member by member into independent DEFLATE
//!    pieces whose exact size is then known: if they fit in the current
//!    package they are appended to its scratch member files, otherwise the
//!    chunk is halved (by groups) until the package is full, and the rest
//!    starts the next package. So packages are filled to within about 2 % of
//!    the cap, nothing is compressed more than a few times, and a parent row
//!    never leaves its children;
//! 4. each finished package is assembled in an unnamed scratch file in the
//!    destination folder, read back with [`crate::read::Package`] and
//!    checked; only when all are good are they copied to their names
//!    (`PKG.zip`, or `PKG-1.zip`, `PKG-2.zip` …) through a rename.
//!
//! Scratch files have no name, or are `ferry_mapper::fsutil` scratch files
//! that a later run removes, so an interrupted run leaves nothing behind. An
//! existing package or error CSV is replaced only with `force` (`outputs`).
//! Member order, timestamps (1980-01-01) and the compression level are fixed,
//! so the same input gives byte-identical packages. Memory holds one chunk
//! and the child index (16 bytes and a bit per child row), not the data.
//!
//! The modules: `plan` (member names, parent links, written columns),
//! `children` (the child index), `chunk` (groups waiting to be placed),
//! `package` (filling, assembling and verifying packages) and `outputs`
//! (naming the packages and the error CSVs, refusing existing ones).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ferry_mapper::read::{ReadOptions, Row, Table};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FileMapping, MappingTemplate};
use serde::Serialize;

use crate::Error;
pub use ferry_mapper::progress::{NoReporter, Reporter};
use ferry_mapper::progress::{Stage, Throttle};

mod children;
mod chunk;
mod outputs;
mod package;
mod plan;

pub use outputs::refuse_existing;

use children::ChildIndex;
use chunk::Chunk;
use package::{Run, scratch_err};
use plan::{Layout, Plan, column_index};

/// The default size cap: 10 MiB (10 × 1024 × 1024 bytes).
pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

/// What to pack.
#[derive(Debug, Clone)]
pub struct PackOptions {
    /// The data location holding the template's files.
    pub data_dir: PathBuf,
    pub template: MappingTemplate,
    pub target: TargetDefinition,
    /// How to read the legacy files.
    pub read: ReadOptions,
    /// `PKG.zip`; split packages are `PKG-1.zip`, `PKG-2.zip` …
    pub out: PathBuf,
    /// No package is larger than this many bytes.
    pub max_size: u64,
    /// Overrides the template's package encoding.
    pub encoding: Option<String>,
    /// Write `?` for characters the encoding cannot hold instead of failing.
    pub replace: bool,
    /// Rows to leave out (by file name, then line), with the reason; they go
    /// to an error CSV per file beside the package (from `check`).
    pub rejected: HashMap<String, HashMap<u64, String>>,
    /// Replace existing packages and error CSVs (without it, one that exists
    /// refuses the pack before anything is read).
    pub force: bool,
}

/// Where the rows of the template's files come from.
pub trait Source {
    fn open(&self, file: &FileMapping) -> Result<Table, Error>;
}

/// The legacy files of a data location, through `ferry_mapper::read`.
pub struct LegacySource<'a> {
    pub dir: &'a Path,
    pub read: &'a ReadOptions,
}

impl Source for LegacySource<'_> {
    fn open(&self, file: &FileMapping) -> Result<Table, Error> {
        Ok(ferry_mapper::read::open(&self.dir.join(&file.name), self.read)?)
    }
}

/// What a pack wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PackReport {
    pub packages: Vec<PackageReport>,
    /// Error CSVs written beside the packages.
    pub rejected: Vec<RejectedReport>,
    /// Packages of an earlier run that this run's names replaced (`PKG.zip` after a split …).
    pub removed: Vec<PathBuf>,
    pub encoding: String,
    pub max_size: u64,
}

/// One package written.
#[derive(Debug, Clone, Serialize)]
pub struct PackageReport {
    pub path: PathBuf,
    pub size: u64,
    pub files: Vec<FileRows>,
}

/// Rows of one CSV member.
#[derive(Debug, Clone, Serialize)]
pub struct FileRows {
    pub name: String,
    pub rows: u64,
}

/// Rows left out of the packages, and where they went.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedReport {
    pub file: String,
    pub rows: u64,
    pub path: PathBuf,
}

/// Packs the template's files from the data location.
pub fn pack(options: &PackOptions, reporter: &dyn Reporter) -> Result<PackReport, Error> {
    build(options, reporter)?.publish()
}

/// Builds and verifies the packages of the template's files in unnamed
/// scratch files, without giving them their names: [`Built::publish`] does,
/// and dropping a [`Built`] leaves nothing behind (so a caller can build
/// while it checks the same data, and keep the packages only if it passes).
pub fn build<'a>(options: &'a PackOptions, reporter: &'a dyn Reporter) -> Result<Built<'a>, Error> {
    build_from(options, &LegacySource { dir: &options.data_dir, read: &options.read }, reporter)
}

/// Packages built and verified, not yet named; see [`build`].
pub struct Built<'a> {
    run: Run<'a>,
}

impl Built<'_> {
    /// Gives the packages (and error CSVs) their names, replacing an
    /// earlier run's; reports what was written.
    pub fn publish(self) -> Result<PackReport, Error> {
        self.run.publish()
    }

    /// How many packages were built.
    pub fn packages(&self) -> usize {
        self.run.finished.len()
    }
}

fn fail(message: impl Into<String>) -> Error {
    Error::Pack { message: message.into() }
}

/// The CSV member name of a legacy file: its stem plus `.csv`.
pub fn member_name(file: &str) -> String {
    let stem =
        Path::new(file).file_stem().map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    format!("{stem}.csv")
}

/// Packs from any [`Source`] (tests feed rows without the legacy readers).
pub fn pack_from(
    options: &PackOptions,
    source: &dyn Source,
    reporter: &dyn Reporter,
) -> Result<PackReport, Error> {
    build_from(options, source, reporter)?.publish()
}

/// Builds from any [`Source`]; see [`build`].
pub fn build_from<'a>(
    options: &'a PackOptions,
    source: &dyn Source,
    reporter: &'a dyn Reporter,
) -> Result<Built<'a>, Error> {
    let label = options.encoding.clone().unwrap_or_else(|| options.template.encoding.clone());
    let encoding = ferry_mapper::read::encoding_for_label(&label).ok_or_else(|| {
        fail(format!("unknown encoding `{label}` (use a label such as `UTF-8`, `windows-1252`)"))
    })?;
    if !crate::encode::writable(encoding) {
        return Err(fail(format!("packages cannot be written in `{}`", encoding.name())));
    }
    let out_dir = match options.out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !out_dir.is_dir() {
        return Err(fail(format!("the folder of `{}` does not exist", options.out.display())));
    }
    outputs::refuse_existing(options)?;
    // A ready-made template skips the mappings of columns this export lacks, as `check` does.
    let files = if options.template.ready_made {
        plan::ready_made_files(&options.template.files, source)?
    } else {
        options.template.files.clone()
    };
    let (mut plans, template) = plan::plan(options, &files, encoding)?;
    let mut run = Run::new(options, reporter, template, encoding, out_dir, files)?;

    // Pass 1: child files into scratch files, indexed by parent id.
    let children = index_children(&mut run, source, &mut plans)?;

    // Pass 2: parent (and stand-alone) files, each row with its children.
    let files = &run.files.clone();
    let mut tables: Vec<Option<(Table, Layout)>> = Vec::new();
    for (i, plan) in plans.iter_mut().enumerate() {
        if plan.parent.is_some() {
            tables.push(None);
            continue;
        }
        let table = source.open(&files[i])?;
        let layout = Layout::new(&files[i], &table.headers, files, i)?;
        plan.columns = layout.columns.clone();
        tables.push(Some((table, layout)));
    }
    let columns: Vec<&[String]> = plans.iter().map(|p| p.columns.as_slice()).collect();
    run.set_headers(&columns)?;
    let mut groups = Groups {
        children,
        chunk: Chunk::new(plans.len()),
        target: (options.max_size / 8).clamp(64 * 1024, 2 * 1024 * 1024) as usize,
    };
    for (i, t) in tables.into_iter().enumerate() {
        let Some((table, layout)) = t else { continue };
        pack_parent(&mut run, &plans, i, table, &layout, &mut groups)?;
    }

    // Child rows whose parent was rejected go to the error CSV; true orphans
    // travel in groups of their own (the runner reports them).
    let mut orphans_of: Vec<(usize, Vec<u64>)> = Vec::new();
    let Groups { children, chunk, target } = &mut groups;
    for (&c, index) in children.iter_mut() {
        let mut rejected_lines = Vec::new();
        for (key, lines) in index.untaken()? {
            if run.rejected_keys[c].contains(&key) {
                rejected_lines.extend(lines);
                index.drop_key(&key)?;
            } else {
                index.take(&key, &mut chunk.bufs[c], &mut chunk.rows[c])?;
                chunk.end_group(|| format!("`{}` rows with parent `{key}`", files[c].name));
                if chunk.size() >= *target {
                    run.flush(chunk)?;
                }
            }
        }
        if !rejected_lines.is_empty() {
            orphans_of.push((c, rejected_lines));
        }
    }
    run.flush(chunk)?;
    orphans_of.sort();
    for (c, lines) in orphans_of {
        let parent = &files[plans[c].parent.expect("child")].name;
        reject_orphans(&mut run, source, &files[c], parent, lines)?;
    }
    run.finish_package()?;
    Ok(Built { run })
}

/// Reads every child file (in file order, so leftover rows go out in the same
/// order every run) into its [`ChildIndex`], encoded, keyed by parent id.
fn index_children(
    run: &mut Run<'_>,
    source: &dyn Source,
    plans: &mut [Plan],
) -> Result<BTreeMap<usize, ChildIndex>, Error> {
    let files = &run.files.clone();
    let mut children = BTreeMap::new();
    for (i, plan) in plans.iter_mut().enumerate() {
        if plan.parent.is_none() {
            continue;
        }
        let file = &files[i];
        run.reporter.on_stage(Stage::File(&file.name), None);
        let table = source.open(file)?;
        let layout = Layout::new(file, &table.headers, files, i)?;
        plan.columns = layout.columns.clone();
        let link = file.parent.as_ref().expect("child");
        let key_at = column_index(&table.headers, &link.column, &file.name)?;
        let mut index = ChildIndex::new()?;
        each_row(run, file, table, &layout, |_, row, encoded| match encoded {
            Some(bytes) => index.push(row.cell(key_at), row.line, bytes),
            None => Ok(()),
        })?;
        index.finish()?;
        children.insert(i, index);
    }
    Ok(children)
}

/// The groups of pass 2: the child indexes they take rows from, and the chunk
/// they wait in until it holds about `target` bytes.
struct Groups {
    children: BTreeMap<usize, ChildIndex>,
    chunk: Chunk,
    target: usize,
}

/// Reads parent (or stand-alone) file `i`: each row, with the child rows it
/// takes from the child indexes, is one group of the chunk; a full chunk is
/// placed in packages.
fn pack_parent(
    run: &mut Run<'_>,
    plans: &[Plan],
    i: usize,
    table: Table,
    layout: &Layout,
    groups: &mut Groups,
) -> Result<(), Error> {
    let Groups { children, chunk, target } = groups;
    let files = &run.files.clone();
    let file = &files[i];
    run.reporter.on_stage(Stage::File(&file.name), None);
    let headers = table.headers.clone();
    let key_cols: Vec<(usize, usize)> = plans[i]
        .children
        .iter()
        .map(|&c| {
            let link = files[c].parent.as_ref().expect("child");
            column_index(&headers, &link.parent_column, &file.name).map(|k| (c, k))
        })
        .collect::<Result<_, _>>()?;
    each_row(run, file, table, layout, |run, row, encoded| {
        let Some(bytes) = encoded else {
            // Its child rows follow it into the error CSV.
            for &(c, k) in &key_cols {
                run.rejected_keys[c].insert(row.cell(k).to_string());
            }
            return Ok(());
        };
        chunk.bufs[i].extend_from_slice(bytes);
        chunk.rows[i] += 1;
        for &(c, k) in &key_cols {
            let index = children.get_mut(&c).expect("indexed");
            index.take(row.cell(k), &mut chunk.bufs[c], &mut chunk.rows[c])?;
        }
        chunk.end_group(|| format!("`{}` line {}", file.name, row.line));
        if chunk.size() >= *target {
            run.flush(chunk)?;
        }
        Ok(())
    })
}

/// Reads every row of `file` for the packages: a row that cannot be read,
/// or that `check` rejected, goes to the error CSV (and to `each` without
/// bytes); every other row goes to `each` encoded, with its line last.
fn each_row(
    run: &mut Run<'_>,
    file: &FileMapping,
    table: Table,
    layout: &Layout,
    mut each: impl FnMut(&mut Run<'_>, &Row, Option<&[u8]>) -> Result<(), Error>,
) -> Result<(), Error> {
    let options = run.options;
    let rejected = options.rejected.get(&file.name);
    let headers = table.headers.clone();
    let mut count = Throttle::new(run.reporter, run.rows_read);
    let mut buf = Vec::new();
    for row in table {
        let Some(row) = run.readable(row, &file.name, &headers)? else { continue };
        count.tick();
        if let Some(reason) = rejected.and_then(|m| m.get(&row.line)) {
            run.reject(&file.name, &headers, &row, reason)?;
            each(run, &row, None)?;
            continue;
        }
        buf.clear();
        let line = row.line.to_string();
        run.writer.write_row(
            layout.at.iter().map(|&c| row.cell(c)).chain([line.as_str()]),
            &mut buf,
            &file.name,
            row.line,
            &layout.columns,
        )?;
        each(run, &row, Some(&buf))?;
    }
    count.flush();
    run.rows_read = count.done();
    Ok(())
}

/// Rereads a child file for the rows at `lines`, whose parent row (in
/// `parent`) was rejected, and sends them to its error CSV.
fn reject_orphans(
    run: &mut Run<'_>,
    source: &dyn Source,
    file: &FileMapping,
    parent: &str,
    lines: Vec<u64>,
) -> Result<(), Error> {
    let lines: HashSet<u64> = lines.into_iter().collect();
    let table = source.open(file)?;
    let headers = table.headers.clone();
    for row in table {
        let row = match row {
            Ok(row) => row,
            // Rejected whole in the first reading, with its reason.
            Err(ferry_mapper::Error::BadRow(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        if lines.contains(&row.line) {
            let reason = format!("line {}: its parent row in `{parent}` was rejected", row.line);
            run.reject(&file.name, &headers, &row, &reason)?;
        }
    }
    Ok(())
}
