//! Reading a package: the only way anything reads one.
//!
//! [`Package::open`] treats the archive as hostile and validates all of it
//! before handing anything out: member paths (`../`, absolute, drive
//! letters, folders), duplicate members, declared and actual sizes against
//! [`Limits`] (ZIP bombs), `fileMappings.xml` and every mapping file (no
//! DOCTYPE, no entities, no unknown elements or attributes), `target.json`,
//! and every CSV member (decodes strictly in the declared encoding, holds the
//! mapped columns, holds the declared number of rows). It then rebuilds the
//! [`MappingTemplate`] and [`TargetDefinition`] the package was made with.
//! [`Package::rows`] streams a CSV member's rows, decoded.
//!
//! [`Package::open_streaming`] checks all of that but the rows of the CSV
//! members (it reads their headers only), for a caller that reads every row
//! anyway and undoes its work when a row fails: the import, which would
//! otherwise read each package twice. [`Package::rows`] checks the rows as it
//! streams them, the declared row count included, so nothing goes unchecked.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use encoding_rs::Encoding;
use ferry_mapper::read::{DecodingReader, FileFormat, Row, Table, TableInfo, Undecodable};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::MappingTemplate;
use serde::Serialize;

use crate::Error;
use crate::error::Invalid;
use crate::format::{self, FILE_MAPPINGS, FileMappingsDoc, TARGET_JSON};
use crate::zipfile::{MemberError, MemberInfo, MemberReader};

/// Bounds that keep a hostile package from exhausting memory, disk or time.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest uncompressed member.
    pub max_member: u64,
    /// Largest sum of uncompressed members.
    pub max_total: u64,
    /// Largest uncompressed/compressed ratio of a member above `ratio_floor` bytes.
    pub max_ratio: u64,
    /// Members smaller than this are not ratio-checked (tiny files compress oddly).
    pub ratio_floor: u64,
    /// Largest XML or JSON member.
    pub max_xml: u64,
    /// Most members.
    pub max_members: usize,
    /// Largest package file: the size cap ("Packages larger than 10MB cannot
    /// be imported", 001), raised by `--max-size`.
    pub max_package: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member: 1 << 30,
            max_total: 4 << 30,
            max_ratio: 500,
            ratio_floor: 1 << 20,
            max_xml: 8 << 20,
            max_members: 2048,
            max_package: crate::write::DEFAULT_MAX_SIZE,
        }
    }
}

/// How much of the CSV members [`Package::open_with`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Every row: encoding, CSV syntax, the declared row count.
    Rows,
    /// The header rows only; [`Package::rows`] checks the rest while streaming.
    Headers,
}

/// A member of the archive, as listed.
#[derive(Debug, Clone, Serialize)]
pub struct MemberSummary {
    pub name: String,
    pub compressed: u64,
    pub uncompressed: u64,
}

/// A CSV member, as validated.
#[derive(Debug, Clone, Serialize)]
pub struct CsvSummary {
    pub name: String,
    pub mappings: String,
    pub headers: Vec<String>,
    /// Data rows (the header not counted); as declared in `fileMappings.xml`
    /// when the package was opened with [`Verify::Headers`].
    pub rows: u64,
}

/// An opened, validated package.
pub struct Package {
    pub path: PathBuf,
    /// The mapping the package carries (one file mapping per CSV member), in package order.
    pub template: MappingTemplate,
    /// The target definition the package was mapped against.
    pub target: TargetDefinition,
    /// The encoding of the CSV members.
    pub encoding: &'static Encoding,
    /// Every member, in archive order.
    pub members: Vec<MemberSummary>,
    /// Every CSV member, in `fileMappings.xml` order.
    pub files: Vec<CsvSummary>,
    /// The package's size in bytes.
    pub size: u64,
    file: Arc<File>,
    infos: HashMap<String, MemberInfo>,
    limits: Limits,
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package").field("path", &self.path).field("members", &self.members).finish()
    }
}

