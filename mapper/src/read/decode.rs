//! Detecting a CSV file's encoding and decoding it to UTF-8 as a stream.
//!
//! [`detect`] looks at the first bytes of a file: a byte-order mark is
//! definitive; otherwise valid UTF-8 is UTF-8, NUL-heavy text is BOM-less
//! UTF-16, and anything else goes to chardetng, which picks a legacy code page.
//! [`DecodingReader`] then turns the bytes into UTF-8 chunk by chunk, writing
//! U+FFFD for undecodable bytes and counting them (encoding_rs's own replacing
//! decoder only says *whether* it replaced, not how often). Made with
//! [`DecodingReader::strict`] (the packager's reading of a CSV member in its
//! declared encoding), it refuses them instead: the read fails with an
//! [`Undecodable`] naming the line.

use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use encoding_rs::{Decoder, DecoderResult, Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// How many leading bytes detection (encoding and delimiter) looks at.
pub(crate) const PREFIX_LEN: usize = 64 * 1024;

/// The outcome of encoding detection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Detected {
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark to skip (0 when there is none).
    pub bom_len: usize,
}

/// Chooses the encoding of a file from its first bytes.
///
/// `complete` says whether `prefix` is the whole file (so a multi-byte sequence
/// cut at its end is an error rather than an artefact of the cut).
/// A BOM wins over `forced`: it is unambiguous, and ignoring it would put
/// mojibake in the first header.
pub(crate) fn detect(prefix: &[u8], complete: bool, forced: Option<&'static Encoding>) -> Detected {
    if let Some((encoding, bom_len)) = Encoding::for_bom(prefix) {
        return Detected { encoding, bom_len };
    }
    if let Some(encoding) = forced {
        return Detected { encoding, bom_len: 0 };
    }
    if let Some(encoding) = bomless_utf16(prefix) {
        return Detected { encoding, bom_len: 0 };
    }
    let valid = Encoding::utf8_valid_up_to(prefix);
    // At most 3 bytes of a 4-byte sequence can be cut off by the prefix's end.
    if valid == prefix.len() || (!complete && prefix.len() - valid < 4 && looks_cut(&prefix[valid..])) {
        return Detected { encoding: UTF_8, bom_len: 0 };
    }
    if mostly_utf8(prefix) {
        // UTF-8 with a few stray bytes: the reader reports those bytes; a
        // single-byte code page would turn every other accent into mojibake.
        return Detected { encoding: UTF_8, bom_len: 0 };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(prefix, complete);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    Detected { encoding, bom_len: 0 }
}

/// True when `bytes` hold more valid UTF-8 multi-byte sequences than invalid
/// ones (legacy single-byte text almost never forms a valid sequence).
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        let ok = Encoding::utf8_valid_up_to(rest);
        valid += rest[..ok].iter().filter(|b| **b >= 0xC0).count();
        if ok == rest.len() {
            break;
        }
        invalid += 1;
        // Skip the bad byte and any continuation bytes after it.
        let skip = 1 + rest[ok + 1..].iter().take_while(|b| (0x80..0xC0).contains(*b)).count();
        rest = &rest[ok + skip..];
    }
    valid > invalid
}

/// True when `tail` is the start of a UTF-8 multi-byte sequence (a lead byte
/// followed only by continuation bytes).
fn looks_cut(tail: &[u8]) -> bool {
    match tail.split_first() {
        Some((lead, rest)) => *lead >= 0xC2 && *lead <= 0xF4 && rest.iter().all(|b| (0x80..0xC0).contains(b)),
        None => true,
    }
}

/// UTF-16 without a BOM shows up as text where every other byte is NUL.
fn bomless_utf16(prefix: &[u8]) -> Option<&'static Encoding> {
    let sample = &prefix[..prefix.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even, mut odd) = (0, 0);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Bytes that are not valid in the encoding, met by a strict [`DecodingReader`]
/// (the error inside the `io::Error` of its read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable {
    /// The line (1-based, counted in the decoded text) the bytes are on.
    pub line: u64,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: bytes that are not valid in the declared encoding", self.line)
    }
}

impl std::error::Error for Undecodable {}

