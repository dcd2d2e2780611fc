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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use ferry_mapper::read::{ReadOptions, Table};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FileMapping, MappingTemplate};
use serde::Serialize;

use crate::Error;
use crate::encode::RowWriter;
use crate::format::{self, FILE_MAPPINGS, TARGET_JSON};
use crate::read::{Limits, Package};
use crate::zipfile::{Deflater, END_RECORD, FINAL_BLOCK, ZipBuilder};

mod children;
mod chunk;
mod layout;
mod outputs;

pub use outputs::refuse_existing;

use children::ChildIndex;
use chunk::Chunk;
use layout::{Layout, column_index, ready_made_files};

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

/// Progress of a pack, reported by the library and drawn by the binary.
pub trait PackReporter {
    /// A legacy file is about to be read.
    fn on_file(&self, _name: &str) {}
    /// `rows` more rows were read.
    fn on_rows(&self, _rows: u64) {}
    /// A package was finished and verified (1-based).
    fn on_package(&self, _number: usize, _size: u64) {}
}

/// A reporter that reports nothing.
pub struct NoReporter;
impl PackReporter for NoReporter {}

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
pub fn pack(options: &PackOptions, reporter: &dyn PackReporter) -> Result<PackReport, Error> {
    build(options, reporter)?.publish()
}