impl Package {
    /// Opens and validates a package.
    pub fn open(path: &Path) -> Result<Package, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::open_file(file, path, Limits::default())
    }

    /// Opens and validates a package but the rows of its CSV members, which
    /// [`Package::rows`] checks as it streams them (see the module's notes).
    pub fn open_streaming(path: &Path, limits: Limits) -> Result<Package, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::open_with(file, path, limits, Verify::Headers)
    }

    /// Opens and validates a package from an open file; `path` names it in messages.
    pub fn open_file(file: File, path: &Path, limits: Limits) -> Result<Package, Error> {
        Self::open_with(file, path, limits, Verify::Rows)
    }

    /// Opens a package from an open file, reading as much of its CSV members
    /// as `verify` says; `path` names it in messages.
    pub fn open_with(file: File, path: &Path, limits: Limits, verify: Verify) -> Result<Package, Error> {
        let bad = |kind: Invalid, message: String| Error::Invalid { path: path.to_path_buf(), kind, message };
        let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
        crate::validate::check_size(path, size, limits.max_package)?;

        // The raw central directory first: the zip crate folds duplicate names together.
        if let Some(names) = crate::zipfile::central_names(&file) {
            let mut seen = BTreeSet::new();
            for raw in &names {
                check_name(raw).map_err(|(k, m)| bad(k, m))?;
                if !seen.insert(raw.clone()) {
                    return Err(bad(
                        Invalid::DuplicateMember,
                        format!("member `{}` appears twice", String::from_utf8_lossy(raw)),
                    ));
                }
            }
        }

        let clone = file.try_clone().map_err(|e| Error::io(path, e))?;
        let mut archive = zip::ZipArchive::new(clone)
            .map_err(|e| bad(Invalid::NotZip, format!("not a readable ZIP archive: {e}")))?;
        if archive.has_duplicate_names() {
            return Err(bad(Invalid::DuplicateMember, "the ZIP directory lists a member twice".to_string()));
        }
        if archive.len() > limits.max_members {
            return Err(bad(
                Invalid::TooLarge,
                format!("{} members (at most {})", archive.len(), limits.max_members),
            ));
        }
        let mut members = Vec::new();
        let mut local_headers = Vec::new();
        let mut infos = HashMap::new();
        let mut total = 0u64;
        for i in 0..archive.len() {
            let entry = archive
                .by_index_raw(i)
                .map_err(|e| bad(Invalid::NotZip, format!("member {} cannot be read: {e}", i + 1)))?;
            let raw = entry.name_raw().to_vec();
            check_name(&raw).map_err(|(k, m)| bad(k, m))?;
            let name = String::from_utf8(raw).expect("checked by check_name");
            if entry.is_dir() {
                return Err(bad(
                    Invalid::UnexpectedMember,
                    format!("member `{name}` is a folder; package members sit at the root"),
                ));
            }
            if entry.encrypted() {
                return Err(bad(Invalid::BadMember, format!("member `{name}` is encrypted")));
            }
            let method = match entry.compression() {
                zip::CompressionMethod::Stored => 0,
                zip::CompressionMethod::Deflated => 8,
                other => {
                    return Err(bad(
                        Invalid::BadMember,
                        format!(
                            "member `{name}` uses compression `{other:?}` (packages use deflate or none)"
                        ),
                    ));
                }
            };
            let (compressed, uncompressed) = (entry.compressed_size(), entry.size());
            if uncompressed > limits.max_member {
                return Err(bad(
                    Invalid::TooLarge,
                    format!(
                        "member `{name}` declares {uncompressed} bytes uncompressed (at most {})",
                        limits.max_member
                    ),
                ));
            }
            if uncompressed > limits.ratio_floor && uncompressed > compressed.saturating_mul(limits.max_ratio)
            {
                return Err(bad(
                    Invalid::CompressionRatio,
                    format!(
                        "member `{name}` expands {compressed} bytes into {uncompressed} (more than {}:1; a ZIP bomb?)",
                        limits.max_ratio
                    ),
                ));
            }
            total = total.saturating_add(uncompressed);
            if total > limits.max_total {
                return Err(bad(
                    Invalid::TooLarge,
                    format!("members declare more than {} bytes uncompressed in total", limits.max_total),
                ));
            }
            let data_start = entry
                .data_start()
                .ok_or_else(|| bad(Invalid::NotZip, format!("member `{name}`: data cannot be located")))?;
            if data_start.saturating_add(compressed) > size {
                return Err(bad(
                    Invalid::BadMember,
                    format!("member `{name}` runs past the end of the package"),
                ));
            }
            local_headers.push((name.clone(), entry.header_start()));
            members.push(MemberSummary { name: name.clone(), compressed, uncompressed });
            infos.insert(
                name.clone(),
                MemberInfo { name, data_start, compressed, uncompressed, crc: entry.crc32(), method },
            );
        }
        drop(archive);
        crate::validate::check_local_names(path, &file, &local_headers)?;

        let file = Arc::new(file);
        let read_text = |name: &str| -> Result<String, Error> {
            let info = infos.get(name).expect("caller checked");
            let mut bytes = Vec::new();
            MemberReader::new(file.clone(), info.clone(), limits.max_xml)
                .read_to_end(&mut bytes)
                .map_err(|e| member_io_error(path, e))?;
            String::from_utf8(bytes).map_err(|e| {
                bad(
                    Invalid::Encoding,
                    format!("`{name}` is not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                )
            })
        };

        if !infos.contains_key(FILE_MAPPINGS) {
            return Err(bad(
                Invalid::MissingFileMappings,
                format!("`{FILE_MAPPINGS}` is missing; it is not a ferry package"),
            ));
        }
        let doc =
            format::read_file_mappings(&read_text(FILE_MAPPINGS)?).map_err(|e| bad(e.kind, e.to_string()))?;
        let encoding = ferry_mapper::read::encoding_for_label(&doc.encoding).ok_or_else(|| {
            bad(
                Invalid::UnknownEncoding,
                format!(
                    "`{FILE_MAPPINGS}` declares encodingType `{}`, which is not a known encoding",
                    doc.encoding
                ),
            )
        })?;
        check_entries(&doc, &infos).map_err(|(k, m)| bad(k, m))?;

        if !infos.contains_key(TARGET_JSON) {
            return Err(bad(Invalid::BadTarget, format!("`{TARGET_JSON}` is missing")));
        }
        let target_text = read_text(TARGET_JSON)?;
        let target = TargetDefinition::from_json(&target_text, &path.join(TARGET_JSON)).map_err(|e| {
            bad(Invalid::BadTarget, format!("`{TARGET_JSON}` is not a valid target definition: {e}"))
        })?;

        let mut files = Vec::new();
        for entry in &doc.files {
            let text = read_text(&entry.mappings)?;
            files.push(format::read_field_mappings(&text, entry).map_err(|e| bad(e.kind, e.to_string()))?);
        }
        let template = MappingTemplate {
            schema: None,
            format_version: doc.template_version,
            target: doc.target.clone(),
            encoding: doc.encoding.clone(),
            ready_made: false,
            country: None,
            files,
        };
        crate::validate::check_template(path, FILE_MAPPINGS, &target, &template)?;

        let mut package = Package {
            path: path.to_path_buf(),
            template,
            target,
            encoding,
            members,
            files: Vec::new(),
            size,
            file,
            infos,
            limits,
        };
        package.files = package.validate_csvs(&doc, verify)?;
        Ok(package)
    }

    /// Reads every CSV member through: encoding, columns, row counts.
    fn validate_csvs(&self, doc: &FileMappingsDoc, verify: Verify) -> Result<Vec<CsvSummary>, Error> {
        let bad = |kind: Invalid, message: String| Error::Invalid { path: self.path.clone(), kind, message };
        let mut out = Vec::new();
        for (entry, mapping) in doc.files.iter().zip(&self.template.files) {
            let (headers, records) = self.csv_records(&entry.csv, None)?;
            let mut needed: Vec<(&str, String)> = mapping
                .mappings
                .iter()
                .map(|m| (m.column.as_str(), format!("mapped in `{}`", entry.mappings)))
                .collect();
            for m in &mapping.mappings {
                if let Some(from) = &m.type_from {
                    needed.push((from.column.as_str(), format!("a type column in `{}`", entry.mappings)));
                }
            }
            if let Some(p) = &mapping.parent {
                needed.push((p.column.as_str(), format!("the parent link in `{FILE_MAPPINGS}`")));
            }
            if let Some(id) = &mapping.id_column {
                needed.push((id.as_str(), format!("the id column in `{}`", entry.mappings)));
            }
            for child in doc.files.iter().filter_map(|f| f.parent.as_ref()).filter(|p| p.file == entry.csv) {
                needed.push((child.parent_column.as_str(), format!("a parent link in `{FILE_MAPPINGS}`")));
            }
            for (column, why) in needed {
                if !headers.iter().any(|h| h == column) {
                    return Err(bad(
                        Invalid::BadCsv,
                        format!("column `{column}` ({why}) is not in the header of `{}`", entry.csv),
                    ));
                }
            }
            crate::validate::check_file(&self.path, &entry.mappings, &self.target, mapping, &headers)?;
            if verify == Verify::Headers {
                out.push(CsvSummary {
                    name: entry.csv.clone(),
                    mappings: entry.mappings.clone(),
                    headers,
                    rows: entry.rows,
                });
                continue;
            }
            let mut rows = 0u64;
            for record in records {
                record?;
                rows += 1;
            }
            if rows != entry.rows {
                return Err(bad(
                    Invalid::BadCsv,
                    format!(
                        "`{}` holds {rows} rows but `{FILE_MAPPINGS}` declares {}",
                        entry.csv, entry.rows
                    ),
                ));
            }
            out.push(CsvSummary { name: entry.csv.clone(), mappings: entry.mappings.clone(), headers, rows });
        }
        Ok(out)
    }

    /// Headers and a stream of rows of a CSV member; errors are package
    /// errors. With `declared`, the stream ends in an error when the member
    /// holds another number of rows.
    fn csv_records(&self, member: &str, declared: Option<u64>) -> Result<(Vec<String>, Records), Error> {
        let info = self.infos.get(member).ok_or_else(|| Error::Invalid {
            path: self.path.clone(),
            kind: Invalid::MissingMember,
            message: format!("no CSV member `{member}`"),
        })?;
        let reader = MemberReader::new(self.file.clone(), info.clone(), self.limits.max_member);
        let decoded = DecodingReader::strict(reader, self.encoding);
        let csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(decoded);
        let mut records = Records {
            csv: Some(csv),
            path: self.path.clone(),
            member: member.to_string(),
            encoding: self.encoding,
            record: csv::StringRecord::new(),
            declared: None,
            read: 0,
            line_at: None,
            next_line: 1,
        };
        let headers = match records.next() {
            Some(Ok(mut row)) => {
                records.line_at = row.cells.iter().position(|h| h == crate::format::LINE_COLUMN);
                if let Some(at) = records.line_at {
                    row.cells.remove(at);
                }
                row.cells
            }
            Some(Err(e)) => return Err(e),
            None => {
                return Err(Error::Invalid {
                    path: self.path.clone(),
                    kind: Invalid::BadCsv,
                    message: format!("`{member}` is empty; a CSV member starts with its header row"),
                });
            }
        };
        records.declared = declared;
        records.read = 0;
        Ok((headers, records))
    }

    /// The rows of a CSV member (by file name as in the template), decoded.
    /// Lines are the legacy file's physical lines (the header is line 1) from
    /// the member's [`crate::format::LINE_COLUMN`], which is not handed on;
    /// a member without it gives its own physical lines.
    pub fn rows(&self, file: &str) -> Result<Table, Error> {
        let declared = self.files.iter().find(|f| f.name == file).map(|f| f.rows);
        let (headers, records) = self.csv_records(file, declared)?;
        let info = TableInfo {
            path: self.path.join(file),
            format: FileFormat::Csv,
            encoding: self.encoding.name().to_string(),
            bom: false,
            delimiter: Some(','),
            has_header: true,
            sheet: None,
        };
        // The packager's error rides in the mapper's, typed: a caller downcasts it.
        let rows = records.map(|r| r.map_err(|e| ferry_mapper::Error::Source(Box::new(e))));
        Ok(Table::from_parts(info, headers, Box::new(rows)))
    }

    /// The summary of a CSV member.
    pub fn csv(&self, name: &str) -> Option<&CsvSummary> {
        self.files.iter().find(|f| f.name == name)
    }
}

/// Refuses member names that escape, are absolute, carry a drive letter or sit in a folder.
fn check_name(raw: &[u8]) -> Result<(), (Invalid, String)> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    let Ok(name) = std::str::from_utf8(raw) else {
        return Err((Invalid::UnexpectedMember, format!("member name `{shown}` is not UTF-8")));
    };
    if name.is_empty() || name.contains('\0') {
        return Err((Invalid::UnexpectedMember, format!("member name `{shown}` is empty or holds a NUL")));
    }
    if name.split(['/', '\\']).any(|c| c == "..") {
        return Err((
            Invalid::PathEscapes,
            format!("member `{name}` has a `..` path that escapes the package (zip slip)"),
        ));
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err((Invalid::AbsolutePath, format!("member `{name}` has an absolute path")));
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err((Invalid::DriveLetter, format!("member `{name}` starts with a drive letter")));
    }
    if name.contains(['/', '\\']) {
        return Err((
            Invalid::UnexpectedMember,
            format!("member `{name}` is in a folder; package members sit at the root"),
        ));
    }
    Ok(())
}

