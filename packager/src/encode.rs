//! The package encoding: resolving its label and writing CSV rows in it.
//!
//! Labels resolve through [`ferry_mapper::read::encoding_for_label`] (WHATWG
//! labels and the `CP-1252` spelling), the one rule for every label ferry
//! reads; [`writable`] says which of them packages are written in. A [`RowWriter`] quotes
//! cells as RFC 4180 asks (CRLF line ends) and encodes them; a character the
//! encoding cannot hold is an error naming the file, line, column and
//! character, or a `?` with `replace`.

use encoding_rs::Encoding;

use crate::Error;

/// Writes CSV rows in an encoding.
pub struct RowWriter {
    encoding: &'static Encoding,
    replace: bool,
    field: String,
}

impl RowWriter {
    pub fn new(encoding: &'static Encoding, replace: bool) -> RowWriter {
        RowWriter { encoding, replace, field: String::new() }
    }

    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Appends one CSV row to `out`. `file`, `line` and `columns` locate a
    /// character the encoding cannot hold.
    pub fn write_row<'a>(
        &mut self,
        cells: impl Iterator<Item = &'a str>,
        out: &mut Vec<u8>,
        file: &str,
        line: u64,
        columns: &[String],
    ) -> Result<(), Error> {
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                self.push_ascii(b",", out);
            }
            self.field.clear();
            let needs_quotes = cell.contains([',', '"', '\r', '\n']);
            if needs_quotes {
                self.field.push('"');
                for c in cell.chars() {
                    if c == '"' {
                        self.field.push('"');
                    }
                    self.field.push(c);
                }
                self.field.push('"');
            } else {
                self.field.push_str(cell);
            }
            let field = std::mem::take(&mut self.field);
            let result = self.encode(&field, out);
            self.field = field;
            if let Err(character) = result {
                return Err(Error::Unencodable {
                    file: file.to_string(),
                    line,
                    column: columns.get(i).cloned().unwrap_or_else(|| format!("column {}", i + 1)),
                    character,
                    encoding: self.encoding.name().to_string(),
                });
            }
        }
        self.push_ascii(b"\r\n", out);
        Ok(())
    }

    fn push_ascii(&self, s: &[u8], out: &mut Vec<u8>) {
        if self.encoding == encoding_rs::UTF_16LE {
            for b in s {
                out.extend_from_slice(&[*b, 0]);
            }
        } else if self.encoding == encoding_rs::UTF_16BE {
            for b in s {
                out.extend_from_slice(&[0, *b]);
            }
        } else {
            out.extend_from_slice(s);
        }
    }

    /// Encodes `text`; on a character the encoding lacks, `Err(that char)` unless replacing.
    fn encode(&mut self, text: &str, out: &mut Vec<u8>) -> Result<(), char> {
        if self.encoding == encoding_rs::UTF_8 {
            out.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        if self.encoding == encoding_rs::UTF_16LE || self.encoding == encoding_rs::UTF_16BE {
            let le = self.encoding == encoding_rs::UTF_16LE;
            for unit in text.encode_utf16() {
                out.extend_from_slice(&if le { unit.to_le_bytes() } else { unit.to_be_bytes() });
            }
            return Ok(());
        }
        let mut encoder = self.encoding.new_encoder();
        let mut rest = text;
        loop {
            let need = encoder
                .max_buffer_length_from_utf8_without_replacement(rest.len())
                .unwrap_or(rest.len() * 4 + 16);
            out.reserve(need);
            let (result, read) = encoder.encode_from_utf8_to_vec_without_replacement(rest, out, true);
            rest = &rest[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => return Ok(()),
                encoding_rs::EncoderResult::OutputFull => continue,
                encoding_rs::EncoderResult::Unmappable(c) => {
                    if self.replace {
                        out.push(b'?');
                    } else {
                        return Err(c);
                    }
                }
            }
        }
    }
}

/// True when ferry can write CSV members in `encoding` (ASCII-compatible
/// encodings and UTF-16; not `x-user-defined`).
pub fn writable(encoding: &'static Encoding) -> bool {
    encoding == encoding_rs::UTF_16LE
        || encoding == encoding_rs::UTF_16BE
        || (encoding.is_ascii_compatible() && encoding != encoding_rs::X_USER_DEFINED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(enc: &str, replace: bool, cells: &[&str]) -> Result<Vec<u8>, Error> {
        let mut w = RowWriter::new(ferry_mapper::read::encoding_for_label(enc).unwrap(), replace);
        let mut out = Vec::new();
        let cols: Vec<String> = (0..cells.len()).map(|i| format!("c{i}")).collect();
        w.write_row(cells.iter().copied(), &mut out, "f.csv", 7, &cols)?;
        Ok(out)
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            row("UTF-8", false, &["a", "b,c", "say \"hi\"", "x\ny"]).unwrap(),
            b"a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n"
        );
    }

    #[test]
    fn windows_1252_bytes_and_unencodable_characters() {
        assert_eq!(row("CP-1252", false, &["Müller", "Café €"]).unwrap(), b"M\xfcller,Caf\xe9 \x80\r\n");
        let err = row("windows-1252", false, &["ok", "snow ☃ man"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`f.csv` line 7, column `c1`: `☃` (U+2603) cannot be written in `windows-1252`"
        );
        assert_eq!(row("windows-1252", true, &["snow ☃"]).unwrap(), b"snow ?\r\n");
    }

    #[test]
    fn utf16_is_written_by_hand() {
        assert_eq!(row("UTF-16LE", false, &["é"]).unwrap(), b"\xe9\x00\r\x00\n\x00");
    }
}
