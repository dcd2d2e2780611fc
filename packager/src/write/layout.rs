//! Which columns of a legacy file a package carries, found as `check` finds them.

use std::collections::BTreeSet;

use ferry_mapper::template::FileMapping;

use super::{Source, fail};
use crate::Error;
use crate::format;

/// Where a file's written columns come from.
pub(super) struct Layout {
    /// Source column index of each written data column.
    pub(super) at: Vec<usize>,
    /// The written columns: the data columns, then [`format::LINE_COLUMN`].
    pub(super) columns: Vec<String>,
}

impl Layout {
    pub(super) fn new(
        file: &FileMapping,
        headers: &[String],
        files: &[FileMapping],
        me: usize,
    ) -> Result<Layout, Error> {
        let mut needed: BTreeSet<&str> = file.mappings.iter().map(|m| m.column.as_str()).collect();
        needed.extend(file.mappings.iter().filter_map(|m| m.type_from.as_ref()).map(|f| f.column.as_str()));
        if let Some(p) = &file.parent {
            needed.insert(&p.column);
        }
        if let Some(id) = &file.id_column {
            needed.insert(id);
        }
        for f in files {
            if let Some(p) = &f.parent
                && p.file == files[me].name
            {
                needed.insert(&p.parent_column);
            }
        }
        // Columns are found as `check` finds them (`find_column`: exact, else
        // the one header equal ignoring case and surrounding spaces).
        let wanted: BTreeSet<usize> =
            needed.iter().filter_map(|c| ferry_mapper::convert::find_column(headers, c)).collect();
        needed.retain(|c| ferry_mapper::convert::find_column(headers, c).is_none());
        let mut at = Vec::new();
        let mut columns = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if wanted.contains(&i) {
                at.push(i);
                columns.push(h.clone());
            }
        }
        if let Some(missing) = needed.first() {
            return Err(fail(format!(
                "`{}` has no column `{missing}`, which the template uses (columns: {})",
                file.name,
                headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
            )));
        }
        if columns.iter().any(|c| c == format::LINE_COLUMN) {
            return Err(fail(format!(
                "`{}` has a column `{}`, the name packages give the source line; rename it",
                file.name,
                format::LINE_COLUMN
            )));
        }
        // Each row carries its line in the legacy file, so the import names it as `check` does.
        columns.push(format::LINE_COLUMN.to_string());
        Ok(Layout { at, columns })
    }
}

/// The files of a ready-made template without the mappings of columns the
/// data lacks (`check` warns of each).
pub(super) fn ready_made_files(
    files: &[FileMapping],
    source: &dyn Source,
) -> Result<Vec<FileMapping>, Error> {
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let headers = source.open(f)?.headers.clone();
        let has = |c: &str| ferry_mapper::convert::find_column(&headers, c).is_some();
        let mut f = f.clone();
        f.mappings.retain(|m| has(&m.column) && m.type_from.as_ref().is_none_or(|t| has(&t.column)));
        out.push(f);
    }
    Ok(out)
}

pub(super) fn column_index(headers: &[String], column: &str, file: &str) -> Result<usize, Error> {
    ferry_mapper::convert::find_column(headers, column)
        .ok_or_else(|| fail(format!("`{file}` has no column `{column}`, which its parent link uses")))
}