/// `fileMappings.xml` against the members: each listed file present, each
/// member listed, parent links pointing at listed files.
fn check_entries(
    doc: &FileMappingsDoc,
    infos: &HashMap<String, MemberInfo>,
) -> Result<(), (Invalid, String)> {
    let mut listed = BTreeSet::from([FILE_MAPPINGS.to_string(), TARGET_JSON.to_string()]);
    for e in &doc.files {
        for name in [&e.csv, &e.mappings] {
            if !listed.insert(name.clone()) {
                return Err((Invalid::Inconsistent, format!("`{FILE_MAPPINGS}` lists `{name}` twice")));
            }
        }
        if !infos.contains_key(&e.csv) {
            return Err((
                Invalid::MissingMember,
                format!("`{}`, listed in `{FILE_MAPPINGS}`, is missing", e.csv),
            ));
        }
        if !infos.contains_key(&e.mappings) {
            return Err((
                Invalid::MissingMember,
                format!("`{}`, the mapping file of `{}`, is missing", e.mappings, e.csv),
            ));
        }
        if let Some(p) = &e.parent
            && (p.file == e.csv || !doc.files.iter().any(|f| f.csv == p.file))
        {
            return Err((
                Invalid::Inconsistent,
                format!("`{}` names parent `{}`, which is not another file of the package", e.csv, p.file),
            ));
        }
    }
    let mut stray: Vec<&String> = infos.keys().filter(|k| !listed.contains(*k)).collect();
    stray.sort();
    if let Some(name) = stray.first() {
        return Err((
            Invalid::UnexpectedMember,
            format!("member `{name}` is not listed in `{FILE_MAPPINGS}`"),
        ));
    }
    Ok(())
}

