//! The ZIP container at the byte level: what the writer needs and the zip
//! crate does not offer, plus streaming reads of one member.
//!
//! Writing: [`Deflater`] compresses independent pieces that end on a byte
//! boundary (sync flush) so they can be concatenated into one DEFLATE stream
//! and closed with [`FINAL_BLOCK`]; that is what lets the packer measure a
//! row group's compressed size before committing it to a package.
//! [`ZipBuilder`] then lays out local headers, data and the central directory
//! with fixed timestamps (1980-01-01 00:00), so the same input gives the same
//! bytes. It writes exactly what it is told, which is also how the tests craft
//! hostile archives (duplicate names, `../` paths).
//!
//! Reading: [`central_names`] lists the raw names of the central directory
//! (the zip crate folds duplicates together), [`local_name`] reads the name a
//! local header gives, and [`MemberReader`] streams a
//! member's data by position from a shared file handle, checking its size
//! limit, its declared size and its CRC.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Arc;

use crate::error::Invalid;

/// An empty final block with fixed codes: closes a stream of sync-flushed pieces.
pub const FINAL_BLOCK: [u8; 2] = [0x03, 0x00];

/// The compression level of every member (fixed: it is part of reproducibility).
pub const LEVEL: u32 = 6;

/// Compresses independent, byte-aligned DEFLATE pieces.
pub struct Deflater {
    compress: flate2::Compress,
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater { compress: flate2::Compress::new(flate2::Compression::new(LEVEL), false) }
    }
}

impl Deflater {
    /// Appends the compressed form of `input` to `out`: not final, byte
    /// aligned, and referring to nothing before it.
    pub fn piece(&mut self, input: &[u8], out: &mut Vec<u8>) {
        self.compress.reset();
        let start_in = self.compress.total_in();
        loop {
            let consumed = (self.compress.total_in() - start_in) as usize;
            out.reserve(64 * 1024 + (input.len() - consumed) / 2);
            self.compress
                .compress_vec(&input[consumed..], out, flate2::FlushCompress::Sync)
                .expect("deflate of in-memory data cannot fail");
            // The flush is complete once all input is in and the output did not fill up.
            let all_in = (self.compress.total_in() - start_in) as usize == input.len();
            if all_in && out.len() < out.capacity() {
                break;
            }
        }
    }

    /// A whole member compressed as one piece plus the final block.
    pub fn whole(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() / 3 + 64);
        self.piece(input, &mut out);
        out.extend_from_slice(&FINAL_BLOCK);
        out
    }
}

/// One entry of the central directory, as written.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: Vec<u8>,
    pub method: u16,
    pub crc: u32,
    pub compressed: u64,
    pub uncompressed: u64,
    offset: u64,
}

/// Writes a ZIP archive entry by entry (no ZIP64: every size and offset must stay below 4 GiB).
pub struct ZipBuilder<W: Write> {
    out: W,
    offset: u64,
    entries: Vec<Entry>,
}

fn too_big(what: &str) -> io::Error {
    io::Error::other(format!("{what} is 4 GiB or more; ferry packages do not use ZIP64 (lower `--max-size`)"))
}

impl<W: Write> ZipBuilder<W> {
    pub fn new(out: W) -> ZipBuilder<W> {
        ZipBuilder { out, offset: 0, entries: Vec::new() }
    }