/// Builds and verifies the packages of the template's files in unnamed
/// scratch files, without giving them their names: [`Built::publish`] does,
/// and dropping a [`Built`] leaves nothing behind (so a caller can build
/// while it checks the same data, and keep the packages only if it passes).
pub fn build<'a>(options: &'a PackOptions, reporter: &'a dyn PackReporter) -> Result<Built<'a>, Error> {
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

/// One file of the pack: its place in the structure and its columns.
struct Plan {
    member: String,
    /// Index of the parent file, for child files.
    parent: Option<usize>,
    /// Children of this file.
    children: Vec<usize>,
    /// Header names written (source order, mapped and link columns only).
    columns: Vec<String>,
}

/// Packs from any [`Source`] (tests feed rows without the legacy readers).
pub fn pack_from(
    options: &PackOptions,
    source: &dyn Source,
    reporter: &dyn PackReporter,
) -> Result<PackReport, Error> {
    build_from(options, source, reporter)?.publish()
}

/// Builds from any [`Source`]; see [`build`].
pub fn build_from<'a>(
    options: &'a PackOptions,
    source: &dyn Source,
    reporter: &'a dyn PackReporter,
) -> Result<Built<'a>, Error> {
    let label = options.encoding.clone().unwrap_or_else(|| options.template.encoding.clone());
    let encoding = crate::encode::resolve(&label).ok_or_else(|| {
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

    // The package's own template: CSV member names, canonical encoding.
    // A ready-made template skips the mappings of columns this export lacks, as `check` does.
    let present;
    let files: &[FileMapping] = if options.template.ready_made {
        present = ready_made_files(&options.template.files, source)?;
        &present
    } else {
        &options.template.files
    };
    if files.is_empty() {
        return Err(fail("the template maps no files"));
    }
    let mut plans: Vec<Plan> = Vec::new();
    let mut seen = BTreeSet::new();
    for f in files {
        let member = member_name(&f.name);
        if member.contains(['/', '\\']) || member == FILE_MAPPINGS || member == TARGET_JSON {
            return Err(fail(format!("file `{}` cannot be packed under the name `{member}`", f.name)));
        }
        if !seen.insert(member.clone()) || !seen.insert(format::mappings_member(&member)) {
            return Err(fail(format!("two files of the template would both be packed as `{member}`")));
        }
        plans.push(Plan { member, parent: None, children: Vec::new(), columns: Vec::new() });
    }
    for (i, f) in files.iter().enumerate() {
        if let Some(link) = &f.parent {
            let p = files.iter().position(|g| g.name == link.file).ok_or_else(|| {
                fail(format!(
                    "file `{}` names parent `{}`, which the template does not map",
                    f.name, link.file
                ))
            })?;
            if p == i || files[p].parent.is_some() {
                return Err(fail(format!(
                    "file `{}` links to `{}`, which has a parent itself; pack supports one level of parent links",
                    f.name, link.file
                )));
            }
            plans[i].parent = Some(p);
            plans[p].children.push(i);
        }
    }
    let mut template = options.template.clone();
    template.files = files.to_vec();
    template.schema = None;
    template.encoding = encoding.name().to_string();
    for (f, plan) in template.files.iter_mut().zip(&plans) {
        f.name = plan.member.clone();
        if let Some(link) = &mut f.parent {
            link.file = member_name(&link.file);
        }
    }
    let target_json = serde_json::to_string_pretty(&options.target).expect("targets serialize") + "\n";
    let xml_err = |e: format::UnwritableXml| {
        fail(format!(
            "the {} `{}` holds characters XML cannot carry (control characters, tabs or line breaks)",
            e.what,
            e.value.escape_debug()
        ))
    };
    let mapping_xml: Vec<String> =
        template.files.iter().map(format::write_field_mappings).collect::<Result<_, _>>().map_err(xml_err)?;
    format::write_file_mappings(&template, &[]).map_err(xml_err)?;

    let mut run = Run {
        options,
        reporter,
        template,
        target_json,
        mapping_xml,
        encoding,
        writer: RowWriter::new(encoding, options.replace),
        deflater: Deflater::default(),
        out_dir,
        headers: Vec::new(),
        fixed: 0,
        current: None,
        finished: Vec::new(),
        errors: HashMap::new(),
        rejected_keys: vec![HashSet::new(); plans.len()],
    };

    // Pass 1: child files into scratch files, indexed by parent id.
    // In file order, so leftover rows go out in the same order every run.
    let mut children: BTreeMap<usize, ChildIndex> = BTreeMap::new();
    let mut header_bytes: Vec<Option<Vec<u8>>> = vec![None; plans.len()];
    for i in 0..plans.len() {
        if plans[i].parent.is_none() {
            continue;
        }
        let file = &files[i];
        reporter.on_file(&file.name);
        let table = source.open(file)?;
        let layout = Layout::new(file, &table.headers, files, i)?;
        plans[i].columns = layout.columns.clone();
        let link = file.parent.as_ref().expect("child");
        let key_at = column_index(&table.headers, &link.column, &file.name)?;
        let mut index = ChildIndex::new()?;
        let headers = table.headers.clone();
        let mut buf = Vec::new();
        let mut count = 0u64;
        for row in table {
            let Some(row) = run.readable(row, &file.name, &headers)? else { continue };
            count += 1;
            if count.is_multiple_of(8192) {
                reporter.on_rows(8192);
            }
            if let Some(reason) = options.rejected.get(&file.name).and_then(|m| m.get(&row.line)) {
                run.reject(&file.name, &headers, &row, reason)?;
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
            index.push(row.cell(key_at), row.line, &buf)?;
        }
        reporter.on_rows(count % 8192);
        index.finish()?;
        children.insert(i, index);
    }

    // Pass 2: parent (and stand-alone) files, each row with its children.
    let chunk_target = (options.max_size / 8).clamp(64 * 1024, 2 * 1024 * 1024) as usize;
    let mut chunk = Chunk::new(plans.len());
    let mut tables: Vec<Option<(Table, Layout)>> = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        if plan.parent.is_some() {
            tables.push(None);
            continue;
        }
        let file = &files[i];
        let table = source.open(file)?;
        let layout = Layout::new(file, &table.headers, files, i)?;
        tables.push(Some((table, layout)));
    }
    for (i, t) in tables.iter().enumerate() {
        if let Some((_, layout)) = t {
            plans[i].columns = layout.columns.clone();
        }
    }
    for (i, plan) in plans.iter().enumerate() {
        let mut h = Vec::new();
        run.writer.write_row(
            plan.columns.iter().map(String::as_str),
            &mut h,
            &files[i].name,
            1,
            &plan.columns,
        )?;
        header_bytes[i] = Some(h);
    }
    run.headers = header_bytes
        .into_iter()
        .map(|h| {
            let raw = h.expect("every file has a header");
            let mut piece = Vec::new();
            run.deflater.piece(&raw, &mut piece);
            Header { len: raw.len() as u64, raw, piece }
        })
        .collect();
    run.fixed = run.fixed_overhead()?;
    if run.fixed >= options.max_size {
        return Err(fail(format!(
            "a package needs {} bytes for its mapping files, target and headers alone; `--max-size` {} is too small",
            run.fixed, options.max_size
        )));
    }

    for (i, t) in tables.into_iter().enumerate() {
        let Some((table, layout)) = t else { continue };
        let file = &files[i];
        reporter.on_file(&file.name);
        let headers = table.headers.clone();
        let key_cols: Vec<(usize, usize)> = plans[i]
            .children
            .iter()
            .map(|&c| {
                let link = files[c].parent.as_ref().expect("child");
                column_index(&headers, &link.parent_column, &file.name).map(|k| (c, k))
            })
            .collect::<Result<_, _>>()?;
        let mut count = 0u64;
        for row in table {
            let Some(row) = run.readable(row, &file.name, &headers)? else { continue };
            count += 1;
            if count.is_multiple_of(8192) {
                reporter.on_rows(8192);
            }
            if let Some(reason) = options.rejected.get(&file.name).and_then(|m| m.get(&row.line)) {
                run.reject(&file.name, &headers, &row, reason)?;
                for &(c, k) in &key_cols {
                    run.rejected_keys[c].insert(row.cell(k).to_string());
                }
                continue;
            }
            let mut buf = std::mem::take(&mut chunk.bufs[i]);
            let line = row.line.to_string();
            run.writer.write_row(
                layout.at.iter().map(|&c| row.cell(c)).chain([line.as_str()]),
                &mut buf,
                &file.name,
                row.line,
                &layout.columns,
            )?;
            chunk.bufs[i] = buf;
            chunk.rows[i] += 1;
            for &(c, k) in &key_cols {
                let index = children.get_mut(&c).expect("indexed");
                index.take(row.cell(k), &mut chunk.bufs[c], &mut chunk.rows[c])?;
            }
            chunk.end_group(|| format!("`{}` line {}", file.name, row.line));
            if chunk.size() >= chunk_target {
                run.flush(&mut chunk)?;
            }
        }
        reporter.on_rows(count % 8192);
    }

    // Child rows whose parent was rejected go to the error CSV; true orphans
    // travel in groups of their own (the runner reports them).
    let mut orphans_of: Vec<(usize, Vec<u64>)> = Vec::new();
    for (&c, index) in children.iter_mut() {
        let mut rejected_lines = Vec::new();
        for (key, lines) in index.untaken()? {
            if run.rejected_keys[c].contains(&key) {
                rejected_lines.extend(lines);
                index.drop_key(&key)?;
            } else {
                index.take(&key, &mut chunk.bufs[c], &mut chunk.rows[c])?;
                chunk.end_group(|| format!("`{}` rows with parent `{key}`", files[c].name));
                if chunk.size() >= chunk_target {
                    run.flush(&mut chunk)?;
                }
            }
        }
        if !rejected_lines.is_empty() {
            orphans_of.push((c, rejected_lines));
        }
    }
    run.flush(&mut chunk)?;
    orphans_of.sort();
    for (c, lines) in orphans_of {
        let file = &files[c];
        let lines: HashSet<u64> = lines.into_iter().collect();
        let table = source.open(file)?;
        let headers = table.headers.clone();
        let parent = &files[plans[c].parent.expect("child")].name;
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
    }
    run.finish_package()?;
    Ok(Built { run })
}

/// A header row, raw and as a compressed piece.
struct Header {
    raw: Vec<u8>,
    piece: Vec<u8>,
    len: u64,
}

/// A CSV member of the package being built.
struct MemberData {
    data: BufWriter<File>,
    crc: crc32fast::Hasher,
    uncompressed: u64,
    compressed: u64,
    rows: u64,
}

/// The package being built.
struct Building {
    members: Vec<MemberData>,
    /// Bytes the package will take with what it holds now.
    used: u64,
    rows: u64,
}

/// A finished, verified package in an unnamed scratch file.
struct Finished {
    file: File,
    size: u64,
    rows: Vec<u64>,
}

struct Run<'a> {
    options: &'a PackOptions,
    reporter: &'a dyn PackReporter,
    template: MappingTemplate,
    target_json: String,
    mapping_xml: Vec<String>,
    encoding: &'static encoding_rs::Encoding,
    writer: RowWriter,
    deflater: Deflater,
    out_dir: PathBuf,
    headers: Vec<Header>,
    /// Bytes every package takes besides its data rows.
    fixed: u64,
    current: Option<Building>,
    finished: Vec<Finished>,
    /// Error CSV per file: scratch file writer and count.
    errors: HashMap<String, (ferry_mapper::csvout::ExcelCsv, u64)>,
    /// Per child file: parent ids whose parent row was rejected.
    rejected_keys: Vec<HashSet<String>>,
}