fn member_io_error(path: &Path, e: std::io::Error) -> Error {
    let (kind, message) = classify(&e);
    Error::Invalid { path: path.to_path_buf(), kind, message }
}

fn classify(e: &std::io::Error) -> (Invalid, String) {
    if let Some(m) = e.get_ref().and_then(|r| r.downcast_ref::<MemberError>()) {
        return (m.kind, m.message.clone());
    }
    if let Some(d) = e.get_ref().and_then(|r| r.downcast_ref::<Undecodable>()) {
        return (Invalid::Encoding, d.to_string());
    }
    (Invalid::BadMember, format!("cannot decompress: {e}"))
}

/// A stream of a CSV member's records as rows.
struct Records {
    /// `None` once an error ended the stream: the rest of the member is not trusted.
    csv: Option<csv::Reader<DecodingReader<MemberReader>>>,
    path: PathBuf,
    member: String,
    encoding: &'static Encoding,
    record: csv::StringRecord,
    /// The row count `fileMappings.xml` declares, checked at the end.
    declared: Option<u64>,
    /// Data rows read so far.
    read: u64,
    /// Where the [`crate::format::LINE_COLUMN`] cell is, when the member has one.
    line_at: Option<usize>,
    /// The physical line of the member where the next record starts.
    next_line: u64,
}