    /// Adds an entry whose data (`compressed` bytes, already compressed with
    /// `method`: 8 deflate, 0 stored) is copied from `data`.
    pub fn add_raw(
        &mut self,
        name: &[u8],
        method: u16,
        crc: u32,
        uncompressed: u64,
        compressed: u64,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        if uncompressed >= u32::MAX as u64 || compressed >= u32::MAX as u64 || self.offset >= u32::MAX as u64
        {
            return Err(too_big(&format!("member `{}`", String::from_utf8_lossy(name))));
        }
        let entry = Entry { name: name.to_vec(), method, crc, compressed, uncompressed, offset: self.offset };
        let mut header = Vec::with_capacity(30 + name.len());
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&20u16.to_le_bytes()); // version needed
        header.extend_from_slice(&flags(name).to_le_bytes());
        header.extend_from_slice(&method.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes()); // time 00:00:00
        header.extend_from_slice(&DOS_DATE.to_le_bytes());
        header.extend_from_slice(&crc.to_le_bytes());
        header.extend_from_slice(&(compressed as u32).to_le_bytes());
        header.extend_from_slice(&(uncompressed as u32).to_le_bytes());
        header.extend_from_slice(&(name.len() as u16).to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes()); // extra length
        header.extend_from_slice(name);
        self.out.write_all(&header)?;
        let copied = io::copy(&mut data.take(compressed), &mut self.out)?;
        if copied != compressed {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "member data shorter than declared"));
        }
        self.offset += header.len() as u64 + compressed;
        self.entries.push(entry);
        Ok(())
    }

    /// Adds a member from bytes, deflated.
    pub fn add_bytes(&mut self, name: &str, data: &[u8], deflater: &mut Deflater) -> io::Result<()> {
        let compressed = deflater.whole(data);
        self.add_raw(
            name.as_bytes(),
            8,
            crc32fast::hash(data),
            data.len() as u64,
            compressed.len() as u64,
            &mut compressed.as_slice(),
        )
    }

    /// Writes the central directory and returns the sink.
    pub fn finish(mut self) -> io::Result<W> {
        let start = self.offset;
        let mut dir = Vec::new();
        for e in &self.entries {
            dir.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            dir.extend_from_slice(&0x031Eu16.to_le_bytes()); // made by: Unix, 3.0
            dir.extend_from_slice(&20u16.to_le_bytes());
            dir.extend_from_slice(&flags(&e.name).to_le_bytes());
            dir.extend_from_slice(&e.method.to_le_bytes());
            dir.extend_from_slice(&0u16.to_le_bytes());
            dir.extend_from_slice(&DOS_DATE.to_le_bytes());
            dir.extend_from_slice(&e.crc.to_le_bytes());
            dir.extend_from_slice(&(e.compressed as u32).to_le_bytes());
            dir.extend_from_slice(&(e.uncompressed as u32).to_le_bytes());
            dir.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            dir.extend_from_slice(&0u16.to_le_bytes()); // extra
            dir.extend_from_slice(&0u16.to_le_bytes()); // comment
            dir.extend_from_slice(&0u16.to_le_bytes()); // disk
            dir.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            dir.extend_from_slice(&(0o100644u32 << 16).to_le_bytes()); // rw-r--r-- regular file
            dir.extend_from_slice(&(e.offset as u32).to_le_bytes());
            dir.extend_from_slice(&e.name);
        }
        if start + dir.len() as u64 >= u32::MAX as u64 || self.entries.len() >= u16::MAX as usize {
            return Err(too_big("the package"));
        }
        let n = self.entries.len() as u16;
        let dir_len = dir.len() as u32;
        dir.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        dir.extend_from_slice(&0u16.to_le_bytes()); // this disk
        dir.extend_from_slice(&0u16.to_le_bytes()); // disk of the directory
        dir.extend_from_slice(&n.to_le_bytes());
        dir.extend_from_slice(&n.to_le_bytes());
        dir.extend_from_slice(&dir_len.to_le_bytes());
        dir.extend_from_slice(&(start as u32).to_le_bytes());
        dir.extend_from_slice(&0u16.to_le_bytes()); // comment length
        self.out.write_all(&dir)?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Bytes a member named `name` adds besides its data (local and central headers).
    pub fn overhead(name: &str) -> u64 {
        30 + 46 + 2 * name.len() as u64
    }
}

/// The size of the end-of-central-directory record.
pub const END_RECORD: u64 = 22;

/// 1980-01-01: the DOS epoch, so that no clock gets into a package.
const DOS_DATE: u16 = (1 << 5) | 1;

fn flags(name: &[u8]) -> u16 {
    // Bit 11: the name is UTF-8.
    if name.is_ascii() { 0 } else { 1 << 11 }
}

