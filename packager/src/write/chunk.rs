//! A chunk of a pack: encoded rows of whole groups (a parent row and its
//! child rows), per member, waiting to be compressed and placed.

/// Encoded rows of whole groups, per member, waiting to be compressed.
pub(super) struct Chunk {
    pub(super) bufs: Vec<Vec<u8>>,
    pub(super) rows: Vec<u64>,
    /// Per group: end offsets of each member's bytes (flattened, `members` per group).
    ends: Vec<usize>,
    /// Per group: cumulative row counts of each member (flattened).
    row_ends: Vec<u64>,
    pub(super) labels: Vec<String>,
    pub(super) members: usize,
}

impl Chunk {
    pub(super) fn new(members: usize) -> Chunk {
        Chunk {
            bufs: vec![Vec::new(); members],
            rows: vec![0; members],
            ends: Vec::new(),
            row_ends: Vec::new(),
            labels: Vec::new(),
            members,
        }
    }

    pub(super) fn end_group(&mut self, label: impl FnOnce() -> String) {
        for m in 0..self.members {
            self.ends.push(self.bufs[m].len());
            self.row_ends.push(self.rows[m]);
        }
        self.labels.push(label());
    }

    pub(super) fn groups(&self) -> usize {
        self.labels.len()
    }

    pub(super) fn size(&self) -> usize {
        self.bufs.iter().map(Vec::len).sum()
    }

    /// Byte range and row count of member `m` for groups `a..b`.
    pub(super) fn span(&self, m: usize, a: usize, b: usize) -> (std::ops::Range<usize>, u64) {
        let (start, rows_start) = if a == 0 {
            (0, 0)
        } else {
            (self.ends[(a - 1) * self.members + m], self.row_ends[(a - 1) * self.members + m])
        };
        let end = self.ends[(b - 1) * self.members + m];
        let rows_end = self.row_ends[(b - 1) * self.members + m];
        (start..end, rows_end - rows_start)
    }

    pub(super) fn clear(&mut self) {
        for b in &mut self.bufs {
            b.clear();
        }
        self.rows.iter_mut().for_each(|r| *r = 0);
        self.ends.clear();
        self.row_ends.clear();
        self.labels.clear();
    }
}