impl Iterator for Records {
    type Item = Result<Row, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        // One record buffer for the whole member: a fresh one per row costs
        // two allocations a row on the import's hot path.
        let record = &mut self.record;
        match self.csv.as_mut()?.read_record(record) {
            Ok(false) => match self.declared.take() {
                Some(declared) if declared != self.read => Some(Err(Error::Invalid {
                    path: self.path.clone(),
                    kind: Invalid::BadCsv,
                    message: format!(
                        "`{}` holds {} rows but `{FILE_MAPPINGS}` declares {declared}",
                        self.member, self.read
                    ),
                })),
                _ => None,
            },
            Ok(true) => {
                self.read += 1;
                // Counted here: the csv crate's line lags one behind after CRLF.
                let physical = self.next_line;
                self.next_line += 1 + record.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
                let mut cells = Vec::with_capacity(record.len());
                cells.extend(record.iter().map(str::to_string));
                let line = match self.line_at {
                    Some(at) if at < cells.len() => {
                        let text = cells.remove(at);
                        match text.trim().parse::<u64>() {
                            Ok(n) if n > 0 => n,
                            _ => {
                                return Some(Err(Error::Invalid {
                                    path: self.path.clone(),
                                    kind: Invalid::BadCsv,
                                    message: format!(
                                        "`{}` line {physical}, column `{}`: `{}` is not a line number",
                                        self.member,
                                        crate::format::LINE_COLUMN,
                                        text.escape_debug()
                                    ),
                                }));
                            }
                        }
                    }
                    _ => physical,
                };
                Some(Ok(Row { line, cells }))
            }
            Err(e) => {
                let (kind, message) = match e.kind() {
                    csv::ErrorKind::Io(io) => {
                        let (kind, message) = classify(io);
                        let message = if kind == Invalid::Encoding {
                            format!(
                                "`{}` {message} (the package declares `{}`)",
                                self.member,
                                self.encoding.name()
                            )
                        } else {
                            message
                        };
                        (kind, message)
                    }
                    csv::ErrorKind::Utf8 { pos, .. } => (
                        Invalid::Encoding,
                        format!(
                            "`{}` line {}: not valid text in `{}`",
                            self.member,
                            pos.as_ref().map_or(0, |p| p.line()),
                            self.encoding.name()
                        ),
                    ),
                    _ => (Invalid::BadCsv, format!("`{}`: not valid CSV: {e}", self.member)),
                };
                // One error ends the stream: the rest of the member is not trusted.
                self.csv = None;
                Some(Err(Error::Invalid { path: self.path.clone(), kind, message }))
            }
        }
    }
}