/// The raw member names of the central directory, in order, duplicates kept.
/// `None` when the archive has no readable end record (the zip crate reports why).
pub fn central_names(file: &File) -> Option<Vec<Vec<u8>>> {
    let len = file.metadata().ok()?.len();
    let tail_len = len.min(22 + 65535);
    let mut tail = vec![0u8; tail_len as usize];
    read_exact_at(file, &mut tail, len - tail_len).ok()?;
    let pos =
        (0..=tail.len().checked_sub(22)?).rev().find(|&i| tail[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])?;
    let rec = &tail[pos..];
    let count = u16::from_le_bytes([rec[10], rec[11]]) as usize;
    let size = u32::from_le_bytes([rec[12], rec[13], rec[14], rec[15]]) as u64;
    let offset = u32::from_le_bytes([rec[16], rec[17], rec[18], rec[19]]) as u64;
    if size > 64 * 1024 * 1024 || offset.checked_add(size)? > len {
        return None;
    }
    let mut dir = vec![0u8; size as usize];
    read_exact_at(file, &mut dir, offset).ok()?;
    let mut names = Vec::with_capacity(count);
    let mut p = 0usize;
    while p + 46 <= dir.len() && dir[p..p + 4] == [0x50, 0x4b, 0x01, 0x02] {
        let n = u16::from_le_bytes([dir[p + 28], dir[p + 29]]) as usize;
        let m = u16::from_le_bytes([dir[p + 30], dir[p + 31]]) as usize;
        let k = u16::from_le_bytes([dir[p + 32], dir[p + 33]]) as usize;
        let name = dir.get(p + 46..p + 46 + n)?;
        names.push(name.to_vec());
        p += 46 + n + m + k;
    }
    Some(names)
}

/// The raw member name in the local file header at `header_start`.
pub fn local_name(file: &File, header_start: u64) -> io::Result<Vec<u8>> {
    let mut fixed = [0u8; 30];
    read_exact_at(file, &mut fixed, header_start)?;
    if fixed[..4] != [0x50, 0x4b, 0x03, 0x04] {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "no local file header at its offset"));
    }
    let n = u16::from_le_bytes([fixed[26], fixed[27]]) as usize;
    let mut name = vec![0u8; n];
    read_exact_at(file, &mut name, header_start + 30)?;
    Ok(name)
}

fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        let n = read_at(file, buf, offset)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "unexpected end of file"));
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Reads a byte range of a shared file by position (no shared cursor).
struct RangeReader {
    file: Arc<File>,
    pos: u64,
    end: u64,
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.end - self.pos).min(buf.len() as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(&self.file, &mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "member data is cut short"));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// Where a member's data lies and what it must decompress to.
#[derive(Debug, Clone)]
pub struct MemberInfo {
    pub name: String,
    pub data_start: u64,
    pub compressed: u64,
    pub uncompressed: u64,
    pub crc: u32,
    /// 0 stored, 8 deflated (others are refused before this point).
    pub method: u16,
}

/// Why reading a member failed, carried inside an `io::Error`.
#[derive(Debug)]
pub struct MemberError {
    pub kind: Invalid,
    pub message: String,
}

impl std::fmt::Display for MemberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MemberError {}

pub(crate) fn member_error(kind: Invalid, message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, MemberError { kind, message })
}

/// Streams one member's uncompressed data, refusing more than `limit` bytes,
/// a size other than declared, and a wrong CRC.
pub struct MemberReader {
    inner: Box<dyn Read + Send>,
    info: MemberInfo,
    limit: u64,
    seen: u64,
    hasher: crc32fast::Hasher,
}

impl MemberReader {
    pub fn new(file: Arc<File>, info: MemberInfo, limit: u64) -> MemberReader {
        let raw = io::BufReader::with_capacity(
            64 * 1024,
            RangeReader { file, pos: info.data_start, end: info.data_start + info.compressed },
        );
        let inner: Box<dyn Read + Send> = if info.method == 8 {
            Box::new(flate2::bufread::DeflateDecoder::new(raw))
        } else {
            Box::new(raw)
        };
        MemberReader { inner, info, limit, seen: 0, hasher: crc32fast::Hasher::new() }
    }
}

impl Read for MemberReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        if self.seen > self.limit {
            return Err(member_error(
                Invalid::TooLarge,
                format!("member `{}` decompresses to more than {} bytes", self.info.name, self.limit),
            ));
        }
        if self.seen > self.info.uncompressed {
            return Err(member_error(
                Invalid::BadMember,
                format!("member `{}` holds more data than its declared size", self.info.name),
            ));
        }
        if n == 0 && !buf.is_empty() {
            if self.seen != self.info.uncompressed {
                return Err(member_error(
                    Invalid::BadMember,
                    format!("member `{}` holds less data than its declared size", self.info.name),
                ));
            }
            if self.hasher.clone().finalize() != self.info.crc {
                return Err(member_error(
                    Invalid::BadMember,
                    format!("member `{}` fails its CRC check (the package is damaged)", self.info.name),
                ));
            }
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}
