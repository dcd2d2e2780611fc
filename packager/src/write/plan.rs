//! What a pack writes, decided before any row is read: per template file its
//! CSV member name, its place in the one level of parent links, and the
//! columns written (mapped, type and link columns in source order, then
//! [`format::LINE_COLUMN`]); and the package's own template, which names the
//! CSV members and the canonical encoding.

use std::collections::{BTreeMap, BTreeSet};

use ferry_mapper::template::{Converter, FileMapping, MappingTemplate};

use super::{PackOptions, Source, fail, member_name};
use crate::Error;
use crate::format::{self, FILE_MAPPINGS, TARGET_JSON};

/// One file of the pack: its place in the structure and its columns.
pub(super) struct Plan {
    pub(super) member: String,
    /// Index of the parent file, for child files.
    pub(super) parent: Option<usize>,
    /// Children of this file.
    pub(super) children: Vec<usize>,
    /// Header names written (source order, mapped and link columns only).
    pub(super) columns: Vec<String>,
}

/// Plans every file of the template, and the template the package carries.
pub(super) fn plan(
    options: &PackOptions,
    files: &[FileMapping],
    encoding: &'static encoding_rs::Encoding,
) -> Result<(Vec<Plan>, MappingTemplate), Error> {
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
    let tree = ferry_mapper::tree::FileTree::of(files)
        .strict()
        .map_err(|p| fail(format!("file `{}`: {p}", p.file())))?;
    for branch in &tree.branches {
        for &child in &branch.children {
            plans[child].parent = Some(branch.main);
            plans[branch.main].children.push(child);
        }
    }
    let mut template = options.template.clone();
    template.files = files.to_vec();
    // The package carries only the mappings this export has: nothing is ready-made about it.
    template.ready_made = false;
    // The country only fills defaults of the template's converters: the
    // package's converters say what they need themselves.
    if let Some(country) = template.country.take() {
        for m in template.files.iter_mut().flat_map(|f| f.mappings.iter_mut()) {
            if let Converter::Phone { country: c @ None } = &mut m.converter {
                *c = Some(country.clone());
            }
        }
    }
    template.schema = None;
    template.encoding = encoding.name().to_string();
    for (f, plan) in template.files.iter_mut().zip(&plans) {
        f.name = plan.member.clone();
        if let Some(link) = &mut f.parent {
            link.file = member_name(&link.file);
        }
    }
    Ok((plans, template))
}

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
        // A column is written under the template's spelling, so the package's
        // mappings name its header exactly.
        let mut wanted: BTreeMap<usize, &str> = BTreeMap::new();
        for c in &needed {
            if let Some(i) = ferry_mapper::convert::find_column(headers, c) {
                wanted.entry(i).or_insert(c);
            }
        }
        needed.retain(|c| ferry_mapper::convert::find_column(headers, c).is_none());
        let mut at = Vec::new();
        let mut columns = Vec::new();
        for (i, name) in wanted {
            at.push(i);
            columns.push(name.to_string());
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
