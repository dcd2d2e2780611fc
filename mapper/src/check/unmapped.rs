//! Columns of a file that its template does not name: their values are not
//! imported, which `check` says, with how many rows hold one, so a template
//! reused on another version of an export never drops a column unseen.

use serde::Serialize;

use crate::convert::find_column;
use crate::read::Row;
use crate::template::FileMapping;

/// A column no mapping names, and how many rows hold a value in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmappedColumn {
    pub column: String,
    /// Rows with a value in the column (not empty, not only spaces).
    pub rows: u64,
}

/// The unmapped columns of one file, counted as its rows are read.
pub(super) struct Unmapped {
    columns: Vec<(usize, String, u64)>,
}

impl Unmapped {
    /// The header's columns that `file` does not name: not as a mapping's
    /// column or type column, its parent link, its id column, nor in `used`
    /// (the id columns its child files link by).
    pub(super) fn new(headers: &[String], file: &FileMapping, used: &[&str]) -> Unmapped {
        let named: Vec<usize> = file
            .mappings
            .iter()
            .flat_map(|m| {
                std::iter::once(m.column.as_str()).chain(m.type_from.as_ref().map(|t| t.column.as_str()))
            })
            .chain(file.parent.as_ref().map(|p| p.column.as_str()))
            .chain(file.id_column.as_deref())
            .chain(used.iter().copied())
            .filter_map(|c| find_column(headers, c))
            .collect();
        let columns = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !named.contains(i))
            .map(|(i, name)| (i, name.clone(), 0))
            .collect();
        Unmapped { columns }
    }

    pub(super) fn see(&mut self, row: &Row) {
        for (index, _, rows) in &mut self.columns {
            if !row.cell(*index).trim().is_empty() {
                *rows += 1;
            }
        }
    }

    /// The columns that held a value in some row.
    pub(super) fn finish(self) -> Vec<UnmappedColumn> {
        self.columns
            .into_iter()
            .filter(|(_, _, rows)| *rows > 0)
            .map(|(_, column, rows)| UnmappedColumn { column, rows })
            .collect()
    }
}