/// A `Read` of UTF-8 decoded from another `Read` in any encoding.
///
/// Memory stays at two fixed buffers whatever the input's size.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    eof: bool,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    finished: bool,
    replaced: Arc<AtomicU64>,
    /// Line breaks are bare carriage returns (classic Mac OS): each `\r` is
    /// passed on as `\n`, so lines are counted and quoted breaks read as in
    /// any other file.
    cr_breaks: bool,
    /// Refuse undecodable bytes (counting lines to say where) instead of
    /// replacing them.
    strict: bool,
    /// Line breaks decoded so far (strict readers only).
    lines: u64,
}

impl<R: Read> DecodingReader<R> {
    /// Decodes `inner` (whose BOM, if any, was already skipped) from `encoding`.
    /// Every undecodable sequence adds one to `replaced`.
    pub(crate) fn new(inner: R, encoding: &'static Encoding, replaced: Arc<AtomicU64>) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            eof: false,
            // Room for the worst case of one input buffer (3 UTF-8 bytes per
            // input byte) would waste memory; the decoder handles a full output.
            output: vec![0; 128 * 1024].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            finished: false,
            replaced,
            cr_breaks: false,
            strict: false,
            lines: 0,
        }
    }

    /// Decodes `inner` from `encoding` (a BOM of `encoding` is skipped) and
    /// fails the read at the first undecodable sequence with an [`Undecodable`].
    pub fn strict(inner: R, encoding: &'static Encoding) -> Self {
        let mut reader = DecodingReader::new(inner, encoding, Arc::default());
        reader.decoder = encoding.new_decoder_with_bom_removal();
        reader.strict = true;
        reader
    }

    /// Passes each `\r` on as `\n` (for files whose line breaks are bare
    /// carriage returns; UTF-8 never uses the byte inside a character).
    pub(crate) fn with_cr_breaks(mut self, on: bool) -> Self {
        self.cr_breaks = on;
        self
    }

    fn fill_output(&mut self) -> io::Result<()> {
        loop {
            if self.in_start == self.in_end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_start = 0;
                self.in_end = n;
                self.eof = n == 0;
            }
            // Keep 3 bytes free for the U+FFFD written after a malformed sequence.
            let room = self.output.len() - 3;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_start..self.in_end],
                &mut self.output[..room],
                self.eof,
            );
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                DecoderResult::InputEmpty => {
                    if self.eof {
                        self.finished = true;
                    }
                }
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(_, _) if self.strict => {
                    let before = self.output[..self.out_end].iter().filter(|b| **b == b'\n').count();
                    self.out_end = 0;
                    self.finished = true;
                    let line = self.lines + before as u64 + 1;
                    return Err(io::Error::new(io::ErrorKind::InvalidData, Undecodable { line }));
                }
                DecoderResult::Malformed(_, _) => {
                    self.replaced.fetch_add(1, Ordering::Relaxed);
                    self.output[self.out_end..self.out_end + 3].copy_from_slice("\u{FFFD}".as_bytes());
                    self.out_end += 3;
                }
            }
            if self.cr_breaks {
                for b in &mut self.output[..self.out_end] {
                    if *b == b'\r' {
                        *b = b'\n';
                    }
                }
            }
            if self.strict {
                self.lines += self.output[..self.out_end].iter().filter(|b| **b == b'\n').count() as u64;
            }
            if self.out_end > 0 || self.finished {
                return Ok(());
            }
        }
    }
}