fn scratch_err(e: std::io::Error) -> Error {
    Error::io(std::env::temp_dir(), e)
}

impl Run<'_> {
    /// Everything a package holds besides data rows, measured with the largest row counts.
    fn fixed_overhead(&mut self) -> Result<u64, Error> {
        let max_rows = vec![u64::MAX; self.template.files.len()];
        let xml = format::write_file_mappings(&self.template, &max_rows).expect("checked");
        // Compressed sizes of text this small may differ by a few bytes with the
        // actual row counts; the margin covers that.
        let mut total = END_RECORD + 64;
        total +=
            ZipBuilder::<Vec<u8>>::overhead(FILE_MAPPINGS) + self.deflater.whole(xml.as_bytes()).len() as u64;
        total += ZipBuilder::<Vec<u8>>::overhead(TARGET_JSON)
            + self.deflater.whole(self.target_json.as_bytes()).len() as u64;
        for (i, f) in self.template.files.iter().enumerate() {
            let name = &f.name;
            total += ZipBuilder::<Vec<u8>>::overhead(name)
                + self.headers[i].piece.len() as u64
                + FINAL_BLOCK.len() as u64;
            let mname = format::mappings_member(name);
            total += ZipBuilder::<Vec<u8>>::overhead(&mname)
                + self.deflater.whole(self.mapping_xml[i].as_bytes()).len() as u64;
        }
        Ok(total)
    }

    fn start_package(&mut self) -> Result<(), Error> {
        let mut members = Vec::new();
        for h in &self.headers {
            let file = tempfile::tempfile().map_err(scratch_err)?;
            let mut data = BufWriter::with_capacity(256 * 1024, file);
            data.write_all(&h.piece).map_err(scratch_err)?;
            let mut crc = crc32fast::Hasher::new();
            crc.update(&h.raw);
            members.push(MemberData {
                data,
                crc,
                uncompressed: h.len,
                compressed: h.piece.len() as u64,
                rows: 0,
            });
        }
        self.current = Some(Building { members, used: self.fixed, rows: 0 });
        Ok(())
    }

    /// Places every group of the chunk into packages and empties it.
    fn flush(&mut self, chunk: &mut Chunk) -> Result<(), Error> {
        if chunk.groups() > 0 {
            if self.current.is_none() {
                self.start_package()?;
            }
            self.place(chunk, 0, chunk.groups())?;
        }
        chunk.clear();
        Ok(())
    }

    fn place(&mut self, chunk: &Chunk, a: usize, b: usize) -> Result<(), Error> {
        let max = self.options.max_size;
        let mut pieces = Vec::with_capacity(chunk.members);
        let mut total = 0u64;
        for m in 0..chunk.members {
            let (range, rows) = chunk.span(m, a, b);
            let mut piece = Vec::new();
            if !range.is_empty() {
                self.deflater.piece(&chunk.bufs[m][range.clone()], &mut piece);
            }
            total += piece.len() as u64;
            pieces.push((range, rows, piece));
        }
        let building = self.current.as_ref().expect("started");
        if building.used + total <= max {
            return self.append(chunk, pieces);
        }
        if b - a == 1 {
            let too_big = || {
                fail(format!(
                    "{} with its child rows takes {} bytes compressed, more than `--max-size` {max} allows with the package's other members",
                    chunk.labels[a], total
                ))
            };
            if building.rows == 0 {
                return Err(too_big());
            }
            self.finish_package()?;
            self.start_package()?;
            if self.fixed + total > max {
                return Err(too_big());
            }
            return self.append(chunk, pieces);
        }
        let room = max - building.used;
        if room < max / 64 {
            self.finish_package()?;
            self.start_package()?;
            return self.place(chunk, a, b);
        }
        let mid = a + (b - a) / 2;
        self.place(chunk, a, mid)?;
        self.place(chunk, mid, b)
    }

    fn append(
        &mut self,
        chunk: &Chunk,
        pieces: Vec<(std::ops::Range<usize>, u64, Vec<u8>)>,
    ) -> Result<(), Error> {
        let building = self.current.as_mut().expect("started");
        for (m, (range, rows, piece)) in pieces.into_iter().enumerate() {
            if range.is_empty() {
                continue;
            }
            let member = &mut building.members[m];
            member.data.write_all(&piece).map_err(scratch_err)?;
            member.crc.update(&chunk.bufs[m][range.clone()]);
            member.uncompressed += range.len() as u64;
            member.compressed += piece.len() as u64;
            member.rows += rows;
            building.used += piece.len() as u64;
            building.rows += rows;
        }
        Ok(())
    }

    /// Assembles, verifies and keeps the package being built.
    fn finish_package(&mut self) -> Result<(), Error> {
        if self.current.is_none() {
            if !self.finished.is_empty() {
                return Ok(());
            }
            // No rows at all: still one package, with header rows only.
            self.start_package()?;
        }
        let building = self.current.take().expect("started");
        let rows: Vec<u64> = building.members.iter().map(|m| m.rows).collect();
        let number = self.finished.len() + 1;
        let shown = self.options.out.with_file_name(format!(
            "{} (package {number})",
            self.options.out.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        let file = tempfile::tempfile_in(&self.out_dir).map_err(|e| Error::io(&self.out_dir, e))?;
        let io = |e: std::io::Error| Error::io(&self.options.out, e);
        {
            let mut zip = ZipBuilder::new(BufWriter::with_capacity(256 * 1024, &file));
            let xml = format::write_file_mappings(&self.template, &rows).expect("checked");
            zip.add_bytes(FILE_MAPPINGS, xml.as_bytes(), &mut self.deflater).map_err(io)?;
            zip.add_bytes(TARGET_JSON, self.target_json.as_bytes(), &mut self.deflater).map_err(io)?;
            for (i, member) in building.members.into_iter().enumerate() {
                let name = &self.template.files[i].name;
                let crc = member.crc.finalize();
                let mut data = member.data.into_inner().map_err(|e| scratch_err(e.into_error()))?;
                data.seek(SeekFrom::Start(0)).map_err(scratch_err)?;
                let mut body = std::io::BufReader::new(data).chain(&FINAL_BLOCK[..]);
                zip.add_raw(
                    name.as_bytes(),
                    8,
                    crc,
                    member.uncompressed,
                    member.compressed + FINAL_BLOCK.len() as u64,
                    &mut body,
                )
                .map_err(io)?;
                zip.add_bytes(
                    &format::mappings_member(name),
                    self.mapping_xml[i].as_bytes(),
                    &mut self.deflater,
                )
                .map_err(io)?;
            }
            let mut sink = zip.finish().map_err(io)?;
            sink.flush().map_err(io)?;
        }
        let size = file.metadata().map_err(io)?.len();
        if size > self.options.max_size {
            return Err(fail(format!(
                "internal error: package {number} came out at {size} bytes, above the cap of {}",
                self.options.max_size
            )));
        }
        // Read it back the way the runner will, and compare.
        let verify = file.try_clone().map_err(io)?;
        let limits = Limits { max_package: self.options.max_size, ..Limits::default() };
        let package = Package::open_file(verify, &shown, limits)?;
        let read_rows: Vec<u64> = package.files.iter().map(|f| f.rows).collect();
        if package.template != self.template || read_rows != rows {
            return Err(fail(format!(
                "internal error: package {number} does not read back as written (rows {read_rows:?}, expected {rows:?})"
            )));
        }
        self.reporter.on_package(number, size);
        self.finished.push(Finished { file, size, rows });
        Ok(())
    }
}
