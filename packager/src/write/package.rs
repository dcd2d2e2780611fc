//! Filling size-capped packages: the package being built, its scratch member
//! files, and the finished packages, each read back and checked before it is
//! kept (in an unnamed scratch file, until [`super::Built::publish`]).
//!
//! A full chunk is compressed member by member into independent DEFLATE
//! pieces whose exact size is then known ([`Run::place`]): they are appended
//! if they fit, else the chunk is halved by groups until the package is full,
//! and the rest starts the next package.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use ferry_mapper::template::{FileMapping, MappingTemplate};

use super::chunk::Chunk;
use super::{PackOptions, Reporter, Stage, fail};
use crate::Error;
use crate::encode::RowWriter;
use crate::format::{self, FILE_MAPPINGS, TARGET_JSON};
use crate::read::{Limits, Package};
use crate::zipfile::{Deflater, END_RECORD, FINAL_BLOCK, ZipBuilder};

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
pub(super) struct Finished {
    pub(super) file: File,
    pub(super) size: u64,
    pub(super) rows: Vec<u64>,
}

/// A pack in progress: what every package carries, the package being
/// built, the finished ones and the error CSVs.
pub(super) struct Run<'a> {
    pub(super) options: &'a PackOptions,
    pub(super) reporter: &'a dyn Reporter,
    /// Rows read so far, over all files (the progress count).
    pub(super) rows_read: u64,
    pub(super) template: MappingTemplate,
    /// The template's files as read from the data (a ready-made template's
    /// mappings of columns the export lacks left out), in template order.
    pub(super) files: Vec<FileMapping>,
    pub(super) target_json: String,
    pub(super) mapping_xml: Vec<String>,
    pub(super) encoding: &'static encoding_rs::Encoding,
    pub(super) writer: RowWriter,
    pub(super) deflater: Deflater,
    pub(super) out_dir: PathBuf,
    headers: Vec<Header>,
    /// Bytes every package takes besides its data rows.
    pub(super) fixed: u64,
    current: Option<Building>,
    pub(super) finished: Vec<Finished>,
    /// Error CSV per file: scratch file writer and count.
    pub(super) errors: HashMap<String, (ferry_mapper::csvout::ExcelCsv, u64)>,
    /// Per child file: parent ids whose parent row was rejected.
    pub(super) rejected_keys: Vec<HashSet<String>>,
}

pub(super) fn scratch_err(e: std::io::Error) -> Error {
    Error::io(std::env::temp_dir(), e)
}

impl<'a> Run<'a> {
    /// A run that writes `template` (the package's own) in `encoding`; the
    /// headers come later, with [`Run::set_headers`].
    pub(super) fn new(
        options: &'a PackOptions,
        reporter: &'a dyn Reporter,
        template: MappingTemplate,
        encoding: &'static encoding_rs::Encoding,
        out_dir: PathBuf,
        files: Vec<FileMapping>,
    ) -> Result<Run<'a>, Error> {
        let target_json = serde_json::to_string_pretty(&options.target).expect("targets serialize") + "\n";
        let xml_err = |e: format::UnwritableXml| {
            fail(format!(
                "the {} `{}` holds characters XML cannot carry (control characters, tabs or line breaks)",
                e.what,
                e.value.escape_debug()
            ))
        };
        let mapping_xml: Vec<String> = template
            .files
            .iter()
            .map(format::write_field_mappings)
            .collect::<Result<_, _>>()
            .map_err(xml_err)?;
        format::write_file_mappings(&template, &[]).map_err(xml_err)?;
        let count = template.files.len();
        Ok(Run {
            options,
            reporter,
            rows_read: 0,
            template,
            files,
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
            rejected_keys: vec![HashSet::new(); count],
        })
    }

    /// Takes each file's written columns as its header row, and measures what
    /// every package takes besides data rows; refuses a cap too small for that.
    pub(super) fn set_headers(&mut self, columns: &[&[String]]) -> Result<(), Error> {
        let mut headers = Vec::new();
        for (i, columns) in columns.iter().enumerate() {
            let mut raw = Vec::new();
            let name = &self.options.template.files[i].name;
            self.writer.write_row(columns.iter().map(String::as_str), &mut raw, name, 1, columns)?;
            let mut piece = Vec::new();
            self.deflater.piece(&raw, &mut piece);
            headers.push(Header { len: raw.len() as u64, raw, piece });
        }
        self.headers = headers;
        self.fixed = self.fixed_overhead()?;
        if self.fixed >= self.options.max_size {
            return Err(fail(format!(
                "a package needs {} bytes for its mapping files, target and headers alone; `--max-size` {} is too small",
                self.fixed, self.options.max_size
            )));
        }
        Ok(())
    }
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
    pub(super) fn flush(&mut self, chunk: &mut Chunk) -> Result<(), Error> {
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
    pub(super) fn finish_package(&mut self) -> Result<(), Error> {
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
        self.reporter.on_stage(Stage::Packaged { number, size }, None);
        self.finished.push(Finished { file, size, rows });
        Ok(())
    }
}