impl<R: Read> BufRead for DecodingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.out_start == self.out_end && !self.finished {
            self.fill_output()?;
        }
        Ok(&self.output[self.out_start..self.out_end])
    }

    fn consume(&mut self, amount: usize) {
        self.out_start = (self.out_start + amount).min(self.out_end);
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.out_end {
            if self.finished {
                return Ok(0);
            }
            self.fill_output()?;
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], encoding: &'static Encoding) -> (String, u64) {
        let replaced = Arc::new(AtomicU64::new(0));
        let mut reader = DecodingReader::new(bytes, encoding, replaced.clone());
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        (out, replaced.load(Ordering::Relaxed))
    }

    #[test]
    fn bom_wins_over_forced_encoding() {
        let d = detect(b"\xFF\xFEa\0", true, Some(encoding_rs::WINDOWS_1252));
        assert_eq!((d.encoding, d.bom_len), (UTF_16LE, 2));
        let d = detect(b"\xEF\xBB\xBFabc", true, None);
        assert_eq!((d.encoding, d.bom_len), (UTF_8, 3));
    }

    #[test]
    fn detects_utf8_legacy_and_bomless_utf16() {
        assert_eq!(detect("Zoë,Müller\n".as_bytes(), true, None).encoding, UTF_8);
        let cp1252 = b"name;city\nJos\xe9 Nu\xf1ez;M\xfcnchen\nRen\xe9e O\x92Brien;Z\xfcrich\n";
        assert_eq!(detect(cp1252, true, None).encoding, encoding_rs::WINDOWS_1252);
        let le: Vec<u8> = "a,b\n1,2\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(detect(&le, true, None).encoding, UTF_16LE);
        let be: Vec<u8> = "a,b\n1,2\n".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(detect(&be, true, None).encoding, UTF_16BE);
    }

    #[test]
    fn utf8_with_a_stray_byte_stays_utf8() {
        let text = "name,city\nCôté,Montréal\nJosé,Zoë\nAnn \u{FF} Lee,Québec\n";
        let bytes: Vec<u8> = text
            .chars()
            .flat_map(|c| if c == '\u{FF}' { vec![0xFF] } else { c.to_string().into_bytes() })
            .collect();
        assert_eq!(detect(&bytes, true, None).encoding, UTF_8);
        let cp1252 = b"name;city\nJos\xe9 Nu\xf1ez;M\xfcnchen\nRen\xe9e O\x92Brien;Z\xfcrich\n";
        assert_eq!(detect(cp1252, true, None).encoding, encoding_rs::WINDOWS_1252);
    }

    #[test]
    fn a_multibyte_sequence_cut_by_the_prefix_is_still_utf8() {
        let text = "é".repeat(10);
        let cut = &text.as_bytes()[..7];
        assert_eq!(detect(cut, false, None).encoding, UTF_8);
    }

    #[test]
    fn counts_undecodable_bytes() {
        let (text, replaced) = decode_all(b"ok \xff\xfe end", UTF_8);
        assert_eq!(text, "ok \u{FFFD}\u{FFFD} end");
        assert_eq!(replaced, 2);
        let (text, replaced) = decode_all(b"Caf\xe9", encoding_rs::WINDOWS_1252);
        assert_eq!((text.as_str(), replaced), ("Café", 0));
    }

    #[test]
    fn a_strict_reader_refuses_undecodable_bytes_naming_the_line() {
        let mut out = String::new();
        let e = DecodingReader::strict(&b"a,b\nok\nnot \xff ok\n"[..], UTF_8)
            .read_to_string(&mut out)
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let inner = e.get_ref().and_then(|r| r.downcast_ref::<Undecodable>()).unwrap();
        assert_eq!(inner.line, 3);
        let mut out = String::new();
        DecodingReader::strict(&b"\xEF\xBB\xBFCaf\xc3\xa9\n"[..], UTF_8).read_to_string(&mut out).unwrap();
        assert_eq!(out, "Café\n", "the BOM is skipped");
        let long = "line\n".repeat(40_000) + "\u{FF}";
        let bytes: Vec<u8> = long.bytes().map(|b| if b == 0xC3 { 0xFF } else { b }).collect();
        let e = DecodingReader::strict(&bytes[..], UTF_8).read_to_end(&mut Vec::new()).unwrap_err();
        let inner = e.get_ref().and_then(|r| r.downcast_ref::<Undecodable>()).unwrap();
        assert_eq!(inner.line, 40_001, "lines are counted across buffers");
    }

    #[test]
    fn decodes_across_buffer_boundaries() {
        let text = "Zoë Ñandú ’quoted’ ".repeat(20_000);
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (out, replaced) = decode_all(&utf16, UTF_16LE);
        assert_eq!(replaced, 0);
        assert_eq!(out, text);
    }
}
