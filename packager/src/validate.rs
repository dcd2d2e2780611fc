//! The checks of a package beyond its container and XML, which
//! [`crate::read::Package::open_with`] runs for every reader (`inspect`,
//! `import`, the writer's own verification), so they all agree:
//!
//! - [`check_size`]: the size cap ("Packages larger than 10MB cannot be
//!   imported", 001), unless the caller raised it;
//! - [`check_local_names`]: each member's local header names the member its
//!   central directory entry names (an archive that shows one name to a
//!   directory listing and another to a streaming unzip is hostile);
//! - [`check_template`] and [`check_file`]: the mapping fits the target it
//!   carries: every target field exists, none is mapped twice, child files
//!   link to the main file (no grandchild, no cycle), converters suit their
//!   fields. These are the mapper's own template checks, the ones `check`
//!   and `pack` run on a template.

use std::fs::File;
use std::path::Path;

use ferry_mapper::convert::{ConvertOptions, FileConverter};
use ferry_mapper::problem::{Problem, ProblemKind, Severity};
use ferry_mapper::target::TargetDefinition;
use ferry_mapper::template::{FileMapping, MappingTemplate};

use crate::Error;
use crate::error::Invalid;
use crate::format::TARGET_JSON;

fn bad(path: &Path, kind: Invalid, message: String) -> Error {
    Error::Invalid { path: path.to_path_buf(), kind, message }
}

/// Refuses a package larger than `max` bytes, naming both sizes.
pub fn check_size(path: &Path, size: u64, max: u64) -> Result<(), Error> {
    if size <= max {
        return Ok(());
    }
    Err(bad(
        path,
        Invalid::OverSizeCap,
        format!(
            "the package is {size} bytes ({}), larger than the cap of {max} bytes ({}): packages larger than the cap cannot be imported (raise the cap with `--max-size`, or pack the data again in parts with `ferry pack --max-size`)",
            human(size),
            human(max)
        ),
    ))
}

fn human(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1.0 { format!("{mb:.1} MB") } else { format!("{:.1} KB", bytes as f64 / 1024.0) }
}

/// Refuses a member whose local header names another member than the
/// central directory does. `entries`: each member's central name and the
/// offset of its local header.
pub fn check_local_names(path: &Path, file: &File, entries: &[(String, u64)]) -> Result<(), Error> {
    for (name, header_start) in entries {
        let local = crate::zipfile::local_name(file, *header_start).map_err(|e| {
            bad(path, Invalid::BadMember, format!("member `{name}`: its local header cannot be read: {e}"))
        })?;
        if local != name.as_bytes() {
            return Err(bad(
                path,
                Invalid::LocalName,
                format!(
                    "member `{name}` is named `{}` in its local header; an archive that names a member two ways is refused",
                    String::from_utf8_lossy(&local)
                ),
            ));
        }
    }
    Ok(())
}

/// The first error among `problems`, as a package error.
fn first_error(path: &Path, member: &str, problems: Vec<Problem>) -> Result<(), Error> {
    match problems.into_iter().find(|p| p.severity == Severity::Error) {
        Some(p) => Err(bad(
            path,
            Invalid::BadMapping,
            format!("`{member}`: the mapping does not fit `{TARGET_JSON}`: {p}"),
        )),
        None => Ok(()),
    }
}

/// The template-wide checks: categories, parent links (no grandchild, no
/// cycle). A required field that no column maps is not a package error: its
/// rows are rejected one by one, with the reason, like any other row.
pub fn check_template(
    path: &Path,
    member: &str,
    target: &TargetDefinition,
    template: &MappingTemplate,
) -> Result<(), Error> {
    let problems = ferry_mapper::convert::check_template(target, template)
        .into_iter()
        .filter(|p| p.kind != ProblemKind::RequiredUnmapped)
        .collect();
    first_error(path, member, problems)
}

/// One file's mappings against the target and the CSV member's header:
/// every field exists, none is mapped twice, each converter suits its field.
pub fn check_file(
    path: &Path,
    member: &str,
    target: &TargetDefinition,
    file: &FileMapping,
    headers: &[String],
) -> Result<(), Error> {
    let (_, problems) = FileConverter::new(target, file, headers, &ConvertOptions::default());
    first_error(path, member, problems)
}
