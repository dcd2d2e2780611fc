//! The child index of a pack: a child file's encoded rows in a scratch file,
//! found again by the parent id they point at.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use super::{fail, scratch_err};
use crate::Error;

/// A child file's encoded rows in a scratch file, found by parent id.
///
/// Memory holds 16 bytes a row (the parent id's hash and the row's place in
/// the scratch file) and one bit (taken or not); the ids themselves are in
/// the scratch file, before each row, and are compared there, so two ids
/// with the same hash never mix.
pub(super) struct ChildIndex {
    file: BufWriter<File>,
    offset: u64,
    /// (hash of the parent id, offset of the row's record), sorted by hash
    /// and then offset (file order) once finished.
    entries: Vec<(u64, u64)>,
    taken: Vec<bool>,
    /// Reads the scratch file: buffered, since children mostly come in their
    /// parents' order, so most reads follow the one before.
    reader: Option<std::io::BufReader<File>>,
    /// The reader's position in the scratch file.
    at: u64,
}

/// A row's record in the scratch file: its line, its parent id and its bytes.
struct ChildRecord {
    line: u64,
    key: Vec<u8>,
    bytes_len: usize,
}

/// Bytes before a record's parent id: line (8), id length (4), row length (4).
const CHILD_HEAD: usize = 16;

pub(super) fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same ids hash alike in every run.
    let mut h = std::hash::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

impl ChildIndex {
    pub(super) fn new() -> Result<ChildIndex, Error> {
        let file = tempfile::tempfile().map_err(scratch_err)?;
        Ok(ChildIndex {
            file: BufWriter::with_capacity(256 * 1024, file),
            offset: 0,
            entries: Vec::new(),
            taken: Vec::new(),
            reader: None,
            at: 0,
        })
    }

    pub(super) fn push(&mut self, key: &str, line: u64, bytes: &[u8]) -> Result<(), Error> {
        let key_len =
            u32::try_from(key.len()).map_err(|_| fail(format!("line {line}: a parent id of over 4 GB")))?;
        let bytes_len =
            u32::try_from(bytes.len()).map_err(|_| fail(format!("line {line}: a row of over 4 GB")))?;
        let mut head = [0u8; CHILD_HEAD];
        head[..8].copy_from_slice(&line.to_le_bytes());
        head[8..12].copy_from_slice(&key_len.to_le_bytes());
        head[12..].copy_from_slice(&bytes_len.to_le_bytes());
        for part in [&head[..], key.as_bytes(), bytes] {
            self.file.write_all(part).map_err(scratch_err)?;
        }
        self.entries.push((key_hash(key), self.offset));
        self.offset += (CHILD_HEAD + key.len() + bytes.len()) as u64;
        Ok(())
    }

    pub(super) fn finish(&mut self) -> Result<(), Error> {
        self.file.flush().map_err(scratch_err)?;
        let mut file = self.file.get_ref().try_clone().map_err(scratch_err)?;
        file.seek(SeekFrom::Start(0)).map_err(scratch_err)?;
        self.reader = Some(std::io::BufReader::with_capacity(64 * 1024, file));
        self.at = 0;
        self.entries.sort_unstable();
        self.taken = vec![false; self.entries.len()];
        Ok(())
    }

    /// The record at `offset`, up to its row bytes (left to read next).
    fn record(&mut self, offset: u64) -> Result<ChildRecord, Error> {
        let reader = self.reader.as_mut().expect("finished");
        if offset != self.at {
            // Within the buffer this moves in it; further, it seeks.
            reader.seek_relative(offset as i64 - self.at as i64).map_err(scratch_err)?;
        }
        let mut head = [0u8; CHILD_HEAD];
        reader.read_exact(&mut head).map_err(scratch_err)?;
        let word = |a: usize| u32::from_le_bytes(head[a..a + 4].try_into().expect("4 bytes")) as usize;
        let line = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
        let (key_len, bytes_len) = (word(8), word(12));
        let mut key = vec![0u8; key_len];
        reader.read_exact(&mut key).map_err(scratch_err)?;
        self.at = offset + (CHILD_HEAD + key_len) as u64;
        Ok(ChildRecord { line, key, bytes_len })
    }

    /// Appends the rows of `key` not yet taken to `out`, in file order, and
    /// marks them taken.
    pub(super) fn take(&mut self, key: &str, out: &mut Vec<u8>, rows: &mut u64) -> Result<(), Error> {
        let h = key_hash(key);
        let from = self.entries.partition_point(|e| e.0 < h);
        let to = self.entries.partition_point(|e| e.0 <= h);
        for i in from..to {
            if self.taken[i] {
                continue;
            }
            let record = self.record(self.entries[i].1)?;
            if record.key != key.as_bytes() {
                continue; // another id with the same hash
            }
            let start = out.len();
            out.resize(start + record.bytes_len, 0);
            let reader = self.reader.as_mut().expect("finished");
            reader.read_exact(&mut out[start..]).map_err(scratch_err)?;
            self.at += record.bytes_len as u64;
            self.taken[i] = true;
            *rows += 1;
        }
        Ok(())
    }

    /// The ids of the rows no parent took, sorted, each with its rows' lines
    /// (in file order: rows of one id sit in offset order).
    pub(super) fn untaken(&mut self) -> Result<BTreeMap<String, Vec<u64>>, Error> {
        let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for i in 0..self.entries.len() {
            if self.taken[i] {
                continue;
            }
            let record = self.record(self.entries[i].1)?;
            let key = String::from_utf8(record.key).map_err(|_| fail("a parent id is not UTF-8"))?;
            out.entry(key).or_default().push(record.line);
        }
        Ok(out)
    }

    /// Marks every row of `key` taken, without reading them.
    pub(super) fn drop_key(&mut self, key: &str) -> Result<(), Error> {
        let mut sink = Vec::new();
        let mut rows = 0;
        self.take(key, &mut sink, &mut rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids that share a hash are told apart by the ids kept in the scratch
    /// file; rows come out in file order, each once.
    #[test]
    fn the_child_index_keeps_ids_apart_and_rows_in_order() {
        let mut index = ChildIndex::new().unwrap();
        for (key, line, row) in [("a", 2, "a1\n"), ("b", 3, "b1\n"), ("a", 4, "a2\n"), ("c", 5, "c1\n")] {
            index.push(key, line, row.as_bytes()).unwrap();
        }
        index.finish().unwrap();
        // A collision: every row now sits under the hash of `a`.
        let a = key_hash("a");
        index.entries.iter_mut().for_each(|e| e.0 = a);
        index.entries.sort_unstable();
        let mut take = |key: &str| {
            let (mut out, mut rows) = (Vec::new(), 0);
            index.take(key, &mut out, &mut rows).unwrap();
            (String::from_utf8(out).unwrap(), rows)
        };
        assert_eq!(take("a"), ("a1\na2\n".to_string(), 2), "only `a`'s rows, in file order");
        assert_eq!(take("a"), (String::new(), 0), "taken once");
        let left: Vec<(String, Vec<u64>)> = index.untaken().unwrap().into_iter().collect();
        assert_eq!(left, [("b".to_string(), vec![3]), ("c".to_string(), vec![5])]);
    }
}
